//! `gwq report monthly --month M`: the monthly supervision report (SPEC §14) as
//! `monthly-M.docx`, `monthly-M.xlsx` and `monthly-M.json`, from one session: the
//! month's audit, each scheme measured once for the month (with districts) and once
//! for each earlier month of the service year (the trend), and the chapters' figures.

use super::{data_quality, Context, Outcome};
use crate::analysis::{faults, plan, security, sources, suggest, trend};
use crate::audit::{run_check, CheckOptions, CheckReport};
use crate::cli::{MonthlyArgs, ReportArgs, ReportKind};
use crate::findings::Severity;
use crate::period::Period;
use crate::reports::inputs::{ReportInputs, SchemePeriod, Span};
use crate::reports::{general, monthly};
use crate::scheme::Scheme;
use crate::score::{score_scheme, DataQuality, GroupBy, ScoreResult};
use crate::session::Session;
use crate::tables::Table;
use anyhow::{Context as _, Result};
use chrono::Datelike;

pub fn run(ctx: &Context, args: ReportArgs) -> Result<Outcome> {
    match args.kind {
        ReportKind::Monthly(a) => run_monthly(ctx, a),
    }
}

/// One scheme's figures: this month with districts, and the months of its trend.
struct SchemeFigures {
    now: ScoreResult,
    this: trend::MonthResult,
    /// The months before, from the service year's first (at least last month).
    earlier: Vec<trend::MonthResult>,
}

impl SchemeFigures {
    /// The trend's months in order, this month last.
    fn months(&self) -> Vec<trend::MonthResult> {
        self.earlier
            .iter()
            .cloned()
            .chain([self.this.clone()])
            .collect()
    }
}

fn run_monthly(ctx: &Context, args: MonthlyArgs) -> Result<Outcome> {
    let ws = ctx.open_workspace()?;
    let period: Period = args.month.parse()?;
    let schemes = crate::session::schemes_of(&ws, args.scheme.as_deref())?;
    let session = ctx.session(ws)?;
    let bar = crate::progress::StepBar::new(ctx.progress, 2 + schemes.len() as u64);
    bar.step(&format!("数据稽核 {}", period.label()));
    let check = run_check(
        &session.tables,
        &session.inventory,
        &period,
        &CheckOptions::default(),
    )?;
    let quality = data_quality(&check);
    let mut figures = Vec::new();
    for scheme in &schemes {
        bar.step(&format!("评分：{}", scheme.name));
        figures.push(scheme_figures(&session, scheme, &period, &quality)?);
    }
    bar.step("统计各章数据并写出报告");
    let access = schemes.first().and_then(|s| s.access_type.clone());
    let chapters = chapter_figures(&session, &period, access.as_deref())?;
    let low: Vec<(String, f64)> = check
        .coverage
        .iter()
        .filter(|c| c.coverage_pct < CheckOptions::default().min_coverage)
        .map(|c| (c.line_id.clone(), c.coverage_pct))
        .collect();
    let suggestions = suggestions_of(&figures, &chapters.repeat, &low);
    let dir = ctx.output_dir(&session.ws, &period);
    let stem = format!("monthly-{}", period.file_label());
    let names: Vec<String> = ["docx", "xlsx", "json"]
        .iter()
        .map(|e| format!("{stem}.{e}"))
        .collect();
    let files = vec![
        format!("{}：本报告（Word）", names[0]),
        format!("{}：各章数据明细（Excel）", names[1]),
        format!("{}：机器可读结果（JSON）", names[2]),
    ];
    let source_files = sources::files(&session.tables);
    let configured = session
        .tables
        .values()
        .filter(|t| t.configured)
        .map(|t| t.table)
        .collect();
    let report = monthly::build(&ReportInputs {
        workspace: &session.ws.name,
        period: &period,
        span: Span::Month,
        schemes: schemes
            .iter()
            .zip(&figures)
            .map(|(scheme, f)| SchemePeriod {
                scheme,
                now: &f.now,
                this: &f.this,
                previous: f.earlier.last(),
            })
            .collect(),
        check: &check,
        faults: &chapters.faults,
        repeat_lines: &chapters.repeat,
        security: &chapters.security,
        plans: &chapters.plans,
        daily: &chapters.daily,
        worst: &chapters.worst,
        suggestions: &suggestions,
        sources: &source_files,
        files: &files,
        configured: &configured,
    });
    let docx = dir.join(&names[0]);
    crate::report::docx::write(&report.to_document(), &docx)
        .with_context(|| format!("无法写入 {}", docx.display()))?;
    let xlsx = dir.join(&names[1]);
    crate::report::xlsx::write(&report.to_workbook(), &xlsx)
        .with_context(|| format!("无法写入 {}", xlsx.display()))?;
    let json = report_json(&period, &figures, &suggestions, &check, &session);
    let json_path = dir.join(&names[2]);
    crate::output::write_atomic(&json_path, serde_json::to_string_pretty(&json)?.as_bytes())
        .with_context(|| format!("无法写入 {}", json_path.display()))?;
    drop(bar);
    for f in &figures {
        ctx.say(&general::summary_sentence(&f.now, Span::Month));
    }
    ctx.say(&format!(
        "报告：{}\n明细：{}",
        docx.display(),
        xlsx.display()
    ));
    if ctx.json {
        ctx.print_json(&json)?;
    }
    Ok(Outcome::Done)
}

