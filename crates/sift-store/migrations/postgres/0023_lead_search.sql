-- Free-text search (`LeadFilter::text`: every word must appear in the first name, last name,
-- email, company or external id) was `lower(column) LIKE '%word%'` over five columns: a scan
-- of every lead, and the board ran it 18 times a view (a page of cards and a count per
-- stage), so a search took seconds at 100,000 leads. The search is now `LIKE '%word%'` over
-- one expression, the five fields lower-cased and joined by a space (a query word never
-- holds a space, so it never matches across two fields), and this is a pg_trgm GIN index on
-- that expression with every character doubled: a word of two characters (`王伟`, common
-- for Chinese names) becomes four (`王王伟伟`) and so has trigrams to look up, as longer words
-- do; the plain `LIKE` then checks the index's candidates exactly. A word of one character
-- is checked on the leads the other conditions leave (`search.rs`, `push_text_filter`).
-- PostgreSQL keeps the index on every write.
--
-- pg_trgm ships with PostgreSQL (contrib) and is a trusted extension: the database's owner,
-- or any role with CREATE on the database, may create it. Where it cannot be created (no
-- such privilege, or the contrib package is not installed), this migration still succeeds,
-- with a warning, and search keeps working by scanning, with the same results, as before
-- this migration; `Store::connect` builds the index once the extension has been created
-- (`SEARCH_INDEX_LATE`), and `Store::text_search_indexed` says which case a database is in.
DO $$
BEGIN
    BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
    EXCEPTION WHEN insufficient_privilege OR undefined_file OR feature_not_supported THEN
        RAISE WARNING 'sift: free-text search is not indexed: cannot create the extension pg_trgm (%)', SQLERRM;
    END;
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        EXECUTE $index$CREATE INDEX IF NOT EXISTS leads_search_trgm ON leads USING gin ((regexp_replace(lower(
            coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' || coalesce(email, '') || ' '
            || coalesce(company, '') || ' ' || coalesce(external_id, '')), '(.)', '\1\1', 'g')) gin_trgm_ops)$index$;
    END IF;
END $$;
