//! The sample indicators of a scheme, measured from one read of the samples.
//!
//! Samples are the one large table: a quarter of 5-minute samples is tens of millions
//! of rows. Rather than one query per indicator, each reading and joining every
//! sample again, the period's samples are read once, by polars' streaming engine in
//! file order, into a compact frame that keeps per row only what the indicators use:
//! the line's index (and its group's, for `--by`) and, per indicator, the value it
//! measures where the row passes its `where` (null elsewhere), the ratio's condition
//! or availability's up/down. The measures then aggregate that frame with the
//! in-memory engine, with the same expressions as `measure::evaluate`; its sums do not
//! depend on thread timing, so the JSON is the same bytes every run (SPEC §13).

use super::availability::{self, LineShare};
use super::measure::{self, Aggregates, Measured};
use super::measurements::{availability_by_key, ByKey};
use super::rows;
use super::{GroupBy, ScoreError, ScoreInput};
use crate::frame::{self, CollectStreaming, StepContext};
use crate::ingest::LoadedTable;
use crate::scheme::{Indicator, Measure};
use crate::tables::Table;
use polars::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Compact-frame columns: the line's index and its group's index.
const LINE: &str = "_li";
const GROUP: &str = "_gk";
/// Index-frame columns joined to every sample through the inventory; the line's k-th
/// planned window is [`_inv_ws{k}`, `_inv_we{k}`).
pub(super) const INV_LINE: &str = "_inv_li";
const INV_GROUP: &str = "_inv_gk";

/// Whether this path measures `ind`: the sample measures that aggregate rows.
pub fn handles(ind: &Indicator) -> bool {
    ind.source == Table::Samples
        && ind.time_column == Table::Samples.def().time_column
        && matches!(
            ind.measure,
            Measure::Stat { .. }
                | Measure::Percentile { .. }
                | Measure::Ratio { .. }
                | Measure::Count
                | Measure::Availability {
                    from_outages: false,
                    ..
                }
        )
}

/// The columns of the compact frame, each built once however many indicators use it.
#[derive(Default)]
struct Columns {
    /// `where`s and conditions, evaluated by polars SQL: (alias, SQL).
    sql: Vec<(String, String)>,
    /// The compact frame's columns, by what they hold.
    exprs: BTreeMap<String, (String, Expr)>,
}

impl Columns {
    /// The SQL expression as a column of the scan (null where SQL gives null).
    fn sql(&mut self, text: &str) -> Expr {
        let alias = match self.sql.iter().find(|(_, t)| t == text) {
            Some((a, _)) => a.clone(),
            None => {
                let a = format!("_sql{}", self.sql.len());
                self.sql.push((a.clone(), text.to_string()));
                a
            }
        };
        col(alias)
    }

    /// Whether a row passes `where` (always, without one).
    fn passes(&mut self, filter: Option<&str>) -> Expr {
        match filter {
            Some(w) => self.sql(w).fill_null(lit(false)),
            None => lit(true),
        }
    }

    /// A compact column holding `value` where the row passes `where`, null elsewhere.
    fn keep(&mut self, what: String, filter: Option<&str>, value: Expr) -> String {
        let key = format!("{what}\u{1}{}", filter.unwrap_or_default());
        if let Some((name, _)) = self.exprs.get(&key) {
            return name.clone();
        }
        let name = format!("_c{}", self.exprs.len());
        let e = match filter {
            Some(_) => when(self.passes(filter)).then(value).otherwise(lit(NULL)),
            None => value,
        };
        self.exprs
            .insert(key, (name.clone(), e.alias(name.as_str())));
        name
    }
}

/// How one indicator aggregates its compact columns.
struct Plan<'a> {
    ind: &'a Indicator,
    /// The value over rows (not for availability).
    value: Option<Expr>,
    /// The rows behind the value: rows passing `where`.
    rows: Expr,
    /// Availability's per-row up (true), down (false) or not counted (null).
    availability: Option<String>,
}

