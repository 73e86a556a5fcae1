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

mod aid;
mod downloads;
mod findings;
mod imports;
mod policies;

pub(crate) use aid::*;
pub(crate) use downloads::*;
pub(crate) use findings::*;
pub(crate) use imports::*;
pub(crate) use policies::*;

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

/// The term a request may name to narrow a list (`?term=…`, absent or
/// empty for every term), as its text.
fn term_filter(q: &Params) -> Result<Option<String>, ApiError> {
    match q.get("term").filter(|t| !t.is_empty()) {
        Some(_) => Ok(Some(term_of(q)?.to_string())),
        None => Ok(None),
    }
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
