//! `gwq template [TABLE…]` (SPEC §16): the input templates, one workbook per table, in
//! `-o DIR` or `<workspace>/templates/`.

use super::{Context, Outcome};
use crate::cli::TemplateArgs;
use crate::tables::Table;
use anyhow::{bail, Context as _, Result};
use std::path::Path;

pub fn run(ctx: &Context, args: TemplateArgs) -> Result<Outcome> {
    let tables = match args.tables.is_empty() {
        true => Table::ALL.to_vec(),
        false => args
            .tables
            .iter()
            .map(|name| {
                Table::from_name(name.trim()).ok_or_else(|| {
                    anyhow::anyhow!(
                        "未知的数据表 “{name}”，可用的有：{}",
                        Table::ALL.map(|t| t.name()).join(", ")
                    )
                })
            })
            .collect::<Result<Vec<_>>>()?,
    };
    let dir = ctx
        .output
        .clone()
        .unwrap_or_else(|| ctx.workspace_dir.join("templates"));
    let written = write_templates(&dir, &tables)?;
    ctx.say(&format!("已生成 {written} 个模板：{}", dir.display()));
    if ctx.json {
        let files: Vec<String> = tables
            .iter()
            .map(|t| crate::template::file_name(*t))
            .collect();
        ctx.print_json(&serde_json::json!({ "dir": dir.display().to_string(), "files": files }))?;
    }
    Ok(Outcome::Done)
}

/// Writes the templates of `tables` into `dir`; returns how many.
pub(super) fn write_templates(dir: &Path, tables: &[Table]) -> Result<usize> {
    for t in tables {
        let path = dir.join(crate::template::file_name(*t));
        let bytes = crate::template::render(*t)
            .map_err(|e| anyhow::anyhow!("生成 {} 模板失败：{e}", t.def().title))?;
        crate::output::write_atomic(&path, &bytes)
            .with_context(|| format!("无法写入 {}", path.display()))?;
    }
    if tables.is_empty() {
        bail!("没有要生成的模板");
    }
    Ok(tables.len())
}
