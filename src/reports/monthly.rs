//! The monthly supervision report (监管月报, SPEC §14) as the neutral report model:
//! every chapter in order, each built from the month's results; a chapter with
//! nothing to report says so in one sentence made from the data.
//!
//! Pure: takes results, returns a `Report`; no files, no polars.

use super::text::{count_sentence, fmt2, indicator_rows, pct_or_dash};
use crate::analysis::change::{Change, Side};
use crate::analysis::faults::FaultSummary;
use crate::analysis::lifecycle::{self, Link};
use crate::analysis::plan::PlanSummary;
use crate::analysis::security::{SecurityCounts, SecuritySummary};
use crate::analysis::sources::SourceFile;
use crate::analysis::suggest::Suggestion;
use crate::analysis::trend::MonthResult;
use crate::audit::CheckReport;
use crate::findings::{Code, Severity};
use crate::period::Period;
use crate::report::chart::{self, Line};
use crate::report::model::RowStyle;
use crate::report::neutral::{Block, Cell, Chart, Report, Section, Table};
use crate::scheme::Scheme;
use crate::score::daily::Day;
use crate::score::ScoreResult;

/// One scheme's month: its result (with district groups), last month, the chain.
pub struct SchemeMonth<'a> {
    pub scheme: &'a Scheme,
    pub now: &'a ScoreResult,
    /// This month as the trend has it (whole or 截至).
    pub this: &'a MonthResult,
    pub previous: Option<&'a MonthResult>,
}

/// Everything the monthly report shows, computed by the command.
pub struct MonthlyInputs<'a> {
    pub workspace: &'a str,
    pub period: &'a Period,
    pub schemes: Vec<SchemeMonth<'a>>,
    pub check: &'a CheckReport,
    pub faults: &'a FaultSummary,
    pub repeat_lines: &'a [(String, u64)],
    pub security: &'a SecuritySummary,
    /// (what, summary): 机房巡检, 应急演练, 建设工程, 服务商报告.
    pub plans: &'a [(&'static str, PlanSummary)],
    pub daily: &'a [Day],
    /// The lines of lowest availability in the month (at most 10).
    pub worst: &'a [crate::score::daily::LineFigures],
    pub suggestions: &'a [Suggestion],
    pub sources: &'a [SourceFile],
    /// The files this report is written to (附件).
    pub files: &'a [String],
}

/// The report, chapter by chapter.
pub fn build(m: &MonthlyInputs) -> Report {
    let month = m.period.start.format("%Y 年 %-m 月").to_string();
    Report {
        title: format!("{}服务质量监管月报", m.workspace),
        subtitle: Some(format!("（{month}）")),
        cover_lines: vec![
            m.workspace.to_string(),
            format!("统计期间：{} 至 {}", m.period.start, m.period.end),
        ],
        sections: vec![
            preface(m),
            overview(m),
            construction(m),
            operations(m),
            performance(m),
            security(m),
            data_audit(m),
            problems(m),
            analysis(m),
            attachments(m),
        ],
    }
}

fn section(heading: &str, sheet: Option<&str>) -> Section {
    Section::new(1, heading, sheet)
}

/// The columns of `text::indicator_rows`.
const INDICATOR_HEADERS: [&str; 5] = ["评估方案", "指标", "目标", "本月", "达标"];

/// A table of `text::indicator_rows`.
fn indicator_table(caption: String, rows: Vec<(RowStyle, Vec<Cell>)>) -> Block {
    widths(table(caption, &INDICATOR_HEADERS, rows), &[5, 7, 2, 2, 2])
}

/// The table with relative column widths in Word.
fn widths(block: Block, w: &[u32]) -> Block {
    match block {
        Block::Table(t) => Block::Table(Table {
            widths: w.to_vec(),
            ..t
        }),
        other => other,
    }
}

fn table(caption: String, headers: &[&str], rows: Vec<(RowStyle, Vec<Cell>)>) -> Block {
    Block::Table(Table {
        caption,
        headers: headers.iter().map(|h| h.to_string()).collect(),
        rows,
        ..Table::default()
    })
}

