//! Helpers shared by the topic modules.

use std::path::PathBuf;

/// `examples/data/` of the workspace.
pub(crate) fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/data")
}

/// A path under `examples/data/`.
pub(crate) fn data(name: &str) -> PathBuf {
    data_dir().join(name)
}

/// A fresh scratch directory for one test.
pub(crate) fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("eduaid-io-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
