//! The 示例 section of each command's `--help`: command lines people can copy. Every
//! example is parsed by the test below, so none goes stale.

/// (command, examples) — each example a whole command line.
pub const EXAMPLES: &[(&str, &[&str])] = &[
    ("init", &["gwq init D:/监管"]),
    (
        "replay",
        &[
            "gwq -w demo-ws replay --scheme-file 修订方案.yaml --period 2025-07..2026-06",
            "gwq -w demo-ws replay --scheme-file 修订方案.yaml --scheme fiber --quarter 2025Q3 --every quarter",
        ],
    ),
    (
        "reconcile",
        &[
            "gwq -w demo-ws reconcile --month 2025-08",
            "gwq -w demo-ws --json reconcile --quarter 2025Q3",
        ],
    ),
    (
        "demo",
        &["gwq demo demo-ws", "gwq demo demo-ws --defects --lines 200"],
    ),
    ("ingest", &["gwq -w demo-ws ingest"]),
    (
        "check",
        &[
            "gwq -w demo-ws check --month 2025-08",
            "gwq -w demo-ws --json check --quarter 2025Q3",
        ],
    ),
    (
        "score",
        &[
            "gwq -w demo-ws score --quarter 2025Q3",
            "gwq -w demo-ws score --month 2025-08 --scheme fiber --by district",
        ],
    ),
    (
        "audit-fees",
        &["gwq -w demo-ws audit-fees demo-ws/data/预算/网络通信服务费用预算.xlsx --fail-on error"],
    ),
    (
        "report",
        &[
            "gwq -w demo-ws report monthly --month 2025-08",
            "gwq -w demo-ws report quarterly --quarter 2025Q3",
            "gwq -w demo-ws report annual --year 2025-07..2026-06",
            "gwq -w demo-ws report annual --scheme 5g",
            "gwq -w demo-ws report special --period 2025Q3 --topic line:SH-PD-0001",
            "gwq -w demo-ws report special --period 2025Q3 --topic fees",
            "gwq -w demo-ws report monthly --month 2025-08 --issue",
            "gwq -w demo-ws report history",
        ],
    ),
    (
        "problems",
        &[
            "gwq -w demo-ws problems sync --month 2025-08",
            "gwq -w demo-ws problems list --overdue --as-of 2025-09-30",
            "gwq -w demo-ws problems close P0003 --date 2025-09-10 --note 已复测达标",
        ],
    ),
    (
        "sample",
        &["gwq -w demo-ws sample --quarter 2025Q4 --seed 7"],
    ),
    (
        "template",
        &[
            "gwq -w demo-ws template",
            "gwq template faults samples -o 模板",
        ],
    ),
    (
        "acceptance",
        &["gwq -w demo-ws acceptance 验收材料 --checklist acceptance.yaml"],
    ),
    (
        "scheme",
        &[
            "gwq -w demo-ws scheme",
            "gwq -w demo-ws scheme --supervision",
            "gwq -w demo-ws scheme --scheme fiber --diff old/fiber.yaml",
        ],
    ),
    (
        "completions",
        &["gwq completions powershell", "gwq completions bash"],
    ),
];

/// The 示例 text of a command, if it has examples.
pub fn after_help(command: &str) -> Option<String> {
    let (_, lines) = EXAMPLES.iter().find(|(c, _)| *c == command)?;
    let mut text = String::from("示例：");
    for l in *lines {
        text.push_str("\n  ");
        text.push_str(l);
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, Parser};

    #[test]
    fn every_example_is_a_valid_command_line() {
        for (command, lines) in EXAMPLES {
            for line in *lines {
                let args: Vec<&str> = line.split_whitespace().collect();
                assert!(super::super::Cli::try_parse_from(&args).is_ok(), "{line}");
                assert!(args.contains(command), "{line} is an example of {command}");
            }
        }
        // Every command has examples.
        for sub in super::super::Cli::command().get_subcommands() {
            assert!(after_help(sub.get_name()).is_some(), "{}", sub.get_name());
        }
    }
}
