//! Small helpers between polars frames and plain Rust values: typed literals for
//! times and dates, and typed column access with errors that say which step failed.

use chrono::{NaiveDate, NaiveDateTime};
use polars::prelude::*;

/// A polars error with the step that failed, for messages a person can act on.
#[derive(Debug, thiserror::Error)]
#[error("{step}失败：{source}")]
pub struct FrameError {
    pub step: String,
    #[source]
    pub source: PolarsError,
}

pub trait StepContext<T> {
    /// Names the step of a polars call, so its error says what gwq was doing.
    fn step(self, step: &str) -> Result<T, FrameError>;
}

impl<T> StepContext<T> for PolarsResult<T> {
    fn step(self, step: &str) -> Result<T, FrameError> {
        self.map_err(|source| FrameError {
            step: step.to_string(),
            source,
        })
    }
}

pub const MS: DataType = DataType::Datetime(TimeUnit::Milliseconds, None);

pub fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch")
}

pub fn millis(dt: NaiveDateTime) -> i64 {
    dt.and_utc().timestamp_millis()
}

pub fn from_millis(ms: i64) -> NaiveDateTime {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|d| d.naive_utc())
        .unwrap_or_default()
}

pub fn days(d: NaiveDate) -> i32 {
    (d - epoch()).num_days() as i32
}

pub fn from_days(n: i32) -> NaiveDate {
    epoch() + chrono::Duration::days(n as i64)
}

/// A datetime literal with the cache's millisecond unit.
pub fn lit_time(dt: NaiveDateTime) -> Expr {
    lit(millis(dt)).strict_cast(MS)
}

/// A date literal.
pub fn lit_date(d: NaiveDate) -> Expr {
    lit(days(d)).strict_cast(DataType::Date)
}

/// A column as optional strings.
pub fn str_values(df: &DataFrame, name: &str) -> Result<Vec<Option<String>>, FrameError> {
    let c = df.column(name).step(&format!("读取列 {name}"))?;
    let s = c.str().step(&format!("读取列 {name}"))?;
    Ok(s.iter().map(|v| v.map(str::to_string)).collect())
}

/// A numeric, date or datetime column as optional i64 (dates as days, times as ms).
pub fn i64_values(df: &DataFrame, name: &str) -> Result<Vec<Option<i64>>, FrameError> {
    let c = df.column(name).step(&format!("读取列 {name}"))?;
    let c = c.cast(&DataType::Int64).step(&format!("转换列 {name}"))?;
    Ok(c.i64().step(&format!("读取列 {name}"))?.iter().collect())
}

pub fn f64_values(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>, FrameError> {
    let c = df.column(name).step(&format!("读取列 {name}"))?;
    let c = c.cast(&DataType::Float64).step(&format!("转换列 {name}"))?;
    Ok(c.f64().step(&format!("读取列 {name}"))?.iter().collect())
}

pub fn bool_values(df: &DataFrame, name: &str) -> Result<Vec<Option<bool>>, FrameError> {
    let c = df.column(name).step(&format!("读取列 {name}"))?;
    Ok(c.bool().step(&format!("读取列 {name}"))?.iter().collect())
}

pub trait CollectStreaming {
    /// Collects with polars' streaming engine: scans of large tables are processed in
    /// batches instead of being materialised whole.
    fn collect_streaming(self) -> PolarsResult<DataFrame>;
}

impl CollectStreaming for LazyFrame {
    fn collect_streaming(self) -> PolarsResult<DataFrame> {
        // One lazy frame always collects to a single frame.
        self.collect_with_engine(Engine::Streaming)
            .map(|r| r.unwrap_single())
    }
}

/// The nearest-rank `p`-th percentile of `c` (nulls ignored): the k-th smallest
/// value, k = ceil(p/100·n) and at least 1, with the same tolerance as scoring steps
/// so that 95 % of 100 values is rank 95, not 96. Null when there is no value.
/// The 0-based index of the nearest-rank `p`-th percentile among `n` sorted values
/// (`n` ≥ 1): the same rank, with the same tolerance, as [`nearest_rank`].
pub fn nearest_rank_index(n: usize, p: f64) -> usize {
    let k = n as f64 * p / 100.0;
    let tol = k.max(1.0) * 1e-9;
    let rank = (k - tol).ceil().clamp(1.0, n.max(1) as f64);
    rank as usize - 1
}

pub fn nearest_rank(c: Expr, p: f64) -> Expr {
    let n = c.clone().count().cast(DataType::Float64);
    let k = n.clone() * lit(p / 100.0);
    let tol = when(k.clone().gt(lit(1.0)))
        .then(k.clone())
        .otherwise(lit(1.0))
        * lit(1e-9);
    let rank = (k - tol)
        .ceil()
        .clip(lit(1.0), n.clone().clip_min(lit(1.0)));
    let index = (rank - lit(1.0)).cast(IDX_DTYPE);
    when(n.gt(lit(0.0)))
        .then(c.drop_nulls().sort(SortOptions::default()).get(index, true))
        .otherwise(lit(NULL))
}

/// Rows of `table` whose `column` (a date or a datetime) falls in the period:
/// dates inclusive, times in [start 00:00, end+1 00:00).
pub fn period_filter(
    table: crate::tables::Table,
    column: &str,
    period: &crate::period::Period,
) -> Expr {
    match table.def().column(column).map(|c| c.ty) {
        Some(crate::tables::ColType::Date) => col(column)
            .gt_eq(lit_date(period.start))
            .and(col(column).lt_eq(lit_date(period.end))),
        Some(crate::tables::ColType::Period) => crate::period::labels_within(period)
            .into_iter()
            .fold(lit(false), |any, l| any.or(col(column).eq(lit(l)))),
        _ => col(column)
            .gt_eq(lit_time(period.start_time()))
            .and(col(column).lt(lit_time(period.end_time()))),
    }
}
