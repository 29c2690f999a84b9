//! `gwq check` on demo workspaces: every planted defect is found at its file and row,
//! and clean demo data gives no finding at all.

mod common;
use common::*;
use serde_json::Value;
use std::path::Path;

fn demo(dir: &Path, defects: bool) {
    let mut cmd = gwq();
    cmd.args(["demo"])
        .arg(dir)
        .args(["--lines", "20", "--days", "40", "--seed", "3"]);
    if defects {
        cmd.arg("--defects");
    }
    cmd.assert().success();
}

fn matches(planted: &Value, found: &Value) -> bool {
    let same = |k: &str| planted[k].is_null() || planted[k] == found[k];
    planted["code"] == found["code"]
        && planted["table"] == found["table"]
        && same("file")
        && same("row")
        && same("line_id")
}

#[test]
fn every_planted_defect_is_found_where_it_was_planted() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path(), true);
    let truth: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("demo-truth.json")).unwrap())
            .unwrap();
    let period = truth["period"].as_str().unwrap();
    let report = json(dir.path(), &["check", "--period", period]);
    let found = report["findings"].as_array().unwrap();
    let planted = truth["findings"].as_array().unwrap();
    let codes: std::collections::BTreeSet<&str> = planted
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes.len(),
        10,
        "every data-audit code is planted: {codes:?}"
    );
    for p in planted {
        assert!(
            found.iter().any(|f| matches(p, f)),
            "not found: {p}\nfindings: {found:#?}"
        );
    }
    // Nothing beyond what was planted.
    for f in found {
        assert!(
            planted.iter().any(|p| matches(p, f)),
            "unexpected finding: {f}"
        );
    }
    assert_eq!(
        report["dropped_exact_duplicates"]["samples"],
        truth["exact_duplicates"]
    );
    // The workbook has a summary sheet and one sheet per code.
    let xlsx = dir.path().join(format!(
        "reports/{}/check-{}.xlsx",
        period.replace("..", "_"),
        period.replace("..", "_")
    ));
    let book: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    let names = calamine::Reader::sheet_names(&book);
    assert_eq!(names[0], "汇总");
    for code in codes {
        assert!(
            names.iter().any(|n| n.starts_with(code)),
            "{code} sheet in {names:?}"
        );
    }
}

#[test]
fn clean_demo_data_has_no_findings() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path(), false);
    let report = json(dir.path(), &["check", "--period", "2025-07-01..2025-08-09"]);
    assert_eq!(
        report["findings"].as_array().unwrap().len(),
        0,
        "{:#}",
        report["findings"]
    );
    let coverage = report["coverage"].as_array().unwrap();
    assert!(coverage
        .iter()
        .all(|c| c["coverage_pct"].as_f64().unwrap() >= 99.99));
}

#[test]
fn fail_on_gives_exit_code_3() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path(), true);
    gwq()
        .arg("-w")
        .arg(dir.path())
        .args(["check", "--month", "2025-07", "--fail-on", "error"])
        .assert()
        .code(3);
}
