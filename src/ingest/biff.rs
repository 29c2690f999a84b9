//! The records of an .xls workbook stream (BIFF), walked as calamine walks them, to
//! find a sheet that claims, or whose cells span, more cells than an .xls can hold.
//! Calamine reserves memory for the cells a sheet's DIMENSIONS record claims before it
//! reads one, and lays the sheet out as one rectangle from its first cell to its last:
//! in damaged files of a few KiB, the first made it ask for 832 GB and the second for
//! 137 GB, and abort (found by `make fuzz`; tests/fixtures/fuzz/excel/).

/// The most cells a BIFF8 sheet holds: 65,536 rows of 256 columns.
const MOST_CELLS: usize = 65_536 * 256;

const EOF: u16 = 0x000A;
const BOF: u16 = 0x0809;
const CONTINUE: u16 = 0x003C;
const FILE_PASS: u16 = 0x002F;
const BOUND_SHEET: u16 = 0x0085;
const DIMENSIONS: u16 = 0x0200;
// The records calamine reads cells from.
const NUMBER: u16 = 0x0203;
const LABEL: u16 = 0x0204;
const RSTRING: u16 = 0x00D6;
const BOOL_ERR: u16 = 0x0205;
const RK: u16 = 0x027E;
const LABEL_SST: u16 = 0x00FD;
const MUL_RK: u16 = 0x00BD;
const FORMULA: u16 = 0x0006;

/// Why the sheets of the workbook `stream` cannot be read, if a sheet claims, or its
/// cells span, more cells than a sheet holds.
pub fn oversized_sheet(stream: &[u8]) -> Option<String> {
    sheet_offsets(stream)
        .into_iter()
        .filter_map(|at| stream.get(at..))
        .flat_map(sheet_extents)
        .find(|e| e.rows.saturating_mul(e.columns) > MOST_CELLS)
        .map(|e| {
            format!(
                "工作表的{}{} 行 × {} 列，超出 .xls 所能容纳的 65536 行 × 256 列（文件已损坏）",
                e.said_by, e.rows, e.columns
            )
        })
}

/// Rows and columns calamine would lay out for a sheet, and what says so.
#[derive(Debug, PartialEq)]
struct Extent {
    rows: usize,
    columns: usize,
    said_by: &'static str,
}

/// Where the workbook globals say each sheet starts; none when calamine would stop
/// at the globals (a password, a record cut short).
fn sheet_offsets(stream: &[u8]) -> Vec<usize> {
    let mut offsets = Vec::new();
    for (kind, data) in Records(stream) {
        match kind {
            FILE_PASS if u16_at(data, 0) != Some(0) => return Vec::new(),
            BOUND_SHEET => offsets.extend(u32_at(data, 0).map(|at| at as usize)),
            EOF => break,
            _ => {}
        }
    }
    offsets
}

/// What calamine would lay out for the sheet at the start of `sheet`, up to its own
/// EOF (embedded substreams skipped): each DIMENSIONS record's claim, and the span of
/// its cells from the first to the last.
fn sheet_extents(sheet: &[u8]) -> Vec<Extent> {
    let mut found = Vec::new();
    let mut cells = Span::default();
    let (mut seen_bof, mut depth) = (false, 0usize);
    for (kind, data) in Records(sheet) {
        match kind {
            BOF if depth > 0 || seen_bof => depth += 1,
            BOF => seen_bof = true,
            EOF if depth > 0 => depth -= 1,
            EOF => break,
            _ if depth > 0 => {}
            DIMENSIONS => found.extend(dimensions(data).map(|(rows, columns)| Extent {
                rows,
                columns,
                said_by: " DIMENSIONS 记录称有 ",
            })),
            _ => cells.add(kind, data),
        }
    }
    found.extend(cells.extent());
    found
}

/// The smallest rectangle holding the cells seen so far: (first, last) (row, column).
#[derive(Default)]
struct Span(Option<((u32, u32), (u32, u32))>);

impl Span {
    /// Widens the span by the cells a record of `kind` puts where calamine puts them.
    fn add(&mut self, kind: u16, data: &[u8]) {
        let (Some(row), Some(col)) = (u16_at(data, 0), u16_at(data, 2)) else {
            return;
        };
        let (row, col) = (u32::from(row), u32::from(col));
        match kind {
            NUMBER | LABEL | RSTRING | BOOL_ERR | RK | LABEL_SST | FORMULA => {
                self.widen(row, col, col)
            }
            // Calamine reads a cell from each 6 bytes between the first column and the
            // last column's field.
            MUL_RK if data.len() >= 12 => {
                self.widen(row, col, col + (data.len() as u32 - 6) / 6 - 1)
            }
            _ => {}
        }
    }

