//! The TOML schema of a policy file, as read and written. `POLICY.md`
//! documents it for authors; [`crate::Policy`] is what the files compose to.

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use eduaid_model::{Hukou, Locality, Money, Ownership, SchoolKind, Season, Stage, StatusKind, Term};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use toml::Spanned;

/// A point in time a value or rule starts or stops: a date (`2014-11-01`)
/// or a term (`"2015-spring"`, meaning its first day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct When {
    /// The day.
    pub date: NaiveDate,
    /// The term it was written as, if it was written as a term.
    pub term: Option<Term>,
}

impl When {
    /// The first day of `term`.
    #[must_use]
    pub fn term(term: Term) -> When {
        When {
            date: term.first_day(),
            term: Some(term),
        }
    }

    /// A date.
    #[must_use]
    pub fn date(date: NaiveDate) -> When {
        When { date, term: None }
    }

    fn parse(s: &str) -> Result<When, String> {
        if let Ok(d) = s.trim().parse::<NaiveDate>() {
            return Ok(When::date(d));
        }
        s.parse::<Term>()
            .map(When::term)
            .map_err(|_| format!("invalid date or term {s:?}: expected 2014-11-01 or 2015-spring"))
    }
}

impl fmt::Display for When {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.term {
            Some(t) => write!(f, "{t}"),
            None => write!(f, "{}", self.date),
        }
    }
}

impl Serialize for When {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for When {
    /// Accepts a TOML date (`2014-11-01`), or a string holding a date or a
    /// term (`"2015-spring"`, `"2015年春季学期"`).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<When, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = When;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date (2014-11-01) or a term (\"2015-spring\")")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<When, E> {
                When::parse(v).map_err(E::custom)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<When, A::Error> {
                // A TOML date arrives as a one-entry map holding its text.
                let mut out = None;
                while let Some(_k) = map.next_key::<String>()? {
                    let text: String = map.next_value()?;
                    out = Some(When::parse(&text).map_err(serde::de::Error::custom)?);
                }
                out.ok_or_else(|| serde::de::Error::custom("empty date"))
            }
        }
        d.deserialize_any(V)
    }
}

/// How sure a citation or value is (from the research notes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Certainty {
    /// Verified: a public page states it.
    V,
    /// Stated only by a secondary source.
    V2,
    /// Believed, not found in the sources.
    B,
}

impl Certainty {
    /// What the mark means, in Chinese.
    #[must_use]
    pub fn chinese(self) -> &'static str {
        match self {
            Certainty::V => "已核实：有公开页面载明",
            Certainty::V2 => "仅见二手来源（转载、地方通报），未见原文",
            Certainty::B => "推定：与所见资料相符但未见原文，引用前须核对",
        }
    }

    /// What the mark means, in English.
    #[must_use]
    pub fn english(self) -> &'static str {
        match self {
            Certainty::V => "verified: a public page states it",
            Certainty::V2 => "a secondary source only (a copy, a local notice); the primary text was not found",
            Certainty::B => "believed: consistent with the sources but not found in them; check before quoting",
        }
    }

    /// The legend of the marks, one line each (`V: …`), in Chinese, to
    /// print wherever marks are shown.
    #[must_use]
    pub fn legend() -> String {
        [Certainty::V, Certainty::V2, Certainty::B]
            .iter()
            .map(|c| format!("{c}: {}", c.chinese()))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl fmt::Display for Certainty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Certainty::V => "V",
            Certainty::V2 => "V2",
            Certainty::B => "B",
        })
    }
}

/// The header of a policy file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// The layer's id, e.g. `national` or `hunan`.
    pub id: String,
    /// A title for people.
    pub title: String,
    /// The layer this one overlays, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<Spanned<String>>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A policy document (政策文件) cited by rules and values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentDef {
    /// Title, e.g. 《关于建立学前教育资助制度的意见》.
    pub title: String,
    /// Issuer, e.g. 财政部 教育部.
    pub issuer: String,
    /// Document number (文号), e.g. 财教〔2011〕410号.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// Date issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<When>,
    /// Where it can be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// How sure the document's details are.
    pub certainty: Certainty,
}

/// A citation at a use site: the document's key and the clause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CiteDef {
    /// Key of a document in some layer's `[documents]`.
    pub doc: Spanned<String>,
    /// The clause (条款), e.g. 第三条 or 二(一).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clause: Option<String>,
    /// How sure this use is, if different from the document's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certainty: Option<Certainty>,
    /// A note for the reader.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A dated parameter (政策参数).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParameterDef {
    /// What the parameter is (needed when a layer introduces it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its unit, e.g. `yuan_per_year`, `yuan_per_term`, `yuan_per_day`,
    /// `share` (needed when a layer introduces it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<Unit>,
    /// Its values over time.
    #[serde(default)]
    pub values: Vec<ValueDef>,
}

