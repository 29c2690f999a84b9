//! `gwq report monthly|quarterly` (SPEC §14): each report from one session — the
//! period's audit, each scheme measured once per period of its trend, and the
//! chapters' figures — written as `<kind>-<period>.docx`, `.xlsx` and `.json`.
//!
//! What both reports need is here: the chapters' figures, the suggestions, the
//! files and the JSON; `monthly` and `quarterly` measure their own periods.

mod annual;
mod evaluation;
mod history;
mod monthly;
mod quarterly;
mod special;

use super::{data_quality, Context, Outcome};
use crate::analysis::{faults, plan, security, sources, suggest, trend};
use crate::audit::{run_check, CheckOptions, CheckReport};
use crate::cli::{ReportArgs, ReportKind};
use crate::findings::Severity;
use crate::issued::Issued;
use crate::period::Period;
use crate::progress::StepBar;
use crate::report::neutral::Report;
use crate::reports::inputs::{ReportInputs, SchemePeriod, Span};
use crate::scheme::Scheme;
use crate::score::utilisation;
use crate::score::{score_scheme, DataQuality, GroupBy, ScoreInput, ScoreResult};
use crate::session::Session;
use crate::tables::Table;
use anyhow::{Context as _, Result};
use std::collections::BTreeSet;
use std::path::PathBuf;

pub fn run(ctx: &Context, args: ReportArgs) -> Result<Outcome> {
    match args.kind {
        ReportKind::Monthly(a) => monthly::run(ctx, a, args.issue),
        ReportKind::Quarterly(a) => quarterly::run(ctx, a, args.issue),
        ReportKind::Annual(a) => annual::run(ctx, a, args.issue),
        ReportKind::Special(a) => special::run(ctx, a, args.issue),
        ReportKind::History => history::run(ctx),
    }
}

/// One scheme's figures for a report.
struct SchemeFigures {
    /// The period scored with districts.
    now: ScoreResult,
    /// The period as a trend point (whole or 截至).
    this: trend::MonthResult,
    /// The previous comparable period (last month, last quarter).
    previous: Option<trend::MonthResult>,
    /// The JSON's trend, oldest first.
    trend: Vec<trend::MonthResult>,
    /// The periods rules R1–R6 read, this one last.
    series: Vec<trend::MonthResult>,
    /// The months the report tabulates (see `SchemePeriod::months`).
    months: Vec<trend::MonthResult>,
    /// The year's quarters (annual; empty otherwise).
    quarters: Vec<trend::MonthResult>,
}

/// What every report loads and computes before its own periods.
struct Loaded {
    session: Session,
    schemes: Vec<Scheme>,
    check: CheckReport,
    quality: DataQuality,
    /// The problems ledger's movements in the period, when the workspace has one.
    ledger: Option<crate::ledger::movements::Movements>,
    bar: StepBar,
}

/// Opens the workspace, loads the session once and audits the period.
fn load(ctx: &Context, scheme: Option<&str>, period: &Period, steps: u64) -> Result<Loaded> {
    let ws = ctx.open_workspace()?;
    let schemes = crate::session::schemes_of(&ws, scheme)?;
    let session = ctx.session(ws)?;
    let bar = StepBar::new(ctx.progress, 2 + steps * schemes.len() as u64);
    bar.step(&format!("数据稽核 {}", period.label()));
    let check = run_check(
        &session.tables,
        &session.inventory,
        period,
        &CheckOptions::default(),
    )?;
    let quality = data_quality(&check);
    let path = &session.ws.problems.path;
    let ledger = match path.exists() {
        true => Some(crate::ledger::movements::of(
            &crate::ledger::LedgerFile::open(path)?,
            period,
        )),
        false => None,
    };
    Ok(Loaded {
        session,
        schemes,
        check,
        quality,
        ledger,
        bar,
    })
}

impl Loaded {
    /// The tables gwq.yaml configures.
    fn configured(&self) -> BTreeSet<Table> {
        self.session
            .tables
            .values()
            .filter(|t| t.configured)
            .map(|t| t.table)
            .collect()
    }

    /// The ledger's overdue problems as rule R4 reads them.
    fn overdue(&self) -> Vec<(String, String, i64)> {
        self.ledger.as_ref().map_or_else(Vec::new, |m| {
            m.overdue
                .iter()
                .map(|o| (o.id.clone(), o.description.clone(), o.days_late))
                .collect()
        })
    }

