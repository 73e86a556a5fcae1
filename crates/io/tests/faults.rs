//! A students file of 1 000 rows of which 37 are bad, with varied faults:
//! 963 load, and the 37 are reported with their exact line, column and
//! reason.

use eduaid_io::*;

const HEADER: &str = "学籍号,姓名,性别,出生日期,学校,学段,年级,是否寄宿,残疾类别,户籍,涉农专业,户编号,学籍状态,学籍状态日期,\
                      建档立卡,建档立卡时间,脱贫时间,低保,低保起始日期,帮扶责任人";

const SCHOOLS: &str = "id,name,kind,ownership,township,locality\n\
                       S1,甲镇中心小学,primary,public,甲镇,rural\n\
                       S2,甲镇中学,junior,public,甲镇,rural\n";

/// Column positions in `HEADER`.
const ID: usize = 0;
const NAME: usize = 1;
const SEX: usize = 2;
const BIRTH: usize = 3;
const SCHOOL: usize = 4;
const STAGE: usize = 5;
const GRADE: usize = 6;
const BOARDER: usize = 7;
const DISABILITY: usize = 8;
const HUKOU: usize = 9;
const AGRI: usize = 10;
const HOUSEHOLD: usize = 11;
const STATUS: usize = 12;
const SINCE: usize = 13;
const POOR: usize = 14;
const POOR_FROM: usize = 15;
const POOR_UNTIL: usize = 16;
const DIBAO: usize = 17;
const DIBAO_FROM: usize = 18;

