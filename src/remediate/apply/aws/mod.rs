//! The AWS account as a [`Target`], through the AWS SDK for Rust: the collector's
//! configuration (credentials, region, endpoint, retries, timeouts) and clients, driven from
//! synchronous code one request at a time. Reads map "not found" answers to `null`; every
//! mutating call is one [`Op`].
//!
//! One file per service, as in `collect/`: [`iam`], [`kms`], [`ec2`], [`s3`] each hold the
//! service's reads and the executor of each of its operations (named in the operation's
//! declaration in `remediate/operations.rs`, which dispatches to it); [`inventory`] finds a
//! stack's resources for `teardown`.

use crate::collect::client::{self, Clients};
use crate::collect::ctx::{Stats, error_parts};
use crate::collect::json::policy_document;
use crate::collect::live::{Identity, identify, valid_region, validate};
use crate::collect::{CollectError, Options};
use crate::remediate::model::{AclEntry, Aspect, Op, SgRule, Tags};
use crate::remediate::target::{Inventory, Target, TargetError};
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_types::region::Region;
use serde_json::Value;
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub(in crate::remediate) mod ec2;
pub(in crate::remediate) mod iam;
mod inventory;
pub(in crate::remediate) mod kms;
pub(in crate::remediate) mod s3;

/// How long a deletion waits for dependencies AWS removes asynchronously (the network
/// interfaces of a deleted interface endpoint) before it gives up.
const DEPENDENCY_WAIT: Duration = Duration::from_secs(300);

/// Where [`AwsTarget::find_key`] found a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyLookup {
    Found(String),
    Elsewhere {
        region: String,
        arn: String,
    },
    /// In none of the account's `searched` enabled regions.
    Nowhere {
        searched: usize,
    },
}

/// An AWS account, connected.
pub struct AwsTarget {
    rt: tokio::runtime::Runtime,
    clients: Clients,
    stats: Arc<Stats>,
    identity: Identity,
    /// Region of global calls.
    pub home: String,
    dependency_wait: Duration,
}

fn err<E, R>(e: SdkError<E, R>) -> TargetError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    let (code, message) = error_parts(&e);
    TargetError { code, message }
}

fn not_found(e: &TargetError) -> bool {
    let c = e.code.as_str();
    c == "NoSuchEntity"
        || c == "NotFoundException"
        || c == "NotFound"
        || c == "NoSuchBucket"
        || c.ends_with(".NotFound")
        || c.ends_with("NotFound")
}

