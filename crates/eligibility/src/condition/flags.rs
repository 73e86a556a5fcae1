//! The facts a program reads ([`Reads`]) and the one table of a student's
//! yes-or-no facts ([`FLAGS`], from [`with_flags!`]): TOML key, reading,
//! words and bits.

use super::*;

/// The facts about a student that a program reads when it evaluates
/// without a trace, beyond the student's stage, the student's school, the
/// term, whether the student is at school on the term's reference date and
/// the household's statuses *among those named here*.
///
/// A program that declares what it reads (see
/// [`TermProgram::reads`](crate::TermProgram::reads)) lets the batch
/// engine evaluate it once for every group of students who agree on these
/// facts in the same school, and count the group, instead of once per
/// student. The TOML programs declare it from their conditions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Reads {
    fields: u16,
    statuses: StatusSet,
}

impl Reads {
    /// Nothing beyond stage, school, term and being at school.
    pub const NOTHING: Reads = Reads::field(0);
    /// The grade.
    pub const GRADE: Reads = Reads::field(1);
    /// Whether the student boards.
    pub const BOARDER: Reads = Reads::field(1 << 1);
    /// Whether the student studies an agricultural major.
    pub const AGRICULTURAL_MAJOR: Reads = Reads::field(1 << 2);
    /// Whether the student has a disability (not its kind).
    pub const DISABLED: Reads = Reads::field(1 << 3);
    /// Whether the student is a left-behind child.
    pub const LEFT_BEHIND: Reads = Reads::field(1 << 4);
    /// Whether the student is a migrant worker's child.
    pub const MIGRANT: Reads = Reads::field(1 << 5);
    /// The student's hukou.
    pub const HUKOU: Reads = Reads::field(1 << 6);

    const fn field(fields: u16) -> Reads {
        Reads {
            fields,
            statuses: StatusSet::EMPTY,
        }
    }

    /// Whether the household holds any of `kinds` on the reference date.
    #[must_use]
    pub const fn statuses(kinds: StatusSet) -> Reads {
        Reads {
            fields: 0,
            statuses: kinds,
        }
    }

    /// Both.
    #[must_use]
    pub const fn union(self, other: Reads) -> Reads {
        Reads {
            fields: self.fields | other.fields,
            statuses: StatusSet(self.statuses.0 | other.statuses.0),
        }
    }

    /// True if everything `other` reads, this reads too.
    #[must_use]
    pub const fn covers(self, other: Reads) -> bool {
        self.fields & other.fields == other.fields && self.statuses.0 & other.statuses.0 == other.statuses.0
    }

    /// The statuses read.
    #[must_use]
    pub const fn status_kinds(self) -> StatusSet {
        self.statuses
    }

    /// The student's facts this reads, packed into 28 bits: the grade in
    /// bits 0–7, the yes-or-no facts from bit 8 (in [`FLAGS`]' order, room
    /// for 16), the hukou in bits 24–27.
    pub(crate) fn key(self, s: &eduaid_model::Student) -> u32 {
        let f = u32::from(self.fields);
        let on = |flag: Reads, v: bool| u32::from(self.fields & flag.fields != 0 && v);
        (if f & 1 != 0 { u32::from(s.grade) } else { 0 })
            | FLAGS
                .iter()
                .enumerate()
                .fold(0, |k, (i, fl)| k | on(fl.reads, (fl.read)(s)) << (8 + i))
            | if self.fields & Reads::HUKOU.fields != 0 {
                (u32::from(s.hukou as u8) & 0xf) << 24
            } else {
                0
            }
    }

    /// The bits of `set` this reads.
    pub(crate) fn mask(self, set: StatusSet) -> u8 {
        set.0 & self.statuses.0
    }
}

impl std::ops::BitOr for Reads {
    type Output = Reads;

    fn bitor(self, other: Reads) -> Reads {
        self.union(other)
    }
}

