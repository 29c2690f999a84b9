//! A special report (监管专项报告, SPEC §14) on one topic over a period: 背景与范围,
//! 时间线, 影响 (lines, duration, units), 原因, 处置 against the time limits, 整改要求
//! and 附件 — every sentence made from the events.
//!
//! Pure: takes the events, returns a `Report`.

use super::text::{number_chapters, placed, section, table, widths};
use crate::analysis::incidents::{Event, Topic};
use crate::inventory::Inventory;
use crate::period::Period;
use crate::report::model::RowStyle;
use crate::report::neutral::{Block, Cell, Place, Report, Section};
use std::collections::BTreeMap;

pub struct SpecialInputs<'a> {
    pub workspace: &'a str,
    pub title: String,
    pub topic: &'a Topic,
    pub period: &'a Period,
    pub events: &'a [Event],
    pub inventory: &'a Inventory,
    /// The source files read, with their rows (附件 lists the outputs too).
    pub sources: Vec<String>,
    pub files: &'a [String],
}

impl SpecialInputs<'_> {
    /// Seconds from an event's start to the period's end (how long an open one has run).
    fn open_for(&self, e: &Event) -> i64 {
        (self.period.end_time() - e.start).num_seconds()
    }
}

pub fn build(s: &SpecialInputs) -> Report {
    Report {
        title: s.title.clone(),
        subtitle: Some(format!("（{} 至 {}）", s.period.start, s.period.end)),
        cover_lines: vec![s.workspace.to_string()],
        sections: number_chapters(vec![
            background(s),
            timeline(s),
            impact(s),
            causes(s),
            handling(s),
            requirements(s),
            super::text::attachments(s.files),
        ]),
    }
}

fn background(s: &SpecialInputs) -> Section {
    let mut sec = section("背景与范围", None);
    sec.blocks.push(Block::Paragraph(format!(
        "本专项报告针对{}，范围为 {} 至 {}，依据 {} 个数据文件（{}），共涉及 {} 条记录。",
        s.topic.title(),
        s.period.start,
        s.period.end,
        s.sources.len(),
        s.sources.join("、"),
        s.events.len()
    )));
    sec
}

fn hhmm(t: chrono::NaiveDateTime) -> String {
    t.format("%m-%d %H:%M").to_string()
}

fn timeline(s: &SpecialInputs) -> Section {
    let mut sec = section("时间线", Some("时间线"));
    if s.events.is_empty() {
        sec.blocks.push(Block::Paragraph(format!(
            "本期未发生{}相关记录。",
            s.topic.title()
        )));
        return sec;
    }
    let rows: Vec<(RowStyle, Vec<Cell>)> = s
        .events
        .iter()
        .map(|e| {
            let steps: Vec<String> = e
                .steps
                .iter()
                .map(|(w, t)| format!("{w} {}", hhmm(*t)))
                .collect();
            (
                RowStyle::Normal,
                vec![
                    e.id.clone().into(),
                    e.line_id.clone().unwrap_or_default().into(),
                    e.kind.clone().into(),
                    hhmm(e.start).into(),
                    steps.join("；").into(),
                ],
            )
        })
        .collect();
    let headers = ["编号", "线路", "类别", "开始", "后续环节"];
    let shown = rows.len().min(30);
    sec.blocks.push(placed(
        widths(
            table(
                format!("时间线（前 {shown} 条，全部见 Excel）"),
                &headers,
                rows.iter().take(30).cloned().collect(),
            ),
            &[3, 3, 2, 2, 6],
        ),
        Place::Document,
    ));
    sec.blocks.push(placed(
        table("时间线".into(), &headers, rows),
        Place::Workbook,
    ));
    sec
}

fn impact(s: &SpecialInputs) -> Section {
    let mut sec = section("影响", Some("影响"));
    let lines: Vec<&str> = {
        let mut l: Vec<&str> = s
            .events
            .iter()
            .filter_map(|e| e.line_id.as_deref())
            .collect();
        l.sort();
        l.dedup();
        l
    };
    let mut units: Vec<&str> = lines
        .iter()
        .filter_map(|l| s.inventory.get(l).and_then(|x| x.unit.as_deref()))
        .collect();
    units.sort();
    units.dedup();
    let hours: f64 = s
        .events
        .iter()
        .map(|e| {
            let end = e
                .end
                .unwrap_or(s.period.end_time())
                .min(s.period.end_time());
            (end - e.start).num_seconds().max(0) as f64 / 3600.0
        })
        .sum();
    let open = s.events.iter().filter(|e| e.end.is_none()).count();
    sec.blocks.push(Block::Paragraph(format!(
        "涉及线路 {} 条、单位 {} 个；各记录从开始到结束（未结束的计到 {}）累计 {hours:.2} 小时，期末仍未结束 {open} 条。",
        lines.len(),
        units.len(),
        s.period.end
    )));
    let mut by_district: BTreeMap<String, usize> = BTreeMap::new();
    for e in s.events {
        let d = e
            .line_id
            .as_deref()
            .and_then(|l| s.inventory.get(l))
            .and_then(|x| x.district.clone())
            .unwrap_or_else(|| "未关联线路".into());
        *by_district.entry(d).or_default() += 1;
    }
    if !s.events.is_empty() {
        sec.blocks.push(count_table("按区统计", "区", by_district));
    }
    sec
}

