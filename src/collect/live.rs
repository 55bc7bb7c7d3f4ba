//! One collection run: configuration, identity, regions, then every service concurrently,
//! assembled into the snapshot document.

use super::client::{self, Clients};
use super::ctx::{Ctx, OpStats, Stats, error_parts};
use super::operations::Needs;
use super::progress::Progress;
use super::{ec2, iam, kms, s3, sagemaker};
use crate::snapshot::{Gap, SCHEMA_VERSION};
use aws_sdk_sts::error::ProvideErrorMetadata;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_types::region::Region;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Which regions to collect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionChoice {
    /// The configured region (`--region`, `AWS_REGION`, the profile's `region`).
    Configured,
    /// These regions.
    List(Vec<String>),
    /// Every region enabled in the account (DescribeRegions).
    All,
}

impl RegionChoice {
    /// From `--regions` values: none, `all`, or region names.
    pub fn from_args(values: &[String]) -> Result<RegionChoice, CollectError> {
        let values: Vec<&str> = values
            .iter()
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .collect();
        if values.contains(&"all") {
            return if values.len() == 1 {
                Ok(RegionChoice::All)
            } else {
                Err(CollectError::AllWithOthers)
            };
        }
        if values.is_empty() {
            return Ok(RegionChoice::Configured);
        }
        Ok(RegionChoice::List(
            values.into_iter().map(str::to_string).collect(),
        ))
    }
}

/// How to collect.
#[derive(Debug, Clone)]
pub struct Options {
    /// Named profile (`--profile`); `None` follows `AWS_PROFILE`, then `default`.
    pub profile: Option<String>,
    /// Region for global calls and the default region to collect.
    pub region: Option<String>,
    pub regions: RegionChoice,
    /// Role to assume with the configured credentials.
    pub role_arn: Option<String>,
    pub external_id: Option<String>,
    pub role_session_name: String,
    /// Endpoint for every service (`--endpoint-url`; `AWS_ENDPOINT_URL` is read by the SDK).
    pub endpoint_url: Option<String>,
    /// Requests in flight at once, across services and regions.
    pub concurrency: usize,
    /// Attempts per request, the first included.
    pub max_attempts: u32,
    /// Timeout of one attempt.
    pub attempt_timeout: Duration,
    /// Optional per-resource calls.
    pub needs: Needs,
    pub max_training_jobs: usize,
    /// Show the progress display (stderr is a terminal and logging is quiet).
    pub progress: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            profile: None,
            region: None,
            regions: RegionChoice::Configured,
            role_arn: None,
            external_id: None,
            role_session_name: "mlguard".to_string(),
            endpoint_url: None,
            concurrency: 16,
            max_attempts: 5,
            attempt_timeout: Duration::from_secs(30),
            needs: Needs::default(),
            max_training_jobs: 100,
            progress: false,
        }
    }
}

/// What stops a collection before it starts: one error, with advice.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    #[error("no AWS region is configured{}", profile.as_ref().map(|p| format!(" (profile `{p}` names none, or does not exist)")).unwrap_or_default())]
    NoRegion { profile: Option<String> },
    #[error("`{0}` is not an AWS region name")]
    BadRegion(String),
    #[error("--regions all cannot be combined with region names")]
    AllWithOthers,
    #[error("region `{region}` does not exist in partition {partition}")]
    UnknownRegion { region: String, partition: String },
    #[error("region `{region}` is not enabled in account {account_id}")]
    RegionNotEnabled { region: String, account_id: String },
    #[error("invalid --endpoint-url `{0}`: expected http://HOST[:PORT] or https://HOST[:PORT]")]
    BadEndpoint(String),
    #[error("no AWS credentials found: {detail}")]
    NoCredentials { detail: String },
    #[error("cannot assume role {role_arn}: {detail}")]
    AssumeRole { role_arn: String, detail: String },
    #[error("AWS rejected the credentials ({code}): {message}")]
    BadCredentials { code: String, message: String },
    #[error("cannot reach AWS STS in region `{region}`{}: {message}", endpoint.as_ref().map(|e| format!(" at {e}")).unwrap_or_default())]
    Unreachable {
        region: String,
        endpoint: Option<String>,
        message: String,
    },
    #[error("sts:GetCallerIdentity failed ({code}): {message}")]
    Identity { code: String, message: String },
    #[error("cannot list the account's regions (ec2:DescribeRegions, {code}): {message}")]
    Regions { code: String, message: String },
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
    #[error("a collection task failed: {0} (please report)")]
    Task(String),
}

