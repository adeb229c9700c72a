//! `.platform` rules (R92–R97) and zip-level rules (R6–R12), on zips built
//! here with the `zip` crate (DOS-made entries, backslashes, `__MACOSX`,
//! `..`, parent folders, symlinks) and on bundle folders.

use ebpack::diag::render::human_report;
use ebpack::diag::{Report, Severity};
use ebpack::validate::{self, Bundle, BundleEntry, EntryKind, Options, Platform};
use std::io::Write;
use std::path::Path;
use zip::write::SimpleFileOptions;
use zip::{System, ZipWriter};

use Severity::{Error as E, Warning as W};

use crate::support::bundles::patch_zip;
use crate::support::validation::{self, DOCKERRUN};
const HOOK: &str = "#!/bin/bash\necho hi\n";

/// One zip entry: name, Unix mode (None = made by DOS), content.
type Item<'a> = (&'a str, Option<u32>, &'a str);

fn make_zip(dir: &Path, items: &[Item<'_>]) -> std::path::PathBuf {
    let path = dir.join("bundle.zip");
    let mut w = ZipWriter::new(std::fs::File::create(&path).unwrap());
    for (name, mode, text) in items {
        let opts = match mode {
            Some(m) => SimpleFileOptions::default()
                .system(System::Unix)
                .unix_permissions(*m),
            None => SimpleFileOptions::default().system(System::Dos),
        };
        w.start_file(*name, opts).unwrap();
        w.write_all(text.as_bytes()).unwrap();
    }
    w.finish().unwrap();
    path
}

fn zip_report(items: &[Item<'_>], platform: Platform) -> Report {
    let dir = tempfile::tempdir().unwrap();
    let path = make_zip(dir.path(), items);
    let options = Options {
        platform,
        ..Options::default()
    };
    validate::validate_path(&path, &options).unwrap()
}

fn describe(r: &Report) -> String {
    validation::describe(r, validation::file)
}

#[track_caller]
fn has(r: &Report, code: &str, sev: Severity, file: &str) {
    assert!(
        r.diagnostics
            .iter()
            .any(|d| d.code == code && d.severity == sev && d.file.ends_with(file)),
        "expected {code} {sev:?} on {file}, got:\n{}",
        describe(r)
    );
}

#[track_caller]
fn lacks(r: &Report, code: &str) {
    assert!(
        !r.diagnostics.iter().any(|d| d.code == code),
        "unexpected {code}:\n{}",
        describe(r)
    );
}

fn good() -> Vec<Item<'static>> {
    vec![
        ("Dockerrun.aws.json", Some(0o644), DOCKERRUN),
        (
            ".ebextensions/01_a.config",
            Some(0o644),
            "commands:\n  a:\n    command: /bin/true\n",
        ),
        (".platform/hooks/predeploy/01_a.sh", Some(0o755), HOOK),
        (".platform/confighooks/predeploy/01_a.sh", Some(0o755), HOOK),
    ]
}

#[test]
fn good_zip_is_clean() {
    let r = zip_report(&good(), Platform::EcsAl2);
    assert!(r.diagnostics.is_empty(), "{}", describe(&r));
}

#[test]
fn r7_parent_folder() {
    let r = zip_report(
        &[
            ("myapp/Dockerrun.aws.json", Some(0o644), DOCKERRUN),
            (
                "myapp/.ebextensions/01.config",
                Some(0o644),
                "commands: {}\n",
            ),
        ],
        Platform::EcsAl2,
    );
    has(&r, "R7", E, "myapp/Dockerrun.aws.json");
    lacks(&zip_report(&good(), Platform::EcsAl2), "R7");
}

#[test]
fn r8_backslashes() {
    let mut items = good();
    items.push((".ebextensions\\02_b.config", Some(0o644), "commands: {}\n"));
    let r = zip_report(&items, Platform::EcsAl2);
    has(&r, "R8", E, ".ebextensions\\02_b.config");
    lacks(&zip_report(&good(), Platform::EcsAl2), "R8");
}

#[test]
fn r9_macos_metadata() {
    let mut items = good();
    items.push(("__MACOSX/.ebextensions/._01_a.config", Some(0o644), "\0\0"));
    items.push(("__MACOSX/._Dockerrun.aws.json", Some(0o644), "\0\0"));
    items.push((".ebextensions/._02.config", Some(0o644), "\0"));
    items.push((".DS_Store", Some(0o644), "\0"));
    let r = zip_report(&items, Platform::EcsAl2);
    let macosx = r
        .diagnostics
        .iter()
        .filter(|d| d.code == "R9" && d.message.contains("__MACOSX"))
        .count();
    assert_eq!(macosx, 1, "{}", describe(&r));
    has(&r, "R9", E, ".ebextensions/._02.config");
    has(&r, "R9", W, ".DS_Store");
    lacks(&zip_report(&good(), Platform::EcsAl2), "R9");
}

#[test]
fn r10_paths_and_duplicates() {
    let mut items = good();
    items.push(("../etc/passwd", Some(0o644), "x"));
    items.push(("/abs/file", Some(0o644), "x"));
    let r = zip_report(&items, Platform::EcsAl2);
    has(&r, "R10", E, "../etc/passwd");
    has(&r, "R10", E, "/abs/file");
    // Duplicates cannot be written by the zip crate: build the bundle view directly.
    let entry = |name: &str| BundleEntry {
        name: name.to_owned(),
        kind: EntryKind::File,
        mode: Some(0o100_644),
        size: 2,
        data: Some(b"{}".to_vec()),
    };
    let bundle = Bundle {
        display: "dup.zip".into(),
        is_zip: true,
        archive_size: Some(100),
        entries: vec![entry("README"), entry("README"), entry("other")],
        ..Bundle::default()
    };
    let r = validate::validate_bundle(&bundle, &Options::default());
    assert_eq!(
        r.diagnostics.iter().filter(|d| d.code == "R10").count(),
        1,
        "{}",
        describe(&r)
    );
    lacks(&zip_report(&good(), Platform::EcsAl2), "R10");
}

#[test]
fn r5_only_zip_archives_are_bundles() {
    let dir = tempfile::tempdir().unwrap();
    // A gzip file, by name and by content.
    let tgz = dir.path().join("bundle.tar.gz");
    std::fs::write(&tgz, [0x1f, 0x8b, 8, 0, 0, 0, 0, 0]).unwrap();
    let r = validate::validate_path(&tgz, &Options::default()).unwrap();
    has(&r, "R5", E, "bundle.tar.gz");
    assert_eq!(r.diagnostics.len(), 1, "{}", describe(&r));
    // Gzip content renamed to `.zip`.
    let renamed = dir.path().join("renamed.zip");
    std::fs::write(&renamed, [0x1f, 0x8b, 8, 0, 0, 0, 0, 0]).unwrap();
    let r = validate::validate_path(&renamed, &Options::default()).unwrap();
    has(&r, "R5", E, "renamed.zip");
    assert!(
        r.diagnostics[0].message.contains("gzip"),
        "{}",
        describe(&r)
    );
    // A tar archive without a telling name.
    let mut tar = vec![0u8; 1024];
    tar[257..262].copy_from_slice(b"ustar");
    let plain = dir.path().join("bundle");
    std::fs::write(&plain, &tar).unwrap();
    has(
        &validate::validate_path(&plain, &Options::default()).unwrap(),
        "R5",
        E,
        "bundle",
    );
    // A truncated zip is a finding, not an input error.
    let good_zip = make_zip(dir.path(), &good());
    let bytes = std::fs::read(&good_zip).unwrap();
    let cut = dir.path().join("cut.zip");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    has(
        &validate::validate_path(&cut, &Options::default()).unwrap(),
        "R5",
        E,
        "cut.zip",
    );
    // Passing: a zip, also when its name does not say so.
    lacks(&zip_report(&good(), Platform::EcsAl2), "R5");
    let unnamed = dir.path().join("bundle-without-extension");
    std::fs::copy(&good_zip, &unnamed).unwrap();
    let r = validate::validate_path(&unnamed, &Options::default()).unwrap();
    assert!(r.diagnostics.is_empty(), "{}", describe(&r));
}

#[test]
fn r2_bare_compose_file() {
    let dir = tempfile::tempdir().unwrap();
    let compose = dir.path().join("docker-compose.yml");
    std::fs::write(&compose, "services:\n  web:\n    image: nginx:1.27\n").unwrap();
    // Compose is not an `.ebextensions` config: no R67 for `services`.
    let docker = Options {
        platform: Platform::DockerAl2,
        ..Options::default()
    };
    let r = validate::validate_path(&compose, &docker).unwrap();
    assert!(r.diagnostics.is_empty(), "{}", describe(&r));
    let r = validate::validate_path(&compose, &Options::default()).unwrap();
    has(&r, "R2", E, "docker-compose.yml");
    lacks(&r, "R67");
}

fn stored_zip(dir: &Path, name: &str, items: &[Item<'_>]) -> std::path::PathBuf {
    let path = dir.join(name);
    let mut w = ZipWriter::new(std::fs::File::create(&path).unwrap());
    for (entry, mode, text) in items {
        let opts = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored)
            .system(System::Unix)
            .unix_permissions(mode.unwrap_or(0o644));
        w.start_file(*entry, opts).unwrap();
        w.write_all(text.as_bytes()).unwrap();
    }
    w.finish().unwrap();
    path
}

#[test]
fn r14_compression_and_encryption() {
    let dir = tempfile::tempdir().unwrap();
    let items = [("README.md", Some(0o644), "hello\n")];
    let bz = stored_zip(dir.path(), "bzip2.zip", &items);
    let mut bytes = std::fs::read(&bz).unwrap();
    patch_zip(&mut bytes, 12, false);
    std::fs::write(&bz, &bytes).unwrap();
    let r = validate::validate_path(&bz, &Options::default()).unwrap();
    has(&r, "R14", W, "README.md");
    let enc = stored_zip(dir.path(), "enc.zip", &items);
    let mut bytes = std::fs::read(&enc).unwrap();
    patch_zip(&mut bytes, 0, true);
    std::fs::write(&enc, &bytes).unwrap();
    let r = validate::validate_path(&enc, &Options::default()).unwrap();
    has(&r, "R14", E, "README.md");
    // Stored and DEFLATE entries are what EB expects.
    let stored = stored_zip(dir.path(), "stored.zip", &items);
    lacks(
        &validate::validate_path(&stored, &Options::default()).unwrap(),
        "R14",
    );
    lacks(&zip_report(&good(), Platform::EcsAl2), "R14");
}

#[test]
fn r13_ebignore_leaves_configuration_out() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("Dockerrun.aws.json"), DOCKERRUN).unwrap();
    std::fs::create_dir_all(root.join(".ebextensions")).unwrap();
    std::fs::write(
        root.join(".ebextensions/01.config"),
        "commands:\n  a:\n    command: /bin/true\n",
    )
    .unwrap();
    std::fs::write(root.join(".ebignore"), "node_modules/\n.*\n!.ebignore\n").unwrap();
    let r = validate::validate_path(root, &Options::default()).unwrap();
    let d = r
        .diagnostics
        .iter()
        .find(|d| d.code == "R13")
        .unwrap_or_else(|| panic!("no R13:\n{}", describe(&r)));
    assert_eq!(d.severity, W);
    assert!(d.file.ends_with(".ebignore"), "{}", d.file);
    assert_eq!((d.line, d.column), (2, 1));
    assert!(d.message.contains(".ebextensions"), "{}", d.message);
    // Passing: the pattern does not reach the configuration.
    std::fs::write(root.join(".ebignore"), "node_modules/\n*.log\n").unwrap();
    lacks(
        &validate::validate_path(root, &Options::default()).unwrap(),
        "R13",
    );
}

