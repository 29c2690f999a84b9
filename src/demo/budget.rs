//! The demo's fee budget (SPEC §11): billing rules and a budget workbook for the demo
//! period with one planted error of every fee-audit code, recorded in the truth.
//!
//! Expected amounts come from the same rules and proration the audit uses, so the
//! unplanted items are right to the cent.

use super::world::{World, HIGH_USE_LINE, IDLE_CARD_LINE, LOW_USE_LINE};
use super::write::{xlsx, Out};
use crate::fees::audit::months_active;
use crate::fees::money::{self, round_cent, Decimal};
use crate::fees::rules::{BillingRules, DEFAULT_RULES};
use crate::period::Period;
use anyhow::Result;
use serde::Serialize;
use std::path::Path;

pub const RULES_FILE: &str = "rules/billing.yaml";
pub const BUDGET_FILE: &str = "data/预算/网络通信服务费用预算.xlsx";

/// One planted fee-audit finding: what `gwq audit-fees` must report.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PlantedFee {
    pub code: String,
    pub row: Option<u64>,
    pub line_id: Option<String>,
    pub difference: String,
}

/// A budget row being built.
struct Row {
    cells: Vec<Out>,
}

const HEADERS: [&str; 10] = [
    "序号",
    "单位名称",
    "线路编号",
    "业务类型",
    "带宽",
    "数量",
    "单价(元/月)",
    "月数",
    "金额(元)",
    "流量(GB/月)",
];

fn num(d: Decimal) -> Out {
    Out::Num(rust_decimal::prelude::ToPrimitive::to_f64(&d).unwrap_or_default())
}

/// Months written so that quantity × price × months rounds to `exact` (the prorated
/// amount): the fraction with as many decimals as that takes.
fn months_text(fraction: Decimal, price: Decimal) -> Decimal {
    let exact = round_cent(price * fraction);
    (4..=12)
        .map(|dp| fraction.round_dp(dp))
        .find(|m| round_cent(price * m) == exact)
        .unwrap_or(fraction)
}

