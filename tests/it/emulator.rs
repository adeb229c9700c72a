//! The local AWS emulator's own tests, through the real Rust SDK over HTTP:
//! each behaviour ebpack's publish/deploy tests rely on.
//!
//! Tests share one emulator of their own ([`delayed_emulator`]: it has
//! fixed short global delays, which the other tests of the binary must not
//! get) and use unique names; the fault-injection and reset tests each
//! start a private emulator.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::support::emulator::{
    ACCOUNT_ID, Delays, Emulator, Fault, STACK, Service, dockerrun_v2_bundle, unique_name,
    zip_bytes,
};
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_elasticbeanstalk::Client as EbClient;
use aws_sdk_elasticbeanstalk::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_elasticbeanstalk::operation::RequestId;
use aws_sdk_elasticbeanstalk::primitives::DateTime;
use aws_sdk_elasticbeanstalk::types::{
    ApplicationVersionStatus, EnvironmentDescription, EnvironmentHealth,
    EnvironmentHealthAttribute, EnvironmentStatus, EventDescription, EventSeverity, S3Location,
};
use aws_sdk_s3::Client as S3Client;
use aws_sdk_s3::primitives::ByteStream;
use aws_smithy_types::retry::ErrorKind;

/// The emulator these tests share: started once (like
/// [`Emulator::shared`]) with [`shared_delays`], apart from the emulator
/// the publish and deploy tests share.
fn delayed_emulator() -> &'static Emulator {
    static DELAYED: OnceLock<Emulator> = OnceLock::new();
    DELAYED.get_or_init(|| {
        let emu = Emulator::start();
        emu.set_delays(shared_delays());
        emu
    })
}

const UPDATE_DELAY: Duration = Duration::from_millis(800);
/// For the few tests that look at an environment mid-update.
const SLOW_UPDATE: Duration = Duration::from_secs(2);
const WAIT: Duration = Duration::from_secs(15);

/// The delays every test on the shared emulator agrees on (setting them is
/// idempotent, so parallel tests do not disturb each other).
fn shared_delays() -> Delays {
    Delays {
        launch: Some(Duration::from_millis(300)),
        update: Some(UPDATE_DELAY),
        terminate: Some(Duration::from_millis(300)),
        process: Some(Duration::from_millis(300)),
        swap: Some(Duration::from_millis(200)),
        abort: Some(Duration::from_millis(300)),
    }
}

struct Fixture {
    emu: &'static Emulator,
    eb: EbClient,
    s3: S3Client,
    bucket: String,
    app: String,
}

impl Fixture {
    async fn new() -> Fixture {
        let emu = delayed_emulator();
        let eb = emu.eb_client().await;
        let s3 = emu.s3_client().await;
        let bucket = eb
            .create_storage_location()
            .send()
            .await
            .expect("CreateStorageLocation")
            .s3_bucket()
            .expect("bucket name")
            .to_string();
        Fixture {
            emu,
            eb,
            s3,
            bucket,
            app: unique_name("app"),
        }
    }

    async fn upload(&self, key: &str, bytes: Vec<u8>) -> S3Location {
        self.s3
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .body(ByteStream::from(bytes))
            .send()
            .await
            .expect("PutObject");
        S3Location::builder()
            .s3_bucket(&self.bucket)
            .s3_key(key)
            .build()
    }

    /// Upload `bytes` as `<app>/<label>.zip` and create the version.
    async fn version(&self, label: &str, bytes: Vec<u8>) {
        let location = self
            .upload(&format!("{}/{label}.zip", self.app), bytes)
            .await;
        self.eb
            .create_application_version()
            .application_name(&self.app)
            .version_label(label)
            .source_bundle(location)
            .auto_create_application(true)
            .send()
            .await
            .expect("CreateApplicationVersion");
    }

    /// A Ready environment running `label` (created with a valid bundle).
    async fn ready_env(&self, label: &str) -> String {
        self.version(label, dockerrun_v2_bundle()).await;
        let name = unique_name("env");
        self.eb
            .create_environment()
            .application_name(&self.app)
            .environment_name(&name)
            .solution_stack_name(STACK)
            .version_label(label)
            .send()
            .await
            .expect("CreateEnvironment");
        let env = self
            .wait_env(&name, |e| e.status() == Some(&EnvironmentStatus::Ready))
            .await;
        assert_eq!(env.version_label(), Some(label));
        name
    }

    async fn env(&self, name: &str) -> EnvironmentDescription {
        let out = self
            .eb
            .describe_environments()
            .environment_names(name)
            .send()
            .await
            .expect("DescribeEnvironments");
        assert_eq!(out.environments().len(), 1, "one environment named {name}");
        out.environments()[0].clone()
    }

