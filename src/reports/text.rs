//! Wording and cells the report builders share, each made from figures.

use super::inputs::SchemePeriod;
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
pub fn indicator_rows(schemes: &[SchemePeriod], tables: &[Table]) -> Vec<(RowStyle, Vec<Cell>)> {
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

/// Numbers the chapters 一、二、… in order; 编制说明 and 附件 stay unnumbered.
pub(super) fn number_chapters(mut sections: Vec<Section>) -> Vec<Section> {
    const DIGITS: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    let mut n = 0;
    for s in sections.iter_mut() {
        if s.level != 1 || matches!(s.heading.as_str(), "编制说明" | "附件") {
            continue;
        }
        n += 1;
        let numeral = match (n / 10, n % 10) {
            (0, u) => DIGITS[u].to_string(),
            (1, u) => format!("十{}", DIGITS[u]),
            (t, u) => format!("{}十{}", DIGITS[t], DIGITS[u]),
        };
        s.heading = format!("{numeral}、{}", s.heading);
    }
    sections
}

/// Each indicator over the period's months (`x.months`) and, with `whole` (本季度),
/// the period itself.
pub(super) fn months_table(x: &SchemePeriod, whole: Option<&str>) -> Block {
    periods_table(x, x.months, whole, "逐月情况")
}

/// Each indicator over `periods` (months as `8 月`, others by their label) and, with
/// `whole`, the report's period; captioned `<scheme><what>`.
pub(super) fn periods_table(
    x: &SchemePeriod,
    months: &[crate::analysis::trend::MonthResult],
    whole: Option<&str>,
    what: &str,
) -> Block {
    let mut headers = vec!["指标".to_string(), "目标".to_string()];
    headers.extend(months.iter().map(|mo| {
        let label = match mo.month.label().len() {
            7 => mo.month.start.format("%-m 月").to_string(),
            _ => mo.month.label().to_string(),
        };
        match mo.cut_off {
            Some(_) => format!("{label}（截至）"),
            None => label,
        }
    }));
    headers.extend(whole.map(str::to_string));
    let rows = x
        .now
        .indicators
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut cells: Vec<Cell> = vec![
                format!("{} {}", r.id, r.name).into(),
                r.target.clone().into(),
            ];
            cells.extend(months.iter().map(|mo| fmt2(mo.result.indicators[i].value)));
            if whole.is_some() {
                cells.push(fmt2(r.value));
            }
            let style = if r.met == Some(false) {
                RowStyle::Bad
            } else {
                RowStyle::Normal
            };
            (style, cells)
        })
        .collect();
    let mut w = vec![6, 2];
    w.extend(std::iter::repeat_n(2, headers.len() - 2));
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    widths(
        table(format!("{}指标{what}", x.now.scheme), &headers, rows),
        &w,
    )
}

/// 附件: the files a report is written to, numbered.
pub(super) fn attachments(files: &[String]) -> Section {
    let mut s = section("附件", None);
    for (i, f) in files.iter().enumerate() {
        s.blocks.push(Block::Paragraph(format!("{}. {f}", i + 1)));
    }
    s
}

pub(super) fn section(heading: &str, sheet: Option<&str>) -> Section {
    Section::new(1, heading, sheet)
}

/// A table of `indicator_rows`, its value column headed 本月 or 本季度.
pub(super) fn indicator_table(
    caption: String,
    span: super::inputs::Span,
    rows: Vec<(RowStyle, Vec<Cell>)>,
) -> Block {
    let headers = ["评估方案", "指标", "目标", span.this(), "达标"];
    widths(table(caption, &headers, rows), &[5, 7, 2, 2, 2])
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

/// The table only in Word (a top 10) or only in Excel (the detail behind a chart,
/// a count or a top 10).
pub(super) fn placed(block: Block, place: crate::report::neutral::Place) -> Block {
    match block {
        Block::Table(t) => Block::Table(ReportTable { place, ..t }),
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
