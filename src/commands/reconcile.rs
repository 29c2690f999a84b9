//! `gwq reconcile` (SPEC §18): the provider's own figures (`provider_kpis`) of a period
//! against gwq's, written to `reconcile-<period>.xlsx` and `.json`.

use super::{Context, Outcome, Tone};
use crate::cli::ReconcileArgs;
use crate::period::Period;
use crate::reconcile::{Code, Reconciliation};
use crate::scheme::{Indicator, Scheme};
use crate::score::ScoreResult;
use crate::session::Session;
use crate::tables::Table;
use anyhow::{Context as _, Result};
use std::collections::HashMap;

pub fn run(ctx: &Context, args: ReconcileArgs) -> Result<Outcome> {
    let ws = ctx.open_workspace()?;
    let period = ctx.period(&args.period, &ws)?;
    let schemes = crate::session::schemes_of(&ws, None)?;
    let session = ctx.session(ws)?;
    let bar = crate::progress::StepBar::new(ctx.progress, 1);
    bar.step(&format!("核验服务商自报指标 {}", period.label()));
    let r = reconcile_period(&session, &schemes, &period, &[])?;
    drop(bar);

    let dir = ctx.output_dir(&session.ws, &period);
    let stem = format!("reconcile-{}", period.file_label());
    let xlsx = dir.join(format!("{stem}.xlsx"));
    let book = crate::reports::reconcile::report(&r, &session.ws.name).to_workbook();
    crate::report::xlsx::write(&book, &xlsx)
        .with_context(|| format!("无法写入 {}", xlsx.display()))?;
    let json_path = dir.join(format!("{stem}.json"));
    crate::output::write_atomic(&json_path, &serde_json::to_vec_pretty(&r)?)
        .with_context(|| format!("无法写入 {}", json_path.display()))?;
    say_summary(ctx, &r);
    ctx.say(&format!("明细：{}", xlsx.display()));
    if ctx.json {
        ctx.print_json(&r)?;
    }
    Ok(Outcome::Done)
}

fn say_summary(ctx: &Context, r: &Reconciliation) {
    if !r.configured {
        ctx.say("gwq.yaml 未配置 provider_kpis（服务商自报指标），无可核验的数据。");
        return;
    }
    ctx.say(&format!(
        "自报数据核验 {}：核验 {} 项，一致 {} 项",
        r.period,
        r.findings.len() + r.agreed.len(),
        r.agreed.len()
    ));
    for code in Code::ALL {
        let n = r.count(code);
        if n > 0 {
            let tone = match code {
                Code::Overstated => Tone::Bad,
                _ => Tone::Warn,
            };
            ctx.say(&ctx.paint(
                &format!("  {:<18} {} {n} 项", code.as_str(), code.title()),
                tone,
            ));
        }
    }
    for f in r.findings.iter().filter(|f| f.code == Code::Overstated) {
        ctx.say(&format!(
            "  {} {}：自报 {} 实测 {}（{} 第 {} 行）",
            f.period,
            f.name.as_deref().unwrap_or(&f.indicator),
            f.stated,
            f.computed.map_or("—".into(), |c| format!("{c:.4}")),
            f.file,
            f.row.map_or("—".into(), |r| r.to_string())
        ));
    }
}

/// Reconciles the period's stated figures. gwq's values come from `known` results
/// where one is for the scheme and the stated period, else from measuring the scheme
/// for that period (once per scheme and period).
pub fn reconcile_period(
    session: &Session,
    schemes: &[Scheme],
    period: &Period,
    known: &[&ScoreResult],
) -> Result<Reconciliation> {
    let t = &session.tables[&Table::ProviderKpis];
    let stated = crate::reconcile::stated_rows(t, period)?;
    let mut values: HashMap<(String, String), HashMap<String, Option<f64>>> = HashMap::new();
    let by_name: HashMap<&str, &str> = schemes
        .iter()
        .map(|s| (s.name.as_str(), s.id.as_str()))
        .collect();
    for r in known {
        if let Some(id) = by_name.get(r.scheme.as_str()) {
            let of = r
                .indicators
                .iter()
                .map(|i| (i.id.clone(), i.value))
                .collect();
            values.insert((id.to_string(), r.period.clone()), of);
        }
    }
    let computed = |scheme: &Scheme, ind: &Indicator, label: &str| -> Result<Option<f64>> {
        let key = (scheme.id.clone(), label.to_string());
        if !values.contains_key(&key) {
            let p: Period = label.parse()?;
            let m = crate::score::measure(scheme, &session.score_input(&p), None)
                .with_context(|| format!("计算 {} {label} 的指标失败", scheme.name))?;
            let of = m
                .indicators
                .iter()
                .map(|(id, m)| (id.clone(), m.values.get("").and_then(|v| v.value)))
                .collect();
            values.insert(key.clone(), of);
        }
        Ok(values[&key].get(&ind.id).copied().flatten())
    };
    crate::reconcile::reconcile(period, t.configured, &stated, schemes, computed)
}
