// 学生资助工作台: a page over the JSON API under /api/ (see /api/openapi.json).
"use strict";
const token = new URLSearchParams(location.search).get("token");
let lang = localStorage.getItem("eduaid-lang") || "zh";
const EN = {
  title: "Student-aid workbench", term: "Term", policy: "Policy",
  tab_import: "Import", tab_totals: "Totals", tab_student: "Student", tab_findings: "Reconcile",
  tab_catalogue: "Policy catalogue", tab_downloads: "Downloads",
  import_h: "Import the county's files",
  import_p: "Choose the schools, students, households, classes and disbursements files (XLSX or CSV, named schools, students, households, classes, disbursements); the work report also needs the grade counts, population, disabled children and teachers files, which may be chosen with them. Check first; import only when it is right; decline keeps nothing.",
  choose: "Choose files…", choose_one: "Choose a file…", show_names: "Full names",
  check: "Check", commit: "Import", decline: "Decline", store_h: "Store",
  totals_h: "Totals", by: "Group", by_stage: "by stage", by_township: "by township", by_school: "by school",
  student_h: "Look up a student: entitlements and why", lookup: "Look up", student_ph: "student id",
  findings_h: "Reconcile payments", reconcile: "Reconcile paid against owed",
  catalogue_h: "Policy catalogue", overlay: "Upload a policy overlay (.toml)",
  downloads_h: "Downloads", dl_entitlements: "Entitlement list (XLSX)",
  dl_findings: "Findings (XLSX, with follow-up)",
  report_h: "County work report", county: "County", fee_meeting: "Date of the fee meeting",
  report_p: "The report also needs the grade counts, population, disabled children and teachers files (grade_counts, population, disabled, teachers): choose them with the others on the Import page.",
  dl_docx: "Work report (Word DOCX)", dl_html: "Work report (HTML)", dl_md: "Work report (Markdown)",
  footer: "eduaid · names shortened and identity numbers hidden by default",
};
const ZH = {};
function t(key) { return lang === "en" ? (EN[key] || ZH[key] || key) : (ZH[key] || key); }
function T(zh, en) { return lang === "en" ? en : zh; }
function esc(s) {
  return String(s == null ? "" : s).replace(/[&<>"']/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}
function $(id) { return document.getElementById(id); }
// Messages of the server are "中文 / English": in English, the English part.
function say(text, ok) {
  const m = $("message");
  const i = String(text).indexOf(" / ");
  m.textContent = lang === "en" && i >= 0 ? String(text).slice(i + 3) : text;
  m.className = ok ? "ok" : "err";
}

async function api(method, path, body, raw) {
  const headers = {};
  if (token) headers["Authorization"] = "Bearer " + token;
  if (body !== undefined && !raw) headers["Content-Type"] = "application/json";
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : (raw ? body : JSON.stringify(body)) });
  const data = await res.json().catch(() => ({ error: res.statusText }));
  if (!res.ok) throw new Error(data.error || res.statusText);
  return data;
}
function q(extra) {
  const p = new URLSearchParams({ term: $("term").value, policy: $("policy").value });
  // Names are shortened unless the clerk asks for them in full.
  if ($("show-names").checked) p.set("show_names", "true");
  for (const [k, v] of Object.entries(extra || {})) p.set(k, v);
  if (token) p.set("token", token);
  return p.toString();
}
// What a file holds, in words.
const KINDS = {
  schools: ["学校", "schools"], students: ["学生", "students"], households: ["家庭", "households"],
  classes: ["班级", "classes"], disbursements: ["发放记录", "payments"], grade_counts: ["年级人数", "grade counts"],
  population: ["适龄人口", "population"], disabled: ["残疾儿童", "disabled children"], teachers: ["专任教师", "teachers"],
};
function kind(k) { const w = KINDS[k]; return w ? T(w[0], w[1]) : k; }
// "2017-spring" → "2017年春季学期".
function term(s) {
  const m = /^(\d{4})-(spring|autumn)$/.exec(String(s || ""));
  if (!m || lang === "en") return s || "…";
  return m[1] + "年" + (m[2] === "spring" ? "春季" : "秋季") + "学期";
}
// A time of the store (UTC) in the clerk's own clock.
function when(iso) {
  const d = new Date(iso);
  return isNaN(d) ? (iso || "") : d.toLocaleString(lang === "en" ? "en-GB" : "zh-CN", { hour12: false });
}
function yuan(s) { return Number(s).toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 }); }

