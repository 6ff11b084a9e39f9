//! Free-text search: `LeadFilter::text` as SQL, on an index on both databases (migration 23).
//!
//! The words of a search (at most [`SEARCH_WORDS`], split at white space) must each appear,
//! as a substring and whatever its case, in the first name, last name, email, company or
//! external id of a lead; a word never spans two fields, and nothing in it is SQL or a
//! pattern (`%`, `_`, `\\`, quotes are characters). These are the semantics of the scan it
//! replaced (`lower(column) LIKE '%word%'` over the five columns), which `tests/search.rs`
//! checks on both databases against an implementation in Rust, with one change on purpose:
//! SQLite now folds case beyond ASCII as PostgreSQL did (SQLite's `lower()` folds ASCII only;
//! FTS5's trigram tokenizer folds Unicode letters).
//!
//! - SQLite: the FTS5 table `lead_search` with the `trigram` tokenizer, one text per lead (the
//!   five fields, each followed by two spaces), kept by triggers on `leads`, so every write
//!   path (the importer's rusqlite writer, the API, deletes) keeps it. Words of three
//!   characters or more are one FTS5 query of quoted phrases; a word of one or two characters
//!   is looked up in the index's vocabulary (`lead_search_terms`) as the trigrams that start
//!   with it. SQLite keeps no statistics, so when the search finds few leads a query reads
//!   `leads l NOT INDEXED` ([`Store::plan_search`]): the search's hits drive it.
//! - PostgreSQL: `LIKE '%word%'` on one lower-cased expression of the five fields
//!   ([`PG_SEARCH_TEXT`]), with a pg_trgm GIN index on it with every character doubled
//!   ([`PG_SEARCH_DOUBLED`]: words of two characters or more), asked for the word the planner
//!   expects the fewest leads for. Without pg_trgm the same SQL scans; [`SEARCH_INDEX_LATE`]
//!   builds the index at the next connection once the extension exists.

use sqlx::{QueryBuilder, Row};

use crate::db::{LeadFilter, Pool, Result, Store};

/// A search that finds at most this many leads drives the queries that read them; one that
/// finds more is checked along the filters' indexes (see [`Store::plan_search`]).
const DRIVING_HITS: i64 = 2_000;

/// `leads` read by rowid only: the search's hits drive the query.
const SQLITE_BY_HITS: &str = "leads l NOT INDEXED";

/// At most this many words of a search are used (the rest are ignored).
pub(crate) const SEARCH_WORDS: usize = 8;

/// Under a free-text search the API's total stops at this many leads ([`LeadCount::capped`]):
/// a word most leads hold would otherwise be counted lead by lead over every lead, every
/// time (100,000 checks at 100,000 leads). Counting up to it reads about 1,000 leads (1 to 2
/// ms).
pub const SEARCH_COUNT_CAP: i64 = 1_000;

/// Under a free-text search each of the board's columns counts up to this many leads. A
/// board counts nine columns a view: up to 1,000 each, a word every lead holds read 8,000
/// leads a view (13 ms on SQLite, about 16 ms on PostgreSQL, at 100,000 leads), more than two
/// cores have for 100 views a second; up to 200, about 1,600.
pub const SEARCH_COLUMN_CAP: i64 = 200;

/// How many leads a filter matches: exact, or, under a free-text search that matches more
/// than the cap it was counted up to, the cap with `capped` set ("1,000+").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct LeadCount {
    /// The leads counted: all of them unless `capped`.
    pub count: i64,
    /// More leads match than `count`: counting stopped at the cap.
    pub capped: bool,
}

impl LeadCount {
    /// An exact count, shown as the cap when it is over `cap`.
    pub fn up_to(count: i64, cap: i64) -> LeadCount {
        if count > cap { LeadCount { count: cap, capped: true } } else { LeadCount { count, capped: false } }
    }

    /// An exact count.
    pub fn exact(count: i64) -> LeadCount {
        LeadCount { count, capped: false }
    }
}

/// The searched fields of a lead as one lower-cased text, joined by a space (PostgreSQL).
const PG_SEARCH_TEXT: &str = "lower(coalesce(l.first_name, '') || ' ' || coalesce(l.last_name, '') || ' ' \
    || coalesce(l.email, '') || ' ' || coalesce(l.company, '') || ' ' || coalesce(l.external_id, ''))";

/// What PostgreSQL's search index is built on (migration 23): [`PG_SEARCH_TEXT`] with every
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

/// How a statement applies a search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SearchMode {
    /// Conditions on `l` ([`push_text_filter`]).
    Inline,
    /// `l.id IN (SELECT id FROM hits)`: the statement found the hits once
    /// ([`push_search_hits`]).
    FromHits,
    /// Checked lead by lead along an index or a scan ([`push_text_probe`]), for a search
    /// that finds many leads.
    Probe,
}

