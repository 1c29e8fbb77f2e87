//! Clock times as chapter formats write them: Normal Play Time (and its
//! subsets), decimal seconds.

use crate::timestamp::Timestamp;

/// Parses Normal Play Time (RFC 2326 §3.6, as Podlove Simple Chapters 1.2
/// uses it: `37`, `7:48`, `35:12.250`, `01:35:52`, `05:12:03.500`;
/// podlove-specifications `podlove-simple-chapters.md`). Fields after the first have one or two
/// digits and are below 60; the fraction may have any number of digits and
/// is rounded to the millisecond. Also used for the clock times of mp4chaps,
/// WebVTT and Audition, which are its subsets.
pub(crate) fn parse_npt(s: &str) -> Result<Timestamp, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("the time is empty".into());
    }
    let (clock, fraction) = match s.split_once('.') {
        Some((c, f)) => (c, Some(f)),
        None => (s, None),
    };
    let fields: Vec<&str> = clock.split(':').collect();
    if fields.len() > 3 {
        return Err(format!(
            "`{s}` has {} fields; a time has at most three (`H:MM:SS`)",
            fields.len()
        ));
    }
    let mut total: u64 = 0;
    for (i, field) in fields.iter().enumerate() {
        if field.is_empty() || !field.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("`{s}` is not a time: `{field}` is not a number"));
        }
        let value: u64 = field
            .parse()
            .map_err(|_| format!("`{s}` is too large a time"))?;
        if i > 0 {
            let name = if i + 1 == fields.len() {
                "seconds"
            } else {
                "minutes"
            };
            if field.len() > 2 || value >= 60 {
                return Err(format!(
                    "`{s}` is not a time: {name} `{field}` must be below 60"
                ));
            }
        }
        total = total
            .checked_mul(60)
            .and_then(|t| t.checked_add(value))
            .ok_or_else(|| format!("`{s}` is too large a time"))?;
    }
    let mut ms = total
        .checked_mul(1000)
        .ok_or_else(|| format!("`{s}` is too large a time"))?;
    if let Some(f) = fraction {
        if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "`{s}` is not a time: the fraction `.{f}` must be digits"
            ));
        }
        ms += fraction_ms(f);
    }
    Ok(Timestamp::from_ms(ms))
}

/// Parses a number of seconds with an optional fraction (`12`, `12.5`,
/// `12,5`), rounded to the millisecond.
pub(crate) fn parse_seconds(s: &str) -> Result<Timestamp, String> {
    let t = s.trim();
    let (int, frac) = match t.split_once(['.', ',']) {
        Some((i, f)) => (i, f),
        None => (t, ""),
    };
    let digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() && frac.is_empty() || !digits(int) || !digits(frac) {
        if t.starts_with('-') {
            return Err(format!("`{t}` is negative; times start at 0"));
        }
        return Err(format!("`{t}` is not a number of seconds"));
    }
    let secs: u64 = if int.is_empty() {
        0
    } else {
        int.parse()
            .map_err(|_| format!("`{t}` is too large a time"))?
    };
    let ms = secs
        .checked_mul(1000)
        .and_then(|m| {
            m.checked_add(if frac.is_empty() {
                0
            } else {
                fraction_ms(frac)
            })
        })
        .filter(|&m| m < u64::MAX / 4)
        .ok_or_else(|| format!("`{t}` is too large a time"))?;
    Ok(Timestamp::from_ms(ms))
}

/// Milliseconds of a decimal fraction's digits, rounded (`5` → 500,
/// `2504` → 250, `2505` → 251).
fn fraction_ms(digits: &str) -> u64 {
    let mut padded: String = digits.chars().take(4).collect();
    while padded.len() < 4 {
        padded.push('0');
    }
    let n: u64 = padded.parse().unwrap_or(0);
    (n + 5) / 10
}

/// Seconds with six decimals, as Audacity writes them: `75.250000`.
pub(crate) fn secs_decimal(t: Timestamp) -> String {
    format!("{}.{:03}000", t.as_ms() / 1000, t.as_ms() % 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(ms: u64) -> Timestamp {
        Timestamp::from_ms(ms)
    }

    #[test]
    fn normal_play_time_and_seconds_parse() {
        let npt = |s: &str| parse_npt(s).map(Timestamp::as_ms);
        assert_eq!(npt("37"), Ok(37_000));
        assert_eq!(npt("7:48"), Ok(468_000));
        assert_eq!(npt("35:12.250"), Ok(2_112_250));
        assert_eq!(npt("01:35:52"), Ok(5_752_000));
        assert_eq!(npt("05:12:03.500"), Ok(18_723_500));
        assert_eq!(npt("1:1:1.1"), Ok(3_661_100));
        assert_eq!(npt("0.0005"), Ok(1));
        assert_eq!(npt("0.9999"), Ok(1000));
        assert!(npt("1:60").unwrap_err().contains("`60` must be below 60"));
        assert!(npt("1:2:3:4").is_err());
        assert!(npt("").is_err());
        assert!(npt("1:").is_err());
        assert!(npt("1.").is_err());
        assert!(npt("99999999999999999999").is_err());
        let secs = |s: &str| parse_seconds(s).map(Timestamp::as_ms);
        assert_eq!(secs("12"), Ok(12_000));
        assert_eq!(secs("12.5"), Ok(12_500));
        assert_eq!(secs("12,5"), Ok(12_500));
        assert_eq!(secs(".5"), Ok(500));
        assert_eq!(secs("75.250000"), Ok(75_250));
        assert!(secs("-1").unwrap_err().contains("negative"));
        assert!(secs("x").is_err());
        assert!(secs("").is_err());
        assert!(secs(".").is_err());
        assert_eq!(secs_decimal(ts(75_250)), "75.250000");
    }
}
