//! The local AWS emulator (tests/emulator/, moto's server extended with the
//! Elastic Beanstalk deployment calls) for integration tests.
//!
//! ```ignore
//! use crate::support::emulator::{Delays, Emulator};
//!
//! #[tokio::test]
//! async fn deploys() {
//!     let emu = Emulator::shared(); // one for the whole test binary; use unique names
//!     emu.set_delays(Delays { update: Some(Duration::from_millis(200)), ..Delays::default() });
//!     emu.set_environment_delays("slow-env", Delays { update: Some(Duration::from_secs(60)), ..Delays::default() });
//!     let eb = emu.eb_client().await;
//!     // ...
//! }
//! ```
//!
//! `Emulator::shared()` starts one emulator for the test binary (or reuses the
//! one named by `EBPACK_EMULATOR_ENDPOINT`); `Emulator::start()` starts a
//! private one, for tests that inject faults or reset state. The Python venv
//! is created on first use (`tests/emulator/emulator.sh setup`); if that fails
//! the test panics with the reason: it never skips.
//!
//! A started emulator is killed when its `Emulator` is dropped, and stops by
//! itself when the test process exits (it watches its parent pid), so the
//! `static` behind `shared()` leaves nothing behind either.
use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_elasticbeanstalk::config::Credentials;
use serde_json::{Value, json};

/// Environment variable naming an already running emulator (for example one
/// started with `tests/emulator/emulator.sh start`) for `Emulator::shared()`.
pub(crate) const ENDPOINT_ENV: &str = "EBPACK_EMULATOR_ENDPOINT";
/// The region every emulator client uses.
pub(crate) const REGION: &str = "us-east-1";
/// The ECS solution stack the tests create environments on.
pub(crate) const STACK: &str = "64bit Amazon Linux 2023 v4.2.0 running ECS";
/// moto's default account, hence the storage bucket `elasticbeanstalk-us-east-1-123456789012`.
pub(crate) const ACCOUNT_ID: &str = "123456789012";

/// A running emulator.
pub(crate) struct Emulator {
    endpoint: String,
    process: Mutex<Option<Child>>,
    /// The server's port file and log; removed when the emulator is dropped.
    _workdir: Option<tempfile::TempDir>,
}

impl Emulator {
    /// Start a private emulator on a free 127.0.0.1 port. Panics (with the
    /// server log) if it cannot be set up or started.
    pub(crate) fn start() -> Emulator {
        match Self::try_start() {
            Ok(emulator) => emulator,
            Err(message) => panic!("cannot start the AWS emulator: {message}"),
        }
    }

