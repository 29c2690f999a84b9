//! The fee-budget audit (费用预算稽核, SPEC §8): billing rules, the budget read with
//! exact decimals, the recomputation of every item against the rules and the
//! inventory, and advice from measured use.
//!
//! - `money`: exact amounts, parsing and half-up rounding to the cent;
//! - `rules`: `rules/billing.yaml`, validated;
//! - `budget`: the budget workbook as items and 小计/合计 rows;
//! - `usage`: traffic and percentile rates from the KPI and sample tables;
//! - `audit`: the recomputation and every finding code.

pub mod audit;
pub mod budget;
pub mod due;
pub mod money;
pub mod rules;
pub mod usage;

#[cfg(test)]
mod tests;

pub use audit::{audit, AuditError, AuditInput, FeeAudit, Recomputed, Subscriber};
use money::Decimal;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;

/// The fee-audit finding codes of SPEC §8, in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FeeCode {
    Arithmetic,
    Subtotal,
    Tariff,
    Bandwidth,
    Duplicate,
    NotInInventory,
    ClosedLine,
    Proration,
    MissingFromBudget,
    Traffic,
    UtilisationLow,
    UtilisationHigh,
    IdleCard,
}

/// `error` for money that is wrong, `advice` for what measured use suggests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FeeSeverity {
    Error,
    Advice,
}

impl FeeSeverity {
    pub fn as_str(self) -> &'static str {
        match self {
            FeeSeverity::Error => "error",
            FeeSeverity::Advice => "advice",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FeeSeverity::Error => "错误",
            FeeSeverity::Advice => "建议",
        }
    }
}

impl FeeCode {
    pub const ALL: [FeeCode; 13] = [
        FeeCode::Arithmetic,
        FeeCode::Subtotal,
        FeeCode::Tariff,
        FeeCode::Bandwidth,
        FeeCode::Duplicate,
        FeeCode::NotInInventory,
        FeeCode::ClosedLine,
        FeeCode::Proration,
        FeeCode::MissingFromBudget,
        FeeCode::Traffic,
        FeeCode::UtilisationLow,
        FeeCode::UtilisationHigh,
        FeeCode::IdleCard,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FeeCode::Arithmetic => "arithmetic",
            FeeCode::Subtotal => "subtotal",
            FeeCode::Tariff => "tariff",
            FeeCode::Bandwidth => "bandwidth",
            FeeCode::Duplicate => "duplicate",
            FeeCode::NotInInventory => "not_in_inventory",
            FeeCode::ClosedLine => "closed_line",
            FeeCode::Proration => "proration",
            FeeCode::MissingFromBudget => "missing_from_budget",
            FeeCode::Traffic => "traffic",
            FeeCode::UtilisationLow => "utilisation_low",
            FeeCode::UtilisationHigh => "utilisation_high",
            FeeCode::IdleCard => "idle_card",
        }
    }

    /// The Chinese name used in reports.
    pub fn label(self) -> &'static str {
        match self {
            FeeCode::Arithmetic => "金额计算错误",
            FeeCode::Subtotal => "小计/合计不符",
            FeeCode::Tariff => "单价与资费不符",
            FeeCode::Bandwidth => "带宽与台账不符",
            FeeCode::Duplicate => "重复列支",
            FeeCode::NotInInventory => "台账无此线路",
            FeeCode::ClosedLine => "拆机后仍计费",
            FeeCode::Proration => "未按天折算",
            FeeCode::MissingFromBudget => "在网线路未列预算",
            FeeCode::Traffic => "流量与实际使用不符",
            FeeCode::UtilisationLow => "带宽利用率偏低",
            FeeCode::UtilisationHigh => "带宽利用率偏高",
            FeeCode::IdleCard => "5G 号卡闲置",
        }
    }

    pub fn severity(self) -> FeeSeverity {
        if self.is_money() {
            FeeSeverity::Error
        } else {
            FeeSeverity::Advice
        }
    }

    /// Whether the finding is about money that is wrong (an `error`).
    pub fn is_money(self) -> bool {
        !matches!(
            self,
            FeeCode::Traffic
                | FeeCode::UtilisationLow
                | FeeCode::UtilisationHigh
                | FeeCode::IdleCard
        )
    }
}

/// One fee-audit finding: where, the three amounts and a message a reader can check.
#[derive(Debug, Clone, PartialEq)]
pub struct FeeFinding {
    pub code: FeeCode,
    pub item_no: Option<String>,
    /// The budget sheet row (none for a line missing from the budget).
    pub row: Option<u64>,
    pub line_id: Option<String>,
    pub budget_amount: Decimal,
    pub expected_amount: Decimal,
    /// budget − expected: positive = overstated.
    pub difference: Decimal,
    pub message: String,
}

