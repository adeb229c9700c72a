//! A fake Elastic Beanstalk host for running the generated files for real.
//!
//! A temporary folder plays the instance's `/`. The harness:
//! - lays out `etc/{passwd,group,shadow,gshadow}` (with `ec2-user` and a
//!   `docker` group), and either a fake `/opt/elasticbeanstalk/bin/get-config`
//!   (Amazon Linux 2/2023) serving `fake/environment.json`, or a fake AL1
//!   `/opt/elasticbeanstalk/deploy/configuration/containerconfiguration`;
//! - stages the bundle in `var/app/staging`, then runs every
//!   `.ebextensions/*.config` the way EB does: files in name order, first
//!   every file's `commands`, then every file's `container_commands`, names
//!   in order within a file; `test` skips a command when it fails,
//!   `leader_only` runs a container command on the leader only (and then
//!   `test` is ignored, R86), `ignoreErrors` keeps going after a failure,
//!   `env` replaces the environment, `cwd` sets the folder (default `/` for
//!   commands, the staging folder for container commands);
//! - runs `.platform/confighooks/predeploy/*` for configuration-only
//!   deployments (directly, so the shebang and the exec bit are exercised).
//!
//! Paths: the templates use the real absolute paths; the harness rewrites
//! them into the temporary root before running a command. Only the prefixes
//! given to [`Host::new`] plus `/opt/elasticbeanstalk`, `/etc/passwd`,
//! `/etc/group` and `/var/app` are rewritten, each only where it starts a
//! word, and [`Host::rewrite`] panics if a known prefix is left unrewritten.
//! `usermod` is a shim that runs the real `/usr/sbin/usermod --prefix ROOT`.
//! Commands run as root (the tests need root for real `chown`), under
//! `/bin/sh` (dash on Debian: stricter than the bash EB uses as `sh`).

use ebpack::generate::GeneratedFile;
use ebpack::syntax::{Node, Value, yaml};
use std::collections::BTreeMap;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// Which platform generation the host imitates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HostKind {
    /// Amazon Linux 2 / 2023: `get-config`, `.platform` confighooks.
    Al2,
    /// Amazon Linux AMI (Multicontainer Docker): `containerconfiguration`.
    Al1,
}

/// Installs (with apt-get) the Debian packages the harness needs, once;
/// panics with a clear message if that is impossible.
pub(crate) fn require_tools() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let tools = [
            ("jq", "jq"),
            ("shellcheck", "shellcheck"),
            ("usermod", "passwd"),
            ("setpriv", "util-linux"),
            ("busybox", "busybox"),
            ("bash", "bash"),
            ("dash", "dash"),
        ];
        let missing: Vec<&str> = tools
            .iter()
            .filter(|(bin, _)| !have(bin))
            .map(|(_, pkg)| *pkg)
            .collect();
        if !missing.is_empty() {
            eprintln!("harness: installing {missing:?} with apt-get");
            let _ = Command::new("apt-get").arg("update").output();
            let out = Command::new("apt-get")
                .args(["install", "-y", "--no-install-recommends"])
                .args(&missing)
                .output();
            let still: Vec<&str> = tools
                .iter()
                .filter(|(bin, _)| !have(bin))
                .map(|(b, _)| *b)
                .collect();
            assert!(
                still.is_empty(),
                "the EB host harness needs {still:?} (Debian packages {missing:?}); apt-get said: {out:?}"
            );
        }
        assert!(
            rustix_is_root(),
            "the EB host harness must run as root (real chown and usermod)"
        );
    });
}

fn have(bin: &str) -> bool {
    ["/usr/bin", "/bin", "/usr/sbin", "/sbin"]
        .iter()
        .any(|d| Path::new(d).join(bin).exists())
}

fn rustix_is_root() -> bool {
    let out = Command::new("id").arg("-u").output().expect("id -u");
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}

/// A fake EB instance rooted in a temporary folder.
pub(crate) struct Host {
    pub kind: HostKind,
    /// Holds the root; removed when the host is dropped.
    _dir: tempfile::TempDir,
    root: PathBuf,
    prefixes: Vec<String>,
}

/// What a deployment ran.
#[derive(Debug, Default)]
pub(crate) struct DeployLog {
    /// `(file, key, command name, outcome)` in run order.
    pub steps: Vec<(String, String, String, String)>,
    /// Everything the commands printed on stderr.
    pub stderr: String,
}

