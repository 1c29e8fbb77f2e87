//! Episode dates (front matter `date`): read in every form producers write,
//! checked against the calendar, and written as RFC 2822 for `<pubDate>`.
//!
//! Accepted forms:
//! - RFC 3339 / ISO 8601: `2025-12-09`, `2025-12-09T10:00`,
//!   `2025-12-09T10:00:00.250+01:00`, `Z`, `+0100`, a space for the `T`
//!   and before the offset (`2025-12-09 10:00:00 +0100`); no offset is UTC;
//! - RFC 2822 (an RSS `<pubDate>`): `Tue, 09 Dec 2025 10:00:00 +0000`, the
//!   day of the week optional, the zone `±hhmm` or one of the names of
//!   RFC 2822 section 4.3 (`GMT`, `UT`, `Z`, `EST`, `EDT`, `CST`, `CDT`,
//!   `MST`, `MDT`, `PST`, `PDT`);
//! - a number since 1970-01-01 UTC: seconds (a Unix time, 9 or 10 digits:
//!   1973-03-03 to 2286) or milliseconds (a JavaScript timestamp, 12 digits
//!   or more: from 1973-03-03 on); 11 digits could be either, and 8 or
//!   fewer are more likely a typo or a `YYYYMMDD` date.
//!
//! A date that can't exist (`2025-02-30`, month 13, hour 24, offset
//! `+25:00`) is an error with the reason, never a dropped `<pubDate>`.

/// The forms, for a `help:` line.
pub(crate) const FORMS_HELP: &str = "write the date as `2025-12-09`, `2025-12-09T10:00:00+01:00` (RFC 3339), `Tue, 09 Dec 2025 10:00:00 +0000` (RFC 2822), or seconds or milliseconds since 1970";

/// A calendar date and time with the UTC offset it was written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Date {
    /// The year (proleptic Gregorian).
    pub year: i64,
    /// 1 to 12.
    pub month: u32,
    /// 1 to the month's last day.
    pub day: u32,
    /// 0 to 23, in the written offset.
    pub hour: u32,
    /// 0 to 59.
    pub minute: u32,
    /// 0 to 59.
    pub second: u32,
    /// Minutes east of UTC.
    pub offset_minutes: i32,
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
/// Weekdays from Thursday: 1970-01-01 was one.
const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const DAY_NAMES: [&str; 7] = [
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
];