/// 编制说明: period, data cut-off per table, sources, scheme versions.
fn preface(m: &MonthlyInputs) -> Section {
    let mut s = section("编制说明", Some("编制说明"));
    s.blocks.push(Block::Paragraph(format!(
        "本报告依据工作区的 {} 个数据文件（见表 1）编制，统计期间为 {} 至 {}。",
        m.sources.len(),
        m.period.start,
        m.period.end
    )));
    let record_tables = m
        .sources
        .iter()
        .filter(|f| !matches!(f.table, "线路台账" | "号卡"));
    if let Some(newest) = record_tables.filter_map(|f| f.newest).max() {
        s.blocks.push(Block::Paragraph(format!(
            "数据截至 {}（各数据源的最新记录见表 1）。",
            newest.format("%Y-%m-%d %H:%M")
        )));
    }
    let versions: Vec<String> = m
        .schemes
        .iter()
        .map(|x| {
            format!(
                "《{}》{}",
                x.scheme.name,
                x.scheme
                    .version
                    .as_deref()
                    .map_or(String::new(), |v| format!("（版本 {v}）"))
            )
        })
        .collect();
    s.blocks.push(Block::Paragraph(format!(
        "评分依据：{}。",
        versions.join("、")
    )));
    let rows = m
        .sources
        .iter()
        .map(|f| {
            (
                RowStyle::Normal,
                vec![
                    f.table.into(),
                    f.file.clone().into(),
                    Cell::Int(f.rows as i64),
                    f.newest
                        .map_or(String::new(), |t| t.format("%Y-%m-%d %H:%M").to_string())
                        .into(),
                    f.sha256_12.clone().into(),
                ],
            )
        })
        .collect();
    s.blocks.push(widths(
        table(
            "数据来源".into(),
            &[
                "数据表",
                "文件",
                "读入行数",
                "最新记录",
                "SHA-256（前 12 位）",
            ],
            rows,
        ),
        &[3, 7, 2, 4, 4],
    ));
    s
}

/// 一、总体情况: a sentence per scheme and the indicator card.
fn overview(m: &MonthlyInputs) -> Section {
    let mut s = section("一、总体情况", Some("总体情况"));
    for x in &m.schemes {
        s.blocks.push(Block::Paragraph(summary_sentence(x.now)));
        let rows = x
            .scheme
            .indicators()
            .zip(&x.now.indicators)
            .enumerate()
            .map(|(i, (ind, r))| {
                let before = x.previous.map(|p| &p.result.indicators[i]);
                let change = Change::between(
                    Side {
                        value: r.value,
                        whole: x.this.whole(),
                    },
                    Side {
                        value: before.and_then(|b| b.value),
                        whole: x.previous.is_some_and(|p| p.whole()),
                    },
                    &ind.target,
                );
                let style = if r.met == Some(false) {
                    RowStyle::Bad
                } else {
                    RowStyle::Normal
                };
                (
                    style,
                    vec![
                        r.id.clone().into(),
                        r.name.clone().into(),
                        r.target.clone().into(),
                        fmt2(r.value),
                        fmt2(before.and_then(|b| b.value)),
                        Cell::Change(change),
                        met_cell(r.met),
                    ],
                )
            })
            .collect();
        s.blocks.push(widths(
            table(
                format!("{}指标一览", x.now.scheme),
                &[
                    "指标编号",
                    "指标名称",
                    "目标",
                    "本月",
                    "上月",
                    "环比",
                    "达标",
                ],
                rows,
            ),
            &[4, 6, 3, 3, 3, 3, 3],
        ));
    }
    if let Some(cut) = m.schemes.first().and_then(|x| x.this.cut_off) {
        s.blocks.push(Block::Note(format!(
            "本月数据截至 {cut}，与上月的变化不作比较。"
        )));
    }
    s
}

fn met_cell(met: Option<bool>) -> Cell {
    match met {
        Some(true) => "是".into(),
        Some(false) => "否".into(),
        None => "无数据".into(),
    }
}

