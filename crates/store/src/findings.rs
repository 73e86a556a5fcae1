//! The reconciliation findings and their follow-up (处理情况, 经办人).

use rusqlite::params;

use crate::error::StoreError;
use crate::file::Store;
use crate::records::FindingRecord;
use crate::values::now;

impl Store {
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
}