impl Serialize for FeeFinding {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(10))?;
        m.serialize_entry("code", self.code.as_str())?;
        m.serialize_entry("severity", self.code.severity().as_str())?;
        m.serialize_entry("item_no", &self.item_no)?;
        m.serialize_entry("line_id", &self.line_id)?;
        m.serialize_entry("budget_amount", &money::fmt(self.budget_amount))?;
        m.serialize_entry("expected_amount", &money::fmt(self.expected_amount))?;
        m.serialize_entry("difference", &money::fmt(self.difference))?;
        m.serialize_entry("message", &self.message)?;
        m.serialize_entry("row", &self.row)?;
        m.end()
    }
}

/// The JSON of SPEC §12 for `audit-fees`.
impl Serialize for FeeAudit {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let by_code: indexmap::IndexMap<&str, String> = self
            .by_code()
            .into_iter()
            .map(|(c, d)| (c.as_str(), money::fmt(d)))
            .collect();
        let mut m = s.serialize_map(Some(8))?;
        m.serialize_entry(
            "period",
            &format!("{}..{}", self.period.start, self.period.end),
        )?;
        m.serialize_entry("budget_total", &money::fmt(self.budget_total))?;
        m.serialize_entry("verified_total", &money::fmt(self.verified_total))?;
        m.serialize_entry("difference", &money::fmt(self.difference()))?;
        m.serialize_entry("by_code", &by_code)?;
        m.serialize_entry("findings", &self.findings)?;
        m.serialize_entry("gwq_version", env!("CARGO_PKG_VERSION"))?;
        m.end()
    }
}

/// Overage per month for burstable billing: (p − committed)⁺ × price per Mbps.
pub fn burstable_overage(percentile_mbps: f64, b: &rules::Burstable) -> Decimal {
    let over = (percentile_mbps - b.committed_mbps).max(0.0);
    money::from_f64(over).unwrap_or_default() * b.overage_per_mbps
}

/// Every line and card the purchaser may pay for: the inventory, plus cards of the
/// SIM register that the inventory does not list.
pub fn subscribers(
    inventory: &crate::inventory::Inventory,
    sim_cards: &[SimCard],
) -> BTreeMap<String, Subscriber> {
    let mut out = BTreeMap::new();
    for line in inventory.lines.values() {
        out.insert(
            line.line_id.clone(),
            Subscriber {
                id: line.line_id.clone(),
                register: "inventory",
                service: line.access_type.clone(),
                bandwidth_mbps: line.bandwidth_mbps,
                opened_on: line.opened_on,
                closed_on: line.closed_on,
                tariff: line.tariff.clone(),
                unit: line.unit.clone(),
            },
        );
    }
    for card in sim_cards {
        out.entry(card.card_id.clone())
            .or_insert_with(|| Subscriber {
                id: card.card_id.clone(),
                register: "sim_cards",
                service: Some("5g".to_string()),
                bandwidth_mbps: None,
                opened_on: card.activated_on,
                closed_on: card.closed_on,
                tariff: card.package.clone(),
                unit: card.unit.clone(),
            });
    }
    out
}

/// One card of the SIM register.
#[derive(Debug, Clone, PartialEq)]
pub struct SimCard {
    pub card_id: String,
    pub unit: Option<String>,
    pub activated_on: Option<chrono::NaiveDate>,
    pub closed_on: Option<chrono::NaiveDate>,
    pub package: Option<String>,
}

/// The SIM register from its cached frame.
pub fn sim_cards(lf: polars::prelude::LazyFrame) -> Result<Vec<SimCard>, crate::frame::FrameError> {
    use crate::frame::{self, StepContext};
    let df = lf.collect().step("读取号卡清单")?;
    let ids = frame::str_values(&df, "card_id")?;
    let units = frame::str_values(&df, "unit")?;
    let activated = frame::i64_values(&df, "activated_on")?;
    let closed = frame::i64_values(&df, "closed_on")?;
    let package = frame::str_values(&df, "package")?;
    let mut out = Vec::new();
    for i in 0..df.height() {
        let Some(id) = ids[i].clone() else { continue };
        out.push(SimCard {
            card_id: id,
            unit: units[i].clone(),
            activated_on: activated[i].map(|d| frame::from_days(d as i32)),
            closed_on: closed[i].map(|d| frame::from_days(d as i32)),
            package: package[i].clone(),
        });
    }
    Ok(out)
}
