//! # eduaid-io: a county's spreadsheets in and out
//!
//! Reads and writes the records of [`eduaid_model`] — schools, students
//! with their household status, households, disbursements and the
//! aggregate counts — as CSV (UTF-8 with or without BOM, or GBK/GB18030 as
//! Chinese Excel saves it), JSON (an array of flat objects, or JSON Lines)
//! and Excel `.xlsx`. Depend on it alone (with `eduaid-model`) to load or
//! convert data; the eligibility, statistics and report crates never need
//! it.
//!
//! ## Architecture
//! Three layers, each blind to the others' concerns:
//!
//! 1. **Sources** turn bytes into rows of cells with their physical line:
//!    CSV is parsed at the byte level and each cell decoded (UTF-8 or
//!    GB18030, detected or declared), streamed; JSON Lines are streamed;
//!    JSON arrays and xlsx sheets (through `calamine`) are read whole. An
//!    xlsx archive is checked before calamine sees it ([`check_archive`]:
//!    entries, sizes, compression ratio, shared strings), a record longer
//!    than [`Limits::max_record`] is refused as it is read, and no error
//!    quotes more than [`MAX_QUOTED_CHARS`] characters of a value.
//! 2. **The header** of a tabular file is found (title rows above it are
//!    skipped with a warning) and matched against the file kind's
//!    [`Column`]s by English name, Chinese header or alias
//!    ([`FileKind::columns`]); a missing required column is an
//!    [`Error::MissingColumn`], an unknown one a [`Warning`] (or an error,
//!    see [`UnknownColumns`]).
//! 3. **Records** are parsed cell by cell: yes/no in every usual form,
//!    dates as ISO, `2017年3月1日`, `2017/3/1`, `2017.3.1` or Excel serials,
//!    full-width digits, money through [`Money`](eduaid_model::Money)'s
//!    parser. A bad row becomes a [`RowError`] with file, line, column and
//!    reason; the good rows load; the [`LoadReport`] accounts for every
//!    row (`read == accepted + rejected`).
//!
//! On top: [`read_schools`] and its siblings load a file into memory;
//! [`StudentReader`] streams a students file one row at a time;
//! [`load_roster`] builds a [`MemoryRoster`](eduaid_model::MemoryRoster)
//! and [`FileRoster`] a streaming [`Roster`](eduaid_model::Roster); the
//! `write_*` functions write every kind with English or Chinese headers.
//!
//! Result tables (entitlements, totals, findings) are [`Sheet`]s of
//! [`Val`]s, written by [`write_sheets`] or streamed row by row by a
//! [`TableWriter`], and read back by [`read_table`]; the entitlements
//! file's format is [`ENTITLEMENT_COLUMNS`] and [`read_entitlements`].
//!
//! Every file is written atomically ([`write_atomically`], [`AtomicFile`]):
//! to a temporary file in the same folder, synced and renamed over the
//! target only when complete, so an error, a kill or a full disk leaves the
//! old file or the whole new one. A CSV text cell that a spreadsheet would
//! take for a formula (`=`, `+`, `-`, `@`, tab, CR) is written with a
//! leading `'` ([`csv_safe`]); xlsx text is always a string cell.
//! docs/file-formats.md (in the repository) documents every file kind and column.
//!
//! ## Example
//! ```
//! use eduaid_io::{read_students, write_students, Format, Headers, Input, ReadOptions, WriteOptions};
//!
//! let csv = "学籍号,姓名,性别,出生日期,学校,学段,年级,户籍,学籍状态,学籍状态日期,建档立卡时间,备注\n\
//!            G001,学生甲,女,2008年5月1日,S1,小学,三年级,农村,在读,2014-09-01,2015-10-01,\n\
//!            G002,学生乙,男,2008-02-30,S1,小学,3,农村,在读,2014-09-01,,\n";
//! let loaded = read_students(Input::bytes("students.csv", csv.as_bytes()), &ReadOptions::default())?;
//! assert_eq!((loaded.report.read, loaded.report.accepted, loaded.report.rejected), (2, 1, 1));
//! let bad = &loaded.report.errors[0];
//! assert_eq!((bad.line, bad.column.as_deref()), (3, Some("出生日期")));
//! assert!(bad.reason.contains("impossible date 2008-02-30"));
//! assert_eq!(loaded.report.warnings.len(), 1); // the unknown column 备注
//!
//! let home = &loaded.households[0];
//! assert!(home.registered_poor_on("2017-03-01".parse()?));
//!
//! let mut out = Vec::new();
//! let opts = WriteOptions { format: Some(Format::Csv), headers: Headers::Chinese, ..WriteOptions::default() };
//! write_students(&mut out, &loaded.students, &opts)?;
//! assert!(String::from_utf8(out)?.starts_with("学籍号,姓名,性别"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

mod atomic;
mod cell;
mod entitlements;
mod error;
mod furniture;
mod loans;
mod options;
mod parquet_input;
mod read;
mod readback;
mod records;
mod roster;
mod schema;
mod source;
mod table;
mod write;
mod zipguard;

pub use atomic::{AtomicFile, check_writable, write_atomically, write_file_atomically};
// Named for what it is here, a row of a file: the eligibility crate's root
// has the `Entitlement` the engine computes (issue 17: no clashing names).
pub use entitlements::{
    ENTITLEMENT_COLUMNS, ENTITLEMENT_REQUIRED, ENTITLEMENT_SHEETS, Entitlement as EntitlementRow, EntitlementsFile,
    read_entitlements,
};
pub use error::{Error, MAX_MESSAGE_CHARS, MAX_QUOTED_CHARS, RowError, Warning, clip};
pub use loans::{LOAN_COLUMNS, loans_sheet, read_loans, write_loans};
pub use options::{Encoding, Format, Headers, Limits, ReadOptions, UnknownColumns, WriteOptions};
pub use read::{
    CountFiles, HouseholdBook, LoadReport, Loaded, LoadedStudents, StudentReader, StudentRecord, read_bank_details,
    read_classes, read_counts, read_disabled, read_disbursements, read_grade_counts, read_households, read_population,
    read_schools, read_schools_with_classes, read_students, read_teachers, sorted_spells,
};
pub use readback::{MAX_TABLE_BYTES, ReadTable, TableCell, TableRow, read_table, read_table_bytes};
pub use records::{BankDetails, ClassRow};
pub use roster::{FileRoster, LoadedRoster, PROGRESS_ROWS, RosterFiles, load_roster, load_roster_with_progress};
pub use schema::{Column, FileKind, ValueType};
pub use source::{Input, read_xlsx_sheet};
pub use table::{
    OutKind, Sheet, TableWriter, TableWritten, Val, XLSX_MAX_ROWS, csv_safe, csv_unescape, display_width, table_files,
    write_csv, write_sheets, write_xlsx,
};
pub use write::{
    Output, StudentWriter, write_classes, write_disabled, write_disbursements, write_grade_counts, write_households,
    write_population, write_schools, write_students, write_students_with_status, write_teachers,
};
pub use zipguard::{ArchiveLimits, check_archive};
