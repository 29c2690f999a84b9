//! Row-level checks: `duplicate`, `out_of_range`, `time_order`, `unknown_line`.
//! Each runs as a polars query over one cached table and turns the offending rows
//! into findings that name the file, sheet and row.

use crate::findings::{Code, Finding};
use crate::frame::{self, lit_date, lit_time, CollectStreaming, FrameError, StepContext};
use crate::ingest::build::ROW_COLUMN;
use crate::ingest::cache::SOURCE_COLUMN;
use crate::ingest::LoadedTable;
use crate::inventory::Inventory;
use crate::period::Period;
use crate::tables::{ColType, Table};
use polars::prelude::*;

/// The filter that keeps a table's rows in the period by its time column (SPEC §4).
/// The inventory is master data and is never filtered.
pub fn in_period(table: Table, period: &Period) -> Expr {
    if table == Table::Inventory {
        return lit(true);
    }
    frame::period_filter(table, table.def().time_column, period)
}

/// Counts the sequence walk takes on its way over the period's samples (it reads and
/// joins every one of them anyway), so that the samples' tally need not read them all
/// again.
#[derive(Debug, Clone, Default)]
pub struct WalkCounts {
    pub rows_in_period: u64,
    /// Samples outside each of the samples' ranges, in `range_flags` order.
    pub out_of_range: Vec<u64>,
    /// Samples whose traffic exceeds their line's bandwidth.
    pub over_bandwidth: u64,
    /// Samples of lines the inventory lacks.
    pub unknown_lines: u64,
}

/// What the row checks would flag, counted in one pass over the table: each check is
/// its own query that sorts and lists rows, so a check that flags none is not run.
pub struct Tally {
    pub rows_in_period: u64,
    /// Rows outside each of `ranges(table)`, in order.
    out_of_range: Vec<u64>,
    /// Samples above their line's bandwidth (1 when not counted: list to find out).
    over_bandwidth: u64,
    /// Rows more than a year from the period, by date column.
    far_dates: Vec<u64>,
    /// Rows whose end precedes their start, by `time_order` pair.
    time_order: Vec<u64>,
    /// Rows of unknown lines, when counted.
    pub unknown_lines: Option<u64>,
}

/// Whether each row is outside each of the table's value ranges (null for no value).
pub fn range_flags(table: Table) -> Vec<Expr> {
    ranges(table).iter().map(Range::offends).collect()
}

/// Counts every row check of the table at once (see `Tally`), taking what the
/// sequence walk already counted (`walk`) instead of reading it again.
pub fn tally(
    t: &LoadedTable,
    period: &Period,
    walk: Option<&WalkCounts>,
) -> Result<Tally, FrameError> {
    let def = t.table.def();
    let p = in_period(t.table, period);
    // Sums of 0/1, not filtered counts: the streaming engine reduces these batch by
    // batch without holding the table.
    let rows = |flag: Expr| flag.fill_null(lit(false)).cast(DataType::Int64).sum();
    let mut exprs = Vec::new();
    if walk.is_none() {
        exprs.push(rows(p.clone()).alias("rows"));
        for (i, bad) in range_flags(t.table).into_iter().enumerate() {
            exprs.push(rows(p.clone().and(bad)).alias(format!("range{i}")));
        }
    }
    let far = far_date_rules(t.table, period);
    for (i, (_, bad)) in far.iter().enumerate() {
        exprs.push(rows(bad.clone()).alias(format!("far{i}")));
    }
    for (i, (start, end)) in def.time_order.iter().enumerate() {
        let bad = col(*end).lt(col(*start));
        exprs.push(rows(p.clone().and(bad)).alias(format!("order{i}")));
    }
    let df = if exprs.is_empty() {
        DataFrame::empty()
    } else {
        t.frame
            .clone()
            .select(exprs)
            .collect_streaming()
            .step(&format!("检查 {}", t.table))?
    };
    let n = |name: String| -> Result<u64, FrameError> {
        if df.column(&name).is_err() {
            return Ok(0);
        }
        Ok(frame::i64_values(&df, &name)?
            .first()
            .copied()
            .flatten()
            .unwrap_or(0) as u64)
    };
    let far_dates = (0..far.len())
        .map(|i| n(format!("far{i}")))
        .collect::<Result<_, _>>()?;
    let time_order = (0..def.time_order.len())
        .map(|i| n(format!("order{i}")))
        .collect::<Result<_, _>>()?;
    Ok(match walk {
        Some(w) => Tally {
            rows_in_period: w.rows_in_period,
            out_of_range: w.out_of_range.clone(),
            over_bandwidth: w.over_bandwidth,
            far_dates,
            time_order,
            unknown_lines: Some(w.unknown_lines),
        },
        None => Tally {
            rows_in_period: n("rows".into())?,
            out_of_range: (0..ranges(t.table).len())
                .map(|i| n(format!("range{i}")))
                .collect::<Result<_, _>>()?,
            over_bandwidth: u64::from(t.table == Table::Samples),
            far_dates,
            time_order,
            unknown_lines: None,
        },
    })
}

