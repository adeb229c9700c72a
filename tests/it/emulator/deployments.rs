//! Failing deployments, events paging, health, abort, CNAME swaps and termination.

use super::*;

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
