//! Acceptance of the year's materials (验收材料核对, SPEC §10): each checklist item's
//! files found by name under a folder, counted, their months or quarters covered, and
//! each file opened — an empty file, an Office file that is not one, a PDF cut short
//! are problems. `report` lays the result out as the completeness matrix.

pub mod checklist;
pub mod report;

use crate::period::{months_in, Period};
use checklist::{Checklist, Item, Per};
use serde::Serialize;
use std::io::Read;
use std::path::{Path, PathBuf};

/// One item's result (SPEC §10 JSON).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemResult {
    pub name: String,
    pub pattern: String,
    pub required: u32,
    pub found: u32,
    /// The months or quarters without a file, or "缺少 n 份".
    pub missing: Vec<String>,
    /// `file：problem` for each file that cannot be used.
    pub problems: Vec<String>,
    /// The files found, relative to the folder.
    pub files: Vec<String>,
    /// Periodic items: each month or quarter and whether it has a file.
    #[serde(skip)]
    pub periods: Vec<(String, bool)>,
    #[serde(skip)]
    pub per: Option<Per>,
}

impl ItemResult {
    pub fn complete(&self) -> bool {
        self.missing.is_empty() && self.problems.is_empty()
    }
}

/// Checks every item of `list` against the files under `dir` for `period`.
pub fn check(dir: &Path, list: &Checklist, period: &Period) -> Vec<ItemResult> {
    let files = walk(dir);
    list.items
        .iter()
        .map(|item| check_item(dir, &files, item, period))
        .collect()
}

/// Every file under `dir` (relative paths, sorted), without hidden files and the
/// owner files Office leaves beside open documents.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if name.starts_with('.') || name.starts_with("~$") {
                continue;
            }
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(rel) = p.strip_prefix(dir) {
                out.push(rel.to_path_buf());
            }
        }
    }
    out.sort();
    out
}

fn matching<'a>(files: &'a [PathBuf], pattern: &str) -> Vec<&'a PathBuf> {
    let Ok(p) = glob::Pattern::new(pattern) else {
        return Vec::new();
    };
    files
        .iter()
        .filter(|f| {
            f.file_name()
                .is_some_and(|n| p.matches(&n.to_string_lossy()))
        })
        .collect()
}

/// The labels of the months or quarters of a period, in order.
pub fn labels(per: Per, period: &Period) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (y, m) in months_in(period) {
        let label = match per {
            Per::Month => format!("{y}-{m:02}"),
            Per::Quarter => format!("{y}Q{}", (m - 1) / 3 + 1),
        };
        if out.last() != Some(&label) {
            out.push(label);
        }
    }
    out
}

fn check_item(dir: &Path, files: &[PathBuf], item: &Item, period: &Period) -> ItemResult {
    let mut found_files: Vec<&PathBuf> = Vec::new();
    let mut periods = Vec::new();
    let (required, found, missing) = match item.per {
        Some(per) => {
            for label in labels(per, period) {
                let pattern = item
                    .pattern
                    .replace("{month}", &label)
                    .replace("{quarter}", &label);
                let hits = matching(files, &pattern);
                periods.push((label, !hits.is_empty()));
                found_files.extend(hits);
            }
            let missing: Vec<String> = periods
                .iter()
                .filter(|(_, ok)| !ok)
                .map(|(l, _)| l.clone())
                .collect();
            let n = periods.len() as u32;
            (n, n - missing.len() as u32, missing)
        }
        None => {
            found_files = matching(files, &item.pattern);
            let required = item.count.unwrap_or(1);
            let found = found_files.len() as u32;
            let missing = match found < required {
                true => vec![format!("缺少 {} 份", required - found)],
                false => Vec::new(),
            };
            (required, found, missing)
        }
    };
    let shown = |f: &PathBuf| f.to_string_lossy().replace('\\', "/");
    ItemResult {
        name: item.name.clone(),
        pattern: item.pattern.clone(),
        required,
        found,
        missing,
        problems: found_files
            .iter()
            .filter_map(|f| problem(&dir.join(f)).map(|p| format!("{}：{p}", shown(f))))
            .collect(),
        files: found_files.iter().map(|f| shown(f)).collect(),
        periods,
        per: item.per,
    }
}

