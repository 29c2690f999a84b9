//! `problems sync` (SPEC §9): the problems a period's results raise, each added once
//! by its stable 来源键 (`indicator:fiber:OPS-RESP:2025-08`, `check:parse:<file>:<row>`,
//! `field:site_test:<line>:<date>`), with the owner and deadline of gwq.yaml; and an
//! indicator met again for `reverify_periods` periods in a row sets its open problems
//! to 待复核 with a note. Nothing a person entered is rewritten; nothing is deleted.

use super::file::{LedgerCell, LedgerFile};
use super::{LedgerConfig, Origin, Status, COLUMNS};
use chrono::NaiveDate;
use std::collections::BTreeSet;

/// A problem a period's results raise.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub key: String,
    pub origin: Origin,
    pub found_on: NaiveDate,
    pub description: String,
}

/// An indicator met in each of the last periods (oldest first, the synced one last).
#[derive(Debug, Clone, PartialEq)]
pub struct MetAgain {
    pub scheme: String,
    pub indicator: String,
    pub name: String,
    pub periods: Vec<String>,
}

/// What a sync did, by 问题编号.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncOutcome {
    pub added: Vec<String>,
    pub reverify: Vec<String>,
    /// Candidates already in the ledger.
    pub unchanged: usize,
}

/// The key of an indicator's problem in a period.
pub fn indicator_key(scheme: &str, indicator: &str, period: &str) -> String {
    format!("indicator:{scheme}:{indicator}:{period}")
}

/// Adds the candidates not yet in the ledger and marks indicators met again.
pub fn apply(
    ledger: &mut LedgerFile,
    config: &LedgerConfig,
    candidates: &[Candidate],
    met_again: &[MetAgain],
) -> SyncOutcome {
    let mut out = SyncOutcome::default();
    let mut keys: BTreeSet<String> = (0..ledger.rows.len())
        .map(|r| ledger.text(r, "来源键"))
        .filter(|k| !k.is_empty())
        .collect();
    for c in candidates {
        if !keys.insert(c.key.clone()) {
            out.unchanged += 1;
            continue;
        }
        let id = ledger.next_id();
        let deadline = c.found_on + chrono::Duration::days(config.deadline_days(c.origin));
        ledger.push(vec![
            (COLUMNS[0], LedgerCell::Text(id.clone())),
            ("来源", LedgerCell::Text(c.origin.label().into())),
            ("来源键", LedgerCell::Text(c.key.clone())),
            ("发现日期", LedgerCell::Date(c.found_on)),
            ("描述", LedgerCell::Text(c.description.clone())),
            ("责任方", LedgerCell::Text(config.owner(c.origin).into())),
            ("整改期限", LedgerCell::Date(deadline)),
            ("状态", LedgerCell::Text(Status::ToFix.label().into())),
        ]);
        out.added.push(id);
    }
    for m in met_again {
        out.reverify.extend(mark_met_again(ledger, m));
    }
    out
}

/// Sets the open problems of an indicator raised before its met periods to 待复核,
/// with a note appended to 备注.
fn mark_met_again(ledger: &mut LedgerFile, m: &MetAgain) -> Vec<String> {
    let prefix = format!("indicator:{}:{}:", m.scheme, m.indicator);
    let Some(first) = m.periods.first() else {
        return Vec::new();
    };
    let mut marked = Vec::new();
    for r in 0..ledger.rows.len() {
        let key = ledger.text(r, "来源键");
        let Some(raised) = key.strip_prefix(&prefix) else {
            continue;
        };
        let status = Status::of(&ledger.text(r, "状态"));
        // Only problems still being fixed, raised before the periods met since.
        if !matches!(status, Status::ToFix | Status::Fixing) || raised >= first.as_str() {
            continue;
        }
        let note = format!(
            "gwq：{} {} 已连续 {} 期达标（{}），请复核后关闭。",
            m.indicator,
            m.name,
            m.periods.len(),
            m.periods.join("、")
        );
        let before = ledger.text(r, "备注");
        let notes = if before.is_empty() {
            note
        } else {
            format!("{before}；{note}")
        };
        ledger.set(r, "状态", LedgerCell::Text(Status::ToVerify.label().into()));
        ledger.set(r, "备注", LedgerCell::Text(notes));
        marked.push(ledger.text(r, COLUMNS[0]));
    }
    marked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn failed(ind: &str, period: &str) -> Candidate {
        Candidate {
            key: indicator_key("fiber", ind, period),
            origin: Origin::Indicator,
            found_on: date("2025-09-01"),
            description: format!("{ind} 未达标"),
        }
    }

    #[test]
    fn added_once_with_owner_and_deadline_then_reverified() {
        let dir = tempfile::tempdir().unwrap();
        let config = LedgerConfig::at(dir.path().join("problems.xlsx"));
        let mut ledger = LedgerFile::open(&config.path).unwrap();
        let first = apply(
            &mut ledger,
            &config,
            &[failed("A", "2025-08"), failed("B", "2025-08")],
            &[],
        );
        assert_eq!(first.added, ["P0001", "P0002"]);
        // The same candidates again add nothing.
        let again = apply(&mut ledger, &config, &[failed("A", "2025-08")], &[]);
        assert_eq!((again.added.len(), again.unchanged), (0, 1));
        assert_eq!(ledger.text(0, "责任方"), "服务商");
        // Indicator problems are due 20 days after discovery.
        assert_eq!(ledger.get(0, "整改期限").date(), Some(date("2025-09-21")));
        // A person moved B on and wrote a note; A is met in September and October.
        ledger.set(1, "状态", LedgerCell::Text("整改中".into()));
        ledger.set(1, "备注", LedgerCell::Text("已更换光模块".into()));
        let met = |ind: &str| MetAgain {
            scheme: "fiber".into(),
            indicator: ind.into(),
            name: "响应及时率".into(),
            periods: vec!["2025-09".into(), "2025-10".into()],
        };
        let out = apply(&mut ledger, &config, &[], &[met("A"), met("B")]);
        assert_eq!(out.reverify, ["P0001", "P0002"]);
        assert_eq!(ledger.text(1, "状态"), "待复核");
        assert!(ledger.text(1, "备注").starts_with("已更换光模块；gwq：B"));
        // Never closed by gwq; a second pass changes nothing.
        assert!(apply(&mut ledger, &config, &[], &[met("A")])
            .reverify
            .is_empty());
        // A problem raised in a period the met run covers is not reverified.
        let mut fresh = LedgerFile::open(&dir.path().join("other.xlsx")).unwrap();
        apply(&mut fresh, &config, &[failed("A", "2025-10")], &[]);
        assert!(apply(&mut fresh, &config, &[], &[met("A")])
            .reverify
            .is_empty());
    }
}
