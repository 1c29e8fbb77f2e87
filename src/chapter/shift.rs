//! `--shift ±DURATION`: moving every chapter by the same amount, as when a
//! pre-roll was added to (or cut from) the start of the audio.
//!
//! The grammar, whole string:
//!
//! ```text
//! shift    = [ "+" | "-" ] amount          (no sign: later, as "+")
//! amount   = clock | seconds
//! clock    = M:SS | H:MM:SS, with an optional .f, .ff or .fff
//!            (the chapter timestamp forms: "0:30", "1:02.5", "1:00:00")
//! seconds  = digits [ "." 1 to 3 digits ] [ "s" ]
//!            ("90", "90s", "2.5s", "0.250")
//! ```
//!
//! A shift is exact to the millisecond; finer fractions are refused rather
//! than rounded.

use std::fmt;
use std::str::FromStr;

use super::Chapter;
use crate::error::{Error, ErrorKind, Result};
use crate::timestamp::Timestamp;

/// A signed amount of time to move chapters by, in milliseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Shift {
    /// Milliseconds; negative moves chapters earlier.
    pub ms: i64,
}

impl Shift {
    /// Parses the grammar of the module documentation; the error says what
    /// is wrong, for a `help:`-less usage line.
    pub fn parse(s: &str) -> std::result::Result<Shift, String> {
        let text = s.trim();
        let (sign, amount) = match text.as_bytes().first() {
            Some(b'+') => (1, &text[1..]),
            Some(b'-') => (-1, &text[1..]),
            _ => (1, text),
        };
        if amount.is_empty() {
            return Err(
                "give an amount of time: `+0:30`, `-1:02.5`, `+90s` (seconds) or `1:00:00`".into(),
            );
        }
        let ms = if amount.contains(':') {
            Timestamp::parse(amount)
                .map_err(|e| format!("`{amount}` is not a time: {e}"))?
                .as_ms()
        } else {
            seconds(amount)?
        };
        let ms = i64::try_from(ms).map_err(|_| format!("`{amount}` is too large"))?;
        Ok(Shift { ms: sign * ms })
    }

    /// Whether the shift moves nothing.
    pub fn is_zero(self) -> bool {
        self.ms == 0
    }

    /// The chapters moved by this shift (each start, and each chapter's own
    /// end where it has one). Errors when the first chapter would start
    /// before zero, saying by how much at most it could move.
    pub fn apply(self, chapters: &[Chapter]) -> Result<Vec<Chapter>> {
        let by = |t: Timestamp| -> Option<Timestamp> {
            let moved = i128::from(t.as_ms()) + i128::from(self.ms);
            u64::try_from(moved).ok().map(Timestamp::from_ms)
        };
        if let Some(first) = chapters.iter().min_by_key(|c| c.start) {
            if by(first.start).is_none() {
                let help = if first.start == Timestamp::ZERO {
                    "the first chapter starts at `00:00`, so no negative shift fits; change the \
                     chapters' times by hand instead"
                        .to_string()
                } else {
                    let most = Shift {
                        ms: -i64::try_from(first.start.as_ms()).unwrap_or(i64::MAX),
                    };
                    format!("shift by at most `{most}`, or remove the chapters that would start before zero")
                };
                return Err(Error::new(
                    ErrorKind::Usage,
                    format!(
                        "shifting by `{self}` would move the first chapter `{}` (at `{}`) before the start of the audio",
                        crate::text::clean(&first.title),
                        first.start
                    ),
                )
                .with_help(help));
            }
        }
        Ok(chapters
            .iter()
            .map(|c| Chapter {
                start: by(c.start).unwrap_or(Timestamp::ZERO),
                // An end moved before zero ends at zero (an end is never
                // before its start, which was checked above).
                end: c.end.map(|e| by(e).unwrap_or(Timestamp::ZERO)),
                ..c.clone()
            })
            .collect())
    }
}

