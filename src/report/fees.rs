//! The fee-audit outputs: `fee-audit-<period>.xlsx` (汇总 with a native chart,
//! 问题明细 with the rows highlighted, 核定预算, 资费标准) and the Word report
//! 《政务外网网络通信服务费用预算稽核报告》.

use super::chart;
use super::document::{chinese_number, Block, Document};
use super::model::{Chart, RowStyle, Sheet, Value, Workbook};
use crate::fees::budget::{fmt_bandwidth, Budget};
use crate::fees::money::{self, Decimal};
use crate::fees::rules::{service_label, BillingRules};
use crate::fees::{FeeAudit, FeeCode, FeeFinding, FeeSeverity};
use rust_decimal::prelude::ToPrimitive;

pub const TITLE: &str = "政务外网网络通信服务费用预算稽核报告";

fn yuan(d: Decimal) -> Value {
    Value::Number(d.to_f64().unwrap_or_default(), 2)
}

fn text(s: &Option<String>) -> Value {
    s.clone().into()
}

fn months(m: Option<Decimal>) -> Value {
    m.map_or(Value::Empty, |m| {
        Value::Number(m.round_dp(4).to_f64().unwrap_or_default(), 2)
    })
}

fn period_text(r: &FeeAudit) -> String {
    format!("{} 至 {}", r.period.start, r.period.end)
}

/// (code, count, sum of differences) for each code found, in code order.
fn code_summary(r: &FeeAudit) -> Vec<(FeeCode, usize, Decimal)> {
    FeeCode::ALL
        .iter()
        .filter_map(|&c| {
            let of: Vec<&FeeFinding> = r.findings.iter().filter(|f| f.code == c).collect();
            (!of.is_empty()).then(|| (c, of.len(), of.iter().map(|f| f.difference).sum()))
        })
        .collect()
}

