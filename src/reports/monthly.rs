//! The monthly supervision report (监管月报, SPEC §14) as the neutral report model:
//! every chapter in order, each built from the month's results; a chapter with
//! nothing to report says so in one sentence made from the data.
//!
//! Pure: takes results, returns a `Report`; no files, no polars.

use super::review::{analysis, attachments, data_audit, problems, security};
use super::service::{construction, operations, performance};
use super::text::*;
use crate::analysis::change::{Change, Side};
use crate::analysis::faults::FaultSummary;
use crate::analysis::plan::PlanSummary;
use crate::analysis::security::SecuritySummary;
use crate::analysis::sources::SourceFile;
use crate::analysis::suggest::Suggestion;
use crate::analysis::trend::MonthResult;
use crate::audit::CheckReport;
use crate::period::Period;
use crate::report::model::RowStyle;
use crate::report::neutral::{Block, Cell, Report, Section};
use crate::scheme::Scheme;
use crate::score::daily::Day;
use crate::score::ScoreResult;

/// One scheme's month: its result (with district groups), last month, the chain.
pub struct SchemeMonth<'a> {
    pub scheme: &'a Scheme,
    pub now: &'a ScoreResult,
    /// This month as the trend has it (whole or 截至).
    pub this: &'a MonthResult,
    pub previous: Option<&'a MonthResult>,
}

/// Everything the monthly report shows, computed by the command.
pub struct MonthlyInputs<'a> {
    pub workspace: &'a str,
    pub period: &'a Period,
    pub schemes: Vec<SchemeMonth<'a>>,
    pub check: &'a CheckReport,
    pub faults: &'a FaultSummary,
    pub repeat_lines: &'a [(String, u64)],
    pub security: &'a SecuritySummary,
    /// (what, summary): 机房巡检, 应急演练, 建设工程, 服务商报告.
    pub plans: &'a [(&'static str, PlanSummary)],
    pub daily: &'a [Day],
    /// The lines of lowest availability in the month (at most 10).
    pub worst: &'a [crate::score::daily::LineFigures],
    pub suggestions: &'a [Suggestion],
    pub sources: &'a [SourceFile],
    /// The files this report is written to (附件).
    pub files: &'a [String],
    /// The tables gwq.yaml configures: a chapter on a table it lacks says so.
    pub configured: &'a std::collections::BTreeSet<crate::tables::Table>,
}

impl MonthlyInputs<'_> {
    /// "无数据：gwq.yaml 未配置故障工单数据源。" when the table has no source.
    pub(super) fn missing(&self, table: crate::tables::Table) -> Option<String> {
        (!self.configured.contains(&table))
            .then(|| format!("无数据：gwq.yaml 未配置{}数据源。", table.def().title))
    }
}

/// The report, chapter by chapter.
pub fn build(m: &MonthlyInputs) -> Report {
    let month = m.period.start.format("%Y 年 %-m 月").to_string();
    Report {
        title: format!("{}服务质量监管月报", m.workspace),
        subtitle: Some(format!("（{month}）")),
        cover_lines: vec![
            m.workspace.to_string(),
            format!("统计期间：{} 至 {}", m.period.start, m.period.end),
        ],
        sections: vec![
            preface(m),
            overview(m),
            construction(m),
            operations(m),
            performance(m),
            security(m),
            data_audit(m),
            problems(m),
            analysis(m),
            attachments(m),
        ],
    }
}

