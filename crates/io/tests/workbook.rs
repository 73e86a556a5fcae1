//! Output workbooks as a clerk opens them in Excel (issue 15): numbers are
//! number cells with number formats (yuan `#,##0.00`, 万元 `0.0000`, rates
//! as percentages), a title above the header, the header frozen, totals
//! rows below the data as values (no formula), and the entitlement list
//! read back over its title and totals rows.

use std::collections::HashMap;
use std::io::Read as _;
use std::path::Path;

use calamine::{Data, Reader, Xlsx, open_workbook};
use eduaid_io::{Sheet, TableWriter, Val, read_entitlements, write_sheets};
use eduaid_model::{Money, ProgramCatalogue};
use rust_decimal::Decimal;

/// The number format of each cell of the first worksheet: `A3` →
/// `#,##0.00` (`General` for a cell without one).
fn cell_formats(path: &Path, sheet: usize) -> HashMap<String, String> {
    let file = std::fs::File::open(path).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut read = |name: &str| {
        let mut s = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    };
    let styles = read("xl/styles.xml");
    let sheet_xml = read(&format!("xl/worksheets/sheet{sheet}.xml"));
    // numFmtId → code.
    let mut codes: HashMap<String, String> = HashMap::new();
    codes.insert("0".into(), "General".into());
    codes.insert("9".into(), "0%".into());
    codes.insert("10".into(), "0.00%".into());
    for part in styles.split("<numFmt ").skip(1) {
        let id = attr(part, "numFmtId");
        let code = attr(part, "formatCode").replace("&amp;", "&");
        codes.insert(id, code);
    }
    // Style index → numFmtId.
    let xfs = styles
        .split("<cellXfs")
        .nth(1)
        .unwrap()
        .split("</cellXfs>")
        .next()
        .unwrap();
    let styles: Vec<String> = xfs.split("<xf ").skip(1).map(|x| attr(x, "numFmtId")).collect();
    let mut out = HashMap::new();
    for c in sheet_xml.split("<c ").skip(1) {
        let r = attr(c, "r");
        let s: usize = c
            .split_once("s=\"")
            .map_or(0, |(_, rest)| rest.split('"').next().unwrap().parse().unwrap());
        let id = styles.get(s).cloned().unwrap_or_else(|| "0".into());
        out.insert(r, codes.get(&id).cloned().unwrap_or(id));
    }
    out
}

fn attr(tag: &str, name: &str) -> String {
    let key = format!("{name}=\"");
    let rest = tag.split_once(&key).map_or("", |(_, r)| r);
    rest.split('"').next().unwrap_or("").to_string()
}

