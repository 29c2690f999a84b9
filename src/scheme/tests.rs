//! Scheme loading: the default schemes load, and each validation rule of SPEC §7
//! gives an error naming the file, line and key.

use super::*;

const FIBER: &str = include_str!("../../indicators/fiber.yaml");
const FIVE_G: &str = include_str!("../../indicators/5g.yaml");

/// A one-indicator scheme; `indicator` is spliced in under `indicators:`.
fn scheme(indicator: &str) -> String {
    format!(
        "scheme: 测试\ntotal_points: 10\ngrades:\n  - {{ min: 60, name: 合格 }}\n  - {{ min: 0, name: 不合格 }}\ndimensions:\n  - id: d\n    name: 维度\n    indicators:\n{indicator}"
    )
}

const GOOD: &str = "      - id: A\n        name: 可用率\n        measure: availability\n        source: samples\n        target: \">= 99.9\"\n        points: 10\n        scoring: { rule: linear, step: 0.1, deduct: 3 }\n";

fn errors(text: &str) -> Vec<SchemeError> {
    Scheme::parse("t", "t.yaml", text)
        .expect_err("should be rejected")
        .0
}

#[test]
fn default_schemes_load_and_sum_to_100() {
    for (id, text) in [("fiber", FIBER), ("5g", FIVE_G)] {
        let s = Scheme::parse(id, id, text).unwrap_or_else(|e| panic!("{e}"));
        let sum: f64 = s.indicators().map(|i| i.points).sum();
        assert_eq!(sum, 100.0);
        assert_eq!(s.grades.last().map(|g| g.0), Some(0.0));
    }
    let fiber = Scheme::parse("fiber", "f", FIBER).unwrap();
    assert_eq!(fiber.indicators().count(), 23);
    assert_eq!(fiber.access_type.as_deref(), Some("fiber"));
    let veto = fiber.indicators().find(|i| i.id == "SEC-INCIDENT").unwrap();
    assert_eq!(veto.veto, Some(59.0));
}

#[test]
fn a_good_minimal_scheme_loads() {
    let s = Scheme::parse("t", "t.yaml", &scheme(GOOD)).unwrap();
    let a = s.indicators().next().unwrap();
    assert_eq!(a.time_column, "time");
    assert_eq!(
        a.measure,
        Measure::Availability {
            from_outages: false,
            aggregate: Aggregate::Pooled
        }
    );
}

#[test]
fn unknown_key_is_named_with_its_line() {
    let text = scheme(&GOOD.replace(
        "        points: 10\n",
        "        points: 10\n        weight: 2\n",
    ));
    let e = &errors(&text)[0];
    assert_eq!(e.line, Some(16), "{e}");
    assert!(e.message.contains("weight"), "{e}");
}

#[test]
fn unknown_measure() {
    let e = &errors(&scheme(&GOOD.replace("availability", "uptime")))[0];
    assert_eq!((e.key.as_str(), e.line), ("A.measure", Some(12)));
    assert!(e.message.contains("uptime"));
}

#[test]
fn column_the_source_lacks() {
    let ind = GOOD.replace(
        "measure: availability\n",
        "measure: mean\n        column: latency\n",
    );
    let e = &errors(&scheme(&ind))[0];
    assert_eq!((e.key.as_str(), e.line), ("A.column", Some(13)));
    assert!(
        e.message.contains("latency_ms"),
        "lists the available columns: {e}"
    );
}

#[test]
fn where_naming_an_unknown_column() {
    let ind = GOOD.replace(
        "        target:",
        "        where: \"reachabel\"\n        target:",
    );
    let e = &errors(&scheme(&ind))[0];
    assert_eq!(e.key, "A.where", "{e}");
}

#[test]
fn inventory_columns_are_usable_on_line_keyed_tables() {
    let ind = GOOD.replace(
        "measure: availability\n",
        "measure: ratio\n        condition: \"GREATEST(in_bps, out_bps) <= 0.8 * bandwidth_mbps * 1000000\"\n",
    );
    Scheme::parse("t", "t.yaml", &scheme(&ind)).unwrap();
}

#[test]
fn points_not_adding_up() {
    let e = &errors(&scheme(&GOOD.replace("points: 10", "points: 9")))[0];
    assert_eq!(e.key, "total_points");
    assert_eq!(e.line, Some(2));
}

#[test]
fn overlapping_and_gapped_grades() {
    let overlapping = scheme(GOOD).replace("{ min: 0, name: 不合格 }", "{ min: 60, name: 不合格 }");
    let e = errors(&overlapping);
    assert!(
        e.iter()
            .any(|e| e.key == "grades" && e.message.contains("重复")),
        "{e:?}"
    );
    let gapped = scheme(GOOD).replace("{ min: 0, name: 不合格 }", "{ min: 30, name: 不合格 }");
    let e = errors(&gapped);
    assert!(
        e.iter()
            .any(|e| e.key == "grades" && e.message.contains("缺口")),
        "{e:?}"
    );
    assert_eq!(e[0].line, Some(3));
}

#[test]
fn bad_target_and_rule_parameters() {
    let e = &errors(&scheme(&GOOD.replace("\">= 99.9\"", "\"about 99.9\"")))[0];
    assert_eq!((e.key.as_str(), e.line), ("A.target", Some(14)));
    let e = &errors(&scheme(&GOOD.replace("step: 0.1", "step: 0")))[0];
    assert_eq!(e.key, "A.scoring.step");
    assert_eq!(e.line, Some(16));
    let e = &errors(&scheme(&GOOD.replace("rule: linear", "rule: curve")))[0];
    assert_eq!(e.key, "A.scoring.rule");
}

#[test]
fn bad_limits_and_percentiles() {
    let ind = GOOD.replace(
        "measure: availability\n        source: samples\n",
        "measure: on_time_rate\n        source: faults\n        start: reported_at\n        end: restored_at\n        limit: 3weeks\n",
    );
    assert_eq!(errors(&scheme(&ind))[0].key, "A.limit");
    let ind = GOOD.replace(
        "measure: availability\n",
        "measure: percentile\n        column: latency_ms\n        p: 120\n",
    );
    assert_eq!(errors(&scheme(&ind))[0].key, "A.p");
}

#[test]
fn every_problem_is_reported_at_once() {
    let text = scheme(&GOOD.replace("availability", "uptime"))
        .replace("{ min: 0, name: 不合格 }", "{ min: 5, name: 不合格 }");
    assert!(errors(&text).len() >= 2);
}
