//! `gwq scheme [--scheme S] [--supervision] [--diff OLD.yaml]` (SPEC §15): the
//! evaluation scheme (`scheme-<id>.docx/.xlsx`) or the supervision scheme
//! (`supervision-<id>.*`) of each scheme in gwq.yaml, in `-o DIR` or
//! `<workspace>/reports/schemes/`.

use super::{Context, Outcome};
use crate::cli::SchemeArgs;
use crate::reports::{scheme_doc, supervision};
use crate::scheme::Scheme;
use anyhow::{bail, Context as _, Result};

pub fn run(ctx: &Context, args: SchemeArgs) -> Result<Outcome> {
    let ws = ctx.open_workspace()?;
    let schemes = crate::session::schemes_of(&ws, args.scheme.as_deref())?;
    if args.diff.is_some() && (schemes.len() != 1 || args.supervision) {
        bail!("--diff 只用于一个评估方案：请同时用 --scheme 指定方案，且不与 --supervision 同用");
    }
    let old = match &args.diff {
        None => None,
        Some(path) => {
            if !path.is_file() {
                bail!("找不到旧版指标体系文件 {}", path.display());
            }
            Some((path, Scheme::load("old", path)?))
        }
    };
    let calendar = match &ws.calendar {
        Some(p) => crate::calendar::Calendar::with_file(p)?,
        None => crate::calendar::Calendar::built_in(),
    };
    let dir = ctx
        .output
        .clone()
        .unwrap_or_else(|| ws.root.join("reports").join("schemes"));
    for s in &schemes {
        let (stem, report) = if args.supervision {
            let sources = ws.sources.keys().copied().collect();
            let c = supervision::SupervisionContext {
                workspace: &ws.name,
                service_period: ws.service_period.as_ref(),
                calendar: &calendar,
                ledger: &ws.problems,
                sources,
            };
            (format!("supervision-{}", s.id), supervision::build(s, &c))
        } else {
            let rows = old.as_ref().map(|(_, o)| crate::scheme::diff::diff(o, s));
            let file = old.as_ref().map(|(p, _)| p.display().to_string());
            let c = scheme_doc::SchemeContext {
                workspace: &ws.name,
                service_period: ws.service_period.as_ref(),
                diff: file.as_deref().zip(rows.as_deref()),
            };
            (format!("scheme-{}", s.id), scheme_doc::build(s, &c))
        };
        let docx = dir.join(format!("{stem}.docx"));
        crate::report::docx::write(&report.to_document(), &docx)
            .with_context(|| format!("无法写入 {}", docx.display()))?;
        let xlsx = dir.join(format!("{stem}.xlsx"));
        crate::report::xlsx::write(&report.to_workbook(), &xlsx)
            .with_context(|| format!("无法写入 {}", xlsx.display()))?;
        ctx.say(&format!("{}：{}", report.title, docx.display()));
    }
    Ok(Outcome::Done)
}
