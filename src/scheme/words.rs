//! An indicator in words, for the 评估方案 document (SPEC §15): its formula generated
//! from the measure's parameters (limits by severity, working days), its `where`
//! condition in plain Chinese when it is simple comparisons joined by AND (the raw
//! expression otherwise), its data source and its scoring rule.

use super::scoring::{Band, Rule};
use super::{Aggregate, Indicator, Limit, LimitRule, Measure, PercentileMethod, Stat};
use crate::ingest::values::format_number;
use crate::tables::{ColType, Table};

/// A column's Chinese name: its first alias (`severity` of faults → 故障等级).
pub fn column_name(table: Table, column: &str) -> String {
    table
        .def()
        .column(column)
        .and_then(|c| c.aliases.first())
        .map_or(column.to_string(), |a| a.to_string())
}

/// What happens at a time column: 报障时间 → 报障, 完成日期 → 完成.
fn event(table: Table, column: &str) -> String {
    let name = column_name(table, column);
    ["时间", "日期"]
        .iter()
        .find_map(|s| name.strip_suffix(s))
        .filter(|e| !e.is_empty())
        .map_or(name.clone(), str::to_string)
}

/// `15 分钟`, `4 小时`, `2 天`, `10 个工作日`.
pub fn limit_text(limit: &Limit) -> String {
    match limit {
        Limit::WorkingDays(n) => format!("{n} 个工作日"),
        Limit::Seconds(s) => {
            let s = *s;
            if s >= 86_400.0 && s % 86_400.0 == 0.0 {
                format!("{} 天", format_number(s / 86_400.0))
            } else if s >= 3_600.0 && s % 3_600.0 == 0.0 {
                format!("{} 小时", format_number(s / 3_600.0))
            } else if s >= 60.0 && s % 60.0 == 0.0 {
                format!("{} 分钟", format_number(s / 60.0))
            } else {
                format!("{} 秒", format_number(s))
            }
        }
    }
}

/// A value of `column` as people write it (`1` of a severity → 一级).
fn value_text(table: Table, column: &str, literal: &str) -> String {
    let level = table
        .def()
        .column(column)
        .is_some_and(|c| c.ty == ColType::Level);
    match (level, literal) {
        (true, "1") => "一级".into(),
        (true, "2") => "二级".into(),
        (true, "3") => "三级".into(),
        _ => literal.to_string(),
    }
}

/// `where`/`condition` in Chinese when every part is `column op literal`, a bare
/// yes/no column, `column IS [NOT] NULL` or `column IN (…)`; `None` otherwise.
pub fn condition_text(table: Table, expr: &str) -> Option<String> {
    let parts: Vec<&str> = split_and(expr);
    let texts: Option<Vec<String>> = parts.iter().map(|p| part_text(table, p.trim())).collect();
    texts.map(|t| t.join("且"))
}

