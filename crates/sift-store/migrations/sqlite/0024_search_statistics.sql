-- PostgreSQL's planner gets statistics on the searched text here; SQLite keeps no statistics
-- (the store chooses its plans, `search.rs`), so there is nothing to do.
SELECT 1;
