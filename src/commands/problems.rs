//! `gwq problems sync|list|show|close` (SPEC §9): the problems ledger from the command
//! line. `sync` scores and audits a period once and adds what it raises; the others
//! read the ledger, and `close` writes one problem's state, date and note.

use super::{pad, Context, Outcome};
use crate::analysis::{field, trend};
use crate::audit::{run_check, CheckOptions, CheckReport};
use crate::cli::{ProblemsAction, ProblemsArgs, ProblemsCloseArgs, ProblemsListArgs};
use crate::findings::{Finding, Severity};
use crate::ledger::file::{LedgerCell, LedgerFile};
use crate::ledger::sync::{self, indicator_key, Candidate, MetAgain};
use crate::ledger::{LedgerConfig, Origin, Status, COLUMNS};
use crate::period::Period;
use crate::scheme::Scheme;
use crate::score::{score_scheme, ScoreResult};
use crate::session::Session;
use crate::tables::Table;
use anyhow::{bail, Result};
use chrono::NaiveDate;

pub fn run(ctx: &Context, args: ProblemsArgs) -> Result<Outcome> {
    match args.action {
        ProblemsAction::Sync(a) => sync_period(ctx, &a),
        ProblemsAction::List(a) => list(ctx, &a),
        ProblemsAction::Show(a) => show(ctx, &a.id),
        ProblemsAction::Close(a) => close(ctx, &a),
    }
}

fn backup_dir(config: &LedgerConfig) -> std::path::PathBuf {
    config
        .path
        .parent()
        .unwrap_or(std::path::Path::new("."))
        .join("backup")
}

fn sync_period(ctx: &Context, args: &crate::cli::ProblemsSyncArgs) -> Result<Outcome> {
    let ws = ctx.open_workspace()?;
    let period = ctx.period(&args.period, &ws)?;
    if let Some(b) = args.budget.as_ref().filter(|b| !b.is_file()) {
        bail!("找不到预算文件 {}", b.display());
    }
    let config = ws.problems.clone();
    let mut ledger = LedgerFile::open(&config.path)?;
    let schemes = crate::session::schemes_of(&ws, None)?;
    let session = ctx.session(ws)?;
    let check = run_check(
        &session.tables,
        &session.inventory,
        &period,
        &CheckOptions::default(),
    )?;
    let quality = super::data_quality(&check);
    let mut candidates = Vec::new();
    let mut met_again = Vec::new();
    for scheme in &schemes {
        let result = score_scheme(scheme, &session.score_input(&period), None, quality.clone())?;
        candidates.extend(indicator_candidates(scheme, &result, &period));
        met_again.extend(met_again_of(
            &session, scheme, &result, &period, &ledger, &config,
        )?);
    }
    candidates.extend(check_candidates(&check, &period));
    candidates.extend(field_candidates(&session, &period)?);
    if let Some(budget) = &args.budget {
        candidates.extend(fee_candidates(&session, budget, &period)?);
    }
    let outcome = sync::apply(&mut ledger, &config, &candidates, &met_again);
    let backup = match outcome.added.is_empty() && outcome.reverify.is_empty() {
        true => None,
        false => ledger.save(&backup_dir(&config))?,
    };
    ctx.say(&format!(
        "问题清单 {}：新增 {} 项，待复核 {} 项，已有 {} 项未重复添加。",
        config.path.display(),
        outcome.added.len(),
        outcome.reverify.len(),
        outcome.unchanged
    ));
    if let Some(b) = &backup {
        ctx.say(&format!("原文件已备份为 {}", b.display()));
    }
    if ctx.json {
        ctx.print_json(&serde_json::json!({
            "added": outcome.added.len(),
            "reverify": outcome.reverify.len(),
            "unchanged": outcome.unchanged,
            "backup": backup.map(|b| b.display().to_string()),
        }))?;
    }
    Ok(Outcome::Done)
}

/// The day after the period: when its problems are found.
fn found_after(period: &Period) -> NaiveDate {
    period.end + chrono::Duration::days(1)
}

