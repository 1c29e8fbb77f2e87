//! A point in an episode, to the millisecond, with the parsing and display
//! forms that producers and platforms use.

use std::fmt;
use std::str::FromStr;

/// A point in time within an episode, in whole milliseconds.
///
/// Parses `M:SS`, `MM:SS`, `H:MM:SS`, `HH:MM:SS`, each with an optional
/// `.mmm` fraction (one to three digits). Every field after the first is
/// below 60; the leading field may be any size (`75:00` is 75 minutes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(u64);

/// The display styles platforms and formats expect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// YouTube: `0:00`, `5:32`, `1:05:12` (no leading zero on the first field).
    Short,
    /// Spotify: `00:00`, `05:32`, `01:05:12` (two digits per field).
    TwoDigit,
    /// Apple Podcasts: always `HH:MM:SS`.
    Hms,
    /// Chapter files: `HH:MM:SS.mmm`.
    Precise,
}

/// Why a timestamp did not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TimestampError {
    /// Nothing to parse.
    #[error("a timestamp is empty")]
    Empty,
    /// A field (given) that is not digits.
    #[error("`{0}` is not a number")]
    NotANumber(String),
    /// More fields than `H:MM:SS` (how many were given).
    #[error("a timestamp has at most three fields (`H:MM:SS`), this one has {0}")]
    TooManyFields(usize),
    /// A single number where `M:SS` is needed.
    #[error("a timestamp needs minutes and seconds (`M:SS`)")]
    TooFewFields,
    #[error("{field} `{value}` must be below 60")]
    /// Minutes or seconds of 60 or more.
    OutOfRange {
        /// `minutes` or `seconds`.
        field: &'static str,
        /// The value as written.
        value: String,
    },
    #[error("{field} `{value}` must have two digits")]
    /// Minutes or seconds after a colon not written with two digits.
    NotTwoDigits {
        /// `minutes` or `seconds`.
        field: &'static str,
        /// The value as written.
        value: String,
    },
    /// A fraction (given, without its dot) that is not one to three digits.
    #[error("the fraction `.{0}` must have one to three digits")]
    BadFraction(String),
    /// Beyond what the millisecond count holds.
    #[error("the timestamp is too large")]
    TooLarge,
}

impl Timestamp {
    /// The start of the episode.
    pub const ZERO: Timestamp = Timestamp(0);

    /// A timestamp of `ms` milliseconds.
    pub const fn from_ms(ms: u64) -> Self {
        Timestamp(ms)
    }

    /// A timestamp from seconds, rounded to the nearest millisecond.
    /// Negative, infinite and NaN inputs give `None`.
    pub fn from_secs_f64(secs: f64) -> Option<Self> {
        if !secs.is_finite() || secs < 0.0 || secs > (u64::MAX / 2000) as f64 {
            return None;
        }
        Some(Timestamp((secs * 1000.0).round() as u64))
    }

    /// Milliseconds since the start.
    pub const fn as_ms(self) -> u64 {
        self.0
    }

    /// Seconds since the start, with the milliseconds as a fraction.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }

    /// Parses one timestamp, the whole of `s`, in the forms the type documents.
    pub fn parse(s: &str) -> Result<Self, TimestampError> {
        if s.is_empty() {
            return Err(TimestampError::Empty);
        }
        let (clock, fraction) = match s.split_once('.') {
            Some((c, f)) => (c, Some(f)),
            None => (s, None),
        };
        let fields: Vec<&str> = clock.split(':').collect();
        if fields.len() > 3 {
            return Err(TimestampError::TooManyFields(fields.len()));
        }
        if fields.len() < 2 {
            return Err(TimestampError::TooFewFields);
        }
        let names: &[&'static str] = if fields.len() == 3 {
            &["hours", "minutes", "seconds"]
        } else {
            &["minutes", "seconds"]
        };
        let mut total: u64 = 0;
        for (i, (field, name)) in fields.iter().zip(names).enumerate() {
            if field.is_empty() || !field.bytes().all(|b| b.is_ascii_digit()) {
                return Err(TimestampError::NotANumber((*field).to_string()));
            }
            let value: u64 = field.parse().map_err(|_| TimestampError::TooLarge)?;
            if i > 0 {
                if field.len() != 2 {
                    return Err(TimestampError::NotTwoDigits {
                        field: name,
                        value: (*field).to_string(),
                    });
                }
                if value >= 60 {
                    return Err(TimestampError::OutOfRange {
                        field: name,
                        value: (*field).to_string(),
                    });
                }
            }
            total = total
                .checked_mul(60)
                .and_then(|t| t.checked_add(value))
                .ok_or(TimestampError::TooLarge)?;
        }
        let mut ms = total.checked_mul(1000).ok_or(TimestampError::TooLarge)?;
        if let Some(f) = fraction {
            if f.is_empty() || f.len() > 3 || !f.bytes().all(|b| b.is_ascii_digit()) {
                return Err(TimestampError::BadFraction(f.to_string()));
            }
            let scale = [100, 10, 1][f.len() - 1];
            ms += f.parse::<u64>().unwrap_or(0) * scale;
        }
        Ok(Timestamp(ms))
    }

