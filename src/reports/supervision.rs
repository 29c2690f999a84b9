//! 服务质量监管方案 (SPEC §15): what is supervised (from the scheme's dimensions), how
//! (data audit, monitoring exports, field sampling by the §10 rule), when (the service
//! year's calendar of reports and sampling), the closed loop with gwq.yaml's
//! deadlines, what the provider must send, and confidentiality.
//!
//! Pure: takes the scheme and the workspace's settings, returns a `Report`.

use super::text::{number_chapters, section, table, widths};
use crate::calendar::Calendar;
use crate::ledger::{LedgerConfig, Origin};
use crate::period::Period;
use crate::report::model::RowStyle;
use crate::report::neutral::{Block, Cell, Report, Section};
use crate::sampling::{LINE_SHARE_PCT, MIN_ROOMS};
use crate::scheme::Scheme;
use crate::tables::Table;
use chrono::{Datelike, NaiveDate};

/// Working days after a period's end by which each report is due (this scheme's
/// own convention, stated in the document).
pub const MONTHLY_DUE: u32 = 5;
pub const QUARTERLY_DUE: u32 = 10;
pub const ANNUAL_DUE: u32 = 20;

pub struct SupervisionContext<'a> {
    pub workspace: &'a str,
    pub service_period: Option<&'a Period>,
    pub calendar: &'a Calendar,
    pub ledger: &'a LedgerConfig,
    /// The tables gwq.yaml has sources for.
    pub sources: Vec<Table>,
}

pub fn build(s: &Scheme, c: &SupervisionContext) -> Report {
    Report {
        title: s.name.replace("评估方案", "监管方案"),
        subtitle: s
            .version
            .as_ref()
            .map(|v| format!("（依据评估方案版本 {v}）")),
        cover_lines: vec![c.workspace.to_string()],
        sections: number_chapters(vec![
            matters(s),
            methods(s, c),
            calendar(c),
            closed_loop(c.ledger),
            deliveries(c),
            confidentiality(),
        ]),
    }
}

fn matters(s: &Scheme) -> Section {
    let mut sec = section("监管事项", Some("监管事项"));
    sec.blocks.push(Block::Paragraph(format!(
        "监管事项按《{}》的 {} 个维度设置，每项事项以方案中的指标衡量：",
        s.name,
        s.dimensions.len()
    )));
    let rows = s
        .dimensions
        .iter()
        .map(|d| {
            let names: Vec<String> = d.indicators.iter().map(|i| i.name.clone()).collect();
            let mut tables: Vec<&str> = d.indicators.iter().map(|i| i.source.def().title).collect();
            tables.dedup();
            (
                RowStyle::Normal,
                vec![
                    d.name.clone().into(),
                    names.join("、").into(),
                    tables.join("、").into(),
                ],
            )
        })
        .collect();
    sec.blocks.push(widths(
        table("监管事项".into(), &["事项", "衡量指标", "数据来源"], rows),
        &[2, 7, 4],
    ));
    sec
}

fn methods(s: &Scheme, c: &SupervisionContext) -> Section {
    let mut sec = section("监管方式", None);
    let configured: Vec<&str> = c.sources.iter().map(|t| t.def().title).collect();
    let rows = s.indicators().count();
    sec.blocks.push(Block::Paragraph(format!(
        "（一）数据审核：每月收集服务商的监测和工单导出（本工作区已配置：{}），逐行稽核格式、必填、重复、越界、时间顺序、未知线路、采集覆盖率和中断，问题注明文件和行号。",
        if configured.is_empty() { "尚未配置".to_string() } else { configured.join("、") }
    )));
    sec.blocks.push(Block::Paragraph(format!(
        "（二）指标评估：按评估方案的 {rows} 项指标，每月、每季度和年度计算实际值、得分和等级，结果写入监管月报和季度、年度评估报告。"
    )));
    sec.blocks.push(Block::Paragraph(format!(
        "（三）现场抽查：每季度抽取不少于 {MIN_ROOMS} 个机房（优先近 12 个月巡检发现问题的机房，其次本服务年度尚未抽查的机房）和各区不少于 {LINE_SHARE_PCT}% 的在网线路（向上取整）进行现场测试，抽样可用同一随机种子复现。"
    )));
    sec.blocks.push(Block::Paragraph(
        "（四）电话抽查：每季度拨打报障专线 12 次，工作时间 4 次、夜间 4 次、周末 3 次、节假日 1 次（季度内无节假日时改在周末），检验 7×24 小时受理能力。".into(),
    ));
    sec
}

