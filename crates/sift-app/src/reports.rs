//! The reports (issue 10): where the funnel leaks. The funnel overall and by source,
//! playbook and week of creation (the last 12 weeks), disqualifications by the level that
//! failed with their reasons, and the verdicts on each owner's leads. The store counts
//! (`GROUP BY`); this says which leads and which weeks.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate, SecondsFormat, TimeZone, Utc};
use sift_store::reports::{DisqualifiedLevel, FunnelBy, FunnelRow, ReportFilter, VerdictRow};
use sift_store::{LeadFilter, Store};

use crate::error::Result;

/// How many weeks the weekly funnel shows.
pub const WEEKS: i64 = 12;

/// Which leads to count: those `leads` selects (who may see what, a playbook) created from
/// `from` to `to` (days, both included).
#[derive(Debug, Clone, Default)]
pub struct ReportQuery {
    pub leads: LeadFilter,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    /// Every lead counted, in one row.
    pub overall: FunnelRow,
    pub by_source: Vec<FunnelRow>,
    pub by_playbook: Vec<FunnelRow>,
    /// The last [`WEEKS`] weeks up to `to` (or today), oldest first; weeks with no lead
    /// are left out.
    pub by_week: Vec<FunnelRow>,
    pub disqualified: Vec<DisqualifiedLevel>,
    pub verdicts: Vec<VerdictRow>,
}

fn start_of(day: NaiveDate) -> String {
    Utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default()).to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The share of `of` that `part` is, when there is any.
pub fn conversion(part: i64, of: i64) -> Option<f64> {
    (of > 0).then(|| part as f64 / of as f64)
}

fn add(mut sum: FunnelRow, r: &FunnelRow) -> FunnelRow {
    sum.leads += r.leads;
    sum.mql += r.mql;
    sum.sql += r.sql;
    sum.opportunity += r.opportunity;
    sum.won += r.won;
    sum
}

/// The rows summed by `key`, most leads first (then by name, none last).
fn sum_by(rows: &[FunnelRow], key: impl Fn(&FunnelRow) -> Option<String>) -> Vec<FunnelRow> {
    let mut groups: BTreeMap<Option<String>, FunnelRow> = BTreeMap::new();
    for r in rows {
        let k = key(r);
        let sum = groups.remove(&k).unwrap_or_else(|| FunnelRow { group: k.clone(), ..FunnelRow::default() });
        groups.insert(k, add(sum, r));
    }
    let mut out: Vec<FunnelRow> = groups.into_values().collect();
    out.sort_by(|a, b| (b.leads, a.group.is_none(), &a.group).cmp(&(a.leads, b.group.is_none(), &b.group)));
    out
}

pub async fn report(store: &Store, query: &ReportQuery) -> Result<Report> {
    let filter = ReportFilter {
        leads: query.leads.clone(),
        created_from: query.from.map(start_of),
        created_before: query.to.and_then(|d| d.succ_opt()).map(start_of),
    };
    // One scan by source and playbook; the overall funnel and both splits are its sums.
    let pairs = store.funnel(&filter, FunnelBy::SourceAndPlaybook).await?;
    let overall = pairs.iter().fold(FunnelRow::default(), add);
    let by_source = sum_by(&pairs, |r| r.group.clone());
    let by_playbook = sum_by(&pairs, |r| r.playbook.clone());
    let last_day = query.to.unwrap_or_else(|| Utc::now().date_naive());
    let monday = last_day - Duration::days(i64::from(last_day.weekday().num_days_from_monday()));
    let first_week = monday - Duration::weeks(WEEKS - 1);
    let weekly = ReportFilter {
        created_from: Some(start_of(query.from.map_or(first_week, |f| f.max(first_week)))),
        ..filter.clone()
    };
    let by_week = store.funnel(&weekly, FunnelBy::Week).await?;
    let disqualified = store.disqualification_reasons(&filter).await?;
    let verdicts = store.verdicts_by_owner(&filter).await?;
    Ok(Report { overall, by_source, by_playbook, by_week, disqualified, verdicts })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(source: Option<&str>, playbook: Option<&str>, counts: [i64; 5]) -> FunnelRow {
        let [leads, mql, sql, opportunity, won] = counts;
        FunnelRow {
            group: source.map(str::to_owned),
            playbook: playbook.map(str::to_owned),
            leads,
            mql,
            sql,
            opportunity,
            won,
        }
    }

    #[test]
    fn the_pairs_sum_to_each_split_most_leads_first_and_none_last() {
        let pairs = [
            row(Some("ads"), Some("pb"), [2, 1, 1, 0, 0]),
            row(Some("ads"), None, [1, 1, 0, 0, 0]),
            row(None, Some("pb"), [3, 3, 2, 1, 1]),
            row(Some("web"), None, [3, 2, 0, 0, 0]),
        ];
        let by_source = sum_by(&pairs, |r| r.group.clone());
        let names: Vec<Option<&str>> = by_source.iter().map(|r| r.group.as_deref()).collect();
        assert_eq!(names, [Some("ads"), Some("web"), None]);
        assert_eq!((by_source[0].leads, by_source[0].mql, by_source[0].sql), (3, 2, 1));
        let by_playbook = sum_by(&pairs, |r| r.playbook.clone());
        assert_eq!(
            by_playbook.iter().map(|r| (r.group.as_deref(), r.leads)).collect::<Vec<_>>(),
            [(Some("pb"), 5), (None, 4)]
        );
        let overall = pairs.iter().fold(FunnelRow::default(), add);
        assert_eq!((overall.leads, overall.mql, overall.sql, overall.opportunity, overall.won), (9, 7, 3, 1, 1));
        assert_eq!(conversion(3, 9).map(|c| (c * 1000.0).round()), Some(333.0));
        assert_eq!(conversion(1, 0), None);
    }
}
