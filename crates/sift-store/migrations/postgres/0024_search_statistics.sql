-- Statistics on the searched text (`search.rs`, `PG_SEARCH_TEXT`: the five searched fields
-- lower-cased and joined by a space), so the planner can tell how many leads a plain
-- `LIKE '%word%'` on it keeps. Without them it assumed a handful for any word, and for a word
-- most leads hold (`company`, in every email) it read a whole stage to sort it rather than
-- walk the stage's index in the board's order and stop after a page or a count's cap: 90 ms
-- a column at 100,000 leads, against under 1 ms. ANALYZE (and so autovacuum) fills them from
-- its sample. Statistics on an expression need PostgreSQL 14; on older servers search keeps
-- its results and its old plans.
DO $$
BEGIN
    IF current_setting('server_version_num')::int >= 140000 THEN
        EXECUTE $stats$CREATE STATISTICS IF NOT EXISTS leads_search_text ON (lower(coalesce(first_name, '') || ' '
            || coalesce(last_name, '') || ' ' || coalesce(email, '') || ' ' || coalesce(company, '') || ' '
            || coalesce(external_id, ''))) FROM leads$stats$;
    END IF;
END $$;
