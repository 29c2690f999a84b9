//! Measuring a scheme's indicators for a period, apart from scoring them (DESIGN:
//! measure a period once, score it many ways): each indicator's value overall and per
//! group, why it has none, the group keys, what the calendar assumed and the inputs.
//!
//! Takes loaded tables and validated models; no paths, no printing.

use super::measure::{self, Measured};
use super::result::{Input, NoDataReason};
use super::{availability, rows, samples, GroupBy, ScoreError, ScoreInput};
use crate::frame::StepContext;
use crate::ingest::LoadedTable;
use crate::inventory::Inventory;
use crate::period::Period;
use crate::scheme::{Indicator, Measure, Scheme};
use crate::tables::Table;
use polars::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// One indicator measured overall (key "") and per group key ("by\u{1}value").
pub type ByKey = BTreeMap<String, Measured>;

/// One indicator's measurement.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    /// Whether gwq.yaml configures the indicator's source table.
    pub configured: bool,
    pub values: ByKey,
    /// Why the overall value is missing, when it is.
    pub reason: Option<NoDataReason>,
}

/// A scheme's indicators measured for one period: everything scoring reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurements {
    pub period: Period,
    pub by: Option<GroupBy>,
    /// The keys of `by`: of the scheme's lines active in the period.
    pub group_keys: Vec<String>,
    /// By indicator id.
    pub indicators: BTreeMap<String, Measurement>,
    /// What the measuring assumed, in Chinese sentences (a year's calendar).
    pub assumptions: Vec<String>,
    pub inputs: Vec<Input>,
}

/// Measures every indicator of `scheme` for the input's period; `by` adds groups.
pub fn measure(
    scheme: &Scheme,
    input: &ScoreInput,
    by: Option<GroupBy>,
) -> Result<Measurements, ScoreError> {
    input.calendar.reset_assumed();
    let mut indicators = BTreeMap::new();
    for (ind, configured, values) in measure_each(scheme, input, by)? {
        let has_value = configured && values.get("").is_some_and(|m| m.value.is_some());
        let reason = match has_value {
            true => None,
            false => Some(no_data_reason(
                ind,
                &input.tables[&ind.source],
                input.period,
            )?),
        };
        let measurement = Measurement {
            configured,
            values,
            reason,
        };
        indicators.insert(ind.id.clone(), measurement);
    }
    Ok(Measurements {
        period: input.period.clone(),
        by,
        group_keys: by.map_or_else(Vec::new, |g| group_keys(scheme, input, g)),
        indicators,
        assumptions: input.calendar.assumption_sentences(),
        inputs: inputs_of(scheme, input),
    })
}

/// Every indicator of the scheme measured overall and, with `by`, per group:
/// (indicator, whether its source is configured, values by key).
fn measure_each<'s>(
    scheme: &'s Scheme,
    input: &ScoreInput,
    by: Option<GroupBy>,
) -> Result<Vec<(&'s Indicator, bool, ByKey)>, ScoreError> {
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

/// The column of `table` (after scoping) that holds the `by` key, if it has one.
pub(super) fn group_column(table: Table, by: GroupBy) -> Option<&'static str> {
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
pub(super) fn availability_by_key(
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
