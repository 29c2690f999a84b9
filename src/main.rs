//! The `gwq` binary: parse the command line, run, print an error once, pick the exit
//! code (SPEC §2): 0 success, 1 error, 2 usage (clap), 3 findings at `--fail-on`.

use std::process::ExitCode;

fn main() -> ExitCode {
    // Whatever happens, a user sees one line in Chinese, never a backtrace.
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("错误：gwq 内部错误（{place}），请将所用命令和输入文件反馈给开发者");
    }));
    let cli = gwq::cli::Cli::parse_chinese();
    match std::panic::catch_unwind(|| gwq::commands::run(cli)) {
        Ok(Ok(outcome)) => ExitCode::from(outcome.exit_code()),
        Ok(Err(err)) => {
            eprintln!("错误：{err:#}");
            ExitCode::from(1)
        }
        Err(_) => ExitCode::from(1),
    }
}
