//! `gwq report quarterly --quarter Q`: the quarterly supervision and evaluation
//! report (SPEC §14) as `quarterly-Q.docx`, `.xlsx` and `.json`: each scheme measured
//! once for the quarter (with districts), once for each of its months and once for
//! the quarter before; the fee due under the billing rules for 结果应用.

use super::{evaluation, load, measure, report_json, scored, Files, SchemeFigures, Scored};
use crate::analysis::trend;
use crate::cli::QuarterlyArgs;
use crate::commands::{Context, Outcome};
use crate::period::Period;
use crate::reports::inputs::{EvaluationInputs, Span};
use crate::reports::quarterly;
use crate::scheme::Scheme;
use crate::score::DataQuality;
use crate::session::Session;
use anyhow::Result;

pub fn run(ctx: &Context, args: QuarterlyArgs, issue: bool) -> Result<Outcome> {
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
    let extra = evaluation::payment_extra(&m.figures, &extras.fees);
    let json = report_json("quarterly", &period, &m, &loaded, extra);
    m.finish(ctx, &loaded, Span::Quarter, &files, report, json, issue)
}

/// The quarter scored with districts; its months and the quarter before, each
/// measured once.
fn scheme_figures(
    session: &Session,
    scheme: &Scheme,
    period: &Period,
    quality: &DataQuality,
) -> Result<SchemeFigures> {
    let Scored {
        input,
        now,
        this,
        newest,
    } = scored(session, scheme, period, quality)?;
    let months = trend::monthly(scheme, period, &input, newest)?;
    let previous = trend::one(scheme, period.previous_quarter(), &input, newest)?;
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
