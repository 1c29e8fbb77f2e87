//! Converting counts of a time base's units, with rounding to the nearest.

use symphonia::core::units::TimeBase;

/// `units` of `tb` in milliseconds, rounded to the nearest.
pub(super) fn ms(units: u64, tb: TimeBase) -> u64 {
    let num = u128::from(units) * u128::from(tb.numer.get()) * 1000;
    let den = u128::from(tb.denom.get());
    u64::try_from((num + den / 2) / den).unwrap_or(u64::MAX)
}

/// `units` of `from` in units of `to`, rounded to the nearest.
pub(super) fn rescale(units: u64, from: TimeBase, to: TimeBase) -> u64 {
    let num = u128::from(units) * u128::from(from.numer.get()) * u128::from(to.denom.get());
    let den = u128::from(from.denom.get()) * u128::from(to.numer.get());
    u64::try_from((num + den / 2) / den).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_bases_convert_with_rounding() {
        let tb = TimeBase::try_from_recip(44_100).unwrap();
        assert_eq!(ms(189_630, tb), 4_300);
        assert_eq!(ms(22, tb), 0);
        assert_eq!(ms(23, tb), 1);
        let mvhd = TimeBase::try_from_recip(1_000).unwrap();
        assert_eq!(rescale(4_300, mvhd, tb), 189_630);
        assert_eq!(
            ms(u64::MAX, TimeBase::try_new(u32::MAX, 1).unwrap()),
            u64::MAX
        );
    }
}
