//! Hand-computed fee-audit cases: one planted error of every code, a clean budget,
//! proration both ways, subtotal rows, and the 95th-percentile billing rule.

use super::budget::{Budget, Item, SummaryKind, SummaryRow};
use super::money::Decimal;
use super::rules::BillingRules;
use super::usage::Usage;
use super::*;
use crate::period::Period;
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::str::FromStr;

const RULES: &str = "\
tariffs:
  - { code: F-100M, service: fiber, bandwidth_mbps: 100, monthly: 1800.00 }
  - { code: F-200M, service: fiber, bandwidth_mbps: 200, monthly: 2600.00 }
  - { code: 5G-A, service: 5g, monthly: 50.00, included_gb: 30, overage_per_gb: 3.00 }
";

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn year() -> Period {
    Period::new(date("2026-01-01"), date("2026-12-31"))
}

fn line(
    id: &str,
    service: &str,
    bw: Option<f64>,
    opened: &str,
    closed: Option<&str>,
) -> Subscriber {
    Subscriber {
        id: id.to_string(),
        register: "inventory",
        service: Some(service.to_string()),
        bandwidth_mbps: bw,
        opened_on: Some(date(opened)),
        closed_on: closed.map(date),
        tariff: None,
        unit: Some("某单位".to_string()),
    }
}

/// A fibre item: `amount` for `months` months at `price`.
fn fiber(row: u64, id: &str, bw: f64, price: &str, months: &str, amount: &str) -> Item {
    Item {
        row,
        item_no: Some((row - 2).to_string()),
        line_id: Some(id.to_string()),
        service: Some("fiber".to_string()),
        bandwidth_mbps: Some(bw),
        quantity: Some(Decimal::ONE),
        unit_price: Some(dec(price)),
        months: Some(dec(months)),
        amount: dec(amount),
        ..Item::default()
    }
}

fn card(row: u64, id: &str, traffic: &str, price: &str, amount: &str) -> Item {
    Item {
        row,
        item_no: Some((row - 2).to_string()),
        card_id: Some(id.to_string()),
        service: Some("5g".to_string()),
        quantity: Some(Decimal::ONE),
        unit_price: Some(dec(price)),
        months: Some(dec("12")),
        amount: dec(amount),
        traffic_gb: Some(dec(traffic)),
        ..Item::default()
    }
}

fn subscribers(list: Vec<Subscriber>) -> BTreeMap<String, Subscriber> {
    list.into_iter().map(|s| (s.id.clone(), s)).collect()
}

fn run(budget: &Budget, subs: &BTreeMap<String, Subscriber>, usage: &Usage) -> FeeAudit {
    let rules = BillingRules::parse("billing.yaml", RULES).unwrap();
    audit(&AuditInput {
        rules: &rules,
        budget,
        subscribers: subs,
        usage,
        period: &year(),
    })
    .unwrap()
}

fn the_world() -> BTreeMap<String, Subscriber> {
    let mut c1 = line("C1", "5g", None, "2024-01-01", None);
    c1.register = "sim_cards";
    subscribers(vec![
        line("L1", "fiber", Some(100.0), "2020-01-01", None),
        line("L2", "fiber", Some(100.0), "2020-01-01", None),
        line("L3", "fiber", Some(100.0), "2020-01-01", None),
        line("L4", "fiber", Some(100.0), "2020-01-01", None),
        line("L5", "fiber", Some(100.0), "2020-01-01", Some("2026-06-15")),
        line("L6", "fiber", Some(100.0), "2026-03-10", None),
        line("L7", "fiber", Some(200.0), "2020-01-01", None),
        line("L8", "fiber", Some(100.0), "2020-01-01", Some("2025-12-31")),
        c1,
        line("C2", "5g", None, "2024-01-01", None),
        line("C3", "5g", None, "2024-01-01", None),
    ])
}

fn the_usage() -> Usage {
    Usage {
        traffic_window: Some(Period::new(date("2025-10-01"), date("2025-12-31"))),
        traffic_gb: BTreeMap::from([
            ("C1".to_string(), dec("40")),
            ("C2".to_string(), dec("40")),
            ("C3".to_string(), dec("0")),
        ]),
        utilisation_window: Some(Period::new(date("2025-10-01"), date("2025-12-31"))),
        p95_rate_mbps: BTreeMap::from([
            ("L1".to_string(), 5.0),
            ("L2".to_string(), 50.0),
            ("L3".to_string(), 90.0),
        ]),
        ..Usage::default()
    }
}

