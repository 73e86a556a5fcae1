//! Identifiers of the records the model links together.

use unicode_normalization::UnicodeNormalization;

/// True for the invisible characters a copy from a web page or a chat
/// leaves in an id: zero-width space, non-joiner and joiner (U+200B to
/// U+200D), word joiner (U+2060) and the byte-order mark / zero-width
/// no-break space (U+FEFF).
#[must_use]
pub fn is_zero_width(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// The canonical form of an id as a file holds it: Unicode NFKC (full-width
/// `Ｇ４３０５` becomes `G4305`, the ideographic space a plain one), with
/// zero-width characters removed and white space trimmed at both ends. Two
/// cells that normalize alike name the same record.
///
/// ```
/// assert_eq!(eduaid_model::normalize_id(" Ｇ４３０\u{200B}５ "), "G4305");
/// ```
#[must_use]
pub fn normalize_id(s: &str) -> String {
    // Printable ASCII is its own NFKC form and has no zero-width
    // characters: only the trimming is left to do.
    if is_printable_ascii(s) {
        return s.trim().to_string();
    }
    normalize_id_full(s)
}

/// [`normalize_id`] without the ASCII fast path.
fn normalize_id_full(s: &str) -> String {
    let n: String = s.chars().filter(|c| !is_zero_width(*c)).nfkc().collect();
    let t = n.trim();
    if t.len() == n.len() { n } else { t.to_string() }
}

/// True if every byte of `s` is printable ASCII (space to `~`): text that
/// NFKC leaves as it is, with no control or zero-width characters, whose
/// only white space is the plain space.
fn is_printable_ascii(s: &str) -> bool {
    s.bytes().all(|b| (b' '..=b'~').contains(&b))
}

/// The id `s` names when it is printable ASCII: `s` trimmed, if that is a
/// valid id (what `new(normalize_id(s))` would hold, found without
/// allocating); `None` for any other text, to be read the general way.
pub(crate) fn printable_ascii_id(s: &str) -> Option<&str> {
    if !is_printable_ascii(s) {
        return None;
    }
    // Its only white space is the plain space; trimmed, the only fault
    // left is emptiness.
    let b = s.as_bytes();
    let t = if b.first() == Some(&b' ') || b.last() == Some(&b' ') {
        s.trim_matches(' ')
    } else {
        s
    };
    (!t.is_empty()).then_some(t)
}

/// Why `id` is not a valid id as given, if it is not.
pub(crate) fn id_fault(id: &str) -> Option<&'static str> {
    // The fast path for printable ASCII (most ids): no NFKC check, and the
    // only faults possible are emptiness and a space at either end; the
    // same answers as `id_fault_full` (property test below).
    if is_printable_ascii(id) {
        return if id.is_empty() {
            Some("empty")
        } else if id.starts_with(' ') || id.ends_with(' ') {
            Some("white space at either end")
        } else {
            None
        };
    }
    id_fault_full(id)
}

/// [`id_fault`] without the ASCII fast path.
fn id_fault_full(id: &str) -> Option<&'static str> {
    if id.is_empty() {
        Some("empty")
    } else if id.trim() != id {
        Some("white space at either end")
    } else if id.chars().any(char::is_control) {
        Some("control characters")
    } else if id.chars().any(is_zero_width) {
        Some("invisible zero-width characters")
    } else if !unicode_normalization::is_nfkc(id) {
        Some("not in NFKC form (full-width or compatibility characters): parse it to normalize")
    } else {
        None
    }
}

/// How many bytes of an id are held in the id itself, with no allocation:
/// a 学籍号 (G + 18 characters), a 学校标识码 (10 digits) and the derived
/// household ids (`H-` + a student id) fit.
const INLINE: usize = 22;

/// The text of an id: up to [`INLINE`] bytes held in place (no allocation
/// to make, clone or free: a roster of a million students holds three ids
/// each), longer text in a box. Which form an id takes depends only on its
/// length, so equal ids have equal forms; the size is that of a `String`.
#[derive(Clone)]
pub(crate) enum IdText {
    /// Text of at most [`INLINE`] bytes: the first `len` bytes of `bytes`.
    Inline {
        /// How many bytes of `bytes` are the text.
        len: u8,
        /// The text, then zeros.
        bytes: [u8; INLINE],
    },
    /// Longer text.
    Boxed(Box<str>),
}

