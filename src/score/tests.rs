//! Hand-computed cases for every measure and the exact semantics of SPEC §7; the
//! table and scheme builders are shared with other modules' tests.

use super::GroupBy;
use super::*;
use crate::ingest::build::{cache_schema, ROW_COLUMN};
use crate::ingest::cache::SOURCE_COLUMN;
use chrono::{NaiveDate, NaiveDateTime};
use polars::prelude::*;

fn t(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A loaded table from the given columns; every other canonical column is null.
pub(crate) fn table(table: Table, columns: Vec<Column>) -> LoadedTable {
    let height = columns.first().map_or(0, |c| c.len());
    let mut df = DataFrame::new_infer_height(columns).unwrap();
    for (name, dtype) in cache_schema(table.def()).iter() {
        if df.column(name).is_err() {
            df.with_column(Column::full_null(name.clone(), height, dtype))
                .unwrap();
        }
    }
    let rows: Vec<u32> = (2..height as u32 + 2).collect();
    df.with_column(Column::new(ROW_COLUMN.into(), rows))
        .unwrap();
    df.with_column(Column::new(SOURCE_COLUMN.into(), vec![0u32; height]))
        .unwrap();
    // Cast every canonical column to its cache type (tests write plain i64 / strings).
    let casts: Vec<Expr> = cache_schema(table.def())
        .iter()
        .map(|(n, dt)| col(n.clone()).cast(dt.clone()))
        .collect();
    let frame = df.lazy().with_columns(casts);
    LoadedTable::new(table, frame, Vec::new(), true).unwrap()
}

fn times(name: &str, v: &[Option<&str>]) -> Column {
    let ms: Vec<Option<i64>> = v
        .iter()
        .map(|s| s.map(|s| crate::frame::millis(t(s))))
        .collect();
    Int64Chunked::from_iter_options(name.into(), ms.into_iter())
        .into_datetime(TimeUnit::Milliseconds, None)
        .into_column()
}

pub(crate) fn dates(name: &str, v: &[Option<&str>]) -> Column {
    let days: Vec<Option<i32>> = v
        .iter()
        .map(|s| s.map(|s| crate::frame::days(d(s))))
        .collect();
    Int32Chunked::from_iter_options(name.into(), days.into_iter())
        .into_date()
        .into_column()
}

pub(crate) fn strs(name: &str, v: &[&str]) -> Column {
    Column::new(name.into(), v.to_vec())
}

fn line(
    id: &str,
    access: &str,
    opened: &str,
    closed: Option<&str>,
    district: &str,
) -> crate::inventory::Line {
    crate::inventory::Line {
        line_id: id.into(),
        unit: Some(format!("{district}单位")),
        district: Some(district.into()),
        access_type: Some(access.into()),
        bandwidth_mbps: Some(100.0),
        room_id: None,
        opened_on: Some(d(opened)),
        closed_on: closed.map(d),
        tariff: None,
    }
}

pub(crate) fn inventory() -> Inventory {
    let mut inv = Inventory::default();
    for l in [
        line("L1", "fiber", "2020-01-01", None, "浦东新区"),
        line("L2", "fiber", "2020-01-01", Some("2025-07-01"), "黄浦区"),
        line("G1", "5g", "2020-01-01", None, "浦东新区"),
    ] {
        inv.lines.insert(l.line_id.clone(), l);
    }
    inv
}

/// Scores one indicator (YAML lines under `indicators:`) on `tables` for `period`.
fn score_one(
    indicator: &str,
    tables: Vec<LoadedTable>,
    period: &str,
    by: Option<GroupBy>,
) -> ScoreResult {
    score_for("access_type: fiber\n", indicator, tables, period, by)
}

/// A scheme of the indicators under a header (`access_type:` line or none).
pub(crate) fn scheme_of(access: &str, indicator: &str) -> Scheme {
    let points = indicator.matches("points:").count() * 10;
    let text = format!(
        "scheme: 测试\n{access}total_points: {points}\ngrades:\n  - {{ min: 0, name: 合格 }}\ndimensions:\n  - id: d\n    name: 维度\n    indicators:\n{indicator}"
    );
    Scheme::parse("t", "t.yaml", &text).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs `f` on a score input of `tables` (every other table unconfigured).
pub(crate) fn with_input<T>(
    tables: Vec<LoadedTable>,
    period: &str,
    f: impl FnOnce(&ScoreInput) -> T,
) -> T {
    let mut all: BTreeMap<Table, LoadedTable> = BTreeMap::new();
    for t in Table::ALL {
        let mut empty = table(t, vec![]);
        empty.configured = false;
        all.insert(t, empty);
    }
    for t in tables {
        all.insert(t.table, t);
    }
    let period: Period = period.parse().unwrap();
    let inventory = inventory();
    let calendar = Calendar::built_in();
    let input = ScoreInput {
        tables: &all,
        inventory: &inventory,
        calendar: &calendar,
        period: &period,
        pieces: None,
    };
    f(&input)
}

pub(crate) fn no_findings() -> DataQuality {
    DataQuality {
        coverage_pct: None,
        findings: FindingCounts {
            error: 0,
            warning: 0,
        },
        assumptions: Vec::new(),
    }
}

/// Scores the indicators under a scheme header (`access_type:` line or none).
fn score_for(
    access: &str,
    indicator: &str,
    tables: Vec<LoadedTable>,
    period: &str,
    by: Option<GroupBy>,
) -> ScoreResult {
    let scheme = scheme_of(access, indicator);
    with_input(tables, period, |input| {
        score_scheme(&scheme, input, by, no_findings()).unwrap()
    })
}

#[test]
fn one_measurement_scores_under_two_schemes() {
    // July's fibre faults: T1–T5 on L1 (T6 is on the 5G line). Measured once, scored
    // against <= 5 (met: 10 points) and against a tightened <= 3 (2 steps short,
    // 2 points a step: 6 points).
    let count = |target: &str| {
        format!("      - {{ id: N, name: 故障数, measure: count, source: faults, target: \"{target}\", points: 10, scoring: {{ rule: linear, step: 1, deduct: 2 }} }}\n")
    };
    let (current, proposed) = (
        scheme_of("access_type: fiber\n", &count("<= 5")),
        scheme_of("access_type: fiber\n", &count("<= 3")),
    );
    let measured = with_input(vec![faults()], "2025-07", |input| {
        measure(&current, input, None).unwrap()
    });
    assert_eq!(measured.indicators["N"].values[""].value, Some(5.0));
    let before = score(&current, &measured, no_findings());
    let after = score(&proposed, &measured, no_findings());
    assert_eq!((before.total, after.total), (Some(10.0), Some(6.0)));
    assert_eq!(after.indicators[0].met, Some(false));
    // The same as measuring and scoring in one step.
    let direct = with_input(vec![faults()], "2025-07", |input| {
        score_scheme(&proposed, input, None, no_findings()).unwrap()
    });
    assert_eq!(after, direct);
}

fn value(r: &ScoreResult) -> Option<f64> {
    r.indicators[0].value
}

fn approx(a: Option<f64>, b: f64) {
    let a = a.expect("a value");
    assert!((a - b).abs() < 1e-9, "{a} != {b}");
}

const AVAIL: &str = "      - { id: A, name: 可用率, measure: availability, source: samples, target: \">= 99\", points: 10, scoring: { rule: threshold } }\n";

/// `AVAIL` as the mean of the lines' availabilities.
fn avail_mean_of_lines() -> String {
    AVAIL.replace(
        "source: samples,",
        "source: samples, aggregate: mean_of_lines,",
    )
}

/// Samples of (time, line, reachable).
fn reachability(rows: &[(&str, &str, bool)]) -> LoadedTable {
    let when: Vec<Option<&str>> = rows.iter().map(|r| Some(r.0)).collect();
    let lines: Vec<&str> = rows.iter().map(|r| r.1).collect();
    let up: Vec<bool> = rows.iter().map(|r| r.2).collect();
    table(
        Table::Samples,
        vec![
            times("time", &when),
            strs("line_id", &lines),
            Column::new("reachable".into(), up),
        ],
    )
}

#[test]
fn availability_from_samples_skips_planned_windows_and_inactive_lines() {
    let samples = reachability(&[
        ("2025-07-01 00:00", "L1", true),
        ("2025-07-01 00:05", "L1", false),
        ("2025-07-01 00:10", "L1", false),
        ("2025-07-01 00:15", "L1", true),
        ("2025-07-01 00:20", "L1", false),
        // L2 is closed on 2025-07-01: the 2nd is outside its active dates.
        ("2025-07-01 00:00", "L2", true),
        ("2025-07-02 00:00", "L2", false),
        // G1 is 5G: not in a fibre scheme.
        ("2025-07-01 00:00", "G1", false),
    ]);
    // A planned window [00:05, 00:15) of L1 takes out 00:05 and 00:10 (both down).
    let outages = table(
        Table::Outages,
        vec![
            strs("line_id", &["L1"]),
            times("start", &[Some("2025-07-01 00:05")]),
            times("end", &[Some("2025-07-01 00:15")]),
            Column::new("planned".into(), [true]),
        ],
    );
    let r = score_one(AVAIL, vec![samples, outages], "2025-07", None);
    // L1: 00:00 up, 00:15 up, 00:20 down → 2 of 3; L2: 00:00 up → 1 of 1. Pooled 3/4.
    approx(value(&r), 75.0);
    assert_eq!(r.indicators[0].rows, 4);
    let samples2 = reachability(&[
        ("2025-07-01 00:00", "L1", true),
        ("2025-07-01 00:05", "L1", false),
        ("2025-07-01 00:00", "L2", true),
    ]);
    let r = score_one(&avail_mean_of_lines(), vec![samples2], "2025-07", None);
    approx(value(&r), 75.0); // (50 % + 100 %) / 2
}

#[test]
fn availability_from_outages_merges_clips_and_runs_open_outages_to_the_end() {
    let ind = AVAIL.replace("source: samples", "source: outages");
    let outages = table(
        Table::Outages,
        vec![
            strs("line_id", &["L1", "L1", "L1", "L1"]),
            // Overlapping 1 h + 1 h sharing 30 min → 1.5 h; one starts before the period.
            times(
                "start",
                &[
                    Some("2025-07-10 10:00"),
                    Some("2025-07-10 10:30"),
                    Some("2025-06-30 23:00"),
                    Some("2025-07-31 23:00"),
                ],
            ),
            times(
                "end",
                &[
                    Some("2025-07-10 11:00"),
                    Some("2025-07-10 11:30"),
                    Some("2025-07-01 01:00"),
                    None,
                ],
            ),
            Column::new("planned".into(), [false, false, false, false]),
        ],
    );
    let r = score_one(&ind, vec![outages], "2025-07", None);
    // L1 down 1.5 h + 1 h (clipped) + 1 h (open, to 08-01 00:00) = 3.5 h of 744 h.
    // L2 is active only on 07-01 (24 h) and never down. Pooled over 768 h.
    approx(value(&r), 100.0 * (1.0 - 3.5 / 768.0));
}

#[test]
fn mean_min_max_sum_and_where() {
    let samples = || {
        table(
            Table::Samples,
            vec![
                times(
                    "time",
                    &[
                        Some("2025-07-01 00:00"),
                        Some("2025-07-01 00:05"),
                        Some("2025-07-01 00:10"),
                        Some("2025-08-01 00:00"),
                    ],
                ),
                strs("line_id", &["L1", "L1", "L1", "L1"]),
                Column::new(
                    "latency_ms".into(),
                    [Some(2.0), Some(4.0), None, Some(100.0)],
                ),
                Column::new("reachable".into(), [true, true, false, true]),
            ],
        )
    };
    for (m, want) in [("mean", 3.0), ("min", 2.0), ("max", 4.0), ("sum", 6.0)] {
        let ind = format!("      - {{ id: A, name: 时延, measure: {m}, source: samples, column: latency_ms, where: \"reachable\", target: \"<= 10\", points: 10, scoring: {{ rule: threshold }} }}\n");
        approx(
            value(&score_one(&ind, vec![samples()], "2025-07", None)),
            want,
        );
    }
}

#[test]
fn percentiles_linear_and_nearest_rank() {
    let n = 20;
    let ts: Vec<String> = (0..n)
        .map(|i| format!("2025-07-01 {:02}:{:02}", i / 12, (i % 12) * 5))
        .collect();
    let samples = || {
        table(
            Table::Samples,
            vec![
                times(
                    "time",
                    &ts.iter().map(|s| Some(s.as_str())).collect::<Vec<_>>(),
                ),
                strs("line_id", &vec!["L1"; n]),
                Column::new(
                    "latency_ms".into(),
                    (1..=n).rev().map(|v| v as f64).collect::<Vec<_>>(),
                ),
            ],
        )
    };
    let ind = |extra: &str| {
        format!("      - {{ id: A, name: P95, measure: percentile, source: samples, column: latency_ms, p: 95{extra}, target: \"<= 20\", points: 10, scoring: {{ rule: threshold }} }}\n")
    };
    // numpy's default: 1 + 0.95 × 19 = 19.05.
    approx(
        value(&score_one(&ind(""), vec![samples()], "2025-07", None)),
        19.05,
    );
    // Nearest rank: ceil(0.95 × 20) = 19th smallest = 19.
    approx(
        value(&score_one(
            &ind(", method: nearest_rank"),
            vec![samples()],
            "2025-07",
            None,
        )),
        19.0,
    );
}

pub(crate) fn faults() -> LoadedTable {
    table(
        Table::Faults,
        vec![
            strs("ticket_id", &["T1", "T2", "T3", "T4", "T5", "T6"]),
            strs("line_id", &["L1", "L1", "L1", "L1", "L1", "G1"]),
            Column::new("severity".into(), [1i64, 1, 2, 3, 3, 1]),
            times(
                "reported_at",
                &[
                    Some("2025-07-10 10:00"),
                    Some("2025-07-11 10:00"),
                    Some("2025-07-12 10:00"),
                    Some("2025-07-31 23:30"),
                    Some("2025-07-31 20:00"),
                    Some("2025-07-10 10:00"),
                ],
            ),
            times(
                "responded_at",
                &[
                    // Exactly 15 min: on time (inclusive).
                    Some("2025-07-10 10:15"),
                    Some("2025-07-11 10:16"),
                    Some("2025-07-12 10:30"),
                    // Open, 60 min limit ends 08-01 00:30, after the period: left out.
                    None,
                    // Open, deadline 21:00 passed before the period's end: late.
                    None,
                    Some("2025-07-10 12:00"),
                ],
            ),
        ],
    )
}

#[test]
fn on_time_rate_by_severity_with_open_tickets() {
    let ind = "      - { id: A, name: 响应, measure: on_time_rate, source: faults, start: reported_at, end: responded_at, limit: { by: severity, values: { 1: 15m, 2: 30m, 3: 60m } }, target: \">= 98\", points: 10, scoring: { rule: threshold } }\n";
    let r = score_one(ind, vec![faults()], "2025-07", None);
    // Judged: T1 on time, T2 late, T3 on time, T5 late (G1 is 5G) → 2 of 4.
    approx(value(&r), 50.0);
    assert_eq!(r.indicators[0].rows, 4);
}

#[test]
fn mean_duration_in_hours() {
    let ind = "      - { id: A, name: MTTR, measure: mean_duration, source: faults, start: reported_at, end: responded_at, target: \"<= 4\", points: 10, scoring: { rule: threshold } }\n";
    // T1 0.25 h, T2 16/60 h, T3 0.5 h (open tickets have no duration).
    approx(
        value(&score_one(ind, vec![faults()], "2025-07", None)),
        (0.25 + 16.0 / 60.0 + 0.5) / 3.0,
    );
}

#[test]
fn working_days_across_a_holiday_and_a_make_up_sunday() {
    let complaints = table(
        Table::Complaints,
        vec![
            strs("complaint_id", &["C1", "C2", "C3"]),
            // Fri 09-26 + 2 wd = Sun 09-28 (make-up day) and Mon 09-29.
            times(
                "received_at",
                &[
                    Some("2025-09-26 09:00"),
                    Some("2025-09-26 09:00"),
                    Some("2025-09-30 09:00"),
                ],
            ),
            times(
                "resolved_at",
                &[
                    Some("2025-09-29 23:59"),
                    Some("2025-09-30 00:00"),
                    // Tue 09-30 + 2 wd: 1–8 Oct are holidays, Thu 10-09 and Fri 10-10.
                    Some("2025-10-10 18:00"),
                ],
            ),
        ],
    );
    let ind = "      - { id: A, name: 投诉, measure: on_time_rate, source: complaints, start: received_at, end: resolved_at, limit: 2wd, target: \">= 95\", points: 10, scoring: { rule: threshold } }\n";
    let r = score_one(ind, vec![complaints], "2025Q3", None);
    approx(value(&r), 100.0 * 2.0 / 3.0);
}

#[test]
fn completion_rate_by_due_date() {
    let drills = table(
        Table::Drills,
        vec![
            dates(
                "planned_on",
                &[
                    Some("2025-07-10"),
                    Some("2025-07-20"),
                    Some("2025-07-30"),
                    Some("2025-08-05"),
                ],
            ),
            dates(
                "done_on",
                &[
                    Some("2025-07-10"),
                    Some("2025-07-21"),
                    None,
                    Some("2025-08-01"),
                ],
            ),
        ],
    );
    let ind = "      - { id: A, name: 演练, measure: completion_rate, source: drills, due: planned_on, done: done_on, target: \">= 100\", points: 10, scoring: { rule: threshold } }\n";
    approx(
        value(&score_one(ind, vec![drills], "2025-07", None)),
        100.0 / 3.0,
    );
}

#[test]
fn count_is_zero_not_no_data_and_ratio_and_sql() {
    let security = || {
        table(
            Table::Security,
            vec![
                strs("finding_id", &["S1", "S2", "S3"]),
                strs("source", &["安全自查", "安全事件", "安全事件"]),
                strs("severity", &["高", "中", "高"]),
                dates(
                    "found_on",
                    &[Some("2025-07-01"), Some("2025-07-02"), Some("2025-08-03")],
                ),
                Column::new("verified".into(), [Some(true), None, Some(false)]),
            ],
        )
    };
    let count = "      - { id: A, name: 事件, measure: count, source: security, where: \"source = '安全事件' AND severity = '高'\", target: \"<= 0\", points: 10, scoring: { rule: threshold } }\n";
    let r = score_one(count, vec![security()], "2025-07", None);
    assert_eq!(value(&r), Some(0.0));
    assert_eq!(r.indicators[0].status, Status::Ok);
    assert_eq!(
        value(&score_one(count, vec![security()], "2025-08", None)),
        Some(1.0)
    );
    let ratio = "      - { id: A, name: 复核, measure: ratio, source: security, condition: \"verified\", target: \">= 95\", points: 10, scoring: { rule: threshold } }\n";
    // A null condition does not hold: 1 of 2.
    approx(
        value(&score_one(ratio, vec![security()], "2025-07", None)),
        50.0,
    );
    let sql = "      - { id: A, name: 比例, measure: sql, source: security, expr: \"100.0 * SUM(CASE WHEN severity = '高' THEN 1 ELSE 0 END) / COUNT(*)\", target: \">= 0\", points: 10, scoring: { rule: threshold } }\n";
    approx(
        value(&score_one(sql, vec![security()], "2025-07", None)),
        50.0,
    );
    // No rows at all in the period: a mean is no data.
    let mean = "      - { id: A, name: 均值, measure: mean, source: surveys, column: score, target: \">= 90\", points: 10, scoring: { rule: threshold } }\n";
    let r = score_one(
        mean,
        vec![table(
            Table::Surveys,
            vec![
                Column::new("score".into(), [95.0]),
                dates("surveyed_on", &[Some("2025-08-01")]),
            ],
        )],
        "2025-07",
        None,
    );
    assert_eq!(
        (value(&r), r.indicators[0].status, r.indicators[0].score),
        (None, Status::NoData, None)
    );
}

#[test]
fn groups_split_line_keyed_measures_and_sum_consistently() {
    let samples = reachability(&[
        ("2025-07-01 00:00", "L1", true),
        ("2025-07-01 00:05", "L1", false),
        ("2025-07-01 00:00", "L2", true),
    ]);
    let r = score_one(AVAIL, vec![samples], "2025-07", Some(GroupBy::District));
    approx(value(&r), 100.0 * 2.0 / 3.0);
    let by: BTreeMap<&str, Option<f64>> = r
        .groups
        .iter()
        .map(|g| (g.key.as_str(), g.indicators[0].value))
        .collect();
    approx(by["浦东新区"], 50.0);
    approx(by["黄浦区"], 100.0);
    // Pooled over the groups' rows gives the overall value back.
    let rows: u64 = r.groups.iter().map(|g| g.indicators[0].rows).sum();
    assert_eq!(rows, r.indicators[0].rows);
}

/// The sample indicators of a scheme are measured together from one read: planned
/// windows (two on one line, bounds half-open), inactive dates, `where` on a sample
/// and on an inventory column, a ratio over an inventory column, a shared value
/// column (mean and p95 of latency), overall and by district.
#[test]
fn sample_indicators_measured_together() {
    let l1: Vec<String> = (0..10)
        .map(|i| format!("2025-07-01 00:{:02}", i * 5))
        .collect();
    let mut when: Vec<Option<&str>> = l1.iter().map(|s| Some(s.as_str())).collect();
    when.extend([
        Some("2025-07-01 00:00"),
        Some("2025-07-02 00:00"),
        Some("2025-07-01 00:00"),
    ]);
    let mut lines = vec!["L1"; 10];
    lines.extend(["L2", "L2", "G1"]);
    let up = [
        true, false, false, true, false, false, true, true, false, true,
    ];
    let mut reachable = up.to_vec();
    reachable.extend([true, false, true]);
    let mut latency: Vec<f64> = (1..=10).map(f64::from).collect();
    latency.extend([20.0, 30.0, 100.0]);
    let mut in_bps = vec![50e6, 90e6, 10e6, 10e6, 10e6, 85e6, 10e6, 10e6, 10e6, 10e6];
    in_bps.extend([10e6, 10e6, 99e6]);
    let samples = table(
        Table::Samples,
        vec![
            times("time", &when),
            strs("line_id", &lines),
            Column::new("reachable".into(), reachable),
            Column::new("latency_ms".into(), latency),
            Column::new("in_bps".into(), in_bps),
        ],
    );
    // L1's windows [00:05, 00:10) and [00:20, 00:30) take out 00:05, 00:20 and 00:25;
    // 00:10 and 00:30 (the ends) count.
    let outages = table(
        Table::Outages,
        vec![
            strs("line_id", &["L1", "L1"]),
            times(
                "start",
                &[Some("2025-07-01 00:20"), Some("2025-07-01 00:05")],
            ),
            times("end", &[Some("2025-07-01 00:30"), Some("2025-07-01 00:10")]),
            Column::new("planned".into(), [true, true]),
        ],
    );
    let ind = |id: &str, rest: &str| {
        format!("      - {{ id: {id}, name: {id}, source: samples, {rest}, target: \">= 0\", points: 10, scoring: {{ rule: threshold }} }}\n")
    };
    let scheme = [
        ind("AVAIL", "measure: availability"),
        ind("MOL", "measure: availability, aggregate: mean_of_lines"),
        ind("LAT", "measure: mean, column: latency_ms, where: \"reachable\""),
        ind("P95", "measure: percentile, column: latency_ms, p: 95, where: \"reachable\""),
        ind("CONG", "measure: ratio, condition: \"GREATEST(in_bps, out_bps) <= 0.8 * bandwidth_mbps * 1000000\""),
        ind("HP", "measure: count, where: \"district = '黄浦区'\""),
    ]
    .concat();
    let r = score_one(
        &scheme,
        vec![samples.clone(), outages.clone()],
        "2025-07",
        Some(GroupBy::District),
    );
    let got: BTreeMap<&str, (Option<f64>, u64)> = r
        .indicators
        .iter()
        .map(|i| (i.id.as_str(), (i.value, i.rows)))
        .collect();
    // L1 counts 00:00 up, 00:10 down, 00:15 up, 00:30 up, 00:35 up, 00:40 down,
    // 00:45 up (5 of 7); L2 only on its last active day, 07-01 (1 of 1); G1 is 5G.
    approx(got["AVAIL"].0, 75.0);
    assert_eq!(got["AVAIL"].1, 8);
    approx(got["MOL"].0, 100.0 * (5.0 / 7.0 + 1.0) / 2.0);
    // Reachable latencies of the fibre lines, all dates: 1, 4, 7, 8, 10 and 20.
    approx(got["LAT"].0, 50.0 / 6.0);
    assert_eq!(got["LAT"].1, 6);
    // Linear: position 0.95 × 5 = 4.75 between 10 and 20.
    approx(got["P95"].0, 17.5);
    // 90 and 85 Mbps exceed 80 % of 100 Mbps: 10 of 12 fibre samples held.
    approx(got["CONG"].0, 100.0 * 10.0 / 12.0);
    assert_eq!(got["CONG"].1, 12);
    approx(got["HP"].0, 2.0);
    let group = |key: &str, id: &str| {
        let g = r.groups.iter().find(|g| g.key == key).expect("group");
        g.indicators
            .iter()
            .find(|i| i.id == id)
            .expect("indicator")
            .value
    };
    approx(group("浦东新区", "AVAIL"), 100.0 * 5.0 / 7.0);
    approx(group("黄浦区", "AVAIL"), 100.0);
    approx(group("浦东新区", "LAT"), 6.0);
    approx(group("黄浦区", "LAT"), 20.0);
    approx(group("浦东新区", "CONG"), 80.0);
    approx(group("黄浦区", "CONG"), 100.0);
    approx(group("浦东新区", "HP"), 0.0);
    approx(group("黄浦区", "HP"), 2.0);
    // The same figures without `by`, and the same bytes on every run.
    let plain = score_one(
        &scheme,
        vec![samples.clone(), outages.clone()],
        "2025-07",
        None,
    );
    assert_eq!(plain.indicators, r.indicators);
}

/// Without an access type every line counts, lines the inventory lacks too (always
/// active); they count overall but belong to no district.
#[test]
fn availability_of_every_line_includes_unknown_lines() {
    let samples = reachability(&[
        ("2025-07-01 00:00", "L1", true),
        ("2025-07-01 00:05", "L1", true),
        ("2025-07-01 00:00", "G1", true),
        ("2025-07-01 00:00", "X9", false),
        ("2025-07-01 00:05", "X9", true),
    ]);
    let r = score_for(
        "",
        &avail_mean_of_lines(),
        vec![samples],
        "2025-07",
        Some(GroupBy::District),
    );
    // L1 100 %, G1 100 %, X9 50 %: mean of lines 250 / 3.
    approx(value(&r), 250.0 / 3.0);
    assert_eq!(r.indicators[0].rows, 5);
    let keys: Vec<&str> = r.groups.iter().map(|g| g.key.as_str()).collect();
    assert_eq!(keys, ["浦东新区", "黄浦区"]);
    approx(r.groups[0].indicators[0].value, 100.0);
}

#[test]
fn daily_availability_and_latency_follow_the_availability_rules() {
    let rows: [(&str, &str, bool, Option<f64>); 7] = [
        ("2025-07-01 00:00", "L1", true, Some(10.0)),
        ("2025-07-01 00:05", "L1", false, None),
        // Inside L1's planned window [00:10, 00:15): not counted.
        ("2025-07-01 00:10", "L1", false, None),
        ("2025-07-01 00:00", "L2", true, Some(20.0)),
        ("2025-07-02 00:00", "L1", true, Some(30.0)),
        // L2 closed on 07-01: not counted for availability; its latency still counts,
        // as in the `mean` measure.
        ("2025-07-02 00:00", "L2", true, Some(40.0)),
        // The 5G line is not in a fibre series.
        ("2025-07-02 00:00", "G1", false, None),
    ];
    let samples = table(
        Table::Samples,
        vec![
            times("time", &rows.iter().map(|r| Some(r.0)).collect::<Vec<_>>()),
            strs("line_id", &rows.iter().map(|r| r.1).collect::<Vec<_>>()),
            Column::new(
                "reachable".into(),
                rows.iter().map(|r| r.2).collect::<Vec<_>>(),
            ),
            Column::new(
                "latency_ms".into(),
                rows.iter().map(|r| r.3).collect::<Vec<_>>(),
            ),
        ],
    );
    let outages = table(
        Table::Outages,
        vec![
            strs("line_id", &["L1"]),
            times("start", &[Some("2025-07-01 00:10")]),
            times("end", &[Some("2025-07-01 00:15")]),
            Column::new("planned".into(), [true]),
        ],
    );
    let samples_table = samples.clone();
    let figures = with_input(vec![samples, outages], "2025-07", |input| {
        crate::score::daily::figures(&samples_table, Some("fiber"), input).unwrap()
    });
    let (days, worst) = (&figures.by_day, figures.worst_lines(10));
    // By line: L1 up, down, up of 3 counted (latency (10 + 30) / 2); L2 1 of 1
    // (latency (20 + 40) / 2). Worst first.
    let shown: Vec<(&str, u64)> = worst
        .iter()
        .map(|l| (l.line_id.as_str(), l.samples))
        .collect();
    assert_eq!(shown, [("L1", 3), ("L2", 1)]);
    approx(worst[0].availability, 200.0 / 3.0);
    approx(worst[0].latency_ms, 20.0);
    approx(worst[1].availability, 100.0);
    approx(worst[1].latency_ms, 30.0);
    // 07-01: L1 up, L1 down, L2 up → 2 of 3; latency (10 + 20) / 2. 07-02: L1 up → 1 of
    // 1; latency (30 + 40) / 2.
    assert_eq!(days.len(), 2);
    assert_eq!(days[0].date, d("2025-07-01"));
    approx(days[0].availability, 200.0 / 3.0);
    approx(days[0].latency_ms, 15.0);
    approx(days[1].availability, 100.0);
    approx(days[1].latency_ms, 35.0);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Four sample indicators: availability, mean latency, p95 (nearest rank) and
    /// median (linear) of latency.
    fn four() -> String {
        let pct = |id: &str, p: u32, method: &str| {
            format!("      - {{ id: {id}, name: {id}, measure: percentile, source: samples, column: latency_ms, p: {p}{method}, target: \"<= 50\", points: 10, scoring: {{ rule: threshold }} }}\n")
        };
        format!(
            "{AVAIL}      - {{ id: M, name: 均值, measure: mean, source: samples, column: latency_ms, target: \"<= 50\", points: 10, scoring: {{ rule: threshold }} }}\n{}{}",
            pct("P95", 95, ", method: nearest_rank"),
            pct("P50", 50, "")
        )
    }

    /// Samples of L1, one per (1 day + 7 min) from July 1st: the first 31 or so in
    /// July, the rest in August, so the two-month period is measured as two pieces.
    fn samples(rows: &[(bool, u32)]) -> LoadedTable {
        let start = t("2025-07-01 00:00");
        let when: Vec<String> = (0..rows.len())
            .map(|i| {
                (start + chrono::Duration::minutes(i as i64 * (24 * 60 + 7)))
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            })
            .collect();
        let up: Vec<bool> = rows.iter().map(|r| r.0).collect();
        let latency: Vec<f64> = rows.iter().map(|r| r.1 as f64 / 10.0).collect();
        latency_samples(&when, &vec!["L1"; rows.len()], up, latency)
    }

    /// Samples of (time, line, reachable, latency).
    fn latency_samples(
        when: &[String],
        lines: &[&str],
        up: Vec<bool>,
        latency: Vec<f64>,
    ) -> LoadedTable {
        table(
            Table::Samples,
            vec![
                times(
                    "time",
                    &when.iter().map(|s| Some(s.as_str())).collect::<Vec<_>>(),
                ),
                strs("line_id", lines),
                Column::new("reachable".into(), up),
                Column::new("latency_ms".into(), latency),
            ],
        )
    }

    fn values(rows: &[(bool, u32)]) -> Vec<Option<f64>> {
        let r = score_for(
            "access_type: fiber\n",
            &four(),
            vec![samples(rows)],
            "2025-07-01..2025-08-31",
            None,
        );
        r.indicators.iter().map(|i| i.value).collect()
    }

    /// Samples of 2025-07-01, a day on which L1 (浦东新区) and L2 (黄浦区) are both
    /// active: ((line, minute), reachable), with a latency drawn from the minute.
    fn day_of_samples(rows: &[((bool, u32), bool)]) -> LoadedTable {
        let when: Vec<String> = rows
            .iter()
            .map(|((_, m), _)| format!("2025-07-01 {:02}:{:02}", m / 60, m % 60))
            .collect();
        let lines: Vec<&str> = rows
            .iter()
            .map(|r| if r.0 .0 { "L1" } else { "L2" })
            .collect();
        let up: Vec<bool> = rows.iter().map(|r| r.1).collect();
        let latency: Vec<f64> = rows.iter().map(|r| (r.0 .1 % 97) as f64 / 4.0).collect();
        latency_samples(&when, &lines, up, latency)
    }

    /// Availability (pooled), mean latency of reachable samples, and a count.
    fn additive() -> String {
        let ind = |id: &str, rest: &str| {
            format!("      - {{ id: {id}, name: {id}, source: samples, {rest}, target: \">= 0\", points: 10, scoring: {{ rule: threshold }} }}\n")
        };
        [
            ind("A", "measure: availability"),
            ind(
                "M",
                "measure: mean, column: latency_ms, where: \"reachable\"",
            ),
            ind("N", "measure: count"),
        ]
        .concat()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * a.abs().max(1.0)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        /// Over months measured apart and added up: availability in [0, 100] and equal
        /// to up ÷ counted, the mean equal to the sum ÷ n, the percentiles equal to
        /// the sorted values' — and the same whatever the order of the rows' values.
        #[test]
        fn months_add_up_and_order_does_not_matter(
            rows in proptest::collection::vec((any::<bool>(), 0u32..2000), 1..60),
            seed in any::<u64>(),
        ) {
            let got = values(&rows);
            let n = rows.len() as f64;
            let up = rows.iter().filter(|r| r.0).count() as f64;
            let avail = got[0].unwrap();
            prop_assert!((0.0..=100.0).contains(&avail));
            prop_assert!((avail - 100.0 * up / n).abs() < 1e-9);
            let mut lat: Vec<f64> = rows.iter().map(|r| r.1 as f64 / 10.0).collect();
            let mean = lat.iter().sum::<f64>() / n;
            prop_assert!((got[1].unwrap() - mean).abs() < 1e-9 * mean.max(1.0));
            lat.sort_by(f64::total_cmp);
            let k = crate::frame::nearest_rank_index(lat.len(), 95.0);
            prop_assert_eq!(got[2], Some(lat[k]));
            let at = (lat.len() - 1) as f64 * 0.5;
            let (lo, hi) = (lat[at.floor() as usize], lat[at.ceil() as usize]);
            let median = lo + (hi - lo) * (at - at.floor());
            prop_assert!((got[3].unwrap() - median).abs() < 1e-9);
            // The same values in another order (times stay, values move).
            let mut shuffled = rows.clone();
            let mut rng = crate::rng::Rng::stream(seed, "shuffle");
            for i in (1..shuffled.len()).rev() {
                shuffled.swap(i, rng.int(0, i as i64) as usize);
            }
            let again = values(&shuffled);
            prop_assert_eq!(&again[..1], &got[..1]);
            prop_assert_eq!(&again[2..], &got[2..]);
            prop_assert!((again[1].unwrap() - got[1].unwrap()).abs() < 1e-9 * mean.max(1.0));
        }

        /// By district, each measure splits into groups that recombine to the pooled
        /// figure: the groups' rows add up, availability and the mean are the groups'
        /// averaged by their rows, counts add up; shuffling the rows changes nothing.
        #[test]
        fn groups_recombine_and_row_order_does_not_matter(
            rows in proptest::collection::btree_map((any::<bool>(), 0u32..1440), any::<bool>(), 1..80),
            seed in any::<u64>(),
        ) {
            let rows: Vec<((bool, u32), bool)> = rows.into_iter().collect();
            let by = Some(GroupBy::District);
            let r = score_one(&additive(), vec![day_of_samples(&rows)], "2025-07", by);
            for (i, overall) in r.indicators.iter().enumerate() {
                let groups: Vec<&IndicatorResult> = r.groups.iter().map(|g| &g.indicators[i]).collect();
                let rows_of_groups: u64 = groups.iter().map(|g| g.rows).sum();
                prop_assert_eq!(rows_of_groups, overall.rows, "{}", overall.id);
                let weighted: f64 = groups
                    .iter()
                    .filter_map(|g| Some(g.value? * g.rows as f64))
                    .sum();
                let recombined = match overall.id.as_str() {
                    "N" => groups.iter().filter_map(|g| g.value).sum(),
                    _ => weighted / overall.rows as f64,
                };
                match overall.value {
                    Some(v) => prop_assert!(close(v, recombined), "{}: {v} vs {recombined}", overall.id),
                    None => prop_assert_eq!(overall.rows, 0),
                }
            }
            let availability = r.indicators[0].value.unwrap();
            prop_assert!((0.0..=100.0).contains(&availability));
            let mut shuffled = rows.clone();
            let mut rng = crate::rng::Rng::stream(seed, "shuffle");
            for i in (1..shuffled.len()).rev() {
                shuffled.swap(i, rng.int(0, i as i64) as usize);
            }
            let again = score_one(&additive(), vec![day_of_samples(&shuffled)], "2025-07", by);
            prop_assert_eq!(again.total, r.total);
            let results = |s: &ScoreResult| -> Vec<(String, u64, Option<f64>)> {
                let groups = s.groups.iter().flat_map(|g| &g.indicators);
                s.indicators.iter().chain(groups).map(|i| (i.id.clone(), i.rows, i.value)).collect()
            };
            for (a, b) in results(&r).into_iter().zip(results(&again)) {
                prop_assert_eq!((&a.0, a.1), (&b.0, b.1));
                prop_assert!(a.2.zip(b.2).is_none_or(|(x, y)| close(x, y)) && a.2.is_some() == b.2.is_some());
            }
        }
    }
}
