//! One module per command.

pub(crate) mod evaluate;
pub(crate) mod explain;
pub(crate) mod import;
pub(crate) mod loans;
pub(crate) mod policy;
pub(crate) mod reconcile;
pub(crate) mod report;
pub(crate) mod sample;
pub(crate) mod serve;
pub(crate) mod stats;
pub(crate) mod validate;