/// The first epoch millisecond accepted: 1973-03-03T09:46:40Z (10^11).
const EPOCH_MS_MIN: u64 = 100_000_000_000;
/// The last: 9999-12-31T23:59:59.999Z.
const EPOCH_MS_MAX: u64 = 253_402_300_799_999;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01 (Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl Date {
    /// Reads a date in any accepted form; the error says what is wrong
    /// (lowercase, for after `is not a real date: `).
    pub fn parse(s: &str) -> Result<Date, String> {
        let t = s.trim();
        if t.is_empty() {
            return Err("it is empty".into());
        }
        if t.bytes().all(|b| b.is_ascii_digit()) {
            return match (t.len(), t.parse::<u64>()) {
                // Seconds: 100,000,000 (1973-03-03) to 9,999,999,999 (2286).
                (9 | 10, Ok(secs)) => Date::from_epoch_ms(secs * 1000),
                (11, _) => Err(format!(
                    "`{t}` could be seconds (after 2286) or milliseconds (before 1973) since 1970; write the date as `YYYY-MM-DD`"
                )),
                (_, Ok(ms)) => Date::from_epoch_ms(ms),
                (_, Err(_)) => Err("the number is too large for milliseconds since 1970".into()),
            };
        }
        if t.as_bytes()[0].is_ascii_digit() && t.as_bytes().get(4) == Some(&b'-') {
            return iso(t);
        }
        if t.as_bytes()[0].is_ascii_alphabetic() || t.as_bytes()[0].is_ascii_digit() {
            return rfc2822_in(t);
        }
        Err("it matches no date form".into())
    }

    /// A date from milliseconds since 1970-01-01 UTC.
    pub(crate) fn from_epoch_ms(ms: u64) -> Result<Date, String> {
        if ms < EPOCH_MS_MIN {
            let hint = match ms.to_string().len() {
                8 => "a date? write it as `YYYY-MM-DD`",
                9 | 10 => "seconds? multiply by 1000",
                _ => "write the date as `YYYY-MM-DD`",
            };
            return Err(format!(
                "a number is read as milliseconds since 1970, and `{ms}` is before 1973 ({hint})"
            ));
        }
        if ms > EPOCH_MS_MAX {
            return Err(format!(
                "a number is read as milliseconds since 1970, and `{ms}` is after the year 9999"
            ));
        }
        let secs = (ms / 1000) as i64;
        let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
        let rem = secs.rem_euclid(86_400) as u32;
        Ok(Date {
            year,
            month,
            day,
            hour: rem / 3600,
            minute: rem / 60 % 60,
            second: rem % 60,
            offset_minutes: 0,
        })
    }

    /// The day of the week, `0` for Thursday (see `DAYS`).
    fn weekday(&self) -> usize {
        days_from_civil(self.year, self.month, self.day).rem_euclid(7) as usize
    }

    /// RFC 2822 (RFC 5322 section 3.3), for `<pubDate>`:
    /// `Tue, 09 Dec 2025 10:00:00 +0100`.
    pub(crate) fn rfc2822(&self) -> String {
        let off = self.offset_minutes.unsigned_abs();
        format!(
            "{}, {:02} {} {:04} {:02}:{:02}:{:02} {}{:02}{:02}",
            DAYS[self.weekday()],
            self.day,
            MONTHS[self.month as usize - 1],
            self.year,
            self.hour,
            self.minute,
            self.second,
            if self.offset_minutes < 0 { '-' } else { '+' },
            off / 60,
            off % 60
        )
    }

    /// Checks the fields against the calendar and the clock.
    fn checked(self) -> Result<Date, String> {
        if !(1900..=9999).contains(&self.year) {
            return Err(format!("the year `{}` is outside 1900 to 9999", self.year));
        }
        if !(1..=12).contains(&self.month) {
            return Err(format!("there is no month `{}`", self.month));
        }
        let days = days_in_month(self.year, self.month);
        if self.day == 0 || self.day > days {
            let name = MONTH_NAMES[self.month as usize - 1];
            return Err(if self.day == 0 {
                "there is no day `0`".into()
            } else if self.month == 2 && self.day == 29 {
                format!("{} is not a leap year", self.year)
            } else {
                format!("{name} {} has {days} days", self.year)
            });
        }
        if self.hour > 23 || self.minute > 59 || self.second > 60 {
            return Err(format!(
                "`{:02}:{:02}:{:02}` is not a time of day",
                self.hour, self.minute, self.second
            ));
        }
        Ok(self)
    }
}

/// `+HH:MM`, `+HHMM`, `+HH`, `Z`: minutes east of UTC.
fn offset(z: &str) -> Result<i32, String> {
    if z.eq_ignore_ascii_case("z") {
        return Ok(0);
    }
    let bad = || format!("`{z}` is not a UTC offset (write `Z`, `+01:00` or `-0500`)");
    let sign = match z.as_bytes().first() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return Err(bad()),
    };
    let digits: String = z[1..].chars().filter(|c| *c != ':').collect();
    let colons = z[1..].matches(':').count();
    let shape_ok = digits.bytes().all(|b| b.is_ascii_digit())
        && match digits.len() {
            4 => colons == 0 || (colons == 1 && z.as_bytes().get(3) == Some(&b':')),
            2 => colons == 0,
            _ => false,
        };
    if !shape_ok {
        return Err(bad());
    }
    let h: i32 = digits[..2].parse().map_err(|_| bad())?;
    let m: i32 = if digits.len() == 4 {
        digits[2..].parse().map_err(|_| bad())?
    } else {
        0
    };
    if h > 23 || m > 59 {
        return Err(format!(
            "the UTC offset `{z}` does not exist (offsets run from -23:59 to +23:59)"
        ));
    }
    Ok(sign * (h * 60 + m))
}

/// A run of ASCII digits of exactly `n` characters at the start of `s`.
fn digits(s: &str, n: usize) -> Option<u32> {
    let d = s.get(..n)?;
    if d.bytes().all(|b| b.is_ascii_digit()) {
        d.parse().ok()
    } else {
        None
    }
}

