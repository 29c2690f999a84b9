//! `gwq report monthly` on a demo workspace: the Word report's chapters in order with
//! tables and pictures, the workbook's sheets, and the JSON's scores equal to
//! `score --json` for the same month.

use crate::common::*;
use serde_json::Value;
use std::io::Read;

/// The text of a docx's body (document.xml).
fn document_xml(path: &std::path::Path) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

#[test]
fn monthly_report_has_every_chapter_and_the_scores_of_score() {
    let dir = tempfile::tempdir().unwrap();
    small_demo(dir.path(), false);
    let report = json(dir.path(), &["report", "monthly", "--month", "2025-08"]);
    assert_eq!(report["kind"], "monthly");
    assert_eq!(report["period"], "2025-08");
    assert!(report["ledger"].is_null());
    let score = json(dir.path(), &["score", "--month", "2025-08"]);
    let scores = report["scores"].as_array().unwrap();
    let results = score["results"].as_array().unwrap();
    assert_eq!(scores.len(), results.len());
    for (a, b) in scores.iter().zip(results) {
        for key in ["scheme", "status", "total", "grade", "payment_adjust_pct"] {
            assert_eq!(a[key], b[key], "{key}");
        }
        let values = |s: &Value| -> Vec<Value> {
            s["indicators"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["value"].clone())
                .collect()
        };
        assert_eq!(values(a), values(b));
    }
    // The trend: each indicator over July and August.
    let trend = report["trend"].as_array().unwrap();
    assert!(!trend.is_empty());
    let periods: Vec<&str> = trend[0]["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["period"].as_str().unwrap())
        .collect();
    assert_eq!(periods, ["2025-07", "2025-08"]);
    // Later in the service year (from 2025-07-01), the trend runs from its first month.
    let september = json(dir.path(), &["report", "monthly", "--month", "2025-09"]);
    let periods: Vec<&str> = september["trend"][0]["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["period"].as_str().unwrap())
        .collect();
    assert_eq!(periods, ["2025-07", "2025-08", "2025-09"]);

    let out = dir.path().join("reports/2025-08");
    let xml = document_xml(&out.join("monthly-2025-08.docx"));
    let chapters = [
        "编制说明",
        "一、总体情况",
        "二、网络建设",
        "三、运维服务",
        "四、网络性能",
        "五、网络安全",
        "六、数据稽核",
        "七、问题整改",
        "八、分析与建议",
        "附件",
    ];
    let mut at = 0;
    for c in chapters {
        // Past the contents page: each heading's second occurrence is the chapter.
        let first = xml[at..].find(c).unwrap_or_else(|| panic!("{c} missing"));
        at += first + c.len();
    }
    let body_start = xml.rfind("编制说明").unwrap();
    let mut last = body_start;
    for c in &chapters[1..] {
        let pos = xml.rfind(c).unwrap();
        assert!(pos > last, "{c} out of order");
        last = pos;
    }
    assert!(xml.contains("<w:tbl>"), "tables");
    assert!(xml.contains("<pic:pic"), "the daily charts as pictures");
    assert!(xml.contains("逐日可用率"));
    assert!(xml.contains("可用率最低的 10 条线路"), "the worst lines");
    let total = scores[0]["total"].as_f64().unwrap();
    assert!(
        xml.contains(&format!("总分 {total:.2}")),
        "the total in the summary"
    );

    let book: calamine::Xlsx<_> =
        calamine::open_workbook(out.join("monthly-2025-08.xlsx")).unwrap();
    let names = calamine::Reader::sheet_names(&book);
    // The same inputs give the same bytes (SPEC §13).
    let again = dir.path().join("again");
    gwq()
        .arg("-w")
        .arg(dir.path())
        .args(["report", "monthly", "--month", "2025-08", "-o"])
        .arg(&again)
        .assert()
        .success();
    for name in [
        "monthly-2025-08.docx",
        "monthly-2025-08.xlsx",
        "monthly-2025-08.json",
    ] {
        let a = std::fs::read(out.join(name)).unwrap();
        let b = std::fs::read(again.join(name)).unwrap();
        assert!(a == b, "{name} differs between two runs");
    }
    for sheet in [
        "编制说明",
        "总体情况",
        "运维服务",
        "网络性能",
        "数据稽核",
        "分析与建议",
    ] {
        assert!(
            names.iter().any(|n| n.starts_with(sheet)),
            "{sheet} in {names:?}"
        );
    }
}

#[test]
fn chapters_without_a_source_say_so() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("s.csv"),
        "采集时间,线路编号,平均时延\r\n2025-08-01 00:00,L1,10\r\n2025-08-01 00:05,L1,\r\n",
    );
    write(
        &dir.path().join("inv.csv"),
        "线路编号,接入方式,所属区\nL1,光纤,浦东新区\n",
    );
    write(
        &dir.path().join("s.yaml"),
        "scheme: 测试方案\ntotal_points: 10\naccess_type: fiber\ngrades: [{ min: 0, name: 合格 }]\ndimensions:\n  - id: d\n    name: 维度\n    indicators:\n      - { id: A, name: 可用率, measure: availability, source: samples, target: \">= 99\", points: 10, scoring: { rule: threshold } }\n",
    );
    workspace(
        dir.path(),
        "  samples: s.csv\n  inventory: inv.csv\nschemes:\n  t: s.yaml\n",
    );
    let report = json(dir.path(), &["report", "monthly", "--month", "2025-08"]);
    // One sample up of two: 50 % against >= 99, R1 names it.
    assert_eq!(report["scores"][0]["indicators"][0]["value"], 50.0);
    assert_eq!(report["suggestions"][0]["rule"], "R1");
    let xml = document_xml(&dir.path().join("reports/2025-08/monthly-2025-08.docx"));
    for said in [
        "故障报修：无数据：gwq.yaml 未配置故障工单数据源。",
        "无数据：gwq.yaml 未配置安全问题数据源。",
        "机房巡检：无数据：gwq.yaml 未配置机房巡检数据源。",
    ] {
        assert!(xml.contains(said), "{said}");
    }
    assert!(
        !xml.contains("本月未发生故障报修"),
        "not claimed without a source"
    );
}
