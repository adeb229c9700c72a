//! Hostile bundles, zips and single files (issue 18, "escapes" and
//! "loading"): each test builds its input itself and checks that a folder,
//! a zip and a build say the same of it, that nothing escapes through a
//! link, that what EB would run is what was checked, and that nothing is
//! read that no rule needs.

use crate::support::project::{DOCKERRUN, fixture, run, stderr, stdout, write};
use ebpack::diag::{Report, Severity};
use ebpack::validate::{self, EntryKind, Options};
use std::os::unix::fs::symlink;
use std::path::Path;

/// The codes, severities and files of a report, one per line.
fn describe(r: &Report) -> String {
    r.diagnostics
        .iter()
        .map(|d| format!("{} {:?} {}: {}\n", d.code, d.severity, d.file, d.message))
        .collect()
}

/// True when `r` has an error `code` whose file ends with `file`.
fn has_error(r: &Report, code: &str, file: &str) -> bool {
    r.diagnostics
        .iter()
        .any(|d| d.code == code && d.severity == Severity::Error && d.file.ends_with(file))
}

fn validate(path: &Path) -> Report {
    validate::validate_path(path, &Options::default()).unwrap()
}

/// `ebpack build eb` in `project`; asserts it stops with exit 1 and `code`,
/// writing nothing, and returns stderr.
fn build_refuses(project: &Path, code: &str) -> String {
    let o = run(
        project,
        &["build", "eb", "--label", "t", "--app", "app"],
        &[],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains(&format!("error[{code}]")), "{err}");
    assert!(!project.join("dist/app-t.zip").exists());
    err
}

/// A zip written byte by byte: `(name, content, st_mode)` per entry, stored,
/// duplicates kept; ZIP64 end records when `zip64` (for > 65,535 entries).
fn raw_zip(entries: &[(&[u8], &[u8], u32)], zip64: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    let p16 = |b: &mut Vec<u8>, v: u16| b.extend(v.to_le_bytes());
    let p32 = |b: &mut Vec<u8>, v: u32| b.extend(v.to_le_bytes());
    for (name, data, mode) in entries {
        let offset = out.len() as u32;
        let crc = crc32fast::hash(data);
        p32(&mut out, 0x0403_4b50);
        for v in [10, 0, 0, 0, 33] {
            p16(&mut out, v);
        }
        for v in [crc, data.len() as u32, data.len() as u32] {
            p32(&mut out, v);
        }
        p16(&mut out, name.len() as u16);
        p16(&mut out, 0);
        out.extend(*name);
        out.extend(*data);
        p32(&mut central, 0x0201_4b50);
        for v in [(3 << 8) | 20, 10, 0, 0, 0, 33] {
            p16(&mut central, v);
        }
        for v in [crc, data.len() as u32, data.len() as u32] {
            p32(&mut central, v);
        }
        for v in [name.len() as u16, 0, 0, 0, 0] {
            p16(&mut central, v);
        }
        p32(&mut central, mode << 16);
        p32(&mut central, offset);
        central.extend(*name);
    }
    let (at, size, n) = (out.len() as u64, central.len() as u64, entries.len() as u64);
    out.extend(central);
    if zip64 {
        let record = out.len() as u64;
        p32(&mut out, 0x0606_4b50);
        out.extend(44u64.to_le_bytes());
        for v in [45, 45] {
            p16(&mut out, v);
        }
        p32(&mut out, 0);
        p32(&mut out, 0);
        for v in [n, n, size, at] {
            out.extend(v.to_le_bytes());
        }
        p32(&mut out, 0x0706_4b50);
        p32(&mut out, 0);
        out.extend(record.to_le_bytes());
        p32(&mut out, 1);
    }
    p32(&mut out, 0x0605_4b50);
    for v in [0, 0] {
        p16(&mut out, v);
    }
    let count = if zip64 { 0xffff } else { n as u16 };
    p16(&mut out, count);
    p16(&mut out, count);
    p32(&mut out, size as u32);
    p32(&mut out, at as u32);
    p16(&mut out, 0);
    out
}

