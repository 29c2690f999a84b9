//! Validation of a raw scheme into the model (SPEC §7, last paragraph): unknown
//! measures, columns the source lacks, points that do not add up, overlapping or
//! gapped grade bands, bad targets and rules. Every problem is collected, each with
//! the file, the line and the key.

use super::raw::{LimitText, RawIndicator, RawLimit, RawScheme};
use super::scoring::{Band, MissingData, Rule, Target};
use super::{
    Aggregate, Dimension, Indicator, Limit, LimitRule, Measure, PercentileMethod, Scheme,
    SchemeError, SchemeErrors, Stat,
};
use crate::tables::{Table, TableDef};
use polars::prelude::*;
use polars::sql::SQLContext;
use std::collections::BTreeSet;

/// `min_scored_pct` when a scheme does not set it (SPEC §7).
pub const DEFAULT_MIN_SCORED_PCT: f64 = 60.0;

/// Collects problems with their place in the file.
struct Problems<'a> {
    file: &'a str,
    text: &'a str,
    list: Vec<SchemeError>,
}

impl Problems<'_> {
    fn add(&mut self, indicator: Option<&str>, key: &str, message: String) {
        let leaf = key.rsplit('.').next().unwrap_or(key);
        let line = locate(self.text, indicator, leaf);
        let key = match indicator {
            Some(id) => format!("{id}.{key}"),
            None => key.to_string(),
        };
        self.list.push(SchemeError {
            file: self.file.to_string(),
            line,
            key,
            message,
        });
    }
}

/// The 1-based line of `key` (inside the indicator `id`, if given).
fn locate(text: &str, indicator: Option<&str>, key: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    // `- id: X` or an inline `- { id: X, ... }`.
    let is_id_line = |l: &str| {
        l.trim_start()
            .trim_start_matches("- ")
            .trim_start_matches('{')
            .trim_start()
            .starts_with("id:")
    };
    let id_of = |l: &str| {
        l.split_once("id:").map(|(_, v)| {
            v.split([',', '}'])
                .next()
                .unwrap_or("")
                .trim()
                .trim_matches(['"', '\''])
                .to_string()
        })
    };
    let (from, to) = match indicator {
        None => (0, lines.len()),
        Some(id) => {
            let start = lines
                .iter()
                .position(|l| is_id_line(l) && id_of(l).as_deref() == Some(id))?;
            let end = lines[start + 1..]
                .iter()
                .position(|l| is_id_line(l))
                .map_or(lines.len(), |p| start + 1 + p);
            (start, end)
        }
    };
    let patterns = [
        format!("{key}:"),
        format!("{{{key}:"),
        format!("{{ {key}:"),
        format!(", {key}:"),
    ];
    (from..to)
        .find(|&j| {
            let t = lines[j].trim_start().trim_start_matches("- ");
            t.starts_with(&patterns[0])
                || patterns[1..].iter().any(|p| lines[j].contains(p.as_str()))
        })
        .or(indicator.map(|_| from))
        .map(|j| j + 1)
}

