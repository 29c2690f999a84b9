//! Scoring measured indicators (SPEC §7): each indicator by the scheme's rule, the
//! dimensions, the coverage-aware total, grade and payment adjustment, and the same
//! per group. Pure: no frames, no files; replay and trends score one measurement many
//! ways.

use super::measure::Measured;
use super::measurements::{Measurement, Measurements};
use super::result::*;
use super::{measurements::group_column, GroupBy};
use crate::scheme::scoring::{self, Scored};
use crate::scheme::{Indicator, Measure, Scheme};

/// Scores `scheme` on its measurements; `data_quality` is carried into the result
/// with the measuring's assumptions added.
pub fn score(scheme: &Scheme, m: &Measurements, mut data_quality: DataQuality) -> ScoreResult {
    let overall: Vec<IndicatorResult> = scheme
        .indicators()
        .map(|ind| {
            let measured = measurement(m, ind);
            result_of(
                ind,
                measured.configured,
                measured.values.get(""),
                measured.reason,
            )
        })
        .collect();
    let total = total_of(scheme, &overall);
    let groups = match m.by {
        Some(g) => groups_of(scheme, m, g, &overall),
        None => Vec::new(),
    };
    data_quality
        .assumptions
        .extend(m.assumptions.iter().cloned());
    // A fold from +0.0: an empty f64 sum is −0.0, which JSON would show as "-0.0".
    let scored = overall
        .iter()
        .filter(|r| r.score.is_some())
        .fold(0.0, |sum, r| sum + r.points);
    ScoreResult {
        scheme: scheme.name.clone(),
        period: m.period.label().to_string(),
        start: m.period.start.to_string(),
        end: m.period.end.to_string(),
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
        inputs: m.inputs.clone(),
        gwq_version: env!("CARGO_PKG_VERSION").to_string(),
    }
}

/// The indicator's measurement; one that was not measured has no data.
fn measurement<'m>(m: &'m Measurements, ind: &Indicator) -> std::borrow::Cow<'m, Measurement> {
    match m.indicators.get(&ind.id) {
        Some(x) => std::borrow::Cow::Borrowed(x),
        None => std::borrow::Cow::Owned(Measurement {
            configured: false,
            values: Default::default(),
            reason: Some(NoDataReason::NotConfigured),
        }),
    }
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
    m: &Measurements,
    g: GroupBy,
    overall: &[IndicatorResult],
) -> Vec<GroupResult> {
    let mut groups = Vec::new();
    for key in &m.group_keys {
        let indicators: Vec<IndicatorResult> = scheme
            .indicators()
            .zip(overall)
            .map(|(ind, all)| {
                if group_column(ind.source, g).is_none() {
                    return all.clone();
                }
                let measured = measurement(m, ind);
                let v = measured
                    .values
                    .get(&format!("{}\u{1}{key}", g.name()))
                    .copied()
                    .or_else(|| empty_group(ind, measured.configured));
                // A group lacks what the whole lacks; else its own rows did not match.
                let reason = all.reason.unwrap_or(NoDataReason::NoMatchingRows);
                result_of(ind, measured.configured, v.as_ref(), Some(reason))
            })
            .collect();
        let total = total_of(scheme, &indicators);
        groups.push(GroupResult {
            by: g.name().to_string(),
            key: key.clone(),
            status: TotalStatus::of(total),
            total,
            indicators,
        });
    }
    groups
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
