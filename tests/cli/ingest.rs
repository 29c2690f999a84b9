//! Ingest of real export formats: each gives the same canonical frame.

use crate::common::*;
use polars::prelude::*;
use rust_xlsxwriter::{Format, Workbook};
use std::path::Path;

const CSV_BODY: &str = "采集时间,线路编号,时延（ms）,丢包率(%),可达
2025/7/1 8:00,SH-PD-0001,3.5,0%,是
2025-07-01 08:05:00,SH-PD-0001,4.25 ms,0.1,是
2025-07-01T08:10,SH-PD-0001,,100,否
2025-07-01 08:00,SH-HP-0002,2,0,是
合计,,9.75,,
";

fn expected() -> DataFrame {
    let t = |m: i64| 1_751_356_800_000 + m * 60_000; // 2025-07-01 08:00 + m minutes
    df!(
        "line_id" => ["SH-PD-0001", "SH-PD-0001", "SH-PD-0001", "SH-HP-0002"],
        "time" => [t(0), t(5), t(10), t(0)],
        "latency_ms" => [Some(3.5), Some(4.25), None, Some(2.0)],
        "loss_pct" => [0.0, 0.1, 100.0, 0.0],
        "reachable" => [true, true, false, true],
    )
    .unwrap()
}

fn comparable(df: &DataFrame) -> DataFrame {
    df.clone()
        .lazy()
        .select([
            col("line_id"),
            col("time").cast(DataType::Int64),
            col("latency_ms"),
            col("loss_pct"),
            col("reachable"),
        ])
        .collect()
        .unwrap()
}

fn ingest(dir: &Path, source: &str) -> DataFrame {
    workspace(dir, &format!("  samples: {source}\n"));
    gwq().arg("-w").arg(dir).arg("ingest").assert().success();
    comparable(&cached(dir, "samples"))
}

#[test]
fn gbk_csv_with_title_row() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("性能数据导出 2025-07-01至2025-07-01\n{CSV_BODY}");
    let (bytes, _, _) = encoding_rs::GBK.encode(&text);
    write(&dir.path().join("data/s.csv"), &bytes);
    assert!(ingest(dir.path(), "data/s.csv").equals_missing(&expected()));
}

#[test]
fn utf8_bom_tsv() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend(CSV_BODY.replace(',', "\t").as_bytes());
    write(&dir.path().join("s.tsv"), &bytes);
    assert!(ingest(dir.path(), "s.tsv").equals_missing(&expected()));
}

#[test]
fn xlsx_with_title_merged_header_and_excel_dates() {
    let dir = tempfile::tempdir().unwrap();
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    let fmt = Format::new();
    let dt = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    ws.merge_range(0, 0, 0, 4, "性能数据导出", &fmt).unwrap();
    // A two-row header: the first two headers merged downwards, a group above the rest.
    ws.merge_range(1, 0, 2, 0, "采集时间", &fmt).unwrap();
    ws.merge_range(1, 1, 2, 1, "线路编号", &fmt).unwrap();
    ws.merge_range(1, 2, 1, 4, "质量指标", &fmt).unwrap();
    for (c, h) in ["时延(ms)", "丢包率(%)", "可达"].iter().enumerate() {
        ws.write_string(2, c as u16 + 2, *h).unwrap();
    }
    let base = chrono::NaiveDate::from_ymd_opt(2025, 7, 1)
        .unwrap()
        .and_hms_opt(8, 0, 0)
        .unwrap();
    let rows: [(i64, &str, Option<f64>, f64, &str); 4] = [
        (0, "SH-PD-0001", Some(3.5), 0.0, "是"),
        (5, "SH-PD-0001", Some(4.25), 0.1, "是"),
        (10, "SH-PD-0001", None, 100.0, "否"),
        (0, "SH-HP-0002", Some(2.0), 0.0, "是"),
    ];
    for (i, (m, line, lat, loss, up)) in rows.iter().enumerate() {
        let r = i as u32 + 3;
        ws.write_datetime_with_format(r, 0, base + chrono::Duration::minutes(*m), &dt)
            .unwrap();
        ws.write_string(r, 1, *line).unwrap();
        if let Some(l) = lat {
            ws.write_number(r, 2, *l).unwrap();
        }
        ws.write_number(r, 3, *loss).unwrap();
        ws.write_string(r, 4, *up).unwrap();
    }
    ws.write_string(7, 0, "合计").unwrap();
    book.save(dir.path().join("s.xlsx")).unwrap();
    assert!(ingest(dir.path(), "s.xlsx").equals_missing(&expected()));
}

#[test]
fn xls_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/samples.xls");
    std::fs::copy(fixture, dir.path().join("s.xls")).unwrap();
    assert!(ingest(dir.path(), "s.xls").equals_missing(&expected()));
}

#[test]
fn parquet_with_canonical_names() {
    let dir = tempfile::tempdir().unwrap();
    let mut df = expected()
        .lazy()
        .with_column(
            (col("time") * lit(1000i64)).cast(DataType::Datetime(TimeUnit::Microseconds, None)),
        )
        .collect()
        .unwrap();
    let f = std::fs::File::create(dir.path().join("s.parquet")).unwrap();
    ParquetWriter::new(f).finish(&mut df).unwrap();
    assert!(ingest(dir.path(), "s.parquet").equals_missing(&expected()));
}

#[test]
fn configured_aliases_and_units_in_headers() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("s.csv"),
        "时间,电路编号,往返时延,入流量(Mbps),丢包率\n2025-07-01 08:00,L1,3,12.5,0\n",
    );
    workspace(
        dir.path(),
        "  samples: s.csv\ncolumns:\n  samples: { 往返时延: latency_ms }\n",
    );
    gwq()
        .arg("-w")
        .arg(dir.path())
        .arg("ingest")
        .assert()
        .success();
    let df = cached(dir.path(), "samples");
    let lat = df.column("latency_ms").unwrap().f64().unwrap().get(0);
    let inb = df.column("in_bps").unwrap().f64().unwrap().get(0);
    assert_eq!((lat, inb), (Some(3.0), Some(12_500_000.0)));
    // reachable is derived from loss_pct < 100 when absent.
    assert_eq!(
        df.column("reachable").unwrap().bool().unwrap().get(0),
        Some(true)
    );
}

#[test]
fn unchanged_sources_are_reused_and_changed_ones_reingested() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("s.csv"), CSV_BODY);
    workspace(dir.path(), "  samples: s.csv\n");
    let first = json(dir.path(), &["ingest"]);
    assert_eq!(first["sources"][0]["reused"], false);
    assert_eq!(first["sources"][0]["rows_read"], 4);
    let second = json(dir.path(), &["ingest"]);
    assert_eq!(second["sources"][0]["reused"], true);
    std::thread::sleep(std::time::Duration::from_millis(20));
    write(&dir.path().join("s.csv"), CSV_BODY.replace("3.5", "3.6"));
    let third = json(dir.path(), &["ingest"]);
    assert_eq!(third["sources"][0]["reused"], false);
    assert_ne!(third["sources"][0]["sha256"], first["sources"][0]["sha256"]);
}
