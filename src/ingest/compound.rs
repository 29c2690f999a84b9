//! A check of an OLE2 compound file (an .xls, or an encrypted .xlsx) before calamine
//! opens it. Calamine trusts what a damaged file says, and these kinds of damage made it
//! exhaust memory (both found by `make fuzz`; the files are under
//! tests/fixtures/fuzz/excel/): a sector chain that comes back on itself, which it
//! follows without end, and an .xls sheet that claims, or whose cells span, more cells
//! than an .xls can hold, for which it reserves memory up front. Here every chain of
//! the file's FAT and mini FAT must end, and the workbook stream is read as calamine
//! reads it to look at its sheets' records (`super::biff`).

/// The first bytes of every compound file.
const MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
/// Sector ids from here up are markers (free, end of chain, FAT, DIFAT), not sectors.
const MAX_SECTOR: u32 = 0xFFFF_FFFA;
/// The marker that ends a chain.
const END_OF_CHAIN: u32 = 0xFFFF_FFFE;
/// A stream shorter than this lives in the mini stream, in sectors of 64 bytes.
const MINI_CUTOFF: usize = 4096;
const MINI_SIZE: usize = 64;

/// Whether `bytes` are a compound file.
pub fn is_compound(bytes: &[u8]) -> bool {
    bytes.starts_with(&MAGIC)
}

/// Why calamine must not be given the compound file in `bytes`, if it must not. A file
/// damaged otherwise passes: calamine reports that itself.
pub fn refusal(bytes: &[u8]) -> Option<String> {
    let file = Compound::parse(bytes)?;
    if has_loop(&file.fat) || has_loop(&file.mini_fat) {
        return Some("复合文档的扇区链成环（文件已损坏）".to_string());
    }
    for name in ["Workbook", "Book"] {
        match file.stream(name) {
            Some(Ok(stream)) => {
                if let Some(why) = super::biff::oversized_sheet(&stream) {
                    return Some(why);
                }
            }
            Some(Err(why)) => return Some(why.to_string()),
            None => {}
        }
    }
    None
}

/// A compound file's sectors and its two allocation tables.
struct Compound<'b> {
    bytes: &'b [u8],
    /// The sector size in bytes (512 or 4096).
    size: usize,
    /// For each sector, the next one of its chain.
    fat: Vec<u32>,
    /// For each 64-byte sector of the mini stream, the next one of its chain.
    mini_fat: Vec<u32>,
}

impl<'b> Compound<'b> {
    /// None when `bytes` have no sector size calamine would accept.
    fn parse(bytes: &'b [u8]) -> Option<Self> {
        let size = match bytes.get(30..32)? {
            [9, 0] => 512,
            [12, 0] => 4096,
            _ => return None,
        };
        let mut file = Compound {
            bytes,
            size,
            fat: Vec::new(),
            mini_fat: Vec::new(),
        };
        file.fat = file
            .fat_sectors()
            .into_iter()
            .flat_map(|id| words(file.sector(id)))
            .collect();
        // The mini FAT is a chain of the FAT, read as far as its chain goes.
        let mut id = word(bytes, 60);
        let mut mini_fat = Vec::new();
        for _ in 0..=file.fat.len() {
            if id >= MAX_SECTOR || id as usize >= file.fat.len() {
                break;
            }
            mini_fat.extend(words(file.sector(id)));
            id = file.fat[id as usize];
        }
        file.mini_fat = mini_fat;
        Some(file)
    }

