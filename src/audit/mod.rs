//! The data audit (数据稽核, SPEC §6): every check over the cached tables for one
//! period, returning findings, per-line coverage and the dropped exact duplicates.
//!
//! Takes loaded tables and the inventory; no paths, no printing. Row-level checks
//! live in `rows`, the sample-sequence checks (coverage, gap, inconsistent) in
//! `samples`.

mod rows;
mod samples;
mod sequences;

use crate::findings::{Code, Finding, Severity};
use crate::frame::FrameError;
use crate::ingest::LoadedTable;
use crate::inventory::Inventory;
use crate::period::Period;
use crate::tables::Table;
use serde::Serialize;
use std::collections::BTreeMap;

pub use samples::samples_need_global_dedup;

/// Settings of one audit run.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// `coverage` is reported below this percentage (default 95).
    pub min_coverage: f64,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions { min_coverage: 95.0 }
    }
}

/// Samples coverage of one line in the period (SPEC §6 `coverage`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineCoverage {
    pub line_id: String,
    pub expected: u64,
    pub received: u64,
    pub coverage_pct: f64,
}

/// Rows per table, for the summary sheet.
#[derive(Debug, Clone, Serialize)]
pub struct TableSummary {
    pub table: String,
    pub title: String,
    pub files: usize,
    pub rows_read: u64,
    pub rows_rejected: u64,
    pub rows_in_period: u64,
}

/// The result of `gwq check` for one period.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub period: String,
    pub findings: Vec<Finding>,
    pub coverage: Vec<LineCoverage>,
    pub dropped_exact_duplicates: BTreeMap<String, u64>,
    /// Findings per code: the true counts (every finding is listed).
    #[serde(skip)]
    pub counts: BTreeMap<Code, u64>,
    #[serde(skip)]
    pub tables: Vec<TableSummary>,
}

impl CheckReport {
    pub fn count(&self, severity: Severity) -> u64 {
        self.counts
            .iter()
            .filter(|(c, _)| c.severity() == severity)
            .map(|(_, n)| n)
            .sum()
    }

    /// Pooled coverage over all lines: Σ received ÷ Σ expected.
    pub fn coverage_pct(&self) -> Option<f64> {
        let expected: u64 = self.coverage.iter().map(|c| c.expected).sum();
        let received: u64 = self
            .coverage
            .iter()
            .map(|c| c.received.min(c.expected))
            .sum();
        (expected > 0).then(|| 100.0 * received as f64 / expected as f64)
    }
}

/// Whether a source file may hold rows of the period (files without a readable time
/// range are always included).
fn overlaps(entry: &crate::ingest::SourceEntry, period: &Period) -> bool {
    match (entry.stats.time_min, entry.stats.time_max) {
        (Some(lo), Some(hi)) => lo < period.end_time() && period.start_time() <= hi,
        _ => true,
    }
}