/// A zip of `Dockerrun.aws.json` and `n` entries `d/fNNN.json` of 4 MiB
/// of zeros each, DEFLATE-compressed once and stored `n` times.
fn zeros_zip(n: usize) -> Vec<u8> {
    use std::io::Write as _;
    let zeros = vec![0u8; 4 << 20];
    let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(&zeros).unwrap();
    let packed = enc.finish().unwrap();
    let crc = crc32fast::hash(&zeros);
    let mut out = Vec::new();
    let mut central = Vec::new();
    let mut add = |name: &str, data: &[u8], method: u16, crc: u32, size: u32| {
        let offset = out.len() as u32;
        let mut h = Vec::new();
        for v in [20u16, 0, method, 0, 33] {
            h.extend(v.to_le_bytes());
        }
        for v in [crc, data.len() as u32, size] {
            h.extend(v.to_le_bytes());
        }
        h.extend((name.len() as u16).to_le_bytes());
        h.extend(0u16.to_le_bytes());
        out.extend(0x0403_4b50u32.to_le_bytes());
        out.extend(&h);
        out.extend(name.as_bytes());
        out.extend(data);
        central.extend(0x0201_4b50u32.to_le_bytes());
        central.extend(((3u16 << 8) | 20).to_le_bytes());
        central.extend(&h);
        central.extend([0u8; 6]);
        central.extend((FILE << 16).to_le_bytes());
        central.extend(offset.to_le_bytes());
        central.extend(name.as_bytes());
    };
    let d = DOCKERRUN.as_bytes();
    add(
        "Dockerrun.aws.json",
        d,
        0,
        crc32fast::hash(d),
        d.len() as u32,
    );
    for i in 0..n {
        add(
            &format!("d/f{i:03}.json"),
            &packed,
            8,
            crc,
            zeros.len() as u32,
        );
    }
    let (at, size) = (out.len() as u32, central.len() as u32);
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]);
    for _ in 0..2 {
        out.extend(((n + 1) as u16).to_le_bytes());
    }
    out.extend(size.to_le_bytes());
    out.extend(at.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

const FILE: u32 = 0o100_644;
const LINK: u32 = 0o120_777;
const HOOK: u32 = 0o100_755;

#[test]
fn a_link_through_a_link_inside_the_bundle_escapes_everywhere() {
    // `p/q/up` is the root; `..` from there leaves the bundle, though the
    // text `p/q/up/../../..` alone stays inside.
    let target = "p/q/up/../../../etc/passwd";
    let p = tempfile::tempdir().unwrap();
    let eb = p.path().join("eb");
    fixture(&eb, true);
    std::fs::create_dir_all(eb.join("p/q")).unwrap();
    symlink("../..", eb.join("p/q/up")).unwrap();
    symlink(target, eb.join("evil")).unwrap();
    let r = validate(&eb);
    assert!(has_error(&r, "B2", "eb/evil"), "{}", describe(&r));
    assert!(
        !r.diagnostics.iter().any(|d| d.file.ends_with("p/q/up")),
        "{}",
        describe(&r)
    );
    let err = build_refuses(p.path(), "B2");
    assert!(err.contains(target), "{err}");
    // The zip of the same tree: R12, an error as in the folder.
    let zip = p.path().join("links.zip");
    let entries: Vec<(&[u8], &[u8], u32)> = vec![
        (b"Dockerrun.aws.json", DOCKERRUN.as_bytes(), FILE),
        (b"p/q/up", b"../..", LINK),
        (b"evil", target.as_bytes(), LINK),
        (b"ok", b"p/q/up/Dockerrun.aws.json", LINK),
    ];
    std::fs::write(&zip, raw_zip(&entries, false)).unwrap();
    let r = validate(&zip);
    assert!(has_error(&r, "R12", "evil"), "{}", describe(&r));
    assert_eq!(r.count(Severity::Error), 1, "{}", describe(&r));
}

#[test]
fn links_where_eb_reads_configuration_are_checked_or_refused() {
    let p = tempfile::tempdir().unwrap();
    let eb = p.path().join("eb");
    fixture(&eb, true);
    // A linked `.ebextensions/` folder: refused (build's generated files
    // would land below the link and `unzip` fail).
    std::fs::rename(eb.join(".ebextensions"), eb.join("conf")).unwrap();
    symlink("conf", eb.join(".ebextensions")).unwrap();
    let r = validate(&eb);
    assert!(has_error(&r, "R12", "eb/.ebextensions"), "{}", describe(&r));
    build_refuses(p.path(), "R12");
    // A linked config and a linked Dockerrun: checked with their targets'
    // bytes, under the names EB reads.
    std::fs::remove_file(eb.join(".ebextensions")).unwrap();
    std::fs::create_dir(eb.join(".ebextensions")).unwrap();
    write(
        &eb,
        "conf/bad.config",
        b"container-commands:\n  a: b\n",
        0o644,
    );
    symlink("../conf/bad.config", eb.join(".ebextensions/02.config")).unwrap();
    write(
        &eb,
        "conf/Dockerrun.json",
        b"{\"AWSEBDockerrunVersion\": 2,}",
        0o644,
    );
    std::fs::remove_file(eb.join("Dockerrun.aws.json")).unwrap();
    symlink("conf/Dockerrun.json", eb.join("Dockerrun.aws.json")).unwrap();
    let r = validate(&eb);
    assert!(
        has_error(&r, "R67", "eb/.ebextensions/02.config"),
        "{}",
        describe(&r)
    );
    assert!(
        has_error(&r, "R15", "eb/Dockerrun.aws.json"),
        "{}",
        describe(&r)
    );
    build_refuses(p.path(), "R67");
    // In a zip: the same link check, and entries stored below a link.
    let zip = p.path().join("below.zip");
    let entries: Vec<(&[u8], &[u8], u32)> = vec![
        (b"Dockerrun.aws.json", DOCKERRUN.as_bytes(), FILE),
        (b"conf/01.config", b"commands: {}\n", FILE),
        (b".ebextensions", b"conf", LINK),
        (b".ebextensions/99.config", b"commands: {}\n", FILE),
        (b".platform/confighooks/prebuild/x.config", b"x", FILE),
        (b"cfg", b"conf/01.config", LINK),
        (b".platform/nginx/nginx.conf", b"missing.conf", LINK),
    ];
    std::fs::write(&zip, raw_zip(&entries, false)).unwrap();
    let r = validate(&zip);
    let text = describe(&r);
    assert!(has_error(&r, "R12", ".ebextensions"), "{text}");
    assert!(
        text.contains("stored below the symbolic link `.ebextensions`"),
        "{text}"
    );
    assert!(has_error(&r, "R12", ".platform/nginx/nginx.conf"), "{text}");
}

#[test]
fn every_copy_of_a_duplicate_name_is_seen_counted_and_checked() {
    let p = tempfile::tempdir().unwrap();
    let zip = p.path().join("dup.zip");
    let hostile = b"commands:\n  wipe:\n    command: rm -rf /\n    leader_only: yes\n";
    let entries: Vec<(&[u8], &[u8], u32)> = vec![
        (b"Dockerrun.aws.json", DOCKERRUN.as_bytes(), FILE),
        (b".ebextensions/01.config", hostile, FILE),
        (b".ebextensions/01.config", b"option_settings: {}\n", FILE),
        (
            b"Dockerrun.aws.json",
            b"{\"AWSEBDockerrunVersion\": 9}",
            FILE,
        ),
        (b"x", b"y", FILE),
    ];
    std::fs::write(&zip, raw_zip(&entries, false)).unwrap();
    let o = run(p.path(), &["inspect", "dup.zip"], &[]);
    let out = stdout(&o);
    assert!(out.contains("5 entries"), "{out}");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let r = validate(&zip);
    let text = describe(&r);
    for name in ["Dockerrun.aws.json", ".ebextensions/01.config"] {
        assert!(has_error(&r, "R10", name), "{text}");
    }
    // The copies `unzip -n` (first) and `unzip -o` (last) would keep are
    // both checked.
    assert!(
        has_error(&r, "R16", "Dockerrun.aws.json (copy 2)"),
        "{text}"
    );
    assert!(has_error(&r, "R85", ".ebextensions/01.config"), "{text}");
}

#[test]
fn names_that_are_not_utf8_or_hold_a_backslash_are_refused() {
    use std::os::unix::ffi::OsStrExt;
    let p = tempfile::tempdir().unwrap();
    let eb = p.path().join("eb");
    fixture(&eb, true);
    for bad in [&b"app/bad\xff.txt"[..], &b"app/bad\xfe.txt"[..]] {
        std::fs::write(eb.join(std::ffi::OsStr::from_bytes(bad)), "x").unwrap();
    }
    let r = validate(&eb);
    let text = describe(&r);
    assert!(text.contains("`app/bad\\xff.txt` is not UTF-8"), "{text}");
    assert!(text.contains("`app/bad\\xfe.txt` is not UTF-8"), "{text}");
    build_refuses(p.path(), "R10");
    let q = tempfile::tempdir().unwrap();
    let eb = q.path().join("eb");
    fixture(&eb, true);
    write(&eb, "app\\win.txt", b"x", 0o644);
    assert!(has_error(&validate(&eb), "R8", "app\\win.txt"));
    build_refuses(q.path(), "R8");
}

#[test]
fn files_a_rule_reads_over_4_mib_are_refused_not_skipped() {
    let big = {
        let mut t = b"option_settings:\n".to_vec();
        t.resize(4 * 1024 * 1024 + 1, b'#');
        t
    };
    let p = tempfile::tempdir().unwrap();
    let eb = p.path().join("eb");
    fixture(&eb, true);
    write(&eb, ".ebextensions/big.config", &big, 0o644);
    assert!(has_error(&validate(&eb), "R6", ".ebextensions/big.config"));
    build_refuses(p.path(), "R6");
    let zip = p.path().join("big.zip");
    let entries: Vec<(&[u8], &[u8], u32)> = vec![
        (b"Dockerrun.aws.json", DOCKERRUN.as_bytes(), FILE),
        (b".ebextensions/big.config", &big, FILE),
    ];
    std::fs::write(&zip, raw_zip(&entries, false)).unwrap();
    assert!(has_error(&validate(&zip), "R6", ".ebextensions/big.config"));
    let single = p.path().join("big.config");
    std::fs::write(&single, &big).unwrap();
    assert!(has_error(&validate(&single), "R6", "big.config"));
    // Together, the files rules read are loaded up to 64 MiB.
    let q = tempfile::tempdir().unwrap();
    let eb = q.path().join("eb");
    fixture(&eb, true);
    let conf = vec![b'#'; 4 << 20];
    for i in 0..17 {
        write(
            &eb,
            &format!(".platform/nginx/conf.d/{i:02}.conf"),
            &conf,
            0o644,
        );
    }
    let r = validate(&eb);
    let over: Vec<&str> = r
        .diagnostics
        .iter()
        .filter(|d| d.code == "R6")
        .filter_map(|d| d.file.rsplit('/').next())
        .collect();
    // The fixture's own files come first: the 16th file no longer fits.
    assert_eq!(over, ["15.conf", "16.conf"], "{}", describe(&r));
    assert!(describe(&r).contains("add up to more than 64 MiB"));
}

#[test]
fn a_large_hook_is_checked_in_pieces() {
    let mut hook = b"#!/bin/bash\n".to_vec();
    hook.extend(std::iter::repeat_n(b"echo padding\n", 400_000).flatten());
    hook.extend(b"python manage.py migrate\r\n");
    let p = tempfile::tempdir().unwrap();
    let eb = p.path().join("eb");
    fixture(&eb, true);
    write(&eb, ".platform/hooks/predeploy/02_big.sh", &hook, 0o755);
    let r = validate(&eb);
    let text = describe(&r);
    assert!(
        text.contains("CRLF line endings (first on line 400002)"),
        "{text}"
    );
    assert!(text.contains("R95 Warning"), "{text}");
    let o = run(
        p.path(),
        &["build", "eb", "--label", "t", "--app", "app", "--fix"],
        &[],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("converts hooks up to 4 MiB only"), "{err}");
    let zip = p.path().join("hook.zip");
    let entries: Vec<(&[u8], &[u8], u32)> = vec![
        (b"Dockerrun.aws.json", DOCKERRUN.as_bytes(), FILE),
        (b".platform/hooks/predeploy/02_big.sh", &hook, HOOK),
    ];
    std::fs::write(&zip, raw_zip(&entries, false)).unwrap();
    assert!(has_error(
        &validate(&zip),
        "R92",
        ".platform/hooks/predeploy/02_big.sh"
    ));
}

#[test]
fn only_what_a_rule_reads_is_loaded() {
    let p = tempfile::tempdir().unwrap();
    let eb = p.path().join("eb");
    fixture(&eb, true);
    for i in 0..50 {
        write(&eb, &format!("data/f{i}.json"), &[b' '; 100_000], 0o644);
        write(&eb, &format!("r{i}.yml"), b"a: 1\n", 0o644);
    }
    write(&eb, "bin/unused.sh", b"#!/bin/sh\r\n", 0o755);
    write(
        &eb,
        ".ebextensions/02.config",
        b"commands:\n  a:\n    command: bin/run.sh\n",
        0o644,
    );
    let bundle = validate::read_dir(&eb, None).unwrap();
    let loaded: Vec<&str> = bundle
        .entries
        .iter()
        .filter(|e| e.data.is_some())
        .map(|e| e.name.as_str())
        .collect();
    assert_eq!(
        loaded,
        [
            ".ebextensions/01_env.config",
            ".ebextensions/02.config",
            ".platform/hooks/predeploy/01_migrate.sh",
            "Dockerrun.aws.json",
            "bin/run.sh",
        ]
    );
    // 600 entries of 4 MiB of zeros (a 2.5 MB zip) are listed, not read.
    let zip = p.path().join("zeros.zip");
    std::fs::write(&zip, zeros_zip(600)).unwrap();
    let started = std::time::Instant::now();
    let bundle = validate::read_zip(&zip).unwrap();
    assert_eq!(bundle.entries.len(), 601);
    assert_eq!(
        bundle.entries.iter().filter(|e| e.data.is_some()).count(),
        1
    );
    assert!(!validate(&zip).fails(false));
    assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());
}