pub fn validate(id: &str, file: &str, text: &str, raw: RawScheme) -> Result<Scheme, SchemeErrors> {
    let mut problems = Problems {
        file,
        text,
        list: Vec::new(),
    };
    let access_type = match raw.access_type.as_deref() {
        None => None,
        Some(t) => match crate::ingest::values::normalise_access_type(t) {
            Some(a) => Some(a.to_string()),
            None => {
                problems.add(
                    None,
                    "access_type",
                    format!("“{t}” 不是接入方式：应为 fiber 或 5g"),
                );
                None
            }
        },
    };
    if raw.total_points.is_nan() || raw.total_points <= 0.0 {
        problems.add(None, "total_points", "须大于 0".into());
    }
    let missing_data = match raw.missing_data.as_deref() {
        None | Some("exclude") => MissingData::Exclude,
        Some("zero") => MissingData::Zero,
        Some("full") => MissingData::Full,
        Some(other) => {
            problems.add(
                None,
                "missing_data",
                format!("“{other}” 无效：应为 exclude、zero 或 full"),
            );
            MissingData::Exclude
        }
    };
    let min_scored_pct = raw.min_scored_pct.unwrap_or(DEFAULT_MIN_SCORED_PCT);
    if !(0.0..=100.0).contains(&min_scored_pct) {
        problems.add(
            None,
            "min_scored_pct",
            format!(
                "{} 无效：应为 0 到 100 之间的百分数（默认 {DEFAULT_MIN_SCORED_PCT}）",
                crate::ingest::values::format_number(min_scored_pct)
            ),
        );
    }
    let grades = bands_of(
        "grades",
        raw.grades.iter().map(|g| (g.min, g.name.clone())).collect(),
        &mut problems,
    );
    let payment = if raw.payment.is_empty() {
        Vec::new()
    } else {
        bands_of(
            "payment",
            raw.payment.iter().map(|p| (p.min, p.adjust_pct)).collect(),
            &mut problems,
        )
    };

    let mut ids = BTreeSet::new();
    let mut dimensions = Vec::new();
    let mut points_sum = 0.0;
    for dim in &raw.dimensions {
        let mut indicators = Vec::new();
        for ind in &dim.indicators {
            if !ids.insert(ind.id.clone()) {
                problems.add(Some(&ind.id), "id", format!("指标编号 {} 重复", ind.id));
            }
            points_sum += ind.points;
            if let Some(i) = indicator(ind, &dim.id, raw.total_points, &mut problems) {
                indicators.push(i);
            }
        }
        dimensions.push(Dimension {
            id: dim.id.clone(),
            name: dim.name.clone(),
            indicators,
        });
    }
    if (points_sum - raw.total_points).abs() > 1e-9 {
        problems.add(
            None,
            "total_points",
            format!(
                "各指标分值合计 {} 与 total_points {} 不符",
                crate::ingest::values::format_number(points_sum),
                crate::ingest::values::format_number(raw.total_points)
            ),
        );
    }
    if !problems.list.is_empty() {
        return Err(SchemeErrors(problems.list));
    }
    Ok(Scheme {
        id: id.to_string(),
        name: raw.scheme,
        version: raw.version,
        access_type,
        total_points: raw.total_points,
        grades,
        payment,
        missing_data,
        min_scored_pct,
        description: raw.description,
        basis: raw.basis,
        changes: raw
            .changes
            .into_iter()
            .map(|c| super::SchemeChange {
                version: c.version,
                date: c.date,
                note: c.note,
            })
            .collect(),
        dimensions,
    })
}

/// Grade or payment bands: distinct mins, sorted descending, the last at 0.
fn bands_of<T>(key: &str, mut bands: Vec<(f64, T)>, problems: &mut Problems) -> Vec<(f64, T)> {
    if bands.is_empty() {
        problems.add(None, key, "至少需要一档，且最后一档 min 为 0".into());
        return bands;
    }
    bands.sort_by(|a, b| b.0.total_cmp(&a.0));
    if bands.windows(2).any(|w| w[0].0 == w[1].0) {
        problems.add(None, key, "各档的 min 不能重复（档位重叠）".into());
    }
    if bands.last().is_some_and(|b| b.0 != 0.0) {
        problems.add(
            None,
            key,
            "最后一档的 min 须为 0，否则低分无档可归（档位有缺口）".into(),
        );
    }
    bands
}

fn limit_of(text: &LimitText) -> Option<Limit> {
    match text {
        LimitText::Number(minutes) => Some(Limit::Seconds(minutes * 60.0)),
        LimitText::Text(t) => {
            let t = t.trim();
            if let Some(n) = t.strip_suffix("wd") {
                return n.trim().parse().ok().map(Limit::WorkingDays);
            }
            crate::ingest::values::parse_duration_seconds(t).map(Limit::Seconds)
        }
    }
}

