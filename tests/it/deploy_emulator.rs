//! Publish and deploy end to end: ebpack's real AWS adapters (the SDK over
//! HTTP) against the local emulator — happy path, idempotence, label
//! collisions, a busy environment, failures with rollback, the health gate,
//! timeouts, throttling/5xx/dropped-connection storms, and multipart uploads
//! that are aborted, never orphaned, when they fail.

use crate::support::emulator::{Delays, Emulator, Fault, STACK, Service, unique_name, zip_bytes};
use aws_config::timeout::TimeoutConfig;
use ebpack::aws::{Clients, retry_config};
use ebpack::deploy::Silent;
use ebpack::deploy::poll::PollSettings;
use ebpack::deploy::publish::{Provenance, PublishError, PublishRequest, publish};
use ebpack::deploy::update::{DeploySettings, DeployStatus, deploy};
use sha2::{Digest, Sha256};
use std::time::{Duration, Instant};

fn fast_poll() -> PollSettings {
    PollSettings {
        min: Duration::from_millis(100),
        max: Duration::from_millis(400),
    }
}

fn delays(update: Duration) -> Delays {
    Delays {
        launch: Some(Duration::from_millis(200)),
        update: Some(update),
        process: Some(Duration::from_millis(200)),
        ..Delays::default()
    }
}

/// A bundle on disk with its digest.
struct Bundle {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    sha256: String,
    size: u64,
}

fn bundle(bytes: &[u8]) -> Bundle {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bundle.zip");
    std::fs::write(&path, bytes).unwrap();
    Bundle {
        _dir: dir,
        path,
        sha256: ebpack::bundle::write::hex(&Sha256::digest(bytes)),
        size: bytes.len() as u64,
    }
}

/// A valid bundle whose bytes differ by `tag` (so digests differ).
fn valid_bundle(tag: &str) -> Bundle {
    bundle(&zip_bytes(&[
        ("Dockerrun.aws.json", support_dockerrun().as_bytes()),
        ("VERSION", tag.as_bytes()),
    ]))
}

fn support_dockerrun() -> String {
    serde_json::json!({
        "AWSEBDockerrunVersion": 2,
        "containerDefinitions": [{
            "name": "web", "image": "nginx:1.27", "essential": true, "memory": 128,
            "portMappings": [{"hostPort": 80, "containerPort": 80}]
        }]
    })
    .to_string()
}

/// What ebpack publishes by default: EB's bucket, the app created if missing.
fn publish_request(app: &str, label: &str, b: &Bundle) -> PublishRequest {
    PublishRequest {
        app: app.into(),
        label: label.into(),
        zip: b.path.clone(),
        sha256: b.sha256.clone(),
        size: b.size,
        bucket: None,
        process: false,
        create_app: true,
        process_timeout: Duration::from_secs(20),
        poll: fast_poll(),
    }
}

struct Fx {
    emu: &'static Emulator,
    clients: Clients,
    app: String,
}

impl Fx {
    async fn new() -> Fx {
        let emu = Emulator::shared();
        let config = emu
            .sdk_config_with(retry_config(8), TimeoutConfig::disabled())
            .await;
        Fx {
            emu,
            clients: Clients::from_sdk_config(&config, true),
            app: unique_name("app"),
        }
    }

    fn request(&self, label: &str, b: &Bundle) -> PublishRequest {
        publish_request(&self.app, label, b)
    }

    async fn publish(
        &self,
        label: &str,
        b: &Bundle,
    ) -> Result<ebpack::deploy::publish::Published, PublishError> {
        publish(
            &self.clients.eb,
            &self.clients.s3,
            &self.request(label, b),
            &Silent,
        )
        .await
    }

    /// A Ready environment running `label` (published first).
    async fn ready_env(&self, label: &str, update: Duration) -> String {
        self.publish(label, &valid_bundle(label)).await.unwrap();
        let env = unique_name("env");
        self.emu.set_environment_delays(&env, delays(update));
        self.emu
            .create_ready_environment(&self.app, &env, label)
            .await;
        env
    }

