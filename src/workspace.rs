//! The workspace (SPEC §3): `gwq.yaml` read strictly into raw serde types, then
//! validated into a [`Workspace`] whose sources are resolved to files.
//!
//! Every problem names the file and the key; nothing here prints.

use crate::period::Period;
use crate::tables::Table;
use indexmap::IndexMap;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const WORKSPACE_FILE: &str = "gwq.yaml";

#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    #[error("找不到工作区配置 {0}：请用 -w 指定含 gwq.yaml 的目录，或先运行 gwq init DIR")]
    NotFound(PathBuf),
    #[error("无法读取 {path}：{source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}{location}：{message}")]
    Yaml {
        path: PathBuf,
        location: String,
        message: String,
    },
    #[error("{path}：键 {key}：{message}")]
    Invalid {
        path: PathBuf,
        key: String,
        message: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWorkspace {
    name: String,
    #[serde(default)]
    service_period: Option<String>,
    #[serde(default)]
    sources: IndexMap<String, serde_yaml_ng::Value>,
    #[serde(default)]
    columns: BTreeMap<String, BTreeMap<String, String>>,
    #[serde(default)]
    schemes: IndexMap<String, String>,
    #[serde(default)]
    billing_rules: Option<String>,
    #[serde(default)]
    calendar: Option<String>,
    #[serde(default)]
    problems: Option<serde_yaml_ng::Value>,
}

/// One input file of a table (a sheet may be named for workbooks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Absolute or workspace-joined path.
    pub path: PathBuf,
    /// Path as written relative to the workspace, for messages and JSON.
    pub display: String,
    pub sheet: Option<String>,
}

/// A configured source entry: what was written and the files it resolved to.
#[derive(Debug, Clone)]
pub struct Source {
    pub table: Table,
    pub files: Vec<SourceFile>,
    /// Patterns that matched no file (a warning, SPEC §3).
    pub empty_globs: Vec<String>,
}

/// A validated workspace.
#[derive(Debug, Clone)]
pub struct Workspace {
    pub root: PathBuf,
    pub name: String,
    pub service_period: Option<Period>,
    pub sources: BTreeMap<Table, Source>,
    /// Extra header aliases per table: alias → canonical column.
    pub columns: BTreeMap<Table, BTreeMap<String, String>>,
    /// Scheme id → scheme file, in gwq.yaml order.
    pub schemes: IndexMap<String, PathBuf>,
    pub billing_rules: Option<PathBuf>,
    pub calendar: Option<PathBuf>,
    /// The problems ledger (`problems:`, SPEC §9), with its defaults when absent.
    pub problems: crate::ledger::LedgerConfig,
}

impl Workspace {
    /// Loads and validates `<root>/gwq.yaml`.
    pub fn load(root: &Path) -> Result<Workspace, WorkspaceError> {
        let path = root.join(WORKSPACE_FILE);
        if !path.is_file() {
            return Err(WorkspaceError::NotFound(path));
        }
        let text = std::fs::read_to_string(&path).map_err(|source| WorkspaceError::Read {
            path: path.clone(),
            source,
        })?;
        let raw: RawWorkspace =
            serde_yaml_ng::from_str(&text).map_err(|e| WorkspaceError::Yaml {
                path: path.clone(),
                location: e
                    .location()
                    .map(|l| format!(":{}:{}", l.line(), l.column()))
                    .unwrap_or_default(),
                message: translate_yaml_error(&e.to_string()),
            })?;
        validate(root, &path, raw)
    }

    /// Every file the workspace reads: gwq.yaml, the sources, schemes, billing rules
    /// and calendar (outputs must never replace one).
    pub fn input_files(&self) -> Vec<PathBuf> {
        let mut files = vec![self.root.join(WORKSPACE_FILE)];
        files.extend(
            self.sources
                .values()
                .flat_map(|s| s.files.iter().map(|f| f.path.clone())),
        );
        files.extend(self.schemes.values().cloned());
        files.extend(self.billing_rules.iter().cloned());
        files.extend(self.calendar.iter().cloned());
        files
    }

