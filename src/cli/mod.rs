//! The command line as typed (clap derive): global options, the command enum and the
//! argument groups every command shares. The `///` comments are the help text.

pub mod examples;
pub mod usage;

use crate::period::Period;
use clap::{ArgAction, Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// gwq：政务外网（含5G接入）服务质量第三方监管工具——数据稽核、指标评分、费用稽核与报告。
#[derive(Debug, Parser)]
#[command(
    name = "gwq",
    version,
    about,
    long_about = None,
    disable_help_subcommand = true,
    disable_help_flag = true,
    disable_version_flag = true,
    subcommand_help_heading = "命令",
    subcommand_value_name = "命令"
)]
pub struct Cli {
    /// 工作区目录（含 gwq.yaml）；默认取 $GWQ_WORKSPACE，否则当前目录
    #[arg(short = 'w', long = "workspace", global = true, value_name = "DIR", help_heading = GLOBAL)]
    pub workspace: Option<PathBuf>,

    /// 只输出错误
    #[arg(short = 'q', long, global = true, conflicts_with = "verbose", help_heading = GLOBAL)]
    pub quiet: bool,

    /// 输出更多过程信息
    #[arg(short = 'v', long, global = true, help_heading = GLOBAL)]
    pub verbose: bool,

    /// 不显示进度条
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub no_progress: bool,

    /// 在标准输出打印机器可读的 JSON 结果（人读信息改到标准错误）
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub json: bool,

    /// 输出目录；默认 <工作区>/reports/<期间>/
    #[arg(short = 'o', long = "output", global = true, value_name = "DIR", help_heading = GLOBAL)]
    pub output: Option<PathBuf>,

    /// 显示帮助
    #[arg(short = 'h', long = "help", global = true, action = ArgAction::Help, help_heading = GLOBAL)]
    help: Option<bool>,

    /// 显示版本
    #[arg(short = 'V', long = "version", action = ArgAction::Version, help_heading = GLOBAL)]
    version: Option<bool>,

    #[command(subcommand)]
    pub command: Command,
}

const GLOBAL: &str = "全局选项";
const OPTIONS: &str = "选项";
const TEMPLATE: &str = "{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}";

impl Cli {
    /// Parses the command line with Chinese help headings on every command. The error
    /// is clap's (help and version requests included); `usage` says it in Chinese.
    pub fn try_parse_chinese() -> Result<Cli, clap::Error> {
        let command = Cli::command()
            .help_template(TEMPLATE)
            .override_usage("gwq [选项] <命令>")
            .mut_subcommands(|c| {
                let usage = chinese_usage(&c);
                let examples = examples::after_help(c.get_name());
                let c = c.help_template(TEMPLATE).override_usage(usage);
                match examples {
                    Some(e) => c.after_help(e),
                    None => c,
                }
            });
        let matches = command.try_get_matches()?;
        Cli::from_arg_matches(&matches)
    }
}

/// A subcommand's usage line with 选项 for clap's `[OPTIONS]`: `gwq demo [选项] <DIR>`.
fn chinese_usage(c: &clap::Command) -> String {
    let mut usage = format!("gwq {} [选项]", c.get_name());
    for arg in c.get_positionals() {
        let name = arg.get_value_names().and_then(|v| v.first()).map_or_else(
            || arg.get_id().to_string().to_uppercase(),
            |v| v.to_string(),
        );
        match arg.is_required_set() {
            true => usage.push_str(&format!(" <{name}>")),
            false => usage.push_str(&format!(" [{name}]")),
        }
    }
    usage
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// 新建工作区：gwq.yaml、默认指标体系、计费规则和工作日历
    Init(InitArgs),
    /// 生成一个逼真的模拟工作区（上海16区的线路、采样、工单、预算等）
    Demo(DemoArgs),
    /// 导入 gwq.yaml 中的全部数据源，标准化后缓存为 Parquet（.gwq/）
    Ingest(IngestArgs),
    /// 数据稽核：解析错误、缺失、重复、越界、时间倒序、未知线路、覆盖率、中断、不一致、陈旧
    Check(CheckArgs),
    /// 按指标体系评分：各指标实际值、达标情况、得分、总分、等级与费用调整
    Score(ScoreArgs),
    /// 费用预算稽核：按计费规则和线路台账逐项核算预算，输出稽核报告（Word、Excel）
    AuditFees(AuditFeesArgs),
    /// 报告：监管月报、季度监管与评估报告（Word、Excel、JSON）
    Report(ReportArgs),
    /// 问题清单（闭环管理）：同步、列出、查看、关闭
    Problems(ProblemsArgs),
    /// 现场抽查计划：≥3 个机房、各区 ≥10% 的在网线路、分时段的电话抽查时间，输出工作表
    Sample(SampleArgs),
    /// 数据报送模板：每张表一个 Excel 模板（中文表头、批注、下拉选项、填写说明）
    Template(TemplateArgs),
    /// 验收材料核对：按清单检查目录中的报告和材料是否齐全、能否打开，输出完整性矩阵
    Acceptance(AcceptanceArgs),
    /// 方案文档：由指标体系生成服务质量评估方案（或 --supervision 监管方案），Word 和 Excel
    Scheme(SchemeArgs),
    /// 自报数据核验：服务商自报指标（provider_kpis）与实测值逐项比对，标出虚报、少报
    Reconcile(ReconcileArgs),
    /// 方案重算：用修订后的指标体系重算过去各月（或各季度），对比总分、等级和费用调整
    Replay(ReplayArgs),
    /// 命令行补全脚本：gwq completions bash|zsh|fish|powershell
    Completions(CompletionsArgs),
}

