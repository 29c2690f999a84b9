//! Chapters 五 to 附件 of the monthly report (SPEC §14): 网络安全, 数据稽核, 问题整改,
//! 分析与建议 and the attachments.

use super::inputs::ReportInputs;
use super::text::*;
use crate::analysis::lifecycle::{self, Link};
use crate::analysis::security::SecurityCounts;
use crate::findings::{Code, Severity};
use crate::ledger::movements::Movements;
use crate::report::chart::Bar;
use crate::report::model::RowStyle;
use crate::report::neutral::{Block, Cell, Chart, Place, Section};

/// 五、网络安全: findings opened, rectified, overdue by severity and source.
pub(super) fn security(m: &ReportInputs) -> Section {
    let mut s = section("网络安全", Some("网络安全"));
    if let Some(why) = m.missing(crate::tables::Table::Security) {
        s.blocks.push(Block::Paragraph(why));
        return s;
    }
    let sec = m.security;
    let sum = |f: fn(&SecurityCounts) -> u64| sec.by_severity.iter().map(f).sum::<u64>();
    let (opened, rectified, overdue) =
        (sum(|c| c.opened), sum(|c| c.rectified), sum(|c| c.overdue));
    if opened + rectified + overdue == 0 {
        s.blocks.push(Block::Paragraph(format!(
            "{}未发现新的安全问题，没有整改完成或到期未整改的安全问题。",
            m.span.this()
        )));
        return s;
    }
    s.blocks.push(Block::Paragraph(format!(
        "{}新发现安全问题 {opened} 项，整改完成 {rectified} 项，至{}超期未整改 {overdue} 项。",
        m.span.this(),
        m.span.end()
    )));
    for (what, list) in [("等级", &sec.by_severity), ("来源", &sec.by_source)] {
        let rows = list
            .iter()
            .map(|c| {
                let style = if c.overdue > 0 {
                    RowStyle::Bad
                } else {
                    RowStyle::Normal
                };
                (
                    style,
                    vec![
                        c.key.clone().into(),
                        Cell::Int(c.opened as i64),
                        Cell::Int(c.rectified as i64),
                        Cell::Int(c.overdue as i64),
                    ],
                )
            })
            .collect();
        s.blocks.push(table(
            format!("安全问题（按{what}）"),
            &[what, "新发现", "整改完成", "超期未整改"],
            rows,
        ));
    }
    s
}

/// 六、数据稽核: coverage, findings by code, rows left out, duplicates dropped.
pub(super) fn data_audit(m: &ReportInputs) -> Section {
    let mut s = section("数据稽核", Some("数据稽核"));
    let c = m.check;
    let coverage = c
        .coverage_pct()
        .map_or("无采样数据".to_string(), |p| format!("{p:.2}%"));
    let rejected: u64 = c.tables.iter().map(|t| t.rows_rejected).sum();
    let dropped: u64 = c.dropped_exact_duplicates.values().sum();
    s.blocks.push(Block::Paragraph(format!(
        "{}数据稽核发现错误 {} 项、警告 {} 项；采集覆盖率 {coverage}；无法使用而剔除的行 {rejected} 行，完全重复而剔除的行 {dropped} 行。",
        m.span.this(),
        c.count(Severity::Error),
        c.count(Severity::Warning)
    )));
    let rows: Vec<(RowStyle, Vec<Cell>)> = Code::ALL
        .iter()
        .filter_map(|code| {
            let n = c.counts.get(code).copied().unwrap_or(0);
            let style = if code.severity() == Severity::Error {
                RowStyle::Bad
            } else {
                RowStyle::Warn
            };
            (n > 0).then(|| {
                (
                    style,
                    vec![
                        code.as_str().into(),
                        code.title().into(),
                        code.severity().label().into(),
                        Cell::Int(n as i64),
                    ],
                )
            })
        })
        .collect();
    if !rows.is_empty() {
        s.blocks.push(table(
            "数据稽核问题".into(),
            &["代码", "问题", "级别", "项数"],
            rows,
        ));
    }
    s
}

/// 问题整改: the ledger's movements when the workspace keeps one (SPEC §9, §14), else
/// the period's problems from the score and the audit.
pub(super) fn problems(m: &ReportInputs) -> Section {
    let mut s = section("问题整改", Some("问题整改"));
    match m.ledger {
        Some(l) => ledger_movements(&mut s, m, l),
        None => period_problems(&mut s, m),
    }
    s
}

