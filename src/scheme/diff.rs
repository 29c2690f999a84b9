//! 修订对照 (SPEC §15 `--diff OLD.yaml`): what changed between two versions of a
//! scheme, indicator by indicator and field by field, in the words of the document.

use super::words::{formula, rule_text, source_text};
use super::{Indicator, Scheme};
use crate::ingest::values::format_number;

/// One changed field.
#[derive(Debug, Clone, PartialEq)]
pub struct DiffRow {
    /// `OPS-RESP 故障响应及时率`, or 方案 for scheme-level fields.
    pub indicator: String,
    pub field: &'static str,
    pub before: String,
    pub after: String,
}

/// The fields of an indicator the document shows, with their labels.
fn fields(i: &Indicator) -> Vec<(&'static str, String)> {
    vec![
        ("名称", i.name.clone()),
        ("维度", i.dimension.clone()),
        ("计算方法", formula(i)),
        ("数据来源", source_text(i)),
        ("目标", i.target.to_string()),
        ("分值", format_number(i.points)),
        ("评分规则", rule_text(i)),
    ]
}

/// Every difference from `old` to `new`: scheme fields, then indicators in the new
/// scheme's order (changed or added), then removed ones.
pub fn diff(old: &Scheme, new: &Scheme) -> Vec<DiffRow> {
    let mut rows = Vec::new();
    let grades = |s: &Scheme| {
        s.grades
            .iter()
            .map(|(m, n)| format!("{n} ≥ {}", format_number(*m)))
            .collect::<Vec<_>>()
            .join("，")
    };
    let payment = |s: &Scheme| {
        s.payment
            .iter()
            .map(|(m, p)| format!("≥ {} → {}%", format_number(*m), format_number(*p)))
            .collect::<Vec<_>>()
            .join("，")
    };
    for (field, a, b) in [
        (
            "总分",
            format_number(old.total_points),
            format_number(new.total_points),
        ),
        ("等级", grades(old), grades(new)),
        ("奖惩", payment(old), payment(new)),
    ] {
        if a != b {
            rows.push(DiffRow {
                indicator: "方案".into(),
                field,
                before: a,
                after: b,
            });
        }
    }
    for i in new.indicators() {
        let label = format!("{} {}", i.id, i.name);
        match old.indicators().find(|o| o.id == i.id) {
            None => rows.push(DiffRow {
                indicator: label,
                field: "新增指标",
                before: String::new(),
                after: formula(i),
            }),
            Some(o) => {
                for ((field, a), (_, b)) in fields(o).into_iter().zip(fields(i)) {
                    if a != b {
                        rows.push(DiffRow {
                            indicator: label.clone(),
                            field,
                            before: a,
                            after: b,
                        });
                    }
                }
            }
        }
    }
    for o in old
        .indicators()
        .filter(|o| new.indicators().all(|i| i.id != o.id))
    {
        rows.push(DiffRow {
            indicator: format!("{} {}", o.id, o.name),
            field: "删除指标",
            before: formula(o),
            after: String::new(),
        });
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scheme(indicators: &str) -> Scheme {
        let text = format!(
            "scheme: 测试\ntotal_points: 20\ngrades:\n  - {{ min: 0, name: 合格 }}\ndimensions:\n  - id: d\n    name: 维度\n    indicators:\n{indicators}"
        );
        Scheme::parse("t", "t.yaml", &text).unwrap()
    }

    #[test]
    fn exactly_the_changed_fields() {
        let a = "      - { id: A, name: 可用率, measure: availability, source: samples, target: \">= 99.9\", points: 10, scoring: { rule: threshold } }\n";
        let b = "      - { id: B, name: 时延, measure: mean, source: samples, column: latency_ms, target: \"<= 10\", points: 10, scoring: { rule: threshold } }\n";
        let c = "      - { id: C, name: 故障数, measure: count, source: faults, target: \"<= 3\", points: 10, scoring: { rule: threshold } }\n";
        let old = scheme(&format!("{a}{b}"));
        // A's target and points move; B stays; C replaces nothing and is new; the total
        // points stay 20.
        let a2 = a
            .replace(">= 99.9", ">= 99.95")
            .replace("points: 10", "points: 5");
        let c2 = c.replace("points: 10", "points: 5");
        let new = scheme(&format!("{a2}{b}{c2}"));
        let rows: Vec<(String, &str, String, String)> = diff(&old, &new)
            .into_iter()
            .map(|r| (r.indicator, r.field, r.before, r.after))
            .collect();
        assert_eq!(
            rows,
            [
                (
                    "A 可用率".into(),
                    "目标",
                    ">= 99.9".into(),
                    ">= 99.95".into()
                ),
                ("A 可用率".into(), "分值", "10".into(), "5".into()),
                (
                    "A 可用率".into(),
                    "评分规则",
                    "达到目标得 10 分，未达到得 0 分".into(),
                    "达到目标得 5 分，未达到得 0 分".into()
                ),
                (
                    "C 故障数".into(),
                    "新增指标",
                    String::new(),
                    "故障数 = 统计期内故障工单的记录数".into()
                ),
            ]
        );
        let removed = diff(&new, &old);
        assert!(removed
            .iter()
            .any(|r| r.field == "删除指标" && r.indicator == "C 故障数"));
    }
}
