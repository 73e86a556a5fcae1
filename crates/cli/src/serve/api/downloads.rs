//! Downloads: the entitlements and findings workbooks, the work report.

use eduaid::county_report::{County, CountyReport, Missing, Settings};
use eduaid::io::CountFiles;
use eduaid::model::{Counts, StudentLoan};
use eduaid::report::{DocxRenderer, Figure, HtmlRenderer, MarkdownRenderer, Source, Template, render};

use super::*;

/// Write a workbook to a private temporary file and read it back.
fn temp_workbook(write: impl FnOnce(&std::path::Path) -> Result<(), ApiError>) -> Result<Vec<u8>, ApiError> {
    let dir = std::env::temp_dir().join(format!("eduaid-serve-{}", crate::serve::random_hex()?));
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
        let term = term_filter(&q)?;
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
    answer(app, move |app| {
        let term = term_of(&q)?;
        let format = report_format(&q)?;
        let engine = engine_of(app, &session, &q)?;
        let files = app.with_session(&session, |s| s.counts.clone());
        let counts = session_counts(&files)?;
        let store = app.store();
        let roster = store.to_memory_roster()?;
        let payments = store.disbursements()?;
        drop(store);
        // The session's loans and cited figures, if uploaded: the loan
        // sentence and the cited sentences, as `eduaid report` takes them
        // from its --data folder.
        let loans = session_loans(&files)?;
        let cited = match files.iter().find(|f| f.kind == "cited") {
            Some(f) => read_cited_upload(f)?,
            None => Vec::new(),
        };
        let mut county = County::new(&roster, &counts, &engine, term).with_settings(report_settings(&q, cited));
        if !payments.is_empty() {
            county = county.with_disbursements(&payments);
        }
        if let Some(l) = &loans {
            county = county.with_loans(l);
        }
        let mut report = county.build().map_err(doing("无法生成报告"))?;
        add_fee_meeting_date(&mut report, &q)?;
        let (name, mime, bytes) = render_report(&report, format)?;
        Ok(Out::File { name, mime, bytes })
    })
    .await
}

/// The report's format asked for: `docx` (the default), `html` or `md`.
fn report_format(q: &Params) -> Result<&str, ApiError> {
    let format = q.get("format").map_or("docx", String::as_str);
    if !["docx", "html", "md"].contains(&format) {
        return Err(bad(format!(
            "不支持的格式“{format}”，可选 docx、html、md / unknown format {format}: docx, html or md"
        )));
    }
    Ok(format)
}

/// The county's counts from the session's count files; the grade counts
/// file is required.
fn session_counts(files: &[Staged]) -> Result<Counts, ApiError> {
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
    Ok(counts)
}

/// The student loans of the session's loans file, if one was uploaded.
fn session_loans(files: &[Staged]) -> Result<Option<Vec<StudentLoan>>, ApiError> {
    match files.iter().find(|f| f.kind == "loans") {
        Some(f) => Ok(Some(
            eduaid::io::read_loans(input(f), &ReadOptions::default())
                .map_err(doing("助学贷款文件无法读取"))?
                .records,
        )),
        None => Ok(None),
    }
}

/// The report's settings: the county's name (`county`, else 本县), today's
/// date, a missing figure's sentence left out, the cited figures.
fn report_settings(q: &Params, cited: Vec<Figure>) -> Settings {
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
    Settings { cited, ..settings }
}

/// The date of the fee meeting (`fee_meeting_date`), given on the page, as
/// a figure of the report.
fn add_fee_meeting_date(report: &mut CountyReport, q: &Params) -> Result<(), ApiError> {
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
    Ok(())
}

/// The report rendered in its format, checked by the validator (its
/// findings appended): the file's name, its type and its bytes.
fn render_report(report: &CountyReport, format: &str) -> Result<(&'static str, &'static str, Vec<u8>), ApiError> {
    let mut doc = Template::default_report().render(&report.data)?;
    let validation = report.validate(&doc)?;
    report.push_appendices(&mut doc, &validation);
    Ok(match format {
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
    })
}