    /// The emulator shared by the tests of the binary: the one at
    /// `$EBPACK_EMULATOR_ENDPOINT` if set, else one started on first use.
    /// Tests sharing it run in parallel: give each its own names
    /// ([`unique_name`]) and do not reset it or inject faults into it.
    pub(crate) fn shared() -> &'static Emulator {
        static SHARED: OnceLock<Emulator> = OnceLock::new();
        SHARED.get_or_init(|| match std::env::var(ENDPOINT_ENV) {
            Ok(endpoint) if !endpoint.trim().is_empty() => {
                let emulator = Emulator {
                    endpoint: endpoint.trim().trim_end_matches('/').to_string(),
                    process: Mutex::new(None),
                    _workdir: None,
                };
                if let Err(err) = emulator.control("GET", "/_ebemu/health", None) {
                    panic!("{ENDPOINT_ENV}={endpoint} does not answer as an emulator: {err}");
                }
                emulator
            }
            _ => Emulator::start(),
        })
    }

    fn try_start() -> Result<Emulator, String> {
        let dir = emulator_dir();
        let python = setup_venv()?;
        let workdir = tempfile::Builder::new()
            .prefix("ebemu-")
            .tempdir()
            .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
        let port_file = workdir.path().join("port");
        let log_path = workdir.path().join("server.log");
        let log = fs::File::create(&log_path)
            .map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;
        let log_err = log.try_clone().map_err(|e| e.to_string())?;
        let mut child = Command::new(&python)
            .args([
                "-m",
                "ebemu",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--quiet",
            ])
            .arg("--port-file")
            .arg(&port_file)
            .arg("--parent-pid")
            .arg(std::process::id().to_string())
            .current_dir(&dir)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", python.display()))?;

        let deadline = Instant::now() + Duration::from_secs(60);
        let port = loop {
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!(
                    "the emulator exited with {status} during start-up:\n{}",
                    tail(&log_path)
                ));
            }
            if let Ok(text) = fs::read_to_string(&port_file)
                && let Ok(port) = text.trim().parse::<u16>()
            {
                break port;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "the emulator did not start within 60 s:\n{}",
                    tail(&log_path)
                ));
            }
            std::thread::sleep(Duration::from_millis(25));
        };
        let emulator = Emulator {
            endpoint: format!("http://127.0.0.1:{port}"),
            process: Mutex::new(Some(child)),
            _workdir: Some(workdir),
        };
        emulator
            .control("GET", "/_ebemu/health", None)
            .map_err(|e| format!("the emulator does not answer: {e}\n{}", tail(&log_path)))?;
        Ok(emulator)
    }

    /// Variables that point an AWS SDK or CLI process (such as the ebpack
    /// binary under test) at this emulator.
    pub(crate) fn env_vars(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.endpoint.clone()),
            ("AWS_ACCESS_KEY_ID", "testing".into()),
            ("AWS_SECRET_ACCESS_KEY", "testing".into()),
            ("AWS_REGION", REGION.into()),
        ]
    }

    // --- SDK configuration ---------------------------------------------------

    /// Shared SDK configuration for this emulator: static test credentials,
    /// us-east-1, and the SDK's standard retry policy.
    pub(crate) async fn sdk_config(&self) -> SdkConfig {
        self.sdk_config_with(RetryConfig::standard(), TimeoutConfig::disabled())
            .await
    }

    /// Like [`sdk_config`](Self::sdk_config) without retries, to observe injected faults.
    pub(crate) async fn sdk_config_no_retries(&self) -> SdkConfig {
        self.sdk_config_with(RetryConfig::disabled(), TimeoutConfig::disabled())
            .await
    }

    /// SDK configuration with the given retry and timeout policies.
    pub(crate) async fn sdk_config_with(
        &self,
        retry: RetryConfig,
        timeouts: TimeoutConfig,
    ) -> SdkConfig {
        aws_config::defaults(BehaviorVersion::latest())
            .endpoint_url(&self.endpoint)
            .region(Region::new(REGION))
            .credentials_provider(Credentials::new(
                "testing",
                "testing",
                None,
                None,
                "ebpack-emulator",
            ))
            .retry_config(retry)
            .timeout_config(timeouts)
            .load()
            .await
    }

    /// An Elastic Beanstalk client with [`sdk_config`](Self::sdk_config).
    pub(crate) async fn eb_client(&self) -> aws_sdk_elasticbeanstalk::Client {
        aws_sdk_elasticbeanstalk::Client::new(&self.sdk_config().await)
    }

    /// An S3 client with [`sdk_config`](Self::sdk_config), path-style.
    pub(crate) async fn s3_client(&self) -> aws_sdk_s3::Client {
        s3_client(&self.sdk_config().await)
    }

    /// Creates environment `env` of `app` running `label` on the ECS
    /// platform and waits (at most 20 s) until it is Ready.
    pub(crate) async fn create_ready_environment(&self, app: &str, env: &str, label: &str) {
        use aws_sdk_elasticbeanstalk::types::EnvironmentStatus;
        let eb = self.eb_client().await;
        eb.create_environment()
            .application_name(app)
            .environment_name(env)
            .solution_stack_name(STACK)
            .version_label(label)
            .send()
            .await
            .expect("CreateEnvironment");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let out = eb
                .describe_environments()
                .environment_names(env)
                .send()
                .await
                .expect("DescribeEnvironments");
            if out.environments()[0].status() == Some(&EnvironmentStatus::Ready) {
                return;
            }
            assert!(Instant::now() < deadline, "{env} never became Ready");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    // --- control API -----------------------------------------------------------

    /// Set operation delays (only the given ones); returns the full config.
    pub(crate) fn set_delays(&self, delays: Delays) -> Value {
        self.post("/_ebemu/config", &delays.to_json())
    }

    /// Delays for one environment only (they win over the global ones), e.g.
    /// a long `update` to keep it Updating for as long as a test needs.
    pub(crate) fn set_environment_delays(&self, environment: &str, delays: Delays) -> Value {
        self.post(
            "/_ebemu/config",
            &json!({ "environments": { environment: delays.to_json() } }),
        )
    }

    /// The current config: delays, per-environment delays, pending requested failures.
    pub(crate) fn config(&self) -> Value {
        self.get("/_ebemu/config")
    }

    /// Make the next deployment (UpdateEnvironment with a VersionLabel, or
    /// CreateEnvironment with one) of `environment` fail, with `reason` as the
    /// instance error (default: "Instance deployment failed. ...").
    pub(crate) fn fail_next_deployment(&self, environment: &str, reason: Option<&str>) {
        self.post(
            "/_ebemu/fail-deployment",
            &json!({ "environment": environment, "reason": reason, "count": 1 }),
        );
    }

    /// Make the next successful deployments of `environment` end with
    /// `health` (`Green`, `Yellow`, `Red`, `Grey`): a deployed but degraded
    /// environment, for health-gate tests.
    pub(crate) fn set_deployment_health(&self, environment: &str, health: &str) {
        self.post(
            "/_ebemu/deployment-health",
            &json!({ "environment": environment, "health": health }),
        );
    }

    /// Add a fault rule; returns it as the emulator stored it (with its id).
    pub(crate) fn inject_fault(&self, fault: Fault) -> Value {
        self.post("/_ebemu/faults", &fault.to_json())["faults"][0].clone()
    }

    /// The fault rules with their `matched` / `injected` counters.
    pub(crate) fn faults(&self) -> Vec<Value> {
        array(self.get("/_ebemu/faults"), "faults")
    }

    /// Remove every fault rule.
    pub(crate) fn clear_faults(&self) {
        self.request("DELETE", "/_ebemu/faults", None);
    }

    /// Every AWS call seen since start/reset: `{service, action, fault, status}`.
    pub(crate) fn calls(&self) -> Vec<Value> {
        array(self.get("/_ebemu/calls"), "calls")
    }

    /// The calls to one action (e.g. "UpdateEnvironment").
    pub(crate) fn calls_to(&self, action: &str) -> Vec<Value> {
        self.calls()
            .into_iter()
            .filter(|c| c["action"] == action)
            .collect()
    }

    /// The quota of application versions DescribeAccountAttributes reports.
    pub(crate) fn set_version_quota(&self, quota: u32) -> Value {
        self.post(
            "/_ebemu/config",
            &serde_json::json!({ "version_quota": quota }),
        )
    }

    /// What S3 holds at `bucket`/`key`, read past faults and the call log:
    /// `{"exists": false}` or `{"exists": true, "size", "sha256" (of the
    /// bytes), "metadata"}`.
    pub(crate) fn s3_object(&self, bucket: &str, key: &str) -> Value {
        self.post(
            "/_ebemu/s3-object",
            &serde_json::json!({"bucket": bucket, "key": key}),
        )
    }

    /// moto's own reset (`POST /moto-api/reset`): wipes every service's state
    /// and the emulator's delays, faults, requested failures and call log.
    pub(crate) fn reset(&self) {
        self.request("POST", "/moto-api/reset", None);
    }

    fn get(&self, path: &str) -> Value {
        self.request("GET", path, None)
    }

    fn post(&self, path: &str, body: &Value) -> Value {
        self.request("POST", path, Some(body))
    }

    fn request(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        match self.control(method, path, body) {
            Ok((200, value)) => value,
            Ok((status, value)) => {
                panic!("emulator control {method} {path} answered {status}: {value}")
            }
            Err(err) => panic!("emulator control {method} {path} failed: {err}"),
        }
    }

    /// One HTTP/1.1 request to the emulator; returns the status and the JSON
    /// body (`Value::Null` when the body is not JSON).
    pub(crate) fn control(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(u16, Value), String> {
        let authority = self.endpoint.trim_start_matches("http://");
        let mut stream =
            TcpStream::connect(authority).map_err(|e| format!("connect {authority}: {e}"))?;
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .map_err(|e| e.to_string())?;
        let payload = body.map(Value::to_string).unwrap_or_default();
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{payload}",
            payload.len()
        );
        stream
            .write_all(request.as_bytes())
            .map_err(|e| format!("send: {e}"))?;
        let mut response = Vec::new();
        stream
            .read_to_end(&mut response)
            .map_err(|e| format!("receive: {e}"))?;
        let text = String::from_utf8_lossy(&response);
        let (head, body) = text
            .split_once("\r\n\r\n")
            .ok_or_else(|| format!("malformed response: {text}"))?;
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse::<u16>().ok())
            .ok_or_else(|| format!("malformed status line: {head}"))?;
        Ok((status, serde_json::from_str(body).unwrap_or(Value::Null)))
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let child = self
            .process
            .get_mut()
            .map(Option::take)
            .unwrap_or_else(|e| e.into_inner().take());
        if let Some(mut child) = child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// An S3 client for the emulator: path-style addressing (no bucket DNS names).
pub(crate) fn s3_client(config: &SdkConfig) -> aws_sdk_s3::Client {
    let s3_config = aws_sdk_s3::config::Builder::from(config)
        .force_path_style(true)
        .build();
    aws_sdk_s3::Client::from_conf(s3_config)
}

/// Operation delays. Unset fields keep their current value.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Delays {
    /// CreateEnvironment: Launching → Ready.
    pub launch: Option<Duration>,
    /// UpdateEnvironment: Updating → Ready.
    pub update: Option<Duration>,
    /// TerminateEnvironment: Terminating → Terminated.
    pub terminate: Option<Duration>,
    /// CreateApplicationVersion with Process: PROCESSING → PROCESSED/FAILED.
    pub process: Option<Duration>,
    /// SwapEnvironmentCNAMEs: Updating → Ready.
    pub swap: Option<Duration>,
    /// AbortEnvironmentUpdate: Aborting → Ready.
    pub abort: Option<Duration>,
}

