//! The demo's event tables, written as the provider's systems export them: .xlsx
//! workbooks with a title row, Chinese headers and Excel date cells.

use super::world::World;
use super::write::{xlsx, Out};
use super::{Planted, Truth};
use crate::rng::Rng;
use anyhow::Result;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use std::path::Path;

fn title(table: &str, world: &World) -> String {
    format!(
        "{table}导出（{} 至 {}）",
        world.start.format("%Y-%m-%d"),
        world.end().format("%Y-%m-%d")
    )
}

fn text(s: &str) -> Out {
    Out::Text(s.to_string())
}

fn time(t: NaiveDateTime) -> Out {
    Out::Time(t)
}

fn date(d: NaiveDate) -> Out {
    Out::Date(d)
}

/// Adds `n` working days (Mon–Fri; the demo ignores holidays so it never depends
/// on the calendar it is used to test).
fn add_weekdays(d: NaiveDate, n: i64) -> NaiveDate {
    let mut out = d;
    let mut left = n;
    while left > 0 {
        out += Duration::days(1);
        if out.weekday().num_days_from_monday() < 5 {
            left -= 1;
        }
    }
    out
}

pub fn write_inventory(root: &Path, world: &World) -> Result<()> {
    let rows: Vec<Vec<Out>> = world
        .lines
        .iter()
        .map(|l| {
            vec![
                text(&l.line_id),
                text(&l.unit),
                text(l.district),
                text(if l.fiber { "光纤" } else { "5G" }),
                text(&format!("{}M", l.bandwidth_mbps)),
                text(&l.room_id),
                date(l.opened_on),
                l.closed_on.map_or(Out::Empty, date),
            ]
        })
        .collect();
    xlsx(
        &root.join("data/台账/线路台账.xlsx"),
        Some("市级政务外网线路台账"),
        &[
            "线路编号",
            "单位名称",
            "所属区",
            "接入方式",
            "带宽",
            "机房编号",
            "开通日期",
            "拆机日期",
        ],
        &rows,
    )?;
    Ok(())
}

pub fn write_outages(root: &Path, world: &World, defects: bool, truth: &mut Truth) -> Result<()> {
    let rel = "data/告警/中断事件.xlsx";
    let mut rows: Vec<Vec<Out>> = world
        .outages
        .iter()
        .map(|o| {
            vec![
                text(&world.lines[o.line].line_id),
                time(o.start),
                time(o.end),
                text(if o.planned { "是" } else { "否" }),
                text(o.cause),
            ]
        })
        .collect();
    let mut planted_line = None;
    if defects {
        // An outage the samples contradict: the line stayed reachable all along.
        let fiber: Vec<_> = world
            .lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.fiber && l.closed_on.is_none() && l.opened_on <= world.start)
            .collect();
        if let Some((i, l)) = fiber.get(3) {
            let day = (8..world.days as i64)
                .find(|d| {
                    let a = (world.start + Duration::days(*d))
                        .and_hms_opt(8, 0, 0)
                        .expect("time");
                    !world
                        .outages
                        .iter()
                        .any(|o| o.line == *i && o.start < a + Duration::hours(10) && a < o.end)
                })
                .unwrap_or(8);
            let a = (world.start + Duration::days(day))
                .and_hms_opt(9, 0, 0)
                .expect("time");
            rows.push(vec![
                text(&l.line_id),
                time(a),
                time(a + Duration::minutes(60)),
                text("否"),
                text("设备故障"),
            ]);
            planted_line = Some(l.line_id.clone());
        }
    }
    let first = xlsx(
        &root.join(rel),
        Some(&title("中断事件", world)),
        &["线路编号", "开始时间", "结束时间", "是否计划", "原因"],
        &rows,
    )?;
    if let Some(id) = planted_line {
        truth.plant(Planted::row(
            "inconsistent",
            "outages",
            rel,
            first + rows.len() as u64 - 1,
            "start",
            Some(&id),
        ));
    }
    Ok(())
}

