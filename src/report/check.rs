//! The data-audit workbook `check-<period>.xlsx`: a summary sheet, one sheet per
//! finding code, and the per-line coverage.

use super::model::{RowStyle, Sheet, Value, Workbook};
use crate::audit::CheckReport;
use crate::findings::{Code, Severity};

pub fn workbook(report: &CheckReport, workspace_name: &str) -> Workbook {
    let mut sheets = vec![summary(report, workspace_name)];
    for code in Code::ALL {
        let rows: Vec<_> = report.findings.iter().filter(|f| f.code == code).collect();
        if rows.is_empty() {
            continue;
        }
        let mut s = Sheet::new(
            &format!("{} {}", code.as_str(), code.title()),
            &format!("{}（{}）", code.title(), code.as_str()),
            &[
                "严重程度",
                "数据表",
                "文件",
                "工作表",
                "行号",
                "列",
                "线路编号",
                "说明",
            ],
        );
        let total = rows.len();
        let listed = total.min(super::model::MAX_SHEET_ROWS);
        if total > listed {
            s.note = Some(format!(
                "共 {total} 项，本表列出前 {listed} 项（工作表行数上限），其余 {} 项见同名 JSON 文件",
                total - listed
            ));
        }
        let style = if code.severity() == Severity::Error {
            RowStyle::Bad
        } else {
            RowStyle::Warn
        };
        for f in rows.into_iter().take(listed) {
            s.push(
                style,
                vec![
                    f.severity.label().into(),
                    f.table.as_str().into(),
                    f.file.clone().into(),
                    f.sheet.clone().into(),
                    f.row.into(),
                    f.column.clone().into(),
                    f.line_id.clone().into(),
                    f.message.as_str().into(),
                ],
            );
        }
        sheets.push(s);
    }
    if !report.coverage.is_empty() {
        let mut s = Sheet::new(
            "覆盖率",
            "各线路采集覆盖率",
            &["线路编号", "应采条数", "实采条数", "覆盖率"],
        );
        for c in &report.coverage {
            let style = if c.coverage_pct < 95.0 {
                RowStyle::Warn
            } else {
                RowStyle::Normal
            };
            s.push(
                style,
                vec![
                    c.line_id.as_str().into(),
                    c.expected.into(),
                    c.received.into(),
                    Value::Percent(c.coverage_pct),
                ],
            );
        }
        sheets.push(s);
    }
    Workbook { sheets }
}

fn summary(report: &CheckReport, workspace_name: &str) -> Sheet {
    let mut s = Sheet::new(
        "汇总",
        &format!("{workspace_name} 数据稽核汇总（{}）", report.period),
        &["项目", "数量", "说明"],
    );
    s.note = Some(format!(
        "错误 {} 项，警告 {} 项；总体采集覆盖率 {}",
        report.count(Severity::Error),
        report.count(Severity::Warning),
        report
            .coverage_pct()
            .map(|p| format!("{p:.2}%"))
            .unwrap_or_else(|| "—".into())
    ));
    for code in Code::ALL {
        let n = report.counts.get(&code).copied().unwrap_or(0);
        let style = match (n, code.severity()) {
            (0, _) => RowStyle::Normal,
            (_, Severity::Error) => RowStyle::Bad,
            _ => RowStyle::Warn,
        };
        s.push(
            style,
            vec![
                format!("{} {}", code.as_str(), code.title()).into(),
                n.into(),
                code.severity().label().into(),
            ],
        );
    }
    for (table, n) in &report.dropped_exact_duplicates {
        s.push(
            RowStyle::Normal,
            vec![
                format!("完全重复行（{table}）").into(),
                (*n).into(),
                "已剔除，不逐行列出".into(),
            ],
        );
    }
    for t in &report.tables {
        if t.files == 0 {
            continue;
        }
        s.push(
            RowStyle::Normal,
            vec![
                format!("{}（{}）", t.title, t.table).into(),
                t.rows_in_period.into(),
                format!(
                    "期间内行数；{} 个文件共读入 {} 行，剔除 {} 行",
                    t.files, t.rows_read, t.rows_rejected
                )
                .into(),
            ],
        );
    }
    s
}
