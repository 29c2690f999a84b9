//! The 5G access annual evaluation report (5G接入服务质量年度评估报告, SPEC §14), after
//! the 5G scheme: cards by unit, package and month; activation timeliness; each KPI
//! as mean, share of records meeting the target and the worst 10 cards or cells;
//! faults; complaints per 1,000 cards; satisfaction; security; the score.
//!
//! Pure: takes results, returns a `Report`.

use super::evaluation::{application, evaluation};
use super::general::{overview, preface};
use super::inputs::{EvaluationInputs, ReportInputs};
use super::review::{attachments, problems, security};
use super::text::{count_sentence, fmt2, pct_or_dash, placed, section, table};
use crate::analysis::cards::{CardCounts, CardSummary, Kpi};
use crate::analysis::faults::FaultSummary;
use crate::report::model::RowStyle;
use crate::report::neutral::{Block, Cell, Place, Report, Section};
use crate::tables::Table;

/// What the 5G report shows beyond the evaluation chapters.
pub struct FiveG<'a> {
    pub cards: &'a CardSummary,
    pub kpis: &'a [Kpi],
    pub faults: &'a FaultSummary,
    /// 5G complaints received in the period.
    pub complaints: u64,
}

pub fn build(a: &EvaluationInputs, g: &FiveG) -> Report {
    let m = &a.base;
    m.report(
        "5G接入服务质量年度评估报告",
        format!("（{} 至 {}）", m.period.start, m.period.end),
        vec![
            preface(m),
            overview(m),
            cards(m, g),
            kpis(m, g),
            faults_and_complaints(m, g),
            satisfaction(m),
            security(m),
            evaluation(a),
            problems(m),
            application(a),
            attachments(m),
        ],
    )
}

/// The value of the scheme's first indicator on `table`, with its id and name.
fn indicator_on(m: &ReportInputs, table: Table) -> Option<(String, Option<f64>, String)> {
    let x = m.schemes.first()?;
    x.scheme
        .indicators()
        .zip(&x.now.indicators)
        .find(|(i, _)| i.source == table)
        .map(|(i, r)| {
            (
                format!("{} {}", i.id, i.name),
                r.value,
                i.target.to_string(),
            )
        })
}

fn counts_table(caption: &str, what: &str, rows: &[CardCounts]) -> Block {
    super::text::widths(
        table(
            caption.into(),
            &[what, "开通", "销户", "期末在用"],
            rows.iter()
                .map(|c| {
                    (
                        RowStyle::Normal,
                        vec![
                            c.key.clone().into(),
                            Cell::Int(c.opened as i64),
                            Cell::Int(c.closed as i64),
                            Cell::Int(c.active as i64),
                        ],
                    )
                })
                .collect(),
        ),
        &[5, 2, 2, 2],
    )
}

fn cards(m: &ReportInputs, g: &FiveG) -> Section {
    let mut s = section("号卡与开通", Some("号卡"));
    if let Some(why) = m.missing(Table::SimCards) {
        s.blocks.push(Block::Paragraph(why));
        return s;
    }
    let opened: u64 = g.cards.by_unit.iter().map(|c| c.opened).sum();
    let closed: u64 = g.cards.by_unit.iter().map(|c| c.closed).sum();
    s.blocks.push(Block::Paragraph(format!(
        "{}开通号卡 {opened} 张、销户 {closed} 张，期末在用 {} 张，分布在 {} 个单位、{} 种套餐。",
        m.span.this(),
        g.cards.active,
        g.cards.by_unit.len(),
        g.cards.by_package.len()
    )));
    if let Some((name, value, target)) = indicator_on(m, Table::SimCards) {
        s.blocks.push(Block::Paragraph(format!(
            "开通及时性（{name}）：{}，目标 {target}。",
            pct_or_dash(value)
        )));
    }
    s.blocks
        .push(counts_table("号卡（按月）", "月份", &g.cards.by_month));
    s.blocks
        .push(counts_table("号卡（按套餐）", "套餐", &g.cards.by_package));
    s.blocks.push(placed(
        counts_table(
            "号卡（按单位，前 10）",
            "单位",
            &g.cards.by_unit[..g.cards.by_unit.len().min(10)],
        ),
        Place::Document,
    ));
    s.blocks.push(placed(
        counts_table("号卡（按单位）", "单位", &g.cards.by_unit),
        Place::Workbook,
    ));
    s
}

