//! The neutral report model: a workbook of sheets, each a titled table of typed
//! cells. Builders in this module's siblings fill it; renderers only draw it.

/// One cell value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Empty,
    Text(String),
    Int(i64),
    /// A number shown with the given decimals.
    Number(f64, u8),
    /// A percentage value (e.g. 99.5 means 99.5 %), shown with 2 decimals.
    Percent(f64),
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Text(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Text(s)
    }
}

impl From<Option<String>> for Value {
    fn from(s: Option<String>) -> Value {
        s.map_or(Value::Empty, Value::Text)
    }
}

impl From<u64> for Value {
    fn from(n: u64) -> Value {
        Value::Int(n as i64)
    }
}

impl From<Option<u64>> for Value {
    fn from(n: Option<u64>) -> Value {
        n.map_or(Value::Empty, |n| Value::Int(n as i64))
    }
}

/// How a row is emphasised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RowStyle {
    #[default]
    Normal,
    /// A problem row (errors): light red.
    Bad,
    /// A row to look at (warnings): light yellow.
    Warn,
    /// A total row: bold.
    Total,
}

/// How a sheet's chart draws its series.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ChartKind {
    /// One bar group per category.
    #[default]
    Column,
    /// One line per series over the categories (days, months); NaN is a gap.
    Line,
}

/// A native chart drawn beside a sheet's table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Chart {
    pub title: String,
    pub kind: ChartKind,
    pub categories: Vec<String>,
    /// (series name, one value per category).
    pub series: Vec<(String, Vec<f64>)>,
}

/// Table rows a sheet can hold: Excel's 1,048,576 rows less the title, the note, the
/// blank line and the header above the table.
pub const MAX_SHEET_ROWS: usize = 1_048_576 - 4;

/// A sheet: a title line, an optional note, then a table with a header row.
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    /// Sheet name (≤ 31 characters, no `[]:*?/\`).
    pub name: String,
    pub title: String,
    pub note: Option<String>,
    pub headers: Vec<String>,
    pub rows: Vec<(RowStyle, Vec<Value>)>,
    pub charts: Vec<Chart>,
    /// (row of `rows`, column, RGB hex): cells whose text is coloured (▲/▼ by direction).
    pub tints: Vec<(usize, usize, &'static str)>,
}

impl Sheet {
    pub fn new(name: &str, title: &str, headers: &[&str]) -> Sheet {
        Sheet {
            name: name.to_string(),
            title: title.to_string(),
            headers: headers.iter().map(|h| h.to_string()).collect(),
            ..Sheet::default()
        }
    }

    pub fn push(&mut self, style: RowStyle, row: Vec<Value>) {
        self.rows.push((style, row));
    }
}

/// A workbook: sheets in order.
#[derive(Debug, Clone, Default)]
pub struct Workbook {
    pub sheets: Vec<Sheet>,
}
