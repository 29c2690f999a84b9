//! Writing outputs safely: every file gwq writes goes to a temporary file beside its
//! destination and is renamed into place, so a reader never sees half a file; a
//! destination open in Excel, Word, WPS or LibreOffice is refused with a message that
//! says so, and the old file is left as it was. Nor is a file gwq reads as input ever
//! written over (an `-o` pointing at the exports): `protect` lists them.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// The input files of this run, canonical: never an output.
fn protected() -> &'static Mutex<HashSet<PathBuf>> {
    static INPUTS: OnceLock<Mutex<HashSet<PathBuf>>> = OnceLock::new();
    INPUTS.get_or_init(Default::default)
}

/// Marks `paths` as inputs: writing any of them is refused.
pub fn protect<'a>(paths: impl IntoIterator<Item = &'a Path>) {
    let mut set = protected().lock().unwrap_or_else(|e| e.into_inner());
    for p in paths {
        if let Ok(c) = p.canonicalize() {
            set.insert(c);
        }
    }
}

/// Whether `path` is one of the protected inputs.
fn is_input(path: &Path) -> bool {
    let Ok(c) = path.canonicalize() else {
        return false;
    };
    protected()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .contains(&c)
}

/// Writes `bytes` to `path` atomically (temp file in the same folder, then rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, |f| f.write_all(bytes))
}

/// Creates `path` atomically by letting `fill` write into a temporary file.
pub fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    if let Some(by) = held_by(path) {
        return Err(held(&by));
    }
    if is_input(path) {
        return Err(std::io::Error::other(
            "这是 gwq 读取的输入文件，不会被覆盖：请用 -o 指定另一个输出目录",
        ));
    }
    let tmp = temp_path(path);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        fill(&mut f)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path).map_err(|e| match sharing_violation(&e) {
            true => held("文件被占用"),
            false => e,
        })
    })();
    match result {
        Ok(()) => remove_leftovers(path),
        Err(_) => {
            let _ = std::fs::remove_file(&tmp);
        }
    }
    result.map_err(|e| match disk_full(&e) {
        true => std::io::Error::other(
            "磁盘空间不足，未能写完；原文件未改动，请清理磁盘或用 -o 换一个目录后重试",
        ),
        false => e,
    })
}

/// No space left: ENOSPC (28) on Unix, ERROR_HANDLE_DISK_FULL (39) and
/// ERROR_DISK_FULL (112) on Windows.
fn disk_full(e: &std::io::Error) -> bool {
    match e.raw_os_error() {
        Some(28) => cfg!(unix),
        Some(39 | 112) => cfg!(windows),
        _ => false,
    }
}

/// The error for a destination another program holds.
fn held(by: &str) -> std::io::Error {
    std::io::Error::other(format!(
        "该文件正被其他程序打开（{by}）：请在 Excel、Word 或 WPS 中关闭它后重试，原文件未改动"
    ))
}

/// Windows refuses to replace a file another program has open: a sharing or lock
/// violation (errors 32, 33), or access denied (5) while Excel holds it.
fn sharing_violation(e: &std::io::Error) -> bool {
    cfg!(windows) && matches!(e.raw_os_error(), Some(5 | 32 | 33))
}

/// Which program holds `path` open, if any: the owner files Excel, Word and WPS
/// (`~$name`, or `~$` and the name without its first two characters) and LibreOffice
/// (`.~lock.name#`) keep beside an open document.
pub fn held_by(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_string_lossy().to_string();
    let dir = path.parent().unwrap_or(Path::new("."));
    let short: String = name.chars().skip(2).collect();
    [
        (format!("~${name}"), "Excel/Word/WPS"),
        (format!("~${short}"), "Excel/Word/WPS"),
        (format!(".~lock.{name}#"), "LibreOffice"),
    ]
    .into_iter()
    .find(|(owner, _)| dir.join(owner).exists())
    .map(|(owner, program)| format!("{program}，锁文件 {owner}"))
}

/// Deletes the temporary files a gwq that was killed while writing `path` left
/// beside it: those of a process no longer running (where the system tells) or a day
/// old. Best effort: a file that cannot be read or removed is left.
fn remove_leftovers(path: &Path) {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return;
    };
    let prefix = format!(".{}.", name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    }) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().to_string();
        let pid = file
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix(".tmp"))
            .and_then(|pid| pid.parse::<u32>().ok());
        let Some(pid) = pid else { continue };
        let day_old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t.elapsed().is_ok_and(|age| age.as_secs() > 86_400));
        if pid != std::process::id() && (!running(pid) || day_old) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Whether process `pid` runs (Linux tells by /proc; elsewhere it is assumed to).
fn running(pid: u32) -> bool {
    let proc = Path::new("/proc");
    !proc.join("self").exists() || proc.join(pid.to_string()).exists()
}

/// A temporary name beside `path`, hidden and unique to this process.
pub fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_file_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/out.json");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path().join("sub")).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn temporary_files_of_a_killed_run_are_cleared() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.json");
        // Process ids on Linux stay below 2^22: this one never runs.
        let left = dir.path().join(".out.json.999999999.tmp");
        let other = dir.path().join(".other.json.999999999.tmp");
        std::fs::write(&left, b"part").unwrap();
        std::fs::write(&other, b"part").unwrap();
        write_atomic(&p, b"whole").unwrap();
        assert_eq!(
            !left.exists(),
            cfg!(target_os = "linux"),
            "cleared where /proc tells"
        );
        assert!(
            other.exists(),
            "another output's temporary file is not touched"
        );
    }

    #[test]
    fn a_file_open_in_office_is_refused_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("monthly-2025-08.docx");
        write_atomic(&p, b"old").unwrap();
        // Word's owner file for a long name drops the first two characters.
        std::fs::write(dir.path().join("~$nthly-2025-08.docx"), b"owner").unwrap();
        let err = write_atomic(&p, b"new").unwrap_err().to_string();
        assert!(
            err.contains("正被其他程序打开") && err.contains("~$nthly-2025-08.docx"),
            "{err}"
        );
        assert_eq!(std::fs::read(&p).unwrap(), b"old");
        std::fs::remove_file(dir.path().join("~$nthly-2025-08.docx")).unwrap();
        std::fs::write(dir.path().join(".~lock.monthly-2025-08.docx#"), b"x").unwrap();
        assert!(held_by(&p).unwrap().contains("LibreOffice"));
    }
}