#[test]
fn validate_refuses_what_build_refuses() {
    // More than 65,535 entries: a folder and a (ZIP64) zip.
    let p = tempfile::tempdir().unwrap();
    let eb = p.path().join("eb");
    fixture(&eb, true);
    std::fs::create_dir_all(eb.join("many")).unwrap();
    for i in 0..65_535 {
        std::fs::File::create(eb.join("many").join(i.to_string())).unwrap();
    }
    assert!(has_error(&validate(&eb), "B5", "eb"));
    let names: Vec<String> = (0..65_536).map(|i| format!("m/{i}")).collect();
    let mut entries: Vec<(&[u8], &[u8], u32)> = names
        .iter()
        .map(|n| (n.as_bytes(), &b""[..], FILE))
        .collect();
    entries.push((b"Dockerrun.aws.json", DOCKERRUN.as_bytes(), FILE));
    let zip = p.path().join("many.zip");
    std::fs::write(&zip, raw_zip(&entries, true)).unwrap();
    let r = validate(&zip);
    assert!(
        r.diagnostics
            .iter()
            .any(|d| d.code == "B5" && d.message.contains("65537 entries")),
        "{}",
        describe(&r)
    );
    // A file over 4 GiB (sparse): refused on its size, nothing read.
    let q = tempfile::tempdir().unwrap();
    let eb = q.path().join("eb");
    fixture(&eb, true);
    let f = std::fs::File::create(eb.join("huge.bin")).unwrap();
    f.set_len(5 << 30).unwrap();
    let started = std::time::Instant::now();
    assert!(has_error(&validate(&eb), "B4", "eb/huge.bin"));
    build_refuses(q.path(), "B4");
    assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());
    // The zip a folder would make, over the limit (lowered here): B4 as
    // `build` gives it, before anything is written.
    std::fs::remove_file(eb.join("huge.bin")).unwrap();
    let mut seed = 7u64;
    let noise: Vec<u8> = (0..600_000)
        .map(|_| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 33) as u8
        })
        .collect();
    write(&eb, "data/noise.bin", &noise, 0o644);
    let set = ebpack::fileset::walk(&eb, None).unwrap();
    let bundle = validate::from_fileset("eb", &set).unwrap();
    let mut r = Report::default();
    ebpack::bundle::prepare::check_fits(&bundle, &set, 500_000, &mut r);
    assert!(has_error(&r, "B4", "eb"), "{}", describe(&r));
    assert!(
        r.diagnostics[0]
            .message
            .contains("`data/noise.bin` (600.0 KB)")
    );
    let mut r = Report::default();
    ebpack::bundle::prepare::check_fits(&bundle, &set, 5_000_000, &mut r);
    assert!(r.diagnostics.is_empty(), "{}", describe(&r));
}

