//! What the store gives back about itself: imports, counts, findings.

use serde::{Deserialize, Serialize};

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