    /// Displays the timestamp in one of the platform styles.
    pub fn display(self, style: Style) -> Display {
        Display { ts: self, style }
    }

    fn parts(self) -> (u64, u64, u64, u64) {
        let ms = self.0 % 1000;
        let s = self.0 / 1000;
        (s / 3600, (s / 60) % 60, s % 60, ms)
    }
}

impl FromStr for Timestamp {
    type Err = TimestampError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Timestamp::parse(s)
    }
}

/// The default display is the two-digit form with milliseconds only when
/// there are some: `05:32`, `01:05:12`, `05:32.250`.
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.display(Style::TwoDigit))?;
        if self.0 % 1000 != 0 {
            write!(f, ".{:03}", self.0 % 1000)?;
        }
        Ok(())
    }
}

/// A timestamp shown in a [`Style`]; see [`Timestamp::display`].
pub struct Display {
    ts: Timestamp,
    style: Style,
}

impl fmt::Display for Display {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (h, m, s, ms) = self.ts.parts();
        // Written into a buffer by hand and passed on in one piece: every
        // chapter is shown in four forms for the templates, and `write!`
        // with padded numbers costs ten times as much.
        let mut out = Digits::default();
        match self.style {
            Style::Short if h > 0 => out.num(h, 1).colon().num(m, 2).colon().num(s, 2),
            Style::Short => out.num(m, 1).colon().num(s, 2),
            Style::TwoDigit if h > 0 => out.num(h, 2).colon().num(m, 2).colon().num(s, 2),
            Style::TwoDigit => out.num(m, 2).colon().num(s, 2),
            Style::Hms => out.num(h, 2).colon().num(m, 2).colon().num(s, 2),
            Style::Precise => {
                out.num(h, 2).colon().num(m, 2).colon().num(s, 2);
                out.push(b'.').num(ms, 3)
            }
        };
        f.write_str(out.as_str())
    }
}

/// ASCII digits and separators, on the stack: the longest form is a
/// 20-digit hour count, two 2-digit fields, 3 digits of milliseconds
/// and their 3 separators (30 bytes).
#[derive(Default)]
struct Digits {
    buf: [u8; 32],
    len: usize,
}

impl Digits {
    fn push(&mut self, b: u8) -> &mut Self {
        self.buf[self.len] = b;
        self.len += 1;
        self
    }

    fn colon(&mut self) -> &mut Self {
        self.push(b':')
    }

