//! The monthly supervision report (监管月报, SPEC §14) as the neutral report model:
//! every chapter in order, each built from the month's results; a chapter with
//! nothing to report says so in one sentence made from the data.
//!
//! Pure: takes results, returns a `Report`; no files, no polars.

use super::general::{overview, preface};
use super::inputs::ReportInputs;
use super::reconcile;
use super::review::{analysis, attachments, data_audit, problems, security};
use super::service::{construction, operations, performance};
use crate::report::neutral::Report;

/// The report, chapter by chapter.
pub fn build(m: &ReportInputs) -> Report {
    let month = m.period.start.format("%Y 年 %-m 月").to_string();
    m.report(
        "服务质量监管月报",
        format!("（{month}）"),
        vec![
            preface(m),
            overview(m),
            construction(m),
            operations(m),
            performance(m),
            security(m),
            data_audit(m),
            reconcile::chapter(m),
            problems(m),
            analysis(m),
            attachments(m),
        ],
    )
}
