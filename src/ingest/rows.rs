//! The per-row half of building a cached table: parses a source row's cells into
//! typed values and gathers them, a block of rows at a time, into a [`Chunk`].
//!
//! A [`RowParser`] holds no state that changes, so readers run it on every core at
//! once (one chunk per block of a large CSV). What needs the rows in file order —
//! dropping repeated rows, numbering findings, writing the Parquet file — is done
//! afterwards, chunk by chunk in order, by [`super::build::TableBuilder`].

use super::header::Header;
use super::read::ParseRows;
use super::values::{self, Cell};
use crate::findings::Code;
use crate::tables::{ColType, ColumnDef, Table, TableDef};
use polars::prelude::*;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

/// Name of the column holding each row's 1-based source row number.
pub const ROW_COLUMN: &str = "_row";

/// One typed value of a row being built.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Value<'a> {
    Null,
    Str(std::borrow::Cow<'a, str>),
    Float(f64),
    Int(i64),
    Bool(bool),
    Millis(i64),
    Days(i32),
}

/// The values of one canonical column for the rows of a chunk.
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
                Buffer::Str(StringChunkedBuilder::new(col.name.into(), 1024))
            }
            ColType::Float | ColType::Mbps | ColType::Bps => Buffer::Float(Vec::new()),
            ColType::Int | ColType::Level => Buffer::Int(Vec::new()),
            ColType::Bool => Buffer::Bool(Vec::new()),
            ColType::DateTime => Buffer::Millis(Vec::new()),
            ColType::Date => Buffer::Days(Vec::new()),
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

    /// The buffered values as a column.
    fn into_column(self, col: &ColumnDef) -> Column {
        let name: PlSmallStr = col.name.into();
        match self {
            Buffer::Str(b) => b.finish().into_column(),
            Buffer::Float(v) => Column::new(name, v),
            Buffer::Int(v) => Column::new(name, v),
            Buffer::Bool(v) => Column::new(name, v),
            Buffer::Millis(v) => Int64Chunked::from_iter_options(name, v.into_iter())
                .into_datetime(TimeUnit::Milliseconds, None)
                .into_column(),
            Buffer::Days(v) => Int32Chunked::from_iter_options(name, v.into_iter())
                .into_date()
                .into_column(),
        }
    }
}

/// How the values of one column parsed: non-empty values, failures, first failure.
#[derive(Debug, Clone, Default)]
pub(super) struct ParseTally {
    pub seen: u64,
    pub failed: u64,
    pub first: Option<(u64, String)>,
}

impl ParseTally {
    /// Adds the tally of a later chunk of the same column.
    pub fn add(&mut self, later: &ParseTally) {
        self.seen += later.seen;
        self.failed += later.failed;
        if self.first.is_none() {
            self.first = later.first.clone();
        }
    }
}

/// What a repeated sample is recognised by: its line (an index into the chunk's
/// [`Chunk::lines`]), its time and a hash of all its values.
#[derive(Debug, Clone, Copy)]
pub(super) struct SampleKey {
    pub line: u32,
    pub ms: i64,
    pub hash: u64,
}

/// A row left out, with what was wrong with it (code, column, message).
pub(super) struct Rejected {
    pub row: u64,
    /// A hash of the row as exported: the same row exported twice is reported once.
    pub raw_hash: u64,
    pub line_id: Option<String>,
    pub time: Option<i64>,
    pub problems: Vec<(Code, usize, String)>,
}

/// The rows of one block of a source file, parsed.
pub struct Chunk {
    columns: Vec<Buffer>,
    /// The accepted rows as a frame, once the chunk is sealed.
    pub(super) frame: Option<DataFrame>,
    /// The source row number of each accepted row.
    pub(super) rows: Vec<u64>,
    /// Samples only: each accepted row's key (None without a line or time).
    pub(super) keys: Vec<Option<SampleKey>>,
    /// The distinct line ids of the chunk, in order of first appearance.
    pub(super) lines: Vec<String>,
    line_index: HashMap<String, u32, BuildHasherDefault<RowHasher>>,
    pub(super) rejected: Vec<Rejected>,
    pub(super) rows_read: u64,
    pub(super) summary_rows: u64,
    pub(super) time_span: Option<(i64, i64)>,
    pub(super) tallies: Vec<ParseTally>,
    /// The last row's values, emptied: their allocation serves the next row.
    spare: Vec<Value<'static>>,
}

