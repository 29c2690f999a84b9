//! The period's samples as the sequence checks walk them: read in one streaming pass
//! and kept line by line in 8 bytes a sample (`Packed`), in blocks that are never
//! copied to grow, so that a service year (250 M samples) fits in about 2 GB. Which
//! file and row a sample came from is not kept, which would double that: the few
//! samples a finding names are looked up afterwards (`locate`).

use super::rows::{above_bandwidth, range_flags, traffic_peak, WalkCounts};
use crate::frame::{CollectStreaming, FrameError, StepContext};
use crate::ingest::build::ROW_COLUMN;
use crate::ingest::cache::SOURCE_COLUMN;
use crate::inventory::Inventory;
use crate::tables::Table;
use polars::prelude::*;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The column holding a sample's line as an index into the inventory's ids.
const LINE_INDEX: &str = "_line";
/// Flags of the samples' row checks, counted on the way: traffic above the line's
/// bandwidth, no line id, and outside the i-th of `range_flags` (`range_flag(i)`).
const OVER: &str = "_over";
const NO_LINE: &str = "_no_line";

fn range_flag(i: usize) -> String {
    format!("_range{i}")
}

const STEP: &str = "整理采样序列";

/// `samples` with each line's index among `known` (none for lines the inventory
/// lacks, the business of `unknown_line`, which are only counted) and the flags the
/// samples' row checks count.
pub fn with_line_index(
    samples: LazyFrame,
    known: &[&String],
    inventory: &Inventory,
) -> Result<LazyFrame, FrameError> {
    let index = DataFrame::new_infer_height(vec![
        Column::new(
            "line_id".into(),
            known.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        ),
        Column::new(
            LINE_INDEX.into(),
            (0..known.len() as u32).collect::<Vec<_>>(),
        ),
        Column::new(
            "_bandwidth_mbps".into(),
            known
                .iter()
                .map(|id| inventory.lines[*id].bandwidth_mbps)
                .collect::<Vec<_>>(),
        ),
    ])
    .step(STEP)?;
    let over = above_bandwidth(traffic_peak()?, col("_bandwidth_mbps"));
    let flags = range_flags(Table::Samples)
        .into_iter()
        .enumerate()
        .map(|(i, bad)| bad.fill_null(lit(false)).alias(range_flag(i)));
    let columns = [
        col(LINE_INDEX),
        col("time"),
        col("reachable"),
        over.fill_null(lit(false)).alias(OVER),
        col("line_id").is_null().alias(NO_LINE),
    ];
    // The join keeps the samples' order: the sequences rely on it.
    Ok(samples
        .join(
            index.lazy(),
            [col("line_id")],
            [col("line_id")],
            JoinArgs {
                maintain_order: MaintainOrderJoin::Left,
                ..JoinArgs::new(JoinType::Left)
            },
        )
        .select(columns.into_iter().chain(flags).collect::<Vec<_>>()))
}

/// A sample as the walk keeps it: its time in milliseconds shifted left two bits, and
/// in those bits whether it was reachable (0 no, 1 yes, 2 not said).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Packed(i64);

impl Packed {
    fn new(time: i64, reachable: Option<bool>) -> Packed {
        let bits = match reachable {
            Some(false) => 0,
            Some(true) => 1,
            None => 2,
        };
        Packed(time << 2 | bits)
    }

    fn time(self) -> i64 {
        self.0 >> 2
    }

    fn reachable(self) -> Option<bool> {
        match self.0 & 3 {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }
}

/// Samples in a line's first block; each next block is twice as large, up to
/// `LARGEST_BLOCK`. A line's last block is the only one not full.
const FIRST_BLOCK: usize = 1024;
/// 512 KiB: the system allocator takes blocks this large straight from the operating
/// system and gives them back when freed, so a year's samples leave no heap behind
/// for the rest of the command; a block's pages not yet written cost no memory.
const LARGEST_BLOCK: usize = 64 * 1024;

/// One line's samples in the order read.
#[derive(Default)]
struct LineBuffer {
    blocks: Vec<Vec<Packed>>,
}

impl LineBuffer {
    fn push(&mut self, sample: Packed) {
        match self.blocks.last_mut() {
            Some(block) if block.len() < block.capacity() => block.push(sample),
            _ => {
                let size = (FIRST_BLOCK << self.blocks.len().min(6)).min(LARGEST_BLOCK);
                let mut block = Vec::with_capacity(size);
                block.push(sample);
                self.blocks.push(block);
            }
        }
    }

