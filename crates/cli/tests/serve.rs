//! `eduaid serve` and `eduaid import`: the workbench's JSON API driven over
//! HTTP on a free port, on the example county's files; bad uploads each
//! get a clear error and leave the store unchanged; the store survives a
//! restart.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "serve_common.rs"]
#[allow(dead_code)]
mod serve_common;

use std::path::{Path, PathBuf};
use std::process::Command;

use serve_common::{Client, Server};

/// The example county's files (small, with payments).
fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/data")
}

fn upload(c: &mut Client, name: &str, body: &[u8]) -> serve_common::Answer {
    c.post(&format!("/api/upload?name={name}"), body)
}

fn upload_roster(c: &mut Client) {
    for f in [
        "schools.csv",
        "students.csv",
        "households.csv",
        "classes.csv",
        "disbursements.csv",
    ] {
        let a = upload(c, f, &std::fs::read(data().join(f)).unwrap());
        assert_eq!(a.status, 200, "{f}: {}", String::from_utf8_lossy(&a.body));
    }
}

fn counts(c: &mut Client) -> serde_json::Value {
    let a = c.get("/api/status");
    assert_eq!(a.status, 200);
    a.json()["counts"].clone()
}

/// The CLI's own figure: `eduaid --json evaluate`.
fn cli_total(program: &str, term: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_eduaid"))
        .args(["--json", "--quiet", "evaluate", "--term", term, "--data"])
        .arg(data())
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let p = v["programs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == program)
        .unwrap();
    p["total"]["amount"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| p["total"]["amount"].to_string())
}

/// An error answer's message, checked to be Chinese first (the clerk's
/// language), with the English after it.
fn chinese_first(a: &serve_common::Answer) -> String {
    let msg = a.json()["error"].as_str().unwrap().to_string();
    let first = msg.chars().next().unwrap();
    assert!(('\u{4e00}'..='\u{9fff}').contains(&first), "not Chinese first: {msg}");
    assert!(msg.contains(" / "), "no English after the Chinese: {msg}");
    msg
}

/// An amount ("123.5") in fen, without floating point.
fn fen(v: &serde_json::Value) -> i64 {
    let s = v.as_str().unwrap_or_else(|| panic!("not an amount: {v}"));
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    let frac = format!("{frac:0<2}");
    whole.parse::<i64>().unwrap() * 100 + frac[..2].parse::<i64>().unwrap()
}

#[test]
fn the_workbench_api_from_import_to_downloads_and_through_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("county.db");
    let server = Server::start(&store, &[]);
    let mut c = Client::new(&server);

    // The page and its API description.
    let page = c.get("/");
    assert_eq!(page.status, 200);
    assert!(String::from_utf8_lossy(&page.body).contains("学生资助工作台"));
    assert!(c.cookie.is_some(), "a session cookie is issued");
    let api = c.get("/api/openapi.json").json();
    assert_eq!(api["openapi"], "3.0.3");
    for path in api["paths"].as_object().unwrap().keys() {
        if !path.contains('{') {
            assert_ne!(c.get(path).status, 404, "{path} is described but not served");
        }
    }
    let a = c.get("/api/nothing");
    assert_eq!(a.status, 404);
    chinese_first(&a);

    // Check, then decline: nothing kept.
    upload_roster(&mut c);
    let staged = c.get("/api/staged").json();
    assert_eq!(staged["staged"].as_array().unwrap().len(), 5);
    let check = c.post("/api/import?commit=false", b"").json();
    assert_eq!(check["committed"], false);
    assert_eq!(check["adds_up"], true);
    assert!(check["accepted"].as_u64().unwrap() > 30);
    assert_eq!(counts(&mut c)["students"], 0);
    assert_eq!(c.send("DELETE", "/api/staged", b"").status, 200);
    assert_eq!(c.post("/api/import?commit=true", b"").status, 400, "nothing waiting");
    assert_eq!(counts(&mut c)["students"], 0);

    // Import.
    upload_roster(&mut c);
    let done = c.post("/api/import?commit=true", b"").json();
    assert_eq!(done["committed"], true);
    let n = counts(&mut c);
    assert_eq!(n["students"], 24);
    assert_eq!(n["schools"], 12);
    assert!(n["disbursements"].as_u64().unwrap() > 10);
    let status = c.get("/api/status").json();
    let imports = status["imports"].as_array().unwrap();
    assert_eq!(imports.len(), 5);
    assert!(
        imports
            .iter()
            .any(|i| i["file"] == "students.csv" && i["accepted"] == 24)
    );

    // Totals equal the CLI's, and the drill-down adds up to them.
    let totals = c.get("/api/totals?term=2017-spring").json();
    let living = totals["programs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "living-subsidy")
        .unwrap()
        .clone();
    // Cash apart from waived and in kind, each the sum of its programs; no
    // single "owed" figure adds them.
    assert!(totals.get("owed").is_none(), "{totals}");
    for (kind, field) in [("cash", "cash"), ("waiver", "waived"), ("in_kind", "in_kind")] {
        let programs: i64 = totals["programs"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["benefit"] == kind)
            .map(|p| fen(&p["total"]["amount"]))
            .sum();
        assert_eq!(programs, fen(&totals[field]), "{field}: {totals}");
    }
    assert!(fen(&totals["cash"]) >= fen(&living["total"]["amount"]));
    let cli = cli_total("living-subsidy", "2017-spring");
    assert_eq!(living["total"]["amount"].as_str().unwrap(), cli.trim_end_matches("元"));
    let drill = c
        .get("/api/entitlements?term=2017%E5%B9%B4%E6%98%A5%E5%AD%A3%E5%AD%A6%E6%9C%9F&program=living-subsidy")
        .json();
    assert_eq!(drill["amount"], living["total"]["amount"]);
    assert_eq!(drill["matched"], living["total"]["person_terms"]);
    // Names are shortened by default.
    let first = &drill["rows"][0];
    assert!(first["name"].as_str().unwrap().contains('*'), "{first}");
    // In full only when asked for.
    let full = c
        .get("/api/entitlements?term=2017-spring&program=living-subsidy&show_names=true")
        .json();
    let name = full["rows"][0]["name"].as_str().unwrap();
    assert!(!name.contains('*') && name.chars().count() > 1, "{name}");

    // A student, with traces and citations, and why not.
    let id = first["student"].as_str().unwrap().to_string();
    let s = c.get(&format!("/api/students/{id}?term=2017-spring")).json();
    assert_eq!(s["student"], id);
    let ent = s["entitled"].as_array().unwrap();
    assert!(ent.iter().any(|e| e["program"] == "living-subsidy"));
    assert!(!ent[0]["citations"].as_array().unwrap().is_empty());
    assert!(!s["not_entitled"].as_array().unwrap().is_empty());
    assert_eq!(s["imported_from"]["file"], "students.csv");
    assert_eq!(c.get("/api/students/NOPE?term=2017-spring").status, 404);
    assert_eq!(c.get(&format!("/api/students/{id}?term=spring")).status, 400);
    assert_eq!(c.get(&format!("/api/students/{id}")).status, 400, "term required");

    // The catalogue, with dated values and citations.
    let cat = c.get("/api/policy?policy=national").json();
    let programs = cat["programs"].as_array().unwrap();
    assert!(programs.len() > 5);
    assert!(programs.iter().any(|p| !p["parameters"].as_array().unwrap().is_empty()));
    // Citations as printed: 《》 only around a document's title, the mark in
    // brackets, and the marks explained.
    let texts: Vec<&str> = programs
        .iter()
        .flat_map(|p| p["parameters"].as_array().unwrap())
        .flat_map(|par| par["values"].as_array().unwrap())
        .map(|v| v["cite"]["text"].as_str().unwrap())
        .collect();
    assert!(
        texts.iter().all(|t| t.contains(" [V") || t.contains(" [B]")),
        "{texts:?}"
    );
    assert!(texts.iter().any(|t| t.starts_with('《')));
    assert!(
        texts.iter().any(|t| !t.contains('《')),
        "descriptions are not titles: {texts:?}"
    );
    let marks: Vec<&str> = cat["certainty"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["mark"].as_str().unwrap())
        .collect();
    assert_eq!(marks, ["V", "V2", "B"]);
    assert_eq!(c.get("/api/policy?policy=atlantis").status, 400);
    let pols = c.get("/api/policies").json();
    assert!(
        pols["builtin"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == "national")
    );

    // Reconcile; follow-up saved.
    let r = c.post("/api/reconcile?term=2017-spring", b"").json();
    assert!(r["findings"].as_u64().unwrap() > 0, "{r}");
    let f = c.get("/api/findings?term=2017-spring").json();
    let key = f["findings"][0]["key"].as_str().unwrap().to_string();
    // Kinds and programs in words a clerk reads.
    let first = &f["findings"][0];
    assert!(!first["kind_zh"].as_str().unwrap().is_ascii(), "{first}");
    assert!(!first["program_name"].as_str().unwrap().is_ascii(), "{first}");
    let body = serde_json::json!({ "key": key, "handling": "已补发 88 元", "handler": "王会计" }).to_string();
    assert_eq!(c.send("PUT", "/api/findings", body.as_bytes()).status, 200);
    let missing = serde_json::json!({ "key": "nope", "handling": "x", "handler": "y" }).to_string();
    assert_eq!(c.send("PUT", "/api/findings", missing.as_bytes()).status, 404);
    assert_eq!(c.send("PUT", "/api/findings", b"{not json").status, 400);
    // A re-run keeps the follow-up.
    let again = c.post("/api/reconcile?term=2017-spring", b"").json();
    assert_eq!(again["new"], 0);

    // Downloads are workbooks.
    let x = c.get("/api/download/entitlements.xlsx?term=2017-spring");
    assert_eq!(x.status, 200);
    assert!(x.body.starts_with(b"PK"), "an xlsx is a zip");
    assert!(x.header("content-disposition").unwrap().contains("entitlements.xlsx"));
    let y = c.get("/api/download/findings.xlsx");
    assert_eq!(y.status, 200);
    assert!(y.body.starts_with(b"PK"));
    // The work report needs the count files, kept in the session.
    let r = c.get("/api/download/report?term=2017-spring&format=docx&fee_meeting_date=2017-07-11");
    assert_eq!(r.status, 400);
    assert!(r.json()["error"].as_str().unwrap().contains("grade counts"));
    for f in ["grade_counts.csv", "population.csv", "disabled.csv", "teachers.csv"] {
        let a = upload(&mut c, f, &std::fs::read(data().join(f)).unwrap());
        assert_eq!(a.status, 200, "{f}: {}", String::from_utf8_lossy(&a.body));
    }
    assert_eq!(c.get("/api/staged").json()["staged"].as_array().unwrap().len(), 0);
    // The example county's counts are too short for the retention figures:
    // those are left out as not computable, and the report is still built
    // (the sample county's full report is downloaded in the browser test).
    let r = c.get("/api/download/report?term=2017-spring&format=docx&county=%E7%A4%BA%E8%8C%83%E5%8E%BF&fee_meeting_date=2017-07-11");
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert!(r.body.starts_with(b"PK"), "a docx is a zip");
    assert!(r.header("content-disposition").unwrap().contains(".docx"));
    assert_eq!(c.get("/api/download/report?term=2017-spring&format=pdf").status, 400);
    drop(server);

    // Restart on the same store: everything is still there.
    let server = Server::start(&store, &[]);
    let mut c = Client::new(&server);
    let n2 = counts(&mut c);
    assert_eq!(n, {
        let mut m = n2;
        m["findings"] = n["findings"].clone();
        m
    });
    let f = c.get("/api/findings?term=2017-spring").json();
    let kept = f["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["key"] == key)
        .unwrap();
    assert_eq!(kept["handling"], "已补发 88 元");
    assert_eq!(kept["handler"], "王会计");
    let totals2 = c.get("/api/totals?term=2017-spring").json();
    assert_eq!(totals2["cash"], totals["cash"]);
    assert_eq!(totals2["waived"], totals["waived"]);
    assert_eq!(totals2["in_kind"], totals["in_kind"]);
}

#[test]
fn bad_uploads_get_clear_errors_and_leave_the_store_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("c.db"), &[]);
    let mut c = Client::new(&server);
    let before = counts(&mut c);

    // A name that says nothing of the content.
    let a = upload(&mut c, "data.csv", b"id,name\n1,x\n");
    assert_eq!(a.status, 400);
    assert!(chinese_first(&a).contains("data.csv"));
    // An empty file; no name; a path for a name is reduced to its file name.
    let a = upload(&mut c, "students.csv", b"");
    assert_eq!(a.status, 400);
    chinese_first(&a);
    let a = c.post("/api/upload", b"x");
    assert_eq!(a.status, 400);
    chinese_first(&a);
    let a = upload(&mut c, "..%2F..%2Fetc%2Fschools.csv", b"id\n");
    assert_eq!(a.status, 200);
    assert_eq!(a.json()["staged"][0]["name"], "schools.csv");
    // Schools without students: refused whole.
    let a = c.post("/api/import?commit=true", b"");
    assert_eq!(a.status, 400);
    assert!(chinese_first(&a).contains("students"));
    c.send("DELETE", "/api/staged", b"");

    // A students file with a broken row: the row is shown with file, line,
    // column and reason, the counts add up.
    let schools = std::fs::read(data().join("schools.csv")).unwrap();
    let mut students = std::fs::read_to_string(data().join("students.csv")).unwrap();
    let bad = students.lines().nth(1).unwrap().replacen("2010-03-12", "2010-13-45", 1);
    students.push_str(&bad.replacen("G4305001", "G4305999", 1));
    students.push('\n');
    upload(&mut c, "schools.csv", &schools);
    upload(&mut c, "students.csv", students.as_bytes());
    let check = c.post("/api/import", b"").json();
    assert_eq!(check["rejected"], 1, "{check}");
    assert_eq!(check["adds_up"], true);
    let err = &check["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "students")
        .unwrap()["errors"][0];
    assert_eq!(err["file"], "students.csv");
    assert!(err["line"].as_u64().unwrap() > 1);
    assert!(!err["reason"].as_str().unwrap().is_empty());
    // Declined: nothing kept.
    c.send("DELETE", "/api/staged", b"");
    assert_eq!(counts(&mut c), before);

    // A file that is not a spreadsheet at all.
    upload(&mut c, "schools.xlsx", b"not a zip at all");
    upload(&mut c, "students.csv", students.as_bytes());
    let a = c.post("/api/import?commit=true", b"");
    assert_eq!(a.status, 400);
    assert!(chinese_first(&a).contains("schools.xlsx"), "{:?}", a.json());
    assert_eq!(counts(&mut c), before);

    // Too large.
    let big = vec![b'a'; 33 << 20];
    let a = upload(&mut c, "students.csv", &big);
    assert_eq!(a.status, 413);
    assert!(chinese_first(&a).starts_with("文件太大"));
    assert_eq!(counts(&mut c), before);

    // A bad policy overlay names file, line and column.
    let a = c.post("/api/policy/overlay?name=county.toml", b"[layer\nid = 1\n");
    assert_eq!(a.status, 400);
    let msg = chinese_first(&a);
    assert!(msg.starts_with("政策文件有误"), "{msg}");
    assert!(msg.contains("county.toml:1:"), "{msg}");
    // A good one is used by this session only.
    let overlay = "[policy]\nid = \"my-county\"\nbase = \"national\"\ntitle = \"某县\"\n";
    let a = c.post("/api/policy/overlay?name=my.toml", overlay.as_bytes());
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
    assert_eq!(c.get("/api/policy?policy=session").status, 200);
    let mut other = Client::new(&server);
    assert_eq!(other.get("/api/policy?policy=session").status, 400);
}

#[test]
fn sessions_are_apart_and_a_token_is_required_off_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("c.db"), &[]);
    let mut a = Client::new(&server);
    let mut b = Client::new(&server);
    a.get("/api/status");
    b.get("/api/status");
    assert_ne!(a.cookie, b.cookie);
    upload(&mut a, "schools.csv", b"id\n");
    assert_eq!(a.get("/api/staged").json()["staged"].as_array().unwrap().len(), 1);
    assert_eq!(b.get("/api/staged").json()["staged"].as_array().unwrap().len(), 0);
    // A cookie the server never issued gets a new session.
    let mut forged = Client::new(&server);
    forged.cookie = Some("eduaid_session=0123".into());
    forged.get("/api/staged");
    assert_ne!(forged.cookie.as_deref(), Some("eduaid_session=0123"));
    drop(server);

    let server = Server::start(&dir.path().join("c.db"), &["--addr", "0.0.0.0:0", "--token", "s3cret"]);
    let mut c = Client::new(&server);
    assert_eq!(c.get("/api/status").status, 401);
    assert_eq!(c.get("/").status, 401);
    assert_eq!(c.get("/api/status?token=wrong").status, 401);
    assert_eq!(c.get("/api/status?token=s3cret").status, 200);
    c.token = Some("s3cret".into());
    assert_eq!(c.get("/api/status").status, 200);
    drop(server);

    // Off loopback with no token given: one is made and printed.
    let server = Server::start(&dir.path().join("c.db"), &["--addr", "0.0.0.0:0"]);
    assert!(server.url.contains("?token="), "{}", server.url);
    assert_eq!(Client::new(&server).get("/api/status").status, 401);
}

