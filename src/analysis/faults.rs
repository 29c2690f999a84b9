//! Fault tickets for the 运维服务 chapter and rule R3 (SPEC §14): the period's
//! tickets by severity, cause and district, and the lines with repeated faults.
//!
//! Rows are scoped to the scheme's access type as scoring scopes them (own column,
//! else through the inventory), so the counts agree with the score's.

use crate::frame::{self, FrameError, StepContext};
use crate::ingest::LoadedTable;
use crate::inventory::Inventory;
use crate::period::Period;
use crate::score::rows;
use crate::tables::Table;
use polars::prelude::*;

/// The period's tickets counted three ways; each list sorted by count, then name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FaultSummary {
    pub total: u64,
    /// 一级, 二级, 三级 in that order (those with tickets), then 未分级.
    pub by_severity: Vec<(String, u64)>,
    pub by_cause: Vec<(String, u64)>,
    pub by_district: Vec<(String, u64)>,
}

/// Counts the tickets reported in `period`, of `access` type when given.
pub fn summarise(
    faults: &LoadedTable,
    inventory: &Inventory,
    access: Option<&str>,
    period: &Period,
) -> Result<FaultSummary, FrameError> {
    let scoped = rows::scoped(faults, access, &inventory.to_frame()?)?;
    let lf = rows::in_period(scoped, Table::Faults, "reported_at", period);
    let level = |n: i64| col("severity").eq(lit(n));
    let severity = when(col("severity").is_null())
        .then(lit("未分级"))
        .when(level(1))
        .then(lit("一级"))
        .when(level(2))
        .then(lit("二级"))
        .when(level(3))
        .then(lit("三级"))
        .otherwise(lit("其他"));
    let mut by_severity = counts(lf.clone(), severity, "按等级统计故障")?;
    let rank = |s: &str| {
        ["一级", "二级", "三级", "其他", "未分级"]
            .iter()
            .position(|x| *x == s)
    };
    by_severity.sort_by_key(|(s, _)| rank(s));
    let named = |c: &str, blank: &str| col(c).fill_null(lit(blank.to_string()));
    Ok(FaultSummary {
        total: by_severity.iter().map(|(_, n)| n).sum(),
        by_severity,
        by_cause: counts(lf.clone(), named("cause", "未填写"), "按原因统计故障")?,
        by_district: counts(lf, named("district", "未知区"), "按区统计故障")?,
    })
}

/// Lines with at least `min` tickets reported in the `days` days up to the end of
/// `period` (rule R3: 3 in 90 days), most first.
pub fn repeat_lines(
    faults: &LoadedTable,
    inventory: &Inventory,
    access: Option<&str>,
    period: &Period,
    days: i64,
    min: u64,
) -> Result<Vec<(String, u64)>, FrameError> {
    let window = Period::new(period.end - chrono::Duration::days(days - 1), period.end);
    let scoped = rows::scoped(faults, access, &inventory.to_frame()?)?;
    let lf = rows::in_period(scoped, Table::Faults, "reported_at", &window)
        .filter(col("line_id").is_not_null());
    let mut lines = counts(lf, col("line_id"), "统计重复故障线路")?;
    lines.retain(|(_, n)| *n >= min);
    Ok(lines)
}

/// Rows per value of `key`, most first, then by name.
fn counts(lf: LazyFrame, key: Expr, step: &str) -> Result<Vec<(String, u64)>, FrameError> {
    let df = lf
        .group_by([key.cast(DataType::String).alias("_key")])
        .agg([col(crate::ingest::build::ROW_COLUMN).count().alias("_n")])
        .collect()
        .step(step)?;
    let keys = frame::str_values(&df, "_key")?;
    let ns = frame::i64_values(&df, "_n")?;
    let mut out: Vec<(String, u64)> = keys
        .into_iter()
        .zip(ns)
        .map(|(k, n)| (k.unwrap_or_default(), n.unwrap_or(0) as u64))
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::tests::{faults, inventory};

    #[test]
    fn july_tickets_by_severity_cause_and_district() {
        // July: T1–T5 on fibre line L1 (浦东新区), severities 1, 1, 2, 3, 3, no cause;
        // T6 is on the 5G line and left out of the fibre counts.
        let july: Period = "2025-07".parse().unwrap();
        let s = summarise(&faults(), &inventory(), Some("fiber"), &july).unwrap();
        let pairs = |v: &[(&str, u64)]| -> Vec<(String, u64)> {
            v.iter().map(|(k, n)| (k.to_string(), *n)).collect()
        };
        assert_eq!(s.total, 5);
        assert_eq!(
            s.by_severity,
            pairs(&[("一级", 2), ("二级", 1), ("三级", 2)])
        );
        assert_eq!(s.by_cause, pairs(&[("未填写", 5)]));
        assert_eq!(s.by_district, pairs(&[("浦东新区", 5)]));
        let all = summarise(&faults(), &inventory(), None, &july).unwrap();
        assert_eq!(all.total, 6);
        let august: Period = "2025-08".parse().unwrap();
        assert_eq!(
            summarise(&faults(), &inventory(), None, &august)
                .unwrap()
                .total,
            0
        );
    }

    #[test]
    fn lines_with_repeated_faults_in_the_window() {
        let july: Period = "2025-07".parse().unwrap();
        let lines = repeat_lines(&faults(), &inventory(), None, &july, 90, 3).unwrap();
        assert_eq!(lines, [("L1".to_string(), 5)]);
        // Ninety days ending 2025-10-31 start on 2025-08-03: July's tickets are out.
        let october: Period = "2025-10".parse().unwrap();
        assert!(repeat_lines(&faults(), &inventory(), None, &october, 90, 3)
            .unwrap()
            .is_empty());
    }
}
