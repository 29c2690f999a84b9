//! `gwq replay` (SPEC §17): a tightened target moves one month's grade and payment;
//! the unchanged scheme gives every difference 0.

use crate::common::*;

/// July: L1 up 3 samples of 4 (75 %); August: up 4 of 4 (100 %).
fn two_months(dir: &std::path::Path) {
    write(
        &dir.join("s.csv"),
        "采集时间,线路编号,时延(ms),可达\n2025-07-01 00:00,L1,3,是\n2025-07-01 00:05,L1,3,否\n2025-07-01 00:10,L1,5,是\n2025-07-01 00:15,L1,5,是\n2025-08-01 00:00,L1,3,是\n2025-08-01 00:05,L1,3,是\n2025-08-01 00:10,L1,3,是\n2025-08-01 00:15,L1,3,是\n",
    );
    write(
        &dir.join("inv.csv"),
        "线路编号,接入方式,开通日期\nL1,光纤,2020-01-01\n",
    );
    write(&dir.join("s.yaml"), scheme("现行", ">= 70"));
    workspace(
        dir,
        "  samples: s.csv\n  inventory: inv.csv\nschemes:\n  fiber: s.yaml\n",
    );
}

/// Availability (10 points, threshold) and mean latency (10 points, ≤ 20 ms, met in
/// both months); 合格 from 15 points with no adjustment, else −5 %.
fn scheme(name: &str, target: &str) -> String {
    format!(
        "scheme: {name}\ntotal_points: 20\naccess_type: fiber\ngrades: [{{ min: 15, name: 合格 }}, {{ min: 0, name: 不合格 }}]\npayment: [{{ min: 15, adjust_pct: 0 }}, {{ min: 0, adjust_pct: -5 }}]\ndimensions:\n  - id: d\n    name: 维度\n    indicators:\n      - {{ id: A, name: 可用率, measure: availability, source: samples, target: \"{target}\", unit: \"%\", points: 10, scoring: {{ rule: threshold }} }}\n      - {{ id: LAT, name: 平均时延, measure: mean, column: latency_ms, source: samples, target: \"<= 20\", unit: ms, points: 10, scoring: {{ rule: threshold }} }}\n"
    )
}

#[test]
fn a_tightened_target_moves_one_month() {
    let dir = tempfile::tempdir().unwrap();
    two_months(dir.path());
    // 75 % meets ">= 70" but not ">= 80": July falls from 20 (合格, 0 %) to 10 (不合格,
    // −5 %); August (100 %) meets both.
    write(&dir.path().join("new.yaml"), scheme("修订", ">= 80"));
    let new = dir.path().join("new.yaml");
    let r = json(
        dir.path(),
        &[
            "replay",
            "--scheme-file",
            new.to_str().unwrap(),
            "--period",
            "2025-07-01..2025-08-31",
        ],
    );
    assert_eq!(r["scheme"], "现行");
    assert_eq!(r["proposed"], "修订");
    let periods = r["periods"].as_array().unwrap();
    assert_eq!(periods.len(), 2);
    let july = &periods[0];
    assert_eq!(july["period"], "2025-07");
    assert_eq!(july["before"]["total"], 20.0);
    assert_eq!(july["before"]["grade"], "合格");
    assert_eq!(july["before"]["payment_adjust_pct"], 0.0);
    assert_eq!(july["after"]["total"], 10.0);
    assert_eq!(july["after"]["grade"], "不合格");
    assert_eq!(july["after"]["payment_adjust_pct"], -5.0);
    assert_eq!(july["total_diff"], -10.0);
    assert_eq!(july["payment_diff"], -5.0);
    assert_eq!(
        july["changed"],
        serde_json::json!([{"indicator": "A", "name": "可用率", "score_before": 10.0, "score_after": 0.0}])
    );
    let august = &periods[1];
    assert_eq!(august["period"], "2025-08");
    assert_eq!(august["total_diff"], 0.0);
    assert_eq!(august["payment_diff"], 0.0);
    assert_eq!(august["changed"], serde_json::json!([]));
    assert!(dir
        .path()
        .join("reports/2025-07-01_2025-08-31/replay-2025-07-01_2025-08-31.xlsx")
        .exists());
}

#[test]
fn the_unchanged_scheme_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    two_months(dir.path());
    let same = dir.path().join("s.yaml");
    let r = json(
        dir.path(),
        &[
            "replay",
            "--scheme-file",
            same.to_str().unwrap(),
            "--quarter",
            "2025Q3",
            "--every",
            "quarter",
        ],
    );
    let periods = r["periods"].as_array().unwrap();
    assert_eq!(periods.len(), 1);
    for p in periods {
        assert_eq!(p["total_diff"], 0.0);
        assert_eq!(p["payment_diff"], 0.0);
        assert_eq!(p["before"], p["after"]);
        assert_eq!(p["changed"], serde_json::json!([]));
    }
}
