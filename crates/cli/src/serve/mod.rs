//! The workbench server behind `eduaid serve`: axum on a single-threaded
//! tokio runtime, the page and its assets embedded in the binary, a JSON
//! API under `/api/` described at `/api/openapi.json`, the county's store
//! behind a lock. Work on the store (import, the engine, the downloads)
//! runs on tokio's blocking pool.
//!
//! Safe by default: loopback unless `--addr` says otherwise, and then every
//! request must carry the token; uploads are limited in size and rows; a
//! client gives file names, never paths; each browser session (a cookie the
//! server issues) has its own uploads and overlay; identity numbers are
//! masked in every answer and names shortened unless asked for.

mod api;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use eduaid::store::Store;

use crate::common::Ctx;

/// The largest upload accepted, in bytes.
pub(crate) const UPLOAD_LIMIT: usize = 32 << 20;
/// The most data rows one uploaded file may have.
pub(crate) const ROW_LIMIT: u64 = 500_000;
/// The most files a session may have waiting.
pub(crate) const STAGED_LIMIT: usize = 16;
/// The most bytes all sessions together may keep waiting (uploaded files
/// not yet imported or declined, and count files).
pub(crate) const STAGED_BYTES_LIMIT: usize = 256 << 20;
/// The most sessions kept; the least recently used goes first.
const SESSION_LIMIT: usize = 256;
/// The random bytes in a session id or a made-up token (256 bits).
const ID_BYTES: usize = 32;
/// The session cookie's name.
const COOKIE: &str = "eduaid_session";

/// What `eduaid serve` was asked for.
#[derive(Debug)]
pub(crate) struct Config {
    /// Where to listen.
    pub(crate) addr: SocketAddr,
    /// The store's file.
    pub(crate) store: PathBuf,
    /// The token, if one was given.
    pub(crate) token: Option<String>,
}

/// A file uploaded and waiting for the clerk to import or decline it.
#[derive(Debug, Clone)]
pub(crate) struct Staged {
    /// What it holds: schools, students, households, classes,
    /// disbursements.
    pub(crate) kind: String,
    /// Its name as uploaded (no folder).
    pub(crate) name: String,
    /// Its content.
    pub(crate) bytes: Vec<u8>,
}

/// One browser session's own data.
#[derive(Debug, Default)]
pub(crate) struct Session {
    /// Files waiting to be imported.
    pub(crate) staged: Vec<Staged>,
    /// Count files for the report (grade counts, population, disabled
    /// children, teachers): kept in the session, not in the store.
    pub(crate) counts: Vec<Staged>,
    /// An uploaded policy overlay: its file name and text.
    pub(crate) overlay: Option<(String, String)>,
    /// When it was last used (a counter).
    used: u64,
}

/// The server's state.
#[derive(Debug)]
pub(crate) struct App {
    /// The county's store.
    store: Mutex<Store>,
    /// The store's file name (never its folder) for the page.
    pub(crate) store_name: String,
    /// The token every request must carry, if any.
    token: Option<String>,
    /// On loopback, the only `Host` values a request may carry (the bound
    /// address and `localhost`, with the port): a page of another site
    /// that has rebound its name to 127.0.0.1 is refused. `None` off
    /// loopback, where the token keeps other sites out.
    hosts: Option<Vec<String>>,
    /// The sessions, by id.
    sessions: Mutex<(u64, HashMap<String, Session>)>,
}

impl App {
    /// The store, locked (a poisoned lock is taken over: the store's own
    /// transactions keep it consistent).
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Run `f` on a session's data.
    pub(crate) fn with_session<T>(&self, id: &str, f: impl FnOnce(&mut Session) -> T) -> T {
        let mut guard = self.sessions.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (clock, map) = &mut *guard;
        *clock += 1;
        let now = *clock;
        let session = map.entry(id.to_string()).or_default();
        session.used = now;
        f(session)
    }

    /// Whether a session id was issued by this server.
    fn knows(&self, id: &str) -> bool {
        let guard = self.sessions.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        guard.1.contains_key(id)
    }

    /// Run `f` on a session's data and the bytes all other sessions keep
    /// waiting, under one lock.
    pub(crate) fn with_session_and_others<T>(&self, id: &str, f: impl FnOnce(&mut Session, usize) -> T) -> T {
        let mut guard = self.sessions.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (clock, map) = &mut *guard;
        *clock += 1;
        let now = *clock;
        let others: usize = map.iter().filter(|(k, _)| *k != id).map(|(_, s)| s.bytes()).sum();
        let session = map.entry(id.to_string()).or_default();
        session.used = now;
        f(session, others)
    }

    /// Issue a new session id.
    ///
    /// # Errors
    /// The operating system gives no random bytes.
    fn new_session(&self) -> Result<String, getrandom::Error> {
        let id = random_hex()?;
        let mut guard = self.sessions.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (clock, map) = &mut *guard;
        if map.len() >= SESSION_LIMIT {
            if let Some(oldest) = map.iter().min_by_key(|(_, s)| s.used).map(|(k, _)| k.clone()) {
                map.remove(&oldest);
            }
        }
        *clock += 1;
        map.insert(
            id.clone(),
            Session {
                used: *clock,
                ..Session::default()
            },
        );
        Ok(id)
    }
}

