//! What scoring returns (SPEC §12): the score object with its indicators, dimensions,
//! groups, data quality and inputs, and the reasons and statuses it carries.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    NoData,
    Error,
}

/// Why an indicator has no data (SPEC §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoDataReason {
    /// gwq.yaml has no source for the indicator's table.
    NotConfigured,
    /// The table has no rows in the period.
    NoRows,
    /// Rows in the period, none left after the access-type filter and `where`.
    NoMatchingRows,
}

impl NoDataReason {
    /// The reason in words, for tables and reports.
    pub fn text(self) -> &'static str {
        match self {
            NoDataReason::NotConfigured => "数据源未配置",
            NoDataReason::NoRows => "本期没有数据",
            NoDataReason::NoMatchingRows => "本期有数据，但没有符合接入方式或筛选条件的记录",
        }
    }
}

/// Whether a result's total counts (SPEC §7 coverage-aware total).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TotalStatus {
    Ok,
    /// Indicators with data carry less than `min_scored_pct` of the points: no total,
    /// no grade, no payment adjustment.
    InsufficientData,
}

impl TotalStatus {
    pub(super) fn of(total: Option<f64>) -> TotalStatus {
        match total {
            Some(_) => TotalStatus::Ok,
            None => TotalStatus::InsufficientData,
        }
    }
}

/// An indicator without data, and why: listed with every result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MissingIndicator {
    pub id: String,
    pub name: String,
    pub points: f64,
    pub reason: NoDataReason,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorResult {
    pub id: String,
    pub name: String,
    pub dimension: String,
    pub value: Option<f64>,
    pub unit: Option<String>,
    pub target: String,
    pub met: Option<bool>,
    pub points: f64,
    pub score: Option<f64>,
    pub status: Status,
    /// Set when `status` is `no_data`.
    pub reason: Option<NoDataReason>,
    pub rows: u64,
}

impl IndicatorResult {
    /// Whether the target is met, in words: 是, 否, or 无数据.
    pub fn met_text(&self) -> &'static str {
        match self.met {
            Some(true) => "是",
            Some(false) => "否",
            None => "无数据",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DimensionResult {
    pub id: String,
    pub name: String,
    pub score: f64,
    pub points: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupResult {
    pub by: String,
    pub key: String,
    pub status: TotalStatus,
    pub total: Option<f64>,
    pub indicators: Vec<IndicatorResult>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FindingCounts {
    pub error: u64,
    pub warning: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DataQuality {
    pub coverage_pct: Option<f64>,
    pub findings: FindingCounts,
    /// What the result assumed, in Chinese sentences (e.g. a year's calendar).
    pub assumptions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Input {
    pub table: String,
    pub path: String,
    pub sha256: String,
    pub rows: u64,
}

/// The score object of SPEC §12, in its key order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreResult {
    pub scheme: String,
    pub period: String,
    pub start: String,
    pub end: String,
    pub status: TotalStatus,
    pub total: Option<f64>,
    pub grade: Option<String>,
    pub payment_adjust_pct: Option<f64>,
    /// Under `exclude`, the share (%) of the points that indicators with data carry.
    pub scored_points_pct: f64,
    pub min_scored_pct: f64,
    pub dimensions: Vec<DimensionResult>,
    pub indicators: Vec<IndicatorResult>,
    pub missing_indicators: Vec<MissingIndicator>,
    pub groups: Vec<GroupResult>,
    pub data_quality: DataQuality,
    pub inputs: Vec<Input>,
    pub gwq_version: String,
}
