//! The writers of a roster's records: schools, classes, students, households, disbursements.

use super::*;

fn school_row(s: &School) -> Vec<Out> {
    vec![
        Out::Text(s.id.to_string()),
        Out::Text(s.name.clone()),
        code(s.kind, s.kind.chinese()),
        code(s.ownership, s.ownership.chinese()),
        Out::Text(s.township.clone()),
        code(s.locality, s.locality.chinese()),
        opt_date(s.nutrition_plan_from),
        s.annual_tuition.map_or(Out::Empty, Out::Money),
    ]
}

/// Write schools, one a row. Their classes do not fit in a row: write them
/// with [`write_classes`] and read both back with
/// [`read_schools_with_classes`](crate::read_schools_with_classes).
///
/// # Errors
/// A failure to write.
pub fn write_schools<'a>(out: impl Into<Output<'a>>, schools: &[School], opts: &WriteOptions) -> Result<(), Error> {
    let mut t = Table::all(FileKind::Schools);
    t.rows = schools.iter().map(school_row).collect();
    write_table(out.into(), &t, opts)
}

/// Write the classes of the schools, one class a row, school by school.
///
/// # Errors
/// A failure to write.
pub fn write_classes<'a>(out: impl Into<Output<'a>>, schools: &[School], opts: &WriteOptions) -> Result<(), Error> {
    let mut t = Table::all(FileKind::Classes);
    for s in schools {
        for c in &s.classes {
            t.rows.push(vec![
                Out::Text(s.id.to_string()),
                year(c.year, opts.headers),
                code(c.stage, c.stage.chinese()),
                Out::Int(u64::from(c.grade)),
                Out::Int(u64::from(c.size)),
            ]);
        }
    }
    write_table(out.into(), &t, opts)
}

pub(super) const STUDENT_BASE: &[&str] = &[
    "id",
    "name",
    "sex",
    "birth_date",
    "school_id",
    "stage",
    "grade",
    "boarder",
    "disability",
    "migrant",
    "left_behind",
    "hukou",
    "agricultural_major",
    "household_id",
    "status",
    "status_since",
    "helper",
];

pub(super) fn student_row(s: &Student) -> Vec<Out> {
    vec![
        Out::Text(s.id.to_string()),
        Out::Text(s.name.clone()),
        code(s.sex, s.sex.chinese()),
        Out::Date(s.birth_date),
        Out::Text(s.school_id.to_string()),
        code(s.stage, s.stage.chinese()),
        Out::Int(u64::from(s.grade)),
        Out::Bool(s.boarder),
        s.disability.map_or(Out::Empty, |d| code(d, d.chinese())),
        Out::Bool(s.migrant),
        Out::Bool(s.left_behind),
        code(s.hukou, s.hukou.chinese()),
        Out::Bool(s.agricultural_major),
        s.household_id.as_ref().map_or(Out::Empty, |h| Out::Text(h.to_string())),
        code(s.status, s.status.chinese()),
        Out::Date(s.status_since),
        s.helper.clone().map_or(Out::Empty, Out::Text),
    ]
}

/// Write students without their households' status (the `household_id`
/// column links them to a households file).
///
/// # Errors
/// A failure to write.
pub fn write_students<'a>(out: impl Into<Output<'a>>, students: &[Student], opts: &WriteOptions) -> Result<(), Error> {
    let mut t = Table::new(FileKind::Students, STUDENT_BASE);
    t.rows = students.iter().map(student_row).collect();
    write_table(out.into(), &t, opts)
}