/// A yes-or-no fact about a student that a condition may ask for
/// (`boarder = true`): one row of [`FLAGS`]. The conditions ([`Cond`]:
/// holds, prefix, words), what a program reads ([`Reads`] and its key),
/// the packed word (`packed/layout.rs`, bits from 24 in this order) and
/// the TOML key (its field in [`ConditionsDef`]) all take the fact from
/// its one entry in [`with_flags!`], so a new one is one entry there (and,
/// if wanted, a name in [`Reads`]).
pub(crate) struct Flag {
    /// The condition's TOML key (the field of [`ConditionsDef`]; the
    /// table's test checks that `def` reads this key).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) key: &'static str,
    /// The condition's value in a group of conditions, if it asks.
    pub(crate) def: fn(&ConditionsDef) -> Option<bool>,
    /// The fact, read from a student.
    pub(crate) read: fn(&eduaid_model::Student) -> bool,
    /// The fact, given to a student (for the table's test).
    #[cfg(test)]
    pub(crate) set: fn(&mut eduaid_model::Student, bool),
    /// What a program reads when it asks.
    pub(crate) reads: Reads,
    /// A student's words without (`[0]`) and with (`[1]`) the fact.
    pub(crate) words: [&'static str; 2],
    /// The same, when the rule asks for the other value (`None`: the
    /// same words as [`Flag::words`]).
    pub(crate) failed: Option<[&'static str; 2]>,
    /// What is named beside the words of a student with the fact (a
    /// disability's kind: `disabled (视力残疾)`).
    pub(crate) detail: fn(&eduaid_model::Student) -> Option<&'static str>,
}

// Room for them: a bit each in what a program reads ([`Reads`]: 16 bits,
// the grade and the hukou take two) and bits 8–23 of the group key
// ([`Reads::key`]). The packed word has bits for the first five
// (`packed/layout.rs`); a program that asks for a later one runs on the
// streamed path, with the same amounts, until the layout gives it a bit.
const _: () = assert!(
    FLAG_COUNT <= 14,
    "a fifteenth yes-or-no fact needs a wider Reads and group key"
);

/// No detail beside a fact's words.
fn no_detail(_: &eduaid_model::Student) -> Option<&'static str> {
    None
}

/// The yes-or-no facts about a student, in the order conditions check
/// them, the packed word holds them and [`ConditionsDef`] writes them:
/// the one place a fact is listed. Each entry is the doc line of its
/// [`ConditionsDef`] field, its TOML key (the field's name) and the rest
/// of its [`Flag`] row. `with_flags!(m)` hands the list to the macro `m`:
/// `schema.rs` makes the fields of [`ConditionsDef`] from it, and this
/// module makes [`FLAGS`].
macro_rules! with_flags {
    ($then:ident) => {
        $then! {
            /// The student boards (or, if false, is a day student).
            boarder {
                set: |s, v| s.boarder = v,
                read: |s| s.boarder,
                reads: Reads::BOARDER,
                words: ["a day student (走读生)", "a boarder (寄宿生)"],
                failed: Some([
                    "a day student (走读生); the rule is for boarders",
                    "a boarder (寄宿生); the rule is for day students",
                ]),
                detail: no_detail,
            }
            /// The student studies an agricultural major.
            agricultural_major {
                set: |s, v| s.agricultural_major = v,
                read: |s| s.agricultural_major,
                reads: Reads::AGRICULTURAL_MAJOR,
                words: [
                    "does not study an agricultural major (涉农专业)",
                    "studies an agricultural major (涉农专业)",
                ],
                failed: None,
                detail: no_detail,
            }
            /// The student has (or has not) a disability.
            disabled {
                set: |s, v| s.disability = v.then_some(eduaid_model::DisabilityKind::Visual),
                read: |s| s.disability.is_some(),
                reads: Reads::DISABLED,
                words: ["not disabled", "disabled"],
                failed: None,
                detail: |s| s.disability.map(|k| k.chinese()),
            }
            /// The student is (or is not) a left-behind child (留守儿童).
            left_behind {
                set: |s, v| s.left_behind = v,
                read: |s| s.left_behind,
                reads: Reads::LEFT_BEHIND,
                words: ["not a left-behind child (留守儿童)", "a left-behind child (留守儿童)"],
                failed: None,
                detail: no_detail,
            }
            /// The student is (or is not) a migrant worker's child (随迁子女).
            migrant {
                set: |s, v| s.migrant = v,
                read: |s| s.migrant,
                reads: Reads::MIGRANT,
                words: [
                    "not a migrant worker's child (随迁子女)",
                    "a migrant worker's child (随迁子女)",
                ],
                failed: None,
                detail: no_detail,
            }
        }
    };
}
pub(crate) use with_flags;

/// [`FLAGS`] and [`FLAG_COUNT`] from the entries of [`with_flags!`].
macro_rules! flag_table {
    ($(
        $(#[doc = $doc:literal])*
        $key:ident {
            set: $set:expr,
            read: $read:expr,
            reads: $reads:expr,
            words: $words:expr,
            failed: $failed:expr,
            detail: $detail:expr $(,)?
        }
    )*) => {
        /// How many [`FLAGS`] there are.
        pub(crate) const FLAG_COUNT: usize = [$(stringify!($key)),*].len();

        /// The yes-or-no facts about a student, in the order conditions
        /// check them and the packed word holds them (listed in
        /// [`with_flags!`]).
        pub(crate) const FLAGS: [Flag; FLAG_COUNT] = [$(
            Flag {
                key: stringify!($key),
                #[cfg(test)]
                set: $set,
                def: |d| d.$key,
                read: $read,
                reads: $reads,
                words: $words,
                failed: $failed,
                detail: $detail,
            },
        )*];
    };
}
with_flags!(flag_table);
