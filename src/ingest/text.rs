//! The CSV/TSV reader: reads a delimited text file on every core at once.
//!
//! One thread reads the file, hashes it (sha256, for the manifest) and cuts it into
//! blocks of about [`BLOCK_BYTES`] that end at a record boundary, noting how many
//! lines came before each block. Worker threads decode a block (GBK/GB18030 to
//! UTF-8), split it into records and parse its rows into a chunk; the calling thread
//! hands the chunks on in file order. Row numbers are exact (SPEC §4 "Row
//! numbers"): a row's number is the lines before its block plus its line in the block.
//! At most a few blocks are in flight, so memory stays bounded whatever the file size.

use super::read::{OnChunk, OnHeader, ParseRows, HEAD_ROWS};
use super::rows::reuse;
use super::values::Cell;
use super::IngestError;
use crate::workspace::SourceFile;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Read;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};

/// The size a block is cut at (a block grows past it only to reach a record end).
const BLOCK_BYTES: usize = 8 << 20;

/// The block size: [`BLOCK_BYTES`], or `GWQ_BLOCK_BYTES` from the environment, which
/// the tests set to a few bytes to cut real files at every place.
fn block_bytes() -> usize {
    std::env::var("GWQ_BLOCK_BYTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n: &usize| n > 0)
        .unwrap_or(BLOCK_BYTES)
}

/// One block of the file: whole records, in UTF-8 unless `gb18030`.
struct Block {
    index: usize,
    bytes: Vec<u8>,
    /// Lines (line breaks) before the block.
    lines_before: u64,
    /// Records to skip at the start: the header and the rows above it.
    skip: usize,
}

/// How the blocks of the file are read and cut.
struct Blocks<R> {
    source: R,
    delimiter: u8,
    /// The text is GB18030 (GBK) and each block is decoded by its worker.
    gb18030: bool,
    block_bytes: usize,
    /// Bytes read past the last block's end.
    carry: Vec<u8>,
    at_start: bool,
    at_end: bool,
    index: usize,
    lines: u64,
}

impl<R: Read> Blocks<R> {
    /// The next block, or None at the end of the file.
    fn next_block(&mut self) -> std::io::Result<Option<Block>> {
        let mut buf = std::mem::take(&mut self.carry);
        let mut want = self.block_bytes;
        loop {
            self.fill(&mut buf, want)?;
            if self.at_start {
                self.at_start = false;
                if buf.starts_with(&[0xEF, 0xBB, 0xBF]) {
                    buf.drain(..3);
                }
            }
            let cut = if self.at_end {
                Some(buf.len())
            } else {
                record_boundary(&buf, self.delimiter)
            };
            match cut {
                Some(0) if self.at_end => return Ok(None),
                Some(cut) if cut > 0 => {
                    self.carry = buf.split_off(cut);
                    let block = Block {
                        index: self.index,
                        lines_before: self.lines,
                        bytes: buf,
                        skip: 0,
                    };
                    self.index += 1;
                    self.lines += count_line_breaks(&block.bytes);
                    return Ok(Some(block));
                }
                // No record ends in the block yet: read on.
                _ => want = buf.len() + self.block_bytes,
            }
        }
    }

    /// Reads until `buf` holds `want` bytes or the file ends.
    fn fill(&mut self, buf: &mut Vec<u8>, want: usize) -> std::io::Result<()> {
        if buf.len() < want && !self.at_end {
            let missing = want - buf.len();
            buf.reserve(missing);
            (&mut self.source).take(missing as u64).read_to_end(buf)?;
            self.at_end = buf.len() < want;
        }
        Ok(())
    }
}

/// The end of the last whole record in `buf` (which starts at a record's start), or
/// None when no record ends in it. A cut is never inside quotes and never between the
/// CR and LF of one line break.
fn record_boundary(buf: &[u8], delimiter: u8) -> Option<usize> {
    if memchr::memchr(b'"', buf).is_none() {
        // No quotes: every line break ends a record.
        if let Some(lf) = memchr::memrchr(b'\n', buf) {
            return Some(lf + 1);
        }
        // A file with CR line breaks only: a CR that is not the last byte read.
        let cr = memchr::memrchr(b'\r', buf)?;
        return (cr + 1 < buf.len()).then_some(cr + 1);
    }
    quoted_record_boundary(buf, delimiter)
}

/// [`record_boundary`] where quotes may hold line breaks: the CSV parser itself finds
/// where records end.
fn quoted_record_boundary(buf: &[u8], delimiter: u8) -> Option<usize> {
    let mut parser = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
    // A field is never longer than its input, so `out` never fills.
    let mut out = vec![0u8; buf.len()];
    let mut ends = vec![0usize; 64];
    let (mut at, mut out_at, mut ends_at) = (0usize, 0usize, 0usize);
    let (mut last, mut before) = (0usize, 0usize);
    loop {
        let (result, read, written, fields) =
            parser.read_record(&buf[at..], &mut out[out_at..], &mut ends[ends_at..]);
        (at, out_at, ends_at) = (at + read, out_at + written, ends_at + fields);
        match result {
            csv_core::ReadRecordResult::Record => {
                (before, last) = (last, at);
                (out_at, ends_at) = (0, 0);
            }
            csv_core::ReadRecordResult::OutputEndsFull => ends.resize(ends.len() * 2, 0),
            csv_core::ReadRecordResult::OutputFull => out.resize(out.len() * 2 + 1, 0),
            csv_core::ReadRecordResult::InputEmpty | csv_core::ReadRecordResult::End => break,
        }
    }
    // The parser ends a record at a CR without reading on: step over a following LF,
    // and do not cut after a final CR whose LF may be in the bytes not yet read.
    let settle = |end: usize| match end {
        0 => None,
        e if buf[e - 1] != b'\r' => Some(e),
        e if e == buf.len() => None,
        e if buf[e] == b'\n' => Some(e + 1),
        e => Some(e),
    };
    settle(last).or_else(|| settle(before))
}

/// Line breaks in a block of text: LF, CRLF or a lone CR each count one.
fn count_line_breaks(text: &[u8]) -> u64 {
    let lf = memchr::memchr_iter(b'\n', text).count();
    let lone_cr = memchr::memchr_iter(b'\r', text)
        .filter(|&i| text.get(i + 1) != Some(&b'\n'))
        .count();
    (lf + lone_cr) as u64
}

/// The file's bytes, hashed and counted as they are read.
struct Hashing<'a, R> {
    inner: R,
    sha: Sha256,
    count: u64,
    report: &'a (dyn Fn(u64) + Sync),
}

