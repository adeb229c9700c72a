//! ebpack: validate, build, publish and deploy Docker source bundles for AWS
//! Elastic Beanstalk.
//!
//! The library holds all logic; the `ebpack` binary only parses flags and
//! calls it. Layers, from the bottom:
//! - [`source`], [`syntax`]: text with positions, JSON and YAML parsed into
//!   one spanned tree so every finding can point at the offending node.
//! - [`diag`]: findings with stable codes, rendered for people or as JSON.
//! - [`validate`]: the bundle rules of `docs/rules.md`, offline.
//! - [`config`]: `ebpack.yaml`, `EBPACK_*` and the EB CLI's file resolved
//!   into plain settings; [`pin`], [`label`], [`bundle`] (the deterministic
//!   zip) and [`manifest`], tied together by [`build`].
//! - [`deploy`]: publish and deploy written against a seam of two traits,
//!   with [`aws`] as the real side of it.
//! - [`ops`]: the commands (build, publish, deploy) composed from the
//!   layers above, each returning a typed summary; [`cancel`] stops them.
//!
//! Nothing here but the AWS module touches the network.
#![deny(missing_docs)]

pub mod aws;
pub mod bounded;
pub mod build;
pub mod bundle;
pub mod cancel;
pub mod config;
pub mod deploy;
pub mod diag;
pub mod fileset;
pub mod generate;
pub mod label;
pub mod manifest;
pub mod ops;
pub mod outputs;
pub mod pin;
pub mod plan;
pub mod source;
pub mod suggest;
pub mod syntax;
pub mod validate;
