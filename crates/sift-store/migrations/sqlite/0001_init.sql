-- Sift schema, SQLite flavour. Times are RFC 3339 text in UTC.
CREATE TABLE leads (
    id             INTEGER PRIMARY KEY,
    dedupe_key     TEXT NOT NULL UNIQUE,
    external_id    TEXT,
    first_name     TEXT,
    last_name      TEXT,
    email          TEXT,
    phone          TEXT,
    title          TEXT,
    company        TEXT,
    domain         TEXT,
    industry       TEXT,
    employees      INTEGER,
    annual_revenue REAL,
    country        TEXT,
    source         TEXT,
    stage          TEXT NOT NULL DEFAULT 'unqualified',
    crm_status     TEXT,
    converted      INTEGER,
    lead_type_rule TEXT,
    custom_fields  TEXT NOT NULL DEFAULT '{}',
    row_hash       TEXT NOT NULL,
    source_file    TEXT,
    source_row     INTEGER,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX leads_stage ON leads (stage);
CREATE INDEX leads_source ON leads (source);
CREATE INDEX leads_email ON leads (email);

CREATE TABLE activities (
    id      INTEGER PRIMARY KEY,
    lead_id INTEGER NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    kind    TEXT NOT NULL,
    at      TEXT NOT NULL,
    detail  TEXT
);
CREATE INDEX activities_lead ON activities (lead_id);

CREATE TABLE stage_history (
    id         INTEGER PRIMARY KEY,
    lead_id    INTEGER NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    from_stage TEXT NOT NULL,
    to_stage   TEXT NOT NULL,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    reason     TEXT NOT NULL
);
CREATE INDEX stage_history_lead ON stage_history (lead_id);

CREATE TABLE qualifications (
    id                INTEGER PRIMARY KEY,
    lead_id           INTEGER NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    framework         TEXT NOT NULL,
    framework_version TEXT NOT NULL,
    icp_version       TEXT,
    verdict           TEXT NOT NULL,
    failed_level      TEXT,
    decision          TEXT NOT NULL,
    decided_at        TEXT NOT NULL
);
CREATE INDEX qualifications_lead ON qualifications (lead_id);

CREATE TABLE import_runs (
    id          INTEGER PRIMARY KEY,
    file        TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    inserted    INTEGER NOT NULL DEFAULT 0,
    updated     INTEGER NOT NULL DEFAULT 0,
    unchanged   INTEGER NOT NULL DEFAULT 0,
    rejected    INTEGER NOT NULL DEFAULT 0
);
