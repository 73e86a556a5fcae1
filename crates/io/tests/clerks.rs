//! Workbooks as clerks make them: a title row above the header, a header
//! of two rows with merged cells, 合计/小计 rows, notes below the table.
//! Every such row is skipped with a warning and counted; the records load.

use eduaid_io::*;
use eduaid_model::Money;
use rust_xlsxwriter::{Format as XFormat, Workbook};

const STUDENTS_HEAD: [&str; 12] = [
    "学籍号",
    "姓名",
    "性别",
    "出生日期",
    "学校",
    "学段",
    "年级",
    "户籍",
    "学籍状态",
    "学籍状态日期",
    "建档立卡时间",
    "寄宿生",
];

fn student(i: usize) -> [String; 12] {
    [
        format!("G{i:03}"),
        format!("学生{i}"),
        "女".into(),
        "2008-05-01".into(),
        "S1".into(),
        "小学".into(),
        "3".into(),
        "农村".into(),
        "在读".into(),
        "2014-09-01".into(),
        "2015-10-01".into(),
        "是".into(),
    ]
}

/// A roster as a county clerk's 学生花名册.xlsx: a merged title row, a
/// date line, the header, three students, a 合计 row (`3人` in 学段 — the
/// cell that made every command fail), and notes.
fn roster_xlsx(total_heads: &str) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("花名册").unwrap();
    let merge = XFormat::new();
    ws.merge_range(0, 0, 0, 11, "某县2017年春季学期学生花名册", &merge)
        .unwrap();
    ws.write_string(1, 0, "填报单位：某县学生资助管理中心").unwrap();
    for (c, h) in STUDENTS_HEAD.iter().enumerate() {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    for i in 1..=3 {
        for (c, v) in student(i).iter().enumerate() {
            ws.write_string(2 + i as u32, c as u16, v).unwrap();
        }
    }
    ws.write_string(6, 0, "合  计").unwrap();
    ws.write_string(6, 5, total_heads).unwrap();
    ws.write_string(8, 0, "备注：本表由学校填报。").unwrap();
    ws.write_string(9, 0, "1. 学籍号以全国学籍系统为准").unwrap();
    ws.write_string(10, 0, "填表人：张三").unwrap();
    ws.write_string(10, 4, "审核人：李四").unwrap();
    ws.write_string(11, 0, "日期：2017年3月1日").unwrap();
    wb.save_to_buffer().unwrap()
}

#[test]
fn a_roster_with_title_totals_and_notes_loads_every_student() {
    let bytes = roster_xlsx("3人");
    let loaded = read_students(Input::bytes("学生花名册.xlsx", &bytes), &ReadOptions::default()).unwrap();
    let r = &loaded.report;
    assert_eq!((r.read, r.accepted, r.rejected), (3, 3, 0), "{r}");
    // 合计, and four note lines (one block).
    assert_eq!(r.skipped, 5, "{r}");
    assert!(r.balances());
    let warnings: Vec<String> = r.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(warnings.len(), 4, "{warnings:#?}");
    assert!(warnings[0].contains("line 1 above the header"), "{warnings:#?}");
    assert!(warnings[1].contains("line 2 above the header"), "{warnings:#?}");
    assert!(
        warnings[2].contains(":7:")
            && warnings[2].contains("合计")
            && warnings[2].contains("match the rows above in 学段"),
        "{warnings:#?}"
    );
    assert!(
        warnings[3].contains(":9:") && warnings[3].contains("note"),
        "{warnings:#?}"
    );
    assert_eq!(loaded.students.len(), 3);
    assert!(r.to_string().contains("skipped 5"), "{r}");
}

#[test]
fn a_totals_row_that_does_not_add_up_is_said_so() {
    let bytes = roster_xlsx("4人");
    let loaded = read_students(Input::bytes("学生花名册.xlsx", &bytes), &ReadOptions::default()).unwrap();
    let r = &loaded.report;
    assert_eq!((r.read, r.accepted, r.skipped), (3, 3, 5), "{r}");
    let w = r.warnings.iter().find(|w| w.line == 7).unwrap();
    assert!(
        w.message.contains("does NOT match") && w.message.contains("学段: the row says 4, the table has 3 rows"),
        "{w}"
    );
}

