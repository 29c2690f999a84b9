//! The fee audit proper (SPEC §8): every budget item recomputed from the billing
//! rules and the inventory, one finding per problem with the budget amount, the
//! expected amount and the difference, all in exact decimals.
//!
//! An item's amount is checked in steps, each correcting one thing, so that the
//! differences of an item's findings add up to budget − expected:
//! stated amount → quantity × unit price × months (`arithmetic`) → the tariff for
//! the item's own service and bandwidth (`tariff`) → the tariff for the inventory's
//! bandwidth (`bandwidth`) → the months the line is really active, prorated by days
//! (`closed_line` or `proration`).

use super::budget::{fmt_bandwidth, Budget, Item, SummaryKind};
use super::money::{self, round_cent, Decimal};
use super::rules::{service_label, BillingRules, Proration, Tariff};
use super::usage::Usage;
use super::{FeeCode, FeeFinding};
use crate::period::{months_in, Period};
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};

/// A line or 5G card the purchaser pays for: from the inventory, or from the SIM
/// card register for cards the inventory does not list.
#[derive(Debug, Clone, PartialEq)]
pub struct Subscriber {
    pub id: String,
    /// `inventory` or `sim_cards`: where it was found.
    pub register: &'static str,
    pub service: Option<String>,
    pub bandwidth_mbps: Option<f64>,
    pub opened_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub tariff: Option<String>,
    pub unit: Option<String>,
}

impl Subscriber {
    /// Its tariff: by its own tariff code, else by its service and bandwidth.
    pub fn tariff_in<'a>(&self, rules: &'a BillingRules) -> Option<&'a Tariff> {
        self.tariff
            .as_deref()
            .and_then(|c| rules.by_code(c))
            .or_else(|| {
                self.service
                    .as_deref()
                    .and_then(|s| rules.for_service(s, self.bandwidth_mbps))
            })
    }
}

/// One budget item as recomputed (the 核定预算 sheet).
#[derive(Debug, Clone, PartialEq)]
pub struct Recomputed {
    pub row: Option<u64>,
    pub item_no: Option<String>,
    pub line_id: Option<String>,
    pub unit: Option<String>,
    pub service: Option<String>,
    pub bandwidth_mbps: Option<f64>,
    pub tariff: Option<String>,
    pub months_billed: Option<Decimal>,
    /// Months active in the period, prorated (e.g. 5.5).
    pub months_active: Option<Decimal>,
    pub budget_amount: Decimal,
    pub expected_amount: Decimal,
    pub codes: Vec<FeeCode>,
}

/// The whole result.
#[derive(Debug, Clone, PartialEq)]
pub struct FeeAudit {
    pub period: Period,
    pub budget_total: Decimal,
    /// True when `budget_total` is the budget's own 合计 row (else the items' sum).
    pub total_stated: bool,
    pub verified_total: Decimal,
    pub findings: Vec<FeeFinding>,
    pub recomputed: Vec<Recomputed>,
    /// What a reader should know about the audit's basis (windows used, skipped checks).
    pub notes: Vec<String>,
}

impl FeeAudit {
    pub fn difference(&self) -> Decimal {
        self.budget_total - self.verified_total
    }

    /// Over (+) or under (−) statement by money code, in code order.
    pub fn by_code(&self) -> Vec<(FeeCode, Decimal)> {
        FeeCode::ALL
            .iter()
            .filter(|c| c.is_money())
            .filter_map(|&c| {
                let mut found = self.findings.iter().filter(|f| f.code == c).peekable();
                found.peek()?;
                Some((c, found.map(|f| f.difference).sum()))
            })
            .collect()
    }

    pub fn count(&self, severity: super::FeeSeverity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.code.severity() == severity)
            .count()
    }
}

/// An input the audit cannot work with: names the budget row and column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file} 第 {row} 行，列 {column}：{message}")]
pub struct AuditError {
    pub file: String,
    pub row: u64,
    pub column: String,
    pub message: String,
}

/// Everything the audit reads.
pub struct AuditInput<'a> {
    pub rules: &'a BillingRules,
    pub budget: &'a Budget,
    pub subscribers: &'a BTreeMap<String, Subscriber>,
    pub usage: &'a Usage,
    pub period: &'a Period,
}

