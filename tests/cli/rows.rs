//! Row numbers of findings in CSV files shaped as Windows exports (SPEC §4 "Row
//! numbers"): the physical line a text editor shows, for every encoding × line ending
//! × title rows × quoted line break, and for each row-level code.

use crate::common::*;

#[derive(Clone, Copy, Debug)]
enum Encoding {
    Utf8,
    Bom,
    Gbk,
}

/// The data rows of every file, after its title rows and header; `{L}` is the file's
/// own line id. The note of row 3 holds a line break when the file asks for one.
const ROWS: [&str; 7] = [
    "2025-07-01 00:00,{L},10,0,正常",
    "2025-07-01 00:05,{L},abc,0,时延无法解析",
    "2025-07-01 00:10,{L},10,0,{NOTE}",
    "2025-07-01 00:15,,10,0,线路编号为空",
    "2025-07-01 00:20,{L},20000,0,时延越界",
    "2025-07-01 00:25,{L},10,0,首条",
    "2025-07-01 00:25,{L},11,0,同一时刻取值不同",
];

/// The code each data row (1-based index into `ROWS`) must be reported with.
const EXPECTED: [(usize, &str); 4] = [
    (2, "parse"),
    (4, "missing_required"),
    (5, "out_of_range"),
    (7, "duplicate"),
];

fn file_bytes(line_id: &str, enc: Encoding, eol: &str, titles: usize, quoted: bool) -> Vec<u8> {
    let mut lines = Vec::new();
    let title_rows = [
        "性能数据导出 2025-07-01至2025-09-30",
        "导出单位：某运营商,,,,",
    ];
    lines.extend(title_rows.iter().take(titles).map(|s| s.to_string()));
    lines.push("采集时间,线路编号,时延(ms),丢包率(%),备注".to_string());
    let note = if quoted {
        format!("\"第一行{eol}第二行\"")
    } else {
        "单行备注".to_string()
    };
    for r in ROWS {
        lines.push(r.replace("{L}", line_id).replace("{NOTE}", &note));
    }
    let text = lines.join(eol) + eol;
    match enc {
        Encoding::Utf8 => text.into_bytes(),
        Encoding::Bom => [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
        Encoding::Gbk => encoding_rs::GBK.encode(&text).0.into_owned(),
    }
}

/// The editor line of data row `k` (1-based): after the titles and the header, and one
/// further down past the row whose quoted note spans two lines.
fn editor_line(k: usize, titles: usize, quoted: bool) -> u64 {
    let extra = usize::from(quoted && k > 3);
    (titles + 1 + k + extra) as u64
}

#[test]
fn findings_name_the_editor_line_in_every_csv_shape() {
    let dir = tempfile::tempdir().unwrap();
    let mut cases = Vec::new();
    for enc in [Encoding::Utf8, Encoding::Bom, Encoding::Gbk] {
        for eol in ["\n", "\r\n", "\r"] {
            for titles in 0..=2 {
                for quoted in [false, true] {
                    let n = cases.len() + 1;
                    let name = format!("data/s{n:02}.csv");
                    let line_id = format!("L{n:02}");
                    let bytes = file_bytes(&line_id, enc, eol, titles, quoted);
                    write(&dir.path().join(&name), bytes);
                    cases.push((
                        name,
                        format!("{enc:?} {eol:?} titles={titles} quoted={quoted}"),
                        titles,
                        quoted,
                    ));
                }
            }
        }
    }
    workspace(dir.path(), "  samples: data/*.csv\n");
    let report = json(dir.path(), &["check", "--quarter", "2025Q3"]);
    let findings = report["findings"].as_array().unwrap();
    for (file, what, titles, quoted) in &cases {
        let mut got: Vec<(u64, &str)> = findings
            .iter()
            .filter(|f| f["file"] == file.as_str() && f["severity"] == "error")
            .map(|f| (f["row"].as_u64().unwrap(), f["code"].as_str().unwrap()))
            .collect();
        got.sort();
        let want: Vec<(u64, &str)> = EXPECTED
            .iter()
            .map(|(k, code)| (editor_line(*k, *titles, *quoted), *code))
            .collect();
        assert_eq!(got, want, "{file} ({what})");
    }
}

#[test]
fn tsv_with_crlf_and_blank_lines_counts_every_physical_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = "线路编号\t采集时间\t时延\r\n\r\nL1\t2025-07-01 00:00\t5\r\n\r\n\r\nL1\t2025-07-01 00:05\t-3\r\n";
    write(&dir.path().join("data/s.tsv"), text);
    workspace(dir.path(), "  samples: data/s.tsv\n");
    let report = json(dir.path(), &["check", "--quarter", "2025Q3"]);
    let rows: Vec<u64> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "out_of_range")
        .map(|f| f["row"].as_u64().unwrap())
        .collect();
    assert_eq!(rows, vec![6]);
}
