-- Free-text search (`LeadFilter::text`: every word must appear in the first name, last name,
-- email, company or external id) was `lower(column) LIKE '%word%'` over five columns: a scan
-- of every lead, about 55 ms at 100,000 leads, and the board ran it 18 times a view (a
-- page of cards and a count per stage), so a search took seconds. This is an FTS5 index with
-- the `trigram` tokenizer (every three characters of the text, case folded, so a phrase
-- query finds any substring of three characters or more), over one text per lead: the five
-- fields, each followed by two spaces. A query word never holds a space, so it never matches
-- across two fields, and every character of a field is the start of a trigram (the padding
-- completes the last two): a word of one or two characters (`王伟`, `li`) is found through
-- the index's vocabulary, as the trigrams that start with it (`db.rs`, `push_text_filter`).
--
-- External content: the text is not stored a second time but read, when FTS5 needs it
-- (`rebuild`, `integrity-check`), from the view `lead_search_text`. The triggers below keep
-- the index in step with `leads` on every write path (the importer's rusqlite writer, the
-- API's insert and update, deletes); a delete hands FTS5 the old text to take out. The
-- index is filled here for the leads already stored.
CREATE VIEW lead_search_text (id, search) AS
SELECT id, coalesce(first_name, '') || '  ' || coalesce(last_name, '') || '  ' || coalesce(email, '') || '  '
    || coalesce(company, '') || '  ' || coalesce(external_id, '') || '  '
FROM leads;
CREATE VIRTUAL TABLE lead_search USING fts5(search, content = 'lead_search_text', content_rowid = 'id', columnsize = 0,
    tokenize = 'trigram');
CREATE VIRTUAL TABLE lead_search_terms USING fts5vocab(lead_search, 'row');
INSERT INTO lead_search (lead_search) VALUES ('rebuild');

CREATE TRIGGER lead_search_insert AFTER INSERT ON leads BEGIN
    INSERT INTO lead_search (rowid, search)
    VALUES (new.id, coalesce(new.first_name, '') || '  ' || coalesce(new.last_name, '') || '  '
        || coalesce(new.email, '') || '  ' || coalesce(new.company, '') || '  ' || coalesce(new.external_id, '') || '  ');
END;

CREATE TRIGGER lead_search_update AFTER UPDATE OF id, first_name, last_name, email, company, external_id ON leads
WHEN old.id IS NOT new.id OR old.first_name IS NOT new.first_name OR old.last_name IS NOT new.last_name
    OR old.email IS NOT new.email OR old.company IS NOT new.company OR old.external_id IS NOT new.external_id
BEGIN
    INSERT INTO lead_search (lead_search, rowid, search)
    VALUES ('delete', old.id, coalesce(old.first_name, '') || '  ' || coalesce(old.last_name, '') || '  '
        || coalesce(old.email, '') || '  ' || coalesce(old.company, '') || '  ' || coalesce(old.external_id, '') || '  ');
    INSERT INTO lead_search (rowid, search)
    VALUES (new.id, coalesce(new.first_name, '') || '  ' || coalesce(new.last_name, '') || '  '
        || coalesce(new.email, '') || '  ' || coalesce(new.company, '') || '  ' || coalesce(new.external_id, '') || '  ');
END;

CREATE TRIGGER lead_search_delete AFTER DELETE ON leads BEGIN
    INSERT INTO lead_search (lead_search, rowid, search)
    VALUES ('delete', old.id, coalesce(old.first_name, '') || '  ' || coalesce(old.last_name, '') || '  '
        || coalesce(old.email, '') || '  ' || coalesce(old.company, '') || '  ' || coalesce(old.external_id, '') || '  ');
END;
