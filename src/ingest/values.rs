//! Value parsing (SPEC §4): the formats real exports use for numbers, booleans,
//! levels, dates and times, each parsed by one function shared by every reader.
//!
//! A reader hands over a [`Cell`]; the parser returns the typed value, `None` for an
//! empty cell, or `Err` when the text cannot be read as the type.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};

/// One input cell as a reader sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    Empty,
    Text(&'a str),
    Number(f64),
    Bool(bool),
    DateTime(NaiveDateTime),
}

impl Cell<'_> {
    /// The cell as a person would read it, for messages.
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.to_string(),
            Cell::Number(n) => format_number(*n),
            Cell::Bool(b) => if *b { "是" } else { "否" }.to_string(),
            Cell::DateTime(dt) => dt.format("%Y-%m-%d %H:%M:%S").to_string(),
        }
    }
}

/// Formats a number without a spurious `.0` for integers.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// The value could not be read as the column's type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadValue;

pub type Parsed<T> = Result<Option<T>, BadValue>;

/// Makes full-width ASCII half-width and the ideographic space a space (SPEC §4).
pub fn half_width(s: &str) -> std::borrow::Cow<'_, str> {
    if s.is_ascii() {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(
        s.chars()
            .map(|c| match c {
                '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                '\u{3000}' => ' ',
                _ => c,
            })
            .collect(),
    )
}

fn trimmed<'a>(cell: &Cell<'a>) -> Option<&'a str> {
    match cell {
        Cell::Text(s) => {
            // Most cells have nothing to trim: check the ends before scanning.
            let bytes = s.as_bytes();
            let clean = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_graphic());
            let t = if clean(bytes.first()) && clean(bytes.last()) {
                s
            } else {
                s.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}')
            };
            if t.is_empty() || t == "-" || t == "--" || t.eq_ignore_ascii_case("null") {
                None
            } else {
                Some(t)
            }
        }
        _ => None,
    }
}

/// Text: trimmed; numbers and dates are written as a person would read them.
pub fn parse_str(cell: &Cell) -> Option<String> {
    match cell {
        Cell::Empty => None,
        Cell::Text(_) => trimmed(cell).map(|s| s.to_string()),
        other => Some(other.display()),
    }
}

/// A number with optional thousands separators, percent sign or trailing unit.
pub fn parse_float(cell: &Cell) -> Parsed<f64> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Number(n) => Ok(Some(*n)),
        Cell::Bool(_) | Cell::DateTime(_) => Err(BadValue),
        Cell::Text(_) => match trimmed(cell) {
            None => Ok(None),
            Some(t) => parse_number_text(t).map(|(n, _)| Some(n)),
        },
    }
}

/// A decimal of at most 15 digits (`-12.345`) read the quick way: its digits as an
/// integer, divided by a power of ten. Both are exact in an f64, so the one rounding
/// of the division gives the nearest f64, as `str::parse` does (Clinger's fast path).
/// None for anything else, which `str::parse` then reads.
fn short_decimal(text: &str) -> Option<f64> {
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let (negative, digits) = match text.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        all => (false, all),
    };
    if digits.len() > 16 || !digits.first()?.is_ascii_digit() {
        return None;
    }
    // One pass: the digits as an integer, and how many follow the point.
    let (mut mantissa, mut count, mut after_point) = (0u64, 0usize, None::<usize>);
    for &b in digits {
        match (b, after_point) {
            (b'0'..=b'9', _) => {
                mantissa = mantissa * 10 + u64::from(b - b'0');
                count += 1;
                after_point = after_point.map(|n| n + 1);
            }
            (b'.', None) => after_point = Some(0),
            _ => return None,
        }
    }
    if count > 15 {
        return None;
    }
    let value = mantissa as f64 / POW10[after_point.unwrap_or(0)];
    Some(if negative { -value } else { value })
}