/// Parses the data rows of one source file of a table, given its header.
pub struct RowParser {
    def: &'static TableDef,
    /// For each canonical column, its source column index (if the file has it).
    source_index: Vec<Option<usize>>,
    /// For each canonical column, the factor a bare number is multiplied by.
    scale: Vec<f64>,
    time_col: usize,
    /// Samples only: the line_id column (repeated samples are dropped).
    line_col: Option<usize>,
    /// A samples file with latency but neither reachable nor loss columns: a sample
    /// is reachable when it has a latency value (SPEC §7).
    latency_only: bool,
}

impl RowParser {
    pub fn new(table: Table, header: &Header) -> RowParser {
        let def = table.def();
        let source_index: Vec<Option<usize>> = def
            .columns
            .iter()
            .map(|c| header.columns.get(c.name).copied())
            .collect();
        let scale = def
            .columns
            .iter()
            .zip(&source_index)
            .map(|(c, idx)| idx.map_or(1.0, |i| header_unit_scale(c.ty, &header.cells[i])))
            .collect();
        let index = |name: &str| def.columns.iter().position(|c| c.name == name);
        let has = |name: &str| header.columns.contains_key(name);
        let samples = table == Table::Samples;
        RowParser {
            def,
            source_index,
            scale,
            time_col: index(def.time_column).expect("time column is defined"),
            line_col: if samples { index("line_id") } else { None },
            latency_only: samples && has("latency_ms") && !has("reachable") && !has("loss_pct"),
        }
    }

