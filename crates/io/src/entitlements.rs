//! The entitlements file (应助名单): what `eduaid evaluate --out` writes,
//! one row per student, program and term, and what `eduaid reconcile
//! --entitlements` reads back, perhaps after a clerk re-saved it in a
//! spreadsheet.

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;

use chrono::NaiveDate;
use eduaid_model::{Money, ProgramCatalogue, ProgramId, StudentId, Term};

use crate::{Error, RowError, TableCell, read_table};

/// The columns of the entitlements sheet: English name and Chinese header.
/// Either header is read back (English case-insensitively).
pub const ENTITLEMENT_COLUMNS: &[(&str, &str)] = &[
    ("student_id", "学籍号"),
    ("name", "姓名"),
    ("school_id", "学校标识码"),
    ("school", "学校"),
    ("township", "乡镇"),
    ("stage", "学段"),
    ("grade", "年级"),
    ("program", "资助项目"),
    ("program_name", "项目名称"),
    ("benefit", "资助方式"),
    ("term", "学期"),
    ("amount", "金额（元）"),
    ("left_on", "离校日期"),
    ("rule", "依据规则"),
    ("tier", "档次"),
    ("basis", "政策依据"),
];

/// The columns an entitlements file must have.
pub const ENTITLEMENT_REQUIRED: &[&str] = &["student_id", "program", "term", "amount"];

/// The name of the entitlements sheet in each language (English, Chinese).
pub const ENTITLEMENT_SHEETS: &[&str] = &["entitlements", "应助名单"];

/// One row of an entitlements file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Entitlement {
    /// The line (row) it was read from.
    pub line: u64,
    /// The student (学籍号).
    pub student_id: StudentId,
    /// The student's name, as the file gives it (may be empty).
    pub name: String,
    /// The school's name, as the file gives it (may be empty).
    pub school: String,
    /// The program.
    pub program: ProgramId,
    /// The term.
    pub term: Term,
    /// The amount, in yuan; never negative.
    pub amount: Money,
    /// The day the student left school, if they did.
    pub left_on: Option<NaiveDate>,
    /// The kind of benefit in words (`cash`, `现金（打卡发放）` …).
    pub benefit: String,
}

impl Entitlement {
    /// True for a ceiling (`ceiling`, `上限（非应发）`): a most that may be
    /// paid, not an amount owed.
    #[must_use]
    pub fn is_ceiling(&self) -> bool {
        self.benefit.starts_with("ceiling") || self.benefit.starts_with("上限")
    }
}

/// An entitlements file read back: the good rows and the rejected ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct EntitlementsFile {
    /// The file.
    pub file: String,
    /// The rows read (not counting the header, blank rows and skipped
    /// rows).
    pub read: u64,
    /// Totals rows (`现金合计`, `合计`, `total cash`, as `evaluate --out`
    /// writes below an xlsx list) and note lines (`备注：…`) skipped.
    pub skipped: u64,
    /// The rows accepted, in file order.
    pub entitlements: Vec<Entitlement>,
    /// The rows rejected, each with its line, column and reason.
    pub errors: Vec<RowError>,
}

