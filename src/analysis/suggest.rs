//! 优化建议 (SPEC §14): the rules R1–R6 over a report's results, each suggestion
//! naming its rule and the indicators, groups, lines or problems behind it. No
//! sentence is fixed prose: every one is made from the figures that triggered it.

use super::trend::MonthResult;
use crate::score::{IndicatorResult, ScoreResult};
use serde::Serialize;

/// One suggestion of the 优化建议 chapter (SPEC §14 JSON `suggestions`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    pub rule: &'static str,
    pub level: &'static str,
    pub text: String,
    /// The indicators, groups, lines or problems behind it.
    pub refs: Vec<String>,
}

/// What the rules read. `months` are one scheme's monthly results, oldest first, the
/// last being the report's period.
pub struct SuggestInput<'a> {
    pub months: &'a [MonthResult],
    /// The report period's result with groups (`--by district`), for R1.
    pub by_group: Option<&'a ScoreResult>,
    /// Lines with at least 3 faults in the 90 days to the period's end (R3).
    pub repeat_fault_lines: &'a [(String, u64)],
    /// Ledger problems past their deadline: (id, description, days late) (R4).
    pub overdue: &'a [(String, String, i64)],
    /// Lines whose sample coverage is below `min_coverage` (R6).
    pub low_coverage: &'a [(String, f64)],
    pub min_coverage: f64,
}

/// Every suggestion the rules make, R1 to R6 in order.
pub fn suggestions(input: &SuggestInput) -> Vec<Suggestion> {
    let mut out = Vec::new();
    if let Some(now) = input.months.last() {
        for (i, ind) in now.result.indicators.iter().enumerate() {
            if ind.met == Some(false) {
                out.push(r1(ind, input.by_group));
                if let Some(s) = r2(input.months, i) {
                    out.push(s);
                }
            }
        }
        for i in 0..now.result.indicators.len() {
            if let Some(s) = r5(input.months, i) {
                out.push(s);
            }
        }
    }
    for (line, n) in input.repeat_fault_lines {
        out.push(Suggestion {
            rule: "R3",
            level: "根因分析",
            text: format!("R3：线路 {line} 近 90 天发生故障 {n} 次（≥ 3 次），请服务商开展根因分析并提交报告。"),
            refs: vec![line.clone()],
        });
    }
    for (id, what, days) in input.overdue {
        out.push(Suggestion {
            rule: "R4",
            level: "督办",
            text: format!("R4：问题 {id}（{what}）已超过整改期限 {days} 天，请督办。"),
            refs: vec![id.clone()],
        });
    }
    if let Some(s) = r6(input.low_coverage, input.min_coverage) {
        out.push(s);
    }
    out
}

fn value_text(v: Option<f64>, unit: &Option<String>) -> String {
    v.map_or("无数据".to_string(), |v| {
        format!("{v:.2}{}", unit.as_deref().unwrap_or(""))
    })
}

/// R1: an indicator not met → 整改, naming the groups furthest on the wrong side.
fn r1(ind: &IndicatorResult, by_group: Option<&ScoreResult>) -> Suggestion {
    let mut text = format!(
        "R1：{} {} 本期 {}，未达到目标 {}，请服务商整改。",
        ind.id,
        ind.name,
        value_text(ind.value, &ind.unit),
        ind.target
    );
    let mut refs = vec![ind.id.clone()];
    let mut worst: Vec<(String, f64)> = by_group
        .into_iter()
        .flat_map(|r| &r.groups)
        .filter_map(|g| {
            let gi = g.indicators.iter().find(|x| x.id == ind.id)?;
            (gi.met == Some(false)).then_some((g.key.clone(), gi.value?))
        })
        .collect();
    // Furthest from the target first: the groups that pull the indicator down most.
    let target = ind.target.parse::<crate::scheme::scoring::Target>().ok();
    if let Some(t) = target {
        worst.sort_by(|a, b| {
            let gap = |v: f64| (v - t.value).abs();
            gap(b.1).total_cmp(&gap(a.1)).then(a.0.cmp(&b.0))
        });
    }
    // Groups that all carry the overall value were not split (the indicator's rows
    // have no district): they pull nothing down.
    if worst.iter().all(|(_, v)| Some(*v) == ind.value) {
        worst.clear();
    }
    worst.truncate(3);
    if !worst.is_empty() {
        let named: Vec<String> = worst
            .iter()
            .map(|(k, v)| format!("{k}（{v:.2}）"))
            .collect();
        text.push_str(&format!("拉低较多的是：{}。", named.join("、")));
        refs.extend(worst.into_iter().map(|(k, _)| k));
    }
    Suggestion {
        rule: "R1",
        level: "整改",
        text,
        refs,
    }
}

