//! `gwq reconcile` (SPEC §18) end to end: hand-made provider figures on a Windows
//! export (BOM, CRLF, title row), and the demo's planted overstatements.

use crate::common::*;
use serde_json::Value;

/// July: L1 has 4 samples, 3 up (availability 75 %), latency 3, 3, 5, 5 (mean 4 ms).
fn workspace_with_figures(dir: &std::path::Path) {
    write(
        &dir.join("s.csv"),
        "采集时间,线路编号,时延(ms),丢包率(%),可达\n2025-07-01 00:00,L1,3,0,是\n2025-07-01 00:05,L1,3,100,否\n2025-07-01 00:10,L1,5,0,是\n2025-07-01 00:15,L1,5,0,是\n",
    );
    write(
        &dir.join("inv.csv"),
        "线路编号,接入方式,开通日期\nL1,光纤,2020-01-01\n",
    );
    write(
        &dir.join("s.yaml"),
        "scheme: 测试\ntotal_points: 20\naccess_type: fiber\ngrades: [{ min: 0, name: 合格 }]\ndimensions:\n  - id: d\n    name: 维度\n    indicators:\n      - { id: A, name: 可用率, measure: availability, source: samples, target: \">= 99\", unit: \"%\", points: 10, scoring: { rule: threshold } }\n      - { id: LAT, name: 平均时延, measure: mean, column: latency_ms, source: samples, target: \"<= 20\", unit: ms, points: 10, scoring: { rule: threshold } }\n",
    );
    // Row 1 the title, row 2 the header; rows 3–9 the figures.
    let kpis = "服务商自报指标（2025年三季度）\r\n统计周期,指标名称,自报值,接入方式\r\n2025年7月,可用率,75.5,光纤\r\n2025-07,A,74.99,\r\n2025-07,平均时延,4.1,\r\n2025-07,LAT,4.02,\r\n2025-07,满意度,90,\r\n2025-08,A,99.9,\r\n2025年第3季度,A,99,\r\n";
    write(
        &dir.join("kpi.csv"),
        [&b"\xEF\xBB\xBF"[..], kpis.as_bytes()].concat(),
    );
    workspace(
        dir,
        "  samples: s.csv\n  inventory: inv.csv\n  provider_kpis: kpi.csv\nschemes:\n  t: s.yaml\n",
    );
}

fn codes(r: &Value) -> Vec<(u64, String, String)> {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["row"].as_u64().unwrap(),
                f["code"].as_str().unwrap().to_string(),
                f["indicator"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn hand_made_figures_are_classified_and_located() {
    let dir = tempfile::tempdir().unwrap();
    workspace_with_figures(dir.path());
    let july = json(dir.path(), &["reconcile", "--month", "2025-07"]);
    assert_eq!(july["period"], "2025-07");
    let s = |c: &str| c.to_string();
    assert_eq!(
        codes(&july),
        vec![
            // 75.5 against 75: 0.5 better than measured, beyond 0.01.
            (3, s("overstated"), s("A")),
            // 4.1 ms against 4 ms: worse by 0.1, beyond 0.5 % of 4 = 0.02.
            (5, s("understated"), s("LAT")),
            (7, s("unknown_indicator"), s("满意度")),
        ]
    );
    let f = &july["findings"][0];
    assert_eq!(f["severity"], "error");
    assert_eq!(f["stated"], 75.5);
    assert_eq!(f["computed"], 75.0);
    assert_eq!(f["difference"], 0.5);
    assert_eq!(f["tolerance"], 0.01);
    assert_eq!(july["findings"][1]["severity"], "warning");
    assert_eq!(july["findings"][1]["tolerance"], 0.02);
    // 74.99 (0.01 worse) and 4.02 ms (0.02 worse) are within the tolerance.
    let agreed: Vec<(&str, f64)> = july["agreed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["indicator"].as_str().unwrap(),
                a["stated"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(agreed, vec![("A", 74.99), ("LAT", 4.02)]);
    // The quarter holds the months' rows and its own: August has no samples; the
    // quarter has July's (75 %), so its stated 99 % is overstated.
    let q = json(dir.path(), &["reconcile", "--quarter", "2025Q3"]);
    let rows: Vec<(u64, String)> = codes(&q).into_iter().map(|(r, c, _)| (r, c)).collect();
    assert_eq!(
        rows,
        vec![
            (3, s("overstated")),
            (5, s("understated")),
            (7, s("unknown_indicator")),
            (8, s("not_computable")),
            (9, s("overstated")),
        ]
    );
    assert!(q["findings"][3]["computed"].is_null());
    assert!(dir
        .path()
        .join("reports/2025Q3/reconcile-2025Q3.xlsx")
        .exists());
}

#[test]
fn the_demo_overstatements_are_found_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    small_demo(dir.path(), true);
    let truth: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("demo-truth.json")).unwrap())
            .unwrap();
    let planted: Vec<(u64, String, String)> = truth["provider_kpis"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["row"].as_u64().unwrap(),
                "overstated".to_string(),
                p["indicator"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(planted.len(), 2);
    let r = json(dir.path(), &["reconcile", "--quarter", "2025Q3"]);
    assert_eq!(codes(&r), planted);
    // 3 months and the quarter, 5 figures each.
    assert_eq!(r["agreed"].as_array().unwrap().len(), 18);
    // The monthly report carries the chapter and the JSON the result.
    let out = dir.path().join("out");
    gwq()
        .arg("-w")
        .arg(dir.path())
        .args(["-o"])
        .arg(&out)
        .args(["report", "monthly", "--month", "2025-07"])
        .assert()
        .success();
    let xml = crate::report::document_xml(&out.join("monthly-2025-07.docx"));
    assert!(xml.contains("自报数据核验"));
    let report: Value =
        serde_json::from_slice(&std::fs::read(out.join("monthly-2025-07.json")).unwrap()).unwrap();
    assert_eq!(codes(&report["reconciliation"]), planted[..1].to_vec());
}
