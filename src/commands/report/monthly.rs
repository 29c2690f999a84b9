//! `gwq report monthly --month M`: the monthly supervision report (SPEC §14) as
//! `monthly-M.docx`, `.xlsx` and `.json`: each scheme measured once for the month
//! (with districts) and once for each earlier month of the service year (the trend).

use super::{load, measure, report_json, scored, Files, SchemeFigures, Scored};
use crate::analysis::trend;
use crate::cli::MonthlyArgs;
use crate::commands::{Context, Outcome};
use crate::period::Period;
use crate::reports::inputs::Span;
use crate::reports::monthly;
use crate::scheme::Scheme;
use crate::score::DataQuality;
use crate::session::Session;
use anyhow::Result;
use chrono::Datelike;

pub fn run(ctx: &Context, args: MonthlyArgs, issue: bool) -> Result<Outcome> {
    let period: Period = args.month.parse()?;
    let loaded = load(ctx, args.scheme.as_deref(), &period, 1)?;
    let m = measure(&loaded, &period, scheme_figures)?;
    let files = Files::new(ctx, &loaded.session, &period, "monthly");
    let listed = files.listed();
    let report = monthly::build(&m.inputs(&loaded, &period, Span::Month, &listed));
    let json = report_json("monthly", &period, &m, &loaded, serde_json::Map::new());
    m.finish(ctx, &loaded, Span::Month, &files, report, json, issue)
}

/// The month scored with districts (measured once), and the earlier months of the
/// service year for the trend and the changes.
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
    // The service year's months before this one (SPEC §14), at least the last month.
    let before = period.start - chrono::Duration::days(1);
    let last_month = before.with_day(1).expect("day 1 exists");
    let first = session
        .ws
        .service_period
        .as_ref()
        .map(|p| p.start.with_day(1).expect("day 1 exists"))
        .filter(|s| *s < last_month)
        .unwrap_or(last_month);
    let mut months = trend::monthly(scheme, &Period::new(first, before), &input, newest)?;
    let previous = months.last().cloned();
    months.push(this.clone());
    Ok(SchemeFigures {
        now,
        this,
        previous,
        trend: months.clone(),
        series: months.clone(),
        months,
        quarters: Vec::new(),
    })
}
