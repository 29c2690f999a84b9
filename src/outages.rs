//! Outage records as plain values, read once for the audit (`inconsistent`,
//! coverage) and for availability: an outage without an end lasts to the period's end.

use crate::frame::{self, FrameError, StepContext};
use crate::ingest::build::ROW_COLUMN;
use crate::ingest::cache::SOURCE_COLUMN;
use crate::period::Period;
use polars::prelude::*;
use std::collections::HashMap;

/// One outage as [start, end) in milliseconds, with where it came from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outage {
    pub start: i64,
    pub end: i64,
    pub planned: bool,
    /// Index of the source file (`_src`) and 1-based row.
    pub src: u32,
    pub row: Option<u64>,
}

/// Every outage of `frame` by line; open ends run to the period's end.
pub fn by_line(
    frame: LazyFrame,
    period: &Period,
) -> Result<HashMap<String, Vec<Outage>>, FrameError> {
    let df = frame
        .select([
            col("line_id"),
            col("start"),
            col("end"),
            col("planned"),
            col(SOURCE_COLUMN),
            col(ROW_COLUMN),
        ])
        .collect()
        .step("读取中断事件")?;
    let lines = frame::str_values(&df, "line_id")?;
    let starts = frame::i64_values(&df, "start")?;
    let ends = frame::i64_values(&df, "end")?;
    let planned = frame::bool_values(&df, "planned")?;
    let srcs = frame::i64_values(&df, SOURCE_COLUMN)?;
    let rows = frame::i64_values(&df, ROW_COLUMN)?;
    let period_end = frame::millis(period.end_time());
    let mut out: HashMap<String, Vec<Outage>> = HashMap::new();
    for i in 0..df.height() {
        let (Some(line), Some(start)) = (&lines[i], starts[i]) else {
            continue;
        };
        out.entry(line.clone()).or_default().push(Outage {
            start,
            end: ends[i].unwrap_or(period_end.max(start)),
            planned: planned[i].unwrap_or(false),
            src: srcs[i].unwrap_or(0) as u32,
            row: rows[i].map(|r| r as u64),
        });
    }
    Ok(out)
}

/// The planned (or unplanned) outages of a line clipped to [a, b) and merged.
pub fn merged(outages: &[Outage], planned: bool, (a, b): (i64, i64)) -> Vec<(i64, i64)> {
    crate::intervals::merge(
        outages
            .iter()
            .filter(|o| o.planned == planned)
            .map(|o| (o.start.max(a), o.end.min(b)))
            .collect(),
    )
}
