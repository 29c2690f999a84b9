//! Issued reports and corrections (SPEC §19): a report issued with `--issue` is kept
//! as `reports/issued/<kind>-<label>.rN.json` (its JSON, whose `inputs` carry every
//! input's sha256), never overwritten; a later run for the same period that differs
//! in any figure gets a `Correction`: the changed figures, the changed inputs and the
//! effect on grade and payment.

use serde::Serialize;
use serde_json::Value;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum IssuedError {
    #[error("无法读取已发布报告记录 {path}：{message}")]
    Read { path: PathBuf, message: String },
    #[error("无法写入已发布报告记录 {path}：{source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// One issued record on disk.
#[derive(Debug, Clone)]
pub struct Record {
    pub path: PathBuf,
    /// `<kind>-<label>`.
    pub stem: String,
    pub revision: u32,
    pub json: Value,
}

/// The issued records of one report (`<kind>-<label>`) in a folder.
pub struct Issued {
    dir: PathBuf,
    stem: String,
}

impl Issued {
    pub fn new(dir: &Path, stem: &str) -> Issued {
        Issued {
            dir: dir.to_path_buf(),
            stem: stem.to_string(),
        }
    }

    /// Every record of this report, oldest revision first.
    pub fn records(&self) -> Result<Vec<Record>, IssuedError> {
        let mut out: Vec<Record> = all(&self.dir)?
            .into_iter()
            .filter(|r| r.stem == self.stem)
            .collect();
        out.sort_by_key(|r| r.revision);
        Ok(out)
    }

    pub fn latest(&self) -> Result<Option<Record>, IssuedError> {
        Ok(self.records()?.pop())
    }

    /// Records `report` as the next revision; an existing file is never replaced.
    pub fn record(&self, report: &Value, issued_at: &str) -> Result<Record, IssuedError> {
        let revision = self.latest()?.map_or(1, |r| r.revision + 1);
        let path = self.dir.join(format!("{}.r{revision}.json", self.stem));
        let json = serde_json::json!({
            "report": self.stem,
            "revision": revision,
            "issued_at": issued_at,
            "content": report,
        });
        let write = |e| IssuedError::Write {
            path: path.clone(),
            source: e,
        };
        std::fs::create_dir_all(&self.dir).map_err(write)?;
        let bytes = serde_json::to_vec_pretty(&json).expect("JSON values serialise");
        // create_new: a record that exists (another run in between) is never replaced.
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(write)?;
        std::io::Write::write_all(&mut f, &bytes).map_err(write)?;
        f.sync_all().map_err(write)?;
        Ok(Record {
            path,
            stem: self.stem.clone(),
            revision,
            json,
        })
    }
}

/// Every record in `dir` (none when it does not exist), by name.
pub fn all(dir: &Path) -> Result<Vec<Record>, IssuedError> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for e in entries.flatten() {
        let path = e.path();
        let name = e.file_name().to_string_lossy().to_string();
        let Some((stem, revision)) = parse_name(&name) else {
            continue;
        };
        let bad = |message: String| IssuedError::Read {
            path: path.clone(),
            message,
        };
        let text = std::fs::read(&path).map_err(|e| bad(e.to_string()))?;
        let json: Value = serde_json::from_slice(&text).map_err(|e| bad(e.to_string()))?;
        out.push(Record {
            path,
            stem,
            revision,
            json,
        });
    }
    out.sort_by(|a, b| (&a.stem, a.revision).cmp(&(&b.stem, b.revision)));
    Ok(out)
}

/// `monthly-2025-08.r2.json` → ("monthly-2025-08", 2).
fn parse_name(name: &str) -> Option<(String, u32)> {
    let base = name.strip_suffix(".json")?;
    let (stem, rev) = base.rsplit_once(".r")?;
    Some((stem.to_string(), rev.parse().ok()?))
}

/// One figure of a report: what it is, in words, and its value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangedFigure {
    pub figure: String,
    pub before: Option<f64>,
    pub after: Option<f64>,
    pub difference: Option<f64>,
}

/// The inputs that differ from the issued report's.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ChangedInputs {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub hash_changed: Vec<String>,
}

/// Grade and payment adjustment of one scheme, before and after.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Effect {
    pub scheme: String,
    pub grade_before: Option<String>,
    pub grade_after: Option<String>,
    pub payment_adjust_pct_before: Option<f64>,
    pub payment_adjust_pct_after: Option<f64>,
}

/// What a new run changes against the latest issued revision.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Correction {
    pub report: String,
    pub corrects_revision: u32,
    pub issued_at: String,
    pub figures: Vec<ChangedFigure>,
    pub inputs: ChangedInputs,
    pub effect: Vec<Effect>,
}

