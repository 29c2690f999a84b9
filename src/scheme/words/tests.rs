use super::*;
use crate::scheme::Scheme;

/// The one indicator of a scheme written as one YAML line.
fn ind(line: &str) -> Indicator {
    let points: String = line[line.find("points: ").unwrap() + 8..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let text = format!(
        "scheme: 测试\ntotal_points: {points}\ngrades:\n  - {{ min: 0, name: 合格 }}\ndimensions:\n  - id: d\n    name: 维度\n    indicators:\n      - {line}\n"
    );
    let s = Scheme::parse("t", "t.yaml", &text).unwrap_or_else(|e| panic!("{e}"));
    let first = s.indicators().next().unwrap().clone();
    first
}

#[test]
fn a_sentence_for_every_measure() {
    let cases = [
        ("{ id: A, name: 线路可用率, measure: availability, source: samples, target: \">= 99.95\", points: 10, scoring: { rule: threshold } }",
         "线路可用率 = 可达的采样时段数 ÷ 有效采样时段数 × 100%（线路在网期间、计划内中断时段不计入分子和分母）；全部线路的采样合并计算"),
        ("{ id: A, name: 可用率, measure: availability, source: outages, aggregate: mean_of_lines, target: \">= 99.9\", points: 10, scoring: { rule: threshold } }",
         "可用率 = （1 − 非计划中断时长 ÷ （线路在网时长 − 计划内中断时长））× 100%，中断按统计期和线路在网日期截取；各线路分别计算后取平均"),
        ("{ id: A, name: 平均时延, measure: mean, source: samples, column: latency_ms, where: reachable, target: \"<= 10\", points: 10, scoring: { rule: threshold } }",
         "平均时延 = 统计期内可达为是的性能采样的时延的平均值"),
        ("{ id: A, name: 时延95分位, measure: percentile, source: samples, column: latency_ms, p: 95, method: nearest_rank, target: \"<= 20\", points: 10, scoring: { rule: threshold } }",
         "时延95分位 = 统计期内性能采样的时延的第 95 百分位数（最近秩：从小到大第 ⌈p/100 × n⌉ 个）"),
        ("{ id: A, name: 接通率, measure: ratio, source: phone_checks, condition: \"answered AND answer_seconds <= 30\", target: \">= 95\", points: 10, scoring: { rule: threshold } }",
         "接通率 = 是否接通为是且接通时长(秒)不超过30的记录数 ÷ 统计期内电话抽查的记录数 × 100%"),
        ("{ id: A, name: 故障响应及时率, measure: on_time_rate, source: faults, start: reported_at, end: responded_at, limit: { by: severity, values: { 1: 15m, 2: 30m, 3: 60m } }, target: \">= 98\", points: 10, scoring: { rule: threshold } }",
         "故障响应及时率 = 时限内响应的故障工单数 ÷ 统计期内报障的故障工单数 × 100%，时限按故障等级：一级 15 分钟、二级 30 分钟、三级 1 小时；到统计期末仍未响应且已超过时限的计为超时"),
        ("{ id: A, name: 开通及时率, measure: on_time_rate, source: provisioning, start: requested_on, end: completed_on, limit: 10wd, where: \"kind IN ('新装', '扩容')\", target: \">= 95\", points: 10, scoring: { rule: threshold } }",
         "开通及时率 = 时限内完成的类型为新装、扩容的开通工单数 ÷ 统计期内申请的类型为新装、扩容的开通工单数 × 100%，时限为 10 个工作日；到统计期末仍未完成且已超过时限的计为超时"),
        ("{ id: A, name: 平均修复时长, measure: mean_duration, source: faults, start: reported_at, end: restored_at, target: \"<= 4\", points: 10, scoring: { rule: threshold } }",
         "平均修复时长 = Σ（恢复时间 − 报障时间）÷ 两者均已填写的故障工单数，单位为小时"),
        ("{ id: A, name: 重大安全事件, measure: count, source: security, where: \"source = '安全事件' AND severity = '高'\", target: \"<= 0\", points: 10, scoring: { rule: threshold } }",
         "重大安全事件 = 统计期内来源为“安全事件”且等级为“高”的安全问题的记录数"),
        ("{ id: A, name: 巡检完成率, measure: completion_rate, source: inspections, due: planned_on, done: done_on, target: \">= 100\", points: 10, scoring: { rule: threshold } }",
         "巡检完成率 = 完成日期不晚于计划日期的机房巡检数 ÷ 计划日期在统计期内的机房巡检数 × 100%"),
        ("{ id: A, name: 拥塞占比, measure: ratio, source: samples, condition: \"GREATEST(in_bps, out_bps) <= 0.8 * bandwidth_mbps * 1000000\", target: \">= 99\", points: 10, scoring: { rule: threshold } }",
         "拥塞占比 = 满足“GREATEST(in_bps, out_bps) <= 0.8 * bandwidth_mbps * 1000000”的记录数 ÷ 统计期内性能采样的记录数 × 100%"),
    ];
    for (yaml, sentence) in cases {
        assert_eq!(formula(&ind(yaml)), sentence, "{yaml}");
    }
}

#[test]
fn sources_and_rules_in_words() {
    let i = ind("{ id: A, name: 故障响应及时率, measure: on_time_rate, source: faults, start: reported_at, end: responded_at, limit: { by: severity, values: { 1: 15m } }, target: \">= 98\", unit: \"%\", points: 5, scoring: { rule: linear, step: 1, deduct: 1 }, veto: { cap_total: 3 } }");
    assert_eq!(
        source_text(&i),
        "故障工单（faults）：报障时间、响应时间、故障等级"
    );
    assert_eq!(
        rule_text(&i),
        "达到目标得 5 分；每差 1% 扣 1 分（不足 1% 按 1% 计），扣完为止；一票否决：未达标时总分最高计 3 分"
    );
    let b = ind("{ id: A, name: 接通率, measure: ratio, source: phone_checks, condition: answered, target: \">= 95\", points: 4, scoring: { rule: bands, bands: [ { min: 95, points: 4 }, { min: 90, points: 2 } ] } }");
    assert_eq!(
        rule_text(&b),
        "分档计分：≥ 95 得 4 分；≥ 90 得 2 分，其余得 0 分"
    );
    assert_eq!(limit_text(&Limit::Seconds(90.0)), "90 秒");
    assert_eq!(limit_text(&Limit::Seconds(172_800.0)), "2 天");
}
