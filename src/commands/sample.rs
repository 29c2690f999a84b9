//! `gwq sample --quarter Q [--seed N]` (SPEC §10): the quarter's field sampling plan
//! from the inventory, the inspections and the plans of earlier quarters, written as
//! the field team's work sheet `sample-Q.xlsx`; the plan is also kept in
//! `<workspace>/field/plans/` so that later quarters rotate the rooms.

use super::{Context, Outcome};
use crate::cli::SampleArgs;
use crate::frame::{self, StepContext};
use crate::period::Period;
use crate::sampling::{self, LinePick, Plan, PlanInput};
use crate::session::Session;
use crate::tables::Table;
use anyhow::{Context as _, Result};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

pub fn run(ctx: &Context, args: SampleArgs) -> Result<Outcome> {
    let quarter: Period = args.quarter.parse()?;
    let ws = ctx.open_workspace()?;
    let session = ctx.session(ws)?;
    let year = service_year(&session, &quarter);
    let lines = active_lines(&session, &quarter);
    let mut rooms: BTreeSet<String> = lines.iter().filter_map(|l| l.room_id.clone()).collect();
    // Inspections of the twelve months before the quarter.
    let last_year = Period::new(
        quarter.start - chrono::Months::new(12),
        quarter.start - chrono::Duration::days(1),
    );
    let inspected = inspected_rooms(&session, &last_year)?;
    rooms.extend(inspected.keys().cloned());
    let with_findings = inspected
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(r, _)| r)
        .collect();
    let plans = plans_dir(&session);
    let before = rooms_in_earlier_plans(&plans, &year, &quarter)?;
    let plan = sampling::plan(&PlanInput {
        quarter: &quarter,
        seed: args.seed,
        lines: &lines,
        rooms: &rooms,
        rooms_with_findings: &with_findings,
        rooms_sampled_before: &before,
        calendar: &session.calendar,
    });
    let record = plans.join(format!("sample-{}.json", quarter.file_label()));
    crate::output::write_atomic(&record, serde_json::to_string_pretty(&plan)?.as_bytes())
        .with_context(|| format!("无法写入 {}", record.display()))?;
    let sheet = ctx
        .output_dir(&session.ws, &quarter)
        .join(format!("sample-{}.xlsx", quarter.file_label()));
    let bytes = sampling::sheet::render(&plan, &quarter)
        .map_err(|e| anyhow::anyhow!("生成抽查工作表失败：{e}"))?;
    crate::output::write_atomic(&sheet, &bytes)
        .with_context(|| format!("无法写入 {}", sheet.display()))?;
    say_plan(ctx, &plan, lines.len());
    ctx.say(&format!("工作表：{}", sheet.display()));
    if ctx.json {
        ctx.print_json(&plan)?;
    }
    Ok(Outcome::Done)
}

/// The service year the quarter is in (gwq.yaml's service_period when it holds the
/// quarter, else the calendar year).
fn service_year(session: &Session, quarter: &Period) -> Period {
    session
        .ws
        .service_period
        .clone()
        .filter(|p| p.contains(quarter.start))
        .unwrap_or_else(|| {
            format!("{}", chrono::Datelike::year(&quarter.start))
                .parse()
                .expect("a year is a period")
        })
}

/// The inventory's lines active at some time in the quarter.
fn active_lines(session: &Session, quarter: &Period) -> Vec<LinePick> {
    session
        .inventory
        .lines
        .values()
        .filter(|l| l.active_span(quarter).is_some())
        .map(|l| LinePick {
            line_id: l.line_id.clone(),
            district: l.district.clone().unwrap_or_else(|| "未知区".to_string()),
            room_id: l.room_id.clone(),
            unit: l.unit.clone(),
            bandwidth_mbps: l.bandwidth_mbps,
        })
        .collect()
}

/// Rooms inspected in `window` and the problems their inspections found (the
/// security table names no room, so an inspection's findings stand for a room's open
/// problems).
fn inspected_rooms(session: &Session, window: &Period) -> Result<BTreeMap<String, i64>> {
    let t = &session.tables[&Table::Inspections];
    let df =
        crate::score::rows::in_period(t.frame.clone(), Table::Inspections, "planned_on", window)
            .collect()
            .step("读取机房巡检")?;
    let rooms = frame::str_values(&df, "room_id")?;
    let found = frame::i64_values(&df, "findings")?;
    let mut out = BTreeMap::new();
    for (room, n) in rooms.into_iter().zip(found) {
        if let Some(room) = room {
            *out.entry(room).or_insert(0) += n.unwrap_or(0);
        }
    }
    Ok(out)
}

fn plans_dir(session: &Session) -> PathBuf {
    session.ws.root.join("field").join("plans")
}

/// The rooms of the plans kept for quarters of the service year before this one.
fn rooms_in_earlier_plans(
    dir: &std::path::Path,
    year: &Period,
    quarter: &Period,
) -> Result<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(out);
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(label) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_prefix("sample-"))
            .and_then(|n| n.strip_suffix(".json"))
        else {
            continue;
        };
        let Ok(q) = label.parse::<Period>() else {
            continue;
        };
        if q.start >= quarter.start || !year.contains(q.start) {
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("无法读取 {}", path.display()))?;
        let plan: serde_json::Value = serde_json::from_str(&text)
            .with_context(|| format!("{} 不是 gwq sample 写下的抽样计划", path.display()))?;
        for room in plan["rooms"].as_array().into_iter().flatten() {
            if let Some(id) = room["room_id"].as_str() {
                out.insert(id.to_string());
            }
        }
    }
    Ok(out)
}

fn say_plan(ctx: &Context, plan: &Plan, active: usize) {
    ctx.say(&format!(
        "{} 抽查计划（种子 {}）：机房 {} 个，线路 {} 条（在网 {active} 条），电话抽查 {} 次。",
        plan.quarter,
        plan.seed,
        plan.rooms.len(),
        plan.lines.len(),
        plan.phone_checks.len()
    ));
    for r in &plan.rooms {
        ctx.say(&format!("  机房 {}：{}", r.room_id, r.reason));
    }
}
