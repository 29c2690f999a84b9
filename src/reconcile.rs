//! Reconciliation of the provider's own figures with gwq's (SPEC §18): each
//! `provider_kpis` row of a period is matched to an indicator of a scheme, compared
//! with gwq's value for the period the row states, and classified.
//!
//! Pure: the rows come in as `Stated`, gwq's values through a closure, so the rules
//! are tested without files.

use crate::frame::{self, FrameError, StepContext};
use crate::ingest::build::ROW_COLUMN;
use crate::ingest::cache::SOURCE_COLUMN;
use crate::ingest::LoadedTable;
use crate::period::Period;
use crate::scheme::scoring::Op;
use crate::scheme::{Indicator, Scheme};
use polars::prelude::*;
use serde::Serialize;

/// One figure the provider states (a `provider_kpis` row).
#[derive(Debug, Clone, PartialEq)]
pub struct Stated {
    pub file: String,
    pub sheet: Option<String>,
    pub row: Option<u64>,
    /// The period the figure is for (`2025-08`, `2025Q3`).
    pub period: String,
    /// The indicator as the provider names it: an id or a Chinese name.
    pub indicator: String,
    pub access_type: Option<String>,
    pub value: f64,
}

/// What a stated figure is, against gwq's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    /// Better than gwq's value, in the indicator's direction, beyond the tolerance.
    Overstated,
    /// Worse than gwq's value beyond the tolerance.
    Understated,
    /// No scheme has an indicator of that id or name.
    UnknownIndicator,
    /// gwq has no value for the indicator in that period.
    NotComputable,
}

impl Code {
    /// Every code, in the order summaries list them.
    pub const ALL: [Code; 4] = [
        Code::Overstated,
        Code::Understated,
        Code::UnknownIndicator,
        Code::NotComputable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Code::Overstated => "overstated",
            Code::Understated => "understated",
            Code::UnknownIndicator => "unknown_indicator",
            Code::NotComputable => "not_computable",
        }
    }

    pub fn severity(self) -> &'static str {
        match self {
            Code::Overstated => "error",
            _ => "warning",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Code::Overstated => "自报优于实测（虚报）",
            Code::Understated => "自报劣于实测",
            Code::UnknownIndicator => "无法识别的指标",
            Code::NotComputable => "无数据可核",
        }
    }
}

/// A stated figure that does not agree, or cannot be checked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub code: Code,
    pub severity: &'static str,
    /// The indicator's id, or the name as stated when it is unknown.
    pub indicator: String,
    pub name: Option<String>,
    pub scheme: Option<String>,
    pub period: String,
    pub stated: f64,
    pub computed: Option<f64>,
    /// stated − computed.
    pub difference: Option<f64>,
    pub tolerance: Option<f64>,
    pub unit: Option<String>,
    pub file: String,
    pub sheet: Option<String>,
    pub row: Option<u64>,
}

/// A stated figure within the tolerance of gwq's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Agreed {
    pub indicator: String,
    pub name: String,
    pub scheme: String,
    pub period: String,
    pub stated: f64,
    pub computed: f64,
    pub difference: f64,
    pub tolerance: f64,
    pub unit: Option<String>,
}

/// The reconciliation of a period (the JSON of SPEC §18).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reconciliation {
    pub period: String,
    /// Whether the workspace configures `provider_kpis` at all.
    pub configured: bool,
    pub findings: Vec<Finding>,
    pub agreed: Vec<Agreed>,
}

impl Reconciliation {
    pub fn count(&self, code: Code) -> usize {
        self.findings.iter().filter(|f| f.code == code).count()
    }
}

/// The `provider_kpis` rows of the period (rows whose stated period lies within
/// it), in file and row order.
pub fn stated_rows(t: &LoadedTable, period: &Period) -> Result<Vec<Stated>, FrameError> {
    if !t.configured {
        return Ok(Vec::new());
    }
    let df = t
        .frame
        .clone()
        .filter(frame::period_filter(t.table, "period", period))
        .filter(
            col("value")
                .is_not_null()
                .and(col("indicator").is_not_null()),
        )
        .sort([SOURCE_COLUMN, ROW_COLUMN], SortMultipleOptions::default())
        .collect()
        .step("读取服务商自报指标")?;
    let srcs = frame::i64_values(&df, SOURCE_COLUMN)?;
    let rows = frame::i64_values(&df, ROW_COLUMN)?;
    let periods = frame::str_values(&df, "period")?;
    let names = frame::str_values(&df, "indicator")?;
    let access = frame::str_values(&df, "access_type")?;
    let values = frame::f64_values(&df, "value")?;
    let mut out = Vec::with_capacity(df.height());
    for i in 0..df.height() {
        let (file, sheet) = t.file_of(srcs[i].unwrap_or(0) as u32);
        out.push(Stated {
            file: file.unwrap_or_default(),
            sheet,
            row: rows[i].map(|r| r as u64),
            period: periods[i].clone().unwrap_or_default(),
            indicator: names[i].clone().unwrap_or_default(),
            access_type: access[i].clone(),
            value: values[i].unwrap_or(f64::NAN),
        });
    }
    Ok(out)
}

