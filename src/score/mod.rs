//! Scoring a scheme over the audited data of a period (SPEC §7, §12): each
//! indicator measured (`measure`, `availability`) on its rows (`rows`), scored by
//! the scheme's rules, summed into dimensions, a total, a grade and a payment
//! adjustment; with `--by`, the same per district, unit or line.
//!
//! Takes loaded tables and validated models; no paths, no printing.

pub mod availability;
pub mod measure;
pub mod rows;
pub mod samples;

use crate::calendar::Calendar;
use crate::frame::{FrameError, StepContext};
use crate::ingest::LoadedTable;
use crate::inventory::Inventory;
use crate::period::Period;
use crate::scheme::scoring::{self, Scored};
use crate::scheme::{Indicator, Measure, Scheme};
use crate::tables::Table;
use measure::Measured;
use polars::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    NoData,
    Error,
}

/// Why an indicator has no data (SPEC §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoDataReason {
    /// gwq.yaml has no source for the indicator's table.
    NotConfigured,
    /// The table has no rows in the period.
    NoRows,
    /// Rows in the period, none left after the access-type filter and `where`.
    NoMatchingRows,
}

impl NoDataReason {
    /// The reason in words, for tables and reports.
    pub fn text(self) -> &'static str {
        match self {
            NoDataReason::NotConfigured => "数据源未配置",
            NoDataReason::NoRows => "本期没有数据",
            NoDataReason::NoMatchingRows => "本期有数据，但没有符合接入方式或筛选条件的记录",
        }
    }
}

/// Whether a result's total counts (SPEC §7 coverage-aware total).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TotalStatus {
    Ok,
    /// Indicators with data carry less than `min_scored_pct` of the points: no total,
    /// no grade, no payment adjustment.
    InsufficientData,
}

impl TotalStatus {
    fn of(total: Option<f64>) -> TotalStatus {
        match total {
            Some(_) => TotalStatus::Ok,
            None => TotalStatus::InsufficientData,
        }
    }
}

