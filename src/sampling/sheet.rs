//! The field team's work sheet `sample-Q.xlsx`: the lines to test, the calls to make
//! and the rooms to visit, with blank cells to fill (是/否 drop-downs, dates within
//! the quarter). Its 现场测试 and 电话抽查 sheets carry the headers gwq reads, so the
//! filled copy is a source as it is: `site_tests: {path: …, sheet: 现场测试}`.

use super::Plan;
use crate::period::Period;
use crate::report::xlsx::{fixed_properties, FONT};
use rust_xlsxwriter::{
    Color, DataValidation, ExcelDateTime, Format, FormatBorder, Workbook, Worksheet, XlsxError,
};

pub const SITE_SHEET: &str = "现场测试";
pub const PHONE_SHEET: &str = "电话抽查";
pub const ROOM_SHEET: &str = "抽查机房";

/// The headers of the site-test sheet: gwq's `site_tests` aliases for what is filled
/// in, and the line's particulars (ignored when read back).
pub const SITE_HEADERS: [&str; 11] = [
    "线路编号",
    "单位",
    "区",
    "机房",
    "签约带宽(Mbps)",
    "测试日期",
    "实测带宽",
    "时延(ms)",
    "丢包率(%)",
    "是否达标",
    "备注",
];

pub const PHONE_HEADERS: [&str; 5] = ["拨打时间", "时段", "是否接通", "接通时长(秒)", "备注"];

struct Formats {
    title: Format,
    header: Format,
    given: Format,
    blank: Format,
    date: Format,
    time: Format,
}

fn formats() -> Formats {
    let base = Format::new().set_font_name(FONT).set_font_size(10.5);
    let cell = base.clone().set_border(FormatBorder::Thin);
    let blank = cell.clone().set_background_color(Color::RGB(0xFFF9E6));
    Formats {
        title: base.clone().set_bold().set_font_size(14),
        header: cell
            .clone()
            .set_bold()
            .set_background_color(Color::RGB(0xD9E1F2)),
        given: cell.clone(),
        date: blank.clone().set_num_format("yyyy-mm-dd"),
        time: cell.set_num_format("yyyy-mm-dd hh:mm"),
        blank,
    }
}

/// The work sheet's bytes.
pub fn render(plan: &Plan, quarter: &Period) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    book.set_properties(&fixed_properties());
    let f = formats();
    site_sheet(book.add_worksheet(), plan, quarter, &f)?;
    phone_sheet(book.add_worksheet(), plan, &f)?;
    room_sheet(book.add_worksheet(), plan, &f)?;
    notes_sheet(book.add_worksheet(), plan, &f)?;
    book.save_to_buffer()
}

fn header(ws: &mut Worksheet, title: &str, headers: &[&str], f: &Formats) -> Result<(), XlsxError> {
    ws.write_string_with_format(0, 0, title, &f.title)?;
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(1, c as u16, *h, &f.header)?;
        ws.set_column_width(
            c as u16,
            (crate::report::xlsx::text_width(h) + 4).max(12) as f64,
        )?;
    }
    ws.set_freeze_panes(2, 0)?;
    // Printed for the field team: landscape, one page wide, the header on each page.
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(1, 1)?;
    Ok(())
}

fn yes_no() -> Result<DataValidation, XlsxError> {
    DataValidation::new()
        .allow_list_strings(&["是", "否"])?
        .set_error_title("只能填 是 或 否")?
        .set_error_message("请从下拉列表中选择：是 / 否")
}

