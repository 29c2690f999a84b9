//! The problems ledger (问题清单, 闭环管理, SPEC §9): `ledger/problems.xlsx`, edited by
//! people and by gwq.
//!
//! - `config`: gwq.yaml `problems:` (path, owners, deadlines, reverify periods);
//! - `file`: the workbook read and written cell for cell — a person's cells and
//!   columns kept, the file refused when locked or changed since it was read, a
//!   backup of the previous file;
//! - `sync`: the problems a period's results raise, added once by their stable key,
//!   and indicator problems met again set to 待复核;
//! - `movements`: carried over + new − closed = open, overdue and ageing, for reports.

pub mod config;
pub mod file;
mod file_render;
pub mod movements;
pub mod sync;

pub use config::LedgerConfig;
pub use file::{LedgerError, LedgerFile};

/// The ledger's columns in their default order (SPEC §9, with 来源键).
pub const COLUMNS: [&str; 11] = [
    "问题编号",
    "来源",
    "来源键",
    "发现日期",
    "描述",
    "责任方",
    "整改期限",
    "整改措施",
    "状态",
    "关闭日期",
    "备注",
];

/// Where a problem came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Origin {
    Indicator,
    Check,
    Fees,
    Field,
    Manual,
}

impl Origin {
    pub const ALL: [Origin; 5] = [
        Origin::Indicator,
        Origin::Check,
        Origin::Fees,
        Origin::Field,
        Origin::Manual,
    ];

    /// The key used in 来源键, gwq.yaml and `--source`.
    pub fn key(self) -> &'static str {
        match self {
            Origin::Indicator => "indicator",
            Origin::Check => "check",
            Origin::Fees => "fees",
            Origin::Field => "field",
            Origin::Manual => "manual",
        }
    }

    /// What the 来源 column says.
    pub fn label(self) -> &'static str {
        match self {
            Origin::Indicator => "指标未达标",
            Origin::Check => "数据稽核",
            Origin::Fees => "费用稽核",
            Origin::Field => "现场检查",
            Origin::Manual => "人工录入",
        }
    }

    /// From a key (`check`) or a label (数据稽核), as people may type either.
    pub fn from_key(text: &str) -> Option<Origin> {
        let t = text.trim();
        Origin::ALL
            .into_iter()
            .find(|o| o.key().eq_ignore_ascii_case(t) || o.label() == t)
    }
}

/// A problem's state (状态).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    ToFix,
    Fixing,
    ToVerify,
    Closed,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::ToFix => "待整改",
            Status::Fixing => "整改中",
            Status::ToVerify => "待复核",
            Status::Closed => "已关闭",
        }
    }

    /// From the 状态 cell; an empty or unknown one is 待整改 (still open).
    pub fn of(text: &str) -> Status {
        match text.trim() {
            "整改中" => Status::Fixing,
            "待复核" => Status::ToVerify,
            "已关闭" | "关闭" | "已整改" => Status::Closed,
            _ => Status::ToFix,
        }
    }

    pub fn is_open(self) -> bool {
        self != Status::Closed
    }
}
