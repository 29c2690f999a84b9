//! The measures of SPEC §7 over an indicator's rows, each a polars query: the value
//! (`None` when there is nothing to measure) and the number of rows behind it.

use super::rows::{self, millis};
use super::ScoreError;
use crate::calendar::Calendar;
use crate::frame::{self, StepContext};
use crate::period::Period;
use crate::scheme::{Indicator, Limit, LimitRule, Measure, PercentileMethod, Stat};
use crate::tables::Table;
use polars::prelude::*;
use std::collections::BTreeMap;

const DAY_MS: i64 = 86_400_000;

/// A measured value and the rows it was computed from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measured {
    pub value: Option<f64>,
    pub rows: u64,
}

/// Aggregated f64 results by name, for the whole rows (key "") or per group key.
pub type Aggregates = BTreeMap<String, BTreeMap<String, Option<f64>>>;

/// Runs `exprs` as aggregations over all rows, or per value of `group`. The in-memory
/// engine is used on purpose: the streaming engine sums floats in an order that varies
/// from run to run, and the JSON must be the same bytes every time (SPEC §13).
pub(super) fn aggregate(
    lf: LazyFrame,
    group: Option<&str>,
    exprs: Vec<Expr>,
    step: &str,
) -> Result<Aggregates, ScoreError> {
    let df = match group {
        None => lf.select(exprs).collect().step(step)?,
        // Keys become text after grouping: casting every row first costs a string each.
        Some(g) => lf
            .filter(col(g).is_not_null())
            .group_by([col(g).alias("_key")])
            .agg(exprs)
            .with_column(col("_key").cast(DataType::String))
            .collect()
            .step(step)?,
    };
    let keys = match group {
        None => vec![Some(String::new())],
        Some(_) => frame::str_values(&df, "_key")?,
    };
    let mut out: Aggregates = BTreeMap::new();
    for c in df.columns().iter().filter(|c| c.name() != "_key") {
        let values = frame::f64_values(&df, c.name())?;
        for (k, v) in keys.iter().zip(values) {
            out.entry(k.clone().unwrap_or_default())
                .or_default()
                .insert(c.name().to_string(), v);
        }
    }
    Ok(out)
}

/// One aggregated value (and the row count behind it), overall or per group.
fn value(
    lf: LazyFrame,
    group: Option<&str>,
    value: Expr,
    step: &str,
) -> Result<Vec<(String, Measured)>, ScoreError> {
    Ok(measured(
        aggregate(lf, group, vec![value.alias("v"), count_expr()], step)?,
        "v",
    ))
}

/// Turns aggregates into measured values, taking the value from `key`.
fn measured(aggs: Aggregates, key: &str) -> Vec<(String, Measured)> {
    aggs.into_iter()
        .map(|(k, v)| {
            let rows = v.get("_n").copied().flatten().unwrap_or(0.0) as u64;
            (
                k,
                Measured {
                    value: v.get(key).copied().flatten(),
                    rows,
                },
            )
        })
        .collect()
}

fn count_expr() -> Expr {
    // Not `len()`: see audit::rows::count (polars 0.55 and concatenated files).
    col("_row").count().cast(DataType::Float64).alias("_n")
}

/// `stat` of the (f64) values `c`, nulls ignored; no values is no data (not a sum of 0).
pub fn stat_of(stat: Stat, c: Expr) -> Expr {
    let e = match stat {
        Stat::Mean => c.clone().mean(),
        Stat::Max => c.clone().max(),
        Stat::Min => c.clone().min(),
        Stat::Sum => c.clone().sum(),
    };
    let present = c.count().gt(lit(0));
    when(present)
        .then(e)
        .otherwise(lit(NULL))
        .cast(DataType::Float64)
}

/// The `p`-th percentile of the (f64) values `c`, nulls ignored.
pub fn percentile_of(c: Expr, p: f64, method: PercentileMethod) -> Expr {
    let e = match method {
        PercentileMethod::Linear => c.quantile(lit(p / 100.0), QuantileMethod::Linear),
        PercentileMethod::NearestRank => frame::nearest_rank(c, p),
    };
    e.cast(DataType::Float64)
}

