//! `eduaid policy list | show | check | test`: the catalogue with its dated
//! values and citations, a check of a user's overlay, and the user's
//! declarative policy tests.

use std::path::Path;

use eduaid::eligibility::cases::{CaseFile, run_cases};
use eduaid::eligibility::schema::Certainty;
use eduaid::eligibility::{Engine, Layer, Policy, PolicySet, ProgramSpec};
use eduaid::model::convert::clamped;

use crate::cli::{PolicyArgs, PolicyChoice, PolicyCmd};
use crate::cmd::evaluate::benefit_words;
use crate::common::{Ctx, Status};
use crate::output::Sheet;
use crate::policy::{DEFAULT_POLICY, compose};

/// Run the command.
pub(crate) fn run(args: &PolicyArgs, ctx: &Ctx) -> anyhow::Result<Status> {
    match &args.command {
        PolicyCmd::List { policy } => list(policy, ctx),
        PolicyCmd::Show { program, policy } => show(program, policy, ctx),
        PolicyCmd::Check { file } => check(file, ctx),
        PolicyCmd::Test { file, policy } => test(file, policy, ctx),
    }
}

fn list(choice: &PolicyChoice, ctx: &Ctx) -> anyhow::Result<Status> {
    let policy = compose(choice)?;
    let zh = ctx.zh();
    let h = |en: &'static str, c: &'static str| if zh { c } else { en };
    let mut sheet = Sheet::new(
        "programs",
        &[
            h("program", "项目编号"),
            h("name", "名称"),
            h("english", "英文名"),
            h("aliases", "别名"),
            h("benefit", "资助方式"),
            h("rules", "规则数"),
            h("founded_by", "设立文件"),
        ],
    );
    for p in policy.programs().values() {
        sheet.push(vec![
            p.id.clone().into(),
            p.name.clone().into(),
            p.english.clone().into(),
            p.aliases.join("、").into(),
            benefit_words(p.benefit, zh).into(),
            clamped::<_, u64>(p.rules.len()).into(),
            p.cite.to_string().into(),
        ]);
    }
    if ctx.json {
        ctx.print_json(&serde_json::json!({
            "layers": policy.layers(),
            "title": policy.title(),
            "programs": sheet.to_json(),
        }))?;
    } else {
        outln!("{} ({})", policy.title(), policy.layers().join(" ← "));
        sheet.print();
    }
    Ok(Status::Clean)
}

/// The parameters of a program: those named `<program>.…`.
pub(crate) fn parameters_of<'a>(policy: &'a Policy, program: &str) -> Vec<&'a eduaid::eligibility::Parameter> {
    let prefix = format!("{program}.");
    policy
        .parameters()
        .values()
        .filter(|p| p.name.starts_with(&prefix))
        .collect()
}

fn show(program: &str, choice: &PolicyChoice, ctx: &Ctx) -> anyhow::Result<Status> {
    let policy = compose(choice)?;
    let Some(spec) = policy.programs().get(program) else {
        let known: Vec<&str> = policy.programs().keys().map(String::as_str).collect();
        anyhow::bail!("unknown program {program}: the policy has {}", known.join(", "));
    };
    let params = parameters_of(&policy, program);
    if ctx.json {
        ctx.print_json(&show_json(spec, &params, &policy))?;
        return Ok(Status::Clean);
    }
    let zh = ctx.zh();
    outln!("{} {} — {}", spec.id, spec.name, spec.english.as_deref().unwrap_or(""));
    outln!(
        "  {}: {}",
        ctx.t("benefit", "资助方式"),
        benefit_words(spec.benefit, zh)
    );
    if !spec.aliases.is_empty() {
        outln!(
            "  {} {}",
            ctx.t("also named in files:", "文件中也可写作："),
            spec.aliases.join("、")
        );
    }
    if let Some(short) = &spec.short {
        outln!("  {} {short}", ctx.t("short name in charts:", "图表简称："));
    }
    if let Some(d) = &spec.description {
        outln!("  {d}");
    }
    outln!("  {} {}", ctx.t("founded by", "设立文件："), spec.cite);
    outln!();
    outln!(
        "{}",
        ctx.t("Rules, highest precedence first:", "规则（优先级从高到低）：")
    );
    for r in &spec.rules {
        let from = r.from.map(|w| w.to_string()).unwrap_or_else(|| "…".into());
        let until = r.until.map(|w| w.to_string()).unwrap_or_else(|| "…".into());
        outln!(
            "  [{}] {} ({:?}, {from} – {until}){}",
            r.layer,
            r.id,
            r.effect,
            r.label.as_deref().map(|l| format!(": {l}")).unwrap_or_default()
        );
        if let Some(reason) = &r.reason {
            outln!("      {} {reason}", ctx.t("reason:", "理由："));
        }
        outln!("      {} {}", ctx.t("cited:", "依据："), r.cite);
    }
    if !params.is_empty() {
        outln!();
        outln!("{}", ctx.t("Dated values:", "分时段标准："));
        for p in params {
            outln!("  {} — {} ({})", p.name, p.description, p.unit.chinese());
            for v in p.timeline() {
                let until = v.until.map(|w| w.to_string()).unwrap_or_else(|| "…".into());
                outln!("    {} – {until}: {}  [{}]", v.from, v.value, v.layer);
                outln!("      {} {}", ctx.t("cited:", "依据："), v.cite);
            }
        }
    }
    let limits: Vec<_> = policy
        .limits()
        .iter()
        .filter(|l| l.programs.iter().any(|p| p == program))
        .collect();
    if !limits.is_empty() {
        outln!();
        outln!("{}", ctx.t("Limits across programs:", "跨项目限制："));
        for l in limits {
            outln!("  {} ({:?}): {}", l.id, l.kind, l.programs.join(", "));
            outln!("      {} {}", ctx.t("cited:", "依据："), l.cite);
        }
    }
    // What the marks in brackets after each citation mean.
    outln!();
    outln!("{}", ctx.t("Certainty of each citation:", "依据可信度标记："));
    for c in [Certainty::V, Certainty::V2, Certainty::B] {
        outln!("  {c}: {}", if zh { c.chinese() } else { c.english() });
    }
    Ok(Status::Clean)
}

