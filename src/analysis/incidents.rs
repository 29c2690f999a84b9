//! The events of a special report (SPEC §14 监管专项报告): fault tickets, outages or
//! security findings of a period (or of one line), each with its steps in time and
//! its handling against the time limits the schemes set — read into plain values,
//! since a special report is about a few hundred rows at most.

use crate::frame::{self, FrameError, StepContext};
use crate::ingest::LoadedTable;
use crate::period::Period;
use crate::scheme::{Limit, LimitRule, Measure, Scheme};
use crate::score::rows;
use crate::tables::Table;
use chrono::{NaiveDate, NaiveDateTime};

/// One handling step measured against a limit: 响应, 恢复, 整改.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub step: String,
    /// Seconds taken (`None`: not done by the period's end).
    pub taken: Option<i64>,
    /// The limit in seconds, when a scheme sets one for this event.
    pub limit: Option<i64>,
}

impl Check {
    /// 按时, 超时, 未完成（已超时）, 未完成, or — without a limit.
    pub fn verdict(&self, open_for: i64) -> &'static str {
        match (self.taken, self.limit) {
            (_, None) => "—",
            (Some(t), Some(l)) if t <= l => "按时",
            (Some(_), Some(_)) => "超时",
            (None, Some(l)) if open_for > l => "未完成（已超时）",
            (None, Some(_)) => "未完成",
        }
    }

    pub fn late(&self, open_for: i64) -> bool {
        matches!(self.verdict(open_for), "超时" | "未完成（已超时）")
    }
}

/// One event of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: String,
    pub line_id: Option<String>,
    pub start: NaiveDateTime,
    /// When it ended (restored, rectified); `None`: still open at export.
    pub end: Option<NaiveDateTime>,
    /// Severity or kind in words (一级, 计划内, 高).
    pub kind: String,
    pub cause: Option<String>,
    /// The steps in time after the start: (what, when).
    pub steps: Vec<(String, NaiveDateTime)>,
    pub checks: Vec<Check>,
}

/// What a special report is about.
#[derive(Debug, Clone, PartialEq)]
pub enum Topic {
    Faults,
    Outages,
    Security,
    /// The period's fees and the evaluation's payment adjustment.
    Fees,
    Line(String),
}

impl Topic {
    pub fn parse(text: &str) -> Option<Topic> {
        match text.trim() {
            "faults" => Some(Topic::Faults),
            "outages" => Some(Topic::Outages),
            "security" => Some(Topic::Security),
            "fees" => Some(Topic::Fees),
            t => t
                .strip_prefix("line:")
                .filter(|id| !id.trim().is_empty())
                .map(|id| Topic::Line(id.trim().to_string())),
        }
    }

    /// The topic in file names: `faults`, `line-SH-PD-0001`.
    pub fn file_label(&self) -> String {
        match self {
            Topic::Faults => "faults".into(),
            Topic::Outages => "outages".into(),
            Topic::Security => "security".into(),
            Topic::Fees => "fees".into(),
            Topic::Line(id) => format!(
                "line-{}",
                id.chars()
                    .map(|c| if c.is_ascii_alphanumeric() || c == '-' {
                        c
                    } else {
                        '_'
                    })
                    .collect::<String>()
            ),
        }
    }

    pub fn title(&self) -> String {
        match self {
            Topic::Faults => "故障处置".into(),
            Topic::Outages => "网络中断".into(),
            Topic::Security => "网络安全问题整改".into(),
            Topic::Fees => "服务费用".into(),
            Topic::Line(id) => format!("线路 {id} 服务质量"),
        }
    }
}

/// The limits the schemes set on fault tickets: (end column, limit by severity).
fn fault_limits(schemes: &[Scheme]) -> Vec<(String, LimitRule)> {
    schemes
        .iter()
        .flat_map(|s| s.indicators())
        .filter(|i| i.source == Table::Faults)
        .filter_map(|i| match &i.measure {
            Measure::OnTimeRate { start, end, limit } if start == "reported_at" => {
                Some((end.clone(), limit.clone()))
            }
            _ => None,
        })
        .fold(Vec::new(), |mut out, (end, limit)| {
            if !out.iter().any(|(e, _)| *e == end) {
                out.push((end, limit));
            }
            out
        })
}

