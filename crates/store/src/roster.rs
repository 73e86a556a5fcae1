//! Reading the records back: the store as a [`Roster`].

use std::borrow::Cow;
use std::collections::HashMap;

use eduaid_model::convert::clamped;
use eduaid_model::{
    Household, HouseholdId, Linked, MemoryRoster, Roster, RosterError, School, SchoolId, StatusKind, Student,
    StudentId, Visit,
};
use rusqlite::{OptionalExtension, params};

use crate::error::{StoreError, corrupt};
use crate::file::Store;
use crate::values::BATCH;

impl Store {
    /// Every school, in id order.
    fn all_schools(&self) -> Result<Vec<School>, StoreError> {
        let mut q = self.conn.prepare("SELECT id, data FROM schools ORDER BY id")?;
        let rows = q.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, data) = row?;
            out.push(serde_json::from_str(&data).map_err(|e| corrupt("school", &id, &e))?);
        }
        Ok(out)
    }

    /// Every household with its spells.
    fn all_households(&self) -> Result<HashMap<String, Household>, StoreError> {
        let mut out: HashMap<String, Household> = HashMap::new();
        let mut q = self.conn.prepare("SELECT id FROM households")?;
        for id in q.query_map([], |r| r.get::<_, String>(0))? {
            let id = id?;
            let hid = HouseholdId::new(&id).map_err(|e| corrupt("household", &id, &e))?;
            out.insert(id, Household::new(hid));
        }
        let mut q = self
            .conn
            .prepare("SELECT household_id, kind, from_date, until_date FROM status_spells ORDER BY rowid")?;
        let rows = q.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })?;
        for row in rows {
            let (id, kind, from, until) = row?;
            if let Some(h) = out.get_mut(&id) {
                add_spell(h, &kind, &from, until.as_deref())?;
            }
        }
        Ok(out)
    }

    /// One household with its spells.
    fn one_household(&self, id: &HouseholdId) -> Result<Option<Household>, StoreError> {
        let exists: Option<String> = self
            .conn
            .query_row("SELECT id FROM households WHERE id = ?1", params![id.as_str()], |r| {
                r.get(0)
            })
            .optional()?;
        if exists.is_none() {
            return Ok(None);
        }
        let mut h = Household::new(id.clone());
        let mut q = self
            .conn
            .prepare("SELECT kind, from_date, until_date FROM status_spells WHERE household_id = ?1 ORDER BY rowid")?;
        let rows = q.query_map(params![id.as_str()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        })?;
        for row in rows {
            let (kind, from, until) = row?;
            add_spell(&mut h, &kind, &from, until.as_deref())?;
        }
        Ok(Some(h))
    }

    /// Students after `seq`, at most `limit`, with their sequence numbers.
    fn students_after(&self, seq: i64, limit: i64) -> Result<Vec<(i64, Student)>, StoreError> {
        let mut q = self
            .conn
            .prepare_cached("SELECT seq, id, data FROM students WHERE seq > ?1 ORDER BY seq LIMIT ?2")?;
        let rows = q.query_map(params![seq, limit], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, id, data) = row?;
            out.push((
                seq,
                serde_json::from_str(&data).map_err(|e| corrupt("student", &id, &e))?,
            ));
        }
        Ok(out)
    }

    /// Copy the whole store into a [`MemoryRoster`] (for the operations
    /// that want one).
    ///
    /// # Errors
    /// [`StoreError`] if a record cannot be read back or fails validation.
    pub fn to_memory_roster(&self) -> Result<MemoryRoster, StoreError> {
        let mut roster = MemoryRoster::new();
        for s in self.all_schools()? {
            roster.add_school(s)?;
        }
        let mut households: Vec<Household> = self.all_households()?.into_values().collect();
        households.sort_by(|a, b| a.id.as_str().cmp(b.id.as_str()));
        for h in households {
            roster.add_household(h)?;
        }
        let mut after = 0;
        loop {
            let batch = self.students_after(after, BATCH)?;
            let Some((last, _)) = batch.last() else { break };
            after = *last;
            for (_, s) in batch {
                roster.add_student(s)?;
            }
        }
        Ok(roster)
    }
}

