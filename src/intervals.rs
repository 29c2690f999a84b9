//! Half-open time intervals [start, end) in milliseconds: union, length, overlap.
//! Used for outages (merged per line before durations are summed, SPEC §7).

/// Merges intervals into their union, sorted; empty intervals are dropped.
pub fn merge(mut v: Vec<(i64, i64)>) -> Vec<(i64, i64)> {
    v.retain(|(s, e)| e > s);
    v.sort();
    let mut out: Vec<(i64, i64)> = Vec::with_capacity(v.len());
    for (s, e) in v {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// Total length of disjoint intervals.
pub fn total_len(ws: &[(i64, i64)]) -> i64 {
    ws.iter().map(|(s, e)| e - s).sum()
}

/// Length of the overlap of two sets of disjoint intervals.
pub fn overlap_len(a: &[(i64, i64)], b: &[(i64, i64)]) -> i64 {
    a.iter()
        .flat_map(|(s1, e1)| {
            b.iter()
                .map(move |(s2, e2)| (*e1.min(e2) - *s1.max(s2)).max(0))
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn union_length_and_overlap() {
        let m = merge(vec![(5, 10), (0, 6), (20, 30), (30, 31), (40, 40)]);
        assert_eq!(m, vec![(0, 10), (20, 31)]);
        assert_eq!(total_len(&m), 21);
        assert_eq!(overlap_len(&m, &[(8, 25)]), 7);
    }
}
