//! `gwq scheme`: the evaluation scheme lists every indicator with its target, points
//! and formula sentence, in Word and Excel; `--diff` lists exactly the changed fields;
//! the supervision scheme has its chapters and the ledger's deadlines.

use crate::common::*;
use calamine::Reader;

#[test]
fn the_evaluation_scheme_lists_every_indicator() {
    let dir = tempfile::tempdir().unwrap();
    small_demo(dir.path(), false);
    gwq()
        .arg("-w")
        .arg(dir.path())
        .args(["scheme", "--scheme", "fiber"])
        .assert()
        .success();
    let out = dir.path().join("reports/schemes");
    let xml = crate::report::document_xml(&out.join("scheme-fiber.docx"));
    let yaml = std::fs::read_to_string(dir.path().join("indicators/fiber.yaml")).unwrap();
    let ids: Vec<&str> = yaml
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- id: "))
        .filter(|id| id.contains('-'))
        .collect();
    assert_eq!(ids.len(), 23);
    for id in &ids {
        assert!(xml.contains(id), "{id}");
    }
    for text in [
        "一、编制依据",
        "三、指标体系",
        "（一）网络建设（15 分）",
        "故障响应及时率 = 时限内响应的故障工单数 ÷ 统计期内报障的故障工单数 × 100%，时限按故障等级：一级 15 分钟、二级 30 分钟、三级 1 小时",
        "目标值：&gt;= 98%",
        "一票否决：未达标时总分最高计 59 分",
        "GB/T 33850-2017",
        "数据稽核要求",
    ] {
        assert!(xml.contains(text), "{text}");
    }
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook(out.join("scheme-fiber.xlsx")).unwrap();
    let range = book.worksheet_range("指标体系").unwrap();
    let rows = range
        .rows()
        .filter(|r| ids.iter().any(|id| r.iter().any(|c| *c == *id)))
        .count();
    assert_eq!(rows, 23);
}

#[test]
fn diff_lists_exactly_the_changed_fields() {
    let dir = tempfile::tempdir().unwrap();
    small_demo(dir.path(), false);
    let now = dir.path().join("indicators/fiber.yaml");
    let old = dir.path().join("old-fiber.yaml");
    let text = std::fs::read_to_string(&now).unwrap();
    // The older version: OPS-RESP's target was 95.
    let before = text.replacen("target: \">= 98\"", "target: \">= 95\"", 1);
    assert_ne!(before, text);
    write(&old, before);
    gwq()
        .arg("-w")
        .arg(dir.path())
        .args(["scheme", "--scheme", "fiber", "--diff"])
        .arg(&old)
        .assert()
        .success();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook(dir.path().join("reports/schemes/scheme-fiber.xlsx")).unwrap();
    let range = book.worksheet_range("修订对照").unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .skip(3)
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0][0], "OPS-RESP 故障响应及时率");
    assert_eq!(&rows[0][1..], ["目标", ">= 95", ">= 98"]);
}

#[test]
fn the_supervision_scheme_has_its_chapters() {
    let dir = tempfile::tempdir().unwrap();
    small_demo(dir.path(), false);
    gwq()
        .arg("-w")
        .arg(dir.path())
        .args(["scheme", "--supervision"])
        .assert()
        .success();
    let xml =
        crate::report::document_xml(&dir.path().join("reports/schemes/supervision-fiber.docx"));
    for text in [
        "一、监管事项",
        "二、监管方式",
        "三、年度工作日历",
        "四、闭环流程",
        "五、服务商报送清单",
        "六、保密要求",
        "2025-07 监管月报（2025-08-07 前）",
        "2025Q3 季度报告",
    ] {
        assert!(xml.contains(text), "{text}");
    }
    assert!(dir
        .path()
        .join("reports/schemes/supervision-5g.xlsx")
        .is_file());
}
