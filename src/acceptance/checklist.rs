//! The acceptance checklist (SPEC §10): what the year's materials must contain, as
//! YAML. Without `--checklist`, SPEC §1's deliverables and the provider's monthly
//! reports.
//!
//! ```yaml
//! period: 2025-07-01..2026-06-30     # optional: else gwq.yaml's service_period
//! items:
//!   - { name: 服务质量监管月报, pattern: "monthly-{month}.docx", per: month }
//!   - { name: 年度报告, pattern: "annual-[0-9]*.docx", count: 1 }
//! ```
//! `pattern` is a file-name glob; `{month}` (2025-08) and `{quarter}` (2025Q3) make
//! an item periodic: one file for each month or quarter of the period.

use crate::period::Period;
use serde::Deserialize;

/// SPEC §1's deliverables and the provider's materials.
pub const DEFAULT: &str = r#"items:
  - { name: 服务质量评估方案, pattern: "scheme-*.docx", count: 2 }
  - { name: 服务质量监管方案, pattern: "supervision-*.docx", count: 2 }
  - { name: 服务质量监管月报, pattern: "monthly-{month}.docx", per: month }
  - { name: 监管与评估季度报告, pattern: "quarterly-{quarter}.docx", per: quarter }
  - { name: 监管与评估年度报告, pattern: "annual-[0-9]*.docx", count: 1 }
  - { name: 5G接入服务质量年度评估报告, pattern: "annual-5g-*.docx", count: 1 }
  - { name: 网络通信服务费用预算稽核报告, pattern: "fee-audit-*.docx", count: 1 }
  - { name: 服务商月度运维报告, pattern: "*运维报告*", count: 12 }
"#;

/// How often an item is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Per {
    Month,
    Quarter,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub name: String,
    pub pattern: String,
    /// Files wanted in all (default 1); ignored for a periodic item.
    #[serde(default)]
    pub count: Option<u32>,
    #[serde(default)]
    pub per: Option<Per>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    period: Option<String>,
    items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Checklist {
    pub period: Option<Period>,
    pub items: Vec<Item>,
}

/// Reads a checklist; an error names the file and what is wrong.
pub fn parse(file: &str, text: &str) -> Result<Checklist, String> {
    let raw: Raw = serde_yaml_ng::from_str(text).map_err(|e| {
        let at = e
            .location()
            .map_or(String::new(), |l| format!(":{}", l.line()));
        format!("{file}{at}：{e}")
    })?;
    let period = raw
        .period
        .map(|p| {
            p.parse::<Period>()
                .map_err(|e| format!("{file}：period：{e}"))
        })
        .transpose()?;
    for item in &raw.items {
        let periodic = item.pattern.contains("{month}") || item.pattern.contains("{quarter}");
        if periodic != item.per.is_some() {
            return Err(format!(
                "{file}：{}：pattern 含 {{month}} 或 {{quarter}} 时须写 per: month 或 quarter，反之亦然",
                item.name
            ));
        }
        let probe = item
            .pattern
            .replace("{month}", "2025-08")
            .replace("{quarter}", "2025Q3");
        glob::Pattern::new(&probe).map_err(|e| {
            format!(
                "{file}：{}：通配符 “{}” 有误：{}",
                item.name, item.pattern, e.msg
            )
        })?;
    }
    Ok(Checklist {
        period,
        items: raw.items,
    })
}
