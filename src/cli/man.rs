//! `ebpack man`: the manual page ebpack(1) on stdout, or with `--out DIR`
//! one page per command (`ebpack.1`, `ebpack-build.1`, …), generated from
//! the command-line definition so they never drift from `--help`.

use super::exit::{Error, ExitStatus};
use super::printer::Printer;
use ebpack::ops;
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub(super) struct Args {
    /// Write one page per command into DIR (created if missing) instead of printing ebpack(1).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

pub(super) fn run(args: Args, cmd: clap::Command, printer: Printer) -> Result<ExitStatus, Error> {
    let mut cmd = cmd.disable_help_subcommand(true);
    cmd.build();
    let Some(dir) = args.out else {
        let mut page = Vec::new();
        render(&cmd, &mut page).map_err(|e| ops::Error::Io(e.to_string()))?;
        printer.stdout(&String::from_utf8_lossy(&page))?;
        return Ok(ExitStatus::Success);
    };
    std::fs::create_dir_all(&dir)
        .map_err(|e| ops::Error::Io(format!("cannot create `{}`: {e}", dir.display())))?;
    let mut pages = vec![cmd.clone()];
    pages.extend(cmd.get_subcommands().filter(|c| !c.is_hide_set()).cloned());
    for page in pages {
        let path = write_page(page, &dir)?;
        printer.note(&format!("wrote {}\n", path.display()));
    }
    Ok(ExitStatus::Success)
}

fn render(cmd: &clap::Command, out: &mut Vec<u8>) -> std::io::Result<()> {
    clap_mangen::Man::new(cmd.clone()).render(out)
}

fn write_page(cmd: clap::Command, dir: &Path) -> Result<PathBuf, Error> {
    let man = clap_mangen::Man::new(cmd);
    let path = dir.join(man.get_filename());
    let mut page = Vec::new();
    man.render(&mut page)
        .and_then(|()| std::fs::write(&path, page))
        .map_err(|e| ops::Error::Io(format!("cannot write `{}`: {e}", path.display())))?;
    Ok(path)
}
