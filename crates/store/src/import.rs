//! Importing a roster and disbursements, and the record of each import.

use std::collections::HashMap;
use std::ops::ControlFlow;

use eduaid_model::{Disbursement, Household, HouseholdId, MemoryRoster, Roster, StudentId};
use rusqlite::{OptionalExtension, params};

use crate::error::{StoreError, corrupt};
use crate::file::Store;
use crate::records::{FileCounts, ImportRecord};
use crate::values::{count, now, sql_count};

impl Store {
    /// Put a roster read from files into the store, in one transaction:
    /// schools, households (their status spells replaced) and students are
    /// added or replaced by id, and each file is recorded as an import.
    /// Records carry the import of the file they came from (`files` in the
    /// order schools, households, students; a kind missing from `files`
    /// leaves its records without an import).
    ///
    /// Returns the imports recorded.
    ///
    /// # Errors
    /// [`StoreError::Sqlite`]; nothing is kept on error.
    pub fn import_roster(
        &mut self,
        roster: &MemoryRoster,
        files: &[FileCounts],
    ) -> Result<Vec<ImportRecord>, StoreError> {
        let tx = self.conn.transaction()?;
        let at = now();
        let mut records = Vec::new();
        let mut by_kind: HashMap<&str, i64> = HashMap::new();
        for f in files {
            let id = record_import(&tx, f, &at)?;
            by_kind.insert(f.kind.as_str(), id);
            records.push(import_record(id, f, &at));
        }
        put_schools(&tx, roster, by_kind.get("schools").copied())?;
        let households = linked_households(roster)?;
        put_households(&tx, &households, by_kind.get("households").copied())?;
        put_students(&tx, roster, by_kind.get("students").copied())?;
        tx.commit()?;
        Ok(records)
    }

    /// Put disbursement records into the store, added or replaced by their
    /// reference, in one transaction, and record the file as an import.
    ///
    /// # Errors
    /// [`StoreError::Sqlite`]; nothing is kept on error.
    pub fn import_disbursements(
        &mut self,
        records: &[Disbursement],
        file: &FileCounts,
    ) -> Result<ImportRecord, StoreError> {
        let tx = self.conn.transaction()?;
        let at = now();
        let id = record_import(&tx, file, &at)?;
        {
            let mut put = tx.prepare(
                "INSERT INTO disbursements (id, student_id, program, term, amount, paid_on, data, import_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT(id) DO UPDATE SET student_id = ?2, program = ?3, term = ?4, amount = ?5,
                 paid_on = ?6, data = ?7, import_id = ?8",
            )?;
            for d in records {
                let data = serde_json::to_string(d).map_err(|e| corrupt("disbursement", &d.id, &e))?;
                put.execute(params![
                    d.id,
                    d.student_id.as_str(),
                    d.program.as_str(),
                    d.term.to_string(),
                    d.amount.to_string(),
                    d.paid_on.to_string(),
                    data,
                    id
                ])?;
            }
        }
        tx.commit()?;
        Ok(import_record(id, file, &at))
    }

