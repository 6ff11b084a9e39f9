//! Configuration as stored documents, and the playbook side of leads.
//!
//! The configuration the server decides with (the ICP, the lead-type rules, the playbooks,
//! user frameworks and user lexicons) is kept as the TOML texts people wrote, each with a
//! version and who changed it when; the application layer parses and validates them. Every
//! change is a new row, so the history stays and two concurrent saves of one version cannot
//! both win.
//!
//! Playbooks route leads; this module stores where a lead went and hands out round-robin
//! turns atomically, so two server processes assigning at once never give the same turn.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use sqlx::Row;

use crate::db::{Result, Store, StoreError, now, on_pool};

/// What a configuration document configures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DocumentKind {
    /// The ideal-customer profile (one document).
    Icp,
    /// The lead-type rules (one document).
    Rules,
    /// The playbooks (one document).
    Playbooks,
    /// A user framework, named by its id (several).
    Framework,
    /// A user lexicon extension, by name (several).
    Lexicon,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 5] = [
        DocumentKind::Icp,
        DocumentKind::Rules,
        DocumentKind::Playbooks,
        DocumentKind::Framework,
        DocumentKind::Lexicon,
    ];

    pub fn name(self) -> &'static str {
        match self {
            DocumentKind::Icp => "icp",
            DocumentKind::Rules => "rules",
            DocumentKind::Playbooks => "playbooks",
            DocumentKind::Framework => "framework",
            DocumentKind::Lexicon => "lexicon",
        }
    }

    /// True for the kinds there is one of (their name is the kind's own name).
    pub fn is_single(self) -> bool {
        matches!(self, DocumentKind::Icp | DocumentKind::Rules | DocumentKind::Playbooks)
    }
}

impl fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for DocumentKind {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<DocumentKind, String> {
        DocumentKind::ALL.into_iter().find(|k| k.name() == s).ok_or_else(|| {
            format!("`{s}` is not a kind of configuration; one of: icp, rules, playbooks, framework, lexicon")
        })
    }
}

/// The current version of one configuration document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConfigDocument {
    pub kind: DocumentKind,
    /// The framework id or lexicon name; the kind's name for single documents.
    pub name: String,
    /// Counts up from 1 with every change (a deletion is a change too).
    pub version: i64,
    pub text: String,
    pub changed_by: String,
    pub changed_at: String,
}

/// One version of a configuration document, as the history keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentVersion {
    pub version: i64,
    /// The text of this version; `None` when this version deleted the document.
    pub text: Option<String>,
    pub changed_by: String,
    pub changed_at: String,
}

/// What a save or a deletion did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveOutcome {
    /// Saved as this version.
    Saved(ConfigDocument),
    /// Deleted; the deletion is this version.
    Deleted { version: i64 },
    /// The caller's expected version is not the current one (0: the document does not exist).
    Stale { current: i64 },
    /// Nothing to delete.
    Missing,
}

/// How routing changes a lead's owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnerChange {
    Keep,
    /// Set only when the lead has no owner (decided inside the update, so a concurrent
    /// assignment is never overwritten).
    IfUnowned(i64),
    Set(i64),
}

/// Where routing sends one lead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadRouting {
    pub lead_id: i64,
    pub playbook: Option<String>,
    pub owner: OwnerChange,
}

const CURRENT: &str = "SELECT d.kind, d.name, d.version, d.text, d.changed_by, d.changed_at FROM config_documents d \
    WHERE d.version = (SELECT max(x.version) FROM config_documents x WHERE x.kind = d.kind AND x.name = d.name)";

macro_rules! document_from_row {
    ($row:expr) => {{
        let kind: String = $row.try_get("kind")?;
        let text: Option<String> = $row.try_get("text")?;
        match text {
            None => None,
            Some(text) => Some(ConfigDocument {
                kind: kind.parse().map_err(|e: String| StoreError::Corrupt(format!("configuration document: {e}")))?,
                name: $row.try_get("name")?,
                version: $row.try_get("version")?,
                text,
                changed_by: $row.try_get("changed_by")?,
                changed_at: $row.try_get("changed_at")?,
            }),
        }
    }};
}

