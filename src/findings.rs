//! Data-audit findings (SPEC §6): the one record every check and the ingest step
//! produce, so that a row at fault is always named the same way.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "错误",
            Severity::Warning => "警告",
        }
    }
}

/// The data-audit codes of SPEC §6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    Parse,
    MissingRequired,
    Duplicate,
    OutOfRange,
    TimeOrder,
    UnknownLine,
    Coverage,
    Gap,
    Inconsistent,
    Stale,
}

impl Code {
    pub const ALL: [Code; 10] = [
        Code::Parse,
        Code::MissingRequired,
        Code::Duplicate,
        Code::OutOfRange,
        Code::TimeOrder,
        Code::UnknownLine,
        Code::Coverage,
        Code::Gap,
        Code::Inconsistent,
        Code::Stale,
    ];

    pub fn severity(self) -> Severity {
        match self {
            Code::Parse
            | Code::MissingRequired
            | Code::Duplicate
            | Code::OutOfRange
            | Code::TimeOrder => Severity::Error,
            Code::UnknownLine | Code::Coverage | Code::Gap | Code::Inconsistent | Code::Stale => {
                Severity::Warning
            }
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Code::Parse => "parse",
            Code::MissingRequired => "missing_required",
            Code::Duplicate => "duplicate",
            Code::OutOfRange => "out_of_range",
            Code::TimeOrder => "time_order",
            Code::UnknownLine => "unknown_line",
            Code::Coverage => "coverage",
            Code::Gap => "gap",
            Code::Inconsistent => "inconsistent",
            Code::Stale => "stale",
        }
    }

    /// The Chinese name shown in reports and sheet names.
    pub fn title(self) -> &'static str {
        match self {
            Code::Parse => "无法解析",
            Code::MissingRequired => "必填为空",
            Code::Duplicate => "重复记录",
            Code::OutOfRange => "数值越界",
            Code::TimeOrder => "时间倒序",
            Code::UnknownLine => "未知线路",
            Code::Coverage => "采集覆盖率不足",
            Code::Gap => "采集中断",
            Code::Inconsistent => "数据不一致",
            Code::Stale => "数据陈旧",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One data-audit finding; `row` is 1-based as a person sees it in Excel or an editor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    pub table: String,
    pub file: Option<String>,
    pub sheet: Option<String>,
    pub row: Option<u64>,
    pub column: Option<String>,
    pub line_id: Option<String>,
    pub message: String,
}

impl Finding {
    pub fn new(code: Code, table: &str, message: String) -> Finding {
        Finding {
            code,
            severity: code.severity(),
            table: table.to_string(),
            file: None,
            sheet: None,
            row: None,
            column: None,
            line_id: None,
            message,
        }
    }

    /// Where the finding is, as `file:sheet:row` for terminal output.
    pub fn location(&self) -> String {
        let mut s = self.file.clone().unwrap_or_default();
        if let Some(sheet) = &self.sheet {
            s.push_str(&format!("[{sheet}]"));
        }
        if let Some(row) = self.row {
            s.push_str(&format!(" 第{row}行"));
        }
        if let Some(col) = &self.column {
            s.push_str(&format!(" 列 {col}"));
        }
        s
    }
}
