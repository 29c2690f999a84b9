//! `gwq problems` on a small workspace whose August raises one problem of each kind:
//! sync adds them once, keeps a person's edits cell for cell, refuses a locked file,
//! lists what is overdue on a fixed day, closes one; backups are kept.

use crate::common::*;
use calamine::Reader;

/// August: line L1 up in one sample of two (availability 50 % < 99), a sample row
/// with an unreadable time (a `parse` error), a failed site test, a missed call;
/// September only a missed call.
fn august(dir: &std::path::Path) {
    write(
        &dir.join("inv.csv"),
        "线路编号,接入方式,所属区,带宽\r\nL1,光纤,浦东新区,100M\r\n",
    );
    write(
        &dir.join("s.csv"),
        "采集时间,线路编号,平均时延,丢包率\r\n2025-08-01 00:00,L1,10,0\r\n2025-08-01 00:05,L1,,100\r\n不是时间,L1,10,0\r\n",
    );
    write(
        &dir.join("site.csv"),
        "线路编号,测试日期,实测带宽,是否达标\r\nL1,2025-08-05,60,否\r\n",
    );
    write(
        &dir.join("phone.csv"),
        "拨打时间,是否接通\r\n2025-08-09 23:10,否\r\n2025-08-10 10:00,是\r\n2025-09-03 09:00,否\r\n",
    );
    write(
        &dir.join("s.yaml"),
        "scheme: 测试方案\ntotal_points: 10\naccess_type: fiber\ngrades: [{ min: 0, name: 合格 }]\ndimensions:\n  - id: d\n    name: 网络性能\n    indicators:\n      - { id: A, name: 可用率, measure: availability, source: samples, target: \">= 99\", points: 10, scoring: { rule: threshold } }\n",
    );
    workspace(
        dir,
        "  samples: s.csv\n  inventory: inv.csv\n  site_tests: site.csv\n  phone_checks: phone.csv\nschemes:\n  fiber: s.yaml\nproblems:\n  path: ledger/problems.xlsx\n  owner: { default: 服务商, field: 监理现场组 }\n",
    );
}

/// Every cell of the ledger's first sheet as text.
fn cells(path: &std::path::Path) -> Vec<Vec<String>> {
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(path).unwrap();
    let range = book.worksheet_range("问题清单").unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

/// What a person does in Excel: sets 责任方 and 状态 of the first problem, adds a
/// column of their own with a value, saves (dates stay dates).
fn edit_as_a_person(path: &std::path::Path) {
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(path).unwrap();
    let range = book.worksheet_range("问题清单").unwrap();
    let mut rows: Vec<Vec<calamine::Data>> = range.rows().map(|r| r.to_vec()).collect();
    let col =
        |rows: &[Vec<calamine::Data>], name: &str| rows[0].iter().position(|h| *h == name).unwrap();
    let (owner, status) = (col(&rows, "责任方"), col(&rows, "状态"));
    rows[1][owner] = calamine::Data::String("电信政企部".into());
    rows[1][status] = calamine::Data::String("整改中".into());
    rows[0].push(calamine::Data::String("督办人".into()));
    rows[1].push(calamine::Data::String("张三".into()));
    let mut out = rust_xlsxwriter::Workbook::new();
    let ws = out.add_worksheet();
    ws.set_name("问题清单").unwrap();
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match v {
                calamine::Data::DateTime(d) => {
                    ws.write_number_with_format(r, c, d.as_f64(), &date)
                        .unwrap();
                }
                calamine::Data::Empty => {}
                other => {
                    ws.write(r, c, other.to_string()).unwrap();
                }
            }
        }
    }
    out.save(path).unwrap();
}

