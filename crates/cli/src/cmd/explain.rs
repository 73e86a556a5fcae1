//! `eduaid explain` and `eduaid why-not`: one student's decision, traced
//! down to the policy documents.

use eduaid::eligibility::{Citation, Explanation, Step, Trace};
use eduaid::model::{ProgramCatalogue, StudentId, Term};

use crate::cli::{ExplainArgs, WhyNotArgs};
use crate::common::{Ctx, Status, shown, yuan};
use crate::{inputs, policy};

/// Run `explain`.
pub(crate) fn run_explain(args: &ExplainArgs, ctx: &Ctx) -> anyhow::Result<Status> {
    let engine = policy::engine(&args.policy)?;
    let loaded = inputs::load_roster(&args.data, ctx)?;
    let mut status = Status::bad_if(loaded.rejected);
    let mut all: Vec<Explanation> = Vec::new();
    for raw in &args.students_ids {
        let id = match StudentId::new(raw.trim()) {
            Ok(id) => id,
            Err(e) => {
                errln!("{}{}", ctx.t("error: ", "错误："), shown(&ctx.msg(&e.to_string())));
                status = Status::BadInput;
                continue;
            }
        };
        match engine.explain(&loaded.roster, &id, args.term) {
            Ok(mut ex) => {
                if ctx.json {
                    // Stdout is not a file the user asked for: the name
                    // only with --show-names (the JSON escapes any control
                    // character itself).
                    if !ctx.show_names {
                        ex.name = eduaid::model::mask_name(&ex.name);
                    }
                } else {
                    print_explanation(&ex, &engine, ctx);
                }
                all.push(ex);
            }
            Err(e) => {
                errln!("{}{}", ctx.t("error: ", "错误："), shown(&ctx.msg(&e.to_string())));
                status = Status::BadInput;
            }
        }
    }
    if ctx.json {
        ctx.print_json(&all)?;
    }
    Ok(status)
}