fn days_in_month(y: i32, m: u32) -> u32 {
    let next = if m == 12 {
        NaiveDate::from_ymd_opt(y + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(y, m + 1, 1)
    };
    let first = NaiveDate::from_ymd_opt(y, m, 1).expect("valid month");
    (next.expect("valid month") - first).num_days() as u32
}

/// Per month of the period: (active days, days in month), for a line active from
/// `opened` through `closed` (inclusive; open ends are unbounded).
fn active_days(
    period: &Period,
    opened: Option<NaiveDate>,
    closed: Option<NaiveDate>,
) -> Vec<(u32, u32)> {
    months_in(period)
        .into_iter()
        .map(|(y, m)| {
            let dim = days_in_month(y, m);
            let first = NaiveDate::from_ymd_opt(y, m, 1).expect("valid month");
            let last = NaiveDate::from_ymd_opt(y, m, dim).expect("valid day");
            let from = first.max(period.start).max(opened.unwrap_or(first));
            let to = last.min(period.end).min(closed.unwrap_or(last));
            let days = if from <= to {
                (to - from).num_days() as u32 + 1
            } else {
                0
            };
            (days, dim)
        })
        .collect()
}

/// Months active as an exact fraction under the proration rule, and the number of
/// months with at least one active day.
pub fn months_active(
    rules: &BillingRules,
    period: &Period,
    opened: Option<NaiveDate>,
    closed: Option<NaiveDate>,
) -> (Decimal, u32) {
    let mut fraction = Decimal::ZERO;
    let mut touched = 0;
    for (days, dim) in active_days(period, opened, closed) {
        if days == 0 {
            continue;
        }
        touched += 1;
        fraction += match rules.proration {
            Proration::ByDays => Decimal::from(days) / Decimal::from(dim),
            Proration::WholeMonths => Decimal::ONE,
        };
    }
    (fraction, touched)
}

/// The period's own length in months (12 for a year; a partial month by days).
fn period_months(rules: &BillingRules, period: &Period) -> Decimal {
    months_active(rules, period, None, None).0
}

fn fmt_months(m: Decimal) -> String {
    let r = m.round_dp(4).normalize();
    r.to_string()
}

/// A price applied to the budget item: the tariff and the unit price it gives.
struct Priced<'a> {
    tariff: &'a Tariff,
    unit_price: Decimal,
}

