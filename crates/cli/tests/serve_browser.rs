//! The workbench as a clerk uses it, in headless Chromium driven over
//! WebDriver (chromedriver; a minimal client here): import the sample
//! county's files, pick 2017年春季学期, read the living-subsidy total off
//! the page and compare it with the library's, open a student's
//! explanation, download the entitlement list and the work report through
//! the page's links (the browser saves them) and check they are a workbook
//! and a DOCX.
//! Screenshots of the main pages go to `docs/img/` when
//! `EDUAID_SCREENSHOTS=1`.
//!
//! Where Chromium or chromedriver is absent the test says so and skips; CI
//! installs both (`.ci/run`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "serve_common.rs"]
#[allow(dead_code)]
mod serve_common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use serve_common::{Client, Server};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The key WebDriver gives an element's id under.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// chromedriver, stopped when dropped.
struct Driver {
    child: Child,
    http: Client,
    session: String,
}

impl Driver {
    /// Start chromedriver and a browser that saves downloads to
    /// `downloads`.
    fn start(downloads: &Path) -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut http = Client {
            host: format!("127.0.0.1:{port}"),
            cookie: None,
            token: None,
            extra: Vec::new(),
        };
        let start = Instant::now();
        while std::net::TcpStream::connect(&http.host).is_err() {
            assert!(start.elapsed() < Duration::from_secs(30), "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1280,900", "--lang=zh-CN"],
                "prefs": {
                    "download.default_directory": downloads.display().to_string(),
                    "download.prompt_for_download": false,
                    "download.directory_upgrade": true
                }
            }
        }}});
        let a = http.post("/session", caps.to_string().as_bytes());
        let v = a.json();
        let session = v["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {v}"))
            .to_string();
        let mut d = Driver { child, http, session };
        // A debug build computes the sample county's list slowly.
        d.cmd("POST", "/timeouts", &json!({ "script": 600_000 }));
        // Headless Chromium saves downloads only where it is told to.
        d.cmd(
            "POST",
            "/goog/cdp/execute",
            &json!({"cmd": "Browser.setDownloadBehavior", "params": {
                "behavior": "allow", "downloadPath": downloads.display().to_string(), "eventsEnabled": true
            }}),
        );
        d
    }

    /// Wait until the browser has saved `name` in `downloads` (no partial
    /// `.crdownload` left) and give its bytes.
    fn downloaded(&mut self, downloads: &Path, name: &str, secs: u64) -> Vec<u8> {
        let start = Instant::now();
        let path = downloads.join(name);
        loop {
            let partial = std::fs::read_dir(downloads)
                .map(|r| {
                    r.flatten()
                        .any(|e| e.file_name().to_string_lossy().ends_with(".crdownload"))
                })
                .unwrap_or(false);
            if path.exists() && !partial {
                return std::fs::read(&path).unwrap();
            }
            if start.elapsed() > Duration::from_secs(secs) {
                let url = self.cmd("GET", "/url", &json!({}));
                let body = self.js("return document.body ? document.body.innerText.slice(0, 500) : '';");
                let seen: Vec<String> = std::fs::read_dir(downloads)
                    .map(|r| {
                        r.flatten()
                            .map(|e| e.file_name().to_string_lossy().into_owned())
                            .collect()
                    })
                    .unwrap_or_default();
                panic!(
                    "{name} was not downloaded in {secs} s; the browser is at {url}, showing {body}; the folder has {seen:?}"
                );
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    fn cmd(&mut self, method: &str, path: &str, body: &Value) -> Value {
        let url = format!("/session/{}{path}", self.session);
        let b = if method == "GET" {
            String::new()
        } else {
            body.to_string()
        };
        let a = self.http.send(method, &url, b.as_bytes());
        let v = a.json();
        assert_eq!(a.status, 200, "{method} {path}: {v}");
        v["value"].clone()
    }

    fn goto(&mut self, url: &str) {
        self.cmd("POST", "/url", &json!({ "url": url }));
    }

    fn find(&mut self, css: &str) -> String {
        let v = self.cmd("POST", "/element", &json!({"using": "css selector", "value": css}));
        v[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {v}"))
            .to_string()
    }

    fn click(&mut self, css: &str) {
        let e = self.find(css);
        self.cmd("POST", &format!("/element/{e}/click"), &json!({}));
    }

    fn text(&mut self, css: &str) -> String {
        let e = self.find(css);
        self.cmd("GET", &format!("/element/{e}/text"), &json!({}))
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    fn js(&mut self, script: &str) -> Value {
        self.cmd("POST", "/execute/sync", &json!({"script": script, "args": []}))
    }

    /// Wait until `script` (an expression) is true.
    fn wait(&mut self, script: &str, secs: u64) {
        let start = Instant::now();
        loop {
            if self.js(&format!("return !!({script});")) == json!(true) {
                return;
            }
            let msg = self.js("return document.getElementById('message').textContent;");
            assert!(
                start.elapsed() < Duration::from_secs(secs),
                "timed out waiting for {script}; the page says {msg}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn screenshot(&mut self, name: &str) {
        if std::env::var("EDUAID_SCREENSHOTS").is_err() {
            return;
        }
        let b64 = self.cmd("GET", "/screenshot", &json!({}));
        let png = base64_decode(b64.as_str().unwrap());
        assert!(png.starts_with(b"\x89PNG"));
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/img");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), png).unwrap();
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let url = format!("/session/{}", self.session);
        let _ = self.http.send("DELETE", &url, b"");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Standard base64 (the screenshot).
fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| -> Option<u32> {
        Some(u32::from(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        }))
    };
    let digits: Vec<u32> = s.bytes().filter_map(val).collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let mut n = 0u32;
        for (i, d) in chunk.iter().enumerate() {
            n |= d << (18 - 6 * i);
        }
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    out
}

/// The CLI's figure for a program's total, from `eduaid --json evaluate`.
fn library_total(dir: &Path, program: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_eduaid"))
        .args(["--json", "--quiet", "evaluate", "--term", "2017-spring", "--data"])
        .arg(dir)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let p = v["programs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == program)
        .unwrap();
    p["total"]["amount"]
        .as_str()
        .unwrap()
        .trim_end_matches('元')
        .to_string()
}

/// "1,234,567.00" → "1234567".
fn plain(amount: &str) -> String {
    let s: String = amount.chars().filter(|c| *c != ',' && !c.is_whitespace()).collect();
    s.strip_suffix(".00").map(str::to_string).unwrap_or(s)
}

#[test]
fn a_clerk_goes_from_the_sample_files_to_the_entitlement_list_in_the_browser() {
    for tool in [CHROMIUM, CHROMEDRIVER] {
        if !Path::new(tool).exists() {
            println!("SKIP: {tool} is not installed (apt-get install chromium chromium-driver; CI installs both)");
            return;
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let data: PathBuf = dir.path().join("sample");
    let out = Command::new(env!("CARGO_BIN_EXE_eduaid"))
        .args(["--quiet", "sample", "--out"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let server = Server::start(&dir.path().join("county.db"), &[]);
    let downloads = dir.path().join("downloads");
    std::fs::create_dir(&downloads).unwrap();
    let mut d = Driver::start(&downloads);
    d.goto(&server.url);
    d.wait("document.getElementById('count-students')", 30);
    assert_eq!(d.text("h1"), "学生资助工作台");

    // Import: choose the files, check, import.
    let files: Vec<String> = [
        "schools.csv",
        "households.csv",
        "classes.csv",
        "students.csv",
        "disbursements.csv",
        // The report's count files, kept in the session.
        "grade_counts.csv",
        "population.csv",
        "disabled.csv",
        "teachers.csv",
    ]
    .iter()
    .map(|f| data.join(f).display().to_string())
    .collect();
    let input = d.find("#files");
    d.cmd(
        "POST",
        &format!("/element/{input}/value"),
        &json!({ "text": files.join("\n") }),
    );
    let chosen = d.js("return Array.from(document.getElementById('files').files).map(f => f.name);");
    assert_eq!(chosen.as_array().map(Vec::len), Some(files.len()), "{chosen}");
    d.click("#check");
    d.wait("document.getElementById('check-table')", 600);
    let check = d.text("#check-table");
    assert!(check.contains("students.csv"), "{check}");
    assert!(check.contains("学生"), "kinds in Chinese: {check}");
    let kept = d.text("#count-files");
    assert!(kept.contains("grade_counts.csv") && kept.contains("年级人数"), "{kept}");
    d.screenshot("workbench-import.png");
    d.click("#commit");
    d.wait(
        "document.getElementById('commit').disabled && document.getElementById('message').className === 'ok'",
        600,
    );
    d.wait(
        "document.getElementById('count-students') && document.getElementById('count-students').textContent !== '0'",
        60,
    );
    assert_eq!(d.text("#count-students"), "127000");
    d.screenshot("workbench-store.png");

    // Totals for 2017年春季学期: the living subsidy as the library gives it.
    d.js("const t = document.getElementById('term'); t.value = '2017-spring'; t.dispatchEvent(new Event('change'));");
    d.click("nav button[data-tab=totals]");
    d.wait(
        "document.querySelector('#programs tr[data-program=\"living-subsidy\"] td.amount')",
        600,
    );
    let shown = d.text("#programs tr[data-program=\"living-subsidy\"] td.amount");
    assert_eq!(
        plain(&shown),
        library_total(&data, "living-subsidy"),
        "page shows {shown}"
    );
    d.screenshot("workbench-totals.png");

    // Click through to the students behind the number, then one student.
    d.click("#programs a.drill[data-program=\"living-subsidy\"]");
    d.wait("document.querySelector('#drill-table a.student')", 600);
    // Names are shortened on the page by default.
    let names = d.js(
        "return Array.from(document.querySelectorAll('#drill-table tr td:nth-child(2)')).map(td => td.textContent);",
    );
    let names = names.as_array().unwrap();
    assert!(!names.is_empty());
    assert!(names.iter().all(|n| n.as_str().unwrap().contains('*')), "{names:?}");
    d.click("#drill-table a.student");
    d.wait("document.getElementById('student-title')", 120);
    let title = d.text("#student-title");
    assert!(title.contains("2017年春季学期"), "{title}");
    let body = d.text("#student-result");
    assert!(body.contains("生活补助"), "{body}");
    assert!(body.contains("依据"), "{body}");
    d.screenshot("workbench-student.png");

    // The catalogue.
    d.click("nav button[data-tab=catalogue]");
    d.wait("document.querySelector('#catalogue-result details')", 60);
    d.js("document.querySelectorAll('#catalogue-result details')[0].open = true;");
    d.screenshot("workbench-catalogue.png");

    // Reconcile the payments; a finding's 处理情况 and 经办人, saved.
    d.click("nav button[data-tab=findings]");
    d.click("#reconcile");
    d.wait("document.querySelector('#findings-table button.save')", 900);
    d.js("document.getElementById('handling-0').value = '已核实，下月补发'; document.getElementById('handler-0').value = '王会计';");
    d.click("#findings-table button.save");
    d.wait("document.getElementById('message').textContent === '已保存'", 60);
    let row = d.text("#findings-table tr:nth-child(2)");
    assert!(
        !row.contains("unpaid") && !row.contains("wrong_amount"),
        "kinds in Chinese: {row}"
    );
    d.screenshot("workbench-findings.png");
    let kept = Client::new(&server).get("/api/findings?term=2017-spring").json();
    assert!(
        kept["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["handler"] == "王会计" && f["handling"] == "已核实，下月补发"),
        "the follow-up is saved in the store"
    );

    // Download the entitlement list and the work report from the page's
    // links, as a clerk would: the browser saves them.
    d.click("nav button[data-tab=downloads]");
    d.js("const c = document.getElementById('county'); c.value = '示范县'; c.dispatchEvent(new Event('input'));");
    d.screenshot("workbench-downloads.png");
    d.click("#dl-entitlements");
    let xlsx = d.downloaded(&downloads, "entitlements.xlsx", 600);
    let mut book = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).expect("the entitlement list is a zip");
    assert!(
        book.by_name("xl/workbook.xml").is_ok(),
        "the entitlement list is a workbook"
    );
    d.click("#dl-report-docx");
    let docx = d.downloaded(&downloads, "county_report.docx", 900);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("the report is a zip");
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("word/document.xml").expect("a DOCX has word/document.xml"),
        &mut xml,
    )
    .unwrap();
    assert!(xml.contains("示范县"), "the report names the county typed on the page");
    assert!(xml.contains("学生资助"), "the report is the work report");
    // The page is still the workbench (a download, not a page of error).
    assert_eq!(d.text("h1"), "学生资助工作台");

    // English on the switch.
    d.click("#lang");
    d.wait(
        "document.querySelector('h1').textContent === 'Student-aid workbench'",
        10,
    );
}
