-- Discovery calls attached to leads: the transcript as received and the analysis as made
-- (with the mode that produced it), so a lead's page can show each call with its signals.
CREATE TABLE calls (
    id          INTEGER PRIMARY KEY,
    lead_id     INTEGER NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    source_name TEXT NOT NULL,
    language    TEXT NOT NULL,
    format      TEXT NOT NULL,
    call_date   TEXT NOT NULL,
    transcript  TEXT NOT NULL,
    analysis    TEXT NOT NULL,
    summary     TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX calls_lead ON calls (lead_id, id);