impl<R: Read> Read for Hashing<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.sha.update(&buf[..n]);
        self.count += n as u64;
        (self.report)(self.count);
        Ok(n)
    }
}

/// What the head of a text file says about reading it.
struct Layout {
    encoding: &'static encoding_rs::Encoding,
    delimiter: u8,
    block_bytes: usize,
}

/// Reads the first 64 KiB: refuses a binary file, detects the encoding and, unless
/// given, the delimiter.
fn layout(file: &SourceFile, delimiter: Option<u8>) -> Result<Layout, IngestError> {
    let mut head = Vec::with_capacity(65_536);
    std::fs::File::open(&file.path)
        .map_err(|e| IngestError::io(file, e))?
        .take(65_536)
        .read_to_end(&mut head)
        .map_err(|e| IngestError::io(file, e))?;
    let utf16 = head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]);
    if head.contains(&0) && !utf16 {
        return Err(IngestError::file(
            file,
            "不是文本文件（含二进制内容）：请导出为 CSV、XLSX 或 Parquet".to_string(),
        ));
    }
    let encoding = detect_encoding(&head);
    let (head_text, _, _) = encoding.decode(&head);
    Ok(Layout {
        encoding,
        delimiter: delimiter.unwrap_or_else(|| sniff_delimiter(&head_text)),
        block_bytes: BLOCK_BYTES,
    })
}

