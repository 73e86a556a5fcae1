//! The bodies of eduaid's fuzz targets, one function a target.
//!
//! Each function takes arbitrary bytes, feeds them to the real readers and
//! parsers, and asserts the invariants every input must keep: no panic, a
//! load report that accounts for every row (`read == accepted + rejected`,
//! one `RowError` a rejected row, one record an accepted row), a streaming
//! read that agrees with the in-memory one, values that read back as
//! themselves. A failed assertion is a finding.
//!
//! The same file is compiled into the root package's integration tests
//! (`tests/hostile.rs`), which replay every input kept under
//! `fuzz/corpus/<target>/` and run proptest over arbitrary bytes, so CI on
//! the stable toolchain checks what the fuzzer found without cargo-fuzz.

use eduaid_io::{
    Encoding, Error, Format, HouseholdBook, Input, LoadReport, ReadOptions, StudentReader, read_disbursements,
    read_grade_counts, read_households, read_schools, read_students,
};
use eduaid_model::{Money, SchoolYear, Term};

/// Options chosen by the first byte of a fuzz input, so that the fuzzer
/// explores declared encodings, separators and small limits too.
fn options(format: Format, selector: u8) -> ReadOptions {
    let mut o = ReadOptions::with_format(format);
    o.encoding = match selector % 3 {
        0 => Encoding::Auto,
        1 => Encoding::Utf8,
        _ => Encoding::Gb18030,
    };
    if selector & 0x10 != 0 {
        o.delimiter = Some(b';');
    }
    if selector & 0x20 != 0 {
        o.delimiter = Some(b'\t');
    }
    if selector & 0x40 != 0 {
        o.limits.max_rows = 3;
    }
    if selector & 0x80 != 0 {
        o.status_as_of = "2017-03-01".parse().ok();
    }
    o
}

/// The invariants of every load report.
fn check_report(r: &LoadReport, records: usize) {
    assert!(r.balances(), "unbalanced report: {r}");
    assert_eq!(r.errors.len() as u64, r.rejected, "one error a rejected row: {r}");
    assert_eq!(records as u64, r.accepted, "one record an accepted row: {r}");
    for e in &r.errors {
        assert!(e.line >= 1, "a row error without a line: {e}");
        assert!(!e.reason.is_empty(), "a row error without a reason: {e}");
        assert!(!e.reason.ends_with('.'), "a reason ending in a period: {e}");
    }
}

/// A file-level error is fine; its message must name the file.
fn check_error(e: &Error, name: &str) {
    assert!(e.is_fatal(), "a row error returned as a file error: {e}");
    let msg = e.to_string();
    assert!(msg.contains(name), "error does not name the file: {msg}");
}

/// Read `data` as every kind of file in `format`, and the students file
/// once more through the streaming reader, which must agree.
fn read_every_kind(data: &[u8], format: Format, name: &str) {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let opts = options(format, selector);
    let input = || Input::bytes(name, body);
    match read_students(input(), &opts) {
        Ok(l) => {
            check_report(&l.report, l.students.len());
            streaming_agrees(input(), &opts, &l.report);
        }
        Err(e) => check_error(&e, name),
    }
    match read_schools(input(), &opts) {
        Ok(l) => check_report(&l.report, l.records.len()),
        Err(e) => check_error(&e, name),
    }
    match read_disbursements(input(), &opts) {
        Ok(l) => {
            check_report(&l.report, l.records.len());
            for d in &l.records {
                assert!(d.validate().is_ok(), "an invalid payment was accepted: {d:?}");
            }
        }
        Err(e) => check_error(&e, name),
    }
    match read_households(input(), &opts) {
        // The records are households, the report counts spell rows.
        Ok(l) => check_report(&l.report, usize::try_from(l.report.accepted).unwrap_or(usize::MAX)),
        Err(e) => check_error(&e, name),
    }
    match read_grade_counts(input(), &opts) {
        Ok(l) => check_report(&l.report, l.records.len()),
        Err(e) => check_error(&e, name),
    }
}

/// The streaming students reader yields one item a row read and ends with
/// the same counts as the in-memory read.
fn streaming_agrees(input: Input<'_>, opts: &ReadOptions, whole: &LoadReport) {
    // Configured as `read_students` configures it: households built from
    // the rows, so a sibling that disagrees is rejected in both.
    let Ok(reader) = StudentReader::open(input, opts) else {
        panic!("the in-memory read opened the file but the streaming one did not");
    };
    let mut reader = reader.with_households(HouseholdBook::new());
    let (mut ok, mut bad) = (0u64, 0u64);
    for item in reader.by_ref() {
        match item {
            Ok(_) => ok += 1,
            Err(Error::Row(_)) => bad += 1,
            Err(e) => panic!("the streaming read failed where the in-memory one did not: {e}"),
        }
    }
    let r = reader.report();
    assert!(r.balances(), "unbalanced streaming report: {r}");
    assert_eq!((ok, bad), (r.accepted, r.rejected), "items do not match the report");
    assert_eq!(
        (r.read, r.accepted, r.rejected, r.blank),
        (whole.read, whole.accepted, whole.rejected, whole.blank),
        "streaming and in-memory reads differ"
    );
}

