//! A check of an OLE2 compound file (an .xls, or an encrypted .xlsx) before calamine
//! opens it. Calamine follows a file's sector chains without noticing a loop, so a
//! damaged .xls of a few KiB made it allocate without end (found by `make fuzz`; the
//! file is under tests/fixtures/fuzz/excel/). Here every chain of the file's FAT and
//! mini FAT must end: a chain that comes back on itself refuses the file.

/// The first bytes of every compound file.
const MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
/// Sector ids from here up are markers (free, end of chain, FAT, DIFAT), not sectors.
const MAX_SECTOR: u32 = 0xFFFF_FFFA;

/// Whether `bytes` are a compound file.
pub fn is_compound(bytes: &[u8]) -> bool {
    bytes.starts_with(&MAGIC)
}

/// False when a sector chain of the compound file in `bytes` loops. A file damaged
/// otherwise passes: calamine reports that itself.
pub fn chains_end(bytes: &[u8]) -> bool {
    let u16_at = |at: usize| {
        bytes
            .get(at..at + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
    };
    let Some(shift @ 7..=16) = u16_at(30) else {
        return true;
    };
    let size = 1usize << shift;
    // A sector cut short by the end of the file is read as far as it goes, as
    // calamine reads it.
    let sector = |id: u32| -> &[u8] {
        let start = (id as usize + 1).saturating_mul(size);
        let end = start.saturating_add(size).min(bytes.len());
        bytes.get(start..end).unwrap_or(&[])
    };
    let fat: Vec<u32> = fat_sectors(bytes, size, &sector)
        .into_iter()
        .flat_map(|id| words(sector(id)))
        .collect();
    if has_loop(&fat) {
        return false;
    }
    // The mini FAT is a chain of the FAT; its own chains must end too.
    let mut mini = Vec::new();
    let mut id = word(bytes, 60);
    while id < MAX_SECTOR && (id as usize) < fat.len() && mini.len() <= fat.len() * size {
        mini.extend(words(sector(id)));
        id = fat[id as usize];
    }
    !has_loop(&mini)
}

/// The FAT's sectors: the 109 listed in the header, then those of the DIFAT chain.
fn fat_sectors<'b>(bytes: &'b [u8], size: usize, sector: &dyn Fn(u32) -> &'b [u8]) -> Vec<u32> {
    let mut ids: Vec<u32> = (0..109).map(|i| word(bytes, 76 + 4 * i)).collect();
    let mut next = word(bytes, 68);
    // A DIFAT chain longer than the file has sectors loops.
    for _ in 0..bytes.len() / size {
        if next >= MAX_SECTOR {
            break;
        }
        let mut listed = words(sector(next));
        next = listed.pop().unwrap_or(u32::MAX);
        ids.extend(listed);
    }
    ids.retain(|&id| id < MAX_SECTOR);
    ids
}

fn word(bytes: &[u8], at: usize) -> u32 {
    bytes
        .get(at..at + 4)
        .map_or(u32::MAX, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
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
    fn the_fixture_workbooks_pass_and_the_looping_one_does_not() {
        let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let good = std::fs::read(fixtures.join("samples.xls")).unwrap();
        assert!(is_compound(&good) && chains_end(&good));
        for name in ["oom-fat-loop.xls", "oom-loop-in-last-sector.xlsx"] {
            let bad = std::fs::read(fixtures.join("fuzz/excel").join(name)).unwrap();
            assert!(is_compound(&bad) && !chains_end(&bad), "{name}");
        }
    }
}