pub fn write_faults(
    root: &Path,
    world: &World,
    seed: u64,
    defects: bool,
    truth: &mut Truth,
) -> Result<()> {
    let mut rng = Rng::stream(seed, "faults");
    let rel = "data/工单/故障工单.xlsx";
    let mut rows = Vec::new();
    let mut n = 0;
    let mut ticket = |rng: &mut Rng,
                      line: &str,
                      fiber: bool,
                      reported: NaiveDateTime,
                      restored: NaiveDateTime| {
        n += 1;
        let severity = rng.pick(&["一级", "二级", "二级", "三级", "三级"]);
        let responded = reported + Duration::minutes(rng.int(3, 25));
        let arrived = responded + Duration::minutes(rng.int(20, 90));
        let restored = restored.max(arrived);
        vec![
            text(&format!("GZ{}{:05}", reported.format("%Y%m"), n)),
            text(line),
            text(if fiber { "光纤" } else { "5G" }),
            text(severity),
            time(reported),
            time(responded),
            time(arrived),
            time(restored),
            time(restored + Duration::hours(rng.int(1, 30))),
            text(rng.pick(&["光缆中断", "设备故障", "电源故障", "配置错误"])),
            text(if rng.chance(0.93) { "是" } else { "否" }),
        ]
    };
    for o in world.outages.iter().filter(|o| !o.planned) {
        let l = &world.lines[o.line];
        let reported = o.start + Duration::minutes(rng.int(1, 6));
        rows.push(ticket(&mut rng, &l.line_id, true, reported, o.end));
    }
    // 5G faults are reported by users; no outage record behind them.
    for l in world.lines.iter().filter(|l| !l.fiber) {
        if rng.chance((world.days as f64 / 120.0).min(0.9)) {
            let at = world.start_time()
                + Duration::minutes(rng.int(600, world.days as i64 * 1440 - 2000));
            if l.active_at(at) {
                let restored = at + Duration::minutes(rng.int(40, 400));
                rows.push(ticket(&mut rng, &l.line_id, false, at, restored));
            }
        }
    }
    rows.sort_by(|a, b| match (&a[4], &b[4]) {
        (Out::Time(x), Out::Time(y)) => x.cmp(y),
        _ => std::cmp::Ordering::Equal,
    });
    let mut planted = Vec::new();
    if defects && rows.len() >= 3 {
        // Restored before reported.
        let mut bad = rows[0].clone();
        if let Out::Time(r) = bad[4] {
            bad[7] = time(r - Duration::hours(2));
        }
        bad[0] = text("GZ-ORDER-1");
        rows.push(bad);
        planted.push(("time_order", "restored_at", rows.len() - 1, None));
        // The same ticket number again with other values.
        let mut dup = rows[1].clone();
        dup[3] = text("一级");
        dup[10] = text("否");
        rows.push(dup);
        planted.push(("duplicate", "ticket_id", rows.len() - 1, None));
        // No report time.
        let mut missing = rows[2].clone();
        missing[0] = text("GZ-MISSING-1");
        missing[4] = Out::Empty;
        rows.push(missing);
        planted.push(("missing_required", "reported_at", rows.len() - 1, None));
        // A line the inventory does not know.
        let mut unknown = rows[2].clone();
        unknown[0] = text("GZ-UNKNOWN-1");
        unknown[1] = text("SH-XX-8888");
        rows.push(unknown);
        planted.push((
            "unknown_line",
            "line_id",
            rows.len() - 1,
            Some("SH-XX-8888"),
        ));
        // A ticket exported twice, every value equal: dropped and counted, no finding.
        rows.push(rows[3 % rows.len()].clone());
        truth.exact_duplicate("faults");
    }
    let first = xlsx(
        &root.join(rel),
        Some(&title("故障工单", world)),
        &[
            "工单号",
            "线路编号",
            "接入方式",
            "故障等级",
            "报障时间",
            "响应时间",
            "到场时间",
            "恢复时间",
            "归档时间",
            "故障原因",
            "是否满意",
        ],
        &rows,
    )?;
    for (code, column, index, line) in planted {
        truth.plant(Planted::row(
            code,
            "faults",
            rel,
            first + index as u64,
            column,
            line,
        ));
    }
    Ok(())
}

