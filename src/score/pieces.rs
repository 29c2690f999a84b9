//! The months a session has measured, kept so that a report measuring a year, its
//! quarters and its months reads each month's samples once: per month, access type,
//! grouping and indicator definition, what `samples::Pieces` holds for it.
//!
//! A month measured with groups also answers a measure without groups (its overall
//! key). Per-line groupings are not kept: they are measured once anyway, and a year of
//! per-line percentile values would be large.

use super::samples::Pieces;
use super::{GroupBy, ScoreError};
use crate::period::Period;
use crate::scheme::Indicator;
use std::collections::HashMap;
use std::sync::Mutex;

/// (month label, access type, grouping, indicator definition).
type Key = (String, Option<String>, Option<&'static str>, String);

/// One indicator's piece: partials by key, or availability's counts by line.
#[derive(Debug, Clone)]
enum Entry {
    Rows(std::collections::BTreeMap<String, super::partial::Acc>),
    Lines(std::collections::BTreeMap<String, (u64, u64)>),
}

#[derive(Debug, Default)]
pub struct PieceCache {
    entries: Mutex<HashMap<Key, Entry>>,
}

/// What makes two indicators measure alike: id, measure, `where` and time column.
fn definition(ind: &Indicator) -> String {
    format!(
        "{}\u{1}{:?}\u{1}{:?}\u{1}{}",
        ind.id, ind.measure, ind.filter, ind.time_column
    )
}

impl PieceCache {
    /// The piece of `inds` for `month`: kept entries, the rest measured by `measure`
    /// (given the indicators still missing) and kept.
    pub fn get_or_measure(
        &self,
        inds: &[&Indicator],
        access: Option<&str>,
        by: Option<GroupBy>,
        month: &Period,
        measure: impl FnOnce(&[&Indicator]) -> Result<Pieces, ScoreError>,
    ) -> Result<Pieces, ScoreError> {
        let key = |ind: &Indicator, by: Option<GroupBy>| -> Key {
            (
                month.label().to_string(),
                access.map(str::to_string),
                by.map(GroupBy::name),
                definition(ind),
            )
        };
        let mut out = Pieces::default();
        let mut missing = Vec::new();
        {
            let entries = self
                .entries
                .lock()
                .expect("no panic while holding the lock");
            for ind in inds {
                match self.find(&entries, ind, by, &key) {
                    Some(Entry::Rows(r)) => {
                        out.rows.insert(ind.id.clone(), r);
                    }
                    Some(Entry::Lines(l)) => {
                        out.lines.insert(ind.id.clone(), l);
                    }
                    None => missing.push(*ind),
                }
            }
        }
        if missing.is_empty() {
            return Ok(out);
        }
        let measured = measure(&missing)?;
        if by != Some(GroupBy::Line) {
            let mut entries = self
                .entries
                .lock()
                .expect("no panic while holding the lock");
            for ind in &missing {
                let entry = match (measured.rows.get(&ind.id), measured.lines.get(&ind.id)) {
                    (Some(r), _) => Entry::Rows(r.clone()),
                    (None, Some(l)) => Entry::Lines(l.clone()),
                    (None, None) => continue,
                };
                entries.insert(key(ind, by), entry);
            }
        }
        out.rows.extend(measured.rows);
        out.lines.extend(measured.lines);
        Ok(out)
    }

    /// A kept entry for `ind`: of the same grouping, or without groups the overall
    /// key of any grouping.
    fn find(
        &self,
        entries: &HashMap<Key, Entry>,
        ind: &Indicator,
        by: Option<GroupBy>,
        key: &dyn Fn(&Indicator, Option<GroupBy>) -> Key,
    ) -> Option<Entry> {
        if let Some(e) = entries.get(&key(ind, by)) {
            return Some(e.clone());
        }
        if by.is_some() {
            return None;
        }
        [GroupBy::District, GroupBy::Unit]
            .into_iter()
            .find_map(|g| entries.get(&key(ind, Some(g))))
            .map(|e| match e {
                Entry::Rows(r) => Entry::Rows(
                    r.iter()
                        .filter(|(k, _)| k.is_empty())
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                ),
                Entry::Lines(l) => Entry::Lines(l.clone()),
            })
    }
}