/// Writes the rules and the budget; returns the planted findings.
pub fn write(root: &Path, world: &World) -> Result<Vec<PlantedFee>> {
    crate::output::write_atomic(&root.join(RULES_FILE), DEFAULT_RULES.as_bytes())?;
    let rules = BillingRules::parse(RULES_FILE, DEFAULT_RULES).expect("default rules are valid");
    let period = Period::new(world.start, world.end());
    let (whole, _) = months_active(&rules, &period, None, None);
    let mut planted = Vec::new();
    let mut plant = |code: &str, row: Option<u64>, line: &str, diff: Decimal| {
        planted.push(PlantedFee {
            code: code.to_string(),
            row,
            line_id: Some(line.to_string()),
            difference: money::fmt(diff),
        })
    };
    // Lines active all period, away from the lines that carry other plants.
    let special = |i: usize| {
        [LOW_USE_LINE, HIGH_USE_LINE, IDLE_CARD_LINE].contains(&i)
            || world.lines[i].opened_on > world.start
            || world.lines[i].closed_on.is_some()
    };
    let plain_fibre: Vec<usize> = (0..world.lines.len())
        .filter(|&i| world.lines[i].fiber && !special(i))
        .collect();
    let pick = |k: usize| plain_fibre.get(k).copied();
    let (arith, tariff, bandwidth, dup, missing) = (pick(0), pick(1), pick(2), pick(3), pick(4));
    let traffic_card = (0..world.lines.len()).find(|&i| !world.lines[i].fiber && !special(i));

    let mut rows: Vec<Row> = Vec::new();
    let mut n = 0;
    // Header on row 2 under a title; row numbers as Excel shows them.
    let next_row = |rows: &Vec<Row>| rows.len() as u64 + 3;
    let section = |title: &str| Row {
        cells: vec![title.into()],
    };
    let mut fibre_sum = Decimal::ZERO;
    rows.push(section("一、光纤专线"));
    for (i, l) in world.lines.iter().enumerate().filter(|(_, l)| l.fiber) {
        let (fraction, touched) = months_active(&rules, &period, Some(l.opened_on), l.closed_on);
        if fraction.is_zero() || Some(i) == missing {
            if Some(i) == missing {
                let t = rules
                    .for_service("fiber", Some(l.bandwidth_mbps))
                    .expect("tariff");
                plant(
                    "missing_from_budget",
                    None,
                    &l.line_id,
                    -round_cent(t.monthly * fraction),
                );
            }
            continue;
        }
        let t = rules
            .for_service("fiber", Some(l.bandwidth_mbps))
            .expect("demo bandwidths have tariffs");
        let expected = round_cent(t.monthly * fraction);
        let mut bw = l.bandwidth_mbps;
        let mut price = t.monthly;
        let mut months = months_text(fraction, price);
        let row = next_row(&rows);
        if fraction != whole {
            // Billed for every month of the period instead of by days.
            months = whole;
            let code = if whole > Decimal::from(touched) {
                "closed_line"
            } else {
                "proration"
            };
            plant(
                code,
                Some(row),
                &l.line_id,
                round_cent(price * whole) - expected,
            );
        } else if Some(i) == tariff {
            price += Decimal::from(200);
            plant(
                "tariff",
                Some(row),
                &l.line_id,
                round_cent(price * months) - expected,
            );
        } else if Some(i) == bandwidth {
            let other = rules
                .tariffs
                .iter()
                .filter(|o| o.service == "fiber" && o.bandwidth_mbps != Some(bw))
                .find(|o| o.bandwidth_mbps > Some(bw))
                .or_else(|| {
                    rules
                        .tariffs
                        .iter()
                        .find(|o| o.service == "fiber" && o.bandwidth_mbps != Some(bw))
                })
                .expect("another fibre tariff");
            bw = other.bandwidth_mbps.expect("fibre bandwidth");
            price = other.monthly;
            plant(
                "bandwidth",
                Some(row),
                &l.line_id,
                round_cent(price * months) - expected,
            );
        }
        let mut amount = round_cent(price * months);
        if Some(i) == arith {
            amount += Decimal::from(100);
            plant("arithmetic", Some(row), &l.line_id, Decimal::from(100));
        }
        n += 1;
        fibre_sum += amount;
        rows.push(item(n, l, "光纤", Some(bw), price, months, amount, None));
        if Some(i) == dup {
            let again = item(n + 1, l, "光纤", Some(bw), price, months, amount, None);
            n += 1;
            fibre_sum += amount;
            plant("duplicate", Some(next_row(&rows)), &l.line_id, amount);
            rows.push(again);
        }
    }
    if let Some(i) = pick(0) {
        // A line the inventory does not know.
        let t = rules
            .for_service("fiber", Some(100.0))
            .expect("100M tariff");
        let amount = round_cent(t.monthly * whole);
        let ghost = format!("SH-{}-9999", &world.lines[i].line_id[3..5]);
        n += 1;
        fibre_sum += amount;
        plant("not_in_inventory", Some(next_row(&rows)), &ghost, amount);
        let mut r = item(
            n,
            &world.lines[i],
            "光纤",
            Some(100.0),
            t.monthly,
            whole,
            amount,
            None,
        );
        r.cells[2] = ghost.as_str().into();
        rows.push(r);
    }
    // The fibre 小计 is off by 1000.00.
    let stated = fibre_sum + Decimal::from(1000);
    let sub_row = next_row(&rows);
    rows.push(summary("小计", stated));

    let mut card_sum = Decimal::ZERO;
    rows.push(section("二、5G 接入"));
    let package = rules.for_service("5g", None).expect("5G package");
    for (i, l) in world.lines.iter().enumerate().filter(|(_, l)| !l.fiber) {
        let (fraction, _) = months_active(&rules, &period, Some(l.opened_on), l.closed_on);
        if fraction.is_zero() {
            continue;
        }
        // Typical use is about 27 GB a month; one card is budgeted far below it.
        let traffic = if Some(i) == traffic_card {
            Decimal::from(5)
        } else {
            Decimal::from(27)
        };
        let price = package.monthly_with_traffic(Some(traffic));
        let months = months_text(fraction, price);
        let amount = round_cent(price * fraction);
        let row = next_row(&rows);
        if Some(i) == traffic_card {
            plant("traffic", Some(row), &l.line_id, Decimal::ZERO);
        }
        if l.idle_before {
            plant("idle_card", Some(row), &l.line_id, Decimal::ZERO);
        }
        n += 1;
        card_sum += amount;
        rows.push(item(n, l, "5G", None, price, months, amount, Some(traffic)));
    }
    rows.push(summary("小计", card_sum));
    rows.push(summary("合计", fibre_sum + card_sum));
    for (i, code) in [
        (LOW_USE_LINE, "utilisation_low"),
        (HIGH_USE_LINE, "utilisation_high"),
    ] {
        let Some(l) = world.lines.get(i) else {
            continue;
        };
        let row = rows
            .iter()
            .position(|r| matches!(r.cells.get(2), Some(Out::Text(t)) if *t == l.line_id))
            .map(|p| p as u64 + 3);
        if l.fiber && row.is_some() {
            plant(code, row, &l.line_id, Decimal::ZERO);
        }
    }
    let title = format!(
        "政务外网网络通信服务费用预算（{} 至 {}）",
        world.start,
        world.end()
    );
    let cells: Vec<Vec<Out>> = rows.into_iter().map(|r| r.cells).collect();
    xlsx(&root.join(BUDGET_FILE), Some(&title), &HEADERS, &cells)?;
    planted.push(PlantedFee {
        code: "subtotal".into(),
        row: Some(sub_row),
        line_id: None,
        difference: money::fmt(Decimal::from(1000)),
    });
    Ok(planted)
}

#[allow(clippy::too_many_arguments)]
fn item(
    n: usize,
    l: &super::world::DemoLine,
    service: &str,
    bandwidth: Option<f64>,
    price: Decimal,
    months: Decimal,
    amount: Decimal,
    traffic: Option<Decimal>,
) -> Row {
    Row {
        cells: vec![
            Out::Num(n as f64),
            l.unit.as_str().into(),
            l.line_id.as_str().into(),
            service.into(),
            bandwidth.map_or(Out::Empty, |b| format!("{b}M").into()),
            Out::Num(1.0),
            num(price),
            num(months),
            num(amount),
            traffic.map_or(Out::Empty, num),
        ],
    }
}

fn summary(label: &str, amount: Decimal) -> Row {
    let mut cells: Vec<Out> = vec![label.into()];
    cells.extend((1..8).map(|_| Out::Empty));
    cells.push(num(amount));
    Row { cells }
}