/// Rows 3.. of a sheet whose header is row 2.
fn planted_budget() -> Budget {
    let items = vec![
        fiber(3, "L1", 100.0, "1800", "12", "21600.00"), // clean
        fiber(4, "L2", 100.0, "1800", "12", "21000.00"), // arithmetic −600
        fiber(5, "L3", 100.0, "2000", "12", "24000.00"), // tariff +2400
        fiber(6, "L4", 200.0, "2600", "12", "31200.00"), // bandwidth +9600
        // row 7: 小计 of rows 3–6 = 97800, stated 97900 (+100)
        fiber(8, "L1", 100.0, "1800", "12", "21600.00"), // duplicate +21600
        fiber(9, "X9", 100.0, "1800", "12", "21600.00"), // not_in_inventory +21600
        fiber(10, "L5", 100.0, "1800", "12", "21600.00"), // closed_line +11700
        fiber(11, "L6", 100.0, "1800", "10", "18000.00"), // proration +522.58
        card(12, "C1", "40", "80", "960.00"),            // clean: 50 + 10 GB × 3
        card(13, "C2", "10", "50", "600.00"),            // traffic advice
        card(14, "C3", "10", "50", "600.00"),            // idle card
    ];
    let total: Decimal = items.iter().map(|i| i.amount).sum();
    Budget {
        file: "预算.xlsx".to_string(),
        sheet: Some("Sheet1".to_string()),
        items,
        summaries: vec![
            SummaryRow {
                row: 7,
                kind: SummaryKind::Subtotal,
                label: "小计".to_string(),
                amount: Some(dec("97900.00")),
                items_before: 4,
            },
            SummaryRow {
                row: 15,
                kind: SummaryKind::Total,
                label: "合计".to_string(),
                amount: Some(total),
                items_before: 11,
            },
        ],
    }
}

fn found(r: &FeeAudit) -> Vec<(&'static str, Option<u64>, Option<String>, String)> {
    r.findings
        .iter()
        .map(|f| {
            (
                f.code.as_str(),
                f.row,
                f.line_id.clone(),
                money::fmt(f.difference),
            )
        })
        .collect()
}

#[test]
fn one_error_of_every_code_to_the_cent() {
    let r = run(&planted_budget(), &the_world(), &the_usage());
    let s = |x: &str| Some(x.to_string());
    assert_eq!(
        found(&r),
        vec![
            ("utilisation_low", Some(3), s("L1"), "0.00".into()),
            ("arithmetic", Some(4), s("L2"), "-600.00".into()),
            ("tariff", Some(5), s("L3"), "2400.00".into()),
            ("utilisation_high", Some(5), s("L3"), "0.00".into()),
            ("bandwidth", Some(6), s("L4"), "9600.00".into()),
            ("subtotal", Some(7), None, "100.00".into()),
            ("duplicate", Some(8), s("L1"), "21600.00".into()),
            ("not_in_inventory", Some(9), s("X9"), "21600.00".into()),
            // L5 closed 2026-06-15: 5 months + 15/30 = 5.5 × 1800 = 9900.
            ("closed_line", Some(10), s("L5"), "11700.00".into()),
            // L6 opened 2026-03-10: 9 months + 22/31 × 1800 = 17477.42.
            ("proration", Some(11), s("L6"), "522.58".into()),
            ("traffic", Some(13), s("C2"), "0.00".into()),
            ("idle_card", Some(14), s("C3"), "0.00".into()),
            // L7 (200M, 2600/month) is active all year and not budgeted.
            ("missing_from_budget", None, s("L7"), "-31200.00".into()),
        ]
    );
    let closed = &r.findings[8];
    assert_eq!(
        (closed.budget_amount, closed.expected_amount),
        (dec("21600"), dec("9900"))
    );
    let prorated = &r.findings[9];
    assert_eq!(prorated.expected_amount, dec("17477.42"));
    assert!(r
        .findings
        .iter()
        .all(|f| f.code != FeeCode::Subtotal || f.row == Some(7)));
    // The 合计 row is right, so the budget total is the items' sum.
    let items: Decimal = planted_budget().items.iter().map(|i| i.amount).sum();
    assert_eq!(r.budget_total, items);
    // Verified = L1 21600 + L2 21600 + L3 21600 + L4 21600 + L5 9900 + L6 17477.42
    //          + C1 960 + C2 600 + C3 600 + L7 31200.
    assert_eq!(r.verified_total, dec("147137.42"));
    // Every money difference is explained by a finding (the 小计 error is not in the 合计).
    let explained: Decimal = r
        .findings
        .iter()
        .filter(|f| f.code != FeeCode::Subtotal)
        .map(|f| f.difference)
        .sum();
    assert_eq!(explained, r.difference());
    assert_eq!(r.count(FeeSeverity::Error), 9);
    assert_eq!(r.count(FeeSeverity::Advice), 4);
}