fn site_sheet(ws: &mut Worksheet, plan: &Plan, q: &Period, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name(SITE_SHEET)?;
    header(
        ws,
        &format!("{} 现场测试工作表（抽样种子 {}）", plan.quarter, plan.seed),
        &SITE_HEADERS,
        f,
    )?;
    let last = plan.lines.len() as u32 + 1;
    let width = |texts: Vec<&str>| {
        texts
            .into_iter()
            .map(crate::report::xlsx::text_width)
            .max()
            .unwrap_or(0)
    };
    let given: [Vec<&str>; 4] = [
        plan.lines.iter().map(|l| l.line_id.as_str()).collect(),
        plan.lines
            .iter()
            .map(|l| l.unit.as_deref().unwrap_or(""))
            .collect(),
        plan.lines.iter().map(|l| l.district.as_str()).collect(),
        plan.lines
            .iter()
            .map(|l| l.room_id.as_deref().unwrap_or(""))
            .collect(),
    ];
    for (c, texts) in given.into_iter().enumerate() {
        let w = width(texts).max(crate::report::xlsx::text_width(SITE_HEADERS[c]));
        ws.set_column_width(c as u16, (w + 2).max(10) as f64)?;
    }
    for (i, l) in plan.lines.iter().enumerate() {
        let r = i as u32 + 2;
        ws.write_string_with_format(r, 0, &l.line_id, &f.given)?;
        ws.write_string_with_format(r, 1, l.unit.as_deref().unwrap_or(""), &f.given)?;
        ws.write_string_with_format(r, 2, &l.district, &f.given)?;
        ws.write_string_with_format(r, 3, l.room_id.as_deref().unwrap_or(""), &f.given)?;
        match l.bandwidth_mbps {
            Some(b) => ws.write_number_with_format(r, 4, b, &f.given)?,
            None => ws.write_blank(r, 4, &f.given)?,
        };
        ws.write_blank(r, 5, &f.date)?;
        for c in 6..=10 {
            ws.write_blank(r, c, &f.blank)?;
        }
    }
    if plan.lines.is_empty() {
        return Ok(());
    }
    let day = |d: chrono::NaiveDate| ExcelDateTime::parse_from_str(&d.to_string());
    let dates = DataValidation::new()
        .allow_date(rust_xlsxwriter::DataValidationRule::Between(
            day(q.start)?,
            day(q.end)?,
        ))
        .set_error_message(format!("测试日期应在 {} 至 {} 之间", q.start, q.end))?;
    ws.add_data_validation(2, 5, last, 5, &dates)?;
    ws.add_data_validation(2, 9, last, 9, &yes_no()?)?;
    Ok(())
}

fn phone_sheet(ws: &mut Worksheet, plan: &Plan, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name(PHONE_SHEET)?;
    header(
        ws,
        &format!("{} 7×24 报障电话抽查", plan.quarter),
        &PHONE_HEADERS,
        f,
    )?;
    ws.set_column_width(0, 18)?;
    ws.set_column_width(4, 30)?;
    for (i, c) in plan.phone_checks.iter().enumerate() {
        let r = i as u32 + 2;
        ws.write_datetime_with_format(r, 0, c.at, &f.time)?;
        ws.write_string_with_format(r, 1, slot_label(c.slot), &f.given)?;
        for col in 2..=4 {
            ws.write_blank(r, col, &f.blank)?;
        }
    }
    if !plan.phone_checks.is_empty() {
        ws.add_data_validation(2, 2, plan.phone_checks.len() as u32 + 1, 2, &yes_no()?)?;
    }
    Ok(())
}

fn room_sheet(ws: &mut Worksheet, plan: &Plan, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name(ROOM_SHEET)?;
    header(
        ws,
        &format!("{} 抽查机房", plan.quarter),
        &["机房", "抽取原因", "检查日期", "检查结论"],
        f,
    )?;
    for (i, room) in plan.rooms.iter().enumerate() {
        let r = i as u32 + 2;
        ws.write_string_with_format(r, 0, &room.room_id, &f.given)?;
        ws.write_string_with_format(r, 1, &room.reason, &f.given)?;
        ws.write_blank(r, 2, &f.date)?;
        ws.write_blank(r, 3, &f.blank)?;
    }
    ws.set_column_width(1, 28)?;
    ws.set_column_width(3, 40)?;
    Ok(())
}

fn notes_sheet(ws: &mut Worksheet, plan: &Plan, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name("填写说明")?;
    ws.write_string_with_format(0, 0, "填写说明", &f.title)?;
    let lines = [
        format!(
            "本表由 gwq sample --quarter {} --seed {} 生成；同一种子、同一数据再次生成的抽样结果相同。",
            plan.quarter, plan.seed
        ),
        "只填写浅黄色单元格；不要修改表头和已填好的线路编号、拨打时间。".to_string(),
        "现场测试：测试日期填实际测试日；实测带宽单位 Mbps；是否达标从下拉列表选 是/否。".to_string(),
        "电话抽查：按拨打时间拨打报障专线；是否接通选 是/否，接通时长填秒数（未接通不填）。".to_string(),
        "交回后在 gwq.yaml 中配置：site_tests: {path: <本文件>, sheet: 现场测试}、phone_checks: {path: <本文件>, sheet: 电话抽查}。".to_string(),
    ];
    for (i, l) in lines.iter().enumerate() {
        ws.write_string(i as u32 + 2, 0, l)?;
    }
    ws.set_column_width(0, 110)?;
    Ok(())
}

/// The Chinese name of a call slot.
pub fn slot_label(slot: &str) -> &'static str {
    match slot {
        "work" => "工作时间",
        "night" => "夜间",
        "weekend" => "周末",
        _ => "节假日",
    }
}
