//! Entry points for the fuzzers (`fuzz/`, `make fuzz`): each takes arbitrary bytes and
//! runs them through what gwq does with a user's file. Any of them may refuse the
//! input; none may panic. The regression inputs under `tests/fixtures/fuzz/<target>/`
//! run through the same functions in `make test`.

use crate::ingest::build::TableBuilder;
use crate::ingest::header::{detect_header, normalise_header, AliasTable};
use crate::ingest::read::read_source;
use crate::ingest::rows::RowParser;
use crate::ingest::values::{self, Cell};
use crate::ingest::IngestError;
use crate::tables::Table;
use crate::workspace::SourceFile;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// A fuzz target: bytes in, refused or read, never a panic.
pub type Target = fn(&[u8]);

/// The fuzz targets by name, as `fuzz/fuzz_targets/` and the fixture folders call them.
pub const TARGETS: [(&str, Target); 5] = [
    ("csv", csv),
    ("excel", excel),
    ("values", values_and_headers),
    ("scheme", scheme_yaml),
    ("workspace", workspace_yaml),
];

/// The bytes as a samples export in CSV (then as TSV), ingested to a Parquet file.
pub fn csv(data: &[u8]) {
    ingest_as(data, "s.csv");
    ingest_as(data, "s.tsv");
}

/// The bytes as an Excel workbook (.xlsx, then .xls), ingested as a faults export.
pub fn excel(data: &[u8]) {
    quiet_calamine_panics();
    ingest_as(data, "f.xlsx");
    ingest_as(data, "f.xls");
}

/// Makes the panic hook (libFuzzer's aborts on any panic) pass over a panic inside
/// calamine, which gwq catches and reports as a damaged file, as the binary's does.
fn quiet_calamine_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !crate::ingest::read::in_calamine() {
                previous(info);
            }
        }));
    });
}

/// Reads `data` saved under `name` as the table its name starts with (s: samples,
/// f: faults) the way `gwq ingest` does: header detection, row parsing, the cache.
fn ingest_as(data: &[u8], name: &str) {
    let table = if name.starts_with('s') {
        Table::Samples
    } else {
        Table::Faults
    };
    let dir = Scratch::new();
    let path = dir.path().join(name);
    std::fs::write(&path, data).expect("the temporary file is written");
    let file = SourceFile {
        path,
        display: name.to_string(),
        sheet: None,
    };
    let aliases = AliasTable::new(table.def(), &Default::default());
    let out = dir.path().join("out.parquet");
    let mut builder = None;
    let mut on_header = |rows: &[(u64, Vec<String>)]| {
        let header = detect_header(rows, &aliases)
            .ok_or_else(|| IngestError::file(&file, "no header".to_string()))?;
        let out = std::fs::File::create(&out).map_err(|e| IngestError::io(&file, e))?;
        let row = rows[header.row].0;
        builder = Some(TableBuilder::new(table, name, None, &header, row, out)?);
        Ok((header.row, RowParser::new(table, &header)))
    };
    let mut taken = Vec::new();
    let mut on_chunk = |chunk| {
        taken.push(chunk);
        Ok(())
    };
    if read_source(&file, &mut on_header, &mut on_chunk, &|_| {}).is_err() {
        return;
    }
    let Some(mut builder) = builder else { return };
    for chunk in taken {
        if builder.take(chunk).is_err() {
            return;
        }
    }
    let _ = builder.finish();
}

/// The bytes as text: every value parser on every comma-separated cell, and header
/// detection for every table on the lines as rows.
pub fn values_and_headers(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let rows: Vec<(u64, Vec<String>)> = text
        .lines()
        .enumerate()
        .map(|(i, line)| (i as u64 + 1, line.split(',').map(str::to_string).collect()))
        .collect();
    for (_, row) in &rows {
        for cell in row {
            every_value_parser(cell, cell.parse::<f64>().unwrap_or(f64::NAN));
            let _ = normalise_header(cell);
        }
    }
    for table in Table::ALL {
        let aliases = AliasTable::new(table.def(), &Default::default());
        let _ = detect_header(&rows, &aliases);
    }
}

/// Every value parser on `text` as a cell, and on `number` as an Excel number cell.
pub(crate) fn every_value_parser(text: &str, number: f64) {
    for cell in [Cell::Text(text), Cell::Number(number)] {
        let _ = values::parse_str(&cell);
        let _ = values::parse_float(&cell);
        let _ = values::parse_mbps(&cell, 1e3);
        let _ = values::parse_bps(&cell, 1e6);
        let _ = values::parse_int(&cell);
        let _ = values::parse_level(&cell);
        let _ = values::parse_bool(&cell);
        let _ = values::parse_access_type(&cell);
        let _ = values::parse_period_label(&cell);
        let _ = values::parse_datetime(&cell);
        let _ = values::parse_date(&cell);
    }
    let _ = values::parse_duration_seconds(text);
    let _ = text.parse::<crate::period::Period>();
}

/// The bytes as an indicator scheme and as billing rules.
pub fn scheme_yaml(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = crate::scheme::Scheme::parse("fiber", "fiber.yaml", &text);
    let _ = crate::fees::rules::BillingRules::parse("billing.yaml", &text);
}

/// The bytes as a workspace's gwq.yaml, loaded and validated.
pub fn workspace_yaml(data: &[u8]) {
    let dir = Scratch::new();
    std::fs::write(dir.path().join("gwq.yaml"), data).expect("gwq.yaml is written");
    let _ = crate::workspace::Workspace::load(dir.path());
}

/// A folder of its own under the system's temporary folder, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Scratch {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("gwq-fuzz-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary folder");
        Scratch(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    /// Every input under `tests/fixtures/fuzz/<target>/` (the seeds, and each input a
    /// fuzzer once crashed on, minimised) goes through its target without a panic.
    #[test]
    fn fuzz_regression_inputs_pass() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
        let mut ran = 0;
        for (name, target) in super::TARGETS {
            let dir = root.join(name);
            let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{dir:?}: {e}"));
            for entry in entries {
                let path = entry.unwrap().path();
                target(&std::fs::read(&path).unwrap());
                ran += 1;
            }
        }
        assert!(ran >= super::TARGETS.len(), "each target has inputs");
    }
}
