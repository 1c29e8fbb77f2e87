//! Adobe Audition marker lists: named `.csv` but tab-separated, with the
//! header `Name<TAB>Start<TAB>Duration<TAB>Time Format<TAB>Type<TAB>Description`
//! and times like `1:16.655` or `1:44:53.111`; Type `Cue`. Source: Adobe
//! Audition User Guide, "Markers" (exporting marker lists), and real exports.

use super::clock::parse_npt;
use super::line::{invalid, lines, one_line, sub_span};
use super::{Capabilities, ChapterFormat, Format, Head, Input, Parsed, WriteOptions};
use crate::chapter::Chapter;
use crate::source::{Source, Span};
use crate::error::Result;
use crate::timestamp::Timestamp;

/// Adobe Audition marker lists.
pub const AUDITION: Format = Format::new(&Audition);

struct Audition;

impl ChapterFormat for Audition {
    fn name(&self) -> &'static str {
        "audition"
    }

    fn about(&self) -> &'static str {
        "Adobe Audition markers (tab-separated CSV)"
    }

    fn extension(&self) -> &'static str {
        "csv"
    }

    fn fallback_extensions(&self) -> &'static [&'static str] {
        &["csv"]
    }

    /// The first line is Audition's header.
    fn sniff(&self, head: &Head<'_>) -> u8 {
        let lines = head.lines();
        match lines.first() {
            Some(first) if first.to_ascii_lowercase().starts_with("name\tstart\t") => 60,
            _ => 0,
        }
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::TEXT
    }

    fn read(&self, input: &Input<'_>) -> Result<Parsed> {
        read(&*input.text()?).map(Parsed::new)
    }

    fn write(&self, chapters: &[Chapter], _: &WriteOptions<'_>) -> Result<String> {
        Ok(write(chapters))
    }
}

/// The header line Audition writes.
const HEADER: &str = "Name\tStart\tDuration\tTime Format\tType\tDescription";

const HELP: &str = "an Audition marker line is `Name<TAB>Start<TAB>Duration<TAB>Time Format<TAB>Type<TAB>Description`, such as `Intro\t0:00.000\t0:00.000\tdecimal\tCue\t`";

/// Writes the header and one `Cue` marker per chapter (a range when the
/// chapter has an end), times in Audition's decimal form.
fn write(chapters: &[Chapter]) -> String {
    let mut s = format!("{HEADER}\n");
    for c in chapters {
        let dur = c
            .end
            .filter(|e| *e > c.start)
            .map_or(0, |e| e.as_ms() - c.start.as_ms());
        s.push_str(&format!(
            "{}\t{}\t{}\tdecimal\tCue\t\n",
            one_line(&c.title),
            decimal(c.start),
            decimal(Timestamp::from_ms(dur))
        ));
    }
    s
}

/// Audition's decimal time: `M:SS.mmm` under an hour, else `H:MM:SS.mmm`.
fn decimal(t: Timestamp) -> String {
    let ms = t.as_ms();
    let (h, m, s, f) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}.{f:03}")
    } else {
        format!("{m}:{s:02}.{f:03}")
    }
}

/// How a marker list counts time (its `Time Format` column).
#[derive(Clone, Copy)]
enum Clock {
    Decimal,
    Samples(u64),
}

fn clock(format: &str) -> Option<Clock> {
    let f = format.trim();
    if f.is_empty() || f.eq_ignore_ascii_case("decimal") {
        return Some(Clock::Decimal);
    }
    let hz = f
        .strip_suffix("Hz")
        .or_else(|| f.strip_suffix("hz"))?
        .trim();
    hz.parse().ok().filter(|&r| r > 0).map(Clock::Samples)
}

fn time(text: &str, clock: Clock) -> Result<Timestamp, String> {
    match clock {
        Clock::Decimal => parse_npt(text),
        Clock::Samples(rate) => {
            let n: u64 = text
                .trim()
                .parse()
                .map_err(|_| format!("`{}` is not a number of samples", text.trim()))?;
            Ok(Timestamp::from_ms(
                ((u128::from(n) * 1000 + u128::from(rate) / 2) / u128::from(rate)) as u64,
            ))
        }
    }
}

/// Reads a marker list. Every marker becomes a chapter; a marker with a
/// duration gets an end. Names may hold tabs: the columns are found from
/// the first `Start`, `Duration`, `Time Format` that read as such.
fn read(src: &Source) -> Result<Vec<Chapter>> {
    let mut rows = lines(src).filter(|(_, _, l)| !l.trim().is_empty());
    let Some((_, header_span, header)) = rows.next() else {
        return Err(invalid("the file is empty", None).with_help(HELP));
    };
    let columns: Vec<String> = header
        .split('\t')
        .map(|c| c.trim().to_ascii_lowercase())
        .collect();
    if columns.len() < 3 || columns[0] != "name" || columns[1] != "start" {
        return Err(invalid(
            "not an Audition marker list: the first line is not the `Name<TAB>Start<TAB>...` header",
            Some(header_span),
        )
        .with_help(format!("export markers from Audition's Markers panel; the header is `{}`", HEADER.replace('\t', "<TAB>"))));
    }
    let mut chapters = Vec::new();
    for (_, span, line) in rows {
        chapters.push(row(line, span)?);
    }
    if chapters.is_empty() {
        return Err(invalid("no markers under the header", Some(header_span)).with_help(HELP));
    }
    Ok(chapters)
}