/// Evaluates every measure except availability, over rows already scoped to the
/// access type (not yet to the period); per value of `group` when given.
pub fn evaluate(
    ind: &Indicator,
    scoped: LazyFrame,
    period: &Period,
    calendar: &Calendar,
    group: Option<&str>,
) -> Result<Vec<(String, Measured)>, ScoreError> {
    let table = ind.source;
    let lf = rows::in_period(scoped, table, &ind.time_column, period);
    let lf = rows::filtered(lf, ind.filter.as_deref())?;
    let step = format!("计算指标 {}", ind.id);
    match &ind.measure {
        Measure::Stat { stat, column } => {
            let c = col(column.as_str()).cast(DataType::Float64);
            value(lf, group, stat_of(*stat, c), &step)
        }
        Measure::Percentile { column, p, method } => {
            let c = col(column.as_str()).cast(DataType::Float64);
            value(lf, group, percentile_of(c, *p, *method), &step)
        }
        Measure::Ratio { condition } => {
            let lf = rows::sql(lf, &format!("SELECT *, ({condition}) AS _cond FROM t"))?;
            let held = col("_cond").fill_null(lit(false)).cast(DataType::Float64);
            value(lf, group, held.mean() * lit(100.0), &step)
        }
        // The row count is the value: asking for it twice in one projection trips
        // polars 0.55's common-subexpression elimination over an in-memory frame.
        Measure::Count => Ok(measured(
            aggregate(lf, group, vec![count_expr()], &step)?,
            "_n",
        )),
        Measure::Sql { expr } => {
            let query = match group {
                None => format!("SELECT {expr} AS v, COUNT(*) AS _n FROM t"),
                Some(g) => format!("SELECT CAST({g} AS VARCHAR) AS _key, {expr} AS v, COUNT(*) AS _n FROM t WHERE {g} IS NOT NULL GROUP BY {g}"),
            };
            let df = rows::sql(lf, &query)?.collect().step(&step)?;
            let keys = match group {
                None => vec![Some(String::new())],
                Some(_) => frame::str_values(&df, "_key")?,
            };
            let v = frame::f64_values(&df, "v")?;
            let n = frame::f64_values(&df, "_n")?;
            Ok(keys
                .into_iter()
                .zip(v.into_iter().zip(n))
                .map(|(k, (v, n))| {
                    let rows = n.unwrap_or(0.0) as u64;
                    (
                        k.unwrap_or_default(),
                        Measured {
                            value: v.filter(|_| rows > 0),
                            rows,
                        },
                    )
                })
                .collect())
        }
        Measure::MeanDuration { start, end } => {
            let hours = (millis(table, end) - millis(table, start)).cast(DataType::Float64)
                / lit(3_600_000.0);
            let lf = lf.filter(
                col(start.as_str())
                    .is_not_null()
                    .and(col(end.as_str()).is_not_null()),
            );
            value(lf, group, hours.mean(), &step)
        }
        Measure::CompletionRate { due, done } => {
            let due_day = millis(table, due) / lit(DAY_MS);
            let done_day = millis(table, done) / lit(DAY_MS);
            let on_time = done_day
                .lt_eq(due_day)
                .fill_null(lit(false))
                .cast(DataType::Float64);
            value(lf, group, on_time.mean() * lit(100.0), &step)
        }
        Measure::OnTimeRate { start, end, limit } => {
            let lf = on_time_rows(lf, table, start, end, limit, period, calendar)?;
            let on_time = col("_on_time").cast(DataType::Float64);
            value(lf, group, on_time.mean() * lit(100.0), &step)
        }
        Measure::Availability { .. } => {
            unreachable!("availability is measured by score::availability")
        }
    }
}