/// The indicator's result `back` months before the last, if that month is whole.
fn at(months: &[MonthResult], back: usize, i: usize) -> Option<&IndicatorResult> {
    let m = months.get(months.len().checked_sub(back + 1)?)?;
    (m.whole() || back == 0).then(|| &m.result.indicators[i])
}

/// R2: not met this period and the one before → 预警.
fn r2(months: &[MonthResult], i: usize) -> Option<Suggestion> {
    let (now, before) = (at(months, 0, i)?, at(months, 1, i)?);
    (before.met == Some(false)).then(|| Suggestion {
        rule: "R2",
        level: "预警",
        text: format!(
            "R2：{} {} 连续两期未达标（上期 {}，本期 {}），予以预警。",
            now.id,
            now.name,
            value_text(before.value, &before.unit),
            value_text(now.value, &now.unit)
        ),
        refs: vec![now.id.clone()],
    })
}

/// R5: met this period, but worse in each of the last three periods (four whole
/// months of values, each worse than the one before in the target's direction).
fn r5(months: &[MonthResult], i: usize) -> Option<Suggestion> {
    let now = at(months, 0, i)?;
    if now.met != Some(true) {
        return None;
    }
    let t = now.target.parse::<crate::scheme::scoring::Target>().ok()?;
    let values: Vec<f64> = (0..4)
        .rev()
        .map(|back| at(months, back, i).and_then(|r| r.value))
        .collect::<Option<_>>()?;
    let worse = |a: f64, b: f64| if t.higher_is_better() { b < a } else { b > a };
    let declining = values.windows(2).all(|w| worse(w[0], w[1]));
    let shown: Vec<String> = values.iter().map(|v| format!("{v:.2}")).collect();
    declining.then(|| Suggestion {
        rule: "R5",
        level: "关注",
        text: format!(
            "R5：{} {} 虽达标，但连续三期变差（{}），请关注。",
            now.id,
            now.name,
            shown.join(" → ")
        ),
        refs: vec![now.id.clone()],
    })
}

