//! Every `.ebextensions` file of the shared corpus: 50 configs from public
//! GitHub repositories and the 115 official AWS sample configs. No input may
//! panic, and the set of error codes of each file must equal the verdict in
//! [`VERDICTS`], which was checked by reading each file against the rules.
//! The AWS samples are all free of errors (Windows-only keys and paths are
//! warnings on the Linux targets).

use ebpack::diag::{Report, Severity};
use ebpack::validate::{self, Options, Platform};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn corpus() -> PathBuf {
    let p = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus"));
    assert!(
        p.is_dir(),
        "corpus missing at {}: the corpus tests need it",
        p.display()
    );
    p
}

/// Corpus path → the error codes it must produce (empty: no errors).
/// Warnings are noted in comments where they are the interesting part.
const VERDICTS: &[(&str, &[&str])] = &[
    ("github/ebextensions/001-cwl-webrequest-metrics.config", &[]), // W R91 only: `Fn::If` is undocumented for EB
    ("github/ebextensions/002-create-sns-topic.config", &[]),
    ("github/ebextensions/003-resources.config", &[]),
    ("github/ebextensions/004-03-elasticache.config", &[]),
    ("github/ebextensions/005-efs-create.config", &[]),
    ("github/ebextensions/006-https-instance.config", &[]),
    ("github/ebextensions/007-listener-ssl-rule.config", &[]),
    ("github/ebextensions/008-mongo.config", &[]), // W R79 only: quoted 7-digit mode `0007555` is parsed as octal by cfn-init
    ("github/ebextensions/009-init.config", &[]),
    (
        "github/ebextensions/010-99-configure_ssh_credentials.config",
        &[],
    ),
    ("github/ebextensions/011-03_papertrail.config", &[]), // W R79 only: `00644` / `00555` are short but valid octal
    ("github/ebextensions/012-09_cloudwatch.config", &[]),
    ("github/ebextensions/013-init.config", &[]),
    ("github/ebextensions/014-django.config", &[]), // W R71 only: `$` in PYTHONPATH is outside the documented set but works
    ("github/ebextensions/015-03_python.config", &[]),
    ("github/ebextensions/016-rails.config", &[]),
    ("github/ebextensions/017-init.config", &[]), // W R87 only: `leader_only: 'false'` is a string
    (
        "github/ebextensions/018-elasticbeanstalk-environment.config",
        &[],
    ),
    (
        "github/ebextensions/019-loadbalancer-alb-securelistener.config",
        &[],
    ),
    ("github/ebextensions/020-healthcheckurl.config", &[]),
    ("github/ebextensions/021-https-instance-dotnet.config", &[]), // W R78 only: Windows paths on a Linux target
    ("github/ebextensions/022-dynamodb.config", &[]),
    ("github/ebextensions/023-01-setup.config", &[]),
    ("github/ebextensions/024-05-ssh.config", &[]),
    ("github/ebextensions/025-99datadog.config", &[]),
    ("github/ebextensions/026-environment.config", &[]), // W R71 only: `<placeholder>` values
    ("github/ebextensions/027-alarm.config", &[]),
    ("github/ebextensions/028-drupal-drush.config", &[]),
    ("github/ebextensions/029-05_python.config", &[]), // W R71 only: `$` in PYTHONPATH
    ("github/ebextensions/030-.config", &[]),
    ("github/ebextensions/031-enhanced-health.yaml.config", &[]),
    ("github/ebextensions/032-cron.config", &["R85"]), // leader_only under commands
    ("github/ebextensions/033-keys.config", &["R79"]), // mode: 000500 unquoted (int 320)
    ("github/ebextensions/034-01_nginx.config", &["R78"]), // file settings mis-indented: `mode`, `owner`… become relative file paths
    ("github/ebextensions/035-init.config", &["R64"]),     // tab indentation
    ("github/ebextensions/036-01_environment.config", &["R67"]), // typo `optiion_settings`
    ("github/ebextensions/037-migrations.config", &["R67"]), // typo `optiocontainer_commands`
    ("github/ebextensions/038-proxy.config", &["R63"]), // raw nginx config: top level is a string
    ("github/ebextensions/039-log_files.yml", &["R67", "R78"]), // not an EB config: unknown key `destination`, `files` is a list
    ("github/ebextensions/040-alb_accesslogs.config", &["R63"]), // short-form tag `!Ref`
    ("github/ebextensions/041-django.config", &[]), // W R69 only: empty `option_settings`
    ("github/ebextensions/042-02_settings.config", &[]), // W R63 only: empty file
    ("github/ebextensions/043-01_mklogdir.config", &[]), // W R63 only: comments only
    ("github/ebextensions/044-01-common.config", &["R66"]), // namespace `aws:autoscaling:launchconfiguration` twice
    ("github/ebextensions/045-cronjob.config", &["R66"]),   // top-level `commands` twice
    ("github/ebextensions/046-nginx.config", &[]), // W R79 only: mode `644` is short but valid octal
    ("github/ebextensions/047-permissions.config", &["R84"]), // `command` not indented under the command name
    ("github/ebextensions/048-healthcheckurl.config", &["R63"]), // invalid YAML (bad indentation)
    ("github/ebextensions/049-01_init.config", &["R84"]),     // typo `commlsand` for `command`
    ("github/ebextensions/050-options.config", &["R69"]), // unquoted value with `: ` makes the namespace a string
    (
        "aws-samples-ebextensions/aws-provided/environment-configuration/loadbalancer-clb-workertier.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/environment-configuration/loadbalancer-cross-zone.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/environment-configuration/timeout-commands.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/environment-configuration/timeout-waitcondition.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/environment-configuration/updates-immutable.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/environment-configuration/vpc-custom-loadbalanced.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/environment-configuration/workertier-scaleonqueuesize.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/add-ebs-volume.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/add-secondary-network-interface.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/amazon-inspector-install.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/apache-mpm_prefork.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/awslogs-change-frequency.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/change-nginx-max-body-size.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/cron-leaderonly-linux.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/cron-linux.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/env-regionname.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/files-downloadfromS3.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/install-newrelic-agent.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/install-nodejs.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/java-increase-file-descriptors.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/logs-ratelimitcloudwatchlogs-linux.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/logs-streamtocloudwatch-linux-alami.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/logs-streamtocloudwatch-linux.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/logs-uploadonterminate-linux.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/network-mtu-jumboframe.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/nodejs-increase-file-descriptors.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/package-oracle-jdk.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/proxy-server-nodejs.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/storage-efs-createfilesystem.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/storage-efs-mountfilesystem.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/storage-imagevolume-docker.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/t2unlimited-instance.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/timezone-linux.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/websockets/docker-mc/websockets-mc.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/websockets/docker-sc/websockets-sc.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/websockets/dotnet/windows-websocket.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/websockets/golang/websockets-golang.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/websockets/java-se/websockets-java-se.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/websockets/java-tomcat/websockets-java-tomcat.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/websockets/nodejs/websockets-nodejs.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/websockets/php/websockets-php.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/websockets/python/websockets-python.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/websockets/ruby-passenger/websockets-ruby-passenger.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/websockets/ruby-puma/websockets-ruby-puma.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/windows-configuration/adding-writepermission-iisfolder.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/windows-configuration/aws-inspector-install.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/windows-configuration/change-iislog-location.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/windows-configuration/elastic-ip-instance.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/windows-configuration/install-newrelic-agent.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/windows-configuration/join-domain-ssm.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/windows-configuration/scheduled-restart.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/windows-configuration/t2unlimited-instance.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/windows-configuration/timezone-windows.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/instance-configuration/windows-configuration/web-http-tracing.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/resource-configuration/alb-http-to-https-redirection-full.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/resource-configuration/alb-http-to-https-redirection.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/resource-configuration/autoscaling-capacity-rebalancing.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/resource-configuration/autoscaling-cloudwatch-group-metrics.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/resource-configuration/autoscaling-memory-utilization-cwagent.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/resource-configuration/autoscaling-memory-utlization-AL1.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/resource-configuration/autoscaling-terminate-newest-instance.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/resource-configuration/autoscaling-triggers-createnew.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/resource-configuration/autoscaling-triggers-customize.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/resource-configuration/autoscaling-triggers-disabledefault.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/resource-configuration/loadbalancer-accesslogs-existingbucket.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/resource-configuration/loadbalancer-accesslogs-newbucket.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/resource-configuration/sns-topic.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/https-instancecert/https-instancecert-docker-sc.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/https-instancecert/https-instancecert-dotnet.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/https-instancecert/https-instancecert-golang.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/https-instancecert/https-instancecert-java-se.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/https-instancecert/https-instancecert-java-tomcat.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/https-instancecert/https-instancecert-nodejs.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/https-instancecert/https-instancecert-php.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/https-instancecert/https-instancecert-python27.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/https-instancecert/https-instancecert-python34.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/https-instancecert/https-instancecert-ruby-passenger.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/https-instancecert/https-instancecert-ruby-puma.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/https-redirect/docker-sc/https-redirect-docker-sc.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/https-redirect/dotnet/https-redirect-load-balanced-dotnet.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/https-redirect/dotnet/https-redirect-single-instance-dotnet.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/https-redirect/nodejs/https-redirect-apache-nodejs.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/https-redirect/nodejs/https-redirect-nodejs.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/https-redirect/php/https-redirect-php.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/https-redirect/python/https-redirect-python.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/https-redirect/ruby-passenger/https-redirect-load-balanced-ruby-passenger/https-redirect-ruby-passenger.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/https-redirect/ruby-passenger/https-redirect-single-instance-ruby-passenger/https-redirect-ruby-passenger.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/https-redirect/ruby-puma/https-redirect-ruby-puma.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/https-singleinstance-securitygroup.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/loadbalancer-alb-securelistener.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/loadbalancer-clb-securelistener.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/loadbalancer-nlb-securelistener.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/proxy-ratelimit-linux/docker-sc/rate-limit-connections-ruby-docker-sc.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/proxy-ratelimit-linux/java-tomcat/rate-limit-connections-java-tomcat/mod_security.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/proxy-ratelimit-linux/nodejs/rate-limit-connections-apache-nodejs.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/proxy-ratelimit-linux/nodejs/rate-limit-connections-nodejs.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/proxy-ratelimit-linux/php/rate-limit-connections-php.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/proxy-ratelimit-linux/python/rate-limit-connections-python.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/proxy-ratelimit-linux/ruby-passenger/rate-limit-connections-ruby-passenger.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/proxy-ratelimit-linux/ruby-puma/rate-limit-connections-ruby-puma.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/rds-ssl-java.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/redshift-ssl-java.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/securitygroup-addexisting.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/securitygroup-loadbalanced-configureexisting.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/aws-provided/security-configuration/ssh-sourcerestriction.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/community-provided/instance-configuration/000_amazon_linux_2_compat_get-config.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/community-provided/instance-configuration/01-apache-request-limit.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/community-provided/instance-configuration/amazon-linux-2023-ruby-on-rails-cloudwatch.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/community-provided/instance-configuration/enable-windowsupdate-dotnet.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/community-provided/instance-configuration/http-ec2-metadata-hop-limit.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/community-provided/instance-configuration/storage-efs-mountfilesystem-ip-addr.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/community-provided/instance-configuration/tag-volume.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/community-provided/security-configuration/https-redirect-nginx-php.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/community-provided/security-configuration/loadbalancer-clb-securelistener.config",
        &[],
    ),
    (
        "aws-samples-ebextensions/community-provided/security-configuration/securitygroup-disable-auto-use-existing.config",
        &[],
    ),
];

