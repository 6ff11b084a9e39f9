//! Users, browser sessions, API tokens and the audit log, for the team server.
//!
//! The store keeps what it is given: password and token hashes are computed by the caller
//! (`sift-app`), never here, and no secret is ever stored in the clear.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::db::{Result, Store, StoreError, now, on_pool};

/// What a user may do. Reps see and change only the leads they own; managers see and change
/// their team's leads (and unassigned ones); viewers read every lead; admins do everything,
/// including users, tokens of others, settings and webhooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Viewer,
    Rep,
    Manager,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Manager, Role::Rep, Role::Viewer];

    pub fn name(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Rep => "rep",
            Role::Manager => "manager",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a role; expected one of: admin, manager, rep, viewer")]
pub struct RoleParseError(pub String);

impl FromStr for Role {
    type Err = RoleParseError;
    fn from_str(s: &str) -> Result<Role, RoleParseError> {
        let norm = s.trim().to_lowercase();
        Role::ALL.into_iter().find(|r| r.name() == norm).ok_or_else(|| RoleParseError(s.to_owned()))
    }
}

/// What an API token may do; a token never does more than its user's role allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Read,
    Write,
    Admin,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Read, Scope::Write, Scope::Admin];

    pub fn name(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Admin => "admin",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a token scope; expected one of: read, write, admin")]
pub struct ScopeParseError(pub String);

impl FromStr for Scope {
    type Err = ScopeParseError;
    fn from_str(s: &str) -> Result<Scope, ScopeParseError> {
        let norm = s.trim().to_lowercase();
        Scope::ALL.into_iter().find(|r| r.name() == norm).ok_or_else(|| ScopeParseError(s.to_owned()))
    }
}

/// A user as stored (without the password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: Option<String>,
    pub role: Role,
    pub team: Option<String>,
    pub language: Option<String>,
    pub must_change_password: bool,
    pub disabled: bool,
    pub created_at: String,
    /// When they last signed in with their password (RFC 3339, UTC); `None`: never, or not
    /// since sign-ins were first recorded (migration 22).
    pub last_sign_in_at: Option<String>,
}

/// A change to a user: `None` keeps a value; `Some(None)` clears an optional one.
#[derive(Debug, Clone, Copy, Default)]
pub struct UserUpdate<'a> {
    pub role: Option<Role>,
    pub team: Option<Option<&'a str>>,
    pub display_name: Option<Option<&'a str>>,
    pub language: Option<Option<&'a str>>,
    /// Disabling ends the user's sessions.
    pub disabled: Option<bool>,
}

/// What [`Store::change_user`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserChanged {
    Changed(User),
    /// Refused, nothing written: afterwards no enabled admin would be left.
    NoAdminLeft,
}

/// A user to create; the password is already hashed.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: Option<&'a str>,
    pub role: Role,
    pub team: Option<&'a str>,
    pub language: Option<&'a str>,
    pub password_hash: &'a str,
    pub must_change_password: bool,
}

/// A browser session, found by the hash of its cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id_hash: String,
    pub user_id: i64,
    pub csrf_token: String,
    pub expires_at: String,
    pub last_seen_at: String,
}

/// A token to store: its hash, never the secret.
#[derive(Debug, Clone, Copy)]
pub struct NewToken<'a> {
    pub user_id: i64,
    pub name: &'a str,
    pub token_hash: &'a str,
    pub prefix: &'a str,
    pub scope: Scope,
    /// RFC 3339 in UTC; `None`: the token never expires.
    pub expires_at: Option<&'a str>,
}

/// An API token as listed (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    /// The first characters of the token, so a user can tell their tokens apart.
    pub prefix: String,
    pub scope: Scope,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
    /// When the token stops working (RFC 3339, UTC); `None`: never.
    pub expires_at: Option<String>,
}

/// One change, as the audit log keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: serde_json::Value,
    pub ip: Option<String>,
}

/// A change to record in the audit log.
#[derive(Debug, Clone)]
pub struct NewAudit<'a> {
    pub actor_id: Option<i64>,
    pub actor: &'a str,
    pub action: &'a str,
    pub target: &'a str,
    pub detail: serde_json::Value,
    pub ip: Option<&'a str>,
}

fn corrupt(what: &str, e: impl fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

const USER_COLUMNS: &str = "u.id, u.username, u.display_name, u.role, u.team, u.language, u.must_change_password, \
     u.disabled, u.created_at, u.last_sign_in_at";

fn user_from_row<R: Row>(row: &R) -> Result<User>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    i64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    bool: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<String>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let role: String = row.try_get("role")?;
    Ok(User {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        role: role.parse().map_err(|e| corrupt("users.role", e))?,
        team: row.try_get("team")?,
        language: row.try_get("language")?,
        must_change_password: row.try_get("must_change_password")?,
        disabled: row.try_get("disabled")?,
        created_at: row.try_get("created_at")?,
        last_sign_in_at: row.try_get("last_sign_in_at")?,
    })
}