/// R6: lines below the coverage floor → 数据报送整改.
fn r6(low: &[(String, f64)], min_coverage: f64) -> Option<Suggestion> {
    if low.is_empty() {
        return None;
    }
    let shown: Vec<String> = low
        .iter()
        .take(10)
        .map(|(l, p)| format!("{l}（{p:.2}%）"))
        .collect();
    let more = match low.len() {
        n if n > 10 => format!("等 {n} 条线路"),
        _ => String::new(),
    };
    Some(Suggestion {
        rule: "R6",
        level: "数据报送整改",
        text: format!(
            "R6：{}{more}的采集覆盖率低于 {min_coverage}%，请服务商整改性能数据报送。",
            shown.join("、")
        ),
        refs: low.iter().map(|(l, _)| l.clone()).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::period::Period;
    use crate::score::{GroupResult, Status, TotalStatus};

    fn ind(id: &str, target: &str, value: Option<f64>) -> IndicatorResult {
        let t: crate::scheme::scoring::Target = target.parse().unwrap();
        IndicatorResult {
            id: id.into(),
            name: format!("{id}名"),
            dimension: "d".into(),
            value,
            unit: Some("%".into()),
            target: t.to_string(),
            met: value.map(|v| t.is_met(v)),
            points: 10.0,
            score: value.map(|_| 10.0),
            status: Status::Ok,
            reason: None,
            rows: 1,
        }
    }

    fn month(label: &str, indicators: Vec<IndicatorResult>, whole: bool) -> MonthResult {
        let period: Period = label.parse().unwrap();
        MonthResult {
            result: ScoreResult {
                scheme: "s".into(),
                period: label.into(),
                start: period.start.to_string(),
                end: period.end.to_string(),
                status: TotalStatus::Ok,
                total: Some(90.0),
                grade: None,
                payment_adjust_pct: None,
                scored_points_pct: 100.0,
                min_scored_pct: 60.0,
                dimensions: vec![],
                indicators,
                missing_indicators: vec![],
                groups: vec![],
                data_quality: Default::default(),
                inputs: vec![],
                gwq_version: String::new(),
            },
            cut_off: (!whole).then_some(period.end),
            month: period,
        }
    }

    fn input<'a>(months: &'a [MonthResult], by: Option<&'a ScoreResult>) -> SuggestInput<'a> {
        SuggestInput {
            months,
            by_group: by,
            repeat_fault_lines: &[],
            overdue: &[],
            low_coverage: &[],
            min_coverage: 95.0,
        }
    }

    #[test]
    fn r1_names_the_groups_furthest_below_and_r2_warns_on_two_in_a_row() {
        let months = [
            month("2025-07", vec![ind("A", ">= 99", Some(98.0))], true),
            month("2025-08", vec![ind("A", ">= 99", Some(98.5))], true),
        ];
        let mut by = months[1].result.clone();
        for (key, v) in [("浦东新区", 97.0), ("黄浦区", 99.5), ("徐汇区", 98.0)] {
            by.groups.push(GroupResult {
                by: "district".into(),
                key: key.into(),
                status: TotalStatus::Ok,
                total: Some(80.0),
                indicators: vec![ind("A", ">= 99", Some(v))],
            });
        }
        let s = suggestions(&input(&months, Some(&by)));
        let rules: Vec<&str> = s.iter().map(|x| x.rule).collect();
        assert_eq!(rules, ["R1", "R2"]);
        assert_eq!(s[0].refs, ["A", "浦东新区", "徐汇区"]);
        assert!(
            s[0].text.contains("本期 98.50%") && s[0].text.contains("浦东新区（97.00）"),
            "{}",
            s[0].text
        );
        assert!(
            s[1].text.contains("上期 98.00%，本期 98.50%"),
            "{}",
            s[1].text
        );
    }

    #[test]
    fn r2_needs_the_previous_month_whole_and_failed() {
        let months = [
            month("2025-07", vec![ind("A", ">= 99", Some(99.5))], true),
            month("2025-08", vec![ind("A", ">= 99", Some(98.0))], true),
        ];
        let rules: Vec<&str> = suggestions(&input(&months, None))
            .iter()
            .map(|x| x.rule)
            .collect();
        assert_eq!(rules, ["R1"]);
    }

    #[test]
    fn r5_flags_three_declines_in_a_row_while_still_met() {
        // Latency (lower is better): 10 → 12 → 14 → 15 all within <= 20: three declines.
        let lat = |v: f64| vec![ind("L", "<= 20", Some(v))];
        let months = [
            month("2025-05", lat(10.0), true),
            month("2025-06", lat(12.0), true),
            month("2025-07", lat(14.0), true),
            month("2025-08", lat(15.0), true),
        ];
        let s = suggestions(&input(&months, None));
        assert_eq!(s.len(), 1);
        assert_eq!((s[0].rule, s[0].level), ("R5", "关注"));
        assert!(
            s[0].text.contains("10.00 → 12.00 → 14.00 → 15.00"),
            "{}",
            s[0].text
        );
        // One improvement among them, or a month not whole: no R5.
        let mixed = [
            month("2025-05", lat(10.0), true),
            month("2025-06", lat(9.0), true),
            month("2025-07", lat(14.0), true),
            month("2025-08", lat(15.0), true),
        ];
        assert!(suggestions(&input(&mixed, None)).is_empty());
        let mut partial = months.clone();
        partial[2].cut_off = Some(partial[2].month.end);
        assert!(suggestions(&input(&partial, None)).is_empty());
    }

    #[test]
    fn r3_r4_r6_name_their_lines_and_problems() {
        let months = [month("2025-08", vec![ind("A", ">= 99", Some(99.5))], true)];
        let repeat = [("SH-PD-0001".to_string(), 4)];
        let overdue = [("P-0003".to_string(), "时延超标".to_string(), 12)];
        let low = [("SH-HP-0002".to_string(), 80.5)];
        let s = suggestions(&SuggestInput {
            repeat_fault_lines: &repeat,
            overdue: &overdue,
            low_coverage: &low,
            ..input(&months, None)
        });
        let got: Vec<(&str, &str, Vec<String>)> = s
            .iter()
            .map(|x| (x.rule, x.level, x.refs.clone()))
            .collect();
        assert_eq!(
            got,
            [
                ("R3", "根因分析", vec!["SH-PD-0001".to_string()]),
                ("R4", "督办", vec!["P-0003".to_string()]),
                ("R6", "数据报送整改", vec!["SH-HP-0002".to_string()]),
            ]
        );
        assert!(s[0].text.contains("故障 4 次"));
        assert!(s[1].text.contains("12 天"));
        assert!(s[2].text.contains("SH-HP-0002（80.50%）") && s[2].text.contains("95%"));
    }
}
