//! The Parquet cache and its manifest (SPEC §5).
//!
//! Each source file becomes `.gwq/<table>/<key>.parquet`; `.gwq/manifest.json` records
//! the source's path, size, mtime, sha256, rows read and rejected, and its findings.
//! A file is re-ingested only when its size, mtime (then sha256), the header aliases
//! or the gwq version changed.

use super::build::{cache_schema, FileStats, RowFinding, TableBuilder};
use super::header::{detect_header, AliasTable};
use super::read::read_source;
use super::rows::{Chunk, RowParser};
use super::IngestError;
use crate::tables::Table;
use crate::workspace::{SourceFile, Workspace};
use polars::prelude::*;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

const MANIFEST: &str = "manifest.json";
/// Name of the column added on load: the index of the row's file in `LoadedTable::files`.
pub const SOURCE_COLUMN: &str = "_src";

/// One ingested source file as the manifest records it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SourceEntry {
    pub table: Table,
    pub path: String,
    pub sheet: Option<String>,
    pub size: u64,
    pub mtime_ns: i128,
    pub sha256: String,
    /// What the cached file depends on besides the source: version and aliases.
    pub fingerprint: String,
    pub cache_file: String,
    pub stats: FileStats,
    pub findings: Vec<RowFinding>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Manifest {
    entries: Vec<SourceEntry>,
}

/// What an ingest run did.
#[derive(Debug, Default)]
pub struct IngestSummary {
    pub ingested: Vec<SourceEntry>,
    pub reused: Vec<SourceEntry>,
}

/// One canonical table loaded from the cache: lazy frames with the canonical columns,
/// `_row` (source row) and `_src` (index into `files`).
#[derive(Clone)]
pub struct LoadedTable {
    pub table: Table,
    /// The rows every check and measure uses: exact duplicate rows (every canonical
    /// column equal) dropped, the first kept (SPEC §6). Samples are the exception:
    /// their duplicates of (line_id, time) are dropped where they are read, at ingest
    /// or by the audit and scoring, because a quarter of samples is too big to
    /// compare whole rows of.
    pub frame: LazyFrame,
    /// Every row as read, duplicates included: what the dropped ones are counted from.
    pub as_read: LazyFrame,
    pub files: Vec<SourceEntry>,
    /// Whether the table has a configured source at all.
    pub configured: bool,
}

impl serde::Serialize for Table {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> serde::Deserialize<'de> for Table {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Table, D::Error> {
        let name = String::deserialize(d)?;
        Table::from_name(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown table {name}")))
    }
}

fn fingerprint(ws: &Workspace, table: Table) -> String {
    let aliases: Vec<String> = ws
        .extra_aliases(table)
        .iter()
        .map(|(a, c)| format!("{a}={c}"))
        .collect();
    format!(
        "gwq {} cache 3; {}",
        env!("CARGO_PKG_VERSION"),
        aliases.join(";")
    )
}

fn cache_file_name(file: &SourceFile) -> String {
    let mut h = Sha256::new();
    h.update(file.display.as_bytes());
    h.update([0]);
    h.update(file.sheet.as_deref().unwrap_or("").as_bytes());
    let digest = h.finalize();
    digest[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>()
        + ".parquet"
}

fn mtime_ns(meta: &std::fs::Metadata) -> i128 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_nanos() as i128)
        .unwrap_or(0)
}

/// sha256 of a file, read in 1 MiB blocks.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

