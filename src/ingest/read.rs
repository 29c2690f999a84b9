//! Readers for every source format: CSV/TSV in UTF-8, UTF-8 with BOM, GBK and
//! GB18030; XLSX/XLS (first or named sheet, merged header cells); Parquet.
//!
//! Each reader hands the first rows to header detection as text, then every later
//! row as [`Cell`]s with its 1-based row number as a person sees it, to a
//! [`ParseRows`] that gathers them into chunks. CSV and TSV are read by [`super::text`].

use super::text::read_delimited;
use super::values::{format_number, Cell};
use super::IngestError;
use crate::workspace::SourceFile;
use calamine::{Data, Reader};

/// The number of leading rows handed to header detection.
pub(super) const HEAD_ROWS: usize = super::header::HEADER_SEARCH_ROWS;
/// Rows per chunk from the readers that go row by row (Excel, Parquet).
const CHUNK_ROWS: usize = 256 * 1024;

/// The work done on each data row: it runs on any thread (the CSV reader parses
/// blocks of a file on every core), gathering rows into chunks that are then handed
/// on in file order.
pub trait ParseRows: Sync {
    type Chunk: Send;
    fn chunk(&self) -> Self::Chunk;
    /// Adds one data row: its 1-based row number as a person sees it, and its cells.
    fn push(&self, chunk: &mut Self::Chunk, row: u64, cells: &[Cell]);
    /// Finishes a chunk on the thread that filled it, before it is handed on.
    fn seal(&self, _chunk: &mut Self::Chunk) {}
    /// The rows pushed into the chunk.
    fn len(&self, chunk: &Self::Chunk) -> usize;
}

/// What the caller does with the leading rows (each with its 1-based row number):
/// finds the header and says its index among them, with the parser for the rows below.
pub type OnHeader<'a, P> = dyn FnMut(&[(u64, Vec<String>)]) -> Result<(usize, P), IngestError> + 'a;
/// What the caller does with each chunk of rows, in file order.
pub type OnChunk<'a, C> = dyn FnMut(C) -> Result<(), IngestError> + 'a;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Tsv,
    Excel,
    Parquet,
}

fn format_of(file: &SourceFile) -> Result<Format, IngestError> {
    let ext = file
        .path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "csv" | "txt" => Ok(Format::Csv),
        "tsv" | "tab" => Ok(Format::Tsv),
        "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" => Ok(Format::Excel),
        "parquet" | "pq" => Ok(Format::Parquet),
        _ => Err(IngestError::file(
            file,
            format!("不支持的文件类型 “.{ext}”：可用 CSV、TSV、XLSX、XLS、Parquet"),
        )),
    }
}

/// Whether the file is read on every core (a CSV or TSV: `super::text`).
pub fn reads_on_every_core(file: &SourceFile) -> bool {
    matches!(format_of(file), Ok(Format::Csv | Format::Tsv))
}

/// Reads one source file, calling `on_header` once and `on_chunk` for each chunk of
/// data rows. `on_bytes` reports progress in bytes read, where the format allows.
/// Returns the file's sha256 when the reader hashed it on the way (CSV and TSV).
pub fn read_source<P: ParseRows>(
    file: &SourceFile,
    on_header: &mut OnHeader<P>,
    on_chunk: &mut OnChunk<P::Chunk>,
    on_bytes: &(dyn Fn(u64) + Sync),
) -> Result<Option<String>, IngestError> {
    let meta = std::fs::metadata(&file.path).map_err(|e| IngestError::io(file, e))?;
    if meta.len() == 0 {
        return Err(IngestError::file(file, "文件为空（0 字节）".to_string()));
    }
    match format_of(file)? {
        Format::Csv => read_delimited(file, None, on_header, on_chunk, on_bytes).map(Some),
        Format::Tsv => read_delimited(file, Some(b'\t'), on_header, on_chunk, on_bytes).map(Some),
        Format::Excel => read_excel(file, on_header, on_chunk).map(|_| None),
        Format::Parquet => read_parquet(file, on_header, on_chunk).map(|_| None),
    }
}

/// Gathers the rows of a reader that goes row by row into chunks of [`CHUNK_ROWS`].
struct RowByRow<'p, 'c, P: ParseRows> {
    parser: P,
    chunk: Option<P::Chunk>,
    on_chunk: &'p mut OnChunk<'c, P::Chunk>,
}

impl<'p, 'c, P: ParseRows> RowByRow<'p, 'c, P> {
    fn push(&mut self, row: u64, cells: &[Cell]) -> Result<(), IngestError> {
        let chunk = self.chunk.get_or_insert_with(|| self.parser.chunk());
        self.parser.push(chunk, row, cells);
        if self.parser.len(chunk) >= CHUNK_ROWS {
            self.hand_on()?;
        }
        Ok(())
    }

