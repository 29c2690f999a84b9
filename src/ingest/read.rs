//! Readers for every source format: CSV/TSV in UTF-8, UTF-8 with BOM, GBK and
//! GB18030; XLSX/XLS (first or named sheet, merged header cells); Parquet.
//!
//! Each reader hands the first rows to header detection as text, then streams every
//! later row as [`Cell`]s with its 1-based row number as a person sees it.

use super::values::{format_number, Cell};
use super::IngestError;
use crate::workspace::SourceFile;
use calamine::{Data, Reader};
use std::io::{BufReader, Read};

/// The number of leading rows handed to header detection.
const HEAD_ROWS: usize = super::header::HEADER_SEARCH_ROWS;

/// What the caller does with the leading rows (each with its 1-based row number):
/// finds the header and says its index among them.
pub type OnHeader<'a> = dyn FnMut(&[(u64, Vec<String>)]) -> Result<usize, IngestError> + 'a;
/// What the caller does with each data row: its 1-based row number and cells.
pub type OnRow<'a> = dyn FnMut(u64, &[Cell]) -> Result<(), IngestError> + 'a;

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

/// Reads one source file, calling `on_header` once and `on_row` for each data row.
/// `on_bytes` reports progress in bytes read, where the format allows.
pub fn read_source(
    file: &SourceFile,
    on_header: &mut OnHeader,
    on_row: &mut OnRow,
    on_bytes: &(dyn Fn(u64) + Sync),
) -> Result<(), IngestError> {
    let meta = std::fs::metadata(&file.path).map_err(|e| IngestError::io(file, e))?;
    if meta.len() == 0 {
        return Err(IngestError::file(file, "文件为空（0 字节）".to_string()));
    }
    match format_of(file)? {
        Format::Csv => read_csv(file, None, on_header, on_row, on_bytes),
        Format::Tsv => read_csv(file, Some(b'\t'), on_header, on_row, on_bytes),
        Format::Excel => read_excel(file, on_header, on_row),
        Format::Parquet => read_parquet(file, on_header, on_row),
    }
}

/// A reader that reports how many bytes went through it.
struct Counting<'a, R> {
    inner: R,
    count: u64,
    report: &'a (dyn Fn(u64) + Sync),
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        // Report every ~4 MiB to keep the bar cheap.
        if self.count & !0x3F_FFFF != (self.count - n as u64) & !0x3F_FFFF {
            (self.report)(self.count);
        }
        Ok(n)
    }
}

/// Encoding detection: a UTF-8 BOM, else valid UTF-8 in the first 64 KiB, else GB18030
/// (a superset of GBK that decodes GBK bytes identically).
fn detect_encoding(head: &[u8]) -> &'static encoding_rs::Encoding {
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return encoding_rs::UTF_8;
    }
    if head.starts_with(&[0xFF, 0xFE]) {
        return encoding_rs::UTF_16LE;
    }
    if head.starts_with(&[0xFE, 0xFF]) {
        return encoding_rs::UTF_16BE;
    }
    match std::str::from_utf8(head) {
        Ok(_) => encoding_rs::UTF_8,
        // A multi-byte character cut at the end of the sample is still UTF-8.
        Err(e) if e.error_len().is_none() && head.len() - e.valid_up_to() < 4 => encoding_rs::UTF_8,
        Err(_) => encoding_rs::GB18030,
    }
}

fn sniff_delimiter(head: &str) -> u8 {
    let lines: Vec<&str> = head.lines().take(25).collect();
    let count = |d: char| {
        lines
            .iter()
            .map(|l| l.matches(d).count())
            .max()
            .unwrap_or(0)
    };
    let (tabs, commas, semis) = (count('\t'), count(','), count(';'));
    if tabs > commas && tabs >= semis {
        b'\t'
    } else if semis > commas {
        b';'
    } else {
        b','
    }
}