fn count(lf: LazyFrame, step: &str) -> Result<u64, FrameError> {
    // Not `len()`: over several concatenated files polars 0.55 rewrites it to a sum
    // through UInt128, which this build of polars does not have. `_row` is never null.
    let df = lf
        .select([col(ROW_COLUMN).count().alias("n")])
        .collect_streaming()
        .step(step)?;
    Ok(frame::i64_values(&df, "n")?
        .first()
        .copied()
        .flatten()
        .unwrap_or(0) as u64)
}

/// Builds findings from collected rows: `message(i)` words each one.
fn to_findings(
    t: &LoadedTable,
    df: &DataFrame,
    code: Code,
    column: Option<&str>,
    mut message: impl FnMut(usize) -> String,
) -> Result<Vec<Finding>, FrameError> {
    let srcs = frame::i64_values(df, SOURCE_COLUMN)?;
    let rows = frame::i64_values(df, ROW_COLUMN)?;
    let lines = if df.column("line_id").is_ok() {
        frame::str_values(df, "line_id")?
    } else {
        vec![None; df.height()]
    };
    let mut out = Vec::with_capacity(df.height());
    for i in 0..df.height() {
        let (file, sheet) = t.file_of(srcs[i].unwrap_or(0) as u32);
        out.push(Finding {
            file,
            sheet,
            row: rows[i].map(|r| r as u64),
            column: column.map(str::to_string),
            line_id: lines[i].clone(),
            ..Finding::new(code, t.table.name(), message(i))
        });
    }
    Ok(out)
}

/// Collects every offending row in source order (SPEC §6: counts are true counts and
/// the JSON lists every finding).
fn offending_rows(lf: LazyFrame, step: &str) -> Result<DataFrame, FrameError> {
    lf.sort([SOURCE_COLUMN, ROW_COLUMN], SortMultipleOptions::default())
        .collect_streaming()
        .step(step)
}

/// Exact duplicate rows of the period that loading dropped from a table (all but
/// samples, see `LoadedTable::frame`).
pub fn exact_duplicates(t: &LoadedTable, period: &Period) -> Result<u64, FrameError> {
    let in_p = in_period(t.table, period);
    let read = count(t.as_read.clone().filter(in_p.clone()), "统计完全重复行")?;
    let kept = count(t.frame.clone().filter(in_p), "统计完全重复行")?;
    Ok(read - kept)
}

