//! Helpers shared by the `build_*` tests: fixture bundles, running the
//! binary, reading zips with `unzip` and Python's `zipfile`.
use std::path::Path;
use std::process::{Command, Output};

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_ebpack");

pub(crate) const DOCKERRUN: &str = r#"{
  "AWSEBDockerrunVersion": 2,
  "containerDefinitions": [
    {
      "name": "todobackend",
      "image": "385605022855.dkr.ecr.us-east-1.amazonaws.com/docker-in-aws/todobackend",
      "essential": true,
      "memoryReservation": 395
    },
    {
      "name": "nginx",
      "image": "nginx:latest",
      "essential": false,
      "memoryReservation": 64
    }
  ]
}
"#;

pub(crate) const CONFIG: &str = "option_settings:\n  aws:elasticbeanstalk:application:environment:\n    DJANGO_SETTINGS_MODULE: todobackend.settings_release\n";

/// Writes `rel` under `root` (creating folders) with `mode`.
pub(crate) fn write(root: &Path, rel: &str, content: &[u8], mode: u32) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, content).unwrap();
    set_mode(&p, mode);
}

pub(crate) fn set_mode(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The standard fixture: Dockerrun, a config, a hook (0644 on disk), an
/// executable script, a nested file, an empty folder, a symlink inside.
/// Files are created in `order` (true: forward, false: reverse).
pub(crate) fn fixture(root: &Path, forward: bool) {
    let mut files: Vec<(&str, &[u8], u32)> = vec![
        ("Dockerrun.aws.json", DOCKERRUN.as_bytes(), 0o644),
        (".ebextensions/01_env.config", CONFIG.as_bytes(), 0o600),
        (
            ".platform/hooks/predeploy/01_migrate.sh",
            b"#!/bin/sh\necho migrate\n",
            0o644,
        ),
        ("bin/run.sh", b"#!/bin/sh\nexec \"$@\"\n", 0o750),
        ("app/static/site.css", b"body { color: #333; }\n", 0o664),
        ("app/README", &[b'x'; 3000], 0o644),
    ];
    if !forward {
        files.reverse();
    }
    for (rel, content, mode) in files {
        write(root, rel, content, mode);
    }
    // Over one compression piece (256 KiB): several pieces, a data descriptor.
    let log: String = (0..12_000)
        .map(|i| {
            format!(
                "{} INFO GET /api/todos/{} 200 {}b\n",
                1_700_000_000 + i * 3,
                i % 97,
                (i * 7919) % 10_000
            )
        })
        .collect();
    write(root, "logs/access.log", log.as_bytes(), 0o644);
    std::fs::create_dir_all(root.join("empty")).unwrap();
    std::os::unix::fs::symlink("static/site.css", root.join("app/style.css")).unwrap();
}

/// Runs the binary in `cwd` with `args` and extra environment.
pub(crate) fn run(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(cwd).args(args);
    for k in [
        "SOURCE_DATE_EPOCH",
        "CODEBUILD_RESOLVED_SOURCE_VERSION",
        "CODEBUILD_BUILD_ID",
    ] {
        cmd.env_remove(k);
    }
    for (k, _) in std::env::vars() {
        if k.starts_with("EBPACK_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("NO_COLOR", "1")
        .env("GIT_CEILING_DIRECTORIES", cwd.parent().unwrap_or(cwd));
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub(crate) fn sha256(path: &Path) -> String {
    use sha2::Digest;
    let bytes = std::fs::read(path).unwrap();
    sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `(name, st_mode, size, content-if-small)` per entry, via Python's zipfile
/// (which also checks every CRC with `testzip`).
pub(crate) fn py_entries(zip: &Path) -> Vec<(String, u32, u64, String)> {
    let script = r#"
import sys, zipfile, json
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
out = []
for i in z.infolist():
    data = z.read(i) if i.file_size < 4096 else b""
    out.append([i.filename, i.external_attr >> 16, i.file_size, data.decode("utf-8", "replace"), i.create_system, list(i.date_time)])
print(json.dumps(out))
"#;
    let o = Command::new("python3")
        .args(["-c", script])
        .arg(zip)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e[4], 3, "made by Unix");
            (
                e[0].as_str().unwrap().to_owned(),
                e[1].as_u64().unwrap() as u32,
                e[2].as_u64().unwrap(),
                e[3].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Entry names as `unzip -Z1` lists them.
pub(crate) fn unzip_names(zip: &Path) -> Vec<String> {
    let o = Command::new("unzip").arg("-Z1").arg(zip).output().unwrap();
    assert!(o.status.success());
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}