#[test]
fn import_puts_files_into_the_store_and_refuses_rejected_rows() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("c.db");
    let out = Command::new(env!("CARGO_BIN_EXE_eduaid"))
        .args(["import", "--store"])
        .arg(&store)
        .arg("--data")
        .arg(data())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("24 students"), "{text}");
    // A roster with a rejected row is not kept unless --keep-valid.
    let bad = dir.path().join("bad");
    std::fs::create_dir(&bad).unwrap();
    std::fs::copy(data().join("schools.csv"), bad.join("schools.csv")).unwrap();
    let mut students = std::fs::read_to_string(data().join("students.csv")).unwrap();
    students.push_str(
        "G9,某,female,2010-99-99,S001,primary,1,false,,false,false,rural,false,,enrolled,2016-09-01,,,,,,,,,,,\n",
    );
    std::fs::write(bad.join("students.csv"), students).unwrap();
    let store2 = dir.path().join("d.db");
    let out = Command::new(env!("CARGO_BIN_EXE_eduaid"))
        .args(["import", "--store"])
        .arg(&store2)
        .arg("--data")
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing was imported"));
    // The served store holds what was imported.
    let server = Server::start(&store, &[]);
    let mut c = Client::new(&server);
    assert_eq!(counts(&mut c)["students"], 24);
}

