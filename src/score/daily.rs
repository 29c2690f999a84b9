//! Availability and latency of a period by day (the reports' chart) and by line (the
//! 10 worst lines), SPEC §14 四、网络性能: pooled availability from samples and mean
//! latency of reachable samples, by the same rules as the `availability` measure
//! (active dates, planned windows, duplicates), from one streaming read grouped by
//! line and day and then folded both ways.
//!
//! Sums are of whole numbers (counts, latency in microseconds), so the streaming
//! engine gives the same figures every run and the folds are exact.

use super::samples::{line_ids, LineIndex};
use super::{availability, rows, ScoreError, ScoreInput};
use crate::frame::{self, CollectStreaming, StepContext};
use crate::ingest::LoadedTable;
use crate::tables::Table;
use chrono::NaiveDate;
use polars::prelude::*;
use std::collections::BTreeMap;

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

/// One line's figures for the period.
#[derive(Debug, Clone, PartialEq)]
pub struct LineFigures {
    pub line_id: String,
    pub availability: Option<f64>,
    pub latency_ms: Option<f64>,
    /// Samples counted for availability.
    pub samples: u64,
}

/// The period's figures by day and by line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PeriodFigures {
    /// Every day with samples of the lines, in date order.
    pub by_day: Vec<Day>,
    /// Every line with counted samples, by id.
    pub by_line: Vec<LineFigures>,
}

impl PeriodFigures {
    /// The `n` lines of lowest availability (then highest latency, then by id).
    pub fn worst_lines(&self, n: usize) -> Vec<LineFigures> {
        let mut lines = self.by_line.clone();
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
        lines
    }
}

/// Whole-number sums of one group: counted and up samples, latency (µs) and its count.
#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    counted: i64,
    up: i64,
    lat_sum: i64,
    lat_n: i64,
}

impl Sums {
    fn add(&mut self, o: Sums) {
        self.counted += o.counted;
        self.up += o.up;
        self.lat_sum += o.lat_sum;
        self.lat_n += o.lat_n;
    }

    fn availability(&self) -> Option<f64> {
        (self.counted > 0).then(|| self.up as f64 / self.counted as f64 * 100.0)
    }

    fn latency_ms(&self) -> Option<f64> {
        (self.lat_n > 0).then(|| self.lat_sum as f64 / self.lat_n as f64 * 0.001)
    }
}

/// The period's samples of `access` lines by day and by line, from one read.
pub fn figures(
    t: &LoadedTable,
    access: Option<&str>,
    input: &ScoreInput,
) -> Result<PeriodFigures, ScoreError> {
    let mut by_day: BTreeMap<i64, Sums> = BTreeMap::new();
    let mut by_line: BTreeMap<String, Sums> = BTreeMap::new();
    for (line, day, sums) in line_days(t, access, input)? {
        by_day.entry(day).or_default().add(sums);
        by_line.entry(line).or_default().add(sums);
    }
    Ok(PeriodFigures {
        by_day: by_day
            .into_iter()
            .map(|(day, s)| Day {
                date: frame::from_days(day as i32),
                availability: s.availability(),
                latency_ms: s.latency_ms(),
            })
            .collect(),
        by_line: by_line
            .into_iter()
            .filter(|(_, s)| s.counted > 0)
            .map(|(line_id, s)| LineFigures {
                line_id,
                availability: s.availability(),
                latency_ms: s.latency_ms(),
                samples: s.counted as u64,
            })
            .collect(),
    })
}

/// The sums of each (line, day) of the period: one streaming read of the samples a
/// month at a time (months share no day, so their sums only add up in the list), which
/// keeps the grouping's memory to a month's, not a year's.
fn line_days(
    t: &LoadedTable,
    access: Option<&str>,
    input: &ScoreInput,
) -> Result<Vec<(String, i64, Sums)>, ScoreError> {
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
    let mut sums = Vec::new();
    for month in crate::period::month_pieces(input.period) {
        let scoped = rows::scoped(t, access, &index.inventory)?;
        let samples = rows::in_period(scoped, Table::Samples, "time", &month);
        sums.extend(sums_by_line_day(samples, &index)?);
    }
    Ok(sums)
}

/// The sums of each (line, day) of `samples` (scoped to the index's lines).
fn sums_by_line_day(
    samples: LazyFrame,
    index: &LineIndex,
) -> Result<Vec<(String, i64, Sums)>, ScoreError> {
    let counted = availability::in_active_dates().and(index.planned.clone().not());
    let reachable = col("reachable").fill_null(lit(false));
    let latency_us = (col("latency_ms").cast(DataType::Float64) * lit(1000.0))
        .round(0, RoundMode::HalfAwayFromZero)
        .cast(DataType::Int64);
    let df = samples
        .select([
            col("line_id").alias("_line"),
            (col("time").cast(DataType::Int64) / lit(DAY_MS)).alias("_day"),
            counted.clone().cast(DataType::Int64).alias("_counted"),
            (counted.and(reachable.clone()))
                .cast(DataType::Int64)
                .alias("_up"),
            when(reachable.and(col("latency_ms").is_not_null()))
                .then(latency_us)
                .otherwise(lit(NULL))
                .alias("_lat"),
        ])
        .filter(col("_line").is_not_null())
        .group_by([col("_line"), col("_day")])
        .agg([
            col("_counted").sum(),
            col("_up").sum(),
            col("_lat").sum().alias("_lat_sum"),
            col("_lat").count().cast(DataType::Int64).alias("_lat_n"),
        ])
        .collect_streaming()
        .step("按线路和日期统计可用率与时延")?;
    let lines = frame::str_values(&df, "_line")?;
    let int = |c: &str| frame::i64_values(&df, c);
    let (days, counted, up) = (int("_day")?, int("_counted")?, int("_up")?);
    let (lat_sum, lat_n) = (int("_lat_sum")?, int("_lat_n")?);
    Ok((0..df.height())
        .filter_map(|i| {
            let sums = Sums {
                counted: counted[i].unwrap_or(0),
                up: up[i].unwrap_or(0),
                lat_sum: lat_sum[i].unwrap_or(0),
                lat_n: lat_n[i].unwrap_or(0),
            };
            Some((lines[i].clone()?, days[i]?, sums))
        })
        .collect())
}