/// Splits on AND (any case) outside quotes and parentheses.
fn split_and(expr: &str) -> Vec<&str> {
    let (mut out, mut start, mut depth, mut quoted) = (Vec::new(), 0, 0i32, false);
    let bytes = expr.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' => quoted = !quoted,
            b'(' if !quoted => depth += 1,
            b')' if !quoted => depth -= 1,
            _ if !quoted
                && depth == 0
                && i + 5 <= bytes.len()
                && bytes[i..i + 5].eq_ignore_ascii_case(b" and ") =>
            {
                out.push(&expr[start..i]);
                start = i + 5;
                i += 5;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out.push(&expr[start..]);
    out
}

fn is_column(table: Table, name: &str) -> bool {
    table.def().column(name).is_some()
}

fn part_text(table: Table, part: &str) -> Option<String> {
    let name = |c: &str| column_name(table, c);
    if is_column(table, part) {
        return Some(format!("{}为是", name(part)));
    }
    if let Some(c) = part
        .strip_prefix("NOT ")
        .or_else(|| part.strip_prefix("not "))
    {
        return is_column(table, c.trim()).then(|| format!("{}为否", name(c.trim())));
    }
    let upper = part.to_uppercase();
    for (suffix, words) in [(" IS NOT NULL", "已填写"), (" IS NULL", "为空")] {
        if let Some(c) = upper.strip_suffix(suffix) {
            let c = part[..c.len()].trim();
            return is_column(table, c).then(|| format!("{}{words}", name(c)));
        }
    }
    if let Some(at) = upper.find(" IN (") {
        let c = part[..at].trim();
        let list = part[at + 5..].trim().strip_suffix(')')?;
        let values: Vec<String> = list
            .split(',')
            .map(|v| value_text(table, c, v.trim().trim_matches('\'')))
            .collect();
        return is_column(table, c).then(|| format!("{}为{}", name(c), values.join("、")));
    }
    for (op, words) in [
        (">=", "不低于"),
        ("<=", "不超过"),
        ("!=", "不为"),
        ("<>", "不为"),
        ("=", "为"),
        (">", "高于"),
        ("<", "低于"),
    ] {
        if let Some((c, v)) = part.split_once(op) {
            let (c, v) = (c.trim(), v.trim());
            let literal = v.trim_matches('\'');
            let simple =
                (v.starts_with('\'') && v.ends_with('\'')) || literal.parse::<f64>().is_ok();
            if !is_column(table, c) || !simple {
                return None;
            }
            let shown = value_text(table, c, literal);
            let shown = if v.starts_with('\'') {
                format!("“{shown}”")
            } else {
                shown
            };
            return Some(format!("{}{words}{shown}", name(c)));
        }
    }
    None
}

/// The rows an indicator counts, in words: `统计期内的故障工单` with its condition.
fn rows_text(ind: &Indicator) -> String {
    let title = ind.source.def().title;
    match &ind.filter {
        None => title.to_string(),
        Some(f) => match condition_text(ind.source, f) {
            Some(t) => format!("{t}的{title}"),
            None => format!("{title}（筛选条件：{f}）"),
        },
    }
}

/// The formula of an indicator in words (SPEC §15).
pub fn formula(ind: &Indicator) -> String {
    let n = &ind.name;
    let t = ind.source;
    let col = |c: &str| column_name(t, c);
    let rows = rows_text(ind);
    match &ind.measure {
        Measure::Availability { from_outages: false, aggregate } => format!(
            "{n} = 可达的采样时段数 ÷ 有效采样时段数 × 100%（线路在网期间、计划内中断时段不计入分子和分母）{}",
            aggregate_text(*aggregate)
        ),
        Measure::Availability { from_outages: true, aggregate } => format!(
            "{n} = （1 − 非计划中断时长 ÷ （线路在网时长 − 计划内中断时长））× 100%，中断按统计期和线路在网日期截取{}",
            aggregate_text(*aggregate)
        ),
        Measure::Stat { stat, column } => {
            let what = match stat {
                Stat::Mean => "平均值",
                Stat::Max => "最大值",
                Stat::Min => "最小值",
                Stat::Sum => "合计",
            };
            format!("{n} = 统计期内{rows}的{}的{what}", col(column))
        }
        Measure::Percentile { column, p, method } => format!(
            "{n} = 统计期内{rows}的{}的第 {} 百分位数（{}）",
            col(column),
            format_number(*p),
            match method {
                PercentileMethod::Linear => "线性插值",
                PercentileMethod::NearestRank => "最近秩：从小到大第 ⌈p/100 × n⌉ 个",
            }
        ),
        Measure::Ratio { condition } => {
            let holds = condition_text(t, condition).unwrap_or_else(|| format!("满足“{condition}”"));
            format!("{n} = {holds}的记录数 ÷ 统计期内{rows}的记录数 × 100%")
        }
        Measure::OnTimeRate { start, end, limit } => format!(
            "{n} = 时限内{}的{rows}数 ÷ 统计期内{}的{rows}数 × 100%，{}；到统计期末仍未{}且已超过时限的计为超时",
            event(t, end),
            event(t, start),
            limit_rule_text(t, limit),
            event(t, end)
        ),
        Measure::MeanDuration { start, end } => format!(
            "{n} = Σ（{} − {}）÷ 两者均已填写的{rows}数，单位为小时",
            col(end),
            col(start)
        ),
        Measure::Count => format!("{n} = 统计期内{rows}的记录数"),
        Measure::CompletionRate { due, done } => format!(
            "{n} = {}不晚于{}的{rows}数 ÷ {}在统计期内的{rows}数 × 100%",
            col(done),
            col(due),
            col(due)
        ),
        Measure::Sql { expr } => format!("{n} 按表达式计算：{expr}"),
    }
}

fn aggregate_text(a: Aggregate) -> &'static str {
    match a {
        Aggregate::Pooled => "；全部线路的采样合并计算",
        Aggregate::MeanOfLines => "；各线路分别计算后取平均",
    }
}