/// Splits `12.5 ms` into 12.5 and the unit `ms`; rejects anything else.
fn parse_number_text(text: &str) -> Result<(f64, String), BadValue> {
    // Fast path: a plain number, as large exports write them.
    if text
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
    {
        if let Some(v) = short_decimal(text).or_else(|| text.parse::<f64>().ok()) {
            return Ok((v, String::new()));
        }
    }
    let text = half_width(text);
    let text = text.trim();
    let end = text
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || matches!(c, '.' | ',' | '-' | '+' | 'e' | 'E')))
        .map(|(i, _)| i)
        .unwrap_or(text.len());
    // An exponent letter belongs to the number only when digits follow it.
    let (mut num, mut unit) = text.split_at(end);
    if let Some(pos) = num.find(['e', 'E']) {
        if !num[pos + 1..]
            .trim_start_matches(['-', '+'])
            .starts_with(|c: char| c.is_ascii_digit())
        {
            unit = &text[pos..];
            num = &text[..pos];
        }
    }
    // Thousands separators are rare: copy only when there is one.
    let value: f64 = if num.contains(',') {
        num.replace(',', "").parse()
    } else {
        num.parse()
    }
    .map_err(|_| BadValue)?;
    if !value.is_finite() {
        return Err(BadValue);
    }
    let unit = unit.trim();
    let known_unit = unit.is_empty()
        || unit == "%"
        || unit.chars().all(|c| c.is_ascii_alphabetic() || c == '/')
        || matches!(unit, "秒" | "分钟" | "小时" | "元" | "个" | "次" | "分");
    if !known_unit {
        return Err(BadValue);
    }
    Ok((value, unit.to_ascii_lowercase()))
}

/// A rate with an optional unit, as a multiple of `base` (1 for Mbps, 1e6 for bps).
/// A bare number is multiplied by `scale` (the unit named in the header, if any).
fn parse_rate(cell: &Cell, scale: f64, base: f64) -> Parsed<f64> {
    match cell {
        Cell::Text(_) => match trimmed(cell) {
            None => Ok(None),
            Some(t) => {
                let (n, unit) = parse_number_text(t)?;
                if unit.is_empty() {
                    return Ok(Some(n * scale));
                }
                let prefix = unit
                    .trim_end_matches("/s")
                    .trim_end_matches("bps")
                    .trim_end_matches('b');
                let bps = match prefix {
                    "" if unit.is_empty() => return Ok(Some(n * scale)),
                    "" => 1.0,
                    "k" => 1e3,
                    "m" => 1e6,
                    "g" => 1e9,
                    _ => return Err(BadValue),
                };
                Ok(Some(n * bps / base))
            }
        },
        other => parse_float(other).map(|v| v.map(|n| n * scale)),
    }
}

/// Bandwidth in Mbps: `100`, `100M`, `100Mbps`, `1G`, `1Gbps`, `512K`.
pub fn parse_mbps(cell: &Cell, scale: f64) -> Parsed<f64> {
    parse_rate(cell, scale, 1e6)
}

/// A traffic rate in bits per second: `1200`, `12.5Mbps`, `3 Kbps`.
pub fn parse_bps(cell: &Cell, scale: f64) -> Parsed<f64> {
    parse_rate(cell, scale, 1.0)
}

/// A whole number (a float cell that is integral is accepted).
pub fn parse_int(cell: &Cell) -> Parsed<i64> {
    match parse_float(cell)? {
        None => Ok(None),
        Some(n) if n.fract() == 0.0 && n.abs() < 9e15 => Ok(Some(n as i64)),
        Some(_) => Err(BadValue),
    }
}

/// Severity level 1–3: `1`, `一级`, `二级`, `三级`, `1级`, `I`…`III`.
pub fn parse_level(cell: &Cell) -> Parsed<i64> {
    if let Cell::Text(_) = cell {
        if let Some(t) = trimmed(cell) {
            let t = half_width(t);
            let core = t.trim_end_matches('级').trim_end_matches("故障").trim();
            let level = match core {
                "一" | "1" | "I" | "i" => 1,
                "二" | "2" | "II" | "ii" => 2,
                "三" | "3" | "III" | "iii" => 3,
                _ => return Err(BadValue),
            };
            return Ok(Some(level));
        }
    }
    match parse_int(cell)? {
        None => Ok(None),
        Some(n @ 1..=3) => Ok(Some(n)),
        Some(_) => Err(BadValue),
    }
}

