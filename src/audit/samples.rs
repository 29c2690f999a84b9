//! Checks over each line's sequence of samples: `coverage`, `gap`, `inconsistent`,
//! and `stale` for the time-series tables.
//!
//! The samples of the period are read once (sorted by line and time only when the files
//! are not already in per-line time order), grouped by line with a counting sort of row
//! positions, and each line's times are then walked in a single pass in Rust.

use super::rows::{above_bandwidth, range_flags, traffic_peak, WalkCounts};
use super::{CheckOptions, LineCoverage};
use crate::findings::{Code, Finding};
use crate::frame::{self, millis, CollectStreaming, FrameError, StepContext};
use crate::ingest::build::ROW_COLUMN;
use crate::ingest::cache::SOURCE_COLUMN;
use crate::ingest::LoadedTable;
use crate::inventory::Inventory;
use crate::outages::Outage;
use crate::period::Period;
use crate::tables::Table;
use polars::prelude::*;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 60 * MINUTE_MS;
/// Runs shorter than this are not `inconsistent` (SPEC §6).
const MIN_INCONSISTENT_MS: i64 = 30 * MINUTE_MS;
/// A missing run longer than this is a `gap`.
const MAX_GAP_MS: i64 = HOUR_MS;
const DEFAULT_INTERVAL_MS: i64 = 5 * MINUTE_MS;

/// Whether duplicates of (line_id, time) can hide from the streaming check at ingest:
/// a file not in per-line time order, or files whose time ranges overlap.
pub fn samples_need_global_dedup(t: &LoadedTable) -> bool {
    if t.files.iter().any(|f| !f.stats.sorted_per_line) {
        return true;
    }
    let mut ranges: Vec<(i64, i64)> = t
        .files
        .iter()
        .filter_map(|f| Some((millis(f.stats.time_min?), millis(f.stats.time_max?))))
        .collect();
    ranges.sort();
    ranges.windows(2).any(|w| w[1].0 <= w[0].1)
}

/// Whether the files, in load order, each start after the previous one ends.
fn files_follow_in_time(t: &LoadedTable) -> bool {
    let ranges: Vec<(i64, i64)> = t
        .files
        .iter()
        .filter_map(|f| Some((millis(f.stats.time_min?), millis(f.stats.time_max?))))
        .collect();
    ranges.windows(2).all(|w| w[0].1 < w[1].0)
}

/// `stale`: the newest record is more than a day before the period's end.
pub fn stale(t: &LoadedTable, period: &Period) -> Vec<Finding> {
    let newest = t.files.iter().filter_map(|f| f.stats.time_max).max();
    let Some(newest) = newest else {
        return Vec::new();
    };
    let end = period.end_time();
    if end - newest <= chrono::Duration::days(1) {
        return Vec::new();
    }
    let hours = (end - newest).num_minutes() as f64 / 60.0;
    vec![Finding::new(
        Code::Stale,
        t.table.name(),
        format!(
            "{} 最新记录为 {}，距期间结束 {} 已 {:.1} 小时（超过 1 天），数据可能未导全",
            t.table.def().title,
            newest.format("%Y-%m-%d %H:%M:%S"),
            end.format("%Y-%m-%d %H:%M"),
            hours
        ),
    )]
}

/// Fault tickets as windows [reported_at, restored_at or closed_at or period end).
fn fault_windows(
    faults: Option<&LoadedTable>,
    period: &Period,
) -> Result<HashMap<String, Vec<(i64, i64)>>, FrameError> {
    let mut by_line: HashMap<String, Vec<(i64, i64)>> = HashMap::new();
    let Some(t) = faults else {
        return Ok(by_line);
    };
    let df = t
        .frame
        .clone()
        .select([
            col("line_id"),
            col("reported_at"),
            col("restored_at"),
            col("closed_at"),
        ])
        .collect()
        .step("读取故障工单")?;
    let lines = frame::str_values(&df, "line_id")?;
    let rep = frame::i64_values(&df, "reported_at")?;
    let res = frame::i64_values(&df, "restored_at")?;
    let clo = frame::i64_values(&df, "closed_at")?;
    let period_end = millis(period.end_time());
    for i in 0..df.height() {
        let (Some(line), Some(s)) = (&lines[i], rep[i]) else {
            continue;
        };
        let e = res[i].or(clo[i]).unwrap_or(period_end);
        by_line.entry(line.clone()).or_default().push((s, e.max(s)));
    }
    Ok(by_line)
}

