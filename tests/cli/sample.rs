//! `gwq sample`: the plan's rules on a demo workspace, the same plan for the same
//! seed, rooms rotating across quarters, and the filled work sheet read back as the
//! `site_tests` and `phone_checks` sources.

use crate::common::*;
use calamine::{Data, Reader};
use std::collections::BTreeSet;

fn plan(dir: &std::path::Path, quarter: &str, seed: &str) -> serde_json::Value {
    json(dir, &["sample", "--quarter", quarter, "--seed", seed])
}

#[test]
fn a_plan_reproduces_and_rotates_its_rooms() {
    let dir = tempfile::tempdir().unwrap();
    small_demo(dir.path(), false);
    let q3 = plan(dir.path(), "2025Q3", "7");
    let rooms = |p: &serde_json::Value| -> BTreeSet<String> {
        p["rooms"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["room_id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(rooms(&q3).len(), 3);
    // 24 demo lines in their districts: ceil(10 %) of each, so at least 3 in all.
    let lines = q3["lines"].as_array().unwrap();
    assert!(lines.len() >= 3);
    assert_eq!(q3["phone_checks"].as_array().unwrap().len(), 12);
    assert_eq!(plan(dir.path(), "2025Q3", "7"), q3, "same seed, same plan");
    assert!(dir.path().join("field/plans/sample-2025Q3.json").is_file());
    // The next quarter takes rooms whose inspections found problems first, then
    // rooms Q3 did not visit: a room visited again must have findings (or every room
    // has been visited).
    let q4 = plan(dir.path(), "2025Q4", "7");
    for r in q4["rooms"].as_array().unwrap() {
        let id = r["room_id"].as_str().unwrap();
        if rooms(&q3).contains(id) {
            let reason = r["reason"].as_str().unwrap();
            assert!(reason != "本服务年度尚未抽查", "{id}: {reason}");
        }
    }
}

/// Fills the blank cells of the work sheet as the field team would and saves it.
fn fill(from: &std::path::Path, to: &std::path::Path) {
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(from).unwrap();
    let mut out = rust_xlsxwriter::Workbook::new();
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd hh:mm");
    for name in ["现场测试", "电话抽查"] {
        let range = book.worksheet_range(name).unwrap();
        let ws = out.add_worksheet();
        ws.set_name(name).unwrap();
        for (r, row) in range.rows().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                let filled = match (name, r >= 2, c) {
                    ("现场测试", true, 5) => Data::String("2025-08-15".into()),
                    ("现场测试", true, 6) => Data::Float(95.0),
                    ("现场测试", true, 7) => Data::Float(3.2),
                    ("现场测试", true, 8) => Data::Float(0.0),
                    ("现场测试", true, 9) => Data::String("是".into()),
                    ("电话抽查", true, 2) => Data::String("是".into()),
                    ("电话抽查", true, 3) => Data::Float(12.0),
                    _ => v.clone(),
                };
                match filled {
                    Data::DateTime(d) => {
                        ws.write_number_with_format(r, c, d.as_f64(), &date)
                            .unwrap();
                    }
                    Data::Float(f) => {
                        ws.write_number(r, c, f).unwrap();
                    }
                    Data::Empty => {}
                    other => {
                        ws.write(r, c, other.to_string()).unwrap();
                    }
                }
            }
        }
    }
    out.save(to).unwrap();
}

#[test]
fn the_filled_work_sheet_is_a_source() {
    let dir = tempfile::tempdir().unwrap();
    small_demo(dir.path(), false);
    let p = plan(dir.path(), "2025Q3", "3");
    let sheet = dir.path().join("reports/2025Q3/sample-2025Q3.xlsx");
    let filled = dir.path().join("field/filled.xlsx");
    fill(&sheet, &filled);
    let yaml = std::fs::read_to_string(dir.path().join("gwq.yaml")).unwrap();
    let mut out = String::new();
    for line in yaml.lines() {
        let line = match line.trim_start() {
            l if l.starts_with("site_tests:") => {
                "  site_tests: { path: field/filled.xlsx, sheet: 现场测试 }"
            }
            l if l.starts_with("phone_checks:") => {
                "  phone_checks: { path: field/filled.xlsx, sheet: 电话抽查 }"
            }
            _ => line,
        };
        out.push_str(line);
        out.push('\n');
    }
    write(&dir.path().join("gwq.yaml"), out);
    let check = json(dir.path(), &["check", "--quarter", "2025Q3"]);
    let theirs = check["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["table"] == "site_tests" || f["table"] == "phone_checks")
        .count();
    assert_eq!(theirs, 0, "{check}");
    let site = cached(dir.path(), "site_tests");
    assert_eq!(site.height(), p["lines"].as_array().unwrap().len());
    let phone = cached(dir.path(), "phone_checks");
    assert_eq!(phone.height(), 12);
}
