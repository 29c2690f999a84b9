//! Reading a budget (预算) workbook or CSV for the fee audit: the header found under
//! any title rows (SPEC §4 aliases), every money and count cell read as an exact
//! decimal, 小计/合计 rows kept apart from items. A cell that cannot be read in
//! amount, unit_price, quantity or months stops the audit (SPEC §8).

use super::money::{self, Decimal};
use super::rules::normalise_service;
use crate::ingest::build::is_blank;
use crate::ingest::header::{detect_header, AliasTable};
use crate::ingest::read::{read_source, ParseRows};
use crate::ingest::values::{format_number, parse_mbps, Cell};
use crate::ingest::IngestError;
use crate::tables::Table;
use crate::workspace::SourceFile;
use std::collections::BTreeMap;

/// One budget item (a row that is not a 小计/合计 row).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Item {
    /// The sheet row as a person sees it.
    pub row: u64,
    pub item_no: Option<String>,
    pub unit: Option<String>,
    pub line_id: Option<String>,
    pub card_id: Option<String>,
    /// `fiber`, `5g`, `internet`, or the text as written when unknown.
    pub service: Option<String>,
    pub bandwidth_mbps: Option<f64>,
    pub quantity: Option<Decimal>,
    pub unit_price: Option<Decimal>,
    pub months: Option<Decimal>,
    pub amount: Decimal,
    pub traffic_gb: Option<Decimal>,
    pub tariff: Option<String>,
    /// The row's text says 优惠/折扣 (a discount row).
    pub is_discount: bool,
}

impl Item {
    /// The line or card the item bills.
    pub fn id(&self) -> Option<&str> {
        self.line_id.as_deref().or(self.card_id.as_deref())
    }

