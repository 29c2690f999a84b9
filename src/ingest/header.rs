//! Header detection and alias matching (SPEC §4): finds the header row under any
//! title rows and maps each raw header to a canonical column.

use super::values::half_width;
use crate::tables::TableDef;
use std::collections::BTreeMap;

/// How many rows from the top are searched for the header.
pub const HEADER_SEARCH_ROWS: usize = 20;

/// Normalises a header for matching: trimmed, half-width, case folded, no spaces.
pub fn normalise_header(raw: &str) -> String {
    half_width(raw)
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(|c| c.to_lowercase())
        .collect()
}

/// Drops a trailing unit in brackets: `时延(ms)` → `时延`.
fn without_unit(norm: &str) -> Option<&str> {
    let stripped = norm.strip_suffix(')')?;
    let open = stripped.rfind('(')?;
    let rest = &stripped[..open];
    (!rest.is_empty()).then_some(rest)
}

/// The aliases of one table: normalised header → canonical column.
#[derive(Debug, Clone)]
pub struct AliasTable {
    map: BTreeMap<String, &'static str>,
}

impl AliasTable {
    /// Built-in aliases plus the workspace's `columns:` extras (alias → canonical name).
    pub fn new(def: &'static TableDef, extra: &BTreeMap<String, String>) -> AliasTable {
        let mut map = BTreeMap::new();
        for col in def.columns {
            map.insert(normalise_header(col.name), col.name);
            for alias in col.aliases {
                map.entry(normalise_header(alias)).or_insert(col.name);
            }
        }
        for (alias, canonical) in extra {
            if let Some(col) = def.column(canonical) {
                // A configured alias wins over a built-in one.
                map.insert(normalise_header(alias), col.name);
            }
        }
        AliasTable { map }
    }

    /// The canonical column a raw header names, if any.
    pub fn lookup(&self, raw: &str) -> Option<&'static str> {
        let norm = normalise_header(raw);
        if norm.is_empty() {
            return None;
        }
        self.map
            .get(&norm)
            .or_else(|| without_unit(&norm).and_then(|n| self.map.get(n)))
            .copied()
    }

    /// Every alias, for the message about a missing column.
    pub fn aliases_of(&self, canonical: &str) -> Vec<String> {
        self.map
            .iter()
            .filter(|(_, c)| **c == canonical)
            .map(|(a, _)| a.clone())
            .collect()
    }
}

/// The header row found in a sheet and where each canonical column sits.
#[derive(Debug, Clone)]
pub struct Header {
    /// 0-based index of the header row among the rows given.
    pub row: usize,
    /// The raw header cells as found.
    pub cells: Vec<String>,
    /// Canonical column → 0-based source column index (first match wins).
    pub columns: BTreeMap<&'static str, usize>,
}

/// Finds the header among the first rows: the first row where most non-empty cells
/// match a known alias (and at least two do); failing that, the row matching most.
pub fn detect_header(rows: &[(u64, Vec<String>)], aliases: &AliasTable) -> Option<Header> {
    let mut best: Option<(usize, usize)> = None;
    for (i, (_, row)) in rows.iter().take(HEADER_SEARCH_ROWS).enumerate() {
        let non_empty = row.iter().filter(|c| !c.trim().is_empty()).count();
        let matched = row.iter().filter(|c| aliases.lookup(c).is_some()).count();
        if matched >= 2 && matched * 2 > non_empty {
            return Some(build_header(i, row, aliases));
        }
        if matched > 0 && best.is_none_or(|(_, m)| matched > m) {
            best = Some((i, matched));
        }
    }
    best.map(|(i, _)| build_header(i, &rows[i].1, aliases))
}

fn build_header(row: usize, cells: &[String], aliases: &AliasTable) -> Header {
    let mut columns = BTreeMap::new();
    for (i, cell) in cells.iter().enumerate() {
        if let Some(canonical) = aliases.lookup(cell) {
            columns.entry(canonical).or_insert(i);
        }
    }
    Header {
        row,
        cells: cells.to_vec(),
        columns,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::Table;

    fn strings(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn units_in_brackets_and_full_width_are_ignored() {
        let a = AliasTable::new(Table::Samples.def(), &BTreeMap::new());
        assert_eq!(a.lookup("时延（ms）"), Some("latency_ms"));
        assert_eq!(a.lookup(" 时延(ms) "), Some("latency_ms"));
        assert_eq!(a.lookup("时延"), Some("latency_ms"));
        assert_eq!(a.lookup("LATENCY_MS"), Some("latency_ms"));
        assert_eq!(a.lookup("丢包率（%）"), Some("loss_pct"));
        assert_eq!(a.lookup("备注"), None);
    }

    #[test]
    fn configured_aliases_are_used() {
        let extra = BTreeMap::from([("平均时延(ms)".to_string(), "latency_ms".to_string())]);
        let a = AliasTable::new(Table::Samples.def(), &extra);
        assert_eq!(a.lookup("平均时延（MS）"), Some("latency_ms"));
    }

    #[test]
    fn header_under_title_rows() {
        let a = AliasTable::new(Table::Samples.def(), &BTreeMap::new());
        let rows = vec![
            (1, strings(&["性能数据导出 2025-07-01至2025-09-30"])),
            (2, strings(&[])),
            (
                3,
                strings(&["采集时间", "线路编号", "时延(ms)", "丢包率(%)", "备注"]),
            ),
            (4, strings(&["2025-07-01 00:00:00", "L1", "3", "0", ""])),
        ];
        let h = detect_header(&rows, &a).unwrap();
        assert_eq!(h.row, 2);
        assert_eq!(h.columns["line_id"], 1);
        assert_eq!(h.columns["loss_pct"], 3);
    }
}