/// `duplicate`: the same key twice with differing values; exact duplicate rows still
/// in `t.frame` (samples only: loading drops every other table's) are only counted
/// (returned second). Rows are compared within the period.
pub fn duplicates(t: &LoadedTable, period: &Period) -> Result<(Vec<Finding>, u64), FrameError> {
    let def = t.table.def();
    let key: Vec<Expr> = def.key.iter().map(|k| col(*k)).collect();
    let lf = t.frame.clone().filter(in_period(t.table, period));
    let sorted = lf.sort([SOURCE_COLUMN, ROW_COLUMN], SortMultipleOptions::default());
    let (distinct, exact) = if t.table == Table::Samples {
        let values: Vec<Expr> = def.columns.iter().map(|c| col(c.name)).collect();
        let total = count(sorted.clone(), "查找重复记录")?;
        let distinct = sorted.unique_stable_generic(Some(values), UniqueKeepStrategy::First);
        let n_distinct = count(distinct.clone(), "查找重复记录")?;
        (distinct, total - n_distinct)
    } else {
        (sorted, 0)
    };
    let key_present = def
        .key
        .iter()
        .fold(lit(true), |acc, k| acc.and(col(*k).is_not_null()));
    let per_key = len().over(key).step("查找重复记录")?;
    let df = distinct
        .filter(key_present)
        .with_column(per_key.alias("_n"))
        .filter(col("_n").gt(lit(1)))
        .with_column(
            concat_str(
                def.key
                    .iter()
                    .map(|k| col(*k).cast(DataType::String))
                    .collect::<Vec<_>>(),
                " / ",
                true,
            )
            .alias("_key"),
        )
        .sort(
            ["_key", SOURCE_COLUMN, ROW_COLUMN],
            SortMultipleOptions::default(),
        )
        .collect_streaming()
        .step("查找重复记录")?;
    let keys = frame::str_values(&df, "_key")?;
    let rows = frame::i64_values(&df, ROW_COLUMN)?;
    let mut first_row: Option<(String, Option<i64>)> = None;
    let mut keep = Vec::new();
    let mut notes = Vec::new();
    for i in 0..df.height() {
        let k = keys[i].clone().unwrap_or_default();
        match &first_row {
            Some((prev, first)) if *prev == k => {
                keep.push(i as IdxSize);
                notes.push((k.clone(), *first));
            }
            _ => first_row = Some((k, rows[i])),
        }
    }
    let idx = IdxCa::from_vec("idx".into(), keep);
    let dups = df.take(&idx).step("查找重复记录")?;
    let key_name = def.key.join("+");
    let findings = to_findings(t, &dups, Code::Duplicate, Some(def.key[0]), |i| {
        let (k, first) = &notes[i];
        let at = first
            .map(|r| format!("（首次出现于第 {r} 行）"))
            .unwrap_or_default();
        format!("{key_name} = {k} 重复出现且取值不同{at}")
    })?;
    Ok((findings, exact))
}

/// A value-range rule: rows where `column` is outside [min, max].
struct Range {
    column: &'static str,
    min: f64,
    max: f64,
}

impl Range {
    /// Whether a row's value is outside the range (null for no value).
    fn offends(&self) -> Expr {
        let c = col(self.column);
        let bad = c.clone().lt(lit(self.min));
        if self.max.is_finite() {
            bad.or(c.gt(lit(self.max)))
        } else {
            bad
        }
    }
}

const fn range(column: &'static str, min: f64, max: f64) -> Range {
    Range { column, min, max }
}

const PCT: f64 = 100.0;
const MAX_LATENCY_MS: f64 = 10_000.0;
const NO_MAX: f64 = f64::INFINITY;
const SAMPLE_RANGES: [Range; 5] = [
    range("loss_pct", 0.0, PCT),
    range("latency_ms", 0.0, MAX_LATENCY_MS),
    range("jitter_ms", 0.0, MAX_LATENCY_MS),
    range("in_bps", 0.0, NO_MAX),
    range("out_bps", 0.0, NO_MAX),
];
const SITE_TEST_RANGES: [Range; 3] = [
    range("loss_pct", 0.0, PCT),
    range("latency_ms", 0.0, MAX_LATENCY_MS),
    range("throughput_mbps", 0.0, NO_MAX),
];
const KPI_RANGES: [Range; 7] = [
    range("reg_success_pct", 0.0, PCT),
    range("session_success_pct", 0.0, PCT),
    range("drop_pct", 0.0, PCT),
    range("latency_ms", 0.0, MAX_LATENCY_MS),
    range("dl_mbps", 0.0, NO_MAX),
    range("ul_mbps", 0.0, NO_MAX),
    range("traffic_mb", 0.0, NO_MAX),
];
const SURVEY_RANGES: [Range; 1] = [range("score", 0.0, PCT)];
const INVENTORY_RANGES: [Range; 1] = [range("bandwidth_mbps", 0.0, NO_MAX)];
const PHONE_RANGES: [Range; 1] = [range("answer_seconds", 0.0, NO_MAX)];

fn ranges(table: Table) -> &'static [Range] {
    match table {
        Table::Samples => &SAMPLE_RANGES,
        Table::SiteTests => &SITE_TEST_RANGES,
        Table::Kpi5g => &KPI_RANGES,
        Table::Surveys => &SURVEY_RANGES,
        Table::Inventory => &INVENTORY_RANGES,
        Table::PhoneChecks => &PHONE_RANGES,
        _ => &[],
    }
}

