//! Property tests: writing records in every format and reading them back
//! keeps every record, exactly.

use chrono::{Datelike, NaiveDate};
use eduaid_io::*;
use eduaid_model::*;
use proptest::prelude::*;

/// Every format and header/encoding combination a round trip goes through.
fn variants() -> Vec<WriteOptions> {
    let mut v = Vec::new();
    for headers in [Headers::English, Headers::Chinese] {
        for (format, encoding, bom) in [
            (Format::Csv, Encoding::Utf8, false),
            (Format::Csv, Encoding::Utf8, true),
            (Format::Csv, Encoding::Gb18030, false),
            (Format::Json, Encoding::Utf8, false),
            (Format::JsonLines, Encoding::Utf8, false),
            (Format::Xlsx, Encoding::Utf8, false),
        ] {
            v.push(WriteOptions {
                format: Some(format),
                headers,
                encoding,
                bom,
                programs: programs(),
            });
        }
    }
    v
}

/// Chinese names for some of the ids [`disbursement`] draws, as a policy
/// gives them: a file with Chinese headers writes them, and reads them back.
fn programs() -> ProgramCatalogue {
    let mut c = ProgramCatalogue::new();
    for (id, zh, alias) in [
        ("living-subsidy", "家庭经济困难寄宿生生活补助", "生活补助"),
        ("nutrition", "农村义务教育学生营养改善计划", "营养改善计划"),
        ("rain-and-dew", "雨露计划", "雨露补助"),
    ] {
        c.insert(ProgramNames::new(ProgramId::new(id).unwrap(), zh).with_aliases([alias]))
            .unwrap();
    }
    c
}

fn read_opts(w: &WriteOptions) -> ReadOptions {
    ReadOptions {
        format: w.format,
        programs: w.programs.clone(),
        ..ReadOptions::default()
    }
}

/// Free text, formula characters and quotes included: a CSV text cell
/// beginning with one of `= + - @` is written neutralised with a leading
/// `'` (OWASP CSV injection, see tests/table.rs), and the reader takes it
/// away again.
fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9甲乙丙丁镇乡村小学中心,\"' .()#=+@-]{1,14}"
        .prop_map(|s| s.trim().to_string())
        .prop_filter("non-empty", |s| !s.is_empty())
}

fn id() -> impl Strategy<Value = String> {
    // Not a number in exponent form (`0e-0`, `12E5`): the reader refuses
    // such an id by design, as the trace of Excel storing it as a number.
    "[A-Za-z0-9][A-Za-z0-9-]{0,11}".prop_filter("not exponent form", |s| !looks_like_exponent(s))
}

/// `digits e [-] digits`, as `4.30102E+17` without the point and sign.
fn looks_like_exponent(s: &str) -> bool {
    let Some((mantissa, exponent)) = s.split_once(['e', 'E']) else {
        return false;
    };
    let exponent = exponent.strip_prefix('-').unwrap_or(exponent);
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    digits(mantissa) && digits(exponent)
}

fn date() -> impl Strategy<Value = NaiveDate> {
    (1950i32..2150, 1u32..=12, 1u32..=31).prop_filter_map("a real date", |(y, m, d)| NaiveDate::from_ymd_opt(y, m, d))
}

fn pick<T: Copy + std::fmt::Debug + 'static>(all: &'static [T]) -> impl Strategy<Value = T> {
    proptest::sample::select(all)
}

fn money() -> impl Strategy<Value = Money> {
    prop_oneof![
        (1i64..100_000).prop_map(Money::yuan),
        (1i64..1_000_000_000_000).prop_map(Money::from_fen),
    ]
}

