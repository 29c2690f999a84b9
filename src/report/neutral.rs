//! The neutral model of a report (DESIGN-reports): numbered sections of paragraphs,
//! notes, tables of typed cells and charts, built once from results. Word and Excel
//! draw the same model: [`Report::to_document`] lays it out for `docx`,
//! [`Report::to_workbook`] for `xlsx`, so a figure is the same in both and each cell
//! is formatted in one place ([`Cell::text`]).
//!
//! Builders (monthly, quarterly, annual, special reports) fill a `Report` from
//! results and never touch files or polars; the layouts never compute a figure.

use super::chart;
use super::document::{Block as DocBlock, Document};
use super::model::{Chart as SheetChart, ChartKind, RowStyle, Sheet, Value, Workbook};
use crate::analysis::change::Change;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

/// A report: its cover and its sections in reading order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    pub title: String,
    pub subtitle: Option<String>,
    /// Lines at the foot of the cover (编制单位, 日期).
    pub cover_lines: Vec<String>,
    pub sections: Vec<Section>,
}

/// One numbered section (`一、总体情况` at level 1, `（一）…` at level 2).
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub heading: String,
    pub level: u8,
    /// The workbook sheet its tables go to (≤ 31 characters); `None`: Word only.
    pub sheet: Option<String>,
    pub blocks: Vec<Block>,
}

impl Section {
    pub fn new(level: u8, heading: impl Into<String>, sheet: Option<&str>) -> Section {
        Section {
            heading: heading.into(),
            level,
            sheet: sheet.map(str::to_string),
            blocks: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Paragraph(String),
    /// A remark in smaller print: in Word after its paragraph, in Excel under the title.
    Note(String),
    Table(Table),
    Chart(Chart),
}

/// Where a table is drawn: a summary in both, the detail behind it only in Excel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Place {
    #[default]
    Both,
    Document,
    Workbook,
}

/// A table of typed cells.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// What the table shows: `表 N  caption` in Word (numbered in order), the sheet's
    /// title in Excel.
    pub caption: String,
    pub headers: Vec<String>,
    pub rows: Vec<(RowStyle, Vec<Cell>)>,
    /// Relative column widths in Word (same length as `headers`; empty: equal).
    pub widths: Vec<u32>,
    pub place: Place,
}

/// One cell: each kind is formatted once, the same in Word and Excel.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Int(i64),
    /// A number shown with the given decimals.
    Number(f64, u8),
    /// A percentage value (99.5 means 99.5 %), two decimals.
    Percent(f64),
    /// Yuan, exact, two decimals with thousands separators.
    Money(Decimal),
    /// A change against the previous period (▲/▼, 持平, —).
    Change(Change),
}

/// `v` with `decimals` decimals; a value that rounds to zero is `0.00`, not `-0.00`.
fn fixed(v: f64, decimals: usize) -> String {
    let text = format!("{v:.decimals$}");
    match text.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
        _ => text,
    }
}

