//! Integration tests of the eduaid workspace as a whole: the crate graph,
//! and the seed report's figures reproduced from the sample county.

mod hostile;
mod layering;
mod seed_aid;
mod seed_stats;