const TRUE_WORDS: &[&str] = &[
    "是",
    "y",
    "yes",
    "1",
    "true",
    "t",
    "正常",
    "通过",
    "达标",
    "合格",
    "接通",
    "已接通",
    "满意",
    "可达",
    "有效",
    "已提交",
    "提交",
    "√",
    "✓",
    "ok",
    "up",
];
const FALSE_WORDS: &[&str] = &[
    "否",
    "n",
    "no",
    "0",
    "false",
    "f",
    "中断",
    "不通过",
    "未通过",
    "不达标",
    "不合格",
    "未接通",
    "不满意",
    "不可达",
    "无效",
    "未提交",
    "×",
    "✗",
    "down",
];

/// 是/否, Y/N, 1/0, true/false, 正常/中断 and similar words.
pub fn parse_bool(cell: &Cell) -> Parsed<bool> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Bool(b) => Ok(Some(*b)),
        Cell::Number(n) if *n == 1.0 => Ok(Some(true)),
        Cell::Number(n) if *n == 0.0 => Ok(Some(false)),
        Cell::Number(_) | Cell::DateTime(_) => Err(BadValue),
        Cell::Text(_) => match trimmed(cell) {
            None => Ok(None),
            Some(t) => {
                // The exact word first (no allocation), then case- and width-folded.
                let word = |t: &str| {
                    if TRUE_WORDS.contains(&t) {
                        Some(true)
                    } else if FALSE_WORDS.contains(&t) {
                        Some(false)
                    } else {
                        None
                    }
                };
                word(t)
                    .or_else(|| word(&half_width(t).to_lowercase()))
                    .map(Some)
                    .ok_or(BadValue)
            }
        },
    }
}

/// `fiber` or `5g`, from 光纤/有线/专线/fiber or 5G.
pub fn parse_access_type(cell: &Cell) -> Parsed<String> {
    match parse_str(cell) {
        None => Ok(None),
        Some(t) => normalise_access_type(&t)
            .map(|s| Some(s.to_string()))
            .ok_or(BadValue),
    }
}

/// The access-type vocabulary of SPEC §4; `None` for anything else.
pub fn normalise_access_type(text: &str) -> Option<&'static str> {
    let t = half_width(text).trim().to_lowercase();
    match t.as_str() {
        "fiber" | "fibre" | "光纤" | "有线" | "专线" | "光纤接入" | "有线接入" | "光纤专线" => {
            Some("fiber")
        }
        "5g" | "5g接入" | "5g专网" | "5g切片" => Some("5g"),
        _ => None,
    }
}

/// A period label (`provider_kpis.period`): `2025-08`, `2025/8`, `202508`, `2025年8月`
/// and a date (its month) give `2025-08`; `2025Q3`, `2025-Q3`, `2025年第3季度` and
/// `2025年三季度` give `2025Q3`; a year and a `..` range as `gwq --period` takes them.
pub fn parse_period_label(cell: &Cell) -> Parsed<String> {
    let month_of = |d: NaiveDate| format!("{}-{:02}", d.year(), d.month());
    match cell {
        Cell::Empty => Ok(None),
        Cell::DateTime(dt) => Ok(Some(month_of(dt.date()))),
        Cell::Number(n) if (190_001.0..=999_912.0).contains(n) && n.fract() == 0.0 => {
            period_label_text(&format!("{n:.0}"))
                .map(Some)
                .ok_or(BadValue)
        }
        Cell::Number(n) => from_excel_serial(*n)
            .map(|dt| Some(month_of(dt.date())))
            .ok_or(BadValue),
        Cell::Bool(_) => Err(BadValue),
        Cell::Text(_) => match trimmed(cell) {
            None => Ok(None),
            Some(t) => period_label_text(t).map(Some).ok_or(BadValue),
        },
    }
}