impl Cell {
    /// The text Word shows (and Excel, for text-like cells).
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Number(v, d) => fixed(*v, *d as usize),
            Cell::Percent(p) => format!("{}%", fixed(*p, 2)),
            Cell::Money(m) => crate::fees::money::fmt_grouped(*m),
            Cell::Change(c) => c.text(),
        }
    }

    /// Whether Word right-aligns the cell (figures).
    fn is_figure(&self) -> bool {
        !matches!(self, Cell::Empty | Cell::Text(_))
    }

    /// The cell as Excel holds it: numbers stay numbers.
    fn value(&self) -> Value {
        match self {
            Cell::Empty => Value::Empty,
            Cell::Int(n) => Value::Int(*n),
            Cell::Number(v, d) => Value::Number(*v, *d),
            Cell::Percent(p) => Value::Percent(*p),
            Cell::Money(m) => Value::Number(m.to_f64().unwrap_or_default(), 2),
            Cell::Text(_) | Cell::Change(_) => Value::Text(self.text()),
        }
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

/// A chart, its caption numbered `图 N  caption` in Word (a PNG in Word; in Excel bars are a native chart and lines' values are in
/// the section's tables).
#[derive(Debug, Clone, PartialEq)]
pub enum Chart {
    /// Labelled bars; `axis` says what the values are, with their unit.
    Bars {
        caption: String,
        axis: String,
        bars: Vec<chart::Bar>,
    },
    /// Lines over categories (days, months) with an optional target line.
    Lines {
        caption: String,
        axis: String,
        categories: Vec<String>,
        lines: Vec<chart::Line>,
        target: Option<f64>,
    },
}

impl Report {
    /// The Word layout: cover fields, then each section's heading and blocks; charts
    /// drawn as PNG (a chart that cannot be drawn leaves a sentence saying so).
    pub fn to_document(&self) -> Document {
        let mut doc = Document {
            title: self.title.clone(),
            subtitle: self.subtitle.clone(),
            cover_lines: self.cover_lines.clone(),
            blocks: Vec::new(),
        };
        let (mut tables, mut figures) = (0, 0);
        for section in &self.sections {
            doc.heading(section.level, section.heading.clone());
            for block in &section.blocks {
                let number = match block {
                    Block::Table(t) if t.place != Place::Workbook => {
                        tables += 1;
                        format!("表 {tables}")
                    }
                    Block::Chart(_) => {
                        figures += 1;
                        format!("图 {figures}")
                    }
                    _ => String::new(),
                };
                if let Some(b) = document_block(block, &number) {
                    doc.blocks.push(b);
                }
            }
        }
        doc
    }

    /// The Excel layout: a sheet per table placed in the workbook, named after its
    /// section's sheet (numbered when a section has several), with the section's notes
    /// and native charts.
    pub fn to_workbook(&self) -> Workbook {
        let mut sheets = Vec::new();
        for section in &self.sections {
            let Some(name) = &section.sheet else { continue };
            let notes: Vec<&str> = section
                .blocks
                .iter()
                .filter_map(|b| match b {
                    Block::Note(n) => Some(n.as_str()),
                    _ => None,
                })
                .collect();
            let tables: Vec<&Table> = section
                .blocks
                .iter()
                .filter_map(|b| match b {
                    Block::Table(t) if t.place != Place::Document => Some(t),
                    _ => None,
                })
                .collect();
            let first_sheet = sheets.len();
            if tables.is_empty() {
                sheets.push(text_sheet(name, section));
            }
            for (k, table) in tables.iter().enumerate() {
                let sheet_name = match k {
                    0 => name.clone(),
                    _ => format!("{name}{}", k + 1),
                };
                let headers: Vec<&str> = table.headers.iter().map(String::as_str).collect();
                let mut sheet = Sheet::new(&sheet_name, &table.caption, &headers);
                sheet.note = (!notes.is_empty()).then(|| notes.join(" "));
                sheet.tints = change_tints(table);
                for (style, cells) in &table.rows {
                    sheet.push(*style, cells.iter().map(Cell::value).collect());
                }
                sheets.push(sheet);
            }
            // Charts go beside the section's first table.
            if let Some(sheet) = sheets.get_mut(first_sheet) {
                for block in &section.blocks {
                    if let Block::Chart(Chart::Bars {
                        caption,
                        axis,
                        bars,
                    }) = block
                    {
                        sheet.charts.push(SheetChart {
                            title: caption.clone(),
                            kind: ChartKind::Column,
                            categories: bars.iter().map(|b| b.label.clone()).collect(),
                            series: vec![(axis.clone(), bars.iter().map(|b| b.value).collect())],
                        });
                    }
                    if let Block::Chart(Chart::Lines {
                        caption,
                        categories,
                        lines,
                        target,
                        ..
                    }) = block
                    {
                        sheet
                            .charts
                            .push(line_chart(caption, categories, lines, *target));
                    }
                }
            }
        }
        Workbook { sheets }
    }
}

/// One block in Word; `number` (`表 3`, `图 1`) heads a table's or chart's caption.
/// A native line chart of the lines (gaps as NaN) and the target as a flat line.
fn line_chart(
    caption: &str,
    categories: &[String],
    lines: &[chart::Line],
    target: Option<f64>,
) -> SheetChart {
    let mut series: Vec<(String, Vec<f64>)> = lines
        .iter()
        .map(|l| {
            let values = l.values.iter().map(|v| v.unwrap_or(f64::NAN)).collect();
            (l.name.clone(), values)
        })
        .collect();
    if let Some(t) = target {
        let name = format!("目标 {}", crate::ingest::values::format_number(t));
        series.push((name, vec![t; categories.len()]));
    }
    SheetChart {
        title: caption.to_string(),
        kind: ChartKind::Line,
        categories: categories.to_vec(),
        series,
    }
}

/// Better changes green, worse red (the arrow says up or down; the colour whether that
/// is good for the indicator, SPEC §14).
fn change_tints(t: &Table) -> Vec<(usize, usize, &'static str)> {
    let mut tints = Vec::new();
    for (r, (_, cells)) in t.rows.iter().enumerate() {
        for (c, cell) in cells.iter().enumerate() {
            if let Cell::Change(Change::Moved { delta, better }) = cell {
                if delta.abs() >= 0.005 {
                    tints.push((r, c, if *better { "2E7D32" } else { "C00000" }));
                }
            }
        }
    }
    tints
}

/// A sheet for a section without tables: its sentences, one a row, so that the
/// workbook has every chapter.
fn text_sheet(name: &str, section: &Section) -> Sheet {
    let mut sheet = Sheet::new(name, &section.heading, &["说明"]);
    for block in &section.blocks {
        if let Block::Paragraph(p) | Block::Note(p) = block {
            sheet.push(RowStyle::Normal, vec![Value::Text(p.clone())]);
        }
    }
    sheet
}

fn document_block(block: &Block, number: &str) -> Option<DocBlock> {
    Some(match block {
        Block::Paragraph(p) => DocBlock::Paragraph(p.clone()),
        Block::Note(n) => DocBlock::Paragraph(format!("注：{n}")),
        Block::Table(t) if t.place == Place::Workbook => return None,
        Block::Table(t) => {
            let right = (0..t.headers.len())
                .filter(|c| {
                    t.rows
                        .iter()
                        .any(|(_, cells)| cells.get(*c).is_some_and(Cell::is_figure))
                })
                .collect();
            DocBlock::Table {
                caption: Some(format!("{number}  {}", t.caption)),
                headers: t.headers.clone(),
                rows: t
                    .rows
                    .iter()
                    .map(|(style, cells)| {
                        let marked = matches!(style, RowStyle::Bad | RowStyle::Warn);
                        (marked, cells.iter().map(Cell::text).collect())
                    })
                    .collect(),
                widths: match t.widths.len() == t.headers.len() {
                    true => t.widths.clone(),
                    false => vec![1; t.headers.len()],
                },
                right,
                tints: change_tints(t),
            }
        }
        Block::Chart(c) => {
            let (caption, drawn) = match c {
                Chart::Bars {
                    caption,
                    axis,
                    bars,
                } => (caption, chart::horizontal_bars(axis, bars)),
                Chart::Lines {
                    caption,
                    axis,
                    categories,
                    lines,
                    target,
                } => (caption, chart::lines(axis, categories, lines, *target)),
            };
            match drawn {
                Ok(png) => DocBlock::Image {
                    png: png.bytes,
                    width_px: png.width,
                    height_px: png.height,
                    caption: format!("{number}  {caption}"),
                },
                Err(e) => DocBlock::Paragraph(format!("（{e}，{number}从略。）")),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Report {
        let mut overview = Section::new(1, "一、总体情况", Some("总体情况"));
        overview
            .blocks
            .push(Block::Paragraph("本月 2 项指标中 1 项达标。".into()));
        overview
            .blocks
            .push(Block::Note("数据截至 2025-08-31。".into()));
        overview.blocks.push(Block::Table(Table {
            caption: "指标".into(),
            headers: vec!["指标".into(), "本月".into(), "环比".into(), "金额".into()],
            rows: vec![
                (
                    RowStyle::Normal,
                    vec![
                        "可用率".into(),
                        Cell::Percent(99.95),
                        Cell::Change(Change::Moved {
                            delta: 0.05,
                            better: true,
                        }),
                        Cell::Money(Decimal::new(1234567, 2)),
                    ],
                ),
                (
                    RowStyle::Bad,
                    vec![
                        "时延".into(),
                        Cell::Number(23.456, 2),
                        Cell::Change(Change::NotComparable),
                        Cell::Empty,
                    ],
                ),
            ],
            ..Table::default()
        }));
        overview.blocks.push(Block::Table(Table {
            caption: "明细".into(),
            headers: vec!["线路".into()],
            rows: vec![(RowStyle::Normal, vec!["SH-PD-0001".into()])],
            place: Place::Workbook,
            ..Table::default()
        }));
        overview.blocks.push(Block::Chart(Chart::Bars {
            caption: "各区可用率".into(),
            axis: "可用率 (%)".into(),
            bars: vec![chart::Bar {
                label: "浦东新区".into(),
                value: 99.95,
                text: "99.95".into(),
            }],
        }));
        overview.blocks.push(Block::Chart(Chart::Lines {
            caption: "逐日可用率".into(),
            axis: "可用率 (%)".into(),
            categories: vec!["8/1".into(), "8/2".into(), "8/3".into()],
            lines: vec![chart::Line {
                name: "可用率".into(),
                values: vec![Some(99.9), None, Some(99.95)],
            }],
            target: Some(99.9),
        }));
        let words_only = Section::new(1, "二、说明", None);
        Report {
            title: "监管月报".into(),
            sections: vec![overview, words_only],
            ..Report::default()
        }
    }

    /// A figure that rounds to zero reads 0.00 in Word, whatever its sign.
    #[test]
    fn no_negative_zero_in_words() {
        assert_eq!(Cell::Number(-0.0039, 2).text(), "0.00");
        assert_eq!(Cell::Number(-0.004, 1).text(), "0.0");
        assert_eq!(Cell::Number(-0.0051, 2).text(), "-0.01");
        assert_eq!(Cell::Number(-3.0, 0).text(), "-3");
        assert_eq!(Cell::Percent(-0.001).text(), "0.00%");
        assert_eq!(Cell::Number(2.5, 2).text(), "2.50");
    }

    #[test]
    fn one_model_two_layouts_with_the_same_figures() {
        let report = sample();
        let doc = report.to_document();
        let kinds: Vec<String> = doc
            .blocks
            .iter()
            .map(|b| match b {
                DocBlock::Heading { text, .. } => format!("H {text}"),
                DocBlock::Paragraph(p) => format!("P {p}"),
                DocBlock::Table { caption, rows, .. } => {
                    format!(
                        "T {} {}",
                        caption.clone().unwrap_or_default(),
                        rows[0].1.join("|")
                    )
                }
                DocBlock::Image { caption, .. } => format!("I {caption}"),
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "H 一、总体情况",
                "P 本月 2 项指标中 1 项达标。",
                "P 注：数据截至 2025-08-31。",
                "T 表 1  指标 可用率|99.95%|▲0.05|12,345.67",
                "I 图 1  各区可用率",
                "I 图 2  逐日可用率",
                "H 二、说明",
            ]
        );
        // The better change is green in Word; "—" has no colour.
        let tints = doc.blocks.iter().find_map(|b| match b {
            DocBlock::Table { tints, .. } => Some(tints.clone()),
            _ => None,
        });
        assert_eq!(tints, Some(vec![(0, 2, "2E7D32")]));
        // The workbook: the section's two tables as sheets, the note, the chart; the
        // Word-only section has no sheet. Figures stay numbers, changes read as in Word.
        let book = report.to_workbook();
        let names: Vec<&str> = book.sheets.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["总体情况", "总体情况2"]);
        let first = &book.sheets[0];
        assert_eq!(first.note.as_deref(), Some("数据截至 2025-08-31。"));
        assert_eq!(first.rows[0].1[1], Value::Percent(99.95));
        assert_eq!(first.rows[0].1[2], Value::Text("▲0.05".into()));
        assert_eq!(first.rows[1].1[2], Value::Text("—".into()));
        assert_eq!(first.rows[0].1[3], Value::Number(12345.67, 2));
        assert_eq!(first.tints, [(0, 2, "2E7D32")], "green in Excel too");
        // Bars as a native column chart, lines as a native line chart with a gap and the
        // target as a flat series.
        let kinds: Vec<ChartKind> = first.charts.iter().map(|c| c.kind).collect();
        assert_eq!(kinds, [ChartKind::Column, ChartKind::Line]);
        let line = &first.charts[1];
        assert_eq!(line.series.len(), 2);
        assert!(line.series[0].1[1].is_nan());
        assert_eq!(line.series[1], ("目标 99.9".to_string(), vec![99.9; 3]));
        // Both render to real files.
        assert!(super::super::docx::render(&doc).is_ok());
        assert!(super::super::xlsx::render(&book).is_ok());
    }
}
