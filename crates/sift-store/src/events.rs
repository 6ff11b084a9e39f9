//! The event outbox and webhook subscriptions.
//!
//! A change that others may want to hear about (a lead created, moved, qualified...) writes
//! an event row **in the transaction of the change**: a committed change always has its
//! event, and a rolled-back one never does. The dispatcher ([`Store::dispatch_events`])
//! then turns each undelivered event into one delivery job per webhook that subscribes to
//! its kind, and marks the event dispatched, in one transaction, so an event fans out
//! exactly once even with several processes dispatching.

use serde::Serialize;
use sqlx::Row;

use crate::db::{Backend, Result, Store, StoreError, now, on_pool};
use crate::jobs::{NewJob, insert_job};

/// What happened. The names are the `type` of the webhook payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum EventKind {
    #[serde(rename = "lead.created")]
    LeadCreated,
    #[serde(rename = "lead.stage_changed")]
    LeadStageChanged,
    #[serde(rename = "lead.qualified")]
    LeadQualified,
    #[serde(rename = "lead.disqualified")]
    LeadDisqualified,
    #[serde(rename = "lead.nurture_due")]
    LeadNurtureDue,
    #[serde(rename = "import.finished")]
    ImportFinished,
    #[serde(rename = "model.trained")]
    ModelTrained,
}

impl EventKind {
    pub const ALL: [EventKind; 7] = [
        EventKind::LeadCreated,
        EventKind::LeadStageChanged,
        EventKind::LeadQualified,
        EventKind::LeadDisqualified,
        EventKind::LeadNurtureDue,
        EventKind::ImportFinished,
        EventKind::ModelTrained,
    ];

    pub fn name(self) -> &'static str {
        match self {
            EventKind::LeadCreated => "lead.created",
            EventKind::LeadStageChanged => "lead.stage_changed",
            EventKind::LeadQualified => "lead.qualified",
            EventKind::LeadDisqualified => "lead.disqualified",
            EventKind::LeadNurtureDue => "lead.nurture_due",
            EventKind::ImportFinished => "import.finished",
            EventKind::ModelTrained => "model.trained",
        }
    }
}

impl std::str::FromStr for EventKind {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<EventKind, String> {
        EventKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| format!("`{s}` is not an event; one of: {}", EventKind::ALL.map(EventKind::name).join(", ")))
    }
}

/// An event about to be written with a change.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub public_id: String,
    pub kind: EventKind,
    pub lead_id: Option<i64>,
    /// The payload's `data` (JSON text).
    pub data: String,
    pub created_at: String,
}

impl NewEvent {
    /// An event with a fresh public id (`msg_` and 128 random bits, hex): the `webhook-id`
    /// every delivery of it carries.
    pub fn new(kind: EventKind, lead_id: Option<i64>, data: serde_json::Value, at: &str) -> Result<NewEvent> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes)
            .map_err(|e| StoreError::Corrupt(format!("the system random source failed: {e}")))?;
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        Ok(NewEvent {
            public_id: format!("msg_{hex}"),
            kind,
            lead_id,
            data: data.to_string(),
            created_at: at.to_owned(),
        })
    }
}

/// Writes an event inside the change's transaction (a macro, so that it expands for each
/// database's executor type).
macro_rules! insert_event {
    ($conn:expr, $event:expr) => {{
        let event: &$crate::events::NewEvent = $event;
        sqlx::query("INSERT INTO events (public_id, kind, lead_id, data, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(event.public_id.as_str())
            .bind(event.kind.name())
            .bind(event.lead_id)
            .bind(event.data.as_str())
            .bind(event.created_at.as_str())
            .execute($conn)
            .await?;
    }};
}
pub(crate) use insert_event;

/// An event as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub id: i64,
    /// The `webhook-id` of every delivery of this event.
    pub public_id: String,
    pub kind: String,
    pub lead_id: Option<i64>,
    pub data: serde_json::Value,
    pub created_at: String,
    pub dispatched_at: Option<String>,
}

#[derive(Serialize)]
struct Envelope<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    timestamp: &'a str,
    data: &'a serde_json::Value,
}

impl Event {
    /// The webhook body: `{"type", "timestamp", "data"}` as Standard Webhooks recommends.
    /// The same bytes on every attempt (serde_json writes object keys in sorted order).
    pub fn webhook_body(&self) -> String {
        serde_json::to_string(&Envelope { kind: &self.kind, timestamp: &self.created_at, data: &self.data })
            .unwrap_or_default()
    }
}

