//! Calendar dates in the cells of a CSV, read as days since 1970-01-01 (UTC).
//!
//! A cell is read in each of the three orders a CRM export writes a date in, and the column
//! decides which order it holds (see [`DateFormat::settle`]):
//! - year first: `2020-03-04`, `2020/03/04`, `2020.03.04` (ISO 8601; unambiguous);
//! - day first or month first: `04/03/2020`, `4.3.2020`, `04-03-2020`, with a four-digit
//!   year last. `03/04/2020` reads both ways, so a column of them is a date only when one of
//!   its values settles the order (a day above 12, as in `25/03/2020`); otherwise it stays
//!   text.
//!
//! A time may follow the date after `T`, a space or `, `: `10:15`, `10:15:30`,
//! `10:15:30.250`, with `AM`/`PM`, and `Z`, `UTC` or an offset (`+02:00`, `-0500`); a time
//! with an offset is moved to UTC. The time is kept as the fraction of the day. Two-digit
//! years, month names and bare numbers (`20200304`, `1998`) are not dates: a column of years
//! stays numeric.

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::table::trim;

/// The order of a column's dates, settled by the column's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateFormat {
    /// `2020-03-04` (ISO 8601), `2020/03/04`.
    YearFirst,
    /// `04/03/2020`: 4 March.
    DayFirst,
    /// `03/04/2020`: 4 March.
    MonthFirst,
}

impl DateFormat {
    pub const ALL: [DateFormat; 3] = [DateFormat::YearFirst, DateFormat::DayFirst, DateFormat::MonthFirst];

    /// How reports name the format.
    pub fn pattern(self) -> &'static str {
        match self {
            DateFormat::YearFirst => "YYYY-MM-DD",
            DateFormat::DayFirst => "DD/MM/YYYY",
            DateFormat::MonthFirst => "MM/DD/YYYY",
        }
    }

    /// The order of a column whose present values read as dates in the orders counted:
    /// `counts[i]` of `present` values read in [`DateFormat::ALL`]`[i]`. Year first when every
    /// value reads so; day or month first when every value reads that way and not every value
    /// the other (a value such as `25/03/2020` settles it); `None` when no order reads them
    /// all, or both do (`03/04/2020` alone is not a date).
    pub fn settle(counts: [usize; 3], present: usize) -> Option<DateFormat> {
        if present == 0 {
            return None;
        }
        let [year, day, month] = counts.map(|n| n == present);
        match (year, day, month) {
            (true, _, _) => Some(DateFormat::YearFirst),
            (false, true, false) => Some(DateFormat::DayFirst),
            (false, false, true) => Some(DateFormat::MonthFirst),
            _ => None,
        }
    }

    /// The cell as days since 1970-01-01 in this format, `None` when it is not such a date.
    pub fn days(self, cell: &str) -> Option<f64> {
        let readings = read_date(cell)?;
        readings.days[self as usize]
    }
}

/// A cell read in each of the three orders (`days[format as usize]`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct DateReadings {
    pub days: [Option<f64>; 3],
}

impl DateReadings {
    pub fn any(&self) -> bool {
        self.days.iter().any(Option::is_some)
    }
}

/// Days since 1970-01-01 as the calendar date it falls on, `YYYY-MM-DD`.
pub fn format_day(days: f64) -> String {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    match epoch.checked_add_signed(chrono::TimeDelta::days(days.floor() as i64)) {
        Some(date) if days.is_finite() => date.format("%Y-%m-%d").to_string(),
        _ => format!("{days}"),
    }
}

