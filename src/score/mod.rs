//! Scoring a scheme over the audited data of a period (SPEC §7, §12) in two steps:
//! `measurements` measures each indicator (`measure`, `availability`, `samples`) on
//! its rows (`rows`), once per period; `totals` scores that by the scheme's rules
//! into dimensions, a total, a grade and a payment adjustment (`result`); with
//! `--by`, the same per district, unit or line.
//!
//! Takes loaded tables and validated models; no paths, no printing.

pub mod availability;
pub mod daily;
pub mod measure;
pub mod measurements;
pub mod partial;
pub mod pieces;
mod result;
pub mod rows;
pub mod samples;
mod totals;
pub mod utilisation;

pub use measurements::{measure, Measurement, Measurements};
pub use result::*;
pub use totals::score;

use crate::calendar::Calendar;
use crate::frame::FrameError;
use crate::ingest::LoadedTable;
use crate::inventory::Inventory;
use crate::period::Period;
use crate::scheme::Scheme;
use crate::tables::Table;
use std::collections::BTreeMap;

#[derive(Debug, thiserror::Error)]
pub enum ScoreError {
    #[error(transparent)]
    Frame(#[from] FrameError),
}

/// How `--by` splits the score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GroupBy {
    District,
    Unit,
    Line,
}

impl GroupBy {
    pub fn name(self) -> &'static str {
        match self {
            GroupBy::District => "district",
            GroupBy::Unit => "unit",
            GroupBy::Line => "line",
        }
    }

    /// The column that holds the group key (inventory columns for line-keyed tables).
    fn column(self) -> &'static str {
        match self {
            GroupBy::District => "district",
            GroupBy::Unit => "unit",
            GroupBy::Line => "line_id",
        }
    }

    fn key_of(self, line: &crate::inventory::Line) -> Option<String> {
        match self {
            GroupBy::District => line.district.clone(),
            GroupBy::Unit => line.unit.clone(),
            GroupBy::Line => Some(line.line_id.clone()),
        }
    }
}

/// What measuring reads.
#[derive(Clone, Copy)]
pub struct ScoreInput<'a> {
    pub tables: &'a BTreeMap<Table, LoadedTable>,
    pub inventory: &'a Inventory,
    pub calendar: &'a Calendar,
    pub period: &'a Period,
    /// The months already measured in this session (none: measure every time).
    pub pieces: Option<&'a pieces::PieceCache>,
}

/// Measures and scores `scheme` for the period; `by` adds per-group results.
pub fn score_scheme(
    scheme: &Scheme,
    input: &ScoreInput,
    by: Option<GroupBy>,
    data_quality: DataQuality,
) -> Result<ScoreResult, ScoreError> {
    let measured = measure(scheme, input, by)?;
    Ok(score(scheme, &measured, data_quality))
}

#[cfg(test)]
pub(crate) mod tests;
