-- Background jobs, the event outbox and webhooks out (PostgreSQL flavour).

-- One row per job. A worker claims a queued job whose `run_at` has come, holds it under a
-- lease (`locked_by`, `lease_until`) that it renews while it runs, and ends it done, failed,
-- or queued again with a later `run_at` (a retry). A job whose lease runs out (its process
-- died) goes back to the queue. status: queued | running | done | failed.
CREATE TABLE jobs (
    id               BIGSERIAL PRIMARY KEY,
    kind             TEXT NOT NULL,
    payload          TEXT NOT NULL DEFAULT '{}',
    status           TEXT NOT NULL DEFAULT 'queued',
    dedupe_key       TEXT,
    attempts         BIGINT NOT NULL DEFAULT 0,
    max_attempts     BIGINT NOT NULL,
    run_at           TEXT NOT NULL,
    locked_by        TEXT,
    lease_until      TEXT,
    progress_done    BIGINT NOT NULL DEFAULT 0,
    progress_total   BIGINT,
    progress_message TEXT,
    result           TEXT,
    error            TEXT,
    created_by       BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at       TEXT NOT NULL,
    started_at       TEXT,
    finished_at      TEXT
);
CREATE INDEX jobs_ready ON jobs (status, run_at);
-- At most one live (queued or running) job per dedupe key: scheduled work enqueued by every
-- process, and one delivery per event and webhook, are enqueued once.
CREATE UNIQUE INDEX jobs_live_dedupe ON jobs (dedupe_key)
    WHERE dedupe_key IS NOT NULL AND status IN ('queued', 'running');

-- The outbox: every event is written in the transaction of the change it reports, so a
-- committed change always has its event. `public_id` is the `webhook-id` receivers see, the
-- same on every delivery attempt. `dispatched_at` is set when delivery jobs were created.
CREATE TABLE events (
    id            BIGSERIAL PRIMARY KEY,
    public_id     TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL,
    lead_id       BIGINT,
    data          TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    dispatched_at TEXT
);
CREATE INDEX events_undispatched ON events (id) WHERE dispatched_at IS NULL;
CREATE INDEX events_lead ON events (lead_id);
CREATE INDEX events_kind ON events (kind, id);

-- Webhook subscriptions. The secret signs deliveries, so it is kept as given (whsec_...).
CREATE TABLE webhooks (
    id            BIGSERIAL PRIMARY KEY,
    url           TEXT NOT NULL,
    events        TEXT NOT NULL,
    secret        TEXT NOT NULL,
    description   TEXT,
    paused        BOOLEAN NOT NULL DEFAULT FALSE,
    paused_reason TEXT,
    created_by    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

-- Every delivery attempt. outcome: delivered | failed | gone (410: the webhook is paused).
CREATE TABLE webhook_deliveries (
    id          BIGSERIAL PRIMARY KEY,
    webhook_id  BIGINT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id    BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    job_id      BIGINT,
    attempt     BIGINT NOT NULL,
    at          TEXT NOT NULL,
    status_code BIGINT,
    response    TEXT,
    error       TEXT,
    duration_ms BIGINT NOT NULL,
    outcome     TEXT NOT NULL
);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);