/// The judged items of an on-time rate with their `_on_time` flag: end − start ≤
/// limit; an item without an end is late once its deadline has passed at the
/// period's end, and is left out before that.
fn on_time_rows(
    lf: LazyFrame,
    table: Table,
    start: &str,
    end: &str,
    limit: &LimitRule,
    period: &Period,
    calendar: &Calendar,
) -> Result<LazyFrame, ScoreError> {
    // Each item's deadline in ms: start + duration, or the first instant after the
    // due date for working days (`_wd`, compared strictly).
    let (deadline, wd, lf) = match limit {
        LimitRule::Fixed(l) => deadline_for(*l, lf, table, start, calendar, "_due0")?,
        LimitRule::By { column, values } => {
            let mut lf = lf;
            let mut deadline = lit(NULL).cast(DataType::Int64);
            let mut wd = lit(false);
            for (i, (key, l)) in values.iter().enumerate() {
                let (d, w, next) =
                    deadline_for(*l, lf, table, start, calendar, &format!("_due{i}"))?;
                lf = next;
                let hit = col(column.as_str())
                    .cast(DataType::String)
                    .eq(lit(key.clone()));
                deadline = when(hit.clone()).then(d).otherwise(deadline);
                wd = when(hit).then(w).otherwise(wd);
            }
            (deadline, wd, lf)
        }
    };
    let period_end = frame::millis(period.end_time());
    let lf = lf
        .with_columns([
            deadline.cast(DataType::Int64).alias("_deadline"),
            wd.alias("_wd"),
            millis(table, end).alias("_e"),
        ])
        // Items whose limit is unknown (a severity not in the table) cannot be judged.
        .filter(col("_deadline").is_not_null())
        .filter(
            col("_e")
                .is_not_null()
                .or(col("_deadline").lt_eq(lit(period_end))),
        );
    let finished_on_time = when(col("_wd"))
        .then(col("_e").lt(col("_deadline")))
        .otherwise(col("_e").lt_eq(col("_deadline")));
    Ok(lf.with_column(finished_on_time.fill_null(lit(false)).alias("_on_time")))
}

/// The deadline expression for one limit, joining the working-day due dates of the
/// items' start dates when the limit is in working days.
fn deadline_for(
    limit: Limit,
    lf: LazyFrame,
    table: Table,
    start: &str,
    calendar: &Calendar,
    due_name: &str,
) -> Result<(Expr, Expr, LazyFrame), ScoreError> {
    match limit {
        Limit::Seconds(s) => Ok((
            millis(table, start) + lit((s * 1000.0).round() as i64),
            lit(false),
            lf,
        )),
        Limit::WorkingDays(n) => {
            // One row per start date the items have: start day → first instant after
            // the due date. Only real items' deadlines are looked up, so a year the
            // calendar lacks is assumed only when an item needs it (SPEC §7).
            let start_day = (millis(table, start) / lit(DAY_MS)).alias("_start_day");
            let item_days = lf
                .clone()
                .select([start_day])
                .filter(col("_start_day").is_not_null())
                .unique(None, UniqueKeepStrategy::Any)
                .collect()
                .step("查找工单起始日期")?;
            let mut starts = Vec::new();
            let mut ends = Vec::new();
            for day in frame::i64_values(&item_days, "_start_day")?
                .into_iter()
                .flatten()
            {
                let date = frame::from_days(day as i32);
                let due = calendar.add_working_days(date, n);
                starts.push(day);
                ends.push(frame::millis(
                    (due + chrono::Duration::days(1))
                        .and_hms_opt(0, 0, 0)
                        .expect("midnight"),
                ));
            }
            let table_df = DataFrame::new_infer_height(vec![
                Column::new("_start_day".into(), starts),
                Column::new(due_name.into(), ends),
            ])
            .step("组装工作日表")?;
            let lf = lf
                .with_column((millis(table, start) / lit(DAY_MS)).alias("_start_day"))
                .join(
                    table_df.lazy(),
                    [col("_start_day")],
                    [col("_start_day")],
                    JoinArgs::new(JoinType::Left),
                );
            Ok((col(due_name), lit(true), lf))
        }
    }
}