fn count_table(caption: &str, what: &str, counts: BTreeMap<String, usize>) -> Block {
    let mut rows: Vec<(String, usize)> = counts.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    table(
        caption.into(),
        &[what, "记录数"],
        rows.into_iter()
            .map(|(k, n)| (RowStyle::Normal, vec![k.into(), Cell::Int(n as i64)]))
            .collect(),
    )
}

fn causes(s: &SpecialInputs) -> Section {
    let mut sec = section("原因", Some("原因"));
    if s.events.is_empty() {
        sec.blocks
            .push(Block::Paragraph("本期没有需要分析原因的记录。".into()));
        return sec;
    }
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for e in s.events {
        *counts
            .entry(e.cause.clone().unwrap_or_else(|| "未填写".into()))
            .or_default() += 1;
    }
    let top = counts.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)));
    if let Some((cause, n)) = top {
        sec.blocks.push(Block::Paragraph(format!(
            "按记录的原因（来源）统计，共 {} 类；最多的是“{cause}”，{n} 条。",
            counts.len()
        )));
    }
    sec.blocks.push(count_table("按原因统计", "原因", counts));
    sec
}

fn minutes(secs: i64) -> String {
    match secs {
        s if s >= 86_400 => format!("{:.1} 天", s as f64 / 86_400.0),
        s if s >= 3_600 => format!("{:.1} 小时", s as f64 / 3_600.0),
        s => format!("{} 分钟", (s as f64 / 60.0).round()),
    }
}

fn handling(s: &SpecialInputs) -> Section {
    let mut sec = section("处置", Some("处置"));
    let checked: Vec<(&Event, &crate::analysis::incidents::Check)> = s
        .events
        .iter()
        .flat_map(|e| {
            e.checks
                .iter()
                .filter(|c| c.limit.is_some())
                .map(move |c| (e, c))
        })
        .collect();
    if checked.is_empty() {
        sec.blocks.push(Block::Paragraph(
            "评估方案没有为这些记录设定处置时限，不作时限判定。".into(),
        ));
        return sec;
    }
    let late: Vec<&(&Event, &crate::analysis::incidents::Check)> = checked
        .iter()
        .filter(|(e, c)| c.late(s.open_for(e)))
        .collect();
    sec.blocks.push(Block::Paragraph(format!(
        "按评估方案的时限判定 {} 个处置环节：按时 {} 个，超时或逾期未完成 {} 个。",
        checked.len(),
        checked.len() - late.len(),
        late.len()
    )));
    let row = |(e, c): &(&Event, &crate::analysis::incidents::Check)| {
        let verdict = c.verdict(s.open_for(e));
        (
            if c.late(s.open_for(e)) {
                RowStyle::Bad
            } else {
                RowStyle::Normal
            },
            vec![
                e.id.clone().into(),
                e.kind.clone().into(),
                c.step.clone().into(),
                c.taken.map_or("—".to_string(), minutes).into(),
                c.limit.map_or("—".to_string(), minutes).into(),
                Cell::from(verdict),
            ],
        )
    };
    let headers = ["编号", "类别", "环节", "用时", "时限", "结论"];
    if !late.is_empty() {
        sec.blocks.push(placed(
            table(
                "超时或逾期未完成的处置环节".into(),
                &headers,
                late.iter().map(|x| row(x)).collect(),
            ),
            Place::Document,
        ));
    }
    sec.blocks.push(placed(
        table(
            "处置时限判定".into(),
            &headers,
            checked.iter().map(row).collect(),
        ),
        Place::Workbook,
    ));
    sec
}

fn requirements(s: &SpecialInputs) -> Section {
    let mut sec = section("整改要求", None);
    let mut n = 0;
    for e in s.events {
        for c in e.checks.iter().filter(|c| c.late(s.open_for(e))) {
            n += 1;
            sec.blocks.push(Block::Paragraph(format!(
                "{n}. {}{}的{}{}（时限 {}），要求责任方说明原因并提交整改措施。",
                e.id,
                e.line_id
                    .as_ref()
                    .map_or(String::new(), |l| format!("（线路 {l}）")),
                c.step,
                match c.taken {
                    Some(t) => format!("用时 {}", minutes(t)),
                    None => "至期末未完成".to_string(),
                },
                c.limit.map_or("—".to_string(), minutes)
            )));
        }
    }
    let mut causes: BTreeMap<&str, usize> = BTreeMap::new();
    for e in s.events {
        if let Some(c) = &e.cause {
            *causes.entry(c.as_str()).or_default() += 1;
        }
    }
    for (cause, k) in causes.into_iter().filter(|(_, k)| *k >= 3) {
        n += 1;
        sec.blocks.push(Block::Paragraph(format!(
            "{n}. 原因“{cause}”本期出现 {k} 次，要求开展专项排查并提交分析报告。"
        )));
    }
    if n == 0 {
        sec.blocks.push(Block::Paragraph(
            "本期记录均在时限内处置，且没有反复出现（3 次及以上）的原因，暂无整改要求。".into(),
        ));
    }
    sec
}
