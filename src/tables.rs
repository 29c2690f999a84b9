//! The canonical tables of SPEC §4, defined once: their columns, types, built-in
//! header aliases, required columns, key and time column.
//!
//! Everything else in gwq names columns through these definitions; raw export headers
//! exist only inside `ingest`.

use std::fmt;

/// The type a canonical column is parsed into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColType {
    /// Trimmed text; empty is null.
    Str,
    /// Whole number.
    Int,
    /// Severity level 1–3 (一级/二级/三级 or 1/2/3), stored as an integer.
    Level,
    /// Number, possibly with a unit, percent sign or thousands separators.
    Float,
    /// Bandwidth in Mbps: `100M`, `1G`, `1000`.
    Mbps,
    /// Traffic rate in bits per second: `1200`, `12.5Mbps`.
    Bps,
    /// 是/否, Y/N, 1/0, true/false, 正常/中断.
    Bool,
    /// Local date and time, stored with millisecond precision.
    DateTime,
    /// Calendar date.
    Date,
    /// `fiber` or `5g` (光纤/有线/专线/5G are normalised).
    AccessType,
    /// A period label (`2025-08`, `2025Q3`; `2025年8月`, `2025年第3季度` and a date's month
    /// are normalised), stored as the label text.
    Period,
}

impl ColType {
    /// A Chinese word for the type, used in error messages.
    pub fn label(self) -> &'static str {
        match self {
            ColType::Str | ColType::AccessType => "文本",
            ColType::Int => "整数",
            ColType::Level => "等级(1-3)",
            ColType::Float | ColType::Mbps | ColType::Bps => "数值",
            ColType::Bool => "是/否",
            ColType::DateTime => "日期时间",
            ColType::Date => "日期",
            ColType::Period => "统计周期",
        }
    }
}

/// One canonical column.
#[derive(Debug)]
pub struct ColumnDef {
    pub name: &'static str,
    pub ty: ColType,
    pub aliases: &'static [&'static str],
}

/// The canonical tables (SPEC §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Table {
    Inventory,
    Samples,
    Outages,
    Faults,
    Provisioning,
    Inspections,
    Drills,
    Security,
    Complaints,
    PhoneChecks,
    SiteTests,
    Projects,
    ProviderReports,
    ProviderKpis,
    Surveys,
    SimCards,
    Kpi5g,
    /// The fee budget (预算) given to `gwq audit-fees`; not a workspace source.
    Budget,
}

/// One canonical table: its columns and the rules the data audit applies.
#[derive(Debug)]
pub struct TableDef {
    pub table: Table,
    pub name: &'static str,
    pub title: &'static str,
    pub columns: &'static [ColumnDef],
    /// Each entry is a group of which at least one column must be present and non-empty.
    pub required: &'static [&'static [&'static str]],
    /// The column that places a row in a period.
    pub time_column: &'static str,
    /// Columns that identify a row: the same key twice with other values is a `duplicate`.
    pub key: &'static [&'static str],
    /// (start, end) pairs where end must not come before start (`time_order`).
    pub time_order: &'static [(&'static str, &'static str)],
}

impl Table {
    pub const ALL: [Table; 17] = [
        Table::Inventory,
        Table::Samples,
        Table::Outages,
        Table::Faults,
        Table::Provisioning,
        Table::Inspections,
        Table::Drills,
        Table::Security,
        Table::Complaints,
        Table::PhoneChecks,
        Table::SiteTests,
        Table::Projects,
        Table::ProviderReports,
        Table::ProviderKpis,
        Table::Surveys,
        Table::SimCards,
        Table::Kpi5g,
    ];

