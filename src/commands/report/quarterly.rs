//! `gwq report quarterly --quarter Q`: the quarterly supervision and evaluation
//! report (SPEC §14) as `quarterly-Q.docx`, `.xlsx` and `.json`: each scheme measured
//! once for the quarter (with districts), once for each of its months and once for
//! the quarter before; the fee due under the billing rules for 结果应用.

use super::{
    chapter_figures, load, newest, report_json, suggestions_of, Files, Loaded, SchemeFigures,
};
use crate::analysis::{field, sources, trend};
use crate::cli::QuarterlyArgs;
use crate::commands::{Context, Outcome};
use crate::fees::due::{due, DueFee};
use crate::fees::rules::BillingRules;
use crate::period::Period;
use crate::reports::inputs::{ReportInputs, SchemePeriod, Span};
use crate::reports::{general, quarterly};
use crate::scheme::Scheme;
use crate::score::{score_scheme, DataQuality, GroupBy};
use crate::session::Session;
use crate::tables::Table;
use anyhow::{Context as _, Result};

pub fn run(ctx: &Context, args: QuarterlyArgs) -> Result<Outcome> {
    let period: Period = args.quarter.parse()?;
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
    let t = |table: Table| &session.tables[&table];
    let field = field::summarise(
        t(Table::SiteTests),
        t(Table::PhoneChecks),
        &session.inventory,
        &session.calendar,
        &period,
    )?;
    let fees = fees_due(session, schemes, &period)?;
    let files = Files::new(ctx, session, &period, "quarterly");
    let source_files = sources::files(&session.tables);
    let configured = loaded.configured();
    let report = quarterly::build(&crate::reports::inputs::EvaluationInputs {
        base: ReportInputs {
            workspace: &session.ws.name,
            period: &period,
            span: Span::Quarter,
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
        },
        field: &field,
        fees: fees.clone(),
    });
    let mut extra = serde_json::Map::new();
    extra.insert("payment".into(), payment_json(&figures, &fees));
    let json = report_json("quarterly", &period, &figures, &suggestions, &loaded, extra);
    bar.finish();
    for f in &figures {
        ctx.say(&general::summary_sentence(&f.now, Span::Quarter));
    }
    files.write(ctx, &report, &json)?;
    if ctx.json {
        ctx.print_json(&json)?;
    }
    Ok(Outcome::Done)
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
    };
    Ok(figures)
}

/// Per scheme, the fee its service is due in the quarter under the billing rules,
/// or why there is none. Rules that are configured but wrong stop the report.
pub(super) fn fees_due(
    session: &Session,
    schemes: &[Scheme],
    period: &Period,
) -> Result<Vec<Result<DueFee, String>>> {
    let ws = &session.ws;
    let path = ws
        .billing_rules
        .clone()
        .unwrap_or_else(|| ws.root.join("rules/billing.yaml"));
    if !path.is_file() {
        let why = "工作区没有计费规则（gwq.yaml 的 billing_rules）".to_string();
        return Ok(schemes.iter().map(|_| Err(why.clone())).collect());
    }
    let shown = path
        .strip_prefix(&ws.root)
        .unwrap_or(&path)
        .display()
        .to_string();
    let rules = BillingRules::load(&path, &shown)?;
    let cards = crate::fees::sim_cards(session.tables[&Table::SimCards].frame.clone())?;
    let subscribers = crate::fees::subscribers(&session.inventory, &cards);
    Ok(schemes
        .iter()
        .map(|s| match &s.access_type {
            None => Err("评估方案未指定接入方式（access_type），无法确定计费业务".to_string()),
            Some(service) => {
                let fee = due(&rules, &subscribers, service, period);
                if fee.lines == 0 {
                    Err("台账中本季度没有该业务的在网线路".to_string())
                } else {
                    Ok(fee)
                }
            }
        })
        .collect())
}

/// The JSON's `payment`: per scheme, the adjustment in % and, with a fee, in yuan.
pub(super) fn payment_json(
    figures: &[SchemeFigures],
    fees: &[Result<DueFee, String>],
) -> serde_json::Value {
    let money = |d: rust_decimal::Decimal| crate::fees::money::fmt(d);
    figures
        .iter()
        .zip(fees)
        .map(|(f, fee)| {
            let pct = f.now.payment_adjust_pct.filter(|_| f.now.total.is_some());
            match (pct, fee) {
                (Some(p), Ok(fee)) => serde_json::json!({
                    "scheme": f.now.scheme,
                    "payment_adjust_pct": p,
                    "service": fee.service,
                    "lines": fee.lines,
                    "fee_due": money(fee.amount()),
                    "adjust_yuan": money(fee.adjustment(p)),
                    "fee_after": money(fee.amount() + fee.adjustment(p)),
                    "note": null,
                }),
                (pct, fee) => serde_json::json!({
                    "scheme": f.now.scheme,
                    "payment_adjust_pct": pct,
                    "service": null,
                    "lines": null,
                    "fee_due": null,
                    "adjust_yuan": null,
                    "fee_after": null,
                    "note": fee.as_ref().err(),
                }),
            }
        })
        .collect()
}
