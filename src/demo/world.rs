//! The demo's ground truth: lines across Shanghai's 16 districts and the outages that
//! happen to them. Every exported table is written from this one world, so the
//! tables agree with each other the way a real provider's exports do.

use crate::rng::Rng;
use chrono::{Duration, NaiveDate, NaiveDateTime};

/// Shanghai's 16 districts with a short code for line ids.
pub const DISTRICTS: [(&str, &str); 16] = [
    ("黄浦区", "HP"),
    ("徐汇区", "XH"),
    ("长宁区", "CN"),
    ("静安区", "JA"),
    ("普陀区", "PT"),
    ("虹口区", "HK"),
    ("杨浦区", "YP"),
    ("闵行区", "MH"),
    ("宝山区", "BS"),
    ("嘉定区", "JD"),
    ("浦东新区", "PD"),
    ("金山区", "JS"),
    ("松江区", "SJ"),
    ("青浦区", "QP"),
    ("奉贤区", "FX"),
    ("崇明区", "CM"),
];

const UNIT_KINDS: [&str; 12] = [
    "人民政府办公室",
    "政务服务中心",
    "卫生健康委员会",
    "教育局",
    "公安分局",
    "市场监督管理局",
    "民政局",
    "城市管理行政执法局",
    "人力资源和社会保障局",
    "生态环境局",
    "应急管理局",
    "规划和自然资源局",
];

#[derive(Debug, Clone)]
pub struct DemoLine {
    pub line_id: String,
    pub unit: String,
    pub district: &'static str,
    pub fiber: bool,
    pub bandwidth_mbps: f64,
    pub room_id: String,
    pub opened_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
    /// Typical latency of the line in ms.
    pub base_latency: f64,
    /// Traffic relative to a typical line: the fee audit's utilisation advice.
    pub load_factor: f64,
    /// A 5G card that carried no traffic before the period (the fee audit's idle card).
    pub idle_before: bool,
}

impl DemoLine {
    pub fn active_at(&self, t: NaiveDateTime) -> bool {
        let d = t.date();
        d >= self.opened_on && self.closed_on.is_none_or(|c| d <= c)
    }
}

#[derive(Debug, Clone)]
pub struct DemoOutage {
    pub line: usize,
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    pub planned: bool,
    pub cause: &'static str,
}

/// The lines the fee audit's advice is planted on (fibre, active all period).
pub const LOW_USE_LINE: usize = 2;
pub const HIGH_USE_LINE: usize = 3;
/// A 5G card (every fifth line is one).
pub const IDLE_CARD_LINE: usize = 4;

pub struct World {
    pub start: NaiveDate,
    pub days: u32,
    pub lines: Vec<DemoLine>,
    pub outages: Vec<DemoOutage>,
    pub rooms: Vec<String>,
}

impl World {
    pub fn end(&self) -> NaiveDate {
        self.start + Duration::days(self.days as i64 - 1)
    }

    pub fn start_time(&self) -> NaiveDateTime {
        self.start.and_hms_opt(0, 0, 0).expect("midnight")
    }

    pub fn end_time(&self) -> NaiveDateTime {
        (self.end() + Duration::days(1))
            .and_hms_opt(0, 0, 0)
            .expect("midnight")
    }
}

/// 5G cards are numbered like IoT numbers; their id is also their inventory line id.
fn card_number(rng: &mut Rng) -> String {
    format!("1440{:09}", rng.int(0, 999_999_999))
}

