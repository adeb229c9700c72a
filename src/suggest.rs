//! Next steps for the errors a newcomer meets first: a close match for a
//! mistyped name, and where ebpack looked for a bundle folder that is not
//! there. Only text is made here; the errors carry it as their `help`.

use crate::config::Origin;
use std::path::Path;

/// The names of `candidates` closest to `name`, best first: the same name
/// in another case, then those within a small edit distance (case-insensitive
/// optimal string alignment, so a swapped pair of letters counts once),
/// then those that contain it or are contained in it. Empty when nothing is
/// close enough to be a likely typo.
pub fn close_matches<'a>(name: &str, candidates: &'a [String]) -> Vec<&'a str> {
    let wanted = name.to_lowercase();
    let limit = (wanted.chars().count() / 4).max(2);
    let mut scored: Vec<(usize, &str)> = candidates
        .iter()
        .filter(|c| c.as_str() != name)
        .filter_map(|c| {
            let lower = c.to_lowercase();
            let distance = strsim::osa_distance(&wanted, &lower);
            let score = if distance <= limit {
                distance
            } else if wanted.len() >= 3 && (lower.contains(&wanted) || wanted.contains(&lower)) {
                limit + 1
            } else {
                return None;
            };
            Some((score, c.as_str()))
        })
        .collect();
    scored.sort();
    scored.dedup();
    let best = scored.first().map(|(s, _)| *s);
    scored
        .into_iter()
        .take_while(|(s, _)| Some(*s) == best || *s <= 1)
        .take(3)
        .map(|(_, c)| c)
        .collect()
}

/// `a`, `b` and `c` as a sentence of backticked names; at most `max`
/// shown, then how many more.
pub fn name_list(names: &[&str], max: usize) -> String {
    let shown: Vec<String> = names.iter().take(max).map(|n| format!("`{n}`")).collect();
    let more = names.len().saturating_sub(max);
    let mut text = match shown.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    };
    if more > 0 {
        text.push_str(&format!(" ({more} more)"));
    }
    text
}

/// "did you mean `x`?" (or "`x` or `y`"), when something is close.
pub fn did_you_mean(name: &str, candidates: &[String]) -> Option<String> {
    let close = close_matches(name, candidates);
    (!close.is_empty()).then(|| format!("did you mean {}?", name_list(&close, 3)))
}

/// What to do next when an input given to `validate` or `inspect` does not
/// exist: where ebpack looked and what to pass instead.
pub fn missing_input(e: &crate::validate::InputError) -> Option<String> {
    match e {
        crate::validate::InputError::Io { path, source }
            if source.kind() == std::io::ErrorKind::NotFound =>
        {
            let cwd = std::env::current_dir().unwrap_or_else(|_| std::path::PathBuf::from("."));
            let origin = if path == Path::new("eb") {
                Origin::Default
            } else {
                Origin::Flag
            };
            Some(missing_bundle_folder(path, origin, &cwd, "validate"))
        }
        _ => None,
    }
}

/// What to do when the bundle folder `dir` does not exist: how ebpack chose
/// it (`origin`), a folder near `project_dir` that looks like a bundle
/// (holds a `Dockerrun.aws.json`), and how to point ebpack at another one.
/// `command` is the subcommand to show (`build`, `validate`); only those
/// that read ebpack.yaml (all but `validate`) mention its `bundle:`.
pub fn missing_bundle_folder(
    dir: &Path,
    origin: Origin,
    project_dir: &Path,
    command: &str,
) -> String {
    let found = bundle_candidates(project_dir);
    let shown = |p: &Path| {
        let rel = p.strip_prefix(project_dir).unwrap_or(p);
        if rel.as_os_str().is_empty() {
            ".".to_owned()
        } else {
            rel.display().to_string()
        }
    };
    let mut parts = Vec::new();
    match origin {
        Origin::File => parts.push(format!(
            "`bundle:` in ebpack.yaml names `{}`; fix it",
            shown(dir)
        )),
        Origin::Env => parts.push("`EBPACK_BUNDLE` names it; fix or unset it".to_owned()),
        Origin::Flag => parts.push("check the path given on the command line".to_owned()),
        Origin::Default | Origin::EbCli => parts.push(format!(
            "ebpack works on the `eb/` folder of the project (the folder of the nearest `ebpack.yaml`, here or in a parent; else this folder); run it inside the project, or pass the bundle folder (`ebpack {command} DIR`, or `bundle: DIR` in ebpack.yaml)"
        )),
    }
    if let Some(first) = found.first() {
        let names: Vec<String> = found.iter().map(|p| shown(p)).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        parts.push(format!(
            "{} {} a `Dockerrun.aws.json`: `ebpack {command} {}`",
            name_list(&names, 3),
            if found.len() == 1 { "holds" } else { "hold" },
            shown(first)
        ));
    }
    parts.join("; ")
}

