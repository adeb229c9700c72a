//! One `tracing` event per AWS call attempt (target `ebpack::aws`, level
//! INFO), for `-v`: service, operation, HTTP status or the transport error,
//! the request id AWS support asks for, the attempt number and how long it
//! took. Registered on both SDK clients by [`super::Clients::from_sdk_config`].
//!
//! Nothing secret leaves here: of the response it reads only the status and
//! the request id header; no other header, no body, no URL (a presigned URL
//! holds a signature).

use super::error_chain;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeTransmitInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::{Intercept, OverriddenHooks};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::retries::RequestAttempts;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};
use std::time::Instant;

/// The `tracing` target of the events.
pub const TARGET: &str = "ebpack::aws";

/// The interceptor.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct CallTrace;

/// When the current attempt started.
#[derive(Debug, Clone, Copy)]
struct AttemptStart(Instant);

impl Storable for AttemptStart {
    type Storer = StoreReplace<Self>;
}

impl Intercept for CallTrace {
    fn name(&self) -> &'static str {
        "ebpack::aws::CallTrace"
    }

    fn overridden_hooks(&self) -> OverriddenHooks {
        OverriddenHooks::READ_BEFORE_ATTEMPT | OverriddenHooks::READ_AFTER_ATTEMPT
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        cfg.interceptor_state()
            .store_put(AttemptStart(Instant::now()));
        Ok(())
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if !tracing::event_enabled!(target: TARGET, tracing::Level::INFO) {
            return Ok(());
        }
        let (service, operation) = cfg
            .load::<Metadata>()
            .map_or(("", ""), |m| (m.service(), m.name()));
        let attempt = cfg
            .load::<RequestAttempts>()
            .map_or(1, RequestAttempts::attempts);
        let ms = cfg.load::<AttemptStart>().map_or(0, |s| {
            u64::try_from(s.0.elapsed().as_millis()).unwrap_or(u64::MAX)
        });
        match context.response() {
            Some(response) => {
                let headers = response.headers();
                let request_id = headers
                    .get("x-amzn-requestid")
                    .or_else(|| headers.get("x-amz-request-id"))
                    .unwrap_or("");
                tracing::info!(
                    target: TARGET,
                    service,
                    operation,
                    status = response.status().as_u16(),
                    request_id,
                    attempt,
                    ms,
                    "{service} {operation}"
                );
            }
            None => {
                let error = match context.output_or_error() {
                    Some(Err(e)) => error_chain(e),
                    _ => "no response".to_owned(),
                };
                tracing::info!(
                    target: TARGET,
                    service,
                    operation,
                    error,
                    attempt,
                    ms,
                    "{service} {operation}"
                );
            }
        }
        Ok(())
    }
}