/// Write students with their households' status inline, as a county sheet
/// does: a start and an end column (`registered_poor_from`,
/// `registered_poor_until` …) for every status kind any of their households
/// holds.
///
/// # Errors
/// [`Error::Write`] if a student names a household not in `households`, or
/// a household holds two spells of one kind (write a households file for
/// those); or a failure to write.
pub fn write_students_with_status<'a>(
    out: impl Into<Output<'a>>,
    students: &[Student],
    households: &[Household],
    opts: &WriteOptions,
) -> Result<(), Error> {
    let by_id: HashMap<&HouseholdId, &Household> = households.iter().map(|h| (&h.id, h)).collect();
    let mut kinds: Vec<StatusKind> = Vec::new();
    for h in households {
        for s in &h.statuses {
            if !kinds.contains(&s.kind) {
                kinds.push(s.kind);
            }
        }
    }
    let status_cols: Vec<&(StatusKind, &str, &str, &str)> =
        STATUS_COLUMNS.iter().filter(|(k, ..)| kinds.contains(k)).collect();
    let mut names: Vec<&str> = STUDENT_BASE.to_vec();
    for (_, _, from, until) in &status_cols {
        names.push(from);
        names.push(until);
    }
    let mut t = Table::new(FileKind::Students, &names);
    for s in students {
        let mut row = student_row(s);
        let home = match &s.household_id {
            None => None,
            Some(id) => Some(*by_id.get(id).ok_or_else(|| Error::Write {
                what: "student",
                key: s.id.to_string(),
                reason: format!("household {id} is not among the households given"),
            })?),
        };
        for (kind, ..) in &status_cols {
            let spells: Vec<_> = home
                .map(|h| h.statuses.iter().filter(|x| x.kind == *kind).collect())
                .unwrap_or_default();
            match spells.as_slice() {
                [] => row.extend([Out::Empty, Out::Empty]),
                [one] => row.extend([Out::Date(one.range.from), opt_date(one.range.until)]),
                _ => {
                    return Err(Error::Write {
                        what: "student",
                        key: s.id.to_string(),
                        reason: format!(
                            "the household holds {} spells of {kind}: write a households file instead",
                            spells.len()
                        ),
                    });
                }
            }
        }
        t.rows.push(row);
    }
    write_table(out.into(), &t, opts)
}

/// Write households in long format: one status spell a row. A household
/// with no status is written as no row, so it cannot be read back: an
/// [`Error::Write`].
///
/// # Errors
/// [`Error::Write`], or a failure to write.
pub fn write_households<'a>(
    out: impl Into<Output<'a>>,
    households: &[Household],
    opts: &WriteOptions,
) -> Result<(), Error> {
    let mut t = Table::all(FileKind::Households);
    for h in households {
        if h.statuses.is_empty() {
            return Err(Error::Write {
                what: "household",
                key: h.id.to_string(),
                reason: "a household with no status has no row in a households file".into(),
            });
        }
        for s in &h.statuses {
            t.rows.push(vec![
                Out::Text(h.id.to_string()),
                code(s.kind, s.kind.chinese()),
                Out::Date(s.range.from),
                opt_date(s.range.until),
            ]);
        }
    }
    write_table(out.into(), &t, opts)
}

/// Write disbursements.
///
/// # Errors
/// A failure to write.
pub fn write_disbursements<'a>(
    out: impl Into<Output<'a>>,
    disbursements: &[Disbursement],
    opts: &WriteOptions,
) -> Result<(), Error> {
    let mut t = Table::all(FileKind::Disbursements);
    for d in disbursements {
        let program = match (opts.headers, opts.programs.chinese(&d.program)) {
            (Headers::Chinese, Some(zh)) => Out::Text(zh.to_string()),
            _ => Out::Text(d.program.to_string()),
        };
        let term = Out::Code(d.term.to_string(), "");
        let term = match (&term, opts.headers) {
            (_, Headers::Chinese) => Out::Text(d.term.to_chinese()),
            _ => term,
        };
        t.rows.push(vec![
            Out::Text(d.id.clone()),
            Out::Text(d.student_id.to_string()),
            program,
            term,
            Out::Money(d.amount),
            Out::Date(d.paid_on),
            code(d.channel, d.channel.chinese()),
        ]);
    }
    write_table(out.into(), &t, opts)
}
