//! Fault injection and reset, each test with its own emulator.

use super::*;

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
