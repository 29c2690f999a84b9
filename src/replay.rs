//! Replay of a proposed scheme on past periods (SPEC §17): each sub-period measured
//! once, scored with the current and the proposed scheme, and the differences.
//!
//! The proposed scheme's indicators that measure exactly as the current scheme's
//! (same id, measure, source, `where`, time column and access type) reuse the current
//! measurement; only the others are measured again.

use crate::scheme::{Indicator, Scheme};
use crate::score::{Measurements, ScoreResult};
use serde::Serialize;

/// Whether `new` measures the same as `old` (its value would be the same).
fn measures_alike(old: &Indicator, new: &Indicator) -> bool {
    old.id == new.id
        && old.measure == new.measure
        && old.source == new.source
        && old.filter == new.filter
        && old.time_column == new.time_column
}

/// The proposed scheme reduced to the indicators the current measurement lacks
/// (`None` when it lacks none).
pub fn still_to_measure(current: &Scheme, proposed: &Scheme) -> Option<Scheme> {
    let same_scope = current.access_type == proposed.access_type;
    let shared =
        |ind: &Indicator| same_scope && current.indicators().any(|old| measures_alike(old, ind));
    let mut rest = proposed.clone();
    for d in &mut rest.dimensions {
        d.indicators.retain(|i| !shared(i));
    }
    rest.dimensions.retain(|d| !d.indicators.is_empty());
    (!rest.dimensions.is_empty()).then_some(rest)
}

/// The proposed scheme's measurements: the shared indicators from `current`, the
/// others from `extra` (the measurement of `still_to_measure`).
pub fn combined(current: &Measurements, extra: Option<Measurements>) -> Measurements {
    let mut m = current.clone();
    if let Some(extra) = extra {
        m.indicators.extend(extra.indicators);
        m.inputs.extend(extra.inputs);
        m.inputs
            .sort_by(|a, b| (&a.table, &a.path).cmp(&(&b.table, &b.path)));
        m.inputs.dedup();
    }
    m
}

/// Total, grade and payment adjustment of one scoring.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub total: Option<f64>,
    pub grade: Option<String>,
    pub payment_adjust_pct: Option<f64>,
}

/// An indicator whose score differs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Changed {
    pub indicator: String,
    pub name: String,
    pub score_before: Option<f64>,
    pub score_after: Option<f64>,
}

/// One sub-period before and after (diff = after − before).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodReplay {
    pub period: String,
    pub before: Outcome,
    pub after: Outcome,
    pub total_diff: Option<f64>,
    pub payment_diff: Option<f64>,
    pub grade_changed: bool,
    pub changed: Vec<Changed>,
}

impl PeriodReplay {
    /// Whether the revision moves the grade or the money in this period.
    pub fn moves(&self) -> bool {
        self.grade_changed || self.payment_diff.is_some_and(|d| d != 0.0)
    }
}

/// The replay (the JSON of SPEC §17).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Replay {
    pub scheme: String,
    pub proposed: String,
    /// The proposed scheme's file, as given.
    pub proposed_file: String,
    pub period: String,
    pub periods: Vec<PeriodReplay>,
}

fn outcome(r: &ScoreResult) -> Outcome {
    Outcome {
        total: r.total,
        grade: r.grade.clone(),
        payment_adjust_pct: r.payment_adjust_pct,
    }
}

/// The difference after − before, rounded to 1e-9 so that equal totals give 0.
fn diff(before: Option<f64>, after: Option<f64>) -> Option<f64> {
    Some(((after? - before?) * 1e9).round() / 1e9 + 0.0)
}

/// Compares the two scorings of one period.
pub fn compare(before: &ScoreResult, after: &ScoreResult) -> PeriodReplay {
    let mut changed = Vec::new();
    for b in &before.indicators {
        let a = after.indicators.iter().find(|a| a.id == b.id);
        let score_after = a.and_then(|a| a.score);
        if a.is_none() || score_after != b.score {
            changed.push(Changed {
                indicator: b.id.clone(),
                name: b.name.clone(),
                score_before: b.score,
                score_after,
            });
        }
    }
    for a in &after.indicators {
        if !before.indicators.iter().any(|b| b.id == a.id) {
            changed.push(Changed {
                indicator: a.id.clone(),
                name: a.name.clone(),
                score_before: None,
                score_after: a.score,
            });
        }
    }
    PeriodReplay {
        period: before.period.clone(),
        before: outcome(before),
        after: outcome(after),
        total_diff: diff(before.total, after.total),
        payment_diff: diff(before.payment_adjust_pct, after.payment_adjust_pct),
        grade_changed: before.grade != after.grade,
        changed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::period::Period;

    fn scheme(target: &str, column: &str) -> Scheme {
        let text = format!("scheme: t\ntotal_points: 20\naccess_type: fiber\ngrades: [{{ min: 0, name: 合格 }}]\ndimensions:\n  - id: d\n    name: 维度\n    indicators:\n      - {{ id: A, name: 可用率, measure: availability, source: samples, target: \"{target}\", points: 10, scoring: {{ rule: threshold }} }}\n      - {{ id: L, name: 时延, measure: mean, column: {column}, source: samples, target: \"<= 20\", points: 10, scoring: {{ rule: threshold }} }}\n");
        Scheme::parse("t", "t.yaml", &text).unwrap_or_else(|e| panic!("{e}"))
    }

    /// A changed target or rule measures nothing again; a changed column does.
    #[test]
    fn only_indicators_that_measure_differently_are_measured_again() {
        let current = scheme(">= 99", "latency_ms");
        assert!(still_to_measure(&current, &scheme(">= 99.9", "latency_ms")).is_none());
        let rest = still_to_measure(&current, &scheme(">= 99", "jitter_ms")).unwrap();
        let ids: Vec<&str> = rest.indicators().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["L"]);
        let mut other_scope = scheme(">= 99", "latency_ms");
        other_scope.access_type = Some("5g".into());
        assert_eq!(
            still_to_measure(&current, &other_scope)
                .unwrap()
                .indicators()
                .count(),
            2
        );
    }

    #[test]
    fn sub_periods_are_clipped_to_the_period() {
        let p: Period = "2025-07-15..2025-10-31".parse().unwrap();
        let months: Vec<String> = crate::period::sub_periods(&p, false)
            .iter()
            .map(|p| p.label().to_string())
            .collect();
        assert_eq!(
            months,
            ["2025-07-15..2025-07-31", "2025-08", "2025-09", "2025-10"]
        );
        let quarters: Vec<String> = crate::period::sub_periods(&p, true)
            .iter()
            .map(|p| p.label().to_string())
            .collect();
        assert_eq!(
            quarters,
            ["2025-07-15..2025-09-30", "2025-10-01..2025-10-31"]
        );
    }
}
