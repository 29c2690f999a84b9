//! What a piece of a period (a month) gives a sample indicator, kept so that pieces
//! add up to the whole: counts and sums, extremes, and for percentiles every value
//! with its number of occurrences (exports carry a few thousand distinct values, so
//! a year of them is small). A quarter or a year is then the sum of its months,
//! each month read once (DESIGN: measure once, score many ways).

use super::measure::Measured;
use crate::frame::nearest_rank_index;
use crate::scheme::{PercentileMethod, Stat};
use std::collections::HashMap;
use std::hash::BuildHasherDefault;

/// A fast hasher for f64 bit patterns (the values of one column): std's SipHash is
/// the slowest part of counting tens of millions of values.
#[derive(Default, Clone, Copy)]
pub struct BitsHasher(u64);

impl std::hash::Hasher for BitsHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(*b as u64);
        }
    }

    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// Occurrences of each value, by its bit pattern (−0.0 counted as 0.0).
pub type Counts = HashMap<u64, u64, BuildHasherDefault<BitsHasher>>;

/// How an indicator's values add up.
#[derive(Debug, Clone, PartialEq)]
pub enum Partial {
    /// mean, min, max or sum of the non-null values.
    Stat {
        stat: Stat,
        sum: f64,
        count: u64,
        min: f64,
        max: f64,
    },
    /// Every value and how often it occurs.
    Values {
        p: f64,
        method: PercentileMethod,
        counts: Counts,
    },
    /// Rows where the condition held, of the rows counted.
    Ratio { held: u64, n: u64 },
    /// The rows are the value.
    Count,
}

/// One indicator's partial and the rows behind it (rows passing its `where`).
#[derive(Debug, Clone, PartialEq)]
pub struct Acc {
    pub partial: Partial,
    pub rows: u64,
}

impl Partial {
    pub fn stat(stat: Stat) -> Partial {
        Partial::Stat {
            stat,
            sum: 0.0,
            count: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }

    pub fn values(p: f64, method: PercentileMethod) -> Partial {
        Partial::Values {
            p,
            method,
            counts: Counts::default(),
        }
    }

    /// Adds one non-null value (`Stat`, `Values`).
    pub fn add_value(&mut self, v: f64) {
        match self {
            Partial::Stat {
                sum,
                count,
                min,
                max,
                ..
            } => {
                *sum += v;
                *count += 1;
                *min = min.min(v);
                *max = max.max(v);
            }
            Partial::Values { counts, .. } => *counts.entry((v + 0.0).to_bits()).or_default() += 1,
            _ => {}
        }
    }

    /// Adds one row's condition (`Ratio`).
    pub fn add_held(&mut self, held: bool) {
        if let Partial::Ratio { held: h, n } = self {
            *h += held as u64;
            *n += 1;
        }
    }

    /// Adds another piece of the same indicator.
    pub fn merge(&mut self, other: &Partial) {
        match (self, other) {
            (
                Partial::Stat {
                    sum,
                    count,
                    min,
                    max,
                    ..
                },
                Partial::Stat {
                    sum: s,
                    count: c,
                    min: lo,
                    max: hi,
                    ..
                },
            ) => {
                *sum += s;
                *count += c;
                *min = min.min(*lo);
                *max = max.max(*hi);
            }
            (Partial::Values { counts, .. }, Partial::Values { counts: other, .. }) => {
                for (k, n) in other {
                    *counts.entry(*k).or_default() += n;
                }
            }
            (Partial::Ratio { held, n }, Partial::Ratio { held: h, n: m }) => {
                *held += h;
                *n += m;
            }
            _ => {}
        }
    }

    /// The value, as the polars expressions of `measure` give it over the same rows.
    pub fn value(&self, rows: u64) -> Option<f64> {
        match self {
            Partial::Stat { count: 0, .. } => None,
            Partial::Stat {
                stat,
                sum,
                count,
                min,
                max,
            } => Some(match stat {
                Stat::Mean => sum / *count as f64,
                Stat::Sum => *sum,
                Stat::Min => *min,
                Stat::Max => *max,
            }),
            Partial::Values { p, method, counts } => percentile(counts, *p, *method),
            Partial::Ratio { n: 0, .. } => None,
            Partial::Ratio { held, n } => Some(*held as f64 / *n as f64 * 100.0),
            Partial::Count => Some(rows as f64),
        }
    }
}

impl Acc {
    pub fn merge(&mut self, other: &Acc) {
        self.partial.merge(&other.partial);
        self.rows += other.rows;
    }