fn read_csv(
    file: &SourceFile,
    delimiter: Option<u8>,
    on_header: &mut OnHeader,
    on_row: &mut OnRow,
    on_bytes: &(dyn Fn(u64) + Sync),
) -> Result<(), IngestError> {
    let mut head = Vec::with_capacity(65_536);
    std::fs::File::open(&file.path)
        .map_err(|e| IngestError::io(file, e))?
        .take(65_536)
        .read_to_end(&mut head)
        .map_err(|e| IngestError::io(file, e))?;
    if head.contains(&0) && !head.starts_with(&[0xFF, 0xFE]) && !head.starts_with(&[0xFE, 0xFF]) {
        return Err(IngestError::file(
            file,
            "不是文本文件（含二进制内容）：请导出为 CSV、XLSX 或 Parquet".to_string(),
        ));
    }
    let encoding = detect_encoding(&head);
    let (head_text, _, _) = encoding.decode(&head);
    let delimiter = delimiter.unwrap_or_else(|| sniff_delimiter(&head_text));

    let raw = std::fs::File::open(&file.path).map_err(|e| IngestError::io(file, e))?;
    let counting = Counting {
        inner: raw,
        count: 0,
        report: on_bytes,
    };
    let decoded = encoding_rs_io::DecodeReaderBytesBuilder::new()
        .encoding(Some(encoding))
        .utf8_passthru(true)
        .bom_override(true)
        .build(counting);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .buffer_capacity(1 << 20)
        .from_reader(BufReader::with_capacity(1 << 20, LineBreaks::new(decoded)));
    let mut record = csv::ByteRecord::new();
    let mut first: Vec<(u64, csv::ByteRecord)> = Vec::new();
    while first.len() < HEAD_ROWS {
        if !read_record(file, &mut reader, &mut record)? {
            break;
        }
        let line = record_line(&mut reader, &record);
        first.push((line, record.clone()));
    }
    if first.is_empty() {
        return Err(IngestError::file(file, "文件没有任何内容行".to_string()));
    }
    let head_rows: Vec<(u64, Vec<String>)> = first
        .iter()
        .map(|(line, r)| {
            let texts = r.iter().map(|f| String::from_utf8_lossy(f).into_owned());
            (*line, texts.collect())
        })
        .collect();
    let header_index = on_header(&head_rows)?;

    let mut emit = |line: u64, rec: &csv::ByteRecord| -> Result<(), IngestError> {
        // Bytes that are not valid text after decoding become a replacement character,
        // which the value parser then reports as a `parse` finding.
        let cells: Vec<Cell> = rec
            .iter()
            .map(|f| Cell::Text(std::str::from_utf8(f).unwrap_or("\u{FFFD}")))
            .collect();
        on_row(line, &cells)
    };
    for (line, rec) in first.iter().skip(header_index + 1) {
        emit(*line, rec)?;
    }
    drop(first);
    while read_record(file, &mut reader, &mut record)? {
        let line = record_line(&mut reader, &record);
        emit(line, &record)?;
    }
    Ok(())
}

/// The physical line of the record just read (SPEC §4 "Row numbers").
fn record_line<R: Read>(
    reader: &mut csv::Reader<BufReader<LineBreaks<R>>>,
    record: &csv::ByteRecord,
) -> u64 {
    let start = record.position().map_or(0, |p| p.byte());
    reader.get_mut().get_mut().line_at(start)
}

/// Counts physical lines for the CSV reader (SPEC §4): a line break is CRLF, LF or a
/// lone CR. The csv crate counts only LF and takes a record's position before the LF
/// of the CRLF that ended the previous record, so its own line numbers are one short
/// on Windows files and never move on CR-only files.
///
/// Sits between the decoder and the CSV parser and notes every line break of the text
/// passing through; [`LineBreaks::line_at`] then turns a record's byte offset into
/// its first line. Breaks are forgotten once a record past them is asked for, so only
/// the parser's read-ahead (a few MiB) is ever held.
struct LineBreaks<R> {
    inner: R,
    /// Bytes passed through so far.
    offset: u64,
    /// A CR that ended the last chunk: a break of one or two bytes, not yet known.
    pending_cr: Option<u64>,
    /// Breaks not yet passed by a record: (first byte, byte after).
    breaks: std::collections::VecDeque<(u64, u64)>,
    /// Breaks passed by records so far.
    passed: u64,
}

impl<R> LineBreaks<R> {
    fn new(inner: R) -> LineBreaks<R> {
        LineBreaks {
            inner,
            offset: 0,
            pending_cr: None,
            breaks: std::collections::VecDeque::new(),
            passed: 0,
        }
    }

    /// The 1-based line of a record that the parser says starts at byte `start`:
    /// every break before it is passed, and so are breaks at its start (the LF of a
    /// CRLF the parser had not consumed, or blank lines it skips: a record never
    /// starts with a line break).
    fn line_at(&mut self, start: u64) -> u64 {
        let mut cursor = start;
        while let Some(&(first, after)) = self.breaks.front() {
            if first > cursor {
                break;
            }
            cursor = cursor.max(after);
            self.passed += 1;
            self.breaks.pop_front();
        }
        self.passed + 1
    }

    fn note_breaks(&mut self, chunk: &[u8]) {
        let base = self.offset;
        let mut skip_lf_at = None;
        if let Some(cr) = self.pending_cr.take() {
            if chunk.first() == Some(&b'\n') {
                self.breaks.push_back((cr, cr + 2));
                skip_lf_at = Some(0);
            } else {
                self.breaks.push_back((cr, cr + 1));
            }
        }
        for i in memchr::memchr2_iter(b'\r', b'\n', chunk) {
            if skip_lf_at == Some(i) {
                continue;
            }
            let at = base + i as u64;
            if chunk[i] == b'\n' {
                self.breaks.push_back((at, at + 1));
            } else if i + 1 == chunk.len() {
                self.pending_cr = Some(at);
            } else if chunk[i + 1] == b'\n' {
                self.breaks.push_back((at, at + 2));
                skip_lf_at = Some(i + 1);
            } else {
                self.breaks.push_back((at, at + 1));
            }
        }
    }
}