/// One problem per indicator not met.
fn indicator_candidates(scheme: &Scheme, r: &ScoreResult, period: &Period) -> Vec<Candidate> {
    r.indicators
        .iter()
        .filter(|i| i.met == Some(false))
        .map(|i| Candidate {
            key: indicator_key(&scheme.id, &i.id, period.label()),
            origin: Origin::Indicator,
            found_on: found_after(period),
            description: format!(
                "{}：{} {} 在 {} 为 {}{}，未达到目标 {}",
                scheme.name,
                i.id,
                i.name,
                period.label(),
                i.value.map_or("—".to_string(), |v| format!("{v:.2}")),
                i.unit.as_deref().unwrap_or(""),
                i.target
            ),
        })
        .collect()
}

/// One problem per error finding of the data audit.
fn check_candidates(check: &CheckReport, period: &Period) -> Vec<Candidate> {
    check
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| Candidate {
            key: check_key(f),
            origin: Origin::Check,
            found_on: found_after(period),
            description: format!("{}：{} {}", f.code.title(), f.location(), f.message),
        })
        .collect()
}

/// `check:<code>:<file>:<row>`, else the table and what the finding names.
fn check_key(f: &Finding) -> String {
    match (&f.file, f.row) {
        (Some(file), Some(row)) => {
            let sheet = f.sheet.as_ref().map_or(String::new(), |s| format!("[{s}]"));
            format!("check:{}:{file}{sheet}:{row}", f.code)
        }
        _ => {
            let what = f
                .line_id
                .clone()
                .or_else(|| f.column.clone())
                .unwrap_or_else(|| f.message.clone());
            format!("check:{}:{}:{what}", f.code, f.table)
        }
    }
}

/// Failed site tests and unanswered phone checks.
fn field_candidates(session: &Session, period: &Period) -> Result<Vec<Candidate>> {
    let t = |table: Table| &session.tables[&table];
    let summary = field::summarise(
        t(Table::SiteTests),
        t(Table::PhoneChecks),
        &session.inventory,
        &session.calendar,
        period,
    )?;
    let mut out: Vec<Candidate> = summary
        .site
        .failed
        .iter()
        .map(|f| {
            let day = f.tested_on.unwrap_or(period.end);
            Candidate {
                key: format!("field:site_test:{}:{day}", f.line_id),
                origin: Origin::Field,
                found_on: day,
                description: format!(
                    "现场测试不达标：线路 {}（{day}），实测带宽 {} Mbps，时延 {} ms，丢包率 {}%",
                    f.line_id,
                    shown(f.throughput_mbps),
                    shown(f.latency_ms),
                    shown(f.loss_pct)
                ),
            }
        })
        .collect();
    out.extend(summary.phone.missed.iter().map(|at| Candidate {
        key: format!("field:phone_check:{}", at.format("%Y-%m-%d %H:%M")),
        origin: Origin::Field,
        found_on: at.date(),
        description: format!("电话抽查未接通：{}", at.format("%Y-%m-%d %H:%M")),
    }));
    Ok(out)
}

/// The money errors of the fee audit of `budget` over the service period (a budget
/// covers the year; over the synced month alone every item would be off).
fn fee_candidates(
    session: &Session,
    budget: &std::path::Path,
    period: &Period,
) -> Result<Vec<Candidate>> {
    let whole = session
        .ws
        .service_period
        .clone()
        .unwrap_or_else(|| period.clone());
    let audited = super::audit_fees::audit_budget(session, budget, None, &whole)?;
    Ok(audited
        .result
        .findings
        .iter()
        .filter(|f| f.code.severity() == crate::fees::FeeSeverity::Error)
        .map(|f| {
            let item = f
                .item_no
                .clone()
                .or_else(|| f.line_id.clone())
                .or_else(|| f.row.map(|r| format!("row{r}")))
                .unwrap_or_default();
            Candidate {
                key: format!("fees:{}:{item}", f.code.as_str()),
                origin: Origin::Fees,
                found_on: found_after(period),
                description: format!(
                    "{}（{}）：{}，差额 {} 元",
                    f.code.label(),
                    whole.label(),
                    f.message,
                    crate::fees::money::fmt_grouped(f.difference)
                ),
            }
        })
        .collect())
}

fn shown(v: Option<f64>) -> String {
    v.map_or("—".to_string(), crate::ingest::values::format_number)
}

