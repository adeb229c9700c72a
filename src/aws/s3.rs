//! S3 behind the [`Store`] seam: bucket check without `s3:CreateBucket`,
//! digest in object metadata, uploads streamed from disk — one PUT for small
//! bundles, parallel multipart above a threshold, always aborted on failure
//! or interruption so no orphaned parts keep costing money. Every write is
//! conditional (`If-None-Match: *` on the PUT and on the multipart
//! completion): an object a version may point at is never replaced.

use super::classify;
use crate::cancel::Cancel;
use crate::deploy::ports::{AwsError, ErrorKind, ObjectInfo, Progress, Store};
use aws_sdk_s3::primitives::{ByteStream, Length};
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Uploads at or above this size use multipart.
pub(super) const MULTIPART_THRESHOLD: u64 = 16 * 1024 * 1024;
/// Smallest part size (S3's minimum is 5 MiB).
const PART_SIZE: u64 = 8 * 1024 * 1024;
/// Parts in flight at once.
const PARALLEL_PARTS: usize = 4;
/// How long an abort may take (the SDK's retries included) before ebpack
/// gives up on it and says so.
const ABORT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// The S3 adapter.
#[derive(Debug, Clone)]
pub struct S3Store {
    client: aws_sdk_s3::Client,
    cancel: Option<Cancel>,
    threshold: u64,
}

impl S3Store {
    /// Wraps a client.
    pub fn new(client: aws_sdk_s3::Client) -> Self {
        Self {
            client,
            cancel: None,
            threshold: MULTIPART_THRESHOLD,
        }
    }

    /// Uploads stop (and multipart uploads are aborted) when `cancel` is cancelled.
    #[must_use]
    pub fn with_cancel(mut self, cancel: Cancel) -> Self {
        self.cancel = Some(cancel);
        self
    }

    /// Overrides the multipart threshold (tests; never below 5 MiB parts).
    #[must_use]
    pub fn with_multipart_threshold(mut self, bytes: u64) -> Self {
        self.threshold = bytes;
        self
    }

    async fn cancelled(&self) {
        match &self.cancel {
            Some(c) => c.cancelled().await,
            None => std::future::pending().await,
        }
    }

    async fn put(
        &self,
        bucket: &str,
        key: &str,
        path: &Path,
        sha256: &str,
    ) -> Result<(), AwsError> {
        let body = ByteStream::from_path(path).await.map_err(|e| {
            AwsError::new(
                ErrorKind::Service,
                "PutObject",
                format!("cannot read `{}`: {e}", path.display()),
            )
        })?;
        self.client
            .put_object()
            .bucket(bucket)
            .key(key)
            .content_type("application/zip")
            .metadata("sha256", sha256)
            .if_none_match("*")
            .body(body)
            .send()
            .await
            .map_err(|e| classify("PutObject", &e))?;
        Ok(())
    }

    async fn multipart(
        &self,
        bucket: &str,
        key: &str,
        path: &Path,
        size: u64,
        sha256: &str,
        progress: Progress<'_>,
    ) -> Result<(), AwsError> {
        let created = self
            .client
            .create_multipart_upload()
            .bucket(bucket)
            .key(key)
            .content_type("application/zip")
            .metadata("sha256", sha256)
            .send()
            .await
            .map_err(|e| classify("CreateMultipartUpload", &e))?;
        let upload_id = created.upload_id().unwrap_or_default().to_owned();
        // From here until the upload is completed or aborted, a second
        // signal waits instead of leaving the parts behind.
        let _hold = self
            .cancel
            .as_ref()
            .map(|c| c.hold("aborting the multipart upload"));
        let result = tokio::select! {
            r = self.upload_parts(bucket, key, &upload_id, path, size, progress) => r,
            () = self.cancelled() => {
                let message = match self.abort(bucket, key, &upload_id).await {
                    Ok(()) => format!("interrupted; multipart upload `{upload_id}` was aborted, no parts are left"),
                    Err(e) => format!("interrupted; multipart upload `{upload_id}` could not be aborted ({e}): its parts stay in the bucket until a lifecycle rule removes them"),
                };
                return Err(AwsError::new(ErrorKind::Service, "UploadPart", message));
            }
        };
        match result {
            Ok(parts) => {
                let done = self
                    .client
                    .complete_multipart_upload()
                    .bucket(bucket)
                    .key(key)
                    .upload_id(&upload_id)
                    .if_none_match("*")
                    .multipart_upload(
                        CompletedMultipartUpload::builder()
                            .set_parts(Some(parts))
                            .build(),
                    )
                    .send()
                    .await;
                if let Err(e) = done {
                    self.abort_or_warn(bucket, key, &upload_id).await;
                    return Err(classify("CompleteMultipartUpload", &e));
                }
                Ok(())
            }
            Err(e) => {
                self.abort_or_warn(bucket, key, &upload_id).await;
                Err(e)
            }
        }
    }

