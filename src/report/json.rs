//! `check --format json`: one JSON document on stdout.

use serde::Serialize;

use super::{Report, Totals};
use crate::diagnostic::{Diagnostic, Severity};
use crate::error::Error;
use crate::source::Source;

/// `check --format json`: `{files: [{path, diagnostics: [{code, severity,
/// message, help, line, column, end_line, end_column, platform, fix}]}],
/// errors, warnings, fatal: [{path, message, help}]}`.
#[derive(Default)]
pub struct Json {
    files: Vec<JsonFile>,
    totals: Totals,
    fatal: Vec<JsonFatal>,
}

#[derive(Serialize)]
struct JsonFatal {
    path: String,
    message: String,
    help: Option<String>,
}

/// A fix: the replacement and the range it replaces.
#[derive(Serialize)]
struct JsonFix {
    replacement: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
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
    help: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    platform: Option<&'static str>,
    fix: Option<JsonFix>,
}

impl Report for Json {
    fn file(&mut self, source: &Source, diags: &[Diagnostic]) {
        self.totals.add(diags);
        self.files.push(JsonFile {
            path: source.name.clone(),
            diagnostics: diags
                .iter()
                .map(|d| {
                    let range = super::range(source, d);
                    JsonDiagnostic {
                        code: d.code.as_str(),
                        severity: d.severity,
                        message: d.message.clone(),
                        help: d.help.clone(),
                        line: range.map(|r| r.0.line),
                        column: range.map(|r| r.0.column),
                        end_line: range.map(|r| r.1.line),
                        end_column: range.map(|r| r.1.column),
                        platform: d.platform,
                        fix: d.fix.as_ref().map(|f| {
                            let (a, b) =
                                (source.position(f.span.start), source.position(f.span.end));
                            JsonFix {
                                replacement: f.replacement.clone(),
                                line: a.line,
                                column: a.column,
                                end_line: b.line,
                                end_column: b.column,
                            }
                        }),
                    }
                })
                .collect(),
        });
    }

    fn fatal(&mut self, path: &str, error: &Error) {
        self.fatal.push(JsonFatal {
            path: path.to_string(),
            message: error.to_string(),
            help: error.help().map(str::to_string),
        });
    }

    fn stdout(&mut self) -> String {
        #[derive(Serialize)]
        struct Out<'a> {
            files: &'a [JsonFile],
            errors: usize,
            warnings: usize,
            fatal: &'a [JsonFatal],
        }
        let out = Out {
            files: &self.files,
            errors: self.totals.errors,
            warnings: self.totals.warnings,
            fatal: &self.fatal,
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
        assert_eq!(d0["help"], "write `MM:SS`");
        assert_eq!((&d0["end_line"], &d0["end_column"]), (&3.into(), &6.into()));
        assert_eq!(d0["fix"], serde_json::Value::Null);
        assert_eq!(v["fatal"], serde_json::json!([]));
    }

    #[test]
    fn json_output_carries_fixes_and_fatal_failures() {
        use crate::error::ErrorKind;
        let (src, mut d) = sample();
        d[0] = d[0].clone().fix(crate::source::Span::new(21, 26), "01:15");
        let mut r = Json::default();
        r.file(&src, &d);
        r.fatal(
            "missing.md",
            &Error::new(ErrorKind::Read, "`missing.md` does not exist").with_help("check the path"),
        );
        let v: serde_json::Value = serde_json::from_str(&r.stdout()).unwrap();
        assert_eq!(
            v["files"][0]["diagnostics"][0]["fix"],
            serde_json::json!({"replacement": "01:15", "line": 3, "column": 1, "end_line": 3, "end_column": 6})
        );
        assert_eq!(
            v["fatal"],
            serde_json::json!([{"path": "missing.md", "message": "`missing.md` does not exist", "help": "check the path"}])
        );
    }
}
