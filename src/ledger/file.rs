//! The ledger workbook as read and as written (SPEC §9): every cell kept with its type
//! (text, number, date, yes/no), a person's columns where they put them, other sheets'
//! values; gwq only appends rows and sets the cells its commands own. Saving refuses a
//! file that is open in Excel/WPS/LibreOffice or that changed since it was read
//! (size, modification time and sha256 checked before and after the new file is
//! written), keeps the previous file in `backup/`, and renames the new one into place.

use super::COLUMNS;
use calamine::{Data, Reader, Xlsx};
use chrono::{NaiveDate, NaiveDateTime};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The sheet gwq writes when it creates the ledger.
pub const SHEET: &str = "问题清单";

/// One cell as the ledger holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum LedgerCell {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    Date(NaiveDate),
    DateTime(NaiveDateTime),
}

impl LedgerCell {
    /// The cell as text (dates as `2025-09-01`).
    pub fn text(&self) -> String {
        match self {
            LedgerCell::Empty => String::new(),
            LedgerCell::Text(s) => s.trim().to_string(),
            LedgerCell::Number(n) => crate::ingest::values::format_number(*n),
            LedgerCell::Bool(b) => if *b { "是" } else { "否" }.to_string(),
            LedgerCell::Date(d) => d.to_string(),
            LedgerCell::DateTime(t) => t.format("%Y-%m-%d %H:%M").to_string(),
        }
    }

    /// The cell as a date: a date cell, or text a person typed (`2025-09-01`,
    /// `2025/9/1`).
    pub fn date(&self) -> Option<NaiveDate> {
        match self {
            LedgerCell::Date(d) => Some(*d),
            LedgerCell::DateTime(t) => Some(t.date()),
            LedgerCell::Text(s) => ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d"]
                .iter()
                .find_map(|f| NaiveDate::parse_from_str(s.trim(), f).ok()),
            _ => None,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.text().is_empty()
    }
}

/// A ledger that cannot be read or written, named with its path.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("问题清单 {0} 正被其他程序打开（{1}）：请关闭后重试，本次未作任何修改")]
    Locked(PathBuf, String),
    #[error("问题清单 {0} 在读取后被修改过：请重新运行命令，本次未作任何修改")]
    Changed(PathBuf),
    #[error("无法读取问题清单 {0}：{1}")]
    Read(PathBuf, String),
    #[error("问题清单 {0} 的工作表 {1} 没有“问题编号”表头行（应在前 10 行）")]
    NoHeader(PathBuf, String),
    #[error("无法写入问题清单 {0}：{1}")]
    Write(PathBuf, String),
}

/// What the file was when read: compared again before it is replaced.
#[derive(Debug, Clone, PartialEq)]
struct Stamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
    sha256: [u8; 32],
}

impl Stamp {
    fn of(path: &Path) -> std::io::Result<Option<Stamp>> {
        if !path.exists() {
            return Ok(None);
        }
        let meta = std::fs::metadata(path)?;
        let bytes = std::fs::read(path)?;
        Ok(Some(Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            sha256: Sha256::digest(&bytes).into(),
        }))
    }
}

/// The ledger workbook.
#[derive(Debug, Clone)]
pub struct LedgerFile {
    pub path: PathBuf,
    /// The ledger sheet's name.
    pub sheet: String,
    /// Its header, as in the file (a person's columns included), then any of
    /// `COLUMNS` the file lacked.
    pub headers: Vec<String>,
    /// Its rows below the header, each as wide as `headers`.
    pub rows: Vec<Vec<LedgerCell>>,
    /// Other sheets, their values kept.
    others: Vec<(String, Vec<Vec<LedgerCell>>)>,
    /// Rows above the header (a title a person added), kept.
    above: Vec<Vec<LedgerCell>>,
    stamp: Option<Stamp>,
}