function applyLang() {
  document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
  document.querySelectorAll("[data-t]").forEach(el => {
    const k = el.dataset.t;
    if (!(k in ZH)) ZH[k] = el.textContent;
    el.textContent = t(k);
  });
  document.querySelectorAll("[data-tp]").forEach(el => {
    const k = el.dataset.tp;
    if (!(k in ZH)) ZH[k] = el.placeholder;
    el.placeholder = t(k);
  });
  $("lang").textContent = lang === "en" ? "中文" : "English";
  document.title = t("title") + " · eduaid";
}

function show(tab) {
  document.querySelectorAll("nav button").forEach(b => b.classList.toggle("on", b.dataset.tab === tab));
  document.querySelectorAll(".tab").forEach(s => s.classList.toggle("on", s.id === tab));
  say("", true);
  if (tab === "totals") loadTotals();
  if (tab === "findings") loadFindings();
  if (tab === "catalogue") loadCatalogue();
  if (tab === "downloads") {
    $("dl-entitlements").href = "/api/download/entitlements.xlsx?" + q();
    $("dl-findings").href = "/api/download/findings.xlsx?" + q();
    reportLinks();
  }
}

function reportLinks() {
  for (const f of ["docx", "html", "md"]) {
    $("dl-report-" + f).href = "/api/download/report?" + q({ format: f, county: $("county").value, fee_meeting_date: $("fee-date").value });
  }
}

async function loadStatus() {
  const s = await api("GET", "/api/status");
  const c = s.counts;
  let h = `<p>${esc(s.store)}：${T("学校", "schools")} <b id="count-schools">${c.schools}</b>，${T("学生", "students")} <b id="count-students">${c.students}</b>，${T("家庭", "households")} ${c.households}，${T("发放记录", "payments")} ${c.disbursements}，${T("核对问题", "findings")} ${c.findings}</p>`;
  if (s.imports.length) {
    h += `<table><tr><th>#</th><th>${T("文件", "file")}</th><th>${T("类别", "kind")}</th><th>${T("时间", "time")}</th><th>${T("读取", "read")}</th><th>${T("接受", "accepted")}</th><th>${T("拒绝", "rejected")}</th></tr>`;
    for (const i of s.imports.slice(-12)) h += `<tr><td>${i.id}</td><td>${esc(i.file)}</td><td>${esc(kind(i.kind))}</td><td>${esc(when(i.imported_at))}</td><td class="num">${i.read}</td><td class="num">${i.accepted}</td><td class="num">${i.rejected}</td></tr>`;
    h += "</table>";
  }
  $("store").innerHTML = h;
}

async function loadPolicies() {
  const p = await api("GET", "/api/policies");
  const sel = $("policy");
  const keep = sel.value;
  sel.innerHTML = p.builtin.map(b => `<option value="${esc(b.id)}" title="${esc(b.id)}">${esc(b.title)}</option>`).join("") +
    (p.session_overlay ? `<option value="session">${T("已上传：", "uploaded: ")}${esc(p.session_overlay)}</option>` : "");
  sel.value = keep || p.default;
}

