//! The supervisor's own checks for the quarterly 抽查与测试 chapter (SPEC §10, §14):
//! site tests of lines (how many, passed, the share of active lines tested against
//! the ≥ 10 % sampling plan) and phone spot checks of the 7×24 hotline (answered, by
//! time slot).
//!
//! Both tables are small: their rows in the period are read into plain values.

use crate::calendar::Calendar;
use crate::frame::{self, FrameError, StepContext};
use crate::ingest::LoadedTable;
use crate::inventory::Inventory;
use crate::period::Period;
use crate::score::rows;
use crate::tables::Table;
use chrono::{NaiveDate, NaiveDateTime, Timelike};

/// The share of active lines a quarter's site tests should cover (SPEC §10).
pub const SAMPLE_SHARE_PCT: f64 = 10.0;

/// One failed site test.
#[derive(Debug, Clone, PartialEq)]
pub struct FailedTest {
    pub line_id: String,
    pub tested_on: Option<NaiveDate>,
    pub throughput_mbps: Option<f64>,
    pub latency_ms: Option<f64>,
    pub loss_pct: Option<f64>,
}

/// Site tests in the period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SiteTests {
    pub tests: u64,
    /// Tests with `passed` = 是 / 否; the rest did not say.
    pub passed: u64,
    pub failed: Vec<FailedTest>,
    /// Distinct lines tested.
    pub lines_tested: u64,
    /// Lines of the inventory active at some time in the period.
    pub lines_active: u64,
}

impl SiteTests {
    /// Passed ÷ tests that say passed or not × 100.
    pub fn pass_pct(&self) -> Option<f64> {
        let judged = self.passed + self.failed.len() as u64;
        (judged > 0).then(|| 100.0 * self.passed as f64 / judged as f64)
    }

    /// Lines tested ÷ active lines × 100.
    pub fn sampled_pct(&self) -> Option<f64> {
        (self.lines_active > 0).then(|| 100.0 * self.lines_tested as f64 / self.lines_active as f64)
    }
}

/// When a phone check was made: 工作时间 (a working day, 08:00–18:00), 夜间 (a working
/// day outside those hours), 非工作日 (weekends and holidays by the calendar).
pub const SLOTS: [&str; 3] = ["工作时间", "夜间", "非工作日"];

/// Phone checks of one slot, or of all.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Calls {
    pub calls: u64,
    pub answered: u64,
    /// Σ answer_seconds and how many answered calls gave one.
    seconds: f64,
    timed: u64,
}

impl Calls {
    pub fn answer_pct(&self) -> Option<f64> {
        (self.calls > 0).then(|| 100.0 * self.answered as f64 / self.calls as f64)
    }

    /// Mean seconds to answer over the answered calls that record it.
    pub fn mean_seconds(&self) -> Option<f64> {
        (self.timed > 0).then(|| self.seconds / self.timed as f64)
    }

    fn add(&mut self, answered: bool, seconds: Option<f64>) {
        self.calls += 1;
        if answered {
            self.answered += 1;
            if let Some(s) = seconds {
                self.seconds += s;
                self.timed += 1;
            }
        }
    }
}

