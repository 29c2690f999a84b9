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
use super::measurements::{availability_by_key, ByKey};
use super::partial::{Acc, Partial};
use super::rows;
use super::{GroupBy, ScoreError, ScoreInput};
use crate::frame::{self, CollectStreaming, StepContext};
use crate::ingest::LoadedTable;
use crate::scheme::{Indicator, Measure};
use crate::tables::Table;
use polars::prelude::*;
use rayon::prelude::*;
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

/// How one indicator adds up its compact columns.
struct Plan<'a> {
    ind: &'a Indicator,
    /// The compact column that is non-null where the row passes `where` (none: all do).
    passes: Option<String>,
    /// An empty partial of the indicator's measure (not for availability).
    template: Option<Partial>,
    /// The column the partial reads: the value (stat, percentile) or the condition (ratio).
    column: Option<String>,
    /// Availability's per-row up (true), down (false) or not counted (null).
    availability: Option<String>,
}

/// Measures the handled indicators of `inds` (see `handles`) overall (key "") and,
/// with `by`, per group (keys "by\u{1}value"), by indicator id: the period a month at
/// a time (each month from the session's pieces when measured before), the months
/// added up.
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
    let mut total = Pieces::default();
    for piece in crate::period::month_pieces(input.period) {
        let piece_input = ScoreInput {
            period: &piece,
            ..*input
        };
        let measured = match input.pieces {
            Some(cache) => cache.get_or_measure(inds, access, by, &piece, |missing| {
                measure_piece(missing, t, access, &piece_input, by)
            })?,
            None => measure_piece(inds, t, access, &piece_input, by)?,
        };
        total.add(&measured);
    }
    Ok(total.finish(inds, by, input))
}

