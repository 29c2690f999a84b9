//! Rendering results for people. One neutral model (`model`) of sheets, tables and
//! cells is built once from a result and rendered by `xlsx`; report content never
//! reaches back into polars queries.

pub mod chart;
pub mod check;
pub mod document;
pub mod docx;
pub mod fees;
pub mod model;
pub mod score;
pub mod xlsx;