impl Delays {
    /// Every delay set to `d`.
    pub(crate) fn all(d: Duration) -> Delays {
        Delays {
            launch: Some(d),
            update: Some(d),
            terminate: Some(d),
            process: Some(d),
            swap: Some(d),
            abort: Some(d),
        }
    }

    fn to_json(self) -> Value {
        let mut map = serde_json::Map::new();
        for (key, value) in [
            ("launch_delay", self.launch),
            ("update_delay", self.update),
            ("terminate_delay", self.terminate),
            ("process_delay", self.process),
            ("swap_delay", self.swap),
            ("abort_delay", self.abort),
        ] {
            if let Some(d) = value {
                map.insert(key.into(), json!(d.as_secs_f64()));
            }
        }
        Value::Object(map)
    }
}

/// What a fault does to a matching request.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum FaultKind {
    /// `Throttling: Rate exceeded` (HTTP 400) for Elastic Beanstalk;
    /// `SlowDown` (HTTP 503) for S3.
    Throttle,
    /// HTTP 500 (`InternalFailure` / S3 `InternalError`).
    Http500,
    /// HTTP 503 (`ServiceUnavailable`).
    Http503,
    /// Close the connection without answering.
    Drop,
    /// Answer normally, this much later.
    Slow(Duration),
}

