//! Values to and from SQLite: counts, the time of an import, the batch size.

use eduaid_model::convert::clamped;

/// How many students a batch of [`Roster::visit_students`] holds.
pub(crate) const BATCH: i64 = 4096;

/// Now, as RFC 3339 in UTC, to the second.
pub(crate) fn now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| clamped::<_, i64>(d.as_secs()));
    chrono::DateTime::from_timestamp(secs, 0)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// A count from SQLite (never negative) as `u64`.
pub(crate) fn count(n: i64) -> u64 {
    clamped::<_, u64>(n)
}

/// A `u64` count into SQLite.
pub(crate) fn sql_count(n: u64) -> i64 {
    clamped::<_, i64>(n)
}