#[test]
fn r6_size() {
    let mut bundle = Bundle {
        display: "big.zip".into(),
        is_zip: true,
        archive_size: Some(600_000_000),
        ..Bundle::default()
    };
    let r = validate::validate_bundle(&bundle, &Options::default());
    has(&r, "R6", E, "big.zip");
    bundle.archive_size = Some(510_000_000);
    has(
        &validate::validate_bundle(&bundle, &Options::default()),
        "R6",
        W,
        "big.zip",
    );
    bundle.archive_size = Some(1_000);
    lacks(
        &validate::validate_bundle(&bundle, &Options::default()),
        "R6",
    );
}

#[test]
fn r11_hook_exec_bits_in_zip() {
    let mut items = good();
    items.push((".platform/hooks/postdeploy/01_dos.sh", None, HOOK));
    items.push((".platform/hooks/postdeploy/02_644.sh", Some(0o644), HOOK));
    // EB grants hooks the bit itself on AL2/AL2023 versions since 2022-04-29.
    for platform in [Platform::EcsAl2, Platform::DockerAl2] {
        let r = zip_report(&items, platform);
        has(&r, "R11", W, ".platform/hooks/postdeploy/01_dos.sh");
        has(&r, "R11", W, ".platform/hooks/postdeploy/02_644.sh");
        let r11_errors = r
            .diagnostics
            .iter()
            .filter(|d| d.code == "R11" && d.severity == E);
        assert_eq!(r11_errors.count(), 0, "{}", describe(&r));
    }
    // The retired Amazon Linux AMI platform predates that.
    let r = zip_report(&items, Platform::McAl1);
    has(&r, "R11", E, ".platform/hooks/postdeploy/02_644.sh");
    lacks(&zip_report(&good(), Platform::EcsAl2), "R11");
}