/// The canonical label of a period written as text, or `None`.
fn period_label_text(text: &str) -> Option<String> {
    let t: String = half_width(text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if t.contains("..") {
        return t
            .parse::<crate::period::Period>()
            .ok()
            .map(|p| p.label().to_string());
    }
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    let quarter = |y: &str, q: &str| -> Option<String> {
        let q = match q {
            "1" | "一" => 1,
            "2" | "二" => 2,
            "3" | "三" => 3,
            "4" | "四" => 4,
            _ => return None,
        };
        (y.len() == 4 && digits(y)).then(|| format!("{y}Q{q}"))
    };
    let label = if let Some((y, rest)) = t.split_once('年') {
        let rest = rest.trim_end_matches('份');
        if let Some(q) = rest.strip_suffix("季度") {
            let q = q.trim_start_matches('第');
            quarter(y, q.trim_start_matches(['Q', 'q']))?
        } else if let Some(q) = rest.strip_prefix(['Q', 'q']) {
            quarter(y, q)?
        } else {
            let m = rest.strip_suffix('月')?;
            format!("{y}-{m}")
        }
    } else if let Some((y, q)) = t.split_once(['Q', 'q']) {
        quarter(y.trim_end_matches(['-', '/', '.']), q)?
    } else if t.len() == 6 && digits(&t) {
        format!("{}-{}", &t[..4], &t[4..])
    } else {
        let parts: Vec<&str> = t.split(['-', '/', '.']).collect();
        match parts.as_slice() {
            [y] => y.to_string(),
            [y, m] => format!("{y}-{m}"),
            [..] => {
                let d = parse_datetime_text(&t)?;
                format!("{}-{:02}", d.year(), d.month())
            }
        }
    };
    label
        .parse::<crate::period::Period>()
        .ok()
        .map(|p| p.label().to_string())
}

/// Excel's day zero for the 1900 date system (serial 1 = 1900-01-01, with Lotus' leap bug).
fn excel_epoch() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(1899, 12, 30)
        .expect("valid date")
        .and_hms_opt(0, 0, 0)
        .expect("valid time")
}

/// An Excel serial day number as a date-time, rounded to the second (NOTES-libs).
pub fn from_excel_serial(serial: f64) -> Option<NaiveDateTime> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let seconds = (serial * 86_400.0).round() as i64;
    excel_epoch().checked_add_signed(Duration::seconds(seconds))
}

/// Date and time in the layouts of SPEC §4, an Excel serial, or a date alone (midnight).
pub fn parse_datetime(cell: &Cell) -> Parsed<NaiveDateTime> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::DateTime(dt) => Ok(Some(round_to_second(*dt))),
        Cell::Number(n) => from_excel_serial(*n).map(Some).ok_or(BadValue),
        Cell::Bool(_) => Err(BadValue),
        Cell::Text(_) => match trimmed(cell) {
            None => Ok(None),
            Some(t) => parse_datetime_text(t).map(Some).ok_or(BadValue),
        },
    }
}

/// A calendar date; a time of day, if present, is ignored.
pub fn parse_date(cell: &Cell) -> Parsed<NaiveDate> {
    parse_datetime(cell).map(|o| o.map(|dt| dt.date()))
}

fn round_to_second(dt: NaiveDateTime) -> NaiveDateTime {
    let nanos = dt.and_utc().timestamp_subsec_nanos();
    let base = dt - Duration::nanoseconds(nanos as i64);
    if nanos >= 500_000_000 {
        base + Duration::seconds(1)
    } else {
        base
    }
}

