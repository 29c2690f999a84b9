//! The documents the purchaser receives, one builder per kind (SPEC §14): each turns
//! results into a neutral `report::neutral::Report` and nothing else — no files, no
//! polars. `text` holds the wording they share.

pub mod annual;
pub mod annual5g;
pub mod correction;
mod evaluation;
mod fieldwork;
pub mod general;
pub mod inputs;
pub mod monthly;
pub mod quarterly;
pub mod reconcile;
mod review;
pub mod scheme_doc;
mod service;
pub mod special;
pub mod special_fees;
pub mod supervision;
mod text;