impl LedgerFile {
    /// Reads the ledger; a missing file is an empty ledger with the default columns.
    pub fn open(path: &Path) -> Result<LedgerFile, LedgerError> {
        let read_err = |e: &dyn std::fmt::Display| LedgerError::Read(path.into(), e.to_string());
        let stamp = Stamp::of(path).map_err(|e| read_err(&e))?;
        let mut ledger = LedgerFile {
            path: path.to_path_buf(),
            sheet: SHEET.to_string(),
            headers: COLUMNS.iter().map(|c| c.to_string()).collect(),
            rows: Vec::new(),
            others: Vec::new(),
            above: Vec::new(),
            stamp: None,
        };
        if stamp.is_none() {
            return Ok(ledger);
        }
        let mut book: Xlsx<_> = calamine::open_workbook(path).map_err(|e| read_err(&e))?;
        let names = book.sheet_names();
        for (k, name) in names.iter().enumerate() {
            let range = book.worksheet_range(name).map_err(|e| read_err(&e))?;
            let cells: Vec<Vec<LedgerCell>> = range
                .rows()
                .map(|r| r.iter().map(cell_of).collect())
                .collect();
            if k == 0 {
                ledger.sheet = name.clone();
                ledger.take_ledger_sheet(cells)?;
            } else {
                ledger.others.push((name.clone(), cells));
            }
        }
        ledger.stamp = stamp;
        Ok(ledger)
    }

    /// The first sheet: rows above the header, the header, the problems.
    fn take_ledger_sheet(&mut self, mut cells: Vec<Vec<LedgerCell>>) -> Result<(), LedgerError> {
        if cells.iter().all(|r| r.iter().all(LedgerCell::is_empty)) {
            return Ok(());
        }
        let at = cells
            .iter()
            .take(10)
            .position(|r| r.iter().any(|c| c.text() == COLUMNS[0]))
            .ok_or_else(|| LedgerError::NoHeader(self.path.clone(), self.sheet.clone()))?;
        let mut rest = cells.split_off(at);
        self.above = cells;
        let header = rest.remove(0);
        self.headers = header.iter().map(LedgerCell::text).collect();
        for c in COLUMNS {
            if !self.headers.iter().any(|h| h == c) {
                self.headers.push(c.to_string());
            }
        }
        let width = rest
            .iter()
            .map(Vec::len)
            .max()
            .unwrap_or(0)
            .max(self.headers.len());
        self.headers.resize(width, String::new());
        self.rows = rest
            .into_iter()
            .filter(|r| !r.iter().all(LedgerCell::is_empty))
            .map(|mut r| {
                r.resize(width, LedgerCell::Empty);
                r
            })
            .collect();
        Ok(())
    }

    pub fn column(&self, name: &str) -> usize {
        self.headers
            .iter()
            .position(|h| h == name)
            .expect("the ledger has every standard column")
    }

    pub fn get(&self, row: usize, name: &str) -> &LedgerCell {
        &self.rows[row][self.column(name)]
    }

    pub fn text(&self, row: usize, name: &str) -> String {
        self.get(row, name).text()
    }

    pub fn set(&mut self, row: usize, name: &str, cell: LedgerCell) {
        let c = self.column(name);
        self.rows[row][c] = cell;
    }

    /// Appends a row with the given columns (the rest empty).
    pub fn push(&mut self, values: Vec<(&str, LedgerCell)>) {
        let mut row = vec![LedgerCell::Empty; self.headers.len()];
        for (name, cell) in values {
            row[self.column(name)] = cell;
        }
        self.rows.push(row);
    }

    /// The row of a problem by its 问题编号.
    pub fn find(&self, id: &str) -> Option<usize> {
        (0..self.rows.len()).find(|&r| self.text(r, COLUMNS[0]).eq_ignore_ascii_case(id.trim()))
    }

    /// The next free 问题编号: `P` and four digits, one past the largest used.
    pub fn next_id(&self) -> String {
        let used = (0..self.rows.len())
            .filter_map(|r| {
                let id = self.text(r, COLUMNS[0]);
                id.strip_prefix(['P', 'p'])?.parse::<u64>().ok()
            })
            .max()
            .unwrap_or(0);
        format!("P{:04}", used + 1)
    }