/// The service year's months: the reports due in each and the sampling quarters.
fn calendar(c: &SupervisionContext) -> Section {
    let mut sec = section("年度工作日历", Some("年度工作日历"));
    let Some(year) = c.service_period else {
        sec.blocks.push(Block::Paragraph(
            "gwq.yaml 未设置服务期（service_period），未生成年度工作日历。".into(),
        ));
        return sec;
    };
    sec.blocks.push(Block::Paragraph(format!(
        "服务期 {} 至 {}。交付时限：监管月报为次月第 {MONTHLY_DUE} 个工作日，季度报告为季度结束后第 {QUARTERLY_DUE} 个工作日，年度报告为服务期结束后第 {ANNUAL_DUE} 个工作日（按工作日历）。",
        year.start, year.end
    )));
    let mut rows = Vec::new();
    for m in crate::analysis::trend::months(year) {
        let due = |n: u32| c.calendar.add_working_days(m.end, n);
        let mut work = vec![format!("{} 监管月报（{} 前）", m.label(), due(MONTHLY_DUE))];
        if m.start.month0() % 3 == 0 {
            work.push(format!(
                "本季度现场抽查计划（gwq sample --quarter {}）",
                quarter_of(m.start)
            ));
        }
        if m.end.month() % 3 == 0 {
            work.push(format!(
                "{} 季度报告（{} 前）",
                quarter_of(m.start),
                due(QUARTERLY_DUE)
            ));
        }
        if m.end >= year.end {
            work.push(format!(
                "年度报告（{} 前）",
                c.calendar.add_working_days(year.end, ANNUAL_DUE)
            ));
        }
        rows.push((
            RowStyle::Normal,
            vec![
                m.start.format("%Y 年 %-m 月").to_string().into(),
                work.join("；").into(),
            ],
        ));
    }
    sec.blocks.push(widths(
        table("年度工作日历".into(), &["月份", "工作与交付"], rows),
        &[2, 9],
    ));
    sec
}

fn quarter_of(d: NaiveDate) -> String {
    format!("{}Q{}", d.year(), d.month0() / 3 + 1)
}

fn closed_loop(l: &LedgerConfig) -> Section {
    let mut sec = section("闭环流程", Some("闭环流程"));
    sec.blocks.push(Block::Paragraph(
        "问题按 发现 → 通知 → 整改 → 复核 → 销号 闭环管理：评估和稽核发现的问题记入问题清单并通知责任方；责任方在整改期限内整改并反馈；监理复核通过后销号。指标连续达标的问题标为待复核，由监理复核后关闭，不自动关闭。".into(),
    ));
    let rows = [
        Origin::Indicator,
        Origin::Check,
        Origin::Fees,
        Origin::Field,
    ]
    .into_iter()
    .map(|o| {
        (
            RowStyle::Normal,
            vec![
                o.label().into(),
                l.owner(o).to_string().into(),
                Cell::Int(l.deadline_days(o)),
            ],
        )
    })
    .collect();
    sec.blocks.push(table(
        "整改责任与期限".into(),
        &["问题来源", "责任方", "整改期限（天）"],
        rows,
    ));
    sec.blocks.push(Block::Paragraph(format!(
        "指标问题在该指标连续 {} 期达标后标为待复核。",
        l.reverify_periods
    )));
    sec
}

fn deliveries(c: &SupervisionContext) -> Section {
    let mut sec = section("服务商报送清单", Some("服务商报送清单"));
    let rows = Table::ALL
        .iter()
        .map(|t| {
            let d = t.def();
            let state = if c.sources.contains(t) {
                "已配置"
            } else {
                "未配置"
            };
            (
                if c.sources.contains(t) {
                    RowStyle::Normal
                } else {
                    RowStyle::Warn
                },
                vec![d.title.into(), d.name.into(), "每月".into(), state.into()],
            )
        })
        .collect();
    sec.blocks.push(Block::Paragraph(
        "服务商每月 5 日前报送上月数据，格式以 gwq template 生成的模板为准（中文表头、下拉选项）；月度运维报告等书面报告按约定时限提交，提交与审核情况计入指标。".into(),
    ));
    sec.blocks.push(table(
        "报送数据".into(),
        &["数据", "表名", "频次", "本工作区"],
        rows,
    ));
    sec
}

fn confidentiality() -> Section {
    let mut sec = section("保密要求", None);
    for p in [
        "监管过程中获取的网络拓扑、线路、地址、安全问题等信息仅用于本项目监管，不得向无关单位和人员提供。",
        "数据文件存放在监理单位内网工作站，报告对外提供前删除与结论无关的敏感明细。",
        "项目结束后按采购人要求移交或销毁数据，并形成记录。",
    ] {
        sec.blocks.push(Block::Paragraph(p.into()));
    }
    sec
}
