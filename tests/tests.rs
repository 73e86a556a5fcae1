//! Integration tests of the eduaid workspace as a whole.

mod layering;