/// Works through the budget and returns every finding.
pub fn audit(input: &AuditInput) -> Result<FeeAudit, AuditError> {
    let AuditInput {
        rules,
        budget,
        subscribers,
        usage,
        period,
    } = *input;
    let mut findings = Vec::new();
    let mut recomputed = Vec::new();
    let mut notes = usage.notes.clone();
    let whole = period_months(rules, period);
    let mut seen: BTreeMap<String, u64> = BTreeMap::new();
    let mut budgeted: BTreeSet<String> = BTreeSet::new();
    let mut aggregated_services: BTreeSet<String> = BTreeSet::new();
    let mut discount_rows = Vec::new();
    for item in &budget.items {
        if item.is_discount && item.id().is_none() {
            discount_rows.push(item);
            continue;
        }
        let finding =
            |code: FeeCode, budget_amount: Decimal, expected: Decimal, message: String| {
                FeeFinding {
                    code,
                    item_no: item.item_no.clone(),
                    row: Some(item.row),
                    line_id: item.id().map(str::to_string),
                    budget_amount,
                    expected_amount: expected,
                    difference: budget_amount - expected,
                    message,
                }
            };
        let mut rec = Recomputed {
            row: Some(item.row),
            item_no: item.item_no.clone(),
            line_id: item.id().map(str::to_string),
            unit: item.unit.clone(),
            service: item.service.clone(),
            bandwidth_mbps: item.bandwidth_mbps,
            tariff: None,
            months_billed: item.months,
            months_active: None,
            budget_amount: item.amount,
            expected_amount: item.amount,
            codes: Vec::new(),
        };
        // An unknown tariff code stops the audit whatever else is wrong with the item.
        let coded = tariff_by_code(rules, budget, item)?;
        let subscriber = match item.id() {
            None => {
                if let Some(s) = &item.service {
                    aggregated_services.insert(s.clone());
                }
                None
            }
            Some(id) => {
                // A whole amount written off: nothing is due for this item.
                let mut write_off = |code: FeeCode, message: String| {
                    findings.push(finding(code, item.amount, Decimal::ZERO, message));
                    rec.expected_amount = Decimal::ZERO;
                    rec.codes.push(code);
                };
                if let Some(first_row) = seen.get(id) {
                    write_off(
                        FeeCode::Duplicate,
                        format!(
                            "{id} 已在第 {first_row} 行列入预算，本行重复列支 {} 元，应全额核减",
                            money::fmt_grouped(item.amount)
                        ),
                    );
                    recomputed.push(rec);
                    continue;
                }
                seen.insert(id.to_string(), item.row);
                budgeted.insert(id.to_string());
                let Some(s) = subscribers.get(id) else {
                    write_off(
                        FeeCode::NotInInventory,
                        format!(
                            "{id} 不在线路台账或号卡清单中，预算 {} 元无对应线路，应全额核减",
                            money::fmt_grouped(item.amount)
                        ),
                    );
                    recomputed.push(rec);
                    continue;
                };
                Some(s)
            }
        };
        // The tariffs for what the item states and for what the inventory says.
        let stated_service = item
            .service
            .clone()
            .or_else(|| subscriber.and_then(|s| s.service.clone()));
        let stated_bw = item
            .bandwidth_mbps
            .or_else(|| subscriber.and_then(|s| s.bandwidth_mbps));
        let stated = coded
            .or_else(|| {
                stated_service
                    .as_deref()
                    .and_then(|s| rules.for_service(s, stated_bw))
            })
            .map(|t| priced(rules, t, item, usage));
        let inventory = subscriber.and_then(|s| subscriber_tariff(rules, s, item, usage));
        if stated.is_none()
            && inventory.is_none()
            && (subscriber.is_some() || item.service.is_some())
        {
            return Err(no_tariff(
                rules,
                budget,
                item,
                stated_service.as_deref(),
                stated_bw,
            ));
        }
        let q = item.quantity_or_one();
        // Months billed: as stated, else implied by amount ÷ (quantity × unit price).
        let price_hint = item
            .unit_price
            .or(stated.as_ref().map(|p| p.unit_price))
            .or(inventory.as_ref().map(|p| p.unit_price))
            .filter(|p| !p.is_zero() && !q.is_zero());
        let months_b = item
            .months
            .or_else(|| price_hint.map(|p| item.amount / (q * p)))
            .unwrap_or(whole);
        let amount_for = |price: Decimal| round_cent(q * price * months_b);
        let mut found: Vec<FeeFinding> = Vec::new();
        macro_rules! step {
            ($code:expr, $from:expr, $to:expr, $message:expr $(,)?) => {
                found.push(finding(
                    $code,
                    item.amount,
                    item.amount - ($from - $to),
                    $message,
                ))
            };
        }
        // Step 1: the item's own arithmetic.
        let a1 = match item.unit_price {
            Some(p) => amount_for(p),
            None => item.amount,
        };
        if let (Some(p), true) = (item.unit_price, a1 != item.amount) {
            step!(
                FeeCode::Arithmetic,
                item.amount,
                a1,
                format!(
                    "金额 {} 元 ≠ 数量 {} × 单价 {} 元 × {} 个月 = {} 元",
                    money::fmt_grouped(item.amount),
                    q.normalize(),
                    money::fmt(p),
                    fmt_months(months_b),
                    money::fmt_grouped(a1)
                ),
            );
        }
        // Step 2: the tariff for what the item itself states.
        let a2 = match &stated {
            Some(p) => amount_for(p.unit_price),
            None => a1,
        };
        if let Some(p) = &stated {
            let wrong = match item.unit_price {
                Some(up) => up != p.unit_price,
                None => a1 != a2,
            };
            if wrong {
                step!(
                    FeeCode::Tariff,
                    a1,
                    a2,
                    format!(
                        "单价 {} 元/月与资费 {} 不符，应为 {} 元/月；按 {} 个月计应为 {} 元",
                        item.unit_price.map_or("（未列）".to_string(), money::fmt),
                        p.tariff.describe(),
                        money::fmt(p.unit_price),
                        fmt_months(months_b),
                        money::fmt_grouped(a2)
                    ),
                );
            }
        }
        let Some(sub) = subscriber else {
            rec.tariff = stated.as_ref().map(|p| p.tariff.code.clone());
            rec.expected_amount = a2;
            rec.codes = found.iter().map(|f| f.code).collect();
            findings.extend(found);
            recomputed.push(rec);
            continue;
        };
        // Step 3: the tariff for the inventory's bandwidth.
        let priced = inventory
            .as_ref()
            .or(stated.as_ref())
            .expect("one tariff found above");
        let a3 = amount_for(priced.unit_price);
        let bandwidth_differs = matches!(
            (item.bandwidth_mbps, sub.bandwidth_mbps),
            (Some(a), Some(b)) if (a - b).abs() > 1e-6
        );
        if bandwidth_differs || a3 != a2 {
            let (code, what) = if bandwidth_differs {
                (
                    FeeCode::Bandwidth,
                    format!(
                        "预算带宽 {} 与台账带宽 {} 不符",
                        fmt_bandwidth(item.bandwidth_mbps.unwrap_or_default()),
                        fmt_bandwidth(sub.bandwidth_mbps.unwrap_or_default())
                    ),
                )
            } else {
                (
                    FeeCode::Tariff,
                    format!(
                        "预算所列资费与{}登记的资费不符",
                        register_label(sub.register)
                    ),
                )
            };
            step!(
                code,
                a2,
                a3,
                format!(
                    "{what}：按资费 {} 计 {} 个月应为 {} 元",
                    priced.tariff.describe(),
                    fmt_months(months_b),
                    money::fmt_grouped(a3)
                ),
            );
        }
        // Step 4: the months the line is really active.
        let (active, touched) = months_active(rules, period, sub.opened_on, sub.closed_on);
        let a4 = round_cent(q * priced.unit_price * active);
        if a4 != a3 {
            let beyond = months_b > Decimal::from(touched);
            let dates = format!(
                "开通 {}，拆机 {}",
                sub.opened_on.map_or("—".to_string(), |d| d.to_string()),
                sub.closed_on.map_or("—".to_string(), |d| d.to_string())
            );
            let (code, why) = if beyond {
                (
                    FeeCode::ClosedLine,
                    format!(
                        "本期仅 {touched} 个月在网，预算按 {} 个月计费",
                        fmt_months(months_b)
                    ),
                )
            } else if active != Decimal::from(touched) {
                (
                    FeeCode::Proration,
                    format!(
                        "首月或末月仅部分在网，预算按 {} 个整月计费",
                        fmt_months(months_b)
                    ),
                )
            } else {
                (
                    FeeCode::Proration,
                    format!(
                        "预算计费 {} 个月与在网 {touched} 个月不符",
                        fmt_months(months_b)
                    ),
                )
            };
            step!(
                code,
                a3,
                a4,
                format!(
                    "{}（{dates}）{why}；按在网天数折算为 {} 个月，应为 {} 元",
                    sub.id,
                    fmt_months(active),
                    money::fmt_grouped(a4)
                ),
            );
        }
        rec.tariff = Some(priced.tariff.code.clone());
        rec.months_active = Some(active);
        rec.expected_amount = a4;
        advice(item, sub, rules, usage, &mut found);
        rec.codes = found.iter().map(|f| f.code).collect();
        findings.extend(found);
        recomputed.push(rec);
    }
    // Lines the budget forgot.
    for sub in subscribers.values() {
        if budgeted.contains(&sub.id) {
            continue;
        }
        if sub
            .service
            .as_ref()
            .is_some_and(|s| aggregated_services.contains(s))
        {
            continue;
        }
        let (active, _) = months_active(rules, period, sub.opened_on, sub.closed_on);
        if active.is_zero() {
            continue;
        }
        let tariff = sub.tariff_in(rules);
        let expected = tariff.map_or(Decimal::ZERO, |t| round_cent(t.monthly * active));
        let message = match tariff {
            Some(t) => format!(
                "{}（{}，{}）本期在网 {} 个月，预算未列支；按资费 {} 应为 {} 元",
                sub.id,
                register_label(sub.register),
                sub.unit.as_deref().unwrap_or("—"),
                fmt_months(active),
                t.describe(),
                money::fmt_grouped(expected)
            ),
            None => format!(
                "{}（{}）本期在网 {} 个月，预算未列支；计费规则中没有其资费，金额无法核定",
                sub.id,
                register_label(sub.register),
                fmt_months(active)
            ),
        };
        findings.push(FeeFinding {
            code: FeeCode::MissingFromBudget,
            item_no: None,
            row: None,
            line_id: Some(sub.id.clone()),
            budget_amount: Decimal::ZERO,
            expected_amount: expected,
            difference: -expected,
            message,
        });
        recomputed.push(Recomputed {
            row: None,
            item_no: None,
            line_id: Some(sub.id.clone()),
            unit: sub.unit.clone(),
            service: sub.service.clone(),
            bandwidth_mbps: sub.bandwidth_mbps,
            tariff: tariff.map(|t| t.code.clone()),
            months_billed: None,
            months_active: Some(active),
            budget_amount: Decimal::ZERO,
            expected_amount: expected,
            codes: vec![FeeCode::MissingFromBudget],
        });
    }
    discounts(
        rules,
        &discount_rows,
        &mut recomputed,
        &mut findings,
        &mut notes,
    );
    subtotals(budget, &mut findings);
    findings.sort_by_key(|f| (f.row.unwrap_or(u64::MAX), f.code, f.line_id.clone()));
    let verified_total = recomputed.iter().map(|r| r.expected_amount).sum();
    let (budget_total, total_stated) = match budget.stated_total() {
        Some(t) => (t, true),
        None => (budget.items_total(), false),
    };
    Ok(FeeAudit {
        period: period.clone(),
        budget_total,
        total_stated,
        verified_total,
        findings,
        recomputed,
        notes,
    })
}

