//! 综合评价 and 结果应用 of the quarterly report (SPEC §14): the quarter's total, grade,
//! veto hits and payment adjustment per scheme against the previous quarter; the
//! dimensions this quarter and last; each indicator over the three months and the
//! quarter; and the adjustment in yuan on the fee the billing rules make due.

use super::inputs::EvaluationInputs;
use super::inputs::{SchemePeriod, Span};
use super::text::*;
use crate::analysis::change::{Change, Side};
use crate::analysis::trend::MonthResult;
use crate::fees::due::DueFee;
use crate::fees::money;
use crate::report::chart::Bar;
use crate::report::model::RowStyle;
use crate::report::neutral::{Block, Cell, Chart, Section};
use crate::scheme::scoring::Target;

/// Higher is better: totals and dimension scores.
fn higher() -> Target {
    ">= 0".parse().expect("a valid target")
}

/// 综合评价.
pub(super) fn evaluation(q: &EvaluationInputs) -> Section {
    let m = &q.base;
    let mut s = section("综合评价", Some("综合评价"));
    for x in &m.schemes {
        s.blocks.push(Block::Paragraph(verdict(x, m.span)));
    }
    s.blocks.push(totals_table(&m.schemes, m.span));
    for x in &m.schemes {
        s.blocks.push(dimension_table(x, m.span));
        if let Some(chart) = dimension_chart(x, m.span) {
            s.blocks.push(chart);
        }
    }
    for x in &m.schemes {
        s.blocks.push(match x.quarters.is_empty() {
            true => months_table(x, Some(m.span.this())),
            false => periods_table(x, x.quarters, Some(m.span.this()), "分季度情况"),
        });
        if let Some(cut) = x.months.iter().find_map(|mo| mo.cut_off) {
            s.blocks.push(Block::Note(format!(
                "{}的数据截至 {cut}，该月不是完整月份。",
                x.now.scheme
            )));
        }
    }
    s
}

/// The indicators that veto the total and are not met.
fn veto_hits(x: &SchemePeriod) -> Vec<String> {
    x.scheme
        .indicators()
        .zip(&x.now.indicators)
        .filter(|(ind, r)| ind.veto.is_some() && r.met == Some(false))
        .map(|(_, r)| format!("{} {}", r.id, r.name))
        .collect()
}

/// "光纤评估方案：本季度总分 92.50，等级优秀；没有一票否决指标未达标；费用调整 0%。"
fn verdict(x: &SchemePeriod, span: Span) -> String {
    let (this, last) = (span.this(), span.last());
    let r = x.now;
    let (Some(total), Some(grade)) = (r.total, &r.grade) else {
        return format!(
            "{}：有数据的指标分值仅占 {:.2}%（低于 {}%），数据不足，{this}不计总分、等级和费用调整。",
            r.scheme, r.scored_points_pct, r.min_scored_pct
        );
    };
    let mut text = format!("{}：{this}总分 {total:.2}，等级{grade}", r.scheme);
    let hits = veto_hits(x);
    if !hits.is_empty() {
        text.push_str(&format!(
            "；一票否决指标 {} 未达标，总分按否决规则封顶",
            hits.join("、")
        ));
    } else if x.scheme.indicators().any(|i| i.veto.is_some()) {
        text.push_str("；一票否决指标均未触发");
    }
    match r.payment_adjust_pct {
        Some(p) => text.push_str(&format!("；对应费用调整 {p}%")),
        None => text.push_str("；评估方案未设费用调整规则"),
    }
    let before = x
        .previous
        .filter(|p| p.whole())
        .and_then(|p| p.result.total);
    match (before, x.this.whole()) {
        (Some(b), true) => text.push_str(&format!(
            "。{last}总分 {b:.2}，{} {}。",
            span.change(),
            total_change(x).text()
        )),
        _ => text.push_str(&format!("。{last}没有可比的总分。")),
    }
    text
}

