//! `ebpack publish`: build (or take `--bundle ZIP`), upload to S3, create
//! the application version. No environment is touched.

use super::args::PublishArgs;
use super::exit::{Error, ExitStatus};
use super::printer::Printer;
use super::{output, signals};
use ebpack::ops::publish;

pub(super) fn run(args: PublishArgs, printer: Printer) -> Result<ExitStatus, Error> {
    let settings = args.build.settings_told(&printer)?;
    let cancel = signals::cancel_on_signals();
    let aws = args.aws.settings(settings.region.as_deref());
    let summary = publish::publish(&settings, &args.request(), &aws, &printer, &cancel)?;
    output::json_and_github(&printer, args.build.output, &summary)?;
    Ok(ExitStatus::Success)
}