impl CollectError {
    /// Lines of advice for the person who ran the command.
    pub fn hints(&self) -> Vec<String> {
        match self {
            CollectError::NoRegion { .. } => {
                vec!["pass --region REGION, set AWS_REGION, or set `region` in the profile (`aws configure`)".into()]
            }
            CollectError::BadRegion(_) | CollectError::UnknownRegion { .. } => {
                vec!["region names look like us-east-1 or eu-west-1; `aws ec2 describe-regions` lists them".into()]
            }
            CollectError::AllWithOthers => vec!["use either --regions all or a list such as --regions us-east-1,eu-west-1".into()],
            CollectError::RegionNotEnabled { .. } => vec![
                "opt-in regions must be enabled first (AWS console: Account > AWS Regions), or leave the region out".into(),
            ],
            CollectError::BadEndpoint(_) => vec!["for example --endpoint-url http://127.0.0.1:5000".into()],
            CollectError::NoCredentials { .. } => vec![
                "set AWS_PROFILE (or pass --profile) to a profile in ~/.aws/config, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY".into(),
                "for an IAM Identity Center (SSO) profile, run `aws sso login --profile NAME` first".into(),
            ],
            CollectError::AssumeRole { .. } => vec![
                "the role's trust policy must allow your identity to call sts:AssumeRole, with the same --external-id when it requires one".into(),
            ],
            CollectError::BadCredentials { .. } => vec![
                "the access key is unknown, revoked or expired: refresh the session (`aws sso login`, new temporary credentials) or pick another profile".into(),
            ],
            CollectError::Unreachable { endpoint, .. } => {
                let mut hints = vec!["check the region name and the network (proxy settings, VPC endpoints)".to_string()];
                if endpoint.is_some() {
                    hints.push("check that the service behind --endpoint-url / AWS_ENDPOINT_URL is running".into());
                }
                hints
            }
            CollectError::Identity { .. } => vec!["run `aws sts get-caller-identity` with the same settings to see what AWS answers".into()],
            CollectError::Regions { .. } => {
                vec!["grant ec2:DescribeRegions (see policies/iam/mlguard-scan-policy.json), or name the regions: --regions us-east-1,eu-west-1".into()]
            }
            CollectError::Runtime(_) | CollectError::Task(_) => Vec::new(),
        }
    }
}

/// A finished collection.
#[derive(Debug, Clone)]
pub struct Collected {
    /// The schema-1 snapshot document.
    pub snapshot: Value,
    pub summary: Summary,
}

/// What a collection cost and what it missed.
#[derive(Debug, Clone)]
pub struct Summary {
    pub account_id: String,
    pub partition: String,
    pub regions: Vec<String>,
    /// Wall time of the whole collection, from loading the configuration to the snapshot.
    pub wall: Duration,
    /// Calls and attempts per `(service, operation)`.
    pub operations: BTreeMap<(String, String), OpStats>,
    pub gaps: Vec<Gap>,
}

impl Summary {
    pub fn calls(&self) -> u64 {
        self.operations.values().map(|s| s.calls).sum()
    }

    pub fn retries(&self) -> u64 {
        self.operations.values().map(OpStats::retries).sum()
    }

    /// `(calls, retries, gaps)` per service.
    pub fn by_service(&self) -> BTreeMap<String, (u64, u64, usize)> {
        let mut out: BTreeMap<String, (u64, u64, usize)> = BTreeMap::new();
        for ((service, _), s) in &self.operations {
            let e = out.entry(service.clone()).or_default();
            e.0 += s.calls;
            e.1 += s.retries();
        }
        for g in &self.gaps {
            out.entry(g.service.clone()).or_default().2 += 1;
        }
        out
    }

    /// The summary printed on stderr (`-v` or `--stats`); `detailed` adds every operation.
    pub fn render(&self, detailed: bool) -> String {
        let mut out = String::new();
        let regions = self.regions.join(", ");
        let _ = writeln!(
            out,
            "collected account {} ({}), {} {} ({regions}), in {:.1} s",
            self.account_id,
            self.partition,
            self.regions.len(),
            if self.regions.len() == 1 {
                "region"
            } else {
                "regions"
            },
            self.wall.as_secs_f64()
        );
        let _ = writeln!(
            out,
            "  {:<34} {:>7} {:>8} {:>5}",
            "service", "calls", "retries", "gaps"
        );
        for (service, (calls, retries, gaps)) in self.by_service() {
            let _ = writeln!(out, "  {service:<34} {calls:>7} {retries:>8} {gaps:>5}");
            if detailed {
                for ((svc, op), s) in self
                    .operations
                    .iter()
                    .filter(|((svc, _), _)| *svc == service)
                {
                    let gaps = self
                        .gaps
                        .iter()
                        .filter(|g| g.service == *svc && g.operation == *op)
                        .count();
                    let _ = writeln!(
                        out,
                        "    {op:<32} {:>7} {:>8} {gaps:>5}",
                        s.calls,
                        s.retries()
                    );
                }
            }
        }
        let _ = writeln!(
            out,
            "  {:<34} {:>7} {:>8} {:>5}",
            "total",
            self.calls(),
            self.retries(),
            self.gaps.len()
        );
        out
    }
}

