//! The streaming students reader and the file-backed roster.

use std::io::Write;
use std::ops::ControlFlow;

use eduaid_io::*;
use eduaid_model::{Roster, StudentId};

use crate::common::{data, scratch};

/// Write a students CSV of `n` rows, every `bad`-th of them with an
/// impossible birth date, and return its path.
fn big_file(dir: &std::path::Path, n: usize, bad: usize) -> std::path::PathBuf {
    let path = dir.join("students.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(
        f,
        "id,name,sex,birth_date,school_id,stage,grade,hukou,status,status_since,registered_poor_from"
    )
    .unwrap();
    for i in 0..n {
        let birth = if bad > 0 && i % bad == bad - 1 {
            "2009-02-29"
        } else {
            "2009-03-01"
        };
        let poor = if i % 4 == 0 { "2015-10-01" } else { "" };
        writeln!(
            f,
            "P{i:07},学生,female,{birth},S004,primary,2,rural,enrolled,2015-09-01,{poor}"
        )
        .unwrap();
    }
    f.flush().unwrap();
    path
}

#[test]
fn the_reader_yields_rows_one_at_a_time_and_counts_them() {
    let dir = scratch("stream");
    let path = big_file(&dir, 20_000, 1000);
    let mut reader = StudentReader::open(&path, &ReadOptions::default()).unwrap();
    let (mut ok, mut bad, mut poor) = (0u64, Vec::new(), 0u64);
    for item in reader.by_ref() {
        match item {
            Ok(r) => {
                ok += 1;
                poor += u64::from(r.household.is_some_and(|h| !h.statuses.is_empty()));
            }
            Err(Error::Row(e)) => bad.push(e.line),
            Err(e) => panic!("{e}"),
        }
    }
    let report = reader.into_report();
    assert_eq!((report.read, report.accepted, report.rejected), (20_000, 19_980, 20));
    assert_eq!(ok, 19_980);
    assert_eq!(poor, 5000); // the bad rows 999, 1999 … are odd, and every fourth row from 0 is poor
    assert_eq!(bad.first(), Some(&1001));
    assert_eq!(bad.last(), Some(&20_001));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_file_roster_re_reads_students_in_batches() {
    let dir = scratch("roster");
    let path = big_file(&dir, 10_000, 500);
    let schools = data("schools.csv");
    let roster = FileRoster::open(RosterFiles::new(&schools, &path), &ReadOptions::default())
        .unwrap()
        .with_batch_size(1000);
    let report = roster.students_report();
    assert_eq!((report.read, report.accepted, report.rejected), (10_000, 9980, 20));
    assert_eq!(report.errors.len(), 20);
    assert_eq!(roster.student_count().unwrap(), 9980);
    for _ in 0..2 {
        let (mut batches, mut n, mut largest) = (0, 0, 0);
        roster
            .visit_students(&mut |b| {
                batches += 1;
                n += b.len();
                largest = largest.max(b.len());
                ControlFlow::Continue(())
            })
            .unwrap();
        assert_eq!((batches, n, largest), (10, 9980, 1000));
    }
    let s = roster.student(&StudentId::new("P0000004").unwrap()).unwrap().unwrap();
    let home = roster.household_of(&s).unwrap().unwrap();
    assert_eq!(home.id.as_str(), "H-P0000004");
    assert!(home.registered_poor_on("2017-03-01".parse().unwrap()));
    assert!(roster.student(&StudentId::new("P0000499").unwrap()).unwrap().is_none()); // rejected row
    // Stopping early stops the read.
    let mut seen = 0;
    roster
        .visit_students(&mut |b| {
            seen += b.len();
            ControlFlow::Break(())
        })
        .unwrap();
    assert_eq!(seen, 1000);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_file_roster_streams_json_lines_too() {
    let dir = scratch("jsonl");
    let loaded = read_students(&data("students.csv"), &ReadOptions::default()).unwrap();
    let path = dir.join("students.jsonl");
    write_students_with_status(&path, &loaded.students, &loaded.households, &WriteOptions::default()).unwrap();
    let (schools, households) = (data("schools.csv"), data("households.csv"));
    let roster = FileRoster::open(
        RosterFiles::new(&schools, &path).households(&households),
        &ReadOptions::default(),
    )
    .unwrap()
    .with_batch_size(5);
    assert!(roster.students_report().is_clean(), "{}", roster.students_report());
    let mut all = Vec::new();
    roster
        .visit_students(&mut |b| {
            all.extend_from_slice(b);
            ControlFlow::Continue(())
        })
        .unwrap();
    assert_eq!(all, loaded.students);
    // A file roster needs a path to re-read.
    let e = FileRoster::open(
        RosterFiles::new(&schools, Input::bytes("s.csv", b"id\n")),
        &ReadOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(e, Error::Unsupported { .. }), "{e}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_households_file_is_authoritative_over_inline_status() {
    let schools = "id,name,kind,ownership,township,locality\nS1,甲小,primary,public,甲镇,rural\n";
    let households = "household_id,status,from,until\nH1,registered_poor,2015-10-01,\nH2,dibao,2016-01-01,\n";
    let students = "id,name,sex,birth_date,school_id,stage,grade,hukou,status,status_since,household_id,registered_poor_from,dibao\n\
                    P1,甲,male,2009-01-01,S1,primary,2,rural,enrolled,2015-09-01,H1,2015-10-01,\n\
                    P2,乙,male,2009-01-01,S1,primary,2,rural,enrolled,2015-09-01,H1,2016-10-01,\n\
                    P3,丙,male,2009-01-01,S1,primary,2,rural,enrolled,2015-09-01,H2,,\n\
                    P4,丁,male,2009-01-01,S1,primary,2,rural,enrolled,2015-09-01,H3,2015-10-01,\n\
                    P6,己,male,2009-01-01,S1,primary,2,rural,enrolled,2015-09-01,H4,,否\n\
                    P5,戊,male,2009-01-01,S1,primary,2,rural,enrolled,2015-09-01,H2,2015-10-01,\n";
    let loaded = load_roster(
        RosterFiles::new(
            Input::bytes("schools.csv", schools.as_bytes()),
            Input::bytes("students.csv", students.as_bytes()),
        )
        .households(Input::bytes("households.csv", households.as_bytes())),
        &ReadOptions::default(),
    )
    .unwrap();
    let r = &loaded.students;
    assert_eq!((r.read, r.accepted, r.rejected), (6, 3, 3), "{r}");
    let lines: Vec<u64> = r.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [3, 5, 7]);
    assert!(
        r.errors[0].reason.contains("households file gives from 2015-10-01"),
        "{}",
        r.errors[0]
    );
    assert!(
        r.errors[1]
            .reason
            .contains("H3 is not in the households file, so it has no status, but this row gives registered_poor"),
        "{}",
        r.errors[1]
    );
    assert!(
        r.errors[2]
            .reason
            .contains("registered_poor from 2015-10-01 but the households file gives nothing"),
        "{}",
        r.errors[2]
    );
    // H4 is not in the households file and P6 states no status: it joins
    // the roster with no status.
    let h4 = loaded
        .roster
        .household(&eduaid_model::HouseholdId::new("H4").unwrap())
        .unwrap()
        .unwrap();
    assert!(h4.statuses.is_empty());
}

#[test]
fn a_yes_without_a_date_needs_the_as_of_date() {
    let text = "学籍号,姓名,性别,出生日期,学校,学段,年级,户籍,学籍状态,学籍状态日期,建档立卡,低保\n\
                P1,甲,男,2010-01-01,S1,小学,1,农村,在读,2016-09-01,是,否\n";
    let strict = read_students(Input::bytes("s.csv", text.as_bytes()), &ReadOptions::default()).unwrap();
    assert_eq!(strict.report.rejected, 1);
    let opts = ReadOptions {
        status_as_of: Some("2017-03-01".parse().unwrap()),
        ..ReadOptions::default()
    };
    let l = read_students(Input::bytes("s.csv", text.as_bytes()), &opts).unwrap();
    assert_eq!(l.report.accepted, 1);
    let h = &l.households[0];
    assert_eq!(h.id.as_str(), "H-P1");
    assert!(h.registered_poor_on("2017-03-01".parse().unwrap()));
    assert!(!h.registered_poor_on("2017-02-28".parse().unwrap()));
    assert_eq!(h.statuses.len(), 1);
}

#[test]
fn a_file_roster_keeps_a_small_file_and_re_reads_a_large_one() {
    let dir = scratch("keep");
    let path = big_file(&dir, 3000, 500);
    let schools = data("schools.csv");
    let all = |r: &FileRoster| {
        let mut v = Vec::new();
        r.visit_students(&mut |b| {
            v.extend_from_slice(b);
            ControlFlow::Continue(())
        })
        .unwrap();
        v
    };
    let open = |keep| {
        FileRoster::open_keeping(
            RosterFiles::new(&schools, &path),
            &ReadOptions::default(),
            keep,
            &mut |_| {},
        )
        .unwrap()
        .with_batch_size(700)
    };
    let (kept, streamed, over) = (open(FileRoster::DEFAULT_KEEP), open(0), open(2993));
    assert!(kept.is_kept() && !streamed.is_kept() && !over.is_kept());
    assert_eq!(kept.student_count().unwrap(), 2994);
    let students = all(&kept);
    assert_eq!(students.len(), 2994);
    assert_eq!(students, all(&streamed));
    assert_eq!(students, all(&over));
    assert_eq!(kept.students_report(), streamed.students_report());
    // The file no longer matters to a roster that kept its students.
    std::fs::write(&path, "id\n").unwrap();
    assert_eq!(all(&kept), students);
    assert!(streamed.visit_students(&mut |_| ControlFlow::Continue(())).is_err());
    // Bank numbers are kept with the students.
    assert!(kept.bank_details().is_some_and(std::collections::HashMap::is_empty));
    assert!(streamed.bank_details().is_none());
    let csv = "学籍号,姓名,性别,出生日期,学校,学段,年级,户籍,学籍状态,学籍状态日期,一卡通账号,联系电话\n\
               G1,甲,女,2008-05-01,S004,小学,3,农村,在读,2014-09-01,6217 0012 3456 7890,13812345678\n\
               G2,乙,女,2008-05-01,S004,小学,3,农村,在读,2014-09-01,,\n";
    std::fs::write(&path, csv).unwrap();
    let kept = open(FileRoster::DEFAULT_KEEP);
    let bank = kept.bank_details().unwrap();
    assert_eq!(bank.len(), 1);
    let want = read_bank_details(&path, &ReadOptions::default()).unwrap();
    assert_eq!(bank, &want);
    std::fs::remove_dir_all(dir).unwrap();
}
