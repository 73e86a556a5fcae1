//! The JSON API under `/api/`: each handler takes what the request gives,
//! does the work on tokio's blocking pool and answers JSON (identity
//! numbers masked) or a file.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use eduaid::eligibility::schema::Certainty;
use eduaid::eligibility::{Benefit, Citation, Engine, Layer, Policy, PolicySet, Row, RunOptions, Scope, Step, Trace};
use eduaid::io::{ENTITLEMENT_COLUMNS, Input, Limits, LoadReport, ReadOptions, RosterFiles, TableWriter, Val};
use eduaid::model::{Money, Roster, StudentId, Term, mask_id_numbers, mask_name};
use eduaid::store::{FileCounts, FindingRecord};
use serde_json::{Value, json};

use super::{App, ROW_LIMIT, STAGED_BYTES_LIMIT, STAGED_LIMIT, SessionId, Staged, UPLOAD_LIMIT};
use crate::cmd::evaluate::benefit_words;

/// A failed request: its status and message.
#[derive(Debug)]
pub(crate) struct ApiError(StatusCode, String);

impl<E: std::fmt::Display> From<E> for ApiError {
    fn from(e: E) -> ApiError {
        ApiError(StatusCode::BAD_REQUEST, e.to_string())
    }
}

/// A bad request.
fn bad(msg: impl Into<String>) -> ApiError {
    ApiError(StatusCode::BAD_REQUEST, msg.into())
}

/// An error of a library, with what the clerk was doing said first in
/// Chinese: `导入检查未通过 / students.csv:3: …`.
fn doing<E: std::fmt::Display>(zh: &'static str) -> impl Fn(E) -> ApiError {
    move |e| bad(format!("{zh} / {e}"))
}

/// Whether a message already starts in Chinese.
fn chinese_first(msg: &str) -> bool {
    msg.chars()
        .find(|c| !c.is_ascii_punctuation() && !c.is_whitespace())
        .is_some_and(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// An error answer: `{"error": "…"}`, Chinese first (a message of a
/// library, in English, gets 出错 before it).
pub(crate) fn error(status: StatusCode, msg: &str) -> Response {
    let msg = if chinese_first(msg) {
        msg.to_string()
    } else {
        format!("出错 / error: {msg}")
    };
    let body = json!({ "error": mask_id_numbers(&msg) }).to_string();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// What a handler answers.
enum Out {
    /// JSON, masked.
    Json(Value),
    /// A file to download.
    File {
        /// Its name.
        name: &'static str,
        /// Its type.
        mime: &'static str,
        /// Its content.
        bytes: Vec<u8>,
    },
}

/// The query parameters.
type Params = HashMap<String, String>;

/// Run `f` on the blocking pool and answer.
async fn answer(app: Arc<App>, f: impl FnOnce(&App) -> Result<Out, ApiError> + Send + 'static) -> Response {
    let done = tokio::task::spawn_blocking(move || f(&app)).await;
    match done {
        Ok(Ok(Out::Json(v))) => {
            let text = v.to_string();
            let masked = mask_id_numbers(&text).into_owned();
            ([(header::CONTENT_TYPE, "application/json")], masked).into_response()
        }
        Ok(Ok(Out::File { name, mime, bytes })) => (
            [
                (header::CONTENT_TYPE, mime.to_string()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            ],
            bytes,
        )
            .into_response(),
        Ok(Err(ApiError(status, msg))) => error(status, &msg),
        Err(_) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "服务器内部出错，请求未完成 / the request failed inside the server",
        ),
    }
}

/// A file name as a client gave it, without any folder, or an error.
fn file_name(raw: Option<&String>) -> Result<String, ApiError> {
    let raw = raw.map(|s| s.trim()).unwrap_or_default();
    let name = raw.rsplit(['/', '\\']).next().unwrap_or_default().trim();
    if name.is_empty() || name == "." || name == ".." || name.chars().any(char::is_control) {
        return Err(bad("请给出文件名 / give the file's name: ?name=students.csv"));
    }
    Ok(name.chars().take(200).collect())
}

/// The kind of a file from its name, as the CLI's `--data` folder names
/// them (English or Chinese).
fn kind_of(name: &str) -> Option<&'static str> {
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s).to_lowercase();
    const KINDS: [(&str, &[&str]); 11] = [
        // First: a loans file names students (贷款学生姓名).
        ("loans", &["loans", "贷款"]),
        ("cited", &["cited", "引用"]),
        ("grade_counts", &["grade_counts", "年级人数"]),
        ("population", &["population", "人口"]),
        ("disabled", &["disabled", "残疾"]),
        ("teachers", &["teachers", "教师"]),
        ("schools", &["schools", "学校"]),
        ("students", &["students", "学生"]),
        ("households", &["households", "家庭"]),
        ("classes", &["classes", "班级"]),
        ("disbursements", &["disbursements", "发放", "payments"]),
    ];
    KINDS
        .iter()
        .find(|(_, words)| words.iter().any(|w| stem.starts_with(w) || stem.contains(w)))
        .map(|(k, _)| *k)
}

/// The term a request names (`2017-spring` or `2017年春季学期`).
fn term_of(q: &Params) -> Result<Term, ApiError> {
    let raw = q.get("term").map(|s| s.trim()).unwrap_or_default();
    if raw.is_empty() {
        return Err(bad("请选择学期 / give the term: ?term=2017-spring"));
    }
    raw.parse::<Term>()
        .map_err(|e| bad(format!("学期“{raw}”无法识别 / term {raw}: {e}")))
}

/// The engine of the policy a request names (`?policy=ID`, `session` for
/// the session's uploaded overlay), else the default.
fn engine_of(app: &App, session: &str, q: &Params) -> Result<Engine, ApiError> {
    Ok(Engine::new(policy_of(app, session, q)?))
}

/// The policy a request names, as [`engine_of`].
fn policy_of(app: &App, session: &str, q: &Params) -> Result<Policy, ApiError> {
    let mut set = PolicySet::builtin()?;
    let overlay = app.with_session(session, |s| s.overlay.clone());
    let mut top = q
        .get("policy")
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| crate::policy::DEFAULT_POLICY.to_string());
    if let Some((name, text)) = overlay {
        let layer = Layer::parse(&name, &text)?;
        let id = layer.id().to_string();
        set.add(layer)?;
        if top == "session" {
            top = id;
        }
    } else if top == "session" {
        return Err(bad("本次会话没有上传政策文件 / this session has no uploaded policy"));
    }
    if !set.ids().any(|x| x == top) {
        let known: Vec<&str> = set.ids().collect();
        return Err(bad(format!(
            "没有政策“{top}”，可选：{} / unknown policy {top}: the policies are {}",
            known.join("、"),
            known.join(", ")
        )));
    }
    Ok(set.compose(&top)?)
}

