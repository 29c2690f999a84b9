//! The working-day calendar (INDICATORS.md): Monday–Friday outside the official
//! holidays, plus the make-up working days (调休上班). Built in for 2025 and 2026,
//! extended or overridden per year by the workspace's `calendar:` file.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::Path;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CalendarError {
    #[error("工作日历不包含 {0} 年：请在 gwq.yaml 的 calendar: 文件中补充该年的节假日（holidays）和调休上班日（workdays）")]
    YearNotCovered(i32),
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
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    years: BTreeSet<i32>,
    holidays: BTreeSet<NaiveDate>,
    workdays: BTreeSet<NaiveDate>,
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

    pub fn is_working_day(&self, d: NaiveDate) -> Result<bool, CalendarError> {
        if !self.years.contains(&d.year()) {
            return Err(CalendarError::YearNotCovered(d.year()));
        }
        if self.workdays.contains(&d) {
            return Ok(true);
        }
        let weekend = matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
        Ok(!weekend && !self.holidays.contains(&d))
    }

    /// The `n`-th working day after `start` (the start day itself does not count).
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let mut d = start;
        let mut left = n;
        while left > 0 {
            d += Duration::days(1);
            if self.is_working_day(d)? {
                left -= 1;
            }
        }
        Ok(d)
    }

    /// Working days in [first, last].
    pub fn count_working_days(
        &self,
        first: NaiveDate,
        last: NaiveDate,
    ) -> Result<u32, CalendarError> {
        let mut n = 0;
        for d in days(first, last) {
            if self.is_working_day(d)? {
                n += 1;
            }
        }
        Ok(n)
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
        let count = |a: &str, b: &str| cal.count_working_days(d(a), d(b)).unwrap();
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
        assert_eq!(
            cal.add_working_days(d("2025-09-26"), 1).unwrap(),
            d("2025-09-28")
        );
        // Sun 2025-09-28 + 2 wd: Mon 29, Tue 30; then 1–8 Oct are holidays.
        assert_eq!(
            cal.add_working_days(d("2025-09-28"), 3).unwrap(),
            d("2025-10-09")
        );
        // The start day itself never counts.
        assert_eq!(
            cal.add_working_days(d("2025-07-01"), 0).unwrap(),
            d("2025-07-01")
        );
        assert!(!cal.is_working_day(d("2025-10-08")).unwrap());
        assert!(cal.is_working_day(d("2025-10-11")).unwrap());
    }

    #[test]
    fn a_year_without_a_calendar_is_an_error() {
        let cal = Calendar::built_in();
        assert_eq!(
            cal.add_working_days(d("2026-12-30"), 5),
            Err(CalendarError::YearNotCovered(2027))
        );
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
        assert!(!cal.is_working_day(d("2027-02-10")).unwrap());
        assert!(cal.is_working_day(d("2027-01-09")).unwrap());
        assert!(cal.is_working_day(d("2027-01-04")).unwrap());
        // Years the file does not list keep the built-in days.
        assert!(cal.is_working_day(d("2025-09-28")).unwrap());
        std::fs::write(&p, "holiday: []\n").unwrap();
        assert!(Calendar::with_file(&p).is_err());
    }
}