fn fmt_bound(v: f64) -> String {
    if v.is_infinite() {
        "∞".to_string()
    } else {
        crate::ingest::values::format_number(v)
    }
}

/// `out_of_range`: values outside their plausible range, sample traffic above the
/// line's bandwidth, and dates more than a year outside the period.
pub fn out_of_range(
    t: &LoadedTable,
    period: &Period,
    inventory: &Inventory,
    tally: &Tally,
) -> Result<Vec<Finding>, FrameError> {
    let mut out = Vec::new();
    let in_p = t.frame.clone().filter(in_period(t.table, period));
    for (r, n) in ranges(t.table).iter().zip(&tally.out_of_range) {
        if *n == 0 {
            continue;
        }
        let bad = r.offends();
        let what = format!(
            "{} 超出合理范围 [{}, {}]",
            r.column,
            fmt_bound(r.min),
            fmt_bound(r.max)
        );
        let df = offending_rows(in_p.clone().filter(bad), "检查数值范围")?;
        let values = frame::f64_values(&df, r.column)?;
        out.extend(to_findings(
            t,
            &df,
            Code::OutOfRange,
            Some(r.column),
            |i| {
                let v = values[i]
                    .map(crate::ingest::values::format_number)
                    .unwrap_or_default();
                format!("{} = {v}，{what}", r.column)
            },
        )?);
    }
    if t.table == Table::Samples && !inventory.is_empty() && tally.over_bandwidth > 0 {
        out.extend(over_bandwidth(t, in_p, inventory)?);
    }
    out.extend(dates_far_from_period(t, period, tally)?);
    Ok(out)
}

/// A sample's traffic: the larger of its in and out bps.
pub fn traffic_peak() -> Result<Expr, FrameError> {
    polars::lazy::dsl::max_horizontal([col("in_bps"), col("out_bps")]).step("计算流量峰值")
}

/// Whether traffic `peak` (bps) is above the line's `bandwidth_mbps`.
pub fn above_bandwidth(peak: Expr, bandwidth_mbps: Expr) -> Expr {
    peak.gt(bandwidth_mbps * lit(1_000_000.0))
}

