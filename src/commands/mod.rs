//! One file per subcommand (`Args` in `cli`, `run` here); this module dispatches and
//! holds what every command shares: the run context, workspace opening, ingest of
//! stale sources, the period and the output folder.

mod acceptance;
mod audit_fees;
mod check;
mod demo;
mod ingest;
mod init;
mod problems;
pub mod reconcile;
mod replay;
mod report;
mod sample;
mod scheme;
mod score;
mod template;

use crate::cli::{Cli, Command, PeriodArgs};
use crate::ingest::IngestSummary;
use crate::period::Period;
use crate::session::Session;
use crate::workspace::Workspace;
use anyhow::{Context as _, Result};
use std::path::PathBuf;

/// How a successful run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// Findings at or above `--fail-on` (exit 3).
    FindingsAtThreshold,
}

impl Outcome {
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Done => 0,
            Outcome::FindingsAtThreshold => 3,
        }
    }
}

/// The global options, resolved once.
pub struct Context {
    pub workspace_dir: PathBuf,
    pub quiet: bool,
    pub verbose: bool,
    pub progress: bool,
    pub json: bool,
    pub output: Option<PathBuf>,
    /// Colour passed/failed on a terminal: never with NO_COLOR, `--json` or a pipe;
    /// on Windows only in Windows Terminal (old consoles print the codes).
    pub color: bool,
}

/// What a coloured word says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Good,
    Bad,
    Warn,
}

impl Context {
    /// `text` in the tone's colour when colours are on.
    pub fn paint(&self, text: &str, tone: Tone) -> String {
        if !self.color {
            return text.to_string();
        }
        let code = match tone {
            Tone::Good => 32,
            Tone::Bad => 31,
            Tone::Warn => 33,
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    }

    fn new(cli: &Cli) -> Context {
        let workspace_dir = cli
            .workspace
            .clone()
            .or_else(|| std::env::var_os("GWQ_WORKSPACE").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from("."));
        Context {
            workspace_dir,
            quiet: cli.quiet,
            verbose: cli.verbose,
            progress: !cli.no_progress && !cli.quiet,
            json: cli.json,
            output: cli.output.clone(),
            color: use_color(cli.json),
        }
    }

    /// Human output: stdout normally, stderr with `--json`, nothing with `-q`.
    pub fn say(&self, text: &str) {
        if self.quiet {
            return;
        }
        if self.json {
            eprintln!("{text}");
        } else {
            println!("{text}");
        }
    }

    /// Warnings go to stderr unless `-q`.
    pub fn warn(&self, text: &str) {
        if !self.quiet {
            eprintln!("警告：{text}");
        }
    }

    /// Prints the machine-readable result on stdout.
    pub fn print_json(&self, value: &impl serde::Serialize) -> Result<()> {
        let text = serde_json::to_string_pretty(value).context("生成 JSON 失败")?;
        println!("{text}");
        Ok(())
    }

    pub fn open_workspace(&self) -> Result<Workspace> {
        let ws = Workspace::load(&self.workspace_dir)?;
        crate::output::protect(ws.input_files().iter().map(PathBuf::as_path));
        for source in ws.sources.values() {
            for pattern in &source.empty_globs {
                self.warn(&format!(
                    "gwq.yaml sources.{}：“{pattern}” 没有匹配任何文件，该表按空表处理",
                    source.table
                ));
            }
        }
        Ok(ws)
    }

    /// Ingests whatever is stale, with a progress bar on a terminal.
    pub fn ingest(&self, ws: &Workspace) -> Result<IngestSummary> {
        let bar = crate::progress::IngestBar::new(self.progress);
        let summary = crate::ingest::ingest_workspace(ws, &bar)?;
        Ok(summary)
    }

    /// Ingests what is stale (with its progress bar), then loads the session.
    pub fn session(&self, ws: Workspace) -> Result<Session> {
        crate::progress::timed("ingest", || self.ingest(&ws))?;
        Ok(Session::load(ws)?)
    }

    /// The period asked for, else the workspace's service period.
    pub fn period(&self, args: &PeriodArgs, ws: &Workspace) -> Result<Period> {
        match args.resolve()? {
            Some(p) => Ok(p),
            None => ws.service_period.clone().context(
                "未指定期间：请用 --month、--quarter、--year 或 --period 指定，或在 gwq.yaml 中设置 service_period",
            ),
        }
    }

    /// `-o DIR`, else `<workspace>/reports/<period>/`.
    pub fn output_dir(&self, ws: &Workspace, period: &Period) -> PathBuf {
        self.output
            .clone()
            .unwrap_or_else(|| ws.reports_dir(period))
    }
}

fn use_color(json: bool) -> bool {
    use std::io::IsTerminal;
    let terminal = std::io::stdout().is_terminal();
    let windows_ok = !cfg!(windows) || std::env::var_os("WT_SESSION").is_some();
    !json && terminal && windows_ok && std::env::var_os("NO_COLOR").is_none()
}

/// What a score carries of the period's data audit: coverage and the true counts.
pub(crate) fn data_quality(check: &crate::audit::CheckReport) -> crate::score::DataQuality {
    use crate::findings::Severity;
    crate::score::DataQuality {
        coverage_pct: check.coverage_pct(),
        findings: crate::score::FindingCounts {
            error: check.count(Severity::Error),
            warning: check.count(Severity::Warning),
        },
        assumptions: Vec::new(),
    }
}

/// Pads `s` to `width` display columns for terminal tables: CJK characters are two
/// columns wide, so `format!("{:<10}")` would leave Chinese labels out of line.
pub(crate) fn pad(s: &str, width: usize, right: bool) -> String {
    let fill = " ".repeat(width.saturating_sub(crate::report::xlsx::text_width(s)));
    if right {
        format!("{fill}{s}")
    } else {
        format!("{s}{fill}")
    }
}

/// Runs the command the user typed.
pub fn run(cli: Cli) -> Result<Outcome> {
    let ctx = Context::new(&cli);
    match cli.command {
        Command::Init(args) => init::run(&ctx, args),
        Command::Demo(args) => demo::run(&ctx, args),
        Command::Ingest(args) => ingest::run(&ctx, args),
        Command::Check(args) => check::run(&ctx, args),
        Command::Score(args) => score::run(&ctx, args),
        Command::AuditFees(args) => audit_fees::run(&ctx, args),
        Command::Report(args) => report::run(&ctx, args),
        Command::Problems(args) => problems::run(&ctx, args),
        Command::Sample(args) => sample::run(&ctx, args),
        Command::Template(args) => template::run(&ctx, args),
        Command::Acceptance(args) => acceptance::run(&ctx, args),
        Command::Scheme(args) => scheme::run(&ctx, args),
        Command::Reconcile(args) => reconcile::run(&ctx, args),
        Command::Replay(args) => replay::run(&ctx, args),
        Command::Completions(args) => {
            use clap::CommandFactory;
            let mut command = Cli::command();
            clap_complete::generate(args.shell, &mut command, "gwq", &mut std::io::stdout());
            Ok(Outcome::Done)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_only_when_on() {
        let mut ctx = Context {
            workspace_dir: PathBuf::from("."),
            quiet: false,
            verbose: false,
            progress: false,
            json: false,
            output: None,
            color: false,
        };
        assert_eq!(ctx.paint("是", Tone::Good), "是");
        ctx.color = true;
        assert_eq!(ctx.paint("否", Tone::Bad), "\x1b[31m否\x1b[0m");
        assert_eq!(ctx.paint("无数据", Tone::Warn), "\x1b[33m无数据\x1b[0m");
    }
}
