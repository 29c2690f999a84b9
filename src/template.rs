//! Input templates (SPEC §16): one workbook per canonical table for the provider to
//! fill — a title row, the header in the table's Chinese names (each column's first
//! alias, which ingest reads with no `columns:` mapping), a note on each header cell
//! (type, unit, required, accepted values), drop-downs for yes/no and closed
//! vocabularies, date and number formats, a frozen header, and a 填写说明 sheet with
//! an example row.

use crate::report::xlsx::{fixed_properties, text_width, FONT};
use crate::tables::{ColType, ColumnDef, Table, TableDef};
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, Format, FormatBorder, Note, Workbook,
    Worksheet, XlsxError,
};

/// Rows the drop-downs and formats cover below the header.
const ROWS: u32 = 2000;
/// The data sheet's name; the title is on its first row, the header on its second.
pub const DATA_SHEET: &str = "数据";

/// The file a table's template is written to: `template-<table>.xlsx`.
pub fn file_name(table: Table) -> String {
    format!("template-{}.xlsx", table.name())
}

/// The header a column is written with: its first alias.
pub fn header(c: &ColumnDef) -> &'static str {
    c.aliases.first().copied().unwrap_or(c.name)
}

/// Accepted values of a column, and whether others are refused (a closed list).
fn vocabulary(t: Table, c: &ColumnDef) -> Option<(&'static [&'static str], bool)> {
    match (t, c.name, c.ty) {
        (_, _, ColType::Bool) => Some((&["是", "否"], true)),
        (_, _, ColType::Level) => Some((&["一级", "二级", "三级"], true)),
        (_, _, ColType::AccessType) => Some((&["光纤", "5G"], true)),
        (Table::Security, "severity", _) => Some((&["高", "中", "低"], true)),
        (Table::Security, "source", _) => {
            Some((&["等保测评", "安全自查", "专项抽查", "安全事件"], false))
        }
        (Table::Provisioning, "kind", _) => Some((&["新装", "扩容", "移机", "拆机"], false)),
        (Table::ProviderReports, "kind", _) => Some((
            &[
                "月度运维报告",
                "网络性能分析报告",
                "故障报告",
                "安全自查报告",
                "整改报告",
            ],
            false,
        )),
        _ => None,
    }
}

/// The unit a column's values are in, from its canonical name.
fn unit(c: &ColumnDef) -> Option<&'static str> {
    let n = c.name;
    Some(match () {
        _ if n.ends_with("_ms") => "毫秒 ms",
        _ if n.ends_with("_pct") => "%（0–100）",
        _ if n.ends_with("_mbps") => "Mbps（可写 100M、1G）",
        _ if n.ends_with("_bps") => "bit/s",
        _ if n.ends_with("_seconds") => "秒",
        _ if n.ends_with("_dbm") => "dBm",
        _ if n.ends_with("_db") => "dB",
        _ if n.ends_with("_mb") => "MB",
        _ if n == "score" => "分（0–100）",
        _ => return None,
    })
}

fn required(def: &TableDef, c: &ColumnDef) -> &'static str {
    match def.required.iter().find(|g| g.contains(&c.name)) {
        Some(g) if g.len() == 1 => "必填",
        Some(_) => "与同组列至少填一项",
        None => "选填",
    }
}

/// The note on a header cell.
fn note_text(def: &TableDef, c: &ColumnDef) -> String {
    let mut text = format!("{}（{}）\n类型：{}", header(c), c.name, type_text(c.ty));
    if let Some(u) = unit(c) {
        text.push_str(&format!("\n单位：{u}"));
    }
    text.push_str(&format!("\n{}", required(def, c)));
    if let Some((values, closed)) = vocabulary(def.table, c) {
        let how = if closed { "只能填" } else { "常用值" };
        text.push_str(&format!("\n{how}：{}", values.join("、")));
    }
    text
}

fn type_text(ty: ColType) -> &'static str {
    match ty {
        ColType::DateTime => "日期时间，如 2025-08-01 08:05",
        ColType::Date => "日期，如 2025-08-01",
        ColType::Level => "故障等级：一级/二级/三级（或 1/2/3）",
        other => other.label(),
    }
}

/// An example value for a column (the 填写说明 sheet's example row).
pub fn example(t: Table, c: &ColumnDef) -> &'static str {
    if let Some((values, _)) = vocabulary(t, c) {
        return values[0];
    }
    match (c.name, c.ty) {
        ("line_id", _) => "SH-PD-0001",
        ("card_id", _) => "8986112345678901234",
        ("cell_id", _) => "CELL-PD-001",
        ("unit", _) => "浦东新区教育局",
        ("district", _) => "浦东新区",
        ("room_id", _) => "JF-PD-01",
        ("tariff", _) => "F-100M",
        ("package", _) => "5G-A",
        ("bandwidth_mbps", _) => "100M",
        (_, ColType::DateTime) => "2025-08-01 08:05",
        (_, ColType::Date) => "2025-08-01",
        (_, ColType::Int) => "0",
        (_, ColType::Float | ColType::Mbps | ColType::Bps) => "10",
        (n, _) if n.ends_with("_id") => "2025-0001",
        _ => "示例",
    }
}

