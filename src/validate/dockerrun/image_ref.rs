//! Docker image references (R24): the `distribution/reference` grammar
//! `name [":" tag] ["@" digest]`, written by hand so every failure can say
//! what is wrong (an unexpanded `${TAG}`, an uppercase repository, …).

/// A reference that parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef<'a> {
    /// Registry host (with port), if the reference names one.
    pub domain: Option<&'a str>,
    /// Repository path below the registry.
    pub path: &'a str,
    /// The tag, if any.
    pub tag: Option<&'a str>,
    /// The digest, if any.
    pub digest: Option<&'a str>,
}

/// Characters ECS accepts in `image` at all.
fn ecs_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-_:./#@".contains(c)
}

/// Parses `s`, or says (lowercase, values in backticks) why it is invalid.
pub fn parse(s: &str) -> Result<ImageRef<'_>, String> {
    if s.is_empty() {
        return Err("is empty".into());
    }
    if s.len() > 255 {
        return Err(format!(
            "is {} characters long; the maximum is 255",
            s.len()
        ));
    }
    if let Some(c) = s.chars().find(|c| !ecs_char(*c)) {
        let template = ['$', '<', '>', '{', '}', '[', ']', '%'].contains(&c);
        let shown = if c.is_whitespace() {
            "a space".to_owned()
        } else {
            format!("`{c}`")
        };
        return Err(if template {
            format!("contains {shown}, which looks like an unexpanded template placeholder")
        } else {
            format!("contains {shown}, which is not allowed in an image reference")
        });
    }
    let (rest, digest) = match s.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (s, None),
    };
    if let Some(d) = digest {
        check_digest(d)?;
    }
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match rest[last_slash..].find(':') {
        Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
        None => (rest, None),
    };
    if let Some(t) = tag {
        check_tag(t)?;
    }
    let (domain, path) = split_domain(name);
    if let Some(d) = domain {
        check_domain(d)?;
    }
    if path.is_empty() {
        return Err("has no repository name".into());
    }
    for comp in path.split('/') {
        if !is_path_component(comp) {
            if is_path_component(&comp.to_ascii_lowercase()) {
                return Err(format!(
                    "has the repository name component `{comp}`; repository names must be lowercase"
                ));
            }
            if comp.starts_with("__") || comp.ends_with("__") {
                return Err(format!(
                    "has the repository name component `{comp}`, which looks like an unexpanded template placeholder"
                ));
            }
            return Err(format!(
                "has the invalid repository name component `{comp}` (lowercase letters and digits, separated by `.`, `_`, `__` or `-`)"
            ));
        }
    }
    Ok(ImageRef {
        domain,
        path,
        tag,
        digest,
    })
}

/// Docker's rule: the first component is a registry when it has a `.` or
/// `:`, is `localhost`, or has uppercase letters (never a valid path).
fn split_domain(name: &str) -> (Option<&str>, &str) {
    match name.split_once('/') {
        Some((first, rest))
            if first.contains(['.', ':'])
                || first == "localhost"
                || first.chars().any(|c| c.is_ascii_uppercase()) =>
        {
            (Some(first), rest)
        }
        _ => (None, name),
    }
}

fn check_domain(d: &str) -> Result<(), String> {
    let (host, port) = match d.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (d, None),
    };
    let ok_comp = |c: &str| {
        !c.is_empty()
            && c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !c.starts_with('-')
            && !c.ends_with('-')
    };
    if !host.split('.').all(ok_comp) {
        if host.chars().any(|c| c.is_ascii_uppercase()) && !host.contains('.') {
            return Err(format!(
                "starts with `{host}`, which is neither a registry host nor a lowercase repository name"
            ));
        }
        return Err(format!("has the invalid registry host `{host}`"));
    }
    if let Some(p) = port
        && (p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(format!("has the invalid registry port `{p}`"));
    }
    Ok(())
}

fn check_tag(t: &str) -> Result<(), String> {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut chars = t.chars();
    let ok = match chars.next() {
        Some(first) => {
            word(first) && t.len() <= 128 && chars.all(|c| word(c) || c == '.' || c == '-')
        }
        None => false,
    };
    if ok {
        Ok(())
    } else if t.is_empty() {
        Err("ends with `:` but has no tag".into())
    } else {
        Err(format!(
            "has the invalid tag `{t}` (up to 128 of `A-Za-z0-9_.-`, not starting with `.` or `-`)"
        ))
    }
}

fn check_digest(d: &str) -> Result<(), String> {
    let bad = || {
        Err(format!(
            "has the invalid digest `{d}` (expected `algorithm:hex`, e.g. `sha256:` and 64 hex digits)"
        ))
    };
    let Some((alg, hex)) = d.split_once(':') else {
        return bad();
    };
    let alg_ok = alg.split(['+', '.', '-', '_']).all(|c| {
        c.chars().next().is_some_and(|f| f.is_ascii_alphabetic())
            && c.chars().all(|x| x.is_ascii_alphanumeric())
    });
    if alg_ok && hex.len() >= 32 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        bad()
    }
}

/// `[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*`
fn is_path_component(c: &str) -> bool {
    let b = c.as_bytes();
    let alnum = |x: u8| x.is_ascii_lowercase() || x.is_ascii_digit();
    let mut i = 0;
    loop {
        let start = i;
        while i < b.len() && alnum(b[i]) {
            i += 1;
        }
        if i == start {
            return false;
        }
        if i == b.len() {
            return true;
        }
        // A separator: `.`, `_`, `__` or one or more `-`.
        match b[i] {
            b'.' => i += 1,
            b'_' => {
                i += 1;
                if i < b.len() && b[i] == b'_' {
                    i += 1;
                }
            }
            b'-' => {
                while i < b.len() && b[i] == b'-' {
                    i += 1;
                }
            }
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid() {
        for s in [
            "nginx",
            "nginx:1.25",
            "library/nginx:latest",
            "385605022855.dkr.ecr.us-east-1.amazonaws.com/docker-in-aws/todobackend",
            "localhost:5000/app",
            "quay.io/wire/avs-nwtesttool:1.0.8-prod",
            "a__b/c-d--e:TAG_1",
            "service:WEB_IMAGE_TAG",
            "app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        ] {
            assert!(parse(s).is_ok(), "{s}: {:?}", parse(s));
        }
        let r = parse("registry:5000/team/app:1.0").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.domain, Some("registry:5000"));
        assert_eq!(r.path, "team/app");
        assert_eq!(r.tag, Some("1.0"));
    }

    #[test]
    fn invalid() {
        for s in [
            "",
            "MyOrg/App:1.0",
            "repo/app:${TAG}",
            "<account-id>.dkr.ecr.us-east-1.amazonaws.com/app",
            "__DOCKER_IMAGE1__",
            "YOUR_DOCKERHUB_USERNAME/product-service:latest",
            "app:",
            "app:.bad",
            "app@sha256:xyz",
            "a//b",
            "a_-b",
            "has space",
        ] {
            assert!(parse(s).is_err(), "{s} should be invalid");
        }
    }
}