const EVENT_COLUMNS: &str = "id, public_id, kind, lead_id, data, created_at, dispatched_at";

fn event_from_row<R: Row>(row: &R) -> Result<Event>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    i64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<String>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<i64>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let data: String = row.try_get("data")?;
    Ok(Event {
        id: row.try_get("id")?,
        public_id: row.try_get("public_id")?,
        kind: row.try_get("kind")?,
        lead_id: row.try_get("lead_id")?,
        data: serde_json::from_str(&data).map_err(|e| StoreError::Corrupt(format!("events.data: {e}")))?,
        created_at: row.try_get("created_at")?,
        dispatched_at: row.try_get("dispatched_at")?,
    })
}

/// A webhook subscription.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Webhook {
    pub id: i64,
    pub url: String,
    /// The event kinds it receives.
    pub events: Vec<String>,
    #[serde(skip)]
    pub secret: String,
    pub description: Option<String>,
    pub paused: bool,
    /// Why it is paused (by an admin, or `410 Gone` from the receiver).
    pub paused_reason: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

impl Webhook {
    pub fn wants(&self, kind: &str) -> bool {
        self.events.iter().any(|e| e == kind)
    }
}

/// A webhook to create.
#[derive(Debug, Clone)]
pub struct NewWebhook<'a> {
    pub url: &'a str,
    pub events: &'a [EventKind],
    pub secret: &'a str,
    pub description: Option<&'a str>,
    pub created_by: Option<i64>,
}

const WEBHOOK_COLUMNS: &str =
    "id, url, events, secret, description, paused, paused_reason, created_by, created_at, updated_at";

fn webhook_from_row<R: Row>(row: &R) -> Result<Webhook>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    i64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    bool: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<String>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<i64>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let events: String = row.try_get("events")?;
    Ok(Webhook {
        id: row.try_get("id")?,
        url: row.try_get("url")?,
        events: serde_json::from_str(&events).map_err(|e| StoreError::Corrupt(format!("webhooks.events: {e}")))?,
        secret: row.try_get("secret")?,
        description: row.try_get("description")?,
        paused: row.try_get("paused")?,
        paused_reason: row.try_get("paused_reason")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// One delivery attempt, as the delivery log keeps it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Delivery {
    pub id: i64,
    pub webhook_id: i64,
    pub event_id: i64,
    /// The event's kind (`lead.created`...), while the event is kept.
    pub event_kind: Option<String>,
    pub job_id: Option<i64>,
    pub attempt: i64,
    pub at: String,
    pub status_code: Option<i64>,
    /// The start of the receiver's answer.
    pub response: Option<String>,
    /// Why the attempt failed (timeout, refused, a non-2xx status...).
    pub error: Option<String>,
    pub duration_ms: i64,
    /// delivered, failed or gone.
    pub outcome: String,
}

/// A delivery attempt to record.
#[derive(Debug, Clone)]
pub struct NewDelivery<'a> {
    pub webhook_id: i64,
    pub event_id: i64,
    pub job_id: Option<i64>,
    pub attempt: i64,
    pub status_code: Option<i64>,
    pub response: Option<&'a str>,
    pub error: Option<&'a str>,
    pub duration_ms: i64,
    pub outcome: &'a str,
}

const DELIVERY_COLUMNS: &str = "d.id, d.webhook_id, d.event_id, e.kind AS event_kind, d.job_id, d.attempt, d.at, \
     d.status_code, d.response, d.error, d.duration_ms, d.outcome";

fn delivery_from_row<R: Row>(row: &R) -> Result<Delivery>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    i64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<String>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<i64>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    Ok(Delivery {
        id: row.try_get("id")?,
        webhook_id: row.try_get("webhook_id")?,
        event_id: row.try_get("event_id")?,
        event_kind: row.try_get("event_kind")?,
        job_id: row.try_get("job_id")?,
        attempt: row.try_get("attempt")?,
        at: row.try_get("at")?,
        status_code: row.try_get("status_code")?,
        response: row.try_get("response")?,
        error: row.try_get("error")?,
        duration_ms: row.try_get("duration_ms")?,
        outcome: row.try_get("outcome")?,
    })
}

/// What one round of dispatching did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Dispatched {
    pub events: u64,
    pub jobs: u64,
}