/// The service a fault is limited to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Service {
    ElasticBeanstalk,
    S3,
}

/// A fault-injection rule: by default it hits every call, forever.
#[derive(Clone, Debug)]
pub(crate) struct Fault {
    kind: FaultKind,
    service: Option<Service>,
    actions: Vec<String>,
    count: Option<u32>,
    rate: Option<f64>,
    skip: Option<u32>,
}

impl Fault {
    pub(crate) fn new(kind: FaultKind) -> Fault {
        Fault {
            kind,
            service: None,
            actions: Vec::new(),
            count: None,
            rate: None,
            skip: None,
        }
    }
    pub(crate) fn throttle() -> Fault {
        Fault::new(FaultKind::Throttle)
    }
    pub(crate) fn http500() -> Fault {
        Fault::new(FaultKind::Http500)
    }
    pub(crate) fn http503() -> Fault {
        Fault::new(FaultKind::Http503)
    }
    pub(crate) fn drop_connection() -> Fault {
        Fault::new(FaultKind::Drop)
    }
    pub(crate) fn slow(delay: Duration) -> Fault {
        Fault::new(FaultKind::Slow(delay))
    }
    /// Only calls to this service.
    pub(crate) fn service(mut self, service: Service) -> Fault {
        self.service = Some(service);
        self
    }
    /// Only calls to this action (repeatable: any of them), e.g. "DescribeEvents" or "PutObject".
    pub(crate) fn action(mut self, action: &str) -> Fault {
        self.actions.push(action.to_string());
        self
    }
    /// Fault only the next `n` matching calls.
    pub(crate) fn count(mut self, n: u32) -> Fault {
        self.count = Some(n);
        self
    }
    /// Let the first `n` matching calls through untouched.
    pub(crate) fn skip(mut self, n: u32) -> Fault {
        self.skip = Some(n);
        self
    }
    /// Fault each matching call with this probability (0..=1).
    pub(crate) fn rate(mut self, rate: f64) -> Fault {
        self.rate = Some(rate);
        self
    }
    fn to_json(&self) -> Value {
        let (kind, delay_ms) = match self.kind {
            FaultKind::Throttle => ("throttle", None),
            FaultKind::Http500 => ("error500", None),
            FaultKind::Http503 => ("error503", None),
            FaultKind::Drop => ("drop", None),
            FaultKind::Slow(d) => ("slow", Some(d.as_millis() as u64)),
        };
        let mut rule = json!({ "kind": kind });
        if let Some(ms) = delay_ms {
            rule["delay_ms"] = json!(ms);
        }
        if let Some(service) = self.service {
            rule["service"] = json!(match service {
                Service::ElasticBeanstalk => "elasticbeanstalk",
                Service::S3 => "s3",
            });
        }
        if !self.actions.is_empty() {
            rule["action"] = json!(self.actions);
        }
        if let Some(count) = self.count {
            rule["count"] = json!(count);
        }
        if let Some(skip) = self.skip {
            rule["skip"] = json!(skip);
        }
        if let Some(rate) = self.rate {
            rule["rate"] = json!(rate);
        }
        rule
    }
}