fn good_row(i: usize) -> Vec<String> {
    let junior = i % 3 == 0;
    let grade = if junior { (i / 3) % 3 + 1 } else { i % 6 + 1 };
    let year = if junior { 2004 - grade } else { 2010 - grade };
    let (m, d) = (i % 12 + 1, i % 28 + 1);
    let birth = match i % 3 {
        0 => format!("{year}-{m:02}-{d:02}"),
        1 => format!("{year}年{m}月{d}日"),
        _ => format!("{year}/{m}/{d}"),
    };
    let boarder = ["是", "否", "1", "0", "√", "×", "Y", "N"][i % 8];
    let poor = i % 5 == 0;
    let mut row = vec![
        format!("P{i:05}"),
        format!("学生{i}"),
        if i % 2 == 0 { "男" } else { "女" }.to_string(),
        birth,
        if junior { "S2" } else { "S1" }.to_string(),
        if junior { "初中" } else { "小学" }.to_string(),
        grade.to_string(),
        boarder.to_string(),
        String::new(),
        "农村".to_string(),
        "否".to_string(),
        String::new(),
        "在读".to_string(),
        "2016-09-01".to_string(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
    ];
    if poor {
        row[HOUSEHOLD] = format!("H{}", i / 10);
        row[POOR] = "是".into();
        row[POOR_FROM] = "2015-10-01".into();
        row[19] = format!("帮扶教师{}", i % 7);
    }
    row
}

/// A fault: what it does to a row, the column it is reported in, and a
/// piece of the reason.
type Fault = (fn(&mut Vec<String>, usize), Option<&'static str>, &'static str);

fn faults() -> Vec<Fault> {
    vec![
        (
            |r, _| r[BIRTH] = "2009-02-30".into(),
            Some("出生日期"),
            "impossible date 2009-02-30",
        ),
        (
            |r, _| r[BIRTH] = "2009/13/45".into(),
            Some("出生日期"),
            "month 13 does not exist",
        ),
        (|r, _| r[BIRTH] = "sometime".into(), Some("出生日期"), "is not a date"),
        (
            |r, _| r[BIRTH] = "60".into(),
            Some("出生日期"),
            "not read as an excel serial",
        ),
        (
            |r, _| r[BIRTH] = "2009".into(),
            Some("出生日期"),
            "\"2009\" is a year, not a date",
        ),
        (|r, _| r[STAGE] = "大学预科".into(), Some("学段"), "invalid stage"),
        (
            |r, _| {
                r[STAGE] = "小学".into();
                r[SCHOOL] = "S1".into();
                r[GRADE] = "7".into();
            },
            Some("年级"),
            "grade 7 is not valid for stage primary",
        ),
        (
            |r, _| {
                r[STAGE] = "小学".into();
                r[SCHOOL] = "S1".into();
                r[GRADE] = "七年级".into();
            },
            Some("年级"),
            "grade 7 is not valid",
        ),
        (|r, _| r[GRADE] = "高年级".into(), Some("年级"), "is not a grade"),
        (
            |r, _| r[BOARDER] = "maybe".into(),
            Some("是否寄宿"),
            "not a yes/no value",
        ),
        (
            |r, i| r[ID] = format!("P{:05}", i - 1),
            Some("学籍号"),
            "duplicate student id",
        ),
        (|r, _| r[NAME] = "  ".into(), Some("姓名"), "required value is missing"),
        (
            |r, _| r[ID] = String::new(),
            Some("学籍号"),
            "required value is missing",
        ),
        (
            |r, _| r[SINCE] = String::new(),
            Some("学籍状态日期"),
            "required value is missing",
        ),
        (
            |r, _| r.truncate(17),
            None,
            "the row has 17 cells but the header has 20",
        ),
        (
            |r, _| r.push("多余".into()),
            None,
            "the row has 21 cells but the header has 20",
        ),
        (|r, _| r[SCHOOL] = "S999".into(), Some("学校"), "unknown school S999"),
        (
            |r, _| {
                r[SCHOOL] = "S1".into();
                r[STAGE] = "初中".into();
                r[GRADE] = "1".into();
            },
            Some("学段"),
            "stage junior is not taught at primary school S1",
        ),
        (|r, _| r[SEX] = "未知".into(), Some("性别"), "invalid sex"),
        (|r, _| r[HUKOU] = "外星".into(), Some("户籍"), "invalid hukou"),
        (|r, _| r[SINCE] = "1990-09-01".into(), Some("学籍状态日期"), "born on"),
        (
            |r, _| r[STATUS] = "旷课".into(),
            Some("学籍状态"),
            "invalid enrolment status",
        ),
        (
            |r, _| {
                r[POOR_FROM] = "2016-10-01".into();
                r[POOR_UNTIL] = "2016-01-01".into();
            },
            Some("脱贫时间"),
            "is empty",
        ),
        (
            |r, _| {
                r[DIBAO] = "否".into();
                r[DIBAO_FROM] = "2016-01-01".into();
            },
            Some("低保"),
            "says no, but 低保起始日期 gives a date",
        ),
        (
            |r, _| r[DISABILITY] = "近视".into(),
            Some("残疾类别"),
            "invalid disability kind",
        ),
        (|r, _| r[AGRI] = "是".into(), Some("涉农专业"), "agricultural major"),
        (
            |r, _| {
                r[POOR] = String::new();
                r[POOR_FROM] = String::new();
                r[POOR_UNTIL] = "2016-12-31".into();
            },
            Some("脱贫时间"),
            "an end date without a start date (建档立卡时间)",
        ),
        (
            |r, _| {
                r[POOR] = "是".into();
                r[POOR_FROM] = String::new();
            },
            Some("建档立卡"),
            "says yes but gives no start date",
        ),
        (
            |r, _| {
                r[HOUSEHOLD] = "H0".into();
                r[POOR] = "是".into();
                r[POOR_FROM] = "2016-01-01".into();
            },
            Some("户编号"),
            "but an earlier row gives from 2015-10-01",
        ),
        (
            |r, _| r[BIRTH] = "１９９９年２月２９日".into(),
            Some("出生日期"),
            "impossible date 1999-02-29",
        ),
        (|r, _| r[GRADE] = "-1".into(), Some("年级"), "is not a grade"),
        (
            |r, _| r[BOARDER] = "是的".into(),
            Some("是否寄宿"),
            "not a yes/no value",
        ),
    ]
}

#[test]
fn a_thousand_rows_with_37_bad_load_963_and_report_each_line() {
    let faults = faults();
    let mut text = String::from(HEADER);
    text.push('\n');
    let mut line = 2u64;
    let mut expected = Vec::new();
    let mut blank = 0;
    for i in 0..1000usize {
        if i == 300 || i == 700 {
            text.push_str(if i == 300 { "\n" } else { ",,,,,,,,,,,,,,,,,,,\n" });
            line += 1;
            blank += 1;
        }
        let mut row = good_row(i);
        if i == 500 {
            row[19] = "帮扶\n教师".into();
        }
        if i >= 13 && (i - 13) % 26 == 0 && (i - 13) / 26 < 37 {
            let k = (i - 13) / 26;
            let (apply, column, reason) = faults[k % faults.len()];
            apply(&mut row, i);
            expected.push((line, column, reason));
        }
        let cells: Vec<String> = row
            .iter()
            .map(|c| {
                if c.contains(['\n', ',']) {
                    format!("\"{c}\"")
                } else {
                    c.clone()
                }
            })
            .collect();
        text.push_str(&cells.join(","));
        text.push('\n');
        line += 1 + row.iter().map(|c| c.matches('\n').count() as u64).sum::<u64>();
    }
    assert_eq!(expected.len(), 37);
    let loaded = load_roster(
        RosterFiles::new(
            Input::bytes("schools.csv", SCHOOLS.as_bytes()),
            Input::bytes("students.csv", text.as_bytes()),
        ),
        &ReadOptions::default(),
    )
    .unwrap();
    let r = &loaded.students;
    assert_eq!(
        (r.read, r.accepted, r.rejected, r.blank),
        (1000, 963, 37, blank),
        "{r}\n{expected:?}"
    );
    assert!(r.balances());
    assert_eq!(r.errors.len(), 37);
    let lines: Vec<u64> = r.errors.iter().map(|e| e.line).collect();
    let want: Vec<u64> = expected.iter().map(|e| e.0).collect();
    assert_eq!(lines, want);
    // The first fault is on line 15 (row 13 + header); after the multi-line
    // cell of row 500 and the blank lines before rows 300 and 700, lines run
    // ahead of rows by 1, 2 and 3.
    assert_eq!(want[0], 15);
    assert_eq!(want[36], 13 + 36 * 26 + 2 + 3);
    for (e, (line, column, reason)) in r.errors.iter().zip(&expected) {
        assert_eq!(e.file, "students.csv");
        assert_eq!(e.line, *line);
        assert_eq!(e.column.as_deref(), *column, "line {line}: {e}");
        assert!(e.reason.contains(reason), "line {line}: expected {reason:?} in {e}");
    }
    assert_eq!(eduaid_model::Roster::student_count(&loaded.roster).unwrap(), 963);
    // The rejected row is named by its id when it has one.
    assert_eq!(r.errors[0].key.as_deref(), Some("P00013"));
    // The report serializes for a machine-readable log.
    let json = serde_json::to_value(r).unwrap();
    assert_eq!(json["rejected"], 37);
    assert_eq!(json["kind"], "students");
    assert_eq!(json["errors"][0]["line"], 15);
    assert_eq!(json["errors"][0]["column"], "出生日期");
}

#[test]
fn a_missing_required_column_names_it() {
    let text = "学籍号,姓名,出生日期,学校,学段,年级,户籍,学籍状态,学籍状态日期\nP1,甲,2010-01-01,S1,小学,1,农村,在读,2016-09-01\n";
    let e = read_students(Input::bytes("s.csv", text.as_bytes()), &ReadOptions::default()).unwrap_err();
    assert!(
        matches!(
            e,
            Error::MissingColumn {
                column: "sex",
                chinese: "性别",
                line: 1,
                ..
            }
        ),
        "{e}"
    );
    assert_eq!(e.to_string(), "s.csv:1: missing required column sex (性别)");
}

#[test]
fn unknown_columns_warn_or_reject() {
    let text = "学籍号,姓名,性别,出生日期,学校,学段,年级,户籍,学籍状态,学籍状态日期,家庭住址\n\
                P1,甲,男,2010-01-01,S1,小学,1,农村,在读,2016-09-01,某县某村\n";
    let loaded = read_students(Input::bytes("s.csv", text.as_bytes()), &ReadOptions::default()).unwrap();
    assert_eq!(loaded.report.accepted, 1);
    assert_eq!(loaded.report.warnings.len(), 1);
    assert!(loaded.report.warnings[0].message.contains("家庭住址"));
    let strict = ReadOptions {
        unknown_columns: UnknownColumns::Reject,
        ..ReadOptions::default()
    };
    let e = read_students(Input::bytes("s.csv", text.as_bytes()), &strict).unwrap_err();
    assert!(
        matches!(e, Error::UnknownColumn { ref column, .. } if column == "家庭住址"),
        "{e}"
    );
}

#[test]
fn a_title_row_above_the_header_is_skipped_with_a_warning() {
    let text = "示范县2017年春季学期学生名单,,,,,,,,,\n\
                学籍号,姓名,性别,出生日期,学校,学段,年级,户籍,学籍状态,学籍状态日期\n\
                P1,甲,男,2010-01-01,S1,小学,1,农村,在读,2016-09-01\n\
                P2,乙,男,2010-02-30,S1,小学,1,农村,在读,2016-09-01\n";
    let loaded = read_students(Input::bytes("s.csv", text.as_bytes()), &ReadOptions::default()).unwrap();
    assert_eq!((loaded.report.accepted, loaded.report.rejected), (1, 1));
    assert_eq!(loaded.report.errors[0].line, 4);
    assert!(loaded.report.warnings[0].message.contains("above the header"));
}

#[test]
fn duplicate_header_and_limits_are_file_errors() {
    let text = "学籍号,姓名,学生姓名,性别,出生日期,学校,学段,年级,户籍,学籍状态,学籍状态日期\n";
    let e = read_students(Input::bytes("s.csv", text.as_bytes()), &ReadOptions::default()).unwrap_err();
    assert!(matches!(e, Error::DuplicateColumn { column: "name", .. }), "{e}");

    let rows = "id,name,kind,ownership,township,locality\nS1,a,primary,public,t,rural\nS2,b,primary,public,t,rural\n";
    let small = ReadOptions {
        limits: Limits {
            max_bytes: 20,
            max_rows: 10,
            ..Limits::default()
        },
        ..ReadOptions::default()
    };
    let e = read_schools(Input::bytes("s.csv", rows.as_bytes()), &small).unwrap_err();
    assert!(matches!(e, Error::TooLarge { max: 20, .. }), "{e}");
    let few = ReadOptions {
        limits: Limits {
            max_bytes: 1 << 20,
            max_rows: 1,
            ..Limits::default()
        },
        ..ReadOptions::default()
    };
    let e = read_schools(Input::bytes("s.csv", rows.as_bytes()), &few).unwrap_err();
    assert!(matches!(e, Error::TooManyRows { line: 3, max: 1, .. }), "{e}");
}

#[test]
fn negative_and_zero_disbursements_are_rejected() {
    let text = "id,student_id,program,term,amount,paid_on,channel\n\
                D1,P1,生活补助,2017年春季学期,500元,2017-04-01,打卡发放\n\
                D2,P2,living-subsidy,2017-spring,-500,2017-04-01,bank_card\n\
                D3,P3,living-subsidy,2017-spring,0,2017-04-01,bank_card\n\
                D4,P4,living-subsidy,2017-spring,0.001,2017-04-01,bank_card\n\
                D5,P5,senior-grant,2017-spring,0.15万元,2017-04-01,bank_card\n\
                D1,P6,senior-grant,2017-spring,1000,2017-04-01,bank_card\n";
    // The program's names as a policy gives them (生活补助 an alias).
    let mut programs = eduaid_model::ProgramCatalogue::new();
    programs
        .insert(
            eduaid_model::ProgramNames::new(
                eduaid_model::ProgramId::new("living-subsidy").unwrap(),
                "家庭经济困难寄宿生生活补助",
            )
            .with_aliases(["生活补助"]),
        )
        .unwrap();
    let opts = ReadOptions {
        programs,
        ..ReadOptions::default()
    };
    let l = read_disbursements(Input::bytes("d.csv", text.as_bytes()), &opts).unwrap();
    assert_eq!(
        (l.report.read, l.report.accepted, l.report.rejected),
        (6, 2, 4),
        "{}",
        l.report
    );
    assert_eq!(l.records[0].program.as_str(), "living-subsidy");
    assert_eq!(l.records[1].amount, eduaid_model::Money::yuan(1500));
    let reasons: Vec<(u64, &str)> = l.report.errors.iter().map(|e| (e.line, e.reason.as_str())).collect();
    assert!(reasons[0].1.contains("negative amount"), "{reasons:?}");
    assert!(reasons[1].1.contains("zero amount"), "{reasons:?}");
    assert!(reasons[2].1.contains("finer than one fen"), "{reasons:?}");
    assert_eq!(reasons[3].0, 7);
    assert!(reasons[3].1.contains("duplicate D1 (first on line 2)"), "{reasons:?}");
}
