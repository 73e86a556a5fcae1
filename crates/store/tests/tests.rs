//! The store keeps a county's records and gives them back unchanged: as a
//! roster the engine runs on, across a reopen, and from an older schema.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::ops::ControlFlow;

use eduaid_eligibility::{Engine, PolicySet};
use eduaid_model::{Roster, StudentId, Term};
use eduaid_store::{FileCounts, FindingRecord, SCHEMA_VERSION, Store, StoreError};

fn files() -> Vec<FileCounts> {
    ["schools", "households", "students"]
        .iter()
        .map(|k| FileCounts {
            file: format!("{k}.csv"),
            kind: (*k).to_string(),
            read: 10,
            accepted: 9,
            rejected: 1,
        })
        .collect()
}

fn filled(path: &std::path::Path) -> Store {
    let county = eduaid_sample::county();
    let mut store = Store::open(path).unwrap();
    store.import_roster(&county.roster, &files()).unwrap();
    let f = FileCounts {
        file: "disbursements.csv".into(),
        kind: "disbursements".into(),
        read: u64::try_from(county.disbursements.len()).unwrap(),
        accepted: u64::try_from(county.disbursements.len()).unwrap(),
        rejected: 0,
    };
    store.import_disbursements(&county.disbursements, &f).unwrap();
    store
}

#[test]
fn the_sample_county_round_trips_through_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("county.db");
    let county = eduaid_sample::county();
    drop(filled(&path));
    // Reopened: the data survives.
    let store = Store::open(&path).unwrap();
    assert_eq!(store.student_count().unwrap(), county.roster.student_count().unwrap());
    let mut mem = Vec::new();
    county
        .roster
        .visit_students(&mut |b| {
            mem.extend_from_slice(b);
            ControlFlow::Continue(())
        })
        .unwrap();
    let mut kept = Vec::new();
    store
        .visit_students(&mut |b| {
            kept.extend_from_slice(b);
            ControlFlow::Continue(())
        })
        .unwrap();
    assert_eq!(mem, kept, "students come back in import order, unchanged");
    for s in mem.iter().take(200) {
        assert_eq!(
            store.school_of(s).unwrap().into_owned(),
            county.roster.school_of(s).unwrap().into_owned()
        );
        assert_eq!(
            store.household_of(s).unwrap().map(std::borrow::Cow::into_owned),
            county.roster.household_of(s).unwrap().map(std::borrow::Cow::into_owned)
        );
    }
    let mut d = store.disbursements().unwrap();
    let mut want = county.disbursements;
    d.sort_by(|a, b| a.id.cmp(&b.id));
    want.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(d, want);
    let imports = store.imports().unwrap();
    assert_eq!(imports.len(), 4);
    assert_eq!(imports[0].file, "schools.csv");
    assert_eq!(imports[3].kind, "disbursements");
    let first = &mem[0];
    assert_eq!(store.import_of_student(&first.id).unwrap().unwrap().kind, "students");
}

#[test]
fn the_engine_gives_the_same_totals_on_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let store = filled(&dir.path().join("c.db"));
    let county = eduaid_sample::county();
    let engine = Engine::new(PolicySet::builtin().unwrap().compose("hunan-county-2016").unwrap());
    let terms: Vec<Term> = vec!["2016-autumn".parse().unwrap(), "2017-spring".parse().unwrap()];
    let a = engine
        .run(&county.roster, &terms, eduaid_eligibility::RunOptions::default(), None)
        .unwrap();
    let b = engine
        .run(&store, &terms, eduaid_eligibility::RunOptions::default(), None)
        .unwrap();
    assert!(a.owed() > eduaid_model::Money::ZERO);
    assert_eq!(serde_json::to_string(&a).ok(), serde_json::to_string(&b).ok());
    // And through visit_linked's default, on the memory roster copied out.
    let c = engine
        .run(
            &store.to_memory_roster().unwrap(),
            &terms,
            eduaid_eligibility::RunOptions::default(),
            None,
        )
        .unwrap();
    assert_eq!(a.owed(), c.owed());
}

#[test]
fn a_reimport_replaces_records_by_id_and_keeps_counts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let mut store = filled(&path);
    let before = store.counts().unwrap();
    let county = eduaid_sample::county();
    store.import_roster(&county.roster, &files()).unwrap();
    let after = store.counts().unwrap();
    assert_eq!(before.students, after.students);
    assert_eq!(before.status_spells, after.status_spells);
    assert_eq!(after.imports, before.imports + 3);
}

