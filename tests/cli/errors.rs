//! Bad input: one clear message naming the file (and row/column), exit 1, no panic.

use crate::common::*;
use std::path::Path;

/// Runs ingest and returns stderr, asserting exit 1 and no panic.
fn fails(dir: &Path) -> String {
    let out = gwq().arg("-w").arg(dir).arg("ingest").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        !err.contains("panicked") && !err.contains("内部错误"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "one message: {err}");
    err
}

#[test]
fn binary_garbage_csv() {
    let dir = tempfile::tempdir().unwrap();
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
    write(&dir.path().join("s.csv"), garbage);
    workspace(dir.path(), "  samples: s.csv\n");
    assert!(fails(dir.path()).contains("s.csv"));
}

#[test]
fn truncated_xlsx() {
    let dir = tempfile::tempdir().unwrap();
    let mut book = rust_xlsxwriter::Workbook::new();
    book.add_worksheet().write_string(0, 0, "线路编号").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    write(&dir.path().join("inv.xlsx"), &bytes[..bytes.len() / 2]);
    workspace(dir.path(), "  inventory: inv.xlsx\n");
    assert!(fails(dir.path()).contains("inv.xlsx"));
}

/// Workbooks damaged so that calamine fills memory (a sector chain that loops) or
/// panics (a sector past the end), both found by `make fuzz`: one clear error each.
#[test]
fn damaged_compound_workbooks() {
    let fixtures =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz/excel");
    for (name, says) in [
        ("oom-fat-loop.xls", "扇区链成环"),
        ("panic-sector-past-end.xlsx", "结构已损坏"),
        ("xls-dimensions-832GB.xls", "DIMENSIONS 记录称有"),
        ("xls-cells-span-137GB.xls", "单元格跨"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let ext = name.rsplit('.').next().unwrap();
        std::fs::copy(fixtures.join(name), dir.path().join(format!("inv.{ext}"))).unwrap();
        workspace(dir.path(), &format!("  inventory: inv.{ext}\n"));
        let err = fails(dir.path());
        assert!(
            err.contains(&format!("inv.{ext}")) && err.contains(says),
            "{err}"
        );
    }
}

/// An .xlsx with a stray cell far from its data (XFD1048576): calamine would lay the
/// sheet out as 17 billion cells; gwq names the sheet, the span and the fix instead.
#[test]
fn a_stray_cell_far_from_the_data_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet().set_name("台账").unwrap();
    sheet.write(0, 0, "线路编号").unwrap();
    sheet.write(0, 1, "接入方式").unwrap();
    sheet.write(1, 0, "L1").unwrap();
    sheet.write(1, 1, "光纤").unwrap();
    sheet.write(1_048_575, 16_383, "x").unwrap();
    book.save(dir.path().join("inv.xlsx")).unwrap();
    workspace(dir.path(), "  inventory: inv.xlsx\n");
    let err = fails(dir.path());
    for says in [
        "inv.xlsx",
        "“台账”",
        "从 A1 到 XFD1048576",
        "1048576 行 × 16384 列",
        "删除",
    ] {
        assert!(err.contains(says), "{says}: {err}");
    }
}

/// Exports that are not Excel inside an `.xls` name: the message says what they are
/// and how to fix them.
#[test]
fn web_page_xml_and_csv_saved_as_xls() {
    for (body, says) in [
        (
            "<html><body><table><tr><td>线路编号</td></tr><tr><td>L1</td></tr></table></body></html>",
            "网页（HTML）表格",
        ),
        (
            "<?xml version=\"1.0\"?>\n<Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\"></Workbook>",
            "XML 电子表格",
        ),
        ("线路编号,接入方式\nL1,光纤\n", "改为 .csv"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        write(&dir.path().join("inv.xls"), body);
        workspace(dir.path(), "  inventory: inv.xls\n");
        let err = fails(dir.path());
        assert!(err.contains("inv.xls") && err.contains(says), "{err}");
    }
}

#[test]
fn empty_file() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("s.csv"), "");
    workspace(dir.path(), "  samples: s.csv\n");
    let err = fails(dir.path());
    assert!(err.contains("s.csv") && err.contains("为空"), "{err}");
}

#[test]
fn missing_required_column() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("s.csv"),
        "采集时间,时延(ms)\n2025-07-01 00:00,3\n",
    );
    workspace(dir.path(), "  samples: s.csv\n");
    let err = fails(dir.path());
    assert!(
        err.contains("s.csv") && err.contains("line_id") && err.contains("线路编号"),
        "{err}"
    );
}

#[test]
fn wrong_type_in_required_column() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("s.csv"),
        "采集时间,线路编号,时延\n正常,L1,3\n正常,L2,4\n",
    );
    workspace(dir.path(), "  samples: s.csv\n");
    let err = fails(dir.path());
    assert!(
        err.contains("s.csv") && err.contains("第 2 行") && err.contains("time"),
        "{err}"
    );
}

#[test]
fn unknown_key_in_gwq_yaml() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("gwq.yaml"),
        "name: t\nsource:\n  samples: s.csv\n",
    );
    let err = fails(dir.path());
    assert!(err.contains("gwq.yaml") && err.contains("source"), "{err}");
}

#[test]
fn missing_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let err = fails(dir.path());
    assert!(err.contains("gwq.yaml"), "{err}");
}

#[test]
fn bad_period_is_a_usage_error_naming_the_value() {
    let dir = tempfile::tempdir().unwrap();
    workspace(dir.path(), "  samples: none/*.csv\n");
    let out = gwq()
        .arg("-w")
        .arg(dir.path())
        .args(["check", "--quarter", "2025Q5"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("2025Q5"));
}

#[test]
fn usage_error_exits_2() {
    let out = gwq()
        .args(["check", "--month", "2025-08", "--quarter", "2025Q3"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("不能与") && err.contains("同时使用"), "{err}");
}

#[test]
fn help_shows_examples_and_completions_are_scripts() {
    let help = gwq().args(["problems", "--help"]).output().unwrap();
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(
        text.contains("示例：") && text.contains("gwq -w demo-ws problems sync --month 2025-08"),
        "{text}"
    );
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = gwq().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}");
        let script = String::from_utf8_lossy(&out.stdout);
        assert!(
            script.contains("gwq") && script.contains("report"),
            "{shell}"
        );
    }
}
