//! Integration tests of the eduaid workspace as a whole: the crate graph,
//! the seed report's figures reproduced from the sample county, and the
//! county work report's data built through the facade.

mod catalogue;
mod county_report;
mod hostile;
mod layering;
mod seed_aid;
mod seed_stats;
