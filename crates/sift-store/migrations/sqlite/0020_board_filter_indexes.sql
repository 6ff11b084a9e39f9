-- The board reads, for each stage, the best-scored leads under a filter (owner, playbook,
-- verdict, source, score) and counts each stage's leads under it. With only
-- `leads_stage_score`, a selective filter walked a whole stage for its 50 cards (65 ms a
-- column at 100,000 leads on SQLite for `verdict=qualified`), and a count read every
-- matching row from the table (50 to 90 ms for `owner=...&source=...` or
-- `playbook=...&score_min=60`). Each index below starts with a filter's column, then the
-- board's order, so a column is read in index order and a count under that filter alone is
-- an index-only scan. The owner's index also carries the other filters' columns: a rep's
-- board is always filtered by owner (and a manager's by the team's owners), so their counts
-- under any further filter are index-only too. These replace the single-column indexes they
-- start with (a prefix serves the same lookups): an import keeps one index more than before
-- (and wider ones: 100,000 new leads took 2.0 s to import into SQLite against 1.7 s).
DROP INDEX leads_owner;
DROP INDEX leads_playbook;
DROP INDEX leads_verdict;
CREATE INDEX leads_owner_board ON leads (owner_id, stage, coalesce(score, 0), id, playbook, verdict, source, score);
CREATE INDEX leads_playbook_board ON leads (playbook, stage, coalesce(score, 0), id);
CREATE INDEX leads_verdict_board ON leads (verdict, stage, coalesce(score, 0), id);
CREATE INDEX leads_source_board ON leads (lower(source), stage, coalesce(score, 0), id);