    async fn wait_env(
        &self,
        name: &str,
        done: impl Fn(&EnvironmentDescription) -> bool,
    ) -> EnvironmentDescription {
        let deadline = Instant::now() + WAIT;
        loop {
            let env = self.env(name).await;
            if done(&env) {
                return env;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting on {name}: {env:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Start a deployment of `label`; returns the request id the SDK reports.
    async fn deploy(&self, env: &str, label: &str) -> String {
        let out = self
            .eb
            .update_environment()
            .environment_name(env)
            .version_label(label)
            .send()
            .await
            .expect("UpdateEnvironment");
        out.request_id().expect("request id").to_string()
    }

    async fn events_for(&self, request_id: &str) -> Vec<EventDescription> {
        self.eb
            .describe_events()
            .request_id(request_id)
            .send()
            .await
            .expect("DescribeEvents")
            .events()
            .to_vec()
    }
}

fn messages(events: &[EventDescription]) -> Vec<&str> {
    events
        .iter()
        .map(|e| e.message().unwrap_or_default())
        .collect()
}

fn service_error(err: impl ProvideErrorMetadata) -> (String, String) {
    (
        err.code().unwrap_or_default().to_string(),
        err.message().unwrap_or_default().to_string(),
    )
}

fn http_status<E: std::fmt::Debug>(
    err: &SdkError<E, aws_sdk_elasticbeanstalk::config::http::HttpResponse>,
) -> u16 {
    match err {
        SdkError::ServiceError(ctx) => ctx.raw().status().as_u16(),
        other => panic!("expected a service error, got {other:?}"),
    }
}

// --- storage and application versions ---------------------------------------

#[tokio::test]
async fn create_storage_location_creates_the_default_bucket_in_s3() {
    let fx = Fixture::new().await;
    assert_eq!(
        fx.bucket,
        format!("elasticbeanstalk-us-east-1-{ACCOUNT_ID}")
    );
    fx.s3
        .head_bucket()
        .bucket(&fx.bucket)
        .send()
        .await
        .expect("bucket exists in S3");
    // Idempotent: a second call answers the same bucket.
    let again = fx.eb.create_storage_location().send().await.unwrap();
    assert_eq!(again.s3_bucket(), Some(fx.bucket.as_str()));
}

#[tokio::test]
async fn multipart_uploads_work_with_the_sdk_defaults_and_back_a_version() {
    // ebpack streams large bundles with multipart uploads (with the SDK's
    // default checksums) and aborts failed ones.
    let fx = Fixture::new().await;
    let key = format!("{}/big.zip", fx.app);
    let mut bundle = dockerrun_v2_bundle();
    bundle.resize(5 * 1024 * 1024 + 4096, 0); // trailing bytes after the zip's end are harmless
    let (first, second) = bundle.split_at(5 * 1024 * 1024);
    let upload = fx
        .s3
        .create_multipart_upload()
        .bucket(&fx.bucket)
        .key(&key)
        .send()
        .await
        .unwrap();
    let upload_id = upload.upload_id().unwrap();
    let mut parts = Vec::new();
    for (number, chunk) in [(1, first), (2, second)] {
        let part = fx
            .s3
            .upload_part()
            .bucket(&fx.bucket)
            .key(&key)
            .upload_id(upload_id)
            .part_number(number)
            .body(ByteStream::from(chunk.to_vec()))
            .send()
            .await
            .unwrap();
        parts.push(
            aws_sdk_s3::types::CompletedPart::builder()
                .part_number(number)
                .e_tag(part.e_tag().unwrap())
                .build(),
        );
    }
    fx.s3
        .complete_multipart_upload()
        .bucket(&fx.bucket)
        .key(&key)
        .upload_id(upload_id)
        .multipart_upload(
            aws_sdk_s3::types::CompletedMultipartUpload::builder()
                .set_parts(Some(parts))
                .build(),
        )
        .send()
        .await
        .unwrap();
    let head = fx
        .s3
        .head_object()
        .bucket(&fx.bucket)
        .key(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(head.content_length(), Some(bundle.len() as i64));

    let created = fx
        .eb
        .create_application_version()
        .application_name(&fx.app)
        .version_label("big")
        .source_bundle(
            S3Location::builder()
                .s3_bucket(&fx.bucket)
                .s3_key(&key)
                .build(),
        )
        .auto_create_application(true)
        .process(true)
        .send()
        .await
        .expect("a version of the multipart object");
    assert_eq!(
        created
            .application_version()
            .unwrap()
            .status()
            .unwrap()
            .as_str(),
        "PROCESSING"
    );

    let aborted = fx
        .s3
        .create_multipart_upload()
        .bucket(&fx.bucket)
        .key("x/aborted.zip")
        .send()
        .await
        .unwrap();
    fx.s3
        .abort_multipart_upload()
        .bucket(&fx.bucket)
        .key("x/aborted.zip")
        .upload_id(aborted.upload_id().unwrap())
        .send()
        .await
        .expect("AbortMultipartUpload");
    let listed = fx
        .s3
        .list_multipart_uploads()
        .bucket(&fx.bucket)
        .prefix("x/")
        .send()
        .await
        .unwrap();
    assert!(listed.uploads().is_empty());
}

#[tokio::test]
async fn version_pointing_at_a_missing_object_is_refused_with_the_exact_message() {
    let fx = Fixture::new().await;
    let key = format!("{}/missing.zip", fx.app);
    let err = fx
        .eb
        .create_application_version()
        .application_name(&fx.app)
        .version_label("v1")
        .source_bundle(
            S3Location::builder()
                .s3_bucket(&fx.bucket)
                .s3_key(&key)
                .build(),
        )
        .auto_create_application(true)
        .send()
        .await
        .unwrap_err();
    assert_eq!(http_status(&err), 400);
    let (code, message) = service_error(err);
    assert_eq!(code, "InvalidParameterCombination");
    assert_eq!(
        message,
        format!(
            "Unable to download from S3 location (Bucket: {}  Key: {key}). Reason: Not Found",
            fx.bucket
        )
    );
}

#[tokio::test]
async fn unknown_application_is_refused_unless_auto_created() {
    let fx = Fixture::new().await;
    let location = fx
        .upload(&format!("{}/v1.zip", fx.app), dockerrun_v2_bundle())
        .await;
    let err = fx
        .eb
        .create_application_version()
        .application_name(&fx.app)
        .version_label("v1")
        .source_bundle(location.clone())
        .send()
        .await
        .unwrap_err();
    let (code, message) = service_error(err);
    assert_eq!(code, "InvalidParameterValue");
    assert_eq!(message, format!("No Application named '{}' found.", fx.app));

    fx.eb
        .create_application_version()
        .application_name(&fx.app)
        .version_label("v1")
        .source_bundle(location)
        .auto_create_application(true)
        .send()
        .await
        .expect("AutoCreateApplication creates the application");
    let apps = fx
        .eb
        .describe_applications()
        .application_names(&fx.app)
        .send()
        .await
        .unwrap();
    assert_eq!(apps.applications().len(), 1, "the filter is honoured");
    let app = &apps.applications()[0];
    assert_eq!(app.application_name(), Some(fx.app.as_str()));
    assert_eq!(app.versions(), ["v1"]);
}

#[tokio::test]
async fn duplicate_version_label_is_refused() {
    let fx = Fixture::new().await;
    fx.version("v1", dockerrun_v2_bundle()).await;
    let err = fx
        .eb
        .create_application_version()
        .application_name(&fx.app)
        .version_label("v1")
        .source_bundle(
            S3Location::builder()
                .s3_bucket(&fx.bucket)
                .s3_key(format!("{}/v1.zip", fx.app))
                .build(),
        )
        .send()
        .await
        .unwrap_err();
    let (code, message) = service_error(err);
    assert_eq!(code, "InvalidParameterValue");
    assert_eq!(message, "Application Version v1 already exists.");
}

#[tokio::test]
async fn version_statuses_are_upper_case_and_process_checks_the_zip() {
    let fx = Fixture::new().await;
    let create = |label: &'static str, key: String, process: bool| {
        fx.eb
            .create_application_version()
            .application_name(&fx.app)
            .version_label(label)
            .source_bundle(
                S3Location::builder()
                    .s3_bucket(&fx.bucket)
                    .s3_key(key)
                    .build(),
            )
            .auto_create_application(true)
            .process(process)
            .send()
    };
    let good = fx
        .upload(&format!("{}/good.zip", fx.app), dockerrun_v2_bundle())
        .await;
    let bad = fx
        .upload(&format!("{}/bad.zip", fx.app), b"not a zip".to_vec())
        .await;
    let status = |out: &aws_sdk_elasticbeanstalk::operation::create_application_version::CreateApplicationVersionOutput| {
        out.application_version().unwrap().status().unwrap().clone()
    };

    let plain = create("plain", good.s3_key().unwrap().into(), false)
        .await
        .unwrap();
    let plain_status = status(&plain);
    assert_eq!(plain_status.as_str(), "UNPROCESSED");
    // The service answers upper case; the model's enum is "Unprocessed", so
    // the SDK does not recognise it: ebpack must compare case-insensitively.
    assert!(!ApplicationVersionStatus::values().contains(&plain_status.as_str()));

    let processed = create("processed", good.s3_key().unwrap().into(), true)
        .await
        .unwrap();
    assert_eq!(status(&processed).as_str(), "PROCESSING");
    let failed = create("failed", bad.s3_key().unwrap().into(), true)
        .await
        .unwrap();
    assert_eq!(status(&failed).as_str(), "PROCESSING");

    let deadline = Instant::now() + WAIT;
    loop {
        let out = fx
            .eb
            .describe_application_versions()
            .application_name(&fx.app)
            .version_labels("processed")
            .version_labels("failed")
            .send()
            .await
            .unwrap();
        let by_label = |label: &str| {
            out.application_versions()
                .iter()
                .find(|v| v.version_label() == Some(label))
                .and_then(|v| v.status())
                .map(|s| s.as_str().to_string())
                .unwrap()
        };
        if by_label("processed") != "PROCESSING" && by_label("failed") != "PROCESSING" {
            assert_eq!(by_label("processed"), "PROCESSED");
            assert_eq!(by_label("failed"), "FAILED");
            break;
        }
        assert!(Instant::now() < deadline, "processing never finished");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn describe_application_versions_filters_and_pages_newest_first() {
    let fx = Fixture::new().await;
    for label in ["v1", "v2", "v3", "v4", "v5"] {
        fx.version(label, dockerrun_v2_bundle()).await;
    }
    // Another application's versions never leak in.
    let other = Fixture::new().await;
    other.version("v1", dockerrun_v2_bundle()).await;

    let mut labels = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let out = fx
            .eb
            .describe_application_versions()
            .application_name(&fx.app)
            .max_records(2)
            .set_next_token(token.clone())
            .send()
            .await
            .unwrap();
        pages += 1;
        assert!(out.application_versions().len() <= 2);
        for v in out.application_versions() {
            assert_eq!(v.application_name(), Some(fx.app.as_str()));
            labels.push(v.version_label().unwrap().to_string());
        }
        token = out.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(labels, ["v5", "v4", "v3", "v2", "v1"]);

    let only = fx
        .eb
        .describe_application_versions()
        .application_name(&fx.app)
        .version_labels("v2")
        .version_labels("v4")
        .send()
        .await
        .unwrap();
    let got: Vec<_> = only
        .application_versions()
        .iter()
        .filter_map(|v| v.version_label())
        .collect();
    assert_eq!(got, ["v4", "v2"]);
    let v = &only.application_versions()[0];
    assert_eq!(
        v.source_bundle().and_then(|s| s.s3_key()),
        Some(format!("{}/v4.zip", fx.app).as_str())
    );
    assert!(
        v.application_version_arn()
            .unwrap()
            .ends_with(&format!(":applicationversion/{}/v4", fx.app))
    );
}

#[tokio::test]
async fn delete_application_version_refuses_a_deployed_one_and_can_delete_the_bundle() {
    let fx = Fixture::new().await;
    let env = fx.ready_env("live").await;
    let err = fx
        .eb
        .delete_application_version()
        .application_name(&fx.app)
        .version_label("live")
        .send()
        .await
        .unwrap_err();
    let (code, message) = service_error(err);
    assert_eq!(code, "InvalidParameterValue");
    assert!(
        message.contains("'live'") && message.contains(&env),
        "{message}"
    );

    fx.version("old", dockerrun_v2_bundle()).await;
    let key = format!("{}/old.zip", fx.app);
    fx.eb
        .delete_application_version()
        .application_name(&fx.app)
        .version_label("old")
        .delete_source_bundle(true)
        .send()
        .await
        .expect("an undeployed version can be deleted");
    let left = fx
        .eb
        .describe_application_versions()
        .application_name(&fx.app)
        .send()
        .await
        .unwrap();
    let labels: Vec<_> = left
        .application_versions()
        .iter()
        .filter_map(|v| v.version_label())
        .collect();
    assert_eq!(labels, ["live"]);
    let gone = fx
        .s3
        .head_object()
        .bucket(&fx.bucket)
        .key(&key)
        .send()
        .await
        .unwrap_err();
    assert!(
        gone.into_service_error().is_not_found(),
        "DeleteSourceBundle removed the object"
    );

    let err = fx
        .eb
        .delete_application_version()
        .application_name(&fx.app)
        .version_label("old")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        service_error(err).1,
        "No Application Version named 'old' found."
    );
}

// --- environments -------------------------------------------------------------

#[tokio::test]
async fn create_environment_launches_then_is_ready_with_real_looking_fields() {
    let fx = Fixture::new().await;
    fx.version("v1", dockerrun_v2_bundle()).await;
    let name = unique_name("env");
    let started = Instant::now();
    let created = fx
        .eb
        .create_environment()
        .application_name(&fx.app)
        .environment_name(&name)
        .solution_stack_name(STACK)
        .version_label("v1")
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), Some(&EnvironmentStatus::Launching));
    assert_eq!(created.health(), Some(&EnvironmentHealth::Grey));
    let id = created.environment_id().unwrap();
    assert!(
        id.len() == 12
            && id.starts_with("e-")
            && id[2..]
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()),
        "environment id {id}"
    );
    assert_eq!(
        created.platform_arn(),
        Some(
            "arn:aws:elasticbeanstalk:us-east-1::platform/ECS running on 64bit Amazon Linux 2023/4.2.0"
        )
    );
    let cname = created.cname().unwrap();
    assert!(
        cname.starts_with(&format!("{name}."))
            && cname.ends_with(".us-east-1.elasticbeanstalk.com")
    );
    assert_eq!(
        created.environment_arn(),
        Some(
            format!(
                "arn:aws:elasticbeanstalk:us-east-1:{ACCOUNT_ID}:environment/{}/{name}",
                fx.app
            )
            .as_str()
        )
    );

    let ready = fx
        .wait_env(&name, |e| e.status() == Some(&EnvironmentStatus::Ready))
        .await;
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "launch delay honoured"
    );
    assert_eq!(ready.health(), Some(&EnvironmentHealth::Green));
    assert_eq!(ready.version_label(), Some("v1"));
    assert_eq!(ready.environment_id(), Some(id));

    // The same name while it exists is refused.
    let err = fx
        .eb
        .create_environment()
        .application_name(&fx.app)
        .environment_name(&name)
        .solution_stack_name(STACK)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        service_error(err).1,
        format!("Environment {name} already exists.")
    );
}