    /// Lines whose coverage is below the floor of rule R6.
    fn low_coverage(&self) -> Vec<(String, f64)> {
        self.check
            .coverage
            .iter()
            .filter(|c| c.coverage_pct < CheckOptions::default().min_coverage)
            .map(|c| (c.line_id.clone(), c.coverage_pct))
            .collect()
    }
}

/// What every period report measures after loading: each scheme's figures, the
/// chapters' figures and the suggestions.
struct Measured {
    figures: Vec<SchemeFigures>,
    chapters: ChapterFigures,
    suggestions: Vec<suggest::Suggestion>,
    sources: Vec<sources::SourceFile>,
    configured: BTreeSet<Table>,
    reconciliation: crate::reconcile::Reconciliation,
}

/// How a report measures one scheme for its period.
type FiguresOf = fn(&Session, &Scheme, &Period, &DataQuality) -> Result<SchemeFigures>;

/// Measures each scheme with `figures_of` (a progress step each), then the chapters
/// (faults, security, plans, the daily series of the first scheme's lines) and the
/// suggestions.
fn measure(loaded: &Loaded, period: &Period, figures_of: FiguresOf) -> Result<Measured> {
    let mut figures = Vec::new();
    for scheme in &loaded.schemes {
        loaded.bar.step(&format!("评分：{}", scheme.name));
        figures.push(figures_of(
            &loaded.session,
            scheme,
            period,
            &loaded.quality,
        )?);
    }
    loaded.bar.step("统计各章数据并写出报告");
    let access = loaded.schemes.first().and_then(|s| s.access_type.clone());
    let chapters = crate::progress::timed("report chapters", || {
        chapter_figures(&loaded.session, period, access.as_deref())
    })?;
    let suggestions = suggestions_of(&figures, &chapters.repeat, loaded);
    let known: Vec<&ScoreResult> = figures
        .iter()
        .flat_map(|f| {
            [&f.now]
                .into_iter()
                .chain(f.months.iter().chain(&f.quarters).map(|m| &m.result))
        })
        .collect();
    let reconciliation = crate::progress::timed("report reconcile", || {
        crate::commands::reconcile::reconcile_period(
            &loaded.session,
            &loaded.schemes,
            period,
            &known,
        )
    })?;
    Ok(Measured {
        figures,
        chapters,
        suggestions,
        sources: sources::files(&loaded.session.tables),
        configured: loaded.configured(),
        reconciliation,
    })
}

impl Measured {
    /// The shared chapters' inputs; `files` are the 附件 lines.
    fn inputs<'a>(
        &'a self,
        loaded: &'a Loaded,
        period: &'a Period,
        span: Span,
        files: &'a [String],
    ) -> ReportInputs<'a> {
        let c = &self.chapters;
        ReportInputs {
            workspace: &loaded.session.ws.name,
            period,
            span,
            schemes: loaded
                .schemes
                .iter()
                .zip(&self.figures)
                .map(|(scheme, f)| SchemePeriod {
                    scheme,
                    now: &f.now,
                    this: &f.this,
                    previous: f.previous.as_ref(),
                    months: &f.months,
                    quarters: &f.quarters,
                })
                .collect(),
            check: &loaded.check,
            ledger: loaded.ledger.as_ref(),
            faults: &c.faults,
            repeat_lines: &c.repeat,
            security: &c.security,
            plans: &c.plans,
            daily: &c.daily,
            worst: &c.worst,
            utilisation: &c.utilisation,
            suggestions: &self.suggestions,
            sources: &self.sources,
            files,
            configured: &self.configured,
            reconciliation: &self.reconciliation,
        }
    }

    /// Clears the bar, says each scheme's summary sentence, adds the 更正说明 when an
    /// issued revision of the report differs, writes the files, records the report as
    /// issued with `issue`, and prints the JSON when asked.
    #[allow(clippy::too_many_arguments)]
    fn finish(
        &self,
        ctx: &Context,
        loaded: &Loaded,
        span: Span,
        files: &Files,
        report: Report,
        json: serde_json::Value,
        issue: bool,
    ) -> Result<Outcome> {
        loaded.bar.finish();
        for f in &self.figures {
            ctx.say(&crate::reports::general::summary_sentence(&f.now, span));
        }
        publish(ctx, &loaded.session, files, report, json, issue)
    }
}