/// The figures of the chapters that are not scores.
struct ChapterFigures {
    faults: faults::FaultSummary,
    repeat: Vec<(String, u64)>,
    security: security::SecuritySummary,
    plans: Vec<(&'static str, plan::PlanSummary)>,
    daily: Vec<crate::score::daily::Day>,
    worst: Vec<crate::score::daily::LineFigures>,
}

/// Faults (all access types), repeated faults, security, work against plan, and the
/// daily series of the first scheme's lines.
fn chapter_figures(
    session: &Session,
    period: &Period,
    access: Option<&str>,
) -> Result<ChapterFigures> {
    let t = |table: Table| &session.tables[&table];
    let faults = faults::summarise(t(Table::Faults), &session.inventory, None, period)?;
    let repeat = faults::repeat_lines(t(Table::Faults), &session.inventory, None, period, 90, 3)?;
    let security = security::summarise(t(Table::Security), period)?;
    let plans = vec![
        (
            "机房巡检",
            plan::against_plan(t(Table::Inspections), "planned_on", "done_on", period)?,
        ),
        (
            "应急演练",
            plan::against_plan(t(Table::Drills), "planned_on", "done_on", period)?,
        ),
        (
            "建设工程",
            plan::against_plan(t(Table::Projects), "due_on", "done_on", period)?,
        ),
        (
            "服务商报告",
            plan::against_plan(t(Table::ProviderReports), "due_on", "submitted_on", period)?,
        ),
    ];
    let input = session.score_input(period);
    let samples = crate::score::daily::figures(t(Table::Samples), access, &input)?;
    let worst = samples.worst_lines(10);
    let daily = samples.by_day;
    Ok(ChapterFigures {
        faults,
        repeat,
        security,
        plans,
        daily,
        worst,
    })
}

/// The suggestions of every scheme; the rules on lines (R3) and coverage (R6) once,
/// with the first scheme.
fn suggestions_of(
    figures: &[SchemeFigures],
    repeat: &[(String, u64)],
    low: &[(String, f64)],
) -> Vec<suggest::Suggestion> {
    let mut out = Vec::new();
    for (k, f) in figures.iter().enumerate() {
        let months = f.months();
        let first = k == 0;
        out.extend(suggest::suggestions(&suggest::SuggestInput {
            months: &months,
            by_group: Some(&f.now),
            repeat_fault_lines: if first { repeat } else { &[] },
            overdue: &[],
            low_coverage: if first { low } else { &[] },
            min_coverage: CheckOptions::default().min_coverage,
        }));
    }
    out
}

/// The month scored with districts (measured once), and the month before for the
/// trend and the changes.
fn scheme_figures(
    session: &Session,
    scheme: &Scheme,
    period: &Period,
    quality: &DataQuality,
) -> Result<SchemeFigures> {
    let input = session.score_input(period);
    let now = score_scheme(scheme, &input, Some(GroupBy::District), quality.clone())
        .with_context(|| format!("评分 {} 失败", scheme.name))?;
    let newest = sources::newest_record(&session.tables, scheme);
    // The service year's months before this one (SPEC §14), at least the last month.
    let before = period.start - chrono::Duration::days(1);
    let last_month = before.with_day(1).expect("day 1 exists");
    let first = session
        .ws
        .service_period
        .as_ref()
        .map(|p| p.start.with_day(1).expect("day 1 exists"))
        .filter(|s| *s < last_month)
        .unwrap_or(last_month);
    let earlier = trend::monthly(scheme, &Period::new(first, before), &input, newest)?;
    let this = trend::MonthResult {
        month: period.clone(),
        result: now.clone(),
        cut_off: trend::cut_off(period, newest),
    };
    Ok(SchemeFigures { now, this, earlier })
}

/// The JSON of SPEC §14.
fn report_json(
    period: &Period,
    figures: &[SchemeFigures],
    suggestions: &[suggest::Suggestion],
    check: &CheckReport,
    session: &Session,
) -> serde_json::Value {
    let scores: Vec<&ScoreResult> = figures.iter().map(|f| &f.now).collect();
    let trend: Vec<trend::IndicatorTrend> = figures
        .iter()
        .flat_map(|f| trend::series(&f.months()))
        .collect();
    let inputs: Vec<serde_json::Value> = session
        .tables
        .values()
        .flat_map(|t| t.files.iter())
        .map(|f| serde_json::json!({"table": f.table.name(), "path": f.path, "sha256": f.sha256, "rows": f.stats.rows_read}))
        .collect();
    serde_json::json!({
        "kind": "monthly",
        "period": period.label(),
        "start": period.start.to_string(),
        "end": period.end.to_string(),
        "scores": scores,
        "trend": trend,
        "suggestions": suggestions,
        "ledger": null,
        "check": {"error": check.count(Severity::Error), "warning": check.count(Severity::Warning)},
        "inputs": inputs,
        "gwq_version": env!("CARGO_PKG_VERSION"),
    })
}
