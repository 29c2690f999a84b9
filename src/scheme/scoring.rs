//! Scoring (SPEC §7): targets, the `threshold`, `linear` and `bands` rules, the
//! `missing_data` policies, `veto`, grades and the payment adjustment.
//!
//! Pure functions over numbers; totals are computed from unrounded scores.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A comparison in a target such as `>= 99.9`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    Ge,
    Gt,
    Le,
    Lt,
    Eq,
}

impl Op {
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Ge => ">=",
            Op::Gt => ">",
            Op::Le => "<=",
            Op::Lt => "<",
            Op::Eq => "==",
        }
    }
}

/// A target `OP t`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    pub op: Op,
    pub value: f64,
}

impl Target {
    pub fn is_met(&self, v: f64) -> bool {
        match self.op {
            Op::Ge => v >= self.value,
            Op::Gt => v > self.value,
            Op::Le => v <= self.value,
            Op::Lt => v < self.value,
            Op::Eq => v == self.value,
        }
    }

    /// Whether higher values are better (for `bands` direction and messages).
    pub fn higher_is_better(&self) -> bool {
        matches!(self.op, Op::Ge | Op::Gt)
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}",
            self.op.symbol(),
            crate::ingest::values::format_number(self.value)
        )
    }
}

impl FromStr for Target {
    type Err = String;

    fn from_str(s: &str) -> Result<Target, String> {
        let t = s.trim();
        let (op, rest) = [
            (">=", Op::Ge),
            ("<=", Op::Le),
            ("==", Op::Eq),
            (">", Op::Gt),
            ("<", Op::Lt),
            ("=", Op::Eq),
        ]
        .iter()
        .find_map(|(sym, op)| t.strip_prefix(sym).map(|r| (*op, r)))
        .ok_or_else(|| format!("目标 “{s}” 应以 >=、>、<=、<、== 开头，如 \">= 99.9\""))?;
        let value: f64 = rest
            .trim()
            .trim_end_matches('%')
            .trim()
            .parse()
            .map_err(|_| format!("目标 “{s}” 中的数值无法解析"))?;
        if !value.is_finite() {
            return Err(format!("目标 “{s}” 中的数值无效"));
        }
        Ok(Target { op, value })
    }
}

/// One band of the `bands` rule: the first band that holds gives its points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Band {
    /// Holds when v ≥ min.
    Min(f64, f64),
    /// Holds when v ≤ max (lower is better).
    Max(f64, f64),
}

impl Band {
    pub fn points(&self) -> f64 {
        match self {
            Band::Min(_, p) | Band::Max(_, p) => *p,
        }
    }

    fn holds(&self, v: f64) -> bool {
        match self {
            Band::Min(min, _) => v >= *min,
            Band::Max(max, _) => v <= *max,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    Threshold,
    Linear { step: f64, deduct: f64 },
    Bands(Vec<Band>),
}

/// The number of whole steps in a shortfall of `k` steps: exact multiples stay exact
/// even when floating point makes 4 into 4.000000000000057 (SPEC §7).
pub fn steps(k: f64) -> f64 {
    let r = k.round();
    if (k - r).abs() <= 1e-9 * k.abs().max(1.0) {
        r
    } else {
        k.ceil()
    }
}

/// The score of one indicator with value `v` and `points` P under `rule`.
pub fn score(rule: &Rule, target: &Target, points: f64, v: f64) -> f64 {
    match rule {
        Rule::Threshold => {
            if target.is_met(v) {
                points
            } else {
                0.0
            }
        }
        Rule::Linear { step, deduct } => {
            if target.is_met(v) {
                return points;
            }
            let k = (v - target.value).abs() / step;
            (points - steps(k) * deduct).max(0.0)
        }
        Rule::Bands(bands) => bands.iter().find(|b| b.holds(v)).map_or(0.0, Band::points),
    }
}

/// What an indicator without rows in the period scores (SPEC §7 `missing_data`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingData {
    /// Left out; the total is rescaled to `total_points`.
    #[default]
    Exclude,
    Zero,
    Full,
}

/// One scored indicator as the total needs it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scored {
    pub points: f64,
    /// `None` when the indicator has no data.
    pub score: Option<f64>,
    /// `Some(cap)` when the indicator has a veto and was not met.
    pub veto_cap: Option<f64>,
}