/// Every input file of the session: table, path, sha256 and rows read.
fn inputs_json(session: &Session) -> Vec<serde_json::Value> {
    session
        .tables
        .values()
        .flat_map(|t| t.files.iter())
        .map(|f| serde_json::json!({"table": f.table.name(), "path": f.path, "sha256": f.sha256, "rows": f.stats.rows_read}))
        .collect()
}

/// Writes a report's files — with a 更正说明 when an issued revision differs — records
/// it as issued with `issue`, and prints the JSON when asked. A JSON without `inputs`
/// (special reports) gets the session's, so a correction can name the changed files.
fn publish(
    ctx: &Context,
    session: &Session,
    files: &Files,
    report: Report,
    mut json: serde_json::Value,
    issue: bool,
) -> Result<Outcome> {
    if json.get("inputs").is_none() {
        json["inputs"] = serde_json::Value::from(inputs_json(session));
    }
    let (report, json) = corrected(ctx, session, files, report, json)?;
    files.write(ctx, &report, &json)?;
    if issue {
        let issued = Issued::new(&issued_dir(session), &files.stem);
        let at = chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string();
        let record = issued.record(&json, &at)?;
        ctx.say(&format!(
            "已登记为发布版本 r{}：{}",
            record.revision,
            record.path.display()
        ));
    }
    if ctx.json {
        ctx.print_json(&json)?;
    }
    Ok(Outcome::Done)
}

/// `<workspace>/reports/issued`.
fn issued_dir(session: &Session) -> PathBuf {
    session.ws.root.join("reports").join("issued")
}

/// With an issued revision that differs: the report with 更正说明 first, the JSON with
/// `correction`, and `correction-<kind>-<label>.json` written beside the report.
fn corrected(
    ctx: &Context,
    session: &Session,
    files: &Files,
    mut report: Report,
    mut json: serde_json::Value,
) -> Result<(Report, serde_json::Value)> {
    let issued = Issued::new(&issued_dir(session), &files.stem);
    let Some(latest) = issued.latest()? else {
        return Ok((report, json));
    };
    let Some(c) = crate::issued::correction(&latest, &json) else {
        return Ok((report, json));
    };
    // After 编制说明 (whose sentences name its table 表 1), else first.
    let at = report
        .sections
        .iter()
        .position(|s| s.heading == "编制说明")
        .map_or(0, |i| i + 1);
    report
        .sections
        .insert(at, crate::reports::correction::section(&c));
    json["correction"] = serde_json::to_value(&c)?;
    let path = files.dir.join(format!("correction-{}.json", files.stem));
    crate::output::write_atomic(&path, &serde_json::to_vec_pretty(&c)?)
        .with_context(|| format!("无法写入 {}", path.display()))?;
    ctx.say(&format!(
        "与已发布的第 {} 版相比有 {} 项数据变化，已加更正说明：{}",
        c.corrects_revision,
        c.figures.len(),
        path.display()
    ));
    Ok((report, json))
}

/// The figures of the chapters that are not scores.
struct ChapterFigures {
    faults: faults::FaultSummary,
    repeat: Vec<(String, u64)>,
    security: security::SecuritySummary,
    plans: Vec<(&'static str, plan::PlanSummary)>,
    daily: Vec<crate::score::daily::Day>,
    worst: Vec<crate::score::daily::LineFigures>,
    utilisation: utilisation::Utilisation,
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
    let samples = crate::progress::timed("report daily", || {
        crate::score::daily::figures(t(Table::Samples), access, &input)
    })?;
    let worst = samples.worst_lines(10);
    let daily = samples.by_day;
    let utilisation = crate::progress::timed("report utilisation", || {
        utilisation::measure(t(Table::Samples), access, &input)
    })?;
    Ok(ChapterFigures {
        faults,
        repeat,
        security,
        plans,
        daily,
        worst,
        utilisation,
    })
}

/// The suggestions of every scheme; the rules on lines (R3), the ledger (R4) and
/// coverage (R6) once, with the first scheme.
fn suggestions_of(
    figures: &[SchemeFigures],
    repeat: &[(String, u64)],
    loaded: &Loaded,
) -> Vec<suggest::Suggestion> {
    let (low, overdue) = (loaded.low_coverage(), loaded.overdue());
    let mut out = Vec::new();
    for (k, f) in figures.iter().enumerate() {
        let first = k == 0;
        out.extend(suggest::suggestions(&suggest::SuggestInput {
            months: &f.series,
            by_group: Some(&f.now),
            repeat_fault_lines: if first { repeat } else { &[] },
            overdue: if first { &overdue } else { &[] },
            low_coverage: if first { &low } else { &[] },
            min_coverage: CheckOptions::default().min_coverage,
        }));
    }
    out
}

/// The report's three files: `<stem>.docx`, `.xlsx`, `.json`.
struct Files {
    dir: PathBuf,
    stem: String,
}

impl Files {
    fn new(ctx: &Context, session: &Session, period: &Period, kind: &str) -> Files {
        Files {
            dir: ctx.output_dir(&session.ws, period),
            stem: format!("{kind}-{}", period.file_label()),
        }
    }

