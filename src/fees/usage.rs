//! Measured use behind the fee audit's advice (SPEC §8): each 5G card's mean monthly
//! traffic, each line's 95th-percentile rate (nearest rank over max(in, out)), and
//! the egress lines' percentile for burstable billing — over the three months before
//! the period, or, when the exports hold nothing there, the latest three months of
//! data up to the period's end (the notes say which).

use super::money::{self, Decimal};
use crate::frame::{self, lit_time, FrameError, StepContext};
use crate::period::Period;
use chrono::{Datelike, Months, NaiveDate};
use polars::prelude::*;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Usage {
    /// The window the traffic figures cover, when there is KPI data.
    pub traffic_window: Option<Period>,
    /// Card → mean monthly traffic in GB (1 GB = 1024 MB).
    pub traffic_gb: BTreeMap<String, Decimal>,
    pub utilisation_window: Option<Period>,
    /// Line → p95 of max(in, out) in Mbps.
    pub p95_rate_mbps: BTreeMap<String, f64>,
    /// Egress line → the burstable percentile of max(in, out) in Mbps.
    pub egress_p95_mbps: BTreeMap<String, f64>,
    pub notes: Vec<String>,
}

pub fn window_label(p: &Period) -> String {
    format!("{} 至 {}", p.start, p.end)
}

/// The three calendar months before the period if `lf` has rows there; else the
/// three months ending with the month of the latest row before the period's end.
fn reference_window(
    lf: &LazyFrame,
    time: &str,
    period: &Period,
) -> Result<Option<Period>, FrameError> {
    let before = Period::new(
        period.start - Months::new(3),
        period.start - chrono::Duration::days(1),
    );
    let in_window = |p: &Period| {
        col(time)
            .gt_eq(lit_time(p.start_time()))
            .and(col(time).lt(lit_time(p.end_time())))
    };
    let df = lf
        .clone()
        .select([
            in_window(&before).sum().alias("n"),
            col(time)
                .filter(col(time).lt(lit_time(period.end_time())))
                .max()
                .alias("last"),
        ])
        .collect()
        .step("确定参考期")?;
    let n = frame::i64_values(&df, "n")?
        .first()
        .copied()
        .flatten()
        .unwrap_or(0);
    if n > 0 {
        return Ok(Some(before));
    }
    let last = df
        .column("last")
        .and_then(|c| c.cast(&DataType::Int64))
        .step("确定参考期")?;
    let Some(ms) = last.i64().step("确定参考期")?.get(0) else {
        return Ok(None);
    };
    let last = frame::from_millis(ms).date();
    let month_end = NaiveDate::from_ymd_opt(last.year(), last.month(), 1).expect("month")
        + Months::new(1)
        - chrono::Duration::days(1);
    let end = month_end.min(period.end);
    let start =
        NaiveDate::from_ymd_opt(end.year(), end.month(), 1).expect("month") - Months::new(2);
    Ok(Some(Period::new(start, end)))
}

/// Measures what the advice checks need. `egress` are the lines billed by percentile.
pub fn measure(
    kpi: &LazyFrame,
    samples: &LazyFrame,
    period: &Period,
    burst_percentile: Option<f64>,
) -> Result<Usage, FrameError> {
    let mut usage = Usage::default();
    if let Some(w) = reference_window(kpi, "time", period)? {
        note_fallback(&mut usage.notes, "5G 流量", &w, period);
        let rows = kpi
            .clone()
            .filter(frame::period_filter(
                crate::tables::Table::Kpi5g,
                "time",
                &w,
            ))
            .filter(col("card_id").is_not_null());
        let month_no = col("time").dt().year().cast(DataType::Int64) * lit(12i64)
            + col("time").dt().month().cast(DataType::Int64);
        let months = rows
            .clone()
            .select([month_no.n_unique().cast(DataType::Int64).alias("m")])
            .collect()
            .step("统计 5G 流量月份")?;
        let months = frame::i64_values(&months, "m")?
            .first()
            .copied()
            .flatten()
            .unwrap_or(0);
        let df = rows
            .group_by([col("card_id")])
            .agg([col("traffic_mb").sum().alias("mb")])
            .sort(["card_id"], SortMultipleOptions::default())
            .collect()
            .step("汇总 5G 流量")?;
        let ids = frame::str_values(&df, "card_id")?;
        let mb = frame::f64_values(&df, "mb")?;
        for (id, mb) in ids.into_iter().zip(mb) {
            if let (Some(id), Some(mb)) = (id, mb) {
                let gb = money::from_f64(mb).unwrap_or_default() / Decimal::from(1024);
                usage
                    .traffic_gb
                    .insert(id, gb / Decimal::from(months.max(1)));
            }
        }
        usage.traffic_window = Some(w);
    }
    if let Some(w) = reference_window(samples, "time", period)? {
        note_fallback(&mut usage.notes, "线路带宽利用率", &w, period);
        let rate = rate_mbps()?;
        let mut aggs = vec![frame::nearest_rank(rate.clone(), 95.0).alias("p95")];
        if let Some(p) = burst_percentile {
            aggs.push(frame::nearest_rank(rate, p).alias("burst"));
        }
        let df = samples
            .clone()
            .filter(frame::period_filter(
                crate::tables::Table::Samples,
                "time",
                &w,
            ))
            .group_by([col("line_id")])
            .agg(aggs)
            .sort(["line_id"], SortMultipleOptions::default())
            .collect()
            .step("计算线路 95 百分位速率")?;
        let ids = frame::str_values(&df, "line_id")?;
        let p95 = frame::f64_values(&df, "p95")?;
        let burst = match burst_percentile {
            Some(_) => frame::f64_values(&df, "burst")?,
            None => vec![None; ids.len()],
        };
        for ((id, p), b) in ids.into_iter().zip(p95).zip(burst) {
            let Some(id) = id else { continue };
            if let Some(p) = p {
                usage.p95_rate_mbps.insert(id.clone(), p);
            }
            if let Some(b) = b {
                usage.egress_p95_mbps.insert(id, b);
            }
        }
        if !usage.p95_rate_mbps.is_empty() {
            usage.utilisation_window = Some(w);
        }
    }
    Ok(usage)
}

/// A sample's rate in Mbps: max(in, out) as SPEC §8 bills and advises on it.
pub fn rate_mbps() -> Result<Expr, FrameError> {
    let max =
        polars::lazy::dsl::max_horizontal([col("in_bps"), col("out_bps")]).map_err(|source| {
            FrameError {
                step: "计算速率".into(),
                source,
            }
        })?;
    Ok(max / lit(1e6))
}

fn note_fallback(notes: &mut Vec<String>, what: &str, w: &Period, period: &Period) {
    if w.start >= period.start {
        notes.push(format!(
            "{what}：期间开始前三个月无数据，改以 {} 的数据为参考",
            window_label(w)
        ));
    } else {
        notes.push(format!(
            "{what}：以期间开始前三个月 {} 的数据为参考",
            window_label(w)
        ));
    }
}