impl IdText {
    /// The id text of `s`, in place if it fits.
    pub(crate) fn of_str(s: &str) -> IdText {
        match (u8::try_from(s.len()), s.len() <= INLINE) {
            (Ok(len), true) => {
                let mut bytes = [0u8; INLINE];
                if let Some(head) = bytes.get_mut(..s.len()) {
                    head.copy_from_slice(s.as_bytes());
                }
                IdText::Inline { len, bytes }
            }
            _ => IdText::Boxed(s.into()),
        }
    }

    /// The id text of `s`, reusing its allocation if it does not fit.
    pub(crate) fn of_string(s: String) -> IdText {
        if s.len() <= INLINE {
            IdText::of_str(&s)
        } else {
            IdText::Boxed(s.into_boxed_str())
        }
    }

    /// The text.
    pub(crate) fn as_str(&self) -> &str {
        match self {
            // Always valid UTF-8 (copied from a `str`, cut at its end): the
            // empty answer is never given.
            IdText::Inline { .. } => std::str::from_utf8(self.as_bytes()).unwrap_or_default(),
            IdText::Boxed(s) => s,
        }
    }

    /// The text's bytes, without the UTF-8 check of [`as_str`](Self::as_str)
    /// (for comparing).
    pub(crate) fn as_bytes(&self) -> &[u8] {
        match self {
            IdText::Inline { len, bytes } => bytes.get(..usize::from(*len)).unwrap_or_default(),
            IdText::Boxed(s) => s.as_bytes(),
        }
    }
}

impl PartialEq for IdText {
    fn eq(&self, other: &IdText) -> bool {
        match (self, other) {
            // The bytes after the text are zeros: the whole arrays compare
            // as the texts do, in a few instructions.
            (IdText::Inline { len: a, bytes: x }, IdText::Inline { len: b, bytes: y }) => a == b && x == y,
            _ => self.as_bytes() == other.as_bytes(),
        }
    }
}

impl Eq for IdText {}

impl PartialOrd for IdText {
    fn partial_cmp(&self, other: &IdText) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for IdText {
    /// As `str` orders: by bytes.
    fn cmp(&self, other: &IdText) -> std::cmp::Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

impl std::hash::Hash for IdText {
    /// As a `str` hashes (ids are looked up by `&str` through `Borrow`):
    /// its bytes, then `0xff`, as `Hasher::write_str` has it (a method only
    /// nightly Rust lets a hasher change), without the UTF-8 check of
    /// [`as_str`](Self::as_str).
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write(self.as_bytes());
        state.write_u8(0xff);
    }
}

string_id!(
    /// A school's id (学校标识码 or any id unique in the roster).
    SchoolId,
    "school"
);
string_id!(
    /// A student's id (学籍号 or any id unique in the roster).
    StudentId,
    "student"
);
string_id!(
    /// A household's id (户编号 in the poverty register, or any unique id).
    HouseholdId,
    "household"
);
string_id!(
    /// An aid program's id, e.g. `living-subsidy` or `nutrition`. The
    /// eligibility crate defines the built-in programs; the model only
    /// carries the id so that disbursements can name what they paid.
    ProgramId,
    "program"
);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ids_normalize_full_width_and_invisible_characters() {
        let id: StudentId = "Ｇ４３０５００５".parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(id.as_str(), "G4305005");
        let zw: StudentId = "\u{FEFF}G43\u{200B}05005\u{2060}\u{3000}"
            .parse()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(zw.as_str(), "G4305005");
        assert_eq!(id, zw);
        assert!(" G1 ".parse::<SchoolId>().is_ok());
        assert!("\u{200B}".parse::<HouseholdId>().is_err());
        // `new` takes an id as given and says what is wrong with it.
        assert!(StudentId::new("Ｇ４３").is_err());
        assert!(StudentId::new("G4\u{200B}3").is_err());
        assert!(StudentId::new("G43").is_ok());
        // Serde reads what a file holds.
        let de: StudentId = serde_json::from_str("\"Ｇ４３\"").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(de.as_str(), "G43");
    }

