//! Demo data (SPEC §11): a complete, realistic, deterministic workspace — inventory
//! across Shanghai's 16 districts, 5-minute samples, outages, tickets, inspections,
//! drills, security findings, complaints, spot checks, 5G cards and KPIs.
//!
//! With `defects`, data-audit problems of every code are planted and recorded in
//! `demo-truth.json` so tests can check that gwq finds exactly them.

mod budget;
mod events;
mod kpis;
mod series;
mod world;
mod write;

use crate::period::Period;
use anyhow::{Context, Result};
use chrono::NaiveDate;
use serde::Serialize;
use std::path::Path;

pub use budget::{BUDGET_FILE, RULES_FILE};
pub use series::UNKNOWN_LINE;

/// What to generate.
#[derive(Debug, Clone)]
pub struct DemoConfig {
    pub lines: usize,
    pub days: u32,
    pub seed: u64,
    pub start: NaiveDate,
    /// Minutes between samples.
    pub interval: u32,
    pub defects: bool,
}

/// One planted problem: where gwq must report it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Planted {
    pub code: String,
    pub table: String,
    /// File relative to the workspace, when one row is at fault.
    pub file: Option<String>,
    pub row: Option<u64>,
    pub column: Option<String>,
    pub line_id: Option<String>,
}

impl Planted {
    pub fn row(
        code: &str,
        table: &str,
        file: &str,
        row: u64,
        column: &str,
        line_id: Option<&str>,
    ) -> Planted {
        Planted {
            code: code.into(),
            table: table.into(),
            file: Some(file.into()),
            row: Some(row),
            column: Some(column.into()),
            line_id: line_id.map(str::to_string),
        }
    }

    pub fn line(code: &str, table: &str, line_id: &str) -> Planted {
        Planted {
            code: code.into(),
            table: table.into(),
            file: None,
            row: None,
            column: None,
            line_id: Some(line_id.into()),
        }
    }

    pub fn table(code: &str, table: &str) -> Planted {
        Planted {
            code: code.into(),
            table: table.into(),
            file: None,
            row: None,
            column: None,
            line_id: None,
        }
    }
}

/// The ground truth of a demo workspace, written as `demo-truth.json`.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Truth {
    /// The period the data covers (`start..end`).
    pub period: String,
    pub seed: u64,
    pub lines: usize,
    pub sample_rows: u64,
    pub findings: Vec<Planted>,
    /// Exact duplicate rows planted per table (dropped and counted, no finding).
    pub exact_duplicates: std::collections::BTreeMap<String, u64>,
    /// The fee-audit findings planted in the demo budget.
    pub fees: Vec<budget::PlantedFee>,
    /// The provider's stated figures planted better than measured (SPEC §18).
    pub provider_kpis: Vec<kpis::PlantedKpi>,
}

impl Truth {
    pub fn plant(&mut self, p: Planted) {
        self.findings.push(p);
    }

    /// Records one planted exact duplicate row of `table`.
    pub fn exact_duplicate(&mut self, table: &str) {
        *self.exact_duplicates.entry(table.to_string()).or_default() += 1;
    }
}

fn gwq_yaml(config: &DemoConfig, end: NaiveDate, with_kpis: bool) -> String {
    let kpis = match with_kpis {
        true => format!("  provider_kpis:    {}\n", kpis::FILE),
        false => String::new(),
    };
    format!(
        r#"# 由 gwq demo 生成的模拟工作区（种子 {seed}）。
name: 上海市市级政务外网服务质量第三方监管（模拟数据）
service_period: {start}..{end}
sources:
  inventory:        data/台账/线路台账.xlsx
  samples:          data/性能/*.csv
  outages:          data/告警/中断事件.xlsx
  faults:           data/工单/故障工单.xlsx
  provisioning:     data/工单/开通工单.xlsx
  inspections:      data/巡检/机房巡检.xlsx
  drills:           data/安全/应急演练.xlsx
  security:         data/安全/安全问题整改.xlsx
  complaints:       data/服务/投诉.xlsx
  surveys:          data/服务/满意度调查.xlsx
  provider_reports: data/服务/服务商报告.xlsx
  projects:         data/建设/建设工程.xlsx
  phone_checks:     data/抽查/电话抽查.xlsx
  site_tests:       data/抽查/现场测试.xlsx
  sim_cards:        data/5G/号卡.xlsx
  kpi_5g:           data/5G/性能_5G.csv
{kpis}schemes:
  fiber: indicators/fiber.yaml
  5g:    indicators/5g.yaml
billing_rules: rules/billing.yaml
"#,
        seed = config.seed,
        start = config.start,
    )
}

/// The whole months ('M') or quarters ('Q') of the period.
fn whole(period: &Period, kind: char) -> Vec<Period> {
    crate::period::labels_within(period)
        .into_iter()
        .filter(|l| match kind {
            'Q' => l.contains('Q'),
            _ => l.len() == 7 && !l.contains('Q'),
        })
        .map(|l| l.parse().expect("labels parse"))
        .collect()
}

/// Generates the workspace into `root` and returns its ground truth.
pub fn generate(root: &Path, config: &DemoConfig) -> Result<Truth> {
    let world = world::build(config.seed, config.lines, config.start, config.days);
    let mut truth = Truth {
        period: format!("{}..{}", world.start, world.end()),
        seed: config.seed,
        lines: config.lines,
        ..Truth::default()
    };
    std::fs::create_dir_all(root).with_context(|| format!("无法创建目录 {}", root.display()))?;
    let (seed, defects) = (config.seed, config.defects);
    events::write_inventory(root, &world)?;
    truth.sample_rows =
        series::write_samples(root, &world, seed, config.interval, defects, &mut truth)?;
    series::write_kpi(root, &world, seed, defects, &mut truth)?;
    events::write_outages(root, &world, defects, &mut truth)?;
    events::write_faults(root, &world, seed, defects, &mut truth)?;
    events::write_provisioning(root, &world, seed, defects, &mut truth)?;
    events::write_inspections(root, &world, seed, defects, &mut truth)?;
    events::write_drills(root, &world, seed)?;
    events::write_security(root, &world, seed, defects, &mut truth)?;
    events::write_complaints(root, &world, seed, defects, &mut truth)?;
    events::write_surveys(root, &world, seed)?;
    events::write_provider_reports(root, &world, seed)?;
    events::write_projects(root, &world, seed)?;
    events::write_phone_checks(root, &world, seed, defects, &mut truth)?;
    events::write_site_tests(root, &world, seed)?;
    events::write_sim_cards(root, &world, seed)?;
    truth.fees = budget::write(root, &world)?;
    for (_, rel, text) in crate::scheme::DEFAULT_SCHEMES {
        crate::output::write_atomic(&root.join(rel), text.as_bytes())?;
    }
    // The provider's figures are measured from the exports written so far.
    let yaml_path = root.join(crate::workspace::WORKSPACE_FILE);
    crate::output::write_atomic(&yaml_path, gwq_yaml(config, world.end(), false).as_bytes())?;
    let period = Period::new(world.start, world.end());
    truth.provider_kpis = kpis::write(root, &whole(&period, 'M'), &whole(&period, 'Q'))?;
    crate::output::write_atomic(&yaml_path, gwq_yaml(config, world.end(), true).as_bytes())?;
    if defects {
        let json = serde_json::to_vec_pretty(&truth)?;
        crate::output::write_atomic(&root.join("demo-truth.json"), &json)?;
    }
    Ok(truth)
}