pub fn workbook(r: &FeeAudit, rules: &BillingRules, workspace_name: &str) -> Workbook {
    let mut summary = Sheet::new(
        "汇总",
        &format!("{TITLE}（{}）", period_text(r)),
        &["项目", "问题类型", "级别", "项数", "金额(元)"],
    );
    summary.note = Some(format!(
        "{workspace_name}。差额 = 预算 − 核定，正数为多列（高估），负数为少列（低估）。{}",
        if r.total_stated {
            "预算总额取预算表的“合计”行。"
        } else {
            "预算表无“合计”行，预算总额为各项目金额之和。"
        }
    ));
    summary.push(
        RowStyle::Total,
        vec![
            "预算总额".into(),
            Value::Empty,
            Value::Empty,
            Value::Empty,
            yuan(r.budget_total),
        ],
    );
    summary.push(
        RowStyle::Total,
        vec![
            "核定总额".into(),
            Value::Empty,
            Value::Empty,
            Value::Empty,
            yuan(r.verified_total),
        ],
    );
    summary.push(
        RowStyle::Total,
        vec![
            "差额".into(),
            Value::Empty,
            Value::Empty,
            Value::Empty,
            yuan(r.difference()),
        ],
    );
    let codes = code_summary(r);
    for (code, n, sum) in &codes {
        let style = if code.is_money() {
            RowStyle::Bad
        } else {
            RowStyle::Warn
        };
        summary.push(
            style,
            vec![
                code.as_str().into(),
                code.label().into(),
                code.severity().label().into(),
                Value::Int(*n as i64),
                if code.is_money() {
                    yuan(*sum)
                } else {
                    Value::Empty
                },
            ],
        );
    }
    let money_codes: Vec<&(FeeCode, usize, Decimal)> =
        codes.iter().filter(|(c, _, _)| c.is_money()).collect();
    if !money_codes.is_empty() {
        summary.charts.push(Chart {
            kind: Default::default(),
            title: "各类问题金额影响（元，正数为多列）".to_string(),
            categories: money_codes
                .iter()
                .map(|(c, _, _)| c.label().to_string())
                .collect(),
            series: vec![(
                "差额".to_string(),
                money_codes
                    .iter()
                    .map(|(_, _, d)| d.to_f64().unwrap_or_default())
                    .collect(),
            )],
        });
    }
    for note in &r.notes {
        summary.push(RowStyle::Normal, vec!["说明".into(), note.as_str().into()]);
    }

    let mut detail = Sheet::new(
        "问题明细",
        "问题明细（红色为金额错误，黄色为建议）",
        &[
            "序",
            "代码",
            "问题类型",
            "级别",
            "预算行号",
            "项目序号",
            "线路/号卡",
            "预算金额(元)",
            "核定金额(元)",
            "差额(元)",
            "说明",
        ],
    );
    for (i, f) in r.findings.iter().enumerate() {
        let style = match f.code.severity() {
            FeeSeverity::Error => RowStyle::Bad,
            FeeSeverity::Advice => RowStyle::Warn,
        };
        detail.push(
            style,
            vec![
                Value::Int(i as i64 + 1),
                f.code.as_str().into(),
                f.code.label().into(),
                f.code.severity().label().into(),
                f.row.into(),
                text(&f.item_no),
                text(&f.line_id),
                yuan(f.budget_amount),
                yuan(f.expected_amount),
                yuan(f.difference),
                f.message.as_str().into(),
            ],
        );
    }

    let mut verified = Sheet::new(
        "核定预算",
        "核定预算（逐项重算；未列预算的在网线路列于末尾）",
        &[
            "预算行号",
            "项目序号",
            "线路/号卡",
            "单位",
            "业务",
            "带宽",
            "资费",
            "预算月数",
            "在网月数",
            "预算金额(元)",
            "核定金额(元)",
            "差额(元)",
            "问题",
        ],
    );
    for x in &r.recomputed {
        let codes: Vec<&str> = x.codes.iter().map(|c| c.as_str()).collect();
        let style = if x.codes.iter().any(|c| c.is_money()) {
            RowStyle::Bad
        } else if x.codes.is_empty() {
            RowStyle::Normal
        } else {
            RowStyle::Warn
        };
        verified.push(
            style,
            vec![
                x.row.into(),
                text(&x.item_no),
                text(&x.line_id),
                text(&x.unit),
                x.service.as_deref().map(service_label).unwrap_or("").into(),
                x.bandwidth_mbps.map(fmt_bandwidth).into(),
                text(&x.tariff),
                months(x.months_billed),
                months(x.months_active),
                yuan(x.budget_amount),
                yuan(x.expected_amount),
                yuan(x.budget_amount - x.expected_amount),
                codes.join(", ").into(),
            ],
        );
    }
    let budget_sum: Decimal = r.recomputed.iter().map(|x| x.budget_amount).sum();
    verified.push(
        RowStyle::Total,
        vec![
            "合计".into(),
            Value::Empty,
            Value::Empty,
            Value::Empty,
            Value::Empty,
            Value::Empty,
            Value::Empty,
            Value::Empty,
            Value::Empty,
            yuan(budget_sum),
            yuan(r.verified_total),
            yuan(budget_sum - r.verified_total),
            Value::Empty,
        ],
    );

    let mut tariffs = Sheet::new(
        "资费标准",
        &format!("资费标准（{}）", rules.file),
        &[
            "资费编码",
            "名称",
            "业务",
            "带宽",
            "月租(元)",
            "含流量(GB/月)",
            "超出单价(元/GB)",
        ],
    );
    tariffs.note = Some(format!(
        "计费方式：{}；金额逐项按分四舍五入。{}{}",
        match rules.proration {
            crate::fees::rules::Proration::ByDays => "月内部分在网按 月租×在网天数÷当月天数 折算",
            crate::fees::rules::Proration::WholeMonths => "按整月计费",
        },
        rules
            .discounts
            .iter()
            .map(|d| format!(
                "{}满 {} 条小计折让 {}%。",
                service_label(&d.service),
                d.min_lines,
                d.pct.normalize()
            ))
            .collect::<String>(),
        rules.burstable.as_ref().map_or(String::new(), |b| format!(
            "互联网出口按 {} 百分位计费：承诺 {} Mbps，超出每 Mbps {} 元/月。",
            b.percentile,
            b.committed_mbps,
            money::fmt(b.overage_per_mbps)
        ))
    ));
    for t in &rules.tariffs {
        tariffs.push(
            RowStyle::Normal,
            vec![
                t.code.as_str().into(),
                text(&t.name),
                service_label(&t.service).into(),
                t.bandwidth_mbps.map(fmt_bandwidth).into(),
                yuan(t.monthly),
                t.included_gb.map_or(Value::Empty, yuan),
                t.overage_per_gb.map_or(Value::Empty, yuan),
            ],
        );
    }
    Workbook {
        sheets: vec![summary, detail, verified, tariffs],
    }
}