    /// Ids as files hold them: printable ASCII, with spaces, tabs and
    /// other controls, full-width digits and letters, ideographic and
    /// no-break spaces, zero-width characters, Chinese, and any character.
    fn id_text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            4 => "[ -~]{0,6}",
            1 => "[ \\t\\r\\n\\x00\\x7F]{1,2}",
            2 => "[０-９Ａ-Ｚａ-ｚ]{1,4}",
            1 => "[\\u{3000}\\u{00A0}\\u{200B}-\\u{200D}\\u{2060}\\u{FEFF}]{1,2}",
            1 => "[学籍号户ｶﾞ①ﬁ]{1,3}",
            1 => any::<String>(),
        ];
        prop::collection::vec(piece, 0..4).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn ascii_fast_path_agrees_with_full_check(s in id_text()) {
            prop_assert_eq!(id_fault(&s), id_fault_full(&s));
            prop_assert_eq!(normalize_id(&s), normalize_id_full(&s));
            let n = normalize_id(&s);
            prop_assert_eq!(id_fault(&n), id_fault_full(&n));
        }

        #[test]
        fn ascii_fast_path_agrees_on_printable_ascii(s in "[ -~]{0,12}") {
            prop_assert!(is_printable_ascii(&s));
            prop_assert_eq!(id_fault(&s), id_fault_full(&s));
            prop_assert_eq!(normalize_id(&s), normalize_id_full(&s));
        }
    }

    proptest! {
        /// An id holds its text whatever its length (in place or boxed),
        /// and compares, orders and hashes as that text does; `parse`
        /// without allocating reads what `new(normalize_id(..))` reads.
        #[test]
        fn id_text_is_its_str(a in id_text(), b in "[ -~]{0,30}") {
            use std::hash::BuildHasher;
            let build = std::hash::BuildHasherDefault::<crate::roster::IdHasher>::default();
            for s in [&a, &b] {
                let parsed = s.parse::<StudentId>();
                let general = StudentId::new(normalize_id(s));
                prop_assert_eq!(parsed.as_ref().map(StudentId::as_str), general.as_ref().map(StudentId::as_str));
                prop_assert_eq!(
                    parsed.as_ref().err().map(ToString::to_string),
                    general.as_ref().err().map(ToString::to_string)
                );
                if let Ok(id) = general {
                    let t = normalize_id(s);
                    prop_assert_eq!(id.as_str(), t.as_str());
                    prop_assert_eq!(id.as_bytes(), t.as_bytes());
                    prop_assert_eq!(id.to_string(), t.clone());
                    prop_assert_eq!(build.hash_one(&id), build.hash_one(t.as_str()));
                    let sip = std::hash::RandomState::new();
                    prop_assert_eq!(sip.hash_one(&id), sip.hash_one(t.as_str()));
                    prop_assert_eq!(format!("{id:?}"), format!("StudentId({t:?})"));
                }
            }
            let (x, y) = (IdText::of_str(&a), IdText::of_string(b.clone()));
            prop_assert_eq!(x.as_str(), a.as_str());
            prop_assert_eq!(y.as_str(), b.as_str());
            prop_assert_eq!(x == y, a == b);
            prop_assert_eq!(x.cmp(&y), a.as_str().cmp(b.as_str()));
            prop_assert_eq!(build.hash_one(&x), build.hash_one(a.as_str()));
        }
    }

    /// The lengths either side of the inline limit, and the size of an id.
    #[test]
    fn id_text_at_the_inline_limit() {
        for n in [0, 1, INLINE - 1, INLINE, INLINE + 1, 3 * INLINE] {
            let s = "学a".repeat(n).chars().take(n).collect::<String>();
            assert_eq!(IdText::of_str(&s).as_str(), s);
            assert_eq!(IdText::of_string(s.clone()).as_str(), s);
            assert_eq!(matches!(IdText::of_str(&s), IdText::Inline { .. }), s.len() <= INLINE);
        }
        assert_eq!(std::mem::size_of::<StudentId>(), std::mem::size_of::<String>());
        assert_eq!(
            std::mem::size_of::<Option<HouseholdId>>(),
            std::mem::size_of::<String>()
        );
    }

    #[test]
    fn ascii_fast_path_edges() {
        for s in [
            "",
            " ",
            "  ",
            " a",
            "a ",
            "a b",
            "~",
            "\t",
            "a\t",
            "\u{7F}",
            "Ｇ",
            "G\u{200B}",
        ] {
            assert_eq!(id_fault(s), id_fault_full(s), "{s:?}");
            assert_eq!(normalize_id(s), normalize_id_full(s), "{s:?}");
        }
    }
}
