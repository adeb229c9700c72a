//! What a run needs before its first AWS call: a region, credentials, a
//! reachable endpoint, valid flags, each failing clearly.

use super::*;

/// `aws_env` without a region (and, not being on EC2, no instance metadata
/// to take one from), plus `extra`.
fn no_region_env(emu: &Emulator, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut vars = aws_env_without(emu, &["AWS_REGION"]);
    vars.push(("AWS_EC2_METADATA_DISABLED".into(), "true".into()));
    vars.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    vars
}

#[test]
fn a_missing_region_is_a_clear_aws_error() {
    let emu = Emulator::shared();
    // No ebpack.yaml, no .elasticbeanstalk/config.yml, no ~/.aws/config.
    let p = Project::new("v0");
    let promote = [
        "deploy",
        "--version",
        "v1",
        "--env",
        "some-env",
        "--app",
        "some-app",
    ];
    for (args, vars) in [
        (
            &["publish", "eb", "--app", "some-app", "--label", "v1"][..],
            no_region_env(emu, &[]),
        ),
        (&promote[..], no_region_env(emu, &[])),
        // A CI variable filled from a missing secret.
        (&promote[..], no_region_env(emu, &[("AWS_REGION", "")])),
    ] {
        let r = ebpack(p.path(), args, &vars);
        r.assert_code(7);
        r.assert_stderr("error: configuration: no AWS region: pass `--region`, set `AWS_REGION`");
        assert!(
            !r.stderr.contains("IAM permissions"),
            "no permission hint for a local setting:\n{r}"
        );
        assert!(r.elapsed < Duration::from_secs(20), "{r}");
    }
}

#[test]
fn an_invalid_region_fails_at_once_without_a_retry_hint() {
    let emu = Emulator::shared();
    let p = Project::new("v0");
    let r = p.run(
        emu,
        &[
            "deploy",
            "--version",
            "v1",
            "--env",
            "some-env",
            "--app",
            "some-app",
            "--region",
            "no such region",
        ],
    );
    r.assert_code(7);
    r.assert_stderr("region");
    assert!(
        !r.stderr.contains("throttling"),
        "not a transient error:\n{r}"
    );
    assert!(r.elapsed < Duration::from_secs(10), "{r}");
}

#[test]
fn the_region_comes_from_flags_ebpack_variables_and_ebpack_yaml_before_aws_region() {
    let emu = Emulator::shared();
    let p = Project::new("v0");
    let app = unique_name("app");
    let other = [("AWS_REGION".to_owned(), "eu-west-1".to_owned())];
    let vars = |extra: &[(String, String)]| {
        let mut v = aws_env_without(emu, &["AWS_REGION"]);
        v.extend_from_slice(&other);
        v.extend_from_slice(extra);
        v
    };
    let publish = |label: &str, flags: &[&str], extra: &[(String, String)]| {
        let r = ebpack(
            p.path(),
            &with(
                &[
                    "publish",
                    "eb",
                    "--app",
                    &app,
                    "--label",
                    label,
                    "--create-app",
                    "--output",
                    "json",
                ],
                flags,
            ),
            &vars(extra),
        );
        r.assert_code(0);
        r.json()["bucket"].as_str().unwrap_or_default().to_owned()
    };
    let bucket = |region: &str| format!("elasticbeanstalk-{region}-123456789012");
    // AWS_REGION alone is used.
    assert_eq!(publish("a", &[], &[]), bucket("eu-west-1"));
    // --region wins over it...
    assert_eq!(
        publish("b", &["--region", "us-west-2"], &[]),
        bucket("us-west-2")
    );
    // ...and so do EBPACK_REGION and ebpack.yaml (configuration precedence).
    let ebpack_region = [("EBPACK_REGION".to_owned(), "ap-south-1".to_owned())];
    assert_eq!(publish("c", &[], &ebpack_region), bucket("ap-south-1"));
    std::fs::write(p.path().join("ebpack.yaml"), "region: ca-central-1\n").unwrap();
    assert_eq!(publish("d", &[], &[]), bucket("ca-central-1"));
    assert_eq!(publish("e", &[], &ebpack_region), bucket("ap-south-1"));
}

#[test]
fn missing_credentials_are_a_clear_aws_error() {
    let emu = Emulator::shared();
    let p = Project::new("v0");
    // No keys at all, then the secret without its key id.
    for drop in [
        &[
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
        ][..],
        &["AWS_ACCESS_KEY_ID"][..],
    ] {
        let mut vars = aws_env_without(emu, drop);
        // Not on EC2: no instance role to wait for.
        vars.push(("AWS_EC2_METADATA_DISABLED".into(), "true".into()));
        let r = ebpack(
            p.path(),
            &[
                "deploy",
                "--version",
                "v1",
                "--env",
                "some-env",
                "--app",
                "some-app",
            ],
            &vars,
        );
        r.assert_code(7);
        r.assert_stderr("error: credentials: no usable AWS credentials (");
        r.assert_stderr(
            "set `AWS_PROFILE`/`--profile`, `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, SSO or a web identity token",
        );
        assert!(!r.stderr.contains("IAM permissions"), "{r}");
        assert!(r.elapsed < Duration::from_secs(20), "{r}");
    }
}

#[test]
fn an_unreachable_endpoint_is_called_a_network_problem_not_throttling() {
    let emu = Emulator::shared();
    let p = Project::new("v0");
    // A port nobody listens on: every connection is refused.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}");
    let mut vars = aws_env_without(emu, &["AWS_ENDPOINT_URL"]);
    vars.push(("AWS_ENDPOINT_URL".into(), url.clone()));
    let r = ebpack(
        p.path(),
        &[
            "deploy",
            "--version",
            "v1",
            "--env",
            "some-env",
            "--app",
            "some-app",
            "--max-attempts",
            "2",
            "--timeout",
            "5s",
        ],
        &vars,
    );
    r.assert_code(7);
    r.assert_stderr("the AWS endpoint could not be reached");
    assert!(!r.stderr.contains("throttling"), "{r}");
    // One line of causes, not the SDK's Debug dump.
    assert!(!r.stderr.contains("DispatchFailure {"), "{r}");
}

#[test]
fn usage_errors_exit_2_before_any_aws_call() {
    let emu = Emulator::shared();
    let p = Project::new("v0");
    let r = p.run(emu, &["deploy", "eb", "--app", "some-app", "--label", "v1"]);
    r.assert_code(2);
    r.assert_stderr("no environment: pass `--env NAME`");
    // Each case: flags after `deploy --env e1 --app a1 --version v1`, and
    // what stderr must say.
    let cases: [(&[&str], &str); 8] = [
        (
            &["--poll-min", "2s", "--poll-max", "1s"],
            "`--poll-min` is longer than `--poll-max`",
        ),
        (&["--poll-min", "0s"], "`--poll-min` must be at least 10ms"),
        (&["--timeout", "soon"], "is not a duration"),
        (&["--healthy", "purple"], "invalid value 'purple'"),
        // Build and publish flags with `--version` are refused, not ignored.
        (&["--bundle", "x.zip"], "cannot be used with"),
        (&["--image-tag", "abc"], "cannot be used with"),
        (&["--label", "v2"], "cannot be used with"),
        (&["--create-app"], "cannot be used with"),
    ];
    for (flags, says) in cases {
        let r = p.run(
            emu,
            &with(
                &["deploy", "--env", "e1", "--app", "a1", "--version", "v1"],
                flags,
            ),
        );
        r.assert_code(2);
        r.assert_stderr(says);
    }
    assert!(!p.path().join("dist").exists(), "nothing was built");
}
