//! One command's view of the workspace, loaded once (DESIGN): gwq.yaml, every
//! canonical table from the cache, the inventory and the working-day calendar
//! (`schemes_of` loads the chosen schemes). Commands, reports and trends read
//! everything from a session instead of loading it again per period, chapter or scheme.
//!
//! Ingesting stale sources is the caller's step before `Session::load` (it shows a
//! progress bar); nothing here prints.

use crate::calendar::{Calendar, CalendarError};
use crate::frame::FrameError;
use crate::ingest::{IngestError, LoadedTable};
use crate::inventory::Inventory;
use crate::period::Period;
use crate::scheme::{Scheme, SchemeErrors};
use crate::score::ScoreInput;
use crate::tables::Table;
use crate::workspace::Workspace;
use std::collections::BTreeMap;

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Ingest(#[from] IngestError),
    #[error(transparent)]
    Frame(#[from] FrameError),
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    #[error(transparent)]
    Scheme(#[from] SchemeErrors),
    #[error("gwq.yaml 没有配置 schemes：请加入 schemes: {{ fiber: indicators/fiber.yaml }} 等")]
    NoSchemes,
    #[error("gwq.yaml 的 schemes 中没有 “{wanted}”，可用：{known}")]
    UnknownScheme { wanted: String, known: String },
}

/// The workspace and everything read from it, once per command.
pub struct Session {
    pub ws: Workspace,
    pub tables: BTreeMap<Table, LoadedTable>,
    pub inventory: Inventory,
    pub calendar: Calendar,
    /// The months of samples measured so far (see `score::pieces`).
    pub pieces: crate::score::pieces::PieceCache,
}

impl Session {
    /// Loads every table from the cache (unconfigured ones empty), the inventory and
    /// the calendar (the workspace's file over the built-in one).
    pub fn load(ws: Workspace) -> Result<Session, SessionError> {
        let mut tables = BTreeMap::new();
        for table in Table::ALL {
            tables.insert(table, crate::ingest::load_table(&ws, table)?);
        }
        let inventory = Inventory::from_frame(tables[&Table::Inventory].frame.clone())?;
        let calendar = match &ws.calendar {
            Some(p) => Calendar::with_file(p)?,
            None => Calendar::built_in(),
        };
        Ok(Session {
            ws,
            tables,
            inventory,
            calendar,
            pieces: Default::default(),
        })
    }

    /// What measuring reads for `period`.
    pub fn score_input<'a>(&'a self, period: &'a Period) -> ScoreInput<'a> {
        ScoreInput {
            tables: &self.tables,
            inventory: &self.inventory,
            calendar: &self.calendar,
            period,
            pieces: Some(&self.pieces),
        }
    }
}

/// The schemes of a workspace, validated: every one, or the one named.
pub fn schemes_of(ws: &Workspace, wanted: Option<&str>) -> Result<Vec<Scheme>, SessionError> {
    if ws.schemes.is_empty() {
        return Err(SessionError::NoSchemes);
    }
    let chosen: Vec<(&String, &std::path::PathBuf)> = match wanted {
        None | Some("all") => ws.schemes.iter().collect(),
        Some(id) => match ws.schemes.get_key_value(id) {
            Some(kv) => vec![kv],
            None => {
                return Err(SessionError::UnknownScheme {
                    wanted: id.to_string(),
                    known: ws.schemes.keys().cloned().collect::<Vec<_>>().join("、"),
                })
            }
        },
    };
    let mut schemes = Vec::new();
    for (id, path) in chosen {
        schemes.push(Scheme::load(id, path)?);
    }
    Ok(schemes)
}