fn total_change(x: &SchemePeriod) -> Change {
    Change::between(
        Side {
            value: x.now.total,
            whole: x.this.whole(),
        },
        Side {
            value: x.previous.and_then(|p| p.result.total),
            whole: x.previous.is_some_and(MonthResult::whole),
        },
        &higher(),
    )
}

fn totals_table(schemes: &[SchemePeriod], span: Span) -> Block {
    let (this, last) = (
        format!("{}总分", span.this()),
        format!("{}总分", span.last()),
    );
    let rows = schemes
        .iter()
        .map(|x| {
            let r = x.now;
            let hits = veto_hits(x);
            (
                if r.total.is_none() || !hits.is_empty() {
                    RowStyle::Bad
                } else {
                    RowStyle::Normal
                },
                vec![
                    r.scheme.clone().into(),
                    fmt2(r.total),
                    r.grade.clone().unwrap_or_else(|| "数据不足".into()).into(),
                    Cell::Int(hits.len() as i64),
                    r.payment_adjust_pct
                        .map_or_else(|| "—".into(), |p| Cell::Number(p, 2)),
                    fmt2(x.previous.and_then(|p| p.result.total)),
                    Cell::Change(total_change(x)),
                ],
            )
        })
        .collect();
    widths(
        table(
            "综合评价".into(),
            &[
                "评估方案",
                &this,
                "等级",
                "否决项未达标",
                "费用调整(%)",
                &last,
                span.change(),
            ],
            rows,
        ),
        &[5, 2, 2, 2, 2, 2, 2],
    )
}

/// A dimension's score, when at least one of its indicators has data (a dimension
/// without any scores 0, which is no figure to compare).
fn dimension_score(r: &crate::score::ScoreResult, k: usize) -> Option<f64> {
    let d = r.dimensions.get(k)?;
    r.indicators
        .iter()
        .any(|i| i.dimension == d.id && i.value.is_some())
        .then_some(d.score)
}

/// Each dimension's score this quarter and last.
fn dimension_table(x: &SchemePeriod, span: Span) -> Block {
    let (this, last) = (
        format!("{}得分", span.this()),
        format!("{}得分", span.last()),
    );
    let rows = x
        .now
        .dimensions
        .iter()
        .enumerate()
        .map(|(k, d)| {
            let now = dimension_score(x.now, k);
            let before = x.previous.and_then(|p| dimension_score(&p.result, k));
            let change = Change::between(
                Side {
                    value: now,
                    whole: x.this.whole(),
                },
                Side {
                    value: before,
                    whole: x.previous.is_some_and(MonthResult::whole),
                },
                &higher(),
            );
            (
                RowStyle::Normal,
                vec![
                    d.name.clone().into(),
                    Cell::Number(d.points, 2),
                    fmt2(now),
                    fmt2(before),
                    Cell::Change(change),
                ],
            )
        })
        .collect();
    widths(
        table(
            format!("{}各维度得分", x.now.scheme),
            &["维度", "分值", &this, &last, span.change()],
            rows,
        ),
        &[5, 2, 2, 2, 2],
    )
}

/// The dimensions' score rates (得分 ÷ 分值) this quarter and last, side by side.
fn dimension_chart(x: &SchemePeriod, span: Span) -> Option<Block> {
    let rate = |score: Option<f64>, points: f64| {
        score.filter(|_| points > 0.0).map(|s| 100.0 * s / points)
    };
    let mut bars = Vec::new();
    for (k, d) in x.now.dimensions.iter().enumerate() {
        let mut push = |when: &str, v: Option<f64>| {
            if let Some(v) = v {
                bars.push(Bar {
                    label: format!("{}·{when}", d.name),
                    value: v,
                    text: format!("{v:.2}%"),
                });
            }
        };
        push(span.this(), rate(dimension_score(x.now, k), d.points));
        let before = x.previous.and_then(|p| dimension_score(&p.result, k));
        push(span.last(), rate(before, d.points));
    }
    (!bars.is_empty()).then(|| {
        Block::Chart(Chart::Bars {
            caption: format!(
                "{}各维度得分率（{}与{}）",
                x.now.scheme,
                span.this(),
                span.last()
            ),
            axis: "得分率 (%)".into(),
            bars,
        })
    })
}

