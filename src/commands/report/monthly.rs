//! `gwq report monthly --month M`: the monthly supervision report (SPEC §14) as
//! `monthly-M.docx`, `.xlsx` and `.json`: each scheme measured once for the month
//! (with districts) and once for each earlier month of the service year (the trend).

use super::{
    chapter_figures, load, newest, report_json, suggestions_of, Files, Loaded, SchemeFigures,
};
use crate::analysis::{sources, trend};
use crate::cli::MonthlyArgs;
use crate::commands::{Context, Outcome};
use crate::period::Period;
use crate::reports::inputs::{ReportInputs, SchemePeriod, Span};
use crate::reports::{general, monthly};
use crate::scheme::Scheme;
use crate::score::{score_scheme, DataQuality, GroupBy};
use crate::session::Session;
use anyhow::{Context as _, Result};
use chrono::Datelike;

pub fn run(ctx: &Context, args: MonthlyArgs) -> Result<Outcome> {
    let period: Period = args.month.parse()?;
    let loaded = load(ctx, args.scheme.as_deref(), &period, 1)?;
    let Loaded {
        session,
        schemes,
        check,
        quality,
        bar,
        ..
    } = &loaded;
    let mut figures = Vec::new();
    for scheme in schemes {
        bar.step(&format!("评分：{}", scheme.name));
        figures.push(scheme_figures(session, scheme, &period, quality)?);
    }
    bar.step("统计各章数据并写出报告");
    let access = schemes.first().and_then(|s| s.access_type.clone());
    let chapters = chapter_figures(session, &period, access.as_deref())?;
    let suggestions = suggestions_of(&figures, &chapters.repeat, &loaded);
    let files = Files::new(ctx, session, &period, "monthly");
    let source_files = sources::files(&session.tables);
    let configured = loaded.configured();
    let report = monthly::build(&ReportInputs {
        workspace: &session.ws.name,
        period: &period,
        span: Span::Month,
        schemes: schemes
            .iter()
            .zip(&figures)
            .map(|(scheme, f)| SchemePeriod {
                scheme,
                now: &f.now,
                this: &f.this,
                previous: f.previous.as_ref(),
                months: &f.months,
                quarters: &[],
            })
            .collect(),
        check,
        ledger: loaded.ledger.as_ref(),
        faults: &chapters.faults,
        repeat_lines: &chapters.repeat,
        security: &chapters.security,
        plans: &chapters.plans,
        daily: &chapters.daily,
        worst: &chapters.worst,
        utilisation: &chapters.utilisation,
        suggestions: &suggestions,
        sources: &source_files,
        files: &files.listed(),
        configured: &configured,
    });
    let json = report_json(
        "monthly",
        &period,
        &figures,
        &suggestions,
        &loaded,
        serde_json::Map::new(),
    );
    bar.finish();
    for f in &figures {
        ctx.say(&general::summary_sentence(&f.now, Span::Month));
    }
    files.write(ctx, &report, &json)?;
    if ctx.json {
        ctx.print_json(&json)?;
    }
    Ok(Outcome::Done)
}

/// The month scored with districts (measured once), and the earlier months of the
/// service year for the trend and the changes.
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
    let this = trend::MonthResult {
        month: period.clone(),
        result: now.clone(),
        cut_off: trend::cut_off(period, newest),
    };
    months.push(this.clone());
    Ok(SchemeFigures {
        now,
        this,
        previous,
        trend: months.clone(),
        series: months.clone(),
        months,
    })
}