/// `90`, `90s`, `2.5s`, `0.250`: seconds, with up to three decimals.
fn seconds(s: &str) -> std::result::Result<u64, String> {
    let digits = s.strip_suffix('s').unwrap_or(s);
    let (whole, frac) = match digits.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    let bad =
        || format!("`{s}` is not an amount of time; write `+0:30`, `-1:02.5`, `+90s` or `1:00:00`");
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let mut ms = whole
        .parse::<u64>()
        .ok()
        .and_then(|w| w.checked_mul(1000))
        .ok_or_else(|| format!("`{s}` is too large"))?;
    if let Some(f) = frac {
        if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        if f.len() > 3 {
            return Err(format!(
                "`{s}` is finer than a millisecond; give at most three decimals"
            ));
        }
        let scale = [100, 10, 1][f.len() - 1];
        ms += f.parse::<u64>().unwrap_or(0) * scale;
    }
    Ok(ms)
}

impl FromStr for Shift {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Shift, String> {
        Shift::parse(s)
    }
}

/// `+00:30`, `-01:02.500`: the sign, then the chapter-file clock.
impl fmt::Display for Shift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.ms < 0 { '-' } else { '+' };
        let t = Timestamp::from_ms(self.ms.unsigned_abs());
        write!(f, "{sign}{t}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(s: &str) -> i64 {
        Shift::parse(s).unwrap_or_else(|e| panic!("{s}: {e}")).ms
    }

    #[test]
    fn reads_every_form_of_the_grammar() {
        assert_eq!(ms("+0:30"), 30_000);
        assert_eq!(ms("0:30"), 30_000);
        assert_eq!(ms("-1:02.5"), -62_500);
        assert_eq!(ms("+1:00:00"), 3_600_000);
        assert_eq!(ms("+90s"), 90_000);
        assert_eq!(ms("90"), 90_000);
        assert_eq!(ms("-2.25s"), -2_250);
        assert_eq!(ms("+0.001"), 1);
        assert_eq!(ms("-0"), 0);
        assert_eq!(ms("75:10"), 4_510_000);
    }

    #[test]
    fn refuses_what_it_cannot_read_exactly() {
        for bad in [
            "",
            "+",
            "-",
            "abc",
            "+1:2",
            "1:60",
            "1.2345",
            "1.5ms",
            "1m30s",
            "+-1",
            "1:00:00:00",
            "s",
            ".5",
            "5.",
        ] {
            let e = Shift::parse(bad).expect_err(bad);
            assert!(e.starts_with('`') || e.starts_with("give"), "{bad}: {e}");
        }
        assert!(Shift::parse("1.2345")
            .unwrap_err()
            .contains("three decimals"));
    }

    #[test]
    fn displays_as_it_would_be_written() {
        assert_eq!(Shift { ms: 30_000 }.to_string(), "+00:30");
        assert_eq!(Shift { ms: -62_500 }.to_string(), "-01:02.500");
    }

    #[test]
    fn moves_starts_and_ends_and_stops_at_zero() {
        let mut a = Chapter::new(Timestamp::from_ms(30_000), "Intro");
        a.end = Some(Timestamp::from_ms(40_000));
        let b = Chapter::new(Timestamp::from_ms(90_000), "Next");
        let moved = Shift { ms: -30_000 }
            .apply(&[a.clone(), b.clone()])
            .unwrap();
        assert_eq!(moved[0].start, Timestamp::ZERO);
        assert_eq!(moved[0].end, Some(Timestamp::from_ms(10_000)));
        assert_eq!(moved[1].start, Timestamp::from_ms(60_000));
        assert_eq!(moved[1].title, "Next");
        let later = Shift { ms: 500 }.apply(&[a.clone()]).unwrap();
        assert_eq!(later[0].start, Timestamp::from_ms(30_500));
        let e = Shift { ms: -30_001 }.apply(&[a, b]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Usage);
        assert!(e.message().contains("`Intro` (at `00:30`)"), "{e}");
        assert_eq!(
            e.help(),
            Some("shift by at most `-00:30`, or remove the chapters that would start before zero")
        );
        let zero = Chapter::new(Timestamp::ZERO, "Cold open");
        let e = Shift { ms: -1 }.apply(&[zero]).unwrap_err();
        assert!(
            e.help().unwrap().contains("no negative shift fits"),
            "{e:?}"
        );
        assert!(Shift::default().apply(&[]).unwrap().is_empty());
    }
}
