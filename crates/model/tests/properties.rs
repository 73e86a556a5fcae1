//! Properties of the model's value types.

use eduaid_model::{Money, NaiveDate, Rounding, SchoolYear, Season, Term};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn money() -> impl Strategy<Value = Money> {
    (-10_000_000_000i64..10_000_000_000i64).prop_map(Money::from_fen)
}

proptest! {
    #[test]
    fn addition_is_exact_and_order_free(a in money(), b in money(), c in money()) {
        prop_assert_eq!((a + b) + c, a + (b + c));
        prop_assert_eq!(a + b, b + a);
        prop_assert_eq!((a + b) - b, a);
        prop_assert_eq!(a.checked_add(b), Some(a + b));
    }

    #[test]
    fn wan_yuan_round_trips(a in money()) {
        let back = Money::from_wan_yuan(a.wan_yuan());
        prop_assert_eq!(back, Ok(a));
        prop_assert_eq!(a.wan_yuan() * Decimal::from(10_000), a.as_decimal());
        prop_assert_eq!(a.yi_yuan() * Decimal::from(100_000_000), a.as_decimal());
    }

    #[test]
    fn text_round_trips(a in money()) {
        let s = a.as_decimal().to_string();
        prop_assert_eq!(s.parse::<Money>(), Ok(a));
        let json = serde_json::to_string(&a).unwrap_or_default();
        prop_assert_eq!(serde_json::from_str::<Money>(&json).ok(), Some(a));
    }

    #[test]
    fn half_up_and_half_even_differ_only_on_midpoints(fen in -1_000_000i64..1_000_000) {
        // fen/10 yuan-tenths: round to whole yuan-tenths... use 3 places.
        let v = Decimal::new(fen, 3);
        let up = Rounding::HalfUp.round(v, 2);
        let even = Rounding::HalfEven.round(v, 2);
        if fen % 10 == 5 || fen % 10 == -5 {
            prop_assert!((up - even).abs() <= Decimal::new(1, 2));
            prop_assert!(up.abs() >= v.abs());
        } else {
            prop_assert_eq!(up, even);
        }
    }

    #[test]
    fn every_date_is_in_exactly_one_term(days in 0i64..80_000) {
        let base = NaiveDate::from_ymd_opt(1950, 1, 1).unwrap_or_default();
        let date = base + chrono::Duration::days(days);
        let t = Term::containing(date);
        prop_assert!(t.contains(date));
        prop_assert!(t.year.contains(date));
        let neighbours = [t.prev(), t.next()];
        for n in neighbours.into_iter().flatten() {
            prop_assert!(!n.contains(date));
        }
        // Terms tile the calendar: the day after a term's last day is the
        // next term's first.
        if let Some(n) = t.next() {
            prop_assert_eq!(t.last_day().succ_opt(), Some(n.first_day()));
        }
    }

    #[test]
    fn terms_round_trip_through_text(y in 1950i32..2190, autumn in any::<bool>()) {
        let season = if autumn { Season::Autumn } else { Season::Spring };
        let t = Term::new(y, season).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(t.to_string().parse::<Term>().ok(), Some(t));
        prop_assert_eq!(t.to_chinese().parse::<Term>().ok(), Some(t));
        prop_assert_eq!(t.calendar_year(), y);
        let sy = SchoolYear::new(y).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(sy.to_string().parse::<SchoolYear>().ok(), Some(sy));
    }

    #[test]
    fn money_rejects_what_it_claims_to(s in "\\PC{0,12}") {
        // Whatever parses is whole fen; nothing panics.
        if let Ok(m) = s.parse::<Money>() {
            prop_assert!(m.is_whole_fen());
        }
    }

    #[test]
    fn ids_and_terms_never_panic(s in "\\PC{0,20}") {
        let _ = s.parse::<Term>();
        let _ = s.parse::<SchoolYear>();
        let _ = s.parse::<eduaid_model::Stage>();
        let _ = eduaid_model::StudentId::new(s);
    }
}