/// "政务外网服务质量评估方案：本月 23 项指标中 18 项达标…".
pub fn summary_sentence(r: &ScoreResult) -> String {
    let n = r.indicators.len();
    let met = r.indicators.iter().filter(|i| i.met == Some(true)).count();
    let failed = r.indicators.iter().filter(|i| i.met == Some(false)).count();
    let none = n - met - failed;
    let mut text = format!(
        "{}：本月 {n} 项指标中 {met} 项达标、{failed} 项未达标",
        r.scheme
    );
    if none > 0 {
        text.push_str(&format!("、{none} 项无数据"));
    }
    match (r.total, &r.grade) {
        (Some(t), Some(g)) => {
            text.push_str(&format!("；总分 {t:.2}，等级{g}"));
            if let Some(p) = r.payment_adjust_pct {
                text.push_str(&format!("，对应费用调整 {p}%"));
            }
            text.push('。');
        }
        _ => text.push_str(&format!(
            "；有数据的指标分值仅占 {:.2}%，数据不足，本月不计总分和等级。",
            r.scored_points_pct
        )),
    }
    text
}

/// 二、网络建设: construction and provisioning indicators, projects against plan.
fn construction(m: &MonthlyInputs) -> Section {
    let mut s = section("二、网络建设", Some("网络建设"));
    let rows = indicator_rows(
        &m.schemes,
        &[
            crate::tables::Table::Provisioning,
            crate::tables::Table::Projects,
        ],
    );
    if rows.is_empty() {
        s.blocks
            .push(Block::Paragraph("评估方案没有开通和建设类指标。".into()));
    } else {
        s.blocks
            .push(indicator_table("开通与建设指标".into(), rows));
    }
    push_plan(&mut s, m, "建设工程", "计划完工");
    s
}

/// A plan's sentence and, when items are overdue, their table.
fn push_plan(s: &mut Section, m: &MonthlyInputs, what: &str, verb: &str) {
    let Some((_, p)) = m.plans.iter().find(|(w, _)| *w == what) else {
        return;
    };
    if p.due == 0 {
        s.blocks
            .push(Block::Paragraph(format!("本月没有{verb}的{what}。")));
        return;
    }
    s.blocks.push(Block::Paragraph(format!(
        "本月{verb}的{what} {} 项：按期完成 {} 项、逾期完成 {} 项、至月末未完成 {} 项，按期完成率 {}。",
        p.due,
        p.on_time,
        p.late,
        p.not_done,
        pct_or_dash(p.on_time_pct())
    )));
    if !p.overdue.is_empty() {
        let rows = p
            .overdue
            .iter()
            .map(|o| {
                (
                    RowStyle::Bad,
                    vec![
                        o.id.clone().into(),
                        o.due.to_string().into(),
                        Cell::Int(o.days_late),
                    ],
                )
            })
            .collect();
        s.blocks.push(table(
            format!("未完成的{what}"),
            &["编号", "计划日期", "逾期天数"],
            rows,
        ));
    }
}

/// 三、运维服务: faults, their handling indicators, repeated faults, inspections,
/// drills, provider reports, complaints.
fn operations(m: &MonthlyInputs) -> Section {
    use crate::tables::Table as T;
    let mut s = section("三、运维服务", Some("运维服务"));
    let f = m.faults;
    if f.total == 0 {
        s.blocks
            .push(Block::Paragraph("本月未发生故障报修。".into()));
    } else {
        s.blocks.push(Block::Paragraph(format!(
            "本月报修故障 {} 起，其中{}；按原因：{}；按区：{}。",
            f.total,
            count_sentence(&f.by_severity, "起"),
            count_sentence(&f.by_cause, "起"),
            count_sentence(&f.by_district, "起")
        )));
        let rows = f
            .by_district
            .iter()
            .map(|(k, n)| {
                (
                    RowStyle::Normal,
                    vec![k.clone().into(), Cell::Int(*n as i64)],
                )
            })
            .collect();
        s.blocks
            .push(table("各区故障数".into(), &["区", "故障数"], rows));
    }
    let rows = indicator_rows(
        &m.schemes,
        &[T::Faults, T::Complaints, T::PhoneChecks, T::Surveys],
    );
    if !rows.is_empty() {
        s.blocks
            .push(indicator_table("运维与服务指标".into(), rows));
    }
    if m.repeat_lines.is_empty() {
        s.blocks.push(Block::Paragraph(
            "近 90 天没有发生 3 次及以上故障的线路。".into(),
        ));
    } else {
        let rows = m
            .repeat_lines
            .iter()
            .map(|(l, n)| (RowStyle::Warn, vec![l.clone().into(), Cell::Int(*n as i64)]))
            .collect();
        s.blocks.push(table(
            "近 90 天故障 3 次及以上的线路".into(),
            &["线路编号", "故障次数"],
            rows,
        ));
    }
    push_plan(&mut s, m, "机房巡检", "计划开展");
    push_plan(&mut s, m, "应急演练", "计划开展");
    push_plan(&mut s, m, "服务商报告", "应提交");
    s
}

