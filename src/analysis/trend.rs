//! Trends (SPEC §14 "Trends and changes"): each month of a report's window measured
//! once and scored, each marked whole or 截至 the newest record, and the series of
//! every indicator across the months (the JSON's `trend`).

use crate::period::{months_in, Period};
use crate::scheme::Scheme;
use crate::score::{measure, score, DataQuality, ScoreError, ScoreInput, ScoreResult};
use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

/// One month of a trend.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthResult {
    pub month: Period,
    pub result: ScoreResult,
    /// Set when the month ends after the newest record: the data reach only this day.
    pub cut_off: Option<NaiveDate>,
}

impl MonthResult {
    /// Whether the month is whole (may be compared with another whole month).
    pub fn whole(&self) -> bool {
        self.cut_off.is_none()
    }
}

/// One point of an indicator's series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Point {
    pub period: String,
    pub value: Option<f64>,
    pub met: Option<bool>,
    /// 截至: the last day with data, for a month not yet whole.
    pub cut_off: Option<String>,
}

/// An indicator's series across the months (SPEC §14 JSON `trend`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorTrend {
    pub scheme: String,
    pub indicator: String,
    pub series: Vec<Point>,
}

/// The calendar months a window touches, each whole.
pub fn months(window: &Period) -> Vec<Period> {
    months_in(window)
        .into_iter()
        .map(|(y, m)| {
            format!("{y}-{m:02}")
                .parse()
                .expect("a year and month from a period are a valid month")
        })
        .collect()
}

/// Measures and scores `scheme` once for every month of `window`. `base` supplies the
/// tables, inventory and calendar (its period is ignored); `newest` is the newest
/// record of the scheme's sources: a month ending more than a day after it is marked
/// 截至 that day (the same day's grace as the `stale` check).
pub fn monthly(
    scheme: &Scheme,
    window: &Period,
    base: &ScoreInput,
    newest: Option<NaiveDateTime>,
) -> Result<Vec<MonthResult>, ScoreError> {
    months(window)
        .into_iter()
        .map(|month| one(scheme, month, base, newest))
        .collect()
}

/// Measures and scores `scheme` once for `period` (a month, the quarter before…),
/// marked 截至 as `monthly` marks its months.
pub fn one(
    scheme: &Scheme,
    period: Period,
    base: &ScoreInput,
    newest: Option<NaiveDateTime>,
) -> Result<MonthResult, ScoreError> {
    let input = ScoreInput {
        period: &period,
        ..*base
    };
    let measured = measure(scheme, &input, None)?;
    // Trends carry values only; the period's data audit belongs to its own report.
    let result = score(scheme, &measured, DataQuality::default());
    let cut_off = cut_off(&period, newest);
    Ok(MonthResult {
        month: period,
        result,
        cut_off,
    })
}

/// The day a period's data reach when its end is more than a day after the newest
/// record (`None`: the period is whole).
pub fn cut_off(period: &Period, newest: Option<NaiveDateTime>) -> Option<NaiveDate> {
    newest
        .filter(|n| *n < period.end_time() - chrono::Duration::days(1))
        .map(|n| n.date())
}

/// Every indicator's series across the months, in the scheme's order.
pub fn series(months: &[MonthResult]) -> Vec<IndicatorTrend> {
    let Some(first) = months.first() else {
        return Vec::new();
    };
    first
        .result
        .indicators
        .iter()
        .enumerate()
        .map(|(i, ind)| IndicatorTrend {
            scheme: first.result.scheme.clone(),
            indicator: ind.id.clone(),
            series: months
                .iter()
                .map(|m| Point {
                    period: m.month.label().to_string(),
                    value: m.result.indicators[i].value,
                    met: m.result.indicators[i].met,
                    cut_off: m.cut_off.map(|d| d.to_string()),
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::change::{Change, Side};
    use crate::score::tests::{faults, scheme_of, with_input};

    const SCHEME: &str = "      - { id: N, name: 故障数, measure: count, source: faults, target: \"<= 3\", points: 10, scoring: { rule: threshold } }\n      - { id: R, name: 响应及时率, measure: on_time_rate, source: faults, start: reported_at, end: responded_at, limit: { by: severity, values: { 1: 15m, 2: 30m, 3: 60m } }, target: \">= 90\", points: 10, scoring: { rule: threshold } }\n";

    #[test]
    fn each_month_measured_once_and_marked_when_not_whole() {
        let scheme = scheme_of("access_type: fiber\n", SCHEME);
        let window: Period = "2025-07-01..2025-08-31".parse().unwrap();
        let newest = NaiveDate::from_ymd_opt(2025, 8, 10)
            .unwrap()
            .and_hms_opt(9, 0, 0);
        let months = with_input(vec![faults()], "2025-07", |input| {
            monthly(&scheme, &window, input, newest).unwrap()
        });
        assert_eq!(months.len(), 2);
        assert!(months[0].whole());
        assert_eq!(months[1].cut_off, NaiveDate::from_ymd_opt(2025, 8, 10));
        let trend = series(&months);
        // July: five fibre tickets; T1 and T3 in time, T2 and T5 late, T4 open and
        // not yet due: 2 of 4. August: none (a count is 0, the rate has no data).
        let values =
            |i: usize| -> Vec<Option<f64>> { trend[i].series.iter().map(|p| p.value).collect() };
        assert_eq!(values(0), [Some(5.0), Some(0.0)]);
        assert_eq!(values(1), [Some(50.0), None]);
        assert_eq!(trend[0].series[1].cut_off.as_deref(), Some("2025-08-10"));
        assert_eq!(trend[0].series[0].met, Some(false));
        // August is not whole: its change against July is "—".
        let side = |m: &MonthResult| Side {
            value: m.result.indicators[0].value,
            whole: m.whole(),
        };
        let target = &scheme.indicators().next().unwrap().target;
        let change = Change::between(side(&months[1]), side(&months[0]), target);
        assert_eq!(change.text(), "—");
    }

    #[test]
    fn months_of_a_window() {
        let w: Period = "2025-07-15..2025-09-02".parse().unwrap();
        let labels: Vec<String> = months(&w).iter().map(|m| m.label().to_string()).collect();
        assert_eq!(labels, ["2025-07", "2025-08", "2025-09"]);
    }
}
