//! Running the binary, and the sample files shared by the tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The `eduaid` binary, in English, with no locale from the environment.
pub(crate) fn eduaid() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_eduaid"));
    c.env_remove("LC_ALL").env_remove("LC_MESSAGES").env("LANG", "C");
    c
}

/// A finished run.
pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Run {
    /// The stdout as JSON.
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

fn finish(out: &Output) -> Run {
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Run `eduaid` with `args`.
pub(crate) fn run<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Run {
    finish(&eduaid().args(args).output().unwrap())
}

/// Run and check the exit code, showing both streams if it differs.
pub(crate) fn run_expect<S: AsRef<std::ffi::OsStr>>(code: i32, args: &[S]) -> Run {
    let r = run(args);
    assert_eq!(
        r.code, code,
        "exit code {} (expected {code})\n--- stdout\n{}\n--- stderr\n{}",
        r.code, r.stdout, r.stderr
    );
    r
}

/// A path as an argument.
pub(crate) fn p(path: &Path) -> String {
    path.display().to_string()
}

/// The sample county written once by `eduaid sample` (CSV).
pub(crate) fn sample_dir() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = tempfile::tempdir().unwrap();
        run_expect(0, &["sample", "--out", &p(d.path())]);
        d
    })
    .path()
}

/// A small generated county (2000 students), written once.
pub(crate) fn small_dir() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = tempfile::tempdir().unwrap();
        run_expect(
            0,
            &["sample", "--out", &p(d.path()), "--students", "2000", "--seed", "7"],
        );
        d
    })
    .path()
}

/// Copy every file of `from` into a new temporary folder.
pub(crate) fn copy_dir(from: &Path) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), d.path().join(e.file_name())).unwrap();
    }
    d
}

/// Replace one cell of a CSV file: `line` is 1-based (the header is line 1).
pub(crate) fn set_cell(path: &Path, line: usize, column: &str, value: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let ix = header.iter().position(|h| *h == column).unwrap();
    let mut cells: Vec<String> = lines[line - 1].split(',').map(str::to_string).collect();
    cells[ix] = value.to_string();
    lines[line - 1] = cells.join(",");
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

/// The rows of a CSV file written by the binary, as header → value maps.
pub(crate) fn read_csv(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let text = text.trim_start_matches('\u{feff}');
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(str::to_string).collect();
    lines
        .map(|l| header.iter().cloned().zip(l.split(',').map(str::to_string)).collect())
        .collect()
}

/// A temporary file path in a fresh folder.
pub(crate) fn temp_path(name: &str) -> (tempfile::TempDir, PathBuf) {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join(name);
    (d, path)
}

/// A county overlay on the Hunan county policy: a new document and the
/// preschool-aid rate raised to 800 yuan a year from spring 2017.
pub(crate) const COUNTY_OVERLAY: &str = r#"[policy]
id = "my-county"
title = "某县叠加政策"
base = "hunan-county-2016"

[documents.my-doc]
title = "某县资助补充办法"
issuer = "某县教育局"
certainty = "B"

[parameters."preschool-aid.annual"]
description = "学前教育资助标准（县提高）"
unit = "yuan_per_year"
values = [
  { from = "2017-spring", value = 800, cite = { doc = "my-doc", clause = "第三条" } },
]
"#;

/// Check a run refused to write over one of its inputs: exit 2, the
/// Chinese message first, the input untouched, and no input read (the
/// refusal comes before any work).
pub(crate) fn assert_refused_before_work(r: &Run, input: &Path, before: &[u8]) {
    assert_eq!(r.code, 2, "--- stdout\n{}\n--- stderr\n{}", r.stdout, r.stderr);
    let zh = r
        .stderr
        .find("拒绝写入")
        .unwrap_or_else(|| panic!("no Chinese refusal: {}", r.stderr));
    let en = r
        .stderr
        .find("refused")
        .unwrap_or_else(|| panic!("no English refusal: {}", r.stderr));
    assert!(zh < en, "Chinese first: {}", r.stderr);
    assert!(
        !r.stderr.contains("accepted"),
        "inputs were read before the refusal: {}",
        r.stderr
    );
    assert_eq!(std::fs::read(input).unwrap(), before, "{} was changed", input.display());
}
