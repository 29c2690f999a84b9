//! Availability and latency of a period by day (the reports' chart) and by line (the
//! 10 worst lines), SPEC §14 四、网络性能: pooled availability from samples and mean
//! latency of reachable samples, by the same rules as the `availability` measure
//! (active dates, planned windows, duplicates), in one streaming read each.
//!
//! Sums are of whole numbers (counts, latency in microseconds), so the streaming
//! engine gives the same figures every run.

use super::samples::{line_ids, LineIndex};
use super::{availability, rows, ScoreError, ScoreInput};
use crate::frame::{self, CollectStreaming, StepContext};
use crate::ingest::LoadedTable;
use crate::tables::Table;
use chrono::NaiveDate;
use polars::prelude::*;

const DAY_MS: i64 = 86_400_000;

/// One day of the series.
#[derive(Debug, Clone, PartialEq)]
pub struct Day {
    pub date: NaiveDate,
    /// Up ÷ counted samples × 100 (`None`: no counted sample that day).
    pub availability: Option<f64>,
    /// Mean latency (ms) of the day's reachable samples with a latency.
    pub latency_ms: Option<f64>,
}

/// Every day of the input's period with samples of `access` lines, in date order.
pub fn daily(
    t: &LoadedTable,
    access: Option<&str>,
    input: &ScoreInput,
) -> Result<Vec<Day>, ScoreError> {
    let key = (col("time").cast(DataType::Int64) / lit(DAY_MS)).alias("_key");
    let figures = figures_by(t, access, input, key, "按日统计可用率与时延")?;
    Ok(figures
        .into_iter()
        .filter_map(|f| {
            let day: i32 = f.key.parse().ok()?;
            Some(Day {
                date: frame::from_days(day),
                availability: f.availability,
                latency_ms: f.latency_ms,
            })
        })
        .collect())
}

/// One line's figures for the period.
#[derive(Debug, Clone, PartialEq)]
pub struct LineFigures {
    pub line_id: String,
    pub availability: Option<f64>,
    pub latency_ms: Option<f64>,
    /// Samples counted for availability.
    pub samples: u64,
}

/// The `n` lines of lowest availability (then highest latency), by the same rules.
pub fn worst_lines(
    t: &LoadedTable,
    access: Option<&str>,
    input: &ScoreInput,
    n: usize,
) -> Result<Vec<LineFigures>, ScoreError> {
    let key = col("line_id").alias("_key");
    let mut lines: Vec<LineFigures> = figures_by(t, access, input, key, "按线路统计可用率与时延")?
        .into_iter()
        .filter(|f| f.availability.is_some())
        .map(|f| LineFigures {
            line_id: f.key,
            availability: f.availability,
            latency_ms: f.latency_ms,
            samples: f.counted,
        })
        .collect();
    lines.sort_by(|a, b| {
        a.availability
            .partial_cmp(&b.availability)
            .expect("shares are numbers")
            .then(
                b.latency_ms
                    .partial_cmp(&a.latency_ms)
                    .expect("means are numbers"),
            )
            .then(a.line_id.cmp(&b.line_id))
    });
    lines.truncate(n);
    Ok(lines)
}

/// Availability and latency per value of `key`.
struct Figures {
    key: String,
    counted: u64,
    availability: Option<f64>,
    latency_ms: Option<f64>,
}

/// One streaming read of the period's samples of `access` lines, grouped by `key`
/// (aliased `_key`), sorted by it.
fn figures_by(
    t: &LoadedTable,
    access: Option<&str>,
    input: &ScoreInput,
    key: Expr,
    step: &str,
) -> Result<Vec<Figures>, ScoreError> {
    if !t.configured {
        return Ok(Vec::new());
    }
    let outages = input
        .tables
        .get(&Table::Outages)
        .filter(|o| o.configured)
        .map(|o| o.frame.clone());
    let windows = availability::planned_windows(outages, input.period)?;
    let lines = line_ids(t, access, input, true)?;
    let index = LineIndex::new(&lines, None, input, &windows)?;
    let scoped = rows::scoped(t, access, &index.inventory)?;
    let counted = availability::in_active_dates().and(index.planned.clone().not());
    let reachable = col("reachable").fill_null(lit(false));
    let latency_us = (col("latency_ms").cast(DataType::Float64) * lit(1000.0))
        .round(0, RoundMode::HalfAwayFromZero)
        .cast(DataType::Int64);
    let df = rows::in_period(scoped, Table::Samples, "time", input.period)
        .select([
            key.cast(DataType::String),
            counted.clone().cast(DataType::Int64).alias("_counted"),
            (counted.and(reachable.clone()))
                .cast(DataType::Int64)
                .alias("_up"),
            when(reachable.clone().and(col("latency_ms").is_not_null()))
                .then(latency_us)
                .otherwise(lit(NULL))
                .alias("_lat"),
        ])
        .group_by([col("_key")])
        .agg([
            col("_counted").sum(),
            col("_up").sum(),
            col("_lat").sum().alias("_lat_sum"),
            col("_lat").count().alias("_lat_n"),
        ])
        .collect_streaming()
        .step(step)?;
    let keys = frame::str_values(&df, "_key")?;
    let int = |c: &str| frame::i64_values(&df, c);
    let (counted, up) = (int("_counted")?, int("_up")?);
    let (lat_sum, lat_n) = (int("_lat_sum")?, int("_lat_n")?);
    let share = |a: Option<i64>, n: Option<i64>, scale: f64| match (a, n) {
        (Some(a), Some(n)) if n > 0 => Some(a as f64 / n as f64 * scale),
        _ => None,
    };
    let mut out: Vec<Figures> = (0..df.height())
        .filter_map(|i| {
            Some(Figures {
                key: keys[i].clone()?,
                counted: counted[i].unwrap_or(0) as u64,
                availability: share(up[i], counted[i], 100.0),
                latency_ms: share(lat_sum[i], lat_n[i], 0.001),
            })
        })
        .collect();
    // Days sort as numbers (their keys are day counts), lines by id.
    out.sort_by(|a, b| match (a.key.parse::<i64>(), b.key.parse::<i64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        _ => a.key.cmp(&b.key),
    });
    Ok(out)
}