/// RFC 3339 / ISO 8601.
fn iso(s: &str) -> Result<Date, String> {
    let shape = || "it matches no date form".to_string();
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(shape());
    }
    let year = digits(s, 4).ok_or_else(shape)?;
    let month = digits(&s[5..], 2).ok_or_else(shape)?;
    let day = digits(&s[8..], 2).ok_or_else(shape)?;
    let mut d = Date {
        year: i64::from(year),
        month,
        day,
        hour: 0,
        minute: 0,
        second: 0,
        offset_minutes: 0,
    };
    let rest = &s[10..];
    if rest.is_empty() {
        return d.checked();
    }
    let time = match rest.as_bytes()[0] {
        b'T' | b't' | b' ' => &rest[1..],
        _ => return Err(shape()),
    };
    d.hour = digits(time, 2).ok_or_else(shape)?;
    if time.as_bytes().get(2) != Some(&b':') {
        return Err(shape());
    }
    d.minute = digits(&time[3..], 2).ok_or_else(shape)?;
    let mut i = 5;
    if time.as_bytes().get(i) == Some(&b':') {
        d.second = digits(&time[i + 1..], 2).ok_or_else(shape)?;
        i += 3;
        if time.as_bytes().get(i) == Some(&b'.') {
            i += 1;
            let start = i;
            while time.as_bytes().get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == start {
                return Err(shape());
            }
        }
    }
    let zone = time[i..].strip_prefix(' ').unwrap_or(&time[i..]);
    if !zone.is_empty() {
        d.offset_minutes = offset(zone)?;
    }
    d.checked()
}

