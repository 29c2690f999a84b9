//! Turns the rows of one source file into a canonical, typed Parquet file.
//!
//! Every row is parsed by the value parsers; a row that cannot be used is left out
//! and recorded as a finding (`parse`, `missing_required`) with its file and row.
//! Sample rows are also de-duplicated here while they stream past (see [`LineOrder`]).

use super::header::Header;
use super::values::{self, Cell};
use super::IngestError;
use crate::findings::{Code, Finding};
use crate::tables::{ColType, ColumnDef, Table, TableDef};
use chrono::NaiveDateTime;
use polars::prelude::*;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

/// Rows per Parquet batch: big enough for good compression, small enough for memory.
const BATCH_ROWS: usize = 256 * 1024;
/// Name of the column holding each row's 1-based source row number.
pub const ROW_COLUMN: &str = "_row";

/// One typed value of a row being built.
#[derive(Debug, Clone, PartialEq)]
enum Value<'a> {
    Null,
    Str(std::borrow::Cow<'a, str>),
    Float(f64),
    Int(i64),
    Bool(bool),
    Millis(i64),
    Days(i32),
}

enum Buffer {
    Str(StringChunkedBuilder),
    Float(Vec<Option<f64>>),
    Int(Vec<Option<i64>>),
    Bool(Vec<Option<bool>>),
    Millis(Vec<Option<i64>>),
    Days(Vec<Option<i32>>),
}

impl Buffer {
    fn new(col: &ColumnDef) -> Buffer {
        match col.ty {
            ColType::Str | ColType::AccessType | ColType::Period => {
                Buffer::Str(StringChunkedBuilder::new(col.name.into(), BATCH_ROWS))
            }
            ColType::Float | ColType::Mbps | ColType::Bps => {
                Buffer::Float(Vec::with_capacity(BATCH_ROWS))
            }
            ColType::Int | ColType::Level => Buffer::Int(Vec::with_capacity(BATCH_ROWS)),
            ColType::Bool => Buffer::Bool(Vec::with_capacity(BATCH_ROWS)),
            ColType::DateTime => Buffer::Millis(Vec::with_capacity(BATCH_ROWS)),
            ColType::Date => Buffer::Days(Vec::with_capacity(BATCH_ROWS)),
        }
    }

    fn push(&mut self, v: &Value) {
        match (self, v) {
            (Buffer::Str(b), Value::Str(s)) => b.append_value(s.as_ref()),
            (Buffer::Str(b), _) => b.append_null(),
            (Buffer::Float(b), Value::Float(x)) => b.push(Some(*x)),
            (Buffer::Float(b), _) => b.push(None),
            (Buffer::Int(b), Value::Int(x)) => b.push(Some(*x)),
            (Buffer::Int(b), _) => b.push(None),
            (Buffer::Bool(b), Value::Bool(x)) => b.push(Some(*x)),
            (Buffer::Bool(b), _) => b.push(None),
            (Buffer::Millis(b), Value::Millis(x)) => b.push(Some(*x)),
            (Buffer::Millis(b), _) => b.push(None),
            (Buffer::Days(b), Value::Days(x)) => b.push(Some(*x)),
            (Buffer::Days(b), _) => b.push(None),
        }
    }

    /// Takes the buffered values as a column, leaving the buffer empty.
    fn take(&mut self, col: &ColumnDef) -> Column {
        let name: PlSmallStr = col.name.into();
        match self {
            Buffer::Str(b) => {
                let full = std::mem::replace(b, StringChunkedBuilder::new(name, BATCH_ROWS));
                full.finish().into_column()
            }
            Buffer::Float(v) => Column::new(name, std::mem::take(v)),
            Buffer::Int(v) => Column::new(name, std::mem::take(v)),
            Buffer::Bool(v) => Column::new(name, std::mem::take(v)),
            Buffer::Millis(v) => {
                Int64Chunked::from_iter_options(name, std::mem::take(v).into_iter())
                    .into_datetime(TimeUnit::Milliseconds, None)
                    .into_column()
            }
            Buffer::Days(v) => Int32Chunked::from_iter_options(name, std::mem::take(v).into_iter())
                .into_date()
                .into_column(),
        }
    }
}

/// The canonical schema of a table as stored in the cache.
pub fn cache_schema(def: &TableDef) -> Schema {
    let mut schema = Schema::default();
    for col in def.columns {
        schema.with_column(col.name.into(), dtype_of(col.ty));
    }
    schema.with_column(ROW_COLUMN.into(), DataType::UInt32);
    schema
}