#[test]
fn a_clean_budget_has_no_error_findings() {
    let mut b = planted_budget();
    b.items = vec![
        fiber(3, "L1", 100.0, "1800", "12", "21600.00"),
        fiber(4, "L2", 100.0, "1800", "12", "21600.00"),
        // Closed 2026-06-15 and opened 2026-03-10, each billed by days, in months.
        fiber(5, "L5", 100.0, "1800", "5.5", "9900.00"),
        Item {
            months: None,
            unit_price: None,
            ..fiber(6, "L6", 100.0, "1800", "0", "17477.42")
        },
        fiber(7, "L7", 200.0, "2600", "12", "31200.00"),
        fiber(8, "L3", 100.0, "1800", "12", "21600.00"),
        fiber(9, "L4", 100.0, "1800", "12", "21600.00"),
        card(10, "C1", "40", "80", "960.00"),
        card(11, "C2", "40", "80", "960.00"),
        card(12, "C3", "10", "50", "600.00"),
    ];
    let total: Decimal = b.items.iter().map(|i| i.amount).sum();
    b.summaries = vec![SummaryRow {
        row: 13,
        kind: SummaryKind::Total,
        label: "合计".to_string(),
        amount: Some(total),
        items_before: b.items.len(),
    }];
    let r = run(&b, &the_world(), &Usage::default());
    let errors: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.code.is_money())
        .map(|f| f.message.clone())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(r.difference(), Decimal::ZERO);
}

#[test]
fn a_wrong_total_row_is_a_subtotal_finding_and_the_stated_total() {
    let mut b = planted_budget();
    let total = b.summaries[1].amount.unwrap();
    b.summaries[1].amount = Some(total + dec("0.01"));
    let r = run(&b, &the_world(), &the_usage());
    let t: Vec<_> = r.findings.iter().filter(|f| f.row == Some(15)).collect();
    assert_eq!(t.len(), 1);
    assert_eq!(
        (t[0].code, t[0].difference),
        (FeeCode::Subtotal, dec("0.01"))
    );
    assert_eq!(r.budget_total, total + dec("0.01"));
    assert!(r.total_stated);
}

#[test]
fn months_active_prorate_by_days_inclusive() {
    let rules = BillingRules::parse("b.yaml", RULES).unwrap();
    let q3 = Period::new(date("2025-07-01"), date("2025-09-30"));
    // Opened 16 July: 16 of 31 days, then August and September.
    let (m, touched) = audit::months_active(&rules, &q3, Some(date("2025-07-16")), None);
    assert_eq!(m, dec("2") + dec("16") / dec("31"));
    assert_eq!(touched, 3);
    // Closed on 1 August (inclusive): all of July and one day of August.
    let (m, touched) = audit::months_active(&rules, &q3, None, Some(date("2025-08-01")));
    assert_eq!(m, dec("1") + dec("1") / dec("31"));
    assert_eq!(touched, 2);
    // Opened and closed the same day.
    let (m, _) = audit::months_active(
        &rules,
        &q3,
        Some(date("2025-09-30")),
        Some(date("2025-09-30")),
    );
    assert_eq!(m, dec("1") / dec("30"));
    // Closed before the period: nothing.
    let (m, touched) = audit::months_active(&rules, &q3, None, Some(date("2025-06-30")));
    assert_eq!((m, touched), (Decimal::ZERO, 0));
}

/// A samples frame of one line with the given (in, out) rates in Mbps, five minutes
/// apart from the start of `day`.
fn samples(day: &str, rates: &[(f64, f64)]) -> polars::prelude::LazyFrame {
    use polars::prelude::*;
    let t0 = crate::frame::millis(date(day).and_hms_opt(0, 0, 0).unwrap());
    let n = rates.len();
    let df = DataFrame::new_infer_height(vec![
        Column::new(
            "time".into(),
            (0..n as i64).map(|i| t0 + i * 300_000).collect::<Vec<_>>(),
        ),
        Column::new("line_id".into(), vec!["EG1"; n]),
        Column::new(
            "in_bps".into(),
            rates.iter().map(|r| r.0 * 1e6).collect::<Vec<_>>(),
        ),
        Column::new(
            "out_bps".into(),
            rates.iter().map(|r| r.1 * 1e6).collect::<Vec<_>>(),
        ),
    ])
    .unwrap();
    df.lazy().with_column(col("time").cast(crate::frame::MS))
}