#[derive(Debug, Args)]
#[command(next_help_heading = OPTIONS)]
pub struct ReplayArgs {
    /// 修订后的指标体系文件（YAML）
    #[arg(long, value_name = "NEW.yaml")]
    pub scheme_file: PathBuf,
    /// 现行方案：gwq.yaml 中 schemes 的名称（默认与修订方案接入方式相同的那个）
    #[arg(long, value_name = "SCHEME")]
    pub scheme: Option<String>,
    /// 逐月（month，默认）或逐季度（quarter）重算
    #[arg(long, value_enum, default_value = "month", value_name = "EVERY")]
    pub every: Every,
    #[command(flatten)]
    pub period: PeriodArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Every {
    Month,
    Quarter,
}

#[derive(Debug, Args)]
#[command(next_help_heading = OPTIONS)]
pub struct ReconcileArgs {
    #[command(flatten)]
    pub period: PeriodArgs,
}

#[derive(Debug, Args)]
#[command(next_help_heading = OPTIONS)]
pub struct CompletionsArgs {
    /// 外壳：bash、zsh、fish、powershell 或 elvish
    #[arg(value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
#[command(next_help_heading = OPTIONS)]
pub struct SchemeArgs {
    /// 评估方案：gwq.yaml 中 schemes 的名称（如 fiber、5g），或 all（默认，全部）
    #[arg(long, value_name = "SCHEME")]
    pub scheme: Option<String>,
    /// 生成服务质量监管方案（默认生成评估方案）
    #[arg(long)]
    pub supervision: bool,
    /// 与旧版指标体系文件对照，增加修订对照表
    #[arg(long, value_name = "OLD.yaml")]
    pub diff: Option<PathBuf>,
}

#[derive(Debug, Args)]
#[command(next_help_heading = OPTIONS)]
pub struct AcceptanceArgs {
    /// 待核对的材料目录（含子目录）
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// 核对清单（YAML）；默认为 SPEC 第 1 节的全部交付物和服务商月度运维报告
    #[arg(long, value_name = "FILE")]
    pub checklist: Option<PathBuf>,
    #[command(flatten)]
    pub period: PeriodArgs,
}

#[derive(Debug, Args)]
#[command(next_help_heading = OPTIONS)]
pub struct TemplateArgs {
    /// 数据表名（如 faults、samples）；省略时生成全部
    #[arg(value_name = "TABLE")]
    pub tables: Vec<String>,
}

#[derive(Debug, Args)]
#[command(next_help_heading = OPTIONS)]
pub struct SampleArgs {
    /// 季度，如 2025Q3
    #[arg(long, value_name = "Q", value_parser = quarter_arg)]
    pub quarter: String,
    /// 随机种子：同一种子、同一数据得到相同的抽样（默认 1）
    #[arg(long, value_name = "N", default_value_t = 1, hide_default_value = true)]
    pub seed: u64,
}

#[derive(Debug, Args)]
pub struct ProblemsArgs {
    #[command(subcommand)]
    pub action: ProblemsAction,
}

#[derive(Debug, Subcommand)]
pub enum ProblemsAction {
    /// 把一期的未达标指标、数据稽核错误和现场检查问题加入问题清单（已有的不重复添加）
    Sync(ProblemsSyncArgs),
    /// 列出问题
    List(ProblemsListArgs),
    /// 查看一个问题的全部内容
    Show(ProblemsShowArgs),
    /// 关闭一个问题
    Close(ProblemsCloseArgs),
}

#[derive(Debug, Args)]
#[command(next_help_heading = OPTIONS)]
pub struct ProblemsSyncArgs {
    /// 预算文件：同时加入费用稽核的错误（按服务期稽核）
    #[arg(long, value_name = "FILE")]
    pub budget: Option<PathBuf>,
    #[command(flatten)]
    pub period: PeriodArgs,
}

#[derive(Debug, Args)]
#[command(next_help_heading = OPTIONS)]
pub struct ProblemsListArgs {
    /// 只列未关闭的问题
    #[arg(long)]
    pub open: bool,
    /// 只列超过整改期限仍未关闭的问题
    #[arg(long)]
    pub overdue: bool,
    /// 只列某来源：indicator、check、fees、field、manual（或中文：指标未达标、数据稽核…）
    #[arg(long, value_name = "S")]
    pub source: Option<String>,
    /// 以哪天为准判断超期，如 2025-09-30（默认今天）
    #[arg(long, value_name = "D", value_parser = date_arg)]
    pub as_of: Option<chrono::NaiveDate>,
}

#[derive(Debug, Args)]
#[command(next_help_heading = OPTIONS)]
pub struct ProblemsShowArgs {
    /// 问题编号，如 P0001
    pub id: String,
}

#[derive(Debug, Args)]
#[command(next_help_heading = OPTIONS)]
pub struct ProblemsCloseArgs {
    /// 问题编号，如 P0001
    pub id: String,
    /// 关闭日期，如 2025-09-30
    #[arg(long, value_name = "D", value_parser = date_arg)]
    pub date: chrono::NaiveDate,
    /// 关闭说明（追加到备注）
    #[arg(long, value_name = "T")]
    pub note: Option<String>,
}

/// A date such as 2025-09-30.
fn date_arg(text: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| "应为日期，如 2025-09-30".to_string())
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// 登记为发布版本：报告 JSON 和各输入文件的 sha256 存入 reports/issued/（不覆盖）
    #[arg(long, global = true)]
    pub issue: bool,
    #[command(subcommand)]
    pub kind: ReportKind,
}

#[derive(Debug, Subcommand)]
pub enum ReportKind {
    /// 监管月报：总体情况、网络建设、运维服务、网络性能、网络安全、数据稽核、问题整改、分析与建议
    Monthly(MonthlyArgs),
    /// 季度监管与评估报告：月报各章，加综合评价、抽查与测试、结果应用
    Quarterly(QuarterlyArgs),
    /// 年度监管与评估报告：季度报告各章，加分季度评价、月度趋势、问题闭环、方案修订建议
    Annual(AnnualArgs),
    /// 监管专项报告：背景与范围、时间线、影响、原因、处置、整改要求
    Special(SpecialArgs),
    /// 已发布报告及其更正版本的清单（reports/issued/）
    History,
}

#[derive(Debug, Args)]
#[command(next_help_heading = OPTIONS)]
pub struct SpecialArgs {
    /// 期间，如 2025-08、2025Q3 或 2025-08-01..2025-08-15
    #[arg(long, value_name = "P", value_parser = period_arg)]
    pub period: String,
    /// 专题：faults（故障处置）、outages（网络中断）、security（安全问题整改）、fees（服务费用与考核扣减）或 line:线路编号
    #[arg(long, value_name = "TOPIC")]
    pub topic: String,
    /// 报告标题（默认按专题生成）
    #[arg(long, value_name = "T")]
    pub title: Option<String>,
}

#[derive(Debug, Args)]
#[command(next_help_heading = OPTIONS)]
pub struct AnnualArgs {
    /// 年度：2025（自然年）或 2025-07..2026-06（服务年度）；省略时取 gwq.yaml 的 service_period
    #[arg(long, value_name = "Y", value_parser = year_arg, conflicts_with = "period")]
    pub year: Option<String>,
    /// 任意区间，如 2025-07-01..2026-06-30
    #[arg(long, value_name = "P", value_parser = period_arg)]
    pub period: Option<String>,
    /// 评估方案：gwq.yaml 中 schemes 的名称（如 fiber、5g），或 all（默认，全部）
    #[arg(long, value_name = "SCHEME")]
    pub scheme: Option<String>,
}

#[derive(Debug, Args)]
#[command(next_help_heading = OPTIONS)]
pub struct MonthlyArgs {
    /// 月份，如 2025-08
    #[arg(long, value_name = "M", value_parser = month_arg)]
    pub month: String,
    /// 评估方案：gwq.yaml 中 schemes 的名称（如 fiber、5g），或 all（默认，全部）
    #[arg(long, value_name = "SCHEME")]
    pub scheme: Option<String>,
}

#[derive(Debug, Args)]
#[command(next_help_heading = OPTIONS)]
pub struct QuarterlyArgs {
    /// 季度，如 2025Q3
    #[arg(long, value_name = "Q", value_parser = quarter_arg)]
    pub quarter: String,
    /// 评估方案：gwq.yaml 中 schemes 的名称（如 fiber、5g），或 all（默认，全部）
    #[arg(long, value_name = "SCHEME")]
    pub scheme: Option<String>,
}

#[derive(Debug, Args)]
#[command(next_help_heading = OPTIONS)]
pub struct InitArgs {
    /// 新工作区目录（不存在则创建；已有 gwq.yaml 时不覆盖）
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
#[command(next_help_heading = OPTIONS)]
pub struct DemoArgs {
    /// 输出目录
    pub dir: PathBuf,
    /// 线路数（默认 48）
    #[arg(long, default_value_t = 48, hide_default_value = true)]
    pub lines: usize,
    /// 采样天数，自服务期起算（默认 92）
    #[arg(long, default_value_t = 92, hide_default_value = true)]
    pub days: u32,
    /// 随机种子，相同种子生成相同数据（默认 1）
    #[arg(long, default_value_t = 1, hide_default_value = true)]
    pub seed: u64,
    /// 首日（默认 2025-07-01）
    #[arg(long, value_name = "DATE")]
    pub start: Option<chrono::NaiveDate>,
    /// 采样间隔，分钟（默认 5）
    #[arg(long, default_value_t = 5, hide_default_value = true)]
    pub interval: u32,
    /// 植入各类数据问题与预算差错，并写出 demo-truth.json
    #[arg(long)]
    pub defects: bool,
}

#[derive(Debug, Args)]
#[command(next_help_heading = OPTIONS)]
pub struct IngestArgs {
    #[command(flatten)]
    pub period: PeriodArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
}

#[derive(Debug, Args)]
#[command(next_help_heading = OPTIONS)]
pub struct CheckArgs {
    #[command(flatten)]
    pub period: PeriodArgs,
    /// 覆盖率下限（%），低于则报 coverage；默认 95
    #[arg(
        long,
        default_value_t = 95.0,
        value_name = "PCT",
        hide_default_value = true
    )]
    pub min_coverage: f64,
    /// 有该级别（error 错误 / warning 警告）及以上的问题时以退出码 3 结束（供脚本使用）
    #[arg(long, value_enum, value_name = "LEVEL", hide_possible_values = true)]
    pub fail_on: Option<FailOn>,
}