/// The unit of a parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// 元/生/年, paid half per term.
    YuanPerYear,
    /// 元/生/学期.
    YuanPerTerm,
    /// 元/生/天 (per school day).
    YuanPerDay,
    /// A share, e.g. 0.5.
    Share,
}

impl Unit {
    /// The unit as written in Chinese tables.
    #[must_use]
    pub fn chinese(self) -> &'static str {
        match self {
            Unit::YuanPerYear => "元/生/年",
            Unit::YuanPerTerm => "元/生/学期",
            Unit::YuanPerDay => "元/生/天",
            Unit::Share => "",
        }
    }
}

/// One dated value of a parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueDef {
    /// From this date or term.
    pub from: Spanned<When>,
    /// Until this date or term (exclusive); by default, until the next
    /// value of the same file starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<When>,
    /// One amount or share for every stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Money>,
    /// An amount per stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by_stage: Option<BTreeMap<Stage, Money>>,
    /// Where the value comes from.
    pub cite: CiteDef,
}

/// A program (资助项目).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgramDef {
    /// Chinese name (needed when a layer introduces the program).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// English name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub english: Option<String>,
    /// Other Chinese names a clerk's file may give the program (简称、别名:
    /// `生活补助` for 家庭经济困难寄宿生生活补助), read as its id; an
    /// overlay adds to those of the layers below.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// The short name a chart or a narrow column shows (`生活补助`, `营养餐`),
    /// read as the program too; by default its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short: Option<String>,
    /// What kind of benefit it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub benefit: Option<crate::Benefit>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The program's founding document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cite: Option<CiteDef>,
    /// The rules, highest precedence first.
    #[serde(default)]
    pub rules: Vec<RuleDef>,
}

/// What a rule does when its conditions hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// The student is entitled to the rule's amount.
    #[default]
    Grant,
    /// The student is not entitled, whatever lower rules say.
    Deny,
}

/// A rule of a program: conditions and an amount, in force over a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    /// Unique within the program; an overlay rule with the same id
    /// replaces the rule.
    pub id: Spanned<String>,
    /// Who the rule is for, in a clerk's words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// In force from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<When>,
    /// In force until (exclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<When>,
    /// Grant or deny.
    #[serde(default, skip_serializing_if = "is_grant")]
    pub effect: Effect,
    /// The conditions, all of which must hold.
    #[serde(default)]
    pub when: ConditionsDef,
    /// The amount (for a grant).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<AmountDef>,
    /// Why, for a deny.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Where the rule comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cite: Option<CiteDef>,
    /// Set in an overlay to remove the base rule with this id.
    #[serde(default, skip_serializing_if = "is_false")]
    pub disabled: bool,
}

fn is_grant(e: &Effect) -> bool {
    *e == Effect::Grant
}

fn is_false(b: &bool) -> bool {
    !*b
}