    /// Sector `id`; one cut short by the end of the file is read as far as it goes, as
    /// calamine reads it.
    fn sector(&self, id: u32) -> &'b [u8] {
        let start = (id as usize + 1).saturating_mul(self.size);
        let end = start.saturating_add(self.size).min(self.bytes.len());
        self.bytes.get(start..end).unwrap_or(&[])
    }

    /// The FAT's sectors: the 109 listed in the header, then those of the DIFAT chain.
    fn fat_sectors(&self) -> Vec<u32> {
        let mut ids: Vec<u32> = (0..109).map(|i| word(self.bytes, 76 + 4 * i)).collect();
        let mut next = word(self.bytes, 68);
        // A DIFAT chain longer than the file has sectors loops.
        for _ in 0..self.bytes.len() / self.size {
            if next >= MAX_SECTOR {
                break;
            }
            let mut listed = words(self.sector(next));
            next = listed.pop().unwrap_or(u32::MAX);
            ids.extend(listed);
        }
        ids.retain(|&id| id < MAX_SECTOR);
        ids
    }

    /// The stream named `name` (in any ASCII case, the first such entry of the
    /// directory) as calamine reads it. None when there is none, or calamine could not
    /// read it either; an error when its chain runs past the mini stream, where
    /// calamine would read on in whatever part of the file comes next.
    fn stream(&self, name: &str) -> Option<Result<Vec<u8>, &'static str>> {
        let directory = self.chain(word(self.bytes, 48), usize::MAX)?;
        let entries: Vec<&[u8]> = directory.chunks_exact(128).collect();
        let entry = entries
            .iter()
            .find(|e| entry_name(e).eq_ignore_ascii_case(name))?;
        let (start, len) = (word(entry, 116), self.entry_len(entry));
        if len >= MINI_CUTOFF {
            return self.chain(start, len).map(Ok);
        }
        // The mini stream is the root entry's stream; calamine reads it only when the
        // header counts mini FAT sectors.
        let root = entries.first()?;
        let mini = if word(self.bytes, 64) > 0 {
            self.chain(word(root, 116), self.entry_len(root))?
        } else {
            Vec::new()
        };
        Some(self.mini_chain(&mini, start, len))
    }

    /// A stream's length: 4 bytes in a file of 512-byte sectors, 8 in the other.
    fn entry_len(&self, entry: &[u8]) -> usize {
        let low = word(entry, 120) as usize;
        match self.size {
            512 => low,
            _ => low | (word(entry, 124) as usize) << 32,
        }
    }

    /// Up to `len` bytes of the chain of regular sectors from `start`; None where
    /// calamine fails on it (a sector past the file's end, a free sector). The FAT is
    /// known not to loop here.
    fn chain(&self, start: u32, len: usize) -> Option<Vec<u8>> {
        let mut bytes = Vec::new();
        let mut id = start;
        while id != END_OF_CHAIN && bytes.len() < len {
            let offset = (id as usize + 1).checked_mul(self.size)?;
            if offset > self.bytes.len() {
                return None;
            }
            let part = self.sector(id);
            bytes.extend_from_slice(&part[..part.len().min(len - bytes.len())]);
            id = *self.fat.get(id as usize)?;
        }
        Some(bytes)
    }

    /// Up to `len` bytes of the chain of mini sectors from `start`, read in `mini`.
    fn mini_chain(&self, mini: &[u8], start: u32, len: usize) -> Result<Vec<u8>, &'static str> {
        let past = "复合文档的小扇区链超出小扇区流（文件已损坏）";
        let mut bytes = Vec::new();
        let mut id = start;
        while id != END_OF_CHAIN && bytes.len() < len {
            let from = id as usize * MINI_SIZE;
            let take = MINI_SIZE.min(len - bytes.len());
            bytes.extend_from_slice(mini.get(from..from + take).ok_or(past)?);
            id = *self.mini_fat.get(id as usize).ok_or(past)?;
        }
        Ok(bytes)
    }
}

/// A directory entry's name: UTF-16LE up to the first NUL.
fn entry_name(entry: &[u8]) -> String {
    let units: Vec<u16> = entry[..64]
        .chunks_exact(2)
        .map(|b| u16::from_le_bytes([b[0], b[1]]))
        .take_while(|&u| u != 0)
        .collect();
    String::from_utf16_lossy(&units)
}

/// The little-endian u32 at `at`; past the end, u32::MAX (a marker, not a sector).
fn word(bytes: &[u8], at: usize) -> u32 {
    super::biff::u32_at(bytes, at).unwrap_or(u32::MAX)
}

fn words(sector: &[u8]) -> Vec<u32> {
    sector
        .chunks_exact(4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

/// Whether following `next` from some entry comes back to an entry of the same walk.
fn has_loop(next: &[u32]) -> bool {
    // 0: not seen; 1: on the current walk; 2: its chain ends.
    let mut state = vec![0u8; next.len()];
    let mut walk = Vec::new();
    for start in 0..next.len() {
        let mut at = start;
        while state[at] == 0 {
            state[at] = 1;
            walk.push(at);
            match next[at] {
                id if (id as usize) < next.len() && id < MAX_SECTOR => at = id as usize,
                _ => break,
            }
        }
        if state[at] == 1 && walk.last() != Some(&at) || next.get(at) == Some(&(at as u32)) {
            return true;
        }
        for &w in &walk {
            state[w] = 2;
        }
        walk.clear();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_that_come_back_are_loops() {
        let end = 0xFFFF_FFFE;
        assert!(!has_loop(&[1, 2, end, end]));
        assert!(has_loop(&[1, 2, 0]), "0 → 1 → 2 → 0");
        assert!(has_loop(&[end, 1]), "a sector pointing at itself");
        assert!(has_loop(&[2, 2, 3, 1]), "1 → 2 → 3 → 1, entered from 0");
        assert!(!has_loop(&[1, end, 1]), "two chains sharing a tail");
    }

    #[test]
    fn the_fixture_workbooks_pass_and_the_damaged_ones_do_not() {
        let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let good = std::fs::read(fixtures.join("samples.xls")).unwrap();
        assert!(is_compound(&good));
        assert_eq!(refusal(&good), None);
        let stream = Compound::parse(&good).unwrap().stream("workbook");
        assert!(
            matches!(stream, Some(Ok(s)) if s.starts_with(&[0x09, 0x08])),
            "a BOF"
        );
        let refused = [
            ("oom-fat-loop.xls", "成环"),
            ("oom-loop-in-last-sector.xlsx", "成环"),
            ("xls-dimensions-832GB.xls", "DIMENSIONS"),
            ("xls-cells-span-137GB.xls", "单元格跨"),
        ];
        for (name, why) in refused {
            let bad = std::fs::read(fixtures.join("fuzz/excel").join(name)).unwrap();
            let said = refusal(&bad).unwrap_or_default();
            assert!(is_compound(&bad) && said.contains(why), "{name}: {said}");
        }
    }
}