    pub fn def(self) -> &'static TableDef {
        if self == Table::Budget {
            return &BUDGET;
        }
        TABLES
            .iter()
            .find(|d| d.table == self)
            .expect("every table has a definition")
    }

    pub fn name(self) -> &'static str {
        self.def().name
    }

    pub fn from_name(name: &str) -> Option<Table> {
        TABLES.iter().find(|d| d.name == name).map(|d| d.table)
    }

    /// Tables whose rows belong to a line (and so to an access type via inventory).
    pub fn is_line_keyed(self) -> bool {
        self.def().column("line_id").is_some() && self != Table::Inventory
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl TableDef {
    pub fn column(&self, name: &str) -> Option<&'static ColumnDef> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The position of a column the table defines (a typo in gwq's own code panics).
    pub fn column_index(&self, name: &str) -> usize {
        self.columns
            .iter()
            .position(|c| c.name == name)
            .unwrap_or_else(|| panic!("table {} has no column {name}", self.name))
    }
}

use ColType::*;

macro_rules! col {
    ($name:literal, $ty:expr, [$($alias:literal),* $(,)?]) => {
        ColumnDef { name: $name, ty: $ty, aliases: &[$($alias),*] }
    };
}

const LINE_ALIASES: ColumnDef = col!(
    "line_id",
    Str,
    [
        "线路编号",
        "电路编号",
        "专线编号",
        "接入点编号",
        "线路ID",
        "电路代号"
    ]
);

