//! Uploading, staging and importing a county's files; the store's status.

use eduaid::io::{Loaded, LoadedRoster};
use eduaid::model::Disbursement;

use super::*;

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
pub(super) fn counts(r: &LoadReport, kind: &str) -> FileCounts {
    FileCounts {
        file: r.file.clone(),
        kind: kind.to_string(),
        read: r.read,
        accepted: r.accepted,
        rejected: r.rejected,
    }
}

/// A waiting file as an input.
pub(super) fn input(f: &Staged) -> Input<'_> {
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
            return Err(bad(
                "没有等待导入的文件，请先选择本县的数据文件 / no file is waiting: upload the county's files first",
            ));
        }
        let opts = import_options(app, &session, &q)?;
        let mut files = Vec::new();
        let roster = read_roster(&staged, &opts, &mut files)?;
        let payments = read_payments(&staged, &opts, &mut files)?;
        let sum = |key: &str| files.iter().map(|f| f[key].as_u64().unwrap_or(0)).sum::<u64>();
        let (read, accepted, rejected) = (sum("read"), sum("accepted"), sum("rejected"));
        if commit {
            keep(app, roster.as_ref(), payments.as_ref())?;
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

/// How the waiting files are read: within the upload limits, program cells
/// by the names of the policy asked for, else of the session's uploaded
/// overlay, else of the default policy.
fn import_options(app: &App, session: &str, q: &Params) -> Result<ReadOptions, ApiError> {
    Ok(ReadOptions {
        limits: Limits {
            max_bytes: UPLOAD_LIMIT as u64,
            max_rows: ROW_LIMIT,
            ..Limits::default()
        },
        programs: {
            let mut pq = q.clone();
            if !pq.contains_key("policy") && app.with_session(session, |s| s.overlay.is_some()) {
                pq.insert("policy".into(), "session".into());
            }
            policy_of(app, session, &pq)?
                .catalogue()
                .map_err(doing("政策文件有误"))?
        },
        ..ReadOptions::default()
    })
}

/// The waiting roster (schools and students, with households and classes),
/// read whole, each file's report added to `files`; none if no roster file
/// waits, and a roster without its schools or students file is refused.
fn read_roster(
    staged: &[Staged],
    opts: &ReadOptions,
    files: &mut Vec<Value>,
) -> Result<Option<LoadedRoster>, ApiError> {
    let find = |kind: &str| staged.iter().find(|f| f.kind == kind);
    match (find("schools"), find("students")) {
        (Some(sc), Some(st)) => {
            let mut rf = RosterFiles::new(input(sc), input(st));
            if let Some(h) = find("households") {
                rf = rf.households(input(h));
            }
            if let Some(c) = find("classes") {
                rf = rf.classes(input(c));
            }
            let loaded = eduaid::io::load_roster(rf, opts).map_err(doing("文件无法读取，未导入任何数据"))?;
            files.push(report_json(&loaded.schools, "schools"));
            if let Some(r) = &loaded.classes {
                files.push(report_json(r, "classes"));
            }
            if let Some(r) = &loaded.households {
                files.push(report_json(r, "households"));
            }
            files.push(report_json(&loaded.students, "students"));
            Ok(Some(loaded))
        }
        (None, None) if find("households").is_none() && find("classes").is_none() => Ok(None),
        _ => Err(bad(
            "学生名册须整体导入：请同时选择学校文件和学生文件（家庭、班级文件一并选择） / a roster is imported whole: upload the schools file and the students file together (households and classes with them)",
        )),
    }
}

/// The waiting disbursements file, if any, read, its report added to
/// `files`.
fn read_payments(
    staged: &[Staged],
    opts: &ReadOptions,
    files: &mut Vec<Value>,
) -> Result<Option<Loaded<Disbursement>>, ApiError> {
    match staged.iter().find(|f| f.kind == "disbursements") {
        Some(d) => {
            let loaded = eduaid::io::read_disbursements(input(d), opts)
                .map_err(doing("发放记录文件无法读取，未导入任何数据"))?;
            files.push(report_json(&loaded.report, "disbursements"));
            Ok(Some(loaded))
        }
        None => Ok(None),
    }
}

/// Keep the accepted rows in the store: the roster and the payments, one
/// import recorded per file.
fn keep(app: &App, roster: Option<&LoadedRoster>, payments: Option<&Loaded<Disbursement>>) -> Result<(), ApiError> {
    let mut store = app.store();
    if let Some(l) = roster {
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
    if let Some(p) = payments {
        store
            .import_disbursements(&p.records, &counts(&p.report, "disbursements"))
            .map_err(doing("写入数据库失败"))?;
    }
    Ok(())
}