pub fn dtype_of(ty: ColType) -> DataType {
    match ty {
        ColType::Str | ColType::AccessType | ColType::Period => DataType::String,
        ColType::Float | ColType::Mbps | ColType::Bps => DataType::Float64,
        ColType::Int | ColType::Level => DataType::Int64,
        ColType::Bool => DataType::Boolean,
        ColType::DateTime => DataType::Datetime(TimeUnit::Milliseconds, None),
        ColType::Date => DataType::Date,
    }
}

/// Per-line sample order, used to drop duplicate samples while streaming: when
/// each line's times only grow, a repeated (line_id, time) is the previous row.
#[derive(Default)]
struct LineOrder {
    last: HashMap<String, (i64, u64)>,
}

/// A finding about one source row, with the row's time (if readable) to place it
/// in a period.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RowFinding {
    pub finding: Finding,
    pub time: Option<NaiveDateTime>,
}

/// How the values of one column parsed: non-empty values, failures, first failure.
#[derive(Debug, Clone, Default)]
struct ParseTally {
    seen: u64,
    failed: u64,
    first: Option<(u64, String)>,
}

/// Counts and facts about one ingested file, kept in the manifest.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct FileStats {
    pub rows_read: u64,
    pub rows_rejected: u64,
    pub summary_rows: u64,
    pub exact_duplicates: u64,
    pub header_row: u64,
    pub header: Vec<String>,
    pub time_min: Option<NaiveDateTime>,
    pub time_max: Option<NaiveDateTime>,
    /// Whether every line's samples come in time order (duplicates all caught here).
    pub sorted_per_line: bool,
}

/// Builds one cached Parquet file from the rows of one source file.
pub struct TableBuilder {
    def: &'static TableDef,
    file: String,
    sheet: Option<String>,
    /// For each canonical column, its source column index (if the file has it).
    source_index: Vec<Option<usize>>,
    /// For each canonical column, the factor a bare number is multiplied by.
    scale: Vec<f64>,
    buffers: Vec<Buffer>,
    rows: Vec<u32>,
    writer: polars::io::parquet::write::BatchedWriter<std::fs::File>,
    pub findings: Vec<RowFinding>,
    pub stats: FileStats,
    order: Option<LineOrder>,
    /// Per canonical column: how its values parsed, to tell a wrong-type column.
    bad: Vec<ParseTally>,
    time_col: usize,
    /// A samples file with latency but neither reachable nor loss columns: a sample
    /// is reachable when it has a latency value (SPEC §7).
    latency_only: bool,
    /// Hashes of the rejected rows seen so far: a rejected row exported twice is an
    /// exact duplicate, dropped before its findings (SPEC §6), not reported twice.
    rejected: std::collections::HashSet<u64>,
}

impl TableBuilder {
    pub fn new(
        table: Table,
        file: &str,
        sheet: Option<String>,
        header: &Header,
        header_row: u64,
        out: std::fs::File,
    ) -> Result<TableBuilder, IngestError> {
        let def = table.def();
        let source_index = def
            .columns
            .iter()
            .map(|c| header.columns.get(c.name).copied())
            .collect::<Vec<_>>();
        let scale = def
            .columns
            .iter()
            .zip(&source_index)
            .map(|(c, idx)| idx.map_or(1.0, |i| header_unit_scale(c.ty, &header.cells[i])))
            .collect();
        let writer = ParquetWriter::new(out)
            .with_compression(ParquetCompression::Lz4Raw)
            .batched(&cache_schema(def))
            .map_err(|e| IngestError::Cache(format!("写缓存 {file} 失败：{e}")))?;
        let time_col = def
            .columns
            .iter()
            .position(|c| c.name == def.time_column)
            .expect("time column is defined");
        let has = |name: &str| header.columns.contains_key(name);
        let latency_only =
            table == Table::Samples && has("latency_ms") && !has("reachable") && !has("loss_pct");
        Ok(TableBuilder {
            def,
            file: file.to_string(),
            sheet,
            buffers: def.columns.iter().map(Buffer::new).collect(),
            source_index,
            scale,
            rows: Vec::with_capacity(BATCH_ROWS),
            writer,
            findings: Vec::new(),
            stats: FileStats {
                header_row,
                header: header.cells.clone(),
                sorted_per_line: true,
                ..FileStats::default()
            },
            order: (table == Table::Samples).then(LineOrder::default),
            bad: vec![ParseTally::default(); def.columns.len()],
            time_col,
            latency_only,
            rejected: std::collections::HashSet::new(),
        })
    }

