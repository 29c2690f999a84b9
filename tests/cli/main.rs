//! Integration tests: the real `gwq` binary run on files, its outputs read back.
//!
//! One test binary (not one per file): each links polars, and five copies cost
//! CI four extra links and half a gigabyte of disk.

mod common;

mod acceptance;
mod annual;
mod check;
mod errors;
mod fees;
mod hardening;
mod ingest;
mod issued;
mod problems;
mod real_exports;
mod reconcile;
mod replay;
mod report;
mod rows;
mod sample;
mod scheme;
mod score;
mod special;
mod template;
