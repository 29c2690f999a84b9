//! `availability` (SPEC §7), from samples or from outages.
//!
//! From samples (measured by `score::samples`): up intervals ÷ observed intervals, an
//! interval up when `reachable`; samples inside a planned outage of their line, or
//! outside the line's active dates, are left out of both. From outages: 1 − unplanned
//! downtime ÷ (line-time in the period − planned downtime), outages merged per line
//! and clipped to the period and the line's active dates.

use super::rows;
use super::ScoreError;
use crate::frame;
use crate::intervals::{overlap_len, total_len};
use crate::inventory::Inventory;
use crate::period::Period;
use crate::scheme::{Aggregate, Indicator};
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

/// Whether a sample lies inside its line's active dates (inventory columns joined;
/// a line without dates is always active).
pub fn in_active_dates() -> Expr {
    let t = col("time").cast(DataType::Int64);
    let opened = col("opened_on").cast(DataType::Int64) * lit(86_400_000i64);
    let after_close = (col("closed_on").cast(DataType::Int64) + lit(1i64)) * lit(86_400_000i64);
    opened
        .clone()
        .is_null()
        .or(t.clone().gt_eq(opened))
        .and(after_close.clone().is_null().or(t.lt(after_close)))
}

/// Every line's planned-outage windows in the period, merged: (line, start ms, end ms).
pub fn planned_windows(
    outages: Option<LazyFrame>,
    period: &Period,
) -> Result<Vec<(String, i64, i64)>, ScoreError> {
    let by_line = match outages {
        Some(o) => crate::outages::by_line(o, period)?,
        None => Default::default(),
    };
    let whole = (
        frame::millis(period.start_time()),
        frame::millis(period.end_time()),
    );
    let mut windows = Vec::new();
    for (line, outages) in &by_line {
        for (s, e) in crate::outages::merged(outages, true, whole) {
            windows.push((line.clone(), s, e));
        }
    }
    // by_line is a HashMap: a fixed order keeps the query's results the same every run.
    windows.sort();
    Ok(windows)
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
