//! The one integer conversion used where a value is known to fit: clamped
//! to the target type's range, so it never panics and never wraps. Shared
//! by the crates that count (statistics, the sample county) instead of a
//! `try_from(x).unwrap_or(k)` at each place.

/// The smallest and largest value of an integer type.
pub trait Bounds {
    /// The smallest value.
    const LOW: Self;
    /// The largest value.
    const HIGH: Self;
}

macro_rules! bounds {
    ($($t:ty),*) => {$(
        impl Bounds for $t {
            const LOW: Self = <$t>::MIN;
            const HIGH: Self = <$t>::MAX;
        }
    )*};
}

bounds!(u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize);

/// `x` as the integer type `U`, clamped to `U`'s range: a value below it
/// gives `U`'s smallest, a value above it `U`'s largest. For values known
/// to fit (a grade, an index, a count of records), where clamping is a
/// statement that they do and a clear bound if ever they did not.
pub fn clamped<T, U>(x: T) -> U
where
    T: Copy + PartialOrd + Default,
    U: TryFrom<T> + Bounds,
{
    match U::try_from(x) {
        Ok(v) => v,
        Err(_) if x < T::default() => U::LOW,
        Err(_) => U::HIGH,
    }
}

#[cfg(test)]
mod tests {
    use super::clamped;

    #[test]
    fn fits_or_clamps_to_the_bound_it_passes() {
        assert_eq!(clamped::<usize, u8>(7), 7u8);
        assert_eq!(clamped::<usize, u8>(300), u8::MAX);
        assert_eq!(clamped::<i64, u64>(-5), 0u64);
        assert_eq!(clamped::<u128, u64>(u128::MAX), u64::MAX);
        assert_eq!(clamped::<i64, i32>(i64::MIN), i32::MIN);
    }
}