/// How delivery jobs are made: the job kind and its attempts (the use-case layer decides).
#[derive(Debug, Clone, Copy)]
pub struct DeliveryJobs<'a> {
    pub kind: &'a str,
    pub max_attempts: i64,
}

/// Which events to list.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub kind: Option<String>,
    pub lead_id: Option<i64>,
    /// Events with a smaller id (newest first pages).
    pub before: Option<i64>,
    pub limit: i64,
}

impl Store {
    pub async fn event(&self, id: i64) -> Result<Option<Event>> {
        on_pool!(self, pool => {
            let sql = format!("SELECT {EVENT_COLUMNS} FROM events WHERE id = $1");
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?;
            row.as_ref().map(event_from_row).transpose()
        })
    }

    /// Events, newest first.
    pub async fn list_events(&self, filter: &EventFilter) -> Result<Vec<Event>> {
        on_pool!(self, pool => {
            let mut q = sqlx::QueryBuilder::new(format!("SELECT {EVENT_COLUMNS} FROM events WHERE 1 = 1"));
            if let Some(kind) = &filter.kind {
                q.push(" AND kind = ").push_bind(kind.clone());
            }
            if let Some(lead) = filter.lead_id {
                q.push(" AND lead_id = ").push_bind(lead);
            }
            if let Some(before) = filter.before {
                q.push(" AND id < ").push_bind(before);
            }
            q.push(" ORDER BY id DESC LIMIT ").push_bind(filter.limit.clamp(1, 1000));
            let rows = q.build().fetch_all(pool).await?;
            rows.iter().map(event_from_row).collect()
        })
    }

