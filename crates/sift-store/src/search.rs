//! Free-text search: `LeadFilter::text` as SQL, on an index on both databases (migration 21).
//!
//! The words of a search (at most [`SEARCH_WORDS`], split at white space) must each appear,
//! as a substring and whatever its case, in the first name, last name, email, company or
//! external id of a lead; a word never spans two fields, and nothing in it is SQL or a
//! pattern (`%`, `_`, `\\`, quotes are characters). These are the semantics of the scan it
//! replaced (`lower(column) LIKE '%word%'` over the five columns), which `tests/search.rs`
//! checks on both databases against an implementation in Rust.
//!
//! - SQLite: the FTS5 table `lead_search` with the `trigram` tokenizer, one text per lead (the
//!   five fields, each followed by two spaces), kept by triggers on `leads`, so every write
//!   path (the importer's rusqlite writer, the API, deletes) keeps it. Words of three
//!   characters or more are one FTS5 query of quoted phrases; a word of one or two characters
//!   is looked up in the index's vocabulary (`lead_search_terms`) as the trigrams that start
//!   with it. SQLite keeps no statistics, so a searching query reads `leads l NOT INDEXED`
//!   ([`leads_table`]): the search's hits drive it.
//! - PostgreSQL: `LIKE '%word%'` on one lower-cased expression of the five fields
//!   ([`PG_SEARCH_TEXT`]), with a pg_trgm GIN index on it (words of three characters or
//!   more). Without pg_trgm the same SQL scans; [`SEARCH_INDEX_LATE`] builds the index at the
//!   next connection once the extension exists.

use sqlx::{QueryBuilder, Row};

use crate::db::{LeadFilter, Pool, Result, Store};

/// At most this many words of a search are used (the rest are ignored).
pub(crate) const SEARCH_WORDS: usize = 8;

/// The searched fields of a lead as one lower-cased text, joined by a space (PostgreSQL).
const PG_SEARCH_TEXT: &str = "lower(coalesce(l.first_name, '') || ' ' || coalesce(l.last_name, '') || ' ' \
    || coalesce(l.email, '') || ' ' || coalesce(l.company, '') || ' ' || coalesce(l.external_id, ''))";

/// What PostgreSQL's search index is built on (migration 21): [`PG_SEARCH_TEXT`] with every
/// character doubled, so that a word of two characters (`王伟` -> `王王伟伟`) has trigrams
/// too. A query must use exactly this expression for the planner to use the index.
const PG_SEARCH_DOUBLED: &str = "regexp_replace(lower(coalesce(l.first_name, '') || ' ' || coalesce(l.last_name, '') \
    || ' ' || coalesce(l.email, '') || ' ' || coalesce(l.company, '') || ' ' || coalesce(l.external_id, '')), \
    '(.)', '\\1\\1', 'g')";

/// The words of a free-text search, lower-cased, as the store matches them.
fn search_words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split_whitespace().take(SEARCH_WORDS).map(str::to_lowercase)
}

/// Whether `filter` searches (has a word to look for).
pub(crate) fn searching(filter: &LeadFilter) -> bool {
    filter.text.as_deref().is_some_and(|t| search_words(t).next().is_some())
}

/// `leads l`, and on SQLite while searching `leads l NOT INDEXED`. SQLite keeps no statistics
/// here, so it took an index on a filter's column (a stage's: a ninth of the leads, walked row
/// by row) over the search's hits; without the table's indexes the hits drive the query, as
/// rowid lookups.
pub(crate) fn leads_table(sqlite: bool, filter: &LeadFilter) -> &'static str {
    if sqlite && searching(filter) { "leads l NOT INDEXED" } else { "leads l" }
}