/// Read an entitlements file (`.csv`, `.xlsx` or `.json`, as
/// [`read_table`] reads it), rejecting a bad row with its file, line,
/// column and reason:
///
/// - a 学籍号 in exponent form (`4.30102E+17`, a number Excel shortened)
///   or held in an xlsx number cell too large to keep every digit;
/// - an amount that is not money, or negative;
/// - a leaving date that is not a date (an xlsx date cell, or an xlsx
///   number cell in this date column, is read as the date it shows; text
///   of digits alone is not a date);
/// - a second row for one student, program and term.
///
/// A program cell is read by the names in `programs` (an id, a Chinese
/// name or an alias, as the policy gives them: `eduaid_eligibility::Policy::catalogue`);
/// a name it does not hold is taken as an id. An empty catalogue reads ids
/// only.
///
/// # Errors
/// As [`read_table`], and [`Error::MissingColumn`] for a missing required
/// column.
pub fn read_entitlements(path: &Path, programs: &ProgramCatalogue) -> Result<EntitlementsFile, Error> {
    let t = read_table(path, ENTITLEMENT_SHEETS)?;
    let col = |name: &str| -> Option<usize> {
        let (en, zh) = ENTITLEMENT_COLUMNS.iter().find(|(en, _)| *en == name)?;
        t.header.iter().position(|h| h.eq_ignore_ascii_case(en) || h == zh)
    };
    for req in ENTITLEMENT_REQUIRED {
        if col(req).is_none() {
            let (column, chinese) = ENTITLEMENT_COLUMNS
                .iter()
                .find(|(en, _)| en == req)
                .copied()
                .unwrap_or((req, req));
            return Err(Error::MissingColumn {
                file: t.file.clone(),
                line: t.header_line,
                column,
                chinese,
            });
        }
    }
    let mut out = EntitlementsFile {
        file: t.file.clone(),
        ..EntitlementsFile::default()
    };
    let mut seen: HashMap<(StudentId, ProgramId, Term), u64> = HashMap::new();
    for row in &t.rows {
        if is_furniture(row) {
            out.skipped += 1;
            continue;
        }
        out.read += 1;
        let cell = |name: &str| col(name).and_then(|i| row.cells.get(i)).unwrap_or(&TableCell::Empty);
        let fault = |name: &str, key: Option<&StudentId>, reason: String| RowError {
            file: t.file.clone(),
            line: row.line,
            column: col(name).and_then(|i| t.header.get(i).cloned()),
            key: key.map(ToString::to_string),
            reason,
        };
        let parsed = (|| -> Result<Entitlement, RowError> {
            let student_id = id(cell("student_id")).map_err(|r| fault("student_id", None, r))?;
            let key = Some(&student_id);
            let text = |name: &str| text(cell(name)).map_err(|r| fault(name, key, r));
            let program = programs
                .parse(&text("program")?)
                .map_err(|e| fault("program", key, e.to_string()))?;
            let term = Term::from_str(&text("term")?).map_err(|e| fault("term", key, e.to_string()))?;
            let amount = amount(cell("amount")).map_err(|r| fault("amount", key, r))?;
            let left_on = date(cell("left_on")).map_err(|r| fault("left_on", key, r))?;
            Ok(Entitlement {
                line: row.line,
                name: text("name")?,
                school: text("school")?,
                benefit: text("benefit")?,
                student_id,
                program,
                term,
                amount,
                left_on,
            })
        })();
        match parsed {
            Err(e) => out.errors.push(e),
            Ok(e) => {
                let k = (e.student_id.clone(), e.program.clone(), e.term);
                if let Some(first) = seen.get(&k) {
                    out.errors.push(fault(
                        "student_id",
                        Some(&e.student_id),
                        format!(
                            "duplicate entitlement for {} {} (first on line {first})",
                            e.program, e.term
                        ),
                    ));
                } else {
                    seen.insert(k, row.line);
                    out.entitlements.push(e);
                }
            }
        }
    }
    Ok(out)
}

/// True for a row that is no entitlement: a totals row (its first
/// non-empty cell `合计`, `现金合计`, `小计…`, `total…`) or a note line
/// (`备注：…`, `填表人：…`) alone in its row.
fn is_furniture(row: &crate::TableRow) -> bool {
    let mut filled = row.cells.iter().filter(|c| !c.is_empty());
    let Some(TableCell::Text(first)) = filled.next() else {
        return false;
    };
    let t: String = first.chars().filter(|c| !c.is_whitespace()).collect();
    let lower = t.to_ascii_lowercase();
    crate::furniture::total_label(&t).is_some()
        || lower.starts_with("total")
        || lower.starts_with("subtotal")
        || (crate::furniture::is_note(&t) && filled.next().is_none())
}