#[test]
fn ninety_fifth_percentile_by_nearest_rank() {
    let kpi = crate::ingest::cache::empty_frame(crate::tables::Table::Kpi5g);
    // 20 five-minute samples in the three months before the period; the rate of each
    // is max(in, out): 1..20 Mbps in shuffled order, out sometimes the larger.
    let rates: Vec<(f64, f64)> = (1..=20)
        .map(|i| ((i * 7) % 20 + 1) as f64)
        .map(|r| {
            if r as i64 % 2 == 0 {
                (r, r / 2.0)
            } else {
                (r / 3.0, r)
            }
        })
        .collect();
    let usage = usage::measure(&kpi, &samples("2025-11-03", &rates), &year(), Some(95.0)).unwrap();
    // Rank ⌈0.95 × 20⌉ = 19 → 19 Mbps, for utilisation and for burstable billing.
    assert_eq!(usage.p95_rate_mbps.get("EG1"), Some(&19.0));
    assert_eq!(usage.egress_p95_mbps.get("EG1"), Some(&19.0));
    assert_eq!(
        usage.utilisation_window,
        Some(Period::new(date("2025-10-01"), date("2025-12-31")))
    );
    // 30 samples at the 90th percentile: ⌈27⌉ = 27th smallest.
    let rates: Vec<(f64, f64)> = (1..=30).map(|i| (f64::from(i) * 10.0, 0.0)).collect();
    let usage = usage::measure(&kpi, &samples("2025-12-01", &rates), &year(), Some(90.0)).unwrap();
    assert_eq!(usage.p95_rate_mbps.get("EG1"), Some(&290.0));
    assert_eq!(usage.egress_p95_mbps.get("EG1"), Some(&270.0));
    // Billing: committed 1000 Mbps, 40.00 per Mbps over it.
    let b = rules::Burstable {
        percentile: 95.0,
        committed_mbps: 1000.0,
        overage_per_mbps: dec("40.00"),
        lines: vec!["EG1".to_string()],
    };
    assert_eq!(burstable_overage(1250.5, &b), dec("10020.00"));
    assert_eq!(burstable_overage(900.0, &b), Decimal::ZERO);
}

#[test]
fn burstable_egress_is_priced_by_its_percentile() {
    let text = format!(
        "{RULES}  - {{ code: NET-1G, service: internet, bandwidth_mbps: 1000, monthly: 10000.00 }}\nburstable:\n  percentile: 95\n  committed_mbps: 1000\n  overage_per_mbps: 40.00\n"
    );
    let rules = BillingRules::parse("b.yaml", &text).unwrap();
    let subs = subscribers(vec![line(
        "EG1",
        "internet",
        Some(1000.0),
        "2020-01-01",
        None,
    )]);
    let usage = Usage {
        egress_p95_mbps: BTreeMap::from([("EG1".to_string(), 1100.0)]),
        ..Usage::default()
    };
    // 10000 + 100 Mbps × 40 = 14000 a month; budgeted at the bare 10000.
    let b = Budget {
        file: "b.xlsx".into(),
        items: vec![Item {
            service: Some("internet".into()),
            ..fiber(3, "EG1", 1000.0, "10000", "12", "120000.00")
        }],
        ..Budget::default()
    };
    let r = audit(&AuditInput {
        rules: &rules,
        budget: &b,
        subscribers: &subs,
        usage: &usage,
        period: &year(),
    })
    .unwrap();
    assert_eq!(
        found(&r),
        vec![("tariff", Some(3), Some("EG1".into()), "-48000.00".into())]
    );
}

#[test]
fn an_unknown_tariff_code_names_the_row_and_column() {
    let b = Budget {
        file: "预算.xlsx".into(),
        items: vec![Item {
            tariff: Some("F-300M".into()),
            ..fiber(5, "L1", 100.0, "1800", "12", "21600.00")
        }],
        ..Budget::default()
    };
    let rules = BillingRules::parse("billing.yaml", RULES).unwrap();
    let e = audit(&AuditInput {
        rules: &rules,
        budget: &b,
        subscribers: &the_world(),
        usage: &Usage::default(),
        period: &year(),
    })
    .unwrap_err();
    assert_eq!((e.row, e.column.as_str()), (5, "tariff"));
    assert!(e.to_string().contains("F-300M"), "{e}");
    // A bandwidth no tariff covers, on a line the inventory does not know either.
    let b = Budget {
        file: "预算.xlsx".into(),
        items: vec![fiber(6, "L8X", 300.0, "3000", "12", "36000.00")],
        ..Budget::default()
    };
    let subs = subscribers(vec![line("L8X", "fiber", Some(300.0), "2020-01-01", None)]);
    let e = audit(&AuditInput {
        rules: &rules,
        budget: &b,
        subscribers: &subs,
        usage: &Usage::default(),
        period: &year(),
    })
    .unwrap_err();
    assert_eq!((e.row, e.column.as_str()), (6, "bandwidth_mbps"));
}

