//! Indicator schemes (SPEC §7): the validated model of an `indicators/*.yaml` file,
//! loaded strictly (`raw` → `validate`), and the scoring rules (`scoring`).
//!
//! Loading names the file, line and key of every problem; nothing here prints.

pub mod diff;
mod raw;
pub mod scoring;
mod validate;
pub mod words;

use crate::tables::Table;
use scoring::{MissingData, Rule, Target};
use std::path::Path;

/// The default schemes shipped with gwq (INDICATORS.md), written by `init` and `demo`.
pub const DEFAULT_SCHEMES: [(&str, &str, &str); 2] = [
    (
        "fiber",
        "indicators/fiber.yaml",
        include_str!("../../indicators/fiber.yaml"),
    ),
    (
        "5g",
        "indicators/5g.yaml",
        include_str!("../../indicators/5g.yaml"),
    ),
];

/// A limit of `on_time_rate`: a duration, or working days on the Chinese calendar.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Limit {
    Seconds(f64),
    WorkingDays(u32),
}

/// A limit that may depend on a column (`{by: severity, values: {1: 15m, ...}}`).
#[derive(Debug, Clone, PartialEq)]
pub enum LimitRule {
    Fixed(Limit),
    By {
        column: String,
        values: Vec<(String, Limit)>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    Pooled,
    MeanOfLines,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PercentileMethod {
    Linear,
    NearestRank,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stat {
    Mean,
    Max,
    Min,
    Sum,
}

/// The closed vocabulary of measures (SPEC §7).
#[derive(Debug, Clone, PartialEq)]
pub enum Measure {
    /// % of time up, from `samples` or `outages`.
    Availability {
        from_outages: bool,
        aggregate: Aggregate,
    },
    Stat {
        stat: Stat,
        column: String,
    },
    Percentile {
        column: String,
        p: f64,
        method: PercentileMethod,
    },
    /// % of rows where `condition` holds.
    Ratio {
        condition: String,
    },
    OnTimeRate {
        start: String,
        end: String,
        limit: LimitRule,
    },
    /// Mean of end − start in hours over items with both.
    MeanDuration {
        start: String,
        end: String,
    },
    Count,
    /// % of items due in the period done by their due date.
    CompletionRate {
        due: String,
        done: String,
    },
    Sql {
        expr: String,
    },
}

impl Measure {
    pub fn name(&self) -> &'static str {
        match self {
            Measure::Availability { .. } => "availability",
            Measure::Stat {
                stat: Stat::Mean, ..
            } => "mean",
            Measure::Stat {
                stat: Stat::Max, ..
            } => "max",
            Measure::Stat {
                stat: Stat::Min, ..
            } => "min",
            Measure::Stat {
                stat: Stat::Sum, ..
            } => "sum",
            Measure::Percentile { .. } => "percentile",
            Measure::Ratio { .. } => "ratio",
            Measure::OnTimeRate { .. } => "on_time_rate",
            Measure::MeanDuration { .. } => "mean_duration",
            Measure::Count => "count",
            Measure::CompletionRate { .. } => "completion_rate",
            Measure::Sql { .. } => "sql",
        }
    }
}

/// One indicator of a scheme.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    pub id: String,
    pub name: String,
    pub dimension: String,
    pub measure: Measure,
    pub source: Table,
    /// `where`: a polars-SQL filter over canonical (and, for line-keyed tables,
    /// inventory) columns.
    pub filter: Option<String>,
    /// The column that places rows in the period (`time:` or the measure's default).
    pub time_column: String,
    pub target: Target,
    pub unit: Option<String>,
    pub points: f64,
    pub rule: Rule,
    /// `veto.cap_total`: the total is capped at this when the indicator is not met.
    pub veto: Option<f64>,
    pub description: Option<String>,
    /// `reconcile_tolerance`: the provider's own figure may differ by this much (SPEC §18).
    pub reconcile_tolerance: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Dimension {
    pub id: String,
    pub name: String,
    pub indicators: Vec<Indicator>,
}

/// A validated indicator scheme.
#[derive(Debug, Clone, PartialEq)]
pub struct Scheme {
    /// The scheme's id in gwq.yaml (`fiber`, `5g`).
    pub id: String,
    pub name: String,
    pub version: Option<String>,
    /// `fiber` or `5g`: rows of line-keyed tables are filtered to it.
    pub access_type: Option<String>,
    pub total_points: f64,
    /// (min, name), sorted by min descending, the last at 0.
    pub grades: Vec<(f64, String)>,
    /// (min, adjust_pct), sorted by min descending.
    pub payment: Vec<(f64, f64)>,
    pub missing_data: MissingData,
    /// Under `missing_data: exclude`, the share (%) of `total_points` that indicators
    /// with data must carry for the total to count (SPEC §7 coverage-aware total).
    pub min_scored_pct: f64,
    pub description: Option<String>,
    /// 编制依据 (`basis:`).
    pub basis: Vec<String>,
    /// 修订记录 (`changes:`): version, date, what changed.
    pub changes: Vec<SchemeChange>,
    pub dimensions: Vec<Dimension>,
}

/// One entry of a scheme's 修订记录.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemeChange {
    pub version: String,
    pub date: Option<String>,
    pub note: String,
}

impl Scheme {
    pub fn indicators(&self) -> impl Iterator<Item = &Indicator> {
        self.dimensions.iter().flat_map(|d| d.indicators.iter())
    }

    /// Loads and validates a scheme file; `id` is its key in gwq.yaml.
    pub fn load(id: &str, path: &Path) -> Result<Scheme, SchemeErrors> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            SchemeErrors(vec![SchemeError {
                file: path.display().to_string(),
                line: None,
                key: String::new(),
                message: format!("无法读取：{e}"),
            }])
        })?;
        Scheme::parse(id, &path.display().to_string(), &text)
    }

    /// Parses and validates scheme text; `file` names it in errors.
    pub fn parse(id: &str, file: &str, text: &str) -> Result<Scheme, SchemeErrors> {
        let raw: raw::RawScheme = serde_yaml_ng::from_str(text).map_err(|e| {
            SchemeErrors(vec![SchemeError {
                file: file.to_string(),
                line: e.location().map(|l| l.line()),
                key: String::new(),
                message: format!("YAML 有误：{e}"),
            }])
        })?;
        validate::validate(id, file, text, raw)
    }
}

/// One problem in a scheme file: where (file, line, key) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemeError {
    pub file: String,
    pub line: Option<usize>,
    pub key: String,
    pub message: String,
}

impl std::fmt::Display for SchemeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if !self.key.is_empty() {
            write!(f, "：键 {}", self.key)?;
        }
        write!(f, "：{}", self.message)
    }
}

/// Every problem found in a scheme file, reported at once.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct SchemeErrors(pub Vec<SchemeError>);

impl std::fmt::Display for SchemeErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let lines: Vec<String> = self.0.iter().map(|e| e.to_string()).collect();
        write!(
            f,
            "指标体系有误（{} 处）：{}",
            lines.len(),
            lines.join("；")
        )
    }
}

#[cfg(test)]
mod tests;
