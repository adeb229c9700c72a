//! Command-line parsing and dispatch. Only this module knows clap; each
//! command's file turns its flags into the library's plain settings structs
//! and maps outcomes to the exit codes of [`ebpack::exit`].

mod aws;
mod build;
mod deploy;
mod entrypoint;
mod generate;
mod inspect;
mod publish;
mod validate;

use clap::{Parser, Subcommand};
use ebpack::exit;
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
    #[command(after_help = exit::TABLE)]
    Validate(validate::Args),
    /// Validate, pin image tags, generate ebextensions and write a deterministic zip, manifest and version.json.
    #[command(after_help = exit::TABLE)]
    Build(build::Args),
    /// List a built zip's entries (modes, sizes), its sha256, and validate it.
    #[command(after_help = exit::TABLE)]
    Inspect(inspect::Args),
    /// Build (or take --bundle), upload to S3 and create the application version. No environment is touched.
    #[command(after_help = exit::TABLE)]
    Publish(publish::Args),
    /// Publish (or take --version), update the environment and wait until it is really done.
    #[command(after_help = exit::TABLE, disable_version_flag = true)]
    Deploy(deploy::Args),
    /// Print (or with --write write) the .ebextensions ebpack generates from ebpack.yaml.
    #[command(after_help = exit::TABLE)]
    Generate(generate::Args),
    /// Print the POSIX sh container entrypoint that loads the generated env file.
    Entrypoint(entrypoint::Args),
}

/// Global output settings every command gets.
#[derive(Debug, Clone, Copy)]
pub struct Global {
    /// Colors on stderr.
    pub color: bool,
}

/// Parses the command line and runs the command.
pub fn main() -> ExitCode {
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
    let color = match cli.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal(),
    };
    let global = Global { color };
    let code = match cli.command {
        Command::Validate(args) => validate::run(args, global),
        Command::Build(args) => build::run(args, global),
        Command::Inspect(args) => inspect::run(args, global),
        Command::Publish(args) => publish::run(args, global),
        Command::Deploy(args) => deploy::run(args, global),
        Command::Generate(args) => generate::run(args, global),
        Command::Entrypoint(args) => entrypoint::run(args, global),
    };
    ExitCode::from(code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
