//! The quarterly supervision and evaluation report (季度监管与评估报告, SPEC §14): the
//! monthly report's chapters over the quarter, plus 综合评价 (total, grade, veto hits,
//! payment; dimensions against the previous quarter; each indicator over the three
//! months and the quarter), 抽查与测试 and 结果应用 (the payment adjustment in % and
//! in yuan).
//!
//! Pure: takes results, returns a `Report`; no files, no polars.

use super::evaluation::{application, evaluation};
use super::fieldwork::field_checks;
use super::general::{overview, preface};
use super::inputs::EvaluationInputs;
use super::reconcile;
use super::review::{analysis, attachments, data_audit, problems, security};
use super::service::{construction, operations, performance};
use crate::report::neutral::Report;
use chrono::Datelike;

/// The report, chapter by chapter.
pub fn build(q: &EvaluationInputs) -> Report {
    let m = &q.base;
    let quarter = format!(
        "{} 年第{}季度",
        m.period.start.year(),
        ["一", "二", "三", "四"][m.period.start.month0() as usize / 3]
    );
    m.report(
        "季度监管与评估报告",
        format!("（{quarter}）"),
        vec![
            preface(m),
            overview(m),
            evaluation(q),
            construction(m),
            operations(m),
            performance(m),
            security(m),
            field_checks(q),
            data_audit(m),
            reconcile::chapter(m),
            problems(m),
            analysis(m),
            application(q),
            attachments(m),
        ],
    )
}