fn over_bandwidth(
    t: &LoadedTable,
    lf: LazyFrame,
    inventory: &Inventory,
) -> Result<Vec<Finding>, FrameError> {
    let inv = inventory.to_frame()?;
    let bad = lf
        .join(
            inv,
            [col("line_id")],
            [col("line_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .with_column(traffic_peak()?.alias("_peak"))
        .filter(above_bandwidth(col("_peak"), col("_inv_bandwidth_mbps")));
    let df = offending_rows(bad, "检查带宽利用率")?;
    let peaks = frame::f64_values(&df, "_peak")?;
    let bws = frame::f64_values(&df, "_inv_bandwidth_mbps")?;
    to_findings(t, &df, Code::OutOfRange, Some("in_bps"), |i| {
        let (p, b) = (peaks[i].unwrap_or(0.0), bws[i].unwrap_or(0.0));
        format!(
            "流量 {:.1} Mbps 超过签约带宽 {} Mbps（利用率 {:.1}%）",
            p / 1e6,
            crate::ingest::values::format_number(b),
            100.0 * p / (b * 1e6)
        )
    })
}

/// Dates more than a year before or after the period, over all rows: a typo in the
/// year would otherwise silently drop a row out of every period.
fn dates_far_from_period(
    t: &LoadedTable,
    period: &Period,
    tally: &Tally,
) -> Result<Vec<Finding>, FrameError> {
    let (lo, hi) = far_bounds(period);
    let mut out = Vec::new();
    for ((c, bad), n) in far_date_rules(t.table, period)
        .into_iter()
        .zip(&tally.far_dates)
    {
        if *n == 0 {
            continue;
        }
        let what = format!("{} 的日期距期间 {} 超过一年", c.name, period.label());
        let df = offending_rows(t.frame.clone().filter(bad), "检查日期范围")?;
        let vals = frame::i64_values(&df, c.name)?;
        out.extend(to_findings(t, &df, Code::OutOfRange, Some(c.name), |i| {
            let shown = match (c.ty, vals[i]) {
                (ColType::Date, Some(d)) => frame::from_days(d as i32).to_string(),
                (_, Some(ms)) => frame::from_millis(ms)
                    .format("%Y-%m-%d %H:%M:%S")
                    .to_string(),
                _ => String::new(),
            };
            format!("{} = {shown}，{what}（{lo} 至 {hi} 之外）", c.name)
        })?);
    }
    Ok(out)
}

/// Dates more than a year before the period's start or after its end.
fn far_bounds(period: &Period) -> (chrono::NaiveDate, chrono::NaiveDate) {
    (
        period.start - chrono::Months::new(12),
        period.end + chrono::Months::new(12),
    )
}

/// The date and time columns checked for dates far from the period, with the test.
/// Master data (lines, cards) legitimately dates from years before the period.
fn far_date_rules(table: Table, period: &Period) -> Vec<(&'static crate::tables::ColumnDef, Expr)> {
    if matches!(table, Table::Inventory | Table::SimCards) {
        return Vec::new();
    }
    let (lo, hi) = far_bounds(period);
    let mut rules = Vec::new();
    for c in table.def().columns {
        let bad = match c.ty {
            ColType::Date => col(c.name)
                .lt(lit_date(lo))
                .or(col(c.name).gt(lit_date(hi))),
            ColType::DateTime => {
                let after = (hi + chrono::Duration::days(1))
                    .and_hms_opt(0, 0, 0)
                    .expect("midnight");
                col(c.name)
                    .lt(lit_time(lo.and_hms_opt(0, 0, 0).expect("midnight")))
                    .or(col(c.name).gt_eq(lit_time(after)))
            }
            _ => continue,
        };
        rules.push((c, bad));
    }
    rules
}

/// `time_order`: an end before its start (done before planned is fine).
pub fn time_order(
    t: &LoadedTable,
    period: &Period,
    tally: &Tally,
) -> Result<Vec<Finding>, FrameError> {
    let mut out = Vec::new();
    for ((start, end), n) in t.table.def().time_order.iter().zip(&tally.time_order) {
        if *n == 0 {
            continue;
        }
        let bad = t
            .frame
            .clone()
            .filter(in_period(t.table, period))
            .filter(col(*end).lt(col(*start)));
        let df = offending_rows(bad, "检查时间先后")?;
        let s = frame::i64_values(&df, start)?;
        let e = frame::i64_values(&df, end)?;
        let ty = t.table.def().column(start).map(|c| c.ty);
        let show = |v: Option<i64>| match (ty, v) {
            (Some(ColType::Date), Some(d)) => frame::from_days(d as i32).to_string(),
            (_, Some(ms)) => frame::from_millis(ms)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string(),
            _ => String::new(),
        };
        out.extend(to_findings(t, &df, Code::TimeOrder, Some(end), |i| {
            format!("{end} {} 早于 {start} {}", show(e[i]), show(s[i]))
        })?);
    }
    Ok(out)
}

/// `unknown_line`: one finding per file and unknown line, at its first row.
pub fn unknown_lines(
    t: &LoadedTable,
    period: &Period,
    inventory: &Inventory,
) -> Result<Vec<Finding>, FrameError> {
    let inv = inventory.to_frame()?;
    let df = t
        .frame
        .clone()
        .filter(in_period(t.table, period))
        .filter(col("line_id").is_not_null())
        .select([col("line_id"), col(SOURCE_COLUMN), col(ROW_COLUMN)])
        .join(
            inv.select([col("line_id"), col("_inv_known")]),
            [col("line_id")],
            [col("line_id")],
            JoinArgs::new(JoinType::Left),
        )
        .filter(col("_inv_known").is_null())
        .group_by([col(SOURCE_COLUMN), col("line_id")])
        .agg([col(ROW_COLUMN).min(), len().alias("_count")])
        .sort([SOURCE_COLUMN, ROW_COLUMN], SortMultipleOptions::default())
        .collect_streaming()
        .step("查找未知线路")?;
    let counts = frame::i64_values(&df, "_count")?;
    let lines = frame::str_values(&df, "line_id")?;
    to_findings(t, &df, Code::UnknownLine, Some("line_id"), |i| {
        format!(
            "线路 {} 不在线路台账中（本文件共 {} 行），这些行不参与按接入方式的统计",
            lines[i].clone().unwrap_or_default(),
            counts[i].unwrap_or(0)
        )
    })
}
