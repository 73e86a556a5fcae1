//! The program catalogue has one source, the policy files: a county's
//! overlay naming its own program (and an alias) is read in a payments or
//! entitlements file by that name, and written back with it.

use eduaid::eligibility::Policy;
use eduaid::io::{Input, ReadOptions, WriteOptions, read_disbursements, read_entitlements, write_disbursements};
use eduaid::model::{ProgramCatalogue, ProgramId};

const OVERLAY: &str = r#"
[policy]
id = "my-county-2017"
title = "某县2017年教育扶贫资助补充政策"
base = "hunan-county-2016"

[documents.my-county-2017-3]
title = "某县关于设立留守儿童关爱补助的通知"
issuer = "某县教育局"
number = "某教发〔2017〕3号"
date = 2017-02-20
certainty = "B"

[programs.left-behind]
name = "留守儿童关爱补助"
aliases = ["留守儿童补助"]
short = "留守补助"
english = "left-behind children's subsidy"
benefit = "cash"
cite = { doc = "my-county-2017-3", clause = "第二条" }

[programs.rain-and-dew]
aliases = ["雨露计划补助"]
"#;

#[allow(clippy::unwrap_used)] // a test helper: a bad fixture fails the test
fn id(s: &str) -> ProgramId {
    ProgramId::new(s).unwrap()
}

#[allow(clippy::unwrap_used)] // a test helper: a bad fixture fails the test
fn catalogue() -> ProgramCatalogue {
    Policy::builtin_with("my-county-2017.toml", OVERLAY)
        .unwrap()
        .catalogue()
        .unwrap()
}

const PAID: &str = "流水号,学籍号,资助项目,学期,金额,发放日期,发放方式\n\
                    D1,G001,留守儿童关爱补助,2017年春季学期,200,2017-04-15,打卡发放\n\
                    D2,G002,留守儿童补助,2017年春季学期,200,2017-04-15,打卡发放\n\
                    D3,G003,留守补助,2017年春季学期,200,2017-04-15,打卡发放\n\
                    D4,G004,雨露计划补助,2017年春季学期,1500,2017-04-15,打卡发放\n\
                    D5,G005,生活补助,2017年春季学期,500,2017-04-15,打卡发放\n\
                    D6,G006,living-subsidy,2017年春季学期,500,2017-04-15,打卡发放\n";

#[test]
fn a_county_program_named_in_chinese_is_read_by_its_id() {
    let opts = ReadOptions {
        programs: catalogue(),
        ..ReadOptions::default()
    };
    let read = read_disbursements(Input::bytes("发放表.csv", PAID.as_bytes()), &opts).unwrap();
    assert!(read.report.is_clean(), "{}", read.report);
    let programs: Vec<&str> = read.records.iter().map(|d| d.program.as_str()).collect();
    assert_eq!(
        programs,
        [
            "left-behind",
            "left-behind",
            "left-behind",
            "rain-and-dew",
            "living-subsidy",
            "living-subsidy"
        ]
    );
    // Without the policy's names a cell is taken as the id it holds.
    let ids_only = read_disbursements(Input::bytes("发放表.csv", PAID.as_bytes()), &ReadOptions::default()).unwrap();
    assert_eq!(ids_only.records[0].program, id("留守儿童关爱补助"));
    assert_eq!(ids_only.records[4].program, id("生活补助"));
}

#[test]
fn a_county_program_is_written_back_with_its_chinese_name() {
    let programs = catalogue();
    let opts = ReadOptions {
        programs: programs.clone(),
        ..ReadOptions::default()
    };
    let read = read_disbursements(Input::bytes("发放表.csv", PAID.as_bytes()), &opts).unwrap();
    let mut out = Vec::new();
    let w = WriteOptions {
        programs,
        ..WriteOptions::excel_csv()
    };
    write_disbursements(&mut out, &read.records, &w).unwrap();
    let text = String::from_utf8(out.clone()).unwrap();
    let names: Vec<&str> = text.lines().skip(1).filter_map(|l| l.split(',').nth(2)).collect();
    assert_eq!(
        names,
        [
            "留守儿童关爱补助",
            "留守儿童关爱补助",
            "留守儿童关爱补助",
            "雨露计划",
            "家庭经济困难寄宿生生活补助",
            "家庭经济困难寄宿生生活补助"
        ]
    );
    let back = read_disbursements(Input::bytes("d.csv", &out), &opts).unwrap();
    assert_eq!(back.records, read.records);
    // Without the catalogue the writer writes ids.
    let mut plain = Vec::new();
    write_disbursements(&mut plain, &read.records, &WriteOptions::excel_csv()).unwrap();
    assert!(String::from_utf8(plain).unwrap().contains(",left-behind,"));
}

#[test]
fn an_entitlements_file_naming_a_county_program_in_chinese_is_read() {
    let dir = std::env::temp_dir().join(format!("eduaid-catalogue-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("应助名单.csv");
    std::fs::write(
        &path,
        "学籍号,姓名,资助项目,学期,金额（元）\n\
         G001,学生甲,留守儿童补助,2017-spring,200\n\
         G001,学生甲,营养改善计划,2017-spring,380\n",
    )
    .unwrap();
    let read = read_entitlements(&path, &catalogue());
    let ids_only = read_entitlements(&path, &ProgramCatalogue::new());
    std::fs::remove_dir_all(&dir).unwrap();
    let read = read.unwrap();
    assert!(read.errors.is_empty(), "{:?}", read.errors);
    let programs: Vec<&str> = read.entitlements.iter().map(|e| e.program.as_str()).collect();
    assert_eq!(programs, ["left-behind", "nutrition"]);
    assert_eq!(ids_only.unwrap().entitlements[0].program, id("留守儿童补助"));
}

#[test]
fn the_built_in_catalogue_names_what_the_io_table_named() {
    // The names eduaid-io read before the policy files carried them.
    let c = Policy::national().unwrap().catalogue().unwrap();
    for (id, names) in [
        ("preschool-aid", &["学前教育资助", "学前资助"][..]),
        ("fee-waiver", &["义务教育免学杂费", "免学杂费"]),
        ("free-textbooks", &["免费教科书"]),
        (
            "living-subsidy",
            &["家庭经济困难寄宿生生活补助", "寄宿生生活补助", "生活补助"],
        ),
        ("nutrition", &["农村义务教育学生营养改善计划", "营养改善计划"]),
        ("senior-grant", &["普通高中国家助学金"]),
        ("senior-fee-waiver", &["普通高中免学杂费"]),
        ("vocational-grant", &["中职国家助学金"]),
        ("vocational-tuition-waiver", &["中职免学费"]),
        ("rain-and-dew", &["雨露计划"]),
        ("student-loan", &["生源地信用助学贷款"]),
        ("tertiary-grant", &["高校国家助学金"]),
        ("endeavour-scholarship", &["国家励志奖学金"]),
        ("national-scholarship", &["国家奖学金"]),
    ] {
        let program = ProgramId::new(id).unwrap();
        assert_eq!(c.chinese(&program), names.first().copied(), "{id}");
        for name in names {
            assert_eq!(c.parse(name).unwrap(), program, "{name}");
        }
    }
}