#[tokio::test]
async fn describe_environments_honours_its_filters() {
    let fx = Fixture::new().await;
    let a = fx.ready_env("v1").await;
    let b = {
        let name = unique_name("env");
        fx.eb
            .create_environment()
            .application_name(&fx.app)
            .environment_name(&name)
            .solution_stack_name(STACK)
            .send()
            .await
            .unwrap();
        name
    };
    let names = |out: &[EnvironmentDescription]| {
        let mut v: Vec<String> = out
            .iter()
            .filter_map(|e| e.environment_name().map(str::to_string))
            .collect();
        v.sort();
        v
    };
    let mut both = vec![a.clone(), b.clone()];
    both.sort();

    let by_app = fx
        .eb
        .describe_environments()
        .application_name(&fx.app)
        .send()
        .await
        .unwrap();
    assert_eq!(names(by_app.environments()), both);
    let by_name = fx
        .eb
        .describe_environments()
        .environment_names(&b)
        .send()
        .await
        .unwrap();
    assert_eq!(names(by_name.environments()), [b.as_str()]);
    let id_a = fx.env(&a).await.environment_id().unwrap().to_string();
    let by_id = fx
        .eb
        .describe_environments()
        .environment_ids(&id_a)
        .send()
        .await
        .unwrap();
    assert_eq!(names(by_id.environments()), [a.as_str()]);
    let by_label = fx
        .eb
        .describe_environments()
        .application_name(&fx.app)
        .version_label("v1")
        .send()
        .await
        .unwrap();
    assert_eq!(names(by_label.environments()), [a.as_str()]);
    let unknown = fx
        .eb
        .describe_environments()
        .environment_names("no-such-env-x")
        .send()
        .await
        .unwrap();
    assert!(unknown.environments().is_empty());

    let paged = fx
        .eb
        .describe_environments()
        .application_name(&fx.app)
        .max_records(1)
        .send()
        .await
        .unwrap();
    assert_eq!(paged.environments().len(), 1);
    let rest = fx
        .eb
        .describe_environments()
        .application_name(&fx.app)
        .max_records(1)
        .next_token(paged.next_token().expect("a second page"))
        .send()
        .await
        .unwrap();
    assert_eq!(rest.environments().len(), 1);
    assert!(rest.next_token().is_none());
}