/// Columns an indicator on `table` may name: its own, plus inventory's for line-keyed tables.
fn known_columns(table: Table) -> Vec<&'static str> {
    let mut cols: Vec<&'static str> = table.def().columns.iter().map(|c| c.name).collect();
    if table.is_line_keyed() {
        for c in Table::Inventory.def().columns {
            if !cols.contains(&c.name) {
                cols.push(c.name);
            }
        }
    }
    cols
}

/// An empty frame with the columns an indicator's SQL may use.
fn empty_frame(table: Table) -> DataFrame {
    let inv = Table::Inventory.def();
    let mut schema = Schema::default();
    for name in known_columns(table) {
        let def: &TableDef = if table.def().column(name).is_some() {
            table.def()
        } else {
            inv
        };
        let ty = def.column(name).map(|c| c.ty).expect("known column");
        schema.with_column(name.into(), crate::ingest::build::dtype_of(ty));
    }
    DataFrame::empty_with_schema(&schema)
}

/// Checks a polars-SQL fragment against the table's columns; the error text if bad.
fn check_sql(table: Table, sql: &str) -> Option<String> {
    let mut ctx = SQLContext::new();
    ctx.register("t", empty_frame(table).lazy());
    match ctx.execute(sql).and_then(|lf| lf.collect()) {
        Ok(_) => None,
        Err(e) => Some(e.to_string().lines().next().unwrap_or("").to_string()),
    }
}

