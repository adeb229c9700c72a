//! Habits users bring from other tools: shell completions, man pages,
//! `-v`/`-q`, `NO_COLOR`, and a closed pipe that ends the program quietly.

use crate::support::project::*;
use std::io::Read;
use std::process::{Command, Stdio};

const SUBCOMMANDS: [&str; 14] = [
    "validate",
    "build",
    "inspect",
    "publish",
    "deploy",
    "status",
    "events",
    "versions",
    "swap",
    "plan",
    "generate",
    "entrypoint",
    "completions",
    "man",
];

/// Flags of several commands, and the global ones.
const FLAGS: [&str; 8] = [
    "--image-tag",
    "--require-pinned",
    "--health-grace",
    "--create-app",
    "--strict",
    "--env-file",
    "--verbose",
    "--quiet",
];

#[test]
fn completions_name_every_subcommand_and_their_flags() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let o = run(dir.path(), &["completions", shell], &[]);
        assert_eq!(o.status.code(), Some(0), "{shell}: {}", stderr(&o));
        let script = stdout(&o);
        for word in SUBCOMMANDS.iter().chain(&FLAGS) {
            // fish and elvish spell flags without their dashes in places.
            let bare = word.trim_start_matches('-');
            assert!(script.contains(bare), "{shell} lacks {word}");
        }
    }
    let o = run(dir.path(), &["completions", "tcsh"], &[]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "an unknown shell is a usage error"
    );
}

/// roff escapes `-` as `\-`.
fn roff_flag(flag: &str) -> String {
    flag.replace('-', "\\-")
}

