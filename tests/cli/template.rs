//! `gwq template`: every table's template, filled with the example row of its 填写说明
//! sheet, is read by ingest with no `columns:` mapping and no finding; a value outside
//! a drop-down is a clear `parse` finding.

use crate::common::*;
use calamine::Reader;

const TABLES: [&str; 16] = [
    "inventory",
    "samples",
    "outages",
    "faults",
    "provisioning",
    "inspections",
    "drills",
    "security",
    "complaints",
    "phone_checks",
    "site_tests",
    "projects",
    "provider_reports",
    "surveys",
    "sim_cards",
    "kpi_5g",
];

/// The data sheet's header and the guide's example row of a template.
fn header_and_example(path: &std::path::Path) -> (Vec<String>, Vec<String>) {
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(path).unwrap();
    let text = |r: &[calamine::Data]| -> Vec<String> {
        r.iter()
            .map(|c| c.to_string())
            .filter(|c| !c.is_empty())
            .collect()
    };
    let data = book.worksheet_range("数据").unwrap();
    let header = text(data.rows().nth(1).unwrap());
    let guide = book.worksheet_range("填写说明").unwrap();
    let rows: Vec<_> = guide.rows().collect();
    let at = rows.iter().position(|r| r[0] == "示例行：").unwrap();
    assert_eq!(text(rows[at + 1]), header, "{}", path.display());
    (header, text(rows[at + 2]))
}

/// A filled template: the title row, the header, the rows.
fn filled(path: &std::path::Path, header: &[String], rows: &[Vec<String>]) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.write(0, 0, "报送数据").unwrap();
    for (c, h) in header.iter().enumerate() {
        ws.write(1, c as u16, h.as_str()).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write(r as u32 + 2, c as u16, v.as_str()).unwrap();
        }
    }
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    book.save(path).unwrap();
}

#[test]
fn every_template_filled_with_its_example_ingests_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let templates = dir.path().join("templates");
    gwq()
        .arg("-w")
        .arg(dir.path())
        .args(["template", "-o"])
        .arg(&templates)
        .assert()
        .success();
    let mut sources = String::new();
    for name in TABLES {
        let (header, example) =
            header_and_example(&templates.join(format!("template-{name}.xlsx")));
        filled(
            &dir.path().join(format!("data/{name}.xlsx")),
            &header,
            &[example],
        );
        sources.push_str(&format!("  {name}: data/{name}.xlsx\n"));
    }
    workspace(dir.path(), &sources);
    let check = json(dir.path(), &["check", "--month", "2025-08"]);
    let rejected: Vec<&serde_json::Value> = check["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "parse" || f["code"] == "missing_required")
        .collect();
    assert!(rejected.is_empty(), "{rejected:?}");
    for name in TABLES {
        assert_eq!(cached(dir.path(), name).height(), 1, "{name}");
    }
}

#[test]
fn a_value_outside_the_drop_down_is_a_parse_finding() {
    let dir = tempfile::tempdir().unwrap();
    gwq()
        .arg("-w")
        .arg(dir.path())
        .args(["template", "faults", "-o"])
        .arg(dir.path())
        .assert()
        .success();
    assert!(
        !dir.path().join("template-samples.xlsx").exists(),
        "only the one asked for"
    );
    let (header, mut example) = header_and_example(&dir.path().join("template-faults.xlsx"));
    let satisfied = header.iter().position(|h| h == "满意").unwrap();
    example[satisfied] = "也许".into();
    filled(&dir.path().join("data/faults.xlsx"), &header, &[example]);
    workspace(dir.path(), "  faults: data/faults.xlsx\n");
    let check = json(dir.path(), &["check", "--month", "2025-08"]);
    let parse: Vec<&serde_json::Value> = check["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "parse")
        .collect();
    assert_eq!(parse.len(), 1, "{parse:?}");
    assert_eq!(parse[0]["row"], 3);
    assert_eq!(parse[0]["column"], "satisfied");
    assert!(
        parse[0]["message"].as_str().unwrap().contains("也许"),
        "{}",
        parse[0]
    );
    let unknown = gwq()
        .arg("-w")
        .arg(dir.path())
        .args(["template", "nosuch"])
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("未知的数据表"));
}