fn read_manifest(dir: &Path) -> Manifest {
    // A missing or unreadable manifest only means everything is re-ingested.
    std::fs::read(dir.join(MANIFEST))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

fn write_manifest(dir: &Path, manifest: &Manifest) -> Result<(), IngestError> {
    let bytes = serde_json::to_vec_pretty(manifest)
        .map_err(|e| IngestError::Cache(format!("写清单失败：{e}")))?;
    crate::output::write_atomic(&dir.join(MANIFEST), &bytes)
        .map_err(|e| IngestError::Cache(format!("写清单失败：{e}")))
}

/// Progress callbacks for a long ingest; stale files are read in parallel, so bytes
/// are reported as they are read, whichever file they come from.
pub trait Progress: Sync {
    /// `files` stale files, `bytes` in all, are about to be read.
    fn start(&self, files: usize, bytes: u64);
    /// `n` more bytes were read.
    fn advance(&self, n: u64);
    /// A file was read and cached.
    fn file_done(&self, display: &str);
}

/// Ingests every stale source of the workspace; reuses the cache for the rest.
pub fn ingest_workspace(
    ws: &Workspace,
    progress: &dyn Progress,
) -> Result<IngestSummary, IngestError> {
    let dir = ws.cache_dir();
    std::fs::create_dir_all(&dir)
        .map_err(|e| IngestError::Cache(format!("无法创建缓存目录 {}：{e}", dir.display())))?;
    let old = read_manifest(&dir);
    let mut summary = IngestSummary::default();
    // Fresh sources keep their cache; the stale ones are read (`read_stale`), their
    // entries kept in source order.
    let mut slots: Vec<Option<SourceEntry>> = Vec::new();
    let mut stale = Vec::new();
    for (table, source) in &ws.sources {
        let fp = fingerprint(ws, *table);
        for file in &source.files {
            let meta = std::fs::metadata(&file.path).map_err(|e| IngestError::io(file, e))?;
            let cached = old
                .entries
                .iter()
                .find(|e| e.table == *table && e.path == file.display && e.sheet == file.sheet);
            if let Some(entry) = cached.and_then(|e| still_fresh(e, &meta, &fp, &dir, file)) {
                summary.reused.push(entry.clone());
                slots.push(Some(entry));
            } else {
                stale.push((slots.len(), *table, file, meta, fp.clone()));
                slots.push(None);
            }
        }
    }
    progress.start(stale.len(), stale.iter().map(|s| s.3.len()).sum());
    let read = read_stale(ws, &stale, &dir, progress);
    for ((slot, ..), entry) in stale.iter().zip(read) {
        // The first bad file in source order is the one reported.
        let entry = entry?;
        summary.ingested.push(entry.clone());
        slots[*slot] = Some(entry);
    }
    let entries: Vec<SourceEntry> = slots.into_iter().flatten().collect();
    remove_orphans(&dir, &entries);
    write_manifest(&dir, &Manifest { entries })?;
    Ok(summary)
}

/// A stale source: its slot among the entries, table, file, metadata, fingerprint.
type Stale<'w> = (usize, Table, &'w SourceFile, std::fs::Metadata, String);

/// A CSV or TSV this large is read on every core by itself (`super::text`).
const READ_ALONE_BYTES: u64 = 64 << 20;

/// Reads and caches the stale sources, their results in the same order. Large CSV and
/// TSV files go one at a time, each on every core: two at once would only share the
/// cores and hold twice the memory. The rest (workbooks, read on one core, and small
/// files) go in parallel, a file per core.
fn read_stale(
    ws: &Workspace,
    stale: &[Stale<'_>],
    dir: &Path,
    progress: &dyn Progress,
) -> Vec<Result<SourceEntry, IngestError>> {
    let read = |(_, table, file, meta, fp): &Stale<'_>| {
        let entry = ingest_file(ws, *table, file, meta, fp, dir, progress);
        progress.file_done(&file.display);
        entry
    };
    let alone =
        |s: &Stale<'_>| s.3.len() >= READ_ALONE_BYTES && super::read::reads_on_every_core(s.2);
    let mut results: Vec<Option<Result<SourceEntry, IngestError>>> =
        stale.iter().map(|_| None).collect();
    let together: Vec<(usize, Result<SourceEntry, IngestError>)> = stale
        .par_iter()
        .enumerate()
        .filter(|(_, s)| !alone(s))
        .map(|(i, s)| (i, read(s)))
        .collect();
    for (i, entry) in together {
        results[i] = Some(entry);
    }
    for (i, s) in stale.iter().enumerate().filter(|(_, s)| alone(s)) {
        results[i] = Some(read(s));
    }
    results
        .into_iter()
        .map(|r| r.expect("every stale source was read"))
        .collect()
}

/// The cached entry, updated, if the source and settings are unchanged.
fn still_fresh(
    entry: &SourceEntry,
    meta: &std::fs::Metadata,
    fp: &str,
    dir: &Path,
    file: &SourceFile,
) -> Option<SourceEntry> {
    if entry.fingerprint != fp || !dir.join(&entry.cache_file).is_file() {
        return None;
    }
    if entry.size == meta.len() && entry.mtime_ns == mtime_ns(meta) {
        return Some(entry.clone());
    }
    // Touched but maybe not changed (copied, checked out again): compare contents.
    let sha = sha256_file(&file.path).ok()?;
    (sha == entry.sha256 && entry.size == meta.len()).then(|| SourceEntry {
        mtime_ns: mtime_ns(meta),
        ..entry.clone()
    })
}