    fn settings(&self, env: &str, label: &str) -> DeploySettings {
        DeploySettings {
            app: self.app.clone(),
            env: env.into(),
            label: label.into(),
            timeout: Duration::from_secs(30),
            healthy: vec!["Green".into()],
            health_grace: Duration::from_secs(2),
            no_wait: false,
            rollback: false,
            force: false,
            poll: fast_poll(),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn publish_then_deploy_then_rerun_reuses_everything() {
    let fx = Fx::new().await;
    let env = fx.ready_env("v0", Duration::from_millis(600)).await;
    let b = valid_bundle("v1");
    let first = fx.publish("v1", &b).await.unwrap();
    assert_eq!(first.version, Provenance::Created);
    assert!(first.uploaded);
    assert_eq!(first.key, format!("{}/v1.zip", fx.app));
    assert_eq!(first.bucket, "elasticbeanstalk-us-east-1-123456789012");

    let out = deploy(&fx.clients.eb, &fx.settings(&env, "v1"), &Silent)
        .await
        .unwrap();
    assert_eq!(out.status, DeployStatus::Deployed, "{out:?}");
    assert_eq!(out.final_label.as_deref(), Some("v1"));
    assert_eq!(out.previous_label.as_deref(), Some("v0"));
    assert_eq!(out.health, "Green");
    assert!(out.request_id.as_deref().is_some_and(|r| !r.is_empty()));

    // The re-run: nothing uploaded, no second version, no second deployment.
    let puts_before = fx.emu.calls_to("PutObject").len();
    let creates_before = fx.emu.calls_to("CreateApplicationVersion").len();
    let again = fx.publish("v1", &b).await.unwrap();
    assert_eq!(again.version, Provenance::Reused);
    assert!(!again.uploaded);
    assert_eq!(fx.emu.calls_to("PutObject").len(), puts_before);
    assert_eq!(
        fx.emu.calls_to("CreateApplicationVersion").len(),
        creates_before
    );
    let out = deploy(&fx.clients.eb, &fx.settings(&env, "v1"), &Silent)
        .await
        .unwrap();
    assert_eq!(out.status, DeployStatus::Unchanged);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_label_with_other_content_is_a_hard_error_naming_both_digests() {
    let fx = Fx::new().await;
    let a = valid_bundle("a");
    let b = valid_bundle("b");
    fx.publish("v1", &a).await.unwrap();
    match fx.publish("v1", &b).await {
        Err(PublishError::LabelConflict { existing, new, .. }) => {
            assert_eq!(existing, a.sha256);
            assert_eq!(new, b.sha256);
        }
        other => panic!("expected a label conflict, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn process_waits_for_processed_and_reports_failed_bundles() {
    let fx = Fx::new().await;
    let ok = valid_bundle("ok");
    let mut req = fx.request("ok", &ok);
    req.process = true;
    let out = publish(&fx.clients.eb, &fx.clients.s3, &req, &Silent)
        .await
        .unwrap();
    assert_eq!(out.version, Provenance::Created);

    let not_zip = bundle(b"this is not a zip");
    let mut req = fx.request("broken", &not_zip);
    req.process = true;
    let err = publish(&fx.clients.eb, &fx.clients.s3, &req, &Silent)
        .await
        .unwrap_err();
    assert!(
        matches!(err, PublishError::ProcessingFailed { .. }),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_busy_environment_is_waited_for_instead_of_failing_must_be_ready() {
    let fx = Fx::new().await;
    let env = fx.ready_env("v0", Duration::from_millis(1500)).await;
    fx.publish("v1", &valid_bundle("v1")).await.unwrap();
    fx.publish("v2", &valid_bundle("v2")).await.unwrap();
    // Another pipeline starts deploying v1...
    let eb = fx.emu.eb_client().await;
    eb.update_environment()
        .application_name(&fx.app)
        .environment_name(&env)
        .version_label("v1")
        .send()
        .await
        .unwrap();
    // ...while this one deploys v2: it waits, then deploys.
    let out = deploy(&fx.clients.eb, &fx.settings(&env, "v2"), &Silent)
        .await
        .unwrap();
    assert_eq!(out.status, DeployStatus::Deployed, "{out:?}");
    assert_eq!(out.final_label.as_deref(), Some("v2"));
    // The label a rollback would return to: what ran when this run sent
    // its update (the other pipeline's v1), not what ran when it started.
    assert_eq!(out.previous_label.as_deref(), Some("v1"));
    let accepted = fx
        .emu
        .calls_to("UpdateEnvironment")
        .iter()
        .filter(|c| c["status"] == 200)
        .count();
    assert!(
        accepted >= 2,
        "both updates were accepted, one after the other"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_deployment_keeps_the_old_label_and_rollback_restores_it() {
    let fx = Fx::new().await;
    let env = fx.ready_env("v0", Duration::from_millis(500)).await;
    fx.publish("v1", &valid_bundle("v1")).await.unwrap();
    fx.emu.fail_next_deployment(&env, None);
    let out = deploy(&fx.clients.eb, &fx.settings(&env, "v1"), &Silent)
        .await
        .unwrap();
    assert_eq!(out.status, DeployStatus::Failed, "{out:?}");
    assert_eq!(out.final_label.as_deref(), Some("v0"));
    assert!(
        out.failures
            .iter()
            .any(|f| f.contains("Failed to deploy application")),
        "{out:?}"
    );

    fx.emu.fail_next_deployment(&env, None);
    let mut s = fx.settings(&env, "v1");
    s.rollback = true;
    let out = deploy(&fx.clients.eb, &s, &Silent).await.unwrap();
    assert_eq!(out.status, DeployStatus::Failed);
    let rb = out.rollback.expect("a rollback ran");
    assert_eq!(rb.label, "v0");
    assert_eq!(rb.status, DeployStatus::Deployed, "{rb:?}");
    assert_eq!(rb.final_label.as_deref(), Some("v0"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bundle_that_ec2_cannot_run_fails_the_deployment() {
    let fx = Fx::new().await;
    let env = fx.ready_env("v0", Duration::from_millis(500)).await;
    let no_dockerrun = bundle(&zip_bytes(&[("README.md", b"hello")]));
    fx.publish("bad", &no_dockerrun).await.unwrap();
    let out = deploy(&fx.clients.eb, &fx.settings(&env, "bad"), &Silent)
        .await
        .unwrap();
    assert_eq!(out.status, DeployStatus::Failed);
    assert_eq!(out.final_label.as_deref(), Some("v0"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_health_gate_accepts_only_the_configured_colours() {
    let fx = Fx::new().await;
    let env = fx.ready_env("v0", Duration::from_millis(400)).await;
    fx.emu.set_deployment_health(&env, "Yellow");
    fx.publish("v1", &valid_bundle("v1")).await.unwrap();
    fx.publish("v2", &valid_bundle("v2")).await.unwrap();
    let out = deploy(&fx.clients.eb, &fx.settings(&env, "v1"), &Silent)
        .await
        .unwrap();
    assert_eq!(out.status, DeployStatus::HealthGateFailed, "{out:?}");
    assert_eq!(out.final_label.as_deref(), Some("v1"));
    assert_eq!(out.health, "Yellow");

    let mut s = fx.settings(&env, "v2");
    s.healthy = vec!["Green".into(), "Yellow".into()];
    let out = deploy(&fx.clients.eb, &s, &Silent).await.unwrap();
    assert_eq!(out.status, DeployStatus::Deployed, "{out:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_timeout_says_still_running_not_failed() {
    let fx = Fx::new().await;
    let env = fx.ready_env("v0", Duration::from_secs(30)).await;
    fx.publish("v1", &valid_bundle("v1")).await.unwrap();
    let mut s = fx.settings(&env, "v1");
    s.timeout = Duration::from_secs(2);
    let started = Instant::now();
    let out = deploy(&fx.clients.eb, &s, &Silent).await.unwrap();
    assert_eq!(out.status, DeployStatus::TimedOut, "{out:?}");
    assert_eq!(out.env_status, "Updating");
    assert!(started.elapsed() < Duration::from_secs(10));

    // --no-wait returns as soon as the update is accepted.
    let env2 = fx.ready_env("w0", Duration::from_secs(30)).await;
    fx.publish("w1", &valid_bundle("w1")).await.unwrap();
    let mut s = fx.settings(&env2, "w1");
    s.no_wait = true;
    let out = deploy(&fx.clients.eb, &s, &Silent).await.unwrap();
    assert_eq!(out.status, DeployStatus::Started);
}

#[tokio::test(flavor = "multi_thread")]
async fn throttling_5xx_and_dropped_connections_are_ridden_out() {
    // Faults are global: this test has its own emulator.
    let emu = Emulator::start();
    // Every fault rule is bounded (8 throttles, 2 HTTP 500s and 2 dropped
    // connections on EB) and the client makes more attempts than that, so
    // the run must succeed whatever the random draws are: an unbounded
    // 30% throttle let one request fail ten times in about one run in ten.
    let config = emu
        .sdk_config_with(retry_config(14), TimeoutConfig::disabled())
        .await;
    let clients = Clients::from_sdk_config(&config, true);
    let app = unique_name("app");
    let env = unique_name("env");
    emu.set_environment_delays(&env, delays(Duration::from_millis(500)));

    let v0 = valid_bundle("v0");
    let req = |label: &str, b: &Bundle| publish_request(&app, label, b);
    publish(&clients.eb, &clients.s3, &req("v0", &v0), &Silent)
        .await
        .unwrap();
    let eb = emu.eb_client().await;
    eb.create_environment()
        .application_name(&app)
        .environment_name(&env)
        .solution_stack_name(STACK)
        .version_label("v0")
        .send()
        .await
        .unwrap();

    emu.inject_fault(
        Fault::throttle()
            .service(Service::ElasticBeanstalk)
            .rate(0.3)
            .count(8),
    );
    emu.inject_fault(Fault::http503().service(Service::S3).count(2));
    emu.inject_fault(Fault::http500().service(Service::ElasticBeanstalk).count(2));
    emu.inject_fault(
        Fault::drop_connection()
            .service(Service::ElasticBeanstalk)
            .count(2),
    );

    let v1 = valid_bundle("v1");
    publish(&clients.eb, &clients.s3, &req("v1", &v1), &Silent)
        .await
        .unwrap();
    let settings = DeploySettings {
        app: app.clone(),
        env: env.clone(),
        label: "v1".into(),
        timeout: Duration::from_secs(60),
        healthy: vec!["Green".into()],
        health_grace: Duration::from_secs(5),
        no_wait: false,
        rollback: false,
        force: false,
        poll: fast_poll(),
    };
    let out = deploy(&clients.eb, &settings, &Silent).await.unwrap();
    assert_eq!(out.status, DeployStatus::Deployed, "{out:?}");
    let injected: u64 = emu
        .faults()
        .iter()
        .map(|f| f["injected"].as_u64().unwrap_or(0))
        .sum();
    assert!(injected >= 6, "faults were injected: {:?}", emu.faults());
}

async fn open_multipart_uploads(emu: &Emulator, bucket: &str) -> usize {
    let s3 = emu.s3_client().await;
    s3.list_multipart_uploads()
        .bucket(bucket)
        .send()
        .await
        .unwrap()
        .uploads()
        .len()
}

fn big_zip(megabytes: usize, seed: u8) -> Vec<u8> {
    // Incompressible content so the zip really is that large.
    let mut x: u32 = 0x1234_5678 ^ u32::from(seed);
    let data: Vec<u8> = (0..megabytes * 1024 * 1024)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x & 0xff) as u8
        })
        .collect();
    zip_bytes(&[
        ("Dockerrun.aws.json", support_dockerrun().as_bytes()),
        ("blob.bin", &data),
    ])
}

#[tokio::test(flavor = "multi_thread")]
async fn large_bundles_go_multipart_and_failed_uploads_are_aborted() {
    let emu = Emulator::start();
    let config = emu
        .sdk_config_with(retry_config(3), TimeoutConfig::disabled())
        .await;
    let clients = Clients::from_sdk_config(&config, true);
    let s3 = clients.s3.clone().with_multipart_threshold(6 * 1024 * 1024);
    let app = unique_name("app");
    let b = bundle(&big_zip(12, 1));
    let req = PublishRequest {
        process: true,
        ..publish_request(&app, "big", &b)
    };
    let out = publish(&clients.eb, &s3, &req, &Silent).await.unwrap();
    assert!(out.uploaded);
    assert_eq!(emu.calls_to("CreateMultipartUpload").len(), 1);
    assert_eq!(emu.calls_to("UploadPart").len(), 2, "8 MiB + the rest");
    assert_eq!(emu.calls_to("CompleteMultipartUpload").len(), 1);
    let head = emu
        .s3_client()
        .await
        .head_object()
        .bucket(&out.bucket)
        .key(&out.key)
        .send()
        .await
        .unwrap();
    assert_eq!(head.content_length(), Some(b.size as i64));
    assert_eq!(head.metadata().unwrap().get("sha256"), Some(&b.sha256));

    // Every UploadPart fails (beyond the retries): the upload is aborted.
    emu.inject_fault(Fault::http500().service(Service::S3).action("UploadPart"));
    let b2 = bundle(&big_zip(12, 2));
    let req2 = publish_request(&app, "big2", &b2);
    let err = publish(&clients.eb, &s3, &req2, &Silent).await.unwrap_err();
    assert!(err.to_string().contains("UploadPart"), "{err}");
    assert_eq!(emu.calls_to("AbortMultipartUpload").len(), 1);
    assert_eq!(open_multipart_uploads(&emu, &out.bucket).await, 0);
    emu.clear_faults();
    assert!(
        emu.eb_client()
            .await
            .describe_application_versions()
            .application_name(&app)
            .version_labels("big2")
            .send()
            .await
            .unwrap()
            .application_versions()
            .is_empty(),
        "no version is created for a failed upload"
    );
}