fn row(line: &str, span: Span) -> Result<Chapter> {
    let fields: Vec<&str> = line.split('\t').collect();
    if fields.len() < 5 {
        return Err(invalid(
            format!(
                "the marker line has {} column{}, not 6",
                fields.len(),
                if fields.len() == 1 { "" } else { "s" }
            ),
            Some(span),
        )
        .with_help(HELP));
    }
    let at = |k: usize| {
        let c = clock(fields[k + 2])?;
        Some((k, c, time(fields[k], c).ok()?, time(fields[k + 1], c).ok()?))
    };
    // A name may hold tabs, so the columns are found by their content:
    // best where the Type column follows (`Cue`, `Track`, ...), so a name
    // such as `A\t0\t0\t\tA` is not read as times.
    let typed = |k: usize| {
        fields.get(k + 3).is_some_and(|t| {
            ["cue", "track", "subclip", "cd track", "cart timer"]
                .contains(&t.trim().to_ascii_lowercase().as_str())
        })
    };
    let found = (1..=fields.len() - 4)
        .filter(|&k| typed(k))
        .find_map(at)
        .or_else(|| (1..=fields.len() - 4).find_map(at));
    let Some((k, _, start, duration)) = found else {
        // Report against the documented columns.
        let Some(c) = clock(fields[3]) else {
            return Err(invalid(
                format!("the time format `{}` is not supported", fields[3].trim()),
                Some(sub_span(line, span, fields[3])),
            )
            .with_help(
                "set Audition's time display to Decimal (or samples) before exporting markers",
            ));
        };
        let bad = if time(fields[1], c).is_err() {
            fields[1]
        } else {
            fields[2]
        };
        let message = time(bad, c)
            .err()
            .unwrap_or_else(|| format!("`{bad}` is not a time"));
        return Err(invalid(message, Some(sub_span(line, span, bad))).with_help(HELP));
    };
    let name = &line[..sub_span(line, span, fields[k]).start - span.start - 1];
    let mut ch = Chapter::new(start, name.trim());
    if duration > Timestamp::ZERO {
        ch.end = Some(Timestamp::from_ms(start.as_ms() + duration.as_ms()));
    }
    ch.span = Some(sub_span(line, span, fields[k]));
    if !name.trim().is_empty() {
        ch.title_span = Some(sub_span(line, span, name.trim()));
    }
    Ok(ch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_real_export() {
        let text = "Name\tStart\tDuration\tTime Format\tType\tDescription\r\nMarker 01\t0:00.000\t0:00.000\tdecimal\tCue\t\r\nIntro\t1:16.655\t0:10.000\tdecimal\tCue\tsome words\r\nLate\t1:44:53.111\t0:00.000\tdecimal\tCue\t\r\n";
        let c = read(&Source::new("m.csv", text)).unwrap();
        assert_eq!(c.len(), 3);
        assert_eq!(c[1].title, "Intro");
        assert_eq!(c[1].start.as_ms(), 76_655);
        assert_eq!(c[1].end, Some(Timestamp::from_ms(86_655)));
        assert_eq!(c[2].start.as_ms(), 6_293_111);
        let samples =
            "Name\tStart\tDuration\tTime Format\tType\tDescription\nA\t88200\t0\t44100 Hz\tCue\t\n";
        assert_eq!(
            read(&Source::new("m.csv", samples)).unwrap()[0]
                .start
                .as_ms(),
            2000
        );
    }

    #[test]
    fn writes_what_it_reads_even_with_tabs_in_names() {
        let c = vec![
            Chapter::new(Timestamp::ZERO, "a\tb"),
            Chapter::new(Timestamp::from_ms(3_723_004), "1:00.000"),
        ];
        let out = write(&c);
        assert_eq!(
            out,
            "Name\tStart\tDuration\tTime Format\tType\tDescription\na\tb\t0:00.000\t0:00.000\tdecimal\tCue\t\n1:00.000\t1:02:03.004\t0:00.000\tdecimal\tCue\t\n"
        );
        let back = read(&Source::new("m", out)).unwrap();
        assert_eq!(back[0].title, "a\tb");
        assert_eq!(back[1].title, "1:00.000");
        assert_eq!(back[1].start, c[1].start);
    }

    #[test]
    fn bad_input_names_the_line() {
        let s = Source::new("m.csv", format!("{HEADER}\nA\t0:00.000\t0:00.000\tdecimal\tCue\t\nB\t1:75.000\t0:00.000\tdecimal\tCue\t\n"));
        let e = read(&s).unwrap_err();
        assert_eq!(s.position(e.span().unwrap().start).line, 3);
        assert!(e.message().contains("below 60"), "{}", e.message());
        let e = read(&Source::new(
            "m",
            format!("{HEADER}\nA\t0:00:00\t0\t30 fps\tCue\t\n"),
        ))
        .unwrap_err();
        assert!(e.message().contains("`30 fps`"), "{}", e.message());
        assert!(read(&Source::new("m", "00:00 Intro\n"))
            .unwrap_err()
            .message()
            .contains("header"));
        assert!(read(&Source::new(
            "m",
            format!("{HEADER}\nA,0:00.000,0,decimal,Cue,\n")
        ))
        .unwrap_err()
        .message()
        .contains("column"));
        assert!(read(&Source::new("m", HEADER))
            .unwrap_err()
            .message()
            .contains("no markers"));
        assert!(read(&Source::new("m", "")).is_err());
    }
}
