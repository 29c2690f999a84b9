//! `gwq audit-fees` on files: the demo budget's planted errors are found exactly,
//! the workbook and the Word report are written, and bad budgets stop with one clear
//! message naming the file, row and column.

use crate::common::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;

/// The shared small demo (the budget is the same with or without defects).
fn demo(dir: &Path, defects: bool) {
    small_demo(dir, defects);
}

const BUDGET: &str = "data/预算/网络通信服务费用预算.xlsx";

fn audit(dir: &Path, budget: &Path, extra: &[&str]) -> std::process::Output {
    gwq()
        .arg("-w")
        .arg(dir)
        .arg("--json")
        .arg("audit-fees")
        .arg(budget)
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn every_planted_budget_error_is_found_to_the_cent_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path(), true);
    let out = audit(dir.path(), &dir.path().join(BUDGET), &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let truth: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("demo-truth.json")).unwrap())
            .unwrap();
    let key = |f: &Value| {
        (
            f["code"].as_str().unwrap().to_string(),
            f["row"].as_u64(),
            f["line_id"].as_str().map(str::to_string),
            f["difference"].as_str().unwrap().to_string(),
        )
    };
    let found: BTreeSet<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(key)
        .collect();
    let planted: BTreeSet<_> = truth["fees"].as_array().unwrap().iter().map(key).collect();
    assert_eq!(found, planted);
    let codes: BTreeSet<&str> = planted.iter().map(|p| p.0.as_str()).collect();
    for code in [
        "arithmetic",
        "subtotal",
        "tariff",
        "bandwidth",
        "duplicate",
        "not_in_inventory",
        "closed_line",
        "proration",
        "missing_from_budget",
        "traffic",
        "utilisation_low",
        "utilisation_high",
        "idle_card",
    ] {
        assert!(codes.contains(code), "{code} is planted");
    }
    // Budget − verified equals the sum of the item findings (the 小计 error is not in
    // the 合计).
    let cents = |v: &Value| -> i64 {
        let s = v.as_str().unwrap();
        let (a, b) = s.split_once('.').unwrap();
        let n: i64 =
            a.trim_start_matches('-').parse::<i64>().unwrap() * 100 + b.parse::<i64>().unwrap();
        if s.starts_with('-') {
            -n
        } else {
            n
        }
    };
    let explained: i64 = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] != "subtotal")
        .map(|f| cents(&f["difference"]))
        .sum();
    assert_eq!(explained, cents(&report["difference"]));
    assert_eq!(
        cents(&report["budget_total"]) - cents(&report["verified_total"]),
        cents(&report["difference"])
    );

    // The workbook has its four sheets; the Word report its title and sections.
    let reports = dir.path().join("reports");
    let period_dir = std::fs::read_dir(&reports)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let files: Vec<String> = std::fs::read_dir(&period_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    let xlsx = files
        .iter()
        .find(|f| f.starts_with("fee-audit-") && f.ends_with(".xlsx"))
        .unwrap();
    let docx = files
        .iter()
        .find(|f| f.starts_with("fee-audit-") && f.ends_with(".docx"))
        .unwrap();
    assert!(files
        .iter()
        .any(|f| f.starts_with("fee-audit-") && f.ends_with(".json")));
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto(period_dir.join(xlsx)).unwrap();
    assert_eq!(
        book.sheet_names(),
        ["汇总", "问题明细", "核定预算", "资费标准"]
    );
    let detail = book.worksheet_range("问题明细").unwrap();
    // One row per finding, each with its code in column B.
    let rows = detail
        .rows()
        .filter(|r| {
            r.get(1)
                .is_some_and(|c| codes.contains(c.to_string().as_str()))
        })
        .count();
    assert_eq!(rows, planted.len());
    let mut zip =
        zip::ZipArchive::new(std::fs::File::open(period_dir.join(docx)).unwrap()).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    for text in [
        "政务外网网络通信服务费用预算稽核报告",
        "稽核依据与范围",
        "稽核方法",
        "总体结论",
        "问题明细",
        "整改建议",
        "附件",
        "仿宋",
        "图 1  各类问题金额影响",
        "<pic:pic",
        // The contents' page numbers refer to bookmarks on the headings.
        "PAGEREF _Toc_gwq_0",
        "w:name=\"_Toc_gwq_0\"",
    ] {
        assert!(xml.contains(text), "docx lacks {text}");
    }
    // 图 1 is a real PNG inside the package.
    let names: Vec<String> = zip.file_names().map(|n| n.unwrap().to_string()).collect();
    let media = names
        .iter()
        .find(|n| n.starts_with("word/media/") && n.ends_with(".png"))
        .expect("the docx holds the chart picture");
    let mut png = Vec::new();
    zip.by_name(media).unwrap().read_to_end(&mut png).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000);
}

#[test]
fn fail_on_error_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path(), false);
    let out = audit(
        dir.path(),
        &dir.path().join(BUDGET),
        &["--fail-on", "error"],
    );
    assert_eq!(out.status.code(), Some(3));
    // The summary's columns line up though the labels are Chinese of every length.
    let text = String::from_utf8(out.stderr).unwrap();
    let columns: BTreeSet<usize> = text
        .lines()
        .filter(|l| l.starts_with("  ") && l.as_bytes()[2].is_ascii_lowercase())
        .filter_map(|l| display_column(l, " 项"))
        .collect();
    assert_eq!(columns.len(), 1, "{text}");
}

fn bad_budget(dir: &Path, csv: &str) -> String {
    let path = dir.join("bad.csv");
    write(&path, csv);
    let out = audit(dir, &path, &[]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("bad.csv"), "{err}");
    err
}

#[test]
fn bad_budgets_name_the_file_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path(), false);
    let inventory = std::fs::read_dir(dir.path().join("data/台账"))
        .unwrap()
        .count();
    assert_eq!(inventory, 1);
    // Text in an amount cell.
    let err = bad_budget(
        dir.path(),
        "序号,线路编号,业务类型,带宽,单价,月数,金额\n1,X1,光纤,100M,1800,3,待定\n",
    );
    assert!(err.contains("第 2 行") && err.contains("金额"), "{err}");
    // No amount column at all.
    let err = bad_budget(
        dir.path(),
        "序号,线路编号,业务类型,带宽,单价,月数\n1,X1,光纤,100M,1800,3\n",
    );
    assert!(err.contains("金额"), "{err}");
    // A tariff code the rules do not have.
    let err = bad_budget(
        dir.path(),
        "序号,线路编号,业务类型,带宽,资费编码,单价,月数,金额\n1,X1,光纤,100M,F-300M,1800,3,5400\n",
    );
    assert!(
        err.contains("第 2 行") && err.contains("tariff") && err.contains("F-300M"),
        "{err}"
    );
}