/// `project_dir` itself and its direct subfolders that hold a
/// `Dockerrun.aws.json` (sorted; hidden folders skipped).
fn bundle_candidates(project_dir: &Path) -> Vec<std::path::PathBuf> {
    let holds = |d: &Path| d.join(crate::validate::dockerrun::FILE_NAME).is_file();
    let mut found = Vec::new();
    if holds(project_dir) {
        found.push(project_dir.to_owned());
    }
    let mut subdirs: Vec<std::path::PathBuf> = std::fs::read_dir(project_dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.path())
        .filter(|p| p.is_dir() && holds(p))
        .collect();
    subdirs.sort();
    found.extend(subdirs);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn close_matches_catch_typos_case_and_swaps() {
        let envs = names(&["Todobackend-env", "Todobackend-prod", "billing-worker"]);
        assert_eq!(close_matches("Todobackend-evn", &envs), ["Todobackend-env"]);
        assert_eq!(close_matches("todobackend-ENV", &envs), ["Todobackend-env"]);
        assert_eq!(close_matches("billing", &envs), ["billing-worker"]);
        assert!(close_matches("shop", &envs).is_empty());
        assert!(close_matches("Todobackend-env", &envs[..1]).is_empty());
    }

    #[test]
    fn lists_read_as_sentences() {
        assert_eq!(name_list(&["a"], 3), "`a`");
        assert_eq!(name_list(&["a", "b"], 3), "`a` or `b`");
        assert_eq!(
            name_list(&["a", "b", "c", "d", "e"], 3),
            "`a`, `b` or `c` (2 more)"
        );
        assert_eq!(
            did_you_mean("Todobackend-evn", &names(&["Todobackend-env"])).as_deref(),
            Some("did you mean `Todobackend-env`?")
        );
    }

    #[test]
    fn a_missing_bundle_folder_points_at_one_that_exists() {
        let dir = tempfile::tempdir().unwrap();
        let help =
            missing_bundle_folder(&dir.path().join("eb"), Origin::Default, dir.path(), "build");
        assert!(help.contains("`ebpack build DIR`"), "{help}");
        assert!(help.contains("`bundle: DIR` in ebpack.yaml"), "{help}");
        let help = missing_bundle_folder(
            &dir.path().join("eb"),
            Origin::Default,
            dir.path(),
            "validate",
        );
        assert!(help.contains("`ebpack validate DIR`"), "{help}");
        std::fs::create_dir(dir.path().join("deploy")).unwrap();
        std::fs::write(dir.path().join("deploy/Dockerrun.aws.json"), "{}").unwrap();
        let help =
            missing_bundle_folder(&dir.path().join("eb"), Origin::Default, dir.path(), "build");
        assert!(
            help.ends_with("`deploy` holds a `Dockerrun.aws.json`: `ebpack build deploy`"),
            "{help}"
        );
        let help =
            missing_bundle_folder(&dir.path().join("app"), Origin::File, dir.path(), "build");
        assert!(
            help.starts_with("`bundle:` in ebpack.yaml names `app`; fix it"),
            "{help}"
        );
    }
}
