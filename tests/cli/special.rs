//! `gwq report special`: fault tickets judged against the scheme's limits by hand —
//! the chapters, the handling verdicts, the requirements and the impact figures.

use crate::common::*;

#[test]
fn faults_special_report_judges_each_step_against_its_limit() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("inv.csv"),
        "线路编号,接入方式,所属区,单位名称\r\nL1,光纤,浦东新区,甲局\r\nL2,光纤,闵行区,乙局\r\n",
    );
    // T1 (一级): responded in 10 min (limit 15), restored in 5 h (limit 4 h).
    // T2 (二级): responded in 45 min (limit 30), not restored (limit 8 h).
    write(
        &dir.path().join("faults.csv"),
        "工单号,线路编号,故障等级,报障时间,响应时间,恢复时间,故障原因\r\nT1,L1,1,2025-08-01 10:00,2025-08-01 10:10,2025-08-01 15:00,光缆中断\r\nT2,L2,2,2025-08-02 09:00,2025-08-02 09:45,,光缆中断\r\n",
    );
    write(
        &dir.path().join("s.yaml"),
        "scheme: 测试方案\ntotal_points: 20\naccess_type: fiber\ngrades: [{ min: 0, name: 合格 }]\ndimensions:\n  - id: d\n    name: 网络运维\n    indicators:\n      - { id: R, name: 响应及时率, measure: on_time_rate, source: faults, start: reported_at, end: responded_at, limit: { by: severity, values: { 1: 15m, 2: 30m } }, target: \">= 95\", points: 10, scoring: { rule: threshold } }\n      - { id: F, name: 修复及时率, measure: on_time_rate, source: faults, start: reported_at, end: restored_at, limit: { by: severity, values: { 1: 4h, 2: 8h } }, target: \">= 95\", points: 10, scoring: { rule: threshold } }\n",
    );
    workspace(
        dir.path(),
        "  inventory: inv.csv\n  faults: faults.csv\nschemes:\n  t: s.yaml\n",
    );
    let report = json(
        dir.path(),
        &[
            "report", "special", "--period", "2025-08", "--topic", "faults",
        ],
    );
    assert_eq!(
        (report["events"].as_u64(), report["late"].as_u64()),
        (Some(2), Some(3))
    );
    let xml = crate::report::document_xml(
        &dir.path()
            .join("reports/2025-08/special-faults-2025-08.docx"),
    );
    for text in [
        "一、背景与范围",
        "二、时间线",
        "三、影响",
        "四、原因",
        "五、处置",
        "六、整改要求",
        // 5 h + (08-02 09:00 → 09-01 00:00 = 711 h) of which one is still open.
        "涉及线路 2 条、单位 2 个；各记录从开始到结束（未结束的计到 2025-08-31）累计 716.00 小时，期末仍未结束 1 条。",
        "最多的是“光缆中断”，2 条。",
        "按评估方案的时限判定 4 个处置环节：按时 1 个，超时或逾期未完成 3 个。",
        "1. T1（线路 L1）的恢复用时 5.0 小时（时限 4.0 小时）",
        "2. T2（线路 L2）的响应用时 45 分钟（时限 30 分钟）",
        "3. T2（线路 L2）的恢复至期末未完成（时限 8.0 小时）",
    ] {
        assert!(xml.contains(text), "{text}");
    }
    let bad = gwq()
        .arg("-w")
        .arg(dir.path())
        .args([
            "report", "special", "--period", "2025-08", "--topic", "weather",
        ])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("未知的专题"));
}

/// `--topic fees` on the hand-computed quarter of the quarterly report's test: the
/// fee due 15045.16, −5 % = −752.26, and the one indicator that cost the points.
#[test]
fn the_fees_topic_gives_the_fee_due_and_the_adjustment() {
    let dir = tempfile::tempdir().unwrap();
    crate::report::hand_quarter(dir.path());
    let out = dir.path().join("out");
    let json: serde_json::Value = {
        let o = gwq()
            .arg("-w")
            .arg(dir.path())
            .arg("-o")
            .arg(&out)
            .arg("--json")
            .args(["report", "special", "--period", "2025Q3", "--topic", "fees"])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice(&o.stdout).unwrap()
    };
    assert_eq!(json["topic"], "fees");
    let pay = &json["payment"][0];
    assert_eq!(pay["total"], 0.0);
    assert_eq!(pay["payment_adjust_pct"], -5.0);
    assert_eq!(pay["fee_due"], "15045.16");
    assert_eq!(pay["adjust_yuan"], "-752.26");
    let xml = crate::report::document_xml(&out.join("special-fees-2025Q3.docx"));
    for heading in [
        "一、背景与范围",
        "二、费用与考核结果",
        "三、扣分指标",
        "四、整改要求",
        "附件",
    ] {
        assert!(xml.contains(heading), "{heading}");
    }
    assert!(xml.contains("可用率（A）"));
    assert!(xml.contains("15,045.16") || xml.contains("15045.16"));
}
