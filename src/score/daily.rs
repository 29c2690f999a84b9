//! The day-by-day series of a period for the reports' chart (SPEC §14 四、网络性能):
//! each day's pooled availability from samples and mean latency of reachable samples,
//! by the same rules as the `availability` measure (active dates, planned windows,
//! duplicates) in one streaming read of the period's samples.
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
            (col("time").cast(DataType::Int64) / lit(DAY_MS)).alias("_day"),
            counted.clone().cast(DataType::Int64).alias("_counted"),
            (counted.and(reachable.clone()))
                .cast(DataType::Int64)
                .alias("_up"),
            when(reachable.clone().and(col("latency_ms").is_not_null()))
                .then(latency_us)
                .otherwise(lit(NULL))
                .alias("_lat"),
        ])
        .group_by([col("_day")])
        .agg([
            col("_counted").sum(),
            col("_up").sum(),
            col("_lat").sum().alias("_lat_sum"),
            col("_lat").count().alias("_lat_n"),
        ])
        .sort(["_day"], SortMultipleOptions::default())
        .collect_streaming()
        .step("按日统计可用率与时延")?;
    let int = |c: &str| frame::i64_values(&df, c);
    let (days, counted, up) = (int("_day")?, int("_counted")?, int("_up")?);
    let (lat_sum, lat_n) = (int("_lat_sum")?, int("_lat_n")?);
    Ok((0..df.height())
        .filter_map(|i| {
            let date = frame::from_days(days[i]? as i32);
            let share = |a: Option<i64>, n: Option<i64>, scale: f64| match (a, n) {
                (Some(a), Some(n)) if n > 0 => Some(a as f64 / n as f64 * scale),
                _ => None,
            };
            Some(Day {
                date,
                availability: share(up[i], counted[i], 100.0),
                latency_ms: share(lat_sum[i], lat_n[i], 0.001),
            })
        })
        .collect())
}
