//! 服务质量评估方案 (SPEC §15): the scheme YAML as the document the purchaser signs —
//! 编制依据, 适用范围, 指标体系 (each indicator's definition, formula in words, data
//! source, target, points, scoring rule and veto), 评分与等级, 奖惩, 缺失数据的处理,
//! 数据稽核要求, 修订记录, and with `--diff` a 修订对照 table.
//!
//! Pure: takes the scheme, returns a `Report`.

use super::text::{number_chapters, placed, section, table, widths};
use crate::findings::Code;
use crate::ingest::values::format_number;
use crate::report::model::RowStyle;
use crate::report::neutral::{Block, Cell, Place, Report, Section};
use crate::scheme::diff::DiffRow;
use crate::scheme::scoring::MissingData;
use crate::scheme::words::{formula, rule_text, source_text};
use crate::scheme::Scheme;

/// What the document is about besides the scheme.
pub struct SchemeContext<'a> {
    pub workspace: &'a str,
    pub service_period: Option<&'a crate::period::Period>,
    /// 修订对照 against an older version, with its file name.
    pub diff: Option<(&'a str, &'a [DiffRow])>,
}

pub fn build(s: &Scheme, c: &SchemeContext) -> Report {
    let mut sections = vec![basis(s), scope(s, c)];
    sections.extend(system(s));
    sections.extend([grades(s), payment(s), missing(s), audit(), revisions(s)]);
    if let Some((file, rows)) = c.diff {
        sections.push(diff_section(file, rows));
    }
    Report {
        title: s.name.clone(),
        subtitle: s.version.as_ref().map(|v| format!("（版本 {v}）")),
        cover_lines: vec![c.workspace.to_string()],
        sections: number_chapters(sections),
    }
}

fn basis(s: &Scheme) -> Section {
    let mut sec = section("编制依据", None);
    if s.basis.is_empty() {
        sec.blocks.push(Block::Paragraph(
            "方案文件未列出编制依据（可在方案文件中以 basis: 逐条列出）。".into(),
        ));
    }
    for (i, b) in s.basis.iter().enumerate() {
        sec.blocks.push(Block::Paragraph(format!("{}. {b}", i + 1)));
    }
    if let Some(d) = &s.description {
        sec.blocks.push(Block::Paragraph(d.clone()));
    }
    sec
}

fn scope(s: &Scheme, c: &SchemeContext) -> Section {
    let mut sec = section("适用范围", None);
    let access = match s.access_type.as_deref() {
        Some(a) => format!("{}接入线路", crate::fees::rules::service_label(a)),
        None => "全部接入方式的线路".to_string(),
    };
    let period = c.service_period.map_or(String::new(), |p| {
        format!("，服务期 {} 至 {}", p.start, p.end)
    });
    sec.blocks.push(Block::Paragraph(format!(
        "本方案适用于{}{access}的服务质量评估{period}；按月、季度和年度计算各指标实际值和得分，季度和年度评估结果用于服务费用的奖惩。",
        c.workspace
    )));
    sec
}

/// 指标体系: the dimensions, then each dimension's indicators in words (a level-2
/// section each); every field of every indicator in one workbook table.
fn system(s: &Scheme) -> Vec<Section> {
    let mut sec = section("指标体系", Some("指标体系"));
    let n: usize = s.dimensions.iter().map(|d| d.indicators.len()).sum();
    sec.blocks.push(Block::Paragraph(format!(
        "本方案设 {} 个维度、{n} 项指标，满分 {} 分。",
        s.dimensions.len(),
        format_number(s.total_points)
    )));
    let rows = s
        .dimensions
        .iter()
        .map(|d| {
            let points: f64 = d.indicators.iter().map(|i| i.points).sum();
            (
                RowStyle::Normal,
                vec![
                    d.name.clone().into(),
                    Cell::Int(d.indicators.len() as i64),
                    Cell::Number(points, 0),
                ],
            )
        })
        .collect();
    sec.blocks.push(placed(
        table("维度与分值".into(), &["维度", "指标数", "分值"], rows),
        Place::Document,
    ));
    sec.blocks.push(placed(all_fields(s), Place::Workbook));
    let mut out = vec![sec];
    const NUMERALS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
    for (k, d) in s.dimensions.iter().enumerate() {
        let points: f64 = d.indicators.iter().map(|i| i.points).sum();
        let heading = format!(
            "（{}）{}（{} 分）",
            NUMERALS.get(k).copied().unwrap_or("十"),
            d.name,
            format_number(points)
        );
        out.push(Section::new(2, heading, None));
        for (n, i) in d.indicators.iter().enumerate() {
            let title = format!(
                "{}. {} {}（{} 分）",
                n + 1,
                i.id,
                i.name,
                format_number(i.points)
            );
            let mut part = Section::new(3, title, None);
            if let Some(t) = &i.description {
                part.blocks.push(Block::Paragraph(format!("定义：{t}")));
            }
            for (what, text) in [
                ("计算方法", formula(i)),
                ("数据来源", source_text(i)),
                ("目标值", target_text(i)),
                ("评分规则", rule_text(i)),
            ] {
                part.blocks
                    .push(Block::Paragraph(format!("{what}：{text}")));
            }
            out.push(part);
        }
    }
    out
}

fn target_text(i: &crate::scheme::Indicator) -> String {
    format!("{}{}", i.target, i.unit.as_deref().unwrap_or(""))
}

