//! The reports (issue 10): the funnel from the stored stage history, disqualifications by
//! the level that failed, verdicts per owner. Everything is counted by the database
//! (`GROUP BY`); no lead is loaded. The leads counted are those of a [`LeadFilter`] (who
//! may see what, the playbook) created within an optional range of days.

use serde::Serialize;
use sqlx::{QueryBuilder, Row};

use crate::db::{Backend, LeadFilter, Result, Store, on_pool};

/// Which leads a report counts.
#[derive(Debug, Clone, Default)]
pub struct ReportFilter {
    /// Visibility and playbook (other fields apply too).
    pub leads: LeadFilter,
    /// Created at or after this instant (RFC 3339 text compares as time).
    pub created_from: Option<String>,
    /// Created before this instant.
    pub created_before: Option<String>,
}

/// How the funnel is split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FunnelBy {
    All,
    Source,
    Playbook,
    /// The Monday (`YYYY-MM-DD`) of the week the lead was created.
    Week,
    /// Source and playbook together (`group` and `playbook`), one scan for the overall
    /// funnel and both splits, summed by the caller: as many rows as pairs that occur.
    SourceAndPlaybook,
}

/// One row of a funnel: how many leads ever reached each step. The steps are cumulative: a
/// lead that reached a later step counts at the earlier ones too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct FunnelRow {
    /// The source, playbook or week; `None` when the lead has none (and for `All`).
    pub group: Option<String>,
    /// The playbook, when split by [`FunnelBy::SourceAndPlaybook`].
    pub playbook: Option<String>,
    pub leads: i64,
    /// Marketing-qualified (MQL, PQL or CQL) or further.
    pub mql: i64,
    pub sql: i64,
    pub opportunity: i64,
    /// Became a customer.
    pub won: i64,
}

/// How many reasons a level shows.
pub const TOP_REASONS: i64 = 5;

/// Leads disqualified at one level of the decision that failed (`None`: no decision, the
/// lead was moved by hand or imported), with the most frequent reasons and their leads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DisqualifiedLevel {
    pub level: Option<String>,
    pub leads: i64,
    pub reasons: Vec<(String, i64)>,
    /// Each reason as a message, when it is a verdict's (read back from a decision saved
    /// with such a move, [`sift_core::verdict_move_message`]); `None` for reasons people wrote.
    pub reason_messages: Vec<Option<sift_core::Message>>,
}

/// Decisions on the leads of one owner, by verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct VerdictRow {
    pub owner_id: Option<i64>,
    pub owner: Option<String>,
    pub qualified: i64,
    pub nurture: i64,
    pub disqualified: i64,
    pub needs_info: i64,
}

/// The funnel step of a stage, as SQL over the column `col`.
fn rank(col: &str) -> String {
    format!(
        "CASE {col} WHEN 'customer' THEN 4 WHEN 'opportunity' THEN 3 WHEN 'sql' THEN 2 \
         WHEN 'mql' THEN 1 WHEN 'pql' THEN 1 WHEN 'cql' THEN 1 ELSE 0 END"
    )
}

fn push_range<DB: sqlx::Database>(q: &mut QueryBuilder<DB>, filter: &ReportFilter)
where
    String: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    if let Some(from) = &filter.created_from {
        q.push(" AND l.created_at >= ").push_bind(from.clone());
    }
    if let Some(before) = &filter.created_before {
        q.push(" AND l.created_at < ").push_bind(before.clone());
    }
}

