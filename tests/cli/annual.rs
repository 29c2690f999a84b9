//! `gwq report annual`: the chapters in order, the year's and each quarter's scores
//! equal to `score` for the same periods, 同比 "—" against a year without data, and
//! 方案修订建议 from the months computed by hand.

use crate::common::*;

#[test]
fn annual_report_chapters_and_scores() {
    let dir = tempfile::tempdir().unwrap();
    small_demo(dir.path(), false);
    // Without --year: the service period 2025-07-01..2025-09-30.
    let report = json(dir.path(), &["report", "annual"]);
    assert_eq!(report["kind"], "annual");
    assert_eq!(report["period"], "2025-07-01..2025-09-30");
    let score = json(dir.path(), &["score", "--period", "2025-07-01..2025-09-30"]);
    for (a, b) in report["scores"]
        .as_array()
        .unwrap()
        .iter()
        .zip(score["results"].as_array().unwrap())
    {
        for key in ["scheme", "status", "total", "grade", "payment_adjust_pct"] {
            assert_eq!(a[key], b[key], "{key}");
        }
        assert_eq!(a["indicators"], b["indicators"]);
    }
    let periods: Vec<&str> = report["trend"][0]["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["period"].as_str().unwrap())
        .collect();
    assert_eq!(
        periods,
        [
            "2024-07-01..2025-06-30"
                .replace("2025-06-30", "2024-09-30")
                .as_str(),
            "2025-07",
            "2025-08",
            "2025-09",
            "2025Q3",
            "2025-07-01..2025-09-30"
        ]
    );
    // The quarter's point is the quarter as `score --quarter` scores it.
    let quarter = json(dir.path(), &["score", "--quarter", "2025Q3"]);
    let id = report["trend"][0]["indicator"].as_str().unwrap();
    let value = quarter["results"][0]["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap()["value"]
        .clone();
    assert_eq!(report["trend"][0]["series"][4]["value"], value);
    let xml = crate::report::document_xml(
        &dir.path()
            .join("reports/2025-07-01_2025-09-30/annual-2025-07-01_2025-09-30.docx"),
    );
    let chapters = [
        "一、总体情况",
        "二、综合评价",
        "三、指标月度趋势",
        "四、网络建设",
        "五、运维服务",
        "六、网络性能",
        "七、网络安全",
        "八、抽查与测试",
        "九、数据稽核",
        "十、问题整改",
        "十一、分析与建议",
        "十二、方案修订建议",
        "十三、结果应用",
    ];
    crate::report::assert_chapters_in_order(&xml, &chapters);
    assert!(xml.contains("上年度没有可比的总分"));
    assert!(xml.contains("各评估方案月度总分"));
}

#[test]
fn revision_suggestions_from_the_months() {
    let dir = tempfile::tempdir().unwrap();
    // One line up in every sample of July–September, latency 10 ms throughout.
    let mut samples = String::from("采集时间,线路编号,平均时延,丢包率\r\n");
    for month in ["07", "08", "09"] {
        samples.push_str(&format!("2025-{month}-01 00:00,L1,10,0\r\n"));
    }
    write(&dir.path().join("s.csv"), samples);
    write(
        &dir.path().join("inv.csv"),
        "线路编号,接入方式\r\nL1,光纤\r\n",
    );
    write(
        &dir.path().join("s.yaml"),
        "scheme: 测试方案\ntotal_points: 20\naccess_type: fiber\ngrades: [{ min: 0, name: 合格 }]\ndimensions:\n  - id: d\n    name: 网络性能\n    indicators:\n      - { id: A, name: 可用率, measure: availability, source: samples, target: \">= 99\", unit: \"%\", points: 10, scoring: { rule: threshold } }\n      - { id: L, name: 平均时延, measure: mean, source: samples, column: latency_ms, target: \"<= 5\", unit: ms, points: 10, scoring: { rule: threshold } }\n",
    );
    workspace(
        dir.path(),
        "  samples: s.csv\n  inventory: inv.csv\nschemes:\n  t: s.yaml\n",
    );
    json(dir.path(), &["report", "annual"]);
    let xml = crate::report::document_xml(
        &dir.path()
            .join("reports/2025-07-01_2025-09-30/annual-2025-07-01_2025-09-30.docx"),
    );
    // A: 100 % each month against >= 99 %: the whole 1-point room, above half → tighten.
    assert!(
        xml.contains("3 个月均达标，且每月都优于目标 &gt;= 99 的余量一半以上（最小余量 100%）"),
        "A"
    );
    assert!(xml.contains("考虑提高目标"));
    // L: 10 ms each month against <= 5: never met → review.
    assert!(xml.contains("有数据的 3 个月均未达标（目标 &lt;= 5）"));
    assert!(xml.contains("复核目标或原因"));
}

#[test]
fn the_5g_annual_report_follows_the_5g_scheme() {
    let dir = tempfile::tempdir().unwrap();
    small_demo(dir.path(), false);
    let report = json(dir.path(), &["report", "annual", "--scheme", "5g"]);
    let scores = report["scores"].as_array().unwrap();
    assert_eq!(scores.len(), 1);
    let out = dir.path().join("reports/2025-07-01_2025-09-30");
    let xml = crate::report::document_xml(&out.join("annual-5g-2025-07-01_2025-09-30.docx"));
    for text in [
        "5G接入服务质量年度评估报告",
        "二、号卡与开通",
        "三、网络性能",
        "四、故障与投诉",
        "五、用户满意度",
        "六、网络安全",
        "七、综合评价",
        "每千卡投诉",
    ] {
        assert!(xml.contains(text), "{text}");
    }
    // Each KPI's mean is the indicator's value in the score.
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook(out.join("annual-5g-2025-07-01_2025-09-30.xlsx")).unwrap();
    let range = calamine::Reader::worksheet_range(&mut book, "5G指标").unwrap();
    let mut checked = 0;
    for row in range.rows() {
        let label = row[0].to_string();
        let Some(ind) = scores[0]["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| label.starts_with(&format!("{} ", i["id"].as_str().unwrap())))
        else {
            continue;
        };
        let mean = calamine::DataType::get_float(&row[2]).unwrap();
        assert!(
            (mean - ind["value"].as_f64().unwrap()).abs() < 1e-9,
            "{label}"
        );
        checked += 1;
    }
    assert_eq!(checked, 4, "G-REG, G-SESS, G-DROP, G-LAT");
}
