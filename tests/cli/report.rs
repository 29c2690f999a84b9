//! `gwq report monthly` on a demo workspace: the Word report's chapters in order with
//! tables and pictures, the workbook's sheets, and the JSON's scores equal to
//! `score --json` for the same month.

use crate::common::*;
use serde_json::Value;
use std::io::Read;

/// The text of a docx's body (document.xml).
pub fn document_xml(path: &std::path::Path) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

/// Each chapter heading's last occurrence (the body, past the contents page) comes
/// after 编制说明's and after the chapter before it; returns where the last one is.
pub fn assert_chapters_in_order(xml: &str, chapters: &[&str]) -> usize {
    let mut last = xml.rfind("编制说明").expect("编制说明");
    for c in chapters {
        let pos = xml.rfind(c).unwrap_or_else(|| panic!("{c} missing"));
        assert!(pos > last, "{c} out of order");
        last = pos;
    }
    last
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
        "七、自报数据核验",
        "八、问题整改",
        "九、分析与建议",
        "附件",
    ];
    let mut at = 0;
    for c in chapters {
        // Past the contents page: each heading's second occurrence is the chapter.
        let first = xml[at..].find(c).unwrap_or_else(|| panic!("{c} missing"));
        at += first + c.len();
    }
    assert_chapters_in_order(&xml, &chapters[1..]);
    assert!(xml.contains("<w:tbl>"), "tables");
    // Every table's header row repeats on each page it runs onto.
    assert_eq!(
        xml.matches("<w:tblHeader />").count(),
        xml.matches("<w:tbl>").count()
    );
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
    // Native Excel charts (the daily lines, the faults by district, the chain).
    let charts =
        zip::ZipArchive::new(std::fs::File::open(out.join("monthly-2025-08.xlsx")).unwrap())
            .unwrap()
            .file_names()
            .filter_map(Result::ok)
            .filter(|n| n.starts_with("xl/charts/chart"))
            .count();
    assert!(charts >= 3, "{charts} native charts");
    // The trend's months as a sheet: each indicator in July and August.
    let mut trend_book: calamine::Xlsx<_> =
        calamine::open_workbook(out.join("monthly-2025-08.xlsx")).unwrap();
    let range = calamine::Reader::worksheet_range(&mut trend_book, "总体情况2").unwrap();
    let header: Vec<String> = range
        .rows()
        .find(|r| r.first().is_some_and(|c| *c == "指标"))
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header, ["指标", "目标", "7 月", "8 月"]);
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

/// A quarter computed by hand: two fibre lines, one sample up and one down, a site
/// test passed and one failed, a call answered on a Friday and one missed on a
/// Saturday, and the fee the billing rules make due.
pub fn hand_quarter(dir: &std::path::Path) {
    write(
        &dir.join("inv.csv"),
        "线路编号,接入方式,所属区,带宽,开通日期\r\nL1,光纤,浦东新区,100M,2024-01-01\r\nL2,光纤,闵行区,1G,2025-08-17\r\n",
    );
    write(
        &dir.join("s.csv"),
        "采集时间,线路编号,平均时延,丢包率,入流量,出流量\r\n2025-07-01 00:00,L1,10,0,50000000,20000000\r\n2025-07-01 00:05,L1,,100,10000000,90000000\r\n",
    );
    write(
        &dir.join("site.csv"),
        "线路编号,测试日期,实测带宽,是否达标\r\nL1,2025-08-05,98,是\r\nL2,2025-09-01,800,否\r\n",
    );
    write(
        &dir.join("phone.csv"),
        "拨打时间,是否接通,接通时长(秒)\r\n2025-08-08 09:00,是,10\r\n2025-08-09 10:00,否,\r\n",
    );
    // A fault in June only: the quarter has none.
    write(
        &dir.join("faults.csv"),
        "工单号,线路编号,报障时间,故障等级\r\nT1,L1,2025-06-30 23:59,1\r\n",
    );
    write(
        &dir.join("s.yaml"),
        "scheme: 测试方案\ntotal_points: 10\naccess_type: fiber\ngrades: [{ min: 9, name: 合格 }, { min: 0, name: 不合格 }]\npayment: [{ min: 9, adjust_pct: 0 }, { min: 0, adjust_pct: -5 }]\ndimensions:\n  - id: d\n    name: 网络性能\n    indicators:\n      - { id: A, name: 可用率, measure: availability, source: samples, target: \">= 99\", points: 10, scoring: { rule: threshold } }\n",
    );
    write(
        &dir.join("billing.yaml"),
        "tariffs:\n  - { code: F-100M, service: fiber, bandwidth_mbps: 100, monthly: 1800.00 }\n  - { code: F-1G, service: fiber, bandwidth_mbps: 1000, monthly: 6500.00 }\n",
    );
    workspace(
        dir,
        "  samples: s.csv\n  inventory: inv.csv\n  faults: faults.csv\n  site_tests: site.csv\n  phone_checks: phone.csv\nschemes:\n  t: s.yaml\nbilling_rules: billing.yaml\n",
    );
}