/// Measures the handled indicators of `inds` (see `handles`) overall (key "") and,
/// with `by`, per group (keys "by\u{1}value"), by indicator id.
pub fn measure_all(
    inds: &[&Indicator],
    t: &LoadedTable,
    access: Option<&str>,
    input: &ScoreInput,
    by: Option<GroupBy>,
) -> Result<BTreeMap<String, ByKey>, ScoreError> {
    if inds.is_empty() || !t.configured {
        return Ok(BTreeMap::new());
    }
    let with_availability = inds
        .iter()
        .any(|i| matches!(i.measure, Measure::Availability { .. }));
    let windows = if with_availability {
        let outages = input
            .tables
            .get(&Table::Outages)
            .filter(|o| o.configured)
            .map(|o| o.frame.clone());
        availability::planned_windows(outages, input.period)?
    } else {
        Vec::new()
    };
    let lines = line_ids(t, access, input, with_availability)?;
    let index = LineIndex::new(&lines, by, input, &windows)?;
    let (columns, plans) = plan(inds, &index.planned);
    let compact = read_compact(t, access, input, &index, by.is_some(), columns)?;
    let mut out = row_measures(&compact, &plans, by, &index.keys)?;
    out.extend(availability_measures(compact, &plans, by, &lines, input)?);
    Ok(out)
}

/// Every line a sample can belong to, by a dense index, with its group's index and
/// its planned windows, as a frame joined to the samples through the inventory.
pub(super) struct LineIndex {
    /// The inventory with the index columns (`_inv_li`, `_inv_gk`, `_inv_ws{k}`, …).
    pub(super) inventory: LazyFrame,
    /// The group keys, by group index.
    keys: Vec<String>,
    /// Whether a sample falls in one of its line's planned windows.
    pub(super) planned: Expr,
}

impl LineIndex {
    pub(super) fn new(
        lines: &[String],
        by: Option<GroupBy>,
        input: &ScoreInput,
        windows: &[(String, i64, i64)],
    ) -> Result<LineIndex, ScoreError> {
        let group_keys: Vec<Option<String>> = lines
            .iter()
            .map(|id| match by {
                None => None,
                Some(g) => input.inventory.get(id).and_then(|l| g.key_of(l)),
            })
            .collect();
        let keys: Vec<String> = group_keys
            .iter()
            .flatten()
            .cloned()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let key_index: HashMap<&str, u32> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| (k.as_str(), i as u32))
            .collect();
        let mut columns = vec![
            Column::new("line_id".into(), lines.to_vec()),
            Column::new(INV_LINE.into(), (0..lines.len() as u32).collect::<Vec<_>>()),
            Column::new(
                INV_GROUP.into(),
                group_keys
                    .iter()
                    .map(|k| k.as_deref().map(|k| key_index[k]))
                    .collect::<Vec<_>>(),
            ),
        ];
        // Each line's planned windows as columns of its index row: a sample is planned
        // when it falls in any (lines have few; the line with most sets the count).
        let mut windows_of: HashMap<&str, Vec<(i64, i64)>> = HashMap::new();
        for (line, s, e) in windows {
            windows_of.entry(line.as_str()).or_default().push((*s, *e));
        }
        let most = windows_of.values().map(Vec::len).max().unwrap_or(0);
        let mut planned = lit(false);
        for k in 0..most {
            let bound = |pick: fn(&(i64, i64)) -> i64| -> Vec<Option<i64>> {
                lines
                    .iter()
                    .map(|id| windows_of.get(id.as_str()).and_then(|w| w.get(k)).map(pick))
                    .collect()
            };
            let (ws, we) = (format!("_inv_ws{k}"), format!("_inv_we{k}"));
            columns.push(Column::new(ws.as_str().into(), bound(|w| w.0)));
            columns.push(Column::new(we.as_str().into(), bound(|w| w.1)));
            let t = col("time").cast(DataType::Int64);
            let inside = t
                .clone()
                .gt_eq(col(ws.as_str()))
                .and(t.lt(col(we.as_str())));
            planned = planned.or(inside.fill_null(lit(false)));
        }
        let index = DataFrame::new_infer_height(columns).step("组装线路索引")?;
        let inventory = index.lazy().join(
            input.inventory.to_frame()?,
            [col("line_id")],
            [col("line_id")],
            JoinArgs::new(JoinType::Left),
        );
        Ok(LineIndex {
            inventory,
            keys,
            planned,
        })
    }
}