/// A "not found" answer as `None`.
fn found<T>(result: Result<T, TargetError>) -> Result<Option<T>, TargetError> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(e) if not_found(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

fn doc_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn decode(text: Option<&str>) -> Value {
    text.and_then(policy_document).unwrap_or(Value::Null)
}

impl AwsTarget {
    /// Connects the way `collect` does: configuration, credentials, then STS
    /// GetCallerIdentity (one clear error when any of it is wrong). `fallback_region` is used
    /// when neither `--region` nor the environment names one.
    pub fn connect(
        opts: &Options,
        fallback_region: Option<&str>,
    ) -> Result<AwsTarget, CollectError> {
        validate(opts)?;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(CollectError::Runtime)?;
        let (clients, stats, identity, home) = rt.block_on(async {
            let mut config = client::load(opts).await;
            let home = match (config.region(), fallback_region) {
                (Some(r), _) => r.to_string(),
                (None, Some(r)) => r.to_string(),
                (None, None) => {
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
            let stats = Arc::new(Stats::default());
            let clients = Clients::new(config, Arc::clone(&stats));
            let identity = identify(&clients, &home).await?;
            Ok((clients, stats, identity, home))
        })?;
        Ok(AwsTarget {
            rt,
            clients,
            stats,
            identity,
            home,
            dependency_wait: DEPENDENCY_WAIT,
        })
    }

    pub fn partition(&self) -> &str {
        &self.identity.partition
    }

    /// Requests made per `service:Operation`, retries not counted.
    pub fn calls(&self) -> BTreeMap<String, u64> {
        self.stats
            .snapshot()
            .into_iter()
            .map(|((svc, op), s)| (format!("{svc}:{op}"), s.calls))
            .collect()
    }

    fn run<F: Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    fn ec2(&self, region: &str) -> aws_sdk_ec2::Client {
        self.clients.ec2(region)
    }

    fn kms(&self, region: &str) -> aws_sdk_kms::Client {
        self.clients.kms(region)
    }

    fn s3(&self, region: &str) -> aws_sdk_s3::Client {
        self.clients.s3(region)
    }

    fn iam(&self) -> aws_sdk_iam::Client {
        self.clients.iam()
    }

    /// Sends one request: runs it to completion and maps the SDK's error to a [`TargetError`].
    fn send<T, E, R>(
        &self,
        request: impl Future<Output = Result<T, SdkError<E, R>>>,
    ) -> Result<T, TargetError>
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug + 'static,
    {
        self.run(request).map_err(err)
    }

    /// Sends a request whose answer the plan does not need: `null` once it succeeded.
    fn done<T, E, R>(
        &self,
        request: impl Future<Output = Result<T, SdkError<E, R>>>,
    ) -> Result<Value, TargetError>
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug + 'static,
    {
        self.send(request).map(|_| Value::Null)
    }

    // --- deletions that wait for AWS ---------------------------------------------------

    /// Retries a deletion while AWS still reports a dependency that goes away by itself
    /// (the network interfaces of a just-deleted interface endpoint).
    fn delete_with_wait<F>(&self, mut attempt: F) -> Result<Value, TargetError>
    where
        F: FnMut() -> Result<Value, TargetError>,
    {
        let started = Instant::now();
        let mut pause = Duration::from_secs(2);
        loop {
            match attempt() {
                Err(e)
                    if e.code == "DependencyViolation"
                        && started.elapsed() < self.dependency_wait =>
                {
                    tracing::info!("{}; retrying in {} s", e, pause.as_secs());
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_secs(20));
                }
                other => return other,
            }
        }
    }
}

/// An operation's field as its executor takes it: `&str` for a `String`, `Option<&str>`,
/// `&[String]`, plain numbers and flags, a borrow of anything else.
pub(in crate::remediate) trait Arg {
    type Out<'a>
    where
        Self: 'a;
    fn arg(&self) -> Self::Out<'_>;
}

impl Arg for String {
    type Out<'a> = &'a str;
    fn arg(&self) -> &str {
        self
    }
}

impl Arg for Option<String> {
    type Out<'a> = Option<&'a str>;
    fn arg(&self) -> Option<&str> {
        self.as_deref()
    }
}

impl Arg for Vec<String> {
    type Out<'a> = &'a [String];
    fn arg(&self) -> &[String] {
        self
    }
}

macro_rules! by_value {
    ($($t:ty),*) => {$(
        impl Arg for $t {
            type Out<'a> = $t;
            fn arg(&self) -> $t {
                *self
            }
        }
    )*};
}
by_value!(i32, bool);

macro_rules! by_reference {
    ($($t:ty),*) => {$(
        impl Arg for $t {
            type Out<'a> = &'a $t;
            fn arg(&self) -> &$t {
                self
            }
        }
    )*};
}
by_reference!(Value, Tags, SgRule, AclEntry);

impl Target for AwsTarget {
    fn account_id(&mut self) -> Result<String, TargetError> {
        Ok(self.identity.account_id.clone())
    }

    fn read(&mut self, aspect: &Aspect) -> Result<Value, TargetError> {
        match aspect {
            Aspect::Role { role_name } => self.role_value(role_name),
            Aspect::RoleTrustPolicy { role_name } => self.trust_policy(role_name),
            Aspect::RoleInlinePolicy {
                role_name,
                policy_name,
            } => self.inline_policy(role_name, policy_name),
            Aspect::RoleManagedPolicy {
                role_name,
                policy_arn,
            } => self.policy_attached(role_name, policy_arn),
            Aspect::RolePermissionsBoundary { role_name } => self.boundary(role_name),
            Aspect::ManagedPolicy { policy_arn } => self.managed_policy(policy_arn),
            Aspect::KeyRotation { region, key_id } => self.key_rotation(region, key_id),
            Aspect::KeyPolicy { region, key_id } => self.key_policy(region, key_id),
            Aspect::KeyState { region, key_id } => self.key_state(region, key_id),
            Aspect::Key {
                region,
                alias,
                tags,
            } => self.created_key(region, alias, tags),
            Aspect::Alias { region, alias_name } => self.alias(region, alias_name),
            Aspect::Vpc { region, tags } => self.vpc_by_tags(region, tags),
            Aspect::Subnet {
                region,
                vpc_id,
                cidr_block,
            } => self.subnet_by_cidr(region, vpc_id, cidr_block),
            Aspect::SecurityGroup {
                region,
                vpc_id,
                group_name,
            } => self.group_by_name(region, vpc_id, group_name),
            Aspect::DefaultSecurityGroup { region, vpc_id } => {
                self.vpc_default(region, vpc_id, "group")
            }
            Aspect::DefaultNetworkAcl { region, vpc_id } => self.vpc_default(region, vpc_id, "acl"),
            Aspect::MainRouteTable { region, vpc_id } => self.vpc_default(region, vpc_id, "table"),
            Aspect::Ec2Resource { region, kind, id } => self.ec2_resource(region, kind, id),
            Aspect::SecurityGroupRule {
                region,
                group_id,
                direction,
                rule,
            } => self.sg_rule(region, group_id, *direction, rule),
            Aspect::SubnetMapPublicIp { region, subnet_id } => {
                self.map_public_ip(region, subnet_id)
            }
            Aspect::VpcDnsHostnames { region, vpc_id } => self.dns_hostnames(region, vpc_id),
            Aspect::FlowLog {
                region,
                resource_id,
                log_destination,
            } => self.flow_log(region, resource_id, log_destination),
            Aspect::Route {
                region,
                route_table_id,
                destination,
            } => self.route(region, route_table_id, destination),
            Aspect::NetworkAclEntry {
                region,
                network_acl_id,
                rule_number,
                egress,
            } => self.acl_entry(region, network_acl_id, *rule_number, *egress),
            Aspect::VpcEndpoint {
                region,
                vpc_id,
                service_name,
            } => self.endpoint(region, vpc_id, service_name),
            Aspect::Bucket { bucket, region } => self.bucket(bucket, region),
            Aspect::BucketTags { bucket, region } => self.bucket_tags(bucket, region),
            Aspect::BucketPublicAccessBlock { .. }
            | Aspect::BucketEncryption { .. }
            | Aspect::BucketPolicy { .. } => self.bucket_setting(aspect),
        }
    }

    fn call(&mut self, op: &Op) -> Result<Value, TargetError> {
        self.execute(op)
    }

    fn availability_zones(&mut self, region: &str) -> Result<Vec<String>, TargetError> {
        self.zones(region)
    }

    fn caller_arn(&self) -> String {
        self.identity.arn.clone()
    }

    fn inventory(&mut self, stack: &str, region: &str) -> Result<Inventory, TargetError> {
        inventory::inventory(self, stack, region)
    }
}
