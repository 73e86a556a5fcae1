//! End-to-end tests of the eduaid binary.