#[tokio::test]
async fn update_environment_refuses_unknown_environment_and_version() {
    let fx = Fixture::new().await;
    let err = fx
        .eb
        .update_environment()
        .environment_name("no-such-env-y")
        .version_label("v1")
        .send()
        .await
        .unwrap_err();
    let (code, message) = service_error(err);
    assert_eq!(code, "InvalidParameterValue");
    assert_eq!(
        message,
        "No Environment found for EnvironmentName = 'no-such-env-y'."
    );

    let env = fx.ready_env("v1").await;
    let err = fx
        .eb
        .update_environment()
        .environment_name(&env)
        .version_label("v9")
        .send()
        .await
        .unwrap_err();
    let (code, message) = service_error(err);
    assert_eq!(code, "InvalidParameterValue");
    assert_eq!(message, "No Application Version named 'v9' found.");
    assert_eq!(
        fx.env(&env).await.status(),
        Some(&EnvironmentStatus::Ready),
        "a refused update changes nothing"
    );
}

#[tokio::test]
async fn update_environment_is_refused_while_updating_with_must_be_ready() {
    let fx = Fixture::new().await;
    let env = fx.ready_env("v1").await;
    fx.version("v2", dockerrun_v2_bundle()).await;
    // Long enough that the environment is surely still Updating below.
    fx.emu.set_environment_delays(
        &env,
        Delays {
            update: Some(Duration::from_secs(60)),
            ..Delays::default()
        },
    );
    fx.deploy(&env, "v2").await;
    let err = fx
        .eb
        .update_environment()
        .environment_name(&env)
        .version_label("v2")
        .send()
        .await
        .unwrap_err();
    assert_eq!(http_status(&err), 400);
    let (code, message) = service_error(err);
    assert_eq!(code, "InvalidParameterValue");
    assert_eq!(
        message,
        format!(
            "Environment named {env} is in an invalid state for this operation. Must be Ready."
        )
    );
}

