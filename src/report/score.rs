//! The score workbook `score-<period>.xlsx`: 总览 (totals, grades and a native chart of
//! dimension scores), 指标明细, 分组 (with `--by`), 未达标清单, 数据质量, 来源.

use super::model::{Chart, RowStyle, Sheet, Value, Workbook};
use crate::score::{IndicatorResult, ScoreResult, Status};

fn fmt2(v: Option<f64>) -> Value {
    v.map_or(Value::Empty, |v| Value::Number(v, 2))
}

fn status_text(s: Status) -> &'static str {
    match s {
        Status::Ok => "正常",
        Status::NoData => "无数据",
        Status::Error => "错误",
    }
}

fn met_text(r: &IndicatorResult) -> Value {
    match r.met {
        Some(true) => "达标".into(),
        Some(false) => "未达标".into(),
        None => "—".into(),
    }
}

fn style_of(r: &IndicatorResult) -> RowStyle {
    match (r.status, r.met) {
        (Status::Ok, Some(false)) => RowStyle::Bad,
        (Status::NoData | Status::Error, _) => RowStyle::Warn,
        _ => RowStyle::Normal,
    }
}

/// The status in words: 无数据 says why.
fn status_cell(r: &IndicatorResult) -> Value {
    match r.reason {
        Some(reason) if r.status == Status::NoData => {
            format!("{}：{}", status_text(r.status), reason.text()).into()
        }
        _ => status_text(r.status).into(),
    }
}

/// The total, or why there is none.
fn total_cell(total: Option<f64>) -> Value {
    total.map_or_else(|| "数据不足".into(), |t| Value::Number(t, 2))
}

fn indicator_row(scheme: &str, r: &IndicatorResult, dimension: &str) -> Vec<Value> {
    vec![
        scheme.into(),
        dimension.into(),
        r.id.as_str().into(),
        r.name.as_str().into(),
        fmt2(r.value),
        r.unit.clone().into(),
        r.target.as_str().into(),
        met_text(r),
        Value::Number(r.points, 2),
        fmt2(r.score),
        status_cell(r),
        Value::Int(r.rows as i64),
    ]
}

const INDICATOR_HEADERS: [&str; 12] = [
    "评估方案",
    "维度",
    "指标编号",
    "指标名称",
    "实际值",
    "单位",
    "目标",
    "是否达标",
    "分值",
    "得分",
    "状态",
    "数据行数",
];

/// How the totals were made, and for a result without one, why not.
fn overview_note(results: &[ScoreResult]) -> String {
    let mut note = "得分按各维度汇总；无数据指标按评估方案的 missing_data 规则处理，总分据此折算。"
        .to_string();
    for r in results.iter().filter(|r| r.total.is_none()) {
        note.push_str(&format!(
            "{}：有数据的指标分值仅占 {:.2}%，低于要求的 {}%，本期数据不足，不计总分、等级和费用调整；无数据指标 {} 项及原因见“未达标清单”。",
            r.scheme,
            r.scored_points_pct,
            crate::ingest::values::format_number(r.min_scored_pct),
            r.missing_indicators.len()
        ));
    }
    note
}