/// The error for an item whose service and bandwidth no tariff covers.
fn no_tariff(
    rules: &BillingRules,
    budget: &Budget,
    item: &Item,
    service: Option<&str>,
    bandwidth: Option<f64>,
) -> AuditError {
    let column = if item.bandwidth_mbps.is_some() || item.service.is_none() {
        "bandwidth_mbps"
    } else {
        "service"
    };
    AuditError {
        file: budget.file.clone(),
        row: item.row,
        column: column.to_string(),
        message: format!(
            "{}{} 在计费规则 {} 中没有资费：请在计费规则中补充该资费，或改正预算",
            service.map_or("未知业务", service_label),
            bandwidth.map_or(String::new(), |b| format!(" {}", fmt_bandwidth(b))),
            rules.file
        ),
    }
}

fn register_label(register: &str) -> &'static str {
    if register == "sim_cards" {
        "号卡清单"
    } else {
        "线路台账"
    }
}

/// The tariff the item names by code, if it names one; an unknown code stops the audit.
fn tariff_by_code<'a>(
    rules: &'a BillingRules,
    budget: &Budget,
    item: &Item,
) -> Result<Option<&'a Tariff>, AuditError> {
    let Some(code) = &item.tariff else {
        return Ok(None);
    };
    match rules.by_code(code) {
        Some(t) => Ok(Some(t)),
        None => Err(AuditError {
            file: budget.file.clone(),
            row: item.row,
            column: "tariff".to_string(),
            message: format!(
                "资费编码 “{code}” 不在计费规则 {} 中（现有：{}）：请改正预算或在计费规则中补充该资费",
                rules.file,
                rules
                    .tariffs
                    .iter()
                    .map(|t| t.code.as_str())
                    .collect::<Vec<_>>()
                    .join("、")
            ),
        }),
    }
}