#[tokio::test]
async fn deployment_goes_updating_grey_then_ready_green_with_the_new_label() {
    let fx = Fixture::new().await;
    let env = fx.ready_env("v1").await;
    fx.version("v2", dockerrun_v2_bundle()).await;
    // Long enough to observe the Updating state even on a busy machine.
    fx.emu.set_environment_delays(
        &env,
        Delays {
            update: Some(SLOW_UPDATE),
            ..Delays::default()
        },
    );
    let started = Instant::now();
    let out = fx
        .eb
        .update_environment()
        .environment_name(&env)
        .version_label("v2")
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), Some(&EnvironmentStatus::Updating));
    assert_eq!(out.health(), Some(&EnvironmentHealth::Grey));
    assert_eq!(out.abortable_operation_in_progress(), Some(true));

    let during = fx.env(&env).await;
    assert_eq!(during.status(), Some(&EnvironmentStatus::Updating));
    assert_eq!(
        during.version_label(),
        Some("v1"),
        "the old label until the update ends"
    );

    let done = fx
        .wait_env(&env, |e| e.status() == Some(&EnvironmentStatus::Ready))
        .await;
    assert!(started.elapsed() >= SLOW_UPDATE, "update delay honoured");
    assert_eq!(done.health(), Some(&EnvironmentHealth::Green));
    assert_eq!(done.version_label(), Some("v2"));
}

#[tokio::test]
async fn deployment_events_carry_the_request_id_newest_first() {
    let fx = Fixture::new().await;
    let env = fx.ready_env("v1").await;
    fx.version("v2", dockerrun_v2_bundle()).await;
    fx.emu.set_environment_delays(
        &env,
        Delays {
            update: Some(SLOW_UPDATE),
            ..Delays::default()
        },
    );
    let request_id = fx.deploy(&env, "v2").await;
    assert_eq!(
        request_id.len(),
        36,
        "a UUID like the service's: {request_id}"
    );

    // Right away only the first event has happened (the next is due after 0.5 s).
    assert_eq!(
        messages(&fx.events_for(&request_id).await),
        ["Environment update is starting."]
    );

    fx.wait_env(&env, |e| e.status() == Some(&EnvironmentStatus::Ready))
        .await;
    let events = fx.events_for(&request_id).await;
    assert_eq!(
        messages(&events),
        [
            "Environment update completed successfully.",
            "New application version was deployed to running EC2 instances.",
            "Deploying new version to instance(s).",
            "Environment update is starting.",
        ]
    );
    let times: Vec<i64> = events
        .iter()
        .map(|e| e.event_date().unwrap().to_millis().unwrap())
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] > w[1]),
        "strictly newest first: {times:?}"
    );
    for e in &events {
        assert_eq!(e.request_id(), Some(request_id.as_str()));
        assert_eq!(e.environment_name(), Some(env.as_str()));
        assert_eq!(e.application_name(), Some(fx.app.as_str()));
        assert_eq!(e.version_label(), Some("v2"));
        assert_eq!(e.severity(), Some(&EventSeverity::Info));
    }
}

#[tokio::test]
async fn event_request_ids_survive_the_response_serialisation() {
    // moto rewrites <RequestId> greedily; events of several requests in one
    // DescribeEvents body must keep their own ids, distinct from the call's.
    let fx = Fixture::new().await;
    let env = fx.ready_env("v1").await;
    fx.version("v2", dockerrun_v2_bundle()).await;
    let update = fx.deploy(&env, "v2").await;
    fx.wait_env(&env, |e| e.status() == Some(&EnvironmentStatus::Ready))
        .await;

    let out = fx
        .eb
        .describe_events()
        .environment_name(&env)
        .send()
        .await
        .unwrap();
    let own = out.request_id().unwrap().to_string();
    let ids: std::collections::BTreeSet<&str> =
        out.events().iter().filter_map(|e| e.request_id()).collect();
    assert_eq!(ids.len(), 2, "the launch's and the update's: {ids:?}");
    assert!(ids.contains(update.as_str()));
    assert!(!ids.contains(own.as_str()));
    assert!(
        out.events().len() >= 8,
        "every event parsed: {:?}",
        messages(out.events())
    );
}

/// Deploy `bytes` as `label` to a Ready environment running a good version:
/// the deployment must fail with `reason` among its ERROR events, end with
/// "Failed to deploy application.", and leave the environment Ready/Red on
/// its old label.
async fn assert_deployment_fails(
    label: &str,
    bytes: Vec<u8>,
    requested: Option<&str>,
    reason: &str,
) {
    let fx = Fixture::new().await;
    let env = fx.ready_env(&format!("{label}-ok")).await;
    fx.version(label, bytes).await;
    if let Some(reason) = requested {
        fx.emu.fail_next_deployment(&env, Some(reason));
    }
    let request_id = fx.deploy(&env, label).await;
    let done = fx
        .wait_env(&env, |e| e.status() == Some(&EnvironmentStatus::Ready))
        .await;
    assert_eq!(done.health(), Some(&EnvironmentHealth::Red), "{label}");
    assert_eq!(
        done.version_label(),
        Some(format!("{label}-ok").as_str()),
        "{label}: old label kept"
    );

    let events = fx.events_for(&request_id).await;
    assert_eq!(
        events[0].message(),
        Some("Failed to deploy application."),
        "{label}"
    );
    assert_eq!(events[0].severity(), Some(&EventSeverity::Error));
    assert!(
        events
            .iter()
            .any(|e| e.severity() == Some(&EventSeverity::Error)
                && e.message().unwrap().contains(reason)),
        "{label}: {:?}",
        messages(&events)
    );
    assert!(!messages(&events).contains(&"Environment update completed successfully."));
}

