//! Application version labels.
//!
//! In order: `--label`; in CodeBuild, `<CODEBUILD_RESOLVED_SOURCE_VERSION>.<job id>`
//! (the seed's `APP_VERSION`, the job id being `CODEBUILD_BUILD_ID` without
//! its `<project>:` prefix); else the git short sha and a content hash
//! (`<sha>-<hash>`), or the content hash alone outside git. EB accepts 1–100
//! characters without `/`; derived labels are also limited to
//! `[A-Za-z0-9._-]` so they are safe in file names and S3 keys.

use std::path::Path;

/// Longest label EB accepts.
pub const MAX_LEN: usize = 100;
/// Hex digits of the content hash used in derived labels.
pub const HASH_LEN: usize = 12;

/// Where the label came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LabelSource {
    /// `--label`, `EBPACK_LABEL` or configuration.
    Given,
    /// CodeBuild variables.
    Codebuild,
    /// Git short sha plus content hash.
    Git,
    /// Content hash only.
    Content,
}

/// What the label is derived from, gathered by the caller.
#[derive(Debug, Clone, Default)]
pub struct LabelInputs {
    /// An explicit label.
    pub given: Option<String>,
    /// `CODEBUILD_RESOLVED_SOURCE_VERSION`.
    pub codebuild_source_version: Option<String>,
    /// `CODEBUILD_BUILD_ID`.
    pub codebuild_build_id: Option<String>,
    /// `git rev-parse --short HEAD`, if in a repository.
    pub git_short_sha: Option<String>,
}

/// Checks a label EB would accept and ebpack can use as a file name.
pub fn validate(label: &str) -> Result<(), String> {
    let n = label.chars().count();
    if n == 0 {
        return Err("the label is empty; it needs 1 to 100 characters".into());
    }
    if n > MAX_LEN {
        return Err(format!(
            "the label `{label}` has {n} characters; Elastic Beanstalk allows at most {MAX_LEN}"
        ));
    }
    if label.contains('/') {
        return Err(format!(
            "the label `{label}` contains `/`, which Elastic Beanstalk does not allow"
        ));
    }
    if let Some(c) = label.chars().find(|c| c.is_control() || *c == '\\') {
        return Err(format!(
            "the label `{}` contains {c:?}, which cannot be used in a file name",
            label.escape_debug()
        ));
    }
    if label == "." || label == ".." {
        return Err(format!("the label `{label}` cannot be used as a file name"));
    }
    Ok(())
}

/// Replaces characters outside `[A-Za-z0-9._-]` with `-` and cuts to 100.
pub fn sanitize(raw: &str) -> String {
    let s: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .take(MAX_LEN)
        .collect();
    if s.is_empty() || s == "." || s == ".." {
        "-".into()
    } else {
        s
    }
}

fn nonempty(o: &Option<String>) -> Option<&str> {
    o.as_deref().filter(|s| !s.trim().is_empty())
}

/// The label before the bundle exists: given or CodeBuild. `None` means it
/// is derived from the content hash once the archive is written.
pub fn early(inputs: &LabelInputs) -> Result<Option<(String, LabelSource)>, String> {
    if let Some(given) = &inputs.given {
        validate(given)?;
        return Ok(Some((given.clone(), LabelSource::Given)));
    }
    if let (Some(sha), Some(id)) = (
        nonempty(&inputs.codebuild_source_version),
        nonempty(&inputs.codebuild_build_id),
    ) {
        let job = id.split_once(':').map_or(id, |(_, job)| job);
        return Ok(Some((
            sanitize(&format!("{}.{}", sha.trim(), job.trim())),
            LabelSource::Codebuild,
        )));
    }
    Ok(None)
}

/// The label from the archive's sha256 (and the git sha, if any).
pub fn from_content(inputs: &LabelInputs, sha256: &str) -> (String, LabelSource) {
    let hash = &sha256[..HASH_LEN.min(sha256.len())];
    match inputs.git_short_sha.as_deref().filter(|s| !s.is_empty()) {
        Some(git) => (sanitize(&format!("{git}-{hash}")), LabelSource::Git),
        None => (hash.to_owned(), LabelSource::Content),
    }
}

/// `git rev-parse --short HEAD` in `dir`, or `None` without git or a repository.
pub fn git_short_sha(dir: &Path) -> Option<String> {
    let out = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let sha = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (out.status.success() && !sha.is_empty() && sha.chars().all(|c| c.is_ascii_hexdigit()))
        .then_some(sha)
}

/// The current git branch in `dir` (for the EB CLI's `branch-defaults`).
pub fn git_branch(dir: &Path) -> Option<String> {
    let out = std::process::Command::new("git")
        .args(["rev-parse", "--abbrev-ref", "HEAD"])
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let b = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (out.status.success() && !b.is_empty() && b != "HEAD").then_some(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codebuild_label_is_the_seed_app_version() {
        let inputs = LabelInputs {
            codebuild_source_version: Some("ab7ac16f00".into()),
            codebuild_build_id: Some("todobackend:2d8c-11e8 x".into()),
            git_short_sha: Some("zzz".into()),
            ..Default::default()
        };
        let (l, s) = early(&inputs).unwrap().unwrap();
        assert_eq!(l, "ab7ac16f00.2d8c-11e8-x");
        assert_eq!(s, LabelSource::Codebuild);
    }

    #[test]
    fn given_labels_are_checked() {
        let with = |l: &str| LabelInputs {
            given: Some(l.into()),
            ..Default::default()
        };
        assert!(early(&with("v1.2 (rc)")).unwrap().is_some());
        assert!(early(&with("")).is_err());
        assert!(early(&with("a/b")).unwrap_err().contains("`/`"));
        assert!(early(&with(&"x".repeat(101))).unwrap_err().contains("101"));
        assert!(early(&with(&"x".repeat(100))).is_ok());
        assert!(early(&with("a\nb")).is_err());
    }

    #[test]
    fn content_labels() {
        let sha = "0123456789abcdef0123";
        let (l, s) = from_content(&LabelInputs::default(), sha);
        assert_eq!((l.as_str(), s), ("0123456789ab", LabelSource::Content));
        let git = LabelInputs {
            git_short_sha: Some("ab7ac16".into()),
            ..Default::default()
        };
        assert_eq!(from_content(&git, sha).0, "ab7ac16-0123456789ab");
        assert_eq!(sanitize(&"é".repeat(300)).len(), 100);
    }
}