fn school() -> impl Strategy<Value = School> {
    (
        id(),
        text(),
        pick(SchoolKind::ALL),
        pick(Ownership::ALL),
        text(),
        pick(Locality::ALL),
        proptest::option::of(date()),
        proptest::option::of(money()),
        proptest::collection::vec((year(), any::<prop::sample::Index>(), 1u8..=6, any::<u32>()), 0..4),
    )
        .prop_map(|(id, name, kind, own, town, loc, from, tuition, classes)| {
            let mut s = School::new(SchoolId::new(id).unwrap(), name, kind, own, town, loc);
            s.nutrition_plan_from = from;
            s.annual_tuition = tuition;
            for (year, stage, grade, size) in classes {
                let stage = *stage.get(kind.stages());
                s.classes
                    .push(Class::new(year, stage, (grade - 1) % stage.max_grade() + 1, size).unwrap());
            }
            s
        })
}

fn unique_by<T, K: std::hash::Hash + Eq>(v: Vec<T>, key: impl Fn(&T) -> K) -> Vec<T> {
    let mut seen = std::collections::HashSet::new();
    v.into_iter().filter(|x| seen.insert(key(x))).collect()
}

/// A student and the status spells of its household (at most one a kind).
fn student() -> impl Strategy<Value = (Student, Vec<(StatusKind, NaiveDate, Option<u16>)>)> {
    let attrs = (
        id(),
        text(),
        pick(Sex::ALL),
        date(),
        id(),
        pick(Stage::ALL),
        1u8..=6,
        any::<[bool; 4]>(),
        proptest::option::of(pick(DisabilityKind::ALL)),
        pick(Hukou::ALL),
    );
    let more = (
        proptest::option::of(0u8..4),
        pick(EnrolmentStatus::ALL),
        1u16..5000,
        proptest::option::of(text()),
        proptest::collection::vec((pick(StatusKind::ALL), date(), proptest::option::of(1u16..3000)), 0..4),
    );
    (attrs, more).prop_map(|(a, m)| {
        let (id, name, sex, birth, school, stage, grade, flags, disability, hukou) = a;
        let (household, status, days, helper, spells) = m;
        let grade = (grade - 1) % stage.max_grade() + 1;
        let agri = flags[3] && matches!(stage, Stage::Vocational | Stage::Tertiary);
        // Born in the past, and of an age the stage makes plausible on
        // the status date (the reader warns otherwise).
        // A birthday on 29 February is moved to the 28th: adding whole
        // years to it lands on 28 February, a day short of the age.
        let birth = birth.min(NaiveDate::from_ymd_opt(2015, 12, 31).unwrap());
        let birth = match (birth.month(), birth.day()) {
            (2, 29) => birth.pred_opt().unwrap(),
            _ => birth,
        };
        let ages = stage.plausible_ages();
        let age = ages.start() + u32::from(days) % (ages.end() - ages.start());
        let months = chrono::Months::new(12 * age + u32::from(days) % 12);
        let since = birth.checked_add_months(months).unwrap();
        let s = Student {
            id: StudentId::new(id).unwrap(),
            name,
            sex,
            birth_date: birth,
            school_id: SchoolId::new(school).unwrap(),
            stage,
            grade,
            boarder: flags[0],
            disability,
            migrant: flags[1],
            left_behind: flags[2],
            hukou,
            agricultural_major: agri,
            household_id: household.map(|h| HouseholdId::new(format!("H{h}")).unwrap()),
            status,
            status_since: since,
            helper,
        };
        let spells = unique_by(spells, |x| x.0);
        (s, spells)
    })
}

fn range(from: NaiveDate, days: Option<u16>) -> Option<NaiveDate> {
    days.and_then(|d| from.checked_add_days(chrono::Days::new(u64::from(d))))
}

/// Students with households: siblings share the spells of the first
/// student naming the household.
fn students() -> impl Strategy<Value = (Vec<Student>, Vec<Household>)> {
    proptest::collection::vec(student(), 0..12).prop_map(|v| {
        let v = unique_by(v, |(s, _)| s.id.clone());
        let mut households: Vec<Household> = Vec::new();
        let mut students = Vec::new();
        for (s, spells) in v {
            if let Some(hid) = &s.household_id {
                if !households.iter().any(|h| &h.id == hid) {
                    let mut h = Household::new(hid.clone());
                    for (kind, from, days) in spells {
                        h.add_status(kind, from, range(from, days)).unwrap();
                    }
                    households.push(h);
                }
            }
            students.push(s);
        }
        (students, households)
    })
}

