-- Scoring models kept in the database, and each lead's latest score (PostgreSQL flavour).

-- A model's id is its version. At most one model is active: the one that scores leads
-- unless a version is named. `job_id` is the training job that stored it, so a training
-- job run again after a crash finds its model instead of storing a second one.
CREATE TABLE models (
    id           BIGSERIAL PRIMARY KEY,
    kind         TEXT NOT NULL,
    label        TEXT NOT NULL,
    report       TEXT NOT NULL,
    model        TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    source       TEXT,
    job_id       BIGINT UNIQUE,
    active       BOOLEAN NOT NULL DEFAULT FALSE,
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE UNIQUE INDEX models_one_active ON models (active) WHERE active;
CREATE INDEX models_content_hash ON models (content_hash);

-- The latest score on the lead itself, so lists filter and sort by it through an index.
-- Scores are derived data: writing one does not change the lead's `updated_at` or ETag.
ALTER TABLE leads ADD COLUMN score BIGINT;
ALTER TABLE leads ADD COLUMN score_probability DOUBLE PRECISION;
ALTER TABLE leads ADD COLUMN score_model BIGINT;
ALTER TABLE leads ADD COLUMN score_factors TEXT;
ALTER TABLE leads ADD COLUMN scored_at TEXT;
CREATE INDEX leads_score ON leads (score);