/// The indicators met in this period and the `reverify_periods − 1` before it that
/// have open problems in the ledger (the earlier periods measured only then).
fn met_again_of(
    session: &Session,
    scheme: &Scheme,
    now: &ScoreResult,
    period: &Period,
    ledger: &LedgerFile,
    config: &LedgerConfig,
) -> Result<Vec<MetAgain>> {
    let open_keys: Vec<String> = (0..ledger.rows.len())
        .filter(|&r| Status::of(&ledger.text(r, "状态")).is_open())
        .map(|r| ledger.text(r, "来源键"))
        .collect();
    let has_open = |ind: &str| {
        let prefix = format!("indicator:{}:{ind}:", scheme.id);
        open_keys.iter().any(|k| k.starts_with(&prefix))
    };
    let wanted: Vec<usize> = (0..now.indicators.len())
        .filter(|&i| now.indicators[i].met == Some(true) && has_open(&now.indicators[i].id))
        .collect();
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let Some(earlier) = previous_periods(period, config.reverify_periods as usize - 1) else {
        return Ok(Vec::new());
    };
    let newest = crate::analysis::sources::newest_record(&session.tables, scheme);
    let input = session.score_input(period);
    let mut results = Vec::new();
    for p in &earlier {
        results.push(trend::one(scheme, p.clone(), &input, newest)?.result);
    }
    let mut labels: Vec<String> = earlier.iter().map(|p| p.label().to_string()).collect();
    labels.push(period.label().to_string());
    Ok(wanted
        .into_iter()
        .filter(|&i| results.iter().all(|r| r.indicators[i].met == Some(true)))
        .map(|i| MetAgain {
            scheme: scheme.id.clone(),
            indicator: now.indicators[i].id.clone(),
            name: now.indicators[i].name.clone(),
            periods: labels.clone(),
        })
        .collect())
}

/// The `n` months or quarters before a month or quarter, oldest first; `None` for
/// other periods when `n` > 0 (they have no "previous period" of the same kind).
fn previous_periods(period: &Period, n: usize) -> Option<Vec<Period>> {
    let mut out = Vec::new();
    let mut at = period.clone();
    for _ in 0..n {
        at = if at.label().contains('Q') {
            at.previous_quarter()
        } else if at.label().len() == 7 {
            let before = at.start - chrono::Duration::days(1);
            before.format("%Y-%m").to_string().parse().ok()?
        } else {
            return None;
        };
        out.push(at.clone());
    }
    out.reverse();
    Some(out)
}

/// One ledger row as SPEC §10's `problems list` JSON object.
fn problem_json(ledger: &LedgerFile, r: usize) -> serde_json::Value {
    let source = ledger.text(r, "来源");
    let date = |c: &str| {
        let cell = ledger.get(r, c);
        cell.date().map_or_else(|| cell.text(), |d| d.to_string())
    };
    serde_json::json!({
        "id": ledger.text(r, COLUMNS[0]),
        "key": ledger.text(r, "来源键"),
        "source": Origin::from_key(&source).map_or(source.clone(), |o| o.key().to_string()),
        "description": ledger.text(r, "描述"),
        "owner": ledger.text(r, "责任方"),
        "deadline": date("整改期限"),
        "status": Status::of(&ledger.text(r, "状态")).label(),
        "closed_on": date("关闭日期"),
    })
}

/// The ledger, or an empty one with a note when it does not exist yet.
fn open_ledger(ctx: &Context) -> Result<(LedgerConfig, LedgerFile)> {
    let ws = ctx.open_workspace()?;
    let config = ws.problems.clone();
    if !config.path.exists() {
        ctx.warn(&format!(
            "问题清单 {} 尚不存在：请先运行 gwq problems sync",
            config.path.display()
        ));
    }
    let ledger = LedgerFile::open(&config.path)?;
    Ok((config, ledger))
}