/// Reads one cell in every order it can be read in; `None` when it is no date at all.
pub fn read_date(cell: &str) -> Option<DateReadings> {
    let cell = trim(cell);
    // Cheap rejection of the text and numbers of most columns: a date starts with a digit
    // and holds a separator within its first five bytes.
    let bytes = cell.as_bytes();
    if bytes.len() < 8 || !bytes[0].is_ascii_digit() {
        return None;
    }
    let date_end = cell.find(['T', ' ', ',']).unwrap_or(cell.len());
    let (date, rest) = cell.split_at(date_end);
    let seconds = read_time(rest)?;
    let mut parts = [0u32; 3];
    let mut widths = [0usize; 3];
    let separator = *date.as_bytes().iter().find(|b| !b.is_ascii_digit())?;
    if !matches!(separator, b'-' | b'/' | b'.') {
        return None;
    }
    let mut count = 0;
    for part in date.split(separator as char) {
        if count == 3 || part.is_empty() || part.len() > 4 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        parts[count] = part.parse().ok()?;
        widths[count] = part.len();
        count += 1;
    }
    if count != 3 {
        return None;
    }
    let day = |year: u32, month: u32, day: u32| -> Option<f64> {
        if !(1800..=2200).contains(&year) {
            return None;
        }
        let date = NaiveDate::from_ymd_opt(year as i32, month, day)?;
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)?;
        Some((date - epoch).num_days() as f64 + seconds / 86_400.0)
    };
    let mut readings = DateReadings::default();
    if widths[0] == 4 && widths[1] <= 2 && widths[2] <= 2 {
        readings.days[DateFormat::YearFirst as usize] = day(parts[0], parts[1], parts[2]);
    } else if widths[2] == 4 && widths[0] <= 2 && widths[1] <= 2 {
        readings.days[DateFormat::DayFirst as usize] = day(parts[2], parts[1], parts[0]);
        readings.days[DateFormat::MonthFirst as usize] = day(parts[2], parts[0], parts[1]);
    }
    readings.any().then_some(readings)
}

/// The time after a date (see the module documentation) as seconds after midnight UTC
/// (negative or past a day when an offset moves it); `Some(0.0)` when there is none.
fn read_time(rest: &str) -> Option<f64> {
    if rest.is_empty() {
        return Some(0.0);
    }
    let rest = rest.strip_prefix(", ").or_else(|| rest.strip_prefix(['T', ' ']))?.trim_start();
    // The zone: `Z`, `UTC`, or an offset after the seconds.
    let (clock, offset_seconds) = split_zone(rest)?;
    let (clock, meridiem) = match clock.trim_end() {
        c if c.len() > 2 && (c.ends_with("AM") || c.ends_with("am")) => (c[..c.len() - 2].trim_end(), Some(false)),
        c if c.len() > 2 && (c.ends_with("PM") || c.ends_with("pm")) => (c[..c.len() - 2].trim_end(), Some(true)),
        c => (c, None),
    };
    let time = ["%H:%M:%S%.f", "%H:%M"].iter().find_map(|f| NaiveTime::parse_from_str(clock, f).ok())?;
    let mut seconds = f64::from(chrono::Timelike::num_seconds_from_midnight(&time))
        + f64::from(chrono::Timelike::nanosecond(&time)) / 1e9;
    if let Some(pm) = meridiem {
        let hour = chrono::Timelike::hour(&time);
        if !(1..=12).contains(&hour) {
            return None;
        }
        // 12 AM is midnight, 12 PM noon.
        seconds += (f64::from(hour % 12 + if pm { 12 } else { 0 }) - f64::from(hour)) * 3600.0;
    }
    Some(seconds - offset_seconds)
}

