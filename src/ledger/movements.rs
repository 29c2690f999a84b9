//! The ledger's movements in a period (SPEC §14 问题整改): carried over + new − closed
//! = open at the period's end, the open problems past their deadline with the days
//! late, and how long the open ones have been open.
//!
//! A problem is open on a day when it was found on or before it and not closed on or
//! before it. A 已关闭 problem without a 关闭日期 counts as closed the day it was found.

use super::file::LedgerFile;
use super::{Origin, Status, COLUMNS};
use crate::period::Period;
use chrono::NaiveDate;
use serde::Serialize;

/// An open problem past its deadline at the period's end.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overdue {
    pub id: String,
    pub source: String,
    pub description: String,
    pub owner: String,
    pub deadline: NaiveDate,
    pub days_late: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Movements {
    pub carried_over: usize,
    pub new: usize,
    pub closed: usize,
    pub open: usize,
    pub overdue: Vec<Overdue>,
    /// Open problems at the end by days open: ≤ 30, 31–60, 61–90, > 90.
    pub ageing: Vec<(String, usize)>,
    /// Open problems at the end by origin (来源), in `Origin::ALL` order, then others.
    pub open_by_source: Vec<(String, usize)>,
    /// Closed in the period ÷ (carried over + new) × 100 (`None`: nothing to close).
    pub closure_rate_pct: Option<f64>,
    /// Mean days from 发现日期 to 关闭日期 of the problems closed in the period.
    pub mean_days_to_close: Option<f64>,
    /// Problems with a 关闭日期 whose 状态 is open again: reopened after closing.
    pub reopened: usize,
}

/// One row as the movements read it.
struct Row {
    id: String,
    source: String,
    description: String,
    owner: String,
    found: Option<NaiveDate>,
    closed: Option<NaiveDate>,
    deadline: Option<NaiveDate>,
    /// A 关闭日期 with an open 状态.
    reopened: bool,
}

impl Row {
    fn open_on(&self, day: NaiveDate) -> bool {
        self.found.is_none_or(|f| f <= day) && self.closed.is_none_or(|c| c > day)
    }
}

fn rows(ledger: &LedgerFile) -> Vec<Row> {
    (0..ledger.rows.len())
        .map(|r| {
            let found = ledger.get(r, "发现日期").date();
            let status = Status::of(&ledger.text(r, "状态"));
            let dated = ledger.get(r, "关闭日期").date();
            let reopened = dated.is_some() && status.is_open();
            let closed = match (status, dated) {
                (Status::Closed, Some(d)) => Some(d),
                (Status::Closed, None) => Some(found.unwrap_or(NaiveDate::MIN)),
                _ => None,
            };
            Row {
                id: ledger.text(r, COLUMNS[0]),
                source: ledger.text(r, "来源"),
                description: ledger.text(r, "描述"),
                owner: ledger.text(r, "责任方"),
                found,
                closed,
                deadline: ledger.get(r, "整改期限").date(),
                reopened,
            }
        })
        .collect()
}

/// The movements of `period`.
pub fn of(ledger: &LedgerFile, period: &Period) -> Movements {
    let rows = rows(ledger);
    let before = period.start - chrono::Duration::days(1);
    let end = period.end;
    let in_period = |d: Option<NaiveDate>| d.is_some_and(|d| period.contains(d));
    let open: Vec<&Row> = rows.iter().filter(|r| r.open_on(end)).collect();
    let mut overdue: Vec<Overdue> = open
        .iter()
        .filter_map(|r| {
            let deadline = r.deadline.filter(|d| *d < end)?;
            Some(Overdue {
                id: r.id.clone(),
                source: r.source.clone(),
                description: r.description.clone(),
                owner: r.owner.clone(),
                deadline,
                days_late: (end - deadline).num_days(),
            })
        })
        .collect();
    overdue.sort_by(|a, b| b.days_late.cmp(&a.days_late).then(a.id.cmp(&b.id)));
    let age = |r: &&Row| r.found.map_or(i64::MAX, |f| (end - f).num_days());
    let ageing = [
        ("30 天以内", 0, 30),
        ("31–60 天", 31, 60),
        ("61–90 天", 61, 90),
        ("90 天以上", 91, i64::MAX),
    ]
    .iter()
    .map(|(label, lo, hi)| {
        let n = open
            .iter()
            .filter(|r| (*lo..=*hi).contains(&age(r)))
            .count();
        (label.to_string(), n)
    })
    .collect();
    let carried_over = rows
        .iter()
        .filter(|r| r.found.is_none_or(|f| f <= before) && r.open_on(before))
        .count();
    let new = rows.iter().filter(|r| in_period(r.found)).count();
    let closed: Vec<&Row> = rows
        .iter()
        .filter(|r| in_period(r.closed) && r.found.is_none_or(|f| f <= end))
        .collect();
    let days: Vec<i64> = closed
        .iter()
        .filter_map(|r| Some((r.closed? - r.found?).num_days()))
        .collect();
    Movements {
        carried_over,
        new,
        closed: closed.len(),
        open: open.len(),
        overdue,
        ageing,
        open_by_source: by_source(&open),
        closure_rate_pct: (carried_over + new > 0)
            .then(|| 100.0 * closed.len() as f64 / (carried_over + new) as f64),
        mean_days_to_close: (!days.is_empty())
            .then(|| days.iter().sum::<i64>() as f64 / days.len() as f64),
        reopened: rows.iter().filter(|r| r.reopened).count(),
    }
}

