//! What every collection task shares: the concurrency bound, call statistics, the gaps, and
//! the progress display.

use super::progress::Progress;
use crate::snapshot::Gap;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::client::retries::RequestAttempts;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tokio::sync::{Semaphore, SemaphorePermit};
use tokio::task::JoinSet;

/// The `region` of gaps in global services (IAM, S3's account-level listing).
pub(crate) const GLOBAL: &str = "global";

/// Calls and attempts of one operation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OpStats {
    /// Executions: one per request the collector made (a page is one request).
    pub calls: u64,
    /// HTTP attempts, retries included.
    pub attempts: u64,
}

impl OpStats {
    pub fn retries(&self) -> u64 {
        self.attempts.saturating_sub(self.calls)
    }
}

/// Calls per `(service, operation)`, counted by an interceptor on every SDK client.
#[derive(Debug, Default)]
pub struct Stats {
    ops: Mutex<BTreeMap<(String, String), OpStats>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Stats {
    fn record(&self, service: &str, operation: &str, first_attempt: bool) {
        let mut ops = lock(&self.ops);
        let entry = ops
            .entry((service.to_string(), operation.to_string()))
            .or_default();
        entry.attempts += 1;
        if first_attempt {
            entry.calls += 1;
        }
    }

    pub fn snapshot(&self) -> BTreeMap<(String, String), OpStats> {
        lock(&self.ops).clone()
    }
}

/// Counts requests and attempts: the SDK runs `read_before_attempt` once per HTTP attempt
/// with the attempt number in the config bag; attempt 1 starts a request.
#[derive(Debug)]
pub(crate) struct Counter {
    service: &'static str,
    stats: Arc<Stats>,
}

impl Counter {
    pub fn new(service: &'static str, stats: Arc<Stats>) -> Counter {
        Counter { service, stats }
    }
}

impl Intercept for Counter {
    fn name(&self) -> &'static str {
        "mlguard-call-counter"
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let operation = cfg.load::<Metadata>().map_or("unknown", Metadata::name);
        let attempt = cfg
            .load::<RequestAttempts>()
            .map_or(1, RequestAttempts::attempts);
        if attempt > 1 {
            tracing::debug!("{}:{operation}: attempt {attempt}", self.service);
        }
        self.stats.record(self.service, operation, attempt <= 1);
        Ok(())
    }
}

/// An error and its sources, `: `-separated, each told once.
/// The text of the first `<tag>` of an XML document, unescaped.
fn xml_text(body: &str, tag: &str) -> Option<String> {
    let start = body.find(&format!("<{tag}>"))? + tag.len() + 2;
    let end = body[start..].find(&format!("</{tag}>"))? + start;
    let text = body[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&");
    (!text.is_empty()).then_some(text)
}

pub(crate) fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        let text = e.to_string();
        if !text.is_empty() && !parts.last().is_some_and(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
    }
    parts.join(": ")
}

/// The error code and message of a failed call, as a gap records them.
pub(crate) fn error_parts<E, R>(err: &SdkError<E, R>) -> (String, String)
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    match err {
        SdkError::ServiceError(e) => {
            let mut code = e.err().code().map(str::to_string);
            let mut message = e.err().message().map(str::to_string);
            // An error the SDK could not parse ("unhandled error"), such as an XML error in
            // another protocol's shape (`<ErrorResponse><Errors><Error>`): read the code and
            // message from the body; a bare 403 is a refusal.
            if code.is_none()
                && let Some(raw) = (e.raw() as &dyn std::any::Any)
                    .downcast_ref::<aws_smithy_runtime_api::http::Response>()
            {
                let body = raw
                    .body()
                    .bytes()
                    .map(|b| String::from_utf8_lossy(b).to_string())
                    .unwrap_or_default();
                code = xml_text(&body, "Code");
                if message.is_none() {
                    message = xml_text(&body, "Message");
                }
                if code.is_none() && raw.status().as_u16() == 403 {
                    code = Some("AccessDenied".into());
                }
            }
            (
                code.unwrap_or_else(|| "Unknown".into()),
                message.unwrap_or_else(|| e.err().to_string()),
            )
        }
        SdkError::TimeoutError(_) => (
            "Timeout".into(),
            "no answer in time, retries included".into(),
        ),
        SdkError::DispatchFailure(d) if d.is_timeout() => ("Timeout".into(), chain(err)),
        SdkError::DispatchFailure(_) => ("ConnectionError".into(), chain(err)),
        SdkError::ResponseError(_) => ("ResponseError".into(), chain(err)),
        _ => ("RequestError".into(), chain(err)),
    }
}