    fn path(&self, ext: &str) -> PathBuf {
        self.dir.join(format!("{}.{ext}", self.stem))
    }

    /// The 附件 lines.
    fn listed(&self) -> Vec<String> {
        vec![
            format!("{}.docx：本报告（Word）", self.stem),
            format!("{}.xlsx：各章数据明细（Excel）", self.stem),
            format!("{}.json：机器可读结果（JSON）", self.stem),
        ]
    }

    /// Writes the three files and says where they are.
    fn write(&self, ctx: &Context, report: &Report, json: &serde_json::Value) -> Result<()> {
        let docx = self.path("docx");
        crate::report::docx::write(&report.to_document(), &docx)
            .with_context(|| format!("无法写入 {}", docx.display()))?;
        let xlsx = self.path("xlsx");
        crate::report::xlsx::write(&report.to_workbook(), &xlsx)
            .with_context(|| format!("无法写入 {}", xlsx.display()))?;
        let path = self.path("json");
        crate::output::write_atomic(&path, serde_json::to_string_pretty(json)?.as_bytes())
            .with_context(|| format!("无法写入 {}", path.display()))?;
        ctx.say(&format!(
            "报告：{}\n明细：{}",
            docx.display(),
            xlsx.display()
        ));
        Ok(())
    }
}

/// The JSON of SPEC §14; `extra` adds the kind's own keys.
fn report_json(
    kind: &str,
    period: &Period,
    m: &Measured,
    loaded: &Loaded,
    extra: serde_json::Map<String, serde_json::Value>,
) -> serde_json::Value {
    let (check, session) = (&loaded.check, &loaded.session);
    let (figures, suggestions) = (&m.figures, &m.suggestions);
    let scores: Vec<&ScoreResult> = figures.iter().map(|f| &f.now).collect();
    let trend: Vec<trend::IndicatorTrend> = figures
        .iter()
        .flat_map(|f| trend::series(&f.trend))
        .collect();
    let inputs = inputs_json(session);
    let mut json = serde_json::json!({
        "kind": kind,
        "period": period.label(),
        "start": period.start.to_string(),
        "end": period.end.to_string(),
        "scores": scores,
        "trend": trend,
        "suggestions": suggestions,
        "ledger": loaded.ledger,
        "reconciliation": m.reconciliation,
        "check": {"error": check.count(Severity::Error), "warning": check.count(Severity::Warning)},
        "inputs": inputs,
        "gwq_version": env!("CARGO_PKG_VERSION"),
    });
    if let Some(map) = json.as_object_mut() {
        map.extend(extra);
    }
    json
}

/// A scheme scored for a report's own period, with districts, and what its other
/// periods are measured against.
struct Scored<'a> {
    /// The tables, inventory and calendar (its period is the report's).
    input: ScoreInput<'a>,
    now: ScoreResult,
    /// The period as a trend point (whole or 截至).
    this: trend::MonthResult,
    /// The newest record of the scheme's sources, for 截至.
    newest: Option<chrono::NaiveDateTime>,
}

fn scored<'a>(
    session: &'a Session,
    scheme: &Scheme,
    period: &'a Period,
    quality: &DataQuality,
) -> Result<Scored<'a>> {
    let input = session.score_input(period);
    let now = score_scheme(scheme, &input, Some(GroupBy::District), quality.clone())
        .with_context(|| format!("评分 {} 失败", scheme.name))?;
    let newest = sources::newest_record(&session.tables, scheme);
    let this = trend::MonthResult {
        month: period.clone(),
        result: now.clone(),
        cut_off: trend::cut_off(period, newest),
    };
    Ok(Scored {
        input,
        now,
        this,
        newest,
    })
}
