//! Periods (SPEC §2): `2025-08`, `2025Q3`, `2025`, `2025-07-01..2026-06-30`.
//!
//! A period is an inclusive range of local dates; as a time range it is
//! [start 00:00, end+1 00:00).

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use std::fmt;
use std::str::FromStr;

/// An inclusive range of dates with the label the user typed (used in file names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
    label: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("无法识别的期间 “{0}”：应为 2025-08（月）、2025Q3（季度）、2025（年）或 2025-07-01..2026-06-30（区间）")]
pub struct BadPeriod(pub String);

impl Period {
    pub fn new(start: NaiveDate, end: NaiveDate) -> Period {
        let label = format!("{}..{}", start.format("%Y-%m-%d"), end.format("%Y-%m-%d"));
        Period { start, end, label }
    }

    /// A stable, ASCII-safe name for file names: `2025Q3`, `2025-08`, `2025-07-01_2026-06-30`.
    pub fn file_label(&self) -> String {
        self.label.replace("..", "_")
    }

    /// The label as typed, normalised (`2025Q3`, `2025-08`, `2025-07-01..2026-06-30`).
    pub fn label(&self) -> &str {
        &self.label
    }

    /// First instant of the period.
    pub fn start_time(&self) -> NaiveDateTime {
        self.start.and_hms_opt(0, 0, 0).expect("midnight exists")
    }

    /// First instant after the period (exclusive end).
    pub fn end_time(&self) -> NaiveDateTime {
        (self.end + chrono::Duration::days(1))
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists")
    }

    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }

    /// The calendar quarter before the one this period starts in (`2025Q2` for any
    /// period starting in 2025Q3).
    pub fn previous_quarter(&self) -> Period {
        let before = self.start.with_day(1).expect("day 1 exists")
            - chrono::Duration::days(1 + 31 * ((self.start.month0() % 3) as i64));
        let q = before.month0() / 3 + 1;
        format!("{}Q{q}", before.year())
            .parse()
            .expect("a year and quarter from a date are a valid quarter")
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label)
    }
}

fn last_day_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    let (ny, nm) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(ny, nm, 1).map(|d| d - chrono::Duration::days(1))
}

impl FromStr for Period {
    type Err = BadPeriod;

    fn from_str(text: &str) -> Result<Period, BadPeriod> {
        let bad = || BadPeriod(text.to_string());
        let t = text.trim();
        if let Some((a, b)) = t.split_once("..") {
            let start = NaiveDate::parse_from_str(a.trim(), "%Y-%m-%d").map_err(|_| bad())?;
            let end = NaiveDate::parse_from_str(b.trim(), "%Y-%m-%d").map_err(|_| bad())?;
            if end < start {
                return Err(bad());
            }
            return Ok(Period::new(start, end));
        }
        if let Some((y, q)) = t.split_once(['Q', 'q']) {
            let year: i32 = y.parse().map_err(|_| bad())?;
            let q: u32 = q.parse().map_err(|_| bad())?;
            if !(1..=4).contains(&q) || !(1900..=9999).contains(&year) {
                return Err(bad());
            }
            let start = NaiveDate::from_ymd_opt(year, 3 * q - 2, 1).ok_or_else(bad)?;
            let end = last_day_of_month(year, 3 * q).ok_or_else(bad)?;
            return Ok(Period {
                start,
                end,
                label: format!("{year}Q{q}"),
            });
        }
        if let Some((y, m)) = t.split_once('-') {
            let year: i32 = y.parse().map_err(|_| bad())?;
            let month: u32 = m.parse().map_err(|_| bad())?;
            if y.len() != 4 || !(1..=12).contains(&month) {
                return Err(bad());
            }
            let start = NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(bad)?;
            let end = last_day_of_month(year, month).ok_or_else(bad)?;
            return Ok(Period {
                start,
                end,
                label: format!("{year}-{month:02}"),
            });
        }
        if t.len() == 4 {
            let year: i32 = t.parse().map_err(|_| bad())?;
            let start = NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(bad)?;
            let end = NaiveDate::from_ymd_opt(year, 12, 31).ok_or_else(bad)?;
            return Ok(Period {
                start,
                end,
                label: format!("{year}"),
            });
        }
        Err(bad())
    }
}

