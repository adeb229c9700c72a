//! The `ebpack` binary: parses flags (clap stays here, in `cli/`) and calls
//! the library.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