pub fn build(seed: u64, lines: usize, start: NaiveDate, days: u32) -> World {
    let mut rng = Rng::stream(seed, "lines");
    let mut out = Vec::with_capacity(lines);
    let rooms: Vec<String> = DISTRICTS
        .iter()
        .map(|(_, code)| format!("JF-{code}-01"))
        .collect();
    let end = start + Duration::days(days as i64 - 1);
    for i in 0..lines {
        let (district, code) = DISTRICTS[i % DISTRICTS.len()];
        // One line in five is a 5G card; the rest fibre.
        let fiber = i % 5 != 4;
        let line_id = if fiber {
            format!("SH-{code}-{:04}", i + 1)
        } else {
            card_number(&mut rng)
        };
        let unit = format!(
            "{district}{}",
            UNIT_KINDS[(i / DISTRICTS.len() + i) % UNIT_KINDS.len()]
        );
        let bandwidth_mbps = if fiber {
            rng.pick(&[100.0, 100.0, 200.0, 500.0, 1000.0])
        } else {
            100.0
        };
        let mut opened_on = start - Duration::days(rng.int(200, 2500));
        let mut closed_on = None;
        // A few lines open or close inside the demo period (proration, coverage edges).
        if lines >= 10 && days >= 20 {
            // Opened in the first month or so (a partial first month); closed around
            // the middle (whole months left unbilled after it).
            if i % 23 == 7 {
                opened_on = start + Duration::days(rng.int(5, (days as i64 / 4).max(6)));
            } else if i % 29 == 11 {
                closed_on = Some(start + Duration::days(rng.int(days as i64 / 3, days as i64 / 2)));
            }
        }
        out.push(DemoLine {
            line_id,
            unit,
            district,
            fiber,
            bandwidth_mbps,
            room_id: rooms[i % rooms.len()].clone(),
            opened_on,
            closed_on: closed_on.filter(|c| *c <= end),
            base_latency: rng.range(2.0, 7.0),
            load_factor: match i {
                LOW_USE_LINE => 0.05,
                HIGH_USE_LINE => 3.0,
                _ => 1.0,
            },
            idle_before: i == IDLE_CARD_LINE,
        });
    }
    let outages = build_outages(seed, &out, start, days);
    World {
        start,
        days,
        lines: out,
        outages,
        rooms,
    }
}

const CAUSES: [&str; 5] = ["光缆中断", "设备故障", "电源故障", "配置错误", "用户侧原因"];

fn build_outages(seed: u64, lines: &[DemoLine], start: NaiveDate, days: u32) -> Vec<DemoOutage> {
    let mut rng = Rng::stream(seed, "outages");
    let mut out = Vec::new();
    let t0 = start.and_hms_opt(0, 0, 0).expect("midnight");
    for (i, line) in lines.iter().enumerate() {
        if !line.fiber {
            continue;
        }
        // About one unplanned outage per line every 100 days, one planned every 60.
        let unplanned = (days as f64 / 100.0 * rng.range(0.3, 1.7)).round() as i64;
        for _ in 0..unplanned {
            let at = t0 + Duration::minutes(rng.int(60, days as i64 * 1440 - 600));
            let len = Duration::minutes(rng.int(8, 90));
            push_if_active(
                &mut out,
                line,
                i,
                at,
                at + len,
                false,
                rng.pick(&CAUSES[..]),
            );
        }
        if rng.chance((days as f64 / 60.0).min(1.0)) {
            // Planned work at night, on the 5-minute grid.
            let day = rng.int(1, days as i64 - 2);
            let at = t0
                + Duration::days(day)
                + Duration::hours(1)
                + Duration::minutes(5 * rng.int(0, 11));
            let len = Duration::minutes(30 * rng.int(2, 6));
            push_if_active(&mut out, line, i, at, at + len, true, "计划割接");
        }
    }
    out.sort_by_key(|o| (o.start, o.line));
    // Keep each line's outages apart, so the world stays simple to reason about.
    let mut kept: Vec<DemoOutage> = Vec::with_capacity(out.len());
    for o in out {
        let clash = kept.iter().any(|k| {
            k.line == o.line
                && k.start < o.end + Duration::hours(2)
                && o.start < k.end + Duration::hours(2)
        });
        if !clash {
            kept.push(o);
        }
    }
    kept
}

fn push_if_active(
    out: &mut Vec<DemoOutage>,
    line: &DemoLine,
    index: usize,
    start: NaiveDateTime,
    end: NaiveDateTime,
    planned: bool,
    cause: &'static str,
) {
    let opens = line.opened_on.and_hms_opt(0, 0, 0).expect("midnight");
    let closes = line.closed_on.map(|c| {
        (c + Duration::days(1))
            .and_hms_opt(0, 0, 0)
            .expect("midnight")
    });
    if start >= opens && closes.is_none_or(|c| end <= c) {
        out.push(DemoOutage {
            line: index,
            start,
            end,
            planned,
            cause,
        });
    }
}
