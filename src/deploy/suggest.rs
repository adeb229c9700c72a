//! What to say when an application or environment name finds nothing:
//! ask Elastic Beanstalk what exists (`DescribeApplications`,
//! `DescribeEnvironments`) and offer the close match, or the names that
//! exist. A newcomer's first deploy often fails on a typo or on `--app`
//! defaulting to the folder's name; these turn that into one next step.
//!
//! The lookups only improve a message: when they fail (no permission to
//! list, say) the help falls back to a generic line and the original error
//! stands.

use super::ports::Beanstalk;
use crate::suggest::{close_matches, did_you_mean, name_list};

/// How many existing names a help line lists at most.
const LISTED: usize = 5;

/// The next step for "environment `env` of application `app` does not exist".
pub async fn missing_environment<B: Beanstalk>(eb: &B, app: &str, env: &str) -> String {
    let generic = format!(
        "check `--env`, `--app` (in use: `{app}`) and `--region`: the Elastic Beanstalk console lists each region's environments"
    );
    let Ok(all) = eb.environments(None).await else {
        return generic;
    };
    // The right name under another application: `--app` is what is wrong.
    let elsewhere: Vec<&str> = all
        .iter()
        .filter(|e| e.name == env && e.app != app)
        .map(|e| e.app.as_str())
        .collect();
    if let Some(other) = elsewhere.first() {
        return format!(
            "environment `{env}` belongs to application `{other}`, not `{app}`: pass `--app {other}` (or set `app: {other}` in ebpack.yaml)"
        );
    }
    let in_app: Vec<String> = all
        .iter()
        .filter(|e| e.app == app)
        .map(|e| e.name.clone())
        .collect();
    if let Some(hint) = did_you_mean(env, &in_app) {
        return hint;
    }
    // A close name in another application.
    let names: Vec<String> = all.iter().map(|e| e.name.clone()).collect();
    if let Some(close) = close_matches(env, &names).first()
        && let Some(e) = all.iter().find(|e| e.name == *close)
    {
        return format!(
            "did you mean `{}` of application `{}`? (`--env {} --app {}`)",
            e.name, e.app, e.name, e.app
        );
    }
    if in_app.is_empty() {
        let apps = eb.applications().await.unwrap_or_default();
        if !apps.iter().any(|a| a == app) {
            return missing_application_help(app, &apps);
        }
        return format!(
            "application `{app}` has no environments; create one (`eb create`, or the console), or check `--app`"
        );
    }
    let listed: Vec<&str> = in_app.iter().map(String::as_str).collect();
    format!(
        "environments of application `{app}` (the `--app` in use): {}",
        name_list(&listed, LISTED)
    )
}

/// The next step for "application `app` does not exist", from the
/// applications that do.
pub async fn missing_application<B: Beanstalk>(eb: &B, app: &str) -> Option<String> {
    let apps = eb.applications().await.ok()?;
    Some(missing_application_help(app, &apps))
}

fn missing_application_help(app: &str, apps: &[String]) -> String {
    if let Some(hint) = did_you_mean(app, apps) {
        return format!("{hint} (`--app` in use: `{app}`)");
    }
    if apps.is_empty() {
        return format!(
            "this account has no Elastic Beanstalk applications in this region; check `--region`, or create `{app}` (`--create-app` when publishing)"
        );
    }
    let listed: Vec<&str> = apps.iter().map(String::as_str).collect();
    format!(
        "applications in this region: {}; pass one with `--app` (or `app:` in ebpack.yaml)",
        name_list(&listed, LISTED)
    )
}

#[cfg(test)]
mod tests {
    use super::super::fake::{Fake, Script};
    use super::*;

    #[tokio::test]
    async fn a_typo_in_the_environment_gets_the_close_match() {
        let fake = Fake::new(Script::default(), "todobackend", None);
        let help = missing_environment(&fake, "todobackend", "Todobackend-evn").await;
        assert_eq!(help, "did you mean `Todobackend-env`?");
        let help = missing_environment(&fake, "todobackend", "shop").await;
        assert_eq!(
            help,
            "environments of application `todobackend` (the `--app` in use): `Todobackend-env`"
        );
    }

    #[tokio::test]
    async fn the_right_environment_under_another_app_names_that_app() {
        let fake = Fake::new(Script::default(), "todobackend", None);
        let help = missing_environment(&fake, "todo", "Todobackend-env").await;
        assert!(help.contains("pass `--app todobackend`"), "{help}");
        let help = missing_environment(&fake, "todo", "Todobackend-evn").await;
        assert!(
            help.contains("`--env Todobackend-env --app todobackend`"),
            "{help}"
        );
    }

    #[tokio::test]
    async fn a_typo_in_the_application_gets_the_close_match() {
        let fake = Fake::new(Script::default(), "todobackend", None);
        let help = missing_application(&fake, "todobakend").await;
        assert_eq!(
            help.as_deref(),
            Some("did you mean `todobackend`? (`--app` in use: `todobakend`)")
        );
        let help = missing_application(&fake, "shop").await.unwrap();
        assert!(
            help.starts_with("applications in this region: `todobackend`"),
            "{help}"
        );
    }
}