/// One piece (a month) of the period measured from one read of its samples.
fn measure_piece(
    inds: &[&Indicator],
    t: &LoadedTable,
    access: Option<&str>,
    input: &ScoreInput,
    by: Option<GroupBy>,
) -> Result<Pieces, ScoreError> {
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
    let mut out = Pieces::default();
    let groups: Vec<Option<u32>> = match by {
        Some(_) => compact
            .column(GROUP)
            .step(STEP)?
            .u32()
            .step(STEP)?
            .iter()
            .collect(),
        None => vec![None; compact.height()],
    };
    // Each indicator adds up its own columns: on every core.
    let added: Vec<(&Plan, Added)> = crate::progress::timed("score samples add", || {
        plans
            .par_iter()
            .map(|p| {
                let added = match &p.availability {
                    Some(up) => Added::Lines(line_counts(&compact, up, &lines)?),
                    None => Added::Rows(accumulate(&compact, p, &groups, &index.keys)?),
                };
                Ok((p, added))
            })
            .collect::<Result<_, ScoreError>>()
    })?;
    for (p, added) in added {
        match added {
            Added::Lines(l) => {
                out.lines.insert(p.ind.id.clone(), l);
            }
            Added::Rows(r) => {
                out.rows.insert(p.ind.id.clone(), r);
            }
        }
    }
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
/// adds them up.
fn plan<'a>(inds: &[&'a Indicator], planned: &Expr) -> (Columns, Vec<Plan<'a>>) {
    let mut columns = Columns::default();
    let mut plans = Vec::new();
    for ind in inds {
        let w = ind.filter.as_deref();
        let mut plan = Plan {
            ind,
            passes: w.map(|_| columns.keep("passes".into(), w, lit(true))),
            template: None,
            column: None,
            availability: None,
        };
        match &ind.measure {
            Measure::Stat { stat, column } => {
                let c = col(column.as_str()).cast(DataType::Float64);
                plan.column = Some(columns.keep(format!("value {column}"), w, c));
                plan.template = Some(Partial::stat(*stat));
            }
            Measure::Percentile { column, p, method } => {
                let c = col(column.as_str()).cast(DataType::Float64);
                plan.column = Some(columns.keep(format!("value {column}"), w, c));
                plan.template = Some(Partial::values(*p, *method));
            }
            Measure::Ratio { condition } => {
                let held = columns.sql(condition).fill_null(lit(false));
                plan.column = Some(columns.keep(format!("held {condition}"), w, held));
                plan.template = Some(Partial::Ratio { held: 0, n: 0 });
            }
            Measure::Count => plan.template = Some(Partial::Count),
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

/// What one plan adds up over a piece.
enum Added {
    Rows(BTreeMap<String, Acc>),
    Lines(BTreeMap<String, (u64, u64)>),
}

/// One indicator's partials over the compact frame: overall (key "") and, with
/// groups, per group key (rows of no group count only overall). A group is listed
/// when it has any row, as a polars group_by lists it.
fn accumulate(
    compact: &DataFrame,
    plan: &Plan,
    groups: &[Option<u32>],
    keys: &[String],
) -> Result<BTreeMap<String, Acc>, ScoreError> {
    let template = plan.template.clone().expect("row plans have a partial");
    let empty = || Acc {
        partial: template.clone(),
        rows: 0,
    };
    let column = |name: &str| compact.column(name).step(STEP);
    let passes: Option<Vec<bool>> = match &plan.passes {
        Some(c) => Some(
            column(c)?
                .is_not_null()
                .iter()
                .map(|b| b == Some(true))
                .collect(),
        ),
        None => None,
    };
    let mut overall = empty();
    let mut per: Vec<Option<Acc>> = vec![None; keys.len()];
    let mut add = |i: usize, f: &dyn Fn(&mut Partial)| {
        let pass = passes.as_ref().is_none_or(|p| p[i]);
        let group = groups[i].map(|g| per[g as usize].get_or_insert_with(empty));
        if !pass {
            return;
        }
        overall.rows += 1;
        f(&mut overall.partial);
        if let Some(acc) = group {
            acc.rows += 1;
            f(&mut acc.partial);
        }
    };
    match (&template, &plan.column) {
        (Partial::Ratio { .. }, Some(c)) => {
            for (i, held) in column(c)?.bool().step(STEP)?.iter().enumerate() {
                add(i, &|p: &mut Partial| {
                    if let Some(h) = held {
                        p.add_held(h)
                    }
                });
            }
        }
        (_, Some(c)) => {
            for (i, v) in column(c)?.f64().step(STEP)?.iter().enumerate() {
                add(i, &|p: &mut Partial| {
                    if let Some(v) = v {
                        p.add_value(v)
                    }
                });
            }
        }
        (_, None) => (0..compact.height()).for_each(|i| add(i, &|_: &mut Partial| {})),
    }
    let mut out = BTreeMap::from([(String::new(), overall)]);
    for (k, acc) in per.into_iter().enumerate() {
        if let Some(acc) = acc {
            out.insert(keys[k].clone(), acc);
        }
    }
    Ok(out)
}

/// Availability's counted (non-null) and up samples per line, by line id.
fn line_counts(
    compact: &DataFrame,
    up: &str,
    lines: &[String],
) -> Result<BTreeMap<String, (u64, u64)>, ScoreError> {
    let mut counts = vec![(0u64, 0u64); lines.len()];
    let line = compact.column(LINE).step(STEP)?.u32().step(STEP)?;
    let up = compact.column(up).step(STEP)?.bool().step(STEP)?;
    for (l, u) in line.iter().zip(up.iter()) {
        if let (Some(l), Some(u)) = (l, u) {
            let c = &mut counts[l as usize];
            c.0 += u as u64;
            c.1 += 1;
        }
    }
    Ok(lines
        .iter()
        .zip(counts)
        .filter(|(_, c)| c.1 > 0)
        .map(|(id, c)| (id.clone(), c))
        .collect())
}

/// What pieces of a period give the sample indicators, by indicator id: partials
/// by group key ("" overall, else the group's value), availability's (up, counted)
/// per line.
#[derive(Debug, Clone, Default)]
pub struct Pieces {
    pub rows: BTreeMap<String, BTreeMap<String, Acc>>,
    pub lines: BTreeMap<String, BTreeMap<String, (u64, u64)>>,
}

impl Pieces {
    /// Adds another piece (a later month).
    pub fn add(&mut self, other: &Pieces) {
        for (id, accs) in &other.rows {
            let mine = self.rows.entry(id.clone()).or_default();
            for (k, acc) in accs {
                match mine.get_mut(k) {
                    Some(m) => m.merge(acc),
                    None => {
                        mine.insert(k.clone(), acc.clone());
                    }
                }
            }
        }
        for (id, lines) in &other.lines {
            let mine = self.lines.entry(id.clone()).or_default();
            for (line, (up, n)) in lines {
                let c = mine.entry(line.clone()).or_default();
                c.0 += up;
                c.1 += n;
            }
        }
    }

    /// The measured values by indicator id, keyed as `measure_all` returns them.
    fn finish(
        self,
        inds: &[&Indicator],
        by: Option<GroupBy>,
        input: &ScoreInput,
    ) -> BTreeMap<String, ByKey> {
        let mut out = BTreeMap::new();
        for (id, accs) in self.rows {
            let values = accs
                .into_iter()
                .map(|(k, acc)| match (k.is_empty(), by) {
                    (false, Some(g)) => (format!("{}\u{1}{k}", g.name()), acc.measured()),
                    _ => (k, acc.measured()),
                })
                .collect();
            out.insert(id, values);
        }
        for ind in inds {
            let Some(lines) = self.lines.get(&ind.id) else {
                continue;
            };
            let shares: Vec<LineShare> = lines
                .iter()
                .map(|(line, (up, n))| LineShare {
                    line_id: line.clone(),
                    good: *up as f64,
                    total: *n as f64,
                    rows: *n,
                })
                .collect();
            let agg = availability::aggregate_of(ind);
            out.insert(
                ind.id.clone(),
                availability_by_key(&shares, agg, by, input.inventory),
            );
        }
        out
    }
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
