//! `gwq report history` (SPEC §19): the issued reports and their revisions, from
//! `reports/issued/`.

use crate::commands::{Context, Outcome};
use anyhow::Result;

pub fn run(ctx: &Context) -> Result<Outcome> {
    let ws = ctx.open_workspace()?;
    let dir = ws.root.join("reports").join("issued");
    let records = crate::issued::all(&dir)?;
    if records.is_empty() {
        ctx.say(&format!("尚无已发布的报告（{}）", dir.display()));
    }
    let mut list = Vec::new();
    for r in &records {
        let content = &r.json["content"];
        let scores: Vec<serde_json::Value> = content["scores"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|s| {
                serde_json::json!({
                    "scheme": s["scheme"],
                    "total": s["total"],
                    "grade": s["grade"],
                    "payment_adjust_pct": s["payment_adjust_pct"],
                })
            })
            .collect();
        let corrected = content.get("correction").is_some();
        let summary: Vec<String> = scores
            .iter()
            .map(|s| {
                format!(
                    "{} {} {}",
                    s["scheme"].as_str().unwrap_or_default(),
                    s["total"]
                        .as_f64()
                        .map_or("—".into(), |t| format!("{t:.2}")),
                    s["grade"].as_str().unwrap_or("—")
                )
            })
            .collect();
        ctx.say(&format!(
            "  {:<28} r{}  {}{}  {}",
            r.stem,
            r.revision,
            r.json["issued_at"].as_str().unwrap_or_default(),
            if corrected { "（更正版）" } else { "" },
            summary.join("；")
        ));
        list.push(serde_json::json!({
            "report": r.stem,
            "revision": r.revision,
            "issued_at": r.json["issued_at"],
            "corrected": corrected,
            "path": r.path.strip_prefix(&ws.root).unwrap_or(&r.path).to_string_lossy().replace('\\', "/"),
            "scores": scores,
        }));
    }
    if ctx.json {
        ctx.print_json(&serde_json::json!({ "issued": list }))?;
    }
    Ok(Outcome::Done)
}