/// The price by what the inventory (or card register) says about the line.
fn subscriber_tariff<'a>(
    rules: &'a BillingRules,
    sub: &Subscriber,
    item: &Item,
    usage: &Usage,
) -> Option<Priced<'a>> {
    let tariff = sub.tariff_in(rules)?;
    Some(priced(rules, tariff, item, usage))
}

/// The monthly unit price: the tariff, 5G overage for the item's budgeted traffic,
/// and 95th-percentile burstable overage for an egress line.
fn priced<'a>(rules: &BillingRules, tariff: &'a Tariff, item: &Item, usage: &Usage) -> Priced<'a> {
    let mut unit_price = tariff.monthly_with_traffic(item.traffic_gb);
    if let (Some(b), Some(id)) = (&rules.burstable, item.id()) {
        let is_egress = b.lines.iter().any(|l| l == id)
            || (b.lines.is_empty() && item.service.as_deref() == Some("internet"));
        if is_egress {
            if let Some(p) = usage.egress_p95_mbps.get(id) {
                unit_price += super::burstable_overage(*p, b);
            }
        }
    }
    Priced { tariff, unit_price }
}

/// Advice from measured use: 5G traffic against the budget, idle cards, and the p95
/// utilisation of fibre lines.
fn advice(
    item: &Item,
    sub: &Subscriber,
    rules: &BillingRules,
    usage: &Usage,
    findings: &mut Vec<FeeFinding>,
) {
    let mut push = |code: FeeCode, message: String| {
        findings.push(FeeFinding {
            code,
            item_no: item.item_no.clone(),
            row: Some(item.row),
            line_id: Some(sub.id.clone()),
            budget_amount: item.amount,
            expected_amount: item.amount,
            difference: Decimal::ZERO,
            message,
        });
    };
    let service = sub.service.as_deref().or(item.service.as_deref());
    if service == Some("5g") {
        if let Some(window) = usage.traffic_window.as_ref().filter(|w| covers(sub, w)) {
            let window = super::usage::window_label(window);
            match usage.traffic_gb.get(&sub.id) {
                Some(mean) if mean.is_zero() || mean.is_sign_negative() => push(
                    FeeCode::IdleCard,
                    format!("{} 在 {window} 流量为 0，建议核实是否仍需保留", sub.id),
                ),
                None => push(
                    FeeCode::IdleCard,
                    format!(
                        "{} 在 {window} 无任何流量记录，建议核实是否仍需保留",
                        sub.id
                    ),
                ),
                Some(mean) => {
                    // The budgeted traffic, else the package's included traffic.
                    let planned = item.traffic_gb.or_else(|| {
                        item.tariff
                            .as_deref()
                            .or(sub.tariff.as_deref())
                            .and_then(|c| rules.by_code(c))
                            .or_else(|| rules.for_service("5g", None))
                            .and_then(|t| t.included_gb)
                    });
                    if let Some(planned) = planned {
                        let low = *mean * Decimal::new(5, 1);
                        let high = *mean * Decimal::new(15, 1);
                        if planned < low || planned > high {
                            push(
                                FeeCode::Traffic,
                                format!(
                                    "预算流量 {} GB/月与 {window} 实际月均 {} GB 相差超过 50%（合理区间 {}–{} GB）",
                                    planned.normalize(),
                                    mean.round_dp(2),
                                    low.round_dp(2),
                                    high.round_dp(2)
                                ),
                            );
                        }
                    }
                }
            }
        }
    }
    if service == Some("fiber") {
        if let (Some(window), Some(bw)) = (&usage.utilisation_window, sub.bandwidth_mbps) {
            let window = super::usage::window_label(window);
            if let Some(p95) = usage.p95_rate_mbps.get(&sub.id) {
                let pct = p95 / bw * 100.0;
                if pct < 10.0 {
                    push(
                        FeeCode::UtilisationLow,
                        format!(
                            "{window} 95 百分位速率 {p95:.1} Mbps，仅为带宽 {} 的 {pct:.1}%（< 10%），建议评估降档",
                            fmt_bandwidth(bw)
                        ),
                    );
                } else if pct > 80.0 {
                    push(
                        FeeCode::UtilisationHigh,
                        format!(
                            "{window} 95 百分位速率 {p95:.1} Mbps，达带宽 {} 的 {pct:.1}%（> 80%），建议评估扩容",
                            fmt_bandwidth(bw)
                        ),
                    );
                }
            }
        }
    }
}