/// How the statements of one call read a search ([`Store::plan_search`]).
pub(crate) struct SearchPlan {
    /// The filter, its words in the order to look them up.
    pub filter: LeadFilter,
    /// Whether the filter searches at all.
    pub searching: bool,
    /// Whether the search finds few leads (about [`DRIVING_HITS`] or fewer).
    pub selective: bool,
    /// Whether checking a lead read by an index walk is cheap ([`push_text_probe`]): always
    /// on PostgreSQL, on SQLite when every word is [`like_exact`].
    pub cheap_probe: bool,
    /// The table to read, as `FROM` names it.
    pub table: &'static str,
}

impl SearchPlan {
    /// How a list of leads (sorted, a page at a time) applies the search: along the sort's
    /// index when the search finds many leads.
    pub fn list_mode(&self) -> SearchMode {
        if self.searching && !self.selective { SearchMode::Probe } else { SearchMode::Inline }
    }

    /// How a count applies the search: when it finds many leads, on SQLite as the list of
    /// them (read once), on PostgreSQL by the plain checks along a scan.
    pub fn count_mode(&self, sqlite: bool) -> SearchMode {
        if self.searching && !self.selective && !sqlite { SearchMode::Probe } else { SearchMode::Inline }
    }

    /// Whether a count up to a cap reads leads along an index, checking each, until it has
    /// one more than the cap (a search that finds many leads, where that check is cheap);
    /// otherwise it counts every hit and caps the result.
    pub fn counts_by_probing(&self) -> bool {
        self.searching && !self.selective && self.cheap_probe
    }
}

/// The rows the top node of a PostgreSQL plan (`EXPLAIN`'s first line) expects.
fn planned_rows(line: &str) -> f64 {
    line.split("rows=")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(f64::INFINITY)
}

/// `%word%` for `LIKE ... ESCAPE '\'`: the word's `%`, `_` and `\` are characters.
fn like_pattern(word: &str) -> String {
    format!("%{}%", word.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"))
}

/// A free-text search as conditions on `l`: every word must appear, as a substring and
/// whatever its case, in the first name, last name, email, company or external id (words
/// never span two fields). Nothing in the text is SQL or a pattern.
///
/// SQLite answers from the FTS5 trigram index `lead_search` (migration 23): the words of three
/// characters or more as one query of quoted phrases (all must match); a word of one or two
/// characters as the leads holding any trigram that starts with it (every character of a
/// field starts one: the indexed text pads each field), found in the index's vocabulary
/// (`lead_search_terms`), so its cost follows the number of matching leads, not of all leads.
///
/// PostgreSQL checks `LIKE '%word%'` on [`PG_SEARCH_TEXT`] for every word, and for the first
/// word of two characters or more also the doubled word on [`PG_SEARCH_DOUBLED`], which its
/// pg_trgm GIN index answers ([`Store::plan_search`] puts the word that finds the fewest
/// leads first: looking up `company`, in every lead, cost more than all the rest); the plain
/// checks are exact on the index's candidates. A word of one character is checked on the
/// rows the other words and filters leave (a scan when it stands alone).
pub(crate) fn push_text_filter<DB: sqlx::Database>(q: &mut QueryBuilder<DB>, text: &str)
where
    String: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    if DB::NAME == "SQLite" {
        let (long, short): (Vec<String>, Vec<String>) = search_words(text).partition(|w| w.chars().count() >= 3);
        if !long.is_empty() {
            q.push(" AND l.id IN (");
            push_sqlite_hits(q, &long);
            q.push(")");
        }
        for word in short {
            q.push(" AND l.id IN (");
            push_sqlite_hits(q, std::slice::from_ref(&word));
            q.push(")");
        }
    } else {
        let mut indexed = false;
        for word in search_words(text) {
            if !indexed && word.chars().count() >= 2 {
                indexed = true;
                let doubled: String = word.chars().flat_map(|c| [c, c]).collect();
                q.push(format!(" AND {PG_SEARCH_DOUBLED} LIKE "))
                    .push_bind(like_pattern(&doubled))
                    .push(" ESCAPE '\\'");
            }
            q.push(format!(" AND {PG_SEARCH_TEXT} LIKE ")).push_bind(like_pattern(&word)).push(" ESCAPE '\\'");
        }
    }
}