    /// The cache folder, `<root>/.gwq`.
    pub fn cache_dir(&self) -> PathBuf {
        self.root.join(".gwq")
    }

    /// Where reports for a period go unless `-o` says otherwise.
    pub fn reports_dir(&self, period: &Period) -> PathBuf {
        self.root.join("reports").join(period.file_label())
    }

    pub fn extra_aliases(&self, table: Table) -> BTreeMap<String, String> {
        self.columns.get(&table).cloned().unwrap_or_default()
    }
}

/// Makes serde's English messages readable for our users, keeping the detail.
fn translate_yaml_error(message: &str) -> String {
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let field = rest.split(',').next().unwrap_or(rest);
        return format!("未知的键 {field}（{message}）");
    }
    if message.starts_with("missing field") {
        return format!("缺少必需的键（{message}）");
    }
    format!("YAML 格式错误：{message}")
}

fn validate(root: &Path, path: &Path, raw: RawWorkspace) -> Result<Workspace, WorkspaceError> {
    let invalid = |key: &str, message: String| WorkspaceError::Invalid {
        path: path.to_path_buf(),
        key: key.to_string(),
        message,
    };
    let service_period = match &raw.service_period {
        None => None,
        Some(p) => Some(
            p.parse::<Period>()
                .map_err(|e| invalid("service_period", e.to_string()))?,
        ),
    };
    let mut sources = BTreeMap::new();
    for (name, value) in &raw.sources {
        let key = format!("sources.{name}");
        let table = Table::from_name(name).ok_or_else(|| {
            invalid(
                &key,
                format!(
                    "未知的数据表 “{name}”，可用的有：{}",
                    Table::ALL.map(|t| t.name()).join(", ")
                ),
            )
        })?;
        let entries = source_entries(value).map_err(|m| invalid(&key, m))?;
        let mut files = Vec::new();
        let mut empty_globs = Vec::new();
        for (pattern, sheet) in entries {
            let resolved = resolve_pattern(root, &pattern).map_err(|m| invalid(&key, m))?;
            if resolved.is_empty() {
                empty_globs.push(pattern.clone());
            }
            for (path, display) in resolved {
                files.push(SourceFile {
                    path,
                    display,
                    sheet: sheet.clone(),
                });
            }
        }
        sources.insert(
            table,
            Source {
                table,
                files,
                empty_globs,
            },
        );
    }
    let mut columns = BTreeMap::new();
    for (name, aliases) in raw.columns {
        let key = format!("columns.{name}");
        let table = Table::from_name(&name)
            .ok_or_else(|| invalid(&key, format!("未知的数据表 “{name}”")))?;
        for canonical in aliases.values() {
            if table.def().column(canonical).is_none() {
                return Err(invalid(
                    &key,
                    format!(
                        "表 {name} 没有标准列 “{canonical}”，可用的有：{}",
                        table
                            .def()
                            .columns
                            .iter()
                            .map(|c| c.name)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        }
        columns.insert(table, aliases);
    }
    let existing = |key: &str, rel: &str| -> Result<PathBuf, WorkspaceError> {
        let p = root.join(rel);
        if p.is_file() {
            Ok(p)
        } else {
            Err(invalid(key, format!("文件不存在：{}", p.display())))
        }
    };
    let mut schemes = IndexMap::new();
    for (id, rel) in &raw.schemes {
        schemes.insert(id.clone(), existing(&format!("schemes.{id}"), rel)?);
    }
    Ok(Workspace {
        root: root.to_path_buf(),
        name: raw.name,
        service_period,
        sources,
        columns,
        schemes,
        billing_rules: raw
            .billing_rules
            .map(|r| existing("billing_rules", &r))
            .transpose()?,
        calendar: raw.calendar.map(|r| existing("calendar", &r)).transpose()?,
        problems: crate::ledger::config::parse(root, raw.problems.as_ref())
            .map_err(|(key, message)| invalid(&key, message))?,
    })
}

/// A source value: a path, a list, or `{path, sheet}` (also inside a list).
fn source_entries(value: &serde_yaml_ng::Value) -> Result<Vec<(String, Option<String>)>, String> {
    use serde_yaml_ng::Value;
    match value {
        Value::String(s) => Ok(vec![(s.clone(), None)]),
        Value::Sequence(items) => {
            let mut out = Vec::new();
            for item in items {
                out.extend(source_entries(item)?);
            }
            Ok(out)
        }
        Value::Mapping(map) => {
            let mut path = None;
            let mut sheet = None;
            for (k, v) in map {
                match (k.as_str(), v.as_str()) {
                    (Some("path"), Some(p)) => path = Some(p.to_string()),
                    (Some("sheet"), Some(s)) => sheet = Some(s.to_string()),
                    (Some(other), _) if other != "path" && other != "sheet" => {
                        return Err(format!("未知的键 {other}（可用 path、sheet）"))
                    }
                    _ => return Err("path 和 sheet 须为文本".to_string()),
                }
            }
            let path = path.ok_or("缺少 path")?;
            Ok(vec![(path, sheet)])
        }
        _ => Err("应为文件路径、通配符、列表或 {path, sheet}".to_string()),
    }
}

/// Resolves a plain path (must exist) or a glob (may match nothing), sorted by name.
fn resolve_pattern(root: &Path, pattern: &str) -> Result<Vec<(PathBuf, String)>, String> {
    let is_glob = pattern.contains(['*', '?', '[']);
    let full = root.join(pattern);
    if !is_glob {
        if !full.is_file() {
            return Err(format!("文件不存在：{}", full.display()));
        }
        return Ok(vec![(full, pattern.to_string())]);
    }
    let full_text = full.to_string_lossy().to_string();
    let paths =
        glob::glob(&full_text).map_err(|e| format!("通配符 “{pattern}” 有误：{}", e.msg))?;
    let mut out = Vec::new();
    for entry in paths {
        let p = entry.map_err(|e| format!("读取 {} 失败：{}", e.path().display(), e.error()))?;
        if p.is_file() {
            // Relative to the workspace with `/` on every system, so the JSON and the
            // reports name a file the same on Windows (where glob may drop a leading
            // `.\` and strip_prefix then fails) as on Linux.
            let shown = p.strip_prefix(root).unwrap_or(&p);
            let display = shown.to_string_lossy().replace('\\', "/");
            out.push((p, display));
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, rel: &str, text: &str) {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    #[test]
    fn loads_sources_globs_and_sheets() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "data/a.csv", "x");
        write(dir.path(), "data/b.csv", "x");
        write(dir.path(), "inv.xlsx", "x");
        write(
            dir.path(),
            "gwq.yaml",
            "name: t\nservice_period: 2025-07-01..2026-06-30\nsources:\n  samples: data/*.csv\n  inventory: {path: inv.xlsx, sheet: 台账}\n  faults: none/*.xlsx\n",
        );
        let ws = Workspace::load(dir.path()).unwrap();
        let samples = &ws.sources[&Table::Samples];
        assert_eq!(samples.files.len(), 2);
        assert_eq!(samples.files[0].display, "data/a.csv");
        assert_eq!(
            ws.sources[&Table::Inventory].files[0].sheet.as_deref(),
            Some("台账")
        );
        assert_eq!(ws.sources[&Table::Faults].empty_globs, vec!["none/*.xlsx"]);
    }

    #[test]
    fn unknown_key_names_file_and_key() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "gwq.yaml", "name: t\nsorces: {}\n");
        let err = Workspace::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("gwq.yaml:2"), "{err}");
        assert!(err.contains("sorces"), "{err}");
    }

    #[test]
    fn missing_plain_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "gwq.yaml",
            "name: t\nsources:\n  samples: gone.csv\n",
        );
        let err = Workspace::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("sources.samples"), "{err}");
        assert!(err.contains("gone.csv"), "{err}");
    }

    #[test]
    fn unknown_table_and_column_alias_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "gwq.yaml",
            "name: t\nsources:\n  sample: x.csv\n",
        );
        let err = Workspace::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("sources.sample"), "{err}");
        write(
            dir.path(),
            "gwq.yaml",
            "name: t\ncolumns:\n  samples: { 延迟: latency }\n",
        );
        let err = Workspace::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("columns.samples"), "{err}");
    }
}