/// Encoding detection: a UTF-8 BOM, else valid UTF-8 in the first 64 KiB, else GB18030
/// (a superset of GBK that decodes GBK bytes identically).
fn detect_encoding(head: &[u8]) -> &'static encoding_rs::Encoding {
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return encoding_rs::UTF_8;
    }
    if head.starts_with(&[0xFF, 0xFE]) {
        return encoding_rs::UTF_16LE;
    }
    if head.starts_with(&[0xFE, 0xFF]) {
        return encoding_rs::UTF_16BE;
    }
    match std::str::from_utf8(head) {
        Ok(_) => encoding_rs::UTF_8,
        // A multi-byte character cut at the end of the sample is still UTF-8.
        Err(e) if e.error_len().is_none() && head.len() - e.valid_up_to() < 4 => encoding_rs::UTF_8,
        Err(_) => encoding_rs::GB18030,
    }
}

fn sniff_delimiter(head: &str) -> u8 {
    let lines: Vec<&str> = head.lines().take(25).collect();
    let count = |d: char| {
        lines
            .iter()
            .map(|l| l.matches(d).count())
            .max()
            .unwrap_or(0)
    };
    let (tabs, commas, semis) = (count('\t'), count(','), count(';'));
    if tabs > commas && tabs >= semis {
        b'\t'
    } else if semis > commas {
        b';'
    } else {
        b','
    }
}

/// Reads a CSV/TSV file (`delimiter` None: sniffed) and returns its sha256.
pub(super) fn read_delimited<P: ParseRows>(
    file: &SourceFile,
    delimiter: Option<u8>,
    on_header: &mut OnHeader<P>,
    on_chunk: &mut OnChunk<P::Chunk>,
    on_bytes: &(dyn Fn(u64) + Sync),
) -> Result<String, IngestError> {
    let mut layout = layout(file, delimiter)?;
    layout.block_bytes = block_bytes();
    read_with_layout(file, &layout, on_header, on_chunk, on_bytes)
}