#[test]
fn what_is_not_a_regular_file_is_refused_before_reading() {
    let p = tempfile::tempdir().unwrap();
    for args in [
        &["validate", "/dev/zero"][..],
        &["inspect", "/dev/zero"],
        &["validate", "/dev/null"],
    ] {
        let o = run(p.path(), args, &[]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(6), "{args:?}: {err}");
        assert!(err.contains("is not a regular file"), "{err}");
    }
}

#[test]
fn a_corrupt_central_directory_is_refused_as_unzip_refuses_it() {
    let entries: Vec<(&[u8], &[u8], u32)> = vec![
        (b"Dockerrun.aws.json", DOCKERRUN.as_bytes(), FILE),
        (b"app/x", b"y", FILE),
    ];
    let good = raw_zip(&entries, false);
    let end = good.len() - 22;
    let p = tempfile::tempdir().unwrap();
    for (at, delta, says) in [
        (12, 1, "central directory of"),
        (12, -1i8, "central directory of"),
        (10, 1, "counts 3 entries"),
    ] {
        let mut bad = good.clone();
        bad[end + at] = bad[end + at].wrapping_add_signed(delta);
        if at == 10 {
            bad[end + 8] = bad[end + 10];
        }
        let zip = p.path().join("bad.zip");
        std::fs::write(&zip, &bad).unwrap();
        let r = validate(&zip);
        assert!(has_error(&r, "R5", "bad.zip"), "{}", describe(&r));
        assert!(r.diagnostics[0].message.contains(says), "{}", describe(&r));
    }
    let zip = p.path().join("good.zip");
    std::fs::write(&zip, &good).unwrap();
    assert!(!validate(&zip).fails(false));
    assert!(
        validate::read_zip(&zip)
            .unwrap()
            .entries
            .iter()
            .all(|e| e.kind == EntryKind::File)
    );
}

