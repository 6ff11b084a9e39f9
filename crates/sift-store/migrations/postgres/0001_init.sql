-- Sift schema, PostgreSQL flavour. Times are RFC 3339 text in UTC.
CREATE TABLE leads (
    id             BIGSERIAL PRIMARY KEY,
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
    employees      BIGINT,
    annual_revenue DOUBLE PRECISION,
    country        TEXT,
    source         TEXT,
    stage          TEXT NOT NULL DEFAULT 'unqualified',
    crm_status     TEXT,
    converted      BOOLEAN,
    lead_type_rule TEXT,
    custom_fields  TEXT NOT NULL DEFAULT '{}',
    row_hash       TEXT NOT NULL,
    source_file    TEXT,
    source_row     BIGINT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX leads_stage ON leads (stage);
CREATE INDEX leads_source ON leads (source);
CREATE INDEX leads_email ON leads (email);

CREATE TABLE activities (
    id      BIGSERIAL PRIMARY KEY,
    lead_id BIGINT NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    kind    TEXT NOT NULL,
    at      TEXT NOT NULL,
    detail  TEXT
);
CREATE INDEX activities_lead ON activities (lead_id);

CREATE TABLE stage_history (
    id         BIGSERIAL PRIMARY KEY,
    lead_id    BIGINT NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    from_stage TEXT NOT NULL,
    to_stage   TEXT NOT NULL,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    reason     TEXT NOT NULL
);
CREATE INDEX stage_history_lead ON stage_history (lead_id);

CREATE TABLE qualifications (
    id                BIGSERIAL PRIMARY KEY,
    lead_id           BIGINT NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
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
    id          BIGSERIAL PRIMARY KEY,
    file        TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    inserted    BIGINT NOT NULL DEFAULT 0,
    updated     BIGINT NOT NULL DEFAULT 0,
    unchanged   BIGINT NOT NULL DEFAULT 0,
    rejected    BIGINT NOT NULL DEFAULT 0
);