fn ingest_file(
    ws: &Workspace,
    table: Table,
    file: &SourceFile,
    meta: &std::fs::Metadata,
    fp: &str,
    dir: &Path,
    progress: &dyn Progress,
) -> Result<SourceEntry, IngestError> {
    let def = table.def();
    let aliases = AliasTable::new(def, &ws.extra_aliases(table));
    let rel = format!("{}/{}", def.name, cache_file_name(file));
    let final_path = dir.join(&rel);
    let tmp_path = final_path.with_extension("parquet.tmp");
    std::fs::create_dir_all(final_path.parent().expect("cache file has a folder"))
        .map_err(|e| IngestError::Cache(format!("无法创建缓存目录：{e}")))?;

    let builder: std::cell::RefCell<Option<TableBuilder>> = std::cell::RefCell::new(None);
    let mut on_header = |rows: &[(u64, Vec<String>)]| {
        let header = detect_header(rows, &aliases).ok_or_else(|| {
            let examples: Vec<&str> = def
                .columns
                .iter()
                .take(4)
                .flat_map(|c| c.aliases.first())
                .copied()
                .collect();
            IngestError::file(
                file,
                format!(
                    "找不到表头：前 {} 行中没有一行能对上表 {} 的列名（如 {}）",
                    rows.len(),
                    def.name,
                    examples.join("、")
                ),
            )
        })?;
        let header_row = rows[header.row].0;
        for group in def.required {
            if !group.iter().any(|c| header.columns.contains_key(c)) {
                let tried: Vec<String> = group.iter().flat_map(|c| aliases.aliases_of(c)).collect();
                let found: Vec<&str> = header
                    .cells
                    .iter()
                    .map(|c| c.trim())
                    .filter(|c| !c.is_empty())
                    .collect();
                return Err(IngestError::file(
                    file,
                    format!(
                        "缺少必需列 {}（表 {}）。第 {header_row} 行识别为表头：[{}]；可用的列名：{}。可在 gwq.yaml 的 columns: 中为该表补充列名别名",
                        group.join(" 或 "),
                        def.name,
                        found.join(", "),
                        tried.join("、")
                    ),
                ));
            }
        }
        let out = std::fs::File::create(&tmp_path)
            .map_err(|e| IngestError::Cache(format!("无法写入 {}：{e}", tmp_path.display())))?;
        *builder.borrow_mut() = Some(TableBuilder::new(
            table,
            &file.display,
            file.sheet.clone(),
            &header,
            header_row,
            out,
        )?);
        Ok((header.row, RowParser::new(table, &header)))
    };
    let mut on_chunk = |chunk: Chunk| -> Result<(), IngestError> {
        match builder.borrow_mut().as_mut() {
            Some(b) => b.take(chunk),
            None => Ok(()),
        }
    };
    // The reader reports bytes so far in this file; the bar counts across files.
    let seen = std::sync::atomic::AtomicU64::new(0);
    let on_bytes = |n: u64| {
        let before = seen.fetch_max(n, std::sync::atomic::Ordering::Relaxed);
        progress.advance(n.saturating_sub(before));
    };
    let result = read_source(file, &mut on_header, &mut on_chunk, &on_bytes);
    let outcome = result.and_then(|sha256| {
        let built = builder
            .take()
            .ok_or_else(|| IngestError::file(file, "文件没有表头行".to_string()))?
            .finish()?;
        Ok((built, sha256))
    });
    let ((stats, findings), sha256) = match outcome {
        Ok(v) => v,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp_path);
            return Err(e);
        }
    };
    std::fs::rename(&tmp_path, &final_path)
        .map_err(|e| IngestError::Cache(format!("无法写入 {}：{e}", final_path.display())))?;
    // The CSV reader hashed the file as it read it; the others did not.
    let sha256 = match sha256 {
        Some(sha) => sha,
        None => sha256_file(&file.path).map_err(|e| IngestError::io(file, e))?,
    };
    Ok(SourceEntry {
        table,
        path: file.display.clone(),
        sheet: file.sheet.clone(),
        size: meta.len(),
        mtime_ns: mtime_ns(meta),
        sha256,
        fingerprint: fp.to_string(),
        cache_file: rel,
        stats,
        findings,
    })
}

