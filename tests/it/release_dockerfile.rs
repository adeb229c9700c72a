//! The Dockerfile is built only by the release workflow (no Docker engine in
//! the project's CI), so its documented shape is checked here: a build stage
//! that compiles the locked static binary, a `bin` stage the release workflow
//! exports, and a final image holding only that binary on distroless/static
//! (CA certificates for the AWS SDK's rustls), run by a non-root user with
//! `ENTRYPOINT ["ebpack"]`. hadolint lints it in `.ci/lint-dist.sh`.

use std::fs;
use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// One `FROM` and the instructions up to the next, comments and line
/// continuations folded.
#[derive(Debug)]
struct Stage {
    from: String,
    name: Option<String>,
    instructions: Vec<(String, String)>,
}

fn stages() -> Vec<Stage> {
    let text = fs::read_to_string(Path::new(ROOT).join("Dockerfile")).unwrap();
    let joined = text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n")
        .replace("\\\n", " ");
    let mut stages: Vec<Stage> = Vec::new();
    for line in joined.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (op, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let rest = rest.trim().to_owned();
        if op.eq_ignore_ascii_case("FROM") {
            let words: Vec<&str> = rest.split_whitespace().collect();
            let name = match words.as_slice() {
                [_, kw, name] if kw.eq_ignore_ascii_case("AS") => Some((*name).to_owned()),
                _ => None,
            };
            stages.push(Stage {
                from: words[0].to_owned(),
                name,
                instructions: Vec::new(),
            });
        } else {
            let stage = stages
                .last_mut()
                .expect("an instruction before the first FROM");
            stage.instructions.push((op.to_ascii_uppercase(), rest));
        }
    }
    stages
}

fn all<'a>(stage: &'a Stage, op: &str) -> Vec<&'a str> {
    stage
        .instructions
        .iter()
        .filter(|(o, _)| o == op)
        .map(|(_, r)| r.as_str())
        .collect()
}

#[test]
fn build_stage_compiles_the_locked_static_binary() {
    let stages = stages();
    let build = stages
        .iter()
        .find(|s| s.name.as_deref() == Some("build"))
        .expect("a `build` stage");
    assert!(
        build.from.starts_with("rust:") && build.from.ends_with("-alpine"),
        "{}",
        build.from
    );
    assert!(
        all(build, "RUN")
            .iter()
            .any(|r| r.contains("cargo build --release --locked --bin ebpack")),
        "the build stage does not run the locked release build"
    );
}

#[test]
fn bin_stage_holds_only_the_binary() {
    let stages = stages();
    let bin = stages
        .iter()
        .find(|s| s.name.as_deref() == Some("bin"))
        .expect("a `bin` stage");
    assert_eq!(bin.from, "scratch");
    assert_eq!(
        bin.instructions,
        [(
            "COPY".to_owned(),
            "--from=build /usr/local/bin/ebpack /ebpack".to_owned()
        )]
    );
}

#[test]
fn final_image_is_the_binary_on_distroless_static_as_a_non_root_user() {
    let stages = stages();
    assert_eq!(stages.len(), 3, "stages: {stages:#?}");
    let last = stages.last().unwrap();
    assert!(
        last.from.starts_with("gcr.io/distroless/static"),
        "base `{}` lacks CA certificates or is not static",
        last.from
    );
    assert!(all(last, "RUN").is_empty(), "the final stage runs commands");
    assert_eq!(
        all(last, "COPY"),
        ["--from=build /usr/local/bin/ebpack /usr/local/bin/ebpack"]
    );
    let users = all(last, "USER");
    let user = users.last().expect("a USER in the final stage");
    let uid = user.split(':').next().unwrap();
    assert!(
        uid.parse::<u32>().is_ok_and(|u| u != 0),
        "USER `{user}` is not a numeric non-root uid"
    );
    assert_eq!(all(last, "ENTRYPOINT"), [r#"["ebpack"]"#]);
}

#[test]
fn dockerignore_admits_everything_the_crate_builds_from() {
    let ignore = fs::read_to_string(Path::new(ROOT).join(".dockerignore")).unwrap();
    let admitted: Vec<&str> = ignore.lines().filter_map(|l| l.strip_prefix('!')).collect();
    let manifest = fs::read_to_string(Path::new(ROOT).join("Cargo.toml")).unwrap();
    let include = manifest
        .lines()
        .find_map(|l| l.strip_prefix("include = "))
        .expect("Cargo.toml `include`");
    for path in include.trim_matches(['[', ']']).split(',') {
        let path = path.trim().trim_matches('"').trim_start_matches('/');
        assert!(
            admitted.contains(&path),
            ".dockerignore leaves out `{path}`"
        );
    }
}