impl<R: Read> Read for LineBreaks<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 {
            if let Some(cr) = self.pending_cr.take() {
                self.breaks.push_back((cr, cr + 1));
            }
            return Ok(0);
        }
        self.note_breaks(&buf[..n]);
        self.offset += n as u64;
        Ok(n)
    }
}

fn read_record<R: Read>(
    file: &SourceFile,
    reader: &mut csv::Reader<R>,
    record: &mut csv::ByteRecord,
) -> Result<bool, IngestError> {
    reader.read_byte_record(record).map_err(|e| {
        let line = e.position().map(|p| p.line());
        IngestError::File {
            file: file.display.clone(),
            sheet: None,
            row: line,
            message: format!("CSV 格式错误：{e}"),
        }
    })
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

fn read_excel(
    file: &SourceFile,
    on_header: &mut OnHeader,
    on_row: &mut OnRow,
) -> Result<(), IngestError> {
    let bad = |e: &dyn std::fmt::Display| match disguised_format(&file.path) {
        Some(message) => IngestError::file(file, message),
        None => IngestError::file(
            file,
            format!("无法作为 Excel 工作簿打开（文件损坏或不是 Excel 文件）：{e}"),
        ),
    };
    let mut book = calamine::open_workbook_auto(&file.path).map_err(|e| bad(&e))?;
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
    let range = book.worksheet_range(&sheet).map_err(|e| bad(&e))?;
    let merges: Vec<calamine::Dimensions> = match &mut book {
        calamine::Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(&sheet).unwrap_or_default(),
        calamine::Sheets::Xls(x) => x.merge_cells_by_sheet_name(&sheet).unwrap_or_default(),
        _ => Vec::new(),
    };
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
        for r in m.start.0..=m.end.0 {
            for c in m.start.1..=m.end.1 {
                let (ri, ci) = ((r - row0) as usize, (c.saturating_sub(col0)) as usize);
                if r < row0 || ri >= rows.len() {
                    continue;
                }
                if let Some(cell) = rows[ri].get_mut(ci) {
                    if *cell == Data::Empty {
                        *cell = value.clone();
                    }
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
    let header_index = on_header(&head).map_err(|e| e.with_sheet(&sheet))?;
    let mut cells = Vec::new();
    for (i, row) in rows.iter().enumerate().skip(header_index + 1) {
        cells.clear();
        cells.extend(row.iter().map(excel_cell));
        on_row(row0 as u64 + i as u64 + 1, &cells).map_err(|e| e.with_sheet(&sheet))?;
    }
    Ok(())
}

fn read_parquet(
    file: &SourceFile,
    on_header: &mut OnHeader,
    on_row: &mut OnRow,
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
    let header_index = on_header(&[(1, names)])?;
    debug_assert_eq!(header_index, 0);
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
        on_row(i as u64 + 2, &cells)?;
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out at most `n` bytes a call, to split line breaks across
    /// the chunks the line counter sees.
    struct Trickle<'a> {
        data: &'a [u8],
        n: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let k = self.n.min(buf.len()).min(self.data.len());
            buf[..k].copy_from_slice(&self.data[..k]);
            self.data = &self.data[k..];
            Ok(k)
        }
    }

    /// The first field and the line of every record, read `n` bytes at a time.
    fn lines(text: &str, n: usize) -> Vec<(String, u64)> {
        let source = Trickle {
            data: text.as_bytes(),
            n,
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(BufReader::with_capacity(n.max(1), LineBreaks::new(source)));
        let mut record = csv::ByteRecord::new();
        let mut out = Vec::new();
        while reader.read_byte_record(&mut record).unwrap() {
            let line = record_line(&mut reader, &record);
            out.push((String::from_utf8_lossy(&record[0]).into_owned(), line));
        }
        out
    }

    #[test]
    fn records_are_named_by_their_first_physical_line() {
        // Blank lines, a quoted field over two lines, each line ending in turn.
        let shapes = [
            "a\n\nb\n\"c\nc\",x\nd\n",
            "a\r\n\r\nb\r\n\"c\r\nc\",x\r\nd\r\n",
            "a\r\rb\r\"c\rc\",x\rd\r",
            "a\r\n\nb\r\"c\nc\",x\r\nd",
        ];
        let want = vec![
            ("a".to_string(), 1),
            ("b".to_string(), 3),
            ("c\nc".to_string(), 4),
            ("d".to_string(), 6),
        ];
        for text in shapes {
            for n in [1, 2, 3, 7, 1 << 16] {
                let got: Vec<(String, u64)> = lines(text, n)
                    .into_iter()
                    .map(|(f, l)| (f.replace("\r\n", "\n").replace('\r', "\n"), l))
                    .collect();
                assert_eq!(got, want, "{text:?} read {n} bytes at a time");
            }
        }
    }
}