/// Runs every check of SPEC §6 on the loaded tables for `period`.
pub fn run_check(
    tables: &BTreeMap<Table, LoadedTable>,
    inventory: &Inventory,
    period: &Period,
    options: &CheckOptions,
) -> Result<CheckReport, FrameError> {
    let mut findings: Vec<Finding> = Vec::new();
    let mut ingest_findings: Vec<Finding> = Vec::new();
    let mut counts: BTreeMap<Code, u64> = BTreeMap::new();
    let mut dropped = BTreeMap::new();
    let mut summaries = Vec::new();

    // The sequence walk first: it also counts what the samples' row checks look for.
    let mut coverage = Vec::new();
    let mut walk_counts = None;
    if let Some(samples) = tables.get(&Table::Samples).filter(|t| t.configured) {
        let outages = tables.get(&Table::Outages);
        let faults = tables.get(&Table::Faults);
        let result = crate::progress::timed("check samples sequence", || {
            samples::sequence_checks(samples, outages, faults, inventory, period, options)
        })?;
        coverage = result.coverage;
        walk_counts = result.counts;
        findings.extend(result.findings);
    }

    for (table, loaded) in tables {
        ingest_findings.extend(ingest_findings_of(loaded, period));
        let walked = walk_counts.as_ref().filter(|_| *table == Table::Samples);
        let timed = |step: &str| format!("check {table} {step}");
        let tally =
            crate::progress::timed(&timed("tally"), || rows::tally(loaded, period, walked))?;
        summaries.push(TableSummary {
            table: table.name().to_string(),
            title: table.def().title.to_string(),
            files: loaded.files.len(),
            rows_read: loaded.rows_read(),
            rows_rejected: loaded.files.iter().map(|e| e.stats.rows_rejected).sum(),
            rows_in_period: tally.rows_in_period,
        });
        let (dups, exact) = duplicates_of(loaded, period)?;
        findings.extend(dups);
        if exact > 0 {
            dropped.insert(table.name().to_string(), exact);
        }
        findings.extend(row_checks(loaded, period, inventory, &tally)?);
    }

    // Every finding is listed, so the counts are those of the list.
    findings.extend(ingest_findings);
    for f in &findings {
        *counts.entry(f.code).or_default() += 1;
    }
    findings.sort_by(|a, b| {
        (a.severity, a.code, &a.table, &a.file, a.row, &a.line_id)
            .cmp(&(b.severity, b.code, &b.table, &b.file, b.row, &b.line_id))
    });
    Ok(CheckReport {
        period: period.label().to_string(),
        findings,
        coverage,
        dropped_exact_duplicates: dropped,
        counts,
        tables: summaries,
    })
}

/// Findings of the ingest step (parse, missing_required, streaming duplicates) in the
/// period; a finding whose row has no readable time belongs to every period.
fn ingest_findings_of(loaded: &LoadedTable, period: &Period) -> Vec<Finding> {
    let in_period = |t: &chrono::NaiveDateTime| period.start_time() <= *t && *t < period.end_time();
    loaded
        .files
        .iter()
        .filter(|e| overlaps(e, period))
        .flat_map(|e| &e.findings)
        .filter(|f| f.time.as_ref().is_none_or(in_period))
        .map(|f| f.finding.clone())
        .collect()
}

/// `duplicate` findings and the period's exact duplicates dropped: samples' at ingest
/// (per file, in order) or by the global pass; every other table's on load.
fn duplicates_of(loaded: &LoadedTable, period: &Period) -> Result<(Vec<Finding>, u64), FrameError> {
    let table = loaded.table;
    let timed = |step: &str| format!("check {table} {step}");
    let mut exact: u64 = loaded
        .files
        .iter()
        .filter(|e| overlaps(e, period))
        .map(|e| e.stats.exact_duplicates)
        .sum();
    if table != Table::Samples {
        exact += crate::progress::timed(&timed("exact duplicates"), || {
            rows::exact_duplicates(loaded, period)
        })?;
    }
    let global_dedup = table != Table::Samples || samples_need_global_dedup(loaded);
    if !global_dedup || table.def().key.is_empty() {
        return Ok((Vec::new(), exact));
    }
    let (dups, n) =
        crate::progress::timed(&timed("duplicates"), || rows::duplicates(loaded, period))?;
    Ok((dups, exact + n))
}

/// The row checks the tally says to run: ranges, time order, unknown lines, staleness.
fn row_checks(
    loaded: &LoadedTable,
    period: &Period,
    inventory: &Inventory,
    tally: &rows::Tally,
) -> Result<Vec<Finding>, FrameError> {
    let table = loaded.table;
    let timed = |step: &str| format!("check {table} {step}");
    let mut findings = crate::progress::timed(&timed("out_of_range"), || {
        rows::out_of_range(loaded, period, inventory, tally)
    })?;
    findings.extend(crate::progress::timed(&timed("time_order"), || {
        rows::time_order(loaded, period, tally)
    })?);
    // Nothing to list when the walk saw no sample of an unknown line.
    if !inventory.is_empty() && table.is_line_keyed() && tally.unknown_lines != Some(0) {
        findings.extend(crate::progress::timed(&timed("unknown_lines"), || {
            rows::unknown_lines(loaded, period, inventory)
        })?);
    }
    if matches!(table, Table::Samples | Table::Kpi5g) && loaded.configured {
        findings.extend(samples::stale(loaded, period));
    }
    Ok(findings)
}
