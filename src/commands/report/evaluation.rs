//! What the evaluation reports (quarterly, annual) add to the shared figures: the
//! supervisor's field checks and, per scheme, the fee the billing rules make due,
//! with the payment JSON.

use super::SchemeFigures;
use crate::analysis::field::{self, FieldSummary};
use crate::fees::due::{due, DueFee};
use crate::fees::rules::BillingRules;
use crate::period::Period;
use crate::scheme::Scheme;
use crate::session::Session;
use crate::tables::Table;
use anyhow::Result;

/// The field checks of the period and each scheme's fee due.
pub(super) struct Extras {
    pub field: FieldSummary,
    pub fees: Vec<Result<DueFee, String>>,
}

pub(super) fn extras(session: &Session, schemes: &[Scheme], period: &Period) -> Result<Extras> {
    let t = |table: Table| &session.tables[&table];
    Ok(Extras {
        field: field::summarise(
            t(Table::SiteTests),
            t(Table::PhoneChecks),
            &session.inventory,
            &session.calendar,
            period,
        )?,
        fees: fees_due(session, schemes, period)?,
    })
}

/// Per scheme, the fee its service is due in the period under the billing rules,
/// or why there is none. Rules that are configured but wrong stop the report.
pub(super) fn fees_due(
    session: &Session,
    schemes: &[Scheme],
    period: &Period,
) -> Result<Vec<Result<DueFee, String>>> {
    let ws = &session.ws;
    let path = ws
        .billing_rules
        .clone()
        .unwrap_or_else(|| ws.root.join("rules/billing.yaml"));
    if !path.is_file() {
        let why = "工作区没有计费规则（gwq.yaml 的 billing_rules）".to_string();
        return Ok(schemes.iter().map(|_| Err(why.clone())).collect());
    }
    let shown = path
        .strip_prefix(&ws.root)
        .unwrap_or(&path)
        .display()
        .to_string();
    let rules = BillingRules::load(&path, &shown)?;
    let cards = crate::fees::sim_cards(session.tables[&Table::SimCards].frame.clone())?;
    let subscribers = crate::fees::subscribers(&session.inventory, &cards);
    Ok(schemes
        .iter()
        .map(|s| match &s.access_type {
            None => Err("评估方案未指定接入方式（access_type），无法确定计费业务".to_string()),
            Some(service) => {
                let fee = due(&rules, &subscribers, service, period);
                if fee.lines == 0 {
                    Err("台账中本季度没有该业务的在网线路".to_string())
                } else {
                    Ok(fee)
                }
            }
        })
        .collect())
}

/// The report JSON's extra key `payment`.
pub(super) fn payment_extra(
    figures: &[SchemeFigures],
    fees: &[Result<DueFee, String>],
) -> serde_json::Map<String, serde_json::Value> {
    let mut extra = serde_json::Map::new();
    extra.insert("payment".into(), payment_json(figures, fees));
    extra
}

/// The JSON's `payment`: per scheme, the adjustment in % and, with a fee, in yuan.
fn payment_json(figures: &[SchemeFigures], fees: &[Result<DueFee, String>]) -> serde_json::Value {
    let money = |d: rust_decimal::Decimal| crate::fees::money::fmt(d);
    figures
        .iter()
        .zip(fees)
        .map(|(f, fee)| {
            let pct = f.now.payment_adjust_pct.filter(|_| f.now.total.is_some());
            match (pct, fee) {
                (Some(p), Ok(fee)) => serde_json::json!({
                    "scheme": f.now.scheme,
                    "payment_adjust_pct": p,
                    "service": fee.service,
                    "lines": fee.lines,
                    "fee_due": money(fee.amount()),
                    "adjust_yuan": money(fee.adjustment(p)),
                    "fee_after": money(fee.amount() + fee.adjustment(p)),
                    "note": null,
                }),
                (pct, fee) => serde_json::json!({
                    "scheme": f.now.scheme,
                    "payment_adjust_pct": pct,
                    "service": null,
                    "lines": null,
                    "fee_due": null,
                    "adjust_yuan": null,
                    "fee_after": null,
                    "note": fee.as_ref().err(),
                }),
            }
        })
        .collect()
}
