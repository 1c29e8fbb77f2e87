//! The `shownotes` binary: everything lives in the library; see `cli`.

fn main() -> std::process::ExitCode {
    shownotes::cli::main()
}
