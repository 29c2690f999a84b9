//! The time series of the demo: 5-minute performance samples of every fibre line,
//! one CSV per month (the second in GBK with a title row, as some exports come), and
//! the daily 5G KPIs per card. Planted sample defects are written here too.

use super::world::World;
use super::write::{push_fixed, CsvOut, Encoding};
use super::{Planted, Truth};
use crate::rng::Rng;
use anyhow::Result;
use chrono::{Datelike, Duration, NaiveDateTime};
use std::path::Path;

pub const SAMPLES_HEADER: &str =
    "采集时间,线路编号,时延(ms),抖动(ms),丢包率(%),入流量(bps),出流量(bps),可达";

/// What to do to the sample of one line at one time (defects only).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Twist {
    None,
    Drop,
    Unreachable,
    BadLatency(&'static str),
    NoLineId,
    Loss(f64),
    Latency(f64),
    Overload,
    RepeatDiffering,
    RepeatExact,
}

/// Where the planted sample defects go: (line index, first time, last time, twist).
struct Plan {
    rules: Vec<(usize, NaiveDateTime, NaiveDateTime, Twist)>,
}

impl Plan {
    fn twist(&self, line: usize, t: NaiveDateTime) -> Twist {
        self.rules
            .iter()
            .find(|(l, a, b, _)| *l == line && *a <= t && t <= *b)
            .map(|r| r.3)
            .unwrap_or(Twist::None)
    }
}

fn fiber_indices(world: &World) -> Vec<usize> {
    world
        .lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.fiber && l.opened_on <= world.start && l.closed_on.is_none())
        .map(|(i, _)| i)
        .collect()
}

/// A time on day `d` (0-based) of the world at hh:mm.
fn at(world: &World, d: i64, h: u32, m: u32) -> NaiveDateTime {
    (world.start + Duration::days(d))
        .and_hms_opt(h, m, 0)
        .expect("valid time")
}

/// Picks a day on which the line has no outage between 08:00 and 18:00.
fn quiet_day(world: &World, line: usize, from: i64) -> i64 {
    (from..world.days as i64)
        .find(|d| {
            let (a, b) = (at(world, *d, 8, 0), at(world, *d, 18, 0));
            !world
                .outages
                .iter()
                .any(|o| o.line == line && o.start < b && a < o.end)
        })
        .unwrap_or(from)
}

fn plan(world: &World, defects: bool, interval: i64) -> Plan {
    let f = fiber_indices(world);
    if !defects || f.len() < 8 || world.days < 25 {
        return Plan { rules: Vec::new() };
    }
    let step = Duration::minutes(interval);
    let d = quiet_day(world, f[2], 4);
    let mut rules = vec![
        (f[0], at(world, 3, 10, 0), at(world, 3, 16, 0), Twist::Drop),
        (
            f[1],
            at(world, 10, 0, 0),
            at(world, 20, 23, 55),
            Twist::Drop,
        ),
        (
            f[2],
            at(world, d, 14, 0),
            at(world, d, 15, 0),
            Twist::Unreachable,
        ),
        (
            f[4],
            at(world, 1, 0, 0),
            at(world, 1, 0, 0),
            Twist::BadLatency("abc"),
        ),
        (
            f[4],
            at(world, 1, 0, 0) + step,
            at(world, 1, 0, 0) + step,
            Twist::NoLineId,
        ),
        (
            f[5],
            at(world, 1, 1, 0),
            at(world, 1, 1, 0),
            Twist::RepeatDiffering,
        ),
        (
            f[5],
            at(world, 1, 2, 0),
            at(world, 1, 2, 0),
            Twist::RepeatExact,
        ),
        (
            f[6],
            at(world, 1, 3, 0),
            at(world, 1, 3, 0),
            Twist::Loss(150.0),
        ),
        (
            f[6],
            at(world, 1, 3, 0) + step,
            at(world, 1, 3, 0) + step,
            Twist::Latency(-5.0),
        ),
        (
            f[7],
            at(world, 1, 4, 0),
            at(world, 1, 4, 0),
            Twist::Overload,
        ),
    ];
    // A parse error and a latency out of range in the second month's file (GBK, CRLF,
    // under a title row): row numbers of a Windows export.
    let next_month = world.start.with_day(1).expect("day 1") + chrono::Months::new(1);
    if next_month <= world.end() {
        let t = next_month.and_hms_opt(1, 0, 0).expect("valid time");
        rules.push((f[4], t, t, Twist::BadLatency("N/A")));
        let t = next_month.and_hms_opt(2, 0, 0).expect("valid time");
        rules.push((f[6], t, t, Twist::Latency(20_000.0)));
    }
    Plan { rules }
}

/// The unknown line the defects add samples for.
pub const UNKNOWN_LINE: &str = "SH-XX-9999";

