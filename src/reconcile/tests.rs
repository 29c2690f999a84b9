//! The classification rules of SPEC §18 on hand-made figures.

use super::*;

/// Two schemes: fiber with availability (≥, %), latency (≤, ms) and a custom
/// tolerance; 5g with its own availability of the same name.
fn schemes() -> Vec<Scheme> {
    let head = |name: &str, access: &str, total: u32| {
        format!("scheme: {name}\naccess_type: {access}\ntotal_points: {total}\ngrades:\n  - {{ min: 0, name: 不合格 }}\ndimensions:\n  - id: d\n    name: 维度\n    indicators:\n")
    };
    let ind = |id: &str, name: &str, measure: &str, target: &str, unit: &str, extra: &str| {
        format!("      - id: {id}\n        name: {name}\n        measure: {measure}\n        source: samples\n        target: \"{target}\"\n        unit: \"{unit}\"\n        points: 10\n        scoring: {{ rule: linear, step: 1, deduct: 1 }}\n{extra}")
    };
    let fiber = head("光纤", "fiber", 30)
        + &ind("AVAIL", "网络可用率", "availability", ">= 99.9", "%", "")
        + &ind(
            "LAT",
            "平均时延",
            "mean\n        column: latency_ms",
            "<= 20",
            "ms",
            "",
        )
        + &ind(
            "LOSS",
            "丢包率",
            "mean\n        column: loss_pct",
            "<= 0.5",
            "‰",
            "        reconcile_tolerance: 0.2\n",
        );
    let five_g =
        head("5G", "5g", 10) + &ind("AVAIL5G", "网络可用率", "availability", ">= 99", "%", "");
    vec![
        Scheme::parse("fiber", "fiber.yaml", &fiber).unwrap_or_else(|e| panic!("{e}")),
        Scheme::parse("5g", "5g.yaml", &five_g).unwrap_or_else(|e| panic!("{e}")),
    ]
}

fn stated(row: u64, period: &str, indicator: &str, access: Option<&str>, value: f64) -> Stated {
    Stated {
        file: "data/自报/kpi.xlsx".into(),
        sheet: Some("Sheet1".into()),
        row: Some(row),
        period: period.into(),
        indicator: indicator.into(),
        access_type: access.map(str::to_string),
        value,
    }
}

/// gwq's values: AVAIL 99.95, LAT 10.0, LOSS 0.3 for 2025-08; nothing for 2025-09.
fn computed(_: &Scheme, ind: &Indicator, period: &str) -> Result<Option<f64>, ()> {
    Ok(match (ind.id.as_str(), period) {
        (_, "2025-09") => None,
        ("AVAIL", _) => Some(99.95),
        ("LAT", _) => Some(10.0),
        ("LOSS", _) => Some(0.3),
        ("AVAIL5G", _) => Some(98.0),
        _ => None,
    })
}

#[test]
fn each_figure_is_classified_as_spec_18_says() {
    let rows = vec![
        // % indicator, tolerance 0.01: 99.99 is 0.04 better → overstated.
        stated(2, "2025-08", "AVAIL", None, 99.99),
        // Exactly 0.01 better: within the tolerance (not "more than").
        stated(3, "2025-08", "网络可用率", Some("fiber"), 99.96),
        // 0.02 worse → understated.
        stated(4, "2025-08", "avail", None, 99.93),
        // Lower is better; tolerance 0.5 % of 10 = 0.05: 9.9 claims 0.1 better.
        stated(5, "2025-08", "平均时延", None, 9.9),
        // 10.05 is worse by exactly the tolerance: agreed.
        stated(6, "2025-08", "LAT", None, 10.05),
        // reconcile_tolerance 0.2: 0.15 is 0.15 better, agreed; 0.05 is 0.25 better.
        stated(7, "2025-08", "丢包率", None, 0.15),
        stated(8, "2025-08", "丢包率", None, 0.05),
        stated(9, "2025-08", "用户满意度", None, 98.0),
        stated(10, "2025-09", "AVAIL", None, 99.9),
        // The 5G row finds the 5G scheme's indicator of the same name.
        stated(11, "2025-08", "网络可用率", Some("5g"), 99.5),
    ];
    let period: Period = "2025Q3".parse().unwrap();
    let r = reconcile(&period, true, &rows, &schemes(), computed).unwrap();
    let codes: Vec<(Option<u64>, Code, &str)> = r
        .findings
        .iter()
        .map(|f| (f.row, f.code, f.indicator.as_str()))
        .collect();
    assert_eq!(
        codes,
        vec![
            (Some(2), Code::Overstated, "AVAIL"),
            (Some(4), Code::Understated, "AVAIL"),
            (Some(5), Code::Overstated, "LAT"),
            (Some(8), Code::Overstated, "LOSS"),
            (Some(9), Code::UnknownIndicator, "用户满意度"),
            (Some(10), Code::NotComputable, "AVAIL"),
            (Some(11), Code::Overstated, "AVAIL5G"),
        ]
    );
    let first = &r.findings[0];
    assert_eq!(first.severity, "error");
    assert_eq!(first.difference, Some(0.04));
    assert_eq!(first.tolerance, Some(0.01));
    assert_eq!(first.computed, Some(99.95));
    assert_eq!(r.findings[1].severity, "warning");
    assert_eq!(r.findings[1].difference, Some(-0.02));
    assert_eq!(r.findings[2].tolerance, Some(0.05));
    assert_eq!(r.findings[5].computed, None);
    let agreed: Vec<(&str, f64)> = r
        .agreed
        .iter()
        .map(|a| (a.indicator.as_str(), a.stated))
        .collect();
    assert_eq!(
        agreed,
        vec![("AVAIL", 99.96), ("LAT", 10.05), ("LOSS", 0.15)]
    );
    assert_eq!(r.agreed[0].difference, 0.01);
}

#[test]
fn an_exact_target_counts_nearer_as_better() {
    let text = "scheme: t\ntotal_points: 10\ngrades:\n  - { min: 0, name: 不合格 }\ndimensions:\n  - id: d\n    name: 维度\n    indicators:\n      - id: N\n        name: 数量\n        measure: count\n        source: faults\n        target: \"= 0\"\n        points: 10\n        scoring: { rule: linear, step: 1, deduct: 1 }\n";
    let s = Scheme::parse("t", "t.yaml", text).unwrap_or_else(|e| panic!("{e}"));
    let ind = s.indicators().next().unwrap();
    // Computed 4 faults, tolerance 0.5 % of 4 = 0.02: stating 0 is better (overstated),
    // 6 is worse, 4.01 agrees.
    assert_eq!(classify(ind, 0.0, 4.0), Some(Code::Overstated));
    assert_eq!(classify(ind, 6.0, 4.0), Some(Code::Understated));
    assert_eq!(classify(ind, 4.01, 4.0), None);
}