#[test]
fn sync_adds_once_keeps_a_persons_edits_and_closes() {
    let dir = tempfile::tempdir().unwrap();
    august(dir.path());
    let ledger = dir.path().join("ledger/problems.xlsx");
    let first = json(dir.path(), &["problems", "sync", "--month", "2025-08"]);
    // The indicator, the parse error, the site test, the missed call.
    assert_eq!(first["added"], 4);
    assert!(first["backup"].is_null(), "no file before");
    let again = json(dir.path(), &["problems", "sync", "--month", "2025-08"]);
    assert_eq!(
        (again["added"].as_u64(), again["unchanged"].as_u64()),
        (Some(0), Some(4))
    );
    let list = json(dir.path(), &["problems", "list"]);
    let problems = list["problems"].as_array().unwrap();
    let keys: Vec<&str> = problems
        .iter()
        .map(|p| p["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "indicator:fiber:A:2025-08",
            "check:parse:s.csv:4",
            "field:site_test:L1:2025-08-05",
            "field:phone_check:2025-08-09 23:10",
        ]
    );
    // Owners and deadlines from gwq.yaml's problems: (defaults 20 d, 10 d, 15 d).
    assert_eq!(problems[0]["deadline"], "2025-09-21");
    assert_eq!(problems[1]["deadline"], "2025-09-11");
    assert_eq!(problems[2]["owner"], "监理现场组");
    assert_eq!(problems[2]["deadline"], "2025-08-20");
    assert_eq!(problems[3]["deadline"], "2025-08-24");

    edit_as_a_person(&ledger);
    let before = cells(&ledger);
    // September's missed call is added; the person's cells and column survive.
    let sept = json(dir.path(), &["problems", "sync", "--month", "2025-09"]);
    assert_eq!(sept["added"], 1, "{sept}");
    let after = cells(&ledger);
    for (r, row) in before.iter().enumerate() {
        assert_eq!(&after[r][..row.len()], &row[..], "row {r}");
    }
    assert_eq!(after[1][after[0].len() - 1], "张三");
    assert!(sept["backup"].as_str().unwrap().contains("backup"));

    // Overdue on 2025-09-15: the parse error (due 09-11), the site test (08-20) and
    // the call (08-24); not the indicator (09-21) nor September's call (09-18).
    let late = json(
        dir.path(),
        &["problems", "list", "--overdue", "--as-of", "2025-09-15"],
    );
    let ids: Vec<&str> = late["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["P0002", "P0003", "P0004"]);
    let closed = json(
        dir.path(),
        &[
            "problems",
            "close",
            "P0003",
            "--date",
            "2025-09-10",
            "--note",
            "已复测达标",
        ],
    );
    assert_eq!(closed["status"], "已关闭");
    assert_eq!(closed["closed_on"], "2025-09-10");
    let open = json(
        dir.path(),
        &["problems", "list", "--open", "--source", "field"],
    );
    assert_eq!(open["problems"].as_array().unwrap().len(), 2);
    let show = json(dir.path(), &["problems", "show", "P0001"]);
    assert_eq!(show["columns"]["督办人"], "张三");
    assert_eq!(show["owner"], "电信政企部");
    let backups = std::fs::read_dir(dir.path().join("ledger/backup"))
        .unwrap()
        .count();
    assert_eq!(backups, 2, "one per write after the first");
}

#[test]
fn a_locked_ledger_is_refused_with_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    august(dir.path());
    let ledger = dir.path().join("ledger/problems.xlsx");
    json(dir.path(), &["problems", "sync", "--month", "2025-08"]);
    let bytes = std::fs::read(&ledger).unwrap();
    write(&dir.path().join("ledger/.~lock.problems.xlsx#"), "x");
    let out = gwq()
        .arg("-w")
        .arg(dir.path())
        .args(["problems", "close", "P0001", "--date", "2025-09-01"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("正被其他程序打开") && err.contains("LibreOffice"),
        "{err}"
    );
    assert_eq!(std::fs::read(&ledger).unwrap(), bytes);
    let unknown = gwq()
        .arg("-w")
        .arg(dir.path())
        .args(["problems", "show", "P9999"])
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("没有问题 P9999"));
}

