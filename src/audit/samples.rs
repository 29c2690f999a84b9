//! Checks over each line's sequence of samples: `coverage`, `gap`, `inconsistent`,
//! and `stale` for the time-series tables.
//!
//! The samples of the period are read once, in one streaming pass, into per-line
//! sequences (`sequences`), and each line's times are then walked in a single pass.

use super::rows::WalkCounts;
use super::sequences::{self, with_line_index, LineSamples, Order, Sequences};
use super::{CheckOptions, LineCoverage};
use crate::findings::{Code, Finding};
use crate::frame::{self, millis, FrameError, StepContext};
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
    // Files in per-line time order, one after another in time, need no sort: each
    // line's samples already come in time order when the rows are read in file order.
    let order = Order {
        in_time_order: !dedup && files_follow_in_time(samples),
        dedup,
    };
    // Inventory lines by a dense index, in id order: the text ids are not kept for
    // hundreds of millions of rows.
    let known: Vec<&String> = inventory.lines.keys().collect();
    let lf = with_line_index(period_samples(samples, period), &known, inventory)?;
    let sequences = crate::progress::timed("seq read", || Sequences::read(lf, known.len(), order))?;
    let walk = Walk {
        known: &known,
        inventory,
        sequences: &sequences,
        interval: table_interval(&sequences, known.len()),
        outage_table: outages,
        outages: match outages {
            Some(t) => crate::outages::by_line(t.frame.clone(), period)?,
            None => HashMap::new(),
        },
        faults: fault_windows(faults, period)?,
        period,
        options,
    };
    // Each line is walked on its own, on every core; the results keep inventory order.
    let walked: Vec<(LineCoverage, Vec<Named>)> = crate::progress::timed("seq walk", || {
        (0..known.len())
            .into_par_iter()
            .filter_map(|k| walk.line(k))
            .collect()
    });
    let mut result = SequenceResult {
        coverage: Vec::with_capacity(walked.len()),
        findings: Vec::new(),
        // Dropped duplicates may hide what the row checks look for: they count for
        // themselves then.
        counts: (!dedup).then(|| sequences.counts.clone()),
    };
    let mut named = Vec::new();
    for (coverage, findings) in walked {
        result.coverage.push(coverage);
        named.extend(findings);
    }
    result.findings = locate_named(samples, period, named)?;
    Ok(result)
}

/// The samples of the period that have a time, in file and row order.
fn period_samples(samples: &LoadedTable, period: &Period) -> LazyFrame {
    samples
        .frame
        .clone()
        .filter(super::rows::in_period(Table::Samples, period))
        .filter(col("time").is_not_null())
}

/// The table's sampling interval: the first line's with a most common step, else
/// that of the first 50 lines' times together, else 5 minutes.
fn table_interval(sequences: &Sequences, lines: usize) -> i64 {
    (0..lines)
        .find_map(|k| modal_interval(&sequences.line(k).times))
        .or_else(|| {
            let first: Vec<i64> = (0..lines.min(50))
                .flat_map(|k| sequences.line(k).times)
                .collect();
            modal_interval(&first)
        })
        .unwrap_or(DEFAULT_INTERVAL_MS)
}

/// A finding, and the line and time of the sample it names, whose file and row are
/// looked up once every line is walked.
struct Named {
    finding: Finding,
    sample: Option<(String, i64)>,
}

impl Named {
    fn at(finding: Finding, line: &str, time: Option<i64>) -> Named {
        let sample = time.map(|t| (line.to_string(), t));
        Named { finding, sample }
    }

    fn bare(finding: Finding) -> Named {
        Named {
            finding,
            sample: None,
        }
    }
}

/// The findings, each naming the file and row of its sample.
fn locate_named(
    samples: &LoadedTable,
    period: &Period,
    named: Vec<Named>,
) -> Result<Vec<Finding>, FrameError> {
    let wanted: Vec<(String, i64)> = named.iter().filter_map(|n| n.sample.clone()).collect();
    let found = sequences::locate(period_samples(samples, period), &wanted)?;
    let located = named.into_iter().map(|n| {
        let mut finding = n.finding;
        if let Some(&(src, row)) = n.sample.and_then(|key| found.get(&key)) {
            (finding.file, finding.sheet) = samples.file_of(src);
            finding.row = Some(row);
        }
        finding
    });
    Ok(located.collect())
}

