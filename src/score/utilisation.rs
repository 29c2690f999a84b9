//! Bandwidth utilisation for the 网络性能 chapter (SPEC §14): each line's 95th
//! percentile rate in the period (nearest rank over max(in, out), as the fee audit's
//! advice measures it, SPEC §8) against its inventory bandwidth, and the lines
//! above 80 % or below 10 % (the `utilisation_high` / `utilisation_low` thresholds).

use super::samples::{line_ids, LineIndex, INV_LINE};
use super::{rows, ScoreError, ScoreInput};
use crate::frame::{self, CollectStreaming, StepContext};
use crate::ingest::LoadedTable;
use crate::tables::Table;
use polars::prelude::*;

pub const HIGH_PCT: f64 = 80.0;
pub const LOW_PCT: f64 = 10.0;

/// One line's use of its bandwidth.
#[derive(Debug, Clone, PartialEq)]
pub struct LineUse {
    pub line_id: String,
    pub district: Option<String>,
    pub bandwidth_mbps: f64,
    pub p95_mbps: f64,
    /// p95 ÷ bandwidth × 100.
    pub pct: f64,
    /// The month whose p95 this is (the busiest, over a quarter or a year).
    pub month: String,
}

/// The lines with traffic and a bandwidth, most used first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Utilisation {
    pub lines: Vec<LineUse>,
}

impl Utilisation {
    pub fn high(&self) -> usize {
        self.lines.iter().filter(|l| l.pct > HIGH_PCT).count()
    }

    pub fn low(&self) -> usize {
        self.lines.iter().filter(|l| l.pct < LOW_PCT).count()
    }
}

