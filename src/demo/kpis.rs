//! The provider's own figures (`provider_kpis`, SPEC §18): what its monthly and
//! quarterly reports state. They are gwq's own values of the generated data, rounded
//! as a report prints them, except a few planted overstatements (lower latency than
//! measured) that `gwq reconcile` must find, recorded in the truth.
//!
//! Written after the other exports: the values come from ingesting and measuring them.

use super::write::{xlsx, Out};
use crate::period::Period;
use crate::scheme::Scheme;
use crate::session::Session;
use crate::workspace::Workspace;
use anyhow::Result;
use serde::Serialize;
use std::path::Path;

/// The file, relative to the workspace.
pub const FILE: &str = "data/服务/服务商自报指标.xlsx";

/// A planted overstatement.
#[derive(Debug, Clone, Serialize)]
pub struct PlantedKpi {
    pub period: String,
    pub indicator: String,
    pub stated: f64,
    pub computed: f64,
    pub row: u64,
}

/// (scheme id, indicator as the provider names it, access type as written, id).
const STATED: [(&str, &str, &str, &str); 5] = [
    ("fiber", "线路可用率", "光纤", "PERF-AVAIL"),
    ("fiber", "PERF-LAT", "", "PERF-LAT"),
    ("fiber", "时延95分位", "光纤", "PERF-LAT95"),
    ("fiber", "故障修复及时率", "光纤", "OPS-REPAIR"),
    ("5g", "注册成功率", "5G", "G-REG"),
];

/// Measures the written workspace month by month and writes the provider's figures;
/// returns the planted overstatements.
pub fn write(root: &Path, months: &[Period], quarters: &[Period]) -> Result<Vec<PlantedKpi>> {
    let ws = Workspace::load(root)?;
    crate::ingest::ingest_workspace(&ws, &crate::progress::IngestBar::new(false))?;
    let schemes = crate::session::schemes_of(&ws, None)?;
    let session = Session::load(ws)?;
    let mut rows = Vec::new();
    let mut planted = Vec::new();
    let periods = months
        .iter()
        .map(|p| (p, true))
        .chain(quarters.iter().map(|p| (p, false)));
    for (k, (period, monthly)) in periods.enumerate() {
        let values = measured(&session, &schemes, period)?;
        for (scheme, name, access, id) in STATED {
            let Some(computed) = values
                .iter()
                .find(|(s, i, _)| *s == scheme && *i == id)
                .and_then(|v| v.2)
            else {
                continue;
            };
            let mut stated = (computed * 100.0).round() / 100.0;
            // Planted: the first month's mean latency and the last month's p95 latency
            // stated a fifth lower than measured.
            let plant = monthly
                && ((k == 0 && id == "PERF-LAT") || (k + 1 == months.len() && id == "PERF-LAT95"));
            if plant {
                stated = (computed * 0.8 * 100.0).round() / 100.0;
            }
            // Row 1 is the title, row 2 the header.
            let row = rows.len() as u64 + 3;
            if plant {
                planted.push(PlantedKpi {
                    period: period.label().to_string(),
                    indicator: id.to_string(),
                    stated,
                    computed,
                    row,
                });
            }
            rows.push(vec![
                Out::Text(written_period(period, monthly)),
                Out::Text(name.to_string()),
                Out::Text(access.to_string()),
                Out::Num(stated),
                Out::Text(format!("ZB-{}", period.file_label())),
            ]);
        }
    }
    xlsx(
        &root.join(FILE),
        Some("服务商自报指标（摘自服务商月报、季报）"),
        &["统计周期", "指标名称", "接入方式", "自报值", "报告编号"],
        &rows,
    )?;
    Ok(planted)
}

/// Months as `2025-07`, quarters as `2025年第3季度`, as providers write them.
fn written_period(period: &Period, monthly: bool) -> String {
    match monthly {
        true => period.label().to_string(),
        false => {
            let (y, q) = period
                .label()
                .split_once('Q')
                .unwrap_or((period.label(), "1"));
            format!("{y}年第{q}季度")
        }
    }
}

/// (scheme id, indicator id, value) of every scheme for the period.
fn measured(
    session: &Session,
    schemes: &[Scheme],
    period: &Period,
) -> Result<Vec<(String, String, Option<f64>)>> {
    let mut out = Vec::new();
    for scheme in schemes {
        let m = crate::score::measure(scheme, &session.score_input(period), None)?;
        for (id, v) in m.indicators {
            out.push((
                scheme.id.clone(),
                id,
                v.values.get("").and_then(|v| v.value),
            ));
        }
    }
    Ok(out)
}