#[test]
fn sync_with_a_budget_adds_each_fee_error_once() {
    let dir = tempfile::tempdir().unwrap();
    small_demo(dir.path(), false);
    let path = dir.path().join("data/预算/网络通信服务费用预算.xlsx");
    let budget = path.to_str().unwrap();
    let audit = json(dir.path(), &["audit-fees", budget]);
    let errors = audit["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .count();
    assert!(errors > 0);
    let first = json(
        dir.path(),
        &["problems", "sync", "--month", "2025-08", "--budget", budget],
    );
    let fees = json(dir.path(), &["problems", "list", "--source", "fees"]);
    let problems = fees["problems"].as_array().unwrap();
    assert_eq!(problems.len(), errors);
    assert!(problems
        .iter()
        .all(|p| p["key"].as_str().unwrap().starts_with("fees:")));
    // Fee problems are due 30 days after they are found (the day after August).
    assert_eq!(problems[0]["deadline"], "2025-10-01");
    let again = json(
        dir.path(),
        &["problems", "sync", "--month", "2025-08", "--budget", budget],
    );
    assert_eq!(again["added"], 0);
    assert_eq!(again["unchanged"], first["added"]);
}

#[test]
fn an_indicator_met_two_periods_running_is_to_be_verified_not_closed() {
    let dir = tempfile::tempdir().unwrap();
    august(dir.path());
    json(dir.path(), &["problems", "sync", "--month", "2025-08"]);
    // L1 up in September and October.
    let samples = dir.path().join("s.csv");
    let mut text = std::fs::read_to_string(&samples).unwrap();
    text.push_str("2025-09-01 00:00,L1,10,0\r\n2025-10-01 00:00,L1,10,0\r\n");
    write(&samples, text);
    // September alone: met once after August's failure — not yet.
    let sept = json(dir.path(), &["problems", "sync", "--month", "2025-09"]);
    assert_eq!(sept["reverify"], 0);
    // October: met in September and October (reverify_periods 2).
    let oct = json(dir.path(), &["problems", "sync", "--month", "2025-10"]);
    assert_eq!(oct["reverify"], 1);
    let p = json(dir.path(), &["problems", "show", "P0001"]);
    assert_eq!(p["status"], "待复核");
    assert!(p["closed_on"].as_str().unwrap().is_empty());
    let note = p["columns"]["备注"].as_str().unwrap();
    assert!(note.contains("2025-09、2025-10"), "{note}");
    // Again: nothing more to mark.
    let again = json(dir.path(), &["problems", "sync", "--month", "2025-10"]);
    assert_eq!(again["reverify"], 0);
}

#[test]
fn the_monthly_report_shows_the_ledgers_movements() {
    let dir = tempfile::tempdir().unwrap();
    august(dir.path());
    json(dir.path(), &["problems", "sync", "--month", "2025-08"]);
    // Found in August: the site test (08-05, due 08-20) and the call (08-09, due
    // 08-24); the indicator and the parse error are found on 09-01.
    let report = json(dir.path(), &["report", "monthly", "--month", "2025-08"]);
    let l = &report["ledger"];
    assert_eq!(
        (&l["carried_over"], &l["new"], &l["closed"], &l["open"]),
        (&0.into(), &2.into(), &0.into(), &2.into())
    );
    let late: Vec<(&str, i64)> = l["overdue"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["id"].as_str().unwrap(), o["days_late"].as_i64().unwrap()))
        .collect();
    assert_eq!(late, [("P0003", 11), ("P0004", 7)]);
    // R4 asks for 督办 of each.
    let r4 = report["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["rule"] == "R4")
        .count();
    assert_eq!(r4, 2);
    let xml = crate::report::document_xml(&dir.path().join("reports/2025-08/monthly-2025-08.docx"));
    assert!(xml.contains("期初未关闭 0 项，本月新增 2 项、关闭 0 项，月末未关闭 2 项（0 + 2 − 0 = 2）；其中超过整改期限 2 项。"));
    // September: both carried over, the indicator, the parse error and September's
    // call new (after a sync of September).
    json(dir.path(), &["problems", "sync", "--month", "2025-09"]);
    let sept = json(dir.path(), &["report", "monthly", "--month", "2025-09"]);
    assert_eq!(sept["ledger"]["carried_over"], 2);
    assert_eq!(sept["ledger"]["new"], 3);
}
