//! The indicator YAML exactly as written (serde, unknown keys refused). Validation
//! into the model of `scheme` happens in `validate`.

use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScheme {
    pub scheme: String,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub access_type: Option<String>,
    pub total_points: f64,
    pub grades: Vec<RawGrade>,
    #[serde(default)]
    pub payment: Vec<RawPayment>,
    #[serde(default)]
    pub missing_data: Option<String>,
    #[serde(default)]
    pub min_scored_pct: Option<f64>,
    #[serde(default)]
    pub description: Option<String>,
    /// 编制依据: the standards and documents the scheme rests on.
    #[serde(default)]
    pub basis: Vec<String>,
    /// 修订记录.
    #[serde(default)]
    pub changes: Vec<RawChange>,
    pub dimensions: Vec<RawDimension>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawChange {
    pub version: String,
    #[serde(default)]
    pub date: Option<String>,
    pub note: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGrade {
    pub min: f64,
    pub name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPayment {
    pub min: f64,
    pub adjust_pct: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDimension {
    pub id: String,
    pub name: String,
    pub indicators: Vec<RawIndicator>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIndicator {
    pub id: String,
    pub name: String,
    pub measure: String,
    pub source: String,
    #[serde(default)]
    pub column: Option<String>,
    #[serde(default, rename = "where")]
    pub filter: Option<String>,
    #[serde(default)]
    pub condition: Option<String>,
    pub target: String,
    #[serde(default)]
    pub unit: Option<String>,
    pub points: f64,
    pub scoring: RawScoring,
    #[serde(default)]
    pub veto: Option<RawVeto>,
    #[serde(default)]
    pub time: Option<String>,
    #[serde(default)]
    pub start: Option<String>,
    #[serde(default)]
    pub end: Option<String>,
    #[serde(default)]
    pub limit: Option<RawLimit>,
    #[serde(default)]
    pub due: Option<String>,
    #[serde(default)]
    pub done: Option<String>,
    #[serde(default)]
    pub aggregate: Option<String>,
    #[serde(default)]
    pub p: Option<f64>,
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub expr: Option<String>,
    /// Free text for the evaluation-scheme document (data source, how it is checked).
    #[serde(default)]
    pub description: Option<String>,
    /// How far the provider's own figure may differ from gwq's (SPEC §18), in the unit.
    #[serde(default)]
    pub reconcile_tolerance: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum RawLimit {
    One(LimitText),
    By {
        by: String,
        values: BTreeMap<LimitKey, LimitText>,
    },
}

/// A key of `limit.values`: YAML reads `1:` as a number, `一级:` as text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(untagged)]
pub enum LimitKey {
    Int(i64),
    Text(String),
}

impl std::fmt::Display for LimitKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LimitKey::Int(i) => write!(f, "{i}"),
            LimitKey::Text(t) => f.write_str(t),
        }
    }
}

/// A limit written as text (`15m`, `10wd`) or a bare number (minutes).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum LimitText {
    Text(String),
    Number(f64),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScoring {
    pub rule: String,
    #[serde(default)]
    pub step: Option<f64>,
    #[serde(default)]
    pub deduct: Option<f64>,
    #[serde(default)]
    pub bands: Vec<RawBand>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBand {
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
    pub points: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawVeto {
    pub cap_total: f64,
}