pub fn workbook(results: &[ScoreResult], workspace_name: &str) -> Workbook {
    let period = results
        .first()
        .map(|r| r.period.clone())
        .unwrap_or_default();
    let mut overview = Sheet::new(
        "总览",
        &format!("{workspace_name} 服务质量评分（{period}）"),
        &[
            "评估方案",
            "期间",
            "总分",
            "等级",
            "费用调整(%)",
            "数据覆盖率",
            "数据问题（错误/警告）",
        ],
    );
    for r in results {
        overview.push(
            RowStyle::Total,
            vec![
                r.scheme.as_str().into(),
                format!("{} 至 {}", r.start, r.end).into(),
                total_cell(r.total),
                r.grade.clone().into(),
                r.payment_adjust_pct
                    .map_or(Value::Empty, |p| Value::Number(p, 1)),
                r.data_quality
                    .coverage_pct
                    .map_or(Value::Empty, Value::Percent),
                format!(
                    "{} / {}",
                    r.data_quality.findings.error, r.data_quality.findings.warning
                )
                .into(),
            ],
        );
        overview.charts.push(Chart {
            kind: Default::default(),
            title: format!("{} 各维度得分", r.scheme),
            categories: r.dimensions.iter().map(|d| d.name.clone()).collect(),
            series: vec![
                (
                    "得分".to_string(),
                    r.dimensions
                        .iter()
                        .map(|d| (d.score * 100.0).round() / 100.0)
                        .collect(),
                ),
                (
                    "满分".to_string(),
                    r.dimensions.iter().map(|d| d.points).collect(),
                ),
            ],
        });
    }
    overview.note = Some(overview_note(results));

    let mut detail = Sheet::new("指标明细", "指标明细", &INDICATOR_HEADERS);
    let mut failed = Sheet::new("未达标清单", "未达标及无数据指标", &INDICATOR_HEADERS);
    for r in results {
        for d in &r.dimensions {
            detail.push(
                RowStyle::Total,
                vec![
                    r.scheme.as_str().into(),
                    d.name.as_str().into(),
                    Value::Empty,
                    "维度小计".into(),
                    Value::Empty,
                    Value::Empty,
                    Value::Empty,
                    Value::Empty,
                    Value::Number(d.points, 2),
                    Value::Number(d.score, 2),
                    Value::Empty,
                    Value::Empty,
                ],
            );
            for i in r.indicators.iter().filter(|i| i.dimension == d.id) {
                detail.push(style_of(i), indicator_row(&r.scheme, i, &d.name));
                if i.met != Some(true) {
                    failed.push(style_of(i), indicator_row(&r.scheme, i, &d.name));
                }
            }
        }
    }
    let mut sheets = vec![overview, detail];
    if results.iter().any(|r| !r.groups.is_empty()) {
        let mut groups = Sheet::new(
            "分组",
            "分组评分",
            &[
                "评估方案",
                "分组方式",
                "分组",
                "总分",
                "指标编号",
                "指标名称",
                "实际值",
                "目标",
                "是否达标",
                "得分",
                "状态",
                "数据行数",
            ],
        );
        for r in results {
            for g in &r.groups {
                for i in &g.indicators {
                    groups.push(
                        style_of(i),
                        vec![
                            r.scheme.as_str().into(),
                            g.by.as_str().into(),
                            g.key.as_str().into(),
                            total_cell(g.total),
                            i.id.as_str().into(),
                            i.name.as_str().into(),
                            fmt2(i.value),
                            i.target.as_str().into(),
                            met_text(i),
                            fmt2(i.score),
                            status_cell(i),
                            Value::Int(i.rows as i64),
                        ],
                    );
                }
            }
        }
        sheets.push(groups);
    }
    sheets.push(failed);
    let mut quality = Sheet::new(
        "数据质量",
        "数据质量",
        &["评估方案", "采集覆盖率", "错误", "警告"],
    );
    quality.note = Some("明细见同目录 check-<期间>.xlsx".into());
    let mut sources = Sheet::new(
        "来源",
        "输入数据来源",
        &["评估方案", "数据表", "文件", "SHA-256", "读入行数"],
    );
    for r in results {
        quality.push(
            RowStyle::Normal,
            vec![
                r.scheme.as_str().into(),
                r.data_quality
                    .coverage_pct
                    .map_or(Value::Empty, Value::Percent),
                Value::Int(r.data_quality.findings.error as i64),
                Value::Int(r.data_quality.findings.warning as i64),
            ],
        );
        for i in &r.inputs {
            sources.push(
                RowStyle::Normal,
                vec![
                    r.scheme.as_str().into(),
                    i.table.as_str().into(),
                    i.path.as_str().into(),
                    i.sha256.as_str().into(),
                    Value::Int(i.rows as i64),
                ],
            );
        }
    }
    sheets.push(quality);
    sheets.push(sources);
    Workbook { sheets }
}