fn token_from_row<R: Row>(row: &R) -> Result<ApiToken>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    i64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<String>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let scope: String = row.try_get("scope")?;
    Ok(ApiToken {
        id: row.try_get("token_id")?,
        user_id: row.try_get("user_id")?,
        name: row.try_get("name")?,
        prefix: row.try_get("prefix")?,
        scope: scope.parse().map_err(|e| corrupt("api_tokens.scope", e))?,
        created_at: row.try_get("token_created_at")?,
        last_used_at: row.try_get("last_used_at")?,
        revoked_at: row.try_get("revoked_at")?,
        expires_at: row.try_get("expires_at")?,
    })
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error().is_some_and(|d| d.is_unique_violation())
}

const TOKEN_COLUMNS: &str = "t.id AS token_id, t.user_id, t.name, t.prefix, t.scope, t.created_at AS token_created_at, \
     t.last_used_at, t.revoked_at, t.expires_at";

impl Store {
    pub async fn count_users(&self) -> Result<i64> {
        on_pool!(self, pool => {
            let row = sqlx::query("SELECT count(*) AS n FROM users").fetch_one(pool).await?;
            Ok(row.try_get::<i64, _>("n")?)
        })
    }

    /// Creates a user; a taken user name is [`StoreError::Duplicate`].
    pub async fn create_user(&self, new: &NewUser<'_>) -> Result<User> {
        let now = now();
        let inserted = on_pool!(self, pool => {
            sqlx::query("INSERT INTO users (username, display_name, role, team, language, password_hash, must_change_password, disabled, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id")
                .bind(new.username)
                .bind(new.display_name)
                .bind(new.role.name())
                .bind(new.team)
                .bind(new.language)
                .bind(new.password_hash)
                .bind(new.must_change_password)
                .bind(false)
                .bind(&now)
                .bind(&now)
                .fetch_one(pool)
                .await
                .map(|row| row.try_get::<i64, _>("id"))
        });
        let id = match inserted {
            Ok(id) => id?,
            Err(e) if is_unique_violation(&e) => {
                return Err(StoreError::Duplicate(format!("a user named `{}`", new.username)));
            }
            Err(e) => return Err(e.into()),
        };
        self.user(id).await?.ok_or_else(|| StoreError::NotFound(id.to_string()))
    }

    pub async fn user(&self, id: i64) -> Result<Option<User>> {
        on_pool!(self, pool => {
            let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1")))
                .bind(id)
                .fetch_optional(pool)
                .await?;
            row.as_ref().map(user_from_row).transpose()
        })
    }