/// The labels of the periods that lie wholly within `period`: its own, its whole
/// months, quarters and calendar years (what a `provider_kpis.period` may say).
pub fn labels_within(period: &Period) -> Vec<String> {
    let mut labels = vec![period.label().to_string()];
    let (first, last) = (period.start.year(), period.end.year());
    for year in first..=last {
        let mut candidates: Vec<String> = (1..=12).map(|m| format!("{year}-{m:02}")).collect();
        candidates.extend((1..=4).map(|q| format!("{year}Q{q}")));
        candidates.push(year.to_string());
        for c in candidates {
            let p: Period = c.parse().expect("month, quarter and year labels parse");
            if period.start <= p.start && p.end <= period.end && !labels.contains(&c) {
                labels.push(c);
            }
        }
    }
    labels
}

/// The months (or quarters) a period touches, each clipped to the period: a whole
/// month keeps its label (`2025-08`), a clipped one is a range.
pub fn sub_periods(period: &Period, quarters: bool) -> Vec<Period> {
    let mut labels: Vec<String> = months_in(period)
        .into_iter()
        .map(|(y, m)| match quarters {
            true => format!("{y}Q{}", (m - 1) / 3 + 1),
            false => format!("{y}-{m:02}"),
        })
        .collect();
    labels.dedup();
    labels
        .into_iter()
        .map(|l| {
            let p: Period = l.parse().expect("month and quarter labels parse");
            match (p.start < period.start, p.end > period.end) {
                (false, false) => p,
                _ => Period::new(p.start.max(period.start), p.end.min(period.end)),
            }
        })
        .collect()
}

/// The period's months, clipped to it (see `sub_periods`).
pub fn month_pieces(period: &Period) -> Vec<Period> {
    sub_periods(period, false)
}

/// The months a period touches, as (year, month) pairs in order.
pub fn months_in(period: &Period) -> Vec<(i32, u32)> {
    let mut out = Vec::new();
    let (mut y, mut m) = (period.start.year(), period.start.month());
    while (y, m) <= (period.end.year(), period.end.month()) {
        out.push((y, m));
        if m == 12 {
            y += 1;
            m = 1;
        } else {
            m += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_quarter_before() {
        let before = |p: &str| {
            p.parse::<Period>()
                .unwrap()
                .previous_quarter()
                .label()
                .to_string()
        };
        assert_eq!(before("2025Q3"), "2025Q2");
        assert_eq!(before("2025-09"), "2025Q2");
        assert_eq!(before("2025-03"), "2024Q4");
        assert_eq!(before("2025Q1"), "2024Q4");
        let q = "2025Q3".parse::<Period>().unwrap().previous_quarter();
        assert_eq!((q.start, q.end), (d("2025-04-01"), d("2025-06-30")));
    }

    #[test]
    fn parses_every_form() {
        let m: Period = "2025-08".parse().unwrap();
        assert_eq!((m.start, m.end), (d("2025-08-01"), d("2025-08-31")));
        assert_eq!(m.file_label(), "2025-08");
        let q: Period = "2025Q3".parse().unwrap();
        assert_eq!((q.start, q.end), (d("2025-07-01"), d("2025-09-30")));
        let feb: Period = "2024-02".parse().unwrap();
        assert_eq!(feb.end, d("2024-02-29"));
        let y: Period = "2025".parse().unwrap();
        assert_eq!(
            (y.start, y.end, y.days()),
            (d("2025-01-01"), d("2025-12-31"), 365)
        );
        let r: Period = "2025-07-01..2026-06-30".parse().unwrap();
        assert_eq!(r.days(), 365);
        assert_eq!(r.file_label(), "2025-07-01_2026-06-30");
        assert_eq!(q.end_time(), d("2025-10-01").and_hms_opt(0, 0, 0).unwrap());
    }

    #[test]
    fn rejects_nonsense() {
        for bad in [
            "2025Q5",
            "2025-13",
            "25-08",
            "2026-01-01..2025-01-01",
            "Q3",
            "",
        ] {
            assert!(bad.parse::<Period>().is_err(), "{bad}");
        }
    }

    #[test]
    fn months_of_a_range() {
        let r: Period = "2025-11-15..2026-02-01".parse().unwrap();
        assert_eq!(
            months_in(&r),
            vec![(2025, 11), (2025, 12), (2026, 1), (2026, 2)]
        );
    }
}
