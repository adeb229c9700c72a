//! Feature 4: leader-only migrations. Every instance clears the commands
//! file on the init volume; only the leader writes the migration command
//! into it, and the container entrypoint runs what it finds.

use super::init_volume::InitPlan;
use super::paths::check_file_name;
use super::render::{chomp, indent, render, sh_quote, templates as t};
use super::{GenerateError, GeneratedFile, Migrations, err};

/// `.ebextensions/` file of feature 4.
pub const MIGRATIONS_PATH: &str = ".ebextensions/000_ebpack_04_migrations.config";

pub(super) fn migrations(m: &Migrations, init: &InitPlan) -> Result<GeneratedFile, GenerateError> {
    check_file_name("generate.migrations.file", &m.file)?;
    if m.command.trim().is_empty() {
        return Err(err("generate.migrations.command is empty"));
    }
    if m.command
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(err(
            "generate.migrations.command holds control characters (only newlines and tabs are allowed)",
        ));
    }
    let path = init.host_file(&m.file);
    let init_dir = init.init_dir_snippet();
    let dir = sh_quote(&init.source_path);
    let path_q = sh_quote(&path);
    let clear = render(
        t::CLEAR_COMMANDS_SH,
        &[
            ("dir", &dir),
            ("path", &path_q),
            ("init_dir", chomp(&init_dir)),
        ],
    );
    let write = render(
        t::WRITE_COMMANDS_SH,
        &[
            ("dir", &dir),
            ("path", &path_q),
            ("init_dir", chomp(&init_dir)),
            ("command", &sh_quote(m.command.trim_end_matches('\n'))),
            ("owner", &init.owner.to_string()),
            ("file_mode", &init.file_mode.octal()),
        ],
    );
    let content = render(
        t::MIGRATIONS_CONFIG,
        &[
            ("path", &path),
            ("clear_script", chomp(&indent(&clear, 6))),
            ("write_script", chomp(&indent(&write, 6))),
        ],
    );
    Ok(GeneratedFile::config(MIGRATIONS_PATH, content))
}
