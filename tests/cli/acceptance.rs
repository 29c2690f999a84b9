//! `gwq acceptance`: a folder with months missing, an empty file and a corrupt docx,
//! checked against a checklist; the matrix written as Excel and Word, the JSON of
//! SPEC §10.

use crate::common::*;
use calamine::Reader;
use std::io::Write;

/// A minimal Word file with one line of text.
fn docx(path: &std::path::Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let opts = zip::write::SimpleFileOptions::default();
    zip.start_file("word/document.xml", opts).unwrap();
    write!(
        zip,
        "<w:document><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"
    )
    .unwrap();
    zip.finish().unwrap();
}

#[test]
fn missing_months_an_empty_file_and_a_corrupt_docx() {
    let dir = tempfile::tempdir().unwrap();
    let materials = dir.path().join("验收材料");
    docx(&materials.join("月报/monthly-2025-07.docx"), "七月");
    docx(&materials.join("月报/monthly-2025-08.docx"), "八月");
    write(&materials.join("月报/monthly-2025-09.docx"), "");
    write(
        &materials.join("季报/quarterly-2025Q3.docx"),
        "PK\u{3}\u{4} torn",
    );
    docx(&materials.join("fee-audit-2025.docx"), "稽核");
    write(
        &dir.path().join("check.yaml"),
        "period: 2025-07-01..2025-12-31\nitems:\n  - { name: 监管月报, pattern: \"monthly-{month}.docx\", per: month }\n  - { name: 季度报告, pattern: \"quarterly-{quarter}.docx\", per: quarter }\n  - { name: 费用稽核报告, pattern: \"fee-audit-*.docx\", count: 1 }\n",
    );
    let out = dir.path().join("out");
    let run = gwq()
        .current_dir(dir.path())
        .args(["--json", "acceptance"])
        .arg(&materials)
        .arg("--checklist")
        .arg(dir.path().join("check.yaml"))
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let items = json["items"].as_array().unwrap();
    assert_eq!(
        (&items[0]["required"], &items[0]["found"]),
        (&6.into(), &3.into())
    );
    assert_eq!(
        items[0]["missing"],
        serde_json::json!(["2025-10", "2025-11", "2025-12"])
    );
    assert_eq!(
        items[0]["problems"],
        serde_json::json!(["月报/monthly-2025-09.docx：空文件"])
    );
    assert_eq!(items[1]["missing"], serde_json::json!(["2025Q4"]));
    assert!(items[1]["problems"][0]
        .as_str()
        .unwrap()
        .contains("无法打开"));
    assert!(items[2]["missing"].as_array().unwrap().is_empty());
    assert!(items[2]["problems"].as_array().unwrap().is_empty());
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook(out.join("acceptance-2025-07-01_2025-12-31.xlsx")).unwrap();
    let range = book.worksheet_range("核对结果").unwrap();
    let text: Vec<String> = range.rows().flatten().map(|c| c.to_string()).collect();
    assert!(text.iter().any(|c| c == "不齐全"));
    assert!(book.sheet_names().iter().any(|n| n == "按月核对"));
    let xml = crate::report::document_xml(&out.join("acceptance-2025-07-01_2025-12-31.docx"));
    assert!(xml.contains("清单 3 项，齐全且可用 1 项，缺少材料 2 项，无法使用的文件 2 个"));
}

#[test]
fn a_missing_folder_or_a_bad_checklist_is_one_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let run = gwq()
        .current_dir(dir.path())
        .args(["acceptance", "nosuch", "--period", "2025"])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&run.stderr).contains("找不到材料目录"));
    write(
        &dir.path().join("c.yaml"),
        "items:\n  - { name: 月报, pattern: \"monthly-{month}.docx\" }\n",
    );
    let run = gwq()
        .current_dir(dir.path())
        .args([
            "acceptance",
            ".",
            "--period",
            "2025",
            "--checklist",
            "c.yaml",
        ])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&run.stderr).contains("per: month"));
}
