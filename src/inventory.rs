//! The line inventory (线路台账) as plain Rust values, with the active-time rule of
//! SPEC §7: a line is active from `opened_on` through `closed_on`, both inclusive.

use crate::frame::{self, FrameError, StepContext};
use crate::period::Period;
use chrono::{NaiveDate, NaiveDateTime};
use polars::prelude::*;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub line_id: String,
    pub unit: Option<String>,
    pub district: Option<String>,
    pub access_type: Option<String>,
    pub bandwidth_mbps: Option<f64>,
    pub room_id: Option<String>,
    pub opened_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub tariff: Option<String>,
}

impl Line {
    /// The part of the period in which the line is active, as [start, end) times.
    pub fn active_span(&self, period: &Period) -> Option<(NaiveDateTime, NaiveDateTime)> {
        let mut start = period.start_time();
        let mut end = period.end_time();
        if let Some(o) = self.opened_on {
            start = start.max(o.and_hms_opt(0, 0, 0).expect("midnight"));
        }
        if let Some(c) = self.closed_on {
            let after = (c + chrono::Duration::days(1))
                .and_hms_opt(0, 0, 0)
                .expect("midnight");
            end = end.min(after);
        }
        (start < end).then_some((start, end))
    }
}

/// All lines by id (the first row of a repeated id wins; the audit reports the rest).
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    pub lines: BTreeMap<String, Line>,
}

impl Inventory {
    pub fn from_frame(lf: LazyFrame) -> Result<Inventory, FrameError> {
        let df = lf
            .sort(["_src", "_row"], SortMultipleOptions::default())
            .collect()
            .step("读取线路台账")?;
        let ids = frame::str_values(&df, "line_id")?;
        let units = frame::str_values(&df, "unit")?;
        let districts = frame::str_values(&df, "district")?;
        let access = frame::str_values(&df, "access_type")?;
        let bw = frame::f64_values(&df, "bandwidth_mbps")?;
        let rooms = frame::str_values(&df, "room_id")?;
        let opened = frame::i64_values(&df, "opened_on")?;
        let closed = frame::i64_values(&df, "closed_on")?;
        let tariffs = frame::str_values(&df, "tariff")?;
        let mut lines = BTreeMap::new();
        for i in 0..df.height() {
            let Some(id) = ids[i].clone() else { continue };
            lines.entry(id.clone()).or_insert(Line {
                line_id: id,
                unit: units[i].clone(),
                district: districts[i].clone(),
                access_type: access[i].clone(),
                bandwidth_mbps: bw[i],
                room_id: rooms[i].clone(),
                opened_on: opened[i].map(|d| frame::from_days(d as i32)),
                closed_on: closed[i].map(|d| frame::from_days(d as i32)),
                tariff: tariffs[i].clone(),
            });
        }
        Ok(Inventory { lines })
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    pub fn get(&self, line_id: &str) -> Option<&Line> {
        self.lines.get(line_id)
    }

    /// The inventory as a frame keyed by `line_id`, column names prefixed `_inv_`.
    pub fn to_frame(&self) -> Result<LazyFrame, FrameError> {
        let lines: Vec<_> = self.lines.values().collect();
        let text = |f: &dyn Fn(&Line) -> Option<String>| -> Vec<Option<String>> {
            lines.iter().map(|l| f(l)).collect()
        };
        let date = |f: &dyn Fn(&Line) -> Option<chrono::NaiveDate>| -> Column {
            let days: Vec<Option<i32>> =
                lines.iter().map(|l| f(l).map(crate::frame::days)).collect();
            Int32Chunked::from_iter_options("".into(), days.into_iter())
                .into_date()
                .into_column()
        };
        let df = DataFrame::new_infer_height(vec![
            Column::new("line_id".into(), text(&|l| Some(l.line_id.clone()))),
            Column::new("_inv_unit".into(), text(&|l| l.unit.clone())),
            Column::new("_inv_district".into(), text(&|l| l.district.clone())),
            Column::new("_inv_access_type".into(), text(&|l| l.access_type.clone())),
            Column::new(
                "_inv_bandwidth_mbps".into(),
                lines.iter().map(|l| l.bandwidth_mbps).collect::<Vec<_>>(),
            ),
            Column::new("_inv_room_id".into(), text(&|l| l.room_id.clone())),
            date(&|l| l.opened_on).with_name("_inv_opened_on".into()),
            date(&|l| l.closed_on).with_name("_inv_closed_on".into()),
            Column::new("_inv_tariff".into(), text(&|l| l.tariff.clone())),
            Column::new("_inv_known".into(), vec![true; lines.len()]),
        ])
        .step("组装线路台账")?;
        Ok(df.lazy())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(opened: Option<&str>, closed: Option<&str>) -> Line {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        Line {
            line_id: "L".into(),
            unit: None,
            district: None,
            access_type: Some("fiber".into()),
            bandwidth_mbps: None,
            room_id: None,
            opened_on: opened.map(d),
            closed_on: closed.map(d),
            tariff: None,
        }
    }

    #[test]
    fn active_dates_are_inclusive() {
        let p: Period = "2025-08".parse().unwrap();
        let t = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        let (s, e) = line(Some("2025-08-10"), Some("2025-08-20"))
            .active_span(&p)
            .unwrap();
        assert_eq!((s, e), (t("2025-08-10 00:00"), t("2025-08-21 00:00")));
        assert_eq!(line(None, Some("2025-07-31")).active_span(&p), None);
        let (s, e) = line(Some("2020-01-01"), None).active_span(&p).unwrap();
        assert_eq!((s, e), (t("2025-08-01 00:00"), t("2025-09-01 00:00")));
    }
}
