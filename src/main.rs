//! The `gwq` binary: parse the command line, run, print an error once, pick the exit
//! code (SPEC §2): 0 success, 1 error, 2 usage (in Chinese), 3 findings at `--fail-on`.

use std::process::ExitCode;

fn main() -> ExitCode {
    // Whatever happens, a user sees one line in Chinese, never a backtrace.
    std::panic::set_hook(Box::new(|info| {
        if gwq::ingest::read::in_calamine() {
            return; // a damaged workbook: reported as the file's error
        }
        let place = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("错误：gwq 内部错误（{place}），请将所用命令和输入文件反馈给开发者");
    }));
    let cli = match gwq::cli::Cli::try_parse_chinese() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    match std::panic::catch_unwind(|| gwq::commands::run(cli)) {
        Ok(Ok(outcome)) => ExitCode::from(outcome.exit_code()),
        Ok(Err(err)) => {
            eprintln!("错误：{err:#}");
            ExitCode::from(1)
        }
        Err(_) => ExitCode::from(1),
    }
}

/// Help and version go out as clap writes them; a usage error is said in Chinese with
/// the usage line, exit code 2.
fn usage_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        e.exit();
    }
    eprintln!("错误：{}", gwq::cli::usage::message(&e));
    if let Some(usage) = gwq::cli::usage::usage(&e) {
        eprintln!("\n{usage}");
    }
    eprintln!("\n更多信息请运行 gwq --help（或 gwq <命令> --help）");
    ExitCode::from(2)
}