impl Session {
    /// The bytes this session keeps waiting.
    pub(crate) fn bytes(&self) -> usize {
        let files: usize = self.staged.iter().chain(&self.counts).map(|f| f.bytes.len()).sum();
        files + self.overlay.as_ref().map_or(0, |(_, t)| t.len())
    }
}

/// 256 bits from the operating system's random source (`getrandom`), in
/// hex: session ids, made-up tokens, private folder names.
///
/// # Errors
/// The operating system gives no random bytes.
pub(crate) fn random_hex() -> Result<String, getrandom::Error> {
    use std::fmt::Write as _;
    let mut bytes = [0u8; ID_BYTES];
    getrandom::fill(&mut bytes)?;
    let mut out = String::with_capacity(2 * ID_BYTES);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    Ok(out)
}

/// The `Host` values a server bound on the loopback address `local`
/// answers: that address and `localhost`, each with the port (and without
/// it on port 80), in lowercase.
pub(crate) fn loopback_hosts(local: SocketAddr) -> Vec<String> {
    let port = local.port();
    let ip = match local {
        SocketAddr::V4(a) => a.ip().to_string(),
        SocketAddr::V6(a) => format!("[{}]", a.ip()),
    };
    let mut hosts = vec![format!("{ip}:{port}"), format!("localhost:{port}")];
    if port == 80 {
        hosts.push(ip);
        hosts.push("localhost".to_string());
    }
    hosts
}

/// Why a request's `Host` or `Origin` is refused, if it is.
fn misdirected(app: &App, req: &Request) -> Option<Response> {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(|h| h.trim().to_ascii_lowercase());
    if let Some(allowed) = &app.hosts {
        let ok = host.as_deref().is_some_and(|h| allowed.iter().any(|a| a == h));
        if !ok {
            let shown: String = host.as_deref().unwrap_or("").chars().take(100).collect();
            return Some(api::error(
                StatusCode::MISDIRECTED_REQUEST,
                &format!(
                    "本工作台只接受发往 {} 的请求，此请求发往 {shown:?}：请用 eduaid serve 打印的地址打开 / this workbench answers only requests to {}, not to {shown:?} (another site's name pointed at this computer?): open the address eduaid serve printed",
                    allowed[0], allowed[0]
                ),
            ));
        }
    }
    let changes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if changes {
        let origin = req
            .headers()
            .get(header::ORIGIN)
            .map(|v| v.to_str().unwrap_or("?").trim().to_ascii_lowercase());
        let site = req
            .headers()
            .get("sec-fetch-site")
            .and_then(|v| v.to_str().ok())
            .map(str::to_ascii_lowercase);
        let same_origin = match (&origin, &host) {
            (None, _) => true,
            (Some(o), Some(h)) => o.strip_prefix("http://").is_some_and(|rest| rest == h),
            (Some(_), None) => false,
        };
        let same_site = site.as_deref().is_none_or(|s| s == "same-origin" || s == "none");
        if !same_origin || !same_site {
            let shown: String = origin.as_deref().unwrap_or("").chars().take(100).collect();
            return Some(api::error(
                StatusCode::FORBIDDEN,
                &format!(
                    "拒绝来自其他网页（{shown}）的修改请求：请在工作台本身的页面上操作 / refused: a request that changes data must come from the workbench's own page, not from {shown:?}"
                ),
            ));
        }
    }
    None
}

/// The session id a request carries in its cookie.
fn cookie_session(req: &Request) -> Option<String> {
    let cookies = req.headers().get(header::COOKIE)?.to_str().ok()?;
    cookies.split(';').find_map(|c| {
        let (k, v) = c.trim().split_once('=')?;
        (k == COOKIE).then(|| v.to_string())
    })
}

/// The token a request carries: `Authorization: Bearer …` or `?token=…`.
fn request_token(req: &Request) -> Option<String> {
    if let Some(v) = req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        if let Some(t) = v.strip_prefix("Bearer ") {
            return Some(t.trim().to_string());
        }
    }
    req.uri().query().and_then(|q| {
        q.split('&').find_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            (k == "token").then(|| v.to_string())
        })
    })
}

/// Compare two strings in time independent of where they differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The session of a request, as the guard found or made it.
#[derive(Debug, Clone)]
pub(crate) struct SessionId(pub(crate) String);