    /// Records a finding about `row`; `time` is the row's time column, when readable,
    /// so that `check` can place the finding in a period.
    #[allow(clippy::too_many_arguments)]
    fn finding(
        &mut self,
        code: Code,
        row: u64,
        col: usize,
        line_id: Option<&str>,
        msg: String,
        time: Option<i64>,
    ) {
        self.findings.push(RowFinding {
            finding: Finding {
                file: Some(self.file.clone()),
                sheet: self.sheet.clone(),
                row: Some(row),
                column: Some(self.def.columns[col].name.to_string()),
                line_id: line_id.map(str::to_string),
                ..Finding::new(code, self.def.name, msg)
            },
            time: time.map(millis_to_datetime),
        });
    }

    /// The row's time column as milliseconds (dates at midnight), if it parsed.
    fn row_time(&self, values: &[Value]) -> Option<i64> {
        match values[self.time_col] {
            Value::Millis(ms) => Some(ms),
            Value::Days(d) => Some(d as i64 * 86_400_000),
            _ => None,
        }
    }

    /// Adds one data row (1-based `row` number as a person sees it).
    pub fn push_row(&mut self, row: u64, cells: &[Cell]) -> Result<(), IngestError> {
        if cells.iter().all(is_blank) {
            return Ok(());
        }
        if is_summary_row(cells) {
            self.stats.summary_rows += 1;
            return Ok(());
        }
        self.stats.rows_read += 1;
        let mut values: Vec<Value> = Vec::with_capacity(self.def.columns.len());
        // (code, column, message) found in this row, recorded once its time is known.
        let mut problems: Vec<(Code, usize, String)> = Vec::new();
        for (i, col) in self.def.columns.iter().enumerate() {
            let cell = self.source_index[i]
                .and_then(|s| cells.get(s))
                .copied()
                .unwrap_or(Cell::Empty);
            match parse_value(col.ty, &cell, self.scale[i]) {
                Ok(v) => {
                    if v != Value::Null {
                        self.bad[i].seen += 1;
                    }
                    values.push(v);
                }
                Err(_) => {
                    let shown = cell.display();
                    let tally = &mut self.bad[i];
                    tally.seen += 1;
                    tally.failed += 1;
                    if tally.first.is_none() {
                        tally.first = Some((row, shown.clone()));
                    }
                    let message =
                        format!("“{shown}” 无法解析为{}（列 {}）", col.ty.label(), col.name);
                    problems.push((Code::Parse, i, message));
                    values.push(Value::Null);
                }
            }
        }
        if self.def.table == Table::Samples {
            derive_reachable(self.def, &mut values, self.latency_only);
        }
        for group in self.def.required {
            let present = group.iter().any(|name| {
                let i = self.column_index(name);
                values[i] != Value::Null || self.bad_cell(cells, i)
            });
            if !present {
                let i = self.column_index(group[0]);
                let names = group.join(" / ");
                problems.push((
                    Code::MissingRequired,
                    i,
                    format!("必填列 {names} 为空，该行未采用"),
                ));
            }
        }
        if !problems.is_empty() {
            if !self.rejected.insert(raw_row_hash(cells)) {
                self.stats.exact_duplicates += 1;
                return Ok(());
            }
            let line = self.line_id_of(cells);
            let time = self.row_time(&values);
            for (code, col, message) in problems {
                self.finding(code, row, col, line.as_deref(), message, time);
            }
            self.stats.rows_rejected += 1;
            return Ok(());
        }
        if let Some(ms) = self.row_time(&values) {
            let t = millis_to_datetime(ms);
            self.stats.time_min = Some(self.stats.time_min.map_or(t, |m| m.min(t)));
            self.stats.time_max = Some(self.stats.time_max.map_or(t, |m| m.max(t)));
        }
        if self.order.is_some() && self.is_repeat_sample(row, &values) {
            return Ok(());
        }
        for (b, v) in self.buffers.iter_mut().zip(&values) {
            b.push(v);
        }
        self.rows.push(row.min(u32::MAX as u64) as u32);
        if self.rows.len() >= BATCH_ROWS {
            self.flush()?;
        }
        Ok(())
    }

    fn column_index(&self, name: &str) -> usize {
        self.def
            .columns
            .iter()
            .position(|c| c.name == name)
            .expect("required columns are defined")
    }

    /// True when the cell exists and is not blank (it failed to parse: not "missing").
    fn bad_cell(&self, cells: &[Cell], i: usize) -> bool {
        self.source_index[i]
            .and_then(|s| cells.get(s))
            .is_some_and(|c| !is_blank(c))
    }

