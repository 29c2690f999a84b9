//! Analyses over measured periods for the reports (SPEC §14): trends (each month of
//! a window measured once and scored) and the change of an indicator against the
//! previous comparable period, the 优化建议 rules R1–R6, and the figures of the
//! chapters (faults, security findings, work against plan, the lifecycle chain, the
//! inputs and their cut-off).
//!
//! Takes sessions, schemes and results; no files, no printing.

pub mod cards;
pub mod change;
pub mod faults;
pub mod field;
pub mod incidents;
pub mod lifecycle;
pub mod plan;
pub mod security;
pub mod sources;
pub mod suggest;
pub mod trend;
