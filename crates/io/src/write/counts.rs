//! The writers of the counts: grade counts, population, disabled children, teachers.

use super::*;

pub(super) fn year(y: eduaid_model::SchoolYear, headers: Headers) -> Out {
    match headers {
        Headers::Chinese => Out::Text(y.to_chinese()),
        _ => Out::Int(clamped::<_, u64>(y.start_year())),
    }
}

/// Write grade counts.
///
/// # Errors
/// A failure to write.
pub fn write_grade_counts<'a>(
    out: impl Into<Output<'a>>,
    counts: &[GradeCount],
    opts: &WriteOptions,
) -> Result<(), Error> {
    let mut t = Table::all(FileKind::GradeCounts);
    for g in counts {
        t.rows.push(vec![
            year(g.year, opts.headers),
            Out::Text(g.school_id.to_string()),
            Out::Text(g.township.clone()),
            code(g.locality, g.locality.chinese()),
            code(g.stage, g.stage.chinese()),
            Out::Int(u64::from(g.grade)),
            code(g.sex, g.sex.chinese()),
            code(g.poverty, g.poverty.chinese()),
            Out::Int(g.enrolled),
            Out::Int(g.new_entrants),
            Out::Int(g.repeaters),
            Out::Int(g.graduates),
            Out::Int(g.transfers_in),
            Out::Int(g.transfers_out),
            Out::Int(g.dropouts),
            Out::Int(g.deaths),
            Out::Int(g.temporary_in),
            Out::Int(g.suspended),
            Out::Int(g.other_in),
            Out::Int(g.other_out),
        ]);
    }
    write_table(out.into(), &t, opts)
}

/// Write school-age population counts.
///
/// # Errors
/// A failure to write.
pub fn write_population<'a>(
    out: impl Into<Output<'a>>,
    counts: &[PopulationCount],
    opts: &WriteOptions,
) -> Result<(), Error> {
    let mut t = Table::all(FileKind::Population);
    for p in counts {
        t.rows.push(vec![
            year(p.year, opts.headers),
            Out::Text(p.township.clone()),
            Out::Int(u64::from(p.age)),
            code(p.sex, p.sex.chinese()),
            Out::Int(p.count),
        ]);
    }
    write_table(out.into(), &t, opts)
}

/// Write disabled children counts.
///
/// # Errors
/// A failure to write.
pub fn write_disabled<'a>(
    out: impl Into<Output<'a>>,
    counts: &[DisabledChildrenCount],
    opts: &WriteOptions,
) -> Result<(), Error> {
    let mut t = Table::all(FileKind::Disabled);
    for d in counts {
        t.rows.push(vec![
            year(d.year, opts.headers),
            Out::Text(d.township.clone()),
            code(d.kind, d.kind.chinese()),
            Out::Int(u64::from(d.age)),
            code(d.sex, d.sex.chinese()),
            Out::Int(d.total),
            Out::Int(d.in_school),
        ]);
    }
    write_table(out.into(), &t, opts)
}

/// Write teacher counts.
///
/// # Errors
/// A failure to write.
pub fn write_teachers<'a>(
    out: impl Into<Output<'a>>,
    counts: &[TeacherCount],
    opts: &WriteOptions,
) -> Result<(), Error> {
    let mut t = Table::all(FileKind::Teachers);
    for c in counts {
        t.rows.push(vec![
            year(c.year, opts.headers),
            Out::Text(c.school_id.to_string()),
            code(c.stage, c.stage.chinese()),
            Out::Int(c.teachers),
        ]);
    }
    write_table(out.into(), &t, opts)
}