pub static TABLES: &[TableDef] = &[
    TableDef {
        table: Table::Inventory,
        name: "inventory",
        title: "线路台账",
        columns: &[
            LINE_ALIASES,
            col!("unit", Str, ["单位名称", "用户单位", "单位"]),
            col!("district", Str, ["所属区", "区县", "行政区", "所属区县"]),
            col!("access_type", AccessType, ["接入方式", "接入类型"]),
            col!(
                "bandwidth_mbps",
                Mbps,
                ["带宽", "签约带宽", "带宽(M)", "带宽(Mbps)"]
            ),
            col!("room_id", Str, ["机房", "机房编号"]),
            col!("opened_on", Date, ["开通日期"]),
            col!("closed_on", Date, ["拆机日期", "撤销日期"]),
            col!("tariff", Str, ["资费编码", "资费"]),
        ],
        required: &[&["line_id"], &["access_type"]],
        time_column: "opened_on",
        key: &["line_id"],
        time_order: &[("opened_on", "closed_on")],
    },
    TableDef {
        table: Table::Samples,
        name: "samples",
        title: "性能采样",
        columns: &[
            col!("time", DateTime, ["采集时间", "时间", "采样时间"]),
            LINE_ALIASES,
            col!("latency_ms", Float, ["时延", "平均时延", "时延(ms)"]),
            col!("jitter_ms", Float, ["抖动", "时延抖动"]),
            col!("loss_pct", Float, ["丢包率", "丢包率(%)"]),
            col!("in_bps", Bps, ["入流量", "入速率(bps)", "入速率"]),
            col!("out_bps", Bps, ["出流量", "出速率(bps)", "出速率"]),
            col!("reachable", Bool, ["可达", "状态", "连通性"]),
        ],
        required: &[
            &["time"],
            &["line_id"],
            &["latency_ms", "loss_pct", "reachable"],
        ],
        time_column: "time",
        key: &["line_id", "time"],
        time_order: &[],
    },
    TableDef {
        table: Table::Outages,
        name: "outages",
        title: "中断事件",
        columns: &[
            LINE_ALIASES,
            col!("start", DateTime, ["开始时间", "中断时间", "中断开始时间"]),
            col!("end", DateTime, ["结束时间", "恢复时间", "中断结束时间"]),
            col!("planned", Bool, ["计划内", "是否计划", "计划中断"]),
            col!("cause", Str, ["原因", "中断原因"]),
        ],
        required: &[&["line_id"], &["start"]],
        time_column: "start",
        key: &["line_id", "start"],
        time_order: &[("start", "end")],
    },
    TableDef {
        table: Table::Faults,
        name: "faults",
        title: "故障工单",
        columns: &[
            col!("ticket_id", Str, ["工单号", "工单编号", "故障单号"]),
            LINE_ALIASES,
            col!("access_type", AccessType, ["接入方式", "接入类型"]),
            col!("severity", Level, ["故障等级", "等级", "故障级别"]),
            col!("reported_at", DateTime, ["报障时间", "申告时间"]),
            col!("responded_at", DateTime, ["响应时间"]),
            col!("arrived_at", DateTime, ["到场时间"]),
            col!("restored_at", DateTime, ["恢复时间", "修复时间"]),
            col!("closed_at", DateTime, ["归档时间", "关单时间"]),
            col!("cause", Str, ["故障原因", "原因"]),
            col!("satisfied", Bool, ["满意", "是否满意", "用户满意"]),
        ],
        required: &[&["ticket_id"], &["reported_at"]],
        time_column: "reported_at",
        key: &["ticket_id"],
        time_order: &[
            ("reported_at", "responded_at"),
            ("reported_at", "arrived_at"),
            ("reported_at", "restored_at"),
            ("reported_at", "closed_at"),
        ],
    },
    TableDef {
        table: Table::Provisioning,
        name: "provisioning",
        title: "开通工单",
        columns: &[
            col!("ticket_id", Str, ["工单号", "工单编号"]),
            LINE_ALIASES,
            col!("unit", Str, ["单位名称", "用户单位", "单位"]),
            col!("kind", Str, ["类型", "工单类型", "业务类型"]),
            col!("requested_on", Date, ["申请日期", "受理日期"]),
            col!("due_on", Date, ["承诺日期", "承诺完成日期"]),
            col!("completed_on", Date, ["完成日期", "竣工日期"]),
        ],
        required: &[&["ticket_id"], &["requested_on"]],
        time_column: "requested_on",
        key: &["ticket_id"],
        time_order: &[("requested_on", "completed_on")],
    },
    TableDef {
        table: Table::Inspections,
        name: "inspections",
        title: "机房巡检",
        columns: &[
            col!("room_id", Str, ["机房", "机房编号"]),
            col!("planned_on", Date, ["计划日期", "计划巡检日期"]),
            col!("done_on", Date, ["完成日期", "实际巡检日期"]),
            col!("findings", Int, ["发现问题数", "问题数"]),
            col!("report", Bool, ["报告提交", "是否提交报告"]),
        ],
        required: &[&["room_id"], &["planned_on"]],
        time_column: "planned_on",
        key: &["room_id", "planned_on"],
        time_order: &[],
    },
    TableDef {
        table: Table::Drills,
        name: "drills",
        title: "应急演练",
        columns: &[
            col!("drill_id", Str, ["演练编号"]),
            col!("scenario", Str, ["场景", "演练场景"]),
            col!("planned_on", Date, ["计划日期"]),
            col!("done_on", Date, ["完成日期", "实施日期"]),
            col!("report", Bool, ["报告提交", "是否提交报告"]),
        ],
        required: &[&["planned_on"]],
        time_column: "planned_on",
        key: &["drill_id"],
        time_order: &[],
    },
    TableDef {
        table: Table::Security,
        name: "security",
        title: "安全问题",
        columns: &[
            col!("finding_id", Str, ["问题编号"]),
            col!("source", Str, ["来源", "问题来源"]),
            col!("severity", Str, ["等级", "风险等级", "问题等级"]),
            col!("found_on", Date, ["发现日期"]),
            col!("due_on", Date, ["整改期限", "整改截止日期"]),
            col!("rectified_on", Date, ["整改完成日期", "完成日期"]),
            col!("verified", Bool, ["复核通过", "是否复核通过"]),
        ],
        required: &[&["finding_id"], &["found_on"]],
        time_column: "found_on",
        key: &["finding_id"],
        time_order: &[("found_on", "rectified_on")],
    },
    TableDef {
        table: Table::Complaints,
        name: "complaints",
        title: "投诉",
        columns: &[
            col!("complaint_id", Str, ["投诉编号", "工单号"]),
            col!("unit", Str, ["单位名称", "用户单位", "投诉单位"]),
            col!("access_type", AccessType, ["接入方式", "接入类型"]),
            col!("received_at", DateTime, ["受理时间"]),
            col!("resolved_at", DateTime, ["办结时间"]),
            col!("upheld", Bool, ["有效投诉", "是否有效"]),
            col!("satisfied", Bool, ["满意", "是否满意"]),
        ],
        required: &[&["complaint_id"], &["received_at"]],
        time_column: "received_at",
        key: &["complaint_id"],
        time_order: &[("received_at", "resolved_at")],
    },
    TableDef {
        table: Table::PhoneChecks,
        name: "phone_checks",
        title: "电话抽查",
        columns: &[
            col!("call_at", DateTime, ["拨打时间"]),
            col!("answered", Bool, ["是否接通", "接通"]),
            col!("answer_seconds", Float, ["接通时长(秒)", "接通时长"]),
        ],
        required: &[&["call_at"], &["answered"]],
        time_column: "call_at",
        key: &[],
        time_order: &[],
    },
    TableDef {
        table: Table::SiteTests,
        name: "site_tests",
        title: "现场测试",
        columns: &[
            LINE_ALIASES,
            col!("tested_on", Date, ["测试日期"]),
            col!("throughput_mbps", Float, ["实测带宽", "实测速率"]),
            col!("latency_ms", Float, ["时延", "时延(ms)"]),
            col!("loss_pct", Float, ["丢包率", "丢包率(%)"]),
            col!("passed", Bool, ["是否达标", "测试结论"]),
        ],
        required: &[&["line_id"], &["tested_on"]],
        time_column: "tested_on",
        key: &["line_id", "tested_on"],
        time_order: &[],
    },
    TableDef {
        table: Table::Projects,
        name: "projects",
        title: "建设工程",
        columns: &[
            col!("project_id", Str, ["工程编号", "项目编号"]),
            col!("name", Str, ["工程名称", "项目名称"]),
            col!("kind", Str, ["类型", "工程类型"]),
            col!("start_on", Date, ["开工日期"]),
            col!("due_on", Date, ["计划完工日期"]),
            col!("done_on", Date, ["实际完工日期", "完工日期"]),
            col!("accepted", Bool, ["验收通过", "是否验收通过"]),
        ],
        required: &[&["project_id"], &["due_on"]],
        time_column: "due_on",
        key: &["project_id"],
        time_order: &[("start_on", "done_on")],
    },
    TableDef {
        table: Table::ProviderReports,
        name: "provider_reports",
        title: "服务商报告",
        columns: &[
            col!("report_id", Str, ["报告编号"]),
            col!("kind", Str, ["报告类型", "类型"]),
            col!("access_type", AccessType, ["接入方式", "接入类型"]),
            col!("due_on", Date, ["应交日期", "截止日期"]),
            col!("submitted_on", Date, ["提交日期"]),
            col!("accepted", Bool, ["审核通过", "是否通过"]),
        ],
        required: &[&["kind"], &["due_on"]],
        time_column: "due_on",
        key: &["report_id"],
        time_order: &[],
    },
    TableDef {
        table: Table::ProviderKpis,
        name: "provider_kpis",
        title: "服务商自报指标",
        columns: &[
            col!(
                "period",
                Period,
                ["统计周期", "周期", "期间", "统计期间", "月份"]
            ),
            col!(
                "indicator",
                Str,
                ["指标", "指标名称", "指标编号", "考核指标"]
            ),
            col!("value", Float, ["自报值", "指标值", "数值", "完成值"]),
            col!("access_type", AccessType, ["接入方式", "接入类型"]),
            col!("report_id", Str, ["报告编号"]),
        ],
        required: &[&["period"], &["indicator"], &["value"]],
        time_column: "period",
        key: &[],
        time_order: &[],
    },
    TableDef {
        table: Table::Surveys,
        name: "surveys",
        title: "满意度调查",
        columns: &[
            col!("unit", Str, ["单位名称", "用户单位", "单位"]),
            col!("access_type", AccessType, ["接入方式", "接入类型"]),
            col!("surveyed_on", Date, ["调查日期"]),
            col!("score", Float, ["满意度得分", "得分", "满意度"]),
        ],
        required: &[&["score"]],
        time_column: "surveyed_on",
        key: &[],
        time_order: &[],
    },
    TableDef {
        table: Table::SimCards,
        name: "sim_cards",
        title: "号卡",
        columns: &[
            col!(
                "card_id",
                Str,
                ["号卡", "卡号", "ICCID", "号码", "号卡编号"]
            ),
            col!("unit", Str, ["单位名称", "用户单位", "单位"]),
            col!("requested_on", Date, ["申请日期"]),
            col!("activated_on", Date, ["开通日期", "激活日期"]),
            col!("closed_on", Date, ["销户日期"]),
            col!("package", Str, ["套餐", "资费套餐"]),
        ],
        required: &[&["card_id"], &["requested_on"]],
        time_column: "requested_on",
        key: &["card_id"],
        time_order: &[("requested_on", "activated_on")],
    },
    TableDef {
        table: Table::Kpi5g,
        name: "kpi_5g",
        title: "5G性能",
        columns: &[
            col!("time", DateTime, ["时间", "日期", "采集时间", "统计日期"]),
            col!("card_id", Str, ["号卡", "卡号", "ICCID", "号码"]),
            col!("cell_id", Str, ["小区", "小区编号", "小区ID"]),
            col!("reg_success_pct", Float, ["注册成功率"]),
            col!(
                "session_success_pct",
                Float,
                ["会话建立成功率", "PDU会话建立成功率"]
            ),
            col!("dl_mbps", Float, ["下行速率"]),
            col!("ul_mbps", Float, ["上行速率"]),
            col!("latency_ms", Float, ["时延", "时延(ms)"]),
            col!("rsrp_dbm", Float, ["RSRP", "rsrp(dbm)"]),
            col!("sinr_db", Float, ["SINR", "sinr(db)"]),
            col!("drop_pct", Float, ["掉线率"]),
            col!("traffic_mb", Float, ["流量(MB)", "流量"]),
        ],
        required: &[&["time"]],
        time_column: "time",
        key: &[],
        time_order: &[],
    },
];

