//! `gwq replay` (SPEC §17): a proposed scheme scored on each month (or quarter) of a
//! past period beside the workspace's scheme, written to `replay-<period>.xlsx` and
//! `.json`, with what would have changed printed per sub-period.

use super::{Context, Outcome, Tone};
use crate::cli::{Every, ReplayArgs};
use crate::replay::{self, PeriodReplay, Replay};
use crate::report::model::{RowStyle, Sheet, Value, Workbook};
use crate::scheme::Scheme;
use crate::score::{measure, score, DataQuality};
use crate::session::Session;
use anyhow::{Context as _, Result};

pub fn run(ctx: &Context, args: ReplayArgs) -> Result<Outcome> {
    let ws = ctx.open_workspace()?;
    let period = ctx.period(&args.period, &ws)?;
    let proposed = Scheme::load("proposed", &args.scheme_file)?;
    let current = current_scheme(&ws, args.scheme.as_deref(), &proposed)?;
    let session = ctx.session(ws)?;
    let periods = crate::period::sub_periods(&period, args.every == Every::Quarter);
    let bar = crate::progress::StepBar::new(ctx.progress, periods.len() as u64);
    let mut out = Replay {
        scheme: current.name.clone(),
        proposed: proposed.name.clone(),
        proposed_file: args.scheme_file.display().to_string().replace('\\', "/"),
        period: period.label().to_string(),
        periods: Vec::new(),
    };
    for p in &periods {
        bar.step(&format!("重算 {}", p.label()));
        out.periods
            .push(one_period(&session, &current, &proposed, p)?);
    }
    drop(bar);
    let dir = ctx.output_dir(&session.ws, &period);
    let stem = format!("replay-{}", period.file_label());
    let xlsx = dir.join(format!("{stem}.xlsx"));
    crate::report::xlsx::write(&workbook(&out), &xlsx)
        .with_context(|| format!("无法写入 {}", xlsx.display()))?;
    let json_path = dir.join(format!("{stem}.json"));
    crate::output::write_atomic(&json_path, &serde_json::to_vec_pretty(&out)?)
        .with_context(|| format!("无法写入 {}", json_path.display()))?;
    say(ctx, &out);
    ctx.say(&format!("明细：{}", xlsx.display()));
    if ctx.json {
        ctx.print_json(&out)?;
    }
    Ok(Outcome::Done)
}

/// `--scheme`, else the workspace scheme of the proposed one's access type, else
/// the first.
fn current_scheme(
    ws: &crate::workspace::Workspace,
    wanted: Option<&str>,
    proposed: &Scheme,
) -> Result<Scheme> {
    let schemes = crate::session::schemes_of(ws, wanted)?;
    let same = schemes
        .iter()
        .position(|s| s.access_type == proposed.access_type)
        .unwrap_or(0);
    Ok(schemes
        .into_iter()
        .nth(same)
        .expect("schemes_of gives at least one"))
}

/// Measures the period once for the current scheme (and only what the proposed one
/// adds) and compares the two scorings.
fn one_period(
    session: &Session,
    current: &Scheme,
    proposed: &Scheme,
    period: &crate::period::Period,
) -> Result<PeriodReplay> {
    let input = session.score_input(period);
    let measured = measure(current, &input, None)?;
    let extra = match replay::still_to_measure(current, proposed) {
        Some(rest) => Some(measure(&rest, &input, None)?),
        None => None,
    };
    let theirs = replay::combined(&measured, extra);
    let before = score(current, &measured, DataQuality::default());
    let after = score(proposed, &theirs, DataQuality::default());
    Ok(replay::compare(&before, &after))
}

fn num(v: Option<f64>) -> String {
    v.map_or("—".into(), |v| format!("{v:.2}"))
}

fn say(ctx: &Context, r: &Replay) {
    ctx.say(&format!(
        "方案重算：{} → {}（{}，{}）",
        r.scheme, r.proposed, r.proposed_file, r.period
    ));
    for p in &r.periods {
        let line = format!(
            "  {:<10} 总分 {} → {}（{}） 等级 {} → {} 费用调整 {}% → {}%",
            p.period,
            num(p.before.total),
            num(p.after.total),
            num(p.total_diff),
            p.before.grade.as_deref().unwrap_or("—"),
            p.after.grade.as_deref().unwrap_or("—"),
            num(p.before.payment_adjust_pct),
            num(p.after.payment_adjust_pct),
        );
        let tone = if p.moves() { Tone::Warn } else { Tone::Good };
        ctx.say(&ctx.paint(&line, tone));
        if p.moves() {
            for c in &p.changed {
                ctx.say(&format!(
                    "      {} {}：得分 {} → {}",
                    c.indicator,
                    c.name,
                    num(c.score_before),
                    num(c.score_after)
                ));
            }
        }
    }
}

fn opt(v: Option<f64>) -> Value {
    v.map_or(Value::Empty, |v| Value::Number(v, 2))
}

fn workbook(r: &Replay) -> Workbook {
    let mut summary = Sheet::new(
        "汇总",
        &format!(
            "方案重算：{} → {}（{}，{}）",
            r.scheme, r.proposed, r.proposed_file, r.period
        ),
        &[
            "期间",
            "现行总分",
            "现行等级",
            "现行费用调整(%)",
            "修订总分",
            "修订等级",
            "修订费用调整(%)",
            "总分差",
            "费用调整差",
        ],
    );
    let mut changed = Sheet::new(
        "指标得分变化",
        "得分有变化的指标",
        &["期间", "指标编号", "指标", "现行得分", "修订得分"],
    );
    for p in &r.periods {
        let style = if p.moves() {
            RowStyle::Warn
        } else {
            RowStyle::Normal
        };
        summary.push(
            style,
            vec![
                p.period.clone().into(),
                opt(p.before.total),
                p.before.grade.clone().into(),
                opt(p.before.payment_adjust_pct),
                opt(p.after.total),
                p.after.grade.clone().into(),
                opt(p.after.payment_adjust_pct),
                opt(p.total_diff),
                opt(p.payment_diff),
            ],
        );
        for c in &p.changed {
            changed.push(
                style,
                vec![
                    p.period.clone().into(),
                    c.indicator.clone().into(),
                    c.name.clone().into(),
                    opt(c.score_before),
                    opt(c.score_after),
                ],
            );
        }
    }
    Workbook {
        sheets: vec![summary, changed],
    }
}
