//! `ebpack completions SHELL`: a completion script on stdout, generated
//! from the same command-line definition clap parses.

use super::exit::{Error, ExitStatus};
use super::printer::Printer;
use clap_complete::Shell;

#[derive(Debug, clap::Args)]
pub(super) struct Args {
    /// The shell to complete for. Install: bash `ebpack completions bash > /etc/bash_completion.d/ebpack`; zsh into a folder on `$fpath` as `_ebpack`; fish into `~/.config/fish/completions/ebpack.fish`.
    #[arg(value_enum)]
    shell: Shell,
}

pub(super) fn run(
    args: Args,
    mut cmd: clap::Command,
    printer: Printer,
) -> Result<ExitStatus, Error> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "ebpack", &mut script);
    printer.stdout(&String::from_utf8_lossy(&script))?;
    Ok(ExitStatus::Success)
}
