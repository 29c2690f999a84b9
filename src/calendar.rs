//! The working-day calendar (INDICATORS.md): Monday–Friday outside the official
//! holidays, plus the make-up working days (调休上班). Built in for 2025 and 2026,
//! extended or overridden per year by the workspace's `calendar:` file.
//!
//! A year the calendar does not cover is taken as Monday–Friday, never an error (the
//! next year's notice is often published late); the calendar remembers which years it
//! assumed so that a result can say so (SPEC §7).

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Mutex;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CalendarError {
    #[error("{path}：{message}")]
    File { path: String, message: String },
}

/// A (month, day) pair.
type MonthDay = (u32, u32);

/// Holidays of one year as (first, last) inclusive ranges, and make-up working days.
struct BuiltIn {
    year: i32,
    holidays: &'static [(MonthDay, MonthDay)],
    workdays: &'static [MonthDay],
}

/// State Council notices: 国办发明电〔2024〕12号 (2025) and the notice of 2025-11-04 (2026).
const BUILT_IN: [BuiltIn; 2] = [
    BuiltIn {
        year: 2025,
        holidays: &[
            ((1, 1), (1, 1)),
            ((1, 28), (2, 4)),
            ((4, 4), (4, 6)),
            ((5, 1), (5, 5)),
            ((5, 31), (6, 2)),
            ((10, 1), (10, 8)),
        ],
        workdays: &[(1, 26), (2, 8), (4, 27), (9, 28), (10, 11)],
    },
    BuiltIn {
        year: 2026,
        holidays: &[
            ((1, 1), (1, 3)),
            ((2, 15), (2, 23)),
            ((4, 4), (4, 6)),
            ((5, 1), (5, 5)),
            ((6, 19), (6, 21)),
            ((9, 25), (9, 27)),
            ((10, 1), (10, 7)),
        ],
        workdays: &[(1, 4), (2, 14), (2, 28), (5, 9), (9, 20), (10, 10)],
    },
];

/// The calendar in force: which years it knows, their holidays and make-up days.
#[derive(Debug, Default)]
pub struct Calendar {
    years: BTreeSet<i32>,
    holidays: BTreeSet<NaiveDate>,
    workdays: BTreeSet<NaiveDate>,
    /// Years asked about that the calendar does not cover (taken as Monday–Friday).
    assumed: Mutex<BTreeSet<i32>>,
}

impl Clone for Calendar {
    fn clone(&self) -> Calendar {
        Calendar {
            years: self.years.clone(),
            holidays: self.holidays.clone(),
            workdays: self.workdays.clone(),
            assumed: Mutex::new(self.assumed_years()),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarFile {
    #[serde(default)]
    holidays: Vec<String>,
    #[serde(default)]
    workdays: Vec<String>,
}

fn date(y: i32, (m, d): MonthDay) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("built-in calendar dates are valid")
}

fn days(first: NaiveDate, last: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    first.iter_days().take_while(move |d| *d <= last)
}

impl Calendar {
    /// The built-in official calendar (2025 and 2026).
    pub fn built_in() -> Calendar {
        let mut cal = Calendar::default();
        for year in &BUILT_IN {
            cal.years.insert(year.year);
            for (a, b) in year.holidays {
                cal.holidays
                    .extend(days(date(year.year, *a), date(year.year, *b)));
            }
            cal.workdays
                .extend(year.workdays.iter().map(|d| date(year.year, *d)));
        }
        cal
    }

    /// The built-in calendar with the years a workspace file lists replaced by it.
    pub fn with_file(path: &Path) -> Result<Calendar, CalendarError> {
        let err = |message: String| CalendarError::File {
            path: path.display().to_string(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(format!("无法读取：{e}")))?;
        let file: CalendarFile =
            serde_yaml_ng::from_str(&text).map_err(|e| err(format!("格式错误：{e}")))?;
        let parse = |s: &str, key: &str| {
            NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
                err(format!(
                    "{key} 中的 “{s}” 不是日期（应为 2027-01-01 或 2027-01-01..2027-01-03）"
                ))
            })
        };
        let mut holidays = BTreeSet::new();
        for item in &file.holidays {
            match item.split_once("..") {
                Some((a, b)) => holidays.extend(days(parse(a, "holidays")?, parse(b, "holidays")?)),
                None => {
                    holidays.insert(parse(item, "holidays")?);
                }
            }
        }
        let mut workdays = BTreeSet::new();
        for item in &file.workdays {
            workdays.insert(parse(item, "workdays")?);
        }
        let years: BTreeSet<i32> = holidays.iter().chain(&workdays).map(|d| d.year()).collect();
        let mut cal = Calendar::built_in();
        cal.holidays.retain(|d| !years.contains(&d.year()));
        cal.workdays.retain(|d| !years.contains(&d.year()));
        cal.holidays.extend(holidays);
        cal.workdays.extend(workdays);
        cal.years.extend(years);
        Ok(cal)
    }

    /// Whether `d` is a working day; in a year the calendar lacks, Monday–Friday
    /// (and the year is remembered, see [`Calendar::assumed_years`]).
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        let weekend = matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
        if !self.years.contains(&d.year()) {
            self.lock_assumed().insert(d.year());
            return !weekend;
        }
        if self.workdays.contains(&d) {
            return true;
        }
        !weekend && !self.holidays.contains(&d)
    }

