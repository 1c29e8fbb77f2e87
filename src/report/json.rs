//! `check --format json`: one JSON document on stdout.

use serde::Serialize;

use super::{Report, Totals};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Source;

/// `check --format json`: `{files: [{path, diagnostics: [{code, severity,
/// message, line, column, platform}]}], errors, warnings}`.
#[derive(Default)]
pub struct Json {
    files: Vec<JsonFile>,
    totals: Totals,
}

#[derive(Serialize)]
struct JsonFile {
    path: String,
    diagnostics: Vec<JsonDiagnostic>,
}

#[derive(Serialize)]
struct JsonDiagnostic {
    code: &'static str,
    severity: Severity,
    message: String,
    line: Option<usize>,
    column: Option<usize>,
    platform: Option<&'static str>,
}

impl Report for Json {
    fn file(&mut self, source: &Source, diags: &[Diagnostic]) {
        self.totals.add(diags);
        self.files.push(JsonFile {
            path: source.name.clone(),
            diagnostics: diags
                .iter()
                .map(|d| {
                    let pos = d.span.map(|s| source.position(s.start));
                    JsonDiagnostic {
                        code: d.code.as_str(),
                        severity: d.severity,
                        message: d.message.clone(),
                        line: pos.map(|p| p.line),
                        column: pos.map(|p| p.column),
                        platform: d.platform,
                    }
                })
                .collect(),
        });
    }

    fn stdout(&mut self) -> String {
        #[derive(Serialize)]
        struct Out<'a> {
            files: &'a [JsonFile],
            errors: usize,
            warnings: usize,
        }
        let out = Out {
            files: &self.files,
            errors: self.totals.errors,
            warnings: self.totals.warnings,
        };
        let mut s = serde_json::to_string_pretty(&out).unwrap_or_default();
        s.push('\n');
        s
    }

    fn stderr(&mut self) -> String {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample;

    #[test]
    fn json_output_has_the_documented_shape() {
        let (src, d) = sample();
        let mut r = Json::default();
        r.file(&src, &d);
        let v: serde_json::Value = serde_json::from_str(&r.stdout()).unwrap();
        assert_eq!(v["errors"], 1);
        assert_eq!(v["warnings"], 1);
        let d0 = &v["files"][0]["diagnostics"][0];
        assert_eq!(v["files"][0]["path"], "ep.md");
        assert_eq!(d0["code"], "chapter-bad-timestamp");
        assert_eq!(d0["severity"], "error");
        assert_eq!(d0["line"], 3);
        assert_eq!(d0["column"], 1);
        assert_eq!(d0["platform"], serde_json::Value::Null);
    }
}