function reportTable(r) {
  let h = `<table id="check-table"><tr><th>${T("文件", "file")}</th><th>${T("类别", "kind")}</th><th>${T("读取", "read")}</th><th>${T("接受", "accepted")}</th><th>${T("拒绝", "rejected")}</th></tr>`;
  for (const f of r.files) h += `<tr><td>${esc(f.file)}</td><td>${esc(kind(f.kind))}</td><td class="num">${f.read}</td><td class="num">${f.accepted}</td><td class="num">${f.rejected}</td></tr>`;
  h += `<tr><th colspan="2">${T("合计", "total")}</th><td class="num">${r.read}</td><td class="num">${r.accepted}</td><td class="num">${r.rejected}</td></tr></table>`;
  const errs = r.files.flatMap(f => f.errors);
  if (errs.length) {
    h += `<h3>${T("被拒绝的行", "Rejected rows")}</h3><table id="rejected"><tr><th>${T("文件", "file")}</th><th>${T("行", "line")}</th><th>${T("列", "column")}</th><th>${T("原因", "reason")}</th></tr>`;
    for (const e of errs) h += `<tr><td>${esc(e.file)}</td><td class="num">${e.line}</td><td>${esc(e.column || "")}</td><td>${esc(e.reason)}</td></tr>`;
    h += "</table>";
  }
  return h;
}

// The count files kept for the report, as the page lists them.
function countFiles(list) {
  if (!list || !list.length) return "";
  return `<p id="count-files">${T("报告用人数文件（保存在本次会话中）", "Count files for the report (kept in this session)")}：` +
    list.map(f => `${esc(f.name)}（${esc(kind(f.kind))}）`).join("，") + "</p>";
}
async function check() {
  const files = $("files").files;
  if (!files.length) { say(T("请先选择文件", "choose the files first")); return; }
  try {
    await api("DELETE", "/api/staged");
    for (const f of files) await api("POST", "/api/upload?name=" + encodeURIComponent(f.name), await f.arrayBuffer(), true);
    const r = await api("POST", "/api/import?commit=false");
    const waiting = await api("GET", "/api/staged");
    $("check-result").innerHTML = reportTable(r) + countFiles(waiting.counts);
    $("commit").disabled = false;
    say(T(`检查完成：读取 ${r.read} 行，接受 ${r.accepted} 行，拒绝 ${r.rejected} 行。确认后点“确认导入”。`,
      `checked: ${r.read} rows read, ${r.accepted} accepted, ${r.rejected} rejected. Press Import to keep them.`), r.rejected === 0);
  } catch (e) { say(e.message); }
}
async function commit() {
  try {
    const r = await api("POST", "/api/import?commit=true");
    $("check-result").innerHTML = reportTable(r);
    $("commit").disabled = true;
    say(T(`已导入：接受 ${r.accepted} 行`, `imported: ${r.accepted} rows kept`), true);
    await loadStatus();
  } catch (e) { say(e.message); }
}
async function decline() {
  await api("DELETE", "/api/staged").catch(() => {});
  $("check-result").innerHTML = "";
  $("commit").disabled = true;
  $("files").value = "";
  chosen();
  say(T("已放弃，未保留任何数据", "declined: nothing kept"), true);
}

