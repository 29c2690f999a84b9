//! What a period report shows, computed by the command: the inputs the chapters of
//! the monthly and quarterly reports share, and the words that differ between them
//! (本月 or 本季度).

use crate::analysis::faults::FaultSummary;
use crate::analysis::plan::PlanSummary;
use crate::analysis::security::SecuritySummary;
use crate::analysis::sources::SourceFile;
use crate::analysis::suggest::Suggestion;
use crate::analysis::trend::MonthResult;
use crate::audit::CheckReport;
use crate::period::Period;
use crate::scheme::Scheme;
use crate::score::daily::Day;
use crate::score::ScoreResult;

/// The span a report covers, and its words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    Month,
    Quarter,
    Year,
}

impl Span {
    /// 本月, 本季度.
    pub fn this(self) -> &'static str {
        match self {
            Span::Month => "本月",
            Span::Quarter => "本季度",
            Span::Year => "本年度",
        }
    }

    /// 上月, 上季度.
    pub fn last(self) -> &'static str {
        match self {
            Span::Month => "上月",
            Span::Quarter => "上季度",
            Span::Year => "上年度",
        }
    }

    /// 环比 against the period before; 同比 for a year against the year before.
    pub fn change(self) -> &'static str {
        match self {
            Span::Year => "同比",
            _ => "环比",
        }
    }

    /// 月末, 季末.
    pub fn end(self) -> &'static str {
        match self {
            Span::Month => "月末",
            Span::Quarter => "季末",
            Span::Year => "年末",
        }
    }
}

/// One scheme's period: its result (with district groups) and the previous period.
pub struct SchemePeriod<'a> {
    pub scheme: &'a Scheme,
    pub now: &'a ScoreResult,
    /// This period as the trend has it (whole or 截至).
    pub this: &'a MonthResult,
    pub previous: Option<&'a MonthResult>,
    /// The months of the trend, each measured once: the service year's up to this one
    /// (monthly), the quarter's three (quarterly), the year's (annual).
    pub months: &'a [MonthResult],
    /// The year's quarters (annual; empty otherwise).
    pub quarters: &'a [MonthResult],
}

/// Everything the chapters shared by the monthly and quarterly reports show.
pub struct ReportInputs<'a> {
    pub workspace: &'a str,
    pub period: &'a Period,
    pub span: Span,
    pub schemes: Vec<SchemePeriod<'a>>,
    pub check: &'a CheckReport,
    /// The problems ledger's movements, when the workspace keeps one.
    pub ledger: Option<&'a crate::ledger::movements::Movements>,
    pub faults: &'a FaultSummary,
    pub repeat_lines: &'a [(String, u64)],
    pub security: &'a SecuritySummary,
    /// (what, summary): 机房巡检, 应急演练, 建设工程, 服务商报告.
    pub plans: &'a [(&'static str, PlanSummary)],
    pub daily: &'a [Day],
    /// The lines of lowest availability in the period (at most 10).
    pub worst: &'a [crate::score::daily::LineFigures],
    /// Each line's p95 rate against its bandwidth, most used first.
    pub utilisation: &'a crate::score::utilisation::Utilisation,
    pub suggestions: &'a [Suggestion],
    pub sources: &'a [SourceFile],
    /// The files this report is written to (附件).
    pub files: &'a [String],
    /// The tables gwq.yaml configures: a chapter on a table it lacks says so.
    pub configured: &'a std::collections::BTreeSet<crate::tables::Table>,
    /// The provider's own figures against gwq's (自报数据核验, SPEC §18).
    pub reconciliation: &'a crate::reconcile::Reconciliation,
}

impl ReportInputs<'_> {
    /// The report: `<workspace><title>`, the subtitle, the cover lines (workspace and
    /// period) and the sections, chapters numbered.
    pub(super) fn report(
        &self,
        title: &str,
        subtitle: String,
        sections: Vec<crate::report::neutral::Section>,
    ) -> crate::report::neutral::Report {
        crate::report::neutral::Report {
            title: format!("{}{title}", self.workspace),
            subtitle: Some(subtitle),
            cover_lines: vec![
                self.workspace.to_string(),
                format!("统计期间：{} 至 {}", self.period.start, self.period.end),
            ],
            sections: super::text::number_chapters(sections),
        }
    }

    /// "无数据：gwq.yaml 未配置故障工单数据源。" when the table has no source.
    pub(super) fn missing(&self, table: crate::tables::Table) -> Option<String> {
        (!self.configured.contains(&table))
            .then(|| format!("无数据：gwq.yaml 未配置{}数据源。", table.def().title))
    }
}

/// What the evaluation reports (quarterly, annual) show beyond the shared chapters.
pub struct EvaluationInputs<'a> {
    /// The shared chapters' inputs over the report's period.
    pub base: ReportInputs<'a>,
    pub field: &'a crate::analysis::field::FieldSummary,
    /// Per scheme: the fee the billing rules make due for its service in the period,
    /// or why there is none (no rules, no service).
    pub fees: Vec<Result<crate::fees::due::DueFee, String>>,
}