/// Whether names are to be shown in full (`?show_names=true`).
fn show_names(q: &Params) -> bool {
    q.get("show_names").is_some_and(|v| v == "true" || v == "1")
}

/// A name as the page shows it.
fn name_shown(name: &str, q: &Params) -> String {
    if show_names(q) {
        name.to_string()
    } else {
        mask_name(name)
    }
}

/// `GET /api/status`: the store's counts and imports.
pub(crate) async fn status(State(app): State<Arc<App>>) -> Response {
    answer(app, |app| {
        let store = app.store();
        Ok(Out::Json(json!({
            "store": app.store_name,
            "schema_version": store.schema_version()?,
            "counts": store.counts()?,
            "imports": store.imports()?,
            "limits": { "upload_bytes": UPLOAD_LIMIT, "rows": ROW_LIMIT, "files": STAGED_LIMIT },
        })))
    })
    .await
}

/// The session's waiting files, without their content.
fn staged_list(app: &App, session: &str) -> Value {
    app.with_session(session, |s| {
        Value::Array(
            s.staged
                .iter()
                .map(|f| json!({ "name": f.name, "kind": f.kind, "bytes": f.bytes.len() }))
                .collect(),
        )
    })
}

/// The kinds of files kept for the report in the session: the count files,
/// the student loans and the cited figures (引用数据), as the CLI's
/// `eduaid report` finds them in its `--data` folder.
const COUNT_KINDS: [&str; 6] = ["grade_counts", "population", "disabled", "teachers", "loans", "cited"];

/// The session's count files, without their content.
fn counts_list(app: &App, session: &str) -> Value {
    app.with_session(session, |s| {
        Value::Array(
            s.counts
                .iter()
                .map(|f| json!({ "name": f.name, "kind": f.kind, "bytes": f.bytes.len() }))
                .collect(),
        )
    })
}

/// `POST /api/upload?name=FILE[&kind=KIND]`: keep a file (the body) in
/// the session until it is imported or declined.
pub(crate) async fn upload(
    State(app): State<Arc<App>>,
    Extension(SessionId(session)): Extension<SessionId>,
    Query(q): Query<Params>,
    body: Bytes,
) -> Response {
    answer(app, move |app| {
        let name = file_name(q.get("name"))?;
        let kind = match q.get("kind").map(String::as_str).filter(|k| !k.is_empty()) {
            Some(k) => match kind_of(k) {
                Some(k) => k,
                None => return Err(bad(format!("未知的文件类别“{k}”：应为学校、学生、家庭、班级、发放、贷款或引用数据 / unknown kind {k}: schools, students, households, classes, disbursements, loans or cited"))),
            },
            None => kind_of(&name).ok_or_else(|| {
                bad(format!(
                    "{name}：从文件名看不出是哪类数据，文件名应含 学校、学生、家庭、班级、发放、年级人数、人口、残疾、教师、贷款、引用（或 schools、students …）/ {name}: cannot tell what the file holds from its name; name it schools, students, households, classes or disbursements (or grade_counts, population, disabled, teachers, loans, cited), or give ?kind="
                ))
            })?,
        };
        if body.is_empty() {
            return Err(bad(format!("{name}：文件是空的 / {name}: the file is empty")));
        }
        let counts = COUNT_KINDS.contains(&kind);
        app.with_session_and_others(&session, |s, others| {
            let list = if counts { &mut s.counts } else { &mut s.staged };
            list.retain(|f| f.kind != kind);
            if list.len() >= STAGED_LIMIT {
                return Err(bad("等待导入的文件太多，请先导入或放弃 / too many files waiting: import or decline them first"));
            }
            if others + s.bytes() + body.len() > STAGED_BYTES_LIMIT {
                return Err(ApiError(
                    StatusCode::INSUFFICIENT_STORAGE,
                    format!(
                        "{name}: 等待导入的文件已占满工作台的暂存空间（{} MiB），请先导入或放弃已上传的文件 / the files waiting to be imported fill the workbench's room ({} MiB): import or decline them first",
                        STAGED_BYTES_LIMIT >> 20,
                        STAGED_BYTES_LIMIT >> 20
                    ),
                ));
            }
            let list = if counts { &mut s.counts } else { &mut s.staged };
            list.push(Staged {
                kind: kind.to_string(),
                name: name.clone(),
                bytes: body.to_vec(),
            });
            Ok(())
        })?;
        if counts {
            return Ok(Out::Json(json!({ "staged": staged_list(app, &session), "counts": counts_list(app, &session) })));
        }
        Ok(Out::Json(json!({ "staged": staged_list(app, &session) })))
    })
    .await
}

