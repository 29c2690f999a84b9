//! The annual supervision and evaluation report (监管与评估年度报告, SPEC §14): the
//! quarterly report's chapters over the year, 综合评价 with the four quarters and
//! 同比 against the year before, each indicator's 12-month trend with a chart of the
//! monthly totals, problem closure, and 方案修订建议 (an indicator met every month
//! with a wide margin → consider tightening; never met → review the target or cause).
//!
//! Pure: takes results, returns a `Report`; no files, no polars.

use super::evaluation::{application, evaluation};
use super::fieldwork::field_checks;
use super::general::{overview, preface};
use super::inputs::{EvaluationInputs, ReportInputs, SchemePeriod};
use super::review::{analysis, attachments, data_audit, problems, security};
use super::service::{construction, operations, performance};
use super::text::{months_table, section, table, widths};
use crate::report::chart::Line;
use crate::report::model::RowStyle;
use crate::report::neutral::{Block, Chart, Report, Section};
use crate::scheme::scoring::Target;
use crate::scheme::Indicator;
use crate::score::IndicatorResult;

/// The share of the room to the target's far side that every month must clear for
/// 方案修订建议 to call the margin wide (SPEC §14): half.
pub const WIDE_MARGIN: f64 = 0.5;

pub fn build(a: &EvaluationInputs) -> Report {
    let m = &a.base;
    m.report(
        "监管与评估年度报告",
        format!("（{} 至 {}）", m.period.start, m.period.end),
        vec![
            preface(m),
            overview(m),
            evaluation(a),
            monthly_trend(m),
            construction(m),
            operations(m),
            performance(m),
            security(m),
            field_checks(a),
            data_audit(m),
            problems(m),
            analysis(m),
            revision(m),
            application(a),
            attachments(m),
        ],
    )
}

/// 指标月度趋势: each indicator over the months, and the monthly totals as lines.
fn monthly_trend(m: &ReportInputs) -> Section {
    let mut s = section("指标月度趋势", Some("月度趋势"));
    let Some(first) = m.schemes.first() else {
        return s;
    };
    let categories: Vec<String> = first
        .months
        .iter()
        .map(|mo| mo.month.start.format("%Y-%m").to_string())
        .collect();
    let lines: Vec<Line> = m
        .schemes
        .iter()
        .map(|x| Line {
            name: x.now.scheme.clone(),
            values: x.months.iter().map(|mo| mo.result.total).collect(),
        })
        .collect();
    if lines.iter().any(|l| l.values.iter().any(Option::is_some)) {
        s.blocks.push(Block::Chart(Chart::Lines {
            caption: "各评估方案月度总分".into(),
            axis: "总分".into(),
            categories: categories.clone(),
            lines,
            target: None,
        }));
    } else {
        s.blocks.push(Block::Paragraph(format!(
            "{}各月均数据不足，未计月度总分。",
            m.span.this()
        )));
    }
    for x in &m.schemes {
        s.blocks.push(months_table(x, Some(m.span.this())));
    }
    s
}

/// How far a value is beyond its target, as a share of the room on that side: for a
/// percentage to be raised, the room is 100 − target; otherwise |target|.
fn margin(target: &Target, unit: Option<&str>, v: f64) -> Option<f64> {
    let room = match (target.higher_is_better(), unit) {
        (true, Some("%")) => 100.0 - target.value,
        _ => target.value.abs(),
    };
    if room <= 0.0 {
        return None;
    }
    Some(match target.higher_is_better() {
        true => (v - target.value) / room,
        false => (target.value - v) / room,
    })
}

/// One 方案修订建议, if the indicator's months call for one.
fn revision_of(x: &SchemePeriod, k: usize, ind: &Indicator) -> Option<(&'static str, String)> {
    let months: Vec<&IndicatorResult> =
        x.months.iter().map(|mo| &mo.result.indicators[k]).collect();
    let with_data: Vec<&&IndicatorResult> = months.iter().filter(|r| r.value.is_some()).collect();
    if with_data.is_empty() {
        return None;
    }
    if with_data.iter().all(|r| r.met == Some(false)) {
        return Some((
            "复核目标或原因",
            format!(
                "有数据的 {} 个月均未达标（目标 {}）",
                with_data.len(),
                ind.target
            ),
        ));
    }
    let whole = with_data.len() == months.len();
    let least = with_data
        .iter()
        .filter_map(|r| margin(&ind.target, ind.unit.as_deref(), r.value?))
        .fold(f64::INFINITY, f64::min);
    (whole && with_data.iter().all(|r| r.met == Some(true)) && least >= WIDE_MARGIN).then(|| {
        (
            "考虑提高目标",
            format!(
                "{} 个月均达标，且每月都优于目标 {} 的余量一半以上（最小余量 {:.0}%）",
                months.len(),
                ind.target,
                100.0 * least
            ),
        )
    })
}

/// 方案修订建议.
fn revision(m: &ReportInputs) -> Section {
    let mut s = section("方案修订建议", Some("方案修订建议"));
    let mut rows = Vec::new();
    for x in &m.schemes {
        for (k, ind) in x.scheme.indicators().enumerate() {
            if let Some((what, why)) = revision_of(x, k, ind) {
                rows.push((
                    RowStyle::Normal,
                    vec![
                        x.now.scheme.clone().into(),
                        format!("{} {}", ind.id, ind.name).into(),
                        why.into(),
                        what.into(),
                    ],
                ));
            }
        }
    }
    if rows.is_empty() {
        s.blocks.push(Block::Paragraph(format!(
            "{}没有全年未达标的指标，也没有每月都以较大余量达标的指标，建议评估方案维持现行目标。",
            m.span.this()
        )));
        return s;
    }
    s.blocks.push(Block::Paragraph(format!(
        "依据各月实际值，{} 项指标建议修订（全部月份有数据、均达标且余量均超过目标另一侧空间的 {:.0}% 时建议提高目标；有数据的月份均未达标时建议复核目标或原因）：",
        rows.len(),
        100.0 * WIDE_MARGIN
    )));
    s.blocks.push(widths(
        table(
            "方案修订建议".into(),
            &["评估方案", "指标", "依据", "建议"],
            rows,
        ),
        &[4, 4, 7, 2],
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margins_on_each_side() {
        let t = |s: &str| s.parse::<Target>().unwrap();
        // 99.99 against >= 99.95 %: 0.04 of the 0.05 room.
        let m = margin(&t(">= 99.95"), Some("%"), 99.99).unwrap();
        assert!((m - 0.8).abs() < 1e-9);
        // 4.5 ms against <= 10: 55 % of the target.
        assert!((margin(&t("<= 10"), Some("ms"), 4.5).unwrap() - 0.55).abs() < 1e-9);
        // A count that must be 0 has no room.
        assert_eq!(margin(&t("<= 0"), None, 0.0), None);
        // Below target: negative.
        assert!(margin(&t(">= 90"), None, 85.0).unwrap() < 0.0);
    }
}