#[test]
fn the_work_report_downloads_as_docx_for_the_sample_county() {
    let dir = tempfile::tempdir().unwrap();
    let sample = dir.path().join("sample");
    let store = dir.path().join("c.db");
    let run = |args: &[&std::ffi::OsStr]| {
        let out = Command::new(env!("CARGO_BIN_EXE_eduaid")).args(args).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    run(&[
        "--quiet".as_ref(),
        "sample".as_ref(),
        "--out".as_ref(),
        sample.as_os_str(),
    ]);
    run(&[
        "--quiet".as_ref(),
        "import".as_ref(),
        "--store".as_ref(),
        store.as_os_str(),
        "--data".as_ref(),
        sample.as_os_str(),
    ]);
    let server = Server::start(&store, &[]);
    let mut c = Client::new(&server);
    for f in ["grade_counts.csv", "population.csv", "disabled.csv", "teachers.csv"] {
        let a = upload(&mut c, f, &std::fs::read(sample.join(f)).unwrap());
        assert_eq!(a.status, 200, "{f}: {}", String::from_utf8_lossy(&a.body));
    }
    assert_eq!(c.get("/api/staged").json()["counts"].as_array().unwrap().len(), 4);
    let q = "term=2017-spring&county=%E7%A4%BA%E8%8C%83%E5%8E%BF&fee_meeting_date=2017-07-11";
    let r = c.get(&format!("/api/download/report?format=docx&{q}"));
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert!(r.body.starts_with(b"PK"), "a docx is a zip");
    assert!(r.body.windows(17).any(|w| w == b"word/document.xml"));
    assert!(r.header("content-disposition").unwrap().contains("county_report.docx"));
    // The loans and the cited figures (引用数据) the sample writes, uploaded
    // beside the count files, fill the loan and cited sentences.
    let md = |c: &mut Client| String::from_utf8(c.get(&format!("/api/download/report?format=md&{q}")).body).unwrap();
    let before = md(&mut c);
    for f in ["loans.csv", "cited.csv"] {
        let a = upload(&mut c, f, &std::fs::read(sample.join(f)).unwrap());
        assert_eq!(a.status, 200, "{f}: {}", String::from_utf8_lossy(&a.body));
    }
    assert_eq!(c.get("/api/staged").json()["counts"].as_array().unwrap().len(), 6);
    let after = md(&mut c);
    for want in ["2017年助学贷款749人，贷款资金609.45万元", "特岗教师计划234名"] {
        assert!(!before.contains(want), "{want} without its file");
        assert!(after.contains(want), "{want} missing:\n{after}");
    }
    // Another session has no count files, so no report.
    let mut other = Client::new(&server);
    assert_eq!(other.get(&format!("/api/download/report?format=docx&{q}")).status, 400);
}

#[test]
fn other_sites_are_refused_by_host_and_origin() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("c.db"), &[]);
    let port = server.host.rsplit(':').next().unwrap().to_string();
    let staged = |c: &mut Client| c.get("/api/staged").json()["staged"].as_array().unwrap().len();

    // The bound address and localhost, with the port, are this server.
    let mut c = Client::new(&server);
    assert_eq!(c.get("/").status, 200);
    let mut local = Client::new(&server).with("Host", &format!("localhost:{port}"));
    assert_eq!(local.get("/api/status").status, 200);
    let mut upper = Client::new(&server).with("Host", &format!("LOCALHOST:{port}"));
    assert_eq!(upper.get("/api/status").status, 200);

    // DNS rebinding: a page of evil.example whose name now points here.
    for host in [
        format!("evil.example:{port}"),
        "evil.example".to_string(),
        "127.0.0.1:1".to_string(),
        format!("127.0.0.1.evil.example:{port}"),
        String::new(),
    ] {
        let mut e = Client::new(&server).with("Host", &host);
        let a = e.get("/api/status");
        assert_eq!(a.status, 421, "Host {host:?}");
        let msg = a.json()["error"].as_str().unwrap().to_string();
        assert!(msg.starts_with("本工作台只接受"), "{msg}");
        assert!(msg.contains("eduaid serve"), "{msg}");
        assert_eq!(e.get("/").status, 421);
        assert_eq!(e.post("/api/upload?name=schools.csv", b"id\n").status, 421);
        assert!(e.cookie.is_none(), "no session for a misdirected request");
    }

    // A change from another site's page is refused; reading is not a change.
    let origin = format!("http://127.0.0.1:{port}");
    for (name, value) in [
        ("Origin", "http://evil.example"),
        ("Origin", "null"),
        (
            "Origin",
            &format!("http://127.0.0.1:{}", port.parse::<u32>().unwrap() + 1),
        ),
        ("Origin", &format!("https://127.0.0.1:{port}")),
        ("Sec-Fetch-Site", "cross-site"),
        ("Sec-Fetch-Site", "same-site"),
    ] {
        let mut e = Client::new(&server).with(name, value);
        e.get("/api/status");
        assert_eq!(e.get("/api/staged").status, 200, "{name}: {value}");
        for (method, path) in [
            ("POST", "/api/upload?name=schools.csv"),
            ("POST", "/api/import?commit=true"),
            ("POST", "/api/reconcile?term=2017-spring"),
            ("PUT", "/api/findings"),
            ("DELETE", "/api/staged"),
            ("POST", "/api/policy/overlay?name=x.toml"),
            ("DELETE", "/api/policy/overlay"),
        ] {
            let a = e.send(method, path, b"id\n");
            assert_eq!(a.status, 403, "{method} {path} with {name}: {value}");
            let msg = a.json()["error"].as_str().unwrap().to_string();
            assert!(msg.starts_with("拒绝来自其他网页"), "{msg}");
        }
        assert_eq!(staged(&mut e), 0, "nothing kept from {name}: {value}");
    }

    // The page's own requests, and a county system's (no Origin), pass.
    let mut own = Client::new(&server)
        .with("Origin", &origin)
        .with("Sec-Fetch-Site", "same-origin");
    assert_eq!(own.post("/api/upload?name=schools.csv", b"id\n").status, 200);
    assert_eq!(staged(&mut own), 1);
    let mut own_local = Client::new(&server)
        .with("Host", &format!("localhost:{port}"))
        .with("Origin", &format!("http://localhost:{port}"));
    assert_eq!(own_local.post("/api/upload?name=schools.csv", b"id\n").status, 200);
    assert_eq!(c.post("/api/upload?name=schools.csv", b"id\n").status, 200);
    assert_eq!(c.send("DELETE", "/api/staged", b"").status, 200);
    drop(server);

    // Off loopback the token keeps other sites out; a change must still
    // come from the page's own origin.
    let server = Server::start(&dir.path().join("c.db"), &["--addr", "0.0.0.0:0", "--token", "s3cret"]);
    let mut c = Client::new(&server).with("Host", "county-server.lan:8080");
    c.token = Some("s3cret".into());
    assert_eq!(c.get("/api/status").status, 200);
    let mut e = Client::new(&server)
        .with("Host", "county-server.lan:8080")
        .with("Origin", "http://evil.example");
    e.token = Some("s3cret".into());
    assert_eq!(e.post("/api/upload?name=schools.csv", b"id\n").status, 403);
    let mut own = Client::new(&server)
        .with("Host", "county-server.lan:8080")
        .with("Origin", "http://county-server.lan:8080");
    own.token = Some("s3cret".into());
    assert_eq!(own.post("/api/upload?name=schools.csv", b"id\n").status, 200);
}

