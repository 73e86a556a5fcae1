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
    let n: String = s.chars().filter(|c| !is_zero_width(*c)).nfkc().collect();
    let t = n.trim();
    if t.len() == n.len() { n } else { t.to_string() }
}

/// Why `id` is not a valid id as given, if it is not.
pub(crate) fn id_fault(id: &str) -> Option<&'static str> {
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
}