    fn line_id_of(&self, cells: &[Cell]) -> Option<String> {
        let i = self.def.columns.iter().position(|c| c.name == "line_id")?;
        self.source_index[i]
            .and_then(|s| cells.get(s))
            .and_then(values::parse_str)
    }

    /// Drops a sample whose (line_id, time) repeats the line's previous sample: silently
    /// when the values are the same, with a `duplicate` finding when they differ.
    fn is_repeat_sample(&mut self, row: u64, values: &[Value]) -> bool {
        let line_col = self.column_index("line_id");
        let (Value::Str(line), Value::Millis(ms)) = (&values[line_col], &values[self.time_col])
        else {
            return false;
        };
        let mut hasher = RowHasher::default();
        for v in values {
            hash_value(v, &mut hasher);
        }
        let hash = hasher.finish();
        let ms = *ms;
        let order = self.order.as_mut().expect("checked by caller");
        // Look up by &str: a line's entry is allocated once, not per sample.
        let repeat = match order.last.get_mut(line.as_ref()) {
            None => {
                order.last.insert(line.to_string(), (ms, hash));
                None
            }
            Some(last) if last.0 == ms => Some(last.1 == hash),
            Some(last) => {
                if ms < last.0 {
                    // Duplicates may not be adjacent in this file: check falls back to polars.
                    self.stats.sorted_per_line = false;
                }
                *last = (ms, hash);
                None
            }
        };
        match repeat {
            None => false,
            Some(true) => {
                self.stats.exact_duplicates += 1;
                true
            }
            Some(false) => {
                let time = millis_to_datetime(ms).format("%Y-%m-%d %H:%M:%S");
                let message =
                    format!("线路 {line} 在 {time} 有两条取值不同的采样，保留先出现的一条");
                self.finding(
                    Code::Duplicate,
                    row,
                    line_col,
                    Some(line),
                    message,
                    Some(ms),
                );
                true
            }
        }
    }

    fn flush(&mut self) -> Result<(), IngestError> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let mut columns: Vec<Column> = self
            .buffers
            .iter_mut()
            .zip(self.def.columns)
            .map(|(b, c)| b.take(c))
            .collect();
        columns.push(Column::new(
            ROW_COLUMN.into(),
            std::mem::take(&mut self.rows),
        ));
        let df = DataFrame::new_infer_height(columns)
            .map_err(|e| IngestError::Cache(format!("组装 {} 数据失败：{e}", self.file)))?;
        self.writer
            .write_batch(&df)
            .map_err(|e| IngestError::Cache(format!("写缓存 {} 失败：{e}", self.file)))
    }

    /// Writes the last batch and closes the file. A required column whose values
    /// mostly fail to parse is the wrong type: that stops the ingest with one error.
    pub fn finish(mut self) -> Result<(FileStats, Vec<RowFinding>), IngestError> {
        self.flush()?;
        self.writer
            .finish()
            .map_err(|e| IngestError::Cache(format!("写缓存 {} 失败：{e}", self.file)))?;
        for group in self.def.required {
            for name in *group {
                let i = self.column_index(name);
                let ParseTally {
                    seen,
                    failed,
                    first,
                } = &self.bad[i];
                if *failed > 0 && failed * 2 > *seen {
                    let (row, text) = first.clone().unwrap_or_default();
                    let col = &self.def.columns[i];
                    return Err(IngestError::File {
                        file: self.file.clone(),
                        sheet: self.sheet.clone(),
                        row: Some(row),
                        message: format!(
                            "必填列 {}（{}）类型不符：{failed}/{seen} 个值无法解析为{}，如第 {row} 行的 “{text}”；请检查表头是否对应正确的列",
                            col.name,
                            self.stats.header.get(self.source_index[i].unwrap_or(0)).cloned().unwrap_or_default(),
                            col.ty.label()
                        ),
                    });
                }
            }
        }
        Ok((self.stats, self.findings))
    }
}

fn millis_to_datetime(ms: i64) -> NaiveDateTime {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|d| d.naive_utc())
        .unwrap_or_default()
}

/// A fast, non-cryptographic hasher (FxHash's multiply-rotate) for comparing rows.
#[derive(Default)]
struct RowHasher(u64);

impl Hasher for RowHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A hash of a row's cells as exported (text as shown), to tell repeated rows apart.
fn raw_row_hash(cells: &[Cell]) -> u64 {
    let mut hasher = RowHasher::default();
    for c in cells {
        c.display().hash(&mut hasher);
    }
    hasher.finish()
}