/// Writes `data/性能/性能_YYYY-MM.csv` for every month of the world.
pub fn write_samples(
    root: &Path,
    world: &World,
    seed: u64,
    interval: u32,
    defects: bool,
    truth: &mut Truth,
) -> Result<u64> {
    let interval_min = interval as i64;
    let plan = plan(world, defects, interval_min);
    let mut rng = Rng::stream(seed, "samples");
    // Each line's outages in time order, walked with a cursor.
    let mut outages: Vec<Vec<(NaiveDateTime, NaiveDateTime)>> = vec![Vec::new(); world.lines.len()];
    for o in &world.outages {
        outages[o.line].push((o.start, o.end));
    }
    let mut cursor = vec![0usize; world.lines.len()];
    let mut t = world.start_time();
    let end = world.end_time();
    let mut total = 0u64;
    let mut month_index = 0;
    let mut file: Option<(CsvOut, String, u32)> = None;
    let mut line = String::with_capacity(128);
    let mut stamp = String::with_capacity(20);
    let fiber: Vec<usize> = (0..world.lines.len())
        .filter(|i| world.lines[*i].fiber)
        .collect();
    let mut unknown_written = false;
    while t < end {
        if file.as_ref().is_none_or(|(_, _, m)| *m != t.month()) {
            if let Some((csv, _, _)) = file.take() {
                csv.finish()?;
            }
            let rel = format!("data/性能/性能_{}.csv", t.format("%Y-%m"));
            let (encoding, title) = match month_index % 3 {
                1 => (
                    Encoding::Gbk,
                    Some(format!("性能数据导出 {}", t.format("%Y年%m月"))),
                ),
                2 => (Encoding::Utf8Bom, None),
                _ => (Encoding::Utf8, None),
            };
            // With defects, the GBK month is also a Windows file (CRLF), as exports are.
            let crlf = defects && encoding == Encoding::Gbk;
            let csv = CsvOut::create(
                &root.join(&rel),
                encoding,
                title.as_deref(),
                SAMPLES_HEADER,
                crlf,
            )?;
            file = Some((csv, rel, t.month()));
            month_index += 1;
        }
        let (csv, rel, _) = file.as_mut().expect("opened above");
        stamp.clear();
        stamp.push_str(&t.format("%Y-%m-%d %H:%M:%S").to_string());
        let hour = t.hour_f();
        // Business hours carry more traffic.
        let load = if (8.0..19.0).contains(&hour) {
            0.45
        } else {
            0.12
        };
        for &i in &fiber {
            let l = &world.lines[i];
            if !l.active_at(t) {
                continue;
            }
            let os = &outages[i];
            while cursor[i] < os.len() && os[cursor[i]].1 <= t {
                cursor[i] += 1;
            }
            let down = cursor[i] < os.len() && os[cursor[i]].0 <= t;
            let twist = if plan.rules.is_empty() {
                Twist::None
            } else {
                plan.twist(i, t)
            };
            if twist == Twist::Drop {
                continue;
            }
            let reachable = !down && twist != Twist::Unreachable;
            let bw = l.bandwidth_mbps * 1e6;
            let latency = (l.base_latency * (1.0 + 0.15 * rng.normal().abs())
                + if hour > 9.0 && hour < 11.0 { 0.8 } else { 0.0 })
            .max(0.5);
            let jitter = (0.2 + 0.6 * rng.f64()).min(latency);
            let loss = if rng.chance(0.02) {
                0.1 * rng.int(1, 5) as f64
            } else {
                0.0
            };
            let cap = if l.load_factor > 1.0 { 0.97 } else { 0.75 };
            let inb = bw * (load * rng.range(0.3, 1.2) * l.load_factor).min(cap);
            let outb = inb * rng.range(0.3, 0.9);
            line.clear();
            line.push_str(&stamp);
            line.push(',');
            if twist != Twist::NoLineId {
                line.push_str(&l.line_id);
            }
            line.push(',');
            if reachable {
                match twist {
                    Twist::BadLatency(text) => line.push_str(text),
                    Twist::Latency(v) => push_fixed(&mut line, v, 2),
                    _ => push_fixed(&mut line, latency, 2),
                }
                line.push(',');
                push_fixed(&mut line, jitter, 2);
                line.push(',');
                match twist {
                    Twist::Loss(v) => push_fixed(&mut line, v, 1),
                    _ => push_fixed(&mut line, loss, 1),
                }
                line.push(',');
                match twist {
                    Twist::Overload => push_fixed(&mut line, bw * 2.0, 0),
                    _ => push_fixed(&mut line, inb, 0),
                }
                line.push(',');
                push_fixed(&mut line, outb, 0);
                line.push_str(",是");
            } else {
                line.push_str(",,100.0,0,0,否");
            }
            let row = csv.write_line(&line)?;
            total += 1;
            let code = match twist {
                Twist::BadLatency(_) => Some(("parse", "latency_ms")),
                Twist::NoLineId => Some(("missing_required", "line_id")),
                Twist::Loss(_) => Some(("out_of_range", "loss_pct")),
                Twist::Latency(_) => Some(("out_of_range", "latency_ms")),
                Twist::Overload => Some(("out_of_range", "in_bps")),
                _ => None,
            };
            if let Some((code, column)) = code {
                let line_id = (twist != Twist::NoLineId).then_some(l.line_id.as_str());
                truth.plant(Planted::row(code, "samples", rel, row, column, line_id));
            }
            match twist {
                Twist::RepeatExact => {
                    csv.write_line(&line)?;
                    truth.exact_duplicate("samples");
                }
                Twist::RepeatDiffering => {
                    // Same line and time, another latency.
                    let mut fields: Vec<&str> = line.split(',').collect();
                    fields[2] = "99.99";
                    let row = csv.write_line(&fields.join(","))?;
                    truth.plant(Planted::row(
                        "duplicate",
                        "samples",
                        rel,
                        row,
                        "line_id",
                        Some(&l.line_id),
                    ));
                }
                _ => {}
            }
        }
        if defects
            && !unknown_written
            && t >= world.start_time() + Duration::days(1) + Duration::hours(6)
        {
            // A line the inventory does not know: several rows, one finding.
            for k in 0..6 {
                let when = t + Duration::minutes(k * interval_min);
                let text = format!(
                    "{},{UNKNOWN_LINE},3.20,0.30,0.0,1000,1000,是",
                    when.format("%Y-%m-%d %H:%M:%S")
                );
                let row = csv.write_line(&text)?;
                if k == 0 {
                    truth.plant(Planted::row(
                        "unknown_line",
                        "samples",
                        rel,
                        row,
                        "line_id",
                        Some(UNKNOWN_LINE),
                    ));
                }
            }
            unknown_written = true;
        }
        t += Duration::minutes(interval_min);
    }
    if let Some((csv, _, _)) = file.take() {
        csv.finish()?;
    }
    for (l, a, b, twist) in &plan.rules {
        let id = &world.lines[*l].line_id;
        match twist {
            Twist::Drop => {
                truth.plant(Planted::line("gap", "samples", id));
                if (*b - *a) > Duration::days(3) {
                    truth.plant(Planted::line("coverage", "samples", id));
                }
            }
            Twist::Unreachable => truth.plant(Planted::line("inconsistent", "samples", id)),
            _ => {}
        }
    }
    Ok(total)
}