pub fn write_provisioning(
    root: &Path,
    world: &World,
    seed: u64,
    defects: bool,
    truth: &mut Truth,
) -> Result<()> {
    let mut rng = Rng::stream(seed, "provisioning");
    let rel = "data/工单/开通工单.xlsx";
    let mut rows = Vec::new();
    for (i, l) in world.lines.iter().enumerate() {
        let (kind, requested) = if l.opened_on > world.start {
            ("新装", l.opened_on - Duration::days(rng.int(8, 14)))
        } else if i % 7 == 3 {
            (
                rng.pick(&["扩容", "移机"]),
                world.start + Duration::days(rng.int(0, world.days as i64 - 20)),
            )
        } else {
            continue;
        };
        let requested = requested.max(world.start);
        let due = add_weekdays(requested, 10);
        let done = add_weekdays(requested, rng.int(3, 9));
        rows.push(vec![
            text(&format!("KT{}{:04}", requested.format("%Y%m"), i + 1)),
            text(&l.line_id),
            text(&l.unit),
            text(kind),
            date(requested),
            date(due),
            date(done),
        ]);
    }
    let mut planted = None;
    if defects && !rows.is_empty() {
        let mut bad = rows[0].clone();
        bad[0] = text("KT-ORDER-1");
        if let Out::Date(d) = bad[4] {
            bad[6] = date(d - Duration::days(3));
        }
        rows.push(bad);
        planted = Some(rows.len() - 1);
    }
    let first = xlsx(
        &root.join(rel),
        Some(&title("开通工单", world)),
        &[
            "工单号",
            "线路编号",
            "单位名称",
            "类型",
            "申请日期",
            "承诺日期",
            "完成日期",
        ],
        &rows,
    )?;
    if let Some(i) = planted {
        truth.plant(Planted::row(
            "time_order",
            "provisioning",
            rel,
            first + i as u64,
            "completed_on",
            None,
        ));
    }
    Ok(())
}

/// Month starts (first days) inside the world.
fn months(world: &World) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let mut m = world.start.with_day(1).expect("day 1");
    while m <= world.end() {
        if m >= world.start {
            out.push(m);
        }
        m = m + chrono::Months::new(1);
    }
    out
}

pub fn write_inspections(
    root: &Path,
    world: &World,
    seed: u64,
    defects: bool,
    truth: &mut Truth,
) -> Result<()> {
    let mut rng = Rng::stream(seed, "inspections");
    let rel = "data/巡检/机房巡检.xlsx";
    let mut rows = Vec::new();
    for m in months(world) {
        for room in &world.rooms {
            let planned = m + Duration::days(rng.int(3, 20));
            if planned > world.end() {
                continue;
            }
            let done = planned + Duration::days(if rng.chance(0.95) { 0 } else { rng.int(1, 5) });
            rows.push(vec![
                text(room),
                date(planned),
                date(done),
                Out::Num(rng.int(0, 3) as f64),
                text("是"),
            ]);
        }
    }
    let mut planted = None;
    if defects && !rows.is_empty() {
        let mut bad = rows[0].clone();
        bad[2] = text("2025-13-45");
        rows.push(bad);
        planted = Some(rows.len() - 1);
    }
    let first = xlsx(
        &root.join(rel),
        Some(&title("机房巡检", world)),
        &["机房编号", "计划日期", "完成日期", "发现问题数", "报告提交"],
        &rows,
    )?;
    if let Some(i) = planted {
        truth.plant(Planted::row(
            "parse",
            "inspections",
            rel,
            first + i as u64,
            "done_on",
            None,
        ));
    }
    Ok(())
}