/// 四、网络性能: indicators by district, the daily availability and latency charts.
fn performance(m: &MonthlyInputs) -> Section {
    use crate::tables::Table as T;
    let mut s = section("四、网络性能", Some("网络性能"));
    let rows = indicator_rows(&m.schemes, &[T::Samples, T::Outages, T::Kpi5g]);
    if rows.is_empty() {
        s.blocks
            .push(Block::Paragraph("评估方案没有网络性能类指标。".into()));
    } else {
        s.blocks.push(indicator_table("网络性能指标".into(), rows));
    }
    for x in &m.schemes {
        if let Some(b) = district_table(x) {
            s.blocks.push(b);
        }
    }
    push_daily(&mut s, m);
    push_worst(&mut s, m);
    s
}

/// The 10 lines of lowest availability (red when below an availability target).
fn push_worst(s: &mut Section, m: &MonthlyInputs) {
    if m.worst.is_empty() {
        return;
    }
    let rows = m
        .worst
        .iter()
        .map(|l| {
            let below = m
                .schemes
                .iter()
                .flat_map(|x| x.scheme.indicators())
                .any(|i| {
                    matches!(i.measure, crate::scheme::Measure::Availability { .. })
                        && l.availability.is_some_and(|v| !i.target.is_met(v))
                });
            (
                if below {
                    RowStyle::Bad
                } else {
                    RowStyle::Normal
                },
                vec![
                    l.line_id.clone().into(),
                    fmt2(l.availability),
                    fmt2(l.latency_ms),
                    Cell::Int(l.samples as i64),
                ],
            )
        })
        .collect();
    s.blocks.push(table(
        format!("可用率最低的 {} 条线路", m.worst.len()),
        &["线路编号", "可用率(%)", "平均时延(ms)", "计入样本数"],
        rows,
    ));
}

/// The performance indicators per district, where the scheme was grouped.
fn district_table(x: &SchemeMonth) -> Option<Block> {
    use crate::tables::Table as T;
    let perf: Vec<usize> = x
        .scheme
        .indicators()
        .enumerate()
        .filter(|(_, i)| matches!(i.source, T::Samples | T::Outages))
        .map(|(k, _)| k)
        .collect();
    if perf.is_empty() || x.now.groups.is_empty() {
        return None;
    }
    let mut headers = vec!["区".to_string()];
    headers.extend(perf.iter().map(|k| x.now.indicators[*k].name.clone()));
    let rows = x
        .now
        .groups
        .iter()
        .map(|g| {
            let failed = perf.iter().any(|k| g.indicators[*k].met == Some(false));
            let mut cells: Vec<Cell> = vec![g.key.clone().into()];
            cells.extend(perf.iter().map(|k| fmt2(g.indicators[*k].value)));
            (
                if failed {
                    RowStyle::Bad
                } else {
                    RowStyle::Normal
                },
                cells,
            )
        })
        .collect();
    Some(Block::Table(Table {
        caption: format!("{}各区网络性能", x.now.scheme),
        headers,
        rows,
        ..Table::default()
    }))
}