fn inside(windows: &[(i64, i64)], t: i64) -> bool {
    windows.iter().any(|(s, e)| *s <= t && t < *e)
}

/// The most common positive step between consecutive times (the smallest on a tie).
fn modal_interval(times: &[i64]) -> Option<i64> {
    let mut counts: BTreeMap<i64, u64> = BTreeMap::new();
    // Steps mostly repeat: runs of one step are counted before touching the map.
    let mut run: Option<(i64, u64)> = None;
    for w in times.windows(2) {
        let d = w[1] - w[0];
        if d <= 0 {
            continue;
        }
        match &mut run {
            Some((step, n)) if *step == d => *n += 1,
            _ => {
                if let Some((step, n)) = run {
                    *counts.entry(step).or_default() += n;
                }
                run = Some((d, 1));
            }
        }
    }
    if let Some((step, n)) = run {
        *counts.entry(step).or_default() += n;
    }
    let best = counts.values().copied().max()?;
    counts.into_iter().find(|(_, n)| *n == best).map(|(d, _)| d)
}

pub struct SequenceResult {
    pub coverage: Vec<LineCoverage>,
    pub findings: Vec<Finding>,
    /// What the samples' row checks look for, counted on the way (`rows::tally`); not
    /// counted when duplicates were dropped first.
    pub counts: Option<WalkCounts>,
}

/// The column holding a sample's line as an index into the inventory's ids.
const LINE_INDEX: &str = "_line";

/// The period's samples grouped by line: each column moved out of the frame into a
/// plain vector one at a time (never two copies of the period), and a counting sort of
/// the row positions by line index (4 bytes a row); each line's rows stay in time order.
struct Sequences {
    times: Vec<i64>,
    reachable: Vec<Option<bool>>,
    /// Each sample's file and row, kept as read: only findings look them up.
    srcs: UInt32Chunked,
    rows: UInt32Chunked,
    /// Row positions, line by line; line k's are `order[starts[k]..starts[k + 1]]`.
    order: Vec<u32>,
    starts: Vec<usize>,
}

/// Moves a column out of `df` through `values` (into a vector, chunk by chunk).
fn take_column<R, F>(df: &mut DataFrame, name: &str, values: F) -> Result<R, FrameError>
where
    F: Fn(&Series) -> PolarsResult<R>,
{
    let step = "读取采样";
    let column = df.drop_in_place(name).step(step)?;
    values(column.as_materialized_series()).step(step)
}

/// A counting sort of row positions by line index: (positions line by line, where each
/// line starts). Samples of unknown lines (no index) go last, as line `lines`, which
/// no walk reads. Reads the column twice rather than copying it (a year is 250 M rows).
fn group_by_line(line: &UInt32Chunked, lines: usize) -> (Vec<u32>, Vec<usize>) {
    let index = |v: Option<u32>| v.unwrap_or(lines as u32) as usize;
    let mut starts = vec![0usize; lines + 2];
    for v in line.iter() {
        starts[index(v) + 1] += 1;
    }
    for k in 0..=lines {
        starts[k + 1] += starts[k];
    }
    let mut fill = starts.clone();
    let mut order = vec![0u32; line.len()];
    for (i, v) in line.iter().enumerate() {
        let l = index(v);
        order[fill[l]] = i as u32;
        fill[l] += 1;
    }
    (order, starts)
}

