//! Any bytes as a .ebextensions config: parse + every rule, never a panic, and
//! every finding's position lies inside the text.
#![no_main]

use ebpack::diag::Report;
use ebpack::validate::{Options, Platform, validate_config_file};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for platform in [Platform::EcsAl2, Platform::McAl1, Platform::DockerAl2] {
        let options = Options { platform, allow_unknown_keys: false };
        let mut report = Report::default();
        validate_config_file(".ebextensions/01.config", data, &options, None, &mut report);
        check(&report, data);
        let _ = ebpack::diag::render::human_report(&report, false);
    }
});

fn check(report: &Report, data: &[u8]) {
    let lines = data.iter().filter(|&&b| b == b'\n').count() + 1;
    for d in &report.diagnostics {
        assert!(d.line >= 1 && d.line <= lines, "{d:?}");
        assert!(d.column >= 1);
        if let Some(span) = &d.span {
            assert!(span.start <= span.end && span.end <= data.len(), "{d:?}");
        }
    }
}
