//! `gwq check` on demo workspaces: every planted defect is found at its file and row,
//! and clean demo data gives no finding at all.

use crate::common::*;
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
    // Exact duplicates of every table planted (samples, a fault ticket, a phone
    // check) are dropped and counted, each in its table, and nothing else.
    assert_eq!(
        report["dropped_exact_duplicates"],
        truth["exact_duplicates"]
    );
    for table in ["samples", "faults", "phone_checks"] {
        assert_eq!(truth["exact_duplicates"][table], 1, "{table} planted");
    }
    // The GBK month is a Windows file: CRLF line endings under a title row.
    let gbk = std::fs::read(dir.path().join("data/性能/性能_2025-08.csv")).unwrap();
    assert!(gbk.windows(2).any(|w| w == b"\r\n"), "CRLF planted");
    assert!(
        planted
            .iter()
            .filter(|p| p["file"] == "data/性能/性能_2025-08.csv")
            .count()
            >= 2,
        "findings planted in the CRLF file"
    );
    // The terminal summary's columns line up (Chinese titles are two columns a character).
    let out = gwq()
        .arg("-w")
        .arg(dir.path())
        .args(["check", "--period", period])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let columns: std::collections::BTreeSet<usize> = text
        .lines()
        .filter(|l| l.ends_with("错误") || l.ends_with("警告"))
        .filter_map(|l| {
            display_column(
                l,
                if l.ends_with("错误") {
                    "错误"
                } else {
                    "警告"
                },
            )
        })
        .collect();
    assert_eq!(columns.len(), 1, "{text}");
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

/// `check --month 2025-07` of samples in a.csv then b.csv, of fibre line L1 alone.
fn check_two_files(dir: &Path, a: &str, b: &str) -> Value {
    write(&dir.join("a.csv"), a);
    write(&dir.join("b.csv"), b);
    write(
        &dir.join("inv.csv"),
        "线路编号,接入方式,带宽(Mbps),开通日期\nL1,光纤,100,2020-01-01\n",
    );
    workspace(dir, "  samples: [a.csv, b.csv]\n  inventory: inv.csv\n");
    json(dir, &["check", "--month", "2025-07"])
}

/// The row checks find the same samples whether the walk counts them on its way
/// (files one after another) or the files overlap and duplicates are dropped first:
/// a latency out of range, traffic above the line's bandwidth, a line the inventory
/// lacks, and the rows in the period.
#[test]
fn sample_row_checks_agree_with_and_without_overlapping_files() {
    let header = "采集时间,线路编号,时延(ms),丢包率(%),入流量(bps),出流量(bps),可达\n";
    let a = format!(
        "{header}2025-07-01 00:00,L1,3,0,1000,1000,是\n\
         2025-07-01 00:05,L1,20000,0,1000,1000,是\n\
         2025-07-01 00:10,L1,3,0,200000000,1000,是\n"
    );
    let b = "2025-07-01 01:00,X9,3,0,1000,1000,是\n\
             2025-07-01 01:05,L1,3,0,1000,1000,是\n\
             2025-07-01 01:10,L1,3,0,1000,1000,是\n";
    let mut seen = Vec::new();
    for overlapping in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        // Overlapping: b repeats a's last sample (an exact duplicate across files).
        let repeat = if overlapping {
            "2025-07-01 00:10,L1,3,0,200000000,1000,是\n"
        } else {
            ""
        };
        let out = check_two_files(dir.path(), &a, &format!("{header}{repeat}{b}"));
        let mut found: Vec<String> = out["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| ["out_of_range", "unknown_line"].contains(&f["code"].as_str().unwrap()))
            .map(|f| format!("{} {} {} {}", f["code"], f["file"], f["row"], f["column"]))
            .collect();
        found.sort();
        // The summary sheet's rows in the period: the repeat is in the frame, dropped
        // later (and counted as an exact duplicate).
        let xlsx = dir.path().join("reports/2025-07/check-2025-07.xlsx");
        let mut book: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
        let sheet = calamine::Reader::worksheet_range(&mut book, "汇总").unwrap();
        let rows = sheet
            .rows()
            .find(|r| {
                r[0].to_string().ends_with("（samples）")
                    && r[2].to_string().starts_with("期间内行数")
            })
            .map(|r| r[1].to_string())
            .unwrap();
        assert_eq!(rows, if overlapping { "7" } else { "6" });
        seen.push(found);
    }
    let row = |code: &str, file: &str, row: u64, column: &str| {
        format!("\"{code}\" \"{file}\" {row} \"{column}\"")
    };
    for (found, overlapping) in seen.iter().zip([false, true]) {
        let mut want = vec![
            row("out_of_range", "a.csv", 3, "latency_ms"),
            row("out_of_range", "a.csv", 4, "in_bps"),
        ];
        // The repeat in b.csv is the same traffic, listed where it stands too.
        if overlapping {
            want.push(row("out_of_range", "b.csv", 2, "in_bps"));
        }
        let (unknown, rest): (Vec<&String>, Vec<&String>) =
            found.iter().partition(|f| f.contains("unknown_line"));
        assert_eq!(rest.into_iter().cloned().collect::<Vec<_>>(), want);
        assert_eq!(unknown.len(), 1, "{found:?}");
        assert!(unknown[0].contains("b.csv"), "{found:?}");
    }
}

