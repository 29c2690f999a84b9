//! Analyses over measured periods for the reports (SPEC §14): trends (each month of
//! a window measured once and scored) and the change of an indicator against the
//! previous comparable period.
//!
//! Takes sessions, schemes and results; no files, no printing.

pub mod change;
pub mod trend;