pub fn write_drills(root: &Path, world: &World, seed: u64) -> Result<()> {
    let mut rng = Rng::stream(seed, "drills");
    let mut rows = Vec::new();
    let scenarios = [
        "核心设备故障切换",
        "光缆中断应急",
        "网络安全事件处置",
        "机房断电应急",
    ];
    for (k, m) in months(world).iter().enumerate() {
        if k % 3 != 1 {
            continue;
        }
        for j in 0..2 {
            let planned = *m + Duration::days(rng.int(5, 25));
            rows.push(vec![
                text(&format!("YL{}{}", m.format("%Y%m"), j + 1)),
                text(scenarios[(k + j) % scenarios.len()]),
                date(planned),
                date(planned),
                text("是"),
            ]);
        }
    }
    xlsx(
        &root.join("data/安全/应急演练.xlsx"),
        Some(&title("应急演练", world)),
        &["演练编号", "场景", "计划日期", "完成日期", "报告提交"],
        &rows,
    )?;
    Ok(())
}

pub fn write_security(
    root: &Path,
    world: &World,
    seed: u64,
    defects: bool,
    truth: &mut Truth,
) -> Result<()> {
    let mut rng = Rng::stream(seed, "security");
    let rel = "data/安全/安全问题整改.xlsx";
    let mut rows = Vec::new();
    let sources = ["等保测评", "安全自查", "专项抽查"];
    for (k, m) in months(world).iter().enumerate() {
        for j in 0..rng.int(2, 5) {
            let found = *m + Duration::days(rng.int(0, 25));
            if found > world.end() {
                continue;
            }
            let due = found + Duration::days(30);
            let latest = if rng.chance(0.9) { 28 } else { 40 };
            let rectified = found + Duration::days(rng.int(5, latest));
            rows.push(vec![
                text(&format!("AQ{}{:02}", m.format("%Y%m"), j + 1)),
                text(sources[(k + j as usize) % 3]),
                text(rng.pick(&["高", "中", "中", "低", "低"])),
                date(found),
                date(due),
                date(rectified),
                text(if rng.chance(0.95) { "是" } else { "否" }),
            ]);
        }
    }
    let mut planted = None;
    if defects && !rows.is_empty() {
        let mut bad = rows[0].clone();
        bad[0] = text("AQ-YEAR-1");
        // A year typed wrong: 2031 for 2025.
        if let Out::Date(d) = bad[3] {
            let wrong = d.with_year(d.year() + 6).unwrap_or(d);
            bad[3] = date(wrong);
            bad[5] = Out::Empty;
        }
        rows.push(bad);
        planted = Some(rows.len() - 1);
    }
    let first = xlsx(
        &root.join(rel),
        Some(&title("安全问题整改", world)),
        &[
            "问题编号",
            "来源",
            "等级",
            "发现日期",
            "整改期限",
            "整改完成日期",
            "复核通过",
        ],
        &rows,
    )?;
    if let Some(i) = planted {
        truth.plant(Planted::row(
            "out_of_range",
            "security",
            rel,
            first + i as u64,
            "found_on",
            None,
        ));
    }
    Ok(())
}