    pub fn measured(&self) -> Measured {
        Measured {
            value: self.partial.value(self.rows),
            rows: self.rows,
        }
    }
}

/// The k-th smallest value (0-based) of (value, occurrences) sorted by value.
fn kth(sorted: &[(f64, u64)], k: u64) -> f64 {
    let mut seen = 0;
    for (v, n) in sorted {
        seen += n;
        if k < seen {
            return *v;
        }
    }
    sorted.last().map_or(f64::NAN, |v| v.0)
}

/// The `p`-th percentile of the counted values: nearest rank as `frame::nearest_rank`,
/// linear as polars' `QuantileMethod::Linear` (between ranks ⌊(n−1)p⌋ and ⌈(n−1)p⌉).
pub fn percentile(counts: &Counts, p: f64, method: PercentileMethod) -> Option<f64> {
    let n: u64 = counts.values().sum();
    if n == 0 {
        return None;
    }
    let mut sorted: Vec<(f64, u64)> = counts
        .iter()
        .map(|(b, n)| (f64::from_bits(*b), *n))
        .collect();
    sorted.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    match method {
        PercentileMethod::NearestRank => {
            Some(kth(&sorted, nearest_rank_index(n as usize, p) as u64))
        }
        PercentileMethod::Linear => {
            let at = (n - 1) as f64 * (p / 100.0);
            let (lo, hi) = (at.floor(), at.ceil());
            let low = kth(&sorted, lo as u64);
            if lo == hi {
                return Some(low);
            }
            let high = kth(&sorted, hi as u64);
            Some(if low == high {
                low
            } else {
                (at - lo) * (high - low) + low
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::*;

    /// Percentiles from counted values equal polars' over the same values, for
    /// samples with repeats, both methods and several p.
    #[test]
    fn percentiles_agree_with_polars() {
        let mut rng = crate::rng::Rng::stream(3, "partial");
        for n in [1usize, 2, 3, 7, 20, 101, 1000] {
            let values: Vec<f64> = (0..n).map(|_| rng.int(0, 300) as f64 / 10.0).collect();
            let mut counts = Counts::default();
            for v in &values {
                *counts.entry(v.to_bits()).or_default() += 1;
            }
            for p in [0.0, 1.0, 50.0, 90.0, 95.0, 99.0, 100.0] {
                for method in [PercentileMethod::Linear, PercentileMethod::NearestRank] {
                    let df = df!("v" => values.clone()).unwrap();
                    let want = df
                        .lazy()
                        .select([super::super::measure::percentile_of(col("v"), p, method)])
                        .collect()
                        .unwrap();
                    let want = crate::frame::f64_values(&want, "v").unwrap()[0];
                    assert_eq!(
                        percentile(&counts, p, method),
                        want,
                        "n {n} p {p} {method:?}"
                    );
                }
            }
        }
    }

    /// Two pieces merged give what one piece of all their values gives.
    #[test]
    fn pieces_add_up_to_the_whole() {
        let (a, b) = ([1.0, 4.0, 4.0], [2.0, 9.0]);
        let fill = |mut p: Partial, vs: &[f64]| {
            for v in vs {
                p.add_value(*v);
            }
            p
        };
        for make in [
            || Partial::stat(Stat::Mean),
            || Partial::stat(Stat::Max),
            || Partial::stat(Stat::Min),
            || Partial::stat(Stat::Sum),
            || Partial::values(50.0, PercentileMethod::Linear),
        ] {
            let mut merged = fill(make(), &a);
            merged.merge(&fill(make(), &b));
            let whole = fill(make(), &[a.as_slice(), b.as_slice()].concat());
            assert_eq!(merged.value(5), whole.value(5));
        }
        assert_eq!(fill(Partial::stat(Stat::Mean), &[]).value(0), None);
        let mut r = Partial::Ratio { held: 0, n: 0 };
        for h in [true, false, true, true] {
            r.add_held(h);
        }
        assert_eq!(r.value(4), Some(75.0));
        assert_eq!(Partial::Count.value(7), Some(7.0));
    }
}
