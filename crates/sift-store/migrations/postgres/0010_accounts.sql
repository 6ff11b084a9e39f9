-- Accounts for the team server (PostgreSQL flavour): users with roles, server-side browser sessions, API tokens,
-- the audit log, and who owns each lead.
CREATE TABLE users (
    id                   BIGSERIAL PRIMARY KEY,
    username             TEXT NOT NULL UNIQUE,
    display_name         TEXT,
    role                 TEXT NOT NULL,
    team                 TEXT,
    language             TEXT,
    password_hash        TEXT NOT NULL,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    disabled             BOOLEAN NOT NULL DEFAULT FALSE,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);

-- A session is known by the SHA-256 of its cookie value; the cookie itself is never stored.
CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id           BIGSERIAL PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,
    scope        TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE audit_log (
    id       BIGSERIAL PRIMARY KEY,
    at       TEXT NOT NULL,
    actor_id BIGINT,
    actor    TEXT NOT NULL,
    action   TEXT NOT NULL,
    target   TEXT NOT NULL,
    detail   TEXT NOT NULL DEFAULT '{}',
    ip       TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);

ALTER TABLE leads ADD COLUMN owner_id BIGINT REFERENCES users (id) ON DELETE SET NULL;
CREATE INDEX leads_owner ON leads (owner_id);

-- Who made each decision, and when a nurtured lead is due back (from the decision's plan).
ALTER TABLE qualifications ADD COLUMN decided_by TEXT;
ALTER TABLE qualifications ADD COLUMN re_engage_on TEXT;

-- The latest verdict and re-engage date live on the lead too, so lists filter by index.
ALTER TABLE leads ADD COLUMN verdict TEXT;
ALTER TABLE leads ADD COLUMN re_engage_on TEXT;
UPDATE leads SET verdict = (SELECT q.verdict FROM qualifications q WHERE q.lead_id = leads.id ORDER BY q.id DESC LIMIT 1);
CREATE INDEX leads_verdict ON leads (verdict);
CREATE INDEX leads_re_engage_on ON leads (re_engage_on);