/// `%word%` for `LIKE ... ESCAPE '\'`: the word's `%`, `_` and `\` are characters.
fn like_pattern(word: &str) -> String {
    format!("%{}%", word.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"))
}

/// A free-text search as conditions on `l`: every word must appear, as a substring and
/// whatever its case, in the first name, last name, email, company or external id (words
/// never span two fields). Nothing in the text is SQL or a pattern.
///
/// SQLite answers from the FTS5 trigram index `lead_search` (migration 21): the words of three
/// characters or more as one query of quoted phrases (all must match); a word of one or two
/// characters as the leads holding any trigram that starts with it (every character of a
/// field starts one: the indexed text pads each field), found in the index's vocabulary
/// (`lead_search_terms`), so its cost follows the number of matching leads, not of all leads.
///
/// PostgreSQL checks `LIKE '%word%'` on [`PG_SEARCH_TEXT`] for every word, and for a word of
/// two characters or more also the doubled word on [`PG_SEARCH_DOUBLED`], which its pg_trgm
/// GIN index answers; the first check is exact on the index's candidates. A word of one
/// character is checked on the rows the other words and filters leave (a scan when it
/// stands alone).
pub(crate) fn push_text_filter<DB: sqlx::Database>(q: &mut QueryBuilder<DB>, text: &str)
where
    String: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    if DB::NAME == "SQLite" {
        let (long, short): (Vec<String>, Vec<String>) = search_words(text).partition(|w| w.chars().count() >= 3);
        if !long.is_empty() {
            let phrases: Vec<String> = long.iter().map(|w| format!("\"{}\"", w.replace('"', "\"\""))).collect();
            q.push(" AND l.id IN (SELECT rowid FROM lead_search WHERE lead_search MATCH ")
                .push_bind(phrases.join(" "))
                .push(")");
        }
        for word in short {
            let above = format!("{word}\u{10FFFF}");
            q.push(
                " AND l.id IN (SELECT s.rowid FROM lead_search_terms t JOIN lead_search s \
                 ON s.lead_search MATCH '\"' || replace(t.term, '\"', '\"\"') || '\"' WHERE t.term >= ",
            )
            .push_bind(word)
            .push(" AND t.term < ")
            .push_bind(above)
            .push(")");
        }
    } else {
        for word in search_words(text) {
            if word.chars().count() >= 2 {
                let doubled: String = word.chars().flat_map(|c| [c, c]).collect();
                q.push(format!(" AND {PG_SEARCH_DOUBLED} LIKE "))
                    .push_bind(like_pattern(&doubled))
                    .push(" ESCAPE '\\'");
            }
            q.push(format!(" AND {PG_SEARCH_TEXT} LIKE ")).push_bind(like_pattern(&word)).push(" ESCAPE '\\'");
        }
    }
}

/// For a statement that reads leads under `filter` several times (the board: a page and a
/// count per stage), `WITH hits AS MATERIALIZED (...)`: the leads the search finds, found
/// once; the statement's parts then read `l.id IN (SELECT id FROM hits)`. Nothing when
/// `filter` does not search.
pub(crate) fn push_search_hits<DB: sqlx::Database>(q: &mut QueryBuilder<DB>, sqlite: bool, filter: &LeadFilter)
where
    String: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    let Some(text) = filter.text.as_deref().filter(|_| searching(filter)) else { return };
    q.push(format!("WITH hits AS MATERIALIZED (SELECT l.id FROM {} WHERE 1 = 1", leads_table(sqlite, filter)));
    push_text_filter(q, text);
    q.push(") ");
}

/// Builds PostgreSQL's search index when migration 21 could not (pg_trgm was missing or not
/// allowed then) and the extension has been created since, at the next connection: a check
/// of two catalogs otherwise. Two processes starting at once may both try; the loser's
/// "already exists" is ignored.
pub(crate) const SEARCH_INDEX_LATE: &str = r#"DO $$ BEGIN
    IF to_regclass('leads_search_trgm') IS NULL AND EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        EXECUTE $index$CREATE INDEX IF NOT EXISTS leads_search_trgm ON leads USING gin ((regexp_replace(lower(
            coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' || coalesce(email, '') || ' '
            || coalesce(company, '') || ' ' || coalesce(external_id, '')), '(.)', '\1\1', 'g')) gin_trgm_ops)$index$;
    END IF;
EXCEPTION WHEN duplicate_table OR unique_violation THEN NULL;
END $$"#;

impl Store {
    /// Whether free-text search reads an index: always on SQLite (FTS5 is built in); on
    /// PostgreSQL when the pg_trgm index of migration 21 exists (without the extension the
    /// search scans the leads, with the same results).
    pub async fn text_search_indexed(&self) -> Result<bool> {
        match &self.pool {
            Pool::Sqlite(_) => Ok(true),
            Pool::Postgres(pool) => {
                let row = sqlx::query("SELECT to_regclass('leads_search_trgm') IS NOT NULL AS indexed")
                    .fetch_one(pool)
                    .await?;
                Ok(row.try_get::<bool, _>("indexed")?)
            }
        }
    }
}