/// Fuzz target `csv`: arbitrary bytes as a CSV of every kind (the first
/// byte picks the declared encoding, the separator and small limits).
pub fn csv(data: &[u8]) {
    read_every_kind(data, Format::Csv, "fuzz.csv");
}

/// Fuzz target `json`: arbitrary bytes as a JSON array (or JSON Lines, if
/// the first character is not `[`) and as JSON Lines.
pub fn json(data: &[u8]) {
    read_every_kind(data, Format::Json, "fuzz.json");
    read_every_kind(data, Format::JsonLines, "fuzz.jsonl");
}

/// Fuzz target `xlsx`: arbitrary bytes as an `.xlsx` workbook. Seeds are
/// real workbooks (merged cells, hidden sheets, formulas), so the fuzzer
/// reaches calamine's zip and XML parsing.
pub fn xlsx(data: &[u8]) {
    let opts = ReadOptions::with_format(Format::Xlsx);
    let name = "fuzz.xlsx";
    match read_students(Input::bytes(name, data), &opts) {
        Ok(l) => {
            check_report(&l.report, l.students.len());
            streaming_agrees(Input::bytes(name, data), &opts, &l.report);
        }
        Err(e) => check_error(&e, name),
    }
    match read_disbursements(Input::bytes(name, data), &opts) {
        Ok(l) => check_report(&l.report, l.records.len()),
        Err(e) => check_error(&e, name),
    }
}

/// Fuzz target `policy`: arbitrary text as a policy layer, parsed alone,
/// then composed over the built-in catalogue (national ← Hunan ← county).
pub fn policy(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let file = "fuzz.toml";
    match eduaid_eligibility::Layer::parse(file, text) {
        Err(e) => {
            let msg = e.to_string();
            assert!(!msg.is_empty() && !msg.ends_with('.'), "bad message: {msg:?}");
        }
        Ok(layer) => {
            let id = layer.id().to_string();
            // Over the built-in catalogue: an id of a built-in layer is
            // refused by `add`, anything else is composed.
            let _ = eduaid_eligibility::PolicySet::builtin().and_then(|mut set| {
                set.add(layer)?;
                set.compose(&id)
            });
        }
    }
    let _ = eduaid_eligibility::Policy::from_str_single(file, text);
}

/// Fuzz target `values`: arbitrary text as a term, a school year, an
/// amount of money and a date cell (through a one-row disbursements file,
/// which is how dates reach the date parser). Whatever parses must read
/// back as itself.
pub fn values(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(t) = text.parse::<Term>() {
        assert_eq!(t.to_string().parse::<Term>().ok(), Some(t), "term {text:?}");
        assert_eq!(t.to_chinese().parse::<Term>().ok(), Some(t), "term {text:?}");
        assert!(t.first_day() <= t.last_day(), "term {t}");
        assert!(t.contains(t.reference_date()), "term {t}");
    }
    if let Ok(y) = text.parse::<SchoolYear>() {
        assert_eq!(
            y.to_string().parse::<SchoolYear>().ok(),
            Some(y),
            "school year {text:?}"
        );
        assert_eq!(
            y.to_chinese().parse::<SchoolYear>().ok(),
            Some(y),
            "school year {text:?}"
        );
    }
    if let Ok(m) = text.parse::<Money>() {
        assert!(m.is_whole_fen(), "{text:?} parsed to {m}, finer than a fen");
        let back = m.as_decimal().to_string().parse::<Money>();
        assert_eq!(back.ok(), Some(m), "amount {text:?}");
    }
    // A date cell: the paid_on of one payment. The cell is quoted, so any
    // text is one cell.
    let cell = text.replace('"', "\"\"");
    let csv =
        format!("id,student_id,program,term,amount,paid_on,channel\nD1,G1,nutrition,2017-spring,4,\"{cell}\",cash\n");
    match read_disbursements(Input::bytes("date.csv", csv.as_bytes()), &ReadOptions::default()) {
        Ok(l) => {
            check_report(&l.report, l.records.len());
            for d in &l.records {
                let year = chrono::Datelike::year(&d.paid_on);
                assert!((1900..=2199).contains(&year), "{text:?} read as {}", d.paid_on);
            }
        }
        Err(e) => check_error(&e, "date.csv"),
    }
}

/// Fuzz target `validate_text`: arbitrary text through the report
/// validator's text parser.
pub fn validate_text(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let v = eduaid_report::validate_text(&text);
    assert_eq!(v.is_consistent(), v.findings().is_empty());
    for c in &v.checks {
        assert!(!c.message.is_empty(), "a check without a message");
    }
    let restored = eduaid_report::restore_decimals(&text);
    // Restoring only removes line breaks and turns 、 into a point.
    assert!(restored.chars().count() <= text.chars().count());
}