fn money(s: &str) -> Money {
    s.parse().unwrap()
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

#[test]
fn numbers_are_number_cells_with_formats_under_a_title_and_above_totals() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("汇总.xlsx");
    let mut s = Sheet::new("汇总", &["项目", "人数", "金额（元）", "金额（万元）", "比例", "系数"])
        .with_title("2017年春季学期学生资助汇总");
    s.push(vec![
        Val::from("寄宿生生活补助"),
        Val::from(377u64),
        Val::Money(money("188500.5")),
        Val::Wan(money("188500.5")),
        Val::Percent(dec("99.87")),
        Val::Number(dec("1.0234")),
    ]);
    s.push(vec![
        Val::from("营养膳食补助"),
        Val::from(39979u64),
        Val::Money(money("4473636")),
        Val::Wan(money("4473636")),
        Val::percent_or_text("100.00%"),
        Val::number_or_text("0.5"),
    ]);
    s.push_total(vec![
        Val::from("合计"),
        Val::from(40356u64),
        Val::Money(money("4662136.5")),
        Val::Wan(money("4662136.5")),
        Val::percent_or_text("不可计算：缺少分母"),
        Val::Empty,
    ]);
    write_sheets(&path, &[s]).unwrap();

    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(wb.sheet_names(), ["汇总"]);
    let r = wb.worksheet_range("汇总").unwrap();
    let at = |row: u32, col: u32| r.get_value((row, col)).cloned().unwrap_or(Data::Empty);
    assert_eq!(at(0, 0), Data::String("2017年春季学期学生资助汇总".into()));
    assert_eq!(at(1, 0), Data::String("项目".into()));
    assert_eq!(at(2, 1), Data::Float(377.0));
    assert_eq!(at(2, 2), Data::Float(188_500.5));
    assert_eq!(at(2, 3), Data::Float(18.850_05));
    assert_eq!(at(2, 4), Data::Float(0.9987));
    assert_eq!(at(2, 5), Data::Float(1.0234));
    assert_eq!(at(3, 4), Data::Float(1.0));
    // The totals row is a value, not a formula.
    assert_eq!(at(4, 0), Data::String("合计".into()));
    assert_eq!(at(4, 2), Data::Float(4_662_136.5));
    assert_eq!(at(4, 4), Data::String("不可计算：缺少分母".into()));
    let formulas = wb.worksheet_formula("汇总").unwrap();
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));

    let f = cell_formats(&path, 1);
    assert_eq!(f["C3"], "#,##0.00");
    assert_eq!(f["D3"], "0.0000");
    assert_eq!(f["E3"], "0.00%");
    assert_eq!(f["F3"], "0.0000");
    assert_eq!(f["F4"], "0.0");
    assert_eq!(f["E4"], "0.00%");
    assert_eq!(f["C5"], "#,##0.00", "the totals row keeps the yuan format");
    assert_eq!(f["B3"], "General");

    // Frozen below the header, the title merged across the columns.
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    let mut xml = String::new();
    zip.by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    assert!(
        xml.contains(r#"ySplit="2""#) && xml.contains(r#"state="frozen""#),
        "{xml}"
    );
    assert!(xml.contains(r#"<mergeCell ref="A1:F1"/>"#));
    assert!(xml.contains("<cols>"), "column widths are set");
}

#[test]
fn csv_and_json_hold_the_data_alone_with_numbers_as_shown() {
    let d = tempfile::tempdir().unwrap();
    let mut s = Sheet::new("t", &["amount", "wan", "rate"]).with_title("a title");
    s.push(vec![
        Val::Money(money("4725.3")),
        Val::Wan(money("4725.3")),
        Val::Percent(dec("98.50")),
    ]);
    s.push_total(vec![Val::from("合计"), Val::Empty, Val::Empty]);
    let csv = d.path().join("t.csv");
    write_sheets(&csv, &[s.clone()]).unwrap();
    let text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(text, "\u{feff}amount,wan,rate\n4725.30,0.47253,98.50%\n");
    let json = d.path().join("t.json");
    write_sheets(&json, &[s]).unwrap();
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(v["t"].as_array().unwrap().len(), 1);
    assert_eq!(v["t"][0]["wan"], "0.47253");
    assert_eq!(v["t"][0]["rate"], "98.50%");
}

#[test]
fn an_entitlement_list_with_a_title_and_totals_rows_reads_back() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("应助名单.xlsx");
    let header = ["学籍号", "姓名", "资助项目", "资助方式", "学期", "金额（元）"];
    let mut w = TableWriter::create_with_title(&path, "应助名单", &header, Some("2017年春季学期学生资助应助名单"))
        .unwrap()
        .with_sheet_rows(2);
    for (id, amount) in [("G1", "500"), ("G2", "312.5"), ("G3", "500")] {
        w.push(&[
            Val::from(id),
            Val::from("甲"),
            Val::from("living-subsidy"),
            Val::from("现金（打卡发放）"),
            Val::from("2017年春季学期"),
            Val::Money(money(amount)),
        ])
        .unwrap();
    }
    w.push_total(vec![
        Val::from("现金合计"),
        Val::from("3人次"),
        Val::Empty,
        Val::from("现金（打卡发放）"),
        Val::Empty,
        Val::Money(money("1312.5")),
    ]);
    let written = w.finish(&[]).unwrap();
    assert_eq!(written.continued, ["应助名单 (2)"]);
    let f = read_entitlements(&path, &ProgramCatalogue::new()).unwrap();
    assert!(f.errors.is_empty(), "{:?}", f.errors);
    let ids: Vec<String> = f.entitlements.iter().map(|e| e.student_id.to_string()).collect();
    assert_eq!(ids, ["G1", "G2"], "the first sheet, title skipped");
    assert_eq!(f.entitlements[0].line, 3);
    // The continued sheet ends with the totals row.
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    let r = wb.worksheet_range("应助名单 (2)").unwrap();
    assert_eq!(
        r.get_value((0, 0)),
        Some(&Data::String("2017年春季学期学生资助应助名单".into()))
    );
    assert_eq!(r.get_value((2, 0)), Some(&Data::String("G3".into())));
    assert_eq!(r.get_value((3, 0)), Some(&Data::String("现金合计".into())));
    assert_eq!(r.get_value((3, 5)), Some(&Data::Float(1312.5)));
    // A CSV list re-saved with a totals row and a note below is read too.
    let csv = d.path().join("e.csv");
    std::fs::write(
        &csv,
        "学籍号,资助项目,学期,金额（元）\nG1,living-subsidy,2017-spring,500\n合计,,,500\n填表人：张三,,,\n",
    )
    .unwrap();
    let f = read_entitlements(&csv, &ProgramCatalogue::new()).unwrap();
    assert_eq!((f.read, f.skipped, f.entitlements.len()), (1, 2, 1), "{:?}", f.errors);
}