/// What to do about each kind of finding.
fn advice_for(code: FeeCode) -> &'static str {
    match code {
        FeeCode::Arithmetic => "核对金额计算公式，按“数量×单价×月数”重新计算并按分四舍五入。",
        FeeCode::Subtotal => "重新汇总小计、合计行，确保与所属项目金额之和一致。",
        FeeCode::Tariff => "按合同资费标准改正单价；折扣应按计费规则计列。",
        FeeCode::Bandwidth => {
            "以线路台账登记的带宽为准改正预算带宽及单价；如台账有误，先由服务商更正台账。"
        }
        FeeCode::Duplicate => "删除重复列支的项目，每条线路、每张号卡只列一次。",
        FeeCode::NotInInventory => {
            "核减台账中不存在的线路；确属新增线路的，应先补录台账并提供开通依据。"
        }
        FeeCode::ClosedLine => "拆机（销户）后的月份不再计费，按拆机日期核减。",
        FeeCode::Proration => "期中开通或拆机的线路，首末月按在网天数折算计费。",
        FeeCode::MissingFromBudget => {
            "在网线路应列入预算，避免预算不足；如线路已不再使用，应办理拆机并更新台账。"
        }
        FeeCode::Traffic => "按近三个月实际月均流量调整预算流量或套餐。",
        FeeCode::UtilisationLow => "带宽利用率长期偏低的线路，建议评估降档以节约费用。",
        FeeCode::UtilisationHigh => "带宽利用率偏高的线路，建议评估扩容，保障业务质量。",
        FeeCode::IdleCard => "长期无流量的 5G 号卡，建议核实使用需求，不再使用的及时销户。",
    }
}

/// 图 1: the amount of each kind of money error, as bars (none when no error has an
/// amount). A chart that cannot be drawn leaves the report without it, saying so.
fn amounts_chart(codes: &[(FeeCode, usize, Decimal)]) -> Option<Block> {
    let bars: Vec<chart::Bar> = codes
        .iter()
        .filter(|(c, _, sum)| c.is_money() && !sum.is_zero())
        .map(|(c, _, sum)| chart::Bar {
            label: c.label().to_string(),
            value: sum.to_f64().unwrap_or(0.0),
            text: money::fmt_grouped(*sum),
        })
        .collect();
    if bars.is_empty() {
        return None;
    }
    let block = match chart::horizontal_bars("金额影响 (元)：正数为预算多列，负数为少列", &bars)
    {
        Ok(png) => Block::Image {
            png: png.bytes,
            width_px: png.width,
            height_px: png.height,
            caption: "图 1  各类问题金额影响".to_string(),
        },
        Err(e) => Block::Paragraph(format!("（{e}，图 1 从略。）")),
    };
    Some(block)
}

