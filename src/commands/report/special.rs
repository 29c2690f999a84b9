//! `gwq report special --period P --topic faults|outages|security|fees|line:ID [--title T]`
//! (SPEC §14): a special report as `special-<topic>-<label>.docx`, `.xlsx`, `.json`.

use super::Files;
use crate::analysis::incidents::{self, Topic};
use crate::cli::SpecialArgs;
use crate::commands::{Context, Outcome};
use crate::reports::special::{self, SpecialInputs};
use crate::tables::Table;
use anyhow::{bail, Result};

pub fn run(ctx: &Context, args: SpecialArgs, issue: bool) -> Result<Outcome> {
    let Some(topic) = Topic::parse(&args.topic) else {
        bail!(
            "未知的专题 “{}”：应为 faults、outages、security、fees 或 line:线路编号",
            args.topic
        );
    };
    let period = crate::cli::parse_any_period(&args.period)?;
    // The events only: no data audit or scoring of the period.
    let ws = ctx.open_workspace()?;
    let schemes = &crate::session::schemes_of(&ws, None)?;
    let session = &ctx.session(ws)?;
    if topic == Topic::Fees {
        return fees(ctx, &args, session, schemes, &period, issue);
    }
    let t = |table: Table| &session.tables[&table];
    let (events, tables) = match &topic {
        Topic::Faults => (
            incidents::faults(t(Table::Faults), schemes, &period, None)?,
            vec![Table::Faults],
        ),
        Topic::Outages => (
            incidents::outages(t(Table::Outages), schemes, &period, None)?,
            vec![Table::Outages],
        ),
        Topic::Security => (
            incidents::security(t(Table::Security), &period)?,
            vec![Table::Security],
        ),
        Topic::Fees => unreachable!("the fees topic returned above"),
        Topic::Line(id) => {
            if session.inventory.get(id).is_none() {
                bail!("线路台账中没有线路 {id}");
            }
            let mut all = incidents::faults(t(Table::Faults), schemes, &period, Some(id))?;
            all.extend(incidents::outages(
                t(Table::Outages),
                schemes,
                &period,
                Some(id),
            )?);
            all.sort_by(|a, b| a.start.cmp(&b.start).then(a.id.cmp(&b.id)));
            (all, vec![Table::Faults, Table::Outages])
        }
    };
    let sources: Vec<String> = tables
        .iter()
        .flat_map(|tb| t(*tb).files.iter())
        .map(|f| format!("{}：{} 行", f.path, f.stats.rows_read))
        .collect();
    let mut files = Files::new(ctx, session, &period, "special");
    files.stem = format!("special-{}-{}", topic.file_label(), period.file_label());
    let title = args
        .title
        .clone()
        .unwrap_or_else(|| format!("{}{}监管专项报告", session.ws.name, topic.title()));
    let report = special::build(&SpecialInputs {
        workspace: &session.ws.name,
        title,
        topic: &topic,
        period: &period,
        events: &events,
        inventory: &session.inventory,
        sources,
        files: &files.listed(),
    });
    let json = serde_json::json!({
        "kind": "special",
        "topic": args.topic,
        "period": period.label(),
        "start": period.start.to_string(),
        "end": period.end.to_string(),
        "events": events.len(),
        "late": events.iter().map(|e| e.checks.iter().filter(|c| c.late((period.end_time() - e.start).num_seconds())).count()).sum::<usize>(),
        "gwq_version": env!("CARGO_PKG_VERSION"),
    });
    super::publish(ctx, session, &files, report, json, issue)
}

/// `--topic fees`: each scheme scored for the period, the fee its service is due and
/// the adjustment (`special-fees-<label>.*`).
fn fees(
    ctx: &Context,
    args: &SpecialArgs,
    session: &crate::session::Session,
    schemes: &[crate::scheme::Scheme],
    period: &crate::period::Period,
    issue: bool,
) -> Result<Outcome> {
    let input = session.score_input(period);
    let mut scores = Vec::new();
    for s in schemes {
        scores.push(crate::score::score_scheme(
            s,
            &input,
            None,
            crate::score::DataQuality::default(),
        )?);
    }
    let due = super::evaluation::fees_due(session, schemes, period)?;
    let mut files = Files::new(ctx, session, period, "special");
    files.stem = format!("special-fees-{}", period.file_label());
    let mut sources: Vec<String> = session
        .ws
        .billing_rules
        .iter()
        .map(|p| {
            p.strip_prefix(&session.ws.root)
                .unwrap_or(p)
                .display()
                .to_string()
        })
        .collect();
    sources.extend(
        session.tables[&Table::Inventory]
            .files
            .iter()
            .map(|f| f.path.clone()),
    );
    let title = args
        .title
        .clone()
        .unwrap_or_else(|| format!("{}服务费用监管专项报告", session.ws.name));
    let report = crate::reports::special_fees::build(&crate::reports::special_fees::FeesInputs {
        workspace: &session.ws.name,
        title,
        period,
        schemes: scores.iter().zip(&due).collect(),
        sources,
        files: &files.listed(),
    });
    let payment: Vec<serde_json::Value> = scores
        .iter()
        .zip(&due)
        .map(|(r, fee)| {
            let pct = r.payment_adjust_pct.filter(|_| r.total.is_some());
            let money = crate::fees::money::fmt;
            serde_json::json!({
                "scheme": r.scheme,
                "total": r.total,
                "grade": r.grade,
                "payment_adjust_pct": pct,
                "fee_due": fee.as_ref().ok().map(|f| money(f.amount())),
                "adjust_yuan": fee.as_ref().ok().zip(pct).map(|(f, p)| money(f.adjustment(p))),
                "note": fee.as_ref().err(),
            })
        })
        .collect();
    let json = serde_json::json!({
        "kind": "special",
        "topic": "fees",
        "period": period.label(),
        "start": period.start.to_string(),
        "end": period.end.to_string(),
        "payment": payment,
        "gwq_version": env!("CARGO_PKG_VERSION"),
    });
    super::publish(ctx, session, &files, report, json, issue)
}
