//! What gwq promises beyond the figures (SPEC §13): the same bytes on every run, no
//! input ever written over, and no network needed.

use crate::common::*;
use std::path::Path;

fn run(dir: &Path, out: &Path, args: &[&str]) {
    gwq()
        .arg("-w")
        .arg(dir)
        .arg("-o")
        .arg(out)
        .args(args)
        .assert()
        .success();
}

/// JSON, workbooks and documents are byte-identical when run again.
#[test]
fn reruns_give_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    small_demo(dir.path(), false);
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for out in [&a, &b] {
        run(
            dir.path(),
            out,
            &["score", "--quarter", "2025Q3", "--by", "district"],
        );
        run(
            dir.path(),
            out,
            &["report", "monthly", "--month", "2025-08"],
        );
    }
    for name in [
        "score-2025Q3.json",
        "score-2025Q3.xlsx",
        "monthly-2025-08.json",
        "monthly-2025-08.xlsx",
        "monthly-2025-08.docx",
    ] {
        let (x, y) = (
            std::fs::read(a.join(name)).unwrap(),
            std::fs::read(b.join(name)).unwrap(),
        );
        assert!(x == y, "{name} differs between two runs");
    }
}

/// The outputs name the exports by their paths inside the workspace: no JSON, sheet
/// or document part carries the absolute path of the analyst's folders.
#[test]
fn outputs_carry_no_absolute_paths() {
    let dir = tempfile::tempdir().unwrap();
    small_demo(dir.path(), true);
    let out = dir.path().join("out");
    run(dir.path(), &out, &["check", "--quarter", "2025Q3"]);
    run(dir.path(), &out, &["score", "--quarter", "2025Q3"]);
    run(
        dir.path(),
        &out,
        &["report", "monthly", "--month", "2025-08"],
    );
    let absolute: Vec<String> = [dir.path().to_path_buf(), dir.path().canonicalize().unwrap()]
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let mut seen = 0;
    for entry in std::fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        let parts: Vec<(String, Vec<u8>)> = match path.extension().and_then(|e| e.to_str()) {
            Some("xlsx" | "docx") => {
                let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
                (0..zip.len())
                    .map(|i| {
                        let mut part = zip.by_index(i).unwrap();
                        let mut bytes = Vec::new();
                        std::io::Read::read_to_end(&mut part, &mut bytes).unwrap();
                        (part.name().unwrap().to_string(), bytes)
                    })
                    .collect()
            }
            _ => vec![(String::new(), std::fs::read(&path).unwrap())],
        };
        for (part, bytes) in parts {
            let text = String::from_utf8_lossy(&bytes);
            for a in &absolute {
                assert!(
                    !text.contains(a.as_str()),
                    "{} {part} holds {a}",
                    path.display()
                );
            }
        }
        seen += 1;
    }
    assert!(seen >= 6, "the check, score and report files: {seen}");
}

