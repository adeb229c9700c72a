//! What a person at a terminal sees: `ebpack deploy` run under a pseudo
//! terminal (`script`, from util-linux/bsdutils), rendered as the terminal
//! would show it (a `\r` overwrites the line, status lines disappear when
//! cleared), names, ids, times and rates replaced, and snapshotted.

use super::*;

/// Runs `ebpack args` in `cwd` under a pseudo terminal; returns the raw bytes
/// the terminal received (stdout and stderr together).
fn under_pty(cwd: &Path, args: &[&str], env: &[(String, String)]) -> String {
    let home = tempfile::tempdir().unwrap();
    let quoted: Vec<String> = std::iter::once(BIN)
        .chain(args.iter().copied())
        .map(|a| format!("'{}'", a.replace('\'', r"'\''")))
        .collect();
    let out = Command::new("script")
        .args(["-qefc", &quoted.join(" "), "/dev/null"])
        .current_dir(cwd)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("TERM", "xterm")
        .env("COLUMNS", "200")
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .output()
        .expect("run `script` (util-linux/bsdutils) for a pseudo terminal");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The screen after `raw`: each line as its last `\r` left it, escape
/// sequences removed, empty status lines dropped.
fn screen(raw: &str) -> String {
    let mut lines = Vec::new();
    for line in raw.split('\n') {
        let shown = line
            .trim_end_matches('\r')
            .rsplit('\r')
            .next()
            .unwrap_or("");
        let plain = strip_ansi(shown);
        if !plain.trim().is_empty() {
            lines.push(plain.trim_end().to_owned());
        }
    }
    lines.join("\n")
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' && chars.peek() == Some(&'[') {
            chars.next();
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Replaces what differs between runs: names, request ids, times, rates.
fn normalize(text: &str, names: &[(&str, &str)]) -> String {
    let mut t = text.to_owned();
    for (from, to) in names {
        t = t.replace(from, to);
    }
    t.split('\n')
        .map(|line| {
            // The bar's rate and time left depend on the machine.
            if let Some(at) = line.find("% ").filter(|_| line.starts_with("  [")) {
                return line[..=at].to_owned();
            }
            line.split(' ')
                .map(|w| {
                    let core = w.trim_matches(|c: char| "()`,;:[]'.".contains(c));
                    if is_uuid(core) {
                        w.replace(core, "<request-id>")
                    } else if core.len() >= 20 && core.starts_with("20") && core.ends_with('Z') {
                        w.replace(core, "<time>")
                    } else if core.starts_with("i-") && core.len() > 10 {
                        w.replace(core, "<instance>")
                    } else if core.parse::<f64>().is_ok()
                        && core.split_once('.').is_some_and(|(_, f)| !f.is_empty())
                    {
                        w.replace(core, "<n>")
                    } else {
                        w.to_owned()
                    }
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.iter().map(|p| p.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
        && s.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
}

#[test]
fn a_deploy_at_a_terminal_successful_and_failed() {
    let emu = Emulator::shared();
    let p = Project::new("v0");
    let (app, env) = app_with_env(emu, &p, Duration::from_millis(600));
    let names = [(app.as_str(), "APP"), (env.as_str(), "ENV")];
    p.set_content("v1");
    let args = with(
        &[
            "deploy", "eb", "--env", &env, "--app", &app, "--label", "v1", "--color", "always",
        ],
        &FAST,
    );
    let raw = under_pty(p.path(), &args, &aws_env(emu));
    assert!(
        raw.contains("\x1b[32m"),
        "the success line is green: {raw:?}"
    );
    insta::assert_snapshot!("deploy_terminal_success", normalize(&screen(&raw), &names));

    p.set_content("v2");
    emu.fail_next_deployment(&env, Some("The container web exited with code 1."));
    let args = with(
        &[
            "deploy",
            "eb",
            "--env",
            &env,
            "--app",
            &app,
            "--label",
            "v2",
            "--rollback",
            "--color",
            "always",
        ],
        &FAST,
    );
    let raw = under_pty(p.path(), &args, &aws_env(emu));
    assert!(
        raw.contains("\x1b[1m\x1b[31mERROR"),
        "ERROR events are red: {raw:?}"
    );
    let shown = normalize(&screen(&raw), &names);
    assert!(
        shown.ends_with("error: deploying `v2` to `ENV` failed; rolled back to `v1` (exit 4)"),
        "{shown}"
    );
    insta::assert_snapshot!("deploy_terminal_failure", shown);
}
