//! Ingest (SPEC §4–§5): reads every configured source, maps headers to canonical
//! columns, parses values, and caches each source file as Parquet under `.gwq/` with
//! a manifest, so later commands re-read only what changed.
//!
//! This is the only module that sees raw export headers. Readers live in `read`,
//! header matching in `header`, value parsing in `values`, row parsing in `rows`
//! (on any thread), the in-order rest of building a table in `build`, and the cache in
//! `cache`.

mod biff;
pub mod build;
pub mod cache;
mod compound;
pub mod header;
pub mod read;
pub mod rows;
pub(crate) mod text;
pub mod values;

use crate::workspace::SourceFile;
use std::fmt;

pub use cache::{ingest_workspace, load_table, IngestSummary, LoadedTable, SourceEntry};

/// Why a source could not be read. Every message names the file (and the sheet and
/// row where one is at fault) and says what is wrong and how to fix it.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{}{message}", Location { file, sheet: sheet.as_deref(), row: *row })]
    File {
        file: String,
        sheet: Option<String>,
        row: Option<u64>,
        message: String,
    },
    #[error("缓存错误：{0}")]
    Cache(String),
}

struct Location<'a> {
    file: &'a str,
    sheet: Option<&'a str>,
    row: Option<u64>,
}

impl fmt::Display for Location<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(sheet) = self.sheet {
            write!(f, "（工作表 {sheet}）")?;
        }
        if let Some(row) = self.row {
            write!(f, " 第 {row} 行")?;
        }
        f.write_str("：")
    }
}

impl IngestError {
    pub fn file(file: &SourceFile, message: String) -> IngestError {
        IngestError::File {
            file: file.display.clone(),
            sheet: file.sheet.clone(),
            row: None,
            message,
        }
    }

    pub fn io(file: &SourceFile, e: std::io::Error) -> IngestError {
        IngestError::file(file, format!("读取失败：{e}"))
    }

    /// Adds the sheet name to an error raised while reading a workbook.
    pub fn with_sheet(self, name: &str) -> IngestError {
        match self {
            IngestError::File {
                file,
                sheet: None,
                row,
                message,
            } => IngestError::File {
                file,
                sheet: Some(name.to_string()),
                row,
                message,
            },
            other => other,
        }
    }
}