/// `GET /api/staged`: the session's waiting files.
pub(crate) async fn staged(
    State(app): State<Arc<App>>,
    Extension(SessionId(session)): Extension<SessionId>,
) -> Response {
    answer(app, move |app| {
        Ok(Out::Json(
            json!({ "staged": staged_list(app, &session), "counts": counts_list(app, &session) }),
        ))
    })
    .await
}

/// `DELETE /api/staged`: decline the waiting files; nothing is kept.
pub(crate) async fn discard(
    State(app): State<Arc<App>>,
    Extension(SessionId(session)): Extension<SessionId>,
) -> Response {
    answer(app, move |app| {
        app.with_session(&session, |s| s.staged.clear());
        Ok(Out::Json(json!({ "staged": [] })))
    })
    .await
}

/// A load report as the page shows it.
fn report_json(r: &LoadReport, kind: &str) -> Value {
    json!({
        "file": r.file,
        "kind": kind,
        "read": r.read,
        "accepted": r.accepted,
        "rejected": r.rejected,
        "blank": r.blank,
        "adds_up": r.read == r.accepted + r.rejected,
        "errors": r.errors,
        "warnings": r.warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
    })
}

/// The counts of a load report, for the store.
fn counts(r: &LoadReport, kind: &str) -> FileCounts {
    FileCounts {
        file: r.file.clone(),
        kind: kind.to_string(),
        read: r.read,
        accepted: r.accepted,
        rejected: r.rejected,
    }
}

/// A waiting file as an input.
fn input(f: &Staged) -> Input<'_> {
    Input::Bytes {
        name: &f.name,
        bytes: &f.bytes,
    }
}

/// `POST /api/import?commit=false|true`: read the waiting files with the
/// CLI's readers; show every rejected row; with `commit=true` keep the
/// accepted rows in the store (one import recorded per file) and clear the
/// waiting files. A file-level fault keeps nothing.
pub(crate) async fn import(
    State(app): State<Arc<App>>,
    Extension(SessionId(session)): Extension<SessionId>,
    Query(q): Query<Params>,
) -> Response {
    answer(app, move |app| {
        let commit = q.get("commit").is_some_and(|v| v == "true" || v == "1");
        let staged = app.with_session(&session, |s| s.staged.clone());
        if staged.is_empty() {
            return Err(bad("没有等待导入的文件，请先选择本县的数据文件 / no file is waiting: upload the county's files first"));
        }
        let opts = ReadOptions {
            limits: Limits {
                max_bytes: UPLOAD_LIMIT as u64,
                max_rows: ROW_LIMIT,
                ..Limits::default()
            },
            // Program cells by the names of the policy asked for, else of
            // the session's uploaded overlay, else of the default policy.
            programs: {
                let mut pq = q.clone();
                if !pq.contains_key("policy") && app.with_session(&session, |s| s.overlay.is_some()) {
                    pq.insert("policy".into(), "session".into());
                }
                policy_of(app, &session, &pq)?
                    .catalogue()
                    .map_err(doing("政策文件有误"))?
            },
            ..ReadOptions::default()
        };
        let find = |kind: &str| staged.iter().find(|f| f.kind == kind);
        let mut files = Vec::new();
        let roster = match (find("schools"), find("students")) {
            (Some(sc), Some(st)) => {
                let mut rf = RosterFiles::new(input(sc), input(st));
                if let Some(h) = find("households") {
                    rf = rf.households(input(h));
                }
                if let Some(c) = find("classes") {
                    rf = rf.classes(input(c));
                }
                let loaded = eduaid::io::load_roster(rf, &opts).map_err(doing("文件无法读取，未导入任何数据"))?;
                files.push(report_json(&loaded.schools, "schools"));
                if let Some(r) = &loaded.classes {
                    files.push(report_json(r, "classes"));
                }
                if let Some(r) = &loaded.households {
                    files.push(report_json(r, "households"));
                }
                files.push(report_json(&loaded.students, "students"));
                Some(loaded)
            }
            (None, None) if find("households").is_none() && find("classes").is_none() => None,
            _ => {
                return Err(bad(
                    "学生名册须整体导入：请同时选择学校文件和学生文件（家庭、班级文件一并选择） / a roster is imported whole: upload the schools file and the students file together (households and classes with them)",
                ));
            }
        };
        let payments = match find("disbursements") {
            Some(d) => {
                let loaded = eduaid::io::read_disbursements(input(d), &opts).map_err(doing("发放记录文件无法读取，未导入任何数据"))?;
                files.push(report_json(&loaded.report, "disbursements"));
                Some(loaded)
            }
            None => None,
        };
        let sum = |key: &str| files.iter().map(|f| f[key].as_u64().unwrap_or(0)).sum::<u64>();
        let (read, accepted, rejected) = (sum("read"), sum("accepted"), sum("rejected"));
        if commit {
            let mut store = app.store();
            if let Some(l) = &roster {
                let mut fc = vec![counts(&l.schools, "schools")];
                if let Some(r) = &l.classes {
                    fc.push(counts(r, "classes"));
                }
                if let Some(r) = &l.households {
                    fc.push(counts(r, "households"));
                }
                fc.push(counts(&l.students, "students"));
                store.import_roster(&l.roster, &fc).map_err(doing("写入数据库失败"))?;
            }
            if let Some(p) = &payments {
                store
                    .import_disbursements(&p.records, &counts(&p.report, "disbursements"))
                    .map_err(doing("写入数据库失败"))?;
            }
            drop(store);
            app.with_session(&session, |s| s.staged.clear());
        }
        Ok(Out::Json(json!({
            "committed": commit,
            "files": files,
            "read": read,
            "accepted": accepted,
            "rejected": rejected,
            "adds_up": read == accepted + rejected,
        })))
    })
    .await
}

