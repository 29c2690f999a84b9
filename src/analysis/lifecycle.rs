//! The lifecycle chain of the 分析与建议 chapter (SPEC §14): 开通 → 故障 → 恢复 → 投诉,
//! each link the scheme's indicators on the tables of that stage, scored as a share of
//! their points, and the weakest link named.
//!
//! Stages by source table: provisioning is 开通 (getting a line); samples and outages
//! are 故障 (the network failing or not); faults are 恢复 (the provider restoring it);
//! complaints and surveys are 投诉 (what users say). Other indicators are in no link.

use crate::scheme::Scheme;
use crate::score::ScoreResult;
use crate::tables::Table;

/// The four stages in order.
pub const STAGES: [&str; 4] = ["开通", "故障", "恢复", "投诉"];

/// One link of the chain.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub stage: &'static str,
    /// The scored indicators of the stage.
    pub indicators: Vec<String>,
    /// Σ score ÷ Σ points of those indicators × 100 (`None`: none scored).
    pub score_pct: Option<f64>,
}

/// The stage of a source table, if it is in the chain.
fn stage_of(table: Table) -> Option<&'static str> {
    match table {
        Table::Provisioning => Some(STAGES[0]),
        Table::Samples | Table::Outages => Some(STAGES[1]),
        Table::Faults => Some(STAGES[2]),
        Table::Complaints | Table::Surveys => Some(STAGES[3]),
        _ => None,
    }
}

/// The chain of a scheme's result, in stage order.
pub fn chain(scheme: &Scheme, result: &ScoreResult) -> Vec<Link> {
    STAGES
        .iter()
        .map(|stage| {
            let (mut score, mut points, mut ids) = (0.0, 0.0, Vec::new());
            for (ind, r) in scheme.indicators().zip(&result.indicators) {
                if stage_of(ind.source) != Some(*stage) {
                    continue;
                }
                if let Some(s) = r.score {
                    score += s;
                    points += r.points;
                    ids.push(r.id.clone());
                }
            }
            Link {
                stage,
                indicators: ids,
                score_pct: (points > 0.0).then(|| 100.0 * score / points),
            }
        })
        .collect()
}

/// The weakest scored link (the first of equals), if any link is scored.
pub fn weakest(links: &[Link]) -> Option<&Link> {
    links
        .iter()
        .filter(|l| l.score_pct.is_some())
        .min_by(|a, b| {
            a.score_pct
                .partial_cmp(&b.score_pct)
                .expect("scored shares are numbers")
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::tests::{faults, scheme_of, with_input};
    use crate::score::{measure, score, DataQuality};

    #[test]
    fn the_faults_link_is_the_weakest_when_repairs_are_late() {
        // Provisioning is not configured (开通 unscored); July's fibre tickets: response
        // on time 2 of 4 = 50 % against >= 90 → 0 of 10 points; count 5 <= 10 → 10 of 10
        // points. Both are faults indicators: 恢复 scores 10 of 20 = 50 %.
        let scheme = scheme_of(
            "access_type: fiber\n",
            "      - { id: P, name: 开通及时率, measure: on_time_rate, source: provisioning, start: requested_on, end: completed_on, limit: 10wd, target: \">= 95\", points: 10, scoring: { rule: threshold } }\n      - { id: R, name: 响应及时率, measure: on_time_rate, source: faults, start: reported_at, end: responded_at, limit: { by: severity, values: { 1: 15m, 2: 30m, 3: 60m } }, target: \">= 90\", points: 10, scoring: { rule: threshold } }\n      - { id: N, name: 故障数, measure: count, source: faults, target: \"<= 10\", points: 10, scoring: { rule: threshold } }\n",
        );
        let result = with_input(vec![faults()], "2025-07", |input| {
            let m = measure(&scheme, input, None).unwrap();
            score(&scheme, &m, DataQuality::default())
        });
        let links = chain(&scheme, &result);
        let shown: Vec<(&str, Option<f64>)> =
            links.iter().map(|l| (l.stage, l.score_pct)).collect();
        assert_eq!(
            shown,
            [
                ("开通", None),
                ("故障", None),
                ("恢复", Some(50.0)),
                ("投诉", None)
            ]
        );
        assert_eq!(links[2].indicators, ["R", "N"]);
        assert_eq!(weakest(&links).map(|l| l.stage), Some("恢复"));
    }
}
