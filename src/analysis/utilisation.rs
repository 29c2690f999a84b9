//! Bandwidth utilisation for the 网络性能 chapter (SPEC §14): each line's 95th
//! percentile rate in the period (nearest rank over max(in, out), as the fee audit's
//! advice measures it, SPEC §8) against its inventory bandwidth, and the lines
//! above 80 % or below 10 % (the `utilisation_high` / `utilisation_low` thresholds).

use crate::frame::{self, CollectStreaming, FrameError, StepContext};
use crate::ingest::LoadedTable;
use crate::inventory::Inventory;
use crate::period::Period;
use crate::score::rows;
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

/// Each line of `access` type's p95 rate in `period` against its bandwidth. Lines
/// without rates (in_bps/out_bps empty), or without a bandwidth in the inventory,
/// are left out.
pub fn measure(
    samples: &LoadedTable,
    inventory: &Inventory,
    access: Option<&str>,
    period: &Period,
) -> Result<Utilisation, FrameError> {
    if !samples.configured {
        return Ok(Utilisation::default());
    }
    let scoped = rows::scoped(samples, access, &inventory.to_frame()?)?;
    let df = rows::in_period(scoped, Table::Samples, "time", period)
        .filter(col("line_id").is_not_null())
        .group_by([col("line_id")])
        .agg([frame::nearest_rank(crate::fees::usage::rate_mbps()?, 95.0).alias("p95")])
        .collect_streaming()
        .step("计算线路带宽利用率")?;
    let ids = frame::str_values(&df, "line_id")?;
    let p95 = frame::f64_values(&df, "p95")?;
    let mut lines: Vec<LineUse> = ids
        .into_iter()
        .zip(p95)
        .filter_map(|(id, p)| {
            let (id, p) = (id?, p?);
            let line = inventory.get(&id)?;
            let bw = line.bandwidth_mbps.filter(|b| *b > 0.0)?;
            Some(LineUse {
                district: line.district.clone(),
                bandwidth_mbps: bw,
                p95_mbps: p,
                pct: 100.0 * p / bw,
                line_id: id,
            })
        })
        .collect();
    lines.sort_by(|a, b| {
        b.pct
            .partial_cmp(&a.pct)
            .expect("shares are numbers")
            .then(a.line_id.cmp(&b.line_id))
    });
    Ok(Utilisation { lines })
}