/// Deletes cached Parquet files no manifest entry points to any more.
fn remove_orphans(dir: &Path, entries: &[SourceEntry]) {
    let keep: std::collections::BTreeSet<PathBuf> =
        entries.iter().map(|e| dir.join(&e.cache_file)).collect();
    for table in Table::ALL {
        let Ok(read) = std::fs::read_dir(dir.join(table.name())) else {
            continue;
        };
        for f in read.flatten() {
            let p = f.path();
            if !keep.contains(&p) {
                // Best effort: a stale cache file only wastes disk.
                let _ = std::fs::remove_file(&p);
            }
        }
    }
}

/// Loads one table from the cache (ingesting stale sources first is the caller's job).
pub fn load_table(ws: &Workspace, table: Table) -> Result<LoadedTable, IngestError> {
    let dir = ws.cache_dir();
    let manifest = read_manifest(&dir);
    let configured = ws.sources.contains_key(&table);
    let files: Vec<SourceEntry> = match ws.sources.get(&table) {
        None => Vec::new(),
        Some(source) => source
            .files
            .iter()
            .map(|f| {
                manifest
                    .entries
                    .iter()
                    .find(|e| e.table == table && e.path == f.display && e.sheet == f.sheet)
                    .cloned()
                    .ok_or_else(|| {
                        IngestError::Cache(format!("{} 尚未导入，请先运行 gwq ingest", f.display))
                    })
            })
            .collect::<Result<_, _>>()?,
    };
    let mut frames = Vec::with_capacity(files.len());
    for (i, entry) in files.iter().enumerate() {
        let path = dir.join(&entry.cache_file);
        let lf = LazyFrame::scan_parquet(
            PlRefPath::new(path.to_string_lossy().as_ref()),
            ScanArgsParquet::default(),
        )
        .map_err(|e| IngestError::Cache(format!("读取缓存 {} 失败：{e}", path.display())))?
        .with_column(
            lit(i as u32)
                .strict_cast(DataType::UInt32)
                .alias(SOURCE_COLUMN),
        );
        frames.push(lf);
    }
    let frame = if frames.is_empty() {
        empty_frame(table)
    } else if frames.len() == 1 {
        frames.pop().expect("one frame")
    } else {
        concat(frames, UnionArgs::default())
            .map_err(|e| IngestError::Cache(format!("合并 {table} 缓存失败：{e}")))?
    };
    LoadedTable::new(table, frame, files, configured)
        .map_err(|e| IngestError::Cache(format!("读取 {table} 缓存失败：{e}")))
}

/// A table with no rows but the full canonical schema.
pub fn empty_frame(table: Table) -> LazyFrame {
    let mut schema = cache_schema(table.def());
    schema.with_column(SOURCE_COLUMN.into(), DataType::UInt32);
    DataFrame::empty_with_schema(&schema).lazy()
}

impl LoadedTable {
    /// A table of the rows `as_read`, with exact duplicates dropped from `frame`.
    /// Tables other than samples are small (tickets, findings, cards): they are read
    /// here once, and the rows kept are one contiguous frame, so that every run sums
    /// them in the same order and layout (the same JSON bytes every time, SPEC §13;
    /// a lazy `unique` left the layout to chance and sums differed in the last bit).
    pub fn new(
        table: Table,
        as_read: LazyFrame,
        files: Vec<SourceEntry>,
        configured: bool,
    ) -> PolarsResult<LoadedTable> {
        let frame = if table == Table::Samples {
            as_read.clone()
        } else {
            let every_column: Vec<String> = table
                .def()
                .columns
                .iter()
                .map(|c| c.name.to_string())
                .collect();
            let mut rows = as_read.clone().collect()?;
            rows.rechunk_mut_par();
            // Rows come in file order, then row order: the first of equal rows is kept.
            let mut kept =
                rows.unique_stable(Some(&every_column), UniqueKeepStrategy::First, None)?;
            kept.rechunk_mut_par();
            kept.lazy()
        };
        Ok(LoadedTable {
            table,
            frame,
            as_read,
            files,
            configured,
        })
    }

    /// The source file and sheet of a row, from its `_src` index.
    pub fn file_of(&self, src: u32) -> (Option<String>, Option<String>) {
        self.files
            .get(src as usize)
            .map(|e| (Some(e.path.clone()), e.sheet.clone()))
            .unwrap_or((None, None))
    }

    pub fn rows_read(&self) -> u64 {
        self.files.iter().map(|e| e.stats.rows_read).sum()
    }
}