fn all_fields(s: &Scheme) -> Block {
    let rows = s
        .indicators()
        .map(|i| {
            let dim = s
                .dimensions
                .iter()
                .find(|d| d.id == i.dimension)
                .map_or(i.dimension.clone(), |d| d.name.clone());
            (
                RowStyle::Normal,
                vec![
                    dim.into(),
                    i.id.clone().into(),
                    i.name.clone().into(),
                    i.description.clone().unwrap_or_default().into(),
                    formula(i).into(),
                    source_text(i).into(),
                    target_text(i).into(),
                    Cell::Number(i.points, 0),
                    rule_text(i).into(),
                ],
            )
        })
        .collect();
    table(
        "指标体系明细".into(),
        &[
            "维度",
            "编号",
            "指标",
            "定义",
            "计算方法",
            "数据来源",
            "目标值",
            "分值",
            "评分规则",
        ],
        rows,
    )
}

fn grades(s: &Scheme) -> Section {
    let mut sec = section("评分与等级", Some("评分与等级"));
    sec.blocks.push(Block::Paragraph(format!(
        "总分为各指标得分之和（满分 {} 分），按下表评定等级：总分达到某一等级的下限即为该等级。",
        format_number(s.total_points)
    )));
    let rows = s
        .grades
        .iter()
        .map(|(min, name)| {
            (
                RowStyle::Normal,
                vec![name.clone().into(), Cell::Number(*min, 0)],
            )
        })
        .collect();
    sec.blocks
        .push(table("等级".into(), &["等级", "总分不低于"], rows));
    sec
}

fn payment(s: &Scheme) -> Section {
    let mut sec = section("奖惩", Some("奖惩"));
    if s.payment.is_empty() {
        sec.blocks.push(Block::Paragraph(
            "方案未设费用调整规则（payment:），评估结果不与服务费用挂钩。".into(),
        ));
        return sec;
    }
    sec.blocks.push(Block::Paragraph(
        "按季度和年度总分调整当期服务费用，负数为扣减：".into(),
    ));
    let rows = s
        .payment
        .iter()
        .map(|(min, pct)| {
            (
                RowStyle::Normal,
                vec![Cell::Number(*min, 0), Cell::Number(*pct, 0)],
            )
        })
        .collect();
    sec.blocks.push(table(
        "费用调整".into(),
        &["总分不低于", "服务费用调整(%)"],
        rows,
    ));
    sec
}

fn missing(s: &Scheme) -> Section {
    let mut sec = section("缺失数据的处理", None);
    let text = match s.missing_data {
        MissingData::Exclude => format!(
            "某项指标在统计期内没有数据时，不计入总分，总分按有数据指标的分值折算到满分；有数据的指标分值合计低于满分的 {}% 时，当期不计总分、等级和费用调整，并列明缺失的指标和原因。",
            format_number(s.min_scored_pct)
        ),
        MissingData::Zero => "某项指标在统计期内没有数据时，该指标得 0 分。".to_string(),
        MissingData::Full => "某项指标在统计期内没有数据时，该指标得满分。".to_string(),
    };
    sec.blocks.push(Block::Paragraph(text));
    sec
}

fn audit() -> Section {
    let mut sec = section("数据稽核要求", Some("数据稽核要求"));
    sec.blocks.push(Block::Paragraph(
        "评分使用的数据先经数据稽核；每项问题注明文件、工作表、行号和列名，错误行不参与评分并计入问题清单。稽核项目如下：".into(),
    ));
    let rows = Code::ALL
        .iter()
        .map(|c| {
            (
                RowStyle::Normal,
                vec![
                    c.as_str().into(),
                    c.title().into(),
                    c.severity().label().into(),
                ],
            )
        })
        .collect();
    sec.blocks.push(table(
        "数据稽核项目".into(),
        &["代码", "稽核项目", "级别"],
        rows,
    ));
    sec
}

fn revisions(s: &Scheme) -> Section {
    let mut sec = section("修订记录", Some("修订记录"));
    if s.changes.is_empty() {
        sec.blocks.push(Block::Paragraph(format!(
            "当前版本 {}；方案文件未列出修订记录（changes:）。",
            s.version.as_deref().unwrap_or("未标注")
        )));
        return sec;
    }
    let rows = s
        .changes
        .iter()
        .map(|c| {
            (
                RowStyle::Normal,
                vec![
                    c.version.clone().into(),
                    c.date.clone().unwrap_or_default().into(),
                    c.note.clone().into(),
                ],
            )
        })
        .collect();
    sec.blocks.push(widths(
        table("修订记录".into(), &["版本", "日期", "修订内容"], rows),
        &[2, 2, 8],
    ));
    sec
}

fn diff_section(file: &str, rows: &[DiffRow]) -> Section {
    let mut sec = section("修订对照", Some("修订对照"));
    if rows.is_empty() {
        sec.blocks.push(Block::Paragraph(format!(
            "与 {file} 相比，指标、目标、分值和评分规则均无变化。"
        )));
        return sec;
    }
    sec.blocks.push(Block::Paragraph(format!(
        "与 {file} 相比共有 {} 处变化：",
        rows.len()
    )));
    let cells = rows
        .iter()
        .map(|r| {
            (
                RowStyle::Normal,
                vec![
                    r.indicator.clone().into(),
                    r.field.into(),
                    r.before.clone().into(),
                    r.after.clone().into(),
                ],
            )
        })
        .collect();
    sec.blocks.push(widths(
        table(
            "修订对照".into(),
            &["指标", "项目", "修订前", "修订后"],
            cells,
        ),
        &[3, 2, 5, 5],
    ));
    sec
}