/// `GET /api/policies`: the built-in policies, and the session's overlay.
pub(crate) async fn policies(
    State(app): State<Arc<App>>,
    Extension(SessionId(session)): Extension<SessionId>,
) -> Response {
    answer(app, move |app| {
        let set = PolicySet::builtin()?;
        let mut list = Vec::new();
        for id in set.ids() {
            let p = set.compose(id)?;
            list.push(json!({ "id": id, "title": p.title(), "layers": p.layers() }));
        }
        let overlay = app.with_session(&session, |s| s.overlay.as_ref().map(|(n, _)| n.clone()));
        Ok(Out::Json(json!({
            "default": crate::policy::DEFAULT_POLICY,
            "builtin": list,
            "session_overlay": overlay,
        })))
    })
    .await
}

/// `POST /api/policy/overlay?name=FILE`: check an overlay (the body, TOML)
/// and keep it for this session; errors name file, line and column.
pub(crate) async fn overlay(
    State(app): State<Arc<App>>,
    Extension(SessionId(session)): Extension<SessionId>,
    Query(q): Query<Params>,
    body: Bytes,
) -> Response {
    answer(app, move |app| {
        let name = file_name(q.get("name"))?;
        let text = String::from_utf8(body.to_vec())
            .map_err(|_| bad(format!("{name}：不是 UTF-8 文本 / {name}: not UTF-8 text")))?;
        let layer = Layer::parse(&name, &text).map_err(doing("政策文件有误"))?;
        let id = layer.id().to_string();
        let mut set = PolicySet::builtin()?;
        set.add(layer).map_err(doing("政策文件有误"))?;
        let policy = set.compose(&id).map_err(doing("政策文件有误"))?;
        let _ = Engine::new(policy.clone());
        app.with_session(&session, |s| s.overlay = Some((name.clone(), text)));
        Ok(Out::Json(
            json!({ "ok": true, "file": name, "id": id, "layers": policy.layers() }),
        ))
    })
    .await
}

/// `DELETE /api/policy/overlay`: forget the session's overlay.
pub(crate) async fn drop_overlay(
    State(app): State<Arc<App>>,
    Extension(SessionId(session)): Extension<SessionId>,
) -> Response {
    answer(app, move |app| {
        app.with_session(&session, |s| s.overlay = None);
        Ok(Out::Json(json!({ "ok": true })))
    })
    .await
}

/// `GET /api/policy?policy=ID`: the catalogue — every program, its rules,
/// each parameter's values over time with their documents.
pub(crate) async fn policy(
    State(app): State<Arc<App>>,
    Extension(SessionId(session)): Extension<SessionId>,
    Query(q): Query<Params>,
) -> Response {
    answer(app, move |app| {
        let engine = engine_of(app, &session, &q)?;
        let Some(policy) = engine.policy() else {
            return Err(bad("没有政策目录 / the engine has no policy catalogue"));
        };
        let programs: Vec<Value> = policy
            .programs()
            .values()
            .map(|spec| {
                let params = crate::cmd::policy::parameters_of(policy, &spec.id);
                let mut v = crate::cmd::policy::show_json(spec, &params, policy);
                v["benefit_zh"] = json!(benefit_words(spec.benefit, true));
                v
            })
            .collect();
        let documents: Vec<Value> = policy
            .documents()
            .iter()
            .map(|(id, d)| json!({ "id": id, "document": format!("{d:?}") }))
            .collect();
        let legend: Vec<Value> = [Certainty::V, Certainty::V2, Certainty::B]
            .iter()
            .map(|c| json!({ "mark": c.to_string(), "zh": c.chinese(), "en": c.english() }))
            .collect();
        Ok(Out::Json(json!({
            "title": policy.title(),
            "layers": policy.layers(),
            "certainty": legend,
            "programs": programs,
            "documents": documents,
        })))
    })
    .await
}

/// An amount as the API gives it: yuan as a decimal string, no unit.
fn num(m: Money) -> String {
    m.as_decimal().normalize().to_string()
}