#[tokio::test]
async fn deployment_of_a_bundle_that_is_not_a_zip_fails() {
    let bytes = b"plain text, not an archive".to_vec();
    assert_deployment_fails("notzip", bytes, None, "not a valid ZIP archive").await;
}

#[tokio::test]
async fn deployment_without_dockerrun_at_the_root_fails() {
    let nested = zip_bytes(&[("app/Dockerrun.aws.json", br#"{"AWSEBDockerrunVersion": 2}"#)]);
    let reason = "No ecs task definition (or empty definition file) found in environment";
    assert_deployment_fails("nodockerrun", nested, None, reason).await;
}

#[tokio::test]
async fn deployment_with_an_unparsable_dockerrun_fails() {
    let unparsable = zip_bytes(&[("Dockerrun.aws.json", b"{ not json")]);
    assert_deployment_fails(
        "badjson",
        unparsable,
        None,
        "failed to parse Dockerrun.aws.json",
    )
    .await;
}

#[tokio::test]
async fn deployment_fails_when_a_test_asks_for_it() {
    let reason = "Test asked for this failure.";
    assert_deployment_fails("requested", dockerrun_v2_bundle(), Some(reason), reason).await;
}

#[tokio::test]
async fn describe_events_filters_by_severity_time_and_pages() {
    let fx = Fixture::new().await;
    let env = fx.ready_env("v1").await;
    fx.version("bad", b"not a zip".to_vec()).await;
    fx.deploy(&env, "bad").await;
    fx.wait_env(&env, |e| e.status() == Some(&EnvironmentStatus::Ready))
        .await;

    let all = fx
        .eb
        .describe_events()
        .environment_name(&env)
        .send()
        .await
        .unwrap()
        .events()
        .to_vec();
    assert!(
        all.len() >= 10,
        "launch + failed update events: {}",
        all.len()
    );

    let errors = fx
        .eb
        .describe_events()
        .environment_name(&env)
        .severity(EventSeverity::Error)
        .send()
        .await
        .unwrap();
    assert!(!errors.events().is_empty());
    assert!(
        errors
            .events()
            .iter()
            .all(|e| e.severity() == Some(&EventSeverity::Error))
    );
    let warn_or_more = fx
        .eb
        .describe_events()
        .environment_name(&env)
        .severity(EventSeverity::Warn)
        .send()
        .await
        .unwrap();
    assert_eq!(
        warn_or_more.events().len(),
        errors.events().len(),
        "WARN means WARN and above"
    );

    let by_label = fx
        .eb
        .describe_events()
        .application_name(&fx.app)
        .version_label("bad")
        .send()
        .await
        .unwrap();
    assert!(
        by_label
            .events()
            .iter()
            .all(|e| e.version_label() == Some("bad"))
            && !by_label.events().is_empty()
    );

    // StartTime is inclusive, EndTime exclusive.
    let pivot = all[3].event_date().unwrap().to_millis().unwrap();
    let since = fx
        .eb
        .describe_events()
        .environment_name(&env)
        .start_time(DateTime::from_millis(pivot))
        .send()
        .await
        .unwrap();
    assert_eq!(messages(since.events()), messages(&all[..4]));
    let before = fx
        .eb
        .describe_events()
        .environment_name(&env)
        .end_time(DateTime::from_millis(pivot))
        .send()
        .await
        .unwrap();
    assert_eq!(messages(before.events()), messages(&all[4..]));

    // Pages of 3 return everything once, in order.
    let mut paged = Vec::new();
    let mut token = None;
    loop {
        let out = fx
            .eb
            .describe_events()
            .environment_name(&env)
            .max_records(3)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        assert!(out.events().len() <= 3);
        paged.extend(out.events().iter().cloned());
        token = out.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(messages(&paged), messages(&all));
}

#[tokio::test]
async fn describe_environment_health_reports_status_and_colour() {
    let fx = Fixture::new().await;
    let env = fx.ready_env("v1").await;
    let health = fx
        .eb
        .describe_environment_health()
        .environment_name(&env)
        .attribute_names(EnvironmentHealthAttribute::All)
        .send()
        .await
        .unwrap();
    assert_eq!(health.environment_name(), Some(env.as_str()));
    assert_eq!(health.color(), Some("Green"));
    assert_eq!(health.health_status(), Some("Ok"));
    // The service answers the operational status here ("Ready"), which the
    // model types as a colour: the SDK parses it as Unknown("Ready").
    assert_eq!(health.status().map(|s| s.as_str()), Some("Ready"));
    assert_eq!(health.instances_health().and_then(|h| h.ok()), Some(1));
    assert!(health.refreshed_at().is_some());

    let some = fx
        .eb
        .describe_environment_health()
        .environment_name(&env)
        .attribute_names(EnvironmentHealthAttribute::Color)
        .send()
        .await
        .unwrap();
    assert_eq!(some.color(), Some("Green"));
    assert!(some.health_status().is_none() && some.instances_health().is_none());
}

#[tokio::test]
async fn abort_environment_update_reverts_to_the_old_version() {
    let fx = Fixture::new().await;
    let env = fx.ready_env("v1").await;
    let err = fx
        .eb
        .abort_environment_update()
        .environment_name(&env)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        service_error(err).0,
        "InvalidParameterValue",
        "nothing to abort while Ready"
    );

    fx.version("v2", dockerrun_v2_bundle()).await;
    fx.emu.set_environment_delays(
        &env,
        Delays {
            update: Some(Duration::from_secs(60)),
            ..Delays::default()
        },
    );
    assert_eq!(fx.emu.config()["environments"][&env]["update_delay"], 60.0);
    let update = fx.deploy(&env, "v2").await;
    fx.eb
        .abort_environment_update()
        .environment_name(&env)
        .send()
        .await
        .expect("abort");
    assert_eq!(
        fx.env(&env).await.status(),
        Some(&EnvironmentStatus::Aborting)
    );
    let done = fx
        .wait_env(&env, |e| e.status() == Some(&EnvironmentStatus::Ready))
        .await;
    assert_eq!(done.version_label(), Some("v1"));
    assert_eq!(done.health(), Some(&EnvironmentHealth::Green));
    let events = fx.events_for(&update).await;
    assert_eq!(
        events[0].message(),
        Some("The environment was reverted to the previous configuration setting.")
    );
    assert!(!messages(&events).contains(&"Environment update completed successfully."));
}

#[tokio::test]
async fn swap_environment_cnames_exchanges_the_cnames() {
    let fx = Fixture::new().await;
    let blue = fx.ready_env("v1").await;
    let green = unique_name("env");
    fx.eb
        .create_environment()
        .application_name(&fx.app)
        .environment_name(&green)
        .solution_stack_name(STACK)
        .version_label("v1")
        .send()
        .await
        .unwrap();
    fx.wait_env(&green, |e| e.status() == Some(&EnvironmentStatus::Ready))
        .await;
    let (blue_cname, green_cname) = (
        fx.env(&blue).await.cname().unwrap().to_string(),
        fx.env(&green).await.cname().unwrap().to_string(),
    );

    fx.eb
        .swap_environment_cnames()
        .source_environment_name(&blue)
        .destination_environment_name(&green)
        .send()
        .await
        .expect("swap");
    let blue_after = fx
        .wait_env(&blue, |e| e.status() == Some(&EnvironmentStatus::Ready))
        .await;
    let green_after = fx
        .wait_env(&green, |e| e.status() == Some(&EnvironmentStatus::Ready))
        .await;
    assert_eq!(blue_after.cname(), Some(green_cname.as_str()));
    assert_eq!(green_after.cname(), Some(blue_cname.as_str()));
    let events = fx
        .eb
        .describe_events()
        .environment_name(&blue)
        .send()
        .await
        .unwrap();
    assert_eq!(
        events.events()[0].message(),
        Some(
            format!("Completed swapping CNAMEs for environments '{blue}' and '{green}'.").as_str()
        )
    );
}

#[tokio::test]
async fn terminate_environment_ends_terminated_and_frees_the_name() {
    let fx = Fixture::new().await;
    let env = fx.ready_env("v1").await;
    let out = fx
        .eb
        .terminate_environment()
        .environment_name(&env)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), Some(&EnvironmentStatus::Terminating));
    let gone = fx
        .wait_env(&env, |e| e.status() == Some(&EnvironmentStatus::Terminated))
        .await;
    assert_eq!(
        gone.environment_name(),
        Some(env.as_str()),
        "deleted environments are listed by default"
    );

    let hidden = fx
        .eb
        .describe_environments()
        .environment_names(&env)
        .include_deleted(false)
        .send()
        .await
        .unwrap();
    assert!(hidden.environments().is_empty());
    let err = fx
        .eb
        .update_environment()
        .environment_name(&env)
        .version_label("v1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        service_error(err).1,
        format!("No Environment found for EnvironmentName = '{env}'.")
    );
    fx.eb
        .create_environment()
        .application_name(&fx.app)
        .environment_name(&env)
        .solution_stack_name(STACK)
        .send()
        .await
        .expect("the name of a terminated environment can be reused");
}

// --- fault injection (each test with its own emulator) -------------------------

/// Standard retries with a tiny backoff, so recovering from faults is fast.
fn quick_retries() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(3)
        .with_initial_backoff(Duration::from_millis(10))
}