fn list(ctx: &Context, args: &ProblemsListArgs) -> Result<Outcome> {
    let (_, ledger) = open_ledger(ctx)?;
    let as_of = args
        .as_of
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let source = match &args.source {
        None => None,
        Some(s) => Some(Origin::from_key(s).ok_or_else(|| {
            anyhow::anyhow!("未知的来源 “{s}”：应为 indicator、check、fees、field 或 manual")
        })?),
    };
    let rows: Vec<usize> = (0..ledger.rows.len())
        .filter(|&r| {
            let status = Status::of(&ledger.text(r, "状态"));
            let late = ledger.get(r, "整改期限").date().is_some_and(|d| d < as_of);
            (!args.open || status.is_open())
                && (!args.overdue || (status.is_open() && late))
                && source.is_none_or(|o| Origin::from_key(&ledger.text(r, "来源")) == Some(o))
        })
        .collect();
    print_list(ctx, &ledger, &rows, as_of);
    if ctx.json {
        let problems: Vec<serde_json::Value> =
            rows.iter().map(|&r| problem_json(&ledger, r)).collect();
        ctx.print_json(&serde_json::json!({ "problems": problems }))?;
    }
    Ok(Outcome::Done)
}

fn print_list(ctx: &Context, ledger: &LedgerFile, rows: &[usize], as_of: NaiveDate) {
    if rows.is_empty() {
        ctx.say("没有符合条件的问题。");
        return;
    }
    ctx.say(&format!(
        "{} {} {} {} {} 描述",
        pad("编号", 7, false),
        pad("来源", 10, false),
        pad("整改期限", 10, false),
        pad("状态", 6, false),
        pad("逾期天数", 8, true)
    ));
    for &r in rows {
        let deadline = ledger.get(r, "整改期限").date();
        let open = Status::of(&ledger.text(r, "状态")).is_open();
        let late = deadline
            .filter(|d| open && *d < as_of)
            .map_or(String::new(), |d| (as_of - d).num_days().to_string());
        ctx.say(&format!(
            "{} {} {} {} {} {}",
            pad(&ledger.text(r, COLUMNS[0]), 7, false),
            pad(&ledger.text(r, "来源"), 10, false),
            pad(
                &deadline.map_or(String::new(), |d| d.to_string()),
                10,
                false
            ),
            pad(&ledger.text(r, "状态"), 6, false),
            pad(&late, 8, true),
            ledger.text(r, "描述")
        ));
    }
    ctx.say(&format!("共 {} 项（逾期以 {as_of} 为准）。", rows.len()));
}

fn show(ctx: &Context, id: &str) -> Result<Outcome> {
    let (config, ledger) = open_ledger(ctx)?;
    let Some(r) = ledger.find(id) else {
        bail!("问题清单 {} 中没有问题 {id}", config.path.display());
    };
    let mut columns = serde_json::Map::new();
    for (c, h) in ledger.headers.iter().enumerate() {
        if h.is_empty() {
            continue;
        }
        let text = ledger.rows[r][c].text();
        ctx.say(&format!("{}：{text}", pad(h, 8, false)));
        columns.insert(h.clone(), serde_json::Value::String(text));
    }
    if ctx.json {
        let mut p = problem_json(&ledger, r);
        p["columns"] = serde_json::Value::Object(columns);
        ctx.print_json(&p)?;
    }
    Ok(Outcome::Done)
}

fn close(ctx: &Context, args: &ProblemsCloseArgs) -> Result<Outcome> {
    let (config, mut ledger) = open_ledger(ctx)?;
    let Some(r) = ledger.find(&args.id) else {
        bail!("问题清单 {} 中没有问题 {}", config.path.display(), args.id);
    };
    if let Some(found) = ledger.get(r, "发现日期").date().filter(|f| *f > args.date) {
        bail!(
            "关闭日期 {} 早于问题 {} 的发现日期 {found}",
            args.date,
            args.id
        );
    }
    ledger.set(r, "状态", LedgerCell::Text(Status::Closed.label().into()));
    ledger.set(r, "关闭日期", LedgerCell::Date(args.date));
    if let Some(note) = args.note.as_deref().filter(|n| !n.trim().is_empty()) {
        let before = ledger.text(r, "备注");
        let notes = if before.is_empty() {
            note.to_string()
        } else {
            format!("{before}；{note}")
        };
        ledger.set(r, "备注", LedgerCell::Text(notes));
    }
    let backup = ledger.save(&backup_dir(&config))?;
    ctx.say(&format!("已关闭问题 {}（{}）。", args.id, args.date));
    if let Some(b) = backup {
        ctx.say(&format!("原文件已备份为 {}", b.display()));
    }
    if ctx.json {
        ctx.print_json(&problem_json(&ledger, r))?;
    }
    Ok(Outcome::Done)
}