/// Every request passes here: the `Host` (on loopback) and, for a request
/// that changes data, the `Origin`; the token (where one is required);
/// then the session (a cookie the server issued, or a new one).
async fn guard(State(app): State<Arc<App>>, mut req: Request, next: Next) -> Response {
    if let Some(refused) = misdirected(&app, &req) {
        return refused;
    }
    if let Some(token) = &app.token {
        let given = request_token(&req);
        if !given.as_deref().is_some_and(|g| same(g, token)) {
            return api::error(
                StatusCode::UNAUTHORIZED,
                "需要令牌：请用 eduaid serve 打印的完整地址打开 / a token is required: open the address eduaid serve printed, or send Authorization: Bearer TOKEN",
            );
        }
    }
    let (id, fresh) = match cookie_session(&req) {
        Some(id) if app.knows(&id) => (id, false),
        _ => match app.new_session() {
            Ok(id) => (id, true),
            Err(e) => {
                return api::error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    &format!("无法生成会话编号 / cannot make a session id: {e}"),
                );
            }
        },
    };
    req.extensions_mut().insert(SessionId(id.clone()));
    let mut res = next.run(req).await;
    if res.status() == StatusCode::PAYLOAD_TOO_LARGE {
        res = api::error(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!(
                "文件太大：每个文件最多 {} MiB / the file is larger than {} MiB",
                UPLOAD_LIMIT >> 20,
                UPLOAD_LIMIT >> 20
            ),
        );
    }
    if fresh {
        if let Ok(v) = HeaderValue::from_str(&format!("{COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict")) {
            res.headers_mut().insert(header::SET_COOKIE, v);
        }
    }
    let h = res.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// An embedded asset.
fn asset(mime: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, mime)], body).into_response()
}

/// The routes.
pub(crate) fn router(app: Arc<App>) -> Router {
    Router::new()
        .route(
            "/",
            get(|| async { asset("text/html; charset=utf-8", include_str!("assets/index.html")) }),
        )
        .route(
            "/assets/app.js",
            get(|| async { asset("text/javascript; charset=utf-8", include_str!("assets/app.js")) }),
        )
        .route(
            "/assets/style.css",
            get(|| async { asset("text/css; charset=utf-8", include_str!("assets/style.css")) }),
        )
        .route(
            "/api/openapi.json",
            get(|| async { asset("application/json", include_str!("openapi.json")) }),
        )
        .route("/api/status", get(api::status))
        .route("/api/upload", post(api::upload))
        .route("/api/staged", get(api::staged).delete(api::discard))
        .route("/api/import", post(api::import))
        .route("/api/policies", get(api::policies))
        .route("/api/policy", get(api::policy))
        .route("/api/policy/overlay", post(api::overlay).delete(api::drop_overlay))
        .route("/api/totals", get(api::totals))
        .route("/api/entitlements", get(api::entitlements))
        .route("/api/students/{id}", get(api::student))
        .route("/api/reconcile", post(api::reconcile))
        .route("/api/findings", get(api::findings).put(api::follow_up))
        .route("/api/download/entitlements.xlsx", get(api::download_entitlements))
        .route("/api/download/findings.xlsx", get(api::download_findings))
        .route("/api/download/report", get(api::download_report))
        .fallback(|| async {
            api::error(StatusCode::NOT_FOUND, "没有这个页面或接口 / no such page or endpoint")
        })
        .layer(axum::middleware::from_fn_with_state(app.clone(), guard))
        .layer(DefaultBodyLimit::max(UPLOAD_LIMIT))
        .with_state(app)
}

/// The app on a store, listening at `local`.
pub(crate) fn app(store: Store, store_name: String, token: Option<String>, local: SocketAddr) -> Arc<App> {
    Arc::new(App {
        store: Mutex::new(store),
        store_name,
        token,
        hosts: local.ip().is_loopback().then(|| loopback_hosts(local)),
        sessions: Mutex::new((0, HashMap::new())),
    })
}

/// Serve until stopped.
///
/// # Errors
/// The store cannot be opened, the address cannot be bound.
pub(crate) fn run(config: &Config, ctx: &Ctx) -> anyhow::Result<()> {
    let token = match (&config.token, config.addr.ip().is_loopback()) {
        (Some(t), _) if !t.trim().is_empty() => Some(t.trim().to_string()),
        (_, true) => None,
        (_, false) => Some(random_hex().map_err(|e| anyhow::anyhow!("cannot make a token: {e}"))?),
    };
    let store = Store::open(&config.store)?;
    let name = config
        .store
        .file_name()
        .map_or_else(|| "county.db".to_string(), |n| n.to_string_lossy().into_owned());
    let runtime = tokio::runtime::Builder::new_current_thread().enable_io().build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(config.addr).await?;
        let local = listener.local_addr()?;
        let app = app(store, name, token.clone(), local);
        let url = match &token {
            Some(t) => format!("http://{local}/?token={t}"),
            None => format!("http://{local}/"),
        };
        // The URL is printed as is (a token in it is the user's own).
        {
            use std::io::Write as _;
            let mut out = std::io::stdout().lock();
            let _ = writeln!(
                out,
                "{}{url}",
                ctx.t(
                    "eduaid workbench listening at: ",
                    "学生资助工作台已启动，请在浏览器打开："
                )
            );
            let _ = writeln!(
                out,
                "{}{}",
                ctx.t("store: ", "数据库："),
                crate::common::shown(&config.store.display().to_string())
            );
            let _ = out.flush();
        }
        axum::serve(listener, router(app)).await?;
        Ok::<(), anyhow::Error>(())
    })
}