let lastTotals = null;
async function loadTotals() {
  try {
    const r = await api("GET", "/api/totals?" + q());
    lastTotals = r;
    let h = `<p>${esc(r.term_zh)}：${T("在册学生", "students")} ${r.students}，${T("享受资助", "entitled")} ${r.persons_entitled} ${T("人", "")}；` +
      `${T("打卡发放现金", "cash paid to cards")} <span class="big" id="cash">${yuan(r.cash)}</span> ${T("元", "yuan")}；` +
      `${T("免除", "waived")} <span id="waived">${yuan(r.waived)}</span> ${T("元", "yuan")}；${T("实物", "in kind")} <span id="in-kind">${yuan(r.in_kind)}</span> ${T("元", "yuan")}` +
      `${T("（现金、免除、实物分别统计，不相加）", " (cash, waived and in kind are counted apart, never added)")}</p>`;
    h += `<table id="programs"><tr><th>${T("资助项目", "program")}</th><th>${T("资助方式", "benefit")}</th><th>${T("人数", "persons")}</th><th>${T("人次", "person-terms")}</th><th>${T("金额（元）", "amount (yuan)")}</th></tr>`;
    for (const p of r.programs) {
      if (!p.total.person_terms) continue;
      h += `<tr data-program="${esc(p.id)}"><td><a class="drill" data-program="${esc(p.id)}">${esc(p.name)}</a></td><td>${esc(lang === "en" ? p.benefit : p.benefit_zh)}</td><td class="num">${p.total.persons}</td><td class="num">${p.total.person_terms}</td><td class="num amount">${yuan(p.total.amount)}</td></tr>`;
    }
    h += "</table>";
    $("totals-summary").innerHTML = h;
    groupTable();
  } catch (e) { say(e.message); }
}
function groupTable() {
  if (!lastTotals) return;
  const by = $("by").value;
  const key = { by_stage: "stage", by_township: "township", by_school: "school" }[by];
  let h = `<table><tr><th>${T("资助项目", "program")}</th><th>${T("分组", "group")}</th><th>${T("人数", "persons")}</th><th>${T("金额（元）", "amount (yuan)")}</th></tr>`;
  for (const p of lastTotals.programs) for (const g of p[by]) {
    h += `<tr><td>${esc(p.name)}</td><td><a class="drill" data-program="${esc(p.id)}" data-${key}="${esc(g.key)}">${esc(g.label)}</a></td><td class="num">${g.tally.persons}</td><td class="num">${yuan(g.tally.amount)}</td></tr>`;
  }
  $("totals-table").innerHTML = h + "</table>";
}
async function drill(el) {
  const extra = {};
  for (const k of ["program", "stage", "township", "school"]) if (el.dataset[k]) extra[k] = el.dataset[k];
  try {
    const r = await api("GET", "/api/entitlements?" + q(extra));
    let h = `<h3>${T("名单：", "Students: ")}${r.matched} ${T("人次", "")}，${yuan(r.amount)} ${T("元", "yuan")}${r.shown < r.matched ? T(`（显示前 ${r.shown} 条）`, ` (first ${r.shown} shown)`) : ""}</h3>`;
    h += `<table id="drill-table"><tr><th>${T("学籍号", "id")}</th><th>${T("姓名", "name")}</th><th>${T("学校", "school")}</th><th>${T("学段", "stage")}</th><th>${T("年级", "grade")}</th><th>${T("项目", "program")}</th><th>${T("金额", "amount")}</th></tr>`;
    for (const x of r.rows) h += `<tr><td><a class="student" data-id="${esc(x.student)}">${esc(x.student)}</a></td><td>${esc(x.name)}</td><td>${esc(x.school)}</td><td>${esc(x.stage)}</td><td class="num">${x.grade}</td><td>${esc(x.program_name)}</td><td class="num">${yuan(x.amount)}</td></tr>`;
    $("drill").innerHTML = h + "</table>";
  } catch (e) { say(e.message); }
}

async function lookup(id) {
  if (!id) return;
  $("student-id").value = id;
  try {
    const r = await api("GET", "/api/students/" + encodeURIComponent(id) + "?" + q());
    let h = `<h3 id="student-title">${esc(r.student)} ${esc(r.name)} · ${esc(r.school)}（${esc(r.township)}）${esc(r.stage)}${r.grade}${T("年级", "")} · ${esc(lang === "en" ? r.term : r.term_zh)}</h3>`;
    if (r.imported_from) h += `<p>${T("来自导入", "from import")} #${r.imported_from.id} ${esc(r.imported_from.file)}（${esc(when(r.imported_from.imported_at))}）</p>`;
    h += `<h3>${T("享受", "Entitled")}</h3>`;
    if (!r.entitled.length) h += `<p>${T("本学期不享受任何资助", "entitled to nothing this term")}</p>`;
    for (const e of r.entitled) h += `<div class="entitled"><p><b>${esc(e.name || e.program)}</b>（${esc(e.benefit_zh)}）：<span class="amount">${yuan(e.amount)}</span> ${T("元", "yuan")}</p><pre>${esc(e.trace || "")}</pre><p>${T("依据：", "cited: ")}${e.citations.map(esc).join("；")}</p></div>`;
    h += `<h3>${T("不享受及原因", "Not entitled, and why")}</h3><table id="why-not"><tr><th>${T("项目", "program")}</th><th>${T("原因", "reason")}</th><th>${T("依据", "cited")}</th></tr>`;
    for (const n of r.not_entitled) h += `<tr><td>${esc(n.name)}</td><td>${esc(n.reason)}</td><td>${n.citations.map(esc).join("；")}</td></tr>`;
    $("student-result").innerHTML = h + "</table>";
    say("", true);
  } catch (e) { $("student-result").innerHTML = ""; say(e.message); }
}