/// Each line of `access` type's p95 rate against its bandwidth: the month's, or over
/// a quarter or a year the busiest month's (the p95 of burstable billing is monthly,
/// SPEC §8, and a month at a time keeps a year's samples out of memory). Lines
/// without rates (in_bps/out_bps empty), or without a bandwidth in the inventory,
/// are left out.
///
/// One streaming read a month keeps two columns, the line's index and the rate (12
/// bytes a sample); the rates are then laid out line by line (a counting sort) and
/// each line's nearest rank is selected in place — about a third of the memory of a
/// polars group-by percentile over line ids.
pub fn measure(
    t: &LoadedTable,
    access: Option<&str>,
    input: &ScoreInput,
) -> Result<Utilisation, ScoreError> {
    if !t.configured {
        return Ok(Utilisation::default());
    }
    let lines = line_ids(t, access, input, false)?;
    let index = LineIndex::new(&lines, None, input, &[])?;
    // Per line: the highest monthly p95 and its month.
    let mut busiest: Vec<Option<(f64, String)>> = vec![None; lines.len()];
    for month in crate::period::month_pieces(input.period) {
        let scoped = rows::scoped(t, access, &index.inventory)?;
        let df = rows::in_period(scoped, Table::Samples, "time", &month)
            .select([
                col(INV_LINE).alias("_li"),
                crate::fees::usage::rate_mbps()?.alias("_rate"),
            ])
            .filter(col("_li").is_not_null().and(col("_rate").is_not_null()))
            .collect_streaming()
            .step("读取线路速率")?;
        for (k, p) in by_line_p95(&df, lines.len())?.into_iter().enumerate() {
            if let Some(p) = p {
                if busiest[k].as_ref().is_none_or(|(b, _)| p > *b) {
                    busiest[k] = Some((p, month.label().to_string()));
                }
            }
        }
    }
    let mut out: Vec<LineUse> = lines
        .into_iter()
        .zip(busiest)
        .filter_map(|(id, p)| {
            let (p, month) = p?;
            let line = input.inventory.get(&id)?;
            let bw = line.bandwidth_mbps.filter(|b| *b > 0.0)?;
            Some(LineUse {
                district: line.district.clone(),
                bandwidth_mbps: bw,
                p95_mbps: p,
                pct: 100.0 * p / bw,
                month,
                line_id: id,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.pct
            .partial_cmp(&a.pct)
            .expect("shares are numbers")
            .then(a.line_id.cmp(&b.line_id))
    });
    Ok(Utilisation { lines: out })
}

/// The nearest-rank 95th percentile of each line's rates (`None`: no rate).
fn by_line_p95(df: &DataFrame, n_lines: usize) -> Result<Vec<Option<f64>>, ScoreError> {
    let li = df.column("_li").step("读取线路速率")?;
    let li = li.u32().step("读取线路速率")?;
    let rate = df.column("_rate").step("读取线路速率")?;
    let rate = rate.f64().step("读取线路速率")?;
    // Where each line's rates start in one flat array.
    let mut start = vec![0usize; n_lines + 1];
    for l in li.into_no_null_iter() {
        start[l as usize + 1] += 1;
    }
    for k in 1..start.len() {
        start[k] += start[k - 1];
    }
    let mut flat = vec![0.0f64; start[n_lines]];
    let mut next = start.clone();
    for (l, r) in li.into_no_null_iter().zip(rate.into_no_null_iter()) {
        flat[next[l as usize]] = r;
        next[l as usize] += 1;
    }
    Ok((0..n_lines)
        .map(|k| {
            let values = &mut flat[start[k]..start[k + 1]];
            (!values.is_empty()).then(|| {
                let at = frame::nearest_rank_index(values.len(), 95.0);
                *values.select_nth_unstable_by(at, f64::total_cmp).1
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rank_in_rust_is_the_rank_polars_takes() {
        for n in 1..=120usize {
            for p in [50.0, 90.0, 95.0, 99.0] {
                let values: Vec<f64> = (0..n).rev().map(|v| v as f64).collect();
                let df = df!("v" => values).unwrap();
                let got = df
                    .lazy()
                    .select([frame::nearest_rank(col("v"), p).alias("p")])
                    .collect()
                    .unwrap();
                let polars = frame::f64_values(&got, "p").unwrap()[0].unwrap();
                assert_eq!(
                    frame::nearest_rank_index(n, p) as f64,
                    polars,
                    "n {n}, p {p}"
                );
            }
        }
        // By hand: 95 % of 20 is the 19th smallest, of 2 the 2nd, of 1 the 1st.
        assert_eq!(frame::nearest_rank_index(20, 95.0), 18);
        assert_eq!(frame::nearest_rank_index(2, 95.0), 1);
        assert_eq!(frame::nearest_rank_index(1, 95.0), 0);
    }

    #[test]
    fn each_lines_rates_laid_out_and_ranked() {
        // Line 0: 50, 90 → p95 is the 2nd of 2 = 90. Line 1: none. Line 2: 1..=20
        // shuffled → the 19th smallest = 19.
        let mut li = vec![0u32, 0];
        let mut rate = vec![50.0, 90.0];
        for v in [
            7, 3, 20, 1, 19, 2, 18, 4, 17, 5, 16, 6, 15, 8, 14, 9, 13, 10, 12, 11,
        ] {
            li.push(2);
            rate.push(v as f64);
        }
        let df = df!("_li" => li, "_rate" => rate).unwrap();
        assert_eq!(by_line_p95(&df, 3).unwrap(), [Some(90.0), None, Some(19.0)]);
    }

    /// Over two months each line's figure is its busier month's p95: L1 has 10, 20
    /// Mbps in July (p95 20) and 50 in August (p95 50) on 100 Mbps.
    #[test]
    fn over_months_the_busiest_months_p95() {
        use crate::score::tests::{strs, table, with_input};
        let ms = |s: &str| {
            crate::frame::millis(
                chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap(),
            )
        };
        let when = ["2025-07-01 00:00", "2025-07-01 00:05", "2025-08-01 00:00"];
        let time = Int64Chunked::from_iter_options("time".into(), when.iter().map(|s| Some(ms(s))))
            .into_datetime(TimeUnit::Milliseconds, None)
            .into_column();
        let samples = table(
            Table::Samples,
            vec![
                time,
                strs("line_id", &["L1", "L1", "L1"]),
                Column::new("in_bps".into(), vec![10e6, 20e6, 50e6]),
                Column::new("out_bps".into(), vec![1e6, 1e6, 1e6]),
            ],
        );
        let u = with_input(vec![samples], "2025-07-01..2025-08-31", |input| {
            measure(&input.tables[&Table::Samples], Some("fiber"), input).unwrap()
        });
        assert_eq!(u.lines.len(), 1);
        assert_eq!(u.lines[0].p95_mbps, 50.0);
        assert_eq!(u.lines[0].month, "2025-08");
        assert_eq!(u.lines[0].pct, 50.0);
    }
}