#[test]
fn json_has_money_as_two_decimal_strings() {
    let r = run(&planted_budget(), &the_world(), &the_usage());
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["period"], "2026-01-01..2026-12-31");
    assert_eq!(v["verified_total"], "147137.42");
    assert_eq!(v["by_code"]["tariff"], "2400.00");
    assert_eq!(v["by_code"]["missing_from_budget"], "-31200.00");
    assert!(v["by_code"].get("traffic").is_none());
    let f = &v["findings"][1];
    let keys: Vec<&str> = f.as_object().unwrap().keys().map(|k| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "code",
            "severity",
            "item_no",
            "line_id",
            "budget_amount",
            "expected_amount",
            "difference",
            "message",
            "row"
        ]
    );
    assert_eq!(f["budget_amount"], "21000.00");
    assert_eq!(f["expected_amount"], "21600.00");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["row"], 4);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// A budget item from drawn numbers: a fibre line or a card of `the_world` (or
    /// one it lacks), with prices, months and amounts right or wrong.
    fn item(row: u64, (who, price, months, off): (usize, usize, usize, bool)) -> Item {
        const IDS: [&str; 12] = [
            "L1", "L2", "L3", "L4", "L5", "L6", "L7", "L8", "X9", "C1", "C2", "C3",
        ];
        let id = IDS[who % IDS.len()];
        let price = ["1800", "2000", "2600", "50", "80"][price % 5];
        let months = ["12", "10", "5.5"][months % 3];
        let amount = dec(price) * dec(months) + if off { dec("600") } else { Decimal::ZERO };
        let amount = amount.to_string();
        match id.starts_with('C') {
            true => card(row, id, ["0", "10", "40"][who % 3], price, &amount),
            false => fiber(row, id, [100.0, 200.0][who % 2], price, months, &amount),
        }
    }

    /// A budget of the drawn items in order, rows 3.., with no total row.
    fn budget(drawn: &[(usize, usize, usize, bool)]) -> Budget {
        let items = drawn
            .iter()
            .enumerate()
            .map(|(i, d)| item(i as u64 + 3, *d))
            .collect();
        Budget {
            items,
            summaries: Vec::new(),
            ..planted_budget()
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// The verified total is the sum of the recomputed items, and the findings'
        /// money differences explain the budget's difference from it to the cent; the
        /// same budget with its rows in another order has the same totals and, where
        /// no line is budgeted twice, the same findings.
        #[test]
        fn verified_total_is_the_items_sum_and_row_order_does_not_matter(
            drawn in proptest::collection::vec((0usize..24, 0usize..5, 0usize..3, any::<bool>()), 0..16),
            seed in any::<u64>(),
        ) {
            let r = run(&budget(&drawn), &the_world(), &the_usage());
            let items: Decimal = r.recomputed.iter().map(|i| i.expected_amount).sum();
            prop_assert_eq!(r.verified_total, items);
            let explained: Decimal = r.findings.iter().map(|f| f.difference).sum();
            prop_assert_eq!(explained, r.difference());
            let mut shuffled = drawn.clone();
            let mut rng = crate::rng::Rng::stream(seed, "shuffle");
            for i in (1..shuffled.len()).rev() {
                shuffled.swap(i, rng.int(0, i as i64) as usize);
            }
            let again = run(&budget(&shuffled), &the_world(), &the_usage());
            prop_assert_eq!((again.budget_total, again.verified_total), (r.budget_total, r.verified_total));
            let ids: Vec<usize> = drawn.iter().map(|d| d.0 % 12).collect();
            let distinct = ids.iter().collect::<std::collections::BTreeSet<_>>().len() == ids.len();
            if distinct {
                let kinds = |a: &FeeAudit| {
                    let mut k: Vec<_> = a.findings.iter().map(|f| (f.code, f.line_id.clone(), f.difference)).collect();
                    k.sort();
                    k
                };
                prop_assert_eq!(kinds(&again), kinds(&r));
            }
        }
    }
}