fn disbursement() -> impl Strategy<Value = Disbursement> {
    let programs = prop_oneof![
        pick(
            &[
                "living-subsidy",
                "nutrition",
                "senior-grant",
                "rain-and-dew",
                "preschool-aid"
            ][..]
        )
        .prop_map(String::from),
        "[a-z][a-z-]{0,11}",
    ];
    (
        text(),
        id(),
        programs,
        1950i32..2199,
        any::<bool>(),
        money(),
        date(),
        pick(Channel::ALL),
    )
        .prop_map(
            |(id, student, program, year, spring, amount, paid_on, channel)| Disbursement {
                id,
                student_id: StudentId::new(student).unwrap(),
                program: ProgramId::new(program).unwrap(),
                term: Term::new(year, if spring { Season::Spring } else { Season::Autumn }).unwrap(),
                amount,
                paid_on,
                channel,
            },
        )
}

fn year() -> impl Strategy<Value = SchoolYear> {
    (1949i32..=2199).prop_map(|y| SchoolYear::new(y).unwrap())
}

fn grade_count() -> impl Strategy<Value = GradeCount> {
    (
        (
            year(),
            id(),
            text(),
            pick(Locality::ALL),
            pick(Stage::ALL),
            1u8..=6,
            pick(Sex::ALL),
            pick(PovertyGroup::ALL),
        ),
        (any::<u64>(), any::<[u64; 7]>(), any::<u64>()),
    )
        .prop_map(
            |((year, school, town, locality, stage, grade, sex, poverty), (enrolled, f, rep))| GradeCount {
                year,
                school_id: SchoolId::new(school).unwrap(),
                township: town,
                locality,
                stage,
                grade: (grade - 1) % stage.max_grade() + 1,
                sex,
                poverty,
                enrolled,
                new_entrants: f[0],
                repeaters: if enrolled == 0 { 0 } else { rep % enrolled },
                graduates: f[1],
                transfers_in: f[2],
                transfers_out: f[3],
                dropouts: f[4],
                deaths: f[5] % 1000,
                temporary_in: 0,
                suspended: 0,
                other_in: 0,
                other_out: 0,
            },
        )
}

fn population() -> impl Strategy<Value = PopulationCount> {
    (year(), text(), any::<u8>(), pick(Sex::ALL), any::<u64>()).prop_map(|(year, township, age, sex, count)| {
        PopulationCount {
            year,
            township,
            age,
            sex,
            count,
        }
    })
}

fn disabled() -> impl Strategy<Value = DisabledChildrenCount> {
    (
        year(),
        text(),
        pick(DisabilityKind::ALL),
        any::<u8>(),
        pick(Sex::ALL),
        any::<u64>(),
        any::<u64>(),
    )
        .prop_map(|(year, township, kind, age, sex, a, b)| DisabledChildrenCount {
            year,
            township,
            kind,
            age,
            sex,
            total: a.max(b),
            in_school: a.min(b),
        })
}

fn teachers() -> impl Strategy<Value = TeacherCount> {
    (year(), id(), pick(Stage::ALL), any::<u64>()).prop_map(|(year, school, stage, teachers)| TeacherCount {
        year,
        school_id: SchoolId::new(school).unwrap(),
        stage,
        teachers,
    })
}

fn write_to(w: &WriteOptions, f: impl FnOnce(&mut Vec<u8>, &WriteOptions) -> Result<(), Error>) -> Vec<u8> {
    let mut buf = Vec::new();
    f(&mut buf, w).unwrap();
    buf
}

