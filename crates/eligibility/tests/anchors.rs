//! The anchors dump equality (issue 12): on the anchors' synthetic roster
//! of 100 000 students (seed 42), generated in the test by
//! `shared/bench/anchors/gen_roster.py`, the engine under the anchors
//! overlay owes every student, program by program, exactly what the
//! hand-written baseline's rules P1–P8 owe (ported below from the
//! baseline's `evaluate`), to the fen; the grand total is the baseline's
//! 31 656 087.50 yuan.
//!
//! The roster is mapped as `convert.py --poor transition` maps it. The
//! test needs `python3` and the anchors folder (`../shared/bench/anchors`
//! beside the repository, or `EDUAID_ANCHORS_SRC`); without either it says
//! so and passes.

// Amounts are written yuan_fen (500_00 is 500.00 yuan), as the baseline writes them.
#![allow(clippy::inconsistent_digit_grouping)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;

use chrono::{Datelike, NaiveDate};
use eduaid_eligibility::*;
use eduaid_model::*;
use rust_decimal::Decimal;

const PROGRAMS: [&str; 8] = [
    "preschool-aid",
    "living-subsidy",
    "nutrition",
    "senior-grant",
    "senior-fee-waiver",
    "vocational-grant",
    "vocational-tuition-waiver",
    "rain-and-dew",
];

fn anchors_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("EDUAID_ANCHORS_SRC") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/bench/anchors"),
    };
    dir.join("gen_roster.py").is_file().then_some(dir)
}

/// The rows of a CSV file without quoted fields, by column name.
fn table(path: &std::path::Path) -> (HashMap<String, usize>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: HashMap<String, usize> = lines
        .next()
        .unwrap()
        .split(',')
        .enumerate()
        .map(|(i, h)| (h.to_string(), i))
        .collect();
    let rows = lines.map(|l| l.split(',').map(str::to_string).collect()).collect();
    (header, rows)
}

fn date(s: &str) -> Option<NaiveDate> {
    (!s.is_empty()).then(|| s.parse().unwrap())
}

/// `d` plus `years` years, 29 February becoming 28 February.
fn plus_years(d: NaiveDate, years: i32) -> NaiveDate {
    d.with_year(d.year() + years)
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(d.year() + years, d.month(), 28).unwrap())
}