    /// Turns up to `limit` undispatched events, oldest first, into one delivery job per
    /// unpaused webhook that wants the event's kind, and marks them dispatched, all in one
    /// transaction. On PostgreSQL the events are taken `FOR UPDATE SKIP LOCKED`, so
    /// processes dispatching at once take different events; on SQLite `BEGIN IMMEDIATE`
    /// serialises them. Each delivery job's dedupe key is `webhook:<event>:<webhook>`.
    pub async fn dispatch_events(&self, limit: i64, jobs: DeliveryJobs<'_>) -> Result<Dispatched> {
        let now = now();
        let skip_locked = match self.backend() {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let begin = self.begin_write();
        on_pool!(self, pool => {
            // Nothing to do is the common case: answer it without taking the write lock.
            let waiting = sqlx::query("SELECT id FROM events WHERE dispatched_at IS NULL LIMIT 1").fetch_optional(pool).await?;
            if waiting.is_none() {
                return Ok(Dispatched::default());
            }
            let mut tx = pool.begin_with(begin).await?;
            let sql = format!("SELECT id, kind FROM events WHERE dispatched_at IS NULL ORDER BY id LIMIT $1{skip_locked}");
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(limit).fetch_all(&mut *tx).await?;
            if rows.is_empty() {
                tx.commit().await?;
                return Ok(Dispatched::default());
            }
            let sql = format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE paused = $1 ORDER BY id");
            let hooks: Vec<Webhook> = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(false)
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(webhook_from_row)
                .collect::<Result<_>>()?;
            let mut done = Dispatched::default();
            for row in &rows {
                let event_id: i64 = row.try_get("id")?;
                let kind: String = row.try_get("kind")?;
                for hook in hooks.iter().filter(|h| h.wants(&kind)) {
                    let job = NewJob {
                        kind: jobs.kind,
                        payload: serde_json::json!({ "event_id": event_id, "webhook_id": hook.id }),
                        max_attempts: jobs.max_attempts,
                        run_at: None,
                        dedupe_key: Some(format!("webhook:{event_id}:{}", hook.id)),
                        created_by: None,
                    };
                    if insert_job!(&mut *tx, &job, &now).is_some() {
                        done.jobs += 1;
                    }
                }
                sqlx::query("UPDATE events SET dispatched_at = $1 WHERE id = $2")
                    .bind(&now)
                    .bind(event_id)
                    .execute(&mut *tx)
                    .await?;
                done.events += 1;
            }
            tx.commit().await?;
            Ok(done)
        })
    }

    /// Creates a webhook subscription.
    pub async fn create_webhook(&self, new: &NewWebhook<'_>) -> Result<Webhook> {
        let now = now();
        let events: Vec<&str> = new.events.iter().map(|e| e.name()).collect();
        let events = serde_json::to_string(&events).unwrap_or_else(|_| "[]".into());
        let id = on_pool!(self, pool => {
            let row = sqlx::query(
                "INSERT INTO webhooks (url, events, secret, description, paused, created_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
            )
            .bind(new.url)
            .bind(&events)
            .bind(new.secret)
            .bind(new.description)
            .bind(false)
            .bind(new.created_by)
            .bind(&now)
            .fetch_one(pool)
            .await?;
            row.try_get::<i64, _>("id")?
        });
        self.webhook(id).await?.ok_or_else(|| StoreError::NotFound(format!("webhook {id}")))
    }

    pub async fn webhook(&self, id: i64) -> Result<Option<Webhook>> {
        on_pool!(self, pool => {
            let sql = format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE id = $1");
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?;
            row.as_ref().map(webhook_from_row).transpose()
        })
    }

    pub async fn webhooks(&self) -> Result<Vec<Webhook>> {
        on_pool!(self, pool => {
            let sql = format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks ORDER BY id");
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?;
            rows.iter().map(webhook_from_row).collect()
        })
    }

    /// Deletes a webhook with its delivery log; false when there was none.
    pub async fn delete_webhook(&self, id: i64) -> Result<bool> {
        on_pool!(self, pool => {
            let done = sqlx::query("DELETE FROM webhooks WHERE id = $1").bind(id).execute(pool).await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Pauses (with the reason) or resumes a webhook; false when there is none.
    pub async fn set_webhook_paused(&self, id: i64, paused: bool, reason: Option<&str>) -> Result<bool> {
        let now = now();
        on_pool!(self, pool => {
            let done = sqlx::query("UPDATE webhooks SET paused = $1, paused_reason = $2, updated_at = $3 WHERE id = $4")
                .bind(paused)
                .bind(if paused { reason } else { None })
                .bind(&now)
                .bind(id)
                .execute(pool)
                .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Changes the event kinds a webhook receives; false when there is none.
    pub async fn set_webhook_events(&self, id: i64, events: &[EventKind]) -> Result<bool> {
        let now = now();
        let names: Vec<&str> = events.iter().map(|e| e.name()).collect();
        let names = serde_json::to_string(&names).unwrap_or_else(|_| "[]".into());
        on_pool!(self, pool => {
            let done = sqlx::query("UPDATE webhooks SET events = $1, updated_at = $2 WHERE id = $3")
                .bind(&names)
                .bind(&now)
                .bind(id)
                .execute(pool)
                .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Sends a webhook's deliveries to another address from now on.
    pub async fn set_webhook_url(&self, id: i64, url: &str) -> Result<bool> {
        let now = now();
        on_pool!(self, pool => {
            let done = sqlx::query("UPDATE webhooks SET url = $1, updated_at = $2 WHERE id = $3")
                .bind(url)
                .bind(&now)
                .bind(id)
                .execute(pool)
                .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Adds an attempt to the delivery log.
    pub async fn record_delivery(&self, d: &NewDelivery<'_>) -> Result<i64> {
        let now = now();
        on_pool!(self, pool => {
            let row = sqlx::query(
                "INSERT INTO webhook_deliveries (webhook_id, event_id, job_id, attempt, at, status_code, response, error, duration_ms, outcome) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(d.webhook_id)
            .bind(d.event_id)
            .bind(d.job_id)
            .bind(d.attempt)
            .bind(&now)
            .bind(d.status_code)
            .bind(d.response)
            .bind(d.error)
            .bind(d.duration_ms)
            .bind(d.outcome)
            .fetch_one(pool)
            .await?;
            Ok(row.try_get::<i64, _>("id")?)
        })
    }

    /// A webhook's delivery log, newest first (`event`: only the attempts for one event).
    pub async fn deliveries(
        &self,
        webhook_id: i64,
        event: Option<i64>,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Delivery>> {
        on_pool!(self, pool => {
            let mut q = sqlx::QueryBuilder::new(format!(
                "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d LEFT JOIN events e ON e.id = d.event_id \
                 WHERE d.webhook_id = "
            ));
            q.push_bind(webhook_id);
            if let Some(event) = event {
                q.push(" AND d.event_id = ").push_bind(event);
            }
            if let Some(before) = before {
                q.push(" AND d.id < ").push_bind(before);
            }
            q.push(" ORDER BY d.id DESC LIMIT ").push_bind(limit.clamp(1, 1000));
            let rows = q.build().fetch_all(pool).await?;
            rows.iter().map(delivery_from_row).collect()
        })
    }
}