fn clean(r: &LoadReport, n: usize) {
    assert!(r.is_clean(), "{r}");
    assert_eq!(r.accepted, n as u64, "{r}");
    assert!(r.balances());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn schools_round_trip(v in proptest::collection::vec(school(), 0..10)) {
        let v = unique_by(v, |s| s.id.clone());
        let classes: usize = v.iter().map(|s| s.classes.len()).sum();
        for w in variants() {
            let bytes = write_to(&w, |b, w| write_schools(b, &v, w));
            let class_bytes = write_to(&w, |b, w| write_classes(b, &v, w));
            let (back, class_report) = read_schools_with_classes(
                Input::bytes("schools", &bytes),
                Input::bytes("classes", &class_bytes),
                &read_opts(&w),
            )
            .unwrap();
            clean(&back.report, v.len());
            clean(&class_report, classes);
            prop_assert_eq!(&back.records, &v, "{:?}", w);
        }
    }

    #[test]
    fn students_and_households_round_trip((students, households) in students()) {
        for w in variants() {
            let bytes = write_to(&w, |b, w| write_students_with_status(b, &students, &households, w));
            let back = read_students(Input::bytes("students", &bytes), &read_opts(&w)).unwrap();
            clean(&back.report, students.len());
            prop_assert_eq!(&back.students, &students, "{:?}", w);
            let spells = |hs: &[Household]| hs.iter().map(|h| (h.id.clone(), sorted_spells(h))).collect::<Vec<_>>();
            prop_assert_eq!(spells(&back.households), spells(&households), "{:?}", w);
            // The plain writer keeps the students; the long households file
            // keeps the spells.
            let bytes = write_to(&w, |b, w| write_students(b, &students, w));
            let plain = read_students(Input::bytes("students", &bytes), &read_opts(&w)).unwrap();
            prop_assert_eq!(&plain.students, &students);
            let with_status: Vec<Household> = households.iter().filter(|h| !h.statuses.is_empty()).cloned().collect();
            let bytes = write_to(&w, |b, w| write_households(b, &with_status, w));
            let back = read_households(Input::bytes("households", &bytes), &read_opts(&w)).unwrap();
            prop_assert_eq!(spells(&back.records), spells(&with_status));
        }
    }

    #[test]
    fn disbursements_round_trip(v in proptest::collection::vec(disbursement(), 0..10)) {
        let v = unique_by(v, |d| d.id.clone());
        for w in variants() {
            let bytes = write_to(&w, |b, w| write_disbursements(b, &v, w));
            let back = read_disbursements(Input::bytes("d", &bytes), &read_opts(&w)).unwrap();
            clean(&back.report, v.len());
            prop_assert_eq!(&back.records, &v, "{:?}", w);
        }
    }

    #[test]
    fn counts_round_trip(
        g in proptest::collection::vec(grade_count(), 0..8),
        p in proptest::collection::vec(population(), 0..8),
        d in proptest::collection::vec(disabled(), 0..8),
        t in proptest::collection::vec(teachers(), 0..8),
    ) {
        let g = unique_by(g, |x| (x.year, x.school_id.clone(), x.stage, x.grade, x.sex, x.poverty));
        let p = unique_by(p, |x| (x.year, x.township.clone(), x.age, x.sex));
        let d = unique_by(d, |x| (x.year, x.township.clone(), x.kind, x.age, x.sex));
        let t = unique_by(t, |x| (x.year, x.school_id.clone(), x.stage));
        for w in variants() {
            let o = read_opts(&w);
            let back = read_grade_counts(Input::bytes("g", &write_to(&w, |b, w| write_grade_counts(b, &g, w))), &o).unwrap();
            clean(&back.report, g.len());
            prop_assert_eq!(&back.records, &g, "{:?}", w);
            let back = read_population(Input::bytes("p", &write_to(&w, |b, w| write_population(b, &p, w))), &o).unwrap();
            clean(&back.report, p.len());
            prop_assert_eq!(&back.records, &p, "{:?}", w);
            let back = read_disabled(Input::bytes("d", &write_to(&w, |b, w| write_disabled(b, &d, w))), &o).unwrap();
            clean(&back.report, d.len());
            prop_assert_eq!(&back.records, &d, "{:?}", w);
            let back = read_teachers(Input::bytes("t", &write_to(&w, |b, w| write_teachers(b, &t, w))), &o).unwrap();
            clean(&back.report, t.len());
            prop_assert_eq!(&back.records, &t, "{:?}", w);
        }
    }
}
