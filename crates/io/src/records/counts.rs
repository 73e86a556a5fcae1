//! The count files: pupils by grade, population by age, disabled
//! children, teachers.

use eduaid_model::{DisabledChildrenCount, GradeCount, PopulationCount, PovertyGroup, SchoolYear, Stage, TeacherCount};

use super::{Context, Record, model, text};
use crate::FileKind;
use crate::cell::{Cell, parse_bool, parse_coded, parse_count, parse_grade, parse_id, parse_u8};
use crate::source::{CellError, Fields};

pub(super) fn parse_poverty(c: &Cell) -> Result<Option<PovertyGroup>, String> {
    if let Ok(Some(b)) = parse_bool(c) {
        return Ok(Some(if b {
            PovertyGroup::RegisteredPoor
        } else {
            PovertyGroup::Other
        }));
    }
    parse_coded(c)
}

fn count(f: &Fields, name: &'static str) -> Result<u64, CellError> {
    Ok(f.get(name, parse_count)?.unwrap_or(0))
}

impl Record for GradeCount {
    const KIND: FileKind = FileKind::GradeCounts;

    fn parse(f: &Fields, _: &Context) -> Result<GradeCount, CellError> {
        let stage: Stage = f.req("stage", parse_coded)?;
        let g = GradeCount {
            year: f.req("year", parse_coded::<SchoolYear>)?,
            school_id: f.req("school_id", parse_id)?,
            township: f.req("township", text)?,
            locality: f.req("locality", parse_coded)?,
            stage,
            grade: f.req("grade", |c| parse_grade(c, Some(stage)))?,
            sex: f.req("sex", parse_coded)?,
            poverty: f.req("poverty", parse_poverty)?,
            enrolled: f.req("enrolled", parse_count)?,
            new_entrants: count(f, "new_entrants")?,
            repeaters: count(f, "repeaters")?,
            graduates: count(f, "graduates")?,
            transfers_in: count(f, "transfers_in")?,
            transfers_out: count(f, "transfers_out")?,
            dropouts: count(f, "dropouts")?,
            deaths: count(f, "deaths")?,
            temporary_in: count(f, "temporary_in")?,
            suspended: count(f, "suspended")?,
            other_in: count(f, "other_in")?,
            other_out: count(f, "other_out")?,
        };
        g.validate().map_err(|e| model(&e))?;
        Ok(g)
    }

    fn key(&self) -> Option<String> {
        Some(format!(
            "{} {} {} grade {} {} {}",
            self.year, self.school_id, self.stage, self.grade, self.sex, self.poverty
        ))
    }
}

impl Record for PopulationCount {
    const KIND: FileKind = FileKind::Population;

    fn parse(f: &Fields, _: &Context) -> Result<PopulationCount, CellError> {
        Ok(PopulationCount {
            year: f.req("year", parse_coded::<SchoolYear>)?,
            township: f.req("township", text)?,
            age: f.req("age", parse_u8)?,
            sex: f.req("sex", parse_coded)?,
            count: f.req("count", parse_count)?,
        })
    }

    fn key(&self) -> Option<String> {
        Some(format!("{} {} age {} {}", self.year, self.township, self.age, self.sex))
    }
}

impl Record for DisabledChildrenCount {
    const KIND: FileKind = FileKind::Disabled;

    fn parse(f: &Fields, _: &Context) -> Result<DisabledChildrenCount, CellError> {
        let d = DisabledChildrenCount {
            year: f.req("year", parse_coded::<SchoolYear>)?,
            township: f.req("township", text)?,
            kind: f.req("kind", parse_coded)?,
            age: f.req("age", parse_u8)?,
            sex: f.req("sex", parse_coded)?,
            total: f.req("total", parse_count)?,
            in_school: f.req("in_school", parse_count)?,
        };
        d.validate().map_err(|e| f.err("in_school", e.to_string()))?;
        Ok(d)
    }

    fn key(&self) -> Option<String> {
        Some(format!(
            "{} {} {} age {} {}",
            self.year, self.township, self.kind, self.age, self.sex
        ))
    }
}

impl Record for TeacherCount {
    const KIND: FileKind = FileKind::Teachers;

    fn parse(f: &Fields, _: &Context) -> Result<TeacherCount, CellError> {
        Ok(TeacherCount {
            year: f.req("year", parse_coded::<SchoolYear>)?,
            school_id: f.req("school_id", parse_id)?,
            stage: f.req("stage", parse_coded)?,
            teachers: f.req("teachers", parse_count)?,
        })
    }

    fn key(&self) -> Option<String> {
        Some(format!("{} {} {}", self.year, self.school_id, self.stage))
    }
}
