//! `gwq check`: the data audit of SPEC §6 for a period, printed as a summary and
//! written to `check-<period>.xlsx` (and JSON with `--json`).

use super::{pad, Context, Outcome, Tone};
use crate::audit::{run_check, CheckOptions};
use crate::cli::{CheckArgs, FailOn};
use crate::findings::{Code, Severity};
use anyhow::{Context as _, Result};

pub fn run(ctx: &Context, args: CheckArgs) -> Result<Outcome> {
    let ws = ctx.open_workspace()?;
    let period = ctx.period(&args.period, &ws)?;
    let session = ctx.session(ws)?;
    let bar = crate::progress::StepBar::new(ctx.progress, 2);
    bar.step(&format!("数据稽核 {}", period.label()));
    let options = CheckOptions {
        min_coverage: args.min_coverage,
    };
    let report = run_check(&session.tables, &session.inventory, &period, &options)?;
    let ws = &session.ws;
    bar.step("写出稽核结果");

    let dir = ctx.output_dir(ws, &period);
    let xlsx = dir.join(format!("check-{}.xlsx", period.file_label()));
    let book = crate::report::check::workbook(&report, &ws.name);
    crate::report::xlsx::write(&book, &xlsx)
        .with_context(|| format!("无法写入 {}", xlsx.display()))?;
    let json_path = dir.join(format!("check-{}.json", period.file_label()));
    let json = serde_json::to_vec_pretty(&report).context("生成 JSON 失败")?;
    crate::output::write_atomic(&json_path, &json)
        .with_context(|| format!("无法写入 {}", json_path.display()))?;
    drop(bar);

    let (errors, warnings) = (
        report.count(Severity::Error),
        report.count(Severity::Warning),
    );
    let tone = |n: u64, bad: Tone| if n > 0 { bad } else { Tone::Good };
    ctx.say(&format!(
        "数据稽核 {}：{}，{}",
        period.label(),
        ctx.paint(&format!("错误 {errors} 项"), tone(errors, Tone::Bad)),
        ctx.paint(&format!("警告 {warnings} 项"), tone(warnings, Tone::Warn))
    ));
    for code in Code::ALL {
        let n = report.counts.get(&code).copied().unwrap_or(0);
        if n > 0 {
            ctx.say(&format!(
                "  {} {} {}  {}",
                pad(code.as_str(), 18, false),
                pad(code.title(), 14, false),
                pad(&n.to_string(), 8, true),
                code.severity().label()
            ));
        }
    }
    for (table, n) in &report.dropped_exact_duplicates {
        ctx.say(&format!("  已剔除完全重复行：{table} {n} 行"));
    }
    if let Some(p) = report.coverage_pct() {
        ctx.say(&format!(
            "  采集覆盖率 {p:.2}%（{} 条线路）",
            report.coverage.len()
        ));
    }
    if ctx.verbose {
        for f in report.findings.iter().take(50) {
            ctx.say(&format!("  [{}] {} {}", f.code, f.location(), f.message));
        }
    }
    ctx.say(&format!("明细：{}", xlsx.display()));
    if ctx.json {
        ctx.print_json(&report)?;
    }
    let worst = match args.fail_on {
        None => return Ok(Outcome::Done),
        Some(FailOn::Error) => errors,
        Some(FailOn::Warning) => errors + warnings,
    };
    Ok(if worst > 0 {
        Outcome::FindingsAtThreshold
    } else {
        Outcome::Done
    })
}
