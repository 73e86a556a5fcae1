//! The check that tells a printed figure rounded once from one rounded in
//! successive steps (连续修约), which GB/T 8170 forbids: 15.4546 to a whole
//! number is 15, never 15.455 → 15.46 → 15.5 → 16.
//!
//! One check for every crate: the statistics crate runs it on a printed
//! rate against its exact [`Ratio`](super::Ratio) (`check_printed`), the
//! report's validator on the percentages of a text.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{Decimal, Rounding};

/// The verdict on a printed figure against the exact one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PrintedCheck {
    /// The printed figure is the exact value rounded once.
    Correct,
    /// The printed figure comes from rounding in successive steps
    /// (连续修约), which GB/T 8170 forbids: `steps` are the intermediate
    /// values, from the first rounding to the printed one.
    DoubleRounding {
        /// The correct figure, rounded once.
        correct: Decimal,
        /// The successive roundings, e.g. `[99.35, 99.4]` for 99.3485….
        steps: Vec<Decimal>,
    },
    /// The printed figure is neither: a different value altogether.
    Wrong {
        /// The correct figure, rounded once.
        correct: Decimal,
    },
}

impl PrintedCheck {
    /// True if the printed figure is correct.
    #[must_use]
    pub fn is_correct(&self) -> bool {
        matches!(self, PrintedCheck::Correct)
    }
}

impl fmt::Display for PrintedCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PrintedCheck::Correct => f.write_str("correctly rounded"),
            PrintedCheck::DoubleRounding { correct, steps } => {
                write!(f, "rounded in successive steps (")?;
                for (i, s) in steps.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" → ")?;
                    }
                    write!(f, "{s}")?;
                }
                write!(f, "); rounded once it is {correct}")
            }
            PrintedCheck::Wrong { correct } => write!(f, "does not match: rounded once it is {correct}"),
        }
    }
}

/// How many extra places [`detect_double_rounding`] tries as the first
/// rounding.
pub const DOUBLE_ROUNDING_DEPTH: u32 = 6;

/// Check a printed figure against an exact value: was it rounded once, in
/// successive steps, or is it something else? The printed figure's number
/// of decimal places is the precision checked (`99.4` → one place).
///
/// The exact value must carry more places than are printed; the statistics
/// crate's `check_printed` forms it from an exact [`Ratio`](super::Ratio).
///
/// ```
/// use eduaid_model::rate::{PrintedCheck, detect_double_rounding};
/// use eduaid_model::{Decimal, Rounding};
/// // Rounded once, 15.4546 is 15; 16 comes from 15.4546 → 15.5 → 16.
/// let v = detect_double_rounding(Decimal::new(154_546, 4), Decimal::from(16), Rounding::HalfUp);
/// let steps = vec![Decimal::new(155, 1), Decimal::from(16)];
/// assert_eq!(v, PrintedCheck::DoubleRounding { correct: Decimal::from(15), steps });
/// assert!(detect_double_rounding(Decimal::new(154_546, 4), Decimal::from(15), Rounding::HalfUp).is_correct());
/// ```
#[must_use]
pub fn detect_double_rounding(exact: Decimal, printed: Decimal, rounding: Rounding) -> PrintedCheck {
    let dp = printed.scale();
    let correct = rounding.round(exact, dp);
    if correct == printed {
        return PrintedCheck::Correct;
    }
    for start in (dp + 1)..=(dp + DOUBLE_ROUNDING_DEPTH) {
        let mut v = rounding.round(exact, start);
        let mut steps = vec![v];
        for p in (dp..start).rev() {
            v = rounding.round(v, p);
            steps.push(v);
        }
        if v == printed {
            return PrintedCheck::DoubleRounding { correct, steps };
        }
    }
    PrintedCheck::Wrong { correct }
}