/// A limit in seconds for a severity (working days are not a clock limit here).
fn seconds(rule: &LimitRule, severity: Option<i64>) -> Option<i64> {
    let of = |l: &Limit| match l {
        Limit::Seconds(s) => Some(*s as i64),
        Limit::WorkingDays(_) => None,
    };
    match rule {
        LimitRule::Fixed(l) => of(l),
        LimitRule::By { values, .. } => {
            let key = severity?.to_string();
            values
                .iter()
                .find(|(k, _)| *k == key)
                .and_then(|(_, l)| of(l))
        }
    }
}

const STEP: &str = "读取专题数据";

fn level(n: Option<i64>) -> String {
    match n {
        Some(1) => "一级".into(),
        Some(2) => "二级".into(),
        Some(3) => "三级".into(),
        _ => "未分级".into(),
    }
}

fn times(
    df: &polars::prelude::DataFrame,
    c: &str,
) -> Result<Vec<Option<NaiveDateTime>>, FrameError> {
    Ok(frame::i64_values(df, c)?
        .into_iter()
        .map(|v| v.map(frame::from_millis))
        .collect())
}

/// Fault tickets reported in the period (of one line when given).
pub fn faults(
    t: &LoadedTable,
    schemes: &[Scheme],
    period: &Period,
    line: Option<&str>,
) -> Result<Vec<Event>, FrameError> {
    let df = rows::in_period(t.frame.clone(), Table::Faults, "reported_at", period)
        .collect()
        .step(STEP)?;
    let ids = frame::str_values(&df, "ticket_id")?;
    let lines = frame::str_values(&df, "line_id")?;
    let severity = frame::i64_values(&df, "severity")?;
    let cause = frame::str_values(&df, "cause")?;
    let at = |c: &str| times(&df, c);
    let (reported, responded, arrived, restored, closed) = (
        at("reported_at")?,
        at("responded_at")?,
        at("arrived_at")?,
        at("restored_at")?,
        at("closed_at")?,
    );
    let limits = fault_limits(schemes);
    let mut out = Vec::new();
    for i in 0..df.height() {
        let Some(start) = reported[i] else { continue };
        if line.is_some_and(|l| lines[i].as_deref() != Some(l)) {
            continue;
        }
        let by_column = |c: &str| match c {
            "responded_at" => responded[i],
            "arrived_at" => arrived[i],
            "restored_at" => restored[i],
            "closed_at" => closed[i],
            _ => None,
        };
        let steps = [
            ("响应", responded[i]),
            ("到场", arrived[i]),
            ("恢复", restored[i]),
            ("归档", closed[i]),
        ]
        .into_iter()
        .filter_map(|(w, t)| Some((w.to_string(), t?)))
        .collect();
        let checks = limits
            .iter()
            .map(|(end, rule)| Check {
                step: crate::scheme::words::column_name(Table::Faults, end).replace("时间", ""),
                taken: by_column(end).map(|e| (e - start).num_seconds()),
                limit: seconds(rule, severity[i]),
            })
            .collect();
        out.push(Event {
            id: ids[i].clone().unwrap_or_default(),
            line_id: lines[i].clone(),
            start,
            end: restored[i],
            kind: level(severity[i]),
            cause: cause[i].clone(),
            steps,
            checks,
        });
    }
    out.sort_by(|a, b| a.start.cmp(&b.start).then(a.id.cmp(&b.id)));
    Ok(out)
}