/// A name no other test (in this or an earlier run against the same
/// emulator) uses: `<prefix>-<pid>-<n><time>`; at most 40 characters, valid
/// for applications, environments (4–40 chars) and labels.
pub(crate) fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let suffix = format!("{}-{n}{:x}", std::process::id() % 100_000, nanos % 0xfffff);
    let keep = 40usize.saturating_sub(suffix.len() + 1);
    let prefix: String = prefix.chars().take(keep).collect();
    format!("{prefix}-{suffix}")
}

/// A zip archive holding `entries` (name, content), as a source bundle.
pub(crate) fn zip_bytes(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, content) in entries {
        writer
            .start_file(*name, zip::write::SimpleFileOptions::default())
            .expect("zip entry");
        writer.write_all(content).expect("zip write");
    }
    writer.finish().expect("zip finish").into_inner()
}

/// A minimal valid Dockerrun.aws.json v2 bundle.
pub(crate) fn dockerrun_v2_bundle() -> Vec<u8> {
    let dockerrun = json!({
        "AWSEBDockerrunVersion": 2,
        "containerDefinitions": [
            { "name": "app", "image": "nginx:1.27", "essential": true, "memory": 128 }
        ]
    });
    zip_bytes(&[("Dockerrun.aws.json", dockerrun.to_string().as_bytes())])
}

fn emulator_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("emulator")
}

/// Create/refresh the venv once per test process; the script serialises
/// concurrent binaries with a lock. Returns the venv's python.
fn setup_venv() -> Result<PathBuf, String> {
    static SETUP: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    SETUP
        .get_or_init(|| {
            let dir = emulator_dir();
            let output = Command::new("bash")
                .arg(dir.join("emulator.sh"))
                .arg("setup")
                .stdin(Stdio::null())
                .output()
                .map_err(|e| format!("cannot run bash {}/emulator.sh setup: {e}", dir.display()))?;
            if !output.status.success() {
                return Err(format!(
                    "`tests/emulator/emulator.sh setup` failed ({}). It needs CPython >= 3.11 with venv \
                     and pip, and access to PyPI on first run.\n{}{}",
                    output.status,
                    String::from_utf8_lossy(&output.stdout),
                    String::from_utf8_lossy(&output.stderr)
                ));
            }
            Ok(dir.join(".venv").join("bin").join("python"))
        })
        .clone()
}

fn tail(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

fn array(value: Value, key: &str) -> Vec<Value> {
    match value.get(key) {
        Some(Value::Array(items)) => items.clone(),
        _ => Vec::new(),
    }
}