fn check(path: &Path, platform: Platform) -> Report {
    let options = Options {
        platform,
        ..Options::default()
    };
    let bytes = std::fs::read(path).unwrap();
    let mut report = Report::default();
    let name = path.to_string_lossy();
    validate::validate_config_file(&name, &bytes, &options, None, &mut report);
    report
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|e| e == "config") {
            out.push(p);
        }
    }
}

#[test]
fn every_corpus_file_matches_its_verdict() {
    let root = corpus();
    let mut github: Vec<PathBuf> = std::fs::read_dir(root.join("github/ebextensions"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().is_some_and(|n| n != "MANIFEST.tsv"))
        .collect();
    github.sort();
    let mut samples = Vec::new();
    files(&root.join("aws-samples-ebextensions"), &mut samples);
    assert_eq!(github.len(), 50, "github/ebextensions should hold 50 files");
    assert_eq!(
        samples.len(),
        115,
        "aws-samples-ebextensions should hold 115 configs"
    );
    let mut failures = Vec::new();
    let mut seen = BTreeSet::new();
    for path in github.iter().chain(&samples) {
        let rel = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let Some((_, want)) = VERDICTS.iter().find(|(p, _)| *p == rel) else {
            failures.push(format!("{rel}: not in the verdict table"));
            continue;
        };
        seen.insert(rel.clone());
        for platform in [Platform::McAl1, Platform::DockerAl2] {
            let _ = check(path, platform); // must not panic
        }
        let report = check(path, Platform::EcsAl2);
        let got: BTreeSet<&str> = report
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| d.code)
            .collect();
        let want: BTreeSet<&str> = want.iter().copied().collect();
        if got != want {
            failures.push(format!("{rel}: want errors {want:?}, got {got:?}"));
        }
    }
    assert_eq!(
        seen.len(),
        VERDICTS.len(),
        "the verdict table lists files that are gone"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn aws_samples_have_no_errors() {
    for (path, codes) in VERDICTS {
        if path.starts_with("aws-samples-ebextensions/") {
            assert!(
                codes.is_empty(),
                "{path}: official samples must be free of errors"
            );
        }
    }
}
