//! Security findings for the 网络安全 chapter (SPEC §14): opened, rectified and
//! overdue in a period, by severity (高/中/低) and by source.
//!
//! A finding is overdue at the period's end when its deadline has passed by then and
//! it was not rectified by that deadline's day; a finding without a deadline is never
//! overdue. The security table has no line, so no access-type filter applies.

use crate::frame::{self, lit_date, FrameError, StepContext};
use crate::ingest::LoadedTable;
use crate::period::Period;
use polars::prelude::*;

/// Counts of one group (a severity or a source).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecurityCounts {
    pub key: String,
    /// Found in the period.
    pub opened: u64,
    /// Rectified in the period (whenever found).
    pub rectified: u64,
    /// Past their deadline at the period's end and not rectified by it.
    pub overdue: u64,
}

/// The period's findings by severity (高, 中, 低, then others) and by source.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecuritySummary {
    pub by_severity: Vec<SecurityCounts>,
    pub by_source: Vec<SecurityCounts>,
}

/// Counts the security findings for `period`.
pub fn summarise(security: &LoadedTable, period: &Period) -> Result<SecuritySummary, FrameError> {
    let (start, end) = (lit_date(period.start), lit_date(period.end));
    let within = |c: &str| col(c).gt_eq(start.clone()).and(col(c).lt_eq(end.clone()));
    let flags = [
        within("found_on").alias("_opened"),
        within("rectified_on").alias("_rectified"),
        col("due_on")
            .lt(end.clone())
            .and(col("found_on").lt_eq(end.clone()))
            .and(
                col("rectified_on")
                    .is_null()
                    .or(col("rectified_on").gt(col("due_on"))),
            )
            .and(
                // Rectified late but before the period: no longer open at its end.
                col("rectified_on")
                    .is_null()
                    .or(col("rectified_on").gt(end.clone())),
            )
            .alias("_overdue"),
    ];
    let lf = security.frame.clone().with_columns(flags);
    let mut by_severity = grouped(lf.clone(), "severity", "按等级统计安全问题")?;
    let rank = |k: &str| ["高", "中", "低"].iter().position(|x| *x == k).unwrap_or(3);
    by_severity.sort_by(|a, b| rank(&a.key).cmp(&rank(&b.key)).then(a.key.cmp(&b.key)));
    Ok(SecuritySummary {
        by_severity,
        by_source: grouped(lf, "source", "按来源统计安全问题")?,
    })
}

/// The three counts per value of `key` (blank as 未填写), groups with none left out.
fn grouped(lf: LazyFrame, key: &str, step: &str) -> Result<Vec<SecurityCounts>, FrameError> {
    let sum = |c: &str| col(c).fill_null(lit(false)).cast(DataType::Int64).sum();
    let df = lf
        .group_by([col(key).fill_null(lit("未填写")).alias("_key")])
        .agg([
            sum("_opened").alias("opened"),
            sum("_rectified").alias("rectified"),
            sum("_overdue").alias("overdue"),
        ])
        .sort(["_key"], SortMultipleOptions::default())
        .collect()
        .step(step)?;
    let keys = frame::str_values(&df, "_key")?;
    let n = |c: &str| frame::i64_values(&df, c);
    let (opened, rectified, overdue) = (n("opened")?, n("rectified")?, n("overdue")?);
    Ok((0..df.height())
        .map(|i| SecurityCounts {
            key: keys[i].clone().unwrap_or_default(),
            opened: opened[i].unwrap_or(0) as u64,
            rectified: rectified[i].unwrap_or(0) as u64,
            overdue: overdue[i].unwrap_or(0) as u64,
        })
        .filter(|c| c.opened + c.rectified + c.overdue > 0)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::tests::{dates, strs, table};
    use crate::tables::Table;

    #[test]
    fn opened_rectified_and_overdue_in_august() {
        let t = table(
            Table::Security,
            vec![
                strs("finding_id", &["S1", "S2", "S3", "S4", "S5"]),
                strs(
                    "source",
                    &["安全自查", "等保测评", "安全自查", "安全事件", "安全自查"],
                ),
                strs("severity", &["高", "中", "高", "低", "中"]),
                dates(
                    "found_on",
                    &[
                        Some("2025-08-03"),
                        Some("2025-07-10"),
                        Some("2025-08-20"),
                        Some("2025-06-01"),
                        Some("2025-09-02"),
                    ],
                ),
                dates(
                    "due_on",
                    &[
                        Some("2025-08-10"),
                        Some("2025-08-15"),
                        Some("2025-09-20"),
                        Some("2025-06-30"),
                        Some("2025-09-10"),
                    ],
                ),
                dates(
                    "rectified_on",
                    &[None, Some("2025-08-12"), None, Some("2025-07-05"), None],
                ),
            ],
        );
        // August: S1 found 08-03, due 08-10, open → opened and overdue. S2 found in July,
        // rectified 08-12 within its 08-15 deadline → rectified. S3 found 08-20, due in
        // September → opened only. S4 rectified late in July: closed before August.
        // S5 is September's.
        let s = summarise(&t, &"2025-08".parse().unwrap()).unwrap();
        let c = |key: &str, o, r, d| SecurityCounts {
            key: key.into(),
            opened: o,
            rectified: r,
            overdue: d,
        };
        assert_eq!(s.by_severity, [c("高", 2, 0, 1), c("中", 0, 1, 0)]);
        assert_eq!(
            s.by_source,
            [c("安全自查", 2, 0, 1), c("等保测评", 0, 1, 0)]
        );
    }
}