/// A tally as JSON: persons, person-terms, yuan.
fn tally(t: &eduaid::eligibility::Tally) -> Value {
    json!({ "persons": t.persons, "person_terms": t.person_terms, "amount": num(t.amount) })
}

/// `GET /api/totals?term=…&policy=…`: totals by program, stage, township
/// and school; cash apart from waived and in-kind.
pub(crate) async fn totals(
    State(app): State<Arc<App>>,
    Extension(SessionId(session)): Extension<SessionId>,
    Query(q): Query<Params>,
) -> Response {
    answer(app, move |app| {
        let term = term_of(&q)?;
        let engine = engine_of(app, &session, &q)?;
        let store = app.store();
        let totals = engine.run(&*store, &[term], RunOptions::default(), None)?;
        let mut schools = HashMap::new();
        store.visit_schools(&mut |s| {
            schools.insert(s.id.to_string(), s.name.clone());
        })?;
        drop(store);
        let programs: Vec<Value> = totals
            .programs
            .iter()
            .map(|p| {
                json!({
                    "id": p.id,
                    "name": p.name,
                    "benefit": p.benefit,
                    "benefit_zh": benefit_words(p.benefit, true),
                    "owed": p.benefit.is_owed(),
                    "total": tally(&p.total),
                    "by_stage": p.by_stage.iter().map(|(s, t)| json!({"key": s.code(), "label": s.chinese(), "tally": tally(t)})).collect::<Vec<_>>(),
                    "by_township": p.by_township.iter().map(|(s, t)| json!({"key": s, "label": s, "tally": tally(t)})).collect::<Vec<_>>(),
                    "by_school": p.by_school.iter().map(|(s, t)| json!({"key": s, "label": schools.get(s.as_str()).cloned().unwrap_or_else(|| s.to_string()), "tally": tally(t)})).collect::<Vec<_>>(),
                })
            })
            .collect();
        let sum = |benefit: Benefit| {
            totals
                .programs
                .iter()
                .filter(|p| p.benefit == benefit)
                .map(|p| p.total.amount)
                .fold(Money::ZERO, |a, b| a.checked_add(b).unwrap_or(a))
        };
        Ok(Out::Json(json!({
            "term": term.to_string(),
            "term_zh": term.to_chinese(),
            "policy": engine.policy().map(|p| p.layers().to_vec()),
            "students": totals.students,
            "evaluated": totals.evaluated,
            "persons_entitled": totals.persons_entitled,
            "cash": num(sum(Benefit::Cash)),
            "waived": num(sum(Benefit::Waiver)),
            "in_kind": num(sum(Benefit::InKind)),
            "skipped": totals.skipped,
            "programs": programs,
        })))
    })
    .await
}

/// The cells of an entitlement row, as `evaluate --out` writes them (in
/// Chinese).
fn entitlement_cells(r: &Row<'_>) -> [Val; 16] {
    crate::cmd::evaluate::entitlement_cells(r, true)
}

/// `GET /api/entitlements?term=…[&program=…&stage=…&township=…&school=…&limit=…]`:
/// the students behind a number.
pub(crate) async fn entitlements(
    State(app): State<Arc<App>>,
    Extension(SessionId(session)): Extension<SessionId>,
    Query(q): Query<Params>,
) -> Response {
    answer(app, move |app| {
        let term = term_of(&q)?;
        let engine = engine_of(app, &session, &q)?;
        let limit: usize = q.get("limit").and_then(|l| l.parse().ok()).unwrap_or(500).min(5000);
        let want = |key: &str, value: &str| q.get(key).is_none_or(|w| w.is_empty() || w == value);
        let mut rows = Vec::new();
        let mut matched = 0u64;
        let mut amount = Money::ZERO;
        let mut sink = |r: &Row<'_>| {
            if !(want("program", r.program.id.as_str())
                && want("stage", r.student.stage.code())
                && want("township", &r.school.township)
                && want("school", r.school.id.as_str()))
            {
                return;
            }
            matched += 1;
            let m = r.amount;
            amount = amount.checked_add(m).unwrap_or(amount);
            if rows.len() < limit {
                rows.push(json!({
                    "student": r.student.id,
                    "name": name_shown(&r.student.name, &q),
                    "school": r.school.name,
                    "township": r.school.township,
                    "stage": r.student.stage.chinese(),
                    "grade": r.student.grade,
                    "program": r.program.id,
                    "program_name": r.program.name,
                    "amount": num(m),
                }));
            }
        };
        let store = app.store();
        engine.run(&*store, &[term], RunOptions::default(), Some(&mut sink))?;
        drop(store);
        Ok(Out::Json(
            json!({ "matched": matched, "amount": num(amount), "shown": rows.len(), "rows": rows }),
        ))
    })
    .await
}