/// Shared by every collection task.
pub(crate) struct Ctx {
    sem: Semaphore,
    gaps: Mutex<Vec<Gap>>,
    pub progress: Progress,
}

impl Ctx {
    pub fn new(concurrency: usize, progress: Progress) -> Ctx {
        Ctx {
            sem: Semaphore::new(concurrency.max(1)),
            gaps: Mutex::new(Vec::new()),
            progress,
        }
    }

    /// One in-flight API request. The bound holds across services and regions.
    pub async fn permit(&self) -> Option<SemaphorePermit<'_>> {
        self.sem.acquire().await.ok()
    }

    /// Runs one request under the concurrency bound.
    pub async fn call<T, E, R>(
        &self,
        request: impl Future<Output = Result<T, SdkError<E, R>>>,
    ) -> Result<T, SdkError<E, R>> {
        let _permit = self.permit().await;
        request.await
    }

    /// Records a failed call.
    pub fn gap<E, R>(
        &self,
        service: &str,
        region: &str,
        operation: &str,
        resource: Option<&str>,
        err: &SdkError<E, R>,
    ) where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug + 'static,
    {
        let (error_code, message) = error_parts(err);
        self.gap_raw(service, region, operation, resource, error_code, message);
    }

    pub fn gap_raw(
        &self,
        service: &str,
        region: &str,
        operation: &str,
        resource: Option<&str>,
        error_code: String,
        message: String,
    ) {
        tracing::warn!(
            "{service}:{operation} failed in {region}{}: {error_code}: {message}",
            resource.map(|r| format!(" for {r}")).unwrap_or_default()
        );
        lock(&self.gaps).push(Gap {
            service: service.to_string(),
            region: region.to_string(),
            operation: operation.to_string(),
            resource: resource.map(str::to_string),
            error_code,
            message,
        });
    }

    pub fn take_gaps(&self) -> Vec<Gap> {
        std::mem::take(&mut *lock(&self.gaps))
    }

    /// Reads every page of a listing. `fetch` sends the request for a page token (`None` for
    /// the first page); `consume` takes a page and returns the next token, `None` at the end.
    /// A failed page is recorded as a gap (about `resource`, or the whole listing when `None`)
    /// and ends the listing; what was read is kept. Returns whether the listing completed.
    pub async fn pages<O, E, R, Fut>(
        &self,
        service: &str,
        region: &str,
        operation: &str,
        resource: Option<&str>,
        mut fetch: impl FnMut(Option<String>) -> Fut,
        mut consume: impl FnMut(O) -> Option<String>,
    ) -> bool
    where
        Fut: Future<Output = Result<O, SdkError<E, R>>>,
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug + 'static,
    {
        let mut token = None;
        let mut seen = HashSet::new();
        loop {
            match self.call(fetch(token.take())).await {
                Ok(page) => match consume(page) {
                    Some(next) if !next.is_empty() => {
                        if !seen.insert(next.clone()) {
                            // A service that hands back a token it already gave would loop forever.
                            tracing::warn!(
                                "{service}:{operation} in {region} repeated a page token; stopping"
                            );
                            return true;
                        }
                        token = Some(next);
                    }
                    _ => return true,
                },
                Err(e) => {
                    self.gap(service, region, operation, resource, &e);
                    return false;
                }
            }
        }
    }
}

/// Runs one task per item concurrently (each API call inside takes a permit) and gathers the
/// objects they return, in no particular order: callers sort.
pub(crate) async fn fan_out<I, F, Fut>(items: Vec<I>, task: F) -> Vec<Value>
where
    F: Fn(I) -> Fut,
    Fut: Future<Output = Option<Value>> + Send + 'static,
{
    let mut set = JoinSet::new();
    for item in items {
        set.spawn(task(item));
    }
    let mut out = Vec::new();
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok(Some(v)) => out.push(v),
            Ok(None) => {}
            Err(e) => tracing::error!("a collection task failed: {e} (please report)"),
        }
    }
    out
}
