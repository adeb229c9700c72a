//! Helpers shared by every integration test: the local AWS emulator
//! ([`emulator`]), the fake Elastic Beanstalk host that runs generated files
//! ([`host`]), projects, runs of the binary and zip readers ([`project`]),
//! the validator as the rule and corpus tests call it ([`validation`]), and
//! rule cases and bundles kept as data files ([`cases`], [`bundles`]).

pub(crate) mod bundles;
pub(crate) mod cases;
pub(crate) mod emulator;
pub(crate) mod host;
pub(crate) mod project;
pub(crate) mod validation;

use ebpack::generate::GenerateConfig;
use std::path::{Path, PathBuf};

/// `rel` inside the repository (the package root).
pub(crate) fn repo_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// The text of the repository file `rel`; panics naming it.
pub(crate) fn repo_text(rel: &str) -> String {
    let path = repo_path(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The shipped example's Dockerrun (`eb/Dockerrun.aws.json`).
pub(crate) fn todobackend_dockerrun() -> String {
    repo_text("eb/Dockerrun.aws.json")
}

/// The `generate:` section of an `ebpack.yaml` text.
pub(crate) fn parse_generate_config(yaml: &str) -> Result<GenerateConfig, String> {
    #[derive(serde::Deserialize)]
    struct File {
        generate: GenerateConfig,
    }
    serde_saphyr::from_str::<File>(yaml)
        .map(|f| f.generate)
        .map_err(|e| e.to_string())
}

/// The `generate:` settings of the shipped `ebpack.yaml`.
pub(crate) fn example_generate_config() -> GenerateConfig {
    parse_generate_config(&repo_text("ebpack.yaml")).expect("ebpack.yaml parses")
}

/// Runs `check` on every fixture under `dir` (relative to the calling test
/// file's folder) whose name matches `pattern`, and snapshots what it
/// returns, one snapshot per fixture, in `snapshots/<snapshots>/`.
macro_rules! snapshot_each_fixture {
    ($dir:literal, $pattern:literal, $snapshots:literal, $check:expr) => {
        insta::with_settings!({
            snapshot_path => concat!("snapshots/", $snapshots),
            prepend_module_to_snapshot => false,
        }, {
            insta::glob!($dir, $pattern, |path| {
                insta::assert_snapshot!("findings", $check(path));
            });
        })
    };
}
pub(crate) use snapshot_each_fixture;
