//! The 5G figures of the 5G annual evaluation report (SPEC §14): SIM cards by unit,
//! package and month (opened, closed, active), and each KPI of the 5G scheme as its
//! mean, the share of records meeting the target, and the 10 worst cards or cells.

use crate::frame::{self, FrameError, StepContext};
use crate::ingest::LoadedTable;
use crate::period::Period;
use crate::scheme::scoring::{Op, Target};
use crate::scheme::{Measure, Scheme, Stat};
use crate::score::rows;
use crate::tables::Table;
use chrono::{Datelike, NaiveDate};
use polars::prelude::*;
use std::collections::BTreeMap;

/// Cards of one unit, package or month.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CardCounts {
    pub key: String,
    /// Activated in the period.
    pub opened: u64,
    /// Closed in the period.
    pub closed: u64,
    /// Active at the period's end (activated by then, not closed by then).
    pub active: u64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct CardSummary {
    pub by_unit: Vec<CardCounts>,
    pub by_package: Vec<CardCounts>,
    /// Opened and closed per month of the period (`active` at each month's end).
    pub by_month: Vec<CardCounts>,
    pub active: u64,
}

struct Card {
    unit: String,
    package: String,
    activated: Option<NaiveDate>,
    closed: Option<NaiveDate>,
}

fn cards(t: &LoadedTable) -> Result<Vec<Card>, FrameError> {
    let df = t.frame.clone().collect().step("读取号卡")?;
    let unit = frame::str_values(&df, "unit")?;
    let package = frame::str_values(&df, "package")?;
    let day = |c: &str| -> Result<Vec<Option<NaiveDate>>, FrameError> {
        Ok(frame::i64_values(&df, c)?
            .into_iter()
            .map(|v| v.map(|d| frame::from_days(d as i32)))
            .collect())
    };
    let (activated, closed) = (day("activated_on")?, day("closed_on")?);
    Ok((0..df.height())
        .map(|i| Card {
            unit: unit[i].clone().unwrap_or_else(|| "未填写".into()),
            package: package[i].clone().unwrap_or_else(|| "未填写".into()),
            activated: activated[i],
            closed: closed[i],
        })
        .collect())
}

fn counts_of<'a>(cards: impl Iterator<Item = (&'a str, &'a Card)>, p: &Period) -> Vec<CardCounts> {
    let mut map: BTreeMap<String, CardCounts> = BTreeMap::new();
    for (key, c) in cards {
        let e = map.entry(key.to_string()).or_insert_with(|| CardCounts {
            key: key.to_string(),
            ..CardCounts::default()
        });
        e.opened += c.activated.is_some_and(|d| p.contains(d)) as u64;
        e.closed += c.closed.is_some_and(|d| p.contains(d)) as u64;
        e.active +=
            (c.activated.is_some_and(|d| d <= p.end) && c.closed.is_none_or(|d| d > p.end)) as u64;
    }
    let mut out: Vec<CardCounts> = map.into_values().collect();
    out.sort_by(|a, b| b.active.cmp(&a.active).then(a.key.cmp(&b.key)));
    out
}

/// The cards of the period by unit, package and month.
pub fn summarise(t: &LoadedTable, period: &Period) -> Result<CardSummary, FrameError> {
    let all = cards(t)?;
    let by_month = crate::analysis::trend::months(period)
        .iter()
        .map(|m| {
            let mut c = counts_of(all.iter().map(|c| ("", c)), m)
                .pop()
                .unwrap_or_default();
            c.key = format!("{}-{:02}", m.start.year(), m.start.month());
            c
        })
        .collect();
    let by_unit = counts_of(all.iter().map(|c| (c.unit.as_str(), c)), period);
    Ok(CardSummary {
        active: by_unit.iter().map(|c| c.active).sum(),
        by_package: counts_of(all.iter().map(|c| (c.package.as_str(), c)), period),
        by_unit,
        by_month,
    })
}

/// One KPI of the 5G scheme over the period.
#[derive(Debug, Clone, PartialEq)]
pub struct Kpi {
    pub id: String,
    pub name: String,
    pub column: String,
    pub target: Target,
    pub unit: Option<String>,
    pub mean: Option<f64>,
    /// Records meeting the target ÷ records with a value × 100.
    pub met_pct: Option<f64>,
    pub records: u64,
    /// The worst cards (or cells, for records without a card) by their mean.
    pub worst: Vec<(String, f64)>,
}

fn met(c: Expr, t: &Target) -> Expr {
    let v = lit(t.value);
    match t.op {
        Op::Ge => c.gt_eq(v),
        Op::Gt => c.gt(v),
        Op::Le => c.lt_eq(v),
        Op::Lt => c.lt(v),
        Op::Eq => c.eq(v),
    }
}

/// The scheme's `mean` indicators on `kpi_5g`, each measured over the period.
pub fn kpis(t: &LoadedTable, scheme: &Scheme, period: &Period) -> Result<Vec<Kpi>, FrameError> {
    let mut out = Vec::new();
    for ind in scheme.indicators().filter(|i| i.source == Table::Kpi5g) {
        let Measure::Stat {
            stat: Stat::Mean,
            column,
        } = &ind.measure
        else {
            continue;
        };
        let base = rows::in_period(t.frame.clone(), Table::Kpi5g, "time", period)
            .filter(col(column.as_str()).is_not_null());
        let v = col(column.as_str()).cast(DataType::Float64);
        let df = base
            .clone()
            .select([
                v.clone().mean().alias("mean"),
                met(v.clone(), &ind.target)
                    .cast(DataType::Float64)
                    .mean()
                    .alias("met"),
                v.clone().count().cast(DataType::Int64).alias("n"),
            ])
            .collect()
            .step("统计 5G 指标")?;
        let first = |c: &str| frame::f64_values(&df, c).map(|v| v.first().copied().flatten());
        let who = when(col("card_id").is_not_null())
            .then(col("card_id"))
            .otherwise(col("cell_id"));
        let per = base
            .filter(who.clone().is_not_null())
            .group_by([who.alias("_who")])
            .agg([v.mean().alias("_m")])
            .sort(
                ["_m", "_who"],
                SortMultipleOptions::default()
                    .with_order_descending_multi([!ind.target.higher_is_better(), false]),
            )
            .limit(10)
            .collect()
            .step("查找 5G 指标最差的号卡")?;
        let worst = frame::str_values(&per, "_who")?
            .into_iter()
            .zip(frame::f64_values(&per, "_m")?)
            .filter_map(|(w, m)| Some((w?, m?)))
            .collect();
        out.push(Kpi {
            id: ind.id.clone(),
            name: ind.name.clone(),
            column: column.clone(),
            target: ind.target,
            unit: ind.unit.clone(),
            mean: first("mean")?,
            met_pct: first("met")?.map(|m| 100.0 * m),
            records: frame::i64_values(&df, "n")?
                .first()
                .copied()
                .flatten()
                .unwrap_or(0) as u64,
            worst,
        });
    }
    Ok(out)
}