    fn len(&self) -> usize {
        self.blocks.iter().map(Vec::len).sum()
    }
}

/// How a line's samples, as read, become its sequence.
#[derive(Clone, Copy, Debug)]
pub struct Order {
    /// Each line's samples arrive in time order (files in per-line order, one after
    /// another in time); otherwise a line is sorted (stably) when walked.
    pub in_time_order: bool,
    /// Samples repeating a line's time are dropped, the first read kept.
    pub dedup: bool,
}

/// The period's samples, line by line, and the row checks' counts tallied on the way.
pub struct Sequences {
    lines: Vec<LineBuffer>,
    order: Order,
    pub counts: WalkCounts,
}

impl Sequences {
    /// Reads `lf` (`with_line_index`'s frame, in file and row order) in batches; samples whose line has no index are only counted.
    pub fn read(lf: LazyFrame, lines: usize, order: Order) -> Result<Sequences, FrameError> {
        let sequences = Arc::new(Mutex::new(Sequences::empty(lines, order)));
        let sink = Arc::clone(&sequences);
        let take = PlanCallback::new(move |batch: DataFrame| {
            let mut sequences = sink.lock().expect("no batch panicked");
            sequences.take(&batch)?;
            Ok(false)
        });
        lf.sink_batches(take, true, None)
            .and_then(|lf| lf.collect_with_engine(Engine::Streaming))
            .step(STEP)?;
        let mut read = sequences.lock().expect("no batch panicked");
        Ok(std::mem::replace(&mut *read, Sequences::empty(0, order)))
    }

    /// No samples yet, for `lines` lines.
    fn empty(lines: usize, order: Order) -> Sequences {
        Sequences {
            lines: (0..lines).map(|_| LineBuffer::default()).collect(),
            order,
            counts: WalkCounts {
                out_of_range: vec![0; range_flags(Table::Samples).len()],
                ..WalkCounts::default()
            },
        }
    }

    /// One batch of rows: each sample onto its line, each flag into the counts.
    fn take(&mut self, batch: &DataFrame) -> PolarsResult<()> {
        let line = batch.column(LINE_INDEX)?.u32()?;
        let time = batch.column("time")?.datetime()?.physical();
        let reachable = batch.column("reachable")?.bool()?;
        for ((l, t), r) in line.iter().zip(time.iter()).zip(reachable.iter()) {
            if let (Some(l), Some(t)) = (l, t) {
                self.lines[l as usize].push(Packed::new(t, r));
            }
        }
        let flagged = |name: &str| -> PolarsResult<u64> {
            Ok(batch.column(name)?.bool()?.sum().unwrap_or(0) as u64)
        };
        let counts = &mut self.counts;
        counts.rows_in_period += batch.height() as u64;
        for (i, n) in counts.out_of_range.iter_mut().enumerate() {
            *n += flagged(&range_flag(i))?;
        }
        counts.over_bandwidth += flagged(OVER)?;
        counts.unknown_lines += line.null_count() as u64 - flagged(NO_LINE)?;
        Ok(())
    }

    /// How many samples line k has as read (before duplicates are dropped).
    pub fn count(&self, k: usize) -> usize {
        self.lines[k].len()
    }