fn kpis(m: &ReportInputs, g: &FiveG) -> Section {
    let mut s = section("网络性能", Some("5G指标"));
    if let Some(why) = m.missing(Table::Kpi5g) {
        s.blocks.push(Block::Paragraph(why));
        return s;
    }
    if g.kpis.is_empty() {
        s.blocks.push(Block::Paragraph(
            "5G 评估方案没有按均值计算的 5G 性能指标。".into(),
        ));
        return s;
    }
    let rows = g
        .kpis
        .iter()
        .map(|k| {
            let bad = k.mean.is_some_and(|v| !k.target.is_met(v));
            (
                if bad { RowStyle::Bad } else { RowStyle::Normal },
                vec![
                    format!("{} {}", k.id, k.name).into(),
                    format!("{}{}", k.target, k.unit.as_deref().unwrap_or("")).into(),
                    fmt2(k.mean),
                    k.met_pct.map_or_else(|| "—".into(), Cell::Percent),
                    Cell::Int(k.records as i64),
                ],
            )
        })
        .collect();
    s.blocks.push(super::text::widths(
        table(
            "5G 性能指标".into(),
            &["指标", "目标", "均值", "达标记录占比", "记录数"],
            rows,
        ),
        &[5, 2, 2, 2, 2],
    ));
    for k in g.kpis {
        if let Some((who, v)) = k.worst.first() {
            s.blocks.push(Block::Paragraph(format!(
                "{}：最差的是 {who}（均值 {v:.2}），最差 {} 个号卡或小区见 Excel。",
                k.name,
                k.worst.len()
            )));
        }
        s.blocks.push(placed(
            table(
                format!("{}最差的号卡或小区", k.name),
                &["号卡或小区", "均值"],
                k.worst
                    .iter()
                    .map(|(w, v)| {
                        (
                            RowStyle::Normal,
                            vec![w.clone().into(), Cell::Number(*v, 2)],
                        )
                    })
                    .collect(),
            ),
            Place::Workbook,
        ));
    }
    s
}

fn faults_and_complaints(m: &ReportInputs, g: &FiveG) -> Section {
    let mut s = section("故障与投诉", Some("故障与投诉"));
    let f = g.faults;
    s.blocks.push(Block::Paragraph(
        match (m.missing(Table::Faults), f.total) {
            (Some(why), _) => format!("故障：{why}"),
            (None, 0) => format!("{}未发生 5G 故障报修。", m.span.this()),
            (None, n) => format!(
                "{}5G 故障报修 {n} 起，其中{}；按原因：{}。",
                m.span.this(),
                count_sentence(&f.by_severity, "起"),
                count_sentence(&f.by_cause, "起")
            ),
        },
    ));
    s.blocks
        .push(Block::Paragraph(match m.missing(Table::Complaints) {
            Some(why) => format!("投诉：{why}"),
            None => {
                let per = (g.cards.active > 0)
                    .then(|| 1000.0 * g.complaints as f64 / g.cards.active as f64);
                format!(
                    "{}受理 5G 投诉 {} 件，按期末在用号卡 {} 张计，每千卡投诉 {}。",
                    m.span.this(),
                    g.complaints,
                    g.cards.active,
                    per.map_or("—".to_string(), |p| format!("{p:.2} 件"))
                )
            }
        }));
    s
}

fn satisfaction(m: &ReportInputs) -> Section {
    let mut s = section("用户满意度", None);
    s.blocks
        .push(Block::Paragraph(match indicator_on(m, Table::Surveys) {
            Some((name, Some(v), target)) => format!("{name}：{v:.2} 分，目标 {target}。"),
            Some((name, None, _)) => format!("{name}：{}没有满意度调查数据。", m.span.this()),
            None => "5G 评估方案没有满意度指标。".into(),
        }));
    s
}