    /// Writes the ledger back: refuses a locked or changed file; keeps the previous one
    /// in `backup_dir` as `problems.<timestamp>.xlsx` (returned).
    pub fn save(&self, backup_dir: &Path) -> Result<Option<PathBuf>, LedgerError> {
        let write_err =
            |e: &dyn std::fmt::Display| LedgerError::Write(self.path.clone(), e.to_string());
        let bytes = super::file_render::render(self).map_err(|e| write_err(&e))?;
        if let Some(by) = locked_by(&self.path) {
            return Err(LedgerError::Locked(self.path.clone(), by));
        }
        self.check_unchanged()?;
        let tmp = crate::output::temp_path(&self.path);
        if let Some(parent) = self.path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| write_err(&e))?;
        }
        std::fs::write(&tmp, &bytes).map_err(|e| write_err(&e))?;
        let result = self.check_unchanged().and_then(|_| {
            let backup = self.backup(backup_dir).map_err(|e| write_err(&e))?;
            std::fs::rename(&tmp, &self.path).map_err(|e| write_err(&e))?;
            Ok(backup)
        });
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }

    fn check_unchanged(&self) -> Result<(), LedgerError> {
        let now = Stamp::of(&self.path)
            .map_err(|e| LedgerError::Read(self.path.clone(), e.to_string()))?;
        if now != self.stamp {
            return Err(LedgerError::Changed(self.path.clone()));
        }
        Ok(())
    }

    /// Copies the file as read to `dir/<stem>.<timestamp>.xlsx`.
    fn backup(&self, dir: &Path) -> std::io::Result<Option<PathBuf>> {
        if self.stamp.is_none() {
            return Ok(None);
        }
        std::fs::create_dir_all(dir)?;
        let stem = self
            .path
            .file_stem()
            .map_or("problems".into(), |s| s.to_string_lossy().to_string());
        let time = chrono::Local::now().format("%Y%m%d-%H%M%S");
        let mut target = dir.join(format!("{stem}.{time}.xlsx"));
        let mut n = 1;
        while target.exists() {
            n += 1;
            target = dir.join(format!("{stem}.{time}-{n}.xlsx"));
        }
        std::fs::copy(&self.path, &target)?;
        Ok(Some(target))
    }

    pub(super) fn above(&self) -> &[Vec<LedgerCell>] {
        &self.above
    }

    pub(super) fn others(&self) -> &[(String, Vec<Vec<LedgerCell>>)] {
        &self.others
    }
}

/// Which program holds the file open, if any (`output::held_by`), or (on Windows) a
/// file that cannot be opened for writing.
fn locked_by(path: &Path) -> Option<String> {
    if let Some(by) = crate::output::held_by(path) {
        return Some(by);
    }
    if path.exists() && std::fs::OpenOptions::new().append(true).open(path).is_err() {
        return Some("文件无法以写方式打开".to_string());
    }
    None
}

