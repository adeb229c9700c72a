//! Checks on the names and host paths the generated scripts create, chown
//! or write: every feature that touches the host goes through these, so a
//! setting can never point a generated `chown -R` at a system folder.

use super::{GenerateError, err};

/// Characters that YAML 1.1 parsers of the libyaml family (PyYAML, which
/// Elastic Beanstalk's tooling uses to read `.ebextensions`) take as line
/// breaks (NEL U+0085, LINE SEPARATOR U+2028, PARAGRAPH SEPARATOR U+2029;
/// YAML 1.1 §5.4) or treat as a byte-order mark (U+FEFF), while YAML 1.2
/// (ebpack's own parser) reads them as text. One of them inside a
/// generated scalar, comment or block script ends the line there for EB,
/// so what follows it is read as YAML of its own: refused in every value
/// ebpack writes into a generated file.
pub(super) const YAML11_BREAKS: [char; 4] = ['\u{85}', '\u{2028}', '\u{2029}', '\u{feff}'];

/// The first [`YAML11_BREAKS`] character in `s`, named.
pub(super) fn yaml11_break(s: &str) -> Option<&'static str> {
    let c = s.chars().find(|c| YAML11_BREAKS.contains(c))?;
    Some(match c {
        '\u{85}' => "U+0085 (NEXT LINE)",
        '\u{2028}' => "U+2028 (LINE SEPARATOR)",
        '\u{2029}' => "U+2029 (PARAGRAPH SEPARATOR)",
        _ => "U+FEFF (BYTE ORDER MARK)",
    })
}

/// Refuses a value that would hold a [`YAML11_BREAKS`] character in a
/// generated file.
pub(super) fn check_text(what: &str, s: &str) -> Result<(), GenerateError> {
    match yaml11_break(s) {
        None => Ok(()),
        Some(c) => Err(err(format!(
            "{what} holds {c}, which YAML 1.1 parsers such as PyYAML (what Elastic Beanstalk reads `.ebextensions` with) take as a line break: the text after it would become YAML of its own; remove it"
        ))),
    }
}

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
/// `/`, and free of control characters and [`YAML11_BREAKS`].
pub(super) fn check_abs_path(what: &str, p: &str) -> Result<(), GenerateError> {
    check_text(what, p)?;
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
/// runtime, the container engine's state, and every user's home (a volume
/// at `/root/.ssh` or `/home/ec2-user/.ssh` must not be given to the
/// containers' user). `EXACT` folders are refused themselves (their
/// sub-folders are where applications keep data); `TREES` with everything
/// beneath them.
pub(super) fn system_path(p: &str) -> bool {
    const EXACT: &[&str] = &[
        "/", "/var", "/var/lib", "/var/log", "/opt", "/tmp", "/var/tmp", "/srv", "/mnt", "/media",
        "/data",
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
        "/root",
        "/home",
        "/snap",
        "/lost+found",
        "/var/app",
        "/var/cache",
        "/var/db",
        "/var/mail",
        "/var/spool",
        "/var/lib/amazon",
        "/var/lib/cloud",
        "/var/lib/docker",
        "/var/lib/containerd",
        "/var/lib/ecs",
        "/var/lib/private",
        "/var/lib/systemd",
        "/var/lib/rpm",
        "/var/lib/yum",
        "/var/lib/dnf",
        "/var/log/audit",
        "/var/log/journal",
        "/var/log/containers",
        "/var/log/eb-docker",
        "/opt/aws",
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
        // Homes are trees: nothing under them is chowned.
        for home in [
            "/root",
            "/root/.ssh",
            "/home",
            "/home/ec2-user",
            "/home/ec2-user/.ssh",
            "/home/x/app/data",
            "/var/app/staging",
        ] {
            assert!(system_path(home), "{home}");
        }
        assert!(!system_path("/homework"));
        assert!(!system_path("/var/lib/app"));
    }

    #[test]
    fn yaml11_line_breaks_are_refused() {
        for c in YAML11_BREAKS {
            let v = format!("/init{c}commands:");
            assert!(check_text("x", &v).is_err(), "{c:?}");
            assert!(check_abs_path("x", &v).is_err(), "{c:?}");
        }
        assert!(check_text("x", "caf\u{e9} \u{1f511}").is_ok());
        let e = check_text("generate.migrations.command", "a\u{2028}b").unwrap_err();
        assert!(e.message.contains("U+2028"), "{}", e.message);
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