/// The daily availability and latency charts with their targets.
fn push_daily(s: &mut Section, m: &MonthlyInputs) {
    if m.daily.is_empty() {
        s.blocks.push(Block::Paragraph(
            "本月没有性能采样数据，未绘制逐日可用率和时延图。".into(),
        ));
        return;
    }
    let days: Vec<String> = m
        .daily
        .iter()
        .map(|d| d.date.format("%-m/%-d").to_string())
        .collect();
    // The targets of the samples' availability and of their mean latency.
    let target = |wanted: fn(&crate::scheme::Measure) -> bool| {
        m.schemes
            .iter()
            .flat_map(|x| x.scheme.indicators())
            .find(|i| i.source == crate::tables::Table::Samples && wanted(&i.measure))
            .map(|i| i.target.value)
    };
    let availability_target =
        target(|me| matches!(me, crate::scheme::Measure::Availability { .. }));
    let latency_target = target(
        |me| matches!(me, crate::scheme::Measure::Stat { stat: crate::scheme::Stat::Mean, column } if column == "latency_ms"),
    );
    let line = |name: &str, values: Vec<Option<f64>>| Line {
        name: name.to_string(),
        values,
    };
    let avail = line("可用率", m.daily.iter().map(|d| d.availability).collect());
    let latency = line("平均时延", m.daily.iter().map(|d| d.latency_ms).collect());
    for (title, axis, l, t) in [
        ("逐日可用率", "可用率 (%)", avail, availability_target),
        ("逐日平均时延", "时延 (ms)", latency, latency_target),
    ] {
        let block = match chart::lines(axis, &days, std::slice::from_ref(&l), t) {
            Ok(_) => Block::Chart(Chart::Lines {
                caption: title.into(),
                axis: axis.into(),
                categories: days.clone(),
                lines: vec![l],
                target: t,
            }),
            Err(e) => Block::Paragraph(format!("（{e}，{title}图从略。）")),
        };
        s.blocks.push(block);
    }
    // The figures behind the charts, for the workbook.
    let rows = m
        .daily
        .iter()
        .map(|d| {
            (
                RowStyle::Normal,
                vec![
                    d.date.to_string().into(),
                    fmt2(d.availability),
                    fmt2(d.latency_ms),
                ],
            )
        })
        .collect();
    s.blocks.push(Block::Table(Table {
        caption: "逐日可用率与平均时延".into(),
        headers: vec!["日期".into(), "可用率(%)".into(), "平均时延(ms)".into()],
        rows,
        place: crate::report::neutral::Place::Workbook,
        ..Table::default()
    }));
}

/// 五、网络安全: findings opened, rectified, overdue by severity and source.
fn security(m: &MonthlyInputs) -> Section {
    let mut s = section("五、网络安全", Some("网络安全"));
    let sec = m.security;
    let sum = |f: fn(&SecurityCounts) -> u64| sec.by_severity.iter().map(f).sum::<u64>();
    let (opened, rectified, overdue) =
        (sum(|c| c.opened), sum(|c| c.rectified), sum(|c| c.overdue));
    if opened + rectified + overdue == 0 {
        s.blocks.push(Block::Paragraph(
            "本月未发现新的安全问题，没有整改完成或到期未整改的安全问题。".into(),
        ));
        return s;
    }
    s.blocks.push(Block::Paragraph(format!(
        "本月新发现安全问题 {opened} 项，整改完成 {rectified} 项，至月末超期未整改 {overdue} 项。"
    )));
    for (what, list) in [("等级", &sec.by_severity), ("来源", &sec.by_source)] {
        let rows = list
            .iter()
            .map(|c| {
                let style = if c.overdue > 0 {
                    RowStyle::Bad
                } else {
                    RowStyle::Normal
                };
                (
                    style,
                    vec![
                        c.key.clone().into(),
                        Cell::Int(c.opened as i64),
                        Cell::Int(c.rectified as i64),
                        Cell::Int(c.overdue as i64),
                    ],
                )
            })
            .collect();
        s.blocks.push(table(
            format!("安全问题（按{what}）"),
            &[what, "新发现", "整改完成", "超期未整改"],
            rows,
        ));
    }
    s
}

