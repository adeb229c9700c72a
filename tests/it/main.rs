//! The project's one integration test binary (the layout of ripgrep and
//! just): one link instead of one per file, and one helper module,
//! [`support`], that every test shares instead of copying helpers around.
//!
//! Run one area with a filter, e.g. `cargo test --test it build_pin::`.
//! The [`corpus`] tests need the external real-world corpus
//! (`EBPACK_CORPUS=DIR`, or `../shared/corpus` beside the checkout);
//! `tests/run.sh` skips them, saying so, when there is none.

mod support;

mod build_cli;
mod build_config;
mod build_determinism;
mod build_ebignore;
mod build_interrupt;
mod build_layout;
mod build_outputs;
mod build_pin;
mod cli_habits;
mod corpus;
mod deploy_cli;
mod deploy_emulator;
mod emulator;
mod first_errors;
mod generate_files;
mod generate_host;
mod generate_hostile;
mod hostile_bundles;
mod release_dockerfile;
mod release_install;
mod rules_bundles;
mod rules_coverage;
mod rules_dockerrun;
mod rules_ebextensions;
mod rules_platform_archive;
mod rules_positions;
mod rules_scale;
mod signals;
mod signals_stages;