#[derive(Debug, Args)]
#[command(next_help_heading = OPTIONS)]
pub struct ScoreArgs {
    #[command(flatten)]
    pub period: PeriodArgs,
    /// 评估方案：gwq.yaml 中 schemes 的名称（如 fiber、5g），或 all（默认，全部）
    #[arg(long, value_name = "SCHEME")]
    pub scheme: Option<String>,
    /// 分组评分：district（区）、unit（单位）或 line（线路）
    #[arg(long, value_enum, value_name = "BY", hide_possible_values = true)]
    pub by: Option<crate::score::GroupBy>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum FeeFailOn {
    Error,
    Advice,
}

#[derive(Debug, Args)]
#[command(next_help_heading = OPTIONS)]
pub struct AuditFeesArgs {
    /// 预算文件（XLSX、XLS 或 CSV）
    pub budget: PathBuf,
    /// 计费规则文件；默认取 gwq.yaml 的 billing_rules，否则 rules/billing.yaml
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// 线路台账文件；默认取 gwq.yaml 中的 inventory
    #[arg(long, value_name = "FILE")]
    pub inventory: Option<PathBuf>,
    #[command(flatten)]
    pub period: PeriodArgs,
    /// 有该级别（error 错误 / advice 建议）及以上的问题时以退出码 3 结束（供脚本使用）
    #[arg(long, value_enum, value_name = "LEVEL", hide_possible_values = true)]
    pub fail_on: Option<FeeFailOn>,
}

/// `--month M | --quarter Q | --year Y | --period A..B`, shared by every command.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "期间（四选一；省略时取 gwq.yaml 的 service_period）")]
pub struct PeriodArgs {
    /// 月份，如 2025-08
    #[arg(long, value_name = "M", group = "period_choice", value_parser = month_arg)]
    pub month: Option<String>,
    /// 季度，如 2025Q3
    #[arg(long, value_name = "Q", group = "period_choice", value_parser = quarter_arg)]
    pub quarter: Option<String>,
    /// 年度：2025（自然年）或 2025-07..2026-06 / 2025-07-01..2026-06-30（服务年度）
    #[arg(long, value_name = "Y", group = "period_choice", value_parser = year_arg)]
    pub year: Option<String>,
    /// 任意区间（含首尾），如 2025-07-01..2026-06-30；也接受 2025-08、2025Q3、2025
    #[arg(long, value_name = "P", group = "period_choice", value_parser = period_arg)]
    pub period: Option<String>,
}

impl PeriodArgs {
    /// The period asked for, if any: one parser for every form.
    pub fn resolve(&self) -> Result<Option<Period>, crate::period::BadPeriod> {
        let text = self
            .month
            .as_ref()
            .or(self.quarter.as_ref())
            .or(self.year.as_ref())
            .or(self.period.as_ref());
        text.map(|t| parse_any_period(t)).transpose()
    }
}

/// `--month`: a month such as 2025-08 (a malformed one is a usage error, SPEC §2).
fn month_arg(text: &str) -> Result<String, String> {
    let ok = parse_any_period(text).is_ok_and(|p| p.label().len() == 7 && !p.label().contains('Q'));
    ok.then(|| text.to_string())
        .ok_or_else(|| "应为年-月，如 2025-08（月份 01–12）".to_string())
}

/// `--quarter`: a quarter such as 2025Q3.
fn quarter_arg(text: &str) -> Result<String, String> {
    let ok = parse_any_period(text).is_ok_and(|p| p.label().contains('Q'));
    ok.then(|| text.to_string())
        .ok_or_else(|| "应为年份加季度，如 2025Q3（Q1–Q4）".to_string())
}

/// `--year`: a calendar year (2025) or a service year as a month or date range.
fn year_arg(text: &str) -> Result<String, String> {
    let ok = parse_any_period(text).is_ok_and(|p| p.label().len() == 4 || p.label().contains(".."));
    ok.then(|| text.to_string()).ok_or_else(|| {
        "应为 2025（自然年）或 2025-07..2026-06、2025-07-01..2026-06-30（服务年度）".to_string()
    })
}

/// `--period`: any period form.
fn period_arg(text: &str) -> Result<String, String> {
    parse_any_period(text)
        .map(|_| text.to_string())
        .map_err(|_| {
            "应为 2025-08（月）、2025Q3（季度）、2025（年）或 2025-07-01..2026-06-30（区间）"
                .to_string()
        })
}

/// Accepts every period form, plus a month range `2025-07..2026-06`.
pub fn parse_any_period(text: &str) -> Result<Period, crate::period::BadPeriod> {
    if let Some((a, b)) = text.split_once("..") {
        if a.len() == 7 && b.len() == 7 {
            let first: Period = a.parse()?;
            let last: Period = b.parse()?;
            if last.end < first.start {
                return Err(crate::period::BadPeriod(text.to_string()));
            }
            return Ok(Period::new(first.start, last.end));
        }
    }
    text.parse()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_ranges_become_date_ranges() {
        let p = parse_any_period("2025-07..2026-06").unwrap();
        assert_eq!(p.label(), "2025-07-01..2026-06-30");
        assert!(parse_any_period("2026-07..2025-06").is_err());
    }

    #[test]
    fn cli_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
