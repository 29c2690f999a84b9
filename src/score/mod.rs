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

use crate::calendar::{Calendar, CalendarError};
use crate::frame::FrameError;
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
    #[error(transparent)]
    Calendar(#[from] CalendarError),
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
    pub total: f64,
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
    pub total: f64,
    pub grade: String,
    pub payment_adjust_pct: Option<f64>,
    pub dimensions: Vec<DimensionResult>,
    pub indicators: Vec<IndicatorResult>,
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

/// Scores `scheme` for the period; `by` adds per-group results.
pub fn score_scheme(
    scheme: &Scheme,
    input: &ScoreInput,
    by: Option<GroupBy>,
    data_quality: DataQuality,
) -> Result<ScoreResult, ScoreError> {
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
    let mut measured: Vec<(&Indicator, bool, ByKey)> = Vec::new();
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
    let overall: Vec<IndicatorResult> = measured
        .iter()
        .map(|(ind, configured, v)| result_of(ind, *configured, v.get("")))
        .collect();
    let total = total_of(scheme, &overall);
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
    let mut groups = Vec::new();
    if let Some(g) = by {
        for key in group_keys(scheme, input, g) {
            let indicators: Vec<IndicatorResult> = measured
                .iter()
                .map(|(ind, configured, v)| {
                    let splittable = group_column(ind.source, g).is_some();
                    // Indicators whose rows cannot be split by the key carry the overall value.
                    let m = if splittable {
                        v.get(&format!("{}\u{1}{key}", g.name()))
                            .copied()
                            .or_else(|| empty_group(ind, *configured))
                    } else {
                        v.get("").copied()
                    };
                    result_of(ind, *configured, m.as_ref())
                })
                .collect();
            groups.push(GroupResult {
                by: g.name().to_string(),
                key,
                total: total_of(scheme, &indicators),
                indicators,
            });
        }
    }
    let grade = scoring::band_for(&scheme.grades, total)
        .cloned()
        .unwrap_or_default();
    let payment_adjust_pct = scoring::band_for(&scheme.payment, total).copied();
    let mut inputs = Vec::new();
    let used: BTreeSet<Table> = scheme
        .indicators()
        .map(|i| i.source)
        .chain([Table::Inventory])
        .collect();
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
    Ok(ScoreResult {
        scheme: scheme.name.clone(),
        period: input.period.label().to_string(),
        start: input.period.start.to_string(),
        end: input.period.end.to_string(),
        total,
        grade,
        payment_adjust_pct,
        dimensions,
        indicators: overall,
        groups,
        data_quality,
        inputs,
        gwq_version: env!("CARGO_PKG_VERSION").to_string(),
    })
}

/// The total of SPEC §7 from indicator results.
fn total_of(scheme: &Scheme, results: &[IndicatorResult]) -> f64 {
    let items: Vec<Scored> = results
        .iter()
        .zip(scheme.indicators())
        .map(|(r, ind)| Scored {
            points: r.points,
            score: r.score,
            veto_cap: ind.veto.filter(|_| r.met == Some(false)),
        })
        .collect();
    scoring::total(&items, scheme.missing_data, scheme.total_points)
}

/// A group with no rows: a count is 0 on a configured source, anything else no data.
fn empty_group(ind: &Indicator, configured: bool) -> Option<Measured> {
    (matches!(ind.measure, Measure::Count) && configured).then_some(Measured {
        value: Some(0.0),
        rows: 0,
    })
}

fn result_of(ind: &Indicator, configured: bool, m: Option<&Measured>) -> IndicatorResult {
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
