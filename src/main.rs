//! The `shownotes` binary: the command line over the `shownotes` library.

mod cli;

/// The system allocator, counting the heap of template renders so a user
/// template can't take the machine's memory (see `render::limits`).
#[global_allocator]
static ALLOC: shownotes::render::limits::BudgetAlloc = shownotes::render::limits::BudgetAlloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
