//! `ebpack build [DIR]`: flags into settings, the library's build; progress
//! on stderr, `--output json` on stdout.

use super::args::BuildArgs;
use super::exit::{Error, ExitStatus};
use super::printer::Printer;
use super::{output, signals};
use ebpack::ops::build::{self, BuildSummary};

pub(super) fn run(args: BuildArgs, printer: Printer) -> Result<ExitStatus, Error> {
    let settings = args.settings_told(&printer)?;
    let cancel = signals::cancel_on_signals();
    let out = build::build(&settings, &args.request(), &printer, &cancel)?;
    output::json(&printer, args.output, &BuildSummary::from(&out))?;
    Ok(ExitStatus::Success)
}
