//! Student aid: the totals, the entitlements, one student's trace, reconciling what was paid.

use super::*;

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
pub(super) fn entitlement_cells(r: &Row<'_>) -> [Val; 16] {
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