/// A numeric column's values, nulls read as 0: copied array by array when it has no
/// nulls (a quarter's samples are tens of millions of values).
fn plain<T: PolarsNumericType>(ca: &ChunkedArray<T>) -> Vec<T::Native> {
    if ca.null_count() > 0 {
        return ca.iter().map(|v| v.unwrap_or_default()).collect();
    }
    let mut out = Vec::with_capacity(ca.len());
    for array in ca.downcast_iter() {
        out.extend_from_slice(array.values());
    }
    out
}

impl Sequences {
    /// One column at a time, each dropped as soon as it is copied, so that the peak
    /// is the frame plus one column's copy, not the frame twice.
    fn new(mut df: DataFrame, lines: usize) -> Result<Sequences, FrameError> {
        let line = take_column(&mut df, LINE_INDEX, |s| Ok(s.u32()?.clone()))?;
        let (order, starts) = group_by_line(&line, lines);
        drop(line);
        let time = take_column(&mut df, "time", |s| Ok(s.datetime()?.physical().clone()))?;
        let times = plain(&time);
        drop(time);
        let reachable = take_column(&mut df, "reachable", |s| Ok(s.bool()?.clone()))?;
        let reachable = reachable.iter().collect();
        let srcs = take_column(&mut df, SOURCE_COLUMN, |s| Ok(s.u32()?.clone()))?;
        let rows = take_column(&mut df, ROW_COLUMN, |s| Ok(s.u32()?.clone()))?;
        drop(df);
        Ok(Sequences {
            times,
            reachable,
            srcs,
            rows,
            order,
            starts,
        })
    }

    fn count(&self, k: usize) -> usize {
        self.starts[k + 1] - self.starts[k]
    }

    /// Line k's samples: times and reachability copied out (one line at a time), file
    /// and row looked up only for the few samples a finding names.
    fn line(&self, k: usize) -> LineSamples<'_> {
        let at = &self.order[self.starts[k]..self.starts[k + 1]];
        LineSamples {
            times: at.iter().map(|&i| self.times[i as usize]).collect(),
            reachable: at.iter().map(|&i| self.reachable[i as usize]).collect(),
            at,
            sequences: self,
        }
    }
}

/// One line's samples in the period, sorted by time.
struct LineSamples<'a> {
    times: Vec<i64>,
    reachable: Vec<Option<bool>>,
    /// The samples' positions in `sequences`.
    at: &'a [u32],
    sequences: &'a Sequences,
}

impl LineSamples<'_> {
    /// The i-th sample's file (index into the table's files).
    fn src(&self, i: usize) -> u32 {
        self.sequences.srcs.get(self.at[i] as usize).unwrap_or(0)
    }

    /// The i-th sample's row in its file.
    fn row(&self, i: usize) -> u64 {
        u64::from(self.sequences.rows.get(self.at[i] as usize).unwrap_or(0))
    }
}

/// The row checks' counts from the walk's frame of the period's samples.
fn walk_counts(df: &DataFrame) -> Result<WalkCounts, FrameError> {
    let step = "整理采样序列";
    let flagged = |name: &str| -> Result<u64, FrameError> {
        let c = df.column(name).step(step)?;
        Ok(c.bool().step(step)?.sum().unwrap_or(0) as u64)
    };
    let without_line = flagged("_no_line")?;
    let without_index = df.column(LINE_INDEX).step(step)?.null_count() as u64;
    Ok(WalkCounts {
        rows_in_period: df.height() as u64,
        out_of_range: (0..range_flags(Table::Samples).len())
            .map(|i| flagged(&format!("_range{i}")))
            .collect::<Result<_, _>>()?,
        over_bandwidth: flagged("_over")?,
        unknown_lines: without_index - without_line,
    })
}

