//! `gwq report special --period P --topic faults|outages|security|line:ID [--title T]`
//! (SPEC §14): a special report as `special-<topic>-<label>.docx`, `.xlsx`, `.json`.

use super::Files;
use crate::analysis::incidents::{self, Topic};
use crate::cli::SpecialArgs;
use crate::commands::{Context, Outcome};
use crate::reports::special::{self, SpecialInputs};
use crate::tables::Table;
use anyhow::{bail, Result};

pub fn run(ctx: &Context, args: SpecialArgs) -> Result<Outcome> {
    let Some(topic) = Topic::parse(&args.topic) else {
        bail!(
            "未知的专题 “{}”：应为 faults、outages、security 或 line:线路编号（费用专题请用 gwq audit-fees）",
            args.topic
        );
    };
    let period = crate::cli::parse_any_period(&args.period)?;
    // The events only: no data audit or scoring of the period.
    let ws = ctx.open_workspace()?;
    let schemes = &crate::session::schemes_of(&ws, None)?;
    let session = &ctx.session(ws)?;
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
    files.write(ctx, &report, &json)?;
    if ctx.json {
        ctx.print_json(&json)?;
    }
    Ok(Outcome::Done)
}