/// The total: Σ scores (no-data indicators per `missing`), rescaled to `total_points`
/// when indicators are excluded, then capped by any triggered veto. `None` when, under
/// `exclude`, the indicators with data carry less than `min_scored_pct` % of
/// `total_points` (or nothing at all): no money moves on too little evidence (SPEC §7).
pub fn total(
    items: &[Scored],
    missing: MissingData,
    total_points: f64,
    min_scored_pct: f64,
) -> Option<f64> {
    let mut sum = 0.0;
    let mut points = 0.0;
    for item in items {
        match (item.score, missing) {
            (Some(s), _) => {
                sum += s;
                points += item.points;
            }
            (None, MissingData::Exclude) => {}
            (None, MissingData::Zero) => points += item.points,
            (None, MissingData::Full) => {
                sum += item.points;
                points += item.points;
            }
        }
    }
    if points <= 0.0 {
        return None;
    }
    if missing == MissingData::Exclude && points < min_scored_pct / 100.0 * total_points {
        return None;
    }
    let mut total = sum / points * total_points;
    for cap in items.iter().filter_map(|i| i.veto_cap) {
        total = total.min(cap);
    }
    Some(total)
}

/// The first band (sorted by `min` descending) whose `min` the total reaches.
pub fn band_for<T>(bands: &[(f64, T)], total: f64) -> Option<&T> {
    bands.iter().find(|(min, _)| total >= *min).map(|(_, t)| t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Target {
        s.parse().unwrap()
    }

    #[test]
    fn targets_parse_and_compare() {
        assert!(t(">= 99.9").is_met(99.9));
        assert!(!t("> 99.9").is_met(99.9));
        assert!(t("<=0").is_met(0.0));
        assert!(t("< 20 ").is_met(19.99));
        assert!(t(">= 95%").is_met(95.0));
        assert!("99.9".parse::<Target>().is_err());
        assert!(">= abc".parse::<Target>().is_err());
    }

    #[test]
    fn threshold_scores_all_or_nothing() {
        assert_eq!(score(&Rule::Threshold, &t("<= 20"), 3.0, 20.0), 3.0);
        assert_eq!(score(&Rule::Threshold, &t("<= 20"), 3.0, 20.01), 0.0);
    }

    #[test]
    fn linear_deducts_per_started_step() {
        let rule = Rule::Linear {
            step: 0.1,
            deduct: 3.0,
        };
        let target = t(">= 99.9");
        assert_eq!(score(&rule, &target, 15.0, 99.95), 15.0);
        // 0.05 short is half a step: a started step deducts in full.
        assert_eq!(score(&rule, &target, 15.0, 99.85), 12.0);
        // Exactly 4 steps short, though 99.9 − 99.5 = 0.4000000000000057 in floating point.
        assert_eq!(score(&rule, &target, 15.0, 99.5), 3.0);
        // Never below zero.
        assert_eq!(score(&rule, &target, 15.0, 90.0), 0.0);
        // Lower is better: 27 ms against <= 20 with step 5 is 1.4 steps → 2 steps.
        let lat = Rule::Linear {
            step: 5.0,
            deduct: 2.0,
        };
        assert_eq!(score(&lat, &t("<= 20"), 8.0, 27.0), 4.0);
        assert_eq!(score(&lat, &t("<= 20"), 8.0, 30.0), 4.0);
    }

    #[test]
    fn exact_step_counts_survive_floating_point() {
        assert_eq!(steps((99.9f64 - 99.5) / 0.1), 4.0);
        assert_eq!(steps(4.000000000000057), 4.0);
        assert_eq!(steps(4.01), 5.0);
        assert_eq!(steps(0.0), 0.0);
    }

    #[test]
    fn bands_take_the_first_that_holds_at_their_boundaries() {
        let bands = Rule::Bands(vec![
            Band::Min(99.9, 15.0),
            Band::Min(99.5, 10.0),
            Band::Min(0.0, 0.0),
        ]);
        let target = t(">= 99.9");
        assert_eq!(score(&bands, &target, 15.0, 99.9), 15.0);
        assert_eq!(score(&bands, &target, 15.0, 99.89), 10.0);
        assert_eq!(score(&bands, &target, 15.0, 99.5), 10.0);
        assert_eq!(score(&bands, &target, 15.0, 99.49), 0.0);
        let lower = Rule::Bands(vec![Band::Max(10.0, 4.0), Band::Max(20.0, 2.0)]);
        assert_eq!(score(&lower, &t("<= 10"), 4.0, 10.0), 4.0);
        assert_eq!(score(&lower, &t("<= 10"), 4.0, 20.0), 2.0);
        assert_eq!(score(&lower, &t("<= 10"), 4.0, 20.5), 0.0);
    }

    #[test]
    fn missing_data_policies() {
        let items = [
            Scored {
                points: 60.0,
                score: Some(54.0),
                veto_cap: None,
            },
            Scored {
                points: 40.0,
                score: None,
                veto_cap: None,
            },
        ];
        let t = |m| total(&items, m, 100.0, 60.0).unwrap();
        assert!((t(MissingData::Exclude) - 90.0).abs() < 1e-12);
        assert!((t(MissingData::Zero) - 54.0).abs() < 1e-12);
        assert!((t(MissingData::Full) - 94.0).abs() < 1e-12);
    }

    #[test]
    fn too_little_data_gives_no_total_under_exclude() {
        let item = |points: f64, score: Option<f64>| Scored {
            points,
            score,
            veto_cap: None,
        };
        // 60 of 100 points scored: exactly at the default 60 %, the total counts.
        let at = [item(60.0, Some(30.0)), item(40.0, None)];
        assert_eq!(total(&at, MissingData::Exclude, 100.0, 60.0), Some(50.0));
        // 59 of 100: below, no total (not 100 from rescaling one indicator).
        let below = [item(59.0, Some(59.0)), item(41.0, None)];
        assert_eq!(total(&below, MissingData::Exclude, 100.0, 60.0), None);
        assert_eq!(
            total(&below, MissingData::Exclude, 100.0, 50.0),
            Some(100.0)
        );
        // Nothing scored at all: never 0 and 不合格.
        let none = [item(100.0, None)];
        assert_eq!(total(&none, MissingData::Exclude, 100.0, 0.0), None);
        // A scheme that wants missing data to cost says `zero`: then it always counts.
        assert_eq!(total(&below, MissingData::Zero, 100.0, 60.0), Some(59.0));
        assert_eq!(total(&none, MissingData::Zero, 100.0, 60.0), Some(0.0));
        assert_eq!(total(&none, MissingData::Full, 100.0, 60.0), Some(100.0));
    }

    #[test]
    fn veto_caps_the_total() {
        let items = [
            Scored {
                points: 95.0,
                score: Some(95.0),
                veto_cap: None,
            },
            Scored {
                points: 5.0,
                score: Some(0.0),
                veto_cap: Some(59.0),
            },
        ];
        assert_eq!(total(&items, MissingData::Exclude, 100.0, 60.0), Some(59.0));
    }

    #[test]
    fn grade_bands() {
        let grades = [
            (90.0, "优秀"),
            (80.0, "良好"),
            (60.0, "合格"),
            (0.0, "不合格"),
        ];
        assert_eq!(band_for(&grades, 90.0), Some(&"优秀"));
        assert_eq!(band_for(&grades, 89.99), Some(&"良好"));
        assert_eq!(band_for(&grades, 0.0), Some(&"不合格"));
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    fn rules() -> impl Strategy<Value = Rule> {
        prop_oneof![
            Just(Rule::Threshold),
            (0.01f64..10.0, 0.1f64..5.0).prop_map(|(step, deduct)| Rule::Linear { step, deduct }),
        ]
    }

    proptest! {
        /// A better value never scores less, and a score stays within [0, points]
        /// (SPEC §7), for targets either side.
        #[test]
        fn scoring_is_monotone_and_bounded(
            rule in rules(),
            higher in any::<bool>(),
            target in -100f64..100.0,
            points in 0.5f64..30.0,
            a in -200f64..200.0,
            b in -200f64..200.0,
        ) {
            let t = Target { op: if higher { Op::Ge } else { Op::Le }, value: target };
            let (sa, sb) = (score(&rule, &t, points, a), score(&rule, &t, points, b));
            prop_assert!((0.0..=points).contains(&sa));
            let a_better = if higher { a >= b } else { a <= b };
            if a_better {
                prop_assert!(sa >= sb, "{a} scores {sa} < {b} scores {sb}");
            }
        }
    }
}