/// `coverage`, `gap` and `inconsistent` for every line that has samples or is an
/// active fibre line of the inventory.
pub fn sequence_checks(
    samples: &LoadedTable,
    outages: Option<&LoadedTable>,
    faults: Option<&LoadedTable>,
    inventory: &Inventory,
    period: &Period,
    options: &CheckOptions,
) -> Result<SequenceResult, FrameError> {
    let dedup = samples_need_global_dedup(samples);
    let mut lf = samples
        .frame
        .clone()
        .filter(super::rows::in_period(Table::Samples, period))
        .filter(col("time").is_not_null())
        .select([
            col("line_id"),
            col("time"),
            col("reachable"),
            col("loss_pct"),
            col("latency_ms"),
            col("jitter_ms"),
            col("in_bps"),
            col("out_bps"),
            col(SOURCE_COLUMN),
            col(ROW_COLUMN),
        ]);
    if dedup {
        lf = lf
            .sort([SOURCE_COLUMN, ROW_COLUMN], SortMultipleOptions::default())
            .unique_stable_generic(
                Some(vec![col("line_id"), col("time")]),
                UniqueKeepStrategy::First,
            );
    }
    // Inventory lines by a dense index, in id order: the text ids are not kept for tens
    // of millions of rows; samples of lines the inventory lacks (the business of
    // `unknown_line`) get no index and are only counted.
    let known: Vec<&String> = inventory.lines.keys().collect();
    let index = DataFrame::new_infer_height(vec![
        Column::new(
            "line_id".into(),
            known.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        ),
        Column::new(
            LINE_INDEX.into(),
            (0..known.len() as u32).collect::<Vec<_>>(),
        ),
        Column::new(
            "_bandwidth_mbps".into(),
            known
                .iter()
                .map(|id| inventory.lines[*id].bandwidth_mbps)
                .collect::<Vec<_>>(),
        ),
    ])
    .step("整理采样序列")?;
    let over = above_bandwidth(traffic_peak()?, col("_bandwidth_mbps"));
    lf = lf
        .join(
            index.lazy(),
            [col("line_id")],
            [col("line_id")],
            JoinArgs {
                maintain_order: MaintainOrderJoin::Left,
                ..JoinArgs::new(JoinType::Left)
            },
        )
        .select(
            [
                col(LINE_INDEX),
                col("time"),
                col("reachable"),
                col(SOURCE_COLUMN),
                col(ROW_COLUMN),
                over.fill_null(lit(false)).alias("_over"),
                col("line_id").is_null().alias("_no_line"),
            ]
            .into_iter()
            .chain(
                range_flags(Table::Samples)
                    .into_iter()
                    .enumerate()
                    .map(|(i, bad)| bad.fill_null(lit(false)).alias(format!("_range{i}"))),
            )
            .collect::<Vec<_>>(),
        );
    // Files in per-line time order, one after another in time, need no sort: each
    // line's samples already come in time order when the rows are read in file order.
    let ordered = !dedup && files_follow_in_time(samples);
    if !ordered {
        lf = lf.sort([LINE_INDEX, "time"], SortMultipleOptions::default());
    }
    // The streaming engine keeps the join's left order and never holds the scan whole.
    let df = crate::progress::timed("seq collect", || {
        lf.collect_streaming().step("整理采样序列")
    })?;
    // Dropped duplicates may hide what the row checks look for: they count for
    // themselves then.
    let counts = if dedup { None } else { Some(walk_counts(&df)?) };
    let sequences = crate::progress::timed("seq sort", || Sequences::new(df, known.len()))?;
    let table_interval = (0..known.len())
        .find_map(|k| modal_interval(&sequences.line(k).times))
        .or_else(|| {
            let first: Vec<i64> = (0..known.len().min(50))
                .flat_map(|k| sequences.line(k).times)
                .collect();
            modal_interval(&first)
        })
        .unwrap_or(DEFAULT_INTERVAL_MS);

    let outage_table = outages;
    let outages = match outages {
        Some(t) => crate::outages::by_line(t.frame.clone(), period)?,
        None => HashMap::new(),
    };
    let faults = fault_windows(faults, period)?;
    // Lines to audit: those with samples, and active fibre lines that should have them.
    // Each line is walked on its own, on every core; the results keep inventory order.
    let walk = |k: usize| -> Option<(LineCoverage, Vec<Finding>)> {
        let id = known[k];
        let line = &inventory.lines[id];
        let (span_start, span_end) = line.active_span(period)?;
        if sequences.count(k) == 0 && line.access_type.as_deref() != Some("fiber") {
            return None;
        }
        let mut findings = Vec::new();
        let (a, b) = (millis(span_start), millis(span_end));
        let s = &sequences.line(k);
        let interval = modal_interval(&s.times).unwrap_or(table_interval);
        let windows = outages.get(id).map(Vec::as_slice).unwrap_or(&[]);
        let planned = crate::outages::merged(windows, true, (a, b));
        let planned_ms = crate::intervals::total_len(&planned);
        let expected = ((b - a - planned_ms).max(0) / interval) as u64;
        let received = s
            .times
            .iter()
            .filter(|t| (a..b).contains(*t) && !inside(&planned, **t))
            .count() as u64;
        let pct = if expected == 0 {
            100.0
        } else {
            100.0 * received as f64 / expected as f64
        };
        let coverage = LineCoverage {
            line_id: id.clone(),
            expected,
            received,
            coverage_pct: pct,
        };
        if pct < options.min_coverage {
            findings.push(Finding {
                line_id: Some(id.clone()),
                column: Some("time".into()),
                ..Finding::new(
                    Code::Coverage,
                    "samples",
                    format!(
                        "线路 {id} 采集覆盖率 {pct:.2}%（应采 {expected} 条，实采 {received} 条，采样间隔 {} 分钟），低于 {}%",
                        interval / MINUTE_MS,
                        crate::ingest::values::format_number(options.min_coverage)
                    ),
                )
            });
        }
        findings.extend(gaps(samples, id, s, a, b, interval));
        findings.extend(unreachable_runs(
            samples,
            id,
            s,
            interval,
            windows,
            faults.get(id),
        ));
        findings.extend(outages_contradicted(outage_table, id, s, windows, (a, b)));
        Some((coverage, findings))
    };
    let walked: Vec<(LineCoverage, Vec<Finding>)> = crate::progress::timed("seq walk", || {
        (0..known.len()).into_par_iter().filter_map(walk).collect()
    });
    let mut result = SequenceResult {
        coverage: Vec::with_capacity(walked.len()),
        findings: Vec::new(),
        counts,
    };
    for (coverage, findings) in walked {
        result.coverage.push(coverage);
        result.findings.extend(findings);
    }
    Ok(result)
}

