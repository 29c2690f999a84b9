//! The quarter's field sampling plan (现场抽查, SPEC §10): at least 3 machine rooms
//! (rooms whose inspections of the last 12 months found problems first, then rooms not sampled earlier in
//! the service year), at least 10 % of the active lines (rounded up) in every
//! district, and phone spot-check times spread over working hours, nights, weekends
//! and holidays to test the 7×24 hotline. Reproducible: the same inputs and seed
//! give the same plan.
//!
//! Pure: takes the lines, rooms and calendar, returns the plan; `sheet` writes the
//! field team's work sheet.

pub mod sheet;

use crate::calendar::Calendar;
use crate::period::Period;
use crate::rng::Rng;
use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike, Weekday};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The least number of machine rooms a plan visits.
pub const MIN_ROOMS: usize = 3;
/// The least share of each district's active lines a plan tests (%).
pub const LINE_SHARE_PCT: u64 = 10;

/// An active line that may be sampled.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinePick {
    pub line_id: String,
    pub district: String,
    pub room_id: Option<String>,
    pub unit: Option<String>,
    pub bandwidth_mbps: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoomPick {
    pub room_id: String,
    pub reason: String,
}

/// A phone check: when to call and which slot that time tests.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Call {
    #[serde(serialize_with = "minutes")]
    pub at: NaiveDateTime,
    /// `work`, `night`, `weekend` or `holiday`.
    pub slot: &'static str,
}

fn minutes<S: serde::Serializer>(t: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.format("%Y-%m-%d %H:%M").to_string())
}

/// The plan, as SPEC §10's JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub quarter: String,
    pub seed: u64,
    pub rooms: Vec<RoomPick>,
    pub lines: Vec<LinePick>,
    pub phone_checks: Vec<Call>,
}

/// What a plan is drawn from.
pub struct PlanInput<'a> {
    pub quarter: &'a Period,
    pub seed: u64,
    /// The lines active in the quarter.
    pub lines: &'a [LinePick],
    /// Every machine room known (inventory and inspections).
    pub rooms: &'a BTreeSet<String>,
    /// Rooms whose inspections of the last twelve months found problems.
    pub rooms_with_findings: &'a BTreeSet<String>,
    /// Rooms in earlier plans of the service year.
    pub rooms_sampled_before: &'a BTreeSet<String>,
    pub calendar: &'a Calendar,
}

pub fn plan(input: &PlanInput) -> Plan {
    Plan {
        quarter: input.quarter.label().to_string(),
        seed: input.seed,
        rooms: rooms(input),
        lines: lines(input),
        phone_checks: calls(input),
    }
}

/// Shuffles `items` with a seeded Fisher–Yates.
fn shuffle<T>(items: &mut [T], rng: &mut Rng) {
    for i in (1..items.len()).rev() {
        let j = rng.index(i + 1);
        items.swap(i, j);
    }
}

/// At least `MIN_ROOMS` rooms (all when fewer exist): with findings, then not yet
/// sampled, then the rest, at random within each class.
fn rooms(input: &PlanInput) -> Vec<RoomPick> {
    let mut rng = Rng::stream(input.seed, "rooms");
    let mut all: Vec<&String> = input.rooms.iter().collect();
    shuffle(&mut all, &mut rng);
    let class = |r: &str| {
        if input.rooms_with_findings.contains(r) {
            0
        } else if !input.rooms_sampled_before.contains(r) {
            1
        } else {
            2
        }
    };
    all.sort_by_key(|r| class(r));
    all.into_iter()
        .take(MIN_ROOMS)
        .map(|r| RoomPick {
            room_id: r.clone(),
            reason: match class(r) {
                0 => "近 12 个月巡检发现问题",
                1 => "本服务年度尚未抽查",
                _ => "各机房均已抽查，随机抽取",
            }
            .to_string(),
        })
        .collect()
}

/// ceil(10 % × n) of each district's n active lines, at random; in district and
/// line order.
fn lines(input: &PlanInput) -> Vec<LinePick> {
    let mut by_district: BTreeMap<&str, Vec<&LinePick>> = BTreeMap::new();
    for l in input.lines {
        by_district.entry(l.district.as_str()).or_default().push(l);
    }
    let mut out = Vec::new();
    for (district, mut lines) in by_district {
        lines.sort_by(|a, b| a.line_id.cmp(&b.line_id));
        let mut rng = Rng::stream(input.seed, &format!("lines:{district}"));
        shuffle(&mut lines, &mut rng);
        let k = (lines.len() as u64 * LINE_SHARE_PCT).div_ceil(100) as usize;
        let mut picked: Vec<LinePick> = lines.into_iter().take(k).cloned().collect();
        picked.sort_by(|a, b| a.line_id.cmp(&b.line_id));
        out.extend(picked);
    }
    out
}

/// The slot a day and hour test.
fn slot_of(day: NaiveDate, hour: u32, calendar: &Calendar) -> &'static str {
    if calendar.is_working_day(day) {
        if (9..18).contains(&hour) {
            "work"
        } else {
            "night"
        }
    } else if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
        "weekend"
    } else {
        "holiday"
    }
}

/// How many calls each slot gets in a quarter: 4 in working hours, 4 at night, 3 on
/// weekends, 1 on a holiday (on a weekend when the quarter has none).
const CALLS: [(&str, usize); 4] = [("work", 4), ("night", 4), ("weekend", 3), ("holiday", 1)];

/// Calls spread over the quarter: each slot's eligible days cut into as many equal
/// runs as it has calls, one random day and time in each run.
fn calls(input: &PlanInput) -> Vec<Call> {
    let mut rng = Rng::stream(input.seed, "calls");
    let days: Vec<NaiveDate> = input
        .quarter
        .start
        .iter_days()
        .take_while(|d| *d <= input.quarter.end)
        .collect();
    let eligible = |slot: &str| -> Vec<NaiveDate> {
        days.iter()
            .copied()
            .filter(|d| match slot {
                "work" | "night" => input.calendar.is_working_day(*d),
                s => slot_of(*d, 12, input.calendar) == s,
            })
            .collect()
    };
    let mut out = Vec::new();
    let holidays = eligible("holiday");
    for (slot, n) in CALLS {
        let slot = match slot {
            "holiday" if holidays.is_empty() => "weekend",
            s => s,
        };
        let pool = eligible(slot);
        if pool.is_empty() {
            continue;
        }
        for k in 0..n {
            let (lo, hi) = (
                k * pool.len() / n,
                ((k + 1) * pool.len() / n).max(k * pool.len() / n + 1),
            );
            let day = pool[rng.int(lo as i64, hi.min(pool.len()) as i64 - 1) as usize];
            let minute = match slot {
                "work" => rng.int(9 * 12, 17 * 12 + 5) * 5,
                // 20:00–23:55 or 00:00–06:55.
                "night" => {
                    let m = rng.int(0, 12 * 11 - 1) * 5;
                    if m < 4 * 60 {
                        20 * 60 + m
                    } else {
                        m - 4 * 60
                    }
                }
                _ => rng.int(8 * 12, 21 * 12 + 11) * 5,
            };
            let at = day
                .and_hms_opt((minute / 60) as u32, (minute % 60) as u32, 0)
                .expect("a time within the day");
            out.push(Call {
                at,
                slot: slot_of(day, at.hour(), input.calendar),
            });
        }
    }
    out.sort_by_key(|c| c.at);
    out
}

#[cfg(test)]
mod tests;
