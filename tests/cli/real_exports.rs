//! Exports shaped as providers really send them, each case computed by hand: true
//! counts past a thousand findings, exact duplicates in every table, totals on too
//! little data with the reasons, calendars without the year, samples with latency
//! only, usage errors in Chinese and the progress bar (SPEC §2, §6, §7).

use crate::common::*;
use serde_json::Value;
use std::path::Path;

/// A scheme file of one dimension; `indicators` are YAML flow mappings, one per line.
fn scheme(dir: &Path, extra: &str, indicators: &[&str]) {
    let total: f64 = indicators
        .iter()
        .map(|i| {
            let p = i.split("points: ").nth(1).unwrap();
            p[..p.find(',').unwrap()].trim().parse::<f64>().unwrap()
        })
        .sum();
    let mut text = format!(
        "scheme: 测试方案\ntotal_points: {total}\n{extra}grades: [{{ min: 90, name: 优秀 }}, {{ min: 0, name: 不合格 }}]\npayment: [{{ min: 90, adjust_pct: 0 }}, {{ min: 0, adjust_pct: -10 }}]\ndimensions:\n  - id: d\n    name: 维度\n    indicators:\n"
    );
    for i in indicators {
        text.push_str(&format!("      - {i}\n"));
    }
    write(&dir.join("s.yaml"), text);
}

fn run_fails_with(dir: &Path, args: &[&str], code: i32) -> String {
    let out = gwq().arg("-w").arg(dir).args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(code), "{args:?}");
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn counts_are_true_past_a_thousand_findings() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("采集时间,线路编号,时延(ms),丢包率(%)\n");
    let start = chrono::NaiveDate::from_ymd_opt(2025, 8, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    // 1,500 latencies out of range and 1,205 that cannot be read, on one line.
    for i in 0..2705 {
        let t = start + chrono::Duration::minutes(5 * i);
        let latency = if i < 1500 { "20000" } else { "超时" };
        csv.push_str(&format!("{},L1,{latency},0\n", t.format("%Y-%m-%d %H:%M")));
    }
    write(&dir.path().join("s.csv"), csv);
    scheme(
        dir.path(),
        "",
        &["{ id: A, name: 采样数, measure: count, source: samples, target: \">= 0\", points: 10, scoring: { rule: threshold } }"],
    );
    workspace(dir.path(), "  samples: s.csv\nschemes:\n  t: s.yaml\n");
    let report = json(dir.path(), &["check", "--month", "2025-08"]);
    let of = |code: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == code)
            .count()
    };
    assert_eq!((of("out_of_range"), of("parse")), (1500, 1205));
    let out = gwq()
        .arg("-w")
        .arg(dir.path())
        .args(["check", "--month", "2025-08", "--fail-on", "error"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("错误 2705 项"), "{text}");
    let score = json(dir.path(), &["score", "--month", "2025-08"]);
    assert_eq!(score["data_quality"]["findings"]["error"], 2705);
    // The workbook lists them all (far below a sheet's limit), without a note.
    let xlsx = dir.path().join("reports/2025-08/check-2025-08.xlsx");
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    let names = calamine::Reader::sheet_names(&book);
    let sheet = names
        .iter()
        .find(|n| n.starts_with("out_of_range"))
        .unwrap();
    let range = calamine::Reader::worksheet_range(&mut book, sheet).unwrap();
    let listed = range
        .rows()
        .filter(|r| r.iter().any(|c| c.to_string().contains("20000")))
        .count();
    assert_eq!(listed, 1500);
}

/// Faults exported with a ticket three times over, and phone checks with a call twice.
fn duplicated_exports(dir: &Path) {
    write(
        &dir.join("faults.csv"),
        "工单号,线路编号,故障等级,报障时间,响应时间\r\n\
         T1,L1,一级,2025-08-01 10:00,2025-08-01 10:10\r\n\
         T2,L1,一级,2025-08-02 10:00,2025-08-02 11:00\r\n\
         T2,L1,一级,2025-08-02 10:00,2025-08-02 11:00\r\n\
         T2,L1,一级,2025-08-02 10:00,2025-08-02 11:00\r\n",
    );
    write(
        &dir.join("phone.csv"),
        "拨打时间,是否接通\r\n2025-08-03 09:00,是\r\n2025-08-04 23:00,否\r\n2025-08-04 23:00,否\r\n",
    );
}