/// Outages starting in the period (of one line when given); unplanned ones are
/// checked against the schemes' restore limit for the most severe level.
pub fn outages(
    t: &LoadedTable,
    schemes: &[Scheme],
    period: &Period,
    line: Option<&str>,
) -> Result<Vec<Event>, FrameError> {
    let df = rows::in_period(t.frame.clone(), Table::Outages, "start", period)
        .collect()
        .step(STEP)?;
    let lines = frame::str_values(&df, "line_id")?;
    let planned = frame::bool_values(&df, "planned")?;
    let cause = frame::str_values(&df, "cause")?;
    let (start, end) = (times(&df, "start")?, times(&df, "end")?);
    let restore = fault_limits(schemes)
        .into_iter()
        .find(|(e, _)| e == "restored_at")
        .and_then(|(_, rule)| seconds(&rule, Some(1)));
    let mut out = Vec::new();
    for i in 0..df.height() {
        let Some(s) = start[i] else { continue };
        if line.is_some_and(|l| lines[i].as_deref() != Some(l)) {
            continue;
        }
        let is_planned = planned[i] == Some(true);
        out.push(Event {
            id: format!(
                "{}@{}",
                lines[i].clone().unwrap_or_default(),
                s.format("%m-%d %H:%M")
            ),
            line_id: lines[i].clone(),
            start: s,
            end: end[i],
            kind: if is_planned { "计划内" } else { "非计划" }.into(),
            cause: cause[i].clone(),
            steps: end[i]
                .map(|e| ("恢复".to_string(), e))
                .into_iter()
                .collect(),
            checks: match is_planned {
                true => Vec::new(),
                false => vec![Check {
                    step: "恢复".into(),
                    taken: end[i].map(|e| (e - s).num_seconds()),
                    limit: restore,
                }],
            },
        });
    }
    out.sort_by(|a, b| a.start.cmp(&b.start).then(a.id.cmp(&b.id)));
    Ok(out)
}

/// Security findings found in the period, checked against their own deadlines.
pub fn security(t: &LoadedTable, period: &Period) -> Result<Vec<Event>, FrameError> {
    let df = rows::in_period(t.frame.clone(), Table::Security, "found_on", period)
        .collect()
        .step(STEP)?;
    let ids = frame::str_values(&df, "finding_id")?;
    let source = frame::str_values(&df, "source")?;
    let severity = frame::str_values(&df, "severity")?;
    let day = |c: &str| -> Result<Vec<Option<NaiveDate>>, FrameError> {
        Ok(frame::i64_values(&df, c)?
            .into_iter()
            .map(|v| v.map(|d| frame::from_days(d as i32)))
            .collect())
    };
    let (found, due, rectified) = (day("found_on")?, day("due_on")?, day("rectified_on")?);
    let midnight = |d: NaiveDate| d.and_hms_opt(0, 0, 0).expect("midnight");
    let mut out = Vec::new();
    for i in 0..df.height() {
        let Some(f) = found[i] else { continue };
        out.push(Event {
            id: ids[i].clone().unwrap_or_default(),
            line_id: None,
            start: midnight(f),
            end: rectified[i].map(midnight),
            kind: severity[i].clone().unwrap_or_else(|| "未分级".into()),
            cause: source[i].clone(),
            steps: [("整改期限", due[i]), ("整改完成", rectified[i])]
                .into_iter()
                .filter_map(|(w, d)| Some((w.to_string(), midnight(d?))))
                .collect(),
            checks: vec![Check {
                step: "整改".into(),
                taken: rectified[i].map(|r| (r - f).num_seconds()),
                limit: due[i].map(|d| (d - f).num_seconds()),
            }],
        });
    }
    out.sort_by(|a, b| a.start.cmp(&b.start).then(a.id.cmp(&b.id)));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_and_topics() {
        let c = |taken, limit| Check {
            step: "响应".into(),
            taken,
            limit,
        };
        assert_eq!(c(Some(600), Some(900)).verdict(0), "按时");
        assert_eq!(c(Some(901), Some(900)).verdict(0), "超时");
        assert_eq!(c(None, Some(900)).verdict(1000), "未完成（已超时）");
        assert_eq!(c(None, Some(900)).verdict(100), "未完成");
        assert_eq!(c(Some(5), None).verdict(0), "—");
        assert!(c(None, Some(900)).late(1000));
        assert_eq!(
            Topic::parse("line:SH-PD-0001"),
            Some(Topic::Line("SH-PD-0001".into()))
        );
        assert_eq!(Topic::parse("line:"), None);
        assert_eq!(Topic::parse("fees"), Some(Topic::Fees));
        assert_eq!(Topic::parse("money"), None);
        assert_eq!(Topic::Line("局/01".into()).file_label(), "line-__01");
    }
}