fn read_with_layout<P: ParseRows>(
    file: &SourceFile,
    layout: &Layout,
    on_header: &mut OnHeader<P>,
    on_chunk: &mut OnChunk<P::Chunk>,
    on_bytes: &(dyn Fn(u64) + Sync),
) -> Result<String, IngestError> {
    let raw = std::fs::File::open(&file.path).map_err(|e| IngestError::io(file, e))?;
    let mut hashing = Hashing {
        inner: raw,
        sha: Sha256::new(),
        count: 0,
        report: on_bytes,
    };
    let utf16 =
        layout.encoding == encoding_rs::UTF_16LE || layout.encoding == encoding_rs::UTF_16BE;
    if utf16 {
        // UTF-16 is decoded to UTF-8 as it is read (on one thread; such files are rare).
        let decoded = encoding_rs_io::DecodeReaderBytesBuilder::new()
            .encoding(Some(layout.encoding))
            .build(&mut hashing);
        read_blocks(file, blocks(decoded, layout), on_header, on_chunk)?;
    } else {
        read_blocks(file, blocks(&mut hashing, layout), on_header, on_chunk)?;
    }
    Ok(hashing
        .sha
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

fn blocks<R: Read>(source: R, layout: &Layout) -> Blocks<R> {
    Blocks {
        source,
        delimiter: layout.delimiter,
        gb18030: layout.encoding == encoding_rs::GB18030,
        block_bytes: layout.block_bytes,
        carry: Vec::new(),
        at_start: true,
        at_end: false,
        index: 0,
        lines: 0,
    }
}

/// Finds the header in the first rows, then parses every block on the workers and
/// hands the chunks on in order.
fn read_blocks<P: ParseRows, R: Read + Send>(
    file: &SourceFile,
    mut blocks: Blocks<R>,
    on_header: &mut OnHeader<P>,
    on_chunk: &mut OnChunk<P::Chunk>,
) -> Result<(), IngestError> {
    let (head, mut first) = head_rows(file, &mut blocks)?;
    if head.is_empty() {
        return Err(IngestError::file(file, "文件没有任何内容行".to_string()));
    }
    let (header_index, parser) = on_header(&head)?;
    // The header and the rows above it are skipped, in whichever blocks they are.
    let mut to_skip = header_index + 1;
    for (block, records) in &mut first {
        block.skip = to_skip.min(*records);
        to_skip -= block.skip;
    }
    let first: Vec<Block> = first.into_iter().map(|(block, _)| block).collect();
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    std::thread::scope(|scope| {
        let (block_tx, block_rx) = sync_channel::<Block>(workers);
        let (done_tx, done_rx) = sync_channel(workers);
        // Owned by the workers alone: when they stop, the reader's sends fail.
        let block_rx = Arc::new(Mutex::new(block_rx));
        let (delimiter, gb18030) = (blocks.delimiter, blocks.gb18030);
        for _ in 0..workers {
            let (block_rx, done_tx, parser) = (block_rx.clone(), done_tx.clone(), &parser);
            scope.spawn(move || work(file, parser, &block_rx, done_tx, delimiter, gb18030));
        }
        drop((done_tx, block_rx));
        let reader = scope.spawn(move || send_blocks(first, blocks, block_tx));
        let handed = hand_on_in_order(done_rx, on_chunk);
        // A failed hand-over drops the channels, which stops the workers and reader.
        let read = reader.join().expect("the block reader does not panic");
        handed?;
        read.map_err(|e| IngestError::io(file, e))
    })
}

/// The first rows of the file (up to [`HEAD_ROWS`]) as text, for header detection,
/// and the blocks they were read from, each with the number of its records read.
#[allow(clippy::type_complexity)]
fn head_rows<R: Read>(
    file: &SourceFile,
    blocks: &mut Blocks<R>,
) -> Result<(Vec<(u64, Vec<String>)>, Vec<(Block, usize)>), IngestError> {
    let mut head = Vec::new();
    let mut read = Vec::new();
    while head.len() < HEAD_ROWS {
        let Some(block) = blocks.next_block().map_err(|e| IngestError::io(file, e))? else {
            break;
        };
        let text = decoded(&block.bytes, blocks.gb18030);
        let mut records = Records::new(&text, blocks.delimiter, block.lines_before);
        let mut n = 0;
        while head.len() < HEAD_ROWS {
            let Some(line) = records.next().map_err(|e| csv_error(file, e))? else {
                break;
            };
            let texts = records
                .record
                .iter()
                .map(|f| String::from_utf8_lossy(f).into_owned());
            head.push((line, texts.collect()));
            n += 1;
        }
        drop(records);
        read.push((block, n));
    }
    Ok((head, read))
}

fn send_blocks<R: Read>(
    first: Vec<Block>,
    mut blocks: Blocks<R>,
    to_workers: SyncSender<Block>,
) -> std::io::Result<()> {
    for block in first {
        if to_workers.send(block).is_err() {
            return Ok(());
        }
    }
    while let Some(block) = blocks.next_block()? {
        if to_workers.send(block).is_err() {
            break;
        }
    }
    Ok(())
}

type Parsed<C> = (usize, Result<C, IngestError>);

/// A worker: parses blocks until there are none left (or no one takes the chunks).
fn work<P: ParseRows>(
    file: &SourceFile,
    parser: &P,
    blocks: &Mutex<Receiver<Block>>,
    done: SyncSender<Parsed<P::Chunk>>,
    delimiter: u8,
    gb18030: bool,
) {
    loop {
        let block = blocks.lock().expect("no worker panics").recv();
        let Ok(block) = block else { return };
        let chunk = parse_block(file, parser, &block, delimiter, gb18030);
        if done.send((block.index, chunk)).is_err() {
            return;
        }
    }
}

fn parse_block<P: ParseRows>(
    file: &SourceFile,
    parser: &P,
    block: &Block,
    delimiter: u8,
    gb18030: bool,
) -> Result<P::Chunk, IngestError> {
    let text = decoded(&block.bytes, gb18030);
    let mut records = Records::new(&text, delimiter, block.lines_before);
    let mut chunk = parser.chunk();
    let mut seen = 0;
    let mut spare: Vec<Cell<'static>> = Vec::new();
    while let Some(line) = records.next().map_err(|e| csv_error(file, e))? {
        seen += 1;
        if seen <= block.skip {
            continue;
        }
        // Bytes that are not valid text after decoding become a replacement character,
        // which the value parser then reports as a `parse` finding.
        let mut cells = reuse(std::mem::take(&mut spare));
        cells.extend(fields(&records.record).map(Cell::Text));
        parser.push(&mut chunk, line, &cells);
        spare = reuse(cells);
    }
    parser.seal(&mut chunk);
    Ok(chunk)
}

/// A record's fields as text: the record is checked for UTF-8 once, not field by
/// field; a field that is not valid text reads as a replacement character.
fn fields(record: &csv::ByteRecord) -> impl Iterator<Item = &str> {
    let whole = std::str::from_utf8(record.as_slice()).ok();
    (0..record.len()).map(move |i| {
        let range = record.range(i).expect("i < len");
        whole
            .and_then(|text| text.get(range.clone()))
            .or_else(|| std::str::from_utf8(&record.as_slice()[range]).ok())
            .unwrap_or("\u{FFFD}")
    })
}

/// Hands the workers' chunks on in block order.
fn hand_on_in_order<C>(
    done: Receiver<Parsed<C>>,
    on_chunk: &mut OnChunk<C>,
) -> Result<(), IngestError> {
    let mut waiting = BTreeMap::new();
    let mut next = 0;
    for (index, chunk) in done {
        waiting.insert(index, chunk);
        while let Some(chunk) = waiting.remove(&next) {
            on_chunk(chunk?)?;
            next += 1;
        }
    }
    Ok(())
}

/// A block's text as UTF-8 bytes.
fn decoded(bytes: &[u8], gb18030: bool) -> std::borrow::Cow<'_, [u8]> {
    if gb18030 {
        match encoding_rs::GB18030.decode_without_bom_handling(bytes).0 {
            std::borrow::Cow::Borrowed(s) => std::borrow::Cow::Borrowed(s.as_bytes()),
            std::borrow::Cow::Owned(s) => std::borrow::Cow::Owned(s.into_bytes()),
        }
    } else {
        std::borrow::Cow::Borrowed(bytes)
    }
}

fn csv_error(file: &SourceFile, e: csv::Error) -> IngestError {
    IngestError::File {
        file: file.display.clone(),
        sheet: None,
        row: e.position().map(|p| p.line()),
        message: format!("CSV 格式错误：{e}"),
    }
}

/// The records of a block of UTF-8 text, each with its 1-based line in the file.
struct Records<'t> {
    reader: csv::Reader<LineBreaks<&'t [u8]>>,
    record: csv::ByteRecord,
    lines_before: u64,
}