pub fn write_complaints(
    root: &Path,
    world: &World,
    seed: u64,
    defects: bool,
    truth: &mut Truth,
) -> Result<()> {
    let mut rng = Rng::stream(seed, "complaints");
    let rel = "data/服务/投诉.xlsx";
    let mut rows = Vec::new();
    for (k, m) in months(world).iter().enumerate() {
        for j in 0..rng.int(1, 4) {
            let l = &world.lines[rng.index(world.lines.len())];
            let received =
                m.and_hms_opt(9, 0, 0).expect("time") + Duration::minutes(rng.int(0, 25 * 1440));
            if received >= world.end_time() {
                continue;
            }
            let resolved = received + Duration::hours(rng.int(2, 40));
            rows.push(vec![
                text(&format!("TS{}{:02}{}", m.format("%Y%m"), j + 1, k)),
                text(&l.unit),
                text(if l.fiber { "光纤" } else { "5G" }),
                time(received),
                time(resolved),
                text("是"),
                text(if rng.chance(0.9) { "是" } else { "否" }),
            ]);
        }
    }
    let mut planted = None;
    if defects && !rows.is_empty() {
        let mut bad = rows[0].clone();
        bad[0] = text("TS-ORDER-1");
        if let Out::Time(r) = bad[3] {
            bad[4] = time(r - Duration::hours(5));
        }
        rows.push(bad);
        planted = Some(rows.len() - 1);
    }
    let first = xlsx(
        &root.join(rel),
        Some(&title("用户投诉", world)),
        &[
            "投诉编号",
            "单位名称",
            "接入方式",
            "受理时间",
            "办结时间",
            "有效投诉",
            "是否满意",
        ],
        &rows,
    )?;
    if let Some(i) = planted {
        truth.plant(Planted::row(
            "time_order",
            "complaints",
            rel,
            first + i as u64,
            "resolved_at",
            None,
        ));
    }
    Ok(())
}

pub fn write_surveys(root: &Path, world: &World, seed: u64) -> Result<()> {
    let mut rng = Rng::stream(seed, "surveys");
    let mut rows = Vec::new();
    for (k, m) in months(world).iter().enumerate() {
        if k % 3 != 2 {
            continue;
        }
        for l in world.lines.iter().step_by(3) {
            rows.push(vec![
                text(&l.unit),
                text(if l.fiber { "光纤" } else { "5G" }),
                date(*m + Duration::days(rng.int(1, 20))),
                Out::Num((rng.range(82.0, 100.0) * 10.0).round() / 10.0),
            ]);
        }
    }
    xlsx(
        &root.join("data/服务/满意度调查.xlsx"),
        Some(&title("满意度调查", world)),
        &["单位名称", "接入方式", "调查日期", "满意度得分"],
        &rows,
    )?;
    Ok(())
}

pub fn write_provider_reports(root: &Path, world: &World, seed: u64) -> Result<()> {
    let mut rng = Rng::stream(seed, "provider_reports");
    let mut rows = Vec::new();
    for m in months(world) {
        let due = (m + chrono::Months::new(1)).with_day(5).expect("day 5");
        if due > world.end() {
            continue;
        }
        for (kind, access) in [
            ("月度运维报告", "光纤"),
            ("网络性能分析报告", "光纤"),
            ("月度运维报告", "5G"),
        ] {
            let late = rng.chance(0.08);
            rows.push(vec![
                text(&format!("BG{}-{}-{}", m.format("%Y%m"), kind, access)),
                text(kind),
                text(access),
                date(due),
                date(due - Duration::days(if late { -2 } else { rng.int(0, 3) })),
                text(if rng.chance(0.95) { "是" } else { "否" }),
            ]);
        }
    }
    xlsx(
        &root.join("data/服务/服务商报告.xlsx"),
        Some(&title("服务商报告", world)),
        &[
            "报告编号",
            "报告类型",
            "接入方式",
            "应交日期",
            "提交日期",
            "审核通过",
        ],
        &rows,
    )?;
    Ok(())
}

pub fn write_projects(root: &Path, world: &World, seed: u64) -> Result<()> {
    let mut rng = Rng::stream(seed, "projects");
    let mut rows = Vec::new();
    let names = [
        "核心节点扩容工程",
        "区级汇聚链路改造",
        "5G专网接入工程",
        "机房动力改造",
        "骨干光缆迁改",
    ];
    for (j, name) in names.iter().enumerate() {
        let start = world.start - Duration::days(rng.int(10, 60));
        let due = world.start + Duration::days(rng.int(10, world.days as i64 - 5));
        let done = due
            + Duration::days(if rng.chance(0.8) {
                -rng.int(0, 10)
            } else {
                rng.int(3, 15)
            });
        rows.push(vec![
            text(&format!("GC{:03}", j + 1)),
            text(name),
            text(if j == 2 { "5G" } else { "光纤" }),
            date(start),
            date(due),
            if done <= world.end() {
                date(done)
            } else {
                Out::Empty
            },
            text("是"),
        ]);
    }
    xlsx(
        &root.join("data/建设/建设工程.xlsx"),
        Some(&title("建设工程", world)),
        &[
            "工程编号",
            "工程名称",
            "类型",
            "开工日期",
            "计划完工日期",
            "实际完工日期",
            "验收通过",
        ],
        &rows,
    )?;
    Ok(())
}