fn fmt_ms(ms: i64) -> String {
    frame::from_millis(ms).format("%Y-%m-%d %H:%M").to_string()
}

fn fmt_len(ms: i64) -> String {
    let minutes = ms / MINUTE_MS;
    if minutes >= 60 {
        format!("{} 小时 {} 分钟", minutes / 60, minutes % 60)
    } else {
        format!("{minutes} 分钟")
    }
}

/// `gap`: missing runs longer than an hour inside [a, b).
fn gaps(
    t: &LoadedTable,
    id: &str,
    s: &LineSamples<'_>,
    a: i64,
    b: i64,
    interval: i64,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut push = |from: i64, to: i64, at: Option<usize>| {
        if to - from > MAX_GAP_MS {
            let (file, sheet) = at.map(|i| t.file_of(s.src(i))).unwrap_or((None, None));
            out.push(Finding {
                file,
                sheet,
                row: at.map(|i| s.row(i)),
                column: Some("time".into()),
                line_id: Some(id.to_string()),
                ..Finding::new(
                    Code::Gap,
                    "samples",
                    format!(
                        "线路 {id} 自 {} 至 {} 无采样，缺失 {}",
                        fmt_ms(from),
                        fmt_ms(to),
                        fmt_len(to - from)
                    ),
                )
            });
        }
    };
    let mut expected_next = a;
    let mut last_index = None;
    for (i, &time) in s.times.iter().enumerate() {
        if time < a || time >= b {
            continue;
        }
        push(expected_next, time, Some(i));
        expected_next = time + interval;
        last_index = Some(i);
    }
    push(expected_next, b, last_index);
    out
}

