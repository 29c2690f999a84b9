//! gwq: the working tool of a third-party supervisor of a municipal e-government
//! extranet (政务外网) and its 5G access service.
//!
//! Layers, and the way they depend (SPEC, STYLE.md):
//! - `cli` (as typed) → `commands` (one file per subcommand; the only place that
//!   touches the terminal, the environment and output paths);
//! - `workspace` (gwq.yaml) and `ingest` (raw exports → canonical Parquet cache; the
//!   only place raw headers exist);
//! - domain modules that take frames and validated models and return typed results:
//!   `audit` (数据稽核), `scheme` (indicator YAML → model, scoring rules) and `score`
//!   (measures over the tables, totals and grades);
//! - `report` renders results to xlsx and docx; `output` writes files atomically;
//! - `session` loads a command's workspace, tables, inventory and calendar once.
//!
//! Shared vocabulary: `tables` (canonical tables), `period`, `findings`, `inventory`,
//! `calendar` (working days), `intervals`, `frame` (polars helpers).

pub mod acceptance;
pub mod analysis;
pub mod audit;
pub mod calendar;
pub mod cli;
pub mod commands;
pub mod demo;
pub mod fees;
pub mod findings;
pub mod frame;
pub mod fuzzing;
pub mod ingest;
pub mod intervals;
pub mod inventory;
pub mod issued;
pub mod ledger;
pub mod outages;
pub mod output;
pub mod period;
pub mod progress;
pub mod reconcile;
pub mod replay;
pub mod report;
pub mod reports;
pub mod rng;
#[cfg(test)]
mod robustness;
pub mod sampling;
pub mod scheme;
pub mod score;
pub mod session;
pub mod tables;
pub mod template;
pub mod workspace;