impl<'t> Records<'t> {
    fn new(text: &'t [u8], delimiter: u8, lines_before: u64) -> Records<'t> {
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .buffer_capacity(1 << 16)
            .from_reader(LineBreaks::new(text));
        Records {
            reader,
            record: csv::ByteRecord::new(),
            lines_before,
        }
    }

    /// Reads the next record into `self.record`; returns its line, None at the end.
    fn next(&mut self) -> Result<Option<u64>, csv::Error> {
        if !self.reader.read_byte_record(&mut self.record)? {
            return Ok(None);
        }
        let start = self.record.position().map_or(0, |p| p.byte());
        Ok(Some(
            self.lines_before + self.reader.get_mut().line_at(start),
        ))
    }
}

/// Counts physical lines for the CSV reader (SPEC §4): a line break is CRLF, LF or a
/// lone CR. The csv crate counts only LF and takes a record's position before the LF
/// of the CRLF that ended the previous record, so its own line numbers are one short
/// on Windows files and never move on CR-only files.
///
/// Sits between the text and the CSV parser and notes every line break of the text
/// passing through; [`LineBreaks::line_at`] then turns a record's byte offset into
/// its first line. Breaks are forgotten once a record past them is asked for, so only
/// the parser's read-ahead is ever held.
struct LineBreaks<R> {
    inner: R,
    /// Bytes passed through so far.
    offset: u64,
    /// A CR that ended the last chunk: a break of one or two bytes, not yet known.
    pending_cr: Option<u64>,
    /// Breaks not yet passed by a record: (first byte, byte after).
    breaks: std::collections::VecDeque<(u64, u64)>,
    /// Breaks passed by records so far.
    passed: u64,
}

impl<R> LineBreaks<R> {
    fn new(inner: R) -> LineBreaks<R> {
        LineBreaks {
            inner,
            offset: 0,
            pending_cr: None,
            breaks: std::collections::VecDeque::new(),
            passed: 0,
        }
    }

