//! The special report on fees (`report special --topic fees`, SPEC §14): what the
//! period's service costs under the billing rules, what the evaluation takes off or
//! adds (payment adjustment in % and in yuan), and the indicators that cost points.
//!
//! Pure: takes scores and fees, returns a `Report`.

use super::text::{fmt2, number_chapters, section, table, widths};
use crate::fees::due::DueFee;
use crate::fees::money;
use crate::period::Period;
use crate::report::model::RowStyle;
use crate::report::neutral::{Block, Cell, Report, Section};
use crate::score::ScoreResult;

pub struct FeesInputs<'a> {
    pub workspace: &'a str,
    pub title: String,
    pub period: &'a Period,
    /// Per scheme: its score for the period and the fee due for its service.
    pub schemes: Vec<(&'a ScoreResult, &'a Result<DueFee, String>)>,
    /// The billing rules and inventory read.
    pub sources: Vec<String>,
    pub files: &'a [String],
}

pub fn build(s: &FeesInputs) -> Report {
    Report {
        title: s.title.clone(),
        subtitle: Some(format!("（{} 至 {}）", s.period.start, s.period.end)),
        cover_lines: vec![s.workspace.to_string()],
        sections: number_chapters(vec![
            background(s),
            fees(s),
            deductions(s),
            requirements(s),
            super::text::attachments(s.files),
        ]),
    }
}

fn background(s: &FeesInputs) -> Section {
    let mut sec = section("背景与范围", None);
    sec.blocks.push(Block::Paragraph(format!(
        "本专项报告针对 {} 至 {} 的网络通信服务费用：按计费规则和线路台账核算各项业务的应付费用，并按服务质量评估结果计算费用调整。依据：{}。",
        s.period.start,
        s.period.end,
        s.sources.join("、")
    )));
    sec
}

/// The adjustment % of a result with a total.
fn pct(r: &ScoreResult) -> Option<f64> {
    r.payment_adjust_pct.filter(|_| r.total.is_some())
}

fn fees(s: &FeesInputs) -> Section {
    let mut sec = section("费用与考核结果", Some("费用与考核"));
    let mut rows = Vec::new();
    for (r, fee) in &s.schemes {
        let p = pct(r);
        let (style, cells) = match fee {
            Ok(f) => {
                let adjust = p.map(|p| f.adjustment(p));
                (
                    if adjust.is_some_and(|a| a.is_sign_negative() && !a.is_zero()) {
                        RowStyle::Warn
                    } else {
                        RowStyle::Normal
                    },
                    vec![
                        Cell::Int(f.lines as i64),
                        Cell::Money(f.amount()),
                        adjust.map_or(Cell::Empty, Cell::Money),
                        adjust.map_or(Cell::Empty, |a| Cell::Money(f.amount() + a)),
                    ],
                )
            }
            Err(_) => (RowStyle::Normal, vec![Cell::Empty; 4]),
        };
        let mut row: Vec<Cell> = vec![
            r.scheme.clone().into(),
            fmt2(r.total),
            r.grade.clone().map_or(Cell::Empty, Cell::from),
            p.map_or(Cell::Empty, |p| format!("{p}%").into()),
        ];
        row.extend(cells);
        rows.push((style, row));
    }
    sec.blocks.push(widths(
        table(
            "各评估方案的应付费用与费用调整".into(),
            &[
                "评估方案",
                "总分",
                "等级",
                "调整比例",
                "在网数",
                "应付费用(元)",
                "调整金额(元)",
                "调整后费用(元)",
            ],
            rows,
        ),
        &[5, 2, 2, 2, 2, 3, 3, 3],
    ));
    for (r, fee) in &s.schemes {
        sec.blocks.push(Block::Paragraph(sentence(r, fee)));
    }
    sec
}

fn sentence(r: &ScoreResult, fee: &Result<DueFee, String>) -> String {
    match (fee, pct(r)) {
        (Err(why), _) => format!("{}：未核算费用（{why}）。", r.scheme),
        (Ok(f), None) => format!(
            "{}：应付费用 {} 元（{} 条在网），本期总分因数据不足未能确定，暂不调整费用。",
            r.scheme,
            money::fmt_grouped(f.amount()),
            f.lines
        ),
        (Ok(f), Some(p)) => {
            let mut text = format!(
                "{}：应付费用 {} 元（{} 条在网{}），评估等级{}，费用调整 {p}%，即 {} 元，调整后 {} 元。",
                r.scheme,
                money::fmt_grouped(f.amount()),
                f.lines,
                if f.discount.is_zero() {
                    String::new()
                } else {
                    format!("，已扣除批量折扣 {} 元", money::fmt_grouped(f.discount))
                },
                r.grade.as_deref().unwrap_or("—"),
                money::fmt_grouped(f.adjustment(p)),
                money::fmt_grouped(f.amount() + f.adjustment(p))
            );
            if !f.unpriced.is_empty() {
                text.push_str(&format!(
                    "另有 {} 条线路的资费在计费规则中没有定义，未计入应付费用。",
                    f.unpriced.len()
                ));
            }
            text
        }
    }
}

fn deductions(s: &FeesInputs) -> Section {
    let mut sec = section("扣分指标", Some("扣分指标"));
    let rows: Vec<(RowStyle, Vec<Cell>)> = s
        .schemes
        .iter()
        .flat_map(|(r, _)| {
            r.indicators
                .iter()
                .filter(|i| i.score.is_some_and(|sc| sc < i.points))
                .map(|i| {
                    (
                        RowStyle::Warn,
                        vec![
                            r.scheme.clone().into(),
                            format!("{}（{}）", i.name, i.id).into(),
                            i.target.clone().into(),
                            fmt2(i.value),
                            Cell::Number(i.points - i.score.unwrap_or(0.0), 2),
                        ],
                    )
                })
        })
        .collect();
    if rows.is_empty() {
        sec.blocks
            .push(Block::Paragraph("本期各项指标均未扣分。".into()));
        return sec;
    }
    sec.blocks.push(Block::Paragraph(format!(
        "本期共 {} 项指标扣分，是费用调整的来源：",
        rows.len()
    )));
    sec.blocks.push(widths(
        table(
            "扣分的指标".into(),
            &["评估方案", "指标", "目标", "实际值", "扣分"],
            rows,
        ),
        &[4, 5, 2, 2, 2],
    ));
    sec
}

fn requirements(s: &FeesInputs) -> Section {
    let mut sec = section("整改要求", None);
    let mut n = 0;
    for (r, fee) in &s.schemes {
        if let (Some(p), Ok(_)) = (pct(r), fee) {
            if p < 0.0 {
                n += 1;
                sec.blocks.push(Block::Paragraph(format!(
                    "{n}. {}本期费用调整 {p}%：要求服务商针对扣分指标提交整改计划，采购人按调整后的金额结算。",
                    r.scheme
                )));
            }
        }
        if let Ok(f) = fee {
            if !f.unpriced.is_empty() {
                n += 1;
                sec.blocks.push(Block::Paragraph(format!(
                    "{n}. 补充计费规则中缺少的资费（涉及线路 {}），重新核算应付费用。",
                    f.unpriced.join("、")
                )));
            }
        }
    }
    if n == 0 {
        sec.blocks
            .push(Block::Paragraph("本期无费用扣减，无整改要求。".into()));
    }
    sec
}
