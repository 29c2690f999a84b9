//! `gwq score`: score the provider against the workspace's indicator schemes for a
//! period (SPEC §7, §12): a terminal table, `score-<period>.xlsx` and JSON.

use super::{data_quality, pad, Context, Outcome, Tone};
use crate::audit::{run_check, CheckOptions};
use crate::cli::ScoreArgs;
use crate::score::{score_scheme, ScoreResult};
use anyhow::{Context as _, Result};

pub fn run(ctx: &Context, args: ScoreArgs) -> Result<Outcome> {
    let ws = ctx.open_workspace()?;
    let period = ctx.period(&args.period, &ws)?;
    let schemes = crate::session::schemes_of(&ws, args.scheme.as_deref())?;
    let session = ctx.session(ws)?;
    let bar = crate::progress::StepBar::new(ctx.progress, 1 + schemes.len() as u64);
    bar.step(&format!("数据稽核 {}", period.label()));
    let check = crate::progress::timed("check", || {
        run_check(
            &session.tables,
            &session.inventory,
            &period,
            &CheckOptions::default(),
        )
    })?;
    release_freed_memory();
    let quality = data_quality(&check);
    let input = session.score_input(&period);
    let mut results = Vec::new();
    for scheme in &schemes {
        bar.step(&format!("评分：{}", scheme.name));
        let r = score_scheme(scheme, &input, args.by, quality.clone())
            .with_context(|| format!("评分 {} 失败", scheme.name))?;
        results.push(r);
    }
    drop(bar);
    for r in &results {
        print_table(ctx, r);
    }
    let dir = ctx.output_dir(&session.ws, &period);
    let label = period.file_label();
    let xlsx = dir.join(format!("score-{label}.xlsx"));
    let book = crate::report::score::workbook(&results, &session.ws.name);
    crate::report::xlsx::write(&book, &xlsx)
        .with_context(|| format!("无法写入 {}", xlsx.display()))?;
    let json = if results.len() == 1 {
        serde_json::to_value(&results[0])?
    } else {
        serde_json::json!({ "results": results })
    };
    let json_path = dir.join(format!("score-{label}.json"));
    crate::output::write_atomic(&json_path, serde_json::to_string_pretty(&json)?.as_bytes())
        .with_context(|| format!("无法写入 {}", json_path.display()))?;
    ctx.say(&format!("明细：{}", xlsx.display()));
    if ctx.json {
        ctx.print_json(&json)?;
    }
    Ok(Outcome::Done)
}

fn print_table(ctx: &Context, r: &ScoreResult) {
    let num = |v: Option<f64>| v.map_or("—".to_string(), |v| format!("{v:.2}"));
    // The 达标 column (index 4) is coloured after padding, so widths stay right.
    let row = |cells: [&str; 7], tone: Option<Tone>| {
        let widths = [13, 22, 10, 10, 7, 6, 7];
        let mut line = String::from("  ");
        for (i, (c, w)) in cells.iter().zip(widths).enumerate() {
            let cell = pad(c, w, i >= 2);
            match (i, tone) {
                (4, Some(t)) => line.push_str(&ctx.paint(&cell, t)),
                _ => line.push_str(&cell),
            }
            line.push(' ');
        }
        line.trim_end().to_string()
    };
    ctx.say(&format!(
        "{}（{}，{} 至 {}）",
        r.scheme, r.period, r.start, r.end
    ));
    ctx.say(&row(
        ["指标", "名称", "实际值", "目标", "达标", "分值", "得分"],
        None,
    ));
    for i in &r.indicators {
        let met = i.met_text();
        let tone = match i.met {
            Some(true) => Tone::Good,
            Some(false) => Tone::Bad,
            None => Tone::Warn,
        };
        let points = crate::ingest::values::format_number(i.points);
        ctx.say(&row(
            [
                &i.id,
                &i.name,
                &num(i.value),
                &i.target,
                met,
                &points,
                &num(i.score),
            ],
            Some(tone),
        ));
    }
    // The indicators without data, one line per reason.
    let mut by_reason: Vec<(&str, Vec<&str>)> = Vec::new();
    for m in &r.missing_indicators {
        match by_reason
            .iter_mut()
            .find(|(why, _)| *why == m.reason.text())
        {
            Some((_, ids)) => ids.push(&m.id),
            None => by_reason.push((m.reason.text(), vec![&m.id])),
        }
    }
    for (why, ids) in by_reason {
        ctx.say(&format!("  无数据（{why}）：{}", ids.join("、")));
    }
    ctx.say(&total_line(r));
}

/// The total, grade and payment adjustment, or why there are none.
fn total_line(r: &ScoreResult) -> String {
    match (r.total, &r.grade) {
        (Some(total), Some(grade)) => {
            let adjust = r
                .payment_adjust_pct
                .map_or(String::new(), |p| format!("，费用调整 {p}%"));
            format!("  总分 {total:.2}，等级 {grade}{adjust}")
        }
        _ => format!(
            "  数据不足，不计总分、等级和费用调整：有数据的指标分值占 {:.2}%，低于评估方案要求的 {}%",
            r.scored_points_pct,
            crate::ingest::values::format_number(r.min_scored_pct)
        ),
    }
}

/// Hands memory the audit freed back to the system before scoring reads the samples
/// again: glibc keeps freed blocks of many threads' arenas resident otherwise, and the
/// two phases' peaks would add up.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free memory to the system; it has no
    // preconditions and touches no live allocation.
    unsafe {
        libc::malloc_trim(0);
    }
}