    fn widen(&mut self, row: u32, first: u32, last: u32) {
        let ((r0, c0), (r1, c1)) = self.0.unwrap_or(((row, first), (row, last)));
        self.0 = Some(((r0.min(row), c0.min(first)), (r1.max(row), c1.max(last))));
    }

    fn extent(&self) -> Option<Extent> {
        let ((r0, c0), (r1, c1)) = self.0?;
        Some(Extent {
            rows: (r1 - r0) as usize + 1,
            columns: (c1 - c0) as usize + 1,
            said_by: "单元格跨 ",
        })
    }
}

/// The rows and columns calamine computes from a DIMENSIONS record, with its
/// arithmetic (u32, wrapping as a release build does); None where it refuses the record.
fn dimensions(data: &[u8]) -> Option<(usize, usize)> {
    let (first_row, rows_end, mut first_col, cols_end) = match data.len() {
        10 => (
            u16_at(data, 0)? as u32,
            u16_at(data, 2)? as u32,
            u16_at(data, 4)? as u32,
            u16_at(data, 6)? as u32,
        ),
        14 | 16 => (
            u32_at(data, 0)?,
            u32_at(data, 4)?,
            u16_at(data, 8)? as u32,
            u16_at(data, 10)? as u32,
        ),
        _ => return None,
    };
    if first_col > 0xFF || cols_end < first_col {
        first_col = 0;
    }
    if rows_end == 0 || cols_end == 0 {
        return Some((1, 1));
    }
    let span = |first: u32, end: u32| (end - 1).wrapping_sub(first).wrapping_add(1) as usize;
    Some((span(first_row, rows_end), span(first_col, cols_end)))
}

/// BIFF records as calamine's reader yields them: kind and data, with the CONTINUE
/// records after one passed over; the walk ends at a record cut short.
struct Records<'s>(&'s [u8]);

impl<'s> Iterator for Records<'s> {
    type Item = (u16, &'s [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        let record = |s: &'s [u8]| {
            let len = u16_at(s, 2)? as usize;
            Some((u16_at(s, 0)?, s.get(4..4 + len)?, &s[4 + len..]))
        };
        let (kind, data, mut rest) = record(self.0)?;
        if rest.len() > 4 && u16_at(rest, 0) == Some(CONTINUE) {
            while rest.len() > 4 && u16_at(rest, 0) == Some(CONTINUE) {
                let Some((_, _, after)) = record(rest) else {
                    self.0 = &[];
                    return Some((kind, data));
                };
                rest = after;
            }
        }
        self.0 = rest;
        Some((kind, data))
    }
}

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