impl Store {
    /// The current text of one document; `None` when it was never saved or was deleted.
    pub async fn config_document(&self, kind: DocumentKind, name: &str) -> Result<Option<ConfigDocument>> {
        on_pool!(self, pool => {
            let sql = format!("{CURRENT} AND d.kind = $1 AND d.name = $2");
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(kind.name()).bind(name).fetch_optional(pool).await?;
            Ok(match row {
                Some(row) => document_from_row!(row),
                None => None,
            })
        })
    }

    /// Every current document (deleted ones left out), by kind and name.
    pub async fn config_documents(&self) -> Result<Vec<ConfigDocument>> {
        on_pool!(self, pool => {
            let sql = format!("{CURRENT} ORDER BY d.kind, d.name");
            let mut documents = Vec::new();
            for row in sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await? {
                if let Some(document) = document_from_row!(row) {
                    documents.push(document);
                }
            }
            Ok(documents)
        })
    }

    /// The versions of one document, newest first, at most `limit` of them (deletions
    /// included, without text).
    pub async fn config_document_history(
        &self,
        kind: DocumentKind,
        name: &str,
        limit: i64,
    ) -> Result<Vec<DocumentVersion>> {
        on_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT version, text, changed_by, changed_at FROM config_documents WHERE kind = $1 AND name = $2 \
                 ORDER BY version DESC LIMIT $3",
            )
            .bind(kind.name())
            .bind(name)
            .bind(limit)
            .fetch_all(pool)
            .await?;
            let mut versions = Vec::with_capacity(rows.len());
            for row in rows {
                versions.push(DocumentVersion {
                    version: row.try_get("version")?,
                    text: row.try_get("text")?,
                    changed_by: row.try_get("changed_by")?,
                    changed_at: row.try_get("changed_at")?,
                });
            }
            Ok(versions)
        })
    }

    /// A number that grows with every configuration change (0 before the first), so a
    /// process can tell cheaply whether another one changed the configuration.
    pub async fn config_generation(&self) -> Result<i64> {
        on_pool!(self, pool => {
            let row = sqlx::query("SELECT coalesce(max(id), 0) AS n FROM config_documents").fetch_one(pool).await?;
            Ok(row.try_get::<i64, _>("n")?)
        })
    }

    /// Saves a new version of a document (`text`), or deletes it (`None`). With `expected`,
    /// the change is made only when that is the current version (0: the document does not
    /// exist); otherwise the answer is [`SaveOutcome::Stale`]. Without it, the change goes on
    /// top of whatever is current.
    pub async fn save_config_document(
        &self,
        kind: DocumentKind,
        name: &str,
        text: Option<&str>,
        expected: Option<i64>,
        changed_by: &str,
    ) -> Result<SaveOutcome> {
        let mut attempt = 0;
        loop {
            match self.save_config_document_once(kind, name, text, expected, changed_by).await {
                // Another process saved the same version first: with an expected version
                // that is a stale write; without one, go on top of theirs.
                Err(StoreError::Database(e)) if e.as_database_error().is_some_and(|d| d.is_unique_violation()) => {
                    if expected.is_some() || attempt >= 5 {
                        let current = self.config_document(kind, name).await?.map_or(0, |d| d.version);
                        return Ok(SaveOutcome::Stale { current });
                    }
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    async fn save_config_document_once(
        &self,
        kind: DocumentKind,
        name: &str,
        text: Option<&str>,
        expected: Option<i64>,
        changed_by: &str,
    ) -> Result<SaveOutcome> {
        let now = now();
        let begin = self.begin_write();
        on_pool!(self, pool => {
            let mut tx = pool.begin_with(begin).await?;
            let row = sqlx::query(
                "SELECT version, text IS NOT NULL AS live FROM config_documents WHERE kind = $1 AND name = $2 \
                 ORDER BY version DESC LIMIT 1",
            )
            .bind(kind.name())
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?;
            let (latest, live) = match row {
                Some(row) => (row.try_get::<i64, _>("version")?, row.try_get::<bool, _>("live")?),
                None => (0, false),
            };
            let current = if live { latest } else { 0 };
            if expected.is_some_and(|e| e != current) {
                return Ok(SaveOutcome::Stale { current });
            }
            if text.is_none() && !live {
                return Ok(SaveOutcome::Missing);
            }
            let version = latest + 1;
            sqlx::query(
                "INSERT INTO config_documents (kind, name, version, text, changed_by, changed_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(kind.name())
            .bind(name)
            .bind(version)
            .bind(text)
            .bind(changed_by)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(match text {
                Some(text) => SaveOutcome::Saved(ConfigDocument {
                    kind,
                    name: name.to_owned(),
                    version,
                    text: text.to_owned(),
                    changed_by: changed_by.to_owned(),
                    changed_at: now,
                }),
                None => SaveOutcome::Deleted { version },
            })
        })
    }

    /// Takes `count` consecutive round-robin turns of a playbook in one atomic statement and
    /// returns them (turns count up from 0 per playbook). Concurrent callers, in this process
    /// or another, always get disjoint turns.
    pub async fn take_playbook_turns(&self, playbook: &str, count: u64) -> Result<std::ops::Range<u64>> {
        if count == 0 {
            return Ok(0..0);
        }
        let n = i64::try_from(count).map_err(|_| StoreError::Corrupt(format!("{count} turns at once")))?;
        let total: i64 = on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO playbook_turns (playbook, turns) VALUES ($1, $2) \
                 ON CONFLICT (playbook) DO UPDATE SET turns = playbook_turns.turns + excluded.turns RETURNING turns",
            )
            .bind(playbook)
            .bind(n)
            .fetch_one(pool)
            .await?
            .try_get("turns")?
        });
        let end =
            u64::try_from(total).map_err(|_| StoreError::Corrupt(format!("playbook `{playbook}` turn {total}")))?;
        Ok(end.saturating_sub(count)..end)
    }

    /// Records where routing sent each lead (and its owner, as `owner` says), in one
    /// transaction. Returns each lead's owner afterwards (`None` for a lead that no longer
    /// exists or has no owner), in the order given.
    pub async fn set_lead_routing(&self, routes: &[LeadRouting]) -> Result<Vec<Option<i64>>> {
        let now = now();
        let begin = self.begin_write();
        on_pool!(self, pool => {
            let mut tx = pool.begin_with(begin).await?;
            let mut owners = Vec::with_capacity(routes.len());
            for route in routes {
                let (sql, owner) = match route.owner {
                    OwnerChange::Keep => (
                        "UPDATE leads SET playbook = $1, updated_at = $2 WHERE id = $3 RETURNING owner_id",
                        None,
                    ),
                    OwnerChange::IfUnowned(o) => (
                        "UPDATE leads SET playbook = $1, updated_at = $2, owner_id = coalesce(owner_id, $4) \
                         WHERE id = $3 RETURNING owner_id",
                        Some(o),
                    ),
                    OwnerChange::Set(o) => (
                        "UPDATE leads SET playbook = $1, updated_at = $2, owner_id = $4 WHERE id = $3 RETURNING owner_id",
                        Some(o),
                    ),
                };
                let mut q = sqlx::query(sql).bind(route.playbook.as_deref()).bind(&now).bind(route.lead_id);
                if let Some(owner) = owner {
                    q = q.bind(owner);
                }
                let row = q.fetch_optional(&mut *tx).await?;
                owners.push(match row {
                    Some(row) => row.try_get::<Option<i64>, _>("owner_id")?,
                    None => None,
                });
            }
            tx.commit().await?;
            Ok(owners)
        })
    }
}
