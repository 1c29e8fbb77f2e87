//! The `shownotes` binary: everything lives in the library; see `cli`.

/// The system allocator, counting the heap of template renders so a user
/// template can't take the machine's memory (see `publish::limits`).
#[global_allocator]
static ALLOC: shownotes::publish::limits::BudgetAlloc = shownotes::publish::limits::BudgetAlloc;

fn main() -> std::process::ExitCode {
    shownotes::cli::main()
}