#[test]
fn exact_duplicates_are_dropped_from_every_table_before_measuring() {
    let dir = tempfile::tempdir().unwrap();
    duplicated_exports(dir.path());
    scheme(
        dir.path(),
        "",
        &[
            "{ id: N, name: 故障数, measure: count, source: faults, target: \"<= 5\", points: 30, scoring: { rule: threshold } }",
            "{ id: R, name: 响应及时率, measure: on_time_rate, source: faults, start: reported_at, end: responded_at, limit: { by: severity, values: { 1: 15m, 2: 30m, 3: 60m } }, target: \">= 90\", points: 40, scoring: { rule: threshold } }",
            "{ id: P, name: 接通率, measure: ratio, source: phone_checks, condition: \"answered\", target: \">= 90\", points: 30, scoring: { rule: threshold } }",
        ],
    );
    workspace(
        dir.path(),
        "  faults: faults.csv\n  phone_checks: phone.csv\nschemes:\n  t: s.yaml\n",
    );
    let check = json(dir.path(), &["check", "--month", "2025-08"]);
    assert_eq!(
        check["dropped_exact_duplicates"],
        serde_json::json!({"faults": 2, "phone_checks": 1})
    );
    assert!(
        check["findings"].as_array().unwrap().is_empty(),
        "exact duplicates are no `duplicate` finding: {check}"
    );
    let s = json(dir.path(), &["score", "--month", "2025-08"]);
    let value = |id: &str| {
        s["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == id)
            .unwrap()["value"]
            .as_f64()
            .unwrap()
    };
    // Two tickets, one answered in 10 min (limit 15), one in 60: 50 %, not 25 %.
    assert_eq!(value("N"), 2.0);
    assert_eq!(value("R"), 50.0);
    // Two calls, one answered: 50 %, not 33.3 %.
    assert_eq!(value("P"), 50.0);
}

#[test]
fn a_bad_row_exported_twice_is_reported_once() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("faults.csv"),
        "工单号,线路编号,故障等级,报障时间\r\n\
         T1,L1,一级,2025-08-01 10:00\r\n\
         T2,L1,一级,昨天上午\r\n\
         T2,L1,一级,昨天上午\r\n\
         T3,L1,二级,明天\r\n\
         T4,L1,二级,2025-08-02 10:00\r\n\
         T5,L1,三级,2025-08-03 10:00\r\n\
         T6,L1,三级,2025-08-04 10:00\r\n",
    );
    workspace(dir.path(), "  faults: faults.csv\n");
    let check = json(dir.path(), &["check", "--month", "2025-08"]);
    let rows: Vec<u64> = check["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "parse")
        .map(|f| f["row"].as_u64().unwrap())
        .collect();
    // Line 3 once (its repeat on line 4 is an exact duplicate), and T3 on line 5.
    assert_eq!(rows, [3, 5]);
    assert_eq!(check["dropped_exact_duplicates"]["faults"], 1);
}