/// An indicator without data, and why: listed with every result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MissingIndicator {
    pub id: String,
    pub name: String,
    pub points: f64,
    pub reason: NoDataReason,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorResult {
    pub id: String,
    pub name: String,
    pub dimension: String,
    pub value: Option<f64>,
    pub unit: Option<String>,
    pub target: String,
    pub met: Option<bool>,
    pub points: f64,
    pub score: Option<f64>,
    pub status: Status,
    /// Set when `status` is `no_data`.
    pub reason: Option<NoDataReason>,
    pub rows: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DimensionResult {
    pub id: String,
    pub name: String,
    pub score: f64,
    pub points: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupResult {
    pub by: String,
    pub key: String,
    pub status: TotalStatus,
    pub total: Option<f64>,
    pub indicators: Vec<IndicatorResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FindingCounts {
    pub error: u64,
    pub warning: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataQuality {
    pub coverage_pct: Option<f64>,
    pub findings: FindingCounts,
    /// What the result assumed, in Chinese sentences (e.g. a year's calendar).
    pub assumptions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Input {
    pub table: String,
    pub path: String,
    pub sha256: String,
    pub rows: u64,
}

/// The score object of SPEC §12, in its key order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreResult {
    pub scheme: String,
    pub period: String,
    pub start: String,
    pub end: String,
    pub status: TotalStatus,
    pub total: Option<f64>,
    pub grade: Option<String>,
    pub payment_adjust_pct: Option<f64>,
    /// Under `exclude`, the share (%) of the points that indicators with data carry.
    pub scored_points_pct: f64,
    pub min_scored_pct: f64,
    pub dimensions: Vec<DimensionResult>,
    pub indicators: Vec<IndicatorResult>,
    pub missing_indicators: Vec<MissingIndicator>,
    pub groups: Vec<GroupResult>,
    pub data_quality: DataQuality,
    pub inputs: Vec<Input>,
    pub gwq_version: String,
}

/// What scoring reads.
pub struct ScoreInput<'a> {
    pub tables: &'a BTreeMap<Table, LoadedTable>,
    pub inventory: &'a Inventory,
    pub calendar: &'a Calendar,
    pub period: &'a Period,
}

/// One indicator measured overall ("") and per group key.
type ByKey = BTreeMap<String, Measured>;

/// One indicator measured: whether its source is configured, its values by key.
type MeasuredIndicator<'s> = (&'s Indicator, bool, ByKey);

/// Scores `scheme` for the period; `by` adds per-group results.
pub fn score_scheme(
    scheme: &Scheme,
    input: &ScoreInput,
    by: Option<GroupBy>,
    mut data_quality: DataQuality,
) -> Result<ScoreResult, ScoreError> {
    input.calendar.reset_assumed();
    let measured = measure_scheme(scheme, input, by)?;
    let mut overall = Vec::with_capacity(measured.len());
    for (ind, configured, values) in &measured {
        let m = values.get("");
        let reason = match m.and_then(|m| m.value).filter(|_| *configured) {
            Some(_) => None,
            None => Some(no_data_reason(
                ind,
                &input.tables[&ind.source],
                input.period,
            )?),
        };
        overall.push(result_of(ind, *configured, m, reason));
    }
    let total = total_of(scheme, &overall);
    let groups = match by {
        Some(g) => groups_of(scheme, input, g, &measured, &overall),
        None => Vec::new(),
    };
    data_quality
        .assumptions
        .extend(input.calendar.assumption_sentences());
    let scored: f64 = overall
        .iter()
        .filter(|r| r.score.is_some())
        .map(|r| r.points)
        .sum();
    Ok(ScoreResult {
        scheme: scheme.name.clone(),
        period: input.period.label().to_string(),
        start: input.period.start.to_string(),
        end: input.period.end.to_string(),
        status: TotalStatus::of(total),
        total,
        grade: total.and_then(|t| scoring::band_for(&scheme.grades, t).cloned()),
        payment_adjust_pct: total.and_then(|t| scoring::band_for(&scheme.payment, t).copied()),
        scored_points_pct: 100.0 * scored / scheme.total_points,
        min_scored_pct: scheme.min_scored_pct,
        dimensions: dimensions_of(scheme, &overall),
        missing_indicators: missing_of(&overall),
        indicators: overall,
        groups,
        data_quality,
        inputs: inputs_of(scheme, input),
        gwq_version: env!("CARGO_PKG_VERSION").to_string(),
    })
}

/// Every indicator of the scheme measured overall and, with `by`, per group.
fn measure_scheme<'s>(
    scheme: &'s Scheme,
    input: &ScoreInput,
    by: Option<GroupBy>,
) -> Result<Vec<MeasuredIndicator<'s>>, ScoreError> {
    let inventory_lf = input.inventory.to_frame()?;
    // The sample indicators together, from one read of the samples.
    let of_samples: Vec<&Indicator> = scheme
        .indicators()
        .filter(|i| samples::handles(i))
        .collect();
    let mut from_samples = crate::progress::timed("score samples", || {
        samples::measure_all(
            &of_samples,
            &input.tables[&Table::Samples],
            scheme.access_type.as_deref(),
            input,
            by,
        )
    })?;
    let mut measured = Vec::new();
    for ind in scheme.indicators() {
        let t = &input.tables[&ind.source];
        if samples::handles(ind) {
            let values = from_samples.remove(&ind.id).unwrap_or_default();
            measured.push((ind, t.configured, values));
            continue;
        }
        let mut values = crate::progress::timed(&format!("score {}", ind.id), || {
            measure_indicator(scheme, ind, t, input, &inventory_lf, None)
        })?;
        if let Some(g) = by {
            values.extend(measure_indicator(
                scheme,
                ind,
                t,
                input,
                &inventory_lf,
                Some(g),
            )?);
        }
        measured.push((ind, t.configured, values));
    }
    Ok(measured)
}

/// Why an indicator has no value: its table is not configured, has no rows in the
/// period (by the indicator's time column), or none of them matched.
fn no_data_reason(
    ind: &Indicator,
    t: &LoadedTable,
    period: &Period,
) -> Result<NoDataReason, ScoreError> {
    if !t.configured {
        return Ok(NoDataReason::NotConfigured);
    }
    let in_period = rows::in_period(t.frame.clone(), ind.source, &ind.time_column, period);
    let df = in_period
        .select([col(crate::ingest::build::ROW_COLUMN).count().alias("n")])
        .collect()
        .step(&format!("统计指标 {} 的数据行", ind.id))?;
    let n = crate::frame::i64_values(&df, "n")?
        .first()
        .copied()
        .flatten()
        .unwrap_or(0);
    Ok(if n == 0 {
        NoDataReason::NoRows
    } else {
        NoDataReason::NoMatchingRows
    })
}