    /// The 1-based line of a record that the parser says starts at byte `start`:
    /// every break before it is passed, and so are breaks at its start (the LF of a
    /// CRLF the parser had not consumed, or blank lines it skips: a record never
    /// starts with a line break).
    fn line_at(&mut self, start: u64) -> u64 {
        let mut cursor = start;
        while let Some(&(first, after)) = self.breaks.front() {
            if first > cursor {
                break;
            }
            cursor = cursor.max(after);
            self.passed += 1;
            self.breaks.pop_front();
        }
        self.passed + 1
    }

    fn note_breaks(&mut self, chunk: &[u8]) {
        let base = self.offset;
        let mut skip_lf_at = None;
        if let Some(cr) = self.pending_cr.take() {
            if chunk.first() == Some(&b'\n') {
                self.breaks.push_back((cr, cr + 2));
                skip_lf_at = Some(0);
            } else {
                self.breaks.push_back((cr, cr + 1));
            }
        }
        for i in memchr::memchr2_iter(b'\r', b'\n', chunk) {
            if skip_lf_at == Some(i) {
                continue;
            }
            let at = base + i as u64;
            if chunk[i] == b'\n' {
                self.breaks.push_back((at, at + 1));
            } else if i + 1 == chunk.len() {
                self.pending_cr = Some(at);
            } else if chunk[i + 1] == b'\n' {
                self.breaks.push_back((at, at + 2));
                skip_lf_at = Some(i + 1);
            } else {
                self.breaks.push_back((at, at + 1));
            }
        }
    }
}

impl<R: Read> Read for LineBreaks<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 {
            if let Some(cr) = self.pending_cr.take() {
                self.breaks.push_back((cr, cr + 1));
            }
            return Ok(0);
        }
        self.note_breaks(&buf[..n]);
        self.offset += n as u64;
        Ok(n)
    }
}

/// Keeps every data row as text (the tests compare what readers saw).
#[cfg(test)]
pub(crate) struct KeepText;

#[cfg(test)]
impl ParseRows for KeepText {
    type Chunk = Vec<(u64, Vec<String>)>;

    fn chunk(&self) -> Self::Chunk {
        Vec::new()
    }

    fn push(&self, chunk: &mut Self::Chunk, row: u64, cells: &[Cell]) {
        chunk.push((row, cells.iter().map(Cell::display).collect()));
    }

    fn len(&self, chunk: &Self::Chunk) -> usize {
        chunk.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out at most `n` bytes a call, to split line breaks across
    /// the chunks the line counter sees.
    struct Trickle<'a> {
        data: &'a [u8],
        n: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let k = self.n.min(buf.len()).min(self.data.len());
            buf[..k].copy_from_slice(&self.data[..k]);
            self.data = &self.data[k..];
            Ok(k)
        }
    }

    /// The first field and the line of every record, read `n` bytes at a time.
    fn lines(text: &str, n: usize) -> Vec<(String, u64)> {
        let source = Trickle {
            data: text.as_bytes(),
            n,
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(std::io::BufReader::with_capacity(
                n.max(1),
                LineBreaks::new(source),
            ));
        let mut record = csv::ByteRecord::new();
        let mut out = Vec::new();
        while reader.read_byte_record(&mut record).unwrap() {
            let start = record.position().map_or(0, |p| p.byte());
            let line = reader.get_mut().get_mut().line_at(start);
            out.push((String::from_utf8_lossy(&record[0]).into_owned(), line));
        }
        out
    }

    #[test]
    fn records_are_named_by_their_first_physical_line() {
        // Blank lines, a quoted field over two lines, each line ending in turn.
        let shapes = [
            "a\n\nb\n\"c\nc\",x\nd\n",
            "a\r\n\r\nb\r\n\"c\r\nc\",x\r\nd\r\n",
            "a\r\rb\r\"c\rc\",x\rd\r",
            "a\r\n\nb\r\"c\nc\",x\r\nd",
        ];
        let want = vec![
            ("a".to_string(), 1),
            ("b".to_string(), 3),
            ("c\nc".to_string(), 4),
            ("d".to_string(), 6),
        ];
        for text in shapes {
            for n in [1, 2, 3, 7, 1 << 16] {
                let got: Vec<(String, u64)> = lines(text, n)
                    .into_iter()
                    .map(|(f, l)| (f.replace("\r\n", "\n").replace('\r', "\n"), l))
                    .collect();
                assert_eq!(got, want, "{text:?} read {n} bytes at a time");
            }
        }
    }
}