    fn hand_on(&mut self) -> Result<(), IngestError> {
        match self.chunk.take() {
            Some(mut chunk) => {
                self.parser.seal(&mut chunk);
                (self.on_chunk)(chunk)
            }
            None => Ok(()),
        }
    }
}

fn excel_cell(data: &Data) -> Cell<'_> {
    match data {
        Data::Empty | Data::Error(_) => Cell::Empty,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s),
        Data::Float(f) => Cell::Number(*f),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(v) => Cell::DateTime(v),
            None => Cell::Number(dt.as_f64()),
        },
    }
}

fn excel_text(data: &Data) -> String {
    match excel_cell(data) {
        Cell::Text(s) => s.to_string(),
        Cell::Number(n) => format_number(n),
        other => other.display(),
    }
}

/// What an "Excel" file that calamine cannot open really holds, when its first bytes
/// tell, and how to fix it: monitoring systems often save a web page, an XML
/// spreadsheet or plain CSV under an `.xls` name.
fn disguised_format(path: &std::path::Path) -> Option<String> {
    use std::io::Read;
    let mut head = [0u8; 512];
    let n = std::fs::File::open(path).ok()?.read(&mut head).ok()?;
    let head = &head[..n];
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let text = text.trim_start_matches('\u{feff}').trim_start();
    let save_as = "请用 Excel 或 WPS 打开后另存为 .xlsx，再在 gwq.yaml 中改用新文件";
    let kind = if text.starts_with("<html")
        || text.starts_with("<!doctype html")
        || text.contains("<table")
    {
        "网页（HTML）表格"
    } else if text.contains("urn:schemas-microsoft-com:office:spreadsheet") {
        "XML 电子表格（Excel 2003 XML）"
    } else if text.starts_with("<?xml") {
        "XML 文本"
    } else if !text.is_empty() && !head.contains(&0) && (text.contains(',') || text.contains('\t'))
    {
        return Some(
            "扩展名是 Excel，内容却是分隔符文本（CSV/TSV）：请把文件扩展名改为 .csv（或 .tsv）"
                .to_string(),
        );
    } else {
        return None;
    };
    Some(format!("扩展名是 Excel，内容却是{kind}：{save_as}"))
}

type Workbook = calamine::Sheets<std::io::BufReader<std::fs::File>>;