/// RFC 2822 section 3.3 (obsolete two-digit years and comments aside).
fn rfc2822_in(s: &str) -> Result<Date, String> {
    let shape = || "it matches no date form".to_string();
    let (weekday, rest) = match s.split_once(',') {
        Some((w, r)) => (Some(w.trim()), r.trim_start()),
        None => (None, s),
    };
    let parts: Vec<&str> = rest.split_whitespace().collect();
    if !(parts.len() == 4 || parts.len() == 5) {
        return Err(shape());
    }
    let day: u32 = match parts[0].len() {
        1 | 2 => digits(parts[0], parts[0].len()).ok_or_else(shape)?,
        _ => return Err(shape()),
    };
    let month = MONTHS
        .iter()
        .position(|m| m.eq_ignore_ascii_case(parts[1]))
        .ok_or_else(|| format!("`{}` is not a month (`Jan` to `Dec`)", parts[1]))?
        as u32
        + 1;
    if parts[2].len() != 4 {
        return Err(format!("the year `{}` is not four digits", parts[2]));
    }
    let year = digits(parts[2], 4).ok_or_else(shape)?;
    let t = parts[3];
    let (hour, minute, second) = match t.len() {
        5 if t.as_bytes()[2] == b':' => (
            digits(t, 2).ok_or_else(shape)?,
            digits(&t[3..], 2).ok_or_else(shape)?,
            0,
        ),
        8 if t.as_bytes()[2] == b':' && t.as_bytes()[5] == b':' => (
            digits(t, 2).ok_or_else(shape)?,
            digits(&t[3..], 2).ok_or_else(shape)?,
            digits(&t[6..], 2).ok_or_else(shape)?,
        ),
        _ => return Err(shape()),
    };
    let offset_minutes = match parts.get(4).copied() {
        None => 0,
        Some(z) => match z.to_ascii_uppercase().as_str() {
            "UT" | "GMT" | "Z" => 0,
            "EDT" => -4 * 60,
            "EST" | "CDT" => -5 * 60,
            "CST" | "MDT" => -6 * 60,
            "MST" | "PDT" => -7 * 60,
            "PST" => -8 * 60,
            _ if z.len() == 5 => offset(z)?,
            _ => return Err(format!("`{z}` is not a UTC offset (write `+0000`)")),
        },
    };
    let d = Date {
        year: i64::from(year),
        month,
        day,
        hour,
        minute,
        second,
        offset_minutes,
    }
    .checked()?;
    if let Some(w) = weekday {
        let given = DAYS
            .iter()
            .position(|x| x.eq_ignore_ascii_case(w))
            .ok_or_else(|| format!("`{w}` is not a day of the week (`Mon` to `Sun`)"))?;
        if given != d.weekday() {
            return Err(format!(
                "{} {} {} is a {}, not a {}",
                d.day,
                MONTHS[d.month as usize - 1],
                d.year,
                DAY_NAMES[d.weekday()],
                DAY_NAMES[given]
            ));
        }
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(s: &str) -> String {
        Date::parse(s).map(|d| d.rfc2822()).unwrap_or_else(|e| e)
    }

    #[test]
    fn every_form_reads() {
        for (given, want) in [
            ("2025-12-09", "Tue, 09 Dec 2025 00:00:00 +0000"),
            ("1970-01-01", "Thu, 01 Jan 1970 00:00:00 +0000"),
            ("1899-12-31", "the year `1899` is outside 1900 to 9999"),
            ("1973-03-03", "Sat, 03 Mar 1973 00:00:00 +0000"),
            (
                "2024-02-29T10:05:07.25+01:00",
                "Thu, 29 Feb 2024 10:05:07 +0100",
            ),
            ("2000-03-01 23:59Z", "Wed, 01 Mar 2000 23:59:00 +0000"),
            ("2000-02-29", "Tue, 29 Feb 2000 00:00:00 +0000"),
            (
                "2025-10-28T08:00:00-0500",
                "Tue, 28 Oct 2025 08:00:00 -0500",
            ),
            (
                "2025-10-28 08:00:00 +0530",
                "Tue, 28 Oct 2025 08:00:00 +0530",
            ),
            ("2025-10-28t08:00:00z", "Tue, 28 Oct 2025 08:00:00 +0000"),
            ("2025-10-28T08:00+02", "Tue, 28 Oct 2025 08:00:00 +0200"),
            (
                "Tue, 09 Dec 2025 10:00:00 +0000",
                "Tue, 09 Dec 2025 10:00:00 +0000",
            ),
            ("9 dec 2025 10:00 GMT", "Tue, 09 Dec 2025 10:00:00 +0000"),
            (
                "Tue, 09 Dec 2025 10:00:00 PST",
                "Tue, 09 Dec 2025 10:00:00 -0800",
            ),
            ("1733740800000", "Mon, 09 Dec 2024 10:40:00 +0000"),
            ("1733740800", "Mon, 09 Dec 2024 10:40:00 +0000"),
            ("100000000", "Sat, 03 Mar 1973 09:46:40 +0000"),
            (" 2025-12-09 ", "Tue, 09 Dec 2025 00:00:00 +0000"),
        ] {
            assert_eq!(out(given), want, "{given}");
        }
    }

    #[test]
    fn impossible_dates_say_why() {
        for (given, want) in [
            ("2025-02-30", "February 2025 has 28 days"),
            ("2025-04-31", "April 2025 has 30 days"),
            ("2023-02-29", "2023 is not a leap year"),
            ("1900-02-29", "1900 is not a leap year"),
            ("2025-13-01", "there is no month `13`"),
            ("2025-00-10", "there is no month `0`"),
            ("2025-01-00", "there is no day `0`"),
            ("2025-12-09T24:00", "`24:00:00` is not a time of day"),
            ("2025-12-09T10:60", "`10:60:00` is not a time of day"),
            (
                "2025-12-09T10:00:00+25:00",
                "the UTC offset `+25:00` does not exist",
            ),
            (
                "2025-12-09T10:00:00-00:60",
                "the UTC offset `-00:60` does not exist",
            ),
            ("2025-12-09T10:00+1", "`+1` is not a UTC offset"),
            (
                "2025-12-09T10:00:00+01:00:00",
                "`+01:00:00` is not a UTC offset",
            ),
            (
                "Wed, 09 Dec 2025 10:00:00 +0000",
                "9 Dec 2025 is a Tuesday, not a Wednesday",
            ),
            ("Tue, 09 Dez 2025 10:00:00 +0000", "`Dez` is not a month"),
            (
                "Tue, 09 Dec 25 10:00:00 +0000",
                "the year `25` is not four digits",
            ),
            (
                "Tue, 30 Feb 2025 10:00:00 +0000",
                "February 2025 has 28 days",
            ),
            (
                "Tue, 09 Dec 2025 10:00:00 +2500",
                "the UTC offset `+2500` does not exist",
            ),
            (
                "17337408000",
                "could be seconds (after 2286) or milliseconds",
            ),
            (
                "99999999",
                "is before 1973 (a date? write it as `YYYY-MM-DD`)",
            ),
            (
                "20251209",
                "is before 1973 (a date? write it as `YYYY-MM-DD`)",
            ),
            ("99999999999999999999", "too large"),
            ("253402300800000", "after the year 9999"),
            ("yesterday", "matches no date form"),
            ("2025-1-01", "matches no date form"),
            ("2025-12-09Tx", "matches no date form"),
            ("2025-12-09T10:00:00.", "matches no date form"),
            ("10:00:00", "matches no date form"),
            ("", "it is empty"),
            ("+2025-01-01", "matches no date form"),
        ] {
            let got = out(given);
            assert!(got.contains(want), "{given}: {got}");
            assert!(Date::parse(given).is_err(), "{given}");
        }
    }

    #[test]
    fn days_round_trip() {
        for days in [-719_468, -1, 0, 1, 59, 10_957, 20_000, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