pub fn write_phone_checks(
    root: &Path,
    world: &World,
    seed: u64,
    defects: bool,
    truth: &mut Truth,
) -> Result<()> {
    let mut rng = Rng::stream(seed, "phone_checks");
    let mut rows = Vec::new();
    for d in (0..world.days as i64).step_by(3) {
        let at = world.start_time() + Duration::days(d) + Duration::minutes(rng.int(0, 1439));
        let answered = rng.chance(0.97);
        rows.push(vec![
            time(at),
            text(if answered { "是" } else { "否" }),
            if answered {
                Out::Num(rng.int(3, 35) as f64)
            } else {
                Out::Empty
            },
        ]);
    }
    if defects && !rows.is_empty() {
        // A call recorded twice: dropped and counted, no finding.
        rows.push(rows[0].clone());
        truth.exact_duplicate("phone_checks");
    }
    xlsx(
        &root.join("data/抽查/电话抽查.xlsx"),
        Some(&title("报障电话抽查", world)),
        &["拨打时间", "是否接通", "接通时长(秒)"],
        &rows,
    )?;
    Ok(())
}

pub fn write_site_tests(root: &Path, world: &World, seed: u64) -> Result<()> {
    let mut rng = Rng::stream(seed, "site_tests");
    let mut rows = Vec::new();
    for (k, l) in world.lines.iter().enumerate().filter(|(_, l)| l.fiber) {
        if k % 10 != 0 {
            continue;
        }
        let day = world.start + Duration::days(rng.int(5, world.days as i64 - 2));
        if !l.active_at(day.and_hms_opt(12, 0, 0).expect("time")) {
            continue;
        }
        let throughput = l.bandwidth_mbps * rng.range(0.9, 0.99);
        rows.push(vec![
            text(&l.line_id),
            date(day),
            Out::Num((throughput * 10.0).round() / 10.0),
            Out::Num((l.base_latency * 10.0).round() / 10.0),
            Out::Num(0.0),
            text(if throughput >= 0.9 * l.bandwidth_mbps {
                "是"
            } else {
                "否"
            }),
        ]);
    }
    xlsx(
        &root.join("data/抽查/现场测试.xlsx"),
        Some(&title("现场测试", world)),
        &[
            "线路编号",
            "测试日期",
            "实测带宽",
            "时延(ms)",
            "丢包率(%)",
            "是否达标",
        ],
        &rows,
    )?;
    Ok(())
}

pub fn write_sim_cards(root: &Path, world: &World, seed: u64) -> Result<()> {
    let mut rng = Rng::stream(seed, "sim_cards");
    let rows: Vec<Vec<Out>> = world
        .lines
        .iter()
        .filter(|l| !l.fiber)
        .map(|l| {
            let requested = l.opened_on - Duration::days(rng.int(1, 3));
            vec![
                text(&l.line_id),
                text(&l.unit),
                date(requested),
                date(l.opened_on),
                l.closed_on.map_or(Out::Empty, date),
                text("5G-A"),
            ]
        })
        .collect();
    xlsx(
        &root.join("data/5G/号卡.xlsx"),
        Some(&title("5G号卡", world)),
        &[
            "号卡",
            "单位名称",
            "申请日期",
            "开通日期",
            "销户日期",
            "套餐",
        ],
        &rows,
    )?;
    Ok(())
}