/// Opens a workbook with calamine; `bad` says why it cannot be. A compound file (.xls)
/// damaged so that calamine would exhaust memory on it is refused first.
pub fn open_workbook(
    file: &SourceFile,
    bad: &dyn Fn(&dyn std::fmt::Display) -> IngestError,
) -> Result<Workbook, IngestError> {
    let mut head = [0u8; 8];
    let compound = std::fs::File::open(&file.path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
        .is_ok_and(|_| super::compound::is_compound(&head));
    if compound {
        let bytes = std::fs::read(&file.path).map_err(|e| IngestError::io(file, e))?;
        if let Some(why) = super::compound::refusal(&bytes) {
            return Err(bad(&why));
        }
    }
    calamine::open_workbook_auto(&file.path).map_err(|e| bad(&e))
}

/// A worksheet as calamine reads it: its name, cells and merged ranges.
type Sheet = (String, calamine::Range<Data>, Vec<calamine::Dimensions>);

/// Opens the workbook and reads the source's sheet (the first, unless one is named).
fn load_sheet(
    file: &SourceFile,
    bad: &dyn Fn(&dyn std::fmt::Display) -> IngestError,
) -> Result<Sheet, IngestError> {
    let mut book = open_workbook(file, bad)?;
    let names = book.sheet_names();
    let sheet = match &file.sheet {
        Some(s) if names.contains(s) => s.clone(),
        Some(s) => {
            return Err(IngestError::file(
                file,
                format!("工作簿中没有工作表 “{s}”，现有：{}", names.join("、")),
            ))
        }
        None => names
            .first()
            .cloned()
            .ok_or_else(|| IngestError::file(file, "工作簿中没有工作表".to_string()))?,
    };
    let range = sheet_range(&mut book, &sheet, file, bad)?;
    let merges: Vec<calamine::Dimensions> = match &mut book {
        calamine::Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(&sheet).unwrap_or_default(),
        calamine::Sheets::Xls(x) => x.merge_cells_by_sheet_name(&sheet).unwrap_or_default(),
        _ => Vec::new(),
    };
    Ok((sheet, range, merges))
}

/// The most cells a sheet may span: 2^26 (2 GiB of cells as calamine holds them).
/// Calamine lays a sheet out as one rectangle from its first cell to its last, so a
/// stray cell far from the rest (at XFD1048576, say) would make it ask for hundreds
/// of GB and abort (found by `make fuzz`).
const MOST_CELLS: u64 = 1 << 26;

/// The sheet's cells as calamine reads them. An .xlsx sheet is read cell by cell, as
/// calamine's own `worksheet_range` does, and refused when its cells span more than
/// `MOST_CELLS`; other formats are laid out by calamine (an .xls was checked before it
/// was opened, by `super::biff`).
fn sheet_range(
    book: &mut Workbook,
    sheet: &str,
    file: &SourceFile,
    bad: &dyn Fn(&dyn std::fmt::Display) -> IngestError,
) -> Result<calamine::Range<Data>, IngestError> {
    let calamine::Sheets::Xlsx(xlsx) = book else {
        return book.worksheet_range(sheet).map_err(|e| bad(&e));
    };
    let mut reader = match xlsx.worksheet_cells_reader(sheet) {
        Ok(reader) => reader,
        Err(calamine::XlsxError::NotAWorksheet(_)) => return Ok(calamine::Range::default()),
        Err(e) => return Err(bad(&e)),
    };
    let mut cells = Vec::new();
    let (mut first, mut last) = ((u32::MAX, u32::MAX), (0, 0));
    while let Some(cell) = reader.next_cell().map_err(|e| bad(&e))? {
        if matches!(cell.get_value(), calamine::DataRef::Empty) {
            continue;
        }
        let (row, col) = cell.get_position();
        (first, last) = (
            (first.0.min(row), first.1.min(col)),
            (last.0.max(row), last.1.max(col)),
        );
        cells.push(calamine::Cell::new(
            (row, col),
            Data::from(cell.get_value().clone()),
        ));
    }
    let span = |a: u32, b: u32| u64::from(b.saturating_sub(a)) + 1;
    let (rows, cols) = (span(first.0, last.0), span(first.1, last.1));
    if !cells.is_empty() && rows * cols > MOST_CELLS {
        return Err(IngestError::file(
            file,
            format!(
                "工作表 “{sheet}” 的单元格从 {} 到 {}，跨 {rows} 行 × {cols} 列，\
                 超出可读取的范围：请删除远离数据的多余单元格后另存",
                cell_name(first),
                cell_name(last)
            ),
        ));
    }
    Ok(calamine::Range::from_sparse(cells))
}

/// A cell's A1-style name from its 0-based (row, column).
fn cell_name((row, col): (u32, u32)) -> String {
    let mut letters = Vec::new();
    let mut n = col as u64 + 1;
    while n > 0 {
        letters.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", String::from_utf8_lossy(&letters), row as u64 + 1)
}

thread_local! {
    /// Set while calamine reads a workbook: a panic there is a damaged file, reported
    /// as such, and the binary's panic hook stays quiet about it.
    static IN_CALAMINE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether a panic now would be calamine's, on a damaged workbook.
pub fn in_calamine() -> bool {
    IN_CALAMINE.with(|c| c.get())
}

/// Runs `read` (calamine's part of reading a workbook); a panic in it — calamine has
/// panicked on damaged files found by `make fuzz` — becomes the file's error.
pub fn calamine_guarded<T>(
    file: &SourceFile,
    bad: &dyn Fn(&dyn std::fmt::Display) -> IngestError,
    read: impl FnOnce() -> Result<T, IngestError>,
) -> Result<T, IngestError> {
    IN_CALAMINE.with(|c| c.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(read));
    IN_CALAMINE.with(|c| c.set(false));
    result.unwrap_or_else(|_| Err(bad(&format!("{} 的结构已损坏", file.display))))
}

fn read_excel<P: ParseRows>(
    file: &SourceFile,
    on_header: &mut OnHeader<P>,
    on_chunk: &mut OnChunk<P::Chunk>,
) -> Result<(), IngestError> {
    let bad = |e: &dyn std::fmt::Display| match disguised_format(&file.path) {
        Some(message) => IngestError::file(file, message),
        None => IngestError::file(
            file,
            format!("无法作为 Excel 工作簿打开（文件损坏或不是 Excel 文件）：{e}"),
        ),
    };
    let (sheet, range, merges) = calamine_guarded(file, &bad, || load_sheet(file, &bad))?;
    let (row0, col0) = range.start().unwrap_or((0, 0));
    let mut rows: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
    // Merged cells read as their value (header cells spanning columns or rows).
    for m in &merges {
        let (sr, sc) = (
            m.start.0.saturating_sub(row0),
            m.start.1.saturating_sub(col0),
        );
        let value = rows
            .get(sr as usize)
            .and_then(|r| r.get(sc as usize))
            .cloned()
            .unwrap_or(Data::Empty);
        // Only the part of the merged range inside the sheet's cells (a damaged file
        // may claim one far outside them).
        if m.end.0 < row0 || m.end.1 < col0 {
            continue;
        }
        let (top, bottom) = (
            (m.start.0.max(row0) - row0) as usize,
            (m.end.0 - row0) as usize,
        );
        let (left, right) = (
            (m.start.1.max(col0) - col0) as usize,
            (m.end.1 - col0) as usize,
        );
        for row in rows.iter_mut().take(bottom + 1).skip(top) {
            for cell in row.iter_mut().take(right + 1).skip(left) {
                if *cell == Data::Empty {
                    *cell = value.clone();
                }
            }
        }
    }
    if rows.iter().all(|r| r.iter().all(|c| *c == Data::Empty)) {
        return Err(IngestError::File {
            file: file.display.clone(),
            sheet: Some(sheet),
            row: None,
            message: "工作表为空".to_string(),
        });
    }
    let head: Vec<(u64, Vec<String>)> = rows
        .iter()
        .take(HEAD_ROWS)
        .enumerate()
        .map(|(i, r)| {
            (
                row0 as u64 + i as u64 + 1,
                r.iter().map(excel_text).collect(),
            )
        })
        .collect();
    let (header_index, parser) = on_header(&head).map_err(|e| e.with_sheet(&sheet))?;
    let mut sink = RowByRow {
        parser,
        chunk: None,
        on_chunk,
    };
    let mut cells = Vec::new();
    for (i, row) in rows.iter().enumerate().skip(header_index + 1) {
        cells.clear();
        cells.extend(row.iter().map(excel_cell));
        sink.push(row0 as u64 + i as u64 + 1, &cells)?;
    }
    sink.hand_on()
}

fn read_parquet<P: ParseRows>(
    file: &SourceFile,
    on_header: &mut OnHeader<P>,
    on_chunk: &mut OnChunk<P::Chunk>,
) -> Result<(), IngestError> {
    use polars::prelude::*;
    let f = std::fs::File::open(&file.path).map_err(|e| IngestError::io(file, e))?;
    let df = ParquetReader::new(f)
        .finish()
        .map_err(|e| IngestError::file(file, format!("无法读取 Parquet 文件：{e}")))?;
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    let (header_index, parser) = on_header(&[(1, names)])?;
    debug_assert_eq!(header_index, 0);
    let mut sink = RowByRow {
        parser,
        chunk: None,
        on_chunk,
    };
    let columns = df.columns();
    let mut texts: Vec<String> = vec![String::new(); columns.len()];
    let mut kinds: Vec<AnyKind> = vec![AnyKind::Empty; columns.len()];
    for i in 0..df.height() {
        for (j, col) in columns.iter().enumerate() {
            let v = col
                .get(i)
                .map_err(|e| IngestError::file(file, format!("读取第 {i} 行失败：{e}")))?;
            kinds[j] = any_kind(&v, &mut texts[j]);
        }
        let cells: Vec<Cell> = kinds
            .iter()
            .zip(&texts)
            .map(|(k, t)| match k {
                AnyKind::Empty => Cell::Empty,
                AnyKind::Text => Cell::Text(t),
                AnyKind::Number(n) => Cell::Number(*n),
                AnyKind::Bool(b) => Cell::Bool(*b),
                AnyKind::DateTime(d) => Cell::DateTime(*d),
            })
            .collect();
        sink.push(i as u64 + 2, &cells)?;
    }
    sink.hand_on()
}

#[derive(Clone, Copy)]
enum AnyKind {
    Empty,
    Text,
    Number(f64),
    Bool(bool),
    DateTime(chrono::NaiveDateTime),
}

fn any_kind(v: &polars::prelude::AnyValue, text: &mut String) -> AnyKind {
    use polars::prelude::{AnyValue, TimeUnit};
    match v {
        AnyValue::Null => AnyKind::Empty,
        AnyValue::Boolean(b) => AnyKind::Bool(*b),
        AnyValue::String(s) => {
            text.clear();
            text.push_str(s);
            AnyKind::Text
        }
        AnyValue::StringOwned(s) => {
            text.clear();
            text.push_str(s);
            AnyKind::Text
        }
        AnyValue::Date(days) => chrono::DateTime::from_timestamp(*days as i64 * 86_400, 0)
            .map(|d| AnyKind::DateTime(d.naive_utc()))
            .unwrap_or(AnyKind::Empty),
        AnyValue::Datetime(v, unit, _) | AnyValue::DatetimeOwned(v, unit, _) => {
            let micros = match unit {
                TimeUnit::Nanoseconds => v / 1000,
                TimeUnit::Microseconds => *v,
                TimeUnit::Milliseconds => v * 1000,
            };
            chrono::DateTime::from_timestamp_micros(micros)
                .map(|d| AnyKind::DateTime(d.naive_utc()))
                .unwrap_or(AnyKind::Empty)
        }
        other => match other.extract::<f64>() {
            Some(n) => AnyKind::Number(n),
            None => {
                text.clear();
                text.push_str(&other.to_string());
                AnyKind::Text
            }
        },
    }
}