/// The cell as text (a number in its shortest exact form).
fn text(cell: &TableCell) -> Result<String, String> {
    match cell {
        TableCell::Empty => Ok(String::new()),
        TableCell::Text(s) => Ok(s.clone()),
        TableCell::Number(f) => Ok(f.to_string()),
        TableCell::Date(d) => Ok(d.to_string()),
        TableCell::Bool(b) => Ok(b.to_string()),
        TableCell::Bad(r) => Err(r.clone()),
    }
}

/// The largest whole number a double holds exactly (2⁵³).
const EXACT: f64 = 9_007_199_254_740_992.0;

/// A 学籍号: text, or a whole xlsx number small enough to be exact; never
/// the exponent form a spreadsheet shows a long number in.
#[allow(clippy::float_arithmetic, clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn id(cell: &TableCell) -> Result<StudentId, String> {
    let s = match cell {
        TableCell::Number(f) if f.fract() == 0.0 && *f >= 0.0 && *f < EXACT => format!("{}", *f as u64),
        TableCell::Number(f) => {
            return Err(format!(
                "the id is a number cell ({f}) that cannot hold every digit of a long id: format the column as text and enter the ids again"
            ));
        }
        other => text(other)?,
    };
    if is_exponent_form(&s) {
        return Err(format!(
            "{s:?} is a number in exponent form, not an id: the spreadsheet shortened it; format the column as text and enter the ids again"
        ));
    }
    StudentId::new(s).map_err(|e| e.to_string())
}

/// `4.30102E+17`, `4e5`: digits, an optional point, `e`/`E`, exponent.
fn is_exponent_form(s: &str) -> bool {
    let Some((mantissa, exp)) = s.split_once(['e', 'E']) else {
        return false;
    };
    let exp = exp.strip_prefix(['+', '-']).unwrap_or(exp);
    let m_ok = !mantissa.is_empty()
        && mantissa.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && mantissa.bytes().any(|b| b.is_ascii_digit());
    m_ok && !exp.is_empty() && exp.bytes().all(|b| b.is_ascii_digit())
}

/// An amount: text through [`Money`]'s parser, or an xlsx number by its
/// shortest exact decimal form; never negative.
fn amount(cell: &TableCell) -> Result<Money, String> {
    let s = match cell {
        TableCell::Empty => return Err("no amount".into()),
        TableCell::Number(f) if !f.is_finite() => return Err(format!("{f} is not an amount")),
        other => text(other)?,
    };
    let m = Money::from_str(&s).map_err(|e| e.to_string())?;
    if m.is_negative() {
        return Err(format!("negative amount {s}: an entitlement is never negative"));
    }
    Ok(m)
}

/// A leaving date: a date cell, an xlsx number (an Excel serial in this
/// date column), or date text; digits alone in text are not a date.
fn date(cell: &TableCell) -> Result<Option<NaiveDate>, String> {
    match cell {
        TableCell::Empty => Ok(None),
        TableCell::Date(d) => Ok(Some(*d)),
        TableCell::Number(f) => crate::cell::from_serial(*f).map(Some),
        TableCell::Text(s) if s.bytes().all(|b| b.is_ascii_digit() || b == b'.') && s.len() < 8 => Err(format!(
            "{s:?} is not a date (a number in a text cell is not taken for an excel serial): write 2017-03-01"
        )),
        TableCell::Text(s) => crate::cell::parse_date_text(s).map(Some),
        other => Err(format!("{} is not a date", text(other)?)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponent_forms_are_recognised() {
        for s in ["4.30102E+17", "4e5", "1.5e-3", "43E17"] {
            assert!(is_exponent_form(s), "{s}");
        }
        for s in ["G4305", "E17", "4305E", "43050E1x", "e"] {
            assert!(!is_exponent_form(s), "{s}");
        }
    }
}