/// Carried over + new − closed = open, the overdue problems, their ageing.
fn ledger_movements(s: &mut Section, m: &ReportInputs, l: &Movements) {
    s.blocks.push(Block::Paragraph(format!(
        "问题清单：期初未关闭 {} 项，{}新增 {} 项、关闭 {} 项，{}未关闭 {} 项（{} + {} − {} = {}）；其中超过整改期限 {} 项。",
        l.carried_over,
        m.span.this(),
        l.new,
        l.closed,
        m.span.end(),
        l.open,
        l.carried_over,
        l.new,
        l.closed,
        l.open,
        l.overdue.len()
    )));
    if let Some(rate) = l.closure_rate_pct {
        let days = l
            .mean_days_to_close
            .map_or(String::new(), |d| format!("，关闭的问题平均用时 {d:.1} 天"));
        s.blocks.push(Block::Paragraph(format!(
            "{}关闭率 {rate:.2}%（关闭 ÷ （期初未关闭 + 新增））{days}；关闭后又重新打开的 {} 项。",
            m.span.this(),
            l.reopened
        )));
    }
    if l.open > 0 {
        let cells = |rows: &[(String, usize)]| {
            rows.iter()
                .map(|(k, n)| {
                    (
                        RowStyle::Normal,
                        vec![k.clone().into(), Cell::Int(*n as i64)],
                    )
                })
                .collect()
        };
        s.blocks.push(table(
            "未关闭问题（按来源）".into(),
            &["来源", "项数"],
            cells(&l.open_by_source),
        ));
        s.blocks.push(table(
            "未关闭问题（按已开放时长）".into(),
            &["已开放", "项数"],
            cells(&l.ageing),
        ));
    }
    if l.overdue.is_empty() {
        return;
    }
    let row = |o: &crate::ledger::movements::Overdue| {
        (
            RowStyle::Bad,
            vec![
                o.id.clone().into(),
                o.source.clone().into(),
                o.description.clone().into(),
                o.owner.clone().into(),
                o.deadline.to_string().into(),
                Cell::Int(o.days_late),
            ],
        )
    };
    let headers = ["问题编号", "来源", "描述", "责任方", "整改期限", "逾期天数"];
    let shown = l.overdue.len().min(10);
    s.blocks.push(placed(
        widths(
            table(
                format!("超期未整改的问题（逾期最久的 {shown} 项）"),
                &headers,
                l.overdue.iter().take(10).map(row).collect(),
            ),
            &[2, 2, 7, 2, 2, 2],
        ),
        Place::Document,
    ));
    s.blocks.push(placed(
        table(
            "超期未整改的问题".into(),
            &headers,
            l.overdue.iter().map(row).collect(),
        ),
        Place::Workbook,
    ));
}

/// Without a ledger: the period's failed indicators and the audit's errors.
fn period_problems(s: &mut Section, m: &ReportInputs) {
    let failed: Vec<(RowStyle, Vec<Cell>)> = m
        .schemes
        .iter()
        .flat_map(|x| {
            x.now
                .indicators
                .iter()
                .filter(|i| i.met == Some(false))
                .map(move |i| (x, i))
        })
        .map(|(x, i)| {
            (
                RowStyle::Bad,
                vec![
                    "指标未达标".into(),
                    format!("{} {}（{}）", i.id, i.name, x.now.scheme).into(),
                    fmt2(i.value),
                ],
            )
        })
        .collect();
    let errors = m.check.count(Severity::Error);
    s.blocks.push(Block::Paragraph(format!(
        "工作区尚无问题清单（可运行 gwq problems sync 建立）。{}问题取自评分与数据稽核：未达标指标 {} 项，数据稽核错误 {errors} 项（明细见数据稽核章节）。",
        m.span.this(),
        failed.len()
    )));
    if !failed.is_empty() {
        s.blocks.push(table(
            format!("{}问题", m.span.this()),
            &["来源", "问题", &format!("{}值", m.span.this())],
            failed,
        ));
    }
}

/// 八、分析与建议: the lifecycle chain and the suggestions of rules R1–R6.
pub(super) fn analysis(m: &ReportInputs) -> Section {
    let mut s = section("分析与建议", Some("分析与建议"));
    for x in &m.schemes {
        let links = lifecycle::chain(x.scheme, x.now);
        s.blocks.push(Block::Paragraph(chain_sentence(
            &x.now.scheme,
            m.span,
            &links,
        )));
        if let Some(chart) = chain_chart(&x.now.scheme, &links) {
            s.blocks.push(chart);
        }
    }
    if m.suggestions.is_empty() {
        s.blocks.push(Block::Paragraph(format!(
            "{}各项指标均已达标，未触发优化建议规则（R1–R6）。",
            m.span.this()
        )));
    } else {
        let rows = m
            .suggestions
            .iter()
            .map(|x| {
                (
                    RowStyle::Normal,
                    vec![x.rule.into(), x.level.into(), x.text.clone().into()],
                )
            })
            .collect();
        s.blocks.push(widths(
            table("优化建议".into(), &["规则", "类别", "建议"], rows),
            &[1, 2, 9],
        ));
    }
    s
}

/// The links' score rates as bars, where any link scored.
fn chain_chart(scheme: &str, links: &[Link]) -> Option<Block> {
    let bars: Vec<Bar> = links
        .iter()
        .filter_map(|l| {
            l.score_pct.map(|v| Bar {
                label: l.stage.to_string(),
                value: v,
                text: format!("{v:.2}%"),
            })
        })
        .collect();
    (!bars.is_empty()).then(|| {
        Block::Chart(Chart::Bars {
            caption: format!("{scheme}服务链条各环节得分率"),
            axis: "得分率 (%)".into(),
            bars,
        })
    })
}

fn chain_sentence(scheme: &str, span: super::inputs::Span, links: &[Link]) -> String {
    let shown: Vec<String> = links
        .iter()
        .map(|l| format!("{} {}", l.stage, pct_or_dash(l.score_pct)))
        .collect();
    match lifecycle::weakest(links) {
        Some(w) => format!(
            "{scheme}服务链条（得分率）：{}；最薄弱环节为“{}”。",
            shown.join(" → "),
            w.stage
        ),
        None => format!(
            "{scheme}：{}开通、故障、恢复、投诉各环节均无评分数据。",
            span.this()
        ),
    }
}

pub(super) fn attachments(m: &ReportInputs) -> Section {
    super::text::attachments(m.files)
}
