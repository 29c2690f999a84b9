//! The in-order half of building a cached table: takes the parsed chunks of one
//! source file in file order, drops repeated rows, records the findings of the rows
//! left out (`parse`, `missing_required`, `duplicate`) with their file and row, and
//! writes the typed rows to a Parquet file.
//!
//! Parsing is done before, on any thread, by [`super::rows::RowParser`].

use super::header::Header;
use super::rows::{widen, Chunk, ParseTally, Rejected, SampleKey};
use super::IngestError;
use crate::findings::{Code, Finding};
use crate::tables::{ColType, Table, TableDef};
use chrono::NaiveDateTime;
use polars::prelude::*;
use std::collections::{HashMap, HashSet};

pub use super::rows::{is_blank, is_summary_row, ROW_COLUMN};

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

/// A finding about one source row, with the row's time (if readable) to place it
/// in a period.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RowFinding {
    pub finding: Finding,
    pub time: Option<NaiveDateTime>,
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

/// The last sample of each line so far, to drop repeated samples: when each line's
/// times only grow, a repeated (line_id, time) is the line's previous sample.
#[derive(Default)]
struct LineOrder {
    slot: HashMap<String, usize>,
    /// Per slot: the time and values hash of the line's last sample.
    last: Vec<Option<(i64, u64)>>,
}

impl LineOrder {
    /// The slot of each of a chunk's lines (new lines get a new slot).
    fn slots_of(&mut self, lines: &[String]) -> Vec<usize> {
        lines
            .iter()
            .map(|line| match self.slot.get(line) {
                Some(&s) => s,
                None => {
                    self.slot.insert(line.clone(), self.last.len());
                    self.last.push(None);
                    self.last.len() - 1
                }
            })
            .collect()
    }
}

/// Whether a sample repeats its line's previous one (same time), and if so whether
/// its values are the same too.
enum Repeat {
    No,
    Same,
    Differs,
}