/// Why a file cannot be accepted, if it cannot: empty, unreadable, not the format
/// its name says, or without content.
pub fn problem(path: &Path) -> Option<String> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => return Some(format!("无法读取（{e}）")),
    };
    if bytes.is_empty() {
        return Some("空文件".into());
    }
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "docx" => office(&bytes, "word/document.xml", Some("<w:t")),
        "xlsx" => office(&bytes, "xl/workbook.xml", None),
        "pptx" => office(&bytes, "ppt/presentation.xml", None),
        "pdf" => {
            let tail = &bytes[bytes.len().saturating_sub(1024)..];
            let ended = tail.windows(5).any(|w| w == b"%%EOF");
            (!bytes.starts_with(b"%PDF-") || !ended)
                .then(|| "无法打开：不是完整的 PDF 文件".to_string())
        }
        "doc" | "xls" => (!bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]))
            .then(|| format!("无法打开：不是有效的 .{ext} 文件")),
        _ => None,
    }
}

/// An Office file: a zip holding `part`, which (when `text` is given) contains it.
fn office(bytes: &[u8], part: &str, text: Option<&str>) -> Option<String> {
    let mut zip = match zip::ZipArchive::new(std::io::Cursor::new(bytes)) {
        Ok(z) => z,
        Err(_) => return Some("无法打开：文件已损坏或不是 Office 文档".into()),
    };
    let mut xml = String::new();
    match zip.by_name(part) {
        Ok(mut f) => {
            if f.read_to_string(&mut xml).is_err() {
                return Some("无法打开：文件已损坏".into());
            }
        }
        Err(_) => return Some("无法打开：文件已损坏或不是 Office 文档".into()),
    }
    match text {
        Some(t) if !xml.contains(t) => Some("没有正文内容".into()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_found_counted_and_opened() {
        let dir = tempfile::tempdir().unwrap();
        let put = |name: &str, bytes: &[u8]| {
            let p = dir.path().join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, bytes).unwrap();
        };
        put("月报/monthly-2025-07.docx", b"");
        put("月报/monthly-2025-09.docx", b"PK not really");
        put("quarterly-2025Q3.pdf", b"%PDF-1.7 ... %%EOF\n");
        put("fee-audit-2025.docx", b"%PDF-1.7");
        let list = checklist::parse(
            "c.yaml",
            "items:\n  - { name: 月报, pattern: \"monthly-{month}.docx\", per: month }\n  - { name: 季报, pattern: \"quarterly-{quarter}.*\", per: quarter }\n  - { name: 稽核, pattern: \"fee-audit-*.docx\", count: 2 }\n",
        )
        .unwrap();
        let period: Period = "2025-07-01..2025-12-31".parse().unwrap();
        let r = check(dir.path(), &list, &period);
        // Months: July and September present (both unusable), the rest missing.
        assert_eq!((r[0].required, r[0].found), (6, 2));
        assert_eq!(r[0].missing, ["2025-08", "2025-10", "2025-11", "2025-12"]);
        assert_eq!(
            r[0].problems,
            [
                "月报/monthly-2025-07.docx：空文件",
                "月报/monthly-2025-09.docx：无法打开：文件已损坏或不是 Office 文档"
            ]
        );
        assert_eq!((r[1].required, r[1].found), (2, 1));
        assert!(r[1].problems.is_empty(), "a whole PDF");
        assert_eq!(r[2].missing, ["缺少 1 份"]);
        assert_eq!(r[2].problems.len(), 1);
        assert!(!r[2].complete());
    }

    #[test]
    fn a_bad_checklist_says_where() {
        let e = checklist::parse(
            "c.yaml",
            "items:\n  - { name: 月报, pattern: \"monthly-{month}.docx\" }\n",
        )
        .unwrap_err();
        assert!(e.contains("per: month"), "{e}");
        assert!(checklist::parse("c.yaml", "items: [ { name: a } ]").is_err());
        assert!(checklist::parse("c.yaml", checklist::DEFAULT).is_ok());
    }
}
