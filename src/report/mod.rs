//! Rendering results for people. Reports are built once as the neutral model
//! (`neutral`: sections, paragraphs, tables of typed cells, charts) and laid out for
//! Word (`document` → `docx`) and Excel (`model` → `xlsx`); the data-audit and score
//! workbooks and the fee report still fill the two layouts directly. Report content
//! never reaches back into polars queries.

pub mod chart;
pub mod check;
pub mod document;
pub mod docx;
pub mod fees;
pub mod model;
pub mod neutral;
pub mod score;
pub mod xlsx;
