//! Integration tests of eduaid-model.

mod properties;