#[cfg(test)]
mod block_tests {
    use super::*;
    use proptest::prelude::*;

    type Rows = Vec<(u64, Vec<String>)>;

    /// What a read of `bytes` in blocks of `block` bytes hands on: the rows shown to
    /// header detection and every data row (all rows after the first) with its line.
    fn read_all(bytes: &[u8], block: usize) -> Result<(Rows, Rows), String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.csv");
        std::fs::write(&path, bytes).unwrap();
        let file = SourceFile {
            path,
            display: "s.csv".into(),
            sheet: None,
        };
        let mut layout = layout(&file, None).map_err(|e| e.to_string())?;
        layout.block_bytes = block;
        let mut head = Vec::new();
        let mut on_header = |rows: &[(u64, Vec<String>)]| {
            head = rows.to_vec();
            Ok((0usize, KeepText))
        };
        let mut rows = Vec::new();
        let mut on_chunk = |chunk: Rows| {
            rows.extend(chunk);
            Ok(())
        };
        let sha = read_with_layout(&file, &layout, &mut on_header, &mut on_chunk, &|_| {})
            .map_err(|e| e.to_string())?;
        let want: String = Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(sha, want, "the sha256 of the bytes read");
        Ok((head, rows))
    }

    /// Reads `bytes` in blocks of 1 to 16 bytes (and a few larger) and checks each
    /// read hands on what a read in one block does.
    fn alike_in_any_blocks(bytes: &[u8]) {
        let whole = read_all(bytes, bytes.len() + 1);
        for block in (1..=16).chain([23, 40]) {
            assert_eq!(
                read_all(bytes, block),
                whole,
                "blocks of {block} bytes: {bytes:?}"
            );
        }
    }

    #[test]
    fn rows_and_lines_do_not_depend_on_where_blocks_are_cut() {
        let texts: [&[u8]; 6] = [
            b"\xEF\xBB\xBFtime,line\r\n1,a\r\n\r\n2,\"b\r\nb\"\r\n3,c",
            b"title\n\ntime,line\n1,\"a,\"\"x\"\"\"\n2,b\n\n\n3,c\n",
            b"time,line\r1,a\r\r2,\"b\rb\"\r3,c\r",
            b"time;line\n1;a\"b\n2;\"c\nd\"e\n3;f\n",
            // GBK: 时间,线路 / 一,甲 / 二,"乙\n丙"
            b"\xca\xb1\xbc\xe4,\xcf\xdf\xc2\xb7\r\n\xd2\xbb,\xbc\xd7\r\n\xb6\xfe,\"\xd2\xd2\n\xb1\xfb\"\r\n",
            "时间,线路\n一,甲\n二,乙\n三,丙\n".as_bytes(),
        ];
        for text in texts {
            alike_in_any_blocks(text);
        }
        let (_, rows) = read_all(texts[0], 3).unwrap();
        let lines: Vec<u64> = rows.iter().map(|(line, _)| *line).collect();
        assert_eq!(
            lines,
            [2, 4, 6],
            "CRLF, a blank line and a quoted line break"
        );
        let (_, rows) = read_all(texts[4], 2).unwrap();
        assert_eq!(rows[1], (3, vec!["二".to_string(), "乙\n丙".to_string()]));
    }

    fn csvish() -> impl Strategy<Value = Vec<u8>> {
        let pieces = prop_oneof![
            Just(&b"a"[..]),
            Just(&b"12"[..]),
            Just(&b","[..]),
            Just(&b"\""[..]),
            Just(&b"\n"[..]),
            Just(&b"\r\n"[..]),
            Just(&b"\r"[..]),
            Just("线".as_bytes()),
        ];
        proptest::collection::vec(pieces, 1..60).prop_map(|p| p.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::robustness::cases()))]

        /// Any text of commas, quotes, line breaks of every kind and Chinese: the same
        /// rows on the same lines however it is cut into blocks.
        #[test]
        fn any_text_reads_alike_in_any_blocks(text in csvish()) {
            alike_in_any_blocks(&text);
        }
    }
}
