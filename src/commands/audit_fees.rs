//! `gwq audit-fees BUDGET`: the fee-budget audit of SPEC §8 — a summary on the
//! terminal, `fee-audit-<period>.xlsx`, `fee-audit-<period>.docx` and JSON.

use super::{pad, Context, Outcome};
use crate::cli::{AuditFeesArgs, FeeFailOn};
use crate::fees::rules::BillingRules;
use crate::fees::{self, money, AuditInput, FeeSeverity};
use crate::tables::Table;
use crate::workspace::{Source, SourceFile};
use anyhow::{bail, Context as _, Result};
use std::path::Path;

pub fn run(ctx: &Context, args: AuditFeesArgs) -> Result<Outcome> {
    let mut ws = ctx.open_workspace()?;
    let period = ctx.period(&args.period, &ws)?;
    if !args.budget.is_file() {
        bail!("找不到预算文件 {}", args.budget.display());
    }
    crate::output::protect([args.budget.as_path()]);
    if let Some(inv) = &args.inventory {
        if !inv.is_file() {
            bail!("找不到线路台账 {}", inv.display());
        }
        ws.sources.insert(
            Table::Inventory,
            Source {
                table: Table::Inventory,
                files: vec![SourceFile {
                    path: inv.clone(),
                    display: inv.display().to_string(),
                    sheet: None,
                }],
                empty_globs: Vec::new(),
            },
        );
    }
    let session = ctx.session(ws)?;
    let audited = audit_budget(&session, &args.budget, args.rules.as_deref(), &period)?;
    let (result, rules, budget) = (&audited.result, &audited.rules, &audited.budget);
    let ws = &session.ws;
    let dir = ctx.output_dir(ws, &period);
    let label = period.file_label();
    let xlsx = dir.join(format!("fee-audit-{label}.xlsx"));
    crate::report::xlsx::write(
        &crate::report::fees::workbook(result, rules, &ws.name),
        &xlsx,
    )
    .with_context(|| format!("无法写入 {}", xlsx.display()))?;
    let docx = dir.join(format!("fee-audit-{label}.docx"));
    let doc = crate::report::fees::document(result, rules, budget, &ws.name);
    crate::report::docx::write(&doc, &docx)
        .with_context(|| format!("无法写入 {}", docx.display()))?;
    let json = serde_json::to_string_pretty(result)?;
    let json_path = dir.join(format!("fee-audit-{label}.json"));
    crate::output::write_atomic(&json_path, json.as_bytes())
        .with_context(|| format!("无法写入 {}", json_path.display()))?;

    print_summary(ctx, result);
    ctx.say(&format!(
        "报告：{}\n明细：{}",
        docx.display(),
        xlsx.display()
    ));
    if ctx.json {
        ctx.print_json(result)?;
    }
    let worst = match args.fail_on {
        None => 0,
        Some(FeeFailOn::Error) => result.count(FeeSeverity::Error),
        Some(FeeFailOn::Advice) => result.findings.len(),
    };
    Ok(if worst > 0 {
        Outcome::FindingsAtThreshold
    } else {
        Outcome::Done
    })
}

/// A budget audited against the billing rules and the session's registers.
pub(crate) struct Audited {
    pub result: fees::FeeAudit,
    pub rules: BillingRules,
    pub budget: fees::budget::Budget,
}

/// Reads the rules (`rules`, else gwq.yaml's billing_rules, else rules/billing.yaml)
/// and the budget, and audits the budget for `period` (SPEC §8).
pub(crate) fn audit_budget(
    session: &crate::session::Session,
    budget_path: &Path,
    rules: Option<&Path>,
    period: &crate::period::Period,
) -> Result<Audited> {
    let ws = &session.ws;
    let rules_path = match (rules, &ws.billing_rules) {
        (Some(p), _) => p.to_path_buf(),
        (None, Some(p)) => p.clone(),
        (None, None) => ws.root.join("rules/billing.yaml"),
    };
    if !rules_path.is_file() {
        bail!(
            "找不到计费规则 {}：请用 --rules 指定，或在 gwq.yaml 中设置 billing_rules（gwq init 会生成示例 rules/billing.yaml）",
            rules_path.display()
        );
    }
    let rules = BillingRules::load(&rules_path, &display(&rules_path, &ws.root))?;
    if !budget_path.is_file() {
        bail!("找不到预算文件 {}", budget_path.display());
    }
    let budget = fees::budget::read_budget(&SourceFile {
        path: budget_path.to_path_buf(),
        display: budget_path.display().to_string(),
        sheet: None,
    })?;
    let (tables, inventory) = (&session.tables, &session.inventory);
    let cards = fees::sim_cards(tables[&Table::SimCards].frame.clone())?;
    if inventory.is_empty() && cards.is_empty() {
        bail!("线路台账和号卡清单均为空：费用稽核需要台账。请在 gwq.yaml 的 sources 中配置 inventory，或用 --inventory 指定");
    }
    let subscribers = fees::subscribers(inventory, &cards);
    let usage = fees::usage::measure(
        &tables[&Table::Kpi5g].frame,
        &tables[&Table::Samples].frame,
        period,
        rules.burstable.as_ref().map(|b| b.percentile),
    )?;
    let result = fees::audit(&AuditInput {
        rules: &rules,
        budget: &budget,
        subscribers: &subscribers,
        usage: &usage,
        period,
    })?;
    Ok(Audited {
        result,
        rules,
        budget,
    })
}

/// A path relative to the workspace when it is inside it, for messages.
fn display(path: &Path, root: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

fn print_summary(ctx: &Context, r: &fees::FeeAudit) {
    ctx.say(&format!(
        "费用预算稽核 {} 至 {}：预算 {} 元，核定 {} 元，差额 {} 元",
        r.period.start,
        r.period.end,
        money::fmt_grouped(r.budget_total),
        money::fmt_grouped(r.verified_total),
        money::fmt_grouped(r.difference())
    ));
    ctx.say(&format!(
        "  错误 {} 项，建议 {} 项",
        r.count(FeeSeverity::Error),
        r.count(FeeSeverity::Advice)
    ));
    for code in fees::FeeCode::ALL {
        let of_code: Vec<_> = r.findings.iter().filter(|f| f.code == code).collect();
        if of_code.is_empty() {
            continue;
        }
        let sum: money::Decimal = of_code.iter().map(|f| f.difference).sum();
        let amount = if code.is_money() {
            format!(" {} 元", pad(&money::fmt_grouped(sum), 16, true))
        } else {
            String::new()
        };
        let line = format!(
            "  {} {} {} 项{amount}",
            pad(code.as_str(), 20, false),
            pad(code.label(), 20, false),
            pad(&of_code.len().to_string(), 5, true)
        );
        ctx.say(line.trim_end());
    }
    if ctx.verbose {
        for f in &r.findings {
            ctx.say(&format!(
                "  [{}] 第 {} 行 {} {}",
                f.code.as_str(),
                f.row.map_or("—".to_string(), |r| r.to_string()),
                f.line_id.as_deref().unwrap_or(""),
                f.message
            ));
        }
    }
}