/// The snapshot as mlguard writes it: pretty JSON, keys sorted, one trailing newline. `scan`
/// evaluates exactly these bytes, so `collect` then `audit` reports the same lines.
pub fn render(snapshot: &Value) -> String {
    let mut text = serde_json::to_string_pretty(snapshot).unwrap_or_else(|_| "{}".to_string());
    text.push('\n');
    text
}

/// Collects the account `opts` point at.
pub fn collect(opts: &Options) -> Result<Collected, CollectError> {
    validate(opts)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(CollectError::Runtime)?;
    runtime.block_on(collect_async(opts))
}

/// `us-east-1`, `us-gov-west-1`, `cn-north-1`, `ap-southeast-5`, `us-isob-east-1`.
pub(crate) fn valid_region(name: &str) -> bool {
    let parts: Vec<&str> = name.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
        && parts[parts.len() - 1].chars().all(|c| c.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty()
}

pub(crate) fn validate(opts: &Options) -> Result<(), CollectError> {
    let named = opts.region.iter().chain(match &opts.regions {
        RegionChoice::List(list) => list.iter(),
        _ => [].iter(),
    });
    for region in named {
        if !valid_region(region) {
            return Err(CollectError::BadRegion(region.clone()));
        }
    }
    if let Some(url) = &opts.endpoint_url {
        let rest = url
            .strip_prefix("http://")
            .or_else(|| url.strip_prefix("https://"));
        if rest.is_none_or(|r| r.is_empty() || r.starts_with('/')) {
            return Err(CollectError::BadEndpoint(url.clone()));
        }
    }
    Ok(())
}

pub(crate) struct Identity {
    pub(crate) account_id: String,
    pub(crate) partition: String,
}

async fn collect_async(opts: &Options) -> Result<Collected, CollectError> {
    let started = Instant::now();
    let mut config = client::load(opts).await;
    let home = match (config.region(), &opts.regions) {
        (Some(r), _) => r.to_string(),
        (None, RegionChoice::List(list)) if !list.is_empty() => list[0].clone(),
        (None, RegionChoice::All) => "us-east-1".to_string(),
        (None, _) => {
            return Err(CollectError::NoRegion {
                profile: opts.profile.clone(),
            });
        }
    };
    if !valid_region(&home) {
        return Err(CollectError::BadRegion(home));
    }
    if config.region().is_none() {
        config = config
            .into_builder()
            .region(Region::new(home.clone()))
            .build();
    }
    if let Some(role_arn) = &opts.role_arn {
        config = client::assume_role(config, opts, role_arn).await;
    }
    client::check_credentials(&config, opts).await?;
    collect_configured(config, home, opts, started).await
}

/// Collects the account `config` reaches (its credentials checked, its region set to
/// `home`): identity, regions, then every service. `org scan` enters here with each member
/// account's credentials.
pub(crate) async fn collect_configured(
    config: aws_types::SdkConfig,
    home: String,
    opts: &Options,
    started: Instant,
) -> Result<Collected, CollectError> {
    let stats = Arc::new(Stats::default());
    let clients = Clients::new(config, Arc::clone(&stats));
    let identity = identify(&clients, &home).await?;
    tracing::info!(
        "collecting account {} as of now, home region {home}",
        identity.account_id
    );
    let regions = resolve_regions(&clients, &home, &opts.regions, &identity).await?;

    let ctx = Arc::new(Ctx::new(opts.concurrency, Progress::new(opts.progress)));
    let iam = tokio::spawn(iam::collect(
        Arc::clone(&ctx),
        clients.iam(),
        opts.needs.role_last_used,
    ));
    let s3 = tokio::spawn(s3::collect(Arc::clone(&ctx), clients.clone(), home.clone()));
    let settings = sagemaker::Settings {
        max_training_jobs: opts.max_training_jobs,
        tags: opts.needs.sagemaker_tags,
    };
    let regional: Vec<_> = regions
        .iter()
        .map(|region| {
            let (ctx, clients, region) = (Arc::clone(&ctx), clients.clone(), region.clone());
            tokio::spawn(async move {
                let (kms, ec2, sagemaker) = tokio::join!(
                    kms::collect(Arc::clone(&ctx), clients.kms(&region), region.clone()),
                    ec2::collect(Arc::clone(&ctx), clients.ec2(&region), region.clone()),
                    sagemaker::collect(
                        Arc::clone(&ctx),
                        clients.sagemaker(&region),
                        region.clone(),
                        settings
                    ),
                );
                (
                    region,
                    json!({"kms": kms, "ec2": ec2, "sagemaker": sagemaker}),
                )
            })
        })
        .collect();
    let join = |e: tokio::task::JoinError| CollectError::Task(e.to_string());
    let iam = iam.await.map_err(join)?;
    let s3 = s3.await.map_err(join)?;
    let mut by_region = Map::new();
    for handle in regional {
        let (region, value) = handle.await.map_err(join)?;
        by_region.insert(region, value);
    }
    ctx.progress.clear();
    let mut gaps = ctx.take_gaps();
    gaps.sort();
    let collected_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let snapshot = json!({
        "schema_version": SCHEMA_VERSION,
        "metadata": {
            "account_id": identity.account_id,
            "partition": identity.partition,
            "regions": regions,
            "collected_at": collected_at,
            "tool_version": env!("CARGO_PKG_VERSION"),
        },
        "iam": iam,
        "s3": s3,
        "regions": by_region,
        "gaps": gaps,
    });
    let summary = Summary {
        account_id: identity.account_id,
        partition: identity.partition,
        regions,
        wall: started.elapsed(),
        operations: stats.snapshot(),
        gaps,
    };
    Ok(Collected { snapshot, summary })
}

/// STS GetCallerIdentity: the account id and partition, and the one place where a broken
/// configuration (bad credentials, unreachable region or endpoint) stops the run.
pub(crate) async fn identify(clients: &Clients, home: &str) -> Result<Identity, CollectError> {
    match clients.sts().get_caller_identity().send().await {
        Ok(out) => {
            let account_id = out.account().unwrap_or_default().to_string();
            let partition = out
                .arn()
                .and_then(|a| a.split(':').nth(1))
                .unwrap_or("aws")
                .to_string();
            Ok(Identity {
                account_id,
                partition,
            })
        }
        Err(e) => {
            let (code, message) = error_parts(&e);
            Err(match &e {
                SdkError::ServiceError(_)
                    if matches!(
                        code.as_str(),
                        "InvalidClientTokenId"
                            | "SignatureDoesNotMatch"
                            | "ExpiredToken"
                            | "ExpiredTokenException"
                            | "UnrecognizedClientException"
                            | "InvalidAccessKeyId"
                            | "AuthFailure"
                    ) =>
                {
                    CollectError::BadCredentials { code, message }
                }
                SdkError::ServiceError(_) => CollectError::Identity { code, message },
                _ => CollectError::Unreachable {
                    region: home.to_string(),
                    endpoint: clients.endpoint_url().map(str::to_string),
                    message,
                },
            })
        }
    }
}

/// The regions to collect, sorted. Named regions are checked against DescribeRegions (when
/// the caller may call it), so a typo or a disabled region is one error, not a gap per call.
async fn resolve_regions(
    clients: &Clients,
    home: &str,
    choice: &RegionChoice,
    identity: &Identity,
) -> Result<Vec<String>, CollectError> {
    let ec2 = clients.ec2(home);
    let mut wanted: Vec<String> = match choice {
        RegionChoice::Configured => vec![home.to_string()],
        RegionChoice::List(list) => list.clone(),
        RegionChoice::All => return enabled_regions(&ec2).await,
    };
    wanted.sort();
    wanted.dedup();
    match ec2.describe_regions().all_regions(true).send().await {
        Ok(out) => {
            let known: BTreeMap<&str, Option<&str>> = out
                .regions()
                .iter()
                .filter_map(|r| Some((r.region_name()?, r.opt_in_status())))
                .collect();
            for region in &wanted {
                match known.get(region.as_str()) {
                    None => {
                        return Err(CollectError::UnknownRegion {
                            region: region.clone(),
                            partition: identity.partition.clone(),
                        });
                    }
                    Some(Some("not-opted-in")) => {
                        return Err(CollectError::RegionNotEnabled {
                            region: region.clone(),
                            account_id: identity.account_id.clone(),
                        });
                    }
                    Some(_) => {}
                }
            }
        }
        Err(e) => {
            let (code, message) = error_parts(&e);
            tracing::warn!(
                "cannot check the region names (ec2:DescribeRegions: {code}: {message}); collecting them as given"
            );
        }
    }
    Ok(wanted)
}

/// Every region enabled in the account.
async fn enabled_regions(ec2: &aws_sdk_ec2::Client) -> Result<Vec<String>, CollectError> {
    match ec2.describe_regions().send().await {
        Ok(out) => {
            let mut regions: Vec<String> = out
                .regions()
                .iter()
                .filter(|r| r.opt_in_status() != Some("not-opted-in"))
                .filter_map(|r| r.region_name().map(str::to_string))
                .collect();
            regions.sort();
            Ok(regions)
        }
        Err(e) => {
            let code = e.code().map(str::to_string);
            let (fallback, message) = error_parts(&e);
            Err(CollectError::Regions {
                code: code.unwrap_or(fallback),
                message,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_names() {
        for ok in [
            "us-east-1",
            "eu-west-1",
            "us-gov-west-1",
            "cn-north-1",
            "ap-southeast-5",
            "us-isob-east-1",
        ] {
            assert!(valid_region(ok), "{ok}");
        }
        for bad in [
            "us-east",
            "useast1",
            "US-EAST-1",
            "us_east_1",
            "us-east-1a",
            "all",
            "",
            "u-east-1",
        ] {
            assert!(!valid_region(bad), "{bad}");
        }
    }

    #[test]
    fn region_choice_from_arguments() {
        let args = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            RegionChoice::from_args(&[]).ok(),
            Some(RegionChoice::Configured)
        );
        assert_eq!(
            RegionChoice::from_args(&args(&["all"])).ok(),
            Some(RegionChoice::All)
        );
        assert_eq!(
            RegionChoice::from_args(&args(&["us-east-1", " eu-west-1"])).ok(),
            Some(RegionChoice::List(args(&["us-east-1", "eu-west-1"])))
        );
        assert!(matches!(
            RegionChoice::from_args(&args(&["all", "us-east-1"])),
            Err(CollectError::AllWithOthers)
        ));
    }

    #[test]
    fn options_are_checked_before_any_call() {
        let bad = Options {
            regions: RegionChoice::List(vec!["us-east-1".into(), "eu-wst1".into()]),
            ..Options::default()
        };
        assert!(matches!(validate(&bad), Err(CollectError::BadRegion(r)) if r == "eu-wst1"));
        let bad = Options {
            endpoint_url: Some("localhost:5000".into()),
            ..Options::default()
        };
        assert!(matches!(validate(&bad), Err(CollectError::BadEndpoint(_))));
        let good = Options {
            endpoint_url: Some("http://127.0.0.1:5000".into()),
            regions: RegionChoice::List(vec!["us-east-1".into()]),
            ..Options::default()
        };
        assert!(validate(&good).is_ok());
    }

    #[test]
    fn summary_counts_per_service() {
        let mut operations = BTreeMap::new();
        operations.insert(
            ("ec2".to_string(), "DescribeVpcs".to_string()),
            OpStats {
                calls: 2,
                attempts: 3,
            },
        );
        operations.insert(
            ("ec2".to_string(), "DescribeSubnets".to_string()),
            OpStats {
                calls: 1,
                attempts: 1,
            },
        );
        operations.insert(
            ("kms".to_string(), "ListKeys".to_string()),
            OpStats {
                calls: 1,
                attempts: 1,
            },
        );
        let summary = Summary {
            account_id: "123456789012".into(),
            partition: "aws".into(),
            regions: vec!["us-east-1".into()],
            wall: Duration::from_millis(1500),
            operations,
            gaps: vec![Gap {
                service: "kms".into(),
                region: "us-east-1".into(),
                operation: "ListKeys".into(),
                resource: None,
                error_code: "AccessDeniedException".into(),
                message: "no".into(),
            }],
        };
        assert_eq!(summary.calls(), 4);
        assert_eq!(summary.retries(), 1);
        assert_eq!(summary.by_service()["ec2"], (3, 1, 0));
        assert_eq!(summary.by_service()["kms"], (1, 0, 1));
        let text = summary.render(true);
        assert!(
            text.starts_with(
                "collected account 123456789012 (aws), 1 region (us-east-1), in 1.5 s\n"
            ),
            "{text}"
        );
        assert!(text.contains("    DescribeVpcs"), "{text}");
        assert!(
            text.lines().last().is_some_and(
                |l| l.split_whitespace().collect::<Vec<_>>() == ["total", "4", "1", "1"]
            ),
            "{text}"
        );
    }
}
