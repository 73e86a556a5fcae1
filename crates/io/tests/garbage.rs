//! No input makes a reader panic: arbitrary bytes, and valid files with
//! bytes flipped, in every format and for every kind of file.

use eduaid_io::*;
use proptest::prelude::*;

use crate::common::data;

fn every_reader(name: &str, bytes: &[u8], format: Format) {
    let o = ReadOptions::with_format(format);
    let input = Input::bytes(name, bytes);
    let lines = bytes.iter().filter(|b| **b == b'\n').count() as u64 + 1;
    let check = |r: Option<&LoadReport>| {
        if let Some(r) = r {
            assert!(r.balances(), "{r}");
            assert_eq!(r.rejected as usize, r.errors.len());
            if format != Format::Xlsx {
                for e in &r.errors {
                    assert!((1..=lines).contains(&e.line), "line {} of {lines}: {e}", e.line);
                }
            }
        }
    };
    check(read_schools(input, &o).ok().map(|l| l.report).as_ref());
    check(read_students(input, &o).ok().map(|l| l.report).as_ref());
    check(read_households(input, &o).ok().map(|l| l.report).as_ref());
    check(read_disbursements(input, &o).ok().map(|l| l.report).as_ref());
    check(read_grade_counts(input, &o).ok().map(|l| l.report).as_ref());
    check(read_population(input, &o).ok().map(|l| l.report).as_ref());
    check(read_disabled(input, &o).ok().map(|l| l.report).as_ref());
    check(read_teachers(input, &o).ok().map(|l| l.report).as_ref());
    if let Ok(reader) = StudentReader::open(input, &o) {
        for item in reader.take(10_000) {
            drop(item);
        }
    }
}

const FORMATS: [Format; 4] = [Format::Csv, Format::Json, Format::JsonLines, Format::Xlsx];

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        for f in FORMATS {
            every_reader("garbage", &bytes, f);
        }
    }

    #[test]
    fn csv_like_text_never_panics(text in "[a-z0-9,\"\n\r 是否年月日学籍号姓名-]{0,400}") {
        let with_header = format!("学籍号,姓名,性别,出生日期,学校,学段,年级,户籍,学籍状态,学籍状态日期\n{text}");
        every_reader("t.csv", with_header.as_bytes(), Format::Csv);
        every_reader("t.json", format!("[{text}]").as_bytes(), Format::Json);
    }

    #[test]
    fn damaged_sample_files_never_panic(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        which in 0usize..3,
    ) {
        let name = ["students.xlsx", "students-gbk.csv", "students.csv"][which];
        let mut bytes = std::fs::read(data(name)).unwrap();
        for (at, b) in flips {
            let i = at.index(bytes.len());
            bytes[i] = b;
        }
        let format = if which == 0 { Format::Xlsx } else { Format::Csv };
        every_reader(name, &bytes, format);
    }
}

#[test]
fn truncated_xlsx_is_an_error_not_a_panic() {
    let bytes = std::fs::read(data("students.xlsx")).unwrap();
    for cut in [0, 1, 4, 100, bytes.len() / 2, bytes.len() - 1] {
        let r = read_students(Input::bytes("s.xlsx", &bytes[..cut]), &ReadOptions::default());
        assert!(r.is_err(), "cut at {cut}");
    }
}
