//! 抽查与测试 of the quarterly report (SPEC §14, §10): the supervisor's site tests
//! against the sampling plan, and the phone spot checks by time slot.

use super::inputs::EvaluationInputs;
use super::text::*;
use crate::analysis::field::{Calls, PhoneChecks, SiteTests, SAMPLE_SHARE_PCT};
use crate::report::model::RowStyle;
use crate::report::neutral::{Block, Cell, Section};
use crate::tables::Table;

pub(super) fn field_checks(q: &EvaluationInputs) -> Section {
    let mut s = section("抽查与测试", Some("抽查与测试"));
    match q.base.missing(Table::SiteTests) {
        Some(why) => s.blocks.push(Block::Paragraph(format!("现场测试：{why}"))),
        None => site(&mut s, &q.field.site, q.base.span.this()),
    }
    match q.base.missing(Table::PhoneChecks) {
        Some(why) => s.blocks.push(Block::Paragraph(format!("电话抽查：{why}"))),
        None => phone(&mut s, &q.field.phone, q.base.span.this()),
    }
    s
}

fn site(s: &mut Section, t: &SiteTests, this: &str) {
    if t.tests == 0 {
        s.blocks
            .push(Block::Paragraph(format!("{this}未开展现场测试。")));
        return;
    }
    let plan = match t.sampled_pct() {
        Some(p) if p >= SAMPLE_SHARE_PCT => format!("，达到不低于 {SAMPLE_SHARE_PCT}% 的抽样要求"),
        Some(_) => format!("，未达到不低于 {SAMPLE_SHARE_PCT}% 的抽样要求"),
        None => String::new(),
    };
    s.blocks.push(Block::Paragraph(format!(
        "{this}现场测试 {} 次，覆盖线路 {} 条，占{this}在网线路 {} 条的 {}{plan}；判定达标 {} 次、不达标 {} 次，达标率 {}。",
        t.tests,
        t.lines_tested,
        t.lines_active,
        pct_or_dash(t.sampled_pct()),
        t.passed,
        t.failed.len(),
        pct_or_dash(t.pass_pct())
    )));
    if t.failed.is_empty() {
        return;
    }
    let rows = t
        .failed
        .iter()
        .map(|f| {
            (
                RowStyle::Bad,
                vec![
                    f.line_id.clone().into(),
                    f.tested_on.map_or(Cell::Empty, |d| d.to_string().into()),
                    fmt2(f.throughput_mbps),
                    fmt2(f.latency_ms),
                    fmt2(f.loss_pct),
                ],
            )
        })
        .collect();
    s.blocks.push(table(
        "现场测试不达标的线路".into(),
        &[
            "线路编号",
            "测试日期",
            "实测带宽(Mbps)",
            "时延(ms)",
            "丢包率(%)",
        ],
        rows,
    ));
}

fn phone(s: &mut Section, p: &PhoneChecks, this: &str) {
    if p.all.calls == 0 {
        s.blocks
            .push(Block::Paragraph(format!("{this}未开展电话抽查。")));
        return;
    }
    s.blocks.push(Block::Paragraph(format!(
        "{this}电话抽查 {} 次，接通 {} 次，接通率 {}，平均接通时长 {}。",
        p.all.calls,
        p.all.answered,
        pct_or_dash(p.all.answer_pct()),
        p.all
            .mean_seconds()
            .map_or("—".to_string(), |v| format!("{v:.2} 秒"))
    )));
    let row = |slot: &str, c: &Calls| {
        let style = if c.answered < c.calls {
            RowStyle::Warn
        } else {
            RowStyle::Normal
        };
        (
            style,
            vec![
                slot.to_string().into(),
                Cell::Int(c.calls as i64),
                Cell::Int(c.answered as i64),
                c.answer_pct().map_or_else(|| "—".into(), Cell::Percent),
                fmt2(c.mean_seconds()),
            ],
        )
    };
    let mut rows: Vec<(RowStyle, Vec<Cell>)> =
        p.by_slot.iter().map(|(slot, c)| row(slot, c)).collect();
    rows.push(row("合计", &p.all));
    s.blocks.push(table(
        "电话抽查（按时段）".into(),
        &["时段", "拨打次数", "接通次数", "接通率", "平均接通时长(秒)"],
        rows,
    ));
}