    /// Aborts, with the SDK's retries, within [`ABORT_TIMEOUT`].
    async fn abort(&self, bucket: &str, key: &str, upload_id: &str) -> Result<(), AwsError> {
        let call = self
            .client
            .abort_multipart_upload()
            .bucket(bucket)
            .key(key)
            .upload_id(upload_id)
            .send();
        match tokio::time::timeout(ABORT_TIMEOUT, call).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(classify("AbortMultipartUpload", &e)),
            Err(_) => Err(AwsError::new(
                ErrorKind::Transient,
                "AbortMultipartUpload",
                format!("no answer in {} s", ABORT_TIMEOUT.as_secs()),
            )),
        }
    }

    /// Best effort after a failure: failing here leaves the parts to the
    /// bucket's lifecycle rule, so say so.
    async fn abort_or_warn(&self, bucket: &str, key: &str, upload_id: &str) {
        if let Err(e) = self.abort(bucket, key, upload_id).await {
            eprintln!(
                "warning: could not abort multipart upload `{upload_id}` of s3://{bucket}/{key}: {e}"
            );
        }
    }

    async fn upload_parts(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        path: &Path,
        size: u64,
        progress: Progress<'_>,
    ) -> Result<Vec<CompletedPart>, AwsError> {
        // S3 allows at most 10,000 parts.
        let part_size = PART_SIZE.max(size.div_ceil(10_000));
        let count = size.div_ceil(part_size).max(1);
        let sent = Arc::new(AtomicU64::new(0));
        let semaphore = Arc::new(tokio::sync::Semaphore::new(PARALLEL_PARTS));
        let mut tasks = tokio::task::JoinSet::new();
        for index in 0..count {
            let offset = index * part_size;
            let len = part_size.min(size - offset);
            let client = self.client.clone();
            let (bucket, key, upload_id, path) = (
                bucket.to_owned(),
                key.to_owned(),
                upload_id.to_owned(),
                path.to_owned(),
            );
            let permit = Arc::clone(&semaphore);
            let sent = Arc::clone(&sent);
            tasks.spawn(async move {
                let _permit = permit.acquire_owned().await;
                let part_number = i32::try_from(index + 1).unwrap_or(i32::MAX);
                let body = ByteStream::read_from()
                    .path(&path)
                    .offset(offset)
                    .length(Length::Exact(len))
                    .build()
                    .await
                    .map_err(|e| {
                        AwsError::new(
                            ErrorKind::Service,
                            "UploadPart",
                            format!("cannot read `{}`: {e}", path.display()),
                        )
                    })?;
                let out = client
                    .upload_part()
                    .bucket(bucket)
                    .key(key)
                    .upload_id(upload_id)
                    .part_number(part_number)
                    .body(body)
                    .send()
                    .await
                    .map_err(|e| classify("UploadPart", &e))?;
                sent.fetch_add(len, Ordering::Relaxed);
                Ok::<_, AwsError>(
                    CompletedPart::builder()
                        .part_number(part_number)
                        .set_e_tag(out.e_tag().map(str::to_owned))
                        .build(),
                )
            });
        }
        let mut parts = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
        while let Some(joined) = tasks.join_next().await {
            let part = match joined {
                Ok(r) => r?,
                Err(e) => {
                    return Err(AwsError::new(
                        ErrorKind::Service,
                        "UploadPart",
                        e.to_string(),
                    ));
                }
            };
            progress(sent.load(Ordering::Relaxed));
            parts.push(part);
        }
        parts.sort_by_key(|p| p.part_number());
        Ok(parts)
    }
}

