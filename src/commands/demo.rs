//! `gwq demo DIR`: generate a synthetic workspace (SPEC §11).

use super::{Context, Outcome};
use crate::cli::DemoArgs;
use crate::demo::{generate, DemoConfig};
use anyhow::{bail, Result};

pub fn run(ctx: &Context, args: DemoArgs) -> Result<Outcome> {
    if args.lines == 0 || args.days == 0 || args.interval == 0 {
        bail!("--lines、--days、--interval 须大于 0");
    }
    if args.dir.join(crate::workspace::WORKSPACE_FILE).exists() {
        bail!(
            "{} 已是工作区（有 gwq.yaml）：请换一个新目录",
            args.dir.display()
        );
    }
    let start = args
        .start
        .unwrap_or_else(|| chrono::NaiveDate::from_ymd_opt(2025, 7, 1).expect("valid date"));
    let config = DemoConfig {
        lines: args.lines,
        days: args.days,
        seed: args.seed,
        start,
        interval: args.interval,
        defects: args.defects,
    };
    let truth = generate(&args.dir, &config)?;
    ctx.say(&format!(
        "已生成模拟工作区 {}：{} 条线路，{} 天（{}），性能采样 {} 行{}",
        args.dir.display(),
        args.lines,
        args.days,
        truth.period,
        truth.sample_rows,
        if args.defects {
            format!(
                "，植入问题 {} 处（见 demo-truth.json）",
                truth.findings.len()
            )
        } else {
            String::new()
        }
    ));
    if ctx.json {
        ctx.print_json(&truth)?;
    }
    Ok(Outcome::Done)
}