impl DeployLog {
    /// The outcome of a command, if it was considered.
    pub(crate) fn outcome(&self, name: &str) -> Option<&str> {
        self.steps
            .iter()
            .find(|s| s.2 == name)
            .map(|s| s.3.as_str())
    }
}

impl Host {
    /// A fresh host. `prefixes` are further host paths (Dockerrun volume
    /// folders) that commands may touch and that must be redirected.
    pub(crate) fn new(kind: HostKind, props: &BTreeMap<String, String>, prefixes: &[&str]) -> Host {
        require_tools();
        let dir = tempfile::Builder::new()
            .prefix("ebpack-host-")
            .tempdir()
            .expect("tempdir");
        let root = dir.path().to_owned();
        // uid 1000 (the container user in the tests) must reach the files.
        std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o755)).unwrap();
        let mut all: Vec<String> = [
            "/opt/elasticbeanstalk",
            "/etc/passwd",
            "/etc/group",
            "/var/app",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        all.extend(prefixes.iter().map(|s| s.to_string()));
        // Longest first, so `/tmp/init` is not cut by a `/tmp/i` prefix.
        all.sort_by_key(|p| std::cmp::Reverse(p.len()));
        let host = Host {
            kind,
            _dir: dir,
            root,
            prefixes: all,
        };
        host.write(
            "etc/passwd",
            "root:x:0:0:root:/root:/bin/sh\nec2-user:x:1000:1000::/home/ec2-user:/bin/bash\n",
            0o644,
        );
        host.write(
            "etc/group",
            "root:x:0:\ndocker:x:992:\nec2-user:x:1000:\n",
            0o644,
        );
        host.write(
            "etc/shadow",
            "root:*:19000:0:99999:7:::\nec2-user:!!:19000:0:99999:7:::\n",
            0o600,
        );
        host.write("etc/gshadow", "root:::\ndocker:!::\nec2-user:!::\n", 0o600);
        for d in [
            "tmp",
            "var/app/staging",
            "var/app/current",
            ".harness/bin",
            "fake",
        ] {
            std::fs::create_dir_all(host.root.join(d)).unwrap();
        }
        std::fs::set_permissions(
            host.root.join("tmp"),
            std::fs::Permissions::from_mode(0o1777),
        )
        .unwrap();
        host.write(
            ".harness/bin/usermod",
            &format!(
                "#!/bin/sh\nexec /usr/sbin/usermod --prefix {} \"$@\"\n",
                sh_quote(host.root.to_str().unwrap())
            ),
            0o755,
        );
        if kind == HostKind::Al2 {
            host.write(
                "opt/elasticbeanstalk/bin/get-config",
                &format!(
                    r#"#!/bin/sh
# Fake EB get-config: serves the environment properties of the harness.
data={}
case "${{1-}}" in
  environment)
    if [ "$#" -eq 3 ] && [ "$2" = -k ]; then
      jq -j --arg k "$3" '.[$k] // empty' "$data"; echo
    else
      jq -c . "$data"
    fi ;;
  *) echo "fake get-config: unsupported: $*" >&2; exit 2 ;;
esac
"#,
                    sh_quote(host.root.join("fake/environment.json").to_str().unwrap())
                ),
                0o755,
            );
        }
        host.set_props(props);
        host
    }

    /// The host path `abs` (`/var/lib/x`) inside the temporary root.
    pub(crate) fn path(&self, abs: &str) -> PathBuf {
        self.root.join(abs.trim_start_matches('/'))
    }

    fn write(&self, rel: &str, content: &str, mode: u32) {
        let p = self.root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, content).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    /// Sets the environment properties EB would hand the instance
    /// (`RDS_*` included): for get-config, or in the AL1 JSON layout
    /// (`RDS_*` under `.plugins.rds.env`, the rest as `KEY=value` strings).
    pub(crate) fn set_props(&self, props: &BTreeMap<String, String>) {
        match self.kind {
            HostKind::Al2 => {
                let json = serde_json::to_string(props).unwrap();
                self.write("fake/environment.json", &json, 0o600);
            }
            HostKind::Al1 => {
                let mut rds = serde_json::Map::new();
                let mut list = Vec::new();
                for (k, v) in props {
                    if k.starts_with("RDS_") {
                        rds.insert(k.clone(), v.clone().into());
                    } else {
                        list.push(serde_json::Value::String(format!("{k}={v}")));
                    }
                }
                let doc = serde_json::json!({
                    "optionsettings": {
                        "aws:elasticbeanstalk:application:environment": list,
                        "aws:elasticbeanstalk:command": ["BatchSize=30"]
                    },
                    "plugins": { "rds": { "Description": "RDS Environment variables", "env": rds } }
                });
                self.write(
                    "opt/elasticbeanstalk/deploy/configuration/containerconfiguration",
                    &serde_json::to_string_pretty(&doc).unwrap(),
                    0o600,
                );
            }
        }
    }

    /// Removes both configuration sources (neither get-config nor AL1 JSON).
    pub(crate) fn remove_config_sources(&self) {
        let _ = std::fs::remove_file(self.path("/opt/elasticbeanstalk/bin/get-config"));
        let _ = std::fs::remove_file(
            self.path("/opt/elasticbeanstalk/deploy/configuration/containerconfiguration"),
        );
    }

    /// Rewrites the absolute host paths of a command into the root.
    pub(crate) fn rewrite(&self, cmd: &str) -> String {
        let root = self.root.to_str().unwrap();
        let mut out = String::with_capacity(cmd.len() + 64);
        let mut i = 0;
        let bytes = cmd.as_bytes();
        while i < cmd.len() {
            let at_word_start = i == 0 || b" \t\n'\"=;(|&<>:".contains(&bytes[i - 1]);
            if at_word_start
                && bytes[i] == b'/'
                && let Some(p) = self.prefixes.iter().find(|p| {
                    cmd[i..].starts_with(p.as_str())
                        && cmd[i + p.len()..].chars().next().is_none_or(|c| {
                            !(c.is_alphanumeric() || c == '_' || c == '-' || c == '.')
                        })
                })
            {
                out.push_str(root);
                out.push_str(p);
                i += p.len();
                continue;
            }
            let c = cmd[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
        for p in &self.prefixes {
            let total = out.matches(p.as_str()).count();
            let redirected = out.matches(&format!("{root}{p}")).count();
            assert_eq!(
                total, redirected,
                "harness: `{p}` left unredirected in:\n{out}"
            );
        }
        out
    }

    fn base_command(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.env_clear()
            .env(
                "PATH",
                format!(
                    "{}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                    self.root.join(".harness/bin").display()
                ),
            )
            .env("TMPDIR", self.root.join("tmp"))
            .env("HOME", "/root");
        c
    }

    fn stage(&self, files: &[GeneratedFile], dockerrun: Option<&str>) {
        let staging = self.path("/var/app/staging");
        let _ = std::fs::remove_dir_all(&staging);
        std::fs::create_dir_all(&staging).unwrap();
        for f in files {
            let p = staging.join(&f.path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, &f.content).unwrap();
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(f.mode)).unwrap();
        }
        if let Some(d) = dockerrun {
            std::fs::write(staging.join("Dockerrun.aws.json"), d).unwrap();
        }
    }

    /// An application deployment: stage, `commands`, `container_commands`
    /// (leader-only ones only when `leader`), then `.platform/hooks/predeploy`
    /// on AL2, then the staged bundle becomes `/var/app/current`.
    pub(crate) fn deploy(
        &self,
        files: &[GeneratedFile],
        dockerrun: Option<&str>,
        leader: bool,
    ) -> Result<DeployLog, DeployLog> {
        self.stage(files, dockerrun);
        let mut configs: Vec<&GeneratedFile> = files
            .iter()
            .filter(|f| {
                f.path.starts_with(".ebextensions/")
                    && f.path.ends_with(".config")
                    && f.path.matches('/').count() == 1
            })
            .collect();
        configs.sort_by(|a, b| a.path.cmp(&b.path));
        let parsed: Vec<(String, Node)> = configs
            .iter()
            .map(|f| {
                let root = yaml::parse(&f.content)
                    .unwrap_or_else(|e| panic!("{}: invalid YAML: {}", f.path, e.message));
                (f.path.clone(), root)
            })
            .collect();
        let mut log = DeployLog::default();
        for key in ["commands", "container_commands"] {
            for (file, root) in &parsed {
                if let Some(Value::Map(_)) = root.get("packages").map(|n| &n.value) {
                    // `packages: yum: jq` — the harness host already has jq.
                }
                let Some(cmds) = root.get(key).and_then(Node::entries) else {
                    continue;
                };
                let mut cmds: Vec<_> = cmds.iter().collect();
                cmds.sort_by(|a, b| a.key.cmp(&b.key));
                for entry in cmds {
                    let outcome = self.run_command(key, &entry.value, leader, &mut log);
                    log.steps.push((
                        file.clone(),
                        key.to_owned(),
                        entry.key.clone(),
                        outcome.clone(),
                    ));
                    if outcome.starts_with("failed") {
                        return Err(log);
                    }
                }
            }
        }
        if self.kind == HostKind::Al2 {
            self.run_hooks(".platform/hooks/predeploy", &mut log)?;
        }
        let current = self.path("/var/app/current");
        let _ = std::fs::remove_dir_all(&current);
        std::fs::rename(self.path("/var/app/staging"), &current).unwrap();
        Ok(log)
    }

    /// A configuration-only deployment (environment properties changed):
    /// on AL2 only the confighooks run; `.ebextensions` do not (R90).
    pub(crate) fn config_deploy(&self) -> Result<DeployLog, DeployLog> {
        let mut log = DeployLog::default();
        if self.kind == HostKind::Al2 {
            // EB stages the current bundle again for confighooks.
            let staging = self.path("/var/app/staging");
            let _ = std::fs::remove_dir_all(&staging);
            copy_dir(&self.path("/var/app/current"), &staging);
            self.run_hooks(".platform/confighooks/predeploy", &mut log)?;
            let _ = std::fs::remove_dir_all(&staging);
        }
        Ok(log)
    }

    fn run_hooks(&self, dir: &str, log: &mut DeployLog) -> Result<(), DeployLog> {
        let staging = self.path("/var/app/staging");
        let Ok(rd) = std::fs::read_dir(staging.join(dir)) else {
            return Ok(());
        };
        let mut hooks: Vec<PathBuf> = rd.map(|e| e.unwrap().path()).collect();
        hooks.sort();
        for hook in hooks {
            let name = hook.file_name().unwrap().to_string_lossy().into_owned();
            let mode = std::fs::metadata(&hook).unwrap().mode();
            assert!(
                mode & 0o100 != 0,
                "hook {name} is not executable ({mode:o})"
            );
            let text = std::fs::read_to_string(&hook).unwrap();
            assert!(!text.contains('\r'), "hook {name} has CR line endings");
            // Run the rewritten copy under the same name and mode.
            let run = self.root.join(".harness").join(&name);
            std::fs::write(&run, self.rewrite(&text)).unwrap();
            std::fs::set_permissions(&run, std::fs::Permissions::from_mode(mode & 0o7777)).unwrap();
            let out = self
                .base_command(run.to_str().unwrap())
                .current_dir(&staging)
                .output()
                .unwrap();
            log.stderr.push_str(&String::from_utf8_lossy(&out.stderr));
            let outcome = if out.status.success() {
                "ran".to_owned()
            } else {
                format!("failed ({})", out.status)
            };
            log.steps
                .push((dir.to_owned(), "hook".into(), name, outcome.clone()));
            if outcome.starts_with("failed") {
                return Err(std::mem::take(log));
            }
        }
        Ok(())
    }

    fn run_command(&self, key: &str, spec: &Node, leader: bool, log: &mut DeployLog) -> String {
        let flag = |name: &str| match spec.get(name).map(|n| &n.value) {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => s == "true",
            _ => false,
        };
        let leader_only = key == "container_commands" && flag("leader_only");
        if leader_only && !leader {
            return "skipped (not leader)".into();
        }
        let cwd = match spec.get("cwd").and_then(Node::as_str) {
            Some(c) => self.path(c),
            None if key == "commands" => self.root.clone(),
            None => self.path("/var/app/staging"),
        };
        let env: Option<BTreeMap<String, String>> =
            spec.get("env").and_then(Node::entries).map(|e| {
                e.iter()
                    .map(|e| {
                        (
                            e.key.clone(),
                            e.value.as_str().unwrap_or_default().to_owned(),
                        )
                    })
                    .collect()
            });
        let prepare = |mut c: Command| {
            c.current_dir(&cwd);
            if let Some(env) = &env {
                c.env_clear().envs(env);
            }
            c
        };
        if !leader_only && let Some(test) = spec.get("test").and_then(Node::as_str) {
            let mut c = prepare(self.base_command("/bin/sh"));
            let ok = c
                .arg("-c")
                .arg(self.rewrite(test))
                .status()
                .unwrap()
                .success();
            if !ok {
                return "skipped (test failed)".into();
            }
        }
        let out: Output = match spec.get("command").map(|n| &n.value) {
            Some(Value::String(s)) => prepare(self.base_command("/bin/sh"))
                .arg("-c")
                .arg(self.rewrite(s))
                .output()
                .unwrap(),
            Some(Value::Seq(argv)) => {
                let argv: Vec<String> = argv
                    .iter()
                    .map(|a| self.rewrite(a.as_str().expect("argv item")))
                    .collect();
                prepare(self.base_command(&argv[0]))
                    .args(&argv[1..])
                    .output()
                    .unwrap()
            }
            other => panic!("command is missing or not a string/list: {other:?}"),
        };
        log.stderr.push_str(&String::from_utf8_lossy(&out.stderr));
        if out.status.success() {
            "ran".into()
        } else if flag("ignoreErrors") {
            format!("ignored error ({})", out.status)
        } else {
            format!(
                "failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            )
        }
    }

    /// Runs `script` (the `ebpack entrypoint` output) with `shell` as the
    /// container would: as `uid:gid`, with `argv` as CMD. Returns the output.
    pub(crate) fn run_entrypoint(
        &self,
        script: &str,
        shell: &[&str],
        uid: u32,
        argv: &[&str],
    ) -> Output {
        let path = self.root.join(".harness/entrypoint.sh");
        std::fs::write(&path, script).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let mut c = self.base_command("/usr/bin/setpriv");
        c.args([
            format!("--reuid={uid}"),
            format!("--regid={uid}"),
            "--clear-groups".into(),
        ])
        .args(shell)
        .arg(&path)
        .args(argv)
        .current_dir("/");
        c.output().unwrap()
    }

    /// Every file under the root (except the harness's own) with content,
    /// mode, uid and gid: for "a second deployment changes nothing".
    pub(crate) fn snapshot(&self) -> BTreeMap<String, (Vec<u8>, u32, u32, u32)> {
        let mut out = BTreeMap::new();
        walk(&self.root, &self.root, &mut out);
        out.retain(|k, _| !k.starts_with(".harness") && !k.starts_with("fake/"));
        out
    }
}

fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, (Vec<u8>, u32, u32, u32)>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let p = e.path();
        let meta = std::fs::symlink_metadata(&p).unwrap();
        let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
        if meta.is_dir() {
            out.insert(
                format!("{rel}/"),
                (Vec::new(), meta.mode(), meta.uid(), meta.gid()),
            );
            walk(root, &p, out);
        } else {
            let data = std::fs::read(&p).unwrap_or_default();
            out.insert(rel, (data, meta.mode(), meta.uid(), meta.gid()));
        }
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// POSIX single-quoting for the harness's own scripts.
pub(crate) fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Parses `env -0` output into a map.
pub(crate) fn parse_env0(stdout: &[u8]) -> BTreeMap<String, String> {
    stdout
        .split(|b| *b == 0)
        .filter(|s| !s.is_empty())
        .map(|kv| {
            let s = String::from_utf8(kv.to_vec()).expect("UTF-8 env");
            let (k, v) = s.split_once('=').expect("NAME=value");
            (k.to_owned(), v.to_owned())
        })
        .collect()
}

/// Every shell snippet of a generated `.config`: each `command` (when a
/// string) and `test` under `commands` and `container_commands`.
pub(crate) fn shell_snippets(config: &str) -> Vec<(String, String)> {
    let root = yaml::parse(config).expect("generated YAML parses");
    let mut out = Vec::new();
    for key in ["commands", "container_commands"] {
        for e in root.get(key).and_then(Node::entries).unwrap_or(&[]) {
            for field in ["command", "test"] {
                if let Some(s) = e.value.get(field).and_then(Node::as_str) {
                    out.push((format!("{key}.{}.{field}", e.key), s.to_owned()));
                }
            }
        }
    }
    out
}

/// Runs shellcheck (POSIX sh, all severities) on `script`; returns its
/// complaints, empty when clean.
pub(crate) fn shellcheck(script: &str) -> String {
    require_tools();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("script.sh");
    let text = if script.starts_with("#!") {
        script.to_owned()
    } else {
        format!("#!/bin/sh\n{script}")
    };
    std::fs::write(&p, text).unwrap();
    let out = Command::new("shellcheck")
        .args(["--shell=sh", "--severity=style", "--norc"])
        .arg(&p)
        .output()
        .expect("shellcheck runs");
    if out.status.success() {
        String::new()
    } else {
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    }
}
