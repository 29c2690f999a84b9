//! Renders the neutral model to an .xlsx workbook with rust_xlsxwriter: a bold title,
//! a shaded header row, frozen panes, an autofilter, CJK-aware column widths and
//! highlighted rows. Written atomically.

use super::model::{Chart, ChartKind};
use super::model::{RowStyle, Sheet, Value, Workbook};
use rust_xlsxwriter::{
    Chart as XlsxChart, ChartFont, ChartType, Color, Format, FormatAlign, FormatBorder,
    Workbook as XlsxBook, Worksheet, XlsxError,
};
use std::path::Path;

/// The body font: renders Chinese in Excel, WPS and LibreOffice alike.
pub const FONT: &str = "等线";

/// Display width of text: 2 per CJK (wide) character, 1 otherwise.
pub fn text_width(s: &str) -> usize {
    s.chars()
        .map(|c| if (c as u32) < 0x2E80 { 1 } else { 2 })
        .sum()
}

fn value_width(v: &Value) -> usize {
    match v {
        Value::Empty => 0,
        Value::Text(s) => text_width(s),
        Value::Int(n) => n.to_string().len(),
        Value::Number(n, d) => format!("{n:.*}", *d as usize).len(),
        Value::Percent(_) => 8,
    }
}

/// Document properties with a fixed creation time, so that the same inputs give the
/// same bytes (SPEC §13); otherwise the writer stamps the current time.
pub fn fixed_properties() -> rust_xlsxwriter::DocProperties {
    let epoch = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid date");
    rust_xlsxwriter::DocProperties::new()
        .set_author("gwq")
        .set_creation_datetime(&epoch)
}

/// Writes the workbook to `path` (temp file, then rename).
pub fn write(book: &Workbook, path: &Path) -> Result<(), XlsxError> {
    let bytes = render(book)?;
    crate::output::write_atomic(path, &bytes).map_err(XlsxError::IoError)
}

pub fn render(book: &Workbook) -> Result<Vec<u8>, XlsxError> {
    let mut x = XlsxBook::new();
    x.set_properties(&fixed_properties());
    for sheet in &book.sheets {
        render_sheet(&mut x, sheet)?;
    }
    x.save_to_buffer()
}