fn cell_of(d: &Data) -> LedgerCell {
    match d {
        Data::Empty => LedgerCell::Empty,
        Data::String(s) if s.trim().is_empty() => LedgerCell::Empty,
        Data::String(s) => LedgerCell::Text(s.clone()),
        Data::Float(f) => LedgerCell::Number(*f),
        Data::Int(i) => LedgerCell::Number(*i as f64),
        Data::Bool(b) => LedgerCell::Bool(*b),
        Data::DateTime(t) => match t.as_datetime() {
            Some(dt) if dt.time() == chrono::NaiveTime::MIN => LedgerCell::Date(dt.date()),
            Some(dt) => LedgerCell::DateTime(dt),
            None => LedgerCell::Number(t.as_f64()),
        },
        Data::DateTimeIso(s) => NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
            .map(LedgerCell::DateTime)
            .or_else(|_| NaiveDate::parse_from_str(s, "%Y-%m-%d").map(LedgerCell::Date))
            .unwrap_or_else(|_| LedgerCell::Text(s.clone())),
        Data::DurationIso(s) => LedgerCell::Text(s.clone()),
        Data::Error(e) => LedgerCell::Text(format!("{e:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> LedgerCell {
        LedgerCell::Date(NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap())
    }

    /// A ledger as a person keeps it: a title row, a column of their own between
    /// gwq's, a second sheet.
    fn person_made(path: &Path) {
        let mut book = rust_xlsxwriter::Workbook::new();
        let ws = book.add_worksheet();
        ws.set_name("问题清单").unwrap();
        ws.write(0, 0, "2025 年度问题清单").unwrap();
        let header = [
            "问题编号",
            "来源",
            "来源键",
            "督办人",
            "发现日期",
            "描述",
            "责任方",
            "整改期限",
            "整改措施",
            "状态",
            "关闭日期",
            "备注",
        ];
        for (c, h) in header.iter().enumerate() {
            ws.write(1, c as u16, *h).unwrap();
        }
        let row = ["P0007", "人工录入", "", "张三"];
        for (c, v) in row.iter().enumerate() {
            ws.write(2, c as u16, *v).unwrap();
        }
        let fmt = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
        let day = NaiveDate::from_ymd_opt(2025, 8, 3).unwrap();
        ws.write_datetime_with_format(2, 4, day, &fmt).unwrap();
        ws.write(2, 9, "整改中").unwrap();
        ws.write(2, 11, 42.5).unwrap();
        let other = book.add_worksheet();
        other.set_name("统计").unwrap();
        other.write(0, 0, "合计").unwrap();
        book.save(path).unwrap();
    }

    #[test]
    fn a_persons_cells_columns_and_sheets_survive_a_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("problems.xlsx");
        person_made(&path);
        let mut l = LedgerFile::open(&path).unwrap();
        assert_eq!(l.headers[3], "督办人");
        assert_eq!(l.get(0, "发现日期"), &date("2025-08-03"));
        l.push(vec![
            ("问题编号", LedgerCell::Text(l.next_id())),
            ("发现日期", date("2025-09-01")),
        ]);
        assert_eq!(l.text(1, "问题编号"), "P0008");
        let backup = l.save(&dir.path().join("backup")).unwrap().unwrap();
        assert!(backup.exists());
        let again = LedgerFile::open(&path).unwrap();
        assert_eq!(again.headers, l.headers);
        assert_eq!(again.rows, l.rows);
        assert_eq!(again.rows[0][3], LedgerCell::Text("张三".into()));
        assert_eq!(again.get(0, "备注"), &LedgerCell::Number(42.5));
        assert_eq!(again.above, l.above);
        assert_eq!(
            again.above[0][0],
            LedgerCell::Text("2025 年度问题清单".into())
        );
        assert_eq!(again.others[0].0, "统计");
    }

    #[test]
    fn a_changed_or_locked_file_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("problems.xlsx");
        person_made(&path);
        let l = LedgerFile::open(&path).unwrap();
        // Someone saves the ledger after gwq read it.
        person_made(&path);
        std::fs::write(&path, [std::fs::read(&path).unwrap(), vec![0]].concat()).unwrap();
        let theirs = std::fs::read(&path).unwrap();
        assert!(matches!(l.save(dir.path()), Err(LedgerError::Changed(_))));
        assert_eq!(std::fs::read(&path).unwrap(), theirs);
        // Open in Excel: its owner file beside it.
        let l = LedgerFile::open(&path).unwrap();
        std::fs::write(dir.path().join("~$problems.xlsx"), b"x").unwrap();
        let err = l.save(dir.path()).unwrap_err();
        assert!(matches!(err, LedgerError::Locked(..)), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), theirs);
        let leftovers = std::fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .ends_with(".tmp")
            })
            .count();
        assert_eq!(leftovers, 0);
    }
}
