//! Writes the ledger workbook: each cell with its type, dates as dates, the header
//! frozen and filtered, state colours a person can read at a glance; other sheets'
//! values after it.

use super::file::{LedgerCell, LedgerFile};
use super::Status;
use crate::report::xlsx::{fixed_properties, text_width, FONT};
use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook, Worksheet, XlsxError};

pub(super) fn render(ledger: &LedgerFile) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    book.set_properties(&fixed_properties());
    let ws = book.add_worksheet();
    ws.set_name(&ledger.sheet)?;
    let base = Format::new().set_font_name(FONT).set_font_size(10.5);
    let header = base
        .clone()
        .set_bold()
        .set_background_color(Color::RGB(0xD9E1F2))
        .set_border(FormatBorder::Thin)
        .set_text_wrap();
    let mut row = 0u32;
    for cells in ledger.above() {
        write_row(ws, row, cells, &base)?;
        row += 1;
    }
    let header_row = row;
    for (c, h) in ledger.headers.iter().enumerate() {
        ws.write_string_with_format(row, c as u16, h, &header)?;
    }
    let status = ledger.headers.iter().position(|h| h == "状态");
    let cell = base.clone().set_border(FormatBorder::Thin);
    for cells in &ledger.rows {
        row += 1;
        let fmt = match status.map(|s| Status::of(&cells[s].text())) {
            Some(Status::Closed) => cell.clone().set_font_color(Color::RGB(0x808080)),
            Some(Status::ToVerify) => cell.clone().set_background_color(Color::RGB(0xFFF2CC)),
            _ => cell.clone(),
        };
        write_row(ws, row, cells, &fmt)?;
    }
    for (c, h) in ledger.headers.iter().enumerate() {
        let widest = ledger
            .rows
            .iter()
            .map(|r| text_width(&r[c].text()))
            .chain([text_width(h)])
            .max()
            .unwrap_or(6);
        ws.set_column_width(c as u16, widest.clamp(8, 60) as f64 + 2.0)?;
    }
    ws.set_freeze_panes(header_row + 1, 0)?;
    if !ledger.headers.is_empty() {
        ws.autofilter(header_row, 0, row, ledger.headers.len() as u16 - 1)?;
    }
    for (name, cells) in ledger.others() {
        let other = book.add_worksheet();
        other.set_name(name)?;
        for (r, values) in cells.iter().enumerate() {
            write_row(other, r as u32, values, &base)?;
        }
    }
    book.save_to_buffer()
}

fn write_row(
    ws: &mut Worksheet,
    row: u32,
    cells: &[LedgerCell],
    fmt: &Format,
) -> Result<(), XlsxError> {
    for (c, v) in cells.iter().enumerate() {
        let c = c as u16;
        match v {
            LedgerCell::Empty => ws.write_blank(row, c, fmt)?,
            LedgerCell::Text(s) => ws.write_string_with_format(row, c, s, fmt)?,
            LedgerCell::Number(n) => ws.write_number_with_format(row, c, *n, fmt)?,
            LedgerCell::Bool(b) => ws.write_boolean_with_format(row, c, *b, fmt)?,
            LedgerCell::Date(d) => {
                ws.write_datetime_with_format(row, c, d, &fmt.clone().set_num_format("yyyy-mm-dd"))?
            }
            LedgerCell::DateTime(t) => ws.write_datetime_with_format(
                row,
                c,
                t,
                &fmt.clone().set_num_format("yyyy-mm-dd hh:mm"),
            )?,
        };
    }
    Ok(())
}