#[tokio::test]
async fn throttling_is_observable_and_retried() {
    let emu = Emulator::start();
    let fault = emu.inject_fault(
        Fault::throttle()
            .service(Service::ElasticBeanstalk)
            .action("DescribeEnvironments")
            .count(2),
    );
    assert_eq!(fault["kind"], "throttle");

    let bare = EbClient::new(&emu.sdk_config_no_retries().await);
    let err = bare.describe_environments().send().await.unwrap_err();
    assert_eq!(http_status(&err), 400);
    let (code, message) = service_error(err);
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("Throttling", "Rate exceeded")
    );

    // One fault left: standard retries get through it.
    let retrying = EbClient::new(
        &emu.sdk_config_with(quick_retries(), TimeoutConfig::disabled())
            .await,
    );
    retrying
        .describe_environments()
        .send()
        .await
        .expect("retried past the throttling");
    let calls = emu.calls_to("DescribeEnvironments");
    let faults: Vec<_> = calls
        .iter()
        .map(|c| c["fault"].as_str().unwrap_or("-").to_string())
        .collect();
    assert_eq!(faults, ["throttle", "throttle", "-"]);
    assert_eq!(emu.faults()[0]["injected"], 2);
    // Other actions were never affected.
    bare.describe_applications()
        .send()
        .await
        .expect("not in the fault's scope");
}

#[tokio::test]
async fn http_500_and_503_are_observable_and_retried() {
    let emu = Emulator::start();
    let bare = EbClient::new(&emu.sdk_config_no_retries().await);
    for (fault, status, code) in [
        (Fault::http500(), 500, "InternalFailure"),
        (Fault::http503(), 503, "ServiceUnavailable"),
    ] {
        emu.inject_fault(fault.count(1));
        let err = bare.describe_applications().send().await.unwrap_err();
        assert_eq!(http_status(&err), status);
        assert_eq!(service_error(err).0, code);
    }
    emu.inject_fault(Fault::http503().count(1));
    emu.inject_fault(Fault::http500().count(1));
    let retrying = EbClient::new(
        &emu.sdk_config_with(quick_retries(), TimeoutConfig::disabled())
            .await,
    );
    retrying
        .describe_applications()
        .send()
        .await
        .expect("retried past 503 then 500");
}

