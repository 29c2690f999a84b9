//! Billing rules (`rules/billing.yaml`, SPEC §8): tariffs by service and bandwidth,
//! 5G packages with included traffic and overage, proration, volume discounts and
//! optional 95th-percentile burstable billing. Read strictly: an unknown key, a bad
//! amount or a tariff that cannot be told apart from another is an error naming the
//! file, the line and the key.

use super::money::{self, Decimal};
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use std::path::Path;

/// The default rules written by `gwq init` and `gwq demo`.
pub const DEFAULT_RULES: &str = include_str!("../../rules/billing.yaml");

/// An amount in the YAML: a number or a text like `"1,800.00"`, read exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money(pub Decimal);

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Money;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an amount such as 1800.00")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Money, E> {
                Ok(Money(Decimal::from(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Money, E> {
                Ok(Money(Decimal::from(v)))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Money, E> {
                money::from_f64(v)
                    .map(Money)
                    .ok_or_else(|| E::custom(format!("{v} 不是金额")))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Money, E> {
                match money::parse_text(v) {
                    Ok(Some(d)) => Ok(Money(d)),
                    _ => Err(E::custom(format!("“{v}” 不是金额"))),
                }
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    #[serde(default)]
    currency: Option<String>,
    #[serde(default)]
    rounding: Option<String>,
    #[serde(default)]
    proration: Option<String>,
    tariffs: Vec<RawTariff>,
    #[serde(default)]
    discounts: Vec<RawDiscount>,
    #[serde(default)]
    burstable: Option<RawBurstable>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTariff {
    code: String,
    service: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    bandwidth_mbps: Option<f64>,
    monthly: Money,
    #[serde(default)]
    included_gb: Option<Money>,
    #[serde(default)]
    overage_per_gb: Option<Money>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDiscount {
    service: String,
    min_lines: u64,
    pct: Money,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBurstable {
    #[serde(default)]
    percentile: Option<f64>,
    committed_mbps: f64,
    overage_per_mbps: Money,
    /// The egress lines billed this way; else every budget item of service `internet`.
    #[serde(default)]
    lines: Vec<String>,
}

/// How a month in which a line is active only some days is charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proration {
    /// monthly × active days ÷ days in month.
    ByDays,
    /// Any active day pays the whole month.
    WholeMonths,
}

/// One tariff: a monthly price for a service (and bandwidth), or a 5G package.
#[derive(Debug, Clone, PartialEq)]
pub struct Tariff {
    pub code: String,
    pub service: String,
    pub name: Option<String>,
    pub bandwidth_mbps: Option<f64>,
    pub monthly: Decimal,
    pub included_gb: Option<Decimal>,
    pub overage_per_gb: Option<Decimal>,
}

impl Tariff {
    /// The monthly price with the overage for `traffic_gb` a month beyond the package.
    pub fn monthly_with_traffic(&self, traffic_gb: Option<Decimal>) -> Decimal {
        match (self.included_gb, self.overage_per_gb, traffic_gb) {
            (Some(included), Some(rate), Some(used)) if used > included => {
                self.monthly + (used - included) * rate
            }
            _ => self.monthly,
        }
    }

    /// `F-100M（光纤 100M，1800.00 元/月）` for messages.
    pub fn describe(&self) -> String {
        let bw = self.bandwidth_mbps.map_or(String::new(), |b| {
            format!(" {}M", crate::ingest::values::format_number(b))
        });
        format!(
            "{}（{}{bw}，{} 元/月）",
            self.code,
            service_label(&self.service),
            money::fmt(self.monthly)
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Discount {
    pub service: String,
    pub min_lines: u64,
    pub pct: Decimal,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Burstable {
    pub percentile: f64,
    pub committed_mbps: f64,
    pub overage_per_mbps: Decimal,
    pub lines: Vec<String>,
}

/// The billing rules, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct BillingRules {
    pub file: String,
    pub proration: Proration,
    pub tariffs: Vec<Tariff>,
    pub discounts: Vec<Discount>,
    pub burstable: Option<Burstable>,
}

/// A problem in the billing rules: file, line, key and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}：键 {key}：{message}", line.map_or(String::new(), |l| format!(":{l}")))]
pub struct RulesError {
    pub file: String,
    pub line: Option<usize>,
    pub key: String,
    pub message: String,
}

/// `fiber`, `5g` or `internet` from what a budget or rule writes (光纤/专线/5G/互联网…).
pub fn normalise_service(text: &str) -> Option<String> {
    if let Some(a) = crate::ingest::values::normalise_access_type(text) {
        return Some(a.to_string());
    }
    let t = crate::ingest::header::normalise_header(text);
    if t.contains("互联网") || t.contains("出口") || t == "internet" {
        return Some("internet".to_string());
    }
    None
}

pub fn service_label(service: &str) -> &str {
    match service {
        "fiber" => "光纤",
        "5g" => "5G",
        "internet" => "互联网出口",
        other => other,
    }
}

impl BillingRules {
    pub fn load(path: &Path, display: &str) -> Result<BillingRules, RulesError> {
        let text = std::fs::read_to_string(path).map_err(|e| RulesError {
            file: display.to_string(),
            line: None,
            key: String::new(),
            message: format!("无法读取计费规则：{e}"),
        })?;
        BillingRules::parse(display, &text)
    }

    pub fn parse(file: &str, text: &str) -> Result<BillingRules, RulesError> {
        let err = |line: Option<usize>, key: &str, message: String| RulesError {
            file: file.to_string(),
            line,
            key: key.to_string(),
            message,
        };
        let raw: RawRules = serde_yaml_ng::from_str(text).map_err(|e| {
            let msg = e.to_string();
            let key = msg
                .split_once("unknown field `")
                .and_then(|(_, r)| r.split_once('`'))
                .map_or("", |(k, _)| k);
            err(
                e.location().map(|l| l.line()),
                key,
                format!("YAML 有误：{msg}"),
            )
        })?;
        let at = |needle: &str| locate(text, needle);
        if let Some(c) = raw.currency.as_deref() {
            if c != "CNY" {
                return Err(err(
                    at("currency:"),
                    "currency",
                    format!("只支持 CNY，而不是 “{c}”"),
                ));
            }
        }
        if let Some(r) = raw.rounding.as_deref() {
            if r != "half_up_cent" {
                return Err(err(
                    at("rounding:"),
                    "rounding",
                    format!("只支持 half_up_cent（按分四舍五入），而不是 “{r}”"),
                ));
            }
        }
        let proration = match raw.proration.as_deref() {
            None | Some("by_days") => Proration::ByDays,
            Some("whole_months") | Some("none") => Proration::WholeMonths,
            Some(p) => {
                return Err(err(
                    at("proration:"),
                    "proration",
                    format!(
                        "“{p}” 不是计费方式：应为 by_days（按天折算）或 whole_months（按整月）"
                    ),
                ))
            }
        };
        if raw.tariffs.is_empty() {
            return Err(err(
                at("tariffs:"),
                "tariffs",
                "至少需要一条资费".to_string(),
            ));
        }
        let mut tariffs: Vec<Tariff> = Vec::new();
        for (i, t) in raw.tariffs.into_iter().enumerate() {
            let key = format!("tariffs[{i}]");
            let line = at(&format!("code: {}", t.code)).or(at("tariffs:"));
            let service = normalise_service(&t.service).ok_or_else(|| {
                err(
                    line,
                    &format!("{key}.service"),
                    format!(
                        "“{}” 不是业务类型：应为 fiber（光纤）、5g 或 internet（互联网出口）",
                        t.service
                    ),
                )
            })?;
            if tariffs.iter().any(|o| o.code == t.code) {
                return Err(err(
                    line,
                    &format!("{key}.code"),
                    format!("资费编码 “{}” 重复", t.code),
                ));
            }
            if let Some(bw) = t.bandwidth_mbps {
                if bw.is_nan() || bw <= 0.0 {
                    return Err(err(
                        line,
                        &format!("{key}.bandwidth_mbps"),
                        "带宽应为正数".to_string(),
                    ));
                }
            } else if service == "fiber" {
                return Err(err(
                    line,
                    &format!("{key}.bandwidth_mbps"),
                    format!("光纤资费 {} 需要 bandwidth_mbps", t.code),
                ));
            }
            if t.monthly.0 < Decimal::ZERO {
                return Err(err(
                    line,
                    &format!("{key}.monthly"),
                    "月租不能为负".to_string(),
                ));
            }
            if t.included_gb.is_some() != t.overage_per_gb.is_some() {
                return Err(err(
                    line,
                    &format!("{key}.included_gb"),
                    "included_gb 与 overage_per_gb 需同时给出".to_string(),
                ));
            }
            let clash = tariffs
                .iter()
                .find(|o| o.service == service && o.bandwidth_mbps == t.bandwidth_mbps);
            if let Some(o) = clash {
                if service == "fiber" {
                    return Err(err(
                        line,
                        &format!("{key}.bandwidth_mbps"),
                        format!("与资费 {} 的业务类型和带宽相同，无法区分", o.code),
                    ));
                }
            }
            tariffs.push(Tariff {
                code: t.code,
                service,
                name: t.name,
                bandwidth_mbps: t.bandwidth_mbps,
                monthly: t.monthly.0,
                included_gb: t.included_gb.map(|m| m.0),
                overage_per_gb: t.overage_per_gb.map(|m| m.0),
            });
        }
        let mut discounts = Vec::new();
        for (i, d) in raw.discounts.into_iter().enumerate() {
            let key = format!("discounts[{i}]");
            let line = at("discounts:");
            let service = normalise_service(&d.service).ok_or_else(|| {
                err(
                    line,
                    &format!("{key}.service"),
                    format!("“{}” 不是业务类型", d.service),
                )
            })?;
            if d.pct.0 <= Decimal::ZERO || d.pct.0 >= Decimal::from(100) {
                return Err(err(
                    line,
                    &format!("{key}.pct"),
                    "折扣百分比应在 0 到 100 之间".to_string(),
                ));
            }
            discounts.push(Discount {
                service,
                min_lines: d.min_lines,
                pct: d.pct.0,
            });
        }
        let burstable = match raw.burstable {
            None => None,
            Some(b) => {
                let line = at("burstable:");
                let percentile = b.percentile.unwrap_or(95.0);
                if percentile.is_nan() || percentile <= 0.0 || percentile > 100.0 {
                    return Err(err(
                        line,
                        "burstable.percentile",
                        "百分位应在 0 到 100 之间".to_string(),
                    ));
                }
                if b.committed_mbps.is_nan() || b.committed_mbps < 0.0 {
                    return Err(err(
                        line,
                        "burstable.committed_mbps",
                        "承诺带宽不能为负".to_string(),
                    ));
                }
                Some(Burstable {
                    percentile,
                    committed_mbps: b.committed_mbps,
                    overage_per_mbps: b.overage_per_mbps.0,
                    lines: b.lines,
                })
            }
        };
        Ok(BillingRules {
            file: file.to_string(),
            proration,
            tariffs,
            discounts,
            burstable,
        })
    }

    pub fn by_code(&self, code: &str) -> Option<&Tariff> {
        let code = code.trim();
        self.tariffs
            .iter()
            .find(|t| t.code.eq_ignore_ascii_case(code))
    }

    /// The tariff of a service at a bandwidth: an exact bandwidth match, else the
    /// service's only tariff without a bandwidth (a 5G package).
    pub fn for_service(&self, service: &str, bandwidth_mbps: Option<f64>) -> Option<&Tariff> {
        if let Some(bw) = bandwidth_mbps {
            if let Some(t) = self.tariffs.iter().find(|t| {
                t.service == service && t.bandwidth_mbps.is_some_and(|b| (b - bw).abs() < 1e-6)
            }) {
                return Some(t);
            }
        }
        let mut flat = self
            .tariffs
            .iter()
            .filter(|t| t.service == service && t.bandwidth_mbps.is_none());
        match (flat.next(), flat.next()) {
            (Some(t), None) => Some(t),
            _ => None,
        }
    }
}

/// The 1-based line holding `needle`, if any.
fn locate(text: &str, needle: &str) -> Option<usize> {
    text.lines().position(|l| l.contains(needle)).map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn the_default_rules_load() {
        let r = BillingRules::parse("billing.yaml", DEFAULT_RULES).unwrap();
        assert_eq!(r.proration, Proration::ByDays);
        let t = r.for_service("fiber", Some(100.0)).unwrap();
        assert_eq!(t.monthly, Decimal::from_str("1800.00").unwrap());
        let g = r.for_service("5g", None).unwrap();
        assert_eq!(g.code, "5G-A");
        // 40 GB on a 30 GB package at 3.00/GB: 50 + 30 = 80.
        assert_eq!(
            g.monthly_with_traffic(Some(Decimal::from(40))),
            Decimal::from(80)
        );
        assert_eq!(
            g.monthly_with_traffic(Some(Decimal::from(20))),
            Decimal::from(50)
        );
    }

    fn error_of(text: &str) -> RulesError {
        BillingRules::parse("rules/billing.yaml", text).unwrap_err()
    }

    #[test]
    fn unknown_keys_name_the_line_and_key() {
        let e = error_of("tariffs:\n  - { code: A, service: fiber, bandwidth_mbps: 100, monthly: 1, colour: red }\n");
        assert_eq!(e.line, Some(2));
        assert_eq!(e.key, "colour");
        assert!(e.to_string().starts_with("rules/billing.yaml:2"), "{e}");
    }

    #[test]
    fn bad_amounts_services_and_clashes_are_errors() {
        let e = error_of(
            "tariffs:\n  - { code: A, service: fiber, bandwidth_mbps: 100, monthly: 很贵 }\n",
        );
        assert_eq!(e.line, Some(2), "{e}");
        let e =
            error_of("tariffs:\n  - { code: A, service: 卫星, bandwidth_mbps: 100, monthly: 1 }\n");
        assert_eq!(e.key, "tariffs[0].service");
        assert_eq!(e.line, Some(2));
        let e = error_of("tariffs:\n  - { code: A, service: fiber, monthly: 1 }\n");
        assert_eq!(e.key, "tariffs[0].bandwidth_mbps");
        let e = error_of(
            "tariffs:\n  - { code: A, service: fiber, bandwidth_mbps: 100, monthly: 1 }\n  - { code: B, service: 光纤, bandwidth_mbps: 100, monthly: 2 }\n",
        );
        assert_eq!(e.line, Some(3));
        let e = error_of("rounding: bankers\ntariffs:\n  - { code: A, service: 5g, monthly: 1 }\n");
        assert_eq!((e.line, e.key.as_str()), (Some(1), "rounding"));
        let e = error_of("tariffs:\n  - { code: A, service: 5g, monthly: 1 }\ndiscounts:\n  - { service: fiber, min_lines: 5, pct: 120 }\n");
        assert_eq!(e.key, "discounts[0].pct");
    }

    #[test]
    fn amounts_are_exact() {
        let r = BillingRules::parse(
            "b.yaml",
            "tariffs:\n  - { code: A, service: fiber, bandwidth_mbps: 100, monthly: 0.1 }\n  - { code: B, service: fiber, bandwidth_mbps: 200, monthly: \"1,234.56\" }\n",
        )
        .unwrap();
        assert_eq!(
            r.tariffs[0].monthly * Decimal::from(3),
            Decimal::from_str("0.3").unwrap()
        );
        assert_eq!(r.tariffs[1].monthly, Decimal::from_str("1234.56").unwrap());
    }
}