    pub fn quantity_or_one(&self) -> Decimal {
        self.quantity.unwrap_or(Decimal::ONE)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SummaryKind {
    /// 小计: the items since the previous 小计 (or the start).
    Subtotal,
    /// 合计/总计: every item.
    Total,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRow {
    pub row: u64,
    pub kind: SummaryKind,
    pub label: String,
    pub amount: Option<Decimal>,
    /// How many items came before this row.
    pub items_before: usize,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Budget {
    pub file: String,
    pub sheet: Option<String>,
    pub items: Vec<Item>,
    pub summaries: Vec<SummaryRow>,
}

impl Budget {
    /// The 合计 the budget states (its last total row), if it has one.
    pub fn stated_total(&self) -> Option<Decimal> {
        self.summaries
            .iter()
            .rev()
            .find(|s| s.kind == SummaryKind::Total)
            .and_then(|s| s.amount)
    }

    pub fn items_total(&self) -> Decimal {
        self.items.iter().map(|i| i.amount).sum()
    }
}

/// Reads the budget file (`display` names it in messages).
pub fn read_budget(file: &SourceFile) -> Result<Budget, IngestError> {
    let aliases = AliasTable::new(Table::Budget.def(), &BTreeMap::new());
    let sheet = sheet_name(file);
    let mut header: Option<crate::ingest::header::Header> = None;
    let mut budget = Budget {
        file: file.display.clone(),
        sheet: sheet.clone(),
        ..Budget::default()
    };
    let located = |row: Option<u64>, message: String| IngestError::File {
        file: file.display.clone(),
        sheet: sheet.clone(),
        row,
        message,
    };
    let mut on_header = |rows: &[(u64, Vec<String>)]| {
        let h = detect_header(rows, &aliases).ok_or_else(|| {
            located(
                None,
                "找不到表头：前 20 行中没有一行像预算表头（序号、线路编号、金额……）".into(),
            )
        })?;
        if !h.columns.contains_key("amount") {
            return Err(located(
                Some(rows[h.row].0),
                format!(
                    "表头缺少必需列 金额(amount)；找到的表头：{}；可用列名：{}",
                    h.cells.join("、"),
                    aliases.aliases_of("amount").join("、")
                ),
            ));
        }
        if !["line_id", "card_id", "item_no"]
            .iter()
            .any(|c| h.columns.contains_key(c))
        {
            return Err(located(
                Some(rows[h.row].0),
                "表头缺少 线路编号(line_id)、号卡(card_id) 或 序号(item_no) 中的至少一列".into(),
            ));
        }
        let index = h.row;
        header = Some(h);
        Ok((index, KeepRows))
    };
    let mut rows: Vec<(u64, Vec<OwnedCell>)> = Vec::new();
    let mut on_chunk = |chunk: Vec<(u64, Vec<OwnedCell>)>| -> Result<(), IngestError> {
        rows.extend(chunk);
        Ok(())
    };
    read_source(file, &mut on_header, &mut on_chunk, &|_| {})?;
    let header = header.expect("read_source calls on_header before rows");
    for (row, cells) in rows {
        let cells: Vec<Cell> = cells.iter().map(OwnedCell::as_cell).collect();
        if cells.iter().all(is_blank) {
            continue;
        }
        let get = |name: &str| {
            header
                .columns
                .get(name)
                .and_then(|&i| cells.get(i))
                .copied()
        };
        let number = |name: &'static str| -> Result<Option<Decimal>, IngestError> {
            let Some(cell) = get(name) else {
                return Ok(None);
            };
            read_decimal(&cell, name != "amount" && name != "unit_price").map_err(|()| {
                located(
                    Some(row),
                    format!(
                        "列 “{}”（{name}）的 “{}” 不是数值：预算中的金额、单价、数量和月数必须可读，请改正后重试",
                        header.cells[header.columns[name]],
                        cell.display()
                    ),
                )
            })
        };
        if let Some(label) = summary_label(&cells) {
            let kind = if label.starts_with("小计") {
                SummaryKind::Subtotal
            } else {
                SummaryKind::Total
            };
            budget.summaries.push(SummaryRow {
                row,
                kind,
                label,
                amount: number("amount")?,
                items_before: budget.items.len(),
            });
            continue;
        }
        let text = |name: &str| get(name).and_then(|c| crate::ingest::values::parse_str(&c));
        let amount = number("amount")?;
        let ids = (text("line_id"), text("card_id"));
        let Some(amount) = amount else {
            if ids.0.is_none() && ids.1.is_none() {
                // A section heading such as “一、光纤专线”.
                continue;
            }
            return Err(located(
                Some(row),
                format!(
                    "列 “{}”（amount）为空：预算项目必须有金额",
                    header.cells[header.columns["amount"]]
                ),
            ));
        };
        let bandwidth = match get("bandwidth_mbps") {
            None => None,
            Some(cell) => parse_mbps(&cell, 1.0).map_err(|_| {
                located(
                    Some(row),
                    format!(
                        "列 “{}”（bandwidth_mbps）的 “{}” 不是带宽（如 100M、1G）",
                        header.cells[header.columns["bandwidth_mbps"]],
                        cell.display()
                    ),
                )
            })?,
        };
        let service_text = text("service");
        let is_discount = cells.iter().any(|c| match c {
            Cell::Text(t) => t.contains("优惠") || t.contains("折扣"),
            _ => false,
        });
        budget.items.push(Item {
            row,
            item_no: text("item_no"),
            unit: text("unit"),
            line_id: ids.0,
            card_id: ids.1,
            service: service_text
                .as_deref()
                .map(|s| normalise_service(s).unwrap_or_else(|| s.to_string())),
            bandwidth_mbps: bandwidth,
            quantity: number("quantity")?,
            unit_price: number("unit_price")?,
            months: number("months")?,
            amount,
            traffic_gb: number("traffic_gb")?,
            tariff: text("tariff"),
            is_discount,
        });
    }
    Ok(budget)
}

/// The sheet read from a workbook (the named one or the first), for messages.
fn sheet_name(file: &SourceFile) -> Option<String> {
    if let Some(s) = &file.sheet {
        return Some(s.clone());
    }
    let ext = file
        .path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if !matches!(ext.as_str(), "xlsx" | "xlsm" | "xls" | "xlsb" | "ods") {
        return None;
    }
    use calamine::Reader;
    let bad = |e: &dyn std::fmt::Display| IngestError::file(file, e.to_string());
    let open = || crate::ingest::read::open_workbook(file, &bad);
    crate::ingest::read::calamine_guarded(file, &bad, open)
        .ok()
        .and_then(|b| b.sheet_names().first().cloned())
}

/// `小计`, `合计`, `总计` in one of the first non-empty cells.
fn summary_label(cells: &[Cell]) -> Option<String> {
    cells
        .iter()
        .filter(|c| !is_blank(c))
        .take(3)
        .find_map(|c| match c {
            Cell::Text(s) => {
                let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
                (t.starts_with("合计") || t.starts_with("小计") || t.starts_with("总计"))
                    .then_some(t)
            }
            _ => None,
        })
}

/// A cell as an exact decimal. `with_unit` allows a trailing unit (`12个月`, `30GB`).
fn read_decimal(cell: &Cell, with_unit: bool) -> Result<Option<Decimal>, ()> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Number(n) => money::from_f64(*n).map(Some).ok_or(()),
        Cell::Bool(_) | Cell::DateTime(_) => Err(()),
        Cell::Text(t) => match money::parse_text(t) {
            Ok(v) => Ok(v),
            Err(_) if with_unit => {
                let trimmed = t.trim().trim_end_matches(|c: char| {
                    c.is_alphabetic() || c == '/' || c == '）' || c == ')'
                });
                if trimmed.trim().is_empty() {
                    return Err(());
                }
                money::parse_text(trimmed).map_err(|_| ())
            }
            Err(_) => Err(()),
        },
    }
}

/// Keeps the budget's rows as they are, to be read once the whole sheet is in.
struct KeepRows;

impl ParseRows for KeepRows {
    type Chunk = Vec<(u64, Vec<OwnedCell>)>;