/// Reads `2025-07-01 08:05:00`, `2025/7/1 8:05`, `2025-07-01T08:05`, `2025.7.1`,
/// `2025年7月1日 8时5分`, `20250701`, or an Excel serial written as text.
pub fn parse_datetime_text(text: &str) -> Option<NaiveDateTime> {
    let bytes = text.as_bytes();
    // Fast path for the common `YYYY-MM-DD HH:MM:SS` layout of large exports.
    if bytes.len() == 19
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && (bytes[10] == b' ' || bytes[10] == b'T')
        && bytes[13] == b':'
        && bytes[16] == b':'
    {
        let n = |a: usize, b: usize| -> Option<u32> {
            let mut v = 0u32;
            for &c in &bytes[a..b] {
                if !c.is_ascii_digit() {
                    return None;
                }
                v = v * 10 + (c - b'0') as u32;
            }
            Some(v)
        };
        let date = NaiveDate::from_ymd_opt(n(0, 4)? as i32, n(5, 7)?, n(8, 10)?)?;
        let time = NaiveTime::from_hms_opt(n(11, 13)?, n(14, 16)?, n(17, 19)?)?;
        return Some(date.and_time(time));
    }
    let text = half_width(text);
    let text = text.trim();
    // A bare number: an Excel serial (days) or a compact yyyymmdd date.
    if text.chars().all(|c| c.is_ascii_digit() || c == '.') {
        if text.len() == 8 && !text.contains('.') {
            let date = NaiveDate::parse_from_str(text, "%Y%m%d").ok()?;
            return date.and_hms_opt(0, 0, 0);
        }
        return text.parse::<f64>().ok().and_then(from_excel_serial);
    }
    // Split into numeric fields; the separators tell date from time.
    let mut fields: Vec<u32> = Vec::with_capacity(7);
    let mut current: Option<u32> = None;
    let mut frac_ms: u32 = 0;
    let mut after_dot_in_time = false;
    let mut colon_seen = false;
    for c in text.chars() {
        if let Some(d) = c.to_digit(10) {
            if after_dot_in_time {
                // Fractional seconds: keep milliseconds only.
                let digits = current.unwrap_or(0);
                if digits < 100 {
                    current = Some(digits * 10 + d);
                }
                continue;
            }
            current = Some(current.unwrap_or(0).checked_mul(10)?.checked_add(d)?);
            continue;
        }
        if let Some(v) = current.take() {
            if after_dot_in_time {
                frac_ms = v;
            } else {
                fields.push(v);
            }
        }
        match c {
            '-' | '/' | '年' | '月' | '日' | ' ' | 'T' | '时' | '分' | '秒' => {}
            ':' => colon_seen = true,
            '.' if colon_seen && fields.len() == 6 => after_dot_in_time = true,
            '.' if !colon_seen => {}
            _ => return None,
        }
    }
    if let Some(v) = current {
        if after_dot_in_time {
            frac_ms = v;
        } else {
            fields.push(v);
        }
    }
    if fields.len() < 3 || fields.len() > 6 || fields.len() == 4 {
        return None;
    }
    if fields[0] < 1000 {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(fields[0] as i32, fields[1], fields[2])?;
    let (h, m, s) = (
        fields.get(3).copied().unwrap_or(0),
        fields.get(4).copied().unwrap_or(0),
        fields.get(5).copied().unwrap_or(0),
    );
    let time = NaiveTime::from_hms_opt(h, m, s)?;
    let dt = date.and_time(time);
    Some(round_to_second(dt + Duration::milliseconds(frac_ms as i64)))
}

/// A duration (`15m`, `4h`, `2d`, `90s`, or minutes as a bare number), in seconds.
pub fn parse_duration_seconds(text: &str) -> Option<f64> {
    let t = half_width(text);
    let t = t.trim().to_ascii_lowercase();
    let (num, unit) = match t.find(|c: char| !(c.is_ascii_digit() || c == '.')) {
        Some(i) => t.split_at(i),
        None => (t.as_str(), ""),
    };
    let n: f64 = num.parse().ok()?;
    let factor = match unit.trim() {
        "" | "m" | "min" | "分钟" => 60.0,
        "s" | "sec" | "秒" => 1.0,
        "h" | "hr" | "小时" => 3600.0,
        "d" | "天" => 86_400.0,
        _ => return None,
    };
    Some(n * factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_decimals_read_exactly_as_the_standard_parser() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let digits = (x % 10u64.pow((x >> 40) as u32 % 16 + 1)).to_string();
            let point = (x >> 20) as usize % (digits.len() + 1);
            let text = match point {
                0 => digits.clone(),
                p => format!("{}.{}", &digits[..p], &digits[p..]),
            };
            let text = if x & 1 == 1 { format!("-{text}") } else { text };
            let want: f64 = text.parse().unwrap();
            let got = short_decimal(&text);
            assert!(
                got.is_none_or(|v| v.to_bits() == want.to_bits()),
                "{text}: {got:?} vs {want}"
            );
        }
        assert_eq!(short_decimal("4.09"), Some(4.09));
        assert_eq!(short_decimal("0.1"), Some(0.1));
        assert_eq!(short_decimal("-0"), Some(-0.0));
        assert_eq!(short_decimal(".5"), None);
        assert_eq!(short_decimal("1.2.3"), None);
        assert_eq!(short_decimal("1234567890123456"), None);
    }

    fn dt(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn period_labels_in_every_layout() {
        let label = |c: Cell| parse_period_label(&c).unwrap();
        for (text, want) in [
            ("2025-08", "2025-08"),
            ("2025-8", "2025-08"),
            ("2025/08", "2025-08"),
            ("202508", "2025-08"),
            ("2025年8月", "2025-08"),
            ("2025 年 08 月份", "2025-08"),
            ("2025-08-01", "2025-08"),
            ("2025Q3", "2025Q3"),
            ("2025-q3", "2025Q3"),
            ("２０２５Ｑ３", "2025Q3"),
            ("2025年第3季度", "2025Q3"),
            ("2025年三季度", "2025Q3"),
            ("2025", "2025"),
            ("2025-07-01..2026-06-30", "2025-07-01..2026-06-30"),
        ] {
            assert_eq!(label(Cell::Text(text)).as_deref(), Some(want), "{text}");
        }
        let aug = NaiveDate::from_ymd_opt(2025, 8, 1).unwrap();
        assert_eq!(
            label(Cell::DateTime(aug.and_hms_opt(0, 0, 0).unwrap())).as_deref(),
            Some("2025-08")
        );
        // 45870 is 2025-08-01 as an Excel serial; 202508 a year and month as a number.
        assert_eq!(label(Cell::Number(45870.0)).as_deref(), Some("2025-08"));
        assert_eq!(label(Cell::Number(202508.0)).as_deref(), Some("2025-08"));
        assert_eq!(label(Cell::Text(" ")), None);
        for bad in ["2025-13", "2025年第5季度", "八月", "2025Q"] {
            assert!(parse_period_label(&Cell::Text(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn datetimes_in_every_layout() {
        let want = dt("2025-07-01 08:05:00");
        for text in [
            "2025-07-01 08:05:00",
            "2025/7/1 8:05",
            "2025-07-01T08:05",
            "2025-07-01T08:05:00",
            "2025年7月1日 8:05",
            "2025.07.01 08:05:00.000",
            " 2025-07-01 08:05 ",
            "２０２５-０７-０１ ０８:０５",
        ] {
            assert_eq!(parse_datetime(&Cell::Text(text)), Ok(Some(want)), "{text}");
        }
        assert_eq!(
            parse_datetime(&Cell::Text("2025-07-01")),
            Ok(Some(dt("2025-07-01 00:00:00")))
        );
        assert_eq!(
            parse_datetime(&Cell::Text("20250701")),
            Ok(Some(dt("2025-07-01 00:00:00")))
        );
        assert_eq!(parse_datetime(&Cell::Text("2025-13-01")), Err(BadValue));
        assert_eq!(parse_datetime(&Cell::Text("昨天")), Err(BadValue));
        assert_eq!(parse_datetime(&Cell::Text("")), Ok(None));
    }

    #[test]
    fn excel_serials_round_to_the_second() {
        // 45839 is 2025-07-01; 4 h is 1/6 of a day, not exactly representable.
        let serial = 45839.0 + 4.0 / 24.0;
        assert_eq!(
            parse_datetime(&Cell::Number(serial)),
            Ok(Some(dt("2025-07-01 04:00:00")))
        );
        assert_eq!(
            parse_datetime(&Cell::Text("45839.5")),
            Ok(Some(dt("2025-07-01 12:00:00")))
        );
    }

    #[test]
    fn numbers_with_units_and_separators() {
        assert_eq!(parse_float(&Cell::Text("99.5%")), Ok(Some(99.5)));
        assert_eq!(parse_float(&Cell::Text("12 ms")), Ok(Some(12.0)));
        assert_eq!(parse_float(&Cell::Text("1,234.5")), Ok(Some(1234.5)));
        assert_eq!(parse_float(&Cell::Text("-3e2")), Ok(Some(-300.0)));
        assert_eq!(parse_float(&Cell::Text("１２")), Ok(Some(12.0)));
        assert_eq!(parse_float(&Cell::Text("abc")), Err(BadValue));
        assert_eq!(parse_float(&Cell::Text("12天气")), Err(BadValue));
        assert_eq!(parse_float(&Cell::Text(" ")), Ok(None));
    }

    #[test]
    fn bandwidth_units() {
        assert_eq!(parse_mbps(&Cell::Text("100M"), 1.0), Ok(Some(100.0)));
        assert_eq!(parse_mbps(&Cell::Text("1G"), 1.0), Ok(Some(1000.0)));
        assert_eq!(parse_mbps(&Cell::Text("10Gbps"), 1.0), Ok(Some(10000.0)));
        assert_eq!(parse_mbps(&Cell::Text("200"), 1.0), Ok(Some(200.0)));
        assert_eq!(parse_mbps(&Cell::Text("2"), 1000.0), Ok(Some(2000.0)));
        assert_eq!(parse_mbps(&Cell::Number(50.0), 1.0), Ok(Some(50.0)));
        assert_eq!(parse_mbps(&Cell::Text("100X"), 1.0), Err(BadValue));
        assert_eq!(
            parse_bps(&Cell::Text("12.5Mbps"), 1.0),
            Ok(Some(12_500_000.0))
        );
        assert_eq!(parse_bps(&Cell::Text("1200"), 1.0), Ok(Some(1200.0)));
        assert_eq!(parse_bps(&Cell::Number(3.0), 1e6), Ok(Some(3e6)));
    }

    #[test]
    fn booleans_and_levels() {
        assert_eq!(parse_bool(&Cell::Text("是")), Ok(Some(true)));
        assert_eq!(parse_bool(&Cell::Text("中断")), Ok(Some(false)));
        assert_eq!(parse_bool(&Cell::Text("Y")), Ok(Some(true)));
        assert_eq!(parse_bool(&Cell::Number(0.0)), Ok(Some(false)));
        assert_eq!(parse_bool(&Cell::Text("也许")), Err(BadValue));
        assert_eq!(parse_level(&Cell::Text("二级")), Ok(Some(2)));
        assert_eq!(parse_level(&Cell::Number(3.0)), Ok(Some(3)));
        assert_eq!(parse_level(&Cell::Text("4")), Err(BadValue));
    }

    #[test]
    fn access_types() {
        assert_eq!(
            parse_access_type(&Cell::Text("光纤")),
            Ok(Some("fiber".into()))
        );
        assert_eq!(parse_access_type(&Cell::Text("5G")), Ok(Some("5g".into())));
        assert_eq!(parse_access_type(&Cell::Text("卫星")), Err(BadValue));
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration_seconds("15m"), Some(900.0));
        assert_eq!(parse_duration_seconds("4h"), Some(14_400.0));
        assert_eq!(parse_duration_seconds("2d"), Some(172_800.0));
        assert_eq!(parse_duration_seconds("90s"), Some(90.0));
        assert_eq!(parse_duration_seconds("30"), Some(1800.0));
        assert_eq!(parse_duration_seconds("3wd"), None);
    }
}