/// Builds one cached Parquet file from the parsed chunks of one source file.
pub struct TableBuilder {
    def: &'static TableDef,
    file: String,
    sheet: Option<String>,
    /// For each canonical column, its source column index (if the file has it).
    source_index: Vec<Option<usize>>,
    writer: polars::io::parquet::write::BatchedWriter<std::fs::File>,
    findings: Vec<RowFinding>,
    stats: FileStats,
    /// Samples only: each line's last sample.
    order: Option<LineOrder>,
    /// Per canonical column: how its values parsed, to tell a wrong-type column.
    tallies: Vec<ParseTally>,
    time_span: Option<(i64, i64)>,
    /// Hashes of the rejected rows seen so far: a rejected row exported twice is an
    /// exact duplicate, dropped before its findings (SPEC §6), not reported twice.
    rejected: HashSet<u64>,
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
        let writer = ParquetWriter::new(out)
            .with_compression(ParquetCompression::Lz4Raw)
            .batched(&cache_schema(def))
            .map_err(|e| IngestError::Cache(format!("写缓存 {file} 失败：{e}")))?;
        Ok(TableBuilder {
            def,
            file: file.to_string(),
            sheet,
            source_index: def
                .columns
                .iter()
                .map(|c| header.columns.get(c.name).copied())
                .collect(),
            writer,
            findings: Vec::new(),
            stats: FileStats {
                header_row,
                header: header.cells.clone(),
                sorted_per_line: true,
                ..FileStats::default()
            },
            order: (table == Table::Samples).then(LineOrder::default),
            tallies: vec![ParseTally::default(); def.columns.len()],
            time_span: None,
            rejected: HashSet::new(),
        })
    }

    /// Takes the next chunk of the file (chunks come in file order): settles its rows
    /// and writes the ones kept.
    pub fn take(&mut self, mut chunk: Chunk) -> Result<(), IngestError> {
        self.stats.rows_read += chunk.rows_read;
        self.stats.summary_rows += chunk.summary_rows;
        for (total, part) in self.tallies.iter_mut().zip(&chunk.tallies) {
            total.add(part);
        }
        if let Some(span) = chunk.time_span {
            self.time_span = widen(self.time_span, span);
        }
        let keep = self.settle(&chunk);
        let mut frame = chunk
            .frame
            .take()
            .expect("a chunk is sealed before it is taken");
        if keep.contains(&false) {
            let mask = BooleanChunked::from_slice("keep".into(), &keep);
            frame = frame.filter(&mask).map_err(|e| self.cache_error(e))?;
        }
        if frame.height() > 0 {
            self.writer
                .write_batch(&frame)
                .map_err(|e| self.cache_error(e))?;
        }
        Ok(())
    }

    fn cache_error(&self, e: PolarsError) -> IngestError {
        IngestError::Cache(format!("写缓存 {} 失败：{e}", self.file))
    }

    /// Walks the chunk's rows in row order: records the rejected ones and tells, for
    /// each accepted row, whether it is kept (false: a repeated sample).
    fn settle(&mut self, chunk: &Chunk) -> Vec<bool> {
        let slots = self.order.as_mut().map(|o| o.slots_of(&chunk.lines));
        let mut keep = vec![true; chunk.rows.len()];
        let mut rejected = chunk.rejected.iter().peekable();
        for (i, &row) in chunk.rows.iter().enumerate() {
            while let Some(r) = rejected.next_if(|r| r.row < row) {
                self.reject(r);
            }
            let (Some(slots), Some(Some(key))) = (&slots, chunk.keys.get(i)) else {
                continue;
            };
            let line = &chunk.lines[key.line as usize];
            keep[i] = !self.is_repeat_sample(slots[key.line as usize], key, row, line);
        }
        for r in rejected {
            self.reject(r);
        }
        keep
    }

    /// Records the findings of a row left out, unless the same row was left out before.
    fn reject(&mut self, r: &Rejected) {
        if !self.rejected.insert(r.raw_hash) {
            self.stats.exact_duplicates += 1;
            return;
        }
        for (code, col, message) in &r.problems {
            let line = r.line_id.as_deref();
            self.finding(*code, r.row, *col, line, message.clone(), r.time);
        }
        self.stats.rows_rejected += 1;
    }

    /// Records a finding about `row`; `time` is the row's time column, when readable,
    /// so that `check` can place the finding in a period.
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

    /// True for a sample whose (line_id, time) repeats the line's previous sample,
    /// which is dropped: silently when the values are the same, with a `duplicate`
    /// finding when they differ.
    fn is_repeat_sample(&mut self, slot: usize, key: &SampleKey, row: u64, line: &str) -> bool {
        let order = self.order.as_mut().expect("samples have a line order");
        let last = &mut order.last[slot];
        let repeat = match last {
            Some((ms, hash)) if *ms == key.ms => {
                if *hash == key.hash {
                    Repeat::Same
                } else {
                    Repeat::Differs
                }
            }
            Some((ms, _)) => {
                if key.ms < *ms {
                    // Duplicates may not be adjacent in this file: check falls back to polars.
                    self.stats.sorted_per_line = false;
                }
                Repeat::No
            }
            None => Repeat::No,
        };
        match repeat {
            Repeat::No => {
                *last = Some((key.ms, key.hash));
                false
            }
            Repeat::Same => {
                self.stats.exact_duplicates += 1;
                true
            }
            Repeat::Differs => {
                let time = millis_to_datetime(key.ms).format("%Y-%m-%d %H:%M:%S");
                let message =
                    format!("线路 {line} 在 {time} 有两条取值不同的采样，保留先出现的一条");
                let line_col = self.def.column_index("line_id");
                self.finding(
                    Code::Duplicate,
                    row,
                    line_col,
                    Some(line),
                    message,
                    Some(key.ms),
                );
                true
            }
        }
    }

    /// Closes the file. A required column whose values mostly fail to parse is the
    /// wrong type: that stops the ingest with one error.
    pub fn finish(mut self) -> Result<(FileStats, Vec<RowFinding>), IngestError> {
        self.writer.finish().map_err(|e| self.cache_error(e))?;
        if let Some(e) = self.wrong_type() {
            return Err(e);
        }
        self.stats.time_min = self.time_span.map(|(a, _)| millis_to_datetime(a));
        self.stats.time_max = self.time_span.map(|(_, b)| millis_to_datetime(b));
        Ok((self.stats, self.findings))
    }

    /// The error for the first required column most of whose values failed to parse.
    fn wrong_type(&self) -> Option<IngestError> {
        let names = self.def.required.iter().flat_map(|group| group.iter());
        for name in names {
            let i = self.def.column_index(name);
            let ParseTally {
                seen,
                failed,
                first,
            } = &self.tallies[i];
            if *failed == 0 || failed * 2 <= *seen {
                continue;
            }
            let (row, text) = first.clone().unwrap_or_default();
            let col = &self.def.columns[i];
            let source = self.source_index[i]
                .and_then(|s| self.stats.header.get(s))
                .cloned()
                .unwrap_or_default();
            return Some(IngestError::File {
                file: self.file.clone(),
                sheet: self.sheet.clone(),
                row: Some(row),
                message: format!(
                    "必填列 {}（{source}）类型不符：{failed}/{seen} 个值无法解析为{}，如第 {row} 行的 “{text}”；请检查表头是否对应正确的列",
                    col.name,
                    col.ty.label()
                ),
            });
        }
        None
    }
}

fn millis_to_datetime(ms: i64) -> NaiveDateTime {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|d| d.naive_utc())
        .unwrap_or_default()
}