/// 编制说明: period, data cut-off per table, sources, scheme versions.
fn preface(m: &MonthlyInputs) -> Section {
    let mut s = section("编制说明", Some("编制说明"));
    s.blocks.push(Block::Paragraph(format!(
        "本报告依据工作区的 {} 个数据文件（见表 1）编制，统计期间为 {} 至 {}。",
        m.sources.len(),
        m.period.start,
        m.period.end
    )));
    let record_tables = m
        .sources
        .iter()
        .filter(|f| !matches!(f.table, "线路台账" | "号卡"));
    if let Some(newest) = record_tables.filter_map(|f| f.newest).max() {
        s.blocks.push(Block::Paragraph(format!(
            "数据截至 {}（各数据源的最新记录见表 1）。",
            newest.format("%Y-%m-%d %H:%M")
        )));
    }
    let versions: Vec<String> = m
        .schemes
        .iter()
        .map(|x| {
            format!(
                "《{}》{}",
                x.scheme.name,
                x.scheme
                    .version
                    .as_deref()
                    .map_or(String::new(), |v| format!("（版本 {v}）"))
            )
        })
        .collect();
    s.blocks.push(Block::Paragraph(format!(
        "评分依据：{}。",
        versions.join("、")
    )));
    let rows = m
        .sources
        .iter()
        .map(|f| {
            (
                RowStyle::Normal,
                vec![
                    f.table.into(),
                    f.file.clone().into(),
                    Cell::Int(f.rows as i64),
                    f.newest
                        .map_or(String::new(), |t| t.format("%Y-%m-%d %H:%M").to_string())
                        .into(),
                    f.sha256_12.clone().into(),
                ],
            )
        })
        .collect();
    s.blocks.push(widths(
        table(
            "数据来源".into(),
            &[
                "数据表",
                "文件",
                "读入行数",
                "最新记录",
                "SHA-256（前 12 位）",
            ],
            rows,
        ),
        &[3, 7, 2, 4, 4],
    ));
    s
}

/// 一、总体情况: a sentence per scheme and the indicator card.
fn overview(m: &MonthlyInputs) -> Section {
    let mut s = section("一、总体情况", Some("总体情况"));
    for x in &m.schemes {
        s.blocks.push(Block::Paragraph(summary_sentence(x.now)));
        let rows = x
            .scheme
            .indicators()
            .zip(&x.now.indicators)
            .enumerate()
            .map(|(i, (ind, r))| {
                let before = x.previous.map(|p| &p.result.indicators[i]);
                let change = Change::between(
                    Side {
                        value: r.value,
                        whole: x.this.whole(),
                    },
                    Side {
                        value: before.and_then(|b| b.value),
                        whole: x.previous.is_some_and(|p| p.whole()),
                    },
                    &ind.target,
                );
                let style = if r.met == Some(false) {
                    RowStyle::Bad
                } else {
                    RowStyle::Normal
                };
                (
                    style,
                    vec![
                        r.id.clone().into(),
                        r.name.clone().into(),
                        r.target.clone().into(),
                        fmt2(r.value),
                        fmt2(before.and_then(|b| b.value)),
                        Cell::Change(change),
                        r.met_text().into(),
                    ],
                )
            })
            .collect();
        s.blocks.push(widths(
            table(
                format!("{}指标一览", x.now.scheme),
                &[
                    "指标编号",
                    "指标名称",
                    "目标",
                    "本月",
                    "上月",
                    "环比",
                    "达标",
                ],
                rows,
            ),
            &[4, 6, 3, 3, 3, 3, 3],
        ));
    }
    if let Some(cut) = m.schemes.first().and_then(|x| x.this.cut_off) {
        s.blocks.push(Block::Note(format!(
            "本月数据截至 {cut}，与上月的变化不作比较。"
        )));
    }
    s
}

/// "政务外网服务质量评估方案：本月 23 项指标中 18 项达标…".
pub fn summary_sentence(r: &ScoreResult) -> String {
    let n = r.indicators.len();
    let met = r.indicators.iter().filter(|i| i.met == Some(true)).count();
    let failed = r.indicators.iter().filter(|i| i.met == Some(false)).count();
    let none = n - met - failed;
    let mut text = format!(
        "{}：本月 {n} 项指标中 {met} 项达标、{failed} 项未达标",
        r.scheme
    );
    if none > 0 {
        text.push_str(&format!("、{none} 项无数据"));
    }
    match (r.total, &r.grade) {
        (Some(t), Some(g)) => {
            text.push_str(&format!("；总分 {t:.2}，等级{g}"));
            if let Some(p) = r.payment_adjust_pct {
                text.push_str(&format!("，对应费用调整 {p}%"));
            }
            text.push('。');
        }
        _ => text.push_str(&format!(
            "；有数据的指标分值仅占 {:.2}%，数据不足，本月不计总分和等级。",
            r.scored_points_pct
        )),
    }
    text
}