/// Dimension scores and points: no-data indicators count as `missing_data` says.
fn dimensions_of(scheme: &Scheme, overall: &[IndicatorResult]) -> Vec<DimensionResult> {
    let mut dimensions = Vec::new();
    for dim in &scheme.dimensions {
        let (mut score, mut points) = (0.0, 0.0);
        for r in overall.iter().filter(|r| r.dimension == dim.id) {
            match (r.score, scheme.missing_data) {
                (Some(s), _) => (score, points) = (score + s, points + r.points),
                (None, scoring::MissingData::Exclude) => {}
                (None, scoring::MissingData::Zero) => points += r.points,
                (None, scoring::MissingData::Full) => {
                    (score, points) = (score + r.points, points + r.points)
                }
            }
        }
        dimensions.push(DimensionResult {
            id: dim.id.clone(),
            name: dim.name.clone(),
            score,
            points,
        });
    }
    dimensions
}

fn missing_of(overall: &[IndicatorResult]) -> Vec<MissingIndicator> {
    overall
        .iter()
        .filter_map(|r| {
            Some(MissingIndicator {
                id: r.id.clone(),
                name: r.name.clone(),
                points: r.points,
                reason: r.reason?,
            })
        })
        .collect()
}

/// The results per group key; an indicator whose rows cannot be split by the key
/// carries the overall value.
fn groups_of(
    scheme: &Scheme,
    input: &ScoreInput,
    g: GroupBy,
    measured: &[MeasuredIndicator],
    overall: &[IndicatorResult],
) -> Vec<GroupResult> {
    let mut groups = Vec::new();
    for key in group_keys(scheme, input, g) {
        let indicators: Vec<IndicatorResult> = measured
            .iter()
            .zip(overall)
            .map(|((ind, configured, v), all)| {
                if group_column(ind.source, g).is_none() {
                    return all.clone();
                }
                let m = v
                    .get(&format!("{}\u{1}{key}", g.name()))
                    .copied()
                    .or_else(|| empty_group(ind, *configured));
                // A group lacks what the whole lacks; else its own rows did not match.
                let reason = all.reason.unwrap_or(NoDataReason::NoMatchingRows);
                result_of(ind, *configured, m.as_ref(), Some(reason))
            })
            .collect();
        let total = total_of(scheme, &indicators);
        groups.push(GroupResult {
            by: g.name().to_string(),
            key,
            status: TotalStatus::of(total),
            total,
            indicators,
        });
    }
    groups
}

/// The input files of the tables the scheme reads, and the inventory.
fn inputs_of(scheme: &Scheme, input: &ScoreInput) -> Vec<Input> {
    let used: BTreeSet<Table> = scheme
        .indicators()
        .map(|i| i.source)
        .chain([Table::Inventory])
        .collect();
    let mut inputs = Vec::new();
    for table in used {
        for f in &input.tables[&table].files {
            inputs.push(Input {
                table: table.name().to_string(),
                path: f.path.clone(),
                sha256: f.sha256.clone(),
                rows: f.stats.rows_read,
            });
        }
    }
    inputs
}

/// The total of SPEC §7 from indicator results (`None`: too little data).
fn total_of(scheme: &Scheme, results: &[IndicatorResult]) -> Option<f64> {
    let items: Vec<Scored> = results
        .iter()
        .zip(scheme.indicators())
        .map(|(r, ind)| Scored {
            points: r.points,
            score: r.score,
            veto_cap: ind.veto.filter(|_| r.met == Some(false)),
        })
        .collect();
    scoring::total(
        &items,
        scheme.missing_data,
        scheme.total_points,
        scheme.min_scored_pct,
    )
}

/// A group with no rows: a count is 0 on a configured source, anything else no data.
fn empty_group(ind: &Indicator, configured: bool) -> Option<Measured> {
    (matches!(ind.measure, Measure::Count) && configured).then_some(Measured {
        value: Some(0.0),
        rows: 0,
    })
}

