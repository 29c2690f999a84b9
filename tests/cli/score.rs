//! `gwq score` end to end: demo workspaces scored for a quarter and a service year,
//! the JSON of SPEC §12, the workbook, and duplicates across files.

use crate::common::*;
use serde_json::Value;
use std::path::Path;

fn demo(dir: &Path, days: &str, interval: &str) {
    gwq()
        .args(["demo"])
        .arg(dir)
        .args([
            "--lines",
            "20",
            "--days",
            days,
            "--interval",
            interval,
            "--seed",
            "5",
        ])
        .assert()
        .success();
}

/// Checks one score object against the shape of SPEC §12.
fn check_score_object(s: &Value) {
    for key in ["scheme", "period", "start", "end", "grade", "gwq_version"] {
        assert!(s[key].is_string(), "{key} in {s}");
    }
    assert!(s["total"].is_number());
    assert_eq!(s["status"], "ok");
    assert!(s["data_quality"]["assumptions"].is_array());
    for key in ["dimensions", "indicators", "groups", "inputs"] {
        assert!(s[key].is_array(), "{key}");
    }
    assert!(s["data_quality"]["findings"]["error"].is_u64());
    let mut points = 0.0;
    for i in s["indicators"].as_array().unwrap() {
        let status = i["status"].as_str().unwrap();
        assert!(["ok", "no_data", "error"].contains(&status));
        if status == "no_data" {
            assert!(
                i["value"].is_null() && i["met"].is_null() && i["score"].is_null(),
                "{i}"
            );
            let reason = i["reason"].as_str().unwrap();
            assert!(["not_configured", "no_rows", "no_matching_rows"].contains(&reason));
        } else {
            assert!(
                i["value"].is_number() && i["met"].is_boolean() && i["score"].is_number(),
                "{i}"
            );
            assert!(i["score"].as_f64().unwrap() <= i["points"].as_f64().unwrap());
        }
        points += i["points"].as_f64().unwrap();
    }
    assert_eq!(points, 100.0);
    let keys: Vec<&str> = s.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "scheme",
            "period",
            "start",
            "end",
            "status",
            "total",
            "grade",
            "payment_adjust_pct",
            "scored_points_pct",
            "min_scored_pct",
            "dimensions",
            "indicators",
            "missing_indicators",
            "groups",
            "data_quality",
            "inputs",
            "gwq_version"
        ]
    );
}

#[test]
fn a_quarter_for_both_schemes() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path(), "92", "15");
    let out = json(dir.path(), &["score", "--quarter", "2025Q3"]);
    let results = out["results"]
        .as_array()
        .expect("two schemes give {results: [...]}");
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["scheme"], "政务外网服务质量评估方案");
    assert_eq!(results[1]["scheme"], "政务外网5G接入服务质量评估方案");
    for r in results {
        check_score_object(r);
        assert_eq!(r["period"], "2025Q3");
        assert!(
            r["total"].as_f64().unwrap() > 50.0,
            "a realistic demo scores well: {}",
            r["total"]
        );
    }
    // One scheme: the bare score object; the same bytes twice.
    let one = json(
        dir.path(),
        &["score", "--quarter", "2025Q3", "--scheme", "fiber"],
    );
    check_score_object(&one);
    let again = json(
        dir.path(),
        &["score", "--quarter", "2025Q3", "--scheme", "fiber"],
    );
    assert_eq!(one, again);
    let file = dir.path().join("reports/2025Q3/score-2025Q3.xlsx");
    let book: calamine::Xlsx<_> = calamine::open_workbook(&file).unwrap();
    let names = calamine::Reader::sheet_names(&book);
    for sheet in ["总览", "指标明细", "未达标清单", "数据质量", "来源"] {
        assert!(names.iter().any(|n| n == sheet), "{sheet} in {names:?}");
    }
    // Piped: the terminal table without colour codes.
    let plain = gwq()
        .arg("-w")
        .arg(dir.path())
        .args(["score", "--quarter", "2025Q3", "--scheme", "fiber"])
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    let text = String::from_utf8(plain.stdout).unwrap();
    assert!(text.contains("达标") && !text.contains('\x1b'), "{text}");
}

#[test]
fn a_service_year_and_groups() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path(), "365", "60");
    let out = json(
        dir.path(),
        &[
            "score",
            "--period",
            "2025-07-01..2026-06-30",
            "--scheme",
            "fiber",
            "--by",
            "district",
        ],
    );
    check_score_object(&out);
    let groups = out["groups"].as_array().unwrap();
    assert!(groups.len() >= 10, "districts: {}", groups.len());
    // The groups' sample rows add up to the whole.
    let avail = |inds: &Value| {
        inds.as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == "PERF-AVAIL")
            .unwrap()["rows"]
            .as_u64()
            .unwrap()
    };
    let sum: u64 = groups.iter().map(|g| avail(&g["indicators"])).sum();
    assert_eq!(sum, avail(&out["indicators"]));
}

#[test]
fn a_sample_repeated_in_an_overlapping_file_counts_once() {
    let dir = tempfile::tempdir().unwrap();
    let header = "采集时间,线路编号,时延(ms),丢包率(%),可达\n";
    write(
        &dir.path().join("a.csv"),
        format!("{header}2025-07-01 00:00,L1,3,0,是\n2025-07-01 00:05,L1,3,100,否\n"),
    );
    write(&dir.path().join("b.csv"), format!("{header}2025-07-01 00:05,L1,3,100,否\n2025-07-01 00:10,L1,3,0,是\n2025-07-01 00:15,L1,3,0,是\n"));
    write(
        &dir.path().join("inv.csv"),
        "线路编号,接入方式,开通日期\nL1,光纤,2020-01-01\n",
    );
    write(
        &dir.path().join("s.yaml"),
        "scheme: 测试\ntotal_points: 10\naccess_type: fiber\ngrades: [{ min: 0, name: 合格 }]\ndimensions:\n  - id: d\n    name: 维度\n    indicators:\n      - { id: A, name: 可用率, measure: availability, source: samples, target: \">= 99\", points: 10, scoring: { rule: threshold } }\n",
    );
    workspace(
        dir.path(),
        "  samples: [a.csv, b.csv]\n  inventory: inv.csv\nschemes:\n  t: s.yaml\n",
    );
    let out = json(dir.path(), &["score", "--month", "2025-07"]);
    // 4 distinct samples, 3 up: the repeated 00:05 counts once.
    assert_eq!(out["indicators"][0]["rows"], 4);
    assert_eq!(out["indicators"][0]["value"], 75.0);
    let check = json(dir.path(), &["check", "--month", "2025-07"]);
    assert_eq!(check["dropped_exact_duplicates"]["samples"], 1);
}

#[test]
fn a_scheme_error_names_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("s.yaml"), "scheme: 测试\ntotal_points: 10\ngrades: [{ min: 0, name: 合格 }]\ndimensions:\n  - id: d\n    name: 维度\n    indicators:\n      - { id: A, name: 可用率, measure: uptime, source: samples, target: \">= 99\", points: 10, scoring: { rule: threshold } }\n");
    workspace(dir.path(), "  samples: none/*.csv\nschemes:\n  t: s.yaml\n");
    let out = gwq()
        .arg("-w")
        .arg(dir.path())
        .args(["score", "--month", "2025-07"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("s.yaml:8") && err.contains("A.measure") && err.contains("uptime"),
        "{err}"
    );
}
