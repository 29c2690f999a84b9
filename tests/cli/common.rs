//! Shared helpers for the integration tests: the `gwq()` command and fixture writers.
#![allow(dead_code)]

use polars::prelude::*;
use std::path::Path;

/// The real binary, without progress bars and without an inherited workspace.
pub fn gwq() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("gwq").expect("binary builds");
    cmd.env_remove("GWQ_WORKSPACE").arg("--no-progress");
    cmd
}

pub fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// A workspace whose gwq.yaml has `sources` (YAML lines under `sources:`).
pub fn workspace(dir: &Path, sources: &str) {
    write(
        &dir.join("gwq.yaml"),
        format!("name: 测试\nservice_period: 2025-07-01..2025-09-30\nsources:\n{sources}"),
    );
}

/// Every cached row of a table, in source order, without the bookkeeping columns.
pub fn cached(dir: &Path, table: &str) -> DataFrame {
    let mut files: Vec<_> = std::fs::read_dir(dir.join(".gwq").join(table))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "parquet"))
        .collect();
    files.sort();
    let mut out: Option<DataFrame> = None;
    for f in files {
        let df = ParquetReader::new(std::fs::File::open(&f).unwrap())
            .finish()
            .unwrap();
        out = Some(match out {
            None => df,
            Some(mut acc) => {
                acc.vstack_mut(&df).unwrap();
                acc
            }
        });
    }
    out.unwrap().drop("_row").unwrap()
}

/// Runs `gwq --json <args>` in a workspace and parses stdout.
pub fn json(dir: &Path, args: &[&str]) -> serde_json::Value {
    json_with_env(dir, &[], args)
}

/// [`json`] with environment variables set for the run.
pub fn json_with_env(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> serde_json::Value {
    let out = gwq()
        .envs(env.iter().copied())
        .arg("-w")
        .arg(dir)
        .arg("--json")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is only JSON")
}

/// The display column (CJK characters two wide) at which `pat` starts in `line`.
pub fn display_column(line: &str, pat: &str) -> Option<usize> {
    let at = line.find(pat)?;
    Some(
        line[..at]
            .chars()
            .map(|c| if (c as u32) < 0x2E80 { 1 } else { 2 })
            .sum(),
    )
}

/// The 24-line, 92-day demo workspace (hourly samples, seed 5) several tests share;
/// with `defects`, also `demo-truth.json`.
pub fn small_demo(dir: &Path, defects: bool) {
    let mut cmd = gwq();
    cmd.arg("demo").arg(dir);
    cmd.args([
        "--lines",
        "24",
        "--days",
        "92",
        "--seed",
        "5",
        "--interval",
        "60",
    ]);
    if defects {
        cmd.arg("--defects");
    }
    cmd.assert().success();
}
