//! The AWS SDK configuration (credentials, region, endpoint, retries, timeouts) and the
//! service clients built from it, each with the call counter.

use super::ctx::{Counter, Stats};
use super::{CollectError, Options};
use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::sts::AssumeRoleProvider;
use aws_config::timeout::TimeoutConfig;
use aws_credential_types::provider::ProvideCredentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_smithy_runtime_api::client::endpoint::EndpointFuture;
use aws_types::SdkConfig;
use aws_types::region::Region;
use aws_types::sdk_config::SharedCredentialsProvider;
use std::sync::Arc;
use std::time::Duration;

/// How long to wait for a TCP/TLS connection before an attempt fails.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Loads the SDK configuration the way the AWS CLI does (environment, profile, SSO, process
/// credentials, container and instance roles), with mlguard's overrides.
pub(crate) async fn load(opts: &Options) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::adaptive().with_max_attempts(opts.max_attempts.max(1)))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(CONNECT_TIMEOUT)
                .operation_attempt_timeout(opts.attempt_timeout)
                .build(),
        );
    if let Some(profile) = &opts.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &opts.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(url) = &opts.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    loader.load().await
}

/// Replaces the credentials with those of `--role-arn` (assumed with the configured ones).
pub(crate) async fn assume_role(config: SdkConfig, opts: &Options, role_arn: &str) -> SdkConfig {
    let mut builder = AssumeRoleProvider::builder(role_arn)
        .session_name(&opts.role_session_name)
        .configure(&config);
    if let Some(id) = &opts.external_id {
        builder = builder.external_id(id);
    }
    let provider = builder.build().await;
    config
        .into_builder()
        .credentials_provider(SharedCredentialsProvider::new(provider))
        .build()
}

/// Resolves the credentials once before any call, so a missing or broken credential source
/// is one clear error rather than a failed call per service.
pub(crate) async fn check_credentials(
    config: &SdkConfig,
    opts: &Options,
) -> Result<(), CollectError> {
    let profile = opts
        .profile
        .clone()
        .or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()));
    let Some(provider) = config.credentials_provider() else {
        return Err(CollectError::NoCredentials {
            profile,
            detail: "no credential provider is configured".into(),
        });
    };
    match provider.provide_credentials().await {
        Ok(_) => Ok(()),
        Err(e) => {
            let detail = super::ctx::chain(&e);
            if let Some(role_arn) = &opts.role_arn
                && !matches!(e, CredentialsError::CredentialsNotLoaded(_))
            {
                return Err(CollectError::AssumeRole {
                    role_arn: role_arn.clone(),
                    detail,
                });
            }
            // The SDK's chain of causes goes to -v; the error is one sentence.
            tracing::info!("resolving the credentials: {detail}");
            if detail.to_ascii_lowercase().contains("sso") {
                return Err(CollectError::SsoLogin {
                    profile: profile.unwrap_or_else(|| "default".into()),
                    detail,
                });
            }
            Err(CollectError::NoCredentials { profile, detail })
        }
    }
}

/// Builds the service clients; every one counts its calls into `stats`.
#[derive(Clone)]
pub(crate) struct Clients {
    config: SdkConfig,
    stats: Arc<Stats>,
    /// S3 addresses buckets by path, not by host name, when the endpoint is overridden
    /// (emulators and proxies do not resolve `BUCKET.host`).
    path_style: bool,
}

impl Clients {
    pub fn new(config: SdkConfig, stats: Arc<Stats>) -> Clients {
        let path_style = config.endpoint_url().is_some()
            || std::env::var_os("AWS_ENDPOINT_URL_S3").is_some_and(|v| !v.is_empty());
        Clients {
            config,
            stats,
            path_style,
        }
    }

    pub fn endpoint_url(&self) -> Option<&str> {
        self.config.endpoint_url()
    }

    fn counter(&self, service: &'static str) -> Counter {
        Counter::new(service, Arc::clone(&self.stats))
    }

    pub fn sts(&self) -> aws_sdk_sts::Client {
        let conf = aws_sdk_sts::config::Builder::from(&self.config)
            .interceptor(self.counter("sts"))
            .build();
        aws_sdk_sts::Client::from_conf(conf)
    }

    /// STS in another region than the configured one.
    pub fn sts_in(&self, region: &str) -> aws_sdk_sts::Client {
        let conf = aws_sdk_sts::config::Builder::from(&self.config)
            .region(Region::new(region.to_string()))
            .interceptor(self.counter("sts"))
            .build();
        aws_sdk_sts::Client::from_conf(conf)
    }

    pub fn iam(&self) -> aws_sdk_iam::Client {
        let conf = aws_sdk_iam::config::Builder::from(&self.config)
            .interceptor(self.counter("iam"))
            .build();
        aws_sdk_iam::Client::from_conf(conf)
    }

    pub fn ec2(&self, region: &str) -> aws_sdk_ec2::Client {
        let conf = aws_sdk_ec2::config::Builder::from(&self.config)
            .region(Region::new(region.to_string()))
            .interceptor(self.counter("ec2"))
            .build();
        aws_sdk_ec2::Client::from_conf(conf)
    }

