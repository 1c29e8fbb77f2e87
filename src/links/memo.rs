//! Normalizations made ahead of need. The notes' parser, the duplicate
//! check and the platforms' context each ask about the same URLs: the
//! parser's line pre-pass normalizes the URLs of each line, on two threads
//! for long notes ([`Answer::of`]), and every later question about them is
//! looked up ([`Memo`]) instead of parsed again.

use std::collections::HashMap;
use std::sync::Arc;

use super::{dedup_key, gate_parsed, normalize, passes_gate, strip, Normalized, Problem, Rules};

/// What one URL normalized to, with its de-duplication key when that is
/// known without parsing again.
#[derive(Clone, Debug)]
pub(crate) struct Answer {
    normalized: Result<Normalized, Problem>,
    /// [`dedup_key`] of the normalized URL, when the URL was kept as
    /// written (the gate's parse is then the normalized URL's).
    key: Option<String>,
}

impl Answer {
    /// `written` (a URL as [`normalize`] takes it) normalized with `rules`.
    pub(crate) fn of(written: &str, rules: &Rules) -> Answer {
        match gate_parsed(written) {
            Ok((gated, parsed)) => {
                let key = (gated == written).then(|| parsed.as_str().to_string());
                let normalized = strip(gated, &parsed, rules);
                let key = key.filter(|_| normalized.url == written);
                Answer {
                    normalized: Ok(normalized),
                    key,
                }
            }
            Err(p) => Answer {
                normalized: Err(p),
                key: None,
            },
        }
    }

    /// [`normalize`]`(written, rules)` for the URL and rules it was made of.
    pub(crate) fn normalized(&self) -> &Result<Normalized, Problem> {
        &self.normalized
    }
}

/// The answers of a run of lines: for each line, each URL as written
/// with its answer.
pub(crate) type Answers = Vec<Vec<(String, Answer)>>;

/// The normalizations made ahead of need, and the rules they were made
/// with. Every question has the same answer as the function it stands
/// for; one it cannot answer is worked out then.
#[derive(Clone, Debug, Default)]
pub(crate) struct Memo {
    rules: Rules,
    answers: Arc<Answers>,
    /// Each URL as written: where its answer is in `answers`.
    at: Arc<HashMap<String, (usize, usize)>>,
}

impl Memo {
    /// The `answers` made with `rules`, indexed.
    pub(crate) fn new(rules: &Rules, answers: Arc<Answers>) -> Memo {
        let mut at = HashMap::with_capacity(answers.iter().map(Vec::len).sum());
        for (i, line) in answers.iter().enumerate() {
            for (k, (written, _)) in line.iter().enumerate() {
                at.entry(written.clone()).or_insert((i, k));
            }
        }
        Memo {
            rules: rules.clone(),
            answers,
            at: Arc::new(at),
        }
    }

    fn answer(&self, written: &str) -> Option<&Answer> {
        let &(i, k) = self.at.get(written)?;
        Some(&self.answers[i][k].1)
    }

    /// [`normalize`]`(written, rules)`.
    pub(crate) fn normalize(&self, written: &str, rules: &Rules) -> Result<Normalized, Problem> {
        if *rules == self.rules {
            if let Some(a) = self.answer(written) {
                return a.normalized.clone();
            }
        }
        normalize(written, rules)
    }

    /// [`passes_gate`]`(url)`: known when `url` was normalized to itself.
    pub(crate) fn passes_gate(&self, url: &str) -> bool {
        match self.answer(url) {
            Some(Answer {
                normalized: Ok(n), ..
            }) if n.url == url => true,
            _ => passes_gate(url),
        }
    }

    /// [`dedup_key`]`(url)`.
    pub(crate) fn dedup_key(&self, url: &str) -> std::borrow::Cow<'_, str> {
        match self.answer(url).and_then(|a| a.key.as_deref()) {
            Some(key) => key.into(),
            None => dedup_key(url).into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every answer is the function's answer: URLs kept, cleaned, refused.
    #[test]
    fn answers_are_the_functions_answers() {
        let rules = Rules {
            strip_params: vec!["ref".into()],
        };
        let urls = [
            "https://example.com/a?id=1",
            "https://Example.com",
            "https://example.com/a?utm_source=x&id=2#t",
            "https://example.com/a?ref=3",
            "http://example.com/a b",
            "javascript:alert(1)",
            "https:\\\\evil.example",
            "mailto:host@example.com",
            "https://[::1",
        ];
        for u in urls {
            assert_eq!(
                Answer::of(u, &rules).normalized(),
                &normalize(u, &rules),
                "{u}"
            );
        }
        // Two lines, one URL on both.
        let answers = vec![
            urls[..5]
                .iter()
                .map(|u| (u.to_string(), Answer::of(u, &rules)))
                .collect(),
            urls[4..]
                .iter()
                .map(|u| (u.to_string(), Answer::of(u, &rules)))
                .collect(),
        ];
        let memo = Memo::new(&rules, Arc::new(answers));
        for u in urls
            .iter()
            .chain(&["https://example.com/unlearned?utm_medium=y"])
        {
            assert_eq!(memo.normalize(u, &rules), normalize(u, &rules), "{u}");
            assert_eq!(memo.passes_gate(u), passes_gate(u), "{u}");
            if let Ok(n) = normalize(u, &rules) {
                assert_eq!(memo.dedup_key(&n.url), dedup_key(&n.url), "{u}");
            }
        }
        // Other rules: worked out again, not looked up.
        let none = Rules::default();
        let u = "https://example.com/a?ref=3";
        assert_eq!(memo.normalize(u, &none), normalize(u, &none));
        assert_ne!(memo.normalize(u, &none), memo.normalize(u, &rules));
    }
}