/// The Word report.
pub fn document(
    r: &FeeAudit,
    rules: &BillingRules,
    budget: &Budget,
    workspace_name: &str,
) -> Document {
    let mut d = Document {
        title: TITLE.to_string(),
        subtitle: Some(format!("（稽核期间：{}）", period_text(r))),
        cover_lines: vec![
            workspace_name.to_string(),
            format!("预算文件：{}", budget.file),
        ],
        blocks: Vec::new(),
    };
    let mut section = 0;
    let mut next = |d: &mut Document, title: &str| {
        section += 1;
        d.heading(1, format!("{}、{title}", chinese_number(section)));
    };
    let errors = r.count(FeeSeverity::Error);
    let advice = r.count(FeeSeverity::Advice);
    let codes = code_summary(r);

    next(&mut d, "稽核依据与范围");
    d.paragraph(format!(
        "依据合同约定的计费规则（{}，共 {} 项资费）、线路台账与 5G 号卡清单，以及服务商提供的性能与 5G 流量数据，对预算文件 {}{} 进行逐项稽核。",
        rules.file,
        rules.tariffs.len(),
        budget.file,
        budget.sheet.as_ref().map_or(String::new(), |s| format!("（工作表 {s}）"))
    ));
    d.paragraph(format!(
        "稽核期间为 {}，共稽核预算项目 {} 项、小计与合计行 {} 行。",
        period_text(r),
        budget.items.len(),
        budget.summaries.len()
    ));

    next(&mut d, "稽核方法");
    for (i, m) in [
        "逐项复核金额：金额应等于数量×单价×月数，按分四舍五入。",
        "核对单价：按预算所列业务类型与带宽（或资费编码）查找合同资费，单价应与资费一致；5G 套餐按预算流量计算超出流量费用。",
        "核对台账：预算线路应在线路台账或号卡清单中；预算带宽应与台账一致，不一致的按台账带宽核定。",
        "核对在网时间：按台账开通、拆机日期（含当日）确定在网天数，月内部分在网的按“月租×在网天数÷当月天数”折算，各月精确相加后逐项按分四舍五入一次。",
        "核对重复与遗漏：同一线路或号卡重复列支的全额核减；期间内在网而预算未列的线路计为少列。",
        "复核小计与合计：每个小计应等于其上一小计以来各项目金额之和，合计应等于全部项目金额之和。",
        "使用情况分析（建议项）：以近三个月 5G 月均流量比对预算流量（±50%），识别流量为零的闲置号卡；以线路 95 百分位速率（最近秩法）计算带宽利用率，低于 10% 或高于 80% 的提出调整建议。",
    ]
    .iter()
    .enumerate()
    {
        d.paragraph(format!("{}. {m}", i + 1));
    }
    for note in &r.notes {
        d.paragraph(format!("参考期：{note}。"));
    }

    next(&mut d, "总体结论");
    let direction = if r.difference() > Decimal::ZERO {
        "预算多列（高估）"
    } else if r.difference() < Decimal::ZERO {
        "预算少列（低估）"
    } else {
        "预算与核定一致"
    };
    d.paragraph(format!(
        "预算总额 {} 元，经稽核核定 {} 元，差额 {} 元，{direction}。共发现金额错误 {errors} 项、使用情况建议 {advice} 项。",
        money::fmt_grouped(r.budget_total),
        money::fmt_grouped(r.verified_total),
        money::fmt_grouped(r.difference())
    ));
    if !codes.is_empty() {
        d.blocks.push(Block::Table {
            caption: Some("表 1  稽核问题分类汇总".to_string()),
            headers: ["问题类型", "代码", "级别", "项数", "金额影响(元)"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            rows: codes
                .iter()
                .map(|(c, n, sum)| {
                    (
                        c.is_money() && !sum.is_zero(),
                        vec![
                            c.label().to_string(),
                            c.as_str().to_string(),
                            c.severity().label().to_string(),
                            n.to_string(),
                            if c.is_money() {
                                money::fmt_grouped(*sum)
                            } else {
                                "—".to_string()
                            },
                        ],
                    )
                })
                .collect(),
            widths: vec![4, 4, 2, 2, 4],
            right: vec![3, 4],
            tints: Vec::new(),
        });
        if let Some(image) = amounts_chart(&codes) {
            d.blocks.push(image);
        }
    }

    next(&mut d, "问题明细");
    const SHOWN: usize = 200;
    if r.findings.is_empty() {
        d.paragraph("未发现问题。");
    } else {
        if r.findings.len() > SHOWN {
            d.paragraph(format!(
                "共 {} 项，下表列出前 {SHOWN} 项，完整清单见附件 Excel 的“问题明细”工作表。",
                r.findings.len()
            ));
        }
        d.blocks.push(Block::Table {
            caption: Some("表 2  问题明细".to_string()),
            headers: [
                "行号",
                "线路/号卡",
                "问题类型",
                "预算(元)",
                "核定(元)",
                "差额(元)",
                "说明",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            rows: r
                .findings
                .iter()
                .take(SHOWN)
                .map(|f| {
                    (
                        f.code.is_money(),
                        vec![
                            f.row.map_or("—".to_string(), |r| r.to_string()),
                            f.line_id.clone().unwrap_or_default(),
                            f.code.label().to_string(),
                            money::fmt_grouped(f.budget_amount),
                            money::fmt_grouped(f.expected_amount),
                            money::fmt_grouped(f.difference),
                            f.message.clone(),
                        ],
                    )
                })
                .collect(),
            widths: vec![6, 15, 11, 12, 12, 11, 23],
            right: vec![3, 4, 5],
            tints: Vec::new(),
        });
    }

    next(&mut d, "整改建议");
    if codes.is_empty() {
        d.paragraph("预算编制符合计费规则，建议按此执行。");
    }
    for (i, (c, n, sum)) in codes.iter().enumerate() {
        d.heading(
            2,
            format!("（{}）{}（{n} 项）", chinese_number(i + 1), c.label()),
        );
        let amount = if c.is_money() {
            format!("涉及金额 {} 元。", money::fmt_grouped(*sum))
        } else {
            String::new()
        };
        d.paragraph(format!("{amount}{}", advice_for(*c)));
    }

    next(&mut d, "附件");
    d.paragraph(format!(
        "1. fee-audit-{}.xlsx：汇总、问题明细、核定预算、资费标准。",
        r.period.file_label()
    ));
    d.paragraph(format!(
        "2. fee-audit-{}.json：机器可读的稽核结果。",
        r.period.file_label()
    ));
    d
}
