//! Checks on the names and host paths the generated scripts create, chown
//! or write: every feature that touches the host goes through these, so a
//! setting can never point a generated `chown -R` at a system folder.

use super::{GenerateError, err};

pub(super) fn check_file_name(what: &str, name: &str) -> Result<(), GenerateError> {
    let ok = !name.is_empty()
        && !name.starts_with('.')
        && !name.starts_with('-')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(err(format!(
            "{what} `{name}` must be a plain file name (letters, digits, `.`, `_`, `-`)"
        )))
    }
}

/// Absolute, normalised (no `.`/`..`/empty segments, no trailing `/`), not
/// `/`, and free of control characters.
pub(super) fn check_abs_path(what: &str, p: &str) -> Result<(), GenerateError> {
    let ok = p.starts_with('/')
        && p.len() > 1
        && !p.ends_with('/')
        && !p.chars().any(char::is_control)
        && p[1..]
            .split('/')
            .all(|s| !s.is_empty() && s != "." && s != "..");
    if ok {
        Ok(())
    } else {
        Err(err(format!(
            "{what} `{}` must be a normalised absolute path other than `/`",
            p.escape_debug()
        )))
    }
}

pub(super) fn under(path: &str, dir: &str) -> bool {
    path == dir
        || path
            .strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Host folders ebpack never creates or chowns: the system itself, its
/// runtime and the container engine's state.
pub(super) fn system_path(p: &str) -> bool {
    const EXACT: &[&str] = &[
        "/", "/var", "/var/lib", "/var/app", "/var/log", "/opt", "/home", "/root", "/tmp",
        "/var/tmp", "/srv", "/mnt", "/media", "/data",
    ];
    const TREES: &[&str] = &[
        "/proc",
        "/sys",
        "/dev",
        "/run",
        "/var/run",
        "/etc",
        "/usr",
        "/bin",
        "/sbin",
        "/lib",
        "/lib32",
        "/lib64",
        "/boot",
        "/var/lib/docker",
        "/var/lib/containerd",
        "/var/lib/ecs",
        "/var/cache/ecs",
        "/var/lib/rpm",
        "/var/lib/yum",
        "/var/lib/dnf",
        "/var/log/containers",
        "/var/log/eb-docker",
        "/opt/elasticbeanstalk",
    ];
    let p = p.trim_end_matches('/');
    let p = if p.is_empty() { "/" } else { p };
    EXACT.contains(&p) || TREES.iter().any(|t| under(p, t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_paths() {
        assert!(system_path("/var/run/docker.sock"));
        assert!(system_path("/etc"));
        assert!(system_path("/var/lib"));
        assert!(!system_path("/tmp/public"));
        assert!(!system_path("/var/lib/ebpack/init"));
        assert!(!system_path("/var/log/app"));
        assert!(!system_path("/etcetera"));
    }

    #[test]
    fn paths_must_be_normalised() {
        assert!(check_abs_path("x", "/tmp/a").is_ok());
        for bad in [
            "",
            "/",
            "tmp",
            "/tmp/",
            "/tmp//a",
            "/tmp/../etc",
            "/a/./b",
            "/a\nb",
        ] {
            assert!(check_abs_path("x", bad).is_err(), "{bad:?}");
        }
    }
}
