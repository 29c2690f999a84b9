//! Writers for demo exports as the provider's systems produce them: CSV in UTF-8,
//! UTF-8 with BOM or GBK, and .xlsx with a title row above the header.

use anyhow::{Context, Result};
use rust_xlsxwriter::{Format, Workbook};
use std::io::Write;
use std::path::Path;

/// A cell of a demo workbook.
#[derive(Debug, Clone, PartialEq)]
pub enum Out {
    Empty,
    Text(String),
    Num(f64),
    /// A date-time written as an Excel date cell.
    Time(chrono::NaiveDateTime),
    /// A date written as an Excel date cell.
    Date(chrono::NaiveDate),
}

impl From<&str> for Out {
    fn from(s: &str) -> Out {
        Out::Text(s.to_string())
    }
}

impl From<String> for Out {
    fn from(s: String) -> Out {
        Out::Text(s)
    }
}

impl From<f64> for Out {
    fn from(n: f64) -> Out {
        Out::Num(n)
    }
}

impl From<Option<chrono::NaiveDateTime>> for Out {
    fn from(t: Option<chrono::NaiveDateTime>) -> Out {
        t.map_or(Out::Empty, Out::Time)
    }
}

impl From<Option<chrono::NaiveDate>> for Out {
    fn from(d: Option<chrono::NaiveDate>) -> Out {
        d.map_or(Out::Empty, Out::Date)
    }
}

/// Writes an .xlsx with an optional merged title row; returns the 1-based row number
/// of the first data row.
pub fn xlsx(path: &Path, title: Option<&str>, headers: &[&str], rows: &[Vec<Out>]) -> Result<u64> {
    let mut book = Workbook::new();
    book.set_properties(&crate::report::xlsx::fixed_properties());
    let ws = book.add_worksheet();
    ws.set_name("Sheet1")?;
    let bold = Format::new().set_bold();
    let time_fmt = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let date_fmt = Format::new().set_num_format("yyyy-mm-dd");
    let mut r: u32 = 0;
    if let Some(t) = title {
        ws.merge_range(0, 0, 0, headers.len().saturating_sub(1) as u16, t, &bold)?;
        r = 1;
    }
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(r, c as u16, *h, &bold)?;
        ws.set_column_width(c as u16, 18)?;
    }
    let first_data = r as u64 + 2;
    for row in rows {
        r += 1;
        for (c, v) in row.iter().enumerate() {
            let c = c as u16;
            match v {
                Out::Empty => {}
                Out::Text(s) => {
                    ws.write_string(r, c, s)?;
                }
                Out::Num(n) => {
                    ws.write_number(r, c, *n)?;
                }
                Out::Time(t) => {
                    ws.write_datetime_with_format(r, c, *t, &time_fmt)?;
                }
                Out::Date(d) => {
                    ws.write_datetime_with_format(r, c, *d, &date_fmt)?;
                }
            }
        }
    }
    let bytes = book.save_to_buffer()?;
    crate::output::write_atomic(path, &bytes)
        .with_context(|| format!("无法写入 {}", path.display()))?;
    Ok(first_data)
}

/// The text encodings a demo CSV can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    Gbk,
}

/// A CSV being written line by line; tracks the 1-based line number.
pub struct CsvOut {
    out: std::io::BufWriter<std::fs::File>,
    encoding: Encoding,
    /// Windows line endings (CRLF), as Excel and most monitoring systems write.
    crlf: bool,
    pub line: u64,
    tmp: std::path::PathBuf,
    path: std::path::PathBuf,
}

impl CsvOut {
    pub fn create(
        path: &Path,
        encoding: Encoding,
        title: Option<&str>,
        header: &str,
        crlf: bool,
    ) -> Result<CsvOut> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let tmp = crate::output::temp_path(path);
        let file =
            std::fs::File::create(&tmp).with_context(|| format!("无法写入 {}", path.display()))?;
        let mut csv = CsvOut {
            out: std::io::BufWriter::with_capacity(1 << 20, file),
            encoding,
            crlf,
            line: 0,
            tmp,
            path: path.to_path_buf(),
        };
        if encoding == Encoding::Utf8Bom {
            csv.out.write_all(&[0xEF, 0xBB, 0xBF])?;
        }
        if let Some(t) = title {
            csv.write_line(t)?;
        }
        csv.write_line(header)?;
        Ok(csv)
    }

    /// Writes one line (without its newline); returns its 1-based line number.
    pub fn write_line(&mut self, text: &str) -> Result<u64> {
        match self.encoding {
            Encoding::Gbk if !text.is_ascii() => {
                let (bytes, _, _) = encoding_rs::GBK.encode(text);
                self.out.write_all(&bytes)?;
            }
            _ => self.out.write_all(text.as_bytes())?,
        }
        self.out
            .write_all(if self.crlf { b"\r\n" } else { b"\n" })?;
        self.line += 1;
        Ok(self.line)
    }

    pub fn finish(mut self) -> Result<()> {
        self.out.flush()?;
        drop(self.out);
        std::fs::rename(&self.tmp, &self.path)?;
        Ok(())
    }
}

/// Appends `v` with `decimals` digits after the point, without allocation.
pub fn push_fixed(buf: &mut String, v: f64, decimals: u32) {
    use std::fmt::Write as _;
    let scale = 10u64.pow(decimals);
    let neg = v < 0.0;
    let scaled = (v.abs() * scale as f64).round() as u64;
    if neg && scaled != 0 {
        buf.push('-');
    }
    let _ = write!(buf, "{}", scaled / scale);
    if decimals > 0 {
        let _ = write!(
            buf,
            ".{:0width$}",
            scaled % scale,
            width = decimals as usize
        );
    }
}