/// The budget (SPEC §4): read by the fee audit with exact decimals for money, so
/// its money columns are listed here for header matching only.
pub static BUDGET: TableDef = TableDef {
    table: Table::Budget,
    name: "budget",
    title: "预算",
    columns: &[
        col!("item_no", Str, ["序号", "项目编号", "编号", "行号"]),
        col!("unit", Str, ["单位名称", "用户单位", "单位", "使用单位"]),
        LINE_ALIASES,
        col!("card_id", Str, ["号卡", "卡号", "ICCID", "号码"]),
        col!("service", Str, ["业务类型", "业务", "服务类型", "接入方式"]),
        col!(
            "bandwidth_mbps",
            Mbps,
            ["带宽", "签约带宽", "带宽(M)", "带宽(Mbps)"]
        ),
        col!("quantity", Float, ["数量", "条数", "张数"]),
        col!(
            "unit_price",
            Float,
            ["单价", "单价(元/月)", "月单价", "月租", "月租费"]
        ),
        col!("months", Float, ["月数", "计费月数", "服务月数"]),
        col!(
            "amount",
            Float,
            [
                "金额",
                "金额(元)",
                "预算金额",
                "费用",
                "合计金额",
                "小计金额"
            ]
        ),
        col!(
            "traffic_gb",
            Float,
            ["流量", "流量(GB)", "月流量", "预计流量"]
        ),
        col!("tariff", Str, ["资费编码", "资费", "套餐", "资费套餐"]),
    ],
    required: &[&["amount"], &["line_id", "card_id", "item_no"]],
    time_column: "",
    key: &[],
    time_order: &[],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_has_its_required_and_time_columns() {
        for def in TABLES {
            for group in def.required {
                for col in *group {
                    assert!(def.column(col).is_some(), "{}.{col}", def.name);
                }
            }
            assert!(def.column(def.time_column).is_some(), "{}", def.name);
            for col in def.key {
                assert!(def.column(col).is_some(), "{}.{col}", def.name);
            }
        }
        assert_eq!(Table::ALL.len(), TABLES.len());
    }
}
