//! # eduaid-store: a county's records over the years, in SQLite
//!
//! A [`Store`] is one SQLite file (the library is compiled in, nothing to
//! install) holding a county's schools, students, household status spells,
//! disbursements and reconciliation findings with their follow-up
//! (处理情况, 经办人). Every import is recorded — file, kind, time, rows read,
//! accepted and rejected — and every record names the import it came from,
//! so a figure can be traced back to a file.
//!
//! [`Store`] implements [`Roster`], so the aid engine, the statistics and
//! the work report run on it unchanged; [`Roster::visit_linked`] loads the
//! schools and households once and streams the students in batches.
//!
//! The schema is versioned with `PRAGMA user_version`: [`Store::open`]
//! applies, in one transaction each, the migrations a file has not had yet,
//! so a store written by an older version opens in a newer one.
//!
//! ```
//! use eduaid_model::Roster;
//! use eduaid_store::Store;
//! let store = Store::in_memory()?;
//! assert_eq!(store.student_count()?, 0);
//! assert_eq!(store.schema_version()?, eduaid_store::SCHEMA_VERSION);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::ControlFlow;
use std::path::Path;

use eduaid_model::convert::clamped;
use eduaid_model::{
    Disbursement, Household, HouseholdId, Linked, MemoryRoster, Roster, RosterError, School, SchoolId, StatusKind,
    Student, StudentId, Visit,
};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The schema version this crate writes.
pub const SCHEMA_VERSION: i64 = 2;

/// The migrations, in order: migration `i` takes a store from version `i`
/// to version `i + 1`.
const MIGRATIONS: [&str; 2] = [
    // 1: the records and the imports they came from.
    "CREATE TABLE imports (
        id INTEGER PRIMARY KEY,
        file TEXT NOT NULL,
        kind TEXT NOT NULL,
        imported_at TEXT NOT NULL,
        rows_read INTEGER NOT NULL,
        rows_accepted INTEGER NOT NULL,
        rows_rejected INTEGER NOT NULL
    );
    CREATE TABLE schools (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        township TEXT NOT NULL,
        data TEXT NOT NULL,
        import_id INTEGER REFERENCES imports(id)
    );
    CREATE TABLE households (
        id TEXT PRIMARY KEY,
        import_id INTEGER REFERENCES imports(id)
    );
    CREATE TABLE status_spells (
        household_id TEXT NOT NULL REFERENCES households(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        from_date TEXT NOT NULL,
        until_date TEXT,
        import_id INTEGER REFERENCES imports(id)
    );
    CREATE INDEX status_spells_household ON status_spells(household_id);
    CREATE TABLE students (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        school_id TEXT NOT NULL,
        household_id TEXT,
        name TEXT NOT NULL,
        data TEXT NOT NULL,
        import_id INTEGER REFERENCES imports(id)
    );
    CREATE TABLE disbursements (
        id TEXT PRIMARY KEY,
        student_id TEXT NOT NULL,
        program TEXT NOT NULL,
        term TEXT NOT NULL,
        amount TEXT NOT NULL,
        paid_on TEXT NOT NULL,
        data TEXT NOT NULL,
        import_id INTEGER REFERENCES imports(id)
    );
    CREATE INDEX disbursements_student ON disbursements(student_id);",
    // 2: reconciliation findings and their follow-up.
    "CREATE TABLE findings (
        key TEXT PRIMARY KEY,
        term TEXT NOT NULL,
        student_id TEXT NOT NULL,
        program TEXT NOT NULL,
        kind TEXT NOT NULL,
        detail TEXT NOT NULL,
        handling TEXT NOT NULL DEFAULT '',
        handler TEXT NOT NULL DEFAULT '',
        updated_at TEXT
    );",
];

/// How many students a batch of [`Roster::visit_students`] holds.
const BATCH: i64 = 4096;

/// A failure of the store.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum StoreError {
    /// SQLite failed.
    #[error("store database failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A record in the store could not be read back.
    #[error("store record {what} {id} is unreadable: {reason}")]
    Corrupt {
        /// Which kind of record.
        what: &'static str,
        /// Its id.
        id: String,
        /// Why.
        reason: String,
    },
    /// The file was written by a newer version of this crate.
    #[error("store schema version {found} is newer than this program's {supported}")]
    TooNew {
        /// The file's version.
        found: i64,
        /// The newest this crate knows.
        supported: i64,
    },
    /// A record handed to the store is invalid.
    #[error("invalid record: {0}")]
    Invalid(#[from] RosterError),
    /// No finding has this key.
    #[error("no finding {0}")]
    NoFinding(String),
}

impl From<StoreError> for RosterError {
    fn from(e: StoreError) -> RosterError {
        match e {
            StoreError::Invalid(r) => r,
            other => RosterError::Backend(Box::new(other)),
        }
    }
}