#[test]
fn an_old_store_is_migrated_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let old = Store::open_at_version(&path, 1).unwrap();
        assert_eq!(old.schema_version().unwrap(), 1);
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert!(store.findings(None).unwrap().is_empty());
}

#[test]
fn a_store_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    drop(Store::open(&path).unwrap());
    {
        let conn = rusqlite_free_bump(&path);
        drop(conn);
    }
    match Store::open(&path) {
        Err(StoreError::TooNew { found, .. }) => assert_eq!(found, SCHEMA_VERSION + 1),
        other => panic!("expected TooNew, got {other:?}"),
    }
}

/// Bump the file's user_version through the store's own migration hook:
/// open at the current version and set the pragma with SQL the store runs.
fn rusqlite_free_bump(path: &std::path::Path) -> Store {
    let store = Store::open(path).unwrap();
    store.bump_version_for_tests(SCHEMA_VERSION + 1).unwrap();
    store
}

#[test]
fn a_file_that_is_not_a_database_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("junk.db");
    std::fs::write(&path, b"this is not sqlite at all, just some text that goes on").unwrap();
    assert!(Store::open(&path).is_err());
}

#[test]
fn findings_keep_their_follow_up_across_a_rerun() {
    let mut store = Store::in_memory().unwrap();
    let f = FindingRecord {
        key: "unpaid/S1/living/2017-spring".into(),
        term: "2017-spring".into(),
        student_id: "S1".into(),
        program: "living".into(),
        kind: "unpaid".into(),
        detail: "{}".into(),
        handling: String::new(),
        handler: String::new(),
        updated_at: None,
    };
    assert_eq!(store.upsert_findings(std::slice::from_ref(&f)).unwrap(), 1);
    store.set_follow_up(&f.key, "已补发", "张三").unwrap();
    assert_eq!(store.upsert_findings(std::slice::from_ref(&f)).unwrap(), 0);
    let kept = store.findings(Some("2017-spring")).unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].handling, "已补发");
    assert_eq!(kept[0].handler, "张三");
    assert!(kept[0].updated_at.is_some());
    assert!(store.findings(Some("2016-autumn")).unwrap().is_empty());
    assert!(matches!(
        store.set_follow_up("nope", "x", "y"),
        Err(StoreError::NoFinding(_))
    ));
}

#[test]
fn an_unknown_student_is_none() {
    let dir = tempfile::tempdir().unwrap();
    let store = filled(&dir.path().join("c.db"));
    assert!(store.student(&StudentId::new("NOPE").unwrap()).unwrap().is_none());
    assert!(
        store
            .import_of_student(&StudentId::new("NOPE").unwrap())
            .unwrap()
            .is_none()
    );
}

#[test]
fn everything_survives_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("county.db");
    let county = eduaid_sample::county();
    let mut store = filled(&path);
    let f = FindingRecord {
        key: "unpaid/S1/living/2017-spring".into(),
        term: "2017-spring".into(),
        student_id: "S1".into(),
        program: "living".into(),
        kind: "unpaid".into(),
        detail: "{\"owed\":\"500\"}".into(),
        handling: String::new(),
        handler: String::new(),
        updated_at: None,
    };
    store.upsert_findings(std::slice::from_ref(&f)).unwrap();
    store.set_follow_up(&f.key, "已补发", "王会计").unwrap();
    let counts = store.counts().unwrap();
    let imports = store.imports().unwrap();
    let findings = store.findings(None).unwrap();
    drop(store);

    // As a restart of the workbench opens it.
    let store = Store::open(&path).unwrap();
    assert_eq!(store.counts().unwrap(), counts);
    assert_eq!(store.imports().unwrap(), imports);
    assert_eq!(store.findings(None).unwrap(), findings);
    assert_eq!(store.findings(None).unwrap()[0].handler, "王会计");
    let mut paid = county.disbursements.clone();
    paid.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(store.disbursements().unwrap(), paid);
    let id = county.roster.students()[0].id.clone();
    assert!(store.student(&id).unwrap().is_some());
    assert_eq!(store.import_of_student(&id).unwrap().unwrap().file, "students.csv");
}