fn hash_value<H: Hasher>(v: &Value, h: &mut H) {
    match v {
        Value::Null => 0u8.hash(h),
        Value::Str(s) => s.hash(h),
        Value::Float(x) => x.to_bits().hash(h),
        Value::Int(x) | Value::Millis(x) => x.hash(h),
        Value::Bool(x) => x.hash(h),
        Value::Days(x) => x.hash(h),
    }
}

/// A sample's `reachable` when the export does not say: `loss_pct < 100` (SPEC §4),
/// else whether it has a latency value (SPEC §7). In a file without reachable and loss
/// columns a sample without latency is an unreachable one (monitoring systems leave
/// the latency of a timed-out probe empty); elsewhere a row with none of the three is
/// left as it is, and rejected as `missing_required`.
fn derive_reachable(def: &TableDef, values: &mut [Value], latency_only: bool) {
    let index = |name: &str| def.columns.iter().position(|c| c.name == name);
    let (Some(r), Some(l), Some(lat)) =
        (index("reachable"), index("loss_pct"), index("latency_ms"))
    else {
        return;
    };
    if values[r] != Value::Null {
        return;
    }
    let has_latency = matches!(values[lat], Value::Float(_));
    values[r] = match values[l] {
        Value::Float(loss) => Value::Bool(loss < 100.0),
        _ if has_latency || latency_only => Value::Bool(has_latency),
        _ => Value::Null,
    };
}

/// An empty cell or one holding only spaces.
pub fn is_blank(c: &Cell) -> bool {
    match c {
        Cell::Empty => true,
        Cell::Text(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// A 合计/小计/总计 row at the bottom (or between groups) of an export.
pub fn is_summary_row(cells: &[Cell]) -> bool {
    cells
        .iter()
        .filter(|c| !is_blank(c))
        .take(3)
        .any(|c| match c {
            Cell::Text(s) => {
                let t = s.trim();
                t.starts_with("合计") || t.starts_with("小计") || t.starts_with("总计")
            }
            _ => false,
        })
}

/// A unit in the header's brackets sets the scale of bare numbers:
/// `入流量(Mbps)` holds Mbps, stored as bps; `带宽(G)` holds Gbps, stored as Mbps.
fn header_unit_scale(ty: ColType, header: &str) -> f64 {
    let norm = super::header::normalise_header(header);
    let unit = norm
        .strip_suffix(')')
        .and_then(|s| s.rfind('(').map(|i| s[i + 1..].to_string()))
        .unwrap_or_default();
    let unit = unit.trim_end_matches("bps").trim_end_matches("/s");
    match (ty, unit) {
        (ColType::Bps, "k") => 1e3,
        (ColType::Bps, "m") => 1e6,
        (ColType::Bps, "g") => 1e9,
        (ColType::Mbps, "g") => 1e3,
        (ColType::Mbps, "k") => 1e-3,
        _ => 1.0,
    }
}

fn parse_value<'a>(
    ty: ColType,
    cell: &Cell<'a>,
    scale: f64,
) -> Result<Value<'a>, values::BadValue> {
    let v = match ty {
        ColType::Str => match cell {
            Cell::Text(s) => {
                let t = s.trim();
                if t.is_empty() {
                    Value::Null
                } else {
                    Value::Str(std::borrow::Cow::Borrowed(t))
                }
            }
            other => values::parse_str(other).map_or(Value::Null, |s| Value::Str(s.into())),
        },
        ColType::AccessType => {
            values::parse_access_type(cell)?.map_or(Value::Null, |s| Value::Str(s.into()))
        }
        ColType::Period => {
            values::parse_period_label(cell)?.map_or(Value::Null, |s| Value::Str(s.into()))
        }
        ColType::Float => values::parse_float(cell)?.map_or(Value::Null, Value::Float),
        ColType::Mbps => values::parse_mbps(cell, scale)?.map_or(Value::Null, Value::Float),
        ColType::Bps => values::parse_bps(cell, scale)?.map_or(Value::Null, Value::Float),
        ColType::Int => values::parse_int(cell)?.map_or(Value::Null, Value::Int),
        ColType::Level => values::parse_level(cell)?.map_or(Value::Null, Value::Int),
        ColType::Bool => values::parse_bool(cell)?.map_or(Value::Null, Value::Bool),
        ColType::DateTime => values::parse_datetime(cell)?.map_or(Value::Null, |d| {
            Value::Millis(d.and_utc().timestamp_millis())
        }),
        ColType::Date => values::parse_date(cell)?.map_or(Value::Null, |d| {
            Value::Days(
                (d - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch")).num_days() as i32,
            )
        }),
    };
    Ok(v)
}
