use super::*;
use proptest::prelude::*;

fn line(id: usize, district: usize, room: usize) -> LinePick {
    LinePick {
        line_id: format!("L{id:04}"),
        district: format!("区{district}"),
        room_id: Some(format!("R{room}")),
        unit: None,
        bandwidth_mbps: Some(100.0),
    }
}

fn plan_of(
    lines: &[LinePick],
    rooms: &BTreeSet<String>,
    findings: &[&str],
    before: &[&str],
    seed: u64,
) -> Plan {
    let q: Period = "2025Q4".parse().unwrap();
    let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    plan(&PlanInput {
        quarter: &q,
        seed,
        lines,
        rooms,
        rooms_with_findings: &set(findings),
        rooms_sampled_before: &set(before),
        calendar: &Calendar::built_in(),
    })
}

proptest! {
    /// Whatever the district mix: every district has ≥ 10 % of its lines (rounded
    /// up), so the plan has ≥ 10 % of all; ≥ 3 rooms when there are 3.
    #[test]
    fn ten_percent_of_every_district_and_three_rooms(
        sizes in proptest::collection::vec(1usize..60, 1..16),
        rooms in 1usize..8,
        seed in any::<u64>(),
    ) {
        let mut lines = Vec::new();
        for (d, n) in sizes.iter().enumerate() {
            for _ in 0..*n {
                let id = lines.len();
                lines.push(line(id, d, id % rooms));
            }
        }
        let all: BTreeSet<String> = (0..rooms).map(|r| format!("R{r}")).collect();
        let p = plan_of(&lines, &all, &[], &[], seed);
        for (d, n) in sizes.iter().enumerate() {
            let got = p.lines.iter().filter(|l| l.district == format!("区{d}")).count();
            prop_assert!(got * 10 >= *n, "district {d}: {got} of {n}");
            prop_assert_eq!(got, n.div_ceil(10));
        }
        prop_assert!(p.lines.len() * 10 >= lines.len());
        prop_assert_eq!(p.rooms.len(), rooms.min(MIN_ROOMS));
        let ids: BTreeSet<&str> = p.lines.iter().map(|l| l.line_id.as_str()).collect();
        prop_assert_eq!(ids.len(), p.lines.len(), "no line twice");
    }
}

#[test]
fn same_seed_same_plan_and_rooms_rotate() {
    let lines: Vec<LinePick> = (0..45).map(|i| line(i, i % 4, i % 6)).collect();
    let rooms: BTreeSet<String> = (0..6).map(|r| format!("R{r}")).collect();
    let a = plan_of(&lines, &rooms, &[], &[], 7);
    assert_eq!(a, plan_of(&lines, &rooms, &[], &[], 7));
    assert_ne!(a.lines, plan_of(&lines, &rooms, &[], &[], 8).lines);
    // Districts of 12, 11, 11, 11 lines: 2 + 2 + 2 + 2.
    assert_eq!(a.lines.len(), 8);
    // Rooms with findings first, then those not yet sampled.
    let first: Vec<&str> = a.rooms.iter().map(|r| r.room_id.as_str()).collect();
    let next = plan_of(&lines, &rooms, &["R5"], &first, 7);
    let second: Vec<&str> = next.rooms.iter().map(|r| r.room_id.as_str()).collect();
    assert_eq!(second[0], "R5");
    assert_eq!(next.rooms[0].reason, "近 12 个月巡检发现问题");
    assert!(
        second[1..].iter().all(|r| !first.contains(r)),
        "{first:?} then {second:?}"
    );
}

#[test]
fn calls_cover_every_slot_of_the_quarter() {
    // 2025Q4 has the National Day holiday (10-01..10-08, 10-01..10-03 on weekdays).
    let p = plan_of(&[line(0, 0, 0)], &BTreeSet::new(), &[], &[], 1);
    let count = |slot: &str| p.phone_checks.iter().filter(|c| c.slot == slot).count();
    assert_eq!(
        (
            count("work"),
            count("night"),
            count("weekend"),
            count("holiday")
        ),
        (4, 4, 3, 1)
    );
    let cal = Calendar::built_in();
    for c in &p.phone_checks {
        assert_eq!(slot_of(c.at.date(), c.at.hour(), &cal), c.slot);
        assert!(c.at.date() >= NaiveDate::from_ymd_opt(2025, 10, 1).unwrap());
        assert_eq!(c.at.minute() % 5, 0);
    }
    // Spread: the working-hour calls fall in four different months' thirds.
    let months: BTreeSet<u32> = p
        .phone_checks
        .iter()
        .filter(|c| c.slot == "work")
        .map(|c| c.at.month())
        .collect();
    assert!(months.len() >= 2, "{months:?}");
}