async function loadFindings() {
  try {
    const r = await api("GET", "/api/findings?" + q());
    if (!r.findings.length) { $("findings-result").innerHTML = `<p>${T("尚无核对结果：点上面的按钮核对", "no findings yet: press the button above")}</p>`; return; }
    let h = `<table id="findings-table"><tr><th>${T("学籍号", "student")}</th><th>${T("项目", "program")}</th><th>${T("问题", "kind")}</th><th>${T("应发", "owed")}</th><th>${T("实发", "paid")}</th><th>${T("说明", "evidence")}</th><th>${T("处理情况", "handling")}</th><th>${T("经办人", "handler")}</th><th></th></tr>`;
    r.findings.forEach((f, i) => {
      h += `<tr><td>${esc(f.student)}</td><td>${esc(f.program_name || f.program)}</td><td>${esc(lang === "en" ? f.kind : (f.kind_zh || f.kind))}</td><td class="num">${esc(f.owed || "")}</td><td class="num">${esc(f.paid || "")}</td><td>${esc(f.evidence)}</td>` +
        `<td><input id="handling-${i}" value="${esc(f.handling)}"></td><td><input id="handler-${i}" size="6" value="${esc(f.handler)}"></td>` +
        `<td><button class="save" data-i="${i}" data-key="${esc(f.key)}">${T("保存", "Save")}</button></td></tr>`;
    });
    $("findings-result").innerHTML = h + "</table>";
  } catch (e) { say(e.message); }
}
async function reconcile() {
  try {
    const r = await api("POST", "/api/reconcile?" + q());
    say(T(`核对完成：发放记录 ${r.records} 条，问题 ${r.findings} 条（新增 ${r.new} 条）`, `reconciled: ${r.records} records, ${r.findings} findings (${r.new} new)`), true);
    await loadFindings();
  } catch (e) { say(e.message); }
}
async function saveFollowUp(btn) {
  const i = btn.dataset.i;
  try {
    await api("PUT", "/api/findings", { key: btn.dataset.key, handling: $("handling-" + i).value, handler: $("handler-" + i).value });
    say(T("已保存", "saved"), true);
  } catch (e) { say(e.message); }
}