// `ConditionsDef` with a field for each yes-or-no fact of
// `condition::with_flags!` (the one list of them), between `hukou` and
// `status_any`.
macro_rules! conditions_def {
    ($(
        $(#[doc = $doc:literal])*
        $key:ident { $($row:tt)* }
    )*) => {
        /// Conditions over the student, the school and the household's status on
        /// the term's reference date. All given conditions must hold.
        #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct ConditionsDef {
            /// The student's stage is one of these.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub stages: Option<Vec<Stage>>,
            /// The student's grade is one of these.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub grades: Option<Vec<u8>>,
            /// The school is of one of these kinds.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub school_kinds: Option<Vec<SchoolKind>>,
            /// The school is urban or rural.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub locality: Option<Locality>,
            /// The school is public or private.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub ownership: Option<Ownership>,
            /// The student's hukou.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub hukou: Option<Hukou>,
            $(
                $(#[doc = $doc])*
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub $key: Option<bool>,
            )*
            /// The household holds at least one of these statuses on the term's
            /// reference date.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub status_any: Option<Vec<StatusKind>>,
            /// The school is in the nutrition plan at some time during the term's
            /// provision window.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub in_nutrition_plan: Option<bool>,
            /// The household exited poverty (脱贫: the end of a
            /// [`StatusKind::RegisteredPoor`] spell) on or after this date, and by
            /// the term's reference date (脱贫家庭, 原建档立卡): a date
            /// (`2014-01-01`) or a term (`"2021-spring"`, its first day).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub exited_since: Option<When>,
            /// The household exited poverty within this many years before the
            /// term's reference date (on or after the reference date less the
            /// years, and by the reference date). With `exited_since`, both hold.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub exited_within_years: Option<u32>,
            /// At least one of these groups of conditions holds.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub any: Option<Vec<ConditionsDef>>,
        }
    };
}
crate::condition::with_flags!(conditions_def);

/// How much a grant pays for a term. Exactly one of `per_term`,
/// `per_year`, `per_day`, `once_a_year`, `tuition_share` or `tiers`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmountDef {
    /// A parameter in yuan per term.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_term: Option<Spanned<String>>,
    /// A parameter in yuan per year, paid half in each term.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_year: Option<Spanned<String>>,
    /// A parameter in yuan per school day, times the school days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_day: Option<Spanned<String>>,
    /// A yearly amount paid whole in one term (`season`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub once_a_year: Option<Spanned<String>>,
    /// The term of a `once_a_year` amount (default autumn).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub season: Option<Season>,
    /// A share parameter of the school's annual tuition, half per term.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tuition_share: Option<Spanned<String>>,
    /// With `tuition_share`: the yearly amount where the school sets no
    /// tuition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback_per_year: Option<Spanned<String>>,
    /// A tier table: the first tier whose conditions hold decides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tiers: Option<Vec<TierDef>>,
    /// A share parameter the amount is multiplied by (e.g. 0.5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share: Option<Spanned<String>>,
}

/// One tier of a tier table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierDef {
    /// The tier's name, e.g. 一档.
    pub name: String,
    /// Who is in it.
    #[serde(default)]
    pub when: ConditionsDef,
    /// Its amount: `per_year` or `per_term`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_year: Option<Spanned<String>>,
    /// Its amount per term.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_term: Option<Spanned<String>>,
}

/// A rule across programs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitDef {
    /// Unique id; an overlay limit with the same id replaces it.
    pub id: Spanned<String>,
    /// `exclusive` (cannot be combined: the larger is kept) or `cap`
    /// (their sum is at most a parameter per term).
    pub kind: LimitKind,
    /// The programs it covers.
    pub programs: Vec<Spanned<String>>,
    /// For a cap: a parameter in yuan per term.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap_per_term: Option<Spanned<String>>,
    /// In force from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<When>,
    /// In force until.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<When>,
    /// Where the limit comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cite: Option<CiteDef>,
    /// Set in an overlay to remove the limit.
    #[serde(default, skip_serializing_if = "is_false")]
    pub disabled: bool,
}

/// The kind of a limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitKind {
    /// Cannot be combined (不得同时享受): the larger amount is kept; on a
    /// tie, the program listed first.
    Exclusive,
    /// The programs' sum is capped; the excess is taken from the programs
    /// listed last.
    Cap,
}

/// The school-day calendar used by per-day amounts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarDef {
    /// The provision window of every term unless a term says otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<DefaultWindowDef>,
    /// Windows of particular terms, keyed `"2017-spring"`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub terms: BTreeMap<Spanned<String>, TermWindowDef>,
}

/// The default provision window, as month-days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefaultWindowDef {
    /// Autumn: first and last day, `["09-01", "01-15"]`.
    pub autumn: [String; 2],
    /// Spring: first and last day, `["03-01", "07-10"]`.
    pub spring: [String; 2],
    /// Where the convention comes from.
    pub cite: CiteDef,
}

/// One term's provision window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TermWindowDef {
    /// First day meals are provided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first: Option<When>,
    /// Last day meals are provided (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last: Option<When>,
    /// Weekdays on which no school is held (public holidays), as ranges
    /// `[first, last]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub closed: Vec<[When; 2]>,
    /// Where the window comes from.
    pub cite: CiteDef,
}

/// A whole policy file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyFile {
    /// The header.
    pub policy: Header,
    /// Documents cited, by key.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub documents: BTreeMap<Spanned<String>, DocumentDef>,
    /// Parameters, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub parameters: BTreeMap<Spanned<String>, ParameterDef>,
    /// Programs, by id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub programs: BTreeMap<Spanned<String>, ProgramDef>,
    /// Rules across programs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub limits: Vec<LimitDef>,
    /// The school-day calendar.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<CalendarDef>,
}
