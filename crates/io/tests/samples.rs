//! The sample files under `examples/data/` load cleanly and agree with
//! each other; the GBK CSV and the xlsx with Chinese headers hold the same
//! records as the UTF-8 CSV.

use eduaid_io::*;
use eduaid_model::{Money, Roster, StatusKind, StudentId};

use crate::common::data;

fn clean(report: &LoadReport, rows: u64) {
    assert!(report.is_clean(), "{report}");
    assert_eq!(
        (report.read, report.accepted, report.rejected),
        (rows, rows, 0),
        "{report}"
    );
    assert!(report.balances());
}

/// Write `students-gbk.csv` and `students.xlsx` from `students.csv` with the
/// crate's own writers when `EDUAID_REGENERATE=1`.
fn regenerate_if_asked() {
    if std::env::var("EDUAID_REGENERATE").as_deref() != Ok("1") {
        return;
    }
    let loaded = read_students(&data("students.csv"), &ReadOptions::default()).unwrap();
    clean(&loaded.report, 24);
    let gbk = WriteOptions {
        format: None,
        headers: Headers::Chinese,
        encoding: Encoding::Gb18030,
        bom: false,
        programs: eduaid_model::ProgramCatalogue::new(),
    };
    write_students_with_status(&data("students-gbk.csv"), &loaded.students, &loaded.households, &gbk).unwrap();
    let xlsx = WriteOptions {
        headers: Headers::Chinese,
        ..WriteOptions::default()
    };
    write_students_with_status(&data("students.xlsx"), &loaded.students, &loaded.households, &xlsx).unwrap();
}

#[test]
fn gbk_and_xlsx_samples_hold_the_same_records_as_the_utf8_csv() {
    regenerate_if_asked();
    let opts = ReadOptions::default();
    let utf8 = read_students(&data("students.csv"), &opts).unwrap();
    let gbk = read_students(&data("students-gbk.csv"), &opts).unwrap();
    let xlsx = read_students(&data("students.xlsx"), &opts).unwrap();
    clean(&utf8.report, 24);
    clean(&gbk.report, 24);
    clean(&xlsx.report, 24);
    assert_eq!(utf8.report.encoding, Some("UTF-8"));
    assert_eq!(gbk.report.encoding, Some("GB18030"));
    assert_eq!(xlsx.report.format, Format::Xlsx);
    // The GBK file really is GBK, and its headers are Chinese.
    let raw = std::fs::read(data("students-gbk.csv")).unwrap();
    assert!(std::str::from_utf8(&raw).is_err());
    let (text, _, _) = encoding_rs::GBK.decode(&raw);
    assert!(
        text.starts_with("学籍号,姓名,性别,出生日期,学校,学段,年级,是否寄宿"),
        "{}",
        &text[..40]
    );
    assert_eq!(utf8.students, gbk.students);
    assert_eq!(utf8.students, xlsx.students);
    let spells = |l: &LoadedStudents| {
        l.households
            .iter()
            .map(|h| (h.id.clone(), sorted_spells(h)))
            .collect::<Vec<_>>()
    };
    assert_eq!(spells(&utf8), spells(&gbk));
    assert_eq!(spells(&utf8), spells(&xlsx));
    assert_eq!(utf8.households.len(), 12);
    let poor = utf8
        .households
        .iter()
        .filter(|h| h.registered_poor_on("2017-03-01".parse().unwrap()))
        .count();
    assert_eq!(poor, 5); // H0001, H0006, H0008, H0010, H0011; H0002 exited 2016-12-31
}