    pub fn kms(&self, region: &str) -> aws_sdk_kms::Client {
        let conf = aws_sdk_kms::config::Builder::from(&self.config)
            .region(Region::new(region.to_string()))
            .interceptor(self.counter("kms"))
            .build();
        aws_sdk_kms::Client::from_conf(conf)
    }

    pub fn sagemaker(&self, region: &str) -> aws_sdk_sagemaker::Client {
        let conf = aws_sdk_sagemaker::config::Builder::from(&self.config)
            .region(Region::new(region.to_string()))
            .interceptor(self.counter("sagemaker"))
            .build();
        aws_sdk_sagemaker::Client::from_conf(conf)
    }

    pub fn servicequotas(&self, region: &str) -> aws_sdk_servicequotas::Client {
        let conf = aws_sdk_servicequotas::config::Builder::from(&self.config)
            .region(Region::new(region.to_string()))
            .interceptor(self.counter("servicequotas"))
            .build();
        aws_sdk_servicequotas::Client::from_conf(conf)
    }

    pub fn s3(&self, region: &str) -> aws_sdk_s3::Client {
        let conf = aws_sdk_s3::config::Builder::from(&self.config)
            .region(Region::new(region.to_string()))
            .force_path_style(self.path_style)
            .interceptor(self.counter("s3"))
            .build();
        aws_sdk_s3::Client::from_conf(conf)
    }

    /// S3 Control, for the account-level settings. Its endpoint rules put the account id in
    /// front of the host name (`ACCOUNT.s3-control.REGION.amazonaws.com`), in front of an
    /// overridden endpoint too, where `ACCOUNT.127.0.0.1` reaches nothing: with an endpoint
    /// override the account id travels only in the `x-amz-account-id` header, as S3 buckets
    /// go in the path.
    pub fn s3control(&self, region: &str) -> aws_sdk_s3control::Client {
        let mut conf = aws_sdk_s3control::config::Builder::from(&self.config)
            .region(Region::new(region.to_string()))
            .interceptor(self.counter("s3control"));
        if self.path_style {
            conf = conf.endpoint_resolver(AccountOutOfHost::default());
        }
        aws_sdk_s3control::Client::from_conf(conf.build())
    }
}

/// The S3 Control endpoint resolver, without the `ACCOUNT.` host prefix it adds to an
/// overridden endpoint.
#[derive(Debug, Default)]
struct AccountOutOfHost(aws_sdk_s3control::config::endpoint::DefaultResolver);

impl aws_sdk_s3control::config::endpoint::ResolveEndpoint for AccountOutOfHost {
    fn resolve_endpoint<'a>(
        &'a self,
        params: &'a aws_sdk_s3control::config::endpoint::Params,
    ) -> EndpointFuture<'a> {
        use aws_sdk_s3control::config::endpoint::ResolveEndpoint;
        let resolved = ResolveEndpoint::resolve_endpoint(&self.0, params);
        let (Some(account), Some(_)) = (params.account_id(), params.endpoint()) else {
            return resolved;
        };
        EndpointFuture::new(async move {
            let endpoint = resolved.await?;
            let url = without_host_prefix(endpoint.url(), account);
            Ok(match url {
                Some(url) => endpoint.into_builder().url(url).build(),
                None => endpoint,
            })
        })
    }
}

/// `scheme://PREFIX.rest` as `scheme://rest`; `None` when the URL does not start so.
fn without_host_prefix(url: &str, prefix: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.strip_prefix(prefix)?.strip_prefix('.')?;
    Some(format!("{scheme}://{host}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_s3control::config::endpoint::{Params, ResolveEndpoint};

    #[test]
    fn host_prefix_is_removed_only_from_an_overridden_endpoint() {
        assert_eq!(
            without_host_prefix("http://123456789012.127.0.0.1:5000", "123456789012").as_deref(),
            Some("http://127.0.0.1:5000")
        );
        assert_eq!(
            without_host_prefix("http://127.0.0.1:5000", "123456789012"),
            None
        );
        let resolve = |endpoint: Option<&str>| {
            let mut params = Params::builder()
                .region("us-east-1")
                .account_id("123456789012")
                .requires_account_id(true)
                .use_fips(false)
                .use_dual_stack(false);
            if let Some(e) = endpoint {
                params = params.endpoint(e);
            }
            let params = params.build().expect("params");
            let resolver = AccountOutOfHost::default();
            let endpoint = futures_now(ResolveEndpoint::resolve_endpoint(&resolver, &params));
            endpoint.expect("resolves").url().to_string()
        };
        assert_eq!(
            resolve(Some("http://127.0.0.1:5000")),
            "http://127.0.0.1:5000"
        );
        assert_eq!(
            resolve(None),
            "https://123456789012.s3-control.us-east-1.amazonaws.com"
        );
    }

    fn futures_now<T>(f: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
            .block_on(f)
    }
}
