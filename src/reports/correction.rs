//! 更正说明 (SPEC §19): what a report re-issued for the same period changes against
//! the issued revision — each changed figure, the inputs that changed and the effect
//! on grade and payment.

use super::text::*;
use crate::issued::Correction;
use crate::report::model::RowStyle;
use crate::report::neutral::{Block, Section};

pub fn section(c: &Correction) -> Section {
    let mut s = Section::new(1, "更正说明", Some("更正说明"));
    let issued = match c.issued_at.is_empty() {
        true => String::new(),
        false => format!("（发布于 {}）", c.issued_at),
    };
    s.blocks.push(Block::Paragraph(format!(
        "本报告更正已发布的第 {} 版{issued}：数据{}，共 {} 项数据有变化。",
        c.corrects_revision,
        inputs_sentence(c),
        c.figures.len()
    )));
    for e in &c.effect {
        let grade = |g: &Option<String>| g.clone().unwrap_or_else(|| "—".into());
        let pct = |p: Option<f64>| p.map_or("—".into(), |p| format!("{p}%"));
        let moved = e.grade_before != e.grade_after
            || e.payment_adjust_pct_before != e.payment_adjust_pct_after;
        s.blocks.push(Block::Paragraph(match moved {
            true => format!(
                "{}：等级由{}改为{}，费用调整由 {} 改为 {}。",
                e.scheme,
                grade(&e.grade_before),
                grade(&e.grade_after),
                pct(e.payment_adjust_pct_before),
                pct(e.payment_adjust_pct_after)
            ),
            false => format!(
                "{}：等级（{}）和费用调整（{}）不变。",
                e.scheme,
                grade(&e.grade_after),
                pct(e.payment_adjust_pct_after)
            ),
        }));
    }
    let rows = c
        .figures
        .iter()
        .map(|f| {
            (
                RowStyle::Warn,
                vec![
                    f.figure.clone().into(),
                    fmt2(f.before),
                    fmt2(f.after),
                    fmt2(f.difference),
                ],
            )
        })
        .collect();
    s.blocks.push(widths(
        table(
            "更正前后的数据".into(),
            &["数据项", "更正前", "更正后", "差值"],
            rows,
        ),
        &[5, 2, 2, 2],
    ));
    s
}

fn inputs_sentence(c: &Correction) -> String {
    let i = &c.inputs;
    let mut parts = Vec::new();
    if !i.added.is_empty() {
        parts.push(format!("新增文件 {}", i.added.join("、")));
    }
    if !i.removed.is_empty() {
        parts.push(format!("移除文件 {}", i.removed.join("、")));
    }
    if !i.hash_changed.is_empty() {
        parts.push(format!("文件内容有变化 {}", i.hash_changed.join("、")));
    }
    match parts.is_empty() {
        true => "文件未变（口径或方案变化）".into(),
        false => parts.join("；"),
    }
}