/// [`push_text_filter`] for a search that finds many leads, checked on the leads an index
/// walk or a scan reads, so that a walk that has found its page (or its count) stops. On
/// PostgreSQL the plain `LIKE`s alone, without the index's doubled text (migration 24's
/// statistics on [`PG_SEARCH_TEXT`] let the planner see that such a search holds for most
/// leads, so it walks the sort's index rather than reading a whole stage first). On SQLite a
/// word [`like_exact`] is a `LIKE` on each field of the row at hand (SQLite's `LIKE` folds
/// ASCII case; about 1 µs a lead); any other word asks the FTS5 index about the row
/// (`EXISTS (... rowid = l.id)`, 40-150 µs a lead, as FTS5 parses the query and seeks every
/// trigram's list each time) or, for one or two characters, is the list of its hits.
pub(crate) fn push_text_probe<DB: sqlx::Database>(q: &mut QueryBuilder<DB>, text: &str)
where
    String: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    if DB::NAME != "SQLite" {
        // The plain checks only: the doubled text of the index would be computed for every
        // lead read (about 40 µs each).
        for word in search_words(text) {
            q.push(format!(" AND {PG_SEARCH_TEXT} LIKE ")).push_bind(like_pattern(&word)).push(" ESCAPE '\\'");
        }
        return;
    }
    let (plain, indexed): (Vec<String>, Vec<String>) = search_words(text).partition(|w| like_exact(w));
    for word in plain {
        let pattern = like_pattern(&word);
        q.push(" AND (");
        for (i, field) in SQLITE_SEARCH_FIELDS.iter().enumerate() {
            if i > 0 {
                q.push(" OR ");
            }
            q.push(format!("{} LIKE ", sqlite_folded(field, &word))).push_bind(pattern.clone()).push(" ESCAPE '\\'");
        }
        q.push(")");
    }
    let (long, short): (Vec<String>, Vec<String>) = indexed.into_iter().partition(|w| w.chars().count() >= 3);
    if !long.is_empty() {
        q.push(" AND EXISTS (");
        push_sqlite_hits(q, &long);
        q.push(" AND rowid = l.id)");
    }
    for word in short {
        q.push(" AND l.id IN (");
        push_sqlite_hits(q, std::slice::from_ref(&word));
        q.push(")");
    }
}

/// The fields SQLite's index holds, in its order (migration 23's `lead_search_text`).
const SQLITE_SEARCH_FIELDS: [&str; 5] = ["l.first_name", "l.last_name", "l.email", "l.company", "l.external_id"];

/// Whether SQLite's `LIKE` on a field finds `word` (lower-cased) exactly where the FTS5
/// index does: every character ASCII (which `LIKE` folds as FTS5 does) or without case
/// (`王`, digits, marks), so that FTS5 folds nothing else onto it. Two characters outside
/// ASCII fold onto ASCII letters in FTS5, the Kelvin sign `K` onto `k` and the long s `ſ`
/// onto `s`: [`sqlite_folded`] folds them in the field. U+FFFD to U+FFFF fold onto each other.
/// (Checked over every code point against the `trigram` tokenizer of SQLite 3.40.)
pub(crate) fn like_exact(word: &str) -> bool {
    word.chars().all(|c| {
        c.is_ascii()
            || (!('\u{FFFD}'..='\u{FFFF}').contains(&c)
                && c.to_lowercase().eq(std::iter::once(c))
                && c.to_uppercase().eq(std::iter::once(c)))
    })
}

/// `field` as `LIKE` should read it for `word`: with the Kelvin sign as `k` and the long s as
/// `s` when the word holds those letters (FTS5 folds them so).
fn sqlite_folded(field: &str, word: &str) -> String {
    match (word.contains('k'), word.contains('s')) {
        (false, false) => field.to_owned(),
        (true, false) => format!("replace({field}, '\u{212A}', 'k')"),
        (false, true) => format!("replace({field}, '\u{17F}', 's')"),
        (true, true) => format!("replace(replace({field}, '\u{212A}', 'k'), '\u{17F}', 's')"),
    }
}

/// A `SELECT` of the rowids (lead ids) of `lead_search` that hold `words`: all of them, as
/// phrases, when they have three characters or more; else the one word of one or two
/// characters, through the vocabulary (a lead may come more than once).
fn push_sqlite_hits<DB: sqlx::Database>(q: &mut QueryBuilder<DB>, words: &[String])
where
    String: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    match words {
        [word] if word.chars().count() < 3 => {
            q.push(
                "SELECT s.rowid FROM lead_search_terms t JOIN lead_search s \
                 ON s.lead_search MATCH '\"' || replace(t.term, '\"', '\"\"') || '\"' WHERE t.term >= ",
            )
            .push_bind(word.clone())
            .push(" AND t.term < ")
            .push_bind(format!("{word}\u{10FFFF}"));
        }
        _ => {
            let phrases: Vec<String> = words.iter().map(|w| format!("\"{}\"", w.replace('"', "\"\""))).collect();
            q.push("SELECT rowid FROM lead_search WHERE lead_search MATCH ").push_bind(phrases.join(" "));
        }
    }
}