/// 六、数据稽核: coverage, findings by code, rows left out, duplicates dropped.
fn data_audit(m: &MonthlyInputs) -> Section {
    let mut s = section("六、数据稽核", Some("数据稽核"));
    let c = m.check;
    let coverage = c
        .coverage_pct()
        .map_or("无采样数据".to_string(), |p| format!("{p:.2}%"));
    let rejected: u64 = c.tables.iter().map(|t| t.rows_rejected).sum();
    let dropped: u64 = c.dropped_exact_duplicates.values().sum();
    s.blocks.push(Block::Paragraph(format!(
        "本月数据稽核发现错误 {} 项、警告 {} 项；采集覆盖率 {coverage}；无法使用而剔除的行 {rejected} 行，完全重复而剔除的行 {dropped} 行。",
        c.count(Severity::Error),
        c.count(Severity::Warning)
    )));
    let rows: Vec<(RowStyle, Vec<Cell>)> = Code::ALL
        .iter()
        .filter_map(|code| {
            let n = c.counts.get(code).copied().unwrap_or(0);
            let style = if code.severity() == Severity::Error {
                RowStyle::Bad
            } else {
                RowStyle::Warn
            };
            (n > 0).then(|| {
                (
                    style,
                    vec![
                        code.as_str().into(),
                        code.title().into(),
                        code.severity().label().into(),
                        Cell::Int(n as i64),
                    ],
                )
            })
        })
        .collect();
    if !rows.is_empty() {
        s.blocks.push(table(
            "数据稽核问题".into(),
            &["代码", "问题", "级别", "项数"],
            rows,
        ));
    }
    s
}

/// 七、问题整改: the month's problems from the score and the audit (the ledger's
/// movements come with the ledger, issue 11).
fn problems(m: &MonthlyInputs) -> Section {
    let mut s = section("七、问题整改", Some("问题整改"));
    let failed: Vec<(RowStyle, Vec<Cell>)> = m
        .schemes
        .iter()
        .flat_map(|x| {
            x.now
                .indicators
                .iter()
                .filter(|i| i.met == Some(false))
                .map(move |i| (x, i))
        })
        .map(|(x, i)| {
            (
                RowStyle::Bad,
                vec![
                    "指标未达标".into(),
                    format!("{} {}（{}）", i.id, i.name, x.now.scheme).into(),
                    fmt2(i.value),
                ],
            )
        })
        .collect();
    let errors = m.check.count(Severity::Error);
    s.blocks.push(Block::Paragraph(format!(
        "本月问题取自评分与数据稽核：未达标指标 {} 项，数据稽核错误 {errors} 项（明细见数据稽核章节）。",
        failed.len()
    )));
    if !failed.is_empty() {
        s.blocks.push(table(
            "本月问题".into(),
            &["来源", "问题", "本月值"],
            failed,
        ));
    }
    s
}

/// 八、分析与建议: the lifecycle chain and the suggestions of rules R1–R6.
fn analysis(m: &MonthlyInputs) -> Section {
    let mut s = section("八、分析与建议", Some("分析与建议"));
    for x in &m.schemes {
        let links = lifecycle::chain(x.scheme, x.now);
        s.blocks
            .push(Block::Paragraph(chain_sentence(&x.now.scheme, &links)));
    }
    if m.suggestions.is_empty() {
        s.blocks.push(Block::Paragraph(
            "本月各项指标均已达标，未触发优化建议规则（R1–R6）。".into(),
        ));
    } else {
        let rows = m
            .suggestions
            .iter()
            .map(|x| {
                (
                    RowStyle::Normal,
                    vec![x.rule.into(), x.level.into(), x.text.clone().into()],
                )
            })
            .collect();
        s.blocks.push(widths(
            table("优化建议".into(), &["规则", "类别", "建议"], rows),
            &[1, 2, 9],
        ));
    }
    s
}

fn chain_sentence(scheme: &str, links: &[Link]) -> String {
    let shown: Vec<String> = links
        .iter()
        .map(|l| format!("{} {}", l.stage, pct_or_dash(l.score_pct)))
        .collect();
    match lifecycle::weakest(links) {
        Some(w) => format!(
            "{scheme}服务链条（得分率）：{}；最薄弱环节为“{}”。",
            shown.join(" → "),
            w.stage
        ),
        None => format!("{scheme}：本月开通、故障、恢复、投诉各环节均无评分数据。"),
    }
}

fn attachments(m: &MonthlyInputs) -> Section {
    let mut s = section("附件", None);
    for (i, f) in m.files.iter().enumerate() {
        s.blocks.push(Block::Paragraph(format!("{}. {f}", i + 1)));
    }
    s
}