impl Store {
    /// The funnel, overall or split by source, playbook or week of creation; groups with
    /// the most leads first (weeks in order).
    pub async fn funnel(&self, filter: &ReportFilter, by: FunnelBy) -> Result<Vec<FunnelRow>> {
        let group = match (by, self.backend()) {
            (FunnelBy::All, _) => "CAST(NULL AS TEXT)".to_owned(),
            (FunnelBy::Source | FunnelBy::SourceAndPlaybook, _) => "l.source".to_owned(),
            (FunnelBy::Playbook, _) => "l.playbook".to_owned(),
            (FunnelBy::Week, Backend::Sqlite) => "date(l.created_at, '-6 days', 'weekday 1')".to_owned(),
            (FunnelBy::Week, Backend::Postgres) => {
                "to_char(date_trunc('week', CAST(substr(l.created_at, 1, 10) AS date)), 'YYYY-MM-DD')".to_owned()
            }
        };
        let second = if by == FunnelBy::SourceAndPlaybook { "l.playbook" } else { "CAST(NULL AS TEXT)" };
        let order = if by == FunnelBy::Week { "g" } else { "leads DESC, g" };
        let inner = format!(
            "SELECT {group} AS g, {second} AS g2, {current} AS cur, \
             (SELECT max({hist}) FROM stage_history h WHERE h.lead_id = l.id) AS hist FROM leads l",
            current = rank("l.stage"),
            hist = rank("h.to_stage"),
        );
        let step = |k: u8| format!("sum(CASE WHEN cur >= {k} OR coalesce(hist, 0) >= {k} THEN 1 ELSE 0 END)");
        let leads = LeadFilter { after: None, limit: None, offset: None, ..filter.leads.clone() };
        on_pool!(self, pool => {
            let mut q = QueryBuilder::new(format!(
                "SELECT g, g2, count(*) AS leads, {} AS mql, {} AS sql, {} AS opportunity, {} AS won FROM ({inner}",
                step(1), step(2), step(3), step(4)
            ));
            Self::push_filter(&mut q, &leads);
            push_range(&mut q, filter);
            q.push(format!(") t GROUP BY g, g2 ORDER BY {order}"));
            let rows = q.build().fetch_all(pool).await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in rows {
                out.push(FunnelRow {
                    group: row.try_get("g")?,
                    playbook: row.try_get("g2")?,
                    leads: row.try_get("leads")?,
                    mql: row.try_get("mql")?,
                    sql: row.try_get("sql")?,
                    opportunity: row.try_get("opportunity")?,
                    won: row.try_get("won")?,
                });
            }
            Ok(out)
        })
    }