    /// `n` in decimal, zero-padded to `width` digits.
    fn num(&mut self, n: u64, width: usize) -> &mut Self {
        let mut tmp = [b'0'; 20];
        let mut i = tmp.len();
        let mut n = n;
        loop {
            i -= 1;
            tmp[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        let start = i.min(tmp.len() - width.min(tmp.len()));
        for &b in &tmp[start..] {
            self.push(b);
        }
        self
    }

    fn as_str(&self) -> &str {
        // Only ASCII digits and separators were pushed.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }
}

impl serde::Serialize for Timestamp {
    /// Serialized as seconds, the unit of Podcasting 2.0 JSON.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0 % 1000 == 0 {
            s.serialize_u64(self.0 / 1000)
        } else {
            s.serialize_f64(self.as_secs_f64())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(s: &str) -> u64 {
        Timestamp::parse(s).unwrap().as_ms()
    }

    #[test]
    fn every_style_shows_as_padded_digits() {
        let show = |ms: u64, style: Style| Timestamp::from_ms(ms).display(style).to_string();
        // A geometric walk up to 400 hours, and the edges.
        let walk = std::iter::successors(Some(0u64), |&ms| Some(ms * 3 / 2 + 7))
            .take_while(|&ms| ms < 400 * 3_600_000);
        let edges = [
            999,
            5_000,
            59_999,
            60_000,
            65_432,
            3_599_999,
            3_600_000,
            36_000_000 + 61_005,
            u64::MAX,
        ];
        for ms in walk.chain(edges) {
            let (h, m, s, f) = Timestamp::from_ms(ms).parts();
            let short = if h > 0 {
                format!("{h}:{m:02}:{s:02}")
            } else {
                format!("{m}:{s:02}")
            };
            let two = if h > 0 {
                format!("{h:02}:{m:02}:{s:02}")
            } else {
                format!("{m:02}:{s:02}")
            };
            assert_eq!(show(ms, Style::Short), short);
            assert_eq!(show(ms, Style::TwoDigit), two);
            assert_eq!(show(ms, Style::Hms), format!("{h:02}:{m:02}:{s:02}"));
            assert_eq!(
                show(ms, Style::Precise),
                format!("{h:02}:{m:02}:{s:02}.{f:03}")
            );
        }
    }

    #[test]
    fn parses_every_documented_form() {
        assert_eq!(ms("0:00"), 0);
        assert_eq!(ms("5:32"), 332_000);
        assert_eq!(ms("05:32"), 332_000);
        assert_eq!(ms("1:05:12"), 3_912_000);
        assert_eq!(ms("01:05:12"), 3_912_000);
        assert_eq!(ms("01:05:12.5"), 3_912_500);
        assert_eq!(ms("01:05:12.25"), 3_912_250);
        assert_eq!(ms("00:00:01.001"), 1_001);
        assert_eq!(ms("75:00"), 4_500_000, "the leading field may exceed 59");
    }

    #[test]
    fn rejects_bad_forms_with_reasons() {
        use TimestampError::*;
        assert!(matches!(
            Timestamp::parse("00:75"),
            Err(OutOfRange {
                field: "seconds",
                ..
            })
        ));
        assert_eq!(Timestamp::parse("1:2:3:4"), Err(TooManyFields(4)));
        assert!(matches!(
            Timestamp::parse("99:99:99"),
            Err(OutOfRange {
                field: "minutes",
                ..
            })
        ));
        assert!(matches!(Timestamp::parse("1:2"), Err(NotTwoDigits { .. })));
        assert_eq!(Timestamp::parse("12"), Err(TooFewFields));
        assert_eq!(Timestamp::parse(""), Err(Empty));
        assert!(matches!(Timestamp::parse("1:0x"), Err(NotANumber(_))));
        assert!(matches!(Timestamp::parse("1:00.1234"), Err(BadFraction(_))));
        assert_eq!(Timestamp::parse("99999999999999999999:00"), Err(TooLarge));
    }

    #[test]
    fn displays_in_each_platform_style() {
        let t = Timestamp::from_ms(3_912_250);
        assert_eq!(t.display(Style::Short).to_string(), "1:05:12");
        assert_eq!(t.display(Style::TwoDigit).to_string(), "01:05:12");
        assert_eq!(t.display(Style::Hms).to_string(), "01:05:12");
        assert_eq!(t.display(Style::Precise).to_string(), "01:05:12.250");
        let z = Timestamp::ZERO;
        assert_eq!(z.display(Style::Short).to_string(), "0:00");
        assert_eq!(z.display(Style::TwoDigit).to_string(), "00:00");
        assert_eq!(z.display(Style::Hms).to_string(), "00:00:00");
        assert_eq!(z.display(Style::Precise).to_string(), "00:00:00.000");
        let m = Timestamp::from_ms(332_000);
        assert_eq!(m.display(Style::Short).to_string(), "5:32");
        assert_eq!(m.to_string(), "05:32");
    }

    #[test]
    fn orders_by_time() {
        let mut v = [ms("10:00"), ms("0:05"), ms("1:00:00")];
        v.sort();
        assert_eq!(v, [5_000, 600_000, 3_600_000]);
        assert!(Timestamp::parse("0:59").unwrap() < Timestamp::parse("1:00").unwrap());
    }

    #[test]
    fn seconds_round_trip() {
        assert_eq!(Timestamp::from_secs_f64(12.3456).unwrap().as_ms(), 12_346);
        assert_eq!(Timestamp::from_secs_f64(-1.0), None);
        assert_eq!(Timestamp::from_secs_f64(f64::NAN), None);
    }
}
