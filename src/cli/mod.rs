//! Command-line parsing and dispatch. Only this module knows clap.
//!
//! Each command's file parses its flags, calls one library function and
//! prints the result; it returns an [`ExitStatus`] or an [`Error`].
//! [`main`] is the one path from there to the process: it prints an error
//! once (findings, `error: …` with its causes, `help: …`) and turns either
//! into the documented exit code of [`exit`]. Shared flag groups live in
//! [`args`], all output goes through [`printer::Printer`], and
//! [`signals`] hands build, upload and wait their cancellation token.

mod args;
mod build;
mod completions;
mod deploy;
mod entrypoint;
mod exit;
mod generate;
mod help;
mod inspect;
mod logging;
mod man;
mod observe;
mod output;
mod plan;
mod printer;
mod publish;
mod signals;
mod validate;
mod versions;

use clap::{ArgAction, CommandFactory, Parser, Subcommand};
use exit::{Error, ExitStatus};
use printer::Printer;
use std::io::IsTerminal;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "ebpack",
    version,
    about = "Validate, build, publish and deploy Docker source bundles for AWS Elastic Beanstalk",
    after_help = exit::TABLE,
    propagate_version = true
)]
struct Cli {
    /// When to use colors on stderr.
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// More detail on stderr: -v shows each AWS call (operation, status, request id, time) and
    /// ebpack's steps; -vv adds the AWS SDK's debug logs.
    #[arg(short, long, global = true, action = ArgAction::Count)]
    verbose: u8,
    /// Only errors and the outcome of a failure on stderr: no progress, events or warnings.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check a bundle folder, a built zip, or a single Dockerrun/.config file.
    #[command(after_help = help::VALIDATE)]
    Validate(validate::Args),
    /// Validate, pin image tags, generate ebextensions and write a deterministic zip, manifest and version.json.
    #[command(after_help = help::build())]
    Build(args::BuildArgs),
    /// List a built zip's entries (modes, sizes), its sha256, and validate it.
    #[command(after_help = help::INSPECT)]
    Inspect(inspect::Args),
    /// Build (or take --bundle), upload to S3 and create the application version. No environment is touched.
    #[command(after_help = help::publish())]
    Publish(args::PublishArgs),
    /// Publish (or take --version), update the environment and wait until it is really done.
    #[command(after_help = help::deploy(), disable_version_flag = true)]
    Deploy(deploy::Args),
    /// Show what an environment runs: version (and on how many instances), status, health and its causes, CNAME, latest events.
    #[command(after_help = help::STATUS)]
    Status(observe::StatusArgs),
    /// Print an environment's events, oldest first; --follow keeps printing new ones until Ctrl-C.
    #[command(after_help = help::EVENTS)]
    Events(observe::EventsArgs),
    /// What deploying a bundle (or --version) to an environment would change: images, containers, option settings, files.
    #[command(after_help = help::PLAN, disable_version_flag = true)]
    Plan(plan::Args),
    /// Swap two environments' CNAMEs (blue/green) and check that both are Ready and each CNAME moved.
    #[command(after_help = help::SWAP)]
    Swap(observe::SwapArgs),
    /// List an application's versions, or prune old ones (never one an environment runs or would roll back to).
    #[command(after_help = help::VERSIONS)]
    Versions(versions::Args),
    /// Print (or with --write write) the .ebextensions ebpack generates from ebpack.yaml.
    #[command(after_help = help::generate())]
    Generate(generate::Args),
    /// Print the POSIX sh container entrypoint that loads the generated env file.
    Entrypoint(entrypoint::Args),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(completions::Args),
    /// Print the manual page, or write one page per command with --out DIR.
    Man(man::Args),
}

/// Parses the command line, runs the command and returns its exit code.
pub(crate) fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            });
        }
    };
    let no_color = std::env::var_os("NO_COLOR").is_some();
    let color = match cli.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => !no_color && std::io::stderr().is_terminal(),
    };
    let printer = Printer::new(color, cli.quiet);
    logging::init(cli.verbose);
    let code = match run(cli.command, printer) {
        Ok(status) => status.code(),
        Err(e) => {
            if !matches!(e, Error::StdoutClosed) {
                printer.error(&e);
            }
            e.code()
        }
    };
    ExitCode::from(code)
}

fn run(command: Command, printer: Printer) -> Result<ExitStatus, Error> {
    match command {
        Command::Validate(args) => validate::run(args, printer),
        Command::Build(args) => build::run(args, printer),
        Command::Inspect(args) => inspect::run(args, printer),
        Command::Publish(args) => publish::run(args, printer),
        Command::Deploy(args) => deploy::run(args, printer),
        Command::Generate(args) => generate::run(args, printer),
        Command::Status(args) => observe::status(args, printer),
        Command::Events(args) => observe::events(args, printer),
        Command::Versions(args) => versions::run(args, printer),
        Command::Swap(args) => observe::swap(args, printer),
        Command::Plan(args) => plan::run(args, printer),
        Command::Entrypoint(args) => entrypoint::run(args, printer),
        Command::Completions(args) => completions::run(args, Cli::command(), printer),
        Command::Man(args) => man::run(args, Cli::command(), printer),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
