//! `gwq report quarterly --quarter Q`: the quarterly supervision and evaluation
//! report (SPEC §14) as `quarterly-Q.docx`, `.xlsx` and `.json`: each scheme measured
//! once for the quarter (with districts), once for each of its months and once for
//! the quarter before; the fee due under the billing rules for 结果应用.

use super::{evaluation, load, measure, newest, report_json, Files, SchemeFigures};
use crate::analysis::trend;
use crate::cli::QuarterlyArgs;
use crate::commands::{Context, Outcome};
use crate::period::Period;
use crate::reports::inputs::{EvaluationInputs, Span};
use crate::reports::quarterly;
use crate::scheme::Scheme;
use crate::score::{score_scheme, DataQuality, GroupBy};
use crate::session::Session;
use anyhow::{Context as _, Result};

pub fn run(ctx: &Context, args: QuarterlyArgs) -> Result<Outcome> {
    let period: Period = args.quarter.parse()?;
    let loaded = load(ctx, args.scheme.as_deref(), &period, 1)?;
    let m = measure(&loaded, &period, scheme_figures)?;
    let extras = evaluation::extras(&loaded.session, &loaded.schemes, &period)?;
    let files = Files::new(ctx, &loaded.session, &period, "quarterly");
    let listed = files.listed();
    let report = quarterly::build(&EvaluationInputs {
        base: m.inputs(&loaded, &period, Span::Quarter, &listed),
        field: &extras.field,
        fees: extras.fees.clone(),
    });
    let mut extra = serde_json::Map::new();
    extra.insert(
        "payment".into(),
        evaluation::payment_json(&m.figures, &extras.fees),
    );
    let json = report_json(
        "quarterly",
        &period,
        &m.figures,
        &m.suggestions,
        &loaded,
        extra,
    );
    m.finish(ctx, &loaded, Span::Quarter, &files, &report, &json)
}

/// The quarter scored with districts; its months and the quarter before, each
/// measured once.
fn scheme_figures(
    session: &Session,
    scheme: &Scheme,
    period: &Period,
    quality: &DataQuality,
) -> Result<SchemeFigures> {
    let input = session.score_input(period);
    let now = score_scheme(scheme, &input, Some(GroupBy::District), quality.clone())
        .with_context(|| format!("评分 {} 失败", scheme.name))?;
    let newest = newest(session, scheme);
    let months = trend::monthly(scheme, period, &input, newest)?;
    let previous = trend::one(scheme, period.previous_quarter(), &input, newest)?;
    let this = trend::MonthResult {
        month: period.clone(),
        result: now.clone(),
        cut_off: trend::cut_off(period, newest),
    };
    let trend: Vec<trend::MonthResult> = std::iter::once(previous.clone())
        .chain(months.iter().cloned())
        .chain([this.clone()])
        .collect();
    let figures = SchemeFigures {
        now,
        this: this.clone(),
        previous: Some(previous.clone()),
        trend,
        series: vec![previous, this],
        months,
        quarters: Vec::new(),
    };
    Ok(figures)
}