/// The indicator a stated name means: by id, then by Chinese name, in the schemes
/// of the row's access type (every scheme when the row gives none), first scheme first.
pub fn find_indicator<'s>(
    schemes: &'s [Scheme],
    name: &str,
    access_type: Option<&str>,
) -> Option<(&'s Scheme, &'s Indicator)> {
    let norm = |s: &str| -> String {
        crate::ingest::values::half_width(s)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_lowercase()
    };
    let wanted = norm(name);
    let candidates = || {
        schemes.iter().filter(move |s| {
            access_type.is_none()
                || s.access_type.is_none()
                || s.access_type.as_deref() == access_type
        })
    };
    let by = |key: fn(&Indicator) -> &str| {
        candidates().find_map(|s| {
            s.indicators()
                .find(|i| norm(key(i)) == wanted)
                .map(|i| (s, i))
        })
    };
    by(|i| i.id.as_str()).or_else(|| by(|i| i.name.as_str()))
}

/// The tolerance of SPEC §18: the indicator's `reconcile_tolerance`, else 0.01 for a
/// `%` indicator and 0.5 % of the computed value otherwise.
pub fn tolerance(ind: &Indicator, computed: f64) -> f64 {
    match ind.reconcile_tolerance {
        Some(t) => t,
        None if ind.unit.as_deref().map(str::trim) == Some("%") => 0.01,
        None => 0.005 * computed.abs(),
    }
}

/// How far `stated` is better than `computed` in the indicator's direction (negative
/// when worse): higher is better under ≥/>, lower under ≤/<, nearer the target under =.
fn better_by(ind: &Indicator, stated: f64, computed: f64) -> f64 {
    match ind.target.op {
        Op::Ge | Op::Gt => stated - computed,
        Op::Le | Op::Lt => computed - stated,
        Op::Eq => (computed - ind.target.value).abs() - (stated - ind.target.value).abs(),
    }
}

/// Floating-point noise allowed when comparing a difference with its tolerance, so
/// that 99.96 against 99.95 is exactly 0.01 apart.
const EPSILON: f64 = 1e-9;

/// `Overstated`, `Understated`, or `None` when the figures agree.
pub fn classify(ind: &Indicator, stated: f64, computed: f64) -> Option<Code> {
    let by = better_by(ind, stated, computed);
    let tol = tolerance(ind, computed);
    if by > tol + EPSILON {
        Some(Code::Overstated)
    } else if by < -tol - EPSILON {
        Some(Code::Understated)
    } else {
        None
    }
}

/// The difference rounded to 1e-9, so that the JSON shows 0.01 and not 0.01000000000000512.
fn difference(stated: f64, computed: f64) -> f64 {
    ((stated - computed) * 1e9).round() / 1e9
}

/// Reconciles every stated figure; `computed(scheme, indicator, period)` gives gwq's
/// value of the indicator for a period label (`None` without data).
pub fn reconcile<E>(
    period: &Period,
    configured: bool,
    stated: &[Stated],
    schemes: &[Scheme],
    mut computed: impl FnMut(&Scheme, &Indicator, &str) -> Result<Option<f64>, E>,
) -> Result<Reconciliation, E> {
    let mut out = Reconciliation {
        period: period.label().to_string(),
        configured,
        findings: Vec::new(),
        agreed: Vec::new(),
    };
    for s in stated {
        let finding = |code: Code| Finding {
            code,
            severity: code.severity(),
            indicator: s.indicator.clone(),
            name: None,
            scheme: None,
            period: s.period.clone(),
            stated: s.value,
            computed: None,
            difference: None,
            tolerance: None,
            unit: None,
            file: s.file.clone(),
            sheet: s.sheet.clone(),
            row: s.row,
        };
        let Some((scheme, ind)) = find_indicator(schemes, &s.indicator, s.access_type.as_deref())
        else {
            out.findings.push(finding(Code::UnknownIndicator));
            continue;
        };
        let known = |code: Code, value: Option<f64>| Finding {
            indicator: ind.id.clone(),
            name: Some(ind.name.clone()),
            scheme: Some(scheme.id.clone()),
            computed: value,
            difference: value.map(|c| difference(s.value, c)),
            tolerance: value.map(|c| tolerance(ind, c)),
            unit: ind.unit.clone(),
            ..finding(code)
        };
        match computed(scheme, ind, &s.period)? {
            None => out.findings.push(known(Code::NotComputable, None)),
            Some(c) => match classify(ind, s.value, c) {
                Some(code) => out.findings.push(known(code, Some(c))),
                None => out.agreed.push(Agreed {
                    indicator: ind.id.clone(),
                    name: ind.name.clone(),
                    scheme: scheme.id.clone(),
                    period: s.period.clone(),
                    stated: s.value,
                    computed: c,
                    difference: difference(s.value, c),
                    tolerance: tolerance(ind, c),
                    unit: ind.unit.clone(),
                }),
            },
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