/// The citations of a trace's rule, parameter and limit steps, each once.
fn citations(trace: &Trace) -> Vec<String> {
    let mut out: Vec<&Citation> = Vec::new();
    for s in &trace.steps {
        let (Step::Rule { cite: c, .. } | Step::Parameter { cite: c, .. } | Step::Limit { cite: c, .. }) = s else {
            continue;
        };
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out.iter().map(ToString::to_string).collect()
}

/// `GET /api/students/{id}?term=…`: every entitlement with its trace and
/// citations, and why not for every other program.
pub(crate) async fn student(
    State(app): State<Arc<App>>,
    Extension(SessionId(session)): Extension<SessionId>,
    Path(id): Path<String>,
    Query(q): Query<Params>,
) -> Response {
    answer(app, move |app| {
        let term = term_of(&q)?;
        let engine = engine_of(app, &session, &q)?;
        let id = StudentId::new(id.trim()).map_err(doing("学籍号有误"))?;
        let store = app.store();
        let Some(st) = store.student(&id)? else {
            return Err(ApiError(
                StatusCode::NOT_FOUND,
                format!("数据库中没有学籍号为 {id} 的学生 / no student {id} in the store"),
            ));
        };
        let school = store.school_of(&st)?.into_owned();
        let from = store.import_of_student(&id)?;
        let ex = engine.explain(&*store, &id, term)?;
        drop(store);
        let names: HashMap<String, String> = engine.programs().map(|p| (p.id.to_string(), p.name.clone())).collect();
        let entitled: Vec<Value> = ex
            .entitled
            .iter()
            .map(|e| {
                json!({
                    "program": e.program,
                    "name": names.get(e.program.as_str()),
                    "benefit": e.benefit,
                    "benefit_zh": benefit_words(e.benefit, true),
                    "amount": num(e.amount),
                    "trace": e.trace.as_ref().map(ToString::to_string),
                    "citations": e.trace.as_ref().map(citations).unwrap_or_default(),
                })
            })
            .collect();
        let not_entitled: Vec<Value> = ex
            .not_entitled
            .iter()
            .map(|(p, name, reason, trace)| {
                json!({
                    "program": p,
                    "name": name,
                    "reason": reason,
                    "trace": trace.to_string(),
                    "citations": citations(trace),
                })
            })
            .collect();
        Ok(Out::Json(json!({
            "student": ex.student,
            "name": name_shown(&ex.name, &q),
            "term": ex.term.to_string(),
            "term_zh": ex.term.to_chinese(),
            "school": school.name,
            "township": school.township,
            "stage": st.stage.chinese(),
            "grade": st.grade,
            "imported_from": from,
            "entitled": entitled,
            "not_entitled": not_entitled,
        })))
    })
    .await
}

/// `POST /api/reconcile?term=…`: reconcile the stored payments against what
/// was owed; the findings are kept with their follow-up.
pub(crate) async fn reconcile(
    State(app): State<Arc<App>>,
    Extension(SessionId(session)): Extension<SessionId>,
    Query(q): Query<Params>,
) -> Response {
    answer(app, move |app| {
        let engine = engine_of(app, &session, &q)?;
        let mut store = app.store();
        let payments = store.disbursements()?;
        if payments.is_empty() {
            return Err(bad(
                "数据库中没有发放记录，请先导入发放文件 / no payment records in the store: import a disbursements file first",
            ));
        }
        let recon = eduaid::eligibility::reconcile(&engine, &*store, &payments, &Scope::of(&payments))?;
        let records: Vec<FindingRecord> = recon
            .findings
            .iter()
            .map(|f| {
                let kind = serde_json::to_value(f.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                FindingRecord {
                    key: format!("{kind}/{}/{}/{}/{}", f.student, f.program, f.term, f.payments.join("+")),
                    term: f.term.to_string(),
                    student_id: f.student.to_string(),
                    program: f.program.to_string(),
                    kind,
                    detail: serde_json::to_string(f).unwrap_or_default(),
                    handling: String::new(),
                    handler: String::new(),
                    updated_at: None,
                }
            })
            .collect();
        let new = store.upsert_findings(&records)?;
        drop(store);
        Ok(Out::Json(json!({
            "records": recon.records,
            "paid": num(recon.paid),
            "owed": num(recon.owed),
            "findings": records.len(),
            "new": new,
        })))
    })
    .await
}

/// A kind of finding as the store keeps it (`wrong_amount`), in Chinese
/// (金额不符); an unknown kind as it is.
fn kind_words(kind: &str) -> String {
    use eduaid::eligibility::FindingKind as K;
    [
        K::Unpaid,
        K::Ineligible,
        K::Duplicate,
        K::WrongAmount,
        K::PaidAfterLeaving,
        K::UnknownStudent,
        K::UnknownProgram,
        K::Invalid,
        K::OutOfScope,
    ]
    .into_iter()
    .find(|k| serde_json::to_value(k).ok().and_then(|v| v.as_str().map(|s| s == kind)) == Some(true))
    .map_or_else(|| kind.to_string(), |k| k.chinese().to_string())
}

/// The programs' names under the policy a request names, by id.
fn program_names(app: &App, session: &str, q: &Params) -> Result<HashMap<String, String>, ApiError> {
    let engine = engine_of(app, session, q)?;
    Ok(engine.programs().map(|p| (p.id.to_string(), p.name.clone())).collect())
}

/// `GET /api/findings[?term=…]`: the findings kept, with their follow-up.
pub(crate) async fn findings(
    State(app): State<Arc<App>>,
    Extension(SessionId(session)): Extension<SessionId>,
    Query(q): Query<Params>,
) -> Response {
    answer(app, move |app| {
        let term = match q.get("term").filter(|t| !t.is_empty()) {
            Some(_) => Some(term_of(&q)?.to_string()),
            None => None,
        };
        let names = program_names(app, &session, &q)?;
        let list = app.store().findings(term.as_deref())?;
        let rows: Vec<Value> = list
            .iter()
            .map(|f| {
                let detail: Value = serde_json::from_str(&f.detail).unwrap_or(Value::Null);
                json!({
                    "key": f.key,
                    "term": f.term,
                    "student": f.student_id,
                    "program": f.program,
                    "program_name": names.get(&f.program),
                    "kind": f.kind,
                    "kind_zh": kind_words(&f.kind),
                    "owed": detail["owed"],
                    "paid": detail["paid"],
                    "evidence": detail["evidence"],
                    "handling": f.handling,
                    "handler": f.handler,
                    "updated_at": f.updated_at,
                })
            })
            .collect();
        Ok(Out::Json(json!({ "findings": rows })))
    })
    .await
}

/// The body of `PUT /api/findings`.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct FollowUp {
    /// The finding's key.
    key: String,
    /// 处理情况.
    handling: String,
    /// 经办人.
    handler: String,
}

/// `PUT /api/findings`: save a finding's 处理情况 and 经办人.
pub(crate) async fn follow_up(State(app): State<Arc<App>>, body: Bytes) -> Response {
    answer(app, move |app| {
        let f: FollowUp = serde_json::from_slice(&body).map_err(|e| bad(format!("请求内容有误 / body: {e}")))?;
        if f.handling.chars().count() > 2000 || f.handler.chars().count() > 100 {
            return Err(bad(
                "处理情况最多 2000 字，经办人最多 100 字 / 处理情况 is at most 2000 characters, 经办人 at most 100",
            ));
        }
        app.store()
            .set_follow_up(&f.key, f.handling.trim(), f.handler.trim())
            .map_err(|e| ApiError(StatusCode::NOT_FOUND, format!("没有这条核对结果 / {e}")))?;
        Ok(Out::Json(json!({ "ok": true, "key": f.key })))
    })
    .await
}

/// Write a workbook to a private temporary file and read it back.
fn temp_workbook(write: impl FnOnce(&std::path::Path) -> Result<(), ApiError>) -> Result<Vec<u8>, ApiError> {
    let dir = std::env::temp_dir().join(format!("eduaid-serve-{}", super::random_hex()?));
    std::fs::create_dir(&dir)?;
    let path = dir.join("out.xlsx");
    let result = write(&path).and_then(|()| std::fs::read(&path).map_err(ApiError::from));
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// `GET /api/download/entitlements.xlsx?term=…`: the entitlement list
/// (应助名单) as `evaluate --out` writes it.
pub(crate) async fn download_entitlements(
    State(app): State<Arc<App>>,
    Extension(SessionId(session)): Extension<SessionId>,
    Query(q): Query<Params>,
) -> Response {
    answer(app, move |app| {
        let term = term_of(&q)?;
        let engine = engine_of(app, &session, &q)?;
        let header: Vec<&str> = ENTITLEMENT_COLUMNS.iter().map(|(_, c)| *c).collect();
        let bytes = temp_workbook(|path| {
            let mut writer = TableWriter::create(path, "应助名单", &header)?;
            let mut failed: Option<eduaid::io::Error> = None;
            let mut sink = |r: &Row<'_>| {
                if failed.is_none() {
                    if let Err(e) = writer.push(&entitlement_cells(r)) {
                        failed = Some(e);
                    }
                }
            };
            let store = app.store();
            engine.run(&*store, &[term], RunOptions::default(), Some(&mut sink))?;
            drop(store);
            if let Some(e) = failed {
                return Err(e.into());
            }
            writer.finish(&[])?;
            Ok(())
        })?;
        Ok(Out::File {
            name: "entitlements.xlsx",
            mime: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            bytes,
        })
    })
    .await
}

/// `GET /api/download/findings.xlsx[?term=…]`: the findings with their
/// follow-up.
pub(crate) async fn download_findings(
    State(app): State<Arc<App>>,
    Extension(SessionId(session)): Extension<SessionId>,
    Query(q): Query<Params>,
) -> Response {
    answer(app, move |app| {
        let term = match q.get("term").filter(|t| !t.is_empty()) {
            Some(_) => Some(term_of(&q)?.to_string()),
            None => None,
        };
        let names = program_names(app, &session, &q)?;
        let list = app.store().findings(term.as_deref())?;
        let mut sheet = eduaid::io::Sheet::new(
            "核对结果",
            &[
                "学籍号",
                "资助项目",
                "学期",
                "问题类型",
                "应发",
                "实发",
                "说明",
                "处理情况",
                "经办人",
            ],
        );
        for f in &list {
            let d: Value = serde_json::from_str(&f.detail).unwrap_or(Value::Null);
            let text = |v: &Value| v.as_str().map(str::to_string).unwrap_or_default();
            sheet.push(vec![
                f.student_id.clone().into(),
                names.get(&f.program).unwrap_or(&f.program).clone().into(),
                f.term
                    .parse::<Term>()
                    .map_or_else(|_| f.term.clone(), |t| t.to_chinese())
                    .into(),
                kind_words(&f.kind).into(),
                text(&d["owed"]).into(),
                text(&d["paid"]).into(),
                text(&d["evidence"]).into(),
                f.handling.clone().into(),
                f.handler.clone().into(),
            ]);
        }
        let bytes = temp_workbook(|path| {
            eduaid::io::write_xlsx(path, &[sheet])?;
            Ok(())
        })?;
        Ok(Out::File {
            name: "findings.xlsx",
            mime: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            bytes,
        })
    })
    .await
}

/// Today's date (UTC), from the system clock.
fn today() -> eduaid::model::NaiveDate {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400);
    let epoch = eduaid::model::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(eduaid::model::NaiveDate::MIN);
    epoch.checked_add_days(chrono::Days::new(days)).unwrap_or(epoch)
}