/// `-o` pointing at the exports: an output whose name is an input's is refused with
/// one message, exit 1, and the input is left as it was.
#[test]
fn an_output_never_replaces_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        &d.join("inv.csv"),
        "线路编号,接入方式,开通日期\nL1,光纤,2020-01-01\n",
    );
    // The phone checks arrive in a workbook named like check's output for July.
    let input = d.join("check-2025-07.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_row(0, 0, ["拨打时间", "是否接通"]).unwrap();
    sheet.write_row(1, 0, ["2025-07-08 09:00", "是"]).unwrap();
    book.save(&input).unwrap();
    let before = std::fs::read(&input).unwrap();
    workspace(
        d,
        "  inventory: inv.csv\n  phone_checks: check-2025-07.xlsx\n",
    );
    let out = gwq()
        .arg("-w")
        .arg(d)
        .arg("-o")
        .arg(d)
        .args(["check", "--month", "2025-07"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("check-2025-07.xlsx") && err.contains("不会被覆盖"),
        "{err}"
    );
    assert_eq!(std::fs::read(&input).unwrap(), before);
}

/// The demo's main job runs in a network namespace with no interface but loopback
/// (where `unshare -n` is allowed; skipped elsewhere).
#[test]
fn the_main_job_needs_no_network() {
    let allowed = std::process::Command::new("unshare")
        .args(["-n", "true"])
        .status()
        .is_ok_and(|s| s.success());
    if !allowed {
        eprintln!("unshare -n is not available here: skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    small_demo(dir.path(), false);
    let bin = assert_cmd::cargo::cargo_bin("gwq");
    for args in [
        vec!["check", "--quarter", "2025Q3"],
        vec!["score", "--quarter", "2025Q3"],
        vec!["report", "monthly", "--month", "2025-08"],
    ] {
        let status = std::process::Command::new("unshare")
            .arg("-n")
            .arg(&bin)
            .arg("--no-progress")
            .arg("-q")
            .arg("-w")
            .arg(dir.path())
            .args(&args)
            .env_remove("GWQ_WORKSPACE")
            .status()
            .unwrap();
        assert!(status.success(), "{args:?} without network");
    }
}

/// Copies a workspace folder (files only, recursively).
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// gwq killed at several moments of a report and of a ledger sync: every file it
/// writes is afterwards either the previous one or the whole new one, never a part.
#[test]
fn a_kill_mid_write_leaves_the_previous_files_whole() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    small_demo(&ws, false);
    let run = |ws: &Path, args: &[&str]| {
        gwq()
            .arg("-w")
            .arg(ws)
            .arg("-q")
            .args(args)
            .assert()
            .success();
    };
    // The report shows the ledger: made, like every rerun below, on July's.
    run(&ws, &["problems", "sync", "--month", "2025-07"]);
    let report = ["report", "monthly", "--month", "2025-08"];
    run(&ws, &report);
    let out = ws.join("reports/2025-08");
    let names = [
        "monthly-2025-08.docx",
        "monthly-2025-08.xlsx",
        "monthly-2025-08.json",
    ];
    let reference: Vec<Vec<u8>> = names
        .iter()
        .map(|n| std::fs::read(out.join(n)).unwrap())
        .collect();
    // The ledger before (July) and after (August) an uninterrupted sync, in a copy.
    let ledger = ws.join("ledger/problems.xlsx");
    let before = std::fs::read(&ledger).unwrap();
    let copy = dir.path().join("copy");
    copy_dir(&ws, &copy);
    run(&copy, &["problems", "sync", "--month", "2025-08"]);
    let after = std::fs::read(copy.join("ledger/problems.xlsx")).unwrap();
    assert_ne!(before, after);
    let bin = assert_cmd::cargo::cargo_bin("gwq");
    for delay_ms in [30, 80, 150, 300, 600, 1200] {
        for args in [&report[..], &["problems", "sync", "--month", "2025-08"][..]] {
            let mut child = std::process::Command::new(&bin)
                .arg("--no-progress")
                .arg("-q")
                .arg("-w")
                .arg(&ws)
                .args(args)
                .env_remove("GWQ_WORKSPACE")
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(std::time::Duration::from_millis(delay_ms));
            let _ = child.kill();
            child.wait().unwrap();
            for (name, want) in names.iter().zip(&reference) {
                let got = std::fs::read(out.join(name)).unwrap();
                assert!(&got == want, "{name} after a kill at {delay_ms} ms");
            }
            let now = std::fs::read(&ledger).unwrap();
            assert!(
                now == before || now == after,
                "ledger after a kill at {delay_ms} ms"
            );
            // Undo a completed sync so the next kill meets July's ledger again.
            std::fs::write(&ledger, &before).unwrap();
        }
    }
}

/// A full disk: in a private mount namespace, `-o` on a 128 KiB tmpfs filled up.
/// gwq stops with one clear error (exit 1), the old output is unchanged and no
/// temporary file is left (skipped where `unshare -rm` or tmpfs mounts are refused).
#[test]
fn a_full_disk_gives_a_clear_error_and_keeps_the_old_file() {
    let allowed = std::process::Command::new("unshare")
        .args(["-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"])
        .status()
        .is_ok_and(|s| s.success());
    if !allowed {
        eprintln!("no tmpfs in a private mount namespace here: skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    small_demo(dir.path(), false);
    let out = dir.path().join("full");
    std::fs::create_dir_all(&out).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("gwq");
    let script = r#"
        mount -t tmpfs -o size=128k tmpfs "$OUT" || exit 9
        printf old > "$OUT/score-2025Q3.json"
        dd if=/dev/zero of="$OUT/fill" bs=1k count=1000 2>/dev/null
        "$GWQ" --no-progress -q -w "$WS" -o "$OUT" score --quarter 2025Q3
        code=$?
        printf '\n[old] '; cat "$OUT/score-2025Q3.json"
        printf '\n[files] '; ls -A "$OUT" | tr '\n' ' '
        exit $code
    "#;
    let o = std::process::Command::new("unshare")
        .args(["-rm", "sh", "-c", script])
        .env("OUT", &out)
        .env("WS", dir.path())
        .env("GWQ", &bin)
        .env_remove("GWQ_WORKSPACE")
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr),
    );
    assert_eq!(o.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("无法写入") && stderr.contains("磁盘空间不足"),
        "{stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "one message: {stderr}");
    assert!(stdout.contains("[old] old"), "{stdout}");
    let files = stdout.split("[files]").nth(1).unwrap_or_default();
    assert!(!files.contains(".tmp"), "temporary files left: {files}");
}