async function loadCatalogue() {
  try {
    const r = await api("GET", "/api/policy?" + q());
    let h = `<p><b>${esc(r.title)}</b>（${r.layers.map(esc).join(" ← ")}）</p>`;
    for (const p of r.programs) {
      h += `<details class="program"><summary><b>${esc(p.name)}</b> ${esc(p.id)} · ${esc(lang === "en" ? p.benefit : p.benefit_zh)}</summary>`;
      if (p.description) h += `<p>${esc(p.description)}</p>`;
      h += `<p>${T("设立文件：", "founded by: ")}${esc(fmtCite(p.cite))}</p><h4>${T("规则", "Rules")}</h4><ul>`;
      for (const rule of p.rules) h += `<li>[${esc(rule.layer)}] ${esc(rule.label || rule.id)} (${esc(rule.effect === "deny" ? T("排除", "deny") : rule.effect === "grant" ? T("给予", "grant") : rule.effect)}，${esc(term(rule.from))} – ${esc(term(rule.until))}) — ${esc(fmtCite(rule.cite))}</li>`;
      h += "</ul>";
      for (const par of p.parameters) {
        h += `<h4>${esc(par.name)} — ${esc(par.description)}</h4><table><tr><th>${T("起", "from")}</th><th>${T("止", "until")}</th><th>${T("值", "value")}</th><th>${T("层", "layer")}</th><th>${T("依据", "cited")}</th></tr>`;
        for (const v of par.values) h += `<tr><td>${esc(term(v.from))}</td><td>${esc(term(v.until))}</td><td class="num">${esc(v.value)}</td><td>${esc(v.layer)}</td><td>${esc(fmtCite(v.cite))}</td></tr>`;
        h += "</table>";
      }
      h += "</details>";
    }
    if (r.certainty) {
      h += `<p class="small" id="certainty-legend">${T("依据可信度标记", "Certainty of each citation")}：` +
        r.certainty.map(c => `[${esc(c.mark)}] ${esc(lang === "en" ? c.en : c.zh)}`).join("；") + "</p>";
    }
    $("catalogue-result").innerHTML = h;
  } catch (e) { say(e.message); }
}
function fmtCite(c) {
  if (c == null) return "";
  if (typeof c === "string") return c;
  // As the CLI prints it: 《》 only around a document's title, the
  // certainty mark in brackets (explained under the catalogue).
  if (c.text) return c.text;
  return [c.title, c.issuer, c.number, c.clause, c.certainty ? "[" + c.certainty + "]" : ""].filter(Boolean).join(" ");
}
async function uploadOverlay() {
  const f = $("overlay").files[0];
  if (!f) return;
  try {
    const r = await api("POST", "/api/policy/overlay?name=" + encodeURIComponent(f.name), await f.text(), true);
    await loadPolicies();
    $("policy").value = "session";
    say(T(`政策检查通过：${r.id}（${r.layers.join(" ← ")}）`, `policy checked: ${r.id} (${r.layers.join(" ← ")})`), true);
    loadCatalogue();
  } catch (e) { say(e.message); }
}

document.addEventListener("click", ev => {
  const el = ev.target;
  if (el.matches("nav button")) show(el.dataset.tab);
  else if (el.matches("a.drill")) drill(el);
  else if (el.matches("a.student")) { show("student"); lookup(el.dataset.id); }
  else if (el.matches("button.save")) saveFollowUp(el);
});
// The file pickers: the browser's own button speaks the browser's language,
// so the page shows its own.
function chosen() {
  const n = $("files").files.length;
  $("files-chosen").textContent = n ? T(`已选择 ${n} 个文件：`, `${n} files chosen: `) + Array.from($("files").files).map(f => f.name).join("、") : T("未选择文件", "no file chosen");
}
$("files").addEventListener("change", chosen);
$("check").addEventListener("click", check);
$("commit").addEventListener("click", commit);
$("decline").addEventListener("click", decline);
$("reconcile").addEventListener("click", reconcile);
$("by").addEventListener("change", groupTable);
$("county").addEventListener("input", reportLinks);
$("fee-date").addEventListener("change", reportLinks);
$("overlay").addEventListener("change", uploadOverlay);
$("student-form").addEventListener("submit", ev => { ev.preventDefault(); lookup($("student-id").value.trim()); });
$("lang").addEventListener("click", () => {
  lang = lang === "en" ? "zh" : "en";
  localStorage.setItem("eduaid-lang", lang);
  applyLang();
  chosen();
  const on = document.querySelector("nav button.on");
  if (on) show(on.dataset.tab);
  loadStatus().catch(() => {});
});
for (const id of ["term", "policy"]) $(id).addEventListener("change", () => {
  const on = document.querySelector("nav button.on");
  if (on) show(on.dataset.tab);
});
$("show-names").addEventListener("change", () => {
  const id = $("student-id").value.trim();
  if ($("student").classList.contains("on") && id) lookup(id);
  else $("drill").innerHTML = "";
});
applyLang();
chosen();
loadPolicies().then(() => loadStatus()).catch(e => say(e.message));