#[test]
fn session_ids_and_made_up_tokens_are_long_and_random() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("c.db"), &[]);
    let mut ids = std::collections::HashSet::new();
    for _ in 0..50 {
        let mut c = Client::new(&server);
        assert_eq!(c.get("/api/status").status, 200);
        let cookie = c.cookie.unwrap();
        let id = cookie.strip_prefix("eduaid_session=").unwrap().to_string();
        assert_eq!(id.len(), 64, "256 bits in hex: {id}");
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
        ids.insert(id);
    }
    assert_eq!(ids.len(), 50, "every session id differs");
    // Ids made one after another share no long run (not a counter or a
    // clock): no two agree in more than a quarter of their digits.
    let v: Vec<&String> = ids.iter().collect();
    for w in v.windows(2) {
        let same = w[0].bytes().zip(w[1].bytes()).filter(|(a, b)| a == b).count();
        assert!(same < 16, "{} and {} agree in {same} places", w[0], w[1]);
    }
    drop(server);

    let mut tokens = std::collections::HashSet::new();
    for _ in 0..2 {
        let server = Server::start(&dir.path().join("c.db"), &["--addr", "0.0.0.0:0"]);
        let token = server.url.split("?token=").nth(1).unwrap().to_string();
        assert_eq!(token.len(), 64, "{token}");
        assert!(token.bytes().all(|b| b.is_ascii_hexdigit()), "{token}");
        let mut c = Client::new(&server);
        c.token = Some(token.clone());
        assert_eq!(c.get("/api/status").status, 200);
        tokens.insert(token);
    }
    assert_eq!(tokens.len(), 2);
}