impl Store for S3Store {
    async fn check_bucket(&self, bucket: &str) -> Result<(), AwsError> {
        match self.client.head_bucket().bucket(bucket).send().await {
            Ok(_) => Ok(()),
            Err(e) => {
                let mut err = classify("HeadBucket", &e);
                err.message = match err.kind {
                    ErrorKind::NotFound => format!("bucket `{bucket}` does not exist"),
                    ErrorKind::Auth => format!(
                        "bucket `{bucket}` exists but these credentials cannot use it (owned by another account, or no s3:ListBucket permission)"
                    ),
                    _ => err.message,
                };
                Err(err)
            }
        }
    }

    async fn head_object(&self, bucket: &str, key: &str) -> Result<Option<ObjectInfo>, AwsError> {
        match self
            .client
            .head_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
        {
            Ok(o) => Ok(Some(ObjectInfo {
                size: o
                    .content_length()
                    .and_then(|l| u64::try_from(l).ok())
                    .unwrap_or(0),
                sha256: o.metadata().and_then(|m| m.get("sha256").cloned()),
            })),
            Err(e) => {
                let err = classify("HeadObject", &e);
                if err.kind == ErrorKind::NotFound {
                    Ok(None)
                } else {
                    Err(err)
                }
            }
        }
    }

    async fn download(
        &self,
        bucket: &str,
        key: &str,
        to: &Path,
        max_bytes: u64,
    ) -> Result<u64, AwsError> {
        use tokio::io::AsyncWriteExt;
        let out = self
            .client
            .get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| classify("GetObject", &e))?;
        let io = |e: std::io::Error| {
            AwsError::new(
                ErrorKind::Service,
                "GetObject",
                format!("cannot write `{}`: {e}", to.display()),
            )
        };
        if out
            .content_length()
            .and_then(|l| u64::try_from(l).ok())
            .is_some_and(|l| l > max_bytes)
        {
            return Err(AwsError::new(
                ErrorKind::Service,
                "GetObject",
                format!("s3://{bucket}/{key} is larger than {max_bytes} bytes"),
            ));
        }
        let mut body = out.body;
        let mut file = tokio::fs::File::create(to).await.map_err(io)?;
        let mut written = 0u64;
        while let Some(chunk) = body
            .try_next()
            .await
            .map_err(|e| AwsError::new(ErrorKind::Transient, "GetObject", e.to_string()))?
        {
            written += chunk.len() as u64;
            if written > max_bytes {
                return Err(AwsError::new(
                    ErrorKind::Service,
                    "GetObject",
                    format!("s3://{bucket}/{key} is larger than {max_bytes} bytes"),
                ));
            }
            file.write_all(&chunk).await.map_err(io)?;
        }
        file.flush().await.map_err(io)?;
        Ok(written)
    }

    async fn delete_object(&self, bucket: &str, key: &str) -> Result<(), AwsError> {
        self.client
            .delete_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| classify("DeleteObject", &e))?;
        Ok(())
    }

    async fn upload(
        &self,
        bucket: &str,
        key: &str,
        path: &Path,
        sha256: &str,
        progress: Progress<'_>,
    ) -> Result<(), AwsError> {
        let size = tokio::fs::metadata(path)
            .await
            .map_err(|e| {
                AwsError::new(
                    ErrorKind::Service,
                    "PutObject",
                    format!("cannot read `{}`: {e}", path.display()),
                )
            })?
            .len();
        if size < self.threshold {
            tokio::select! {
                r = self.put(bucket, key, path, sha256) => r?,
                () = self.cancelled() => return Err(AwsError::new(
                    ErrorKind::Service,
                    "PutObject",
                    "interrupted; the upload was stopped before S3 confirmed it",
                )),
            }
            progress(size);
            Ok(())
        } else {
            self.multipart(bucket, key, path, size, sha256, progress)
                .await
        }
    }
}