#[test]
fn subtotals_and_an_unlabelled_sum_row_in_a_csv() {
    let csv = "\u{feff}某县2017年春季学期寄宿生生活补助发放表\n\
               流水号,学籍号,资助项目,学期,金额,发放日期,发放方式\n\
               D1,G001,living-subsidy,2017-spring,500,2017-04-15,bank_card\n\
               D2,G002,living-subsidy,2017-spring,625,2017-04-15,bank_card\n\
               一中小计,,,,1125,,\n\
               D3,G003,living-subsidy,2017-spring,500,2017-04-16,bank_card\n\
               小计,,,,600,,\n\
               ,,,,1625.00,,\n\
               说明：金额单位为元\n";
    let loaded = read_disbursements(Input::bytes("发放表.csv", csv.as_bytes()), &ReadOptions::default()).unwrap();
    let r = &loaded.report;
    assert_eq!((r.read, r.accepted, r.rejected, r.skipped), (3, 3, 0, 4), "{r}");
    let at = |line: u64| r.warnings.iter().find(|w| w.line == line).unwrap().message.clone();
    assert!(
        at(5).contains("小计") && at(5).contains("match the rows above in 金额"),
        "{}",
        at(5)
    );
    // The second subtotal covers D3 alone (500), not 600.
    assert!(
        at(7).contains("does NOT match") && at(7).contains("金额: the row says 600, the 1 rows above sum to 500"),
        "{}",
        at(7)
    );
    assert!(
        at(8).contains("unlabelled sum row") && at(8).contains("match"),
        "{}",
        at(8)
    );
    assert!(at(9).contains("note"), "{}", at(9));
    let total: Money = Money::checked_sum(loaded.records.iter().map(|d| d.amount)).unwrap();
    assert_eq!(total, Money::yuan(1625));
}

#[test]
fn a_row_without_id_whose_numbers_are_no_sum_is_still_reported() {
    let csv = "流水号,学籍号,资助项目,学期,金额,发放日期,发放方式\n\
               D1,G001,living-subsidy,2017-spring,500,2017-04-15,bank_card\n\
               ,,,,499,,\n";
    let loaded = read_disbursements(Input::bytes("d.csv", csv.as_bytes()), &ReadOptions::default()).unwrap();
    let r = &loaded.report;
    assert_eq!((r.read, r.accepted, r.rejected, r.skipped), (2, 1, 1, 0), "{r}");
}

#[test]
fn a_student_named_like_a_note_with_an_id_is_a_record() {
    let mut rows = String::from("学籍号,姓名,性别,出生日期,学校,学段,年级,户籍,学籍状态,学籍状态日期\n");
    rows.push_str("G001,日期,女,2008-05-01,S1,小学,3,农村,在读,2014-09-01\n");
    rows.push_str("G002,合计,男,2008-05-01,S1,小学,3,农村,在读,2014-09-01\n");
    let loaded = read_students(Input::bytes("s.csv", rows.as_bytes()), &ReadOptions::default()).unwrap();
    assert_eq!(
        (loaded.report.accepted, loaded.report.skipped),
        (2, 0),
        "{}",
        loaded.report
    );
}

#[test]
fn a_header_of_two_rows_with_merged_cells() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let f = XFormat::new();
    ws.merge_range(0, 0, 0, 7, "学校基本情况表", &f).unwrap();
    // 学校标识码 and 学校名称 merged down over two rows; 办学情况 over four
    // columns with their names below.
    ws.merge_range(1, 0, 2, 0, "学校标识码", &f).unwrap();
    ws.merge_range(1, 1, 2, 1, "学校名称", &f).unwrap();
    ws.merge_range(1, 2, 1, 5, "办学情况", &f).unwrap();
    for (c, h) in ["学校类型", "办学性质", "乡镇", "城乡"].iter().enumerate() {
        ws.write_string(2, 2 + c as u16, *h).unwrap();
    }
    ws.merge_range(1, 6, 2, 6, "营养改善计划起始日期", &f).unwrap();
    ws.merge_range(1, 7, 2, 7, "学费(元/年)", &f).unwrap();
    for (c, v) in ["S1", "甲镇中心小学", "小学", "公办", "甲镇", "农村"]
        .iter()
        .enumerate()
    {
        ws.write_string(3, c as u16, *v).unwrap();
    }
    ws.write_string(4, 0, "合计").unwrap();
    ws.write_string(4, 1, "1所").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let loaded = read_schools(Input::bytes("学校.xlsx", &bytes), &ReadOptions::default()).unwrap();
    let r = &loaded.report;
    assert_eq!((r.read, r.accepted, r.skipped), (1, 1, 1), "{r}");
    assert!(
        r.warnings
            .iter()
            .any(|w| w.message.contains("lines 2 and 3 are read as one header")),
        "{r}"
    );
    assert_eq!(loaded.records[0].name, "甲镇中心小学");
}

#[test]
fn a_streamed_students_file_counts_skipped_rows_too() {
    let bytes = roster_xlsx("3人");
    let mut reader = StudentReader::open(Input::bytes("学生花名册.xlsx", &bytes), &ReadOptions::default()).unwrap();
    let n = reader.by_ref().filter(Result::is_ok).count();
    let report = reader.into_report();
    assert_eq!((n, report.read, report.skipped), (3, 3, 5), "{report}");
}