/// `inconsistent`: a run of unreachable samples of 30 minutes or more that no outage or
/// fault ticket of the line overlaps.
fn unreachable_runs(
    t: &LoadedTable,
    id: &str,
    s: &LineSamples<'_>,
    interval: i64,
    outages: &[Outage],
    faults: Option<&Vec<(i64, i64)>>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.times.len() {
        if s.reachable[i] != Some(false) {
            i += 1;
            continue;
        }
        let first = i;
        while i + 1 < s.times.len() && s.reachable[i + 1] == Some(false) {
            i += 1;
        }
        let (start, end) = (s.times[first], s.times[i] + interval);
        i += 1;
        if end - start < MIN_INCONSISTENT_MS {
            continue;
        }
        let overlaps = |(ws, we): (i64, i64)| ws < end && start < we;
        let covered = outages.iter().any(|w| overlaps((w.start, w.end)))
            || faults.is_some_and(|f| f.iter().copied().any(overlaps));
        if !covered {
            let (file, sheet) = t.file_of(s.src(first));
            out.push(Finding {
                file,
                sheet,
                row: Some(s.row(first)),
                column: Some("reachable".into()),
                line_id: Some(id.to_string()),
                ..Finding::new(
                    Code::Inconsistent,
                    "samples",
                    format!(
                        "线路 {id} 自 {} 至 {} 连续 {} 采样为不可达，但无对应的中断事件或故障工单",
                        fmt_ms(start),
                        fmt_ms(end),
                        fmt_len(end - start)
                    ),
                )
            });
        }
    }
    out
}

/// `inconsistent`: an unplanned outage of 30 minutes or more during which more than
/// half of the line's samples say reachable.
fn outages_contradicted(
    outages: Option<&LoadedTable>,
    id: &str,
    s: &LineSamples<'_>,
    windows: &[Outage],
    (a, b): (i64, i64),
) -> Vec<Finding> {
    let mut out = Vec::new();
    for w in windows.iter().filter(|w| !w.planned) {
        let (start, end) = (w.start.max(a), w.end.min(b));
        if end - start < MIN_INCONSISTENT_MS {
            continue;
        }
        let lo = s.times.partition_point(|t| *t < start);
        let hi = s.times.partition_point(|t| *t < end);
        let n = hi - lo;
        let up = s.reachable[lo..hi]
            .iter()
            .filter(|r| **r == Some(true))
            .count();
        if n > 0 && up * 2 > n {
            let (file, sheet) = outages.map(|t| t.file_of(w.src)).unwrap_or((None, None));
            out.push(Finding {
                file,
                sheet,
                row: w.row,
                column: Some("start".into()),
                line_id: Some(id.to_string()),
                ..Finding::new(
                    Code::Inconsistent,
                    Table::Outages.name(),
                    format!(
                        "线路 {id} 的非计划中断 {} 至 {}（{}）期间 {n} 条采样中有 {up} 条为可达",
                        fmt_ms(w.start),
                        fmt_ms(w.end),
                        fmt_len(w.end - w.start)
                    ),
                )
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modal_interval_prefers_the_most_common_step() {
        assert_eq!(modal_interval(&[0, 5, 10, 15, 30, 35]), Some(5));
        assert_eq!(modal_interval(&[0]), None);
        // Runs split and rejoined: 5 ×3 (two runs) against 10 ×2; a tie takes the smaller.
        assert_eq!(modal_interval(&[0, 5, 10, 20, 30, 35]), Some(5));
        assert_eq!(modal_interval(&[0, 10, 20, 25, 30]), Some(5));
        assert_eq!(modal_interval(&[0, 10, 20, 25, 30, 40]), Some(10));
        // Repeated times (step 0) and steps back are not steps.
        assert_eq!(modal_interval(&[0, 0, 10, 5, 15, 25]), Some(10));
    }
}