/// One import, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRecord {
    /// The import's number in the store.
    pub id: i64,
    /// The file's name (as the user gave it; never a path on the server).
    pub file: String,
    /// What it held: `schools`, `students`, `households`, `classes`,
    /// `disbursements`.
    pub kind: String,
    /// When it was imported (RFC 3339, UTC).
    pub imported_at: String,
    /// Data rows read.
    pub read: u64,
    /// Rows kept.
    pub accepted: u64,
    /// Rows rejected.
    pub rejected: u64,
}

/// A file about to be recorded as imported: its name, kind and counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileCounts {
    /// The file's name.
    pub file: String,
    /// What it held (`schools`, `students`, `households`, `classes`,
    /// `disbursements`).
    pub kind: String,
    /// Data rows read.
    pub read: u64,
    /// Rows kept.
    pub accepted: u64,
    /// Rows rejected.
    pub rejected: u64,
}

/// How many records the store holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreCounts {
    /// Schools.
    pub schools: u64,
    /// Students.
    pub students: u64,
    /// Households.
    pub households: u64,
    /// Household status spells.
    pub status_spells: u64,
    /// Disbursements.
    pub disbursements: u64,
    /// Findings.
    pub findings: u64,
    /// Imports.
    pub imports: u64,
}

/// A reconciliation finding kept in the store, with its follow-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingRecord {
    /// A key stable across reconciliations of the same data (kind, student,
    /// program, term and payment references), so the follow-up survives a
    /// re-run.
    pub key: String,
    /// The term (`2017-spring`).
    pub term: String,
    /// The student.
    pub student_id: String,
    /// The program.
    pub program: String,
    /// The kind of finding (`unpaid`, `duplicate`, …).
    pub kind: String,
    /// The finding itself, as the caller serialised it (JSON).
    pub detail: String,
    /// 处理情况: what was done about it.
    pub handling: String,
    /// 经办人: who did it.
    pub handler: String,
    /// When the follow-up was last changed (RFC 3339, UTC).
    pub updated_at: Option<String>,
}

/// A county's records in one SQLite file. See the [crate] documentation.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
}

/// Now, as RFC 3339 in UTC, to the second.
fn now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| clamped::<_, i64>(d.as_secs()));
    chrono::DateTime::from_timestamp(secs, 0)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// A count from SQLite (never negative) as `u64`.
fn count(n: i64) -> u64 {
    clamped::<_, u64>(n)
}

/// A `u64` count into SQLite.
fn sql_count(n: u64) -> i64 {
    clamped::<_, i64>(n)
}

/// A corrupt-record error.
fn corrupt(what: &'static str, id: &str, reason: &dyn std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        what,
        id: id.to_string(),
        reason: reason.to_string(),
    }
}

impl Store {
    /// Open (or create) the store in `path`, migrating it to the current
    /// schema.
    ///
    /// # Errors
    /// [`StoreError::Sqlite`] if the file cannot be opened or is not a
    /// database; [`StoreError::TooNew`] if a newer version wrote it.
    pub fn open(path: impl AsRef<Path>) -> Result<Store, StoreError> {
        Store::setup(Connection::open(path)?)
    }

    /// A store in memory, gone when dropped (for tests and trials).
    ///
    /// # Errors
    /// As [`Store::open`].
    pub fn in_memory() -> Result<Store, StoreError> {
        Store::setup(Connection::open_in_memory()?)
    }

    fn setup(conn: Connection) -> Result<Store, StoreError> {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch("PRAGMA foreign_keys = ON;")?;
        let mut store = Store { conn };
        store.migrate(SCHEMA_VERSION)?;
        Ok(store)
    }