/// A citation as JSON: its fields, and `text`, the citation as it is
/// printed (《title》 only for a document's title, the certainty mark in
/// brackets), so that every reader shows it alike.
fn cite_json(c: &eduaid::eligibility::Citation) -> serde_json::Value {
    let mut v = serde_json::to_value(c).unwrap_or(serde_json::Value::Null);
    if let Some(o) = v.as_object_mut() {
        o.insert("text".into(), serde_json::Value::String(c.to_string()));
    }
    v
}

pub(crate) fn show_json(
    spec: &ProgramSpec,
    params: &[&eduaid::eligibility::Parameter],
    policy: &Policy,
) -> serde_json::Value {
    let rules: Vec<serde_json::Value> = spec
        .rules
        .iter()
        .map(|r| {
            serde_json::json!({
                "id": r.id,
                "label": r.label,
                "from": r.from.map(|w| w.to_string()),
                "until": r.until.map(|w| w.to_string()),
                "effect": r.effect,
                "reason": r.reason,
                "layer": r.layer,
                "cite": cite_json(&r.cite),
            })
        })
        .collect();
    let parameters: Vec<serde_json::Value> = params
        .iter()
        .map(|p| {
            let values: Vec<serde_json::Value> = p
                .timeline()
                .iter()
                .map(|v| {
                    serde_json::json!({
                        "from": v.from.to_string(),
                        "until": v.until.map(|w| w.to_string()),
                        "value": v.value.to_string(),
                        "layer": v.layer,
                        "cite": cite_json(&v.cite),
                    })
                })
                .collect();
            serde_json::json!({ "name": p.name, "description": p.description, "unit": p.unit, "values": values })
        })
        .collect();
    serde_json::json!({
        "layers": policy.layers(),
        "id": spec.id,
        "name": spec.name,
        "english": spec.english,
        "aliases": spec.aliases,
        "short": spec.short,
        "benefit": spec.benefit,
        "description": spec.description,
        "cite": cite_json(&spec.cite),
        "rules": rules,
        "parameters": parameters,
    })
}

fn check(file: &Path, ctx: &Ctx) -> anyhow::Result<Status> {
    let layer = Layer::read(file)?;
    let id = layer.id().to_string();
    let base = layer.base().map(str::to_string);
    let content = layer.content();
    let programs = content.programs.len();
    let parameters = content.parameters.len();
    let mut set = PolicySet::builtin()?;
    set.add(layer)?;
    let policy = set.compose(&id)?;
    // Resolving every program for today's term exercises the references.
    let engine = Engine::new(policy.clone());
    let count = engine.programs().count();
    if ctx.json {
        ctx.print_json(&serde_json::json!({
            "file": file.display().to_string(),
            "ok": true,
            "id": id,
            "base": base,
            "layers": policy.layers(),
            "programs_touched": programs,
            "parameters_set": parameters,
            "programs_in_policy": count,
        }))?;
    } else {
        outln!(
            "{}: {} {id} ({} {}), {} {programs}, {} {parameters}; {}: {}",
            file.display(),
            ctx.t("ok: policy", "检查通过：政策"),
            ctx.t("based on", "基于"),
            base.as_deref().unwrap_or("—"),
            ctx.t("programs changed", "涉及项目"),
            ctx.t("parameters set", "设定参数"),
            ctx.t("composed", "组合"),
            policy.layers().join(" ← ")
        );
    }
    Ok(Status::Clean)
}

fn test(file: &Path, choice: &PolicyChoice, ctx: &Ctx) -> anyhow::Result<Status> {
    let name = file.display().to_string();
    let text = eduaid::eligibility::read_toml_text(file)?;
    // The policy: as given, else the one the case file names, else the default.
    let mut choice = choice.clone();
    if choice.policy.is_empty() {
        let named = toml::from_str::<CaseFile>(&text).ok().and_then(|c| c.policy);
        choice.policy.push(named.unwrap_or_else(|| DEFAULT_POLICY.to_string()));
    }
    let engine = Engine::new(compose(&choice)?);
    let report = run_cases(&engine, &name, &text)?;
    if ctx.json {
        ctx.print_json(&report)?;
    } else {
        for f in &report.failures {
            outln!("{} {}: {} — {}", ctx.t("FAILED", "未通过"), f.at, f.name, f.message);
        }
        outln!(
            "{name}: {} {}, {} {}, {} {}",
            report.cases,
            ctx.t("cases", "个用例"),
            report.checks,
            ctx.t("checks", "项检查"),
            report.failures.len(),
            ctx.t("failed", "项未通过")
        );
    }
    Ok(Status::findings_if(!report.passed()))
}
