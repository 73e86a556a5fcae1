//! The policies: the list, the session's uploaded overlay, one policy's programs.

use super::*;

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