/// The little-endian u32 at `at`, if the bytes reach that far.
pub(super) fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record of `kind` holding `data`.
    fn record(kind: u16, data: &[u8]) -> Vec<u8> {
        let mut bytes = kind.to_le_bytes().to_vec();
        bytes.extend((data.len() as u16).to_le_bytes());
        bytes.extend(data);
        bytes
    }

    /// A BIFF8 DIMENSIONS record: first row, row past the last, first and past-last column.
    fn dims(rows: (u32, u32), cols: (u16, u16)) -> Vec<u8> {
        let mut data = rows.0.to_le_bytes().to_vec();
        data.extend(rows.1.to_le_bytes());
        data.extend(cols.0.to_le_bytes());
        data.extend(cols.1.to_le_bytes());
        data.extend([0, 0]);
        record(DIMENSIONS, &data)
    }

    /// Globals naming one sheet, then the sheet: BOF, `body`, EOF.
    fn workbook(body: &[u8]) -> Vec<u8> {
        let mut globals = record(BOF, &[0; 16]);
        let sheet_at = globals.len() + 4 + 8 + 4;
        globals.extend(record(
            BOUND_SHEET,
            &[&(sheet_at as u32).to_le_bytes()[..], &[0; 4]].concat(),
        ));
        globals.extend(record(EOF, &[]));
        assert_eq!(globals.len(), sheet_at);
        [
            globals,
            record(BOF, &[0; 16]),
            body.to_vec(),
            record(EOF, &[]),
        ]
        .concat()
    }

    #[test]
    fn dimensions_are_counted_as_calamine_counts_them() {
        let d = |rows, cols| dimensions(&dims(rows, cols)[4..]);
        assert_eq!(d((0, 100), (0, 5)), Some((100, 5)));
        assert_eq!(d((10, 100), (2, 5)), Some((90, 3)));
        assert_eq!(d((0, 0), (0, 5)), Some((1, 1)), "no rows: one cell");
        assert_eq!(
            d((0, 65_536), (300, 256)),
            Some((65_536, 256)),
            "a first column past 255 is 0"
        );
        assert_eq!(
            d((5, 3), (0, 1)),
            Some(((u32::MAX - 1) as usize, 1)),
            "rows wrap"
        );
        assert_eq!(dimensions(&[0; 12]), None, "a length calamine refuses");
    }

    #[test]
    fn a_sheet_claiming_more_cells_than_xls_holds_is_refused() {
        let fits = workbook(&dims((0, 65_536), (0, 256)));
        assert_eq!(oversized_sheet(&fits), None);
        let huge = workbook(&dims((0, 1 << 24), (0, 256)));
        let said = oversized_sheet(&huge).unwrap();
        assert!(
            said.contains("DIMENSIONS 记录称有 16777216 行 × 256 列"),
            "{said}"
        );
        let wrapped = workbook(&dims((9, 3), (0, 2)));
        assert!(
            oversized_sheet(&wrapped).is_some(),
            "a first row past the last"
        );
    }

    /// A cell record of `kind` at (row, col) with `more` bytes after the position.
    fn cell(kind: u16, row: u16, col: u16, more: usize) -> Vec<u8> {
        let data = [&row.to_le_bytes()[..], &col.to_le_bytes(), &vec![0; more]].concat();
        record(kind, &data)
    }

    /// What the one sheet of a workbook holding `body` would be laid out as.
    fn extents(body: &[u8]) -> Vec<Extent> {
        let stream = workbook(body);
        sheet_extents(&stream[sheet_offsets(&stream)[0]..])
    }

    #[test]
    fn cells_span_from_the_first_to_the_last() {
        let cells = [
            cell(NUMBER, 3, 1, 10),
            cell(LABEL_SST, 9, 4, 6),
            cell(FORMULA, 5, 0, 16),
        ];
        let want = Extent {
            rows: 7,
            columns: 5,
            said_by: "单元格跨 ",
        };
        assert_eq!(extents(&cells.concat()), [want]);
        // A MulRk of three values from column 250: columns 250 to 252.
        let mul = cell(MUL_RK, 0, 250, 3 * 6 + 2);
        assert_eq!(extents(&mul)[0].columns, 3);
        let far = [cell(RK, 0, 0, 6), cell(RK, 65_535, 65_535, 6)].concat();
        let said = oversized_sheet(&workbook(&far)).unwrap();
        assert!(said.contains("单元格跨 65536 行 × 65536 列"), "{said}");
        let full = [cell(RK, 0, 0, 6), cell(RK, 65_535, 255, 6)].concat();
        assert_eq!(oversized_sheet(&workbook(&full)), None, "a full .xls sheet");
    }

    #[test]
    fn records_of_embedded_substreams_and_past_the_sheet_are_not_the_sheets() {
        let chart = [
            record(BOF, &[0; 16]),
            dims((0, 1 << 30), (0, 9)),
            record(EOF, &[]),
        ]
        .concat();
        let sheet = workbook(&[chart, dims((0, 10), (0, 2))].concat());
        assert_eq!(oversized_sheet(&sheet), None, "an embedded chart's record");
        let after = [workbook(&[]), dims((0, 1 << 30), (0, 9))].concat();
        assert_eq!(oversized_sheet(&after), None, "after the sheet's EOF");
    }

    #[test]
    fn continue_records_belong_to_the_record_before() {
        let mut stream = record(0x00FC, &[1, 2]);
        stream.extend(record(CONTINUE, &[3]));
        stream.extend(record(CONTINUE, &[4, 5]));
        stream.extend(record(EOF, &[]));
        let kinds: Vec<u16> = Records(&stream).map(|(kind, _)| kind).collect();
        assert_eq!(kinds, [0x00FC, EOF]);
        let cut = &stream[..stream.len() - 6];
        assert_eq!(Records(cut).count(), 1);
    }
}
