//! The local AWS emulator's own tests, through the real Rust SDK over HTTP:
//! each behaviour ebpack's publish/deploy tests rely on.
//!
//! Tests share one emulator of their own ([`delayed_emulator`]: it has
//! fixed short global delays, which the other tests of the binary must not
//! get) and use unique names; the fault-injection and reset tests each
//! start a private emulator.

mod deployments;
mod environments;
mod faults;
mod versions;

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
