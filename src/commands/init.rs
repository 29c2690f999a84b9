//! `gwq init DIR`: a new workspace with gwq.yaml, folders for the exports, the
//! default files the later commands read, and the input templates (`templates/`).

use super::{Context, Outcome};
use crate::cli::InitArgs;
use crate::workspace::WORKSPACE_FILE;
use anyhow::{bail, Context as _, Result};

/// The gwq.yaml of a new workspace: every source commented with the usual layout.
pub const TEMPLATE: &str = r#"# gwq 工作区配置（SPEC §3）。路径相对于本文件所在目录。
name: 上海市市级政务外网服务质量第三方监管
service_period: 2025-07-01..2026-06-30
sources:                      # 每项：文件、通配符或列表；也可写 {path: 文件, sheet: 工作表}
  inventory:    data/台账/*.xlsx
  samples:      data/性能/*.csv
  outages:      data/告警/中断事件*.xlsx
  faults:       data/工单/故障工单*.xlsx
  provisioning: data/工单/开通工单*.xlsx
  inspections:  data/巡检/*.xlsx
  drills:       data/安全/应急演练*.xlsx
  security:     data/安全/安全问题整改*.xlsx
  complaints:   data/服务/投诉*.xlsx
  surveys:      data/服务/满意度*.xlsx
  provider_reports: data/服务/服务商报告*.xlsx
  projects:     data/建设/工程*.xlsx
  phone_checks: data/抽查/电话抽查*.xlsx
  site_tests:   data/抽查/现场测试*.xlsx
  sim_cards:    data/5G/号卡*.xlsx
  kpi_5g:       data/5G/性能*.csv
columns: {}                   # 额外的列名别名，例如 samples: { 平均时延(ms): latency_ms }
schemes:                      # 评估方案（指标体系），score/report 默认全部使用
  fiber: indicators/fiber.yaml
  5g:    indicators/5g.yaml
billing_rules: rules/billing.yaml     # 计费规则（资费、折扣、按天折算），audit-fees 使用
calendar: calendar/cn-workdays.yaml   # 工作日历：内置 2025–2026，本文件可补充或覆盖某年
"#;

/// The workspace calendar file: empty lists, to be filled when a new year's notice arrives.
const CALENDAR: &str = "# 工作日历补充（每年 11 月国务院办公厅发布次年放假安排后填写）。\n# 列出某年的任一日期，即以本文件替换内置日历中该年的安排。\n# holidays: [2027-01-01..2027-01-03]   # 放假日期或区间\n# workdays: [2027-02-07]               # 调休上班日\nholidays: []\nworkdays: []\n";

const FOLDERS: &[&str] = &[
    "data/台账",
    "data/性能",
    "data/告警",
    "data/工单",
    "data/巡检",
    "data/安全",
    "data/服务",
    "data/建设",
    "data/抽查",
    "data/5G",
    "data/预算",
    "ledger",
    "reports",
];

pub fn run(ctx: &Context, args: InitArgs) -> Result<Outcome> {
    let file = args.dir.join(WORKSPACE_FILE);
    if file.exists() {
        bail!("{} 已存在：init 不覆盖已有工作区", file.display());
    }
    for folder in FOLDERS {
        let p = args.dir.join(folder);
        std::fs::create_dir_all(&p).with_context(|| format!("无法创建目录 {}", p.display()))?;
    }
    for (_, rel, text) in crate::scheme::DEFAULT_SCHEMES {
        let p = args.dir.join(rel);
        crate::output::write_atomic(&p, text.as_bytes())
            .with_context(|| format!("无法写入 {}", p.display()))?;
    }
    let rules = args.dir.join("rules/billing.yaml");
    crate::output::write_atomic(&rules, crate::fees::rules::DEFAULT_RULES.as_bytes())
        .with_context(|| format!("无法写入 {}", rules.display()))?;
    let cal = args.dir.join("calendar/cn-workdays.yaml");
    crate::output::write_atomic(&cal, CALENDAR.as_bytes())
        .with_context(|| format!("无法写入 {}", cal.display()))?;
    super::template::write_templates(&args.dir.join("templates"), &crate::tables::Table::ALL)?;
    crate::output::write_atomic(&file, TEMPLATE.as_bytes())
        .with_context(|| format!("无法写入 {}", file.display()))?;
    ctx.say(&format!(
        "已创建工作区 {}：把导出文件放进 data/ 下对应目录（templates/ 有各表的报送模板），然后运行 gwq -w {} check",
        args.dir.display(),
        args.dir.display()
    ));
    Ok(Outcome::Done)
}
