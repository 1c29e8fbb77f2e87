//! CLI behaviour as trycmd cases: `tests/cmd/<case>.toml` runs in
//! `tests/cmd/<case>.in/`; expected stdout and stderr sit beside it.
//! Regenerate after an intended change with `TRYCMD=overwrite cargo test --test cli`.

#[test]
fn cli_cases() {
    trycmd::TestCases::new()
        .env("NO_COLOR", "1")
        .case("tests/cmd/*.toml");
}