#[test]
fn man_prints_ebpack_1_and_writes_one_page_per_command() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &["man"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = stdout(&o);
    assert!(page.starts_with(".ie") || page.starts_with(".TH"), "{page}");
    assert!(
        page.lines().any(|l| l.starts_with(".TH ebpack 1")),
        "{page}"
    );
    assert!(page.contains(".SH NAME") && page.contains(".SH SYNOPSIS"));
    for sub in SUBCOMMANDS {
        assert!(page.contains(sub), "ebpack(1) lists `{sub}`");
    }
    for flag in ["--verbose", "--quiet", "--color"] {
        assert!(page.contains(&roff_flag(flag)), "ebpack(1) has {flag}");
    }

    let out = dir.path().join("man1");
    let o = run(dir.path(), &["man", "--out", out.to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut pages: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    let mut want: Vec<String> = SUBCOMMANDS
        .iter()
        .map(|s| format!("ebpack-{s}.1"))
        .chain(["ebpack.1".to_owned()])
        .collect();
    want.sort();
    assert_eq!(pages, want);
    for (page, flag) in [
        ("ebpack-build.1", "--image-tag"),
        ("ebpack-deploy.1", "--health-grace"),
        ("ebpack-publish.1", "--create-app"),
        ("ebpack-validate.1", "--strict"),
    ] {
        let text = std::fs::read_to_string(out.join(page)).unwrap();
        let th = text.lines().find(|l| l.starts_with(".TH ")).unwrap_or("");
        let name = page.trim_end_matches(".1");
        assert!(th.starts_with(&format!(".TH {name} 1")), "{page}: {th}");
        assert!(text.contains(&roff_flag(flag)), "{page} has {flag}");
    }
}

/// A bundle whose validation has hundreds of findings: well over a pipe's
/// 64 KiB of JSON lines. Four codes (a report keeps the first 100 of
/// each): a name with a space, an unknown key, no image, no memory.
fn many_findings() -> tempfile::TempDir {
    let p = tempfile::tempdir().unwrap();
    let containers: Vec<String> = (0..200)
        .map(|i| format!("    {{\"name\": \"c {i}\", \"essential\": true, \"bogus{i}\": 1}}"))
        .collect();
    let dockerrun = format!(
        "{{\n  \"AWSEBDockerrunVersion\": 2,\n  \"containerDefinitions\": [\n{}\n  ]\n}}\n",
        containers.join(",\n")
    );
    write(
        p.path(),
        "eb/Dockerrun.aws.json",
        dockerrun.as_bytes(),
        0o644,
    );
    p
}

#[test]
fn a_closed_stdout_ends_validate_quietly() {
    let p = many_findings();
    // The findings really are more than a pipe holds (64 KiB on Linux;
    // the per-code cap keeps them from growing without bound).
    let o = run(p.path(), &["validate", "eb", "--format", "json"], &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.len() > 64 * 1024, "{} bytes", o.stdout.len());

    let mut child = Command::new(BIN)
        .current_dir(p.path())
        .args(["validate", "eb", "--format", "json"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read one line, then close the pipe, as `| head -n 1` does.
    let mut out = child.stdout.take().unwrap();
    let mut first = [0u8; 64];
    out.read_exact(&mut first).unwrap();
    drop(out);
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "a quiet end, as ripgrep: {err}");
    assert_eq!(err, "", "nothing on stderr: no panic, no error");
}

#[test]
fn a_closed_stderr_is_no_panic() {
    let p = many_findings();
    let mut child = Command::new(BIN)
        .current_dir(p.path())
        .args(["validate", "eb"])
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1), "the verdict, not a panic (101)");
}

fn project() -> tempfile::TempDir {
    let p = tempfile::tempdir().unwrap();
    fixture(&p.path().join("eb"), true);
    p
}

#[test]
fn quiet_leaves_only_errors_and_verbose_shows_events() {
    let p = project();
    let build = ["build", "eb", "--label", "q", "--app", "app"];
    let normal = run(p.path(), &build, &[]);
    assert!(normal.status.success(), "{}", stderr(&normal));
    assert!(
        stderr(&normal).contains("ebpack: built "),
        "{}",
        stderr(&normal)
    );
    assert!(
        stderr(&normal).contains("warning"),
        "the fixture has warnings: {}",
        stderr(&normal)
    );
    assert!(!stderr(&normal).contains("INFO"), "{}", stderr(&normal));

    let quiet = run(p.path(), &with(&build, &["-q"]), &[]);
    assert!(quiet.status.success(), "{}", stderr(&quiet));
    assert_eq!(stderr(&quiet), "", "-q: no progress, no warnings");

    let json = run(
        p.path(),
        &with(&build, &["--quiet", "--output", "json"]),
        &[],
    );
    assert!(json.status.success());
    assert_eq!(stderr(&json), "");
    let v: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(v["label"], "q", "--output json stays on stdout");

    // A failure still says why under -q.
    write(&p.path().join("eb"), "Dockerrun.aws.json", b"{,}", 0o644);
    let failed = run(p.path(), &with(&build, &["-q"]), &[]);
    assert_eq!(failed.status.code(), Some(1));
    assert!(
        stderr(&failed).contains("error: build stopped: the bundle has errors"),
        "{}",
        stderr(&failed)
    );
    assert!(!stderr(&failed).contains("ebpack: validating"));

    let p = project();
    let verbose = run(p.path(), &with(&build, &["-v"]), &[]);
    assert!(verbose.status.success(), "{}", stderr(&verbose));
    let err = stderr(&verbose);
    assert!(
        err.lines()
            .any(|l| l.contains("INFO") && l.contains("ebpack::") && l.contains("bundle built")),
        "-v shows ebpack's events: {err}"
    );
    assert!(err.contains("ebpack: built "), "and the progress: {err}");

    let both = run(p.path(), &with(&build, &["-q", "-v"]), &[]);
    assert_eq!(both.status.code(), Some(2), "-q and -v conflict");
}

const SECRET: &str = "CliHabitsSecretKey+never/shown-7f3a";

#[test]
fn verbose_twice_adds_the_sdk_debug_logs() {
    let p = tempfile::tempdir().unwrap();
    // An endpoint that refuses connections: the calls fail at once (exit 7),
    // after the SDK has logged its attempt.
    let deploy = [
        "deploy",
        "--version",
        "v1",
        "--env",
        "e1",
        "--app",
        "a1",
        "--endpoint-url",
        "http://127.0.0.1:9",
        "--max-attempts",
        "1",
    ];
    let env = [
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", SECRET),
        ("AWS_REGION", "us-east-1"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("AWS_CONFIG_FILE", "/nonexistent"),
        ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"),
    ];
    let once = run(p.path(), &with(&deploy, &["-v"]), &env);
    assert_eq!(once.status.code(), Some(7), "{}", stderr(&once));
    let err = stderr(&once);
    assert!(err.contains("connected to AWS"), "{err}");
    assert!(!err.contains("aws_smithy_runtime"), "{err}");
    let twice = run(p.path(), &with(&deploy, &["-vv"]), &env);
    assert_eq!(twice.status.code(), Some(7), "{}", stderr(&twice));
    let err = stderr(&twice);
    assert!(
        err.lines()
            .any(|l| l.contains("DEBUG") && l.contains("aws_smithy_runtime")),
        "{err}"
    );
    // The error and its next step still end the output.
    assert!(err.contains("error: "), "{err}");
    assert!(
        !err.contains(SECRET),
        "the SDK's debug logs never show the secret key"
    );
}

#[test]
fn colour_only_when_asked_and_never_with_no_color() {
    let p = many_findings();
    let always = run(p.path(), &["validate", "eb", "--color", "always"], &[]);
    assert!(
        stderr(&always).contains("\u{1b}["),
        "--color always colours"
    );
    // `run` sets no terminal: auto is plain; NO_COLOR keeps it plain too.
    let auto = Command::new(BIN)
        .current_dir(p.path())
        .args(["validate", "eb", "-v"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&auto.stderr).contains("\u{1b}["));
    assert_eq!(auto.status.code(), Some(1));
}

fn with<'a>(args: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
    args.iter().chain(extra).copied().collect()
}

#[test]
fn each_commands_help_teaches_examples_codes_and_variables() {
    let help = |cmd: &str| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_ebpack"))
            .args([cmd, "--help"])
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert!(o.status.success());
        String::from_utf8(o.stdout).unwrap()
    };
    for (cmd, headings, codes) in [
        (
            "validate",
            &["Rules:", "Output:"][..],
            &["  1 ", "  2 "][..],
        ),
        ("build", &["Bundle:", "Pinning:", "Output:"], &["  130 "]),
        ("publish", &["Publishing:", "AWS:"], &["  7 "]),
        (
            "deploy",
            &["Deployment:", "Waiting:", "AWS:"],
            &["  3 ", "  4 ", "  5 ", "  8 "],
        ),
    ] {
        let h = help(cmd);
        assert!(h.contains(&format!("Examples:\n  ebpack {cmd}")), "{h}");
        for heading in headings {
            assert!(h.contains(heading), "{cmd}: no {heading}\n{h}");
        }
        let codes_part = h.split("Exit codes:").nth(1).expect("exit codes");
        for code in codes {
            assert!(codes_part.contains(code), "{cmd}: no {code}\n{h}");
        }
        // Only the codes this command can return: `validate` never deploys.
        if cmd == "validate" {
            assert!(!codes_part.contains("  4 "), "{h}");
        }
    }
    assert!(help("deploy").contains("EBPACK_ENVIRONMENT"));
    assert!(help("build").contains("SOURCE_DATE_EPOCH"));
}
