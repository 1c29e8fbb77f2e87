//! RSS (`rss-item.xml`): one `<item>` to paste into the show's feed, with
//! the namespaces it uses declared on it, and `chapters.json` beside it.
//!
//! Sources (PLATFORMS.md, "RSS and Podcasting 2.0" and "Apple Podcasts"):
//! - `content:encoded`: `http://purl.org/rss/1.0/modules/content/`;
//! - iTunes: `http://www.itunes.com/dtds/podcast-1.0.dtd`;
//! - Podcasting 2.0: `https://podcastindex.org/namespace/1.0`,
//!   `<podcast:chapters url="..." type="application/json+chapters"/>`
//!   (podcast-namespace `docs/tags/chapters.md`);
//! - Podlove Simple Chapters: `http://podlove.org/simple-chapters`, read by
//!   Spotify (Spotify help 360043932711);
//! - `<description>` holds the Apple-safe HTML (Apple reads it; many other
//!   apps prefer `content:encoded`: PRX/feeder.prx.org#1030);
//! - `pubDate` is RFC 2822 (RSS 2.0 specification).

use super::{Platform, PlatformId};

/// The namespaces the item declares.
pub const ITUNES_NS: &str = "http://www.itunes.com/dtds/podcast-1.0.dtd";
pub const CONTENT_NS: &str = "http://purl.org/rss/1.0/modules/content/";
pub const PODCAST_NS: &str = "https://podcastindex.org/namespace/1.0";
pub const PSC_NS: &str = "http://podlove.org/simple-chapters";

/// The RSS item.
pub struct Rss;

impl Platform for Rss {
    fn id(&self) -> PlatformId {
        PlatformId::Rss
    }
    fn file_name(&self) -> &'static str {
        "rss-item.xml"
    }
    fn template_name(&self) -> &'static str {
        "rss-item.xml.j2"
    }
    fn default_template(&self) -> &'static str {
        include_str!("../../templates/rss-item.xml.j2")
    }
    /// The item has no limit of its own; its `<description>` is Apple's
    /// HTML, checked against Apple's.
    fn max_bytes(&self) -> Option<usize> {
        None
    }
}

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

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// An RFC 3339 / ISO 8601 date (`2025-12-09`) or date-time
/// (`2025-12-09T10:00:00+01:00`, `Z`, or no zone: UTC) as an RFC 2822
/// date for `<pubDate>`: `Tue, 09 Dec 2025 00:00:00 +0000`. `None` when it
/// is not such a date.
pub fn rfc2822(date: &str) -> Option<String> {
    let b = date.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let s = date.get(r)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, m, d) = (i64::from(num(0..4)?), num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    let (mut hh, mut mm, mut ss, mut zone) = (0, 0, 0, "+0000".to_string());
    if b.len() > 10 {
        if !matches!(b[10], b'T' | b't' | b' ') || b.len() < 16 || b[13] != b':' {
            return None;
        }
        hh = num(11..13)?;
        mm = num(14..16)?;
        let mut i = 16;
        if b.get(i) == Some(&b':') {
            ss = num(17..19)?;
            i = 19;
            if b.get(i) == Some(&b'.') {
                i += 1;
                while b.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
            }
        }
        match &date[i..] {
            "" | "Z" | "z" => {}
            z if (z.starts_with('+') || z.starts_with('-'))
                && (z.len() == 6 && z.as_bytes()[3] == b':' || z.len() == 5) =>
            {
                let digits: String = z[1..].chars().filter(char::is_ascii_digit).collect();
                if digits.len() != 4
                    || digits[..2].parse::<u32>().ok()? > 23
                    || digits[2..].parse::<u32>().ok()? > 59
                {
                    return None;
                }
                zone = format!("{}{digits}", &z[..1]);
            }
            _ => return None,
        }
        if hh > 23 || mm > 59 || ss > 60 {
            return None;
        }
    }
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let weekday = DAYS[days_from_civil(y, m, d).rem_euclid(7) as usize];
    Some(format!(
        "{weekday}, {d:02} {} {y:04} {hh:02}:{mm:02}:{ss:02} {zone}",
        MONTHS[m as usize - 1]
    ))
}

#[cfg(test)]
mod tests {
    use super::rfc2822;

    #[test]
    fn dates_become_rfc_2822() {
        assert_eq!(
            rfc2822("2025-12-09").unwrap(),
            "Tue, 09 Dec 2025 00:00:00 +0000"
        );
        assert_eq!(
            rfc2822("1970-01-01").unwrap(),
            "Thu, 01 Jan 1970 00:00:00 +0000"
        );
        assert_eq!(
            rfc2822("2024-02-29T10:05:07.25+01:00").unwrap(),
            "Thu, 29 Feb 2024 10:05:07 +0100"
        );
        assert_eq!(
            rfc2822("2000-03-01 23:59Z").unwrap(),
            "Wed, 01 Mar 2000 23:59:00 +0000"
        );
        assert_eq!(
            rfc2822("2025-10-28T08:00:00-0500").unwrap(),
            "Tue, 28 Oct 2025 08:00:00 -0500"
        );
        for bad in [
            "2023-02-29",
            "2025-13-01",
            "2025-1-01",
            "yesterday",
            "2025-12-09T25:00",
            "2025-12-09Tx",
            "2025-12-09T10:00+1",
        ] {
            assert_eq!(rfc2822(bad), None, "{bad}");
        }
    }
}