#[test]
fn the_engine_owes_each_anchors_student_what_the_baseline_owes() {
    let Some(src) = anchors_dir() else {
        eprintln!("anchors dump test skipped: no shared/bench/anchors/gen_roster.py beside the repository");
        return;
    };
    let out = std::env::temp_dir().join(format!("eduaid-anchors-{}", std::process::id()));
    let status = Command::new("python3")
        .arg(src.join("gen_roster.py"))
        .args(["--students", "100000", "--seed", "42", "--out"])
        .arg(&out)
        .status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => panic!("gen_roster.py failed: {s}"),
        Err(e) => {
            eprintln!("anchors dump test skipped: cannot run python3: {e}");
            return;
        }
    }
    let (sh, schools) = table(&out.join("schools.csv"));
    let (h, students) = table(&out.join("students.csv"));
    let _ = std::fs::remove_dir_all(&out);
    assert_eq!(students.len(), 100_000);

    // Schools, as convert.py maps them.
    let mut roster = MemoryRoster::new();
    let mut half_tuition: HashMap<String, (i64, bool)> = HashMap::new();
    let plan_from: NaiveDate = "2011-09-01".parse().unwrap();
    for r in &schools {
        let f = |k: &str| r[sh[k]].as_str();
        let kind = match f("kind") {
            "kindergarten" if f("inclusive") == "true" => SchoolKind::KindergartenInclusive,
            "kindergarten" => SchoolKind::KindergartenNonInclusive,
            k => k.parse().unwrap(),
        };
        let mut s = School::new(
            SchoolId::new(f("school_id")).unwrap(),
            f("name"),
            kind,
            if f("public") == "true" {
                Ownership::Public
            } else {
                Ownership::Private
            },
            f("township"),
            if f("urban") == "true" {
                Locality::Urban
            } else {
                Locality::Rural
            },
        );
        let nutrition = f("nutrition_program") == "true";
        s.nutrition_plan_from = nutrition.then_some(plan_from);
        let tuition: Decimal = f("annual_tuition").parse().unwrap();
        s.annual_tuition = Some(Money::from_decimal(tuition).unwrap());
        // The baseline: half the tuition in fen, half a fen rounded up.
        let fen = i64::try_from((tuition * Decimal::ONE_HUNDRED).mantissa()).unwrap();
        half_tuition.insert(f("school_id").to_string(), ((fen + 1) / 2, nutrition));
        roster.add_school(s).unwrap();
    }

    // Students, and what the baseline owes each, in fen.
    let term_start: NaiveDate = "2021-03-01".parse().unwrap();
    let cutoff: NaiveDate = "2016-03-01".parse().unwrap();
    let always: NaiveDate = "2000-01-01".parse().unwrap();
    let mut want: HashMap<String, [i64; 8]> = HashMap::new();
    for r in &students {
        let f = |k: &str| r[h[k]].as_str();
        let id = f("student_id").to_string();
        let stage: Stage = f("stage").parse().unwrap();
        let grade: u8 = f("grade").parse().unwrap();
        let flag = |k: &str| f(k) == "true";
        let (since, exit) = (date(f("registered_poor_since")), date(f("poverty_exit_date")));
        let enrolled = f("status") == "enrolled";
        // The household: one per student with a status (convert.py).
        let mut home = Household::new(HouseholdId::new(format!("H-{id}")).unwrap());
        if let Some(since) = since {
            let until = exit.map(|e| plus_years(e, 5) + chrono::Days::new(1));
            home.add_status(StatusKind::RegisteredPoor, since, until).unwrap();
        }
        for (k, kind) in [
            ("dibao", StatusKind::Dibao),
            ("destitute", StatusKind::Destitute),
            ("orphan", StatusKind::Orphan),
            ("hardship", StatusKind::Hardship),
        ] {
            if flag(k) {
                home.add_status(kind, always, None).unwrap();
            }
        }
        let household = (!home.statuses.is_empty()).then(|| home.id.clone());
        if household.is_some() {
            roster.add_household(home).unwrap();
        }
        let disability = match f("disability") {
            "" => None,
            "hearing" => Some(DisabilityKind::HearingSpeech),
            d => Some(d.parse().unwrap()),
        };
        roster
            .add_student(Student {
                id: StudentId::new(&id).unwrap(),
                name: f("name").to_string(),
                sex: if f("sex") == "F" { Sex::Female } else { Sex::Male },
                birth_date: f("birth_date").parse().unwrap(),
                school_id: SchoolId::new(f("school_id")).unwrap(),
                stage,
                grade,
                boarder: flag("boarding"),
                disability,
                migrant: false,
                left_behind: false,
                hukou: if flag("rural_hukou") {
                    Hukou::Rural
                } else {
                    Hukou::Urban
                },
                agricultural_major: flag("agricultural_major"),
                household_id: household,
                status: if enrolled {
                    EnrolmentStatus::Enrolled
                } else {
                    f("status").parse().unwrap()
                },
                status_since: if enrolled { "2020-09-01" } else { "2020-12-15" }.parse().unwrap(),
                helper: None,
            })
            .unwrap();

        // The baseline's `evaluate`, student by student.
        let mut a = [0i64; 8];
        if enrolled {
            let poor = since.is_some_and(|s| s <= term_start) && exit.is_none_or(|e| e >= cutoff);
            let disabled = !f("disability").is_empty();
            let four = poor || flag("dibao") || flag("destitute") || (disabled && flag("hardship"));
            let (half, nutrition) = half_tuition[f("school_id")];
            match stage {
                Stage::Preschool if four || flag("orphan") => a[0] = 500_00,
                Stage::Primary | Stage::Junior => {
                    if four {
                        a[1] = match (stage == Stage::Primary, flag("boarding")) {
                            (true, true) => 500_00,
                            (false, true) => 625_00,
                            (true, false) => 250_00,
                            (false, false) => 312_50,
                        };
                    }
                    if nutrition {
                        a[2] = 4_00 * 100;
                    }
                }
                Stage::Senior => {
                    if four || flag("orphan") || flag("hardship") {
                        a[3] = 1000_00;
                    }
                    if four {
                        a[4] = half;
                    }
                }
                Stage::Vocational => {
                    let needy = four || flag("agricultural_major") || flag("hardship");
                    if grade <= 2 && needy {
                        a[5] = 1000_00;
                    }
                    if needy || flag("rural_hukou") {
                        a[6] = half;
                    }
                    if poor {
                        a[7] = 1500_00;
                    }
                }
                Stage::Tertiary if poor => a[7] = 1500_00,
                _ => {}
            }
        }
        want.insert(id, a);
    }

    // The engine, student by student.
    let overlay = include_str!("data/anchors-2021.toml");
    let engine = Engine::new(Policy::builtin_with("anchors-2021.toml", overlay).unwrap());
    let spring: Term = "2021-spring".parse().unwrap();
    let mut got: HashMap<String, [i64; 8]> = HashMap::new();
    let mut stray = Vec::new();
    let mut sink = |row: &Row<'_>| {
        let Some(k) = PROGRAMS.iter().position(|p| *p == row.program.id.as_str()) else {
            stray.push(format!("{} {}", row.student.id, row.program.id));
            return;
        };
        let fen = row.amount.as_decimal() * Decimal::ONE_HUNDRED;
        assert!(
            fen.fract().is_zero(),
            "{} {}: {} is not whole fen",
            row.student.id,
            row.program.id,
            row.amount
        );
        let fen = i64::try_from(fen.trunc().mantissa() / 10i128.pow(fen.trunc().scale())).unwrap();
        got.entry(row.student.id.to_string()).or_default()[k] += fen;
    };
    let totals = engine
        .run(&roster, &[spring], RunOptions::default(), Some(&mut sink))
        .unwrap();
    assert!(
        stray.is_empty(),
        "entitlements outside P1-P8: {:?}",
        &stray[..stray.len().min(5)]
    );
    let mut differ = Vec::new();
    for (id, w) in &want {
        let g = got.get(id).copied().unwrap_or_default();
        if g != *w {
            differ.push(format!("{id}: engine {g:?}, baseline {w:?}"));
        }
    }
    differ.sort();
    assert!(
        differ.is_empty(),
        "{} students differ, e.g. {:?}",
        differ.len(),
        &differ[..differ.len().min(5)]
    );
    let grand: Money = totals.programs.iter().map(|p| p.total.amount).sum();
    assert_eq!(grand, "31656087.50".parse::<Money>().unwrap());
    // The packed roster gives the same totals.
    let packed = PackedRoster::new(&roster).unwrap();
    assert_eq!(engine.totals_packed(&packed, &[spring]).unwrap(), totals);
}
