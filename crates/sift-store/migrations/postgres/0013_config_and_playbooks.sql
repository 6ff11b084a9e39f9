-- Configuration as stored documents, and playbooks on leads (PostgreSQL flavour).
--
-- Every change to a configuration document (the ICP, the lead-type rules, the playbooks, a
-- user framework, a user lexicon) is a new row: `version` counts up per (kind, name), `text`
-- is NULL when that version deleted the document, and who changed it when is kept. The current
-- document is the row with the highest version; the unique key makes two concurrent saves of
-- the same version impossible (the second one fails and is told the document changed).
CREATE TABLE config_documents (
    id         BIGSERIAL PRIMARY KEY,
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL,
    version    BIGINT NOT NULL,
    text       TEXT,
    changed_by TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    UNIQUE (kind, name, version)
);

-- The playbook a lead was routed to (its id in the playbooks document), for lists and filters.
ALTER TABLE leads ADD COLUMN playbook TEXT;
CREATE INDEX leads_playbook ON leads (playbook);

-- Round-robin turns per playbook: a single atomic upsert hands out a block of turns, so two
-- servers assigning at once never get the same turn.
CREATE TABLE playbook_turns (
    playbook TEXT PRIMARY KEY,
    turns    BIGINT NOT NULL
);
