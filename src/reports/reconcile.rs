//! 自报数据核验 (SPEC §18): the provider's own figures against gwq's, as a section of
//! the monthly and quarterly reports and as the `gwq reconcile` workbook.

use super::text::*;
use crate::reconcile::{Code, Reconciliation};
use crate::report::model::RowStyle;
use crate::report::neutral::{Block, Cell, Place, Report, Section};

/// Tables this long go to the workbook only; the document says how many.
const DOCUMENT_ROWS: usize = 30;

/// The section; `this` is 本月, 本季度 or 本期.
pub fn section(r: &Reconciliation, this: &str) -> Section {
    let mut s = section_named("自报数据核验");
    if !r.configured {
        s.blocks.push(Block::Paragraph(
            "工作区未配置服务商自报指标（provider_kpis），未开展自报数据核验。".into(),
        ));
        return s;
    }
    let stated = r.findings.len() + r.agreed.len();
    if stated == 0 {
        s.blocks
            .push(Block::Paragraph(format!("{this}服务商未报送自报指标。")));
        return s;
    }
    s.blocks.push(Block::Paragraph(summary(r, this, stated)));
    s.blocks.push(Block::Note(
        "核验口径：差值 = 自报值 − 实测值；按指标方向，自报值优于实测值且超出容差为“自报优于实测（虚报）”，劣于实测值且超出容差为“自报劣于实测”。容差取指标的 reconcile_tolerance，未设置时百分比指标为 0.01 个百分点，其他指标为实测值的 0.5%。".into(),
    ));
    if !r.findings.is_empty() {
        s.blocks.push(capped(findings_table(r)));
    }
    if !r.agreed.is_empty() {
        s.blocks.push(capped(agreed_table(r)));
    }
    s
}

/// The chapter of a period report.
pub(super) fn chapter(m: &super::inputs::ReportInputs) -> Section {
    section(m.reconciliation, m.span.this())
}

/// The `gwq reconcile` report: its one section (the workbook is drawn from it).
pub fn report(r: &Reconciliation, workspace: &str) -> Report {
    Report {
        title: "服务商自报数据核验".into(),
        subtitle: Some(format!("{workspace}　{}", r.period)),
        cover_lines: Vec::new(),
        sections: vec![counts(r), section(r, "本期")],
    }
}

/// The workbook's first sheet: how many figures each conclusion has.
fn counts(r: &Reconciliation) -> Section {
    let mut s = Section::new(1, "汇总", Some("汇总"));
    let mut rows = vec![(
        RowStyle::Normal,
        vec!["一致".into(), Cell::Int(r.agreed.len() as i64)],
    )];
    for code in Code::ALL {
        let style = match code {
            Code::Overstated => RowStyle::Bad,
            _ => RowStyle::Warn,
        };
        let n = r.count(code) as i64;
        rows.push((
            if n > 0 { style } else { RowStyle::Normal },
            vec![
                format!("{}（{}）", code.title(), code.as_str()).into(),
                Cell::Int(n),
            ],
        ));
    }
    s.blocks.push(table(
        format!("服务商自报指标核验汇总（{}）", r.period),
        &["结论", "项数"],
        rows,
    ));
    s
}

fn section_named(heading: &str) -> Section {
    Section::new(1, heading, Some(heading))
}

fn summary(r: &Reconciliation, this: &str, stated: usize) -> String {
    let mut parts = vec![format!("一致 {} 项", r.agreed.len())];
    for code in Code::ALL {
        let n = r.count(code);
        if n > 0 {
            parts.push(format!("{} {n} 项", code.title()));
        }
    }
    let mut text = format!(
        "{this}核验服务商自报指标 {stated} 项：{}。",
        parts.join("，")
    );
    if r.count(Code::Overstated) > 0 {
        text.push_str("自报优于实测的指标须由服务商书面说明原因并更正其报告。");
    }
    text
}

/// A table drawn in both when short, else in the workbook only (with a sentence).
fn capped(block: Block) -> Block {
    match &block {
        Block::Table(t) if t.rows.len() > DOCUMENT_ROWS => placed(block, Place::Workbook),
        _ => block,
    }
}

fn findings_table(r: &Reconciliation) -> Block {
    let rows = r
        .findings
        .iter()
        .map(|f| {
            let style = match f.code {
                Code::Overstated => RowStyle::Bad,
                _ => RowStyle::Warn,
            };
            let name = match &f.name {
                Some(n) => format!("{n}（{}）", f.indicator),
                None => f.indicator.clone(),
            };
            (
                style,
                vec![
                    f.period.clone().into(),
                    name.into(),
                    Cell::Number(f.stated, 2),
                    fmt2(f.computed),
                    fmt2(f.difference),
                    fmt2(f.tolerance),
                    f.code.title().into(),
                    source_of(&f.file, f.row).into(),
                ],
            )
        })
        .collect();
    widths(
        table(
            "与实测不一致或无法核验的自报指标".into(),
            &[
                "统计周期",
                "指标",
                "自报值",
                "实测值",
                "差值",
                "容差",
                "结论",
                "来源",
            ],
            rows,
        ),
        &[2, 4, 2, 2, 2, 2, 3, 4],
    )
}

fn agreed_table(r: &Reconciliation) -> Block {
    let rows = r
        .agreed
        .iter()
        .map(|a| {
            (
                RowStyle::Normal,
                vec![
                    a.period.clone().into(),
                    format!("{}（{}）", a.name, a.indicator).into(),
                    Cell::Number(a.stated, 2),
                    Cell::Number(a.computed, 2),
                    Cell::Number(a.difference, 2),
                    Cell::Number(a.tolerance, 2),
                ],
            )
        })
        .collect();
    widths(
        table(
            "与实测一致的自报指标".into(),
            &["统计周期", "指标", "自报值", "实测值", "差值", "容差"],
            rows,
        ),
        &[2, 5, 2, 2, 2, 2],
    )
}

fn source_of(file: &str, row: Option<u64>) -> String {
    match row {
        Some(r) => format!("{file} 第 {r} 行"),
        None => file.to_string(),
    }
}
