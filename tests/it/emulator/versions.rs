//! Storage locations and application versions: uploads, processing, listing and deleting.

use super::*;

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