fn limit_rule_text(table: Table, rule: &LimitRule) -> String {
    match rule {
        LimitRule::Fixed(l) => format!("时限为 {}", limit_text(l)),
        LimitRule::By { column, values } => {
            let parts: Vec<String> = values
                .iter()
                .map(|(k, l)| format!("{} {}", value_text(table, column, k), limit_text(l)))
                .collect();
            format!("时限按{}：{}", column_name(table, column), parts.join("、"))
        }
    }
}

/// The data source: `故障工单（faults）：报障时间、响应时间、故障等级`.
pub fn source_text(ind: &Indicator) -> String {
    let t = ind.source;
    let mut columns: Vec<String> = Vec::new();
    let mut add = |c: &str| {
        let name = column_name(t, c);
        if !columns.contains(&name) {
            columns.push(name);
        }
    };
    match &ind.measure {
        Measure::Availability {
            from_outages: false,
            ..
        } => ["time", "line_id", "reachable"].iter().for_each(|c| add(c)),
        Measure::Availability {
            from_outages: true, ..
        } => ["line_id", "start", "end", "planned"]
            .iter()
            .for_each(|c| add(c)),
        Measure::Stat { column, .. } | Measure::Percentile { column, .. } => add(column),
        Measure::OnTimeRate { start, end, limit } => {
            add(start);
            add(end);
            if let LimitRule::By { column, .. } = limit {
                add(column);
            }
        }
        Measure::MeanDuration { start, end } => {
            add(start);
            add(end);
        }
        Measure::CompletionRate { due, done } => {
            add(due);
            add(done);
        }
        Measure::Ratio { .. } | Measure::Count | Measure::Sql { .. } => add(&ind.time_column),
    }
    format!("{}（{}）：{}", t.def().title, t.name(), columns.join("、"))
}

/// The scoring rule in words.
pub fn rule_text(ind: &Indicator) -> String {
    let unit = ind.unit.as_deref().unwrap_or("");
    let points = format_number(ind.points);
    let mut text = match &ind.rule {
        Rule::Threshold => format!("达到目标得 {points} 分，未达到得 0 分"),
        Rule::Linear { step, deduct } => format!(
            "达到目标得 {points} 分；每差 {}{unit} 扣 {} 分（不足 {}{unit} 按 {}{unit} 计），扣完为止",
            format_number(*step),
            format_number(*deduct),
            format_number(*step),
            format_number(*step)
        ),
        Rule::Bands(bands) => {
            let parts: Vec<String> = bands
                .iter()
                .map(|b| match b {
                    Band::Min(min, p) => format!("≥ {} 得 {} 分", format_number(*min), format_number(*p)),
                    Band::Max(max, p) => format!("≤ {} 得 {} 分", format_number(*max), format_number(*p)),
                })
                .collect();
            format!("分档计分：{}，其余得 0 分", parts.join("；"))
        }
    };
    if let Some(cap) = ind.veto {
        text.push_str(&format!(
            "；一票否决：未达标时总分最高计 {} 分",
            format_number(cap)
        ));
    }
    text
}

#[cfg(test)]
mod tests;
