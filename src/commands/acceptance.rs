//! `gwq acceptance DIR [--checklist FILE]` (SPEC §10): the year's materials against
//! the checklist — the completeness matrix as `acceptance-<period>.xlsx`, a short
//! Word summary beside it, and the JSON of SPEC §10.

use super::{Context, Outcome};
use crate::acceptance::{self, checklist};
use crate::cli::AcceptanceArgs;
use crate::period::Period;
use anyhow::{bail, Context as _, Result};

pub fn run(ctx: &Context, args: AcceptanceArgs) -> Result<Outcome> {
    if !args.dir.is_dir() {
        bail!("找不到材料目录 {}", args.dir.display());
    }
    let list = match &args.checklist {
        None => checklist::parse("内置清单", checklist::DEFAULT).map_err(anyhow::Error::msg)?,
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("无法读取核对清单 {}", path.display()))?;
            checklist::parse(&path.display().to_string(), &text).map_err(anyhow::Error::msg)?
        }
    };
    // A workspace is optional: it gives the service period and the output folder.
    let ws = crate::workspace::Workspace::load(&ctx.workspace_dir).ok();
    let period: Period = match (args.period.resolve()?, &list.period, ws.as_ref().and_then(|w| w.service_period.clone())) {
        (Some(p), _, _) => p,
        (None, Some(p), _) => p.clone(),
        (None, None, Some(p)) => p,
        _ => bail!("未指定核对期间：请用 --period 指定，或在清单中写 period，或在 gwq.yaml 中设置 service_period"),
    };
    let items = acceptance::check(&args.dir, &list, &period);
    let dir_text = args.dir.display().to_string();
    let report = acceptance::report::build(&dir_text, &period, &items);
    let out = match (&ctx.output, &ws) {
        (Some(o), _) => o.clone(),
        (None, Some(w)) => w.reports_dir(&period),
        (None, None) => std::path::PathBuf::from("."),
    };
    let stem = format!("acceptance-{}", period.file_label());
    let xlsx = out.join(format!("{stem}.xlsx"));
    crate::report::xlsx::write(&report.to_workbook(), &xlsx)
        .with_context(|| format!("无法写入 {}", xlsx.display()))?;
    let docx = out.join(format!("{stem}.docx"));
    crate::report::docx::write(&report.to_document(), &docx)
        .with_context(|| format!("无法写入 {}", docx.display()))?;
    let json = serde_json::json!({ "period": period.label(), "items": items });
    crate::output::write_atomic(
        &out.join(format!("{stem}.json")),
        serde_json::to_string_pretty(&json)?.as_bytes(),
    )?;
    for i in &items {
        let state = match (i.missing.is_empty(), i.problems.is_empty()) {
            (true, true) => "齐全".to_string(),
            _ => format!(
                "缺少：{}；问题文件 {} 个",
                if i.missing.is_empty() {
                    "无".to_string()
                } else {
                    i.missing.join("、")
                },
                i.problems.len()
            ),
        };
        ctx.say(&format!(
            "{}：应有 {}，已有 {}，{state}",
            i.name, i.required, i.found
        ));
    }
    ctx.say(&format!(
        "完整性矩阵：{}\n核对说明：{}",
        xlsx.display(),
        docx.display()
    ));
    if ctx.json {
        ctx.print_json(&json)?;
    }
    Ok(Outcome::Done)
}