fn by_source(open: &[&Row]) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    let label = |s: &str| Origin::from_key(s).map_or(s.to_string(), |o| o.label().to_string());
    for r in open {
        let l = label(&r.source);
        match out.iter_mut().find(|(k, _)| *k == l) {
            Some((_, n)) => *n += 1,
            None => out.push((l, 1)),
        }
    }
    let rank = |k: &str| {
        Origin::ALL
            .iter()
            .position(|o| o.label() == k)
            .unwrap_or(99)
    };
    out.sort_by(|a, b| rank(&a.0).cmp(&rank(&b.0)).then(a.0.cmp(&b.0)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::file::LedgerCell;

    fn d(s: &str) -> LedgerCell {
        LedgerCell::Date(NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap())
    }

    #[test]
    fn carried_plus_new_minus_closed_is_open() {
        let dir = tempfile::tempdir().unwrap();
        let mut l = LedgerFile::open(&dir.path().join("p.xlsx")).unwrap();
        let mut add =
            |id: &str, found: &str, deadline: &str, status: &str, closed: Option<&str>| {
                let mut v = vec![
                    ("问题编号", LedgerCell::Text(id.into())),
                    ("来源", LedgerCell::Text("指标未达标".into())),
                    ("发现日期", d(found)),
                    ("整改期限", d(deadline)),
                    ("状态", LedgerCell::Text(status.into())),
                ];
                if let Some(c) = closed {
                    v.push(("关闭日期", d(c)));
                }
                l.push(v);
            };
        // Carried over from July: P1 still open (due 07-31: 31 days late at 08-31),
        // P2 closed in August. Closed in July: P3 (not carried).
        add("P1", "2025-07-10", "2025-07-31", "整改中", None);
        add(
            "P2",
            "2025-07-15",
            "2025-08-30",
            "已关闭",
            Some("2025-08-05"),
        );
        add(
            "P3",
            "2025-07-01",
            "2025-07-20",
            "已关闭",
            Some("2025-07-18"),
        );
        // New in August: P4 open, not yet due; P5 closed in August.
        add("P4", "2025-08-20", "2025-09-09", "待整改", None);
        add(
            "P5",
            "2025-08-02",
            "2025-08-12",
            "已关闭",
            Some("2025-08-10"),
        );
        // Found in September: not in August at all.
        add("P6", "2025-09-02", "2025-09-20", "待整改", None);
        let m = of(&l, &"2025-08".parse().unwrap());
        assert_eq!((m.carried_over, m.new, m.closed, m.open), (2, 2, 2, 2));
        assert_eq!(m.carried_over + m.new - m.closed, m.open);
        assert_eq!(m.overdue.len(), 1);
        assert_eq!(
            (m.overdue[0].id.as_str(), m.overdue[0].days_late),
            ("P1", 31)
        );
        // P1 open 52 days, P4 11 days at 08-31.
        assert_eq!(m.ageing[0], ("30 天以内".to_string(), 1));
        assert_eq!(m.ageing[1], ("31–60 天".to_string(), 1));
        assert_eq!(m.open_by_source, [("指标未达标".to_string(), 2)]);
        // Closed in August: P2 (21 days after 07-15) and P5 (8 days): 2 of 4, 14.5 days.
        assert_eq!(m.closure_rate_pct, Some(50.0));
        assert_eq!(m.mean_days_to_close, Some(14.5));
        assert_eq!(m.reopened, 0);
    }

    #[test]
    fn a_problem_closed_then_reopened_is_open_and_counted() {
        let dir = tempfile::tempdir().unwrap();
        let mut l = LedgerFile::open(&dir.path().join("p.xlsx")).unwrap();
        l.push(vec![
            ("问题编号", LedgerCell::Text("P1".into())),
            ("发现日期", d("2025-08-01")),
            ("状态", LedgerCell::Text("整改中".into())),
            ("关闭日期", d("2025-08-10")),
        ]);
        let m = of(&l, &"2025-08".parse().unwrap());
        assert_eq!((m.new, m.closed, m.open, m.reopened), (1, 0, 1, 1));
    }
}