trait HourF {
    fn hour_f(&self) -> f64;
}

impl HourF for NaiveDateTime {
    fn hour_f(&self) -> f64 {
        use chrono::Timelike;
        self.hour() as f64 + self.minute() as f64 / 60.0
    }
}

pub const KPI_HEADER: &str = "日期,号卡,注册成功率(%),会话建立成功率(%),下行速率(Mbps),上行速率(Mbps),时延(ms),RSRP(dBm),SINR(dB),掉线率(%),流量(MB)";

/// Writes `data/5G/性能_5G.csv`: one row per card and day. With defects the last
/// three days are missing (a `stale` export).
pub fn write_kpi(
    root: &Path,
    world: &World,
    seed: u64,
    defects: bool,
    truth: &mut Truth,
) -> Result<()> {
    let mut rng = Rng::stream(seed, "kpi_5g");
    let rel = "data/5G/性能_5G.csv";
    let mut csv = CsvOut::create(&root.join(rel), Encoding::Utf8, None, KPI_HEADER, false)?;
    // Three months of history before the period, for the fee audit's traffic check.
    let first = world.start - chrono::Months::new(3);
    let stop = if defects {
        world.end() - Duration::days(3)
    } else {
        world.end()
    };
    let mut day = first;
    let mut line = String::with_capacity(128);
    while day <= stop {
        for l in world.lines.iter().filter(|l| !l.fiber) {
            if day < l.opened_on || l.closed_on.is_some_and(|c| day > c) {
                continue;
            }
            line.clear();
            line.push_str(&day.format("%Y-%m-%d").to_string());
            line.push(',');
            line.push_str(&l.line_id);
            for (v, d) in [
                (100.0 - rng.range(0.0, 0.4), 2),
                (100.0 - rng.range(0.0, 0.5), 2),
                (rng.range(120.0, 600.0), 1),
                (rng.range(25.0, 90.0), 1),
                (rng.range(12.0, 28.0), 1),
                (rng.range(-98.0, -70.0), 1),
                (rng.range(2.0, 22.0), 1),
                (rng.range(0.0, 0.3), 2),
                (
                    match rng.range(200.0, 1600.0) {
                        _ if l.idle_before && day < world.start => 0.0,
                        mb => mb,
                    },
                    1,
                ),
            ] {
                line.push(',');
                push_fixed(&mut line, v, d);
            }
            csv.write_line(&line)?;
        }
        day += Duration::days(1);
    }
    csv.finish()?;
    if defects {
        truth.plant(Planted::table("stale", "kpi_5g"));
    }
    Ok(())
}
