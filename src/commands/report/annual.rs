//! `gwq report annual [--year Y | --period P]` (SPEC §14): the annual supervision
//! and evaluation report as `annual-<label>.docx`, `.xlsx` and `.json`: each scheme
//! measured once for the year (with districts), once for each month and quarter of
//! it, and once for the year before (同比); the default period is gwq.yaml's
//! service period.

use super::{evaluation, load, measure, report_json, scored, Files, SchemeFigures, Scored};
use crate::analysis::trend;
use crate::cli::AnnualArgs;
use crate::commands::{Context, Outcome};
use crate::period::Period;
use crate::reports::annual;
use crate::reports::inputs::{EvaluationInputs, Span};
use crate::scheme::Scheme;
use crate::score::DataQuality;
use crate::session::Session;
use crate::tables::Table;
use anyhow::{Context as _, Result};
use chrono::Months;

pub fn run(ctx: &Context, args: AnnualArgs, issue: bool) -> Result<Outcome> {
    let ws = ctx.open_workspace()?;
    let text = args.year.as_ref().or(args.period.as_ref());
    let period = match text {
        Some(t) => crate::cli::parse_any_period(t)?,
        None => ws.service_period.clone().context(
            "未指定年度：请用 --year 或 --period 指定，或在 gwq.yaml 中设置 service_period",
        )?,
    };
    drop(ws);
    let loaded = load(ctx, args.scheme.as_deref(), &period, 1)?;
    let m = measure(&loaded, &period, year_of)?;
    let extras = crate::progress::timed("report extras", || {
        evaluation::extras(&loaded.session, &loaded.schemes, &period)
    })?;
    let schemes = &loaded.schemes;
    let five_g = schemes.len() == 1 && schemes[0].access_type.as_deref() == Some("5g");
    let kind = if five_g { "annual-5g" } else { "annual" };
    let files = Files::new(ctx, &loaded.session, &period, kind);
    let listed = files.listed();
    let inputs = EvaluationInputs {
        base: m.inputs(&loaded, &period, Span::Year, &listed),
        field: &extras.field,
        fees: extras.fees.clone(),
    };
    let report = match five_g {
        true => five_g_report(&loaded.session, &schemes[0], &period, &inputs)?,
        false => annual::build(&inputs),
    };
    let extra = evaluation::payment_extra(&m.figures, &extras.fees);
    let json = report_json("annual", &period, &m, &loaded, extra);
    crate::progress::timed("report write", || {
        m.finish(ctx, &loaded, Span::Year, &files, report, json, issue)
    })
}

/// The 5G annual evaluation report: the evaluation chapters and the 5G figures.
fn five_g_report(
    session: &Session,
    scheme: &Scheme,
    period: &Period,
    inputs: &EvaluationInputs,
) -> Result<crate::report::neutral::Report> {
    let t = |table: Table| &session.tables[&table];
    let cards = crate::analysis::cards::summarise(t(Table::SimCards), period)?;
    let kpis = crate::analysis::cards::kpis(t(Table::Kpi5g), scheme, period)?;
    let faults = crate::analysis::faults::summarise(
        t(Table::Faults),
        &session.inventory,
        Some("5g"),
        period,
    )?;
    let complaints = count_5g(session, Table::Complaints, "received_at", period)?;
    Ok(crate::reports::annual5g::build(
        inputs,
        &crate::reports::annual5g::FiveG {
            cards: &cards,
            kpis: &kpis,
            faults: &faults,
            complaints,
        },
    ))
}

/// Rows of a table in the period that belong to 5G (own column, else the inventory).
fn count_5g(session: &Session, table: Table, time: &str, period: &Period) -> Result<u64> {
    use polars::prelude::*;
    let scoped = crate::score::rows::scoped(
        &session.tables[&table],
        Some("5g"),
        &session.inventory.to_frame()?,
    )?;
    let df = crate::score::rows::in_period(scoped, table, time, period)
        .select([len().alias("n")])
        .collect()
        .map_err(|e| anyhow::anyhow!("统计 5G {}：{e}", table.def().title))?;
    Ok(crate::frame::i64_values(&df, "n")?
        .first()
        .copied()
        .flatten()
        .unwrap_or(0) as u64)
}

/// The quarters a period touches, each clipped to it (labelled `2025Q3` when whole).
fn quarters_of(period: &Period) -> Vec<Period> {
    let mut out: Vec<Period> = Vec::new();
    for m in trend::months(period) {
        let q: Period = format!(
            "{}Q{}",
            chrono::Datelike::year(&m.start),
            chrono::Datelike::month0(&m.start) / 3 + 1
        )
        .parse()
        .expect("a year and quarter are a period");
        if out.last().is_some_and(|p| p.end >= q.start) {
            continue;
        }
        let (start, end) = (q.start.max(period.start), q.end.min(period.end));
        out.push(match (start, end) == (q.start, q.end) {
            true => q,
            false => Period::new(start, end),
        });
    }
    out
}

/// The same span a year earlier (`2024` for `2025`).
fn year_before(period: &Period) -> Period {
    match period.label().len() {
        4 => format!("{}", chrono::Datelike::year(&period.start) - 1)
            .parse()
            .expect("a year is a period"),
        _ => Period::new(period.start - Months::new(12), period.end - Months::new(12)),
    }
}

/// The year with districts, its months and quarters, and the year before.
fn year_of(
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
    let quarters = quarters_of(period)
        .into_iter()
        .map(|q| trend::one(scheme, q, &input, newest))
        .collect::<Result<Vec<_>, _>>()?;
    let previous = trend::one(scheme, year_before(period), &input, newest)?;
    let trend: Vec<trend::MonthResult> = std::iter::once(previous.clone())
        .chain(months.iter().cloned())
        .chain(quarters.iter().cloned())
        .chain([this.clone()])
        .collect();
    Ok(SchemeFigures {
        now,
        this: this.clone(),
        previous: Some(previous.clone()),
        trend,
        series: vec![previous, this],
        months,
        quarters,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_and_the_year_before() {
        let labels = |p: &str| -> Vec<String> {
            quarters_of(&p.parse().unwrap())
                .iter()
                .map(|q| q.label().to_string())
                .collect()
        };
        assert_eq!(
            labels("2025-07-01..2026-06-30"),
            ["2025Q3", "2025Q4", "2026Q1", "2026Q2"]
        );
        assert_eq!(
            labels("2025-08-15..2025-10-31"),
            ["2025-08-15..2025-09-30", "2025-10-01..2025-10-31"]
        );
        assert_eq!(year_before(&"2025".parse().unwrap()).label(), "2024");
        assert_eq!(
            year_before(&"2025-07-01..2026-06-30".parse().unwrap()).label(),
            "2024-07-01..2025-06-30"
        );
    }
}