/// For a statement that reads leads under `filter` several times (the board: a page and a
/// count per stage), `WITH hits AS MATERIALIZED (...)`: the leads the search finds, found
/// once; the statement's parts then read `l.id IN (SELECT id FROM hits)`. Nothing when
/// `filter` does not search.
pub(crate) fn push_search_hits<DB: sqlx::Database>(q: &mut QueryBuilder<DB>, filter: &LeadFilter)
where
    String: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    let Some(text) = filter.text.as_deref().filter(|_| searching(filter)) else { return };
    q.push(format!(
        "WITH hits AS MATERIALIZED (SELECT l.id FROM {} WHERE 1 = 1",
        if DB::NAME == "SQLite" { SQLITE_BY_HITS } else { "leads l" }
    ));
    push_text_filter(q, text);
    q.push(") ");
}

/// Builds PostgreSQL's search index when migration 23 could not (pg_trgm was missing or not
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
    /// How the statements of one call read a search, decided before they are built: the
    /// words in the order to look them up, whether the search finds few leads (at most
    /// [`DRIVING_HITS`]) and so the table to read.
    ///
    /// SQLite keeps no statistics here and took a filter's index (a stage's leads in score
    /// order) over the search's hits: for 35 hits it walked every stage, about 4 ms a count.
    /// When the search finds few leads the query reads `leads l NOT INDEXED`, so the hits
    /// drive it as rowid lookups; for a word most leads hold the stage's index is the better
    /// way (a page of 50 stops early). The hits are counted first, up to [`DRIVING_HITS`] + 1,
    /// which stops early too.
    ///
    /// PostgreSQL plans each word of two characters or more (`EXPLAIN`, planning only): its
    /// estimate, from the statistics of the index's expression, orders the words, fewest
    /// leads first, so the index is asked for the rarest one.
    pub(crate) async fn plan_search(&self, filter: &LeadFilter) -> Result<SearchPlan> {
        let Some(text) = filter.text.as_deref().filter(|_| searching(filter)) else {
            return Ok(SearchPlan {
                filter: filter.clone(),
                searching: false,
                selective: false,
                cheap_probe: true,
                table: "leads l",
            });
        };
        let words: Vec<String> = search_words(text).collect();
        match &self.pool {
            Pool::Sqlite(pool) => {
                // The hits of one part of the search (more than of all of it): the words of
                // three characters or more, else the first shorter word.
                let (long, short): (Vec<String>, Vec<String>) =
                    words.iter().cloned().partition(|w| w.chars().count() >= 3);
                let part: Vec<String> = if long.is_empty() { short.into_iter().take(1).collect() } else { long };
                let mut q = QueryBuilder::new("SELECT count(*) AS n FROM (");
                push_sqlite_hits(&mut q, &part);
                q.push(" LIMIT ").push_bind(DRIVING_HITS + 1).push(")");
                let hits: i64 = q.build().fetch_one(pool).await?.try_get("n")?;
                let selective = hits <= DRIVING_HITS;
                let table = if selective { SQLITE_BY_HITS } else { "leads l" };
                let cheap_probe = words.iter().all(|w| like_exact(w));
                Ok(SearchPlan { filter: filter.clone(), searching: true, selective, cheap_probe, table })
            }
            Pool::Postgres(pool) => {
                let mut estimated: Vec<(f64, String)> = Vec::with_capacity(words.len());
                for word in words {
                    let estimate = if word.chars().count() >= 2 {
                        let doubled: String = word.chars().flat_map(|c| [c, c]).collect();
                        // Unnamed (not kept), so it is planned with this word, never generically.
                        let plan = sqlx::query(sqlx::AssertSqlSafe(format!(
                            "EXPLAIN SELECT 1 FROM leads l WHERE {PG_SEARCH_DOUBLED} LIKE $1 ESCAPE '\\'"
                        )))
                        .bind(like_pattern(&doubled))
                        .persistent(false)
                        .fetch_one(pool)
                        .await?;
                        planned_rows(&plan.try_get::<String, _>(0)?)
                    } else {
                        f64::INFINITY
                    };
                    estimated.push((estimate, word));
                }
                estimated.sort_by(|a, b| a.0.total_cmp(&b.0));
                let selective = estimated.first().is_some_and(|(rows, _)| *rows <= DRIVING_HITS as f64);
                let text = estimated.into_iter().map(|(_, w)| w).collect::<Vec<_>>().join(" ");
                let filter = LeadFilter { text: Some(text), ..filter.clone() };
                Ok(SearchPlan { filter, searching: true, selective, cheap_probe: true, table: "leads l" })
            }
        }
    }

    /// Whether free-text search reads an index: always on SQLite (FTS5 is built in); on
    /// PostgreSQL when the pg_trgm index of migration 23 exists (without the extension the
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