/// What each indicator keeps of a row (the compact frame's columns), and how it
/// aggregates them.
fn plan<'a>(inds: &[&'a Indicator], planned: &Expr) -> (Columns, Vec<Plan<'a>>) {
    let mut columns = Columns::default();
    let mut plans = Vec::new();
    for ind in inds {
        let w = ind.filter.as_deref();
        let rows = match w {
            Some(_) => {
                let passed = columns.keep("passes".into(), w, lit(true));
                col(passed).count()
            }
            None => len(),
        };
        let mut plan = Plan {
            ind,
            value: None,
            rows: rows.cast(DataType::Float64),
            availability: None,
        };
        match &ind.measure {
            Measure::Stat { stat, column } => {
                let c = col(column.as_str()).cast(DataType::Float64);
                let v = columns.keep(format!("value {column}"), w, c);
                plan.value = Some(measure::stat_of(*stat, col(v)));
            }
            Measure::Percentile { column, p, method } => {
                let c = col(column.as_str()).cast(DataType::Float64);
                let v = columns.keep(format!("value {column}"), w, c);
                plan.value = Some(measure::percentile_of(col(v), *p, *method));
            }
            Measure::Ratio { condition } => {
                let held = columns.sql(condition).fill_null(lit(false));
                let c = columns.keep(format!("held {condition}"), w, held);
                plan.value = Some(col(c).cast(DataType::Float64).mean() * lit(100.0));
            }
            Measure::Count => plan.value = Some(plan.rows.clone()),
            Measure::Availability { .. } => {
                // Only samples inside the line's active dates and outside its planned
                // windows count.
                let counted = availability::in_active_dates().and(planned.clone().not());
                let up = when(counted)
                    .then(col("reachable").fill_null(lit(false)))
                    .otherwise(lit(NULL));
                plan.availability = Some(columns.keep("up".into(), w, up));
            }
            _ => unreachable!("samples::handles admits only row measures"),
        }
        plans.push(plan);
    }
    (columns, plans)
}

const STEP: &str = "计算采样类指标";

/// The one read of the samples: the period's rows of the scheme's lines, in file
/// order, reduced to the compact columns.
fn read_compact(
    t: &LoadedTable,
    access: Option<&str>,
    input: &ScoreInput,
    index: &LineIndex,
    grouped: bool,
    columns: Columns,
) -> Result<DataFrame, ScoreError> {
    let scoped = rows::scoped(t, access, &index.inventory)?;
    let mut lf = rows::in_period(scoped, Table::Samples, "time", input.period);
    if !columns.sql.is_empty() {
        let derived: Vec<String> = columns
            .sql
            .iter()
            .map(|(a, text)| format!("({text}) AS {a}"))
            .collect();
        lf = rows::sql(lf, &format!("SELECT *, {} FROM t", derived.join(", ")))?;
    }
    let mut select = vec![col(INV_LINE).alias(LINE)];
    if grouped {
        select.push(col(INV_GROUP).alias(GROUP));
    }
    select.extend(columns.exprs.into_values().map(|(_, e)| e));
    Ok(crate::progress::timed("score samples read", || {
        lf.select(select).collect_streaming().step(STEP)
    })?)
}