/// The figures of a report JSON: each scheme's total and payment adjustment, each
/// indicator's value and score, and the audit's counts, by a name in words.
pub fn figures(report: &Value) -> Vec<(String, Option<f64>)> {
    let mut out = Vec::new();
    for s in report["scores"].as_array().into_iter().flatten() {
        let scheme = s["scheme"].as_str().unwrap_or_default();
        out.push((format!("{scheme}：总分"), s["total"].as_f64()));
        out.push((
            format!("{scheme}：费用调整(%)"),
            s["payment_adjust_pct"].as_f64(),
        ));
        for i in s["indicators"].as_array().into_iter().flatten() {
            let name = format!(
                "{scheme}：{}（{}）",
                i["name"].as_str().unwrap_or_default(),
                i["id"].as_str().unwrap_or_default()
            );
            out.push((format!("{name}实际值"), i["value"].as_f64()));
            out.push((format!("{name}得分"), i["score"].as_f64()));
        }
    }
    if report["check"].is_object() {
        for (key, words) in [("error", "错误"), ("warning", "警告")] {
            out.push((format!("数据稽核{words}数"), report["check"][key].as_f64()));
        }
    }
    // Special reports: their counts, and the fees topic's money.
    for (key, words) in [("events", "事件数"), ("late", "超时环节数")] {
        if let Some(v) = report[key].as_f64() {
            out.push((words.to_string(), Some(v)));
        }
    }
    for p in report["payment"].as_array().into_iter().flatten() {
        let scheme = p["scheme"].as_str().unwrap_or_default();
        for (key, words) in [("fee_due", "应付费用(元)"), ("adjust_yuan", "调整金额(元)")]
        {
            let yuan = p[key].as_str().and_then(|v| v.parse::<f64>().ok());
            if yuan.is_some() {
                out.push((format!("{scheme}：{words}"), yuan));
            }
        }
    }
    out
}

/// Equal up to floating-point noise.
fn same(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0),
        (a, b) => a.is_none() && b.is_none(),
    }
}

/// The correction of `now` (a report JSON) against the issued `record`, or `None`
/// when no figure differs.
pub fn correction(record: &Record, now: &Value) -> Option<Correction> {
    let before = &record.json["content"];
    let old: std::collections::BTreeMap<String, Option<f64>> =
        figures(before).into_iter().collect();
    let mut changed = Vec::new();
    for (figure, after) in figures(now) {
        let was = old.get(&figure).copied().flatten();
        if !old.contains_key(&figure) || !same(was, after) {
            changed.push(ChangedFigure {
                difference: after.zip(was).map(|(a, b)| ((a - b) * 1e9).round() / 1e9),
                figure,
                before: was,
                after,
            });
        }
    }
    let grades_moved = effects(before, now)
        .iter()
        .any(|e| e.grade_before != e.grade_after);
    if changed.is_empty() && !grades_moved {
        return None;
    }
    Some(Correction {
        report: record.stem.clone(),
        corrects_revision: record.revision,
        issued_at: record.json["issued_at"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        figures: changed,
        inputs: changed_inputs(&before["inputs"], &now["inputs"]),
        effect: effects(before, now),
    })
}

fn changed_inputs(before: &Value, now: &Value) -> ChangedInputs {
    let of = |v: &Value| -> std::collections::BTreeMap<String, String> {
        v.as_array()
            .into_iter()
            .flatten()
            .map(|i| {
                (
                    i["path"].as_str().unwrap_or_default().to_string(),
                    i["sha256"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    };
    let (old, new) = (of(before), of(now));
    ChangedInputs {
        added: new
            .keys()
            .filter(|p| !old.contains_key(*p))
            .cloned()
            .collect(),
        removed: old
            .keys()
            .filter(|p| !new.contains_key(*p))
            .cloned()
            .collect(),
        hash_changed: new
            .iter()
            .filter(|(p, h)| old.get(*p).is_some_and(|o| o != *h))
            .map(|(p, _)| p.clone())
            .collect(),
    }
}

fn effects(before: &Value, now: &Value) -> Vec<Effect> {
    let empty = Vec::new();
    let old = before["scores"].as_array().unwrap_or(&empty);
    now["scores"]
        .as_array()
        .unwrap_or(&empty)
        .iter()
        .map(|s| {
            let prev = old.iter().find(|o| o["scheme"] == s["scheme"]);
            let text = |v: &Value| v.as_str().map(str::to_string);
            Effect {
                scheme: s["scheme"].as_str().unwrap_or_default().to_string(),
                grade_before: prev.and_then(|p| text(&p["grade"])),
                grade_after: text(&s["grade"]),
                payment_adjust_pct_before: prev.and_then(|p| p["payment_adjust_pct"].as_f64()),
                payment_adjust_pct_after: s["payment_adjust_pct"].as_f64(),
            }
        })
        .collect()
}