fn render_sheet(x: &mut XlsxBook, sheet: &Sheet) -> Result<(), XlsxError> {
    let ws = x.add_worksheet();
    ws.set_name(&sheet.name)?;
    let base = Format::new().set_font_name(FONT).set_font_size(10.5);
    let title = base.clone().set_bold().set_font_size(14);
    let note = base.clone().set_font_color(Color::RGB(0x595959));
    let header = base
        .clone()
        .set_bold()
        .set_background_color(Color::RGB(0xD9E1F2))
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    let cell = base.clone().set_border(FormatBorder::Thin);
    let styled = |style: RowStyle| match style {
        RowStyle::Normal => cell.clone(),
        RowStyle::Bad => cell.clone().set_background_color(Color::RGB(0xFCE4E4)),
        RowStyle::Warn => cell.clone().set_background_color(Color::RGB(0xFFF2CC)),
        RowStyle::Total => cell
            .clone()
            .set_bold()
            .set_background_color(Color::RGB(0xEDEDED)),
    };
    ws.write_string_with_format(0, 0, &sheet.title, &title)?;
    let mut row: u32 = 1;
    if let Some(n) = &sheet.note {
        ws.write_string_with_format(row, 0, n, &note)?;
        row += 1;
    }
    row += 1;
    let header_row = row;
    for (c, h) in sheet.headers.iter().enumerate() {
        ws.write_string_with_format(row, c as u16, h, &header)?;
    }
    let mut widths: Vec<usize> = sheet.headers.iter().map(|h| text_width(h)).collect();
    for (r, (style, values)) in sheet.rows.iter().enumerate() {
        row += 1;
        let plain = styled(*style);
        for (c, v) in values.iter().enumerate() {
            let c16 = c as u16;
            let fmt = match sheet.tints.iter().find(|t| (t.0, t.1) == (r, c)) {
                Some(t) => plain
                    .clone()
                    .set_font_color(Color::RGB(u32::from_str_radix(t.2, 16).unwrap_or(0))),
                None => plain.clone(),
            };
            match v {
                Value::Empty => ws.write_blank(row, c16, &fmt)?,
                Value::Text(s) => ws.write_string_with_format(row, c16, s, &fmt)?,
                Value::Int(n) => ws.write_number_with_format(
                    row,
                    c16,
                    *n as f64,
                    &fmt.clone().set_num_format("0"),
                )?,
                Value::Number(n, d) => {
                    let pattern = if *d == 0 {
                        "0".to_string()
                    } else {
                        format!("0.{}", "0".repeat(*d as usize))
                    };
                    ws.write_number_with_format(
                        row,
                        c16,
                        *n,
                        &fmt.clone().set_num_format(&pattern),
                    )?
                }
                Value::Percent(p) => ws.write_number_with_format(
                    row,
                    c16,
                    *p / 100.0,
                    &fmt.clone().set_num_format("0.00%"),
                )?,
            };
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(value_width(v));
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, (*w).clamp(6, 80) as f64 + 2.0)?;
    }
    ws.set_freeze_panes(header_row + 1, 0)?;
    // Each chart's data below the table, one block after another (a chart reads its
    // own cells), the charts themselves beside the table.
    let (mut chart_row, mut data_row) = (header_row, row + 3);
    for chart in &sheet.charts {
        draw_chart(
            ws,
            chart,
            data_row,
            chart_row,
            sheet.headers.len() as u16 + 1,
        )?;
        chart_row += 20;
        data_row += chart.categories.len() as u32 + 3;
    }
    if !sheet.headers.is_empty() {
        ws.autofilter(
            header_row,
            0,
            row.max(header_row),
            sheet.headers.len() as u16 - 1,
        )?;
    }
    Ok(())
}

/// Writes the chart's data below the table (charts in Excel read cells) and inserts a
/// native clustered bar chart at (`at_row`, `at_col`).
fn draw_chart(
    ws: &mut Worksheet,
    chart: &Chart,
    data_row: u32,
    at_row: u32,
    at_col: u16,
) -> Result<(), XlsxError> {
    let name = ws.name();
    let label = Format::new()
        .set_font_name(FONT)
        .set_font_color(Color::RGB(0x808080));
    ws.write_string_with_format(data_row, 0, format!("图表数据：{}", chart.title), &label)?;
    for (i, c) in chart.categories.iter().enumerate() {
        ws.write_string(data_row + 2 + i as u32, 0, c)?;
    }
    let mut x = XlsxChart::new(match chart.kind {
        ChartKind::Column => ChartType::Column,
        ChartKind::Line => ChartType::Line,
    });
    x.title()
        .set_name(&chart.title)
        .set_font(ChartFont::new().set_name(FONT).set_size(12));
    let last = data_row + 1 + chart.categories.len() as u32;
    for (j, (series, values)) in chart.series.iter().enumerate() {
        let col = j as u16 + 1;
        ws.write_string(data_row + 1, col, series)?;
        // A gap (NaN) stays a blank cell, which the chart shows as a gap.
        let two = Format::new().set_font_name(FONT).set_num_format("0.00");
        for (i, v) in values.iter().enumerate().filter(|(_, v)| !v.is_nan()) {
            ws.write_number_with_format(data_row + 2 + i as u32, col, *v, &two)?;
        }
        x.add_series()
            .set_name((name.as_str(), data_row + 1, col))
            .set_categories((name.as_str(), data_row + 2, 0, last, 0))
            .set_values((name.as_str(), data_row + 2, col, last, col));
    }
    x.x_axis().set_name_font(ChartFont::new().set_name(FONT));
    x.x_axis().set_font(ChartFont::new().set_name(FONT));
    x.legend().set_font(ChartFont::new().set_name(FONT));
    ws.insert_chart(at_row, at_col, &x)?;
    Ok(())
}
