//! What a report says about its inputs (SPEC §14 编制说明): each source file with its
//! rows and the first 12 hex digits of its sha256, the data cut-off (the newest record
//! of each table), and the newest record of the tables a scheme reads, which marks a
//! month past it as 截至 in trends.

use crate::ingest::LoadedTable;
use crate::scheme::Scheme;
use crate::tables::Table;
use chrono::NaiveDateTime;
use std::collections::{BTreeMap, BTreeSet};

/// One source file as the 编制说明 lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The table's Chinese title (线路台账, 性能采样, …).
    pub table: &'static str,
    pub file: String,
    pub rows: u64,
    /// The first 12 hex digits of the file's sha256.
    pub sha256_12: String,
    /// The newest record of the file (by the table's time column).
    pub newest: Option<NaiveDateTime>,
}

/// Every ingested source file, in table order then file order.
pub fn files(tables: &BTreeMap<Table, LoadedTable>) -> Vec<SourceFile> {
    tables
        .values()
        .flat_map(|t| {
            t.files.iter().map(|f| SourceFile {
                table: t.table.def().title,
                file: f.path.clone(),
                rows: f.stats.rows_read,
                sha256_12: f.sha256.chars().take(12).collect(),
                newest: f.stats.time_max,
            })
        })
        .collect()
}

/// The newest record of the tables `scheme` reads (master data aside: the inventory
/// and the card list are not records of the period).
pub fn newest_record(
    tables: &BTreeMap<Table, LoadedTable>,
    scheme: &Scheme,
) -> Option<NaiveDateTime> {
    let used: BTreeSet<Table> = scheme
        .indicators()
        .map(|i| i.source)
        .filter(|t| !matches!(t, Table::Inventory | Table::SimCards))
        .collect();
    used.iter()
        .filter_map(|t| tables.get(t))
        .flat_map(|t| t.files.iter().filter_map(|f| f.stats.time_max))
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::build::FileStats;
    use crate::ingest::SourceEntry;
    use crate::score::tests::{scheme_of, table};

    fn entry(table: Table, path: &str, rows: u64, newest: &str) -> SourceEntry {
        SourceEntry {
            table,
            path: path.into(),
            sheet: None,
            size: 1,
            mtime_ns: 0,
            sha256: "0123456789abcdef0123".into(),
            fingerprint: String::new(),
            cache_file: String::new(),
            stats: FileStats {
                rows_read: rows,
                time_max: chrono::NaiveDateTime::parse_from_str(newest, "%Y-%m-%d %H:%M").ok(),
                ..FileStats::default()
            },
            findings: Vec::new(),
        }
    }

    #[test]
    fn files_and_the_newest_record_of_a_schemes_tables() {
        let mut tables = BTreeMap::new();
        for (t, files) in [
            (
                Table::Faults,
                vec![entry(Table::Faults, "工单.xlsx", 17, "2025-08-30 10:00")],
            ),
            (
                Table::Samples,
                vec![
                    entry(Table::Samples, "性能_07.csv", 100, "2025-07-31 23:55"),
                    entry(Table::Samples, "性能_08.csv", 90, "2025-08-20 23:55"),
                ],
            ),
            (
                Table::Inventory,
                vec![entry(Table::Inventory, "台账.xlsx", 16, "2025-09-01 00:00")],
            ),
        ] {
            let mut loaded = table(t, vec![]);
            loaded.files = files;
            tables.insert(t, loaded);
        }
        let listed = files(&tables);
        let shown: Vec<(&str, &str, u64, &str)> = listed
            .iter()
            .map(|f| (f.table, f.file.as_str(), f.rows, f.sha256_12.as_str()))
            .collect();
        assert_eq!(
            shown,
            [
                ("线路台账", "台账.xlsx", 16, "0123456789ab"),
                ("性能采样", "性能_07.csv", 100, "0123456789ab"),
                ("性能采样", "性能_08.csv", 90, "0123456789ab"),
                ("故障工单", "工单.xlsx", 17, "0123456789ab"),
            ]
        );
        // A scheme on samples only: its newest record is the samples' (the inventory's
        // date is master data); with faults too, the faults' later ticket.
        let avail = scheme_of("", "      - { id: A, name: 可用率, measure: availability, source: samples, target: \">= 99\", points: 10, scoring: { rule: threshold } }\n");
        let newest = |s: &Scheme| newest_record(&tables, s).map(|t| t.to_string());
        assert_eq!(newest(&avail).as_deref(), Some("2025-08-20 23:55:00"));
        let both = scheme_of("", "      - { id: A, name: 可用率, measure: availability, source: samples, target: \">= 99\", points: 10, scoring: { rule: threshold } }\n      - { id: N, name: 故障数, measure: count, source: faults, target: \"<= 9\", points: 10, scoring: { rule: threshold } }\n");
        assert_eq!(newest(&both).as_deref(), Some("2025-08-30 10:00:00"));
    }
}