fn indicator(
    ind: &RawIndicator,
    dimension: &str,
    total_points: f64,
    problems: &mut Problems,
) -> Option<Indicator> {
    let id = ind.id.as_str();
    let before = problems.list.len();
    let Some(source) = Table::from_name(&ind.source) else {
        let names: Vec<&str> = Table::ALL.iter().map(|t| t.name()).collect();
        problems.add(
            Some(id),
            "source",
            format!("未知的数据表 “{}”，可用：{}", ind.source, names.join("、")),
        );
        return None;
    };
    let columns = known_columns(source);
    let column = |key: &str, value: Option<&String>, problems: &mut Problems| -> String {
        match value {
            None => {
                problems.add(Some(id), key, format!("度量 {} 需要 {key}", ind.measure));
                String::new()
            }
            Some(c) if !columns.contains(&c.as_str()) => {
                problems.add(
                    Some(id),
                    key,
                    format!(
                        "表 {} 没有列 “{c}”，可用：{}",
                        source.name(),
                        columns.join("、")
                    ),
                );
                c.clone()
            }
            Some(c) => c.clone(),
        }
    };
    let measure = match ind.measure.as_str() {
        "availability" => {
            let from_outages = match ind.source.as_str() {
                "samples" => false,
                "outages" => true,
                _ => {
                    problems.add(
                        Some(id),
                        "source",
                        "availability 的 source 须为 samples 或 outages".into(),
                    );
                    false
                }
            };
            let aggregate = match ind.aggregate.as_deref() {
                None | Some("pooled") => Aggregate::Pooled,
                Some("mean_of_lines") => Aggregate::MeanOfLines,
                Some(a) => {
                    problems.add(
                        Some(id),
                        "aggregate",
                        format!("“{a}” 无效：应为 pooled 或 mean_of_lines"),
                    );
                    Aggregate::Pooled
                }
            };
            Measure::Availability {
                from_outages,
                aggregate,
            }
        }
        "mean" | "max" | "min" | "sum" => {
            let stat = match ind.measure.as_str() {
                "mean" => Stat::Mean,
                "max" => Stat::Max,
                "min" => Stat::Min,
                _ => Stat::Sum,
            };
            Measure::Stat {
                stat,
                column: column("column", ind.column.as_ref(), problems),
            }
        }
        "percentile" => {
            let p = ind.p.unwrap_or(f64::NAN);
            if !(0.0..=100.0).contains(&p) {
                problems.add(Some(id), "p", "percentile 需要 p，取值 0–100".into());
            }
            let method = match ind.method.as_deref() {
                None | Some("linear") => PercentileMethod::Linear,
                Some("nearest_rank") => PercentileMethod::NearestRank,
                Some(m) => {
                    problems.add(
                        Some(id),
                        "method",
                        format!("“{m}” 无效：应为 linear 或 nearest_rank"),
                    );
                    PercentileMethod::Linear
                }
            };
            Measure::Percentile {
                column: column("column", ind.column.as_ref(), problems),
                p,
                method,
            }
        }
        "ratio" => match &ind.condition {
            Some(c) => Measure::Ratio {
                condition: c.clone(),
            },
            None => {
                problems.add(Some(id), "condition", "ratio 需要 condition".into());
                Measure::Ratio {
                    condition: String::new(),
                }
            }
        },
        "on_time_rate" => {
            let start = column("start", ind.start.as_ref(), problems);
            let end = column("end", ind.end.as_ref(), problems);
            let limit = match &ind.limit {
                None => {
                    problems.add(
                        Some(id),
                        "limit",
                        "on_time_rate 需要 limit（如 15m、4h、2d 或 10wd）".into(),
                    );
                    LimitRule::Fixed(Limit::Seconds(0.0))
                }
                Some(RawLimit::One(t)) => match limit_of(t) {
                    Some(l) => LimitRule::Fixed(l),
                    None => {
                        problems.add(
                            Some(id),
                            "limit",
                            format!("时限 “{t:?}” 无效：应为 15m、4h、2d、90s、分钟数或 10wd"),
                        );
                        LimitRule::Fixed(Limit::Seconds(0.0))
                    }
                },
                Some(RawLimit::By { by, values }) => {
                    let by = column("by", Some(by), problems);
                    let mut out = Vec::new();
                    for (k, v) in values {
                        match limit_of(v) {
                            Some(l) => out.push((k.to_string(), l)),
                            None => problems.add(
                                Some(id),
                                "values",
                                format!("{by} = {k} 的时限 {v:?} 无效"),
                            ),
                        }
                    }
                    LimitRule::By {
                        column: by,
                        values: out,
                    }
                }
            };
            Measure::OnTimeRate { start, end, limit }
        }
        "mean_duration" => Measure::MeanDuration {
            start: column("start", ind.start.as_ref(), problems),
            end: column("end", ind.end.as_ref(), problems),
        },
        "count" => Measure::Count,
        "completion_rate" => Measure::CompletionRate {
            due: column("due", ind.due.as_ref(), problems),
            done: column("done", ind.done.as_ref(), problems),
        },
        "sql" => match &ind.expr {
            Some(e) => Measure::Sql { expr: e.clone() },
            None => {
                problems.add(Some(id), "expr", "sql 需要 expr".into());
                Measure::Sql {
                    expr: String::new(),
                }
            }
        },
        other => {
            problems.add(
                Some(id),
                "measure",
                format!(
                    "未知的度量 “{other}”，可用：availability、mean、max、min、sum、percentile、ratio、on_time_rate、mean_duration、count、completion_rate、sql"
                ),
            );
            return None;
        }
    };
    let time_column = match (&ind.time, &measure) {
        (Some(t), _) => column("time", Some(t), problems),
        (None, Measure::OnTimeRate { start, .. } | Measure::MeanDuration { start, .. }) => {
            start.clone()
        }
        (None, Measure::CompletionRate { due, .. }) => due.clone(),
        (None, _) => source.def().time_column.to_string(),
    };
    if let Some(w) = &ind.filter {
        if let Some(e) = check_sql(source, &format!("SELECT * FROM t WHERE {w}")) {
            problems.add(Some(id), "where", format!("条件 “{w}” 无效：{e}"));
        }
    }
    if let Measure::Ratio { condition } = &measure {
        if !condition.is_empty() {
            if let Some(e) = check_sql(source, &format!("SELECT ({condition}) AS c FROM t")) {
                problems.add(
                    Some(id),
                    "condition",
                    format!("条件 “{condition}” 无效：{e}"),
                );
            }
        }
    }
    if let Measure::Sql { expr } = &measure {
        if !expr.is_empty() {
            if let Some(e) = check_sql(source, &format!("SELECT {expr} AS v FROM t")) {
                problems.add(Some(id), "expr", format!("表达式 “{expr}” 无效：{e}"));
            }
        }
    }
    let target: Option<Target> = match ind.target.parse() {
        Ok(t) => Some(t),
        Err(m) => {
            problems.add(Some(id), "target", m);
            None
        }
    };
    if ind.points.is_nan() || ind.points < 0.0 {
        problems.add(Some(id), "points", "分值不能为负".into());
    }
    let rule = match ind.scoring.rule.as_str() {
        "threshold" => Rule::Threshold,
        "linear" => {
            let step = ind.scoring.step.unwrap_or(0.0);
            let deduct = ind.scoring.deduct.unwrap_or(-1.0);
            if step.is_nan() || step <= 0.0 {
                problems.add(Some(id), "scoring.step", "linear 需要大于 0 的 step".into());
            }
            if deduct.is_nan() || deduct < 0.0 {
                problems.add(
                    Some(id),
                    "scoring.deduct",
                    "linear 需要不小于 0 的 deduct".into(),
                );
            }
            Rule::Linear { step, deduct }
        }
        "bands" => {
            let mut bands = Vec::new();
            for b in &ind.scoring.bands {
                match (b.min, b.max) {
                    (Some(min), None) => bands.push(Band::Min(min, b.points)),
                    (None, Some(max)) => bands.push(Band::Max(max, b.points)),
                    _ => problems.add(
                        Some(id),
                        "scoring.bands",
                        "每一档须有 min 或 max 之一".into(),
                    ),
                }
                if b.points > ind.points || b.points < 0.0 {
                    problems.add(
                        Some(id),
                        "scoring.bands",
                        format!("档位分值 {} 超出 0–{}", b.points, ind.points),
                    );
                }
            }
            if bands.is_empty() {
                problems.add(Some(id), "scoring.bands", "bands 规则至少需要一档".into());
            }
            let all_min = bands.iter().all(|b| matches!(b, Band::Min(..)));
            let all_max = bands.iter().all(|b| matches!(b, Band::Max(..)));
            if !all_min && !all_max {
                problems.add(
                    Some(id),
                    "scoring.bands",
                    "各档须同为 min（越高越好）或同为 max（越低越好）".into(),
                );
            }
            let bound = |b: &Band| match b {
                Band::Min(v, _) | Band::Max(v, _) => *v,
            };
            let ordered = bands.windows(2).all(|w| {
                if all_min {
                    bound(&w[0]) > bound(&w[1])
                } else {
                    bound(&w[0]) < bound(&w[1])
                }
            });
            if !ordered {
                problems.add(
                    Some(id),
                    "scoring.bands",
                    "各档须按从好到差排列且界值不重复".into(),
                );
            }
            Rule::Bands(bands)
        }
        other => {
            problems.add(
                Some(id),
                "scoring.rule",
                format!("未知的计分规则 “{other}”：应为 threshold、linear 或 bands"),
            );
            Rule::Threshold
        }
    };
    let veto = ind.veto.as_ref().map(|v| v.cap_total);
    if let Some(cap) = veto {
        if !(0.0..=total_points).contains(&cap) {
            problems.add(
                Some(id),
                "veto.cap_total",
                format!("须在 0–{total_points} 之间"),
            );
        }
    }
    if let Some(t) = ind.reconcile_tolerance {
        if !(t.is_finite() && t >= 0.0) {
            problems.add(
                Some(id),
                "reconcile_tolerance",
                "须为不小于 0 的数".to_string(),
            );
        }
    }
    if problems.list.len() > before {
        return None;
    }
    Some(Indicator {
        id: ind.id.clone(),
        name: ind.name.clone(),
        dimension: dimension.to_string(),
        measure,
        source,
        filter: ind.filter.clone(),
        time_column,
        target: target?,
        unit: ind.unit.clone(),
        points: ind.points,
        rule,
        veto,
        description: ind.description.clone(),
        reconcile_tolerance: ind.reconcile_tolerance,
    })
}