#[test]
fn an_ebignore_over_the_limits_says_the_limit() {
    let p = tempfile::tempdir().unwrap();
    let eb = p.path().join("eb");
    fixture(&eb, true);
    // 10,000 patterns are fine.
    let many: String = (0..10_000)
        .map(|i| format!("d{i}/**/f{i}[a-z]*.log\n"))
        .collect();
    write(&eb, ".ebignore", many.as_bytes(), 0o644);
    assert!(!validate(&eb).fails(false));
    let huge = vec!["a"; 200_000].join("*");
    write(&eb, ".ebignore", huge.as_bytes(), 0o644);
    let e = validate::validate_path(&eb, &Options::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("limit of 10 MiB per pattern"), "{e}");
    assert!(e.len() < 600, "the line is cut: {e}");
    let over = "x\n".repeat(600_000);
    write(&eb, ".ebignore", over.as_bytes(), 0o644);
    let e = validate::validate_path(&eb, &Options::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("limit of 1 MiB"), "{e}");
}

#[test]
fn generated_files_never_go_below_a_file_or_link() {
    let p = tempfile::tempdir().unwrap();
    let eb = p.path().join("eb");
    write(&eb, "Dockerrun.aws.json", DOCKERRUN.as_bytes(), 0o644);
    write(&eb, ".ebextensions", b"not a folder\n", 0o644);
    write(
        p.path(),
        "ebpack.yaml",
        b"generate:\n  docker_group:\n    user: ec2-user\n",
        0o644,
    );
    let err = build_refuses(p.path(), "B6");
    assert!(err.contains("cannot create the folder there"), "{err}");
}