#[test]
fn r12_symlinks() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("links.zip");
    let mut w = ZipWriter::new(std::fs::File::create(&path).unwrap());
    let opts = SimpleFileOptions::default();
    w.start_file("Dockerrun.aws.json", opts).unwrap();
    w.write_all(DOCKERRUN.as_bytes()).unwrap();
    w.add_symlink("conf/ok", "../Dockerrun.aws.json", opts)
        .unwrap();
    w.add_symlink("conf/abs", "/etc/passwd", opts).unwrap();
    w.add_symlink("conf/out", "../../secret", opts).unwrap();
    w.finish().unwrap();
    let r = validate::validate_path(&path, &Options::default()).unwrap();
    has(&r, "R12", E, "conf/abs");
    has(&r, "R12", E, "conf/out");
    assert!(
        !r.diagnostics.iter().any(|d| d.file.ends_with("conf/ok")),
        "{}",
        describe(&r)
    );
}

#[test]
fn r92_hook_content() {
    let mut items = good();
    items.push((
        ".platform/hooks/prebuild/01_crlf.sh",
        Some(0o755),
        "#!/bin/bash\r\necho hi\r\n",
    ));
    items.push((
        ".platform/hooks/prebuild/02_noshebang.sh",
        Some(0o755),
        "echo hi\n",
    ));
    items.push((
        ".platform/hooks/prebuild/03_bin",
        Some(0o755),
        "\u{7f}ELF\u{2}",
    ));
    let r = zip_report(&items, Platform::EcsAl2);
    let crlf = r
        .diagnostics
        .iter()
        .find(|d| d.code == "R92" && d.file.ends_with("01_crlf.sh"))
        .unwrap();
    assert_eq!((crlf.severity, crlf.line, crlf.column), (E, 1, 12));
    has(&r, "R92", E, "02_noshebang.sh");
    assert!(
        !r.diagnostics.iter().any(|d| d.file.ends_with("03_bin")),
        "{}",
        describe(&r)
    );
    insta::assert_snapshot!("hook_crlf_human", human_report(&r, false));
}

