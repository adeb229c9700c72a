//! What goes into the zip and how: read back with `unzip` and Python's
//! `zipfile` (files at the root, modes, hooks 0755, symlinks, exclusions).

use crate::support::project::*;
use std::path::Path;

fn build_ok(project: &Path, extra: &[&str]) -> std::path::PathBuf {
    let mut args = vec!["build", "eb", "--label", "t", "--app", "app"];
    args.extend_from_slice(extra);
    let o = run(project, &args, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    project.join("dist/app-t.zip")
}

#[test]
fn entries_modes_and_links() {
    let p = tempfile::tempdir().unwrap();
    fixture(&p.path().join("eb"), true);
    let zip = build_ok(p.path(), &[]);
    let entries = py_entries(&zip);
    let got: Vec<(String, String)> = entries
        .iter()
        .map(|(n, m, _, _)| (n.clone(), format!("{m:o}")))
        .collect();
    let want = [
        (".ebextensions/", "40755"),
        (".ebextensions/01_env.config", "100644"),
        (".platform/", "40755"),
        (".platform/hooks/", "40755"),
        (".platform/hooks/predeploy/", "40755"),
        (".platform/hooks/predeploy/01_migrate.sh", "100755"),
        ("Dockerrun.aws.json", "100644"),
        ("app/", "40755"),
        ("app/README", "100644"),
        ("app/static/", "40755"),
        ("app/static/site.css", "100644"),
        ("app/style.css", "120777"),
        ("bin/", "40755"),
        ("bin/run.sh", "100755"),
        ("empty/", "40755"),
        ("logs/", "40755"),
        ("logs/access.log", "100644"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect();
    assert_eq!(got, want);
    // The link is stored as a link: its content is the target.
    let link = entries.iter().find(|e| e.0 == "app/style.css").unwrap();
    assert_eq!(link.3, "static/site.css");
    // Files at the root, no parent folder; unzip agrees on the names.
    assert_eq!(
        unzip_names(&zip),
        want.iter().map(|w| w.0.clone()).collect::<Vec<_>>()
    );
    // Extracting with unzip keeps the modes and the link.
    let x = tempfile::tempdir().unwrap();
    let o = std::process::Command::new("unzip")
        .args(["-q", "-o"])
        .arg(&zip)
        .arg("-d")
        .arg(x.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    use std::os::unix::fs::PermissionsExt;
    let mode = |r: &str| {
        std::fs::symlink_metadata(x.path().join(r))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode(".platform/hooks/predeploy/01_migrate.sh"), 0o755);
    assert_eq!(mode("bin/run.sh"), 0o755);
    assert_eq!(
        std::fs::read_link(x.path().join("app/style.css")).unwrap(),
        Path::new("static/site.css")
    );
    assert_eq!(
        std::fs::read_to_string(x.path().join("app/style.css")).unwrap(),
        "body { color: #333; }\n"
    );
}

#[test]
fn ignore_rules_and_builtin_exclusions() {
    let p = tempfile::tempdir().unwrap();
    let eb = p.path().join("eb");
    fixture(&eb, true);
    write(
        &eb,
        ".ebignore",
        b"*.log\nnode_modules/\n!keep.log\n/secret.txt\n",
        0o644,
    );
    for rel in [
        "debug.log",
        "keep.log",
        "node_modules/x/index.js",
        "secret.txt",
        "app/secret.txt",
        ".git/HEAD",
        ".elasticbeanstalk/config.yml",
        "ebpack.yaml",
        "notes.txt~",
        ".#lock",
        ".DS_Store",
        "app/.main.py.swp",
        "__MACOSX/._x",
    ] {
        write(&eb, rel, b"x: 1\n", 0o644);
    }
    // An ebpack.yaml in the bundle folder is read as configuration, never packed.
    write(&eb, "ebpack.yaml", b"app: inner\n", 0o644);
    let _sock = std::os::unix::net::UnixListener::bind(eb.join("app.sock")).unwrap();
    // The output folder inside the bundle is never packed.
    let o = run(
        p.path(),
        &[
            "build", "eb", "--label", "t", "--app", "app", "--out", "eb/dist",
        ],
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(
        p.path(),
        &[
            "build", "eb", "--label", "u", "--app", "app", "--out", "eb/dist",
        ],
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let names = unzip_names(&eb.join("dist/app-u.zip"));
    for gone in [
        "debug.log",
        "node_modules/",
        "secret.txt",
        ".git/",
        ".elasticbeanstalk/",
        "ebpack.yaml",
        "notes.txt~",
        ".#lock",
        ".DS_Store",
        "app/.main.py.swp",
        "__MACOSX/",
        "app.sock",
        "dist/",
        "dist/app-t.zip",
        // The EB CLI never ships the root `.ebignore`.
        ".ebignore",
    ] {
        assert!(!names.iter().any(|n| n == gone), "{gone} in {names:?}");
    }
    for kept in ["keep.log", "app/secret.txt", "Dockerrun.aws.json"] {
        assert!(names.iter().any(|n| n == kept), "{kept} missing: {names:?}");
    }
}

#[test]
fn crlf_hooks_are_refused_or_fixed() {
    let p = tempfile::tempdir().unwrap();
    let eb = p.path().join("eb");
    fixture(&eb, true);
    write(
        &eb,
        ".platform/hooks/predeploy/02.sh",
        b"#!/bin/bash\r\necho hi\r\n",
        0o644,
    );
    let o = run(
        p.path(),
        &["build", "eb", "--label", "t", "--app", "app"],
        &[],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("CRLF") && err.contains("`ebpack build --fix`"),
        "{err}"
    );
    assert!(
        err.contains("eb/.platform/hooks/predeploy/02.sh:1:12"),
        "{err}"
    );
    assert!(!p.path().join("dist/app-t.zip").exists());
    let zip = build_ok(p.path(), &["--fix"]);
    let e = py_entries(&zip);
    let hook = e.iter().find(|e| e.0.ends_with("02.sh")).unwrap();
    assert_eq!(
        (hook.1, hook.3.as_str()),
        (0o100_755, "#!/bin/bash\necho hi\n")
    );
    // The source file is left alone.
    assert!(
        std::fs::read(eb.join(".platform/hooks/predeploy/02.sh"))
            .unwrap()
            .contains(&b'\r')
    );
}

#[test]
fn escaping_and_broken_links_are_refused() {
    for (target, code, text) in [
        ("../../etc/passwd", "B2", "points outside the bundle"),
        ("/etc/passwd", "B2", "points outside the bundle"),
        ("missing.txt", "B3", "does not exist"),
        ("../debug.log", "B3", "left out of the bundle"),
    ] {
        let p = tempfile::tempdir().unwrap();
        let eb = p.path().join("eb");
        fixture(&eb, true);
        write(&eb, ".ebignore", b"*.log\n", 0o644);
        write(&eb, "debug.log", b"x", 0o644);
        std::os::unix::fs::symlink(target, eb.join("app/link")).unwrap();
        let o = run(
            p.path(),
            &["build", "eb", "--label", "t", "--app", "app"],
            &[],
        );
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{target}: {err}");
        assert!(err.contains(&format!("error[{code}]")), "{target}: {err}");
        assert!(err.contains(text), "{target}: {err}");
        assert!(err.contains("eb/app/link"), "{err}");
        assert!(!p.path().join("dist").join("app-t.zip").exists());
    }
}

#[test]
fn too_many_entries_are_refused_before_writing() {
    let p = tempfile::tempdir().unwrap();
    let eb = p.path().join("eb");
    fixture(&eb, true);
    let many = eb.join("many");
    std::fs::create_dir_all(&many).unwrap();
    for i in 0..65_535 {
        std::fs::File::create(many.join(i.to_string())).unwrap();
    }
    let o = run(
        p.path(),
        &["build", "eb", "--label", "t", "--app", "app"],
        &[],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("error[B5]"), "{err}");
    assert!(err.contains("`many` (65536)"), "{err}");
    assert!(!p.path().join("dist/app-t.zip").exists());
}

#[test]
fn size_limit_names_the_largest_files() {
    let p = tempfile::tempdir().unwrap();
    let eb = p.path().join("eb");
    fixture(&eb, true);
    // Incompressible data so the archive really grows.
    let mut seed = 1u64;
    let noise: Vec<u8> = (0..3_000_000)
        .map(|_| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 33) as u8
        })
        .collect();
    write(&eb, "data/big.bin", &noise, 0o644);
    write(&eb, "data/medium.bin", &noise[..1_000_000], 0o644);
    let settings = ebpack::config::resolve(&ebpack::config::Inputs {
        cwd: p.path().to_owned(),
        flags: ebpack::config::Overrides {
            bundle: Some("eb".into()),
            app: Some("app".into()),
            ..Default::default()
        },
        ..Default::default()
    })
    .unwrap();
    let opts = ebpack::build::BuildOptions {
        max_size: Some(2_000_000),
        ..Default::default()
    };
    let err = ebpack::build::build(&settings, &opts, &mut |_| {}).unwrap_err();
    let ebpack::build::BuildError::Invalid(report) = err else {
        panic!("{err:?}")
    };
    let msg = &report.diagnostics[0].message;
    assert_eq!(report.diagnostics[0].code, "B4");
    assert!(
        msg.contains("`data/big.bin` (3.0 MB), `data/medium.bin` (1.0 MB)"),
        "{msg}"
    );
    // Nothing at the output path, no temporary file left.
    let left: Vec<_> = std::fs::read_dir(p.path().join("dist")).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}
