//! Issued reports and corrections (SPEC §19): issue a monthly report, add a late
//! fault ticket, rerun: the correction lists exactly the changed figures and input,
//! and the first issued record is unchanged.

use crate::common::*;
use serde_json::Value;

const FAULTS: &str = "工单号,线路编号,故障等级,报障时间\nF1,L1,二级,2025-07-03 10:00\n";

/// July: availability 100 % (met); faults counted against "<= 1" (met with one).
fn workspace_with_faults(dir: &std::path::Path) {
    write(
        &dir.join("s.csv"),
        "采集时间,线路编号,时延(ms),可达\n2025-07-01 00:00,L1,3,是\n2025-07-01 00:05,L1,3,是\n",
    );
    write(
        &dir.join("inv.csv"),
        "线路编号,接入方式,开通日期\nL1,光纤,2020-01-01\n",
    );
    write(&dir.join("faults.csv"), FAULTS);
    write(
        &dir.join("s.yaml"),
        "scheme: 测试方案\ntotal_points: 20\naccess_type: fiber\ngrades: [{ min: 15, name: 合格 }, { min: 0, name: 不合格 }]\npayment: [{ min: 15, adjust_pct: 0 }, { min: 0, adjust_pct: -5 }]\ndimensions:\n  - id: d\n    name: 维度\n    indicators:\n      - { id: A, name: 可用率, measure: availability, source: samples, target: \">= 99\", unit: \"%\", points: 10, scoring: { rule: threshold } }\n      - { id: F, name: 故障数, measure: count, source: faults, target: \"<= 1\", points: 10, scoring: { rule: threshold } }\n",
    );
    workspace(
        dir,
        "  samples: s.csv\n  inventory: inv.csv\n  faults: faults.csv\nschemes:\n  fiber: s.yaml\n",
    );
}

fn monthly(dir: &std::path::Path, issue: bool) {
    let mut cmd = gwq();
    cmd.arg("-w")
        .arg(dir)
        .args(["report", "monthly", "--month", "2025-07"]);
    if issue {
        cmd.arg("--issue");
    }
    cmd.assert().success();
}

fn read(path: &std::path::Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// A special report issued (`--issue` before the kind), then a late ticket: its event
/// count is the changed figure.
#[test]
fn a_special_report_is_corrected_too() {
    let dir = tempfile::tempdir().unwrap();
    workspace_with_faults(dir.path());
    let special = |issue: bool| {
        let mut cmd = gwq();
        cmd.arg("-w").arg(dir.path()).arg("report");
        if issue {
            cmd.arg("--issue");
        }
        cmd.args(["special", "--period", "2025-07", "--topic", "faults"]);
        cmd.assert().success();
    };
    special(true);
    assert!(dir
        .path()
        .join("reports/issued/special-faults-2025-07.r1.json")
        .exists());
    write(
        &dir.path().join("faults.csv"),
        format!("{FAULTS}F2,L1,三级,2025-07-30 16:00\n"),
    );
    special(false);
    let c = read(
        &dir.path()
            .join("reports/2025-07/correction-special-faults-2025-07.json"),
    );
    assert_eq!(c["figures"][0]["figure"], "事件数");
    assert_eq!(c["figures"][0]["before"], 1.0);
    assert_eq!(c["figures"][0]["after"], 2.0);
    assert_eq!(
        c["inputs"]["hash_changed"],
        serde_json::json!(["faults.csv"])
    );
    // Not issued this time: still one record.
    assert!(!dir
        .path()
        .join("reports/issued/special-faults-2025-07.r2.json")
        .exists());
}

#[test]
fn a_late_ticket_gives_a_correction_and_the_issued_record_stays() {
    let dir = tempfile::tempdir().unwrap();
    workspace_with_faults(dir.path());
    monthly(dir.path(), true);
    let issued = dir.path().join("reports/issued/monthly-2025-07.r1.json");
    let first = std::fs::read(&issued).unwrap();
    let r1: Value = serde_json::from_slice(&first).unwrap();
    assert_eq!(r1["revision"], 1);
    assert_eq!(r1["content"]["scores"][0]["total"], 20.0);
    // The same data again: no correction.
    monthly(dir.path(), false);
    let out = dir.path().join("reports/2025-07");
    assert!(!out.join("correction-monthly-2025-07.json").exists());

    // A late fault ticket of July: 2 faults, F no longer met.
    write(
        &dir.path().join("faults.csv"),
        format!("{FAULTS}F2,L1,三级,2025-07-30 16:00\n"),
    );
    monthly(dir.path(), true);
    let c = read(&out.join("correction-monthly-2025-07.json"));
    assert_eq!(c["corrects_revision"], 1);
    let figures: Vec<(&str, f64, f64)> = c["figures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["figure"].as_str().unwrap(),
                f["before"].as_f64().unwrap(),
                f["after"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        figures,
        vec![
            ("测试方案：总分", 20.0, 10.0),
            ("测试方案：费用调整(%)", 0.0, -5.0),
            ("测试方案：故障数（F）实际值", 1.0, 2.0),
            ("测试方案：故障数（F）得分", 10.0, 0.0),
        ]
    );
    assert_eq!(c["figures"][0]["difference"], -10.0);
    assert_eq!(
        c["inputs"]["hash_changed"],
        serde_json::json!(["faults.csv"])
    );
    assert_eq!(c["inputs"]["added"], serde_json::json!([]));
    assert_eq!(c["effect"][0]["grade_before"], "合格");
    assert_eq!(c["effect"][0]["grade_after"], "不合格");
    assert_eq!(c["effect"][0]["payment_adjust_pct_after"], -5.0);
    let xml = crate::report::document_xml(&out.join("monthly-2025-07.docx"));
    assert!(xml.contains("更正说明"));
    // r1 untouched, r2 recorded with the correction.
    assert_eq!(std::fs::read(&issued).unwrap(), first);
    let r2 = read(&dir.path().join("reports/issued/monthly-2025-07.r2.json"));
    assert_eq!(r2["content"]["correction"]["corrects_revision"], 1);
    let history = json(dir.path(), &["report", "history"]);
    let revisions: Vec<(String, u64, bool)> = history["issued"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["report"].as_str().unwrap().to_string(),
                h["revision"].as_u64().unwrap(),
                h["corrected"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        revisions,
        vec![
            ("monthly-2025-07".to_string(), 1, false),
            ("monthly-2025-07".to_string(), 2, true)
        ]
    );
}