/// The clock and the offset from UTC in seconds of a time that may end with a zone.
fn split_zone(time: &str) -> Option<(&str, f64)> {
    if let Some(clock) = time.strip_suffix('Z').or_else(|| time.strip_suffix(" UTC")) {
        return Some((clock, 0.0));
    }
    // An offset: `+hh:mm`, `+hhmm` or `+hh` after the clock's digits.
    let Some(at) = time.rfind(['+', '-']) else { return Some((time, 0.0)) };
    let (clock, offset) = time.split_at(at);
    let sign = if offset.starts_with('-') { -1.0 } else { 1.0 };
    let digits: String = offset[1..].chars().filter(|c| *c != ':').collect();
    if !(digits.len() == 2 || digits.len() == 4) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hours: f64 = digits[..2].parse().ok()?;
    let minutes: f64 = if digits.len() == 4 { digits[2..].parse().ok()? } else { 0.0 };
    if hours > 14.0 || minutes >= 60.0 {
        return None;
    }
    Some((clock.trim_end(), sign * (hours * 3600.0 + minutes * 60.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `cell` read in each order: year first, day first, month first (`None`: not that way).
    fn check(cell: &str, expected: [Option<&str>; 3]) {
        let got = read_date(cell).map(|r| r.days).unwrap_or_default();
        let got = got.map(|d| d.map(format_day));
        assert_eq!(got, expected.map(|d| d.map(str::to_string)), "{cell:?}");
    }

    #[test]
    fn cells_read_as_dates_in_the_orders_they_allow() {
        check("2020-03-04", [Some("2020-03-04"), None, None]);
        check(" 2020/3/4 ", [Some("2020-03-04"), None, None]);
        check("2020.03.04", [Some("2020-03-04"), None, None]);
        check("2016-10-20T14:30:00Z", [Some("2016-10-20"), None, None]);
        check("2016-10-20 14:30", [Some("2016-10-20"), None, None]);
        check("2016-10-20T23:30:00-05:00", [Some("2016-10-21"), None, None]);
        check("2016-10-20 00:30:00.250+0200", [Some("2016-10-19"), None, None]);
        check("25/03/2020", [None, Some("2020-03-25"), None]);
        check("03/25/2020", [None, None, Some("2020-03-25")]);
        check("03/04/2020", [None, Some("2020-04-03"), Some("2020-03-04")]);
        check("3.4.2020, 10:15 PM", [None, Some("2020-04-03"), Some("2020-03-04")]);
        check("3/4/2020 12:05 AM", [None, Some("2020-04-03"), Some("2020-03-04")]);
        check("2020-02-29", [Some("2020-02-29"), None, None]);
        // Not dates: impossible days, two-digit years, numbers, text, a mangled time.
        for cell in [
            "2019-02-29",
            "2020-13-01",
            "03/04/20",
            "20200304",
            "1998",
            "-2020-03-04",
            "12.5",
            "2020-03",
            "2020-03-04-05",
            "1900-01-01x",
            "2020-03-04 noon",
            "2020-03-04T25:00",
            "3/4/2020 13:00 PM",
            "Mar 4, 2020",
            "0020-03-04",
        ] {
            check(cell, [None, None, None]);
        }
    }

    #[test]
    fn the_time_of_day_is_a_fraction_of_the_day_in_utc() {
        let days = |cell: &str| DateFormat::YearFirst.days(cell).expect("a date");
        assert_eq!(days("1970-01-01"), 0.0);
        assert_eq!(days("1970-01-02T12:00:00Z"), 1.5);
        assert_eq!(days("1970-01-02 06:00:00+06:00"), 1.0);
        assert_eq!(DateFormat::MonthFirst.days("01/02/1970 6:00 PM"), Some(1.75));
        assert_eq!(DateFormat::DayFirst.days("01/02/1970 12:00 AM"), Some(31.0));
    }

    #[test]
    fn a_column_settles_its_order_or_is_not_dates() {
        use DateFormat::*;
        assert_eq!(DateFormat::settle([10, 0, 0], 10), Some(YearFirst));
        assert_eq!(DateFormat::settle([0, 10, 7], 10), Some(DayFirst));
        assert_eq!(DateFormat::settle([0, 7, 10], 10), Some(MonthFirst));
        // Every value reads both ways: nothing settles it.
        assert_eq!(DateFormat::settle([0, 10, 10], 10), None);
        // Orders mixed in one column, or a value that is no date.
        assert_eq!(DateFormat::settle([5, 5, 5], 10), None);
        assert_eq!(DateFormat::settle([9, 0, 0], 10), None);
        assert_eq!(DateFormat::settle([0, 0, 0], 0), None);
    }
}