#[test]
fn too_little_data_gives_no_total_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    duplicated_exports(dir.path());
    let indicators = [
        "{ id: A, name: 一级故障数, measure: count, source: faults, where: \"severity = 1\", target: \"<= 5\", points: 10, scoring: { rule: threshold } }",
        "{ id: B, name: 接通率, measure: ratio, source: phone_checks, condition: \"answered\", target: \">= 90\", points: 30, scoring: { rule: threshold } }",
        "{ id: C, name: 投诉办结率, measure: ratio, source: complaints, condition: \"resolved_at IS NOT NULL\", target: \">= 90\", points: 30, scoring: { rule: threshold } }",
        "{ id: D, name: 三级故障及时率, measure: on_time_rate, source: faults, start: reported_at, end: responded_at, limit: 60m, where: \"severity = 3\", target: \">= 90\", points: 30, scoring: { rule: threshold } }",
    ];
    scheme(dir.path(), "", &indicators);
    workspace(
        dir.path(),
        "  faults: faults.csv\n  phone_checks: phone.csv\nschemes:\n  t: s.yaml\n",
    );
    // August: A (10) and B (30) have data, 40 % of the points: below the default 60 %.
    let s = json(dir.path(), &["score", "--month", "2025-08"]);
    assert_eq!(s["status"], "insufficient_data");
    assert!(s["total"].is_null() && s["grade"].is_null() && s["payment_adjust_pct"].is_null());
    assert_eq!(s["scored_points_pct"], 40.0);
    assert_eq!(
        s["missing_indicators"],
        serde_json::json!([
            {"id": "C", "name": "投诉办结率", "points": 30.0, "reason": "not_configured"},
            {"id": "D", "name": "三级故障及时率", "points": 30.0, "reason": "no_matching_rows"}
        ])
    );
    let reasons: Vec<&Value> = s["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| &i["reason"])
        .collect();
    assert_eq!(
        reasons,
        [
            &Value::Null,
            &Value::Null,
            &Value::from("not_configured"),
            &Value::from("no_matching_rows")
        ]
    );
    // September: no rows at all; the count is 0 (never no_data), the rest say no_rows.
    let sep = json(dir.path(), &["score", "--month", "2025-09"]);
    assert_eq!(sep["status"], "insufficient_data");
    assert_eq!(sep["indicators"][0]["value"], 0.0);
    assert_eq!(sep["indicators"][1]["reason"], "no_rows");
    assert_eq!(sep["indicators"][3]["reason"], "no_rows");
    // In Chinese in the terminal table and the workbook.
    let out = gwq()
        .arg("-w")
        .arg(dir.path())
        .args(["score", "--month", "2025-08"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("无数据（数据源未配置）：C"), "{text}");
    assert!(text.contains("没有符合接入方式或筛选条件的记录"), "{text}");
    assert!(text.contains("数据不足，不计总分"), "{text}");
    let xlsx = dir.path().join("reports/2025-08/score-2025-08.xlsx");
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    let detail = calamine::Reader::worksheet_range(&mut book, "指标明细").unwrap();
    let cells: Vec<String> = detail.cells().map(|(_, _, c)| c.to_string()).collect();
    assert!(
        cells.iter().any(|c| c == "无数据：数据源未配置"),
        "{cells:?}"
    );
    let overview = calamine::Reader::worksheet_range(&mut book, "总览").unwrap();
    assert!(overview
        .cells()
        .any(|(_, _, c)| matches!(c, calamine::Data::String(t) if t == "数据不足")));

    // A scheme that accepts 40 %: A met (2 ≤ 5, 10 points), B not (50 % < 90): 10 of
    // 40 points, rescaled to 25 of 100, 不合格, −10 %.
    scheme(dir.path(), "min_scored_pct: 40\n", &indicators);
    let s = json(dir.path(), &["score", "--month", "2025-08"]);
    assert_eq!(s["status"], "ok");
    assert_eq!(s["total"], 25.0);
    assert_eq!(s["grade"], "不合格");
    assert_eq!(s["payment_adjust_pct"], -10.0);
}

#[test]
fn a_year_without_a_calendar_is_monday_to_friday_and_said() {
    let dir = tempfile::tempdir().unwrap();
    // 3 working days, 2027 taken as Monday–Friday: Mon 4 Jan → Thu 7 (on time);
    // Fri 8 → Wed 13 (on time); Fri 8 done Thu 14 (late). 2 of 3.
    write(
        &dir.path().join("prov.csv"),
        "工单号,申请日期,完成日期\nP1,2027-01-04,2027-01-07\nP2,2027-01-08,2027-01-13\nP3,2027-01-08,2027-01-14\n",
    );
    scheme(
        dir.path(),
        "",
        &["{ id: W, name: 开通及时率, measure: on_time_rate, source: provisioning, start: requested_on, end: completed_on, limit: 3wd, target: \">= 95\", points: 100, scoring: { rule: threshold } }"],
    );
    workspace(
        dir.path(),
        "  provisioning: prov.csv\nschemes:\n  t: s.yaml\n",
    );
    let s = json(dir.path(), &["score", "--year", "2027"]);
    assert!((s["indicators"][0]["value"].as_f64().unwrap() - 200.0 / 3.0).abs() < 1e-9);
    let said = s["data_quality"]["assumptions"].as_array().unwrap();
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(said[0].as_str().unwrap().contains("2027 年"));
    // A period whose items need no missing year assumes nothing; none needs no year.
    for period in [["--quarter", "2026Q4"], ["--month", "2024-12"]] {
        let s = json(dir.path(), &["score", period[0], period[1]]);
        assert_eq!(
            s["data_quality"]["assumptions"],
            serde_json::json!([]),
            "{period:?}"
        );
    }
}

#[test]
fn samples_with_latency_only_are_up_when_they_have_a_latency() {
    let dir = tempfile::tempdir().unwrap();
    // Four probes, the third timed out (no latency): 3 of 4 up; mean latency of the
    // reachable ones (10 + 20 + 30) / 3 = 20.
    write(
        &dir.path().join("s.csv"),
        "采集时间,线路编号,平均时延\r\n2025-08-01 00:00,L1,10\r\n2025-08-01 00:05,L1,20\r\n2025-08-01 00:10,L1,\r\n2025-08-01 00:15,L1,30\r\n",
    );
    scheme(
        dir.path(),
        "",
        &[
            "{ id: AV, name: 可用率, measure: availability, source: samples, target: \">= 99\", points: 50, scoring: { rule: threshold } }",
            "{ id: LAT, name: 平均时延, measure: mean, source: samples, column: latency_ms, where: \"reachable\", target: \"<= 20\", points: 50, scoring: { rule: threshold } }",
        ],
    );
    write(&dir.path().join("inv.csv"), "线路编号,接入方式\nL1,光纤\n");
    workspace(
        dir.path(),
        "  samples: s.csv\n  inventory: inv.csv\nschemes:\n  t: s.yaml\n",
    );
    let s = json(dir.path(), &["score", "--month", "2025-08"]);
    assert_eq!(s["indicators"][0]["value"], 75.0);
    assert_eq!(s["indicators"][1]["value"], 20.0);
    let check = json(dir.path(), &["check", "--month", "2025-08"]);
    assert!(
        !check["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "missing_required"),
        "a timed-out probe is a sample, not a missing value"
    );
}

#[test]
fn usage_errors_are_chinese_with_the_accepted_values_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&[&str], &[&str]); 5] = [
        (&["scroe"], &["没有命令 “scroe”", "score"]),
        (
            &["score", "--by", "city"],
            &["“city” 无效", "district", "unit", "line"],
        ),
        (
            &["score", "--month", "2025-13"],
            &["--month", "2025-13", "2025-08"],
        ),
        (&["score", "--quarter", "2025Q5"], &["--quarter", "2025Q3"]),
        (
            &["check", "--quater", "2025Q3"],
            &["不认识的参数 “--quater”"],
        ),
    ];
    for (args, wanted) in cases {
        let err = run_fails_with(dir.path(), args, 2);
        for w in wanted {
            assert!(err.contains(w), "{args:?}: {w} in {err}");
        }
        assert!(err.starts_with("错误："), "{err}");
        assert!(!err.contains("error:") && !err.contains("Usage:"), "{err}");
        assert!(err.contains("gwq --help"), "{err}");
    }
    // Where clap knows the usage line, it is given in Chinese.
    let err = run_fails_with(dir.path(), &["check", "--quater", "2025Q3"], 2);
    assert!(err.contains("用法：gwq check"), "{err}");
}

#[test]
fn help_shows_defaults_in_chinese() {
    for cmd in ["demo", "check", "score", "audit-fees"] {
        let out = gwq().args([cmd, "--help"]).output().unwrap();
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            !text.contains("[default:") && !text.contains("Usage:"),
            "{cmd}: {text}"
        );
        assert!(text.contains("用法："), "{cmd}: {text}");
    }
}

#[test]
fn progress_shows_on_a_terminal_only() {
    let dir = tempfile::tempdir().unwrap();
    duplicated_exports(dir.path());
    workspace(dir.path(), "  faults: faults.csv\n");
    // Piped: no bar on stderr.
    let out = assert_cmd::Command::cargo_bin("gwq")
        .unwrap()
        .env_remove("GWQ_WORKSPACE")
        .arg("-w")
        .arg(dir.path())
        .args(["check", "--month", "2025-08"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("数据稽核"));
    // On a terminal (util-linux `script` gives the command one), the step shows.
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        return;
    }
    let bin = assert_cmd::cargo::cargo_bin("gwq");
    let command = format!(
        "{} -w {} check --month 2025-08",
        bin.display(),
        dir.path().display()
    );
    let out = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env_remove("GWQ_WORKSPACE")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("数据稽核 2025-08"), "{text}");
}