/// Add a stored spell to a household.
fn add_spell(h: &mut Household, kind: &str, from: &str, until: Option<&str>) -> Result<(), StoreError> {
    let id = h.id.to_string();
    let kind: StatusKind = kind.parse().map_err(|e| corrupt("household", &id, &e))?;
    let from = from.parse().map_err(|e| corrupt("household", &id, &e))?;
    let until = match until {
        Some(u) => Some(u.parse().map_err(|e| corrupt("household", &id, &e))?),
        None => None,
    };
    h.add_status(kind, from, until)
        .map_err(|e| corrupt("household", &id, &e))?;
    Ok(())
}

impl Roster for Store {
    fn visit_students(&self, visit: &mut dyn FnMut(&[Student]) -> Visit) -> Result<(), RosterError> {
        let mut after = 0;
        loop {
            let batch = self.students_after(after, BATCH)?;
            let Some((last, _)) = batch.last() else { break };
            after = *last;
            let students: Vec<Student> = batch.into_iter().map(|(_, s)| s).collect();
            if visit(&students).is_break() {
                break;
            }
        }
        Ok(())
    }

    fn school(&self, id: &SchoolId) -> Result<Option<Cow<'_, School>>, RosterError> {
        let data: Option<String> = self
            .conn
            .query_row("SELECT data FROM schools WHERE id = ?1", params![id.as_str()], |r| {
                r.get(0)
            })
            .optional()
            .map_err(StoreError::from)?;
        match data {
            None => Ok(None),
            Some(d) => Ok(Some(Cow::Owned(
                serde_json::from_str(&d).map_err(|e| corrupt("school", id.as_str(), &e))?,
            ))),
        }
    }

    fn household(&self, id: &HouseholdId) -> Result<Option<Cow<'_, Household>>, RosterError> {
        Ok(self.one_household(id)?.map(Cow::Owned))
    }

    fn student(&self, id: &StudentId) -> Result<Option<Student>, RosterError> {
        let data: Option<String> = self
            .conn
            .query_row("SELECT data FROM students WHERE id = ?1", params![id.as_str()], |r| {
                r.get(0)
            })
            .optional()
            .map_err(StoreError::from)?;
        match data {
            None => Ok(None),
            Some(d) => Ok(Some(
                serde_json::from_str(&d).map_err(|e| corrupt("student", id.as_str(), &e))?,
            )),
        }
    }

    fn student_count(&self) -> Result<usize, RosterError> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM students", [], |r| r.get(0))
            .map_err(StoreError::from)?;
        Ok(clamped::<_, usize>(n))
    }

    fn visit_schools(&self, visit: &mut dyn FnMut(&School)) -> Result<(), RosterError> {
        for s in self.all_schools()? {
            visit(&s);
        }
        Ok(())
    }

    /// The schools and households are read once, in two queries, and the
    /// students streamed in batches: no lookup by id per student.
    fn visit_linked(&self, visit: &mut dyn FnMut(Linked<'_>) -> Visit) -> Result<(), RosterError> {
        let schools = self.all_schools()?;
        let numbers: HashMap<&str, usize> = schools.iter().enumerate().map(|(i, s)| (s.id.as_str(), i)).collect();
        let households = self.all_households()?;
        let mut after = 0;
        loop {
            let batch = self.students_after(after, BATCH)?;
            let Some((last, _)) = batch.last() else { break };
            after = *last;
            for (_, student) in &batch {
                let school = match numbers.get(student.school_id.as_str()) {
                    Some(&no) => Ok((no, &schools[no])),
                    None => Err(RosterError::UnknownReference {
                        student: student.id.clone(),
                        what: "school",
                        id: student.school_id.to_string(),
                    }),
                };
                let household = match &student.household_id {
                    None => Ok(None),
                    Some(h) => households
                        .get(h.as_str())
                        .map(Some)
                        .ok_or_else(|| RosterError::UnknownReference {
                            student: student.id.clone(),
                            what: "household",
                            id: h.to_string(),
                        }),
                };
                if visit(Linked {
                    student,
                    school,
                    household,
                })
                .is_break()
                {
                    return Ok(());
                }
            }
        }
        Ok(())
    }
}
