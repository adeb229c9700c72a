//! Environments: launching, filters, refused updates, deployments and their events.

use super::*;

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
