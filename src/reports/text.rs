//! Wording and cells the report builders share, each made from figures.

use super::monthly::SchemeMonth;
use crate::report::model::RowStyle;
use crate::report::neutral::{Block, Cell, Section, Table as ReportTable};
use crate::tables::Table;

/// A value with two decimals, or "—" without one.
pub fn fmt2(v: Option<f64>) -> Cell {
    v.map_or_else(|| "—".into(), |v| Cell::Number(v, 2))
}

/// `12.50%`, or "—".
pub fn pct_or_dash(v: Option<f64>) -> String {
    v.map_or("—".to_string(), |v| format!("{v:.2}%"))
}

/// `一级 2 起、二级 1 起`.
pub fn count_sentence(counts: &[(String, u64)], unit: &str) -> String {
    let parts: Vec<String> = counts
        .iter()
        .map(|(k, n)| format!("{k} {n} {unit}"))
        .collect();
    parts.join("、")
}

/// The rows (scheme, indicator, target, value, met) of the indicators on `tables`.
pub fn indicator_rows(schemes: &[SchemeMonth], tables: &[Table]) -> Vec<(RowStyle, Vec<Cell>)> {
    let mut rows = Vec::new();
    for x in schemes {
        for (ind, r) in x.scheme.indicators().zip(&x.now.indicators) {
            if !tables.contains(&ind.source) {
                continue;
            }
            let met = r.met_text();
            let style = if r.met == Some(false) {
                RowStyle::Bad
            } else {
                RowStyle::Normal
            };
            rows.push((
                style,
                vec![
                    x.now.scheme.clone().into(),
                    format!("{} {}", r.id, r.name).into(),
                    r.target.clone().into(),
                    fmt2(r.value),
                    met.into(),
                ],
            ));
        }
    }
    rows
}

pub(super) fn section(heading: &str, sheet: Option<&str>) -> Section {
    Section::new(1, heading, sheet)
}

/// The columns of `indicator_rows`.
pub(super) const INDICATOR_HEADERS: [&str; 5] = ["评估方案", "指标", "目标", "本月", "达标"];

/// A table of `indicator_rows`.
pub(super) fn indicator_table(caption: String, rows: Vec<(RowStyle, Vec<Cell>)>) -> Block {
    widths(table(caption, &INDICATOR_HEADERS, rows), &[5, 7, 2, 2, 2])
}

/// The table with relative column widths in Word.
pub(super) fn widths(block: Block, w: &[u32]) -> Block {
    match block {
        Block::Table(t) => Block::Table(ReportTable {
            widths: w.to_vec(),
            ..t
        }),
        other => other,
    }
}

pub(super) fn table(caption: String, headers: &[&str], rows: Vec<(RowStyle, Vec<Cell>)>) -> Block {
    Block::Table(ReportTable {
        caption,
        headers: headers.iter().map(|h| h.to_string()).collect(),
        rows,
        ..ReportTable::default()
    })
}