#[test]
fn every_route_is_in_the_openapi_document_and_every_operation_is_served() {
    let src = include_str!("../src/serve/mod.rs");
    let doc: serde_json::Value = serde_json::from_str(include_str!("../src/serve/openapi.json")).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    let mut routes = Vec::new();
    let router = src.split("pub(crate) fn router").nth(1).unwrap();
    let router = router.split(".fallback(").next().unwrap();
    for part in router.split(".route(").skip(1) {
        let part = part.trim_start().strip_prefix('"').unwrap();
        let (path, rest) = part.split_once('"').unwrap();
        for method in ["get", "post", "put", "delete", "patch"] {
            let called = rest.match_indices(&format!("{method}(")).any(|(i, _)| {
                i == 0 || !rest.as_bytes()[i - 1].is_ascii_alphanumeric() && rest.as_bytes()[i - 1] != b'_'
            });
            if called {
                routes.push((path.to_string(), method.to_string()));
            }
        }
    }
    assert!(routes.len() > 15, "{routes:?}");
    for page in ["/", "/assets/app.js", "/api/openapi.json"] {
        assert!(routes.iter().any(|(p, _)| p == page), "{page} not found in {routes:?}");
    }
    for (path, method) in &routes {
        if !path.starts_with("/api/") {
            continue;
        }
        let op = &paths
            .get(path)
            .unwrap_or_else(|| panic!("{path} is served but not in /api/openapi.json"))[method];
        assert!(op.is_object(), "{method} {path} is served but not described");
        assert!(op["summary"].is_string(), "{method} {path} has no summary");
        assert!(op["responses"].is_object(), "{method} {path} has no responses");
    }
    for (path, ops) in paths {
        for method in ops.as_object().unwrap().keys() {
            if method == "parameters" {
                continue;
            }
            assert!(
                routes.iter().any(|(p, m)| p == path && m == method),
                "{method} {path} is described but not served"
            );
        }
    }
    // The served document is this one.
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("c.db"), &[]);
    assert_eq!(Client::new(&server).get("/api/openapi.json").json(), doc);
}

#[test]
fn a_file_with_too_many_rows_is_refused_and_nothing_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("c.db"), &[]);
    let mut c = Client::new(&server);
    let before = counts(&mut c);
    let limit = c.get("/api/status").json()["limits"]["rows"].as_u64().unwrap();
    let students = std::fs::read_to_string(data().join("students.csv")).unwrap();
    let mut big = students.clone();
    let row = students.lines().nth(1).unwrap();
    // Blank rows count: the file is small, its rows are many.
    big.push_str(&"\n".repeat(usize::try_from(limit).unwrap()));
    big.push_str(row);
    big.push('\n');
    upload(
        &mut c,
        "schools.csv",
        &std::fs::read(data().join("schools.csv")).unwrap(),
    );
    assert_eq!(upload(&mut c, "students.csv", big.as_bytes()).status, 200);
    let a = c.post("/api/import?commit=true", b"");
    assert_eq!(a.status, 400);
    let msg = a.json()["error"].as_str().unwrap().to_string();
    assert!(
        msg.contains("students.csv") && msg.contains(&limit.to_string()),
        "{msg}"
    );
    assert_eq!(counts(&mut c), before);
}
