//! Chapters 二 to 四 of the monthly report (SPEC §14): 网络建设, 运维服务, 网络性能 —
//! the provider's service as the month's figures show it.

use super::inputs::{ReportInputs, SchemePeriod};
use super::text::*;
use crate::report::chart::{self, Line};
use crate::report::model::RowStyle;
use crate::report::neutral::{Block, Cell, Chart, Place, Section, Table};

/// 二、网络建设: construction and provisioning indicators, projects against plan.
pub(super) fn construction(m: &ReportInputs) -> Section {
    let mut s = section("网络建设", Some("网络建设"));
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
            .push(indicator_table("开通与建设指标".into(), m.span, rows));
    }
    push_plan(&mut s, m, "建设工程", "计划完工");
    s
}

/// The table behind each plan of `ReportInputs::plans`.
fn plan_table(what: &str) -> Option<crate::tables::Table> {
    use crate::tables::Table as T;
    match what {
        "机房巡检" => Some(T::Inspections),
        "应急演练" => Some(T::Drills),
        "建设工程" => Some(T::Projects),
        "服务商报告" => Some(T::ProviderReports),
        _ => None,
    }
}

/// A plan's sentence and, when items are overdue, their table.
fn push_plan(s: &mut Section, m: &ReportInputs, what: &str, verb: &str) {
    let Some((source, p)) = m
        .plans
        .iter()
        .find(|(w, _)| *w == what)
        .map(|(w, p)| (plan_table(w), p))
    else {
        return;
    };
    if let Some(why) = source.and_then(|t| m.missing(t)) {
        s.blocks.push(Block::Paragraph(format!("{what}：{why}")));
        return;
    }
    if p.due == 0 {
        s.blocks.push(Block::Paragraph(format!(
            "{}没有{verb}的{what}。",
            m.span.this()
        )));
        return;
    }
    s.blocks.push(Block::Paragraph(format!(
        "{}{verb}的{what} {} 项：按期完成 {} 项、逾期完成 {} 项、至{}未完成 {} 项，按期完成率 {}。",
        m.span.this(),
        p.due,
        p.on_time,
        p.late,
        m.span.end(),
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
pub(super) fn operations(m: &ReportInputs) -> Section {
    use crate::tables::Table as T;
    let mut s = section("运维服务", Some("运维服务"));
    let f = m.faults;
    if let Some(why) = m.missing(T::Faults) {
        s.blocks.push(Block::Paragraph(format!("故障报修：{why}")));
    } else if f.total == 0 {
        s.blocks.push(Block::Paragraph(format!(
            "{}未发生故障报修。",
            m.span.this()
        )));
    } else {
        s.blocks.push(Block::Paragraph(format!(
            "{}报修故障 {} 起，其中{}；按原因：{}；按区：{}。",
            m.span.this(),
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
        s.blocks.push(placed(
            table("各区故障数".into(), &["区", "故障数"], rows),
            Place::Workbook,
        ));
        s.blocks.push(Block::Chart(Chart::Bars {
            caption: "各区故障数".into(),
            axis: "故障数（起）".into(),
            bars: f
                .by_district
                .iter()
                .map(|(k, n)| chart::Bar {
                    label: k.clone(),
                    value: *n as f64,
                    text: n.to_string(),
                })
                .collect(),
        }));
    }
    let rows = indicator_rows(
        &m.schemes,
        &[T::Faults, T::Complaints, T::PhoneChecks, T::Surveys],
    );
    if !rows.is_empty() {
        s.blocks
            .push(indicator_table("运维与服务指标".into(), m.span, rows));
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
pub(super) fn performance(m: &ReportInputs) -> Section {
    use crate::tables::Table as T;
    let mut s = section("网络性能", Some("网络性能"));
    let rows = indicator_rows(&m.schemes, &[T::Samples, T::Outages, T::Kpi5g]);
    if rows.is_empty() {
        s.blocks
            .push(Block::Paragraph("评估方案没有网络性能类指标。".into()));
    } else {
        s.blocks
            .push(indicator_table("网络性能指标".into(), m.span, rows));
    }
    for x in &m.schemes {
        if let Some(b) = district_table(x) {
            s.blocks.push(b);
        }
    }
    push_daily(&mut s, m);
    push_worst(&mut s, m);
    push_utilisation(&mut s, m);
    s
}

/// Bandwidth utilisation: a sentence, the 10 most used lines, every line in Excel.
fn push_utilisation(s: &mut Section, m: &ReportInputs) {
    use crate::score::utilisation::{HIGH_PCT, LOW_PCT};
    if m.missing(crate::tables::Table::Samples).is_some() {
        return;
    }
    let u = m.utilisation;
    let Some(top) = u.lines.first() else {
        s.blocks.push(Block::Paragraph(format!(
            "{}性能采样没有出入流量（入/出速率），或台账没有线路带宽，未计算带宽利用率。",
            m.span.this()
        )));
        return;
    };
    s.blocks.push(Block::Paragraph(format!(
        "{} {} 条线路的带宽利用率（{} ÷ 台账带宽）：高于 {HIGH_PCT}% 的 {} 条，低于 {LOW_PCT}% 的 {} 条；最高为 {}（{:.2}%）。",
        m.span.this(),
        u.lines.len(),
        match m.span {
            super::inputs::Span::Month => "95 百分位速率",
            _ => "各月 95 百分位速率中最高者",
        },
        u.high(),
        u.low(),
        top.line_id,
        top.pct
    )));
    let row = |l: &crate::score::utilisation::LineUse| {
        let style = if l.pct > HIGH_PCT {
            RowStyle::Bad
        } else if l.pct < LOW_PCT {
            RowStyle::Warn
        } else {
            RowStyle::Normal
        };
        (
            style,
            vec![
                l.line_id.clone().into(),
                l.district.clone().unwrap_or_default().into(),
                Cell::Number(l.bandwidth_mbps, 0),
                Cell::Number(l.p95_mbps, 2),
                Cell::Number(l.pct, 2),
                l.month.clone().into(),
            ],
        )
    };
    let headers = [
        "线路编号",
        "区",
        "带宽(Mbps)",
        "95百分位速率(Mbps)",
        "利用率(%)",
        "月份",
    ];
    let shown = u.lines.len().min(10);
    s.blocks.push(placed(
        table(
            format!("带宽利用率最高的 {shown} 条线路"),
            &headers,
            u.lines.iter().take(10).map(row).collect(),
        ),
        Place::Document,
    ));
    s.blocks.push(placed(
        table(
            "各线路带宽利用率".into(),
            &headers,
            u.lines.iter().map(row).collect(),
        ),
        Place::Workbook,
    ));
}

/// The 10 lines of lowest availability (red when below an availability target).
fn push_worst(s: &mut Section, m: &ReportInputs) {
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
fn district_table(x: &SchemePeriod) -> Option<Block> {
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
fn push_daily(s: &mut Section, m: &ReportInputs) {
    if let Some(why) = m.missing(crate::tables::Table::Samples) {
        s.blocks
            .push(Block::Paragraph(format!("逐日可用率和时延：{why}")));
        return;
    }
    if m.daily.is_empty() {
        s.blocks.push(Block::Paragraph(format!(
            "{}没有性能采样数据，未绘制逐日可用率和时延图。",
            m.span.this()
        )));
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