/// Whether the line was active through the whole measuring window (a card opened
/// since has no history to judge).
fn covers(sub: &Subscriber, w: &Period) -> bool {
    sub.opened_on.is_none_or(|o| o <= w.start) && sub.closed_on.is_none_or(|c| c >= w.end)
}

/// Volume discounts (SPEC §8): when a service has at least `min_lines` verified lines,
/// its verified subtotal is reduced by `pct` %. A discount row in the budget is
/// checked against it; a missing one is a `tariff` finding.
fn discounts(
    rules: &BillingRules,
    rows: &[&Item],
    recomputed: &mut Vec<Recomputed>,
    findings: &mut Vec<FeeFinding>,
    notes: &mut Vec<String>,
) {
    let mut rows: Vec<&Item> = rows.to_vec();
    for d in &rules.discounts {
        let of_service: Vec<&Recomputed> = recomputed
            .iter()
            .filter(|r| {
                r.service.as_deref() == Some(d.service.as_str()) && !r.expected_amount.is_zero()
            })
            .collect();
        let lines = of_service.iter().filter(|r| r.line_id.is_some()).count() as u64;
        let subtotal: Decimal = of_service.iter().map(|r| r.expected_amount).sum();
        let expected = if lines >= d.min_lines {
            -round_cent(subtotal * d.pct / Decimal::from(100))
        } else {
            Decimal::ZERO
        };
        let row = rows
            .iter()
            .position(|r| r.service.as_deref().is_none_or(|s| s == d.service))
            .map(|i| rows.remove(i));
        if lines >= d.min_lines {
            notes.push(format!(
                "{}共 {lines} 条，达到 {} 条的批量折扣条件，核定小计 {} 元按 {}% 折让 {} 元",
                service_label(&d.service),
                d.min_lines,
                money::fmt_grouped(subtotal),
                d.pct.normalize(),
                money::fmt_grouped(-expected)
            ));
        }
        let budget_amount = row.map_or(Decimal::ZERO, |r| r.amount);
        if budget_amount != expected {
            findings.push(FeeFinding {
                code: FeeCode::Tariff,
                item_no: row.and_then(|r| r.item_no.clone()),
                row: row.map(|r| r.row),
                line_id: None,
                budget_amount,
                expected_amount: expected,
                difference: budget_amount - expected,
                message: format!(
                    "{}批量折扣：{}条线路，规则为满 {} 条折让 {}%，应为 {} 元，预算列 {} 元",
                    service_label(&d.service),
                    lines,
                    d.min_lines,
                    d.pct.normalize(),
                    money::fmt_grouped(expected),
                    money::fmt_grouped(budget_amount)
                ),
            });
        }
        if row.is_some() || !expected.is_zero() {
            recomputed.push(Recomputed {
                row: row.map(|r| r.row),
                item_no: row.and_then(|r| r.item_no.clone()),
                line_id: None,
                unit: None,
                service: Some(d.service.clone()),
                bandwidth_mbps: None,
                tariff: Some(format!("折扣 {}%", d.pct.normalize())),
                months_billed: None,
                months_active: None,
                budget_amount,
                expected_amount: expected,
                codes: Vec::new(),
            });
        }
    }
    // Discount rows no rule explains: nothing is due.
    for r in rows {
        findings.push(FeeFinding {
            code: FeeCode::Tariff,
            item_no: r.item_no.clone(),
            row: Some(r.row),
            line_id: None,
            budget_amount: r.amount,
            expected_amount: Decimal::ZERO,
            difference: r.amount,
            message: "计费规则中没有适用于本行的折扣".to_string(),
        });
        recomputed.push(Recomputed {
            row: Some(r.row),
            item_no: r.item_no.clone(),
            line_id: None,
            unit: None,
            service: r.service.clone(),
            bandwidth_mbps: None,
            tariff: None,
            months_billed: None,
            months_active: None,
            budget_amount: r.amount,
            expected_amount: Decimal::ZERO,
            codes: vec![FeeCode::Tariff],
        });
    }
}