/// A CSV is read in blocks on every core; cut into blocks of a few KiB, the planted
/// demo's exports (UTF-8 and GBK months, every defect) give the same audit, row for row.
#[test]
fn reading_in_small_blocks_finds_the_same() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path(), true);
    let period = ["check", "--period", "2025-07-01..2025-08-09"];
    let whole = json(dir.path(), &period);
    std::fs::remove_dir_all(dir.path().join(".gwq")).unwrap();
    let blocks = json_with_env(dir.path(), &[("GWQ_BLOCK_BYTES", "4099")], &period);
    assert!(whole["findings"].as_array().unwrap().len() > 10);
    assert_eq!(blocks, whole);
}

/// The samples a `gap` or `inconsistent` finding names are found in their files
/// after the walk: with files that overlap in time and a file out of time order, each
/// finding names the file and row of its sample, and of a sample read twice, the
/// first file's.
#[test]
fn sequence_findings_name_the_file_and_row_of_their_sample() {
    let dir = tempfile::tempdir().unwrap();
    let header = "采集时间,线路编号,时延(ms),丢包率(%),入流量(bps),出流量(bps),可达\n";
    let sample = |time: &str, up: &str| format!("2025-07-01 {time},L1,3,0,1000,1000,{up}\n");
    let a: String = ["00:00", "00:05", "03:00", "03:05", "03:10"]
        .iter()
        .map(|t| sample(t, "是"))
        .collect();
    // b repeats a's 03:00 on its row 2, then an unreachable run out of time order.
    let mut b = sample("03:00", "是");
    for t in [
        "05:10", "05:00", "05:05", "05:15", "05:20", "05:25", "05:30",
    ] {
        b.push_str(&sample(t, "否"));
    }
    b.push_str(&sample("05:35", "是"));
    let out = check_two_files(dir.path(), &format!("{header}{a}"), &format!("{header}{b}"));
    let found: Vec<String> = out["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| ["gap", "inconsistent"].contains(&f["code"].as_str().unwrap()))
        .map(|f| format!("{} {} {} {}", f["code"], f["file"], f["row"], f["message"]))
        .collect();
    let want = [
        ("gap", "a.csv", 4, "自 2025-07-01 00:10 至 2025-07-01 03:00"),
        ("gap", "b.csv", 4, "自 2025-07-01 03:15 至 2025-07-01 05:00"),
        (
            "gap",
            "b.csv",
            10,
            "自 2025-07-01 05:40 至 2025-08-01 00:00",
        ),
        (
            "inconsistent",
            "b.csv",
            4,
            "自 2025-07-01 05:00 至 2025-07-01 05:35",
        ),
    ];
    assert_eq!(found.len(), want.len(), "{found:#?}");
    for (code, file, row, said) in want {
        let start = format!("\"{code}\" \"{file}\" {row} ");
        assert!(
            found
                .iter()
                .any(|f| f.starts_with(&start) && f.contains(said)),
            "{code} {file}:{row} {said}\n{found:#?}"
        );
    }
}
