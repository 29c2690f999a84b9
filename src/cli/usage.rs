//! Usage errors in Chinese (SPEC §2): clap's own messages are English, so its error
//! is taken apart (kind and context) and said again in Chinese, with the accepted
//! values, the usage line and where to find help. Exit code 2, as clap's.

use clap::error::{ContextKind, ContextValue, ErrorKind};

/// The Chinese message for a clap error (without the trailing help hint).
pub fn message(err: &clap::Error) -> String {
    let arg = text(err, ContextKind::InvalidArg);
    let value = text(err, ContextKind::InvalidValue);
    let mut out = match err.kind() {
        ErrorKind::InvalidSubcommand => {
            let name = text(err, ContextKind::InvalidSubcommand);
            let mut m = format!("没有命令 “{name}”");
            if let Some(s) = list(err, ContextKind::SuggestedSubcommand) {
                m.push_str(&format!("，是否想用 {s}？"));
            }
            m
        }
        ErrorKind::UnknownArgument => {
            let mut m = format!("不认识的参数 “{arg}”");
            if let Some(s) = list(err, ContextKind::SuggestedArg) {
                m.push_str(&format!("，是否想用 {s}？"));
            }
            m
        }
        ErrorKind::InvalidValue if value.is_empty() => format!("参数 {arg} 需要一个值"),
        ErrorKind::InvalidValue => format!("参数 {arg} 的值 “{value}” 无效"),
        ErrorKind::ValueValidation => {
            let why = std::error::Error::source(err)
                .map(|e| format!("：{}", in_chinese(&e.to_string())))
                .unwrap_or_default();
            format!("参数 {arg} 的值 “{value}” 无效{why}")
        }
        ErrorKind::MissingRequiredArgument => {
            let missing = list(err, ContextKind::InvalidArg).unwrap_or_default();
            format!("缺少必需的参数：{missing}")
        }
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            "缺少命令".to_string()
        }
        ErrorKind::ArgumentConflict => {
            let prior = list(err, ContextKind::PriorArg).unwrap_or_default();
            format!("参数 {arg} 不能与 {prior} 同时使用")
        }
        ErrorKind::NoEquals => format!("参数 {arg} 的值须用 = 连接，如 {arg}=值"),
        ErrorKind::TooManyValues => format!("参数 {arg} 的值过多：“{value}”"),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            format!("参数 {arg} 的值个数不对")
        }
        ErrorKind::InvalidUtf8 => "参数中含有无法识别的字符（不是有效的 UTF-8）".to_string(),
        _ => "命令行有误".to_string(),
    };
    if let Some(valid) = list(err, ContextKind::ValidValue) {
        out.push_str(&format!("；可用的值：{valid}"));
    }
    if let Some(valid) = list(err, ContextKind::ValidSubcommand) {
        out.push_str(&format!("；可用的命令：{valid}"));
    }
    out
}

/// The usage line clap computed for the command at fault, in Chinese.
pub fn usage(err: &clap::Error) -> Option<String> {
    match err.get(ContextKind::Usage)? {
        ContextValue::StyledStr(s) => {
            let plain = s.to_string();
            let line = plain.trim().trim_start_matches("Usage:").trim();
            Some(format!("用法：{}", line.replace("[OPTIONS]", "[选项]")))
        }
        _ => None,
    }
}

/// Why a value failed to parse: gwq's own validators speak Chinese; the standard
/// parsers (numbers, dates) speak English and are translated or summarised.
fn in_chinese(why: &str) -> String {
    if !why.is_ascii() {
        return why.to_string();
    }
    let lower = why.to_ascii_lowercase();
    if lower.contains("float") {
        "应为数字，如 95 或 99.5".to_string()
    } else if lower.contains("digit") || lower.contains("number") {
        "应为整数".to_string()
    } else if lower.contains("input")
        || lower.contains("premature")
        || lower.contains("out of range")
    {
        "应为日期，如 2025-07-01".to_string()
    } else {
        "格式不对".to_string()
    }
}

fn text(err: &clap::Error, kind: ContextKind) -> String {
    match err.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join("、"),
        Some(ContextValue::StyledStr(s)) => s.to_string(),
        Some(ContextValue::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn list(err: &clap::Error, kind: ContextKind) -> Option<String> {
    let t = text(err, kind);
    (!t.is_empty()).then_some(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, FromArgMatches};

    fn error_of(args: &[&str]) -> clap::Error {
        let cmd = crate::cli::Cli::command();
        match cmd.try_get_matches_from(args) {
            Err(e) => e,
            Ok(m) => crate::cli::Cli::from_arg_matches(&m).expect_err("a usage error"),
        }
    }

    #[test]
    fn unknown_command_and_flag_in_chinese() {
        let m = message(&error_of(&["gwq", "scroe"]));
        assert!(m.starts_with("没有命令 “scroe”"), "{m}");
        assert!(m.contains("score"), "suggests score: {m}");
        let m = message(&error_of(&["gwq", "score", "--quater", "2025Q3"]));
        assert!(m.starts_with("不认识的参数 “--quater”"), "{m}");
    }

    #[test]
    fn invalid_value_lists_the_accepted_ones() {
        let m = message(&error_of(&["gwq", "score", "--by", "city"]));
        assert!(m.contains("“city” 无效"), "{m}");
        assert!(
            m.contains("district") && m.contains("unit") && m.contains("line"),
            "{m}"
        );
    }

    #[test]
    fn malformed_period_is_a_usage_error_that_says_the_forms() {
        let e = error_of(&["gwq", "score", "--month", "2025-13"]);
        assert_eq!(e.kind(), ErrorKind::ValueValidation);
        let m = message(&e);
        assert!(m.contains("--month") && m.contains("2025-13"), "{m}");
        assert!(m.contains("2025-08"), "{m}");
    }

    #[test]
    fn values_the_standard_parsers_refuse_are_explained_in_chinese() {
        let m = message(&error_of(&["gwq", "check", "--min-coverage", "abc"]));
        assert!(m.contains("应为数字"), "{m}");
        assert!(!m.contains("invalid"), "{m}");
        let m = message(&error_of(&["gwq", "demo", "x", "--lines", "many"]));
        assert!(m.contains("应为整数"), "{m}");
        let m = message(&error_of(&["gwq", "demo", "x", "--start", "July"]));
        assert!(m.contains("应为日期"), "{m}");
    }

    #[test]
    fn missing_argument_and_usage_line() {
        let e = error_of(&["gwq", "audit-fees"]);
        let m = message(&e);
        assert!(m.starts_with("缺少必需的参数"), "{m}");
        assert!(usage(&e).is_some_and(|u| u.starts_with("用法：")));
    }
}
