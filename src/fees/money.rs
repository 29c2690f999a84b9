//! Money as exact decimals (SPEC §8): parsing the ways a budget writes amounts
//! (`1,800.00`, `¥1800`, `1800元`, full-width digits, Excel numbers), rounding half
//! up to the cent, and the two-decimal text used in JSON and messages.

use rust_decimal::prelude::*;
use rust_decimal::RoundingStrategy;

pub use rust_decimal::Decimal;

/// Rounds half up (away from zero) to the cent.
pub fn round_cent(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// Two decimals, no thousands separators: `1234567.00`, `-0.50`.
pub fn fmt(d: Decimal) -> String {
    let mut r = round_cent(d);
    r.rescale(2);
    r.to_string()
}

/// With thousands separators for people: `1,234,567.00`.
pub fn fmt_grouped(d: Decimal) -> String {
    let text = fmt(d);
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.as_str()),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "00"));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}.{frac}")
}

/// An Excel number as an exact decimal: the shortest text that reads back as the same
/// double (`0.1` stays 0.1, not 0.1000000000000000055…).
pub fn from_f64(n: f64) -> Option<Decimal> {
    if !n.is_finite() {
        return None;
    }
    Decimal::from_str(&format!("{n}"))
        .or_else(|_| Decimal::from_scientific(&format!("{n:e}")))
        .ok()
}

/// Text that is not an amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadAmount;

/// Reads an amount or a number written as text: thousands separators, currency
/// signs and units (元, ¥, ￥, RMB, CNY), full-width digits, a leading minus or
/// accounting brackets. `None` for an empty cell, `Err` for anything else.
pub fn parse_text(text: &str) -> Result<Option<Decimal>, BadAmount> {
    let half = crate::ingest::values::half_width(text);
    let mut t: String = half
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ',' && *c != '，')
        .collect();
    if t.is_empty() || t == "-" {
        return Ok(None);
    }
    let negative_brackets = t.starts_with('(') && t.ends_with(')');
    if negative_brackets {
        t = t[1..t.len() - 1].to_string();
    }
    for unit in ["万元", "元", "¥", "￥", "RMB", "CNY", "rmb", "cny"] {
        t = t.replace(unit, "");
    }
    let value = Decimal::from_str(&t)
        .or_else(|_| Decimal::from_scientific(&t))
        .map_err(|_| BadAmount)?;
    // `万元` scales: a budget in 万元 is rare, but then every amount in it is.
    let value = if half.contains("万元") {
        value * Decimal::from(10_000)
    } else {
        value
    };
    Ok(Some(if negative_brackets { -value } else { value }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn half_up_to_the_cent() {
        assert_eq!(round_cent(d("1.005")), d("1.01"));
        assert_eq!(round_cent(d("1.0049999")), d("1.00"));
        assert_eq!(round_cent(d("-1.005")), d("-1.01"));
        assert_eq!(fmt(d("1800")), "1800.00");
        assert_eq!(fmt(d("-0.5")), "-0.50");
        assert_eq!(fmt_grouped(d("1234567.891")), "1,234,567.89");
        assert_eq!(fmt_grouped(d("-999.5")), "-999.50");
    }

    #[test]
    fn amounts_as_budgets_write_them() {
        assert_eq!(parse_text("1,800.00").unwrap(), Some(d("1800.00")));
        assert_eq!(parse_text("¥ 21,600").unwrap(), Some(d("21600")));
        assert_eq!(parse_text("1800元").unwrap(), Some(d("1800")));
        assert_eq!(parse_text("１８００．５").unwrap(), Some(d("1800.5")));
        assert_eq!(parse_text("(300.00)").unwrap(), Some(d("-300.00")));
        assert_eq!(parse_text("1.5万元").unwrap(), Some(d("15000")));
        assert_eq!(parse_text("  ").unwrap(), None);
        assert!(parse_text("待定").is_err());
        assert!(parse_text("12a").is_err());
    }

    #[test]
    fn excel_doubles_become_the_decimal_a_person_typed() {
        assert_eq!(from_f64(0.1), Some(d("0.1")));
        assert_eq!(from_f64(21600.0), Some(d("21600")));
        assert_eq!(from_f64(1234.56), Some(d("1234.56")));
        assert_eq!(from_f64(f64::NAN), None);
    }
}
