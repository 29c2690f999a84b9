//! The chapters that open every period report (SPEC §14): 编制说明 (period, data
//! cut-off, sources with their sha256, scheme versions) and 总体情况 (a summary
//! sentence per scheme and the indicator card against the previous period).

use super::inputs::{ReportInputs, Span};
use super::text::*;
use crate::analysis::change::{Change, Side};
use crate::report::model::RowStyle;
use crate::report::neutral::{Block, Cell, Section};
use crate::score::ScoreResult;

/// 编制说明: period, data cut-off per table, sources, scheme versions.
pub(super) fn preface(m: &ReportInputs) -> Section {
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
pub(super) fn overview(m: &ReportInputs) -> Section {
    let mut s = section("总体情况", Some("总体情况"));
    for x in &m.schemes {
        s.blocks
            .push(Block::Paragraph(summary_sentence(x.now, m.span)));
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
                    m.span.this(),
                    m.span.last(),
                    "环比",
                    "达标",
                ],
                rows,
            ),
            &[4, 6, 3, 3, 3, 3, 3],
        ));
        // The monthly report's trend (the service year's months) for the workbook; the
        // quarterly report shows its months in 综合评价.
        if m.span == Span::Month && x.months.len() > 1 {
            s.blocks.push(placed(
                months_table(x, None),
                crate::report::neutral::Place::Workbook,
            ));
        }
    }
    if let Some(cut) = m.schemes.first().and_then(|x| x.this.cut_off) {
        s.blocks.push(Block::Note(format!(
            "{}数据截至 {cut}，与{}的变化不作比较。",
            m.span.this(),
            m.span.last()
        )));
    }
    s
}

/// "政务外网服务质量评估方案：本月 23 项指标中 18 项达标…".
pub fn summary_sentence(r: &ScoreResult, span: Span) -> String {
    let n = r.indicators.len();
    let met = r.indicators.iter().filter(|i| i.met == Some(true)).count();
    let failed = r.indicators.iter().filter(|i| i.met == Some(false)).count();
    let none = n - met - failed;
    let mut text = format!(
        "{}：{} {n} 项指标中 {met} 项达标、{failed} 项未达标",
        r.scheme,
        span.this()
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
            "；有数据的指标分值仅占 {:.2}%，数据不足，{}不计总分和等级。",
            r.scored_points_pct,
            span.this()
        )),
    }
    text
}
