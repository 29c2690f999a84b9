//! The change of an indicator against the previous comparable period (SPEC §14
//! "Trends and changes"): shown only between two periods that both have data and are
//! whole; the arrow follows the value, the colour the indicator's direction.

use crate::scheme::scoring::Target;
use serde::Serialize;

/// One side of a comparison: the value (if any) and whether its period is whole
/// (ends no later than the newest record).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Side {
    pub value: Option<f64>,
    pub whole: bool,
}

/// A change as reports show it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// "—": a side without data, or a period not yet whole.
    NotComparable,
    /// The value moved by `delta` (this − previous); `better` in the indicator's
    /// direction (higher for `>=`/`>` targets, lower for `<=`/`<`).
    Moved { delta: f64, better: bool },
    /// The same value.
    Same,
}

impl Change {
    /// This period against the previous one, judged by the indicator's target.
    pub fn between(this: Side, previous: Side, target: &Target) -> Change {
        let (Some(now), Some(before)) = (this.value, previous.value) else {
            return Change::NotComparable;
        };
        if !this.whole || !previous.whole {
            return Change::NotComparable;
        }
        let delta = now - before;
        if delta == 0.0 {
            return Change::Same;
        }
        let better = match target.op {
            crate::scheme::scoring::Op::Eq => {
                (now - target.value).abs() < (before - target.value).abs()
            }
            _ if target.higher_is_better() => delta > 0.0,
            _ => delta < 0.0,
        };
        Change::Moved { delta, better }
    }

    /// The text a table shows: `▲0.12`, `▼3.00`, `持平` or `—` (2 decimals; a change
    /// that rounds to 0.00 reads 持平).
    pub fn text(&self) -> String {
        match self {
            Change::NotComparable => "—".to_string(),
            Change::Same => "持平".to_string(),
            Change::Moved { delta, .. } if delta.abs() < 0.005 => "持平".to_string(),
            Change::Moved { delta, .. } if *delta > 0.0 => format!("▲{:.2}", delta),
            Change::Moved { delta, .. } => format!("▼{:.2}", -delta),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(v: Option<f64>) -> Side {
        Side {
            value: v,
            whole: true,
        }
    }

    #[test]
    fn direction_follows_the_target() {
        let availability: Target = ">= 99.9".parse().unwrap();
        let latency: Target = "<= 20".parse().unwrap();
        // Availability up 0.05: ▲, better. Latency up 3 ms: ▲, worse.
        let up = Change::between(side(Some(99.95)), side(Some(99.9)), &availability);
        assert!(matches!(up, Change::Moved { better: true, .. }));
        assert_eq!(up.text(), "▲0.05");
        let slower = Change::between(side(Some(23.0)), side(Some(20.0)), &latency);
        assert_eq!(
            slower,
            Change::Moved {
                delta: 3.0,
                better: false
            }
        );
        let faster = Change::between(side(Some(17.5)), side(Some(20.0)), &latency);
        assert_eq!(
            (
                faster.text(),
                matches!(faster, Change::Moved { better: true, .. })
            ),
            ("▼2.50".to_string(), true)
        );
        assert_eq!(
            Change::between(side(Some(5.0)), side(Some(5.0)), &latency).text(),
            "持平"
        );
        // A change that shows as 0.00 reads 持平.
        let tiny = Change::between(side(Some(5.001)), side(Some(5.0)), &latency);
        assert_eq!(tiny.text(), "持平");
    }

    #[test]
    fn no_data_or_a_partial_period_is_not_compared() {
        let t: Target = ">= 95".parse().unwrap();
        assert_eq!(
            Change::between(side(Some(96.0)), side(None), &t).text(),
            "—"
        );
        assert_eq!(
            Change::between(side(None), side(Some(96.0)), &t).text(),
            "—"
        );
        let partial = Side {
            value: Some(99.0),
            whole: false,
        };
        assert_eq!(
            Change::between(partial, side(Some(96.0)), &t),
            Change::NotComparable
        );
    }
}
