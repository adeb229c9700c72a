//! Why [`super::connect`] found no region or no credentials, in the user's
//! terms: a profile that is not defined (with the close match), a profile
//! without a region, an AWS SSO sign-in that has expired, half a key pair,
//! or nothing at all — each with the one command or setting that fixes it.
//!
//! Read only after a failure, from the same shared config files the SDK
//! read (`~/.aws/config`, `~/.aws/credentials`, or `AWS_CONFIG_FILE` /
//! `AWS_SHARED_CREDENTIALS_FILE`). Only names are shown: never a key, a
//! token or a file's contents.

use super::error_chain;
use crate::deploy::ports::{AwsError, ErrorKind};
use crate::suggest::{did_you_mean, name_list};
use aws_runtime::env_config::file::EnvConfigFiles;
use aws_types::os_shim_internal::{Env, Fs};
use std::borrow::Cow;

/// The variables that set a key pair from the environment.
const KEY_ID: &str = "AWS_ACCESS_KEY_ID";
const SECRET: &str = "AWS_SECRET_ACCESS_KEY";
/// Every way the default chain finds credentials, as the help names them.
const WAYS: &str = "set `AWS_PROFILE`/`--profile`, `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, SSO or a web identity token";

/// What the shared config files say about the profile in use.
#[derive(Debug, Clone, Default)]
pub(super) struct ProfileFacts {
    /// The profile in use (`default` when none is named).
    name: String,
    /// Named by `--profile` or `AWS_PROFILE` rather than the implicit `default`.
    named: bool,
    /// Defined in one of the files.
    defined: bool,
    /// Signs in with AWS SSO / IAM Identity Center (`sso_session` or `sso_start_url`).
    sso: bool,
    /// Sets a `region`.
    region: bool,
    /// Every profile the files define.
    all: Vec<String>,
}

impl ProfileFacts {
    /// Reads the files for `profile` (else `AWS_PROFILE`, else `default`);
    /// `None` when they cannot be read or parsed (the SDK says why then).
    pub(super) async fn load(profile: Option<&str>) -> Option<Self> {
        let profile = profile.filter(|p| !p.trim().is_empty());
        let set = aws_config::profile::load(
            &Fs::real(),
            &Env::real(),
            &EnvConfigFiles::default(),
            profile.map(|p| Cow::Owned(p.to_owned())),
        )
        .await
        .ok()?;
        let name = set.selected_profile().to_owned();
        let named =
            profile.is_some() || std::env::var("AWS_PROFILE").is_ok_and(|p| !p.trim().is_empty());
        let found = set.get_profile(&name);
        Some(Self {
            named,
            defined: found.is_some(),
            sso: found.is_some_and(|p| {
                p.get("sso_session").is_some() || p.get("sso_start_url").is_some()
            }),
            region: found.is_some_and(|p| p.get("region").is_some()),
            all: {
                let mut all: Vec<String> = set.profiles().map(str::to_owned).collect();
                all.sort();
                all
            },
            name,
        })
    }

    /// The error for a named profile the files do not define, if that is the case.
    fn undefined(&self) -> Option<AwsError> {
        if !self.named || self.defined {
            return None;
        }
        let name = &self.name;
        let create = format!(
            "create it with `aws configure --profile {name}` (keys) or `aws configure sso --profile {name}`, or unset `AWS_PROFILE`"
        );
        let help = match did_you_mean(name, &self.all) {
            Some(close) => format!("{close} or {create}"),
            None if self.all.is_empty() => create,
            None => {
                let all: Vec<&str> = self.all.iter().map(String::as_str).collect();
                format!("profiles defined: {}; or {create}", name_list(&all, 5))
            }
        };
        Some(
            AwsError::new(
                ErrorKind::Auth,
                "configuration",
                format!(
                    "profile `{name}` is not defined in `{}` or `{}`",
                    file_or("AWS_CONFIG_FILE", "~/.aws/config"),
                    file_or("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials")
                ),
            )
            .with_hint(help),
        )
    }

    /// `[profile NAME]`, or `[default]`.
    fn section(&self) -> String {
        if self.name == "default" {
            "[default]".into()
        } else {
            format!("[profile {}]", self.name)
        }
    }
}

/// The shared file the SDK read: the variable's path when set, else the default.
fn file_or(var: &str, default: &str) -> String {
    std::env::var(var)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| default.to_owned())
}

/// No region from any source.
pub(super) fn no_region(facts: Option<&ProfileFacts>) -> AwsError {
    if let Some(e) = facts.and_then(ProfileFacts::undefined) {
        return e;
    }
    let hint = match facts {
        Some(f) if f.defined && !f.region => {
            format!(
                "profile `{}` sets no region: add `region = REGION` (your environment's, e.g. `eu-west-1`) under `{}` in `~/.aws/config`, or pass `--region`",
                f.name,
                f.section()
            )
        }
        _ => "use the region of your Elastic Beanstalk environment, e.g. `--region eu-west-1` or `region: eu-west-1` in ebpack.yaml".into(),
    };
    AwsError::new(
        ErrorKind::Auth,
        "configuration",
        "no AWS region: pass `--region`, set `AWS_REGION`, or set `region` in your profile or ebpack.yaml",
    )
    .with_hint(hint)
}

/// The credential chain failed with `err`.
pub(super) fn no_credentials(
    err: &(dyn std::error::Error + 'static),
    facts: Option<&ProfileFacts>,
) -> AwsError {
    if let Some(e) = facts.and_then(ProfileFacts::undefined) {
        return e;
    }
    let chain = error_chain(err);
    let failed = |reason: String, hint: String| {
        AwsError::new(
            ErrorKind::Auth,
            "credentials",
            format!("no usable AWS credentials ({reason})"),
        )
        .with_hint(hint)
    };
    // Keys in the environment win over every profile, SSO included.
    let set = |k: &str| std::env::var_os(k).is_some_and(|v| !v.is_empty());
    match (set(KEY_ID), set(SECRET)) {
        (true, false) => {
            return failed(
                format!("`{KEY_ID}` is set without `{SECRET}`"),
                format!(
                    "{WAYS}: the two keys go together (with `AWS_SESSION_TOKEN` for temporary ones)"
                ),
            );
        }
        (false, true) => {
            return failed(
                format!("`{SECRET}` is set without `{KEY_ID}`"),
                format!(
                    "{WAYS}: the two keys go together (with `AWS_SESSION_TOKEN` for temporary ones)"
                ),
            );
        }
        _ => {}
    }
    if let Some(f) = facts.filter(|f| f.sso && f.defined) {
        let login = format!("aws sso login --profile {}", f.name);
        if chain.contains("dispatch failure") {
            return failed(
                chain,
                format!(
                    "profile `{}` signs in with AWS SSO, which needs the network: check it and the proxy; if the session has expired, run `{login}`",
                    f.name
                ),
            );
        }
        let reason = if chain.contains("expired") {
            format!("the AWS SSO session of profile `{}` has expired", f.name)
        } else {
            format!("AWS SSO profile `{}`: {chain}", f.name)
        };
        return failed(
            reason,
            format!("sign in again with `{login}`, then re-run ebpack"),
        );
    }
    if chain.contains("no credentials found in chain") {
        return failed(
            "none found in the environment, the AWS config files, a web identity token, or a container or instance role".into(),
            format!("{WAYS}; to set up a profile, run `aws configure` (keys) or `aws configure sso`"),
        );
    }
    failed(chain, WAYS.to_owned())
}