    /// The `n`-th working day after `start` (the start day itself does not count).
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        let mut d = start;
        let mut left = n;
        while left > 0 {
            d += Duration::days(1);
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// Working days in [first, last].
    pub fn count_working_days(&self, first: NaiveDate, last: NaiveDate) -> u32 {
        days(first, last)
            .filter(|d| self.is_working_day(*d))
            .count() as u32
    }

    /// The years looked up so far that the calendar does not cover.
    pub fn assumed_years(&self) -> BTreeSet<i32> {
        self.lock_assumed().clone()
    }

    /// Forgets the assumed years (before a new result is computed).
    pub fn reset_assumed(&self) {
        self.lock_assumed().clear();
    }

    /// The sentence a result carries for each assumed year (SPEC §7, §12).
    pub fn assumption_sentences(&self) -> Vec<String> {
        self.assumed_years()
            .into_iter()
            .map(|y| {
                format!("工作日历未包含 {y} 年：该年按周一至周五为工作日计算（未考虑法定节假日和调休），可在 gwq.yaml 的 calendar: 文件中补充")
            })
            .collect()
    }

    fn lock_assumed(&self) -> std::sync::MutexGuard<'_, BTreeSet<i32>> {
        // A poisoned set of years is still a set of years.
        self.assumed.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn check_figures_of_the_official_calendar() {
        let cal = Calendar::built_in();
        let count = |a: &str, b: &str| cal.count_working_days(d(a), d(b));
        assert_eq!(count("2025-01-01", "2025-12-31"), 248);
        assert_eq!(
            [
                count("2025-01-01", "2025-03-31"),
                count("2025-04-01", "2025-06-30"),
                count("2025-07-01", "2025-09-30"),
                count("2025-10-01", "2025-12-31")
            ],
            [59, 61, 67, 61]
        );
        assert_eq!(count("2026-01-01", "2026-12-31"), 248);
        assert_eq!(
            [
                count("2026-01-01", "2026-03-31"),
                count("2026-04-01", "2026-06-30"),
                count("2026-07-01", "2026-09-30"),
                count("2026-10-01", "2026-12-31")
            ],
            [59, 61, 66, 62]
        );
    }

    #[test]
    fn working_days_across_a_holiday_and_a_make_up_sunday() {
        let cal = Calendar::built_in();
        // Fri 2025-09-26 + 1 wd: Sun 2025-09-28 is a make-up working day.
        assert_eq!(cal.add_working_days(d("2025-09-26"), 1), d("2025-09-28"));
        // Sun 2025-09-28 + 2 wd: Mon 29, Tue 30; then 1–8 Oct are holidays.
        assert_eq!(cal.add_working_days(d("2025-09-28"), 3), d("2025-10-09"));
        // The start day itself never counts.
        assert_eq!(cal.add_working_days(d("2025-07-01"), 0), d("2025-07-01"));
        assert!(!cal.is_working_day(d("2025-10-08")));
        assert!(cal.is_working_day(d("2025-10-11")));
        assert!(cal.assumed_years().is_empty());
    }

    #[test]
    fn a_year_without_a_calendar_is_monday_to_friday_and_remembered() {
        let cal = Calendar::built_in();
        // Wed 2026-12-30 + 5 wd: Thu 31, then 2027 as Monday–Friday: Fri 1 Jan (no
        // New Year holiday assumed), Mon 4, Tue 5, Wed 6.
        assert_eq!(cal.add_working_days(d("2026-12-30"), 5), d("2027-01-06"));
        assert_eq!(cal.assumed_years(), BTreeSet::from([2027]));
        assert_eq!(cal.assumption_sentences().len(), 1);
        assert!(cal.assumption_sentences()[0].contains("2027 年"));
        assert!(!cal.is_working_day(d("2024-12-28")), "a Saturday of 2024");
        assert_eq!(cal.assumed_years(), BTreeSet::from([2024, 2027]));
        cal.reset_assumed();
        assert!(cal.assumed_years().is_empty());
    }

    #[test]
    fn a_workspace_file_replaces_the_years_it_lists() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("cal.yaml");
        std::fs::write(
            &p,
            "holidays: [2027-01-01..2027-01-03, 2027-02-10]\nworkdays: [2027-01-09]\n",
        )
        .unwrap();
        let cal = Calendar::with_file(&p).unwrap();
        assert!(!cal.is_working_day(d("2027-02-10")));
        assert!(cal.is_working_day(d("2027-01-09")));
        assert!(cal.is_working_day(d("2027-01-04")));
        // Years the file does not list keep the built-in days.
        assert!(cal.is_working_day(d("2025-09-28")));
        assert!(cal.assumed_years().is_empty());
        std::fs::write(&p, "holiday: []\n").unwrap();
        assert!(Calendar::with_file(&p).is_err());
    }
}
