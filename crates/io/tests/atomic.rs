//! Nothing lost when writing: a failed write leaves the old file byte for
//! byte and no temporary file; a good one replaces it; an unwritable folder
//! is an error before any work.

use std::io::Write as _;
use std::path::Path;

use eduaid_io::{AtomicFile, Error, Input, ReadOptions, WriteOptions, read_students, write_atomically, write_students};

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn io(e: std::io::Error) -> Error {
    Error::Io {
        file: "t".into(),
        source: e,
    }
}

#[test]
fn a_writer_failing_midway_leaves_the_old_file_and_no_temporary_file() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("out.csv");
    let old: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
    std::fs::write(&path, &old).unwrap();
    let r: Result<(), Error> = write_atomically(&path, |w| {
        // More than any buffer, so bytes really reach the temporary file.
        w.write_all(&vec![b'x'; 1 << 20]).map_err(io)?;
        Err(Error::Write {
            what: "row",
            key: "7".into(),
            reason: "failed midway".into(),
        })
    });
    assert!(r.is_err());
    assert_eq!(std::fs::read(&path).unwrap(), old);
    assert_eq!(names(d.path()), ["out.csv"]);
}

#[test]
fn a_complete_write_replaces_the_file_and_keeps_its_permissions() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("out.csv");
    std::fs::write(&path, "old contents, longer than the new").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    }
    write_atomically(&path, |w| w.write_all(b"new").map_err(io)).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"new");
    assert_eq!(names(d.path()), ["out.csv"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o640);
    }
    // A new file: nothing until the commit, then all of it.
    let fresh = d.path().join("fresh.csv");
    let mut f = AtomicFile::create(&fresh).unwrap();
    f.write_all(b"a,b\n").unwrap();
    assert!(!fresh.exists());
    f.commit().unwrap();
    assert_eq!(std::fs::read(&fresh).unwrap(), b"a,b\n");
}

#[test]
fn dropping_an_uncommitted_file_leaves_nothing() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("x.xlsx");
    {
        let mut f = AtomicFile::create(&path).unwrap();
        f.write_all(b"PK partial").unwrap();
    }
    assert!(names(d.path()).is_empty());
}

#[test]
fn an_unwritable_folder_is_an_error_before_any_work() {
    let d = tempfile::tempdir().unwrap();
    // A folder that is a file, and a folder that does not exist.
    let file = d.path().join("plain");
    std::fs::write(&file, "x").unwrap();
    for path in [file.join("out.csv"), d.path().join("missing").join("out.csv")] {
        let mut called = false;
        let r: Result<(), Error> = write_atomically(&path, |_| {
            called = true;
            Ok(())
        });
        let e = r.unwrap_err();
        assert!(!called, "the work ran before the folder was found unwritable");
        assert!(e.to_string().contains("out.csv"), "{e}");
        assert!(eduaid_io::check_writable(&path).is_err());
    }
    // A read-only folder (not enforced for root, who may write anywhere).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let ro = d.path().join("ro");
        std::fs::create_dir(&ro).unwrap();
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
        let enforced = std::fs::write(ro.join("probe"), "x").is_err();
        if enforced {
            let mut called = false;
            let r: Result<(), Error> = write_atomically(&ro.join("out.csv"), |_| {
                called = true;
                Ok(())
            });
            assert!(r.is_err() && !called);
        }
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    // A folder as the target.
    assert!(eduaid_io::check_writable(d.path()).is_err());
}

#[test]
fn a_record_writer_failing_midway_leaves_the_old_file() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("students.xlsx");
    std::fs::write(&path, "the old roster\n").unwrap();
    let loaded = read_students(
        Input::Path(&crate::common::data("students.csv")),
        &ReadOptions::default(),
    )
    .unwrap();
    let mut students = loaded.students;
    assert!(students.len() > 2);
    // A name longer than an xlsx cell holds (32 767 characters): the
    // workbook fails after the rows before it were written.
    students[2].name = "长".repeat(40_000);
    assert!(write_students(&path, &students, &WriteOptions::default()).is_err());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "the old roster\n");
    assert_eq!(names(d.path()), ["students.xlsx"]);
}