    /// Moves to `disqualified`, by the level the decision behind the move failed (a move
    /// with no decision at the same instant has no level): how many leads each level, and
    /// the reasons written with the moves, the [`TOP_REASONS`] most frequent of each level
    /// (cut by the database: free-text reasons can be as many as the leads).
    pub async fn disqualification_reasons(&self, filter: &ReportFilter) -> Result<Vec<DisqualifiedLevel>> {
        let leads = LeadFilter { after: None, limit: None, offset: None, ..filter.leads.clone() };
        const FROM: &str = " FROM stage_history h JOIN leads l ON l.id = h.lead_id \
             LEFT JOIN qualifications q ON q.lead_id = h.lead_id AND q.decided_at = h.at AND q.verdict = 'disqualified'";
        on_pool!(self, pool => {
            let mut q = QueryBuilder::new(format!("SELECT q.failed_level AS level, count(DISTINCT h.lead_id) AS n{FROM}"));
            Self::push_filter(&mut q, &leads);
            push_range(&mut q, filter);
            q.push(" AND h.to_stage = 'disqualified' GROUP BY q.failed_level");
            let mut out = Vec::new();
            for row in q.build().fetch_all(pool).await? {
                out.push(DisqualifiedLevel {
                    level: row.try_get("level")?,
                    leads: row.try_get("n")?,
                    reasons: Vec::new(),
                    reason_messages: Vec::new(),
                });
            }
            let mut q = QueryBuilder::new(format!(
                "SELECT level, reason, n, decision_id FROM (SELECT q.failed_level AS level, h.reason AS reason, \
                 count(DISTINCT h.lead_id) AS n, min(q.id) AS decision_id, row_number() OVER (PARTITION BY q.failed_level \
                 ORDER BY count(DISTINCT h.lead_id) DESC, h.reason) AS place{FROM}"
            ));
            Self::push_filter(&mut q, &leads);
            push_range(&mut q, filter);
            q.push(" AND h.to_stage = 'disqualified' GROUP BY q.failed_level, h.reason) t WHERE place <= ");
            q.push_bind(TOP_REASONS);
            q.push(" ORDER BY n DESC, reason");
            // One decision behind each reason (at most TOP_REASONS per level), to read the
            // reason's message back from.
            let mut behind: Vec<(usize, i64)> = Vec::new();
            for row in q.build().fetch_all(pool).await? {
                let level: Option<String> = row.try_get("level")?;
                if let Some(at) = out.iter().position(|l| l.level == level) {
                    out[at].reasons.push((row.try_get("reason")?, row.try_get("n")?));
                    out[at].reason_messages.push(None);
                    if let Some(id) = row.try_get::<Option<i64>, _>("decision_id")? {
                        behind.push((at, id));
                    }
                }
            }
            if !behind.is_empty() {
                let mut q = QueryBuilder::new("SELECT id, decision FROM qualifications WHERE id IN (");
                let mut ids = q.separated(", ");
                for (_, id) in &behind {
                    ids.push_bind(*id);
                }
                q.push(")");
                let decisions: Vec<(i64, String)> = q
                    .build()
                    .fetch_all(pool)
                    .await?
                    .into_iter()
                    .map(|row| -> Result<(i64, String)> { Ok((row.try_get("id")?, row.try_get("decision")?)) })
                    .collect::<Result<_>>()?;
                for (at, id) in behind {
                    let Some((_, json)) = decisions.iter().find(|(d, _)| *d == id) else { continue };
                    let Ok(decision) = serde_json::from_str::<sift_core::Decision>(json) else { continue };
                    if decision.reason_messages.is_empty() {
                        continue; // stored before codes: the text stays as it is
                    }
                    let message = sift_core::verdict_move_message(&decision);
                    let level = &mut out[at];
                    if let Some(i) = level.reasons.iter().position(|(reason, _)| *reason == message.english()) {
                        level.reason_messages[i] = Some(message);
                    }
                }
            }
            Ok(out)
        })
    }

    /// The decisions saved on each owner's leads, by verdict (unassigned leads together).
    pub async fn verdicts_by_owner(&self, filter: &ReportFilter) -> Result<Vec<VerdictRow>> {
        let leads = LeadFilter { after: None, limit: None, offset: None, ..filter.leads.clone() };
        on_pool!(self, pool => {
            let mut q = QueryBuilder::new(
                "SELECT l.owner_id AS owner_id, coalesce(u.display_name, u.username) AS owner, q.verdict AS verdict, \
                 count(*) AS n FROM qualifications q JOIN leads l ON l.id = q.lead_id \
                 LEFT JOIN users u ON u.id = l.owner_id",
            );
            Self::push_filter(&mut q, &leads);
            push_range(&mut q, filter);
            q.push(" GROUP BY l.owner_id, u.display_name, u.username, q.verdict");
            let rows = q.build().fetch_all(pool).await?;
            let mut out: Vec<VerdictRow> = Vec::new();
            for row in rows {
                let owner_id: Option<i64> = row.try_get("owner_id")?;
                let owner: Option<String> = row.try_get("owner")?;
                let verdict: String = row.try_get("verdict")?;
                let n: i64 = row.try_get("n")?;
                let i = match out.iter().position(|r| r.owner_id == owner_id) {
                    Some(i) => i,
                    None => {
                        out.push(VerdictRow { owner_id, owner, ..VerdictRow::default() });
                        out.len() - 1
                    }
                };
                let r = &mut out[i];
                match verdict.as_str() {
                    "qualified" => r.qualified += n,
                    "nurture" => r.nurture += n,
                    "disqualified" => r.disqualified += n,
                    _ => r.needs_info += n,
                }
            }
            out.sort_by(|a, b| (a.owner.is_none(), &a.owner).cmp(&(b.owner.is_none(), &b.owner)));
            Ok(out)
        })
    }
}