/// One indicator's result; `reason` says why, should it have no value.
fn result_of(
    ind: &Indicator,
    configured: bool,
    m: Option<&Measured>,
    reason: Option<NoDataReason>,
) -> IndicatorResult {
    let value = m.and_then(|m| m.value).filter(|_| configured);
    let met = value.map(|v| ind.target.is_met(v));
    let score = value.map(|v| scoring::score(&ind.rule, &ind.target, ind.points, v));
    IndicatorResult {
        id: ind.id.clone(),
        name: ind.name.clone(),
        dimension: ind.dimension.clone(),
        value,
        unit: ind.unit.clone(),
        target: ind.target.to_string(),
        met,
        points: ind.points,
        score,
        status: if value.is_some() {
            Status::Ok
        } else {
            Status::NoData
        },
        reason: if value.is_some() { None } else { reason },
        rows: m.map_or(0, |m| m.rows),
    }
}

/// The column of `table` (after scoping) that holds the `by` key, if it has one.
fn group_column(table: Table, by: GroupBy) -> Option<&'static str> {
    let c = by.column();
    (table.is_line_keyed() || table.def().column(c).is_some()).then_some(c)
}

/// Every group key of the scheme's lines that are active in the period.
fn group_keys(scheme: &Scheme, input: &ScoreInput, by: GroupBy) -> Vec<String> {
    let keys: BTreeSet<String> = input
        .inventory
        .lines
        .values()
        .filter(|l| scheme.access_type.is_none() || l.access_type == scheme.access_type)
        .filter(|l| l.active_span(input.period).is_some())
        .filter_map(|l| by.key_of(l))
        .collect();
    keys.into_iter().collect()
}

/// Availability over lines' shares: overall (key "") and, with `by`, per group
/// (keys "by\u{1}value"); lines outside every group count only overall.
fn availability_by_key(
    shares: &[availability::LineShare],
    agg: crate::scheme::Aggregate,
    by: Option<GroupBy>,
    inventory: &Inventory,
) -> ByKey {
    let mut groups: BTreeMap<String, Vec<&availability::LineShare>> = BTreeMap::new();
    for s in shares {
        groups.entry(String::new()).or_default().push(s);
        if let Some(g) = by {
            if let Some(k) = inventory.get(&s.line_id).and_then(|l| g.key_of(l)) {
                groups
                    .entry(format!("{}\u{1}{k}", g.name()))
                    .or_default()
                    .push(s);
            }
        }
    }
    groups
        .into_iter()
        .map(|(k, members)| {
            let rows = members.iter().map(|s| s.rows).sum();
            let value = availability::value(&members, agg);
            (k, Measured { value, rows })
        })
        .collect()
}

/// Measures one indicator overall (key "") or per group (keys "by\u{1}value").
fn measure_indicator(
    scheme: &Scheme,
    ind: &Indicator,
    t: &LoadedTable,
    input: &ScoreInput,
    inventory_lf: &LazyFrame,
    by: Option<GroupBy>,
) -> Result<ByKey, ScoreError> {
    let mut out = ByKey::new();
    if !t.configured {
        return Ok(out);
    }
    let group = match by {
        None => None,
        Some(g) => match group_column(ind.source, g) {
            Some(c) => Some(c),
            None => return Ok(out),
        },
    };
    let prefix = by.map(|g| format!("{}\u{1}", g.name())).unwrap_or_default();
    let scoped = rows::scoped(t, scheme.access_type.as_deref(), inventory_lf)?;
    let access = scheme.access_type.as_deref();
    if let Measure::Availability { .. } = ind.measure {
        // From samples, availability is measured by `samples::measure_all`.
        let lines: Vec<String> = input
            .inventory
            .lines
            .values()
            .filter(|l| access.is_none() || l.access_type.as_deref() == access)
            .map(|l| l.line_id.clone())
            .collect();
        let shares =
            availability::from_outages(ind, scoped, &lines, input.inventory, input.period)?;
        let agg = availability::aggregate_of(ind);
        let values = availability_by_key(&shares, agg, by, input.inventory);
        // Without `by` the key is "", with it the prefixed group keys.
        return Ok(values
            .into_iter()
            .filter(|(k, _)| by.is_none() || !k.is_empty())
            .collect());
    }
    for (k, m) in measure::evaluate(ind, scoped, input.period, input.calendar, group)? {
        out.insert(format!("{prefix}{k}"), m);
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