/// 结果应用: the payment adjustment in % and, with a fee, in yuan.
pub(super) fn application(q: &EvaluationInputs) -> Section {
    let mut s = section("结果应用", Some("结果应用"));
    let this = q.base.span.this();
    let mut rows = Vec::new();
    for (x, fee) in q.base.schemes.iter().zip(&q.fees) {
        let r = x.now;
        let Some(pct) = r.payment_adjust_pct.filter(|_| r.total.is_some()) else {
            s.blocks.push(Block::Paragraph(match r.total {
                None => format!("{}：数据不足，{this}不计费用调整。", r.scheme),
                Some(_) => format!("{}：评估方案未设费用调整规则。", r.scheme),
            }));
            continue;
        };
        match fee {
            Err(why) => s.blocks.push(Block::Paragraph(format!(
                "{}：{this}总分 {:.2}，按评估方案费用调整 {pct}%；{why}，未折算为金额。",
                r.scheme,
                r.total.unwrap_or_default()
            ))),
            Ok(fee) => {
                s.blocks
                    .push(Block::Paragraph(fee_sentence(x, this, pct, fee)));
                rows.push(fee_row(x, pct, fee));
            }
        }
    }
    if !rows.is_empty() {
        s.blocks.push(widths(
            table(
                "费用调整".into(),
                &[
                    "评估方案",
                    "计费线路数",
                    &format!("{this}应付费用(元)"),
                    "调整比例(%)",
                    "调整金额(元)",
                    "调整后费用(元)",
                ],
                rows,
            ),
            &[5, 2, 3, 2, 3, 3],
        ));
        s.blocks.push(Block::Note(
            format!("应付费用按计费规则（rules/billing.yaml）和线路台账核定：{this}在网线路按资费计费，部分月份在网的按天折算，逐线四舍五入到分，扣除批量折扣；5G 套餐只计月功能费。"),
        ));
    }
    s
}

fn fee_sentence(x: &SchemePeriod, this: &str, pct: f64, fee: &DueFee) -> String {
    let service = crate::fees::rules::service_label(&fee.service);
    let mut text = format!(
        "{}：{this}总分 {:.2}，按评估方案费用调整 {pct}%；按计费规则{this}应付{service}费用 {} 元（{} 条线路），调整金额 {} 元，调整后 {} 元。",
        x.now.scheme,
        x.now.total.unwrap_or_default(),
        money::fmt_grouped(fee.amount()),
        fee.lines,
        money::fmt_grouped(fee.adjustment(pct)),
        money::fmt_grouped(fee.amount() + fee.adjustment(pct)),
    );
    if !fee.unpriced.is_empty() {
        text.push_str(&format!(
            "其中 {} 条线路在计费规则中没有对应资费，未计入（如 {}）。",
            fee.unpriced.len(),
            fee.unpriced
                .iter()
                .take(3)
                .cloned()
                .collect::<Vec<_>>()
                .join("、")
        ));
    }
    text
}

fn fee_row(x: &SchemePeriod, pct: f64, fee: &DueFee) -> (RowStyle, Vec<Cell>) {
    let adjustment = fee.adjustment(pct);
    (
        if adjustment.is_sign_negative() && !adjustment.is_zero() {
            RowStyle::Bad
        } else {
            RowStyle::Normal
        },
        vec![
            x.now.scheme.clone().into(),
            Cell::Int(fee.lines as i64),
            Cell::Money(fee.amount()),
            Cell::Number(pct, 2),
            Cell::Money(adjustment),
            Cell::Money(fee.amount() + adjustment),
        ],
    )
}