#[test]
fn r92_hook_exec_bits_in_folder() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("Dockerrun.aws.json"), DOCKERRUN).unwrap();
    let hooks = root.join(".platform/hooks/predeploy");
    std::fs::create_dir_all(&hooks).unwrap();
    std::fs::write(hooks.join("01.sh"), HOOK).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let p = hooks.join("01.sh");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        let r = validate::validate_path(root, &Options::default()).unwrap();
        has(&r, "R92", W, ".platform/hooks/predeploy/01.sh");
        assert_eq!(r.count(E), 0, "{}", describe(&r));
        let d = r.diagnostics.iter().find(|d| d.code == "R92").unwrap();
        assert!(
            d.help.contains("`ebpack build` stores hooks as 0755"),
            "{}",
            d.help
        );
        assert!(d.help.contains("container_commands"), "{}", d.help);
        let old = Options {
            platform: Platform::McAl1,
            ..Options::default()
        };
        has(
            &validate::validate_path(root, &old).unwrap(),
            "R92",
            E,
            "01.sh",
        );
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        let r = validate::validate_path(root, &Options::default()).unwrap();
        lacks(&r, "R92");
    }
}

#[test]
fn r93_stage_folders() {
    let mut items = good();
    items.push((".platform/hooks/post-deploy/01.sh", Some(0o755), HOOK));
    items.push((".platform/hooks/01.sh", Some(0o755), HOOK));
    items.push((".platform/hooks/predeploy/lib/helper.sh", Some(0o755), HOOK));
    let r = zip_report(&items, Platform::EcsAl2);
    has(&r, "R93", W, ".platform/hooks/post-deploy/01.sh");
    has(&r, "R93", W, ".platform/hooks/01.sh");
    has(&r, "R93", W, ".platform/hooks/predeploy/lib/helper.sh");
    let d = r
        .diagnostics
        .iter()
        .find(|d| d.file.ends_with("post-deploy/01.sh"))
        .unwrap();
    assert!(d.help.contains("postdeploy"), "{}", d.help);
    lacks(&zip_report(&good(), Platform::EcsAl2), "R93");
}