#[tokio::test]
async fn dropped_connections_are_observable_and_retried() {
    let emu = Emulator::start();
    emu.inject_fault(
        Fault::drop_connection()
            .action("DescribeApplications")
            .count(1),
    );
    let bare = EbClient::new(&emu.sdk_config_no_retries().await);
    match bare.describe_applications().send().await.unwrap_err() {
        SdkError::DispatchFailure(failure) => {
            // hyper's "connection closed before message completed", which
            // the SDK classifies as transient (so it retries it).
            assert_eq!(
                failure.as_other(),
                Some(ErrorKind::TransientError),
                "{failure:?}"
            )
        }
        other => panic!("expected a dispatch failure, got {other:?}"),
    }
    emu.inject_fault(
        Fault::drop_connection()
            .action("DescribeApplications")
            .count(2),
    );
    let retrying = EbClient::new(
        &emu.sdk_config_with(quick_retries(), TimeoutConfig::disabled())
            .await,
    );
    retrying
        .describe_applications()
        .send()
        .await
        .expect("retried past two dropped connections");
    assert_eq!(emu.calls_to("DescribeApplications").len(), 4);
}

#[tokio::test]
async fn slow_responses_are_late_and_can_time_out() {
    let emu = Emulator::start();
    emu.inject_fault(Fault::slow(Duration::from_millis(400)).action("DescribeApplications"));
    let client = EbClient::new(&emu.sdk_config_no_retries().await);
    let started = Instant::now();
    client
        .describe_applications()
        .send()
        .await
        .expect("slow but fine");
    assert!(started.elapsed() >= Duration::from_millis(400));

    let timeouts = TimeoutConfig::builder()
        .operation_attempt_timeout(Duration::from_millis(100))
        .build();
    let impatient = EbClient::new(&emu.sdk_config_with(RetryConfig::disabled(), timeouts).await);
    match impatient.describe_applications().send().await.unwrap_err() {
        SdkError::TimeoutError(_) => {}
        other => panic!("expected a timeout, got {other:?}"),
    }
    client
        .describe_environments()
        .send()
        .await
        .expect("other actions are not slowed");
}

#[tokio::test]
async fn s3_faults_use_s3_errors_and_scoping_by_service() {
    let emu = Emulator::start();
    let config = emu.sdk_config_no_retries().await;
    let eb = EbClient::new(&config);
    let s3 = crate::support::emulator::s3_client(&config);
    let bucket = eb
        .create_storage_location()
        .send()
        .await
        .unwrap()
        .s3_bucket()
        .unwrap()
        .to_string();
    emu.inject_fault(
        Fault::throttle()
            .service(Service::S3)
            .action("PutObject")
            .count(1),
    );
    eb.describe_applications()
        .send()
        .await
        .expect("EB is not in the fault's scope");
    let err = s3
        .put_object()
        .bucket(&bucket)
        .key("a/b.zip")
        .body(ByteStream::from_static(b"x"))
        .send()
        .await
        .unwrap_err();
    let SdkError::ServiceError(ctx) = &err else {
        panic!("expected a service error: {err:?}")
    };
    assert_eq!(ctx.raw().status().as_u16(), 503);
    assert_eq!(err.into_service_error().code(), Some("SlowDown"));
    s3.put_object()
        .bucket(&bucket)
        .key("a/b.zip")
        .body(ByteStream::from_static(b"x"))
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn a_share_of_calls_can_be_faulted() {
    let emu = Emulator::start();
    emu.control(
        "POST",
        "/_ebemu/config",
        Some(&serde_json::json!({ "seed": 7 })),
    )
    .unwrap();
    emu.inject_fault(Fault::http500().rate(0.5));
    let client = EbClient::new(&emu.sdk_config_no_retries().await);
    let mut failures = 0;
    for _ in 0..30 {
        if client.describe_applications().send().await.is_err() {
            failures += 1;
        }
    }
    assert!(
        (5..=25).contains(&failures),
        "about half of 30 calls failed: {failures}"
    );
    emu.clear_faults();
    client
        .describe_applications()
        .send()
        .await
        .expect("faults cleared");
}

#[tokio::test]
async fn reset_clears_every_service_and_the_emulator_state() {
    let emu = Emulator::start();
    let eb = emu.eb_client().await;
    eb.create_application()
        .application_name("to-be-reset")
        .send()
        .await
        .unwrap();
    emu.set_delays(Delays {
        update: Some(Duration::from_secs(9)),
        ..Delays::default()
    });
    emu.fail_next_deployment("some-env", None);
    emu.inject_fault(Fault::throttle().action("NeverCalled"));
    assert!(!emu.calls().is_empty());

    emu.reset();
    assert!(
        eb.describe_applications()
            .send()
            .await
            .unwrap()
            .applications()
            .is_empty()
    );
    let config = emu.config();
    assert_eq!(
        config["update_delay"], 3.0,
        "delays back to their defaults: {config}"
    );
    assert_eq!(config["fail_deployments"], serde_json::json!({}));
    assert!(emu.faults().is_empty());
    assert_eq!(
        emu.calls().len(),
        1,
        "only the DescribeApplications after the reset"
    );
}

#[tokio::test]
async fn control_api_refuses_malformed_requests() {
    let emu = Emulator::shared();
    let (status, body) = emu
        .control(
            "POST",
            "/_ebemu/config",
            Some(&serde_json::json!({ "update_dely": 1 })),
        )
        .unwrap();
    assert_eq!(status, 400);
    assert!(body["error"].as_str().unwrap().contains("update_dely"));
    let (status, _) = emu
        .control(
            "POST",
            "/_ebemu/faults",
            Some(&serde_json::json!({ "kind": "explode" })),
        )
        .unwrap();
    assert_eq!(status, 400);
    let (status, _) = emu.control("GET", "/_ebemu/nope", None).unwrap();
    assert_eq!(status, 404);
}