    /// Every disbursement, in reference order.
    ///
    /// # Errors
    /// [`StoreError::Sqlite`], or [`StoreError::Corrupt`] for a record that
    /// cannot be read back.
    pub fn disbursements(&self) -> Result<Vec<Disbursement>, StoreError> {
        let mut q = self.conn.prepare("SELECT id, data FROM disbursements ORDER BY id")?;
        let rows = q.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, data) = row?;
            out.push(serde_json::from_str(&data).map_err(|e| corrupt("disbursement", &id, &e))?);
        }
        Ok(out)
    }

    /// Every import, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Sqlite`].
    pub fn imports(&self) -> Result<Vec<ImportRecord>, StoreError> {
        let mut q = self.conn.prepare(
            "SELECT id, file, kind, imported_at, rows_read, rows_accepted, rows_rejected FROM imports ORDER BY id",
        )?;
        let rows = q.query_map([], |r| {
            Ok(ImportRecord {
                id: r.get(0)?,
                file: r.get(1)?,
                kind: r.get(2)?,
                imported_at: r.get(3)?,
                read: count(r.get(4)?),
                accepted: count(r.get(5)?),
                rejected: count(r.get(6)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The import a student's record came from, if the student is in the
    /// store and the import was recorded.
    ///
    /// # Errors
    /// [`StoreError::Sqlite`].
    pub fn import_of_student(&self, id: &StudentId) -> Result<Option<ImportRecord>, StoreError> {
        let import: Option<Option<i64>> = self
            .conn
            .query_row(
                "SELECT import_id FROM students WHERE id = ?1",
                params![id.as_str()],
                |r| r.get(0),
            )
            .optional()?;
        let Some(Some(import)) = import else {
            return Ok(None);
        };
        Ok(self.imports()?.into_iter().find(|i| i.id == import))
    }
}

/// Record one import in a transaction; its id.
fn record_import(tx: &rusqlite::Transaction<'_>, f: &FileCounts, at: &str) -> Result<i64, StoreError> {
    tx.execute(
        "INSERT INTO imports (file, kind, imported_at, rows_read, rows_accepted, rows_rejected)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            f.file,
            f.kind,
            at,
            sql_count(f.read),
            sql_count(f.accepted),
            sql_count(f.rejected)
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// The record of an import just made.
fn import_record(id: i64, f: &FileCounts, at: &str) -> ImportRecord {
    ImportRecord {
        id,
        file: f.file.clone(),
        kind: f.kind.clone(),
        imported_at: at.to_string(),
        read: f.read,
        accepted: f.accepted,
        rejected: f.rejected,
    }
}

/// Add or replace the roster's schools, from import `import`.
fn put_schools(tx: &rusqlite::Transaction<'_>, roster: &MemoryRoster, import: Option<i64>) -> Result<(), StoreError> {
    let mut schools = Vec::new();
    roster.visit_schools(&mut |s| schools.push(s.clone()))?;
    let mut put = tx.prepare(
        "INSERT INTO schools (id, name, township, data, import_id) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(id) DO UPDATE SET name = ?2, township = ?3, data = ?4, import_id = ?5",
    )?;
    for s in &schools {
        let data = serde_json::to_string(s).map_err(|e| corrupt("school", s.id.as_str(), &e))?;
        put.execute(params![s.id.as_str(), s.name, s.township, data, import])?;
    }
    Ok(())
}

/// The households the roster's students link to, each once, in the order
/// the students first name them.
fn linked_households(roster: &MemoryRoster) -> Result<Vec<Household>, StoreError> {
    let mut households: Vec<Household> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    roster.visit_students(&mut |batch| {
        for s in batch {
            if let Some(h) = &s.household_id {
                if seen.insert(h.clone()) {
                    if let Ok(Some(found)) = roster.household(h) {
                        households.push(found.into_owned());
                    }
                }
            }
        }
        ControlFlow::Continue(())
    })?;
    Ok(households)
}

/// Add or replace households, their status spells replaced by the ones
/// given, from import `import`.
fn put_households(
    tx: &rusqlite::Transaction<'_>,
    households: &[Household],
    import: Option<i64>,
) -> Result<(), StoreError> {
    let mut put = tx.prepare(
        "INSERT INTO households (id, import_id) VALUES (?1, ?2)
         ON CONFLICT(id) DO UPDATE SET import_id = ?2",
    )?;
    let mut clear = tx.prepare("DELETE FROM status_spells WHERE household_id = ?1")?;
    let mut spell = tx.prepare(
        "INSERT INTO status_spells (household_id, kind, from_date, until_date, import_id)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for h in households {
        put.execute(params![h.id.as_str(), import])?;
        clear.execute(params![h.id.as_str()])?;
        for s in &h.statuses {
            spell.execute(params![
                h.id.as_str(),
                s.kind.code(),
                s.range.from.to_string(),
                s.range.until.map(|d| d.to_string()),
                import
            ])?;
        }
    }
    Ok(())
}

/// Add or replace the roster's students, batch by batch, from import
/// `import`; the first failure stops the visit.
fn put_students(tx: &rusqlite::Transaction<'_>, roster: &MemoryRoster, import: Option<i64>) -> Result<(), StoreError> {
    let mut put = tx.prepare(
        "INSERT INTO students (id, school_id, household_id, name, data, import_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT(id) DO UPDATE SET school_id = ?2, household_id = ?3, name = ?4, data = ?5, import_id = ?6",
    )?;
    let mut failed: Option<StoreError> = None;
    roster.visit_students(&mut |batch| {
        for s in batch {
            let result = serde_json::to_string(s)
                .map_err(|e| corrupt("student", s.id.as_str(), &e))
                .and_then(|data| {
                    put.execute(params![
                        s.id.as_str(),
                        s.school_id.as_str(),
                        s.household_id.as_ref().map(HouseholdId::as_str),
                        s.name,
                        data,
                        import
                    ])
                    .map_err(StoreError::from)
                });
            if let Err(e) = result {
                failed = Some(e);
                return ControlFlow::Break(());
            }
        }
        ControlFlow::Continue(())
    })?;
    if let Some(e) = failed {
        return Err(e);
    }
    Ok(())
}
