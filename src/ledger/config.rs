//! gwq.yaml `problems:` (SPEC §3, §9): the ledger's path, and who owns a new problem
//! and how long they have, by where it came from. Either a path
//! (`problems: ledger/problems.xlsx`) or a mapping:
//!
//! ```yaml
//! problems:
//!   path: ledger/problems.xlsx
//!   deadlines: { indicator: 20d, check: 10d, fees: 30d, field: 15d }
//!   owner: { default: 服务商, fees: 财务 }
//!   reverify_periods: 2
//! ```

use super::Origin;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The ledger's settings, with SPEC §9's defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerConfig {
    /// Absolute path of the ledger workbook.
    pub path: PathBuf,
    /// Days from discovery to the deadline, by origin.
    pub deadline_days: BTreeMap<Origin, i64>,
    /// The owner (责任方) by origin; `default` for the rest.
    pub owners: BTreeMap<Origin, String>,
    pub default_owner: String,
    /// Periods in a row an indicator must be met again before its problem is 待复核.
    pub reverify_periods: u32,
}

impl LedgerConfig {
    pub fn owner(&self, origin: Origin) -> &str {
        self.owners.get(&origin).unwrap_or(&self.default_owner)
    }

    pub fn deadline_days(&self, origin: Origin) -> i64 {
        self.deadline_days.get(&origin).copied().unwrap_or(20)
    }

    /// The defaults at `path`.
    pub fn at(path: PathBuf) -> LedgerConfig {
        LedgerConfig {
            path,
            deadline_days: [
                (Origin::Indicator, 20),
                (Origin::Check, 10),
                (Origin::Fees, 30),
                (Origin::Field, 15),
            ]
            .into_iter()
            .collect(),
            owners: BTreeMap::new(),
            default_owner: "服务商".to_string(),
            reverify_periods: 2,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    deadlines: BTreeMap<String, serde_yaml_ng::Value>,
    #[serde(default)]
    owner: BTreeMap<String, String>,
    #[serde(default)]
    reverify_periods: Option<u32>,
}

/// Reads the `problems:` value; `root` joins the relative path. An error names the
/// key under `problems` and what is wrong.
pub fn parse(
    root: &std::path::Path,
    value: Option<&serde_yaml_ng::Value>,
) -> Result<LedgerConfig, (String, String)> {
    let default_path = root.join("ledger/problems.xlsx");
    let raw = match value {
        None => return Ok(LedgerConfig::at(default_path)),
        Some(serde_yaml_ng::Value::String(p)) => return Ok(LedgerConfig::at(root.join(p))),
        Some(v) => serde_yaml_ng::from_value::<RawConfig>(v.clone())
            .map_err(|e| ("problems".to_string(), e.to_string()))?,
    };
    let mut config = LedgerConfig::at(raw.path.map_or(default_path, |p| root.join(p)));
    for (key, value) in &raw.deadlines {
        let text = match value {
            serde_yaml_ng::Value::String(s) => s.clone(),
            serde_yaml_ng::Value::Number(n) => n.to_string(),
            other => format!("{other:?}"),
        };
        let origin = Origin::from_key(key).ok_or_else(|| {
            (
                format!("problems.deadlines.{key}"),
                "应为 indicator、check、fees、field 或 manual".to_string(),
            )
        })?;
        let days = days_of(&text).ok_or_else(|| {
            (
                format!("problems.deadlines.{key}"),
                format!("“{text}” 不是天数（如 20d）"),
            )
        })?;
        config.deadline_days.insert(origin, days);
    }
    for (key, owner) in raw.owner {
        match key.as_str() {
            "default" => config.default_owner = owner,
            k => {
                let origin = Origin::from_key(k).ok_or_else(|| {
                    (
                        format!("problems.owner.{k}"),
                        "应为 default、indicator、check、fees、field 或 manual".to_string(),
                    )
                })?;
                config.owners.insert(origin, owner);
            }
        }
    }
    if let Some(n) = raw.reverify_periods {
        if n == 0 {
            return Err(("problems.reverify_periods".into(), "至少为 1".into()));
        }
        config.reverify_periods = n;
    }
    Ok(config)
}

/// `20d`, `20` or `20天` as days.
fn days_of(text: &str) -> Option<i64> {
    let t = text.trim();
    let t = t
        .strip_suffix('d')
        .or_else(|| t.strip_suffix('天'))
        .unwrap_or(t);
    t.trim().parse().ok().filter(|d: &i64| *d >= 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_a_mapping_and_the_defaults() {
        let root = std::path::Path::new("/ws");
        let d = parse(root, None).unwrap();
        assert_eq!(d.path, root.join("ledger/problems.xlsx"));
        assert_eq!(d.deadline_days(Origin::Check), 10);
        assert_eq!(d.owner(Origin::Fees), "服务商");
        let v: serde_yaml_ng::Value = serde_yaml_ng::from_str("台账/问题.xlsx").unwrap();
        assert_eq!(
            parse(root, Some(&v)).unwrap().path,
            root.join("台账/问题.xlsx")
        );
        let v: serde_yaml_ng::Value = serde_yaml_ng::from_str(
            "{ deadlines: { check: 5d, fees: 45 }, owner: { default: 电信, fees: 财务处 }, reverify_periods: 3 }",
        )
        .unwrap();
        let c = parse(root, Some(&v)).unwrap();
        assert_eq!(c.deadline_days(Origin::Check), 5);
        assert_eq!(c.deadline_days(Origin::Fees), 45);
        assert_eq!(c.deadline_days(Origin::Indicator), 20);
        assert_eq!(c.owner(Origin::Fees), "财务处");
        assert_eq!(c.owner(Origin::Field), "电信");
        assert_eq!(c.reverify_periods, 3);
        let bad: serde_yaml_ng::Value =
            serde_yaml_ng::from_str("{ deadlines: { check: soon } }").unwrap();
        assert_eq!(
            parse(root, Some(&bad)).unwrap_err().0,
            "problems.deadlines.check"
        );
    }
}
