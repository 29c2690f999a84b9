//! `availability` (SPEC §7), from samples or from outages.
//!
//! From samples: up intervals ÷ observed intervals, an interval up when `reachable`;
//! samples inside a planned outage of their line, or outside the line's active
//! dates, are left out of both. From outages: 1 − unplanned downtime ÷ (line-time in
//! the period − planned downtime), outages merged per line and clipped to the period
//! and the line's active dates.

use super::rows;
use super::ScoreError;
use crate::frame::{self, CollectStreaming, StepContext};
use crate::intervals::{overlap_len, total_len};
use crate::inventory::Inventory;
use crate::period::Period;
use crate::scheme::{Aggregate, Indicator};
use crate::tables::Table;
use polars::prelude::*;

/// One line's share of availability: `good` of `total` (samples, or milliseconds).
#[derive(Debug, Clone, PartialEq)]
pub struct LineShare {
    pub line_id: String,
    pub good: f64,
    pub total: f64,
    /// Rows behind the share (samples, or outages).
    pub rows: u64,
}

/// Availability in % over lines: pooled (Σ good ÷ Σ total) or the mean of the
/// lines' availabilities; `None` without any line time.
pub fn value(shares: &[&LineShare], aggregate: Aggregate) -> Option<f64> {
    let shares: Vec<&&LineShare> = shares.iter().filter(|s| s.total > 0.0).collect();
    if shares.is_empty() {
        return None;
    }
    Some(match aggregate {
        Aggregate::Pooled => {
            100.0 * shares.iter().map(|s| s.good).sum::<f64>()
                / shares.iter().map(|s| s.total).sum::<f64>()
        }
        Aggregate::MeanOfLines => {
            100.0 * shares.iter().map(|s| s.good / s.total).sum::<f64>() / shares.len() as f64
        }
    })
}

/// Per-line shares from samples: up samples of observed samples.
pub fn from_samples(
    ind: &Indicator,
    scoped: LazyFrame,
    outages: Option<LazyFrame>,
    period: &Period,
) -> Result<Vec<LineShare>, ScoreError> {
    let step = format!("计算指标 {}", ind.id);
    let lf = rows::in_period(scoped, Table::Samples, &ind.time_column, period);
    let lf = rows::filtered(lf, ind.filter.as_deref())?;
    // Only samples inside the line's active dates count (inventory columns are joined).
    let t = col("time").cast(DataType::Int64);
    let opened = col("opened_on").cast(DataType::Int64) * lit(86_400_000i64);
    let after_close = (col("closed_on").cast(DataType::Int64) + lit(1i64)) * lit(86_400_000i64);
    let active = opened
        .clone()
        .is_null()
        .or(t.clone().gt_eq(opened))
        .and(after_close.clone().is_null().or(t.lt(after_close)));
    let lf = lf
        .filter(active)
        .select([col("line_id"), col("time"), col("reachable")]);
    let up = col("reachable")
        .fill_null(lit(false))
        .cast(DataType::Float64);
    let per_line = lf.clone().group_by([col("line_id")]).agg([
        up.clone().sum().alias("up"),
        col("time").count().cast(DataType::Float64).alias("n"),
    ]);

    // Samples inside planned windows, per line: joined only for lines with windows.
    let by_line = match outages {
        Some(o) => crate::outages::by_line(o, period)?,
        None => Default::default(),
    };
    let whole = (
        frame::millis(period.start_time()),
        frame::millis(period.end_time()),
    );
    let mut lines = Vec::new();
    let mut starts = Vec::new();
    let mut ends = Vec::new();
    for (line, outages) in &by_line {
        for (s, e) in crate::outages::merged(outages, true, whole) {
            lines.push(line.clone());
            starts.push(s);
            ends.push(e);
        }
    }
    let windows = DataFrame::new_infer_height(vec![
        Column::new("line_id".into(), lines),
        Column::new("_ws".into(), starts),
        Column::new("_we".into(), ends),
    ])
    .step("组装计划中断窗口")?;
    let inside = lf
        .join(
            windows.lazy(),
            [col("line_id")],
            [col("line_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(
            col("time")
                .cast(DataType::Int64)
                .gt_eq(col("_ws"))
                .and(col("time").cast(DataType::Int64).lt(col("_we"))),
        )
        .group_by([col("line_id")])
        .agg([
            up.sum().alias("up_in"),
            col("time").count().cast(DataType::Float64).alias("n_in"),
        ]);
    let df = per_line
        .join(
            inside,
            [col("line_id")],
            [col("line_id")],
            JoinArgs::new(JoinType::Left),
        )
        .with_columns([
            (col("up") - col("up_in").fill_null(lit(0.0))).alias("up"),
            (col("n") - col("n_in").fill_null(lit(0.0))).alias("n"),
        ])
        .filter(col("n").gt(lit(0.0)))
        .collect_streaming()
        .step(&step)?;
    let lines = frame::str_values(&df, "line_id")?;
    let ups = frame::f64_values(&df, "up")?;
    let ns = frame::f64_values(&df, "n")?;
    Ok(lines
        .into_iter()
        .zip(ups.into_iter().zip(ns))
        .filter_map(|(line, (up, n))| {
            let n = n?;
            Some(LineShare {
                line_id: line?,
                good: up.unwrap_or(0.0),
                total: n,
                rows: n as u64,
            })
        })
        .collect())
}

pub fn aggregate_of(ind: &Indicator) -> Aggregate {
    match ind.measure {
        crate::scheme::Measure::Availability { aggregate, .. } => aggregate,
        _ => Aggregate::Pooled,
    }
}

/// Per-line shares from outages, over the lines in `lines` (already filtered to the
/// scheme's access type), every outage that overlaps the period counted.
pub fn from_outages(
    ind: &Indicator,
    outages: LazyFrame,
    lines: &[String],
    inventory: &Inventory,
    period: &Period,
) -> Result<Vec<LineShare>, ScoreError> {
    let outages = rows::filtered(outages, ind.filter.as_deref())?;
    let by_line = crate::outages::by_line(outages, period)?;
    let mut shares = Vec::new();
    for id in lines {
        let Some(line) = inventory.get(id) else {
            continue;
        };
        let Some((a, b)) = line.active_span(period) else {
            continue;
        };
        let (a, b) = (frame::millis(a), frame::millis(b));
        let of_line = by_line.get(id).map(Vec::as_slice).unwrap_or(&[]);
        // Clipped to the period and the line's active dates, overlaps merged.
        let p = crate::outages::merged(of_line, true, (a, b));
        let u = crate::outages::merged(of_line, false, (a, b));
        let base = (b - a) - total_len(&p);
        // Downtime inside planned work is not unplanned downtime.
        let down = total_len(&u) - overlap_len(&u, &p);
        shares.push(LineShare {
            line_id: id.clone(),
            good: (base - down) as f64,
            total: base as f64,
            rows: u.len() as u64,
        });
    }
    Ok(shares)
}
