-- Import runs record their progress with every committed batch, so that a run whose process
-- died is seen as interrupted (its heartbeat stops) with the counts it had committed.
-- status: running | finished | failed | interrupted.
ALTER TABLE import_runs ADD COLUMN status TEXT NOT NULL DEFAULT 'running';
ALTER TABLE import_runs ADD COLUMN heartbeat_at TEXT;
ALTER TABLE import_runs ADD COLUMN rows_read BIGINT NOT NULL DEFAULT 0;
ALTER TABLE import_runs ADD COLUMN duplicates BIGINT NOT NULL DEFAULT 0;
ALTER TABLE import_runs ADD COLUMN error TEXT;
-- Which process runs the import (`HOST BOOT-ID PID` on Linux), so that the next run on the same
-- machine sees at once that it died.
ALTER TABLE import_runs ADD COLUMN owner TEXT;
-- The earlier interrupted run of the same file that this run takes over.
ALTER TABLE import_runs ADD COLUMN resumes BIGINT;
UPDATE import_runs SET status = 'finished' WHERE finished_at IS NOT NULL;
UPDATE import_runs SET heartbeat_at = started_at WHERE finished_at IS NULL;
CREATE INDEX import_runs_file ON import_runs (file);