/// The citations of a trace's rule and parameter steps, each once.
fn citations(trace: &Trace) -> Vec<&Citation> {
    let mut out: Vec<&Citation> = Vec::new();
    for s in &trace.steps {
        let (Step::Rule { cite: c, .. } | Step::Parameter { cite: c, .. } | Step::Limit { cite: c, .. }) = s else {
            continue;
        };
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// Every piece of data goes through [`shown`] (ids masked, control
/// characters escaped) and the name through [`Ctx::name`].
fn print_explanation(ex: &Explanation, engine: &eduaid::eligibility::Engine, ctx: &Ctx) {
    if ctx.zh() {
        outln!(
            "{} {} — {}",
            shown(ex.student.as_str()),
            ctx.name(&ex.name),
            ex.term.to_chinese()
        );
    } else {
        outln!(
            "{} {} — {} ({})",
            shown(ex.student.as_str()),
            ctx.name(&ex.name),
            ex.term.to_chinese(),
            ex.term
        );
    }
    if ex.entitled.is_empty() {
        outln!("  {}", ctx.t("entitled to nothing this term", "本学期不享受任何资助"));
    }
    for e in &ex.entitled {
        if ctx.zh() {
            outln!("享受 {}：{} 元", zh_program(engine, e.program.as_str()), yuan(e.amount));
        } else {
            outln!("ENTITLED {}: {} yuan", e.program, yuan(e.amount));
        }
        if let Some(t) = &e.trace {
            // The conditions (✓ …) in the run's language; the rules,
            // parameters and citations as the policy words them, under
            // labels in the run's language.
            let text = t.to_string();
            let mut lines = String::with_capacity(text.len());
            for line in text.split_inclusive('\n') {
                if line.trim_start().starts_with(['✓', '✗']) {
                    lines.push_str(&ctx.msg(line));
                } else if ctx.zh() {
                    lines.push_str(&trace_labels_zh(line));
                } else {
                    lines.push_str(line);
                }
            }
            out!("{}", shown(&lines));
        }
    }
    for (id, name, reason, _) in &ex.not_entitled {
        if ctx.zh() {
            outln!("不享受 {}（{id}）：{}", shown(name), shown(&ctx.msg(reason)));
        } else {
            outln!("not entitled {id} ({}): {}", shown(name), shown(reason));
        }
    }
    outln!();
}

/// One program's answer for `why-not`.
#[derive(Debug, Clone, serde::Serialize)]
struct Answer {
    student: String,
    program: String,
    term: String,
    entitled: bool,
    amount: Option<String>,
    reason: Option<String>,
    trace: Option<Trace>,
    citations: Vec<String>,
}

/// A program as Chinese output names it: `寄宿生生活补助（living-subsidy）`.
fn zh_program(engine: &eduaid::eligibility::Engine, id: &str) -> String {
    engine
        .programs()
        .find(|p| p.id.as_str() == id)
        .map_or_else(|| id.to_string(), |p| format!("{}（{id}）", p.name))
}

/// Run `why-not`.
pub(crate) fn run_why_not(args: &WhyNotArgs, ctx: &Ctx) -> anyhow::Result<Status> {
    let engine = policy::engine(&args.policy)?;
    let programs = program_ids(&engine, &args.programs, ctx)?;
    let loaded = inputs::load_roster(&args.data, ctx)?;
    let id = StudentId::new(args.student.trim())?;
    let ex = engine.explain(&loaded.roster, &id, args.term)?;
    let answers: Vec<Answer> = programs.iter().map(|p| answer(&ex, &id, p, args.term)).collect();
    if ctx.json {
        ctx.print_json(&answers)?;
    } else {
        print_answers(&answers, &engine, args.term, ctx);
    }
    Ok(Status::bad_if(loaded.rejected))
}

/// The programs asked about, as ids: each by its id or by a name the
/// policy gives it (寄宿生生活补助 …); a program not found is the error,
/// naming the policy's programs.
fn program_ids(engine: &eduaid::eligibility::Engine, asked: &[String], ctx: &Ctx) -> anyhow::Result<Vec<String>> {
    let known: Vec<String> = engine.programs().map(|p| p.id.to_string()).collect();
    let catalogue = policy::catalogue(engine)?;
    let mut programs = Vec::new();
    for p in asked {
        let p = p.trim();
        match program_id(engine, &catalogue, p) {
            Some(id) => programs.push(id),
            None if ctx.zh() => {
                let names: Vec<String> = engine.programs().map(|x| format!("{}（{}）", x.name, x.id)).collect();
                anyhow::bail!("没有资助项目 {p}：本政策的项目有 {}", names.join("、"));
            }
            None => anyhow::bail!("unknown program {p}: the policy has {}", known.join(", ")),
        }
    }
    Ok(programs)
}

/// A program's id from the words given: the id, the full name or an alias
/// (生活补助); else the one program whose name holds the words given
/// (营养改善计划, 寄宿生生活补助).
fn program_id(engine: &eduaid::eligibility::Engine, catalogue: &ProgramCatalogue, p: &str) -> Option<String> {
    let named = catalogue.id_of(p);
    let exact = engine
        .programs()
        .find(|x| x.id.as_str() == p || x.name == p || named == Some(&x.id));
    let mut partial = engine.programs().filter(|x| !p.is_empty() && x.name.contains(p));
    exact
        .or_else(|| match (partial.next(), partial.next()) {
            (Some(one), None) => Some(one),
            _ => None,
        })
        .map(|x| x.id.to_string())
}

/// The answer for one program: entitled with the amount and the rules'
/// citations, or not with the first failed condition and its trace.
fn answer(ex: &Explanation, id: &StudentId, p: &str, term: Term) -> Answer {
    if let Some(e) = ex.entitled.iter().find(|e| e.program.as_str() == p) {
        Answer {
            student: id.to_string(),
            program: p.to_string(),
            term: term.to_string(),
            entitled: true,
            amount: Some(yuan(e.amount)),
            reason: None,
            citations: e
                .trace
                .as_ref()
                .map(|t| citations(t).iter().map(ToString::to_string).collect())
                .unwrap_or_default(),
            trace: e.trace.clone(),
        }
    } else {
        let (reason, trace) = ex
            .not_entitled
            .iter()
            .find(|x| x.0.as_str() == p)
            .map(|x| (x.2.clone(), x.3.clone()))
            .unwrap_or_default();
        Answer {
            student: id.to_string(),
            program: p.to_string(),
            term: term.to_string(),
            entitled: false,
            amount: None,
            citations: citations(&trace).iter().map(ToString::to_string).collect(),
            reason: Some(reason),
            trace: Some(trace),
        }
    }
}

/// The answers on the terminal: one line each (the student's id through
/// [`shown`], the reason in the run's language), then its citations.
fn print_answers(answers: &[Answer], engine: &eduaid::eligibility::Engine, term: Term, ctx: &Ctx) {
    for a in answers {
        let amount = a.amount.as_deref().unwrap_or("");
        let reason = shown(&ctx.msg(a.reason.as_deref().unwrap_or("")));
        let a = &Answer {
            student: shown(&a.student),
            ..a.clone()
        };
        match (a.entitled, ctx.zh()) {
            (true, false) => outln!(
                "{} is entitled to {}: {amount} yuan in {}",
                a.student,
                a.program,
                a.term
            ),
            (true, true) => outln!(
                "{} 享受 {}：{amount} 元（{}）",
                a.student,
                zh_program(engine, &a.program),
                term.to_chinese()
            ),
            (false, false) => outln!("{} is not entitled to {} ({}): {reason}", a.student, a.program, a.term),
            (false, true) => outln!(
                "{} 不享受 {}（{}）：{reason}",
                a.student,
                zh_program(engine, &a.program),
                term.to_chinese()
            ),
        }
        for c in &a.citations {
            outln!("  {}{}", ctx.t("cited: ", "依据："), shown(c));
        }
    }
}

/// A trace line's labels in Chinese (规则, 依据, 限额, 自…起); what the
/// policy says (rule names, citations, values) is left as it is worded.
fn trace_labels_zh(line: &str) -> String {
    let indent = line.len() - line.trim_start().len();
    let (lead, rest) = line.split_at(indent);
    let rest = if let Some(r) = rest.strip_prefix("rule ") {
        format!("规则 {r}")
    } else if let Some(r) = rest.strip_prefix("cited: ") {
        format!("依据：{r}")
    } else if let Some(r) = rest.strip_prefix("limit ") {
        format!("限额 {r}")
    } else if let Some(r) = rest.strip_prefix("not entitled: ") {
        format!("不享受：{r}")
    } else {
        rest.to_string()
    };
    // A parameter's line: `name = value (from 2011-autumn)`, the term in
    // Chinese (2011年秋季学期).
    let rest = match (rest.rfind(" (from "), rest.trim_end().ends_with(')')) {
        (Some(i), true) if !rest.starts_with('=') => {
            let end = rest.trim_end();
            let from = &end[i + " (from ".len()..end.len() - 1];
            let from = from
                .parse::<eduaid::model::Term>()
                .map_or_else(|_| from.to_string(), |t| t.to_chinese());
            format!("{}（自{from}起）{}", &rest[..i], &rest[end.len()..])
        }
        _ => rest,
    };
    // The amount's formula: its English remarks.
    let rest = if rest.starts_with('=') {
        rest.replace(" (per year, half each term)", "（年标准，每学期按一半）")
            .replace(" (per term)", "（学期标准）")
            .replace(" (no school tuition on record)", "（学校无学费标准记录）")
    } else {
        rest
    };
    format!("{lead}{rest}")
}

#[cfg(test)]
mod tests {
    use super::trace_labels_zh;

    #[test]
    fn trace_labels_read_in_chinese_and_the_policy_words_stay() {
        assert_eq!(
            trace_labels_zh("  rule fee-waiver/public-schools-2017 [national]: 城乡公办学校义务教育学生\n"),
            "  规则 fee-waiver/public-schools-2017 [national]: 城乡公办学校义务教育学生\n"
        );
        assert_eq!(
            trace_labels_zh("      cited: 《义务教育法》 第二条 [V2]\n"),
            "      依据：《义务教育法》 第二条 [V2]\n"
        );
        assert_eq!(
            trace_labels_zh("    fee-waiver.share = 1 (from 2007-spring)\n"),
            "    fee-waiver.share = 1（自2007年春季学期起）\n"
        );
        assert_eq!(
            trace_labels_zh("    = free-textbooks.annual 90 (per year, half each term) = 45元\n"),
            "    = free-textbooks.annual 90（年标准，每学期按一半） = 45元\n"
        );
        assert_eq!(
            trace_labels_zh("    = fee-waiver.uncharged (no school tuition on record) ÷ 2 × 1 = 0元\n"),
            "    = fee-waiver.uncharged（学校无学费标准记录） ÷ 2 × 1 = 0元\n"
        );
        assert_eq!(trace_labels_zh("    = 0元\n"), "    = 0元\n");
    }
}