/// Phone checks in the period: all, and per slot in `SLOTS` order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PhoneChecks {
    pub all: Calls,
    pub by_slot: Vec<(&'static str, Calls)>,
    /// When the calls that were not answered were made, in time order.
    pub missed: Vec<NaiveDateTime>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldSummary {
    pub site: SiteTests,
    pub phone: PhoneChecks,
}

/// The period's site tests and phone checks.
pub fn summarise(
    site_tests: &LoadedTable,
    phone_checks: &LoadedTable,
    inventory: &Inventory,
    calendar: &Calendar,
    period: &Period,
) -> Result<FieldSummary, FrameError> {
    Ok(FieldSummary {
        site: site(site_tests, inventory, period)?,
        phone: phone(phone_checks, calendar, period)?,
    })
}

fn site(
    table: &LoadedTable,
    inventory: &Inventory,
    period: &Period,
) -> Result<SiteTests, FrameError> {
    let df = rows::in_period(table.frame.clone(), Table::SiteTests, "tested_on", period)
        .collect()
        .step("读取现场测试")?;
    let lines = frame::str_values(&df, "line_id")?;
    let days = frame::i64_values(&df, "tested_on")?;
    let passed = frame::bool_values(&df, "passed")?;
    let throughput = frame::f64_values(&df, "throughput_mbps")?;
    let latency = frame::f64_values(&df, "latency_ms")?;
    let loss = frame::f64_values(&df, "loss_pct")?;
    let mut out = SiteTests {
        tests: df.height() as u64,
        lines_tested: lines
            .iter()
            .flatten()
            .collect::<std::collections::BTreeSet<_>>()
            .len() as u64,
        lines_active: inventory
            .lines
            .values()
            .filter(|l| l.active_span(period).is_some())
            .count() as u64,
        ..SiteTests::default()
    };
    for i in 0..df.height() {
        match passed[i] {
            Some(true) => out.passed += 1,
            Some(false) => out.failed.push(FailedTest {
                line_id: lines[i].clone().unwrap_or_default(),
                tested_on: days[i].map(|d| frame::from_days(d as i32)),
                throughput_mbps: throughput[i],
                latency_ms: latency[i],
                loss_pct: loss[i],
            }),
            None => {}
        }
    }
    Ok(out)
}

fn phone(
    table: &LoadedTable,
    calendar: &Calendar,
    period: &Period,
) -> Result<PhoneChecks, FrameError> {
    let df = rows::in_period(table.frame.clone(), Table::PhoneChecks, "call_at", period)
        .collect()
        .step("读取电话抽查")?;
    let at = frame::i64_values(&df, "call_at")?;
    let answered = frame::bool_values(&df, "answered")?;
    let seconds = frame::f64_values(&df, "answer_seconds")?;
    let mut out = PhoneChecks {
        by_slot: SLOTS.iter().map(|s| (*s, Calls::default())).collect(),
        ..PhoneChecks::default()
    };
    for i in 0..df.height() {
        let Some(ms) = at[i] else { continue };
        let ok = answered[i] == Some(true);
        out.all.add(ok, seconds[i]);
        let at = frame::from_millis(ms);
        out.by_slot[slot_of(at, calendar)].1.add(ok, seconds[i]);
        if !ok {
            out.missed.push(at);
        }
    }
    out.missed.sort();
    Ok(out)
}

/// The index in `SLOTS` of a call's time.
fn slot_of(at: NaiveDateTime, calendar: &Calendar) -> usize {
    if !calendar.is_working_day(at.date()) {
        2
    } else if (8..18).contains(&at.hour()) {
        0
    } else {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_by_slot_and_their_rates() {
        let cal = Calendar::built_in();
        let t = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        // Friday 2025-08-08 at 09:00 and 23:10; Saturday the 9th; 2025-10-01 is 国庆.
        assert_eq!(slot_of(t("2025-08-08 09:00"), &cal), 0);
        assert_eq!(slot_of(t("2025-08-08 07:59"), &cal), 1);
        assert_eq!(slot_of(t("2025-08-08 18:00"), &cal), 1);
        assert_eq!(slot_of(t("2025-08-09 10:00"), &cal), 2);
        assert_eq!(slot_of(t("2025-10-01 10:00"), &cal), 2);
        let mut c = Calls::default();
        c.add(true, Some(10.0));
        c.add(true, None);
        c.add(false, Some(99.0));
        assert_eq!(c.answer_pct(), Some(200.0 / 3.0));
        // Only the answered call with a time counts toward the mean.
        assert_eq!(c.mean_seconds(), Some(10.0));
        assert_eq!(Calls::default().answer_pct(), None);
    }

    #[test]
    fn site_rates() {
        let s = SiteTests {
            tests: 5,
            passed: 3,
            failed: vec![FailedTest {
                line_id: "L1".into(),
                tested_on: None,
                throughput_mbps: None,
                latency_ms: None,
                loss_pct: None,
            }],
            lines_tested: 4,
            lines_active: 50,
        };
        // One test did not say: 3 of 4 judged.
        assert_eq!(s.pass_pct(), Some(75.0));
        assert_eq!(s.sampled_pct(), Some(8.0));
    }
}