/// What walking one line needs: its samples, its windows, the settings.
struct Walk<'a> {
    known: &'a [&'a String],
    inventory: &'a Inventory,
    sequences: &'a Sequences,
    /// The table's sampling interval, for lines too sparse to have their own.
    interval: i64,
    outage_table: Option<&'a LoadedTable>,
    outages: HashMap<String, Vec<Outage>>,
    faults: HashMap<String, Vec<(i64, i64)>>,
    period: &'a Period,
    options: &'a CheckOptions,
}

impl Walk<'_> {
    /// Line k's coverage and findings; none for a line not active in the period, or
    /// one without samples that is not a fibre line.
    fn line(&self, k: usize) -> Option<(LineCoverage, Vec<Named>)> {
        let id = self.known[k];
        let line = &self.inventory.lines[id];
        let (span_start, span_end) = line.active_span(self.period)?;
        if self.sequences.count(k) == 0 && line.access_type.as_deref() != Some("fiber") {
            return None;
        }
        let (a, b) = (millis(span_start), millis(span_end));
        let s = &self.sequences.line(k);
        let interval = modal_interval(&s.times).unwrap_or(self.interval);
        let windows = self.outages.get(id).map(Vec::as_slice).unwrap_or(&[]);
        let coverage = coverage(id, s, windows, (a, b), interval);
        let mut findings = Vec::new();
        if coverage.coverage_pct < self.options.min_coverage {
            findings.push(Named::bare(low_coverage(&coverage, interval, self.options)));
        }
        findings.extend(gaps(id, s, a, b, interval));
        let faults = self.faults.get(id);
        findings.extend(unreachable_runs(id, s, interval, windows, faults));
        let contradicted = outages_contradicted(self.outage_table, id, s, windows, (a, b));
        findings.extend(contradicted.into_iter().map(Named::bare));
        Some((coverage, findings))
    }
}

/// A line's coverage over its active span [a, b): samples received outside planned
/// outages against those expected at its interval.
fn coverage(
    id: &str,
    s: &LineSamples,
    windows: &[Outage],
    (a, b): (i64, i64),
    interval: i64,
) -> LineCoverage {
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
    LineCoverage {
        line_id: id.to_string(),
        expected,
        received,
        coverage_pct: pct,
    }
}

/// `coverage`: a line's coverage below the option's minimum.
fn low_coverage(c: &LineCoverage, interval: i64, options: &CheckOptions) -> Finding {
    let (id, pct) = (&c.line_id, c.coverage_pct);
    Finding {
        line_id: Some(id.clone()),
        column: Some("time".into()),
        ..Finding::new(
            Code::Coverage,
            "samples",
            format!(
                "线路 {id} 采集覆盖率 {pct:.2}%（应采 {} 条，实采 {} 条，采样间隔 {} 分钟），低于 {}%",
                c.expected,
                c.received,
                interval / MINUTE_MS,
                crate::ingest::values::format_number(options.min_coverage)
            ),
        )
    }
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

/// `gap`: missing runs longer than an hour inside [a, b), each naming the sample
/// that ends it (the last one, for a run to the end).
fn gaps(id: &str, s: &LineSamples, a: i64, b: i64, interval: i64) -> Vec<Named> {
    let mut out = Vec::new();
    let mut push = |from: i64, to: i64, at: Option<usize>| {
        if to - from > MAX_GAP_MS {
            let finding = Finding {
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
            };
            out.push(Named::at(finding, id, at.map(|i| s.times[i])));
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
    id: &str,
    s: &LineSamples,
    interval: i64,
    outages: &[Outage],
    faults: Option<&Vec<(i64, i64)>>,
) -> Vec<Named> {
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
            let finding = Finding {
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
            };
            out.push(Named::at(finding, id, Some(start)));
        }
    }
    out
}

/// `inconsistent`: an unplanned outage of 30 minutes or more during which more than
/// half of the line's samples say reachable.
fn outages_contradicted(
    outages: Option<&LoadedTable>,
    id: &str,
    s: &LineSamples,
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