#[test]
fn every_sample_file_loads_cleanly() {
    let o = ReadOptions::default();
    let (schools, classes) = read_schools_with_classes(&data("schools.csv"), &data("classes.csv"), &o).unwrap();
    clean(&schools.report, 12);
    clean(&classes, 14);
    let urban_2016: Vec<u32> = schools
        .records
        .iter()
        .flat_map(|s| s.classes_in(eduaid_model::SchoolYear::new(2016).unwrap()))
        .filter(|c| c.stage == eduaid_model::Stage::Primary)
        .map(|c| c.size)
        .collect();
    assert_eq!((urban_2016.len(), urban_2016.iter().sum::<u32>()), (6, 462));
    let households = read_households(&data("households.csv"), &o).unwrap();
    clean(&households.report, 13);
    assert_eq!(households.records.len(), 12);
    let paid = read_disbursements(&data("disbursements.csv"), &o).unwrap();
    clean(&paid.report, 16);
    let total = Money::checked_sum(paid.records.iter().map(|d| d.amount)).unwrap();
    assert_eq!(total, Money::yuan(10_639));
    let grades = read_grade_counts(&data("grade_counts.csv"), &o).unwrap();
    clean(&grades.report, 20);
    assert_eq!(grades.records.iter().map(|g| g.enrolled).sum::<u64>(), 841);
    clean(&read_population(&data("population.csv"), &o).unwrap().report, 18);
    let disabled = read_disabled(&data("disabled.csv"), &o).unwrap();
    clean(&disabled.report, 10);
    assert_eq!(
        disabled
            .records
            .iter()
            .map(|d| (d.total, d.in_school))
            .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1)),
        (21, 19)
    );
    clean(&read_teachers(&data("teachers.csv"), &o).unwrap().report, 14);
    let loans = eduaid_io::read_loans(&data("loans.csv"), &o).unwrap();
    clean(&loans.report, 6);
    let lent = Money::checked_sum(loans.records.iter().map(|l| l.amount)).unwrap();
    assert_eq!(lent, Money::yuan(52_500));
    assert_eq!(loans.records.iter().filter(|l| l.rate.is_some()).count(), 4);
    let (g, p, d, t) = (
        data("grade_counts.csv"),
        data("population.csv"),
        data("disabled.csv"),
        data("teachers.csv"),
    );
    let files = CountFiles {
        grades: Some(Input::from(&g)),
        population: Some(Input::from(&p)),
        disabled: Some(Input::from(&d)),
        teachers: Some(Input::from(&t)),
    };
    let (counts, reports) = read_counts(files, &o).unwrap();
    assert_eq!(reports.len(), 4);
    assert_eq!(
        (
            counts.grades.len(),
            counts.population.len(),
            counts.disabled.len(),
            counts.teachers.len()
        ),
        (20, 18, 10, 14)
    );
    assert_eq!(counts.years(), [eduaid_model::SchoolYear::new(2016).unwrap()]);
}

#[test]
fn the_sample_roster_is_consistent_with_and_without_the_households_file() {
    let o = ReadOptions::default();
    let (schools, students, households, classes) = (
        data("schools.csv"),
        data("students.csv"),
        data("households.csv"),
        data("classes.csv"),
    );
    let plain = RosterFiles::new(&schools, &students);
    for files in [plain, plain.households(&households).classes(&classes)] {
        let loaded = load_roster(files, &o).unwrap();
        clean(&loaded.students, 24);
        if let Some(c) = &loaded.classes {
            clean(c, 14);
        }
        let r = &loaded.roster;
        assert_eq!(r.student_count().unwrap(), 24);
        let s = r.student(&StudentId::new("G4305010").unwrap()).unwrap().unwrap();
        let h = r.household_of(&s).unwrap().unwrap();
        let day = "2017-03-01".parse().unwrap();
        assert!(h.has_status_on(StatusKind::Orphan, day));
        assert!(h.has_status_on(StatusKind::Destitute, day));
        // Every disbursement names a student of the roster.
        let paid = read_disbursements(&data("disbursements.csv"), &o).unwrap();
        for d in &paid.records {
            assert!(r.student(&d.student_id).unwrap().is_some(), "{}", d.student_id);
        }
    }
}