#[test]
fn quarterly_report_has_every_chapter_and_the_payment_in_yuan() {
    let dir = tempfile::tempdir().unwrap();
    hand_quarter(dir.path());
    let report = json(dir.path(), &["report", "quarterly", "--quarter", "2025Q3"]);
    assert_eq!(report["kind"], "quarterly");
    assert_eq!(report["period"], "2025Q3");
    // One sample of two up: 50 % < 99, total 0, 不合格, −5 %.
    let score = &report["scores"][0];
    assert_eq!(score["indicators"][0]["value"], 50.0);
    assert_eq!(score["total"], 0.0);
    assert_eq!(score["payment_adjust_pct"], -5.0);
    // The trend: the quarter before, the three months, the quarter.
    let periods: Vec<&str> = report["trend"][0]["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["period"].as_str().unwrap())
        .collect();
    assert_eq!(
        periods,
        ["2025Q2", "2025-07", "2025-08", "2025-09", "2025Q3"]
    );
    let values: Vec<&serde_json::Value> = report["trend"][0]["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["value"])
        .collect();
    assert!(values[0].is_null() && values[2].is_null() && values[3].is_null());
    assert_eq!(values[1], &serde_json::json!(50.0));
    // Fee: L1 a whole quarter at 1800 = 5400.00; L2 from 08-17 at 6500 ×
    // (15/31 + 1) = 9645.16; due 15045.16; −5 % = −752.258 → −752.26.
    let pay = &report["payment"][0];
    assert_eq!(pay["lines"], 2);
    assert_eq!(pay["fee_due"], "15045.16");
    assert_eq!(pay["adjust_yuan"], "-752.26");
    assert_eq!(pay["fee_after"], "14292.90");

    let xml = document_xml(&dir.path().join("reports/2025Q3/quarterly-2025Q3.docx"));
    let chapters = [
        "一、总体情况",
        "二、综合评价",
        "三、网络建设",
        "四、运维服务",
        "五、网络性能",
        "六、网络安全",
        "七、抽查与测试",
        "八、数据稽核",
        "九、自报数据核验",
        "十、问题整改",
        "十一、分析与建议",
        "十二、结果应用",
    ];
    let last = assert_chapters_in_order(&xml, &chapters);
    assert!(xml.rfind("附件").unwrap() > last);
    for said in [
        // Site tests: 2 of 2 active lines, one passed of two.
        "本季度现场测试 2 次，覆盖线路 2 条，占本季度在网线路 2 条的 100.00%",
        "判定达标 1 次、不达标 1 次，达标率 50.00%",
        // Calls: Friday 09:00 answered in 10 s, Saturday missed.
        "本季度电话抽查 2 次，接通 1 次，接通率 50.00%，平均接通时长 10.00 秒",
        "调整金额 -752.26 元，调整后 14,292.90 元",
        "上季度没有可比的总分",
        "本季度未发生故障报修。",
        // L1's rates max(in, out) in its month: 50 and 90 Mbps; p95 by nearest rank is
        // the 2nd of 2: 90 of 100 Mbps, the busiest (only) month's.
        "本季度 1 条线路的带宽利用率（各月 95 百分位速率中最高者 ÷ 台账带宽）：高于 80% 的 1 条，低于 10% 的 0 条；最高为 L1（90.00%）",
    ] {
        assert!(xml.contains(said), "{said}");
    }
    assert!(xml.contains("<pic:pic"), "charts as pictures");
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook(dir.path().join("reports/2025Q3/quarterly-2025Q3.xlsx")).unwrap();
    let names = calamine::Reader::sheet_names(&book);
    for sheet in ["综合评价", "抽查与测试", "结果应用"] {
        assert!(names.iter().any(|n| n == sheet), "{sheet} in {names:?}");
    }
    // 2025Q2 has no data: the total's change is "—", not a change from zero.
    let range = calamine::Reader::worksheet_range(&mut book, "综合评价").unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    let header = rows
        .iter()
        .position(|r| r.first().is_some_and(|c| c == "评估方案"))
        .unwrap();
    assert_eq!(rows[header + 1][0], "测试方案");
    assert_eq!(rows[header + 1].last().unwrap(), "—");
}

#[test]
fn quarterly_report_without_billing_rules_gives_the_percentage_only() {
    let dir = tempfile::tempdir().unwrap();
    hand_quarter(dir.path());
    let yaml = std::fs::read_to_string(dir.path().join("gwq.yaml")).unwrap();
    write(
        &dir.path().join("gwq.yaml"),
        yaml.replace("billing_rules: billing.yaml\n", ""),
    );
    let report = json(dir.path(), &["report", "quarterly", "--quarter", "2025Q3"]);
    let pay = &report["payment"][0];
    assert_eq!(pay["payment_adjust_pct"], -5.0);
    assert!(pay["adjust_yuan"].is_null());
    assert!(pay["note"].as_str().unwrap().contains("计费规则"));
    let xml = document_xml(&dir.path().join("reports/2025Q3/quarterly-2025Q3.docx"));
    assert!(xml.contains("按评估方案费用调整 -5%"));
    assert!(xml.contains("未折算为金额"));
}

#[test]
fn quarterly_scores_equal_score_for_the_quarter() {
    let dir = tempfile::tempdir().unwrap();
    small_demo(dir.path(), false);
    let report = json(dir.path(), &["report", "quarterly", "--quarter", "2025Q3"]);
    let score = json(dir.path(), &["score", "--quarter", "2025Q3"]);
    let results = score["results"].as_array().unwrap();
    for (a, b) in report["scores"].as_array().unwrap().iter().zip(results) {
        for key in ["scheme", "status", "total", "grade", "payment_adjust_pct"] {
            assert_eq!(a[key], b[key], "{key}");
        }
        assert_eq!(a["indicators"], b["indicators"]);
    }
    // Each month of the trend is the month as `score --month` scores it.
    let july = json(dir.path(), &["score", "--month", "2025-07"]);
    let first = &report["trend"][0];
    let id = first["indicator"].as_str().unwrap();
    let value = july["results"][0]["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap()["value"]
        .clone();
    assert_eq!(first["series"][1]["value"], value);
}

#[test]
fn a_report_open_in_word_is_refused_and_the_old_one_kept() {
    let dir = tempfile::tempdir().unwrap();
    hand_quarter(dir.path());
    json(dir.path(), &["report", "quarterly", "--quarter", "2025Q3"]);
    let out = dir.path().join("reports/2025Q3");
    let old = std::fs::read(out.join("quarterly-2025Q3.docx")).unwrap();
    // Word keeps ~$ and the name without its first two characters beside an open file.
    write(&out.join("~$arterly-2025Q3.docx"), "owner");
    let run = gwq()
        .arg("-w")
        .arg(dir.path())
        .args(["report", "quarterly", "--quarter", "2025Q3"])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        err.contains("quarterly-2025Q3.docx") && err.contains("正被其他程序打开"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "one clear message: {err}");
    assert_eq!(
        std::fs::read(out.join("quarterly-2025Q3.docx")).unwrap(),
        old
    );
}
