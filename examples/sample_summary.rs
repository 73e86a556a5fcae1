//! A summary of the sample county (示范县): students by stage, the
//! registered-poor, schools by kind, the nutrition plan, disabled children,
//! the migrant share and the classes.
//!
//! Run with `cargo run --example sample_summary`.

use std::collections::BTreeMap;

use eduaid::model::{Decimal, Locality, Ownership, Roster, Rounding, SchoolKind, SchoolYear, Stage};
use eduaid::sample::county;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let c = county();
    let spring = "2017-03-01".parse()?;
    let students: Vec<_> = c.roster.students().iter().filter(|s| s.in_school_on(spring)).collect();
    let school = |s| c.roster.school_of(s).ok();
    let poor = |s| {
        c.roster
            .household_of(s)
            .ok()
            .flatten()
            .is_some_and(|h| h.registered_poor_on(spring))
    };
    println!("{}: {} students in school on {spring}", c.name, students.len());

    println!("\nstage        学段      在校生  建档立卡");
    for stage in [
        Stage::Preschool,
        Stage::Primary,
        Stage::Junior,
        Stage::Senior,
        Stage::Vocational,
    ] {
        let of_stage: Vec<_> = students.iter().filter(|s| s.stage == stage).collect();
        let n_poor = of_stage.iter().filter(|s| poor(s)).count();
        println!(
            "  {:<10} {}\t{:>7} {:>8}",
            stage.code(),
            stage.chinese(),
            of_stage.len(),
            n_poor
        );
    }

    let mut kinds: BTreeMap<SchoolKind, usize> = BTreeMap::new();
    for s in c.roster.schools() {
        *kinds.entry(s.kind).or_default() += 1;
    }
    println!("\n学校 (schools): {}", kinds.values().sum::<usize>());
    for (kind, n) in &kinds {
        println!("  {:<28} {n:>4}  {}", kind.code(), kind.chinese());
    }

    let june = "2017-06-01".parse()?;
    let september = "2017-09-01".parse()?;
    let first = c
        .roster
        .schools()
        .filter(|s| s.nutrition_plan_from == Some(june))
        .count();
    let fed = students
        .iter()
        .filter(|s| s.in_school_on(june) && school(s).is_some_and(|x| x.nutrition_plan_from == Some(june)))
        .count();
    let all = c.roster.schools().filter(|s| s.in_nutrition_plan_on(september)).count();
    println!("\n营养改善计划: {first} schools with {fed} students from {june}; {all} schools from {september}");

    let sept = "2016-09-01".parse()?;
    let rows = c
        .counts
        .disabled
        .iter()
        .filter(|r| r.kind.is_three_kinds() && (6..=14).contains(&r.age));
    let (total, in_school) = rows.fold((0, 0), |(t, i), r| (t + r.total, i + r.in_school));
    let disabled = students
        .iter()
        .filter(|s| s.disability.is_some() && s.in_school_on(sept))
        .count();
    println!("三类残疾儿童少年 (6-14): {in_school} of {total} in school; {disabled} disabled students in all");

    let urban: Vec<_> = students
        .iter()
        .filter(|s| s.stage == Stage::Primary && school(s).is_some_and(|x| x.locality == Locality::Urban))
        .collect();
    let migrants = urban.iter().filter(|s| s.migrant).count();
    let share = Decimal::from(migrants * 100) / Decimal::from(urban.len().max(1));
    println!(
        "随迁子女: {migrants} of {} urban primary pupils = {}%",
        urban.len(),
        Rounding::HalfUp.round(share, 2)
    );

    println!("\n城区公办小学 classes (班额):");
    for year in [2016, 2017, 2018] {
        let y = SchoolYear::new(year)?;
        let classes: Vec<_> = c
            .roster
            .schools()
            .filter(|s| {
                s.locality == Locality::Urban && s.kind == SchoolKind::Primary && s.ownership == Ownership::Public
            })
            .flat_map(|s| s.classes_in(y))
            .collect();
        let pupils: u64 = classes.iter().map(|k| u64::from(k.size)).sum();
        let average = Decimal::from(pupils) / Decimal::from(classes.len().max(1));
        println!(
            "  {}: {} classes, {pupils} pupils, average {:.1}",
            y.to_chinese(),
            classes.len(),
            Rounding::HalfUp.round(average, 1)
        );
    }
    Ok(())
}