/// An uploaded cited-figures file (引用数据), read from its bytes as
/// `eduaid report --cited` reads one from disk (nothing is written).
fn read_cited_upload(f: &Staged) -> Result<Vec<eduaid::report::Figure>, ApiError> {
    eduaid::county_report::read_cited_bytes(&f.name, f.bytes.clone())
        .map_err(|e| bad(format!("引用数据文件有误 / cited figures refused: {e}")))
}

/// `GET /api/download/report?term=…&format=docx|html|md[&county=…&fee_meeting_date=…]`:
/// the county work report from the store, the session's count files (and
/// its loans and cited-figures files, if uploaded) and the stored
/// payments, checked by the validator (its findings appended).
pub(crate) async fn download_report(
    State(app): State<Arc<App>>,
    Extension(SessionId(session)): Extension<SessionId>,
    Query(q): Query<Params>,
) -> Response {
    use eduaid::county_report::{County, Missing, Settings};
    use eduaid::io::CountFiles;
    use eduaid::report::{DocxRenderer, Figure, HtmlRenderer, MarkdownRenderer, Source, Template, render};
    answer(app, move |app| {
        let term = term_of(&q)?;
        let format = q.get("format").map_or("docx", String::as_str);
        if !["docx", "html", "md"].contains(&format) {
            return Err(bad(format!("不支持的格式“{format}”，可选 docx、html、md / unknown format {format}: docx, html or md")));
        }
        let engine = engine_of(app, &session, &q)?;
        let files = app.with_session(&session, |s| s.counts.clone());
        let find = |k: &str| files.iter().find(|f| f.kind == k).map(input);
        if find("grade_counts").is_none() {
            return Err(bad(
                "生成报告还需要年级人数文件（grade_counts.csv，以及人口、残疾儿童、专任教师文件）：请在“导入数据”页选择 / the report needs the grade counts file (grade_counts.csv, with population, disabled and teachers): upload it on the import page",
            ));
        }
        let cf = CountFiles {
            grades: find("grade_counts"),
            population: find("population"),
            disabled: find("disabled"),
            teachers: find("teachers"),
        };
        let (counts, _) = eduaid::io::read_counts(cf, &ReadOptions::default()).map_err(doing("人数文件无法读取"))?;
        let store = app.store();
        let roster = store.to_memory_roster()?;
        let payments = store.disbursements()?;
        drop(store);
        let name = q
            .get("county")
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| "本县".to_string());
        let settings = Settings {
            on_missing: Missing::LeaveOut,
            report_date: Some(today()),
            ..Settings::new(name)
        };
        // The session's loans and cited figures, if uploaded: the loan
        // sentence and the cited sentences, as `eduaid report` takes them
        // from its --data folder.
        let loans = match files.iter().find(|f| f.kind == "loans") {
            Some(f) => Some(
                eduaid::io::read_loans(input(f), &ReadOptions::default())
                    .map_err(doing("助学贷款文件无法读取"))?
                    .records,
            ),
            None => None,
        };
        let cited = match files.iter().find(|f| f.kind == "cited") {
            Some(f) => read_cited_upload(f)?,
            None => Vec::new(),
        };
        let settings = Settings { cited, ..settings };
        let mut county = County::new(&roster, &counts, &engine, term).with_settings(settings);
        if !payments.is_empty() {
            county = county.with_disbursements(&payments);
        }
        if let Some(l) = &loans {
            county = county.with_loans(l);
        }
        let mut report = county.build().map_err(doing("无法生成报告"))?;
        if let Some(d) = q.get("fee_meeting_date").filter(|d| !d.is_empty()) {
            let date = d
                .parse()
                .map_err(|e| bad(format!("收费工作会议日期“{d}”有误 / fee_meeting_date {d}: {e}")))?;
            let f = Figure::date(
                "fee_meeting_date",
                "fee_meeting_date",
                date,
                Source::indicator("workbench (input)"),
            );
            report.data.figure(f)?;
        }
        let mut doc = Template::default_report().render(&report.data)?;
        let validation = report.validate(&doc)?;
        report.push_appendices(&mut doc, &validation);
        let (name, mime, bytes) = match format {
            "html" => (
                "county_report.html",
                "text/html; charset=utf-8",
                render(&doc, &mut HtmlRenderer::new())?,
            ),
            "md" => (
                "county_report.md",
                "text/markdown; charset=utf-8",
                render(&doc, &mut MarkdownRenderer::new())?,
            ),
            _ => (
                "county_report.docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                render(&doc, &mut DocxRenderer::new())?,
            ),
        };
        Ok(Out::File { name, mime, bytes })
    })
    .await
}