    fn chunk(&self) -> Self::Chunk {
        Vec::new()
    }

    fn push(&self, chunk: &mut Self::Chunk, row: u64, cells: &[Cell]) {
        chunk.push((row, cells.iter().map(OwnedCell::from).collect()));
    }

    fn len(&self, chunk: &Self::Chunk) -> usize {
        chunk.len()
    }
}

/// A cell kept beyond the reader's buffer.
#[derive(Debug, Clone)]
enum OwnedCell {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    DateTime(chrono::NaiveDateTime),
}

impl OwnedCell {
    fn from(c: &Cell) -> OwnedCell {
        match c {
            Cell::Empty => OwnedCell::Empty,
            Cell::Text(s) => OwnedCell::Text(s.to_string()),
            Cell::Number(n) => OwnedCell::Number(*n),
            Cell::Bool(b) => OwnedCell::Bool(*b),
            Cell::DateTime(d) => OwnedCell::DateTime(*d),
        }
    }

    fn as_cell(&self) -> Cell<'_> {
        match self {
            OwnedCell::Empty => Cell::Empty,
            OwnedCell::Text(s) => Cell::Text(s),
            OwnedCell::Number(n) => Cell::Number(*n),
            OwnedCell::Bool(b) => Cell::Bool(*b),
            OwnedCell::DateTime(d) => Cell::DateTime(*d),
        }
    }
}

/// Bandwidth for messages: `100M`.
pub fn fmt_bandwidth(mbps: f64) -> String {
    if mbps >= 1000.0 && (mbps / 1000.0).fract() == 0.0 {
        format!("{}G", format_number(mbps / 1000.0))
    } else {
        format!("{}M", format_number(mbps))
    }
}