/// The template of `table`.
pub fn render(table: Table) -> Result<Vec<u8>, XlsxError> {
    let def = table.def();
    let mut book = Workbook::new();
    book.set_properties(&fixed_properties());
    data_sheet(book.add_worksheet(), def)?;
    guide_sheet(book.add_worksheet(), def)?;
    book.save_to_buffer()
}

fn data_sheet(ws: &mut Worksheet, def: &TableDef) -> Result<(), XlsxError> {
    ws.set_name(DATA_SHEET)?;
    let base = Format::new().set_font_name(FONT).set_font_size(10.5);
    ws.write_string_with_format(
        0,
        0,
        format!(
            "{}（gwq 导入模板：第 2 行为表头，从第 3 行起填写）",
            def.title
        ),
        &base.clone().set_bold().set_font_size(14),
    )?;
    let head = base
        .clone()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_background_color(Color::RGB(0xD9E1F2));
    for (i, c) in def.columns.iter().enumerate() {
        let col = i as u16;
        let name = header(c);
        let head = match required(def, c) {
            "选填" => head.clone(),
            _ => head.clone().set_font_color(Color::RGB(0xC00000)),
        };
        ws.write_string_with_format(1, col, name, &head)?;
        ws.insert_note(1, col, &Note::new(note_text(def, c)).set_width(260))?;
        let width = text_width(name).max(text_width(example(def.table, c))) + 4;
        ws.set_column_width_pixels(col, (width.max(10) * 8) as u32)?;
        if let Some(f) = column_format(c.ty, &base) {
            ws.set_column_format(col, &f)?;
        }
        if let Some(v) = validation(def.table, c)? {
            ws.add_data_validation(2, col, ROWS + 1, col, &v)?;
        }
    }
    ws.set_freeze_panes(2, 0)?;
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    Ok(())
}

fn column_format(ty: ColType, base: &Format) -> Option<Format> {
    match ty {
        ColType::Date => Some(base.clone().set_num_format("yyyy-mm-dd")),
        ColType::DateTime => Some(base.clone().set_num_format("yyyy-mm-dd hh:mm")),
        ColType::Str | ColType::AccessType => Some(base.clone().set_num_format("@")),
        _ => None,
    }
}

fn validation(t: Table, c: &ColumnDef) -> Result<Option<DataValidation>, XlsxError> {
    let Some((values, closed)) = vocabulary(t, c) else {
        return Ok(None);
    };
    let style = if closed {
        DataValidationErrorStyle::Stop
    } else {
        DataValidationErrorStyle::Information
    };
    let v = DataValidation::new()
        .allow_list_strings(values)?
        .set_error_style(style)
        .set_error_title(format!("{}：请从下拉列表选择", header(c)))?
        .set_error_message(format!("可填：{}", values.join("、")))?;
    Ok(Some(v))
}

fn guide_sheet(ws: &mut Worksheet, def: &TableDef) -> Result<(), XlsxError> {
    ws.set_name("填写说明")?;
    let base = Format::new().set_font_name(FONT).set_font_size(10.5);
    let bold = base.clone().set_bold();
    ws.write_string_with_format(
        0,
        0,
        format!("{} 填写说明", def.title),
        &bold.clone().set_font_size(14),
    )?;
    let lines = [
        "在“数据”工作表第 3 行起逐行填写，每行一条记录；不要修改第 2 行的表头（可在右侧增加自己的列，gwq 读取时忽略）。".to_string(),
        "红色表头为必填列；把鼠标停在表头上可看到该列的类型、单位和可填的值。".to_string(),
        "日期写成 2025-08-01，日期时间写成 2025-08-01 08:05；是/否 列从下拉列表选择。".to_string(),
        format!(
            "交回后放入工作区，在 gwq.yaml 的 sources 中配置 {}: <文件路径>，无需配置 columns。",
            def.name
        ),
    ];
    for (i, l) in lines.iter().enumerate() {
        ws.write_string_with_format(i as u32 + 2, 0, l, &base)?;
    }
    let at = lines.len() as u32 + 3;
    ws.write_string_with_format(at, 0, "示例行：", &bold)?;
    for (i, c) in def.columns.iter().enumerate() {
        ws.write_string_with_format(at + 1, i as u16, header(c), &bold)?;
        ws.write_string_with_format(at + 2, i as u16, example(def.table, c), &base)?;
    }
    let rows = at + 4;
    for (k, h) in ["列", "类型", "单位", "是否必填", "可填的值"]
        .iter()
        .enumerate()
    {
        ws.write_string_with_format(rows, k as u16, *h, &bold)?;
    }
    for (i, c) in def.columns.iter().enumerate() {
        let r = rows + 1 + i as u32;
        let values = vocabulary(def.table, c).map_or(String::new(), |(v, _)| v.join("、"));
        ws.write_string_with_format(r, 0, header(c), &base)?;
        ws.write_string_with_format(r, 1, type_text(c.ty), &base)?;
        ws.write_string_with_format(r, 2, unit(c).unwrap_or(""), &base)?;
        ws.write_string_with_format(r, 3, required(def, c), &base)?;
        ws.write_string_with_format(r, 4, values, &base)?;
    }
    ws.set_column_width(0, 22)?;
    ws.set_column_width(1, 30)?;
    Ok(())
}