    /// Line k's sequence in time order, copied out (one line at a time).
    pub fn line(&self, k: usize) -> LineSamples {
        let mut samples: Vec<Packed> = self.lines[k].blocks.concat();
        if !self.order.in_time_order {
            samples.sort_by_key(|s| s.time());
        }
        if self.order.dedup {
            samples.dedup_by_key(|s| s.time());
        }
        LineSamples {
            times: samples.iter().map(|s| s.time()).collect(),
            reachable: samples.iter().map(|s| s.reachable()).collect(),
        }
    }
}

/// One line's samples in the period, sorted by time.
pub struct LineSamples {
    pub times: Vec<i64>,
    pub reachable: Vec<Option<bool>>,
}

/// Where a sample was read: the index of its file in the table's, and its row there.
pub type Source = (u32, u64);

/// The file and row of each (line, time) in `wanted`, read from `samples` (a frame of
/// the period's samples with line_id, time and the source columns): of rows repeating
/// one, the first by file and row, which is the one the walk keeps.
pub fn locate(
    samples: LazyFrame,
    wanted: &[(String, i64)],
) -> Result<HashMap<(String, i64), Source>, FrameError> {
    let mut found: HashMap<(String, i64), Source> = HashMap::new();
    if wanted.is_empty() {
        return Ok(found);
    }
    let keys = DataFrame::new_infer_height(vec![
        Column::new(
            "line_id".into(),
            wanted.iter().map(|w| w.0.as_str()).collect::<Vec<_>>(),
        ),
        Column::new(
            "time".into(),
            wanted.iter().map(|w| w.1).collect::<Vec<_>>(),
        )
        .cast(&crate::frame::MS)
        .step(STEP)?,
    ])
    .step(STEP)?
    .unique_stable(None, UniqueKeepStrategy::First, None)
    .step(STEP)?;
    let rows = samples
        .select([
            col("line_id"),
            col("time"),
            col(SOURCE_COLUMN),
            col(ROW_COLUMN),
        ])
        .join(
            keys.lazy(),
            [col("line_id"), col("time")],
            [col("line_id"), col("time")],
            JoinArgs::new(JoinType::Inner),
        )
        .collect_streaming()
        .step(STEP)?;
    let lines = crate::frame::str_values(&rows, "line_id")?;
    let times = crate::frame::i64_values(&rows, "time")?;
    let files = crate::frame::i64_values(&rows, SOURCE_COLUMN)?;
    let numbers = crate::frame::i64_values(&rows, ROW_COLUMN)?;
    for i in 0..rows.height() {
        let (Some(line), Some(time)) = (&lines[i], times[i]) else {
            continue;
        };
        let source = (files[i].unwrap_or(0) as u32, numbers[i].unwrap_or(0) as u64);
        found
            .entry((line.clone(), time))
            .and_modify(|s| *s = (*s).min(source))
            .or_insert(source);
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_packed_sample_keeps_its_time_and_reachability() {
        for time in [0, 1, 1_754_006_400_123, -86_400_000, -1] {
            for reachable in [Some(true), Some(false), None] {
                let p = Packed::new(time, reachable);
                assert_eq!((p.time(), p.reachable()), (time, reachable));
            }
        }
    }

    /// A sequence store of one line holding `samples` as read.
    fn one_line(samples: &[(i64, Option<bool>)], order: Order) -> LineSamples {
        let mut line = LineBuffer::default();
        for &(t, r) in samples {
            line.push(Packed::new(t, r));
        }
        let mut sequences = Sequences::empty(1, order);
        sequences.lines[0] = line;
        sequences.line(0)
    }

    #[test]
    fn a_line_is_sorted_stably_and_keeps_the_first_of_a_repeated_time() {
        let read = [
            (30, Some(true)),
            (10, Some(false)),
            (30, Some(false)),
            (20, None),
        ];
        let sorted = Order {
            in_time_order: false,
            dedup: true,
        };
        let s = one_line(&read, sorted);
        assert_eq!(s.times, [10, 20, 30]);
        assert_eq!(
            s.reachable,
            [Some(false), None, Some(true)],
            "the first 30 read"
        );
        let kept = Order {
            in_time_order: false,
            dedup: false,
        };
        assert_eq!(one_line(&read, kept).times, [10, 20, 30, 30]);
        let as_read = Order {
            in_time_order: true,
            dedup: false,
        };
        assert_eq!(one_line(&read, as_read).times, [30, 10, 30, 20]);
    }

    #[test]
    fn blocks_fill_before_a_larger_one_starts() {
        let mut line = LineBuffer::default();
        let n = 1024 + 2048 + 4096 + 8192 + 16384 + 32768 + 65536 * 2 + 1;
        for t in 0..n as i64 {
            line.push(Packed::new(t, Some(true)));
        }
        let sizes: Vec<usize> = line.blocks.iter().map(Vec::len).collect();
        assert_eq!(
            sizes,
            [1024, 2048, 4096, 8192, 16384, 32768, 65536, 65536, 1]
        );
        assert_eq!(line.len(), n);
        let times: Vec<i64> = line.blocks.concat().iter().map(|s| s.time()).collect();
        assert!(times.iter().copied().eq(0..n as i64), "in the order pushed");
    }
}
