//! Robustness: arbitrary text and bytes through every parser and reader gwq exposes
//! to users' files — value cells, period labels, headers, CSV in any encoding and
//! line ending, scheme YAML and billing rules. Each may refuse its input; none may
//! panic (a panic would end a command without the one clear error SPEC §13 asks).

use crate::ingest::header::{detect_header, normalise_header, AliasTable};

use crate::tables::Table;
use proptest::prelude::*;

/// Text that looks like export cells: digits, separators, units, Chinese, odd space.
fn cellish() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,24}",
        "[0-9０-９.,:/\\-年月日时分秒QqT %‰元¥ MGKkbps（）()]{0,20}",
        "(是|否|一级|二级|三级|光纤|5G|合计|小计|第3季度|2025年8月|N/A|—){1,3}",
    ]
}

/// Cases per property: 400 in `make test`, `GWQ_FUZZ_CASES` for a longer run
/// (`make fuzz`).
pub(crate) fn cases() -> u32 {
    std::env::var("GWQ_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn value_parsers_never_panic(text in cellish(), n in any::<f64>()) {
        crate::fuzzing::every_value_parser(&text, n);
    }

    #[test]
    fn header_detection_never_panics(
        rows in proptest::collection::vec(proptest::collection::vec(cellish(), 0..8), 0..6),
    ) {
        let numbered: Vec<(u64, Vec<String>)> =
            rows.into_iter().enumerate().map(|(i, r)| (i as u64 + 1, r)).collect();
        for table in Table::ALL {
            let aliases = AliasTable::new(table.def(), &Default::default());
            let _ = detect_header(&numbered, &aliases);
        }
        for (_, r) in &numbered {
            for c in r {
                let _ = normalise_header(c);
            }
        }
    }

    /// A CSV of random bytes around a real header, in UTF-8, GBK-ish bytes, with a BOM
    /// or not, any line ending: read to the end or refused, never a panic.
    #[test]
    fn csv_reading_never_panics(
        body in proptest::collection::vec(any::<u8>(), 0..400),
        bom in any::<bool>(),
        ending in prop_oneof![Just("\n"), Just("\r\n"), Just("\r")],
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.csv");
        let mut bytes = Vec::new();
        if bom {
            bytes.extend_from_slice(b"\xEF\xBB\xBF");
        }
        bytes.extend_from_slice(format!("采集时间,线路编号,时延(ms){ending}").as_bytes());
        bytes.extend_from_slice(&body);
        std::fs::write(&path, &bytes).unwrap();
        let file = crate::workspace::SourceFile {
            path,
            display: "s.csv".into(),
            sheet: None,
        };
        let mut on_header = |_: &[(u64, Vec<String>)]| Ok((0usize, crate::ingest::text::KeepText));
        let mut on_chunk = |_| Ok(());
        let _ = crate::ingest::read::read_source(&file, &mut on_header, &mut on_chunk, &|_| {});
    }

    /// The default scheme with lines dropped or replaced: loaded or refused.
    #[test]
    fn scheme_yaml_never_panics(
        drop in proptest::collection::vec(any::<u16>(), 0..4),
        replace in proptest::collection::vec((any::<u16>(), cellish()), 0..3),
    ) {
        let text = mutate(crate::scheme::DEFAULT_SCHEMES[0].2, &drop, &replace);
        let _ = crate::scheme::Scheme::parse("fiber", "fiber.yaml", &text);
    }

    #[test]
    fn billing_rules_never_panic(
        drop in proptest::collection::vec(any::<u16>(), 0..4),
        replace in proptest::collection::vec((any::<u16>(), cellish()), 0..3),
    ) {
        let text = mutate(crate::fees::rules::DEFAULT_RULES, &drop, &replace);
        let _ = crate::fees::rules::BillingRules::parse("billing.yaml", &text);
    }
}

/// `text` with the lines at `drop` removed and those at `replace` replaced.
fn mutate(text: &str, drop: &[u16], replace: &[(u16, String)]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for (at, new) in replace {
        if !lines.is_empty() {
            let i = *at as usize % lines.len();
            lines[i] = new.clone();
        }
    }
    for at in drop {
        if !lines.is_empty() {
            let i = *at as usize % lines.len();
            lines.remove(i);
        }
    }
    lines.join("\n")
}
