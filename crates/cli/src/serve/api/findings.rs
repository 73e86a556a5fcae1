//! The findings of the store and their follow-up.

use super::*;

/// A kind of finding as the store keeps it (`wrong_amount`), in Chinese
/// (金额不符); an unknown kind as it is.
pub(super) fn kind_words(kind: &str) -> String {
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
pub(super) fn program_names(app: &App, session: &str, q: &Params) -> Result<HashMap<String, String>, ApiError> {
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
        let term = term_filter(&q)?;
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