    /// A user and their password hash, by user name (for signing in).
    pub async fn user_with_password(&self, username: &str) -> Result<Option<(User, String)>> {
        on_pool!(self, pool => {
            let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS}, u.password_hash FROM users u WHERE u.username = $1")))
                .bind(username)
                .fetch_optional(pool)
                .await?;
            match row {
                None => Ok(None),
                Some(row) => Ok(Some((user_from_row(&row)?, row.try_get::<String, _>("password_hash")?))),
            }
        })
    }

    pub async fn list_users(&self) -> Result<Vec<User>> {
        on_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM users u ORDER BY u.id")))
                .fetch_all(pool)
                .await?;
            rows.iter().map(user_from_row).collect()
        })
    }

    /// Sets a new password hash; every session of the user ends (sign in again).
    pub async fn set_password(&self, user_id: i64, password_hash: &str, must_change: bool) -> Result<()> {
        let now = now();
        let begin = self.begin_write();
        on_pool!(self, pool => {
            let mut tx = pool.begin_with(begin).await?;
            let done = sqlx::query("UPDATE users SET password_hash = $1, must_change_password = $2, updated_at = $3 WHERE id = $4")
                .bind(password_hash)
                .bind(must_change)
                .bind(&now)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound(user_id.to_string()));
            }
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Changes a user's role, team, display name or language (`None` keeps the value).
    pub async fn update_user(
        &self,
        user_id: i64,
        role: Option<Role>,
        team: Option<Option<&str>>,
        display_name: Option<Option<&str>>,
        language: Option<Option<&str>>,
    ) -> Result<User> {
        let Some(current) = self.user(user_id).await? else { return Err(StoreError::NotFound(user_id.to_string())) };
        let now = now();
        on_pool!(self, pool => {
            sqlx::query("UPDATE users SET role = $1, team = $2, display_name = $3, language = $4, updated_at = $5 WHERE id = $6")
                .bind(role.unwrap_or(current.role).name())
                .bind(team.unwrap_or(current.team.as_deref()))
                .bind(display_name.unwrap_or(current.display_name.as_deref()))
                .bind(language.unwrap_or(current.language.as_deref()))
                .bind(&now)
                .bind(user_id)
                .execute(pool)
                .await?;
            Ok::<(), StoreError>(())
        })?;
        self.user(user_id).await?.ok_or_else(|| StoreError::NotFound(user_id.to_string()))
    }

    /// Changes a user's role, team, name, language or disabled flag in one transaction that
    /// keeps at least one enabled admin where there was one: a change that would leave none
    /// is rolled back
    /// ([`UserChanged::NoAdminLeft`]). The enabled admins are locked first (PostgreSQL; SQLite
    /// writes one at a time), so two admins demoting each other at once cannot both succeed.
    pub async fn change_user(&self, user_id: i64, update: &UserUpdate<'_>) -> Result<UserChanged> {
        let now = now();
        let begin = self.begin_write();
        let lock = match self.backend() {
            crate::db::Backend::Sqlite => "",
            crate::db::Backend::Postgres => " FOR UPDATE",
        };
        on_pool!(self, pool => {
            let mut tx = pool.begin_with(begin).await?;
            let admins = format!("SELECT id FROM users WHERE role = 'admin' AND disabled = $1 ORDER BY id{lock}");
            let before = sqlx::query(sqlx::AssertSqlSafe(admins)).bind(false).fetch_all(&mut *tx).await?.len();
            let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1")))
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(current) = row.as_ref().map(user_from_row).transpose()? else {
                return Err(StoreError::NotFound(user_id.to_string()));
            };
            let disabled = update.disabled.unwrap_or(current.disabled);
            sqlx::query(
                "UPDATE users SET role = $1, team = $2, display_name = $3, language = $4, disabled = $5, updated_at = $6 \
                 WHERE id = $7",
            )
            .bind(update.role.unwrap_or(current.role).name())
            .bind(update.team.unwrap_or(current.team.as_deref()))
            .bind(update.display_name.unwrap_or(current.display_name.as_deref()))
            .bind(update.language.unwrap_or(current.language.as_deref()))
            .bind(disabled)
            .bind(&now)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
            let left: i64 = sqlx::query("SELECT count(*) AS n FROM users WHERE role = 'admin' AND disabled = $1")
                .bind(false)
                .fetch_one(&mut *tx)
                .await?
                .try_get("n")?;
            if before > 0 && left == 0 {
                tx.rollback().await?;
                return Ok(UserChanged::NoAdminLeft);
            }
            if disabled && !current.disabled {
                sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })?;
        let user = self.user(user_id).await?.ok_or_else(|| StoreError::NotFound(user_id.to_string()))?;
        Ok(UserChanged::Changed(user))
    }

    /// Starts a session (its `last_seen_at` is when it starts) and records that moment as the
    /// user's last sign-in, in one transaction: a session is only ever made by signing in.
    pub async fn create_session(&self, session: &Session) -> Result<()> {
        let begin = self.begin_write();
        on_pool!(self, pool => {
            let mut tx = pool.begin_with(begin).await?;
            sqlx::query("INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(&session.id_hash)
                .bind(session.user_id)
                .bind(&session.csrf_token)
                .bind(&session.last_seen_at)
                .bind(&session.expires_at)
                .bind(&session.last_seen_at)
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE users SET last_sign_in_at = $1 WHERE id = $2")
                .bind(&session.last_seen_at)
                .bind(session.user_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// The live session with this id hash and its user: not expired at `at`, the user not
    /// disabled.
    pub async fn session(&self, id_hash: &str, at: &str) -> Result<Option<(Session, User)>> {
        on_pool!(self, pool => {
            let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {USER_COLUMNS}, s.id AS session_id, s.user_id, s.csrf_token, s.expires_at, s.last_seen_at \
                 FROM sessions s JOIN users u ON u.id = s.user_id \
                 WHERE s.id = $1 AND s.expires_at > $2 AND NOT u.disabled"
            )))
            .bind(id_hash)
            .bind(at)
            .fetch_optional(pool)
            .await?;
            match row {
                None => Ok(None),
                Some(row) => {
                    let session = Session {
                        id_hash: row.try_get("session_id")?,
                        user_id: row.try_get("user_id")?,
                        csrf_token: row.try_get("csrf_token")?,
                        expires_at: row.try_get("expires_at")?,
                        last_seen_at: row.try_get("last_seen_at")?,
                    };
                    Ok(Some((session, user_from_row(&row)?)))
                }
            }
        })
    }

    /// Extends a session (sliding expiry).
    pub async fn touch_session(&self, id_hash: &str, seen_at: &str, expires_at: &str) -> Result<()> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE id = $3")
                .bind(seen_at)
                .bind(expires_at)
                .bind(id_hash)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    pub async fn delete_session(&self, id_hash: &str) -> Result<()> {
        on_pool!(self, pool => {
            sqlx::query("DELETE FROM sessions WHERE id = $1").bind(id_hash).execute(pool).await?;
            Ok(())
        })
    }

    /// Removes sessions that expired before `at`; returns how many.
    pub async fn delete_expired_sessions(&self, at: &str) -> Result<u64> {
        on_pool!(self, pool => {
            Ok(sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(at).execute(pool).await?.rows_affected())
        })
    }

    /// Stores a token (its hash); `expires_at` (RFC 3339, UTC) is when it stops working,
    /// `None` for never.
    pub async fn create_token(&self, new: &NewToken<'_>) -> Result<ApiToken> {
        let now = now();
        let NewToken { user_id, name, token_hash, prefix, scope, expires_at } = *new;
        let id: i64 = on_pool!(self, pool => {
            let row = sqlx::query("INSERT INTO api_tokens (user_id, name, token_hash, prefix, scope, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
                .bind(user_id)
                .bind(name)
                .bind(token_hash)
                .bind(prefix)
                .bind(scope.name())
                .bind(&now)
                .bind(expires_at)
                .fetch_one(pool)
                .await?;
            row.try_get::<i64, _>("id")?
        });
        Ok(ApiToken {
            id,
            user_id,
            name: name.to_owned(),
            prefix: prefix.to_owned(),
            scope,
            created_at: now,
            last_used_at: None,
            revoked_at: None,
            expires_at: expires_at.map(str::to_owned),
        })
    }

    /// The token with this hash and its user, unless it is revoked or its user disabled. An
    /// expired token is returned too (its `expires_at` says so), so that the caller can say
    /// why it is refused.
    pub async fn token(&self, token_hash: &str) -> Result<Option<(ApiToken, User)>> {
        on_pool!(self, pool => {
            let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {USER_COLUMNS}, {TOKEN_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id \
                 WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND NOT u.disabled"
            )))
            .bind(token_hash)
            .fetch_optional(pool)
            .await?;
            match row {
                None => Ok(None),
                Some(row) => Ok(Some((token_from_row(&row)?, user_from_row(&row)?))),
            }
        })
    }

    pub async fn list_tokens(&self, user_id: i64) -> Result<Vec<ApiToken>> {
        on_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {TOKEN_COLUMNS} FROM api_tokens t WHERE t.user_id = $1 ORDER BY t.id")))
                .bind(user_id)
                .fetch_all(pool)
                .await?;
            rows.iter().map(token_from_row).collect()
        })
    }

    /// Revokes one of a user's tokens; false when the user has no such live token.
    pub async fn revoke_token(&self, user_id: i64, token_id: i64) -> Result<bool> {
        let now = now();
        on_pool!(self, pool => {
            let done = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL")
                .bind(&now)
                .bind(token_id)
                .bind(user_id)
                .execute(pool)
                .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    pub async fn touch_token(&self, token_id: i64, at: &str) -> Result<()> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2").bind(at).bind(token_id).execute(pool).await?;
            Ok(())
        })
    }

    pub async fn audit(&self, entry: &NewAudit<'_>) -> Result<()> {
        let now = now();
        on_pool!(self, pool => {
            sqlx::query("INSERT INTO audit_log (at, actor_id, actor, action, target, detail, ip) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(&now)
                .bind(entry.actor_id)
                .bind(entry.actor)
                .bind(entry.action)
                .bind(entry.target)
                .bind(entry.detail.to_string())
                .bind(entry.ip)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// The newest audit entries first, `limit` of them, older than `before` (an entry id)
    /// when given.
    pub async fn list_audit(&self, limit: i64, before: Option<i64>) -> Result<Vec<AuditEntry>> {
        on_pool!(self, pool => {
            let rows = sqlx::query("SELECT id, at, actor_id, actor, action, target, detail, ip FROM audit_log WHERE id < $1 ORDER BY id DESC LIMIT $2")
                .bind(before.unwrap_or(i64::MAX))
                .bind(limit)
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|r| {
                    let detail: String = r.try_get("detail")?;
                    Ok(AuditEntry {
                        id: r.try_get("id")?,
                        at: r.try_get("at")?,
                        actor_id: r.try_get("actor_id")?,
                        actor: r.try_get("actor")?,
                        action: r.try_get("action")?,
                        target: r.try_get("target")?,
                        detail: serde_json::from_str(&detail).map_err(|e| corrupt("audit_log.detail", e))?,
                        ip: r.try_get("ip")?,
                    })
                })
                .collect()
        })
    }
}
