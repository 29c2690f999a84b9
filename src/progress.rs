//! Progress bars for long work: shown only on a terminal and without `--no-progress`.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// A byte-counting bar for ingest, hidden when progress is off.
pub struct IngestBar {
    bar: ProgressBar,
}

impl IngestBar {
    pub fn new(enabled: bool) -> IngestBar {
        let bar = if enabled && std::io::stderr().is_terminal() {
            let b = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            b.set_style(
                ProgressStyle::with_template(
                    "{msg:30!} [{bar:30}] {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} 剩余 {eta}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            b
        } else {
            ProgressBar::hidden()
        };
        IngestBar { bar }
    }
}

impl crate::ingest::cache::Progress for IngestBar {
    fn start(&self, files: usize, bytes: u64) {
        self.bar.set_length(bytes);
        self.bar.set_position(0);
        self.bar.set_message(format!("导入 {files} 个文件"));
    }

    fn advance(&self, n: u64) {
        self.bar.inc(n);
    }

    fn file_done(&self, display: &str) {
        self.bar.set_message(format!("已导入 {display}"));
    }
}

impl Drop for IngestBar {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

/// A bar for work in steps (`check`, `score`): the step, its number and the time so
/// far, ticking while polars works. Shown only on a terminal and with progress on.
pub struct StepBar {
    bar: ProgressBar,
}

impl StepBar {
    pub fn new(enabled: bool, steps: u64) -> StepBar {
        let bar = if enabled && std::io::stderr().is_terminal() {
            let b = ProgressBar::with_draw_target(Some(steps), ProgressDrawTarget::stderr());
            b.set_style(
                ProgressStyle::with_template("{spinner} [{elapsed}] {pos}/{len} {wide_msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            b.enable_steady_tick(std::time::Duration::from_millis(120));
            b
        } else {
            ProgressBar::hidden()
        };
        StepBar { bar }
    }

    /// Starts the next step, described in Chinese.
    pub fn step(&self, what: &str) {
        self.bar.inc(1);
        self.bar.set_message(what.to_string());
    }

    /// Clears the bar before the command prints its result.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Drop for StepBar {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

/// Runs `f`, and with the environment variable `GWQ_TIMING` set prints its wall time
/// (when 0.05 s or more) and the process's peak RSS so far to stderr: the profile
/// `make bench` reads.
pub fn timed<T>(step: &str, f: impl FnOnce() -> T) -> T {
    if std::env::var_os("GWQ_TIMING").is_none() {
        return f();
    }
    let start = std::time::Instant::now();
    let out = f();
    if start.elapsed().as_secs_f64() < 0.05 {
        return out;
    }
    eprintln!(
        "[timing] {step}: {:.2} s, peak RSS {} MiB",
        start.elapsed().as_secs_f64(),
        peak_rss_mib().map_or("?".to_string(), |m| m.to_string())
    );
    out
}

/// The process's peak resident set (VmHWM) in MiB, where /proc has it.
fn peak_rss_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}
