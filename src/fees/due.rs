//! The fee the billing rules make due for a period and a service (SPEC §14 结果应用):
//! every line or card of the service active in the period at its tariff, prorated
//! as the fee audit prorates (SPEC §8), rounded per line half up to the cent, less
//! the volume discount — the base on which a quarter's payment adjustment is applied.
//!
//! 5G packages count their monthly fee only: overage depends on traffic the
//! budget plans, not on the rules.

use super::audit::{months_active, Subscriber};
use super::money::{round_cent, Decimal};
use super::rules::BillingRules;
use crate::period::Period;
use std::collections::BTreeMap;

/// What a period's service costs under the rules.
#[derive(Debug, Clone, PartialEq)]
pub struct DueFee {
    pub service: String,
    /// Lines (or cards) active in the period.
    pub lines: u64,
    /// Active lines without a tariff in the rules: not in `amount`.
    pub unpriced: Vec<String>,
    /// Σ per line, before the discount.
    pub subtotal: Decimal,
    /// The volume discount taken off (≥ 0).
    pub discount: Decimal,
}

impl DueFee {
    pub fn amount(&self) -> Decimal {
        self.subtotal - self.discount
    }

    /// The adjustment in yuan for `pct` % (negative: a deduction), to the cent.
    pub fn adjustment(&self, pct: f64) -> Decimal {
        let pct = super::money::from_f64(pct).unwrap_or_default();
        round_cent(self.amount() * pct / Decimal::from(100))
    }
}

/// The fee due for `service` (`fiber`, `5g`) over `period`.
pub fn due(
    rules: &BillingRules,
    subscribers: &BTreeMap<String, Subscriber>,
    service: &str,
    period: &Period,
) -> DueFee {
    let mut fee = DueFee {
        service: service.to_string(),
        lines: 0,
        unpriced: Vec::new(),
        subtotal: Decimal::ZERO,
        discount: Decimal::ZERO,
    };
    for sub in subscribers.values() {
        if sub.service.as_deref() != Some(service) {
            continue;
        }
        let (active, _) = months_active(rules, period, sub.opened_on, sub.closed_on);
        if active.is_zero() {
            continue;
        }
        fee.lines += 1;
        match sub.tariff_in(rules) {
            Some(t) => fee.subtotal += round_cent(t.monthly * active),
            None => fee.unpriced.push(sub.id.clone()),
        }
    }
    let priced = fee.lines - fee.unpriced.len() as u64;
    if let Some(d) = rules
        .discounts
        .iter()
        .find(|d| d.service == service && priced >= d.min_lines)
    {
        fee.discount = round_cent(fee.subtotal * d.pct / Decimal::from(100));
    }
    fee
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn line(id: &str, opened: Option<&str>, closed: Option<&str>, bw: f64) -> Subscriber {
        let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        Subscriber {
            id: id.into(),
            register: "inventory",
            service: Some("fiber".into()),
            bandwidth_mbps: Some(bw),
            opened_on: opened.map(date),
            closed_on: closed.map(date),
            tariff: None,
            unit: None,
        }
    }

    #[test]
    fn a_quarter_prorated_by_days_with_the_discount() {
        let rules = BillingRules::parse(
            "billing.yaml",
            "tariffs:\n  - { code: F-100M, service: fiber, bandwidth_mbps: 100, monthly: 1800.00 }\n  - { code: F-1G, service: fiber, bandwidth_mbps: 1000, monthly: 6500.00 }\ndiscounts:\n  - { service: fiber, min_lines: 2, pct: 5 }\n",
        )
        .unwrap();
        let q: Period = "2025Q3".parse().unwrap();
        let subs: BTreeMap<String, Subscriber> = [
            // A whole quarter at 1800: 5400.00.
            line("A", None, None, 100.0),
            // Opened 2025-08-17: 15/31 of August and September at 6500:
            // 6500 × (15/31 + 1) = 9645.161… → 9645.16.
            line("B", Some("2025-08-17"), None, 1000.0),
            // No tariff for 300M: counted, not priced.
            line("C", None, None, 300.0),
            // Closed before the quarter.
            line("D", None, Some("2025-06-30"), 100.0),
        ]
        .into_iter()
        .map(|s| (s.id.clone(), s))
        .collect();
        let fee = due(&rules, &subs, "fiber", &q);
        assert_eq!(fee.lines, 3);
        assert_eq!(fee.unpriced, ["C"]);
        assert_eq!(fee.subtotal, Decimal::new(1504516, 2));
        // Two priced lines reach min_lines 2: 5 % of 15045.16 = 752.258 → 752.26.
        assert_eq!(fee.discount, Decimal::new(75226, 2));
        assert_eq!(fee.amount(), Decimal::new(1429290, 2));
        // −2 % of 14292.90 = −285.858 → −285.86 (half away from zero).
        assert_eq!(fee.adjustment(-2.0), Decimal::new(-28586, 2));
        assert!(due(&rules, &subs, "5g", &q).amount().is_zero());
    }
}