/// The measures over rows (all but availability), overall and per group.
fn row_measures(
    compact: &DataFrame,
    plans: &[Plan],
    by: Option<GroupBy>,
    keys: &[String],
) -> Result<BTreeMap<String, ByKey>, ScoreError> {
    let mut out = BTreeMap::new();
    let value_plans: Vec<(usize, &Plan)> = plans
        .iter()
        .enumerate()
        .filter(|(_, p)| p.value.is_some())
        .collect();
    if value_plans.is_empty() {
        return Ok(out);
    }
    let exprs = || {
        value_plans
            .iter()
            .flat_map(|(i, p)| {
                [
                    p.value.clone().expect("value plans").alias(format!("v{i}")),
                    p.rows.clone().alias(format!("n{i}")),
                ]
            })
            .collect::<Vec<_>>()
    };
    let overall = crate::progress::timed("score samples overall", || {
        measure::aggregate(compact.clone().lazy(), None, exprs(), STEP)
    })?;
    let groups = match by {
        Some(_) => crate::progress::timed("score samples groups", || {
            per_group(compact, keys.len(), &exprs)
        })?,
        None => Aggregates::new(),
    };
    for (i, p) in &value_plans {
        let mut values = ByKey::new();
        let mut put = |key: String, aggs: &BTreeMap<String, Option<f64>>| {
            values.insert(
                key,
                Measured {
                    value: aggs.get(&format!("v{i}")).copied().flatten(),
                    rows: aggs.get(&format!("n{i}")).copied().flatten().unwrap_or(0.0) as u64,
                },
            );
        };
        if let Some(a) = overall.get("") {
            put(String::new(), a);
        }
        if let Some(g) = by {
            for (k, a) in &groups {
                let key = k.parse::<usize>().ok().and_then(|k| keys.get(k));
                if let Some(key) = key {
                    put(format!("{}\u{1}{key}", g.name()), a);
                }
            }
        }
        out.insert(p.ind.id.clone(), values);
    }
    Ok(out)
}

/// Groups are measured in at most this many batches (see `per_group`).
const GROUP_BATCHES: usize = 16;

/// `exprs` per group (keys: the group index as text), a batch of neighbouring groups at
/// a time: each batch's rows are filtered out (file order kept) and grouped on their
/// own. One polars group_by over every sample would hold every group's row list and,
/// for percentiles, every group's sorted copy at once (+2 GiB on a 62 M-row quarter);
/// a batch holds about 1/16 of that. With 16 districts a batch is one district,
/// aggregated without grouping (its sums may then differ from a group_by's in the last
/// binary digit).
fn per_group(
    compact: &DataFrame,
    groups: usize,
    exprs: &dyn Fn() -> Vec<Expr>,
) -> Result<Aggregates, ScoreError> {
    let batches = groups.clamp(1, GROUP_BATCHES);
    let mut out = Aggregates::new();
    for b in 0..batches {
        let (first, end) = (b * groups / batches, (b + 1) * groups / batches);
        let in_batch = col(GROUP)
            .gt_eq(lit(first as u32))
            .and(col(GROUP).lt(lit(end as u32)));
        let rows = compact
            .clone()
            .lazy()
            .filter(in_batch)
            .collect()
            .step(STEP)?;
        if rows.height() == 0 {
            continue;
        }
        if end - first == 1 {
            // One group: aggregated like the whole, which is twice as fast as grouping.
            if let Some(a) = measure::aggregate(rows.lazy(), None, exprs(), STEP)?.remove("") {
                out.insert(first.to_string(), a);
            }
        } else {
            out.extend(measure::aggregate(rows.lazy(), Some(GROUP), exprs(), STEP)?);
        }
    }
    Ok(out)
}

/// Availability from up and counted samples per line.
fn availability_measures(
    compact: DataFrame,
    plans: &[Plan],
    by: Option<GroupBy>,
    lines: &[String],
    input: &ScoreInput,
) -> Result<BTreeMap<String, ByKey>, ScoreError> {
    let mut out = BTreeMap::new();
    let avail_plans: Vec<&Plan> = plans.iter().filter(|p| p.availability.is_some()).collect();
    if avail_plans.is_empty() {
        return Ok(out);
    }
    let mut aggs = Vec::new();
    for (i, p) in avail_plans.iter().enumerate() {
        let a = col(p.availability.as_deref().expect("availability plans"));
        aggs.push(
            a.clone()
                .cast(DataType::UInt32)
                .sum()
                .alias(format!("up{i}")),
        );
        aggs.push(a.count().alias(format!("n{i}")));
    }
    // Counts only (sums of 0/1): the streaming engine's result is exact.
    let all = compact
        .lazy()
        .filter(col(LINE).is_not_null())
        .group_by([col(LINE)])
        .agg(aggs)
        .sort([LINE], SortMultipleOptions::default())
        .collect_streaming()
        .step(STEP)?;
    let line_of = frame::i64_values(&all, LINE)?;
    for (i, p) in avail_plans.iter().enumerate() {
        let ups = frame::f64_values(&all, &format!("up{i}"))?;
        let ns = frame::f64_values(&all, &format!("n{i}"))?;
        let mut shares = Vec::new();
        for (row, line) in line_of.iter().enumerate() {
            let (Some(line), Some(total)) = (line, ns[row]) else {
                continue;
            };
            if total > 0.0 {
                shares.push(LineShare {
                    line_id: lines[*line as usize].clone(),
                    good: ups[row].unwrap_or(0.0),
                    total,
                    rows: total as u64,
                });
            }
        }
        let agg = availability::aggregate_of(p.ind);
        out.insert(
            p.ind.id.clone(),
            availability_by_key(&shares, agg, by, input.inventory),
        );
    }
    Ok(out)
}

