//! The store's file: opening it, the schema and its migrations, what it holds.

use std::path::Path;

use eduaid_model::convert::clamped;
use rusqlite::Connection;

use crate::error::StoreError;
use crate::records::StoreCounts;
use crate::values::count;

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

/// A county's records in one SQLite file. See the [crate] documentation.
#[derive(Debug)]
pub struct Store {
    pub(crate) conn: Connection,
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
}