#[test]
fn r94_platform_support() {
    let r = zip_report(&good(), Platform::McAl1);
    has(&r, "R94", W, ".platform/hooks/predeploy/01_a.sh");
    let mut items = good();
    items.push(("Procfile", Some(0o644), "web: run\n"));
    items.push((".platform/nginx/conf.d/x.conf", Some(0o644), "gzip on;\n"));
    let r = zip_report(&items, Platform::EcsAl2);
    has(&r, "R94", W, "Procfile");
    has(&r, "R94", W, ".platform/nginx/conf.d/x.conf");
    lacks(&zip_report(&items, Platform::DockerAl2), "R94");
    lacks(&zip_report(&good(), Platform::EcsAl2), "R94");
}

#[test]
fn r95_one_off_tasks_in_hooks() {
    let mut items = good();
    items.push((
        ".platform/hooks/postdeploy/02_migrate.sh",
        Some(0o755),
        "#!/bin/sh\npython manage.py migrate\n",
    ));
    let r = zip_report(&items, Platform::EcsAl2);
    has(&r, "R95", W, "02_migrate.sh");
    lacks(&zip_report(&good(), Platform::EcsAl2), "R95");
    for (script, fires) in [
        (
            "#!/bin/sh
flask db upgrade
",
            true,
        ),
        (
            "#!/bin/sh
bundle exec rails db:migrate
",
            true,
        ),
        (
            "#!/bin/sh
cd /app && alembic upgrade head
",
            true,
        ),
        (
            "#!/bin/sh
npx prisma migrate deploy
",
            true,
        ),
        (
            "#!/bin/sh
php artisan migrate --force
",
            true,
        ),
        (
            "#!/bin/sh
npx sequelize-cli db:migrate
",
            true,
        ),
        // Gated on the leader: runs once.
        (
            "#!/bin/sh
if [ \"$EB_IS_COMMAND_LEADER\" = true ]; then
  flask db upgrade
fi
",
            false,
        ),
        // A comment is not a command.
        (
            "#!/bin/sh
# later: python manage.py migrate
echo ok
",
            false,
        ),
    ] {
        let mut items = good();
        items.push((".platform/hooks/postdeploy/03_task.sh", Some(0o755), script));
        let r = zip_report(&items, Platform::EcsAl2);
        let hit = r.diagnostics.iter().any(|d| d.code == "R95");
        assert_eq!(hit, fires, "{script}\n{}", describe(&r));
    }
}

#[test]
fn r96_procfile_and_buildfile() {
    let mut items = good();
    items.push((
        "Procfile",
        Some(0o644),
        "web: gunicorn app\n\nworker celery -A app\n",
    ));
    items.push(("Buildfile", Some(0o644), "make: ./build.sh\n"));
    items.push(("procfile", Some(0o644), "web: x\n"));
    let r = zip_report(&items, Platform::DockerAl2);
    let bad: Vec<_> = r
        .diagnostics
        .iter()
        .filter(|d| d.code == "R96" && d.file == "Procfile")
        .collect();
    assert_eq!(bad.len(), 1, "{}", describe(&r));
    assert_eq!((bad[0].severity, bad[0].line, bad[0].column), (E, 3, 1));
    assert!(
        !r.diagnostics.iter().any(|d| d.file == "Buildfile"),
        "{}",
        describe(&r)
    );
    has(&r, "R96", W, "procfile");
}

#[test]
fn r97_nginx_conf() {
    let mut items = good();
    items.push((
        ".platform/nginx/nginx.conf",
        Some(0o644),
        "http {\n  server {\n    listen 80;\n  }\n}\n",
    ));
    let r = zip_report(&items, Platform::DockerAl2);
    has(&r, "R97", W, ".platform/nginx/nginx.conf");
    let mut items = good();
    items.push((
        ".platform/nginx/nginx.conf",
        Some(0o644),
        "http {\n  server {\n    include conf.d/elasticbeanstalk/*.conf;\n  }\n}\n",
    ));
    lacks(&zip_report(&items, Platform::DockerAl2), "R97");
}

#[test]
fn snapshot_broken_zip() {
    let r = zip_report(
        &[
            ("app/Dockerrun.aws.json", Some(0o644), DOCKERRUN),
            ("app/.platform/hooks/predeploy/01.sh", None, HOOK),
            ("app\\.ebextensions\\01.config", None, "commands: {}\n"),
            ("__MACOSX/app/._Dockerrun.aws.json", Some(0o644), "\0"),
        ],
        Platform::EcsAl2,
    );
    insta::assert_snapshot!("broken_zip_human", human_report(&r, false));
}
