//! The rows an indicator measures (SPEC §7): its source table, de-duplicated
//! samples, the scheme's access type (own column, else through inventory by line),
//! the inventory's columns for line-keyed tables, the period and `where`.

use crate::frame::{FrameError, StepContext};
use crate::ingest::LoadedTable;
use crate::period::Period;
use crate::tables::{ColType, Table};
use polars::prelude::*;
use polars::sql::SQLContext;

/// Inventory columns added to line-keyed tables, as `inventory` has them.
const INVENTORY_COLUMNS: [&str; 8] = [
    "unit",
    "district",
    "access_type",
    "bandwidth_mbps",
    "room_id",
    "opened_on",
    "closed_on",
    "tariff",
];

/// The table's rows filtered to the access type, with inventory columns joined for
/// line-keyed tables (the table's own columns win), but not yet to the period.
pub fn scoped(
    t: &LoadedTable,
    access_type: Option<&str>,
    inventory: &LazyFrame,
) -> Result<LazyFrame, FrameError> {
    let def = t.table.def();
    let mut lf = t.frame.clone();
    if t.table == Table::Samples && crate::audit::samples_need_global_dedup(t) {
        lf = lf
            .sort(["_src", "_row"], SortMultipleOptions::default())
            .unique_stable_generic(
                Some(vec![col("line_id"), col("time")]),
                UniqueKeepStrategy::First,
            );
    }
    let own_access = def.column("access_type").is_some();
    if t.table.is_line_keyed() {
        // When the access type must come from the inventory, only its lines of that
        // type are joined: other and unknown lines drop out of the inner join.
        let (how, inventory) = match access_type {
            Some(a) if !own_access => (
                JoinType::Inner,
                inventory
                    .clone()
                    .filter(col("_inv_access_type").eq(lit(a.to_string()))),
            ),
            _ => (JoinType::Left, inventory.clone()),
        };
        lf = lf.join(
            inventory,
            [col("line_id")],
            [col("line_id")],
            // File order kept: sums over the rows then come out the same every run.
            JoinArgs {
                maintain_order: MaintainOrderJoin::Left,
                ..JoinArgs::new(how)
            },
        );
        let mut added = Vec::new();
        for name in INVENTORY_COLUMNS {
            let inv = col(format!("_inv_{name}"));
            if def.column(name).is_some() {
                if name == "access_type" {
                    added.push(col(name).fill_null(inv).alias(name));
                }
            } else {
                added.push(inv.alias(name));
            }
        }
        lf = lf.with_columns(added);
    }
    // Without its own access type column, a line-keyed table was filtered by the inner
    // join above, and any other table applies to every scheme.
    if let (Some(a), true) = (access_type, own_access) {
        let wanted = col("access_type").eq(lit(a.to_string()));
        lf = if t.table.is_line_keyed() {
            lf.filter(wanted)
        } else {
            // An optional access type left empty applies to every scheme.
            lf.filter(col("access_type").is_null().or(wanted))
        };
    }
    Ok(lf)
}

/// Rows whose `column` falls in the period.
pub fn in_period(lf: LazyFrame, table: Table, column: &str, period: &Period) -> LazyFrame {
    lf.filter(crate::frame::period_filter(table, column, period))
}

/// Applies a polars-SQL `where` to the rows.
pub fn filtered(lf: LazyFrame, filter: Option<&str>) -> Result<LazyFrame, FrameError> {
    match filter {
        None => Ok(lf),
        Some(w) => sql(lf, &format!("SELECT * FROM t WHERE {w}")),
    }
}

/// Runs a polars-SQL query over `lf` registered as `t`.
pub fn sql(lf: LazyFrame, query: &str) -> Result<LazyFrame, FrameError> {
    let mut ctx = SQLContext::new();
    ctx.register("t", lf);
    ctx.execute(query).step(&format!("执行 SQL “{query}”"))
}

/// A date or datetime column as milliseconds since the epoch (dates at midnight).
pub fn millis(table: Table, column: &str) -> Expr {
    match table.def().column(column).map(|c| c.ty) {
        Some(ColType::Date) => col(column).cast(DataType::Int64) * lit(86_400_000i64),
        _ => col(column).cast(DataType::Int64),
    }
}