/// The lines samples are indexed by: the inventory's, in id order, and with no access
/// type (when every line counts) also the unknown lines availability is measured on.
pub(super) fn line_ids(
    t: &LoadedTable,
    access: Option<&str>,
    input: &ScoreInput,
    availability: bool,
) -> Result<Vec<String>, ScoreError> {
    let mut ids: Vec<String> = input.inventory.lines.keys().cloned().collect();
    if access.is_none() && availability {
        let known = input
            .inventory
            .to_frame()?
            .select([col("line_id"), col("_inv_known")]);
        let df = rows::in_period(t.frame.clone(), Table::Samples, "time", input.period)
            .select([col("line_id")])
            .filter(col("line_id").is_not_null())
            .join(
                known,
                [col("line_id")],
                [col("line_id")],
                JoinArgs::new(JoinType::Left),
            )
            .filter(col("_inv_known").is_null())
            .select([col("line_id")])
            .unique(None, UniqueKeepStrategy::Any)
            .sort(["line_id"], SortMultipleOptions::default())
            .collect_streaming()
            .step("查找未知线路")?;
        ids.extend(frame::str_values(&df, "line_id")?.into_iter().flatten());
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheme::PercentileMethod;

    /// Groups measured a batch at a time give what one group_by over every row gives,
    /// and rows of no group (a line outside every group) are in none. Group 0 holds
    /// 1, (null), 4; group 1 holds 10, 30; groups 2..40 hold one row each.
    #[test]
    fn groups_in_batches_agree_with_one_group_by() {
        let mut group = vec![Some(0u32), Some(1), None, Some(0), Some(1), Some(0)];
        let mut v = vec![
            Some(1.0),
            Some(10.0),
            Some(100.0),
            None,
            Some(30.0),
            Some(4.0),
        ];
        for g in 2..40u32 {
            group.push(Some(g));
            v.push(Some(g as f64 / 3.0));
        }
        let compact = df!(GROUP => group, "v" => v).unwrap();
        let exprs = || {
            vec![
                col("v").mean().alias("mean"),
                measure::percentile_of(col("v"), 95.0, PercentileMethod::Linear).alias("p95"),
                measure::percentile_of(col("v"), 50.0, PercentileMethod::NearestRank).alias("p50"),
                col("v").count().alias("n"),
            ]
        };
        let batched = per_group(&compact, 40, &exprs).unwrap();
        let all = measure::aggregate(compact.clone().lazy(), Some(GROUP), exprs(), STEP).unwrap();
        assert_eq!(batched, all);
        assert_eq!(batched.len(), 40);
        let got = |g: &str, a: &str| batched[g][a].unwrap();
        assert_eq!((got("0", "mean"), got("0", "n")), (2.5, 2.0));
        assert!((got("0", "p95") - 3.85).abs() < 1e-12);
        assert_eq!(got("0", "p50"), 1.0);
        assert_eq!((got("1", "mean"), got("1", "n")), (20.0, 2.0));
        assert!((got("1", "p95") - 29.0).abs() < 1e-12);
        assert_eq!(got("1", "p50"), 10.0);
        assert_eq!(got("39", "mean"), 13.0);
        // Two groups: two batches of one group each.
        let two = compact
            .clone()
            .lazy()
            .filter(col(GROUP).lt(lit(2u32)))
            .collect()
            .unwrap();
        let some = per_group(&two, 2, &exprs).unwrap();
        assert_eq!(some["0"], all["0"]);
        assert_eq!(some["1"], all["1"]);
    }
}