/// Each 小计 against the items since the previous 小计 (or the start); each 合计
/// against every item before it.
fn subtotals(budget: &Budget, findings: &mut Vec<FeeFinding>) {
    let mut from = 0;
    for s in &budget.summaries {
        let range = match s.kind {
            SummaryKind::Subtotal => from..s.items_before,
            SummaryKind::Total => 0..s.items_before,
        };
        if s.kind == SummaryKind::Subtotal {
            from = s.items_before;
        }
        let Some(stated) = s.amount else { continue };
        let items = &budget.items[range.clone()];
        let sum: Decimal = items.iter().map(|i| i.amount).sum();
        if stated != sum {
            let span = match (items.first(), items.last()) {
                (Some(a), Some(b)) => format!("第 {}–{} 行", a.row, b.row),
                _ => "（无项目）".to_string(),
            };
            findings.push(FeeFinding {
                code: FeeCode::Subtotal,
                item_no: None,
                row: Some(s.row),
                line_id: None,
                budget_amount: stated,
                expected_amount: sum,
                difference: stated - sum,
                message: format!(
                    "“{}” {} 元 ≠ {span} {} 个项目金额之和 {} 元",
                    s.label,
                    money::fmt_grouped(stated),
                    items.len(),
                    money::fmt_grouped(sum)
                ),
            });
        }
    }
}
