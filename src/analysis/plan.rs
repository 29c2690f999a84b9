//! Work against plan for the 网络建设 and 运维服务 chapters (SPEC §14): inspections
//! and drills against their planned dates, projects and provider reports against
//! their due dates — how many fell due in the period, were done by the date, done
//! late, or are still not done, with the overdue items listed.
//!
//! One rule for every such table: an item belongs to the period by its planned or
//! due date; done on time when done on or before that date (as `completion_rate`).

use crate::frame::{self, lit_date, FrameError, StepContext};
use crate::ingest::LoadedTable;
use crate::period::Period;
use chrono::NaiveDate;
use polars::prelude::*;

/// One item not done at the period's end, past its date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overdue {
    /// The item's id (or its key columns joined by " / ").
    pub id: String,
    pub due: NaiveDate,
    /// Days past the date at the period's end.
    pub days_late: i64,
}

/// Items due in the period and what became of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanSummary {
    pub due: u64,
    pub on_time: u64,
    pub late: u64,
    /// Not done by the period's end (their date has passed: it is in the period).
    pub not_done: u64,
    /// The items not done, longest overdue first.
    pub overdue: Vec<Overdue>,
}

impl PlanSummary {
    /// % of the due items done on time (`None` without items).
    pub fn on_time_pct(&self) -> Option<f64> {
        (self.due > 0).then(|| 100.0 * self.on_time as f64 / self.due as f64)
    }
}

/// Work of `t` due in `period` by `due` against `done`; `id` names an item.
pub fn against_plan(
    t: &LoadedTable,
    due: &str,
    done: &str,
    period: &Period,
) -> Result<PlanSummary, FrameError> {
    let key = t.table.def().key;
    let id = concat_str(
        key.iter()
            .map(|k| col(*k).cast(DataType::String))
            .collect::<Vec<_>>(),
        " / ",
        true,
    );
    let df = t
        .frame
        .clone()
        .filter(
            col(due)
                .gt_eq(lit_date(period.start))
                .and(col(due).lt_eq(lit_date(period.end))),
        )
        .select([
            id.alias("_id"),
            col(due).cast(DataType::Int32).alias("_due"),
            col(done).cast(DataType::Int32).alias("_done"),
        ])
        .sort(["_due", "_id"], SortMultipleOptions::default())
        .collect()
        .step(&format!("统计 {} 计划完成情况", t.table))?;
    let ids = frame::str_values(&df, "_id")?;
    let dues = frame::i64_values(&df, "_due")?;
    let dones = frame::i64_values(&df, "_done")?;
    let end = frame::days(period.end) as i64;
    let mut s = PlanSummary::default();
    for i in 0..df.height() {
        let Some(due_day) = dues[i] else { continue };
        s.due += 1;
        match dones[i] {
            Some(d) if d <= due_day => s.on_time += 1,
            Some(d) if d <= end => s.late += 1,
            // Done after the period's end: at its end it was not done.
            _ => {
                s.not_done += 1;
                s.overdue.push(Overdue {
                    id: ids[i].clone().unwrap_or_default(),
                    due: frame::from_days(due_day as i32),
                    days_late: end - due_day,
                });
            }
        }
    }
    s.overdue
        .sort_by(|a, b| b.days_late.cmp(&a.days_late).then(a.id.cmp(&b.id)));
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::tests::{dates, strs, table};
    use crate::tables::Table;

    #[test]
    fn inspections_of_august_against_their_plan() {
        let t = table(
            Table::Inspections,
            vec![
                strs("room_id", &["R1", "R2", "R3", "R4", "R5"]),
                dates(
                    "planned_on",
                    &[
                        Some("2025-08-05"),
                        Some("2025-08-10"),
                        Some("2025-08-20"),
                        Some("2025-08-25"),
                        Some("2025-09-02"),
                    ],
                ),
                dates(
                    "done_on",
                    &[
                        Some("2025-08-05"),
                        Some("2025-08-12"),
                        None,
                        Some("2025-09-03"),
                        Some("2025-09-01"),
                    ],
                ),
            ],
        );
        // R1 on its day (on time), R2 two days late, R3 never done (11 days past at
        // 08-31), R4 done only in September (6 days past at 08-31); R5 is September's.
        let s = against_plan(&t, "planned_on", "done_on", &"2025-08".parse().unwrap()).unwrap();
        assert_eq!((s.due, s.on_time, s.late, s.not_done), (4, 1, 1, 2));
        assert_eq!(s.on_time_pct(), Some(25.0));
        let late: Vec<(&str, i64)> = s
            .overdue
            .iter()
            .map(|o| (o.id.as_str(), o.days_late))
            .collect();
        assert_eq!(late, [("R3 / 2025-08-20", 11), ("R4 / 2025-08-25", 6)]);
        let none = against_plan(&t, "planned_on", "done_on", &"2025-07".parse().unwrap()).unwrap();
        assert_eq!((none.due, none.on_time_pct()), (0, None));
    }
}
