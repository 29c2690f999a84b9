//! The acceptance result as the neutral report model: a summary, the completeness
//! matrix (item × required, found, missing, problems), the month and quarter grids,
//! and the files that cannot be accepted — the same in Word and Excel.

use super::checklist::Per;
use super::ItemResult;
use crate::period::Period;
use crate::report::model::RowStyle;
use crate::report::neutral::{Block, Cell, Report, Section, Table};

pub fn build(dir: &str, period: &Period, items: &[ItemResult]) -> Report {
    let complete = items.iter().filter(|i| i.complete()).count();
    let problems: usize = items.iter().map(|i| i.problems.len()).sum();
    let mut summary = Section::new(1, "一、核对结果", Some("核对结果"));
    summary.blocks.push(Block::Paragraph(format!(
        "核对目录 {dir}，期间 {} 至 {}：清单 {} 项，齐全且可用 {complete} 项，缺少材料 {} 项，无法使用的文件 {problems} 个。",
        period.start,
        period.end,
        items.len(),
        items.iter().filter(|i| !i.missing.is_empty()).count()
    )));
    summary.blocks.push(matrix(items));
    let mut sections = vec![summary];
    for (per, title, sheet) in [
        (Per::Month, "二、按月核对", "按月核对"),
        (Per::Quarter, "三、按季核对", "按季核对"),
    ] {
        if let Some(s) = grid(items, per, title, sheet) {
            sections.push(s);
        }
    }
    sections.push(problem_section(items, sections.len()));
    Report {
        title: "验收材料完整性核对".into(),
        subtitle: Some(format!("（{} 至 {}）", period.start, period.end)),
        cover_lines: vec![format!("核对目录：{dir}")],
        sections,
    }
}

fn matrix(items: &[ItemResult]) -> Block {
    let rows = items
        .iter()
        .map(|i| {
            (
                if i.complete() {
                    RowStyle::Normal
                } else {
                    RowStyle::Bad
                },
                vec![
                    i.name.clone().into(),
                    Cell::Int(i.required as i64),
                    Cell::Int(i.found as i64),
                    i.missing.join("、").into(),
                    Cell::Int(i.problems.len() as i64),
                    if i.complete() { "齐全" } else { "不齐全" }.into(),
                ],
            )
        })
        .collect();
    Block::Table(Table {
        caption: "完整性矩阵".into(),
        headers: ["材料", "应有", "已有", "缺少", "问题文件", "结论"]
            .map(String::from)
            .to_vec(),
        rows,
        widths: vec![6, 2, 2, 6, 2, 2],
        ..Table::default()
    })
}

/// The periodic items of one kind as a grid: ✓ where the period has a file.
fn grid(items: &[ItemResult], per: Per, title: &str, sheet: &str) -> Option<Section> {
    let periodic: Vec<&ItemResult> = items.iter().filter(|i| i.per == Some(per)).collect();
    let first = periodic.first()?;
    let mut headers = vec!["材料".to_string()];
    headers.extend(first.periods.iter().map(|(label, _)| match per {
        Per::Month => format!("{}月", label[5..].trim_start_matches('0')),
        Per::Quarter => label.clone(),
    }));
    let rows = periodic
        .iter()
        .map(|i| {
            let mut cells: Vec<Cell> = vec![i.name.clone().into()];
            cells.extend(
                i.periods
                    .iter()
                    .map(|(_, ok)| Cell::from(if *ok { "✓" } else { "缺" })),
            );
            let style = match i.missing.is_empty() {
                true => RowStyle::Normal,
                false => RowStyle::Bad,
            };
            (style, cells)
        })
        .collect();
    let mut widths = vec![4];
    widths.extend(std::iter::repeat_n(1, headers.len() - 1));
    let mut s = Section::new(1, title, Some(sheet));
    s.blocks.push(Block::Table(Table {
        caption: format!("{sheet}（✓ 有，缺 没有）"),
        headers,
        rows,
        widths,
        ..Table::default()
    }));
    Some(s)
}

fn problem_section(items: &[ItemResult], before: usize) -> Section {
    let numeral = ["一", "二", "三", "四"][before.min(3)];
    let mut s = Section::new(1, format!("{numeral}、无法使用的文件"), Some("问题文件"));
    let rows: Vec<(RowStyle, Vec<Cell>)> = items
        .iter()
        .flat_map(|i| {
            i.problems.iter().map(move |p| {
                let (file, why) = p.split_once('：').unwrap_or((p.as_str(), ""));
                (
                    RowStyle::Bad,
                    vec![
                        i.name.clone().into(),
                        file.to_string().into(),
                        why.to_string().into(),
                    ],
                )
            })
        })
        .collect();
    if rows.is_empty() {
        s.blocks
            .push(Block::Paragraph("找到的文件均能正常打开且不为空。".into()));
    } else {
        s.blocks.push(Block::Table(Table {
            caption: "无法使用的文件".into(),
            headers: ["材料", "文件", "问题"].map(String::from).to_vec(),
            rows,
            widths: vec![3, 6, 4],
            ..Table::default()
        }));
    }
    s
}