    fn cell<'c>(&self, cells: &[Cell<'c>], i: usize) -> Cell<'c> {
        self.source_index[i]
            .and_then(|s| cells.get(s))
            .copied()
            .unwrap_or(Cell::Empty)
    }

    /// Parses each canonical column of the row; a value that fails is Null, tallied,
    /// and a `parse` problem.
    fn parse_cells<'c>(
        &self,
        chunk: &mut Chunk,
        row: u64,
        cells: &[Cell<'c>],
        problems: &mut Vec<(Code, usize, String)>,
    ) -> Vec<Value<'c>> {
        let mut values = reuse(std::mem::take(&mut chunk.spare));
        for (i, col) in self.def.columns.iter().enumerate() {
            let cell = self.cell(cells, i);
            let tally = &mut chunk.tallies[i];
            match parse_value(col.ty, &cell, self.scale[i]) {
                Ok(v) => {
                    tally.seen += u64::from(v != Value::Null);
                    values.push(v);
                }
                Err(_) => {
                    let shown = cell.display();
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
        values
    }

    /// A `missing_required` problem for each required group with no value (a value
    /// that failed to parse is not missing: it already has its `parse` problem).
    fn check_required(
        &self,
        cells: &[Cell],
        values: &[Value],
        problems: &mut Vec<(Code, usize, String)>,
    ) {
        for group in self.def.required {
            let present = group.iter().any(|name| {
                let i = self.def.column_index(name);
                values[i] != Value::Null || !is_blank(&self.cell(cells, i))
            });
            if !present {
                let names = group.join(" / ");
                problems.push((
                    Code::MissingRequired,
                    self.def.column_index(group[0]),
                    format!("必填列 {names} 为空，该行未采用"),
                ));
            }
        }
    }

    /// The row's time column as milliseconds (dates at midnight), if it parsed.
    fn row_time(&self, values: &[Value]) -> Option<i64> {
        match values[self.time_col] {
            Value::Millis(ms) => Some(ms),
            Value::Days(d) => Some(d as i64 * 86_400_000),
            _ => None,
        }
    }

    fn reject(
        &self,
        chunk: &mut Chunk,
        row: u64,
        cells: &[Cell],
        values: &[Value],
        problems: Vec<(Code, usize, String)>,
    ) {
        let line_id = self
            .def
            .columns
            .iter()
            .position(|c| c.name == "line_id")
            .and_then(|i| values::parse_str(&self.cell(cells, i)));
        chunk.rejected.push(Rejected {
            row,
            raw_hash: raw_row_hash(cells),
            line_id,
            time: self.row_time(values),
            problems,
        });
    }

    fn accept(&self, chunk: &mut Chunk, row: u64, values: &[Value]) {
        if let Some(ms) = self.row_time(values) {
            chunk.time_span = widen(chunk.time_span, (ms, ms));
        }
        if let Some(line_col) = self.line_col {
            let key = match (&values[line_col], &values[self.time_col]) {
                (Value::Str(line), Value::Millis(ms)) => Some(SampleKey {
                    line: chunk.intern(line),
                    ms: *ms,
                    hash: values_hash(values),
                }),
                _ => None,
            };
            chunk.keys.push(key);
        }
        for (b, v) in chunk.columns.iter_mut().zip(values) {
            b.push(v);
        }
        chunk.rows.push(row);
    }
}

impl ParseRows for RowParser {
    type Chunk = Chunk;

    fn chunk(&self) -> Chunk {
        Chunk {
            columns: self.def.columns.iter().map(Buffer::new).collect(),
            frame: None,
            rows: Vec::new(),
            keys: Vec::new(),
            lines: Vec::new(),
            line_index: HashMap::default(),
            rejected: Vec::new(),
            rows_read: 0,
            summary_rows: 0,
            time_span: None,
            tallies: vec![ParseTally::default(); self.def.columns.len()],
            spare: Vec::new(),
        }
    }

    fn push(&self, chunk: &mut Chunk, row: u64, cells: &[Cell]) {
        if cells.iter().all(is_blank) {
            return;
        }
        if is_summary_row(cells) {
            chunk.summary_rows += 1;
            return;
        }
        chunk.rows_read += 1;
        let mut problems = Vec::new();
        let mut values = self.parse_cells(chunk, row, cells, &mut problems);
        if self.def.table == Table::Samples {
            derive_reachable(self.def, &mut values, self.latency_only);
        }
        self.check_required(cells, &values, &mut problems);
        if problems.is_empty() {
            self.accept(chunk, row, &values);
        } else {
            self.reject(chunk, row, cells, &values, problems);
        }
        chunk.spare = reuse(values);
    }

    /// Turns the buffered values into the chunk's frame (on the worker's thread).
    fn seal(&self, chunk: &mut Chunk) {
        let mut columns: Vec<Column> = std::mem::take(&mut chunk.columns)
            .into_iter()
            .zip(self.def.columns)
            .map(|(b, c)| b.into_column(c))
            .collect();
        let rows: Vec<u32> = chunk
            .rows
            .iter()
            .map(|&r| r.min(u32::MAX as u64) as u32)
            .collect();
        columns.push(Column::new(ROW_COLUMN.into(), rows));
        chunk.frame =
            Some(DataFrame::new_infer_height(columns).expect("every column has one value per row"));
    }

    fn len(&self, chunk: &Chunk) -> usize {
        chunk.rows.len() + chunk.rejected.len()
    }
}

impl Chunk {
    fn intern(&mut self, line: &str) -> u32 {
        if let Some(&i) = self.line_index.get(line) {
            return i;
        }
        let i = self.lines.len() as u32;
        self.lines.push(line.to_string());
        self.line_index.insert(line.to_string(), i);
        i
    }
}

/// The smallest (first, last) span holding `span` (if any) and `more`.
pub(super) fn widen(span: Option<(i64, i64)>, more: (i64, i64)) -> Option<(i64, i64)> {
    Some(span.map_or(more, |(a, b)| (a.min(more.0), b.max(more.1))))
}

/// A fast, non-cryptographic hasher (FxHash's multiply-rotate) for comparing rows.
#[derive(Default)]
pub(super) struct RowHasher(u64);

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

/// A hash of a row's parsed values, to tell a repeated sample from a differing one.
fn values_hash(values: &[Value]) -> u64 {
    let mut h = RowHasher::default();
    for v in values {
        match v {
            Value::Null => 0u8.hash(&mut h),
            Value::Str(s) => s.hash(&mut h),
            Value::Float(x) => x.to_bits().hash(&mut h),
            Value::Int(x) | Value::Millis(x) => x.hash(&mut h),
            Value::Bool(x) => x.hash(&mut h),
            Value::Days(x) => x.hash(&mut h),
        }
    }
    h.finish()
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

/// An empty vector with `v`'s allocation, for values of another lifetime: rows are
/// parsed by the million, and a vector allocated per row would cost more than the
/// parsing. (Collecting a vector's emptied iterator into one of the same layout
/// keeps the allocation.)
pub(super) fn reuse<T, U>(mut v: Vec<T>) -> Vec<U> {
    v.clear();
    v.into_iter()
        .map(|_| unreachable!("the vector is empty"))
        .collect()
}

/// An empty cell or one holding only spaces.
pub fn is_blank(c: &Cell) -> bool {
    match c {
        Cell::Empty => true,
        // Most cells start with a visible character: no need to trim them.
        Cell::Text(s) => {
            !s.as_bytes().first().is_some_and(u8::is_ascii_graphic) && s.trim().is_empty()
        }
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