    /// Apply the migrations up to `target`, each in its own transaction.
    fn migrate(&mut self, target: i64) -> Result<(), StoreError> {
        let found = self.schema_version()?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                found,
                supported: SCHEMA_VERSION,
            });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate() {
            let version = clamped::<_, i64>(i) + 1;
            if version <= found || version > target {
                continue;
            }
            let tx = self.conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", version)?;
            tx.commit()?;
        }
        Ok(())
    }

    /// Open `path` migrated only up to `version` (to make old stores in
    /// tests); not for use otherwise.
    ///
    /// # Errors
    /// As [`Store::open`].
    #[doc(hidden)]
    pub fn open_at_version(path: impl AsRef<Path>, version: i64) -> Result<Store, StoreError> {
        let conn = Connection::open(path)?;
        let mut store = Store { conn };
        store.migrate(version)?;
        Ok(store)
    }

    /// Set the file's schema version (to make a store "from the future" in
    /// tests); not for use otherwise.
    ///
    /// # Errors
    /// [`StoreError::Sqlite`].
    #[doc(hidden)]
    pub fn bump_version_for_tests(&self, version: i64) -> Result<(), StoreError> {
        self.conn.pragma_update(None, "user_version", version)?;
        Ok(())
    }

    /// The schema version of the file.
    ///
    /// # Errors
    /// [`StoreError::Sqlite`].
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self.conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    /// How many records of each kind the store holds.
    ///
    /// # Errors
    /// [`StoreError::Sqlite`].
    pub fn counts(&self) -> Result<StoreCounts, StoreError> {
        let n = |table: &str| -> Result<u64, StoreError> {
            let v: i64 = self
                .conn
                .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))?;
            Ok(count(v))
        };
        Ok(StoreCounts {
            schools: n("schools")?,
            students: n("students")?,
            households: n("households")?,
            status_spells: n("status_spells")?,
            disbursements: n("disbursements")?,
            findings: n("findings")?,
            imports: n("imports")?,
        })
    }

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
        let school_import = by_kind.get("schools").copied();
        let household_import = by_kind.get("households").copied();
        let student_import = by_kind.get("students").copied();
        let mut schools = Vec::new();
        roster.visit_schools(&mut |s| schools.push(s.clone()))?;
        {
            let mut put = tx.prepare(
                "INSERT INTO schools (id, name, township, data, import_id) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(id) DO UPDATE SET name = ?2, township = ?3, data = ?4, import_id = ?5",
            )?;
            for s in &schools {
                let data = serde_json::to_string(s).map_err(|e| corrupt("school", s.id.as_str(), &e))?;
                put.execute(params![s.id.as_str(), s.name, s.township, data, school_import])?;
            }
        }
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
        {
            let mut put = tx.prepare(
                "INSERT INTO households (id, import_id) VALUES (?1, ?2)
                 ON CONFLICT(id) DO UPDATE SET import_id = ?2",
            )?;
            let mut clear = tx.prepare("DELETE FROM status_spells WHERE household_id = ?1")?;
            let mut spell = tx.prepare(
                "INSERT INTO status_spells (household_id, kind, from_date, until_date, import_id)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for h in &households {
                put.execute(params![h.id.as_str(), household_import])?;
                clear.execute(params![h.id.as_str()])?;
                for s in &h.statuses {
                    spell.execute(params![
                        h.id.as_str(),
                        s.kind.code(),
                        s.range.from.to_string(),
                        s.range.until.map(|d| d.to_string()),
                        household_import
                    ])?;
                }
            }
        }
        {
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
                                student_import
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
        }
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

    /// Keep these findings (from a reconciliation): new keys are added with
    /// an empty follow-up; a key already kept gets the new detail and keeps
    /// its follow-up. Returns how many were new.
    ///
    /// # Errors
    /// [`StoreError::Sqlite`]; nothing is kept on error.
    pub fn upsert_findings(&mut self, findings: &[FindingRecord]) -> Result<u64, StoreError> {
        let tx = self.conn.transaction()?;
        let mut new = 0u64;
        {
            let mut put = tx.prepare(
                "INSERT INTO findings (key, term, student_id, program, kind, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT(key) DO NOTHING",
            )?;
            let mut update = tx.prepare("UPDATE findings SET detail = ?2 WHERE key = ?1")?;
            for f in findings {
                let n = put.execute(params![f.key, f.term, f.student_id, f.program, f.kind, f.detail])?;
                if n == 0 {
                    update.execute(params![f.key, f.detail])?;
                } else {
                    new += 1;
                }
            }
        }
        tx.commit()?;
        Ok(new)
    }

    /// The findings kept, optionally of one term, in student, program, key
    /// order.
    ///
    /// # Errors
    /// [`StoreError::Sqlite`].
    pub fn findings(&self, term: Option<&str>) -> Result<Vec<FindingRecord>, StoreError> {
        let mut q = self.conn.prepare(
            "SELECT key, term, student_id, program, kind, detail, handling, handler, updated_at FROM findings
             WHERE ?1 IS NULL OR term = ?1 ORDER BY student_id, program, key",
        )?;
        let rows = q.query_map(params![term], |r| {
            Ok(FindingRecord {
                key: r.get(0)?,
                term: r.get(1)?,
                student_id: r.get(2)?,
                program: r.get(3)?,
                kind: r.get(4)?,
                detail: r.get(5)?,
                handling: r.get(6)?,
                handler: r.get(7)?,
                updated_at: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Record the follow-up of a finding: 处理情况 (`handling`) and 经办人
    /// (`handler`).
    ///
    /// # Errors
    /// [`StoreError::NoFinding`] if no finding has the key.
    pub fn set_follow_up(&mut self, key: &str, handling: &str, handler: &str) -> Result<(), StoreError> {
        let n = self.conn.execute(
            "UPDATE findings SET handling = ?2, handler = ?3, updated_at = ?4 WHERE key = ?1",
            params![key, handling, handler, now()],
        )?;
        if n == 0 {
            return Err(StoreError::NoFinding(key.to_string()));
        }
        Ok(())
    }

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
