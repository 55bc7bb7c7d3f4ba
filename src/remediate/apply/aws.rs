//! The AWS account as a [`Target`], through the AWS SDK for Rust: the collector's
//! configuration (credentials, region, endpoint, retries, timeouts) and clients, driven from
//! synchronous code one request at a time. Reads map "not found" answers to `null`; every
//! mutating call is one [`Op`].

use crate::collect::client::{self, Clients};
use crate::collect::ctx::{Stats, error_parts};
use crate::collect::json::policy_document;
use crate::collect::live::{Identity, identify, valid_region, validate};
use crate::collect::{CollectError, Options};
use crate::remediate::fixes::split_permission;
use crate::remediate::harden::{
    DEFAULT_VPC_QUOTA, VPC_QUOTA_CODE, VPC_QUOTA_SERVICE, VpcCapacity, VpcUse, names,
};
use crate::remediate::target::{Inventory, InventoryGroup, InventoryRole, Target, TargetError};
use crate::remediate::model::{
    AclEntry, Aspect, Direction, MANAGED_TAG, Op, STACK_TAG, SgRule, Tags,
};
use aws_sdk_ec2::types::{
    AttributeBooleanValue, Filter, FlowLogsResourceType, IcmpTypeCode, IpPermission, IpRange,
    Ipv6Range, LogDestinationType, PortRange, PrefixListId, ResourceType, RuleAction,
    Tag as Ec2Tag, TagSpecification, TrafficType, UserIdGroupPair, VpcAttributeName,
    VpcEndpointType,
};
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_types::region::Region;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

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

fn ec2_tags(t: &[Ec2Tag]) -> Value {
    Value::Object(
        t.iter()
            .filter_map(|t| Some((t.key()?.to_string(), json!(t.value().unwrap_or_default()))))
            .collect(),
    )
}

fn tag_spec(kind: ResourceType, tags: &Tags) -> TagSpecification {
    TagSpecification::builder()
        .resource_type(kind)
        .set_tags(Some(
            tags.iter()
                .map(|(k, v)| Ec2Tag::builder().key(k).value(v).build())
                .collect(),
        ))
        .build()
}

fn filter(name: &str, value: &str) -> Filter {
    Filter::builder().name(name).values(value).build()
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

/// A single-peer rule as an SDK permission.
fn permission(rule: &SgRule, description: Option<&str>) -> IpPermission {
    let r = rule.canonical();
    let mut p = IpPermission::builder().ip_protocol(&r.protocol);
    if r.protocol != "-1" {
        p = p.set_from_port(r.from_port).set_to_port(r.to_port);
    }
    if let Some(c) = &r.cidr {
        p = p.ip_ranges(
            IpRange::builder()
                .cidr_ip(c)
                .set_description(description.map(String::from))
                .build(),
        );
    }
    if let Some(c) = &r.ipv6_cidr {
        p = p.ipv6_ranges(
            Ipv6Range::builder()
                .cidr_ipv6(c)
                .set_description(description.map(String::from))
                .build(),
        );
    }
    if let Some(g) = &r.group_id {
        p = p.user_id_group_pairs(
            UserIdGroupPair::builder()
                .group_id(g)
                .set_description(description.map(String::from))
                .build(),
        );
    }
    if let Some(pl) = &r.prefix_list_id {
        p = p.prefix_list_ids(
            PrefixListId::builder()
                .prefix_list_id(pl)
                .set_description(description.map(String::from))
                .build(),
        );
    }
    p.build()
}

/// An SDK permission as snapshot JSON (for [`split_permission`]).
fn permission_json(p: &IpPermission) -> Value {
    json!({
        "IpProtocol": p.ip_protocol(),
        "FromPort": p.from_port(),
        "ToPort": p.to_port(),
        "IpRanges": p.ip_ranges().iter().map(|r| json!({"CidrIp": r.cidr_ip(), "Description": r.description()})).collect::<Vec<_>>(),
        "Ipv6Ranges": p.ipv6_ranges().iter().map(|r| json!({"CidrIpv6": r.cidr_ipv6(), "Description": r.description()})).collect::<Vec<_>>(),
        "UserIdGroupPairs": p.user_id_group_pairs().iter().map(|r| json!({"GroupId": r.group_id(), "Description": r.description()})).collect::<Vec<_>>(),
        "PrefixListIds": p.prefix_list_ids().iter().map(|r| json!({"PrefixListId": r.prefix_list_id(), "Description": r.description()})).collect::<Vec<_>>(),
    })
}

fn acl_entry_json(e: &aws_sdk_ec2::types::NetworkAclEntry) -> Value {
    let mut v = json!({
        "RuleNumber": e.rule_number(),
        "Egress": e.egress(),
        "Protocol": e.protocol(),
        "RuleAction": e.rule_action().map(|a| a.as_str()),
    });
    if let Some(c) = e.cidr_block() {
        v["CidrBlock"] = json!(c);
    }
    if let Some(c) = e.ipv6_cidr_block() {
        v["Ipv6CidrBlock"] = json!(c);
    }
    if let Some(p) = e.port_range() {
        v["PortRange"] = json!({"From": p.from(), "To": p.to()});
    }
    v
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

    /// The account's enabled regions (ec2:DescribeRegions), sorted.
    pub fn enabled_regions(&self) -> Result<Vec<String>, TargetError> {
        let out = self
            .run(self.ec2(&self.home).describe_regions().send())
            .map_err(err)?;
        let mut regions: Vec<String> = out
            .regions()
            .iter()
            .filter(|r| r.opt_in_status() != Some("not-opted-in"))
            .filter_map(|r| r.region_name().map(String::from))
            .collect();
        regions.sort();
        Ok(regions)
    }

    /// Where a KMS key given by id, alias or ARN lives: its ARN in `region`, else the first
    /// other enabled region that has it (`None` when no region does).
    pub fn find_key(&self, key: &str, region: &str) -> Result<KeyLookup, TargetError> {
        let describe = |region: &str, key: &str| -> Result<Option<String>, TargetError> {
            match self.run(self.kms(region).describe_key().key_id(key).send()) {
                Ok(o) => Ok(o.key_metadata().and_then(|m| m.arn()).map(String::from)),
                Err(e) => {
                    let e = err(e);
                    if not_found(&e) || e.code == "InvalidArnException" {
                        Ok(None)
                    } else {
                        Err(e)
                    }
                }
            }
        };
        if let Some(arn) = describe(region, key)? {
            return Ok(KeyLookup::Found(arn));
        }
        // An ARN names its region: elsewhere, look for the id or alias it ends with.
        let bare = match key.strip_prefix("arn:") {
            Some(rest) => {
                let resource = rest.splitn(5, ':').nth(4).unwrap_or(key);
                resource.strip_prefix("key/").unwrap_or(resource)
            }
            None => key,
        };
        let regions = self.enabled_regions()?;
        let searched = regions.len();
        for other in regions {
            if other == region {
                continue;
            }
            if let Some(arn) = describe(&other, bare)? {
                return Ok(KeyLookup::Elsewhere { region: other, arn });
            }
        }
        Ok(KeyLookup::Nowhere { searched })
    }

    /// The region's quota of VPCs (Service Quotas L-F678F1CE) and whether it was read; the
    /// default (5) when it cannot be.
    pub fn vpc_quota(&self, region: &str) -> (u32, bool) {
        let out = self.run(
            self.clients
                .servicequotas(region)
                .get_service_quota()
                .service_code(VPC_QUOTA_SERVICE)
                .quota_code(VPC_QUOTA_CODE)
                .send(),
        );
        match out {
            Ok(o) => match o.quota().and_then(|q| q.value()) {
                Some(v) if v >= 0.0 => (v as u32, true),
                _ => (DEFAULT_VPC_QUOTA, false),
            },
            Err(e) => {
                let e = err(e);
                tracing::info!(
                    "servicequotas:GetServiceQuota {VPC_QUOTA_CODE} in {region}: {e}; assuming the default quota of {DEFAULT_VPC_QUOTA} VPCs"
                );
                (DEFAULT_VPC_QUOTA, false)
            }
        }
    }

    /// The region's VPCs and how many network interfaces each has.
    pub fn vpc_usage(&self, region: &str) -> Result<Vec<VpcUse>, TargetError> {
        let ec2 = self.ec2(region);
        let vpcs = self.run(ec2.describe_vpcs().send()).map_err(err)?;
        let enis = self
            .run(ec2.describe_network_interfaces().send())
            .map_err(err)?;
        let mut out: Vec<VpcUse> = vpcs
            .vpcs()
            .iter()
            .filter_map(|v| {
                let id = v.vpc_id()?.to_string();
                let interfaces = enis
                    .network_interfaces()
                    .iter()
                    .filter(|n| n.vpc_id() == Some(id.as_str()))
                    .count();
                Some(VpcUse {
                    id,
                    is_default: v.is_default().unwrap_or(false),
                    interfaces,
                })
            })
            .collect();
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    /// The VPC capacity of `region`, and when it is full, of the account's other regions.
    pub fn vpc_capacity(&self, region: &str) -> Result<VpcCapacity, TargetError> {
        let (quota, quota_read) = self.vpc_quota(region);
        let vpcs = self.vpc_usage(region)?;
        let mut others = Vec::new();
        if vpcs.len() >= quota as usize {
            for other in self.enabled_regions()? {
                if other == region {
                    continue;
                }
                let (q, _) = self.vpc_quota(&other);
                match self.vpc_usage(&other) {
                    Ok(v) => others.push((other, v.len(), q)),
                    Err(e) => tracing::info!("counting the VPCs of {other}: {e}"),
                }
            }
        }
        Ok(VpcCapacity {
            region: region.to_string(),
            quota,
            quota_read,
            vpcs,
            others,
        })
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

    // --- IAM reads ---------------------------------------------------------------------

    fn get_role(&self, name: &str) -> Result<Option<aws_sdk_iam::types::Role>, TargetError> {
        match self.run(self.iam().get_role().role_name(name).send()) {
            Ok(out) => Ok(out.role),
            Err(e) => {
                let e = err(e);
                if not_found(&e) { Ok(None) } else { Err(e) }
            }
        }
    }

    fn role_value(&self, name: &str) -> Result<Value, TargetError> {
        Ok(match self.get_role(name)? {
            Some(r) => json!({
                "id": r.arn(),
                "tags": Value::Object(r.tags().iter().map(|t| (t.key().to_string(), json!(t.value()))).collect()),
            }),
            None => Value::Null,
        })
    }

    fn inline_policy(&self, role: &str, name: &str) -> Result<Value, TargetError> {
        match self.run(
            self.iam()
                .get_role_policy()
                .role_name(role)
                .policy_name(name)
                .send(),
        ) {
            Ok(out) => Ok(decode(Some(out.policy_document()))),
            Err(e) => {
                let e = err(e);
                if not_found(&e) {
                    Ok(Value::Null)
                } else {
                    Err(e)
                }
            }
        }
    }

    fn attached_policies(&self, role: &str) -> Result<Vec<String>, TargetError> {
        let mut out = Vec::new();
        let mut marker = None;
        loop {
            let page = match self.run(
                self.iam()
                    .list_attached_role_policies()
                    .role_name(role)
                    .set_marker(marker.take())
                    .send(),
            ) {
                Ok(p) => p,
                Err(e) => {
                    let e = err(e);
                    if not_found(&e) {
                        return Ok(out);
                    }
                    return Err(e);
                }
            };
            out.extend(
                page.attached_policies()
                    .iter()
                    .filter_map(|p| p.policy_arn().map(String::from)),
            );
            if page.is_truncated && page.marker.is_some() {
                marker = page.marker;
            } else {
                return Ok(out);
            }
        }
    }

    fn inline_policy_names(&self, role: &str) -> Result<Vec<String>, TargetError> {
        let mut out = Vec::new();
        let mut marker = None;
        loop {
            let page = self
                .run(
                    self.iam()
                        .list_role_policies()
                        .role_name(role)
                        .set_marker(marker.take())
                        .send(),
                )
                .map_err(err)?;
            out.extend(page.policy_names().iter().cloned());
            if page.is_truncated && page.marker.is_some() {
                marker = page.marker;
            } else {
                return Ok(out);
            }
        }
    }

    fn managed_policy(&self, arn: &str) -> Result<Value, TargetError> {
        let policy = match self.run(self.iam().get_policy().policy_arn(arn).send()) {
            Ok(out) => out.policy,
            Err(e) => {
                let e = err(e);
                if not_found(&e) {
                    return Ok(Value::Null);
                }
                return Err(e);
            }
        };
        let Some(policy) = policy else {
            return Ok(Value::Null);
        };
        let version = policy.default_version_id().unwrap_or("v1").to_string();
        let document = self
            .run(
                self.iam()
                    .get_policy_version()
                    .policy_arn(arn)
                    .version_id(&version)
                    .send(),
            )
            .map_err(err)?
            .policy_version
            .and_then(|v| v.document.map(|d| decode(Some(&d))))
            .unwrap_or(Value::Null);
        let mut tags: Map<String, Value> = policy
            .tags()
            .iter()
            .map(|t| (t.key().to_string(), json!(t.value())))
            .collect();
        if tags.is_empty() {
            // GetPolicy leaves tags out on some implementations.
            if let Ok(out) = self.run(self.iam().list_policy_tags().policy_arn(arn).send()) {
                tags = out
                    .tags()
                    .iter()
                    .map(|t| (t.key().to_string(), json!(t.value())))
                    .collect();
            }
        }
        Ok(json!({"id": arn, "document": document, "tags": tags}))
    }

    // --- KMS reads ---------------------------------------------------------------------

    fn aliases(&self, region: &str) -> Result<Vec<(String, Option<String>)>, TargetError> {
        let mut out = Vec::new();
        let mut marker = None;
        loop {
            let page = self
                .run(
                    self.kms(region)
                        .list_aliases()
                        .limit(100)
                        .set_marker(marker.take())
                        .send(),
                )
                .map_err(err)?;
            out.extend(page.aliases().iter().filter_map(|a| {
                Some((
                    a.alias_name()?.to_string(),
                    a.target_key_id().map(String::from),
                ))
            }));
            if page.truncated && page.next_marker.is_some() {
                marker = page.next_marker;
            } else {
                return Ok(out);
            }
        }
    }

    fn key_metadata(
        &self,
        region: &str,
        key_id: &str,
    ) -> Result<Option<aws_sdk_kms::types::KeyMetadata>, TargetError> {
        match self.run(self.kms(region).describe_key().key_id(key_id).send()) {
            Ok(out) => Ok(out.key_metadata),
            Err(e) => {
                let e = err(e);
                if not_found(&e) { Ok(None) } else { Err(e) }
            }
        }
    }

    fn key_tags(&self, region: &str, key_id: &str) -> Result<Tags, TargetError> {
        let out = self
            .run(self.kms(region).list_resource_tags().key_id(key_id).send())
            .map_err(err)?;
        Ok(out
            .tags()
            .iter()
            .map(|t| (t.tag_key().to_string(), t.tag_value().to_string()))
            .collect())
    }

    /// A live (not pending deletion) customer key as an aspect value.
    fn usable_key(&self, region: &str, key_id: &str) -> Result<Option<Value>, TargetError> {
        let Some(meta) = self.key_metadata(region, key_id)? else {
            return Ok(None);
        };
        let state = meta
            .key_state()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default();
        if state.starts_with("PendingDeletion") || state == "PendingReplicaDeletion" {
            return Ok(None);
        }
        let tags = self.key_tags(region, key_id).unwrap_or_default();
        Ok(Some(
            json!({"id": meta.key_id(), "arn": meta.arn(), "tags": tags}),
        ))
    }

    /// Every customer key of the region carrying all of `tags` (and not pending deletion).
    fn keys_tagged(&self, region: &str, tags: &Tags) -> Result<Vec<Value>, TargetError> {
        let mut ids = Vec::new();
        let mut marker = None;
        loop {
            let page = self
                .run(
                    self.kms(region)
                        .list_keys()
                        .limit(1000)
                        .set_marker(marker.take())
                        .send(),
                )
                .map_err(err)?;
            ids.extend(
                page.keys()
                    .iter()
                    .filter_map(|k| k.key_id().map(String::from)),
            );
            if page.truncated && page.next_marker.is_some() {
                marker = page.next_marker;
            } else {
                break;
            }
        }
        let mut out = Vec::new();
        for id in ids {
            let Some(meta) = self.key_metadata(region, &id)? else {
                continue;
            };
            if meta.key_manager().map(|m| m.as_str()) != Some("CUSTOMER") {
                continue;
            }
            let state = meta
                .key_state()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default();
            let Ok(have) = self.key_tags(region, &id) else {
                continue;
            };
            if tags.iter().all(|(k, v)| have.get(k) == Some(v)) {
                out.push(json!({"id": id, "arn": meta.arn(), "tags": have, "state": state}));
            }
        }
        Ok(out)
    }

    fn created_key(&self, region: &str, alias: &str, tags: &Tags) -> Result<Value, TargetError> {
        for (name, target) in self.aliases(region)? {
            if name == alias
                && let Some(t) = target
                && let Some(v) = self.usable_key(region, &t)?
            {
                return Ok(v);
            }
        }
        Ok(self
            .keys_tagged(region, tags)?
            .into_iter()
            .find(|k| {
                !k["state"]
                    .as_str()
                    .unwrap_or_default()
                    .starts_with("Pending")
            })
            .map(|mut k| {
                if let Some(o) = k.as_object_mut() {
                    o.remove("state");
                }
                k
            })
            .unwrap_or(Value::Null))
    }

    // --- EC2 reads ---------------------------------------------------------------------

    fn security_group(
        &self,
        region: &str,
        group_id: &str,
    ) -> Result<Option<aws_sdk_ec2::types::SecurityGroup>, TargetError> {
        match self.run(
            self.ec2(region)
                .describe_security_groups()
                .group_ids(group_id)
                .send(),
        ) {
            Ok(out) => Ok(out.security_groups.and_then(|g| g.into_iter().next())),
            Err(e) => {
                let e = err(e);
                if not_found(&e) { Ok(None) } else { Err(e) }
            }
        }
    }

    fn group_by_name(&self, region: &str, vpc: &str, name: &str) -> Result<Value, TargetError> {
        let out = self
            .run(
                self.ec2(region)
                    .describe_security_groups()
                    .filters(filter("vpc-id", vpc))
                    .filters(filter("group-name", name))
                    .send(),
            )
            .map_err(err)?;
        Ok(out
            .security_groups()
            .iter()
            .find(|g| g.group_name() == Some(name) && g.vpc_id() == Some(vpc))
            .map(|g| json!({"id": g.group_id(), "tags": ec2_tags(g.tags())}))
            .unwrap_or(Value::Null))
    }

    fn sg_rule(
        &self,
        region: &str,
        group_id: &str,
        direction: Direction,
        rule: &SgRule,
    ) -> Result<Value, TargetError> {
        let Some(g) = self.security_group(region, group_id)? else {
            // No group, no rule to restore or change: the caller decides what that means.
            return Err(TargetError::new(
                "InvalidGroup.NotFound",
                format!("the security group '{group_id}' does not exist"),
            ));
        };
        let perms = match direction {
            Direction::Ingress => g.ip_permissions(),
            Direction::Egress => g.ip_permissions_egress(),
        };
        let want = rule.canonical();
        for p in perms {
            for (r, desc) in split_permission(&permission_json(p)) {
                if r.canonical() == want {
                    return Ok(match desc {
                        Some(d) => json!({ "Description": d }),
                        None => json!({}),
                    });
                }
            }
        }
        Ok(Value::Null)
    }

    fn vpc_by_tags(&self, region: &str, tags: &Tags) -> Result<Value, TargetError> {
        let mut req = self.ec2(region).describe_vpcs();
        for (k, v) in tags {
            req = req.filters(filter(&format!("tag:{k}"), v));
        }
        let out = self.run(req.send()).map_err(err)?;
        let mut found: Vec<Value> = out
            .vpcs()
            .iter()
            .filter(|v| {
                let have = ec2_tags(v.tags());
                tags.iter()
                    .all(|(k, val)| have.get(k).and_then(Value::as_str) == Some(val))
            })
            .map(|v| json!({"id": v.vpc_id(), "cidr": v.cidr_block(), "tags": ec2_tags(v.tags())}))
            .collect();
        found.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
        Ok(found.into_iter().next().unwrap_or(Value::Null))
    }

    fn subnet_by_cidr(&self, region: &str, vpc: &str, cidr: &str) -> Result<Value, TargetError> {
        let out = self
            .run(
                self.ec2(region)
                    .describe_subnets()
                    .filters(filter("vpc-id", vpc))
                    .send(),
            )
            .map_err(err)?;
        Ok(out
            .subnets()
            .iter()
            .find(|s| s.cidr_block() == Some(cidr) && s.vpc_id() == Some(vpc))
            .map(|s| json!({"id": s.subnet_id(), "tags": ec2_tags(s.tags())}))
            .unwrap_or(Value::Null))
    }

    fn ec2_resource(&self, region: &str, kind: &str, id: &str) -> Result<Value, TargetError> {
        let ec2 = self.ec2(region);
        let present = |found: bool| {
            if found {
                json!({ "id": id })
            } else {
                Value::Null
            }
        };
        let result = match kind {
            "vpc" => self
                .run(ec2.describe_vpcs().filters(filter("vpc-id", id)).send())
                .map(|o| present(o.vpcs().iter().any(|v| v.vpc_id() == Some(id))))
                .map_err(err),
            "subnet" => self
                .run(
                    ec2.describe_subnets()
                        .filters(filter("subnet-id", id))
                        .send(),
                )
                .map(|o| present(o.subnets().iter().any(|s| s.subnet_id() == Some(id))))
                .map_err(err),
            "security-group" => self
                .security_group(region, id)
                .map(|g| present(g.is_some())),
            "vpc-endpoint" => self
                .run(ec2.describe_vpc_endpoints().vpc_endpoint_ids(id).send())
                .map(|o| {
                    present(o.vpc_endpoints().iter().any(|e| {
                        e.vpc_endpoint_id() == Some(id)
                            && !endpoint_gone(e.state().map(|s| s.as_str()))
                    }))
                })
                .map_err(err),
            "flow-log" => self
                .run(
                    ec2.describe_flow_logs()
                        .filter(filter("flow-log-id", id))
                        .send(),
                )
                .map(|o| present(o.flow_logs().iter().any(|f| f.flow_log_id() == Some(id))))
                .map_err(err),
            other => Err(TargetError::new(
                "Unsupported",
                format!("EC2 resource kind {other}"),
            )),
        };
        match result {
            Err(e) if not_found(&e) => Ok(Value::Null),
            other => other,
        }
    }

    fn endpoint(&self, region: &str, vpc: &str, service: &str) -> Result<Value, TargetError> {
        let out = self
            .run(
                self.ec2(region)
                    .describe_vpc_endpoints()
                    .filters(filter("vpc-id", vpc))
                    .filters(filter("service-name", service))
                    .send(),
            )
            .map_err(err)?;
        Ok(out
            .vpc_endpoints()
            .iter()
            .find(|e| {
                e.vpc_id() == Some(vpc)
                    && e.service_name() == Some(service)
                    && !endpoint_gone(e.state().map(|s| s.as_str()))
            })
            .map(|e| json!({"id": e.vpc_endpoint_id(), "tags": ec2_tags(e.tags())}))
            .unwrap_or(Value::Null))
    }

    fn flow_log(
        &self,
        region: &str,
        resource: &str,
        destination: &str,
    ) -> Result<Value, TargetError> {
        let out = self
            .run(
                self.ec2(region)
                    .describe_flow_logs()
                    .filter(filter("resource-id", resource))
                    .send(),
            )
            .map_err(err)?;
        Ok(out
            .flow_logs()
            .iter()
            .find(|f| f.resource_id() == Some(resource) && f.log_destination() == Some(destination))
            .map(|f| json!({"id": f.flow_log_id(), "tags": ec2_tags(f.tags())}))
            .unwrap_or(Value::Null))
    }

    fn route(&self, region: &str, table: &str, destination: &str) -> Result<Value, TargetError> {
        let out = match self.run(
            self.ec2(region)
                .describe_route_tables()
                .route_table_ids(table)
                .send(),
        ) {
            Ok(o) => o,
            Err(e) => {
                let e = err(e);
                return if not_found(&e) {
                    Ok(Value::Null)
                } else {
                    Err(e)
                };
            }
        };
        let Some(t) = out.route_tables().first() else {
            return Ok(Value::Null);
        };
        Ok(t.routes()
            .iter()
            .find(|r| {
                r.destination_cidr_block() == Some(destination)
                    || r.destination_ipv6_cidr_block() == Some(destination)
            })
            .map(|r| match r.gateway_id() {
                Some(g) => json!({ "GatewayId": g }),
                None => json!({ "target": "other" }),
            })
            .unwrap_or(Value::Null))
    }

    fn acl_entry(
        &self,
        region: &str,
        acl: &str,
        number: i32,
        egress: bool,
    ) -> Result<Value, TargetError> {
        let out = self
            .run(
                self.ec2(region)
                    .describe_network_acls()
                    .network_acl_ids(acl)
                    .send(),
            )
            .map_err(err)?;
        Ok(out
            .network_acls()
            .first()
            .and_then(|a| {
                a.entries()
                    .iter()
                    .find(|e| e.rule_number() == Some(number) && e.egress() == Some(egress))
            })
            .map(acl_entry_json)
            .unwrap_or(Value::Null))
    }

    fn vpc_default(&self, region: &str, vpc: &str, what: &str) -> Result<Value, TargetError> {
        let ec2 = self.ec2(region);
        let id = match what {
            "group" => self.group_by_name(region, vpc, "default")?["id"]
                .as_str()
                .map(String::from),
            "acl" => self
                .run(
                    ec2.describe_network_acls()
                        .filters(filter("vpc-id", vpc))
                        .send(),
                )
                .map_err(err)?
                .network_acls()
                .iter()
                .find(|a| a.is_default() == Some(true) && a.vpc_id() == Some(vpc))
                .and_then(|a| a.network_acl_id().map(String::from)),
            _ => self
                .run(
                    ec2.describe_route_tables()
                        .filters(filter("vpc-id", vpc))
                        .send(),
                )
                .map_err(err)?
                .route_tables()
                .iter()
                .find(|t| {
                    t.vpc_id() == Some(vpc)
                        && t.associations().iter().any(|a| a.main() == Some(true))
                })
                .and_then(|t| t.route_table_id().map(String::from)),
        };
        Ok(id.map_or(Value::Null, |id| json!({ "id": id })))
    }

    // --- S3 reads ----------------------------------------------------------------------

    fn bucket_tags(&self, bucket: &str, region: &str) -> Result<Value, TargetError> {
        match self.run(self.s3(region).get_bucket_tagging().bucket(bucket).send()) {
            Ok(out) => Ok(Value::Object(
                out.tag_set()
                    .iter()
                    .map(|t| (t.key().to_string(), json!(t.value())))
                    .collect(),
            )),
            Err(e) => {
                let e = err(e);
                if e.code == "NoSuchTagSet" || not_found(&e) {
                    Ok(Value::Null)
                } else {
                    Err(e)
                }
            }
        }
    }

    fn bucket(&self, bucket: &str, region: &str) -> Result<Value, TargetError> {
        match self.run(self.s3(region).head_bucket().bucket(bucket).send()) {
            Ok(_) => {
                let tags = self.bucket_tags(bucket, region)?;
                Ok(json!({"id": bucket, "tags": if tags.is_null() { json!({}) } else { tags }}))
            }
            Err(e) => {
                // A HEAD answer has no body, so no error code: name a 403 for what it is.
                let forbidden = e.raw_response().map(|r| r.status().as_u16()) == Some(403);
                let e = err(e);
                if forbidden && (e.code.is_empty() || e.code == "Unknown") {
                    return Err(TargetError::new(
                        "AccessDenied",
                        format!(
                            "HeadBucket {bucket} answered 403 Forbidden: s3:ListBucket is not granted, or the bucket belongs to another account"
                        ),
                    ));
                }
                if not_found(&e) || e.code == "NotFound" {
                    Ok(Value::Null)
                } else {
                    Err(e)
                }
            }
        }
    }

    fn bucket_setting(&self, aspect: &Aspect) -> Result<Value, TargetError> {
        let absent = |e: TargetError, codes: &[&str]| {
            if codes.contains(&e.code.as_str()) || not_found(&e) {
                Ok(Value::Null)
            } else {
                Err(e)
            }
        };
        match aspect {
            Aspect::BucketPublicAccessBlock { bucket, region } => {
                match self.run(self.s3(region).get_public_access_block().bucket(bucket).send()) {
                    Ok(out) => Ok(out
                        .public_access_block_configuration()
                        .map(|c| {
                            json!({
                                "BlockPublicAcls": c.block_public_acls().unwrap_or(false),
                                "IgnorePublicAcls": c.ignore_public_acls().unwrap_or(false),
                                "BlockPublicPolicy": c.block_public_policy().unwrap_or(false),
                                "RestrictPublicBuckets": c.restrict_public_buckets().unwrap_or(false),
                            })
                        })
                        .unwrap_or(Value::Null)),
                    Err(e) => absent(err(e), &["NoSuchPublicAccessBlockConfiguration"]),
                }
            }
            Aspect::BucketEncryption { bucket, region } => {
                match self.run(self.s3(region).get_bucket_encryption().bucket(bucket).send()) {
                    Ok(out) => Ok(out
                        .server_side_encryption_configuration()
                        .map(|c| {
                            json!({"Rules": c.rules().iter().map(|r| {
                                let mut rule = json!({});
                                if let Some(d) = r.apply_server_side_encryption_by_default() {
                                    let mut dflt = json!({"SSEAlgorithm": d.sse_algorithm().as_str()});
                                    if let Some(k) = d.kms_master_key_id() {
                                        dflt["KMSMasterKeyID"] = json!(k);
                                    }
                                    rule["ApplyServerSideEncryptionByDefault"] = dflt;
                                }
                                if let Some(b) = r.bucket_key_enabled() {
                                    rule["BucketKeyEnabled"] = json!(b);
                                }
                                rule
                            }).collect::<Vec<_>>()})
                        })
                        .unwrap_or(Value::Null)),
                    Err(e) => absent(err(e), &["ServerSideEncryptionConfigurationNotFoundError"]),
                }
            }
            Aspect::BucketPolicy { bucket, region } => {
                match self.run(self.s3(region).get_bucket_policy().bucket(bucket).send()) {
                    Ok(out) => Ok(decode(out.policy())),
                    Err(e) => absent(err(e), &["NoSuchBucketPolicy"]),
                }
            }
            _ => Ok(Value::Null),
        }
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

fn endpoint_gone(state: Option<&str>) -> bool {
    state.is_some_and(|s| {
        matches!(
            s.to_ascii_lowercase().as_str(),
            "deleted" | "deleting" | "failed" | "rejected" | "expired"
        )
    })
}

fn done() -> Result<Value, TargetError> {
    Ok(Value::Null)
}

impl Target for AwsTarget {
    fn account_id(&mut self) -> Result<String, TargetError> {
        Ok(self.identity.account_id.clone())
    }

    fn read(&mut self, aspect: &Aspect) -> Result<Value, TargetError> {
        match aspect {
            Aspect::Role { role_name } => self.role_value(role_name),
            Aspect::RoleTrustPolicy { role_name } => Ok(self
                .get_role(role_name)?
                .map(|r| decode(r.assume_role_policy_document()))
                .unwrap_or(Value::Null)),
            Aspect::RoleInlinePolicy {
                role_name,
                policy_name,
            } => self.inline_policy(role_name, policy_name),
            Aspect::RoleManagedPolicy {
                role_name,
                policy_arn,
            } => Ok(json!(
                self.attached_policies(role_name)?.contains(policy_arn)
            )),
            Aspect::RolePermissionsBoundary { role_name } => Ok(self
                .get_role(role_name)?
                .and_then(|r| {
                    r.permissions_boundary()
                        .and_then(|b| b.permissions_boundary_arn())
                        .map(|a| json!(a))
                })
                .unwrap_or(Value::Null)),
            Aspect::ManagedPolicy { policy_arn } => self.managed_policy(policy_arn),
            Aspect::KeyRotation { region, key_id } => {
                match self.run(
                    self.kms(region)
                        .get_key_rotation_status()
                        .key_id(key_id)
                        .send(),
                ) {
                    Ok(out) => Ok(json!(out.key_rotation_enabled)),
                    Err(e) => {
                        let e = err(e);
                        if not_found(&e) {
                            Ok(Value::Null)
                        } else {
                            Err(e)
                        }
                    }
                }
            }
            Aspect::KeyPolicy { region, key_id } => {
                match self.run(
                    self.kms(region)
                        .get_key_policy()
                        .key_id(key_id)
                        .policy_name("default")
                        .send(),
                ) {
                    Ok(out) => Ok(decode(out.policy())),
                    Err(e) => {
                        let e = err(e);
                        if not_found(&e) {
                            Ok(Value::Null)
                        } else {
                            Err(e)
                        }
                    }
                }
            }
            Aspect::KeyState { region, key_id } => Ok(self
                .key_metadata(region, key_id)?
                .map(|m| {
                    let mut v = json!({"KeyState": m.key_state().map(|s| s.as_str())});
                    if let Some(d) = m.deletion_date() {
                        v["DeletionDate"] = json!(
                            d.fmt(aws_smithy_types::date_time::Format::DateTime)
                                .unwrap_or_default()
                        );
                    }
                    v
                })
                .unwrap_or(Value::Null)),
            Aspect::Key {
                region,
                alias,
                tags,
            } => self.created_key(region, alias, tags),
            Aspect::Alias { region, alias_name } => Ok(self
                .aliases(region)?
                .into_iter()
                .find(|(n, _)| n == alias_name)
                .map(|(_, t)| json!({ "id": t }))
                .unwrap_or(Value::Null)),
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
                let out = self
                    .run(
                        self.ec2(region)
                            .describe_subnets()
                            .subnet_ids(subnet_id)
                            .send(),
                    )
                    .map_err(err)?;
                Ok(out
                    .subnets()
                    .first()
                    .map(|s| json!(s.map_public_ip_on_launch().unwrap_or(false)))
                    .unwrap_or(Value::Null))
            }
            Aspect::VpcDnsHostnames { region, vpc_id } => {
                let out = self
                    .run(
                        self.ec2(region)
                            .describe_vpc_attribute()
                            .vpc_id(vpc_id)
                            .attribute(VpcAttributeName::EnableDnsHostnames)
                            .send(),
                    )
                    .map_err(err)?;
                Ok(json!(
                    out.enable_dns_hostnames()
                        .and_then(|v| v.value())
                        .unwrap_or(false)
                ))
            }
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
        let iam = || self.iam();
        match op {
            Op::UpdateAssumeRolePolicy {
                role_name,
                document,
            } => self
                .run(
                    iam()
                        .update_assume_role_policy()
                        .role_name(role_name)
                        .policy_document(doc_text(document))
                        .send(),
                )
                .map_err(err)
                .and(done()),
            Op::PutRolePolicy {
                role_name,
                policy_name,
                document,
            } => self
                .run(
                    iam()
                        .put_role_policy()
                        .role_name(role_name)
                        .policy_name(policy_name)
                        .policy_document(doc_text(document))
                        .send(),
                )
                .map_err(err)
                .and(done()),
            Op::DeleteRolePolicy {
                role_name,
                policy_name,
            } => self
                .run(
                    iam()
                        .delete_role_policy()
                        .role_name(role_name)
                        .policy_name(policy_name)
                        .send(),
                )
                .map_err(err)
                .and(done()),
            Op::AttachRolePolicy {
                role_name,
                policy_arn,
            } => self
                .run(
                    iam()
                        .attach_role_policy()
                        .role_name(role_name)
                        .policy_arn(policy_arn)
                        .send(),
                )
                .map_err(err)
                .and(done()),
            Op::DetachRolePolicy {
                role_name,
                policy_arn,
            } => self
                .run(
                    iam()
                        .detach_role_policy()
                        .role_name(role_name)
                        .policy_arn(policy_arn)
                        .send(),
                )
                .map_err(err)
                .and(done()),
            Op::PutRolePermissionsBoundary {
                role_name,
                policy_arn,
            } => self
                .run(
                    iam()
                        .put_role_permissions_boundary()
                        .role_name(role_name)
                        .permissions_boundary(policy_arn)
                        .send(),
                )
                .map_err(err)
                .and(done()),
            Op::DeleteRolePermissionsBoundary { role_name } => self
                .run(
                    iam()
                        .delete_role_permissions_boundary()
                        .role_name(role_name)
                        .send(),
                )
                .map_err(err)
                .and(done()),
            Op::CreatePolicy {
                policy_name,
                path,
                description,
                document,
                tags,
            } => {
                let mut req = iam()
                    .create_policy()
                    .policy_name(policy_name)
                    .path(path)
                    .description(description)
                    .policy_document(doc_text(document));
                for (k, v) in tags {
                    if let Ok(t) = aws_sdk_iam::types::Tag::builder().key(k).value(v).build() {
                        req = req.tags(t);
                    }
                }
                let out = self.run(req.send()).map_err(err)?;
                Ok(json!({"id": out.policy().and_then(|p| p.arn())}))
            }
            Op::DeletePolicy { policy_arn } => self
                .run(iam().delete_policy().policy_arn(policy_arn).send())
                .map_err(err)
                .and(done()),
            Op::CreateRole {
                role_name,
                description,
                document,
                permissions_boundary,
                tags,
            } => {
                let mut req = iam()
                    .create_role()
                    .role_name(role_name)
                    .description(description)
                    .assume_role_policy_document(doc_text(document))
                    .set_permissions_boundary(permissions_boundary.clone());
                for (k, v) in tags {
                    if let Ok(t) = aws_sdk_iam::types::Tag::builder().key(k).value(v).build() {
                        req = req.tags(t);
                    }
                }
                let out = self.run(req.send()).map_err(err)?;
                Ok(json!({"id": out.role().map(|r| r.arn())}))
            }
            Op::DeleteRole { role_name } => self
                .run(iam().delete_role().role_name(role_name).send())
                .map_err(err)
                .and(done()),
            Op::EnableKeyRotation { region, key_id } => self
                .run(self.kms(region).enable_key_rotation().key_id(key_id).send())
                .map_err(err)
                .and(done()),
            Op::DisableKeyRotation { region, key_id } => self
                .run(
                    self.kms(region)
                        .disable_key_rotation()
                        .key_id(key_id)
                        .send(),
                )
                .map_err(err)
                .and(done()),
            Op::PutKeyPolicy {
                region,
                key_id,
                document,
            } => self
                .run(
                    self.kms(region)
                        .put_key_policy()
                        .key_id(key_id)
                        .policy_name("default")
                        .policy(doc_text(document))
                        .send(),
                )
                .map_err(err)
                .and(done()),
            Op::CancelKeyDeletion { region, key_id } => self
                .run(self.kms(region).cancel_key_deletion().key_id(key_id).send())
                .map_err(err)
                .and(done()),
            Op::ScheduleKeyDeletion {
                region,
                key_id,
                pending_window_in_days,
            } => self
                .run(
                    self.kms(region)
                        .schedule_key_deletion()
                        .key_id(key_id)
                        .pending_window_in_days(*pending_window_in_days)
                        .send(),
                )
                .map_err(err)
                .and(done()),
            Op::EnableKey { region, key_id } => self
                .run(self.kms(region).enable_key().key_id(key_id).send())
                .map_err(err)
                .and(done()),
            Op::DisableKey { region, key_id } => self
                .run(self.kms(region).disable_key().key_id(key_id).send())
                .map_err(err)
                .and(done()),
            Op::CreateKey {
                region,
                description,
                document,
                tags,
            } => {
                let mut req = self
                    .kms(region)
                    .create_key()
                    .description(description)
                    .policy(doc_text(document));
                for (k, v) in tags {
                    if let Ok(t) = aws_sdk_kms::types::Tag::builder()
                        .tag_key(k)
                        .tag_value(v)
                        .build()
                    {
                        req = req.tags(t);
                    }
                }
                let out = self.run(req.send()).map_err(err)?;
                let meta = out.key_metadata();
                Ok(json!({"id": meta.map(|m| m.key_id()), "arn": meta.and_then(|m| m.arn())}))
            }
            Op::CreateAlias {
                region,
                alias_name,
                target_key_id,
            } => self
                .run(
                    self.kms(region)
                        .create_alias()
                        .alias_name(alias_name)
                        .target_key_id(target_key_id)
                        .send(),
                )
                .map_err(err)
                .and(done()),
            Op::DeleteAlias { region, alias_name } => self
                .run(
                    self.kms(region)
                        .delete_alias()
                        .alias_name(alias_name)
                        .send(),
                )
                .map_err(err)
                .and(done()),
            Op::AuthorizeSecurityGroupIngress {
                region,
                group_id,
                rule,
                description,
            } => self
                .run(
                    self.ec2(region)
                        .authorize_security_group_ingress()
                        .group_id(group_id)
                        .ip_permissions(permission(rule, description.as_deref()))
                        .send(),
                )
                .map_err(err)
                .and(done()),
            Op::RevokeSecurityGroupIngress {
                region,
                group_id,
                rule,
                description,
            } => self
                .run(
                    self.ec2(region)
                        .revoke_security_group_ingress()
                        .group_id(group_id)
                        .ip_permissions(permission(rule, description.as_deref()))
                        .send(),
                )
                .map_err(err)
                .and(done()),
            Op::AuthorizeSecurityGroupEgress {
                region,
                group_id,
                rule,
                description,
            } => self
                .run(
                    self.ec2(region)
                        .authorize_security_group_egress()
                        .group_id(group_id)
                        .ip_permissions(permission(rule, description.as_deref()))
                        .send(),
                )
                .map_err(err)
                .and(done()),
            Op::RevokeSecurityGroupEgress {
                region,
                group_id,
                rule,
                description,
            } => self
                .run(
                    self.ec2(region)
                        .revoke_security_group_egress()
                        .group_id(group_id)
                        .ip_permissions(permission(rule, description.as_deref()))
                        .send(),
                )
                .map_err(err)
                .and(done()),
            Op::ModifySubnetAttribute {
                region,
                subnet_id,
                map_public_ip_on_launch,
            } => self
                .run(
                    self.ec2(region)
                        .modify_subnet_attribute()
                        .subnet_id(subnet_id)
                        .map_public_ip_on_launch(
                            AttributeBooleanValue::builder()
                                .value(*map_public_ip_on_launch)
                                .build(),
                        )
                        .send(),
                )
                .map_err(err)
                .and(done()),
            Op::ModifyVpcAttribute {
                region,
                vpc_id,
                enable_dns_hostnames,
            } => self
                .run(
                    self.ec2(region)
                        .modify_vpc_attribute()
                        .vpc_id(vpc_id)
                        .enable_dns_hostnames(
                            AttributeBooleanValue::builder()
                                .value(*enable_dns_hostnames)
                                .build(),
                        )
                        .send(),
                )
                .map_err(err)
                .and(done()),
            Op::CreateFlowLogs {
                region,
                resource_id,
                log_destination,
                tags,
            } => {
                let out = self
                    .run(
                        self.ec2(region)
                            .create_flow_logs()
                            .resource_ids(resource_id)
                            .resource_type(FlowLogsResourceType::Vpc)
                            .traffic_type(TrafficType::All)
                            .log_destination_type(LogDestinationType::S3)
                            .log_destination(log_destination)
                            .tag_specifications(tag_spec(ResourceType::VpcFlowLog, tags))
                            .send(),
                    )
                    .map_err(err)?;
                if let Some(failure) = out.unsuccessful().first() {
                    let e = failure.error();
                    return Err(TargetError::new(
                        e.and_then(|e| e.code()).unwrap_or("Unsuccessful"),
                        e.and_then(|e| e.message())
                            .unwrap_or("the flow log was not created"),
                    ));
                }
                Ok(json!({"id": out.flow_log_ids().first()}))
            }
            Op::DeleteFlowLogs {
                region,
                flow_log_id,
            } => self
                .run(
                    self.ec2(region)
                        .delete_flow_logs()
                        .flow_log_ids(flow_log_id)
                        .send(),
                )
                .map_err(err)
                .and(done()),
            Op::CreateRoute {
                region,
                route_table_id,
                destination,
                gateway_id,
            } => {
                let mut req = self
                    .ec2(region)
                    .create_route()
                    .route_table_id(route_table_id)
                    .gateway_id(gateway_id);
                req = if destination.contains(':') {
                    req.destination_ipv6_cidr_block(destination)
                } else {
                    req.destination_cidr_block(destination)
                };
                self.run(req.send()).map_err(err).and(done())
            }
            Op::DeleteRoute {
                region,
                route_table_id,
                destination,
            } => {
                let mut req = self
                    .ec2(region)
                    .delete_route()
                    .route_table_id(route_table_id);
                req = if destination.contains(':') {
                    req.destination_ipv6_cidr_block(destination)
                } else {
                    req.destination_cidr_block(destination)
                };
                self.run(req.send()).map_err(err).and(done())
            }
            Op::CreateNetworkAclEntry {
                region,
                network_acl_id,
                entry,
            } => {
                let e = entry;
                let req = self
                    .ec2(region)
                    .create_network_acl_entry()
                    .network_acl_id(network_acl_id)
                    .rule_number(e.rule_number)
                    .egress(e.egress)
                    .protocol(&e.protocol)
                    .rule_action(RuleAction::from(e.rule_action.as_str()))
                    .set_cidr_block(e.cidr_block.clone())
                    .set_ipv6_cidr_block(e.ipv6_cidr_block.clone())
                    .set_port_range(acl_ports(e))
                    .set_icmp_type_code(acl_icmp(e));
                self.run(req.send()).map_err(err).and(done())
            }
            Op::ReplaceNetworkAclEntry {
                region,
                network_acl_id,
                entry,
            } => {
                let e = entry;
                let req = self
                    .ec2(region)
                    .replace_network_acl_entry()
                    .network_acl_id(network_acl_id)
                    .rule_number(e.rule_number)
                    .egress(e.egress)
                    .protocol(&e.protocol)
                    .rule_action(RuleAction::from(e.rule_action.as_str()))
                    .set_cidr_block(e.cidr_block.clone())
                    .set_ipv6_cidr_block(e.ipv6_cidr_block.clone())
                    .set_port_range(acl_ports(e))
                    .set_icmp_type_code(acl_icmp(e));
                self.run(req.send()).map_err(err).and(done())
            }
            Op::DeleteNetworkAclEntry {
                region,
                network_acl_id,
                rule_number,
                egress,
            } => self
                .run(
                    self.ec2(region)
                        .delete_network_acl_entry()
                        .network_acl_id(network_acl_id)
                        .rule_number(*rule_number)
                        .egress(*egress)
                        .send(),
                )
                .map_err(err)
                .and(done()),
            Op::CreateVpcEndpoint {
                region,
                vpc_id,
                service_name,
                endpoint_type,
                route_table_ids,
                subnet_ids,
                security_group_ids,
                private_dns_enabled,
                tags,
            } => {
                let mut req = self
                    .ec2(region)
                    .create_vpc_endpoint()
                    .vpc_id(vpc_id)
                    .service_name(service_name)
                    .vpc_endpoint_type(VpcEndpointType::from(endpoint_type.as_str()))
                    .tag_specifications(tag_spec(ResourceType::VpcEndpoint, tags));
                if endpoint_type == "Interface" {
                    req = req.private_dns_enabled(*private_dns_enabled);
                }
                for id in route_table_ids {
                    req = req.route_table_ids(id);
                }
                for id in subnet_ids {
                    req = req.subnet_ids(id);
                }
                for id in security_group_ids {
                    req = req.security_group_ids(id);
                }
                let out = self.run(req.send()).map_err(err)?;
                Ok(json!({"id": out.vpc_endpoint().and_then(|e| e.vpc_endpoint_id())}))
            }
            Op::DeleteVpcEndpoints {
                region,
                vpc_endpoint_id,
            } => {
                let out = self
                    .run(
                        self.ec2(region)
                            .delete_vpc_endpoints()
                            .vpc_endpoint_ids(vpc_endpoint_id)
                            .send(),
                    )
                    .map_err(err)?;
                match out.unsuccessful().first().and_then(|u| u.error()) {
                    Some(e) => Err(TargetError::new(
                        e.code().unwrap_or("Unsuccessful"),
                        e.message().unwrap_or("the endpoint was not deleted"),
                    )),
                    None => done(),
                }
            }
            Op::CreateSecurityGroup {
                region,
                vpc_id,
                group_name,
                description,
                tags,
            } => {
                let out = self
                    .run(
                        self.ec2(region)
                            .create_security_group()
                            .vpc_id(vpc_id)
                            .group_name(group_name)
                            .description(description)
                            .tag_specifications(tag_spec(ResourceType::SecurityGroup, tags))
                            .send(),
                    )
                    .map_err(err)?;
                Ok(json!({"id": out.group_id()}))
            }
            Op::DeleteSecurityGroup { region, group_id } => {
                let ec2 = self.ec2(region);
                self.delete_with_wait(|| {
                    self.run(ec2.delete_security_group().group_id(group_id).send())
                        .map_err(err)
                        .and(done())
                })
            }
            Op::CreateVpc {
                region,
                cidr_block,
                tags,
            } => {
                let out = self
                    .run(
                        self.ec2(region)
                            .create_vpc()
                            .cidr_block(cidr_block)
                            .tag_specifications(tag_spec(ResourceType::Vpc, tags))
                            .send(),
                    )
                    .map_err(err)?;
                Ok(json!({"id": out.vpc().and_then(|v| v.vpc_id())}))
            }
            Op::DeleteVpc { region, vpc_id } => {
                let ec2 = self.ec2(region);
                self.delete_with_wait(|| {
                    self.run(ec2.delete_vpc().vpc_id(vpc_id).send())
                        .map_err(err)
                        .and(done())
                })
            }
            Op::CreateSubnet {
                region,
                vpc_id,
                cidr_block,
                availability_zone,
                tags,
            } => {
                let out = self
                    .run(
                        self.ec2(region)
                            .create_subnet()
                            .vpc_id(vpc_id)
                            .cidr_block(cidr_block)
                            .availability_zone(availability_zone)
                            .tag_specifications(tag_spec(ResourceType::Subnet, tags))
                            .send(),
                    )
                    .map_err(err)?;
                Ok(json!({"id": out.subnet().and_then(|s| s.subnet_id())}))
            }
            Op::DeleteSubnet { region, subnet_id } => {
                let ec2 = self.ec2(region);
                self.delete_with_wait(|| {
                    self.run(ec2.delete_subnet().subnet_id(subnet_id).send())
                        .map_err(err)
                        .and(done())
                })
            }
            Op::CreateBucket { bucket, region } => {
                let mut req = self.s3(region).create_bucket().bucket(bucket);
                if region != "us-east-1" {
                    req = req.create_bucket_configuration(
                        aws_sdk_s3::types::CreateBucketConfiguration::builder()
                            .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(
                                region.as_str(),
                            ))
                            .build(),
                    );
                }
                self.run(req.send()).map_err(err)?;
                Ok(json!({ "id": bucket }))
            }
            Op::DeleteBucket { bucket, region } => self
                .run(self.s3(region).delete_bucket().bucket(bucket).send())
                .map_err(err)
                .and(done()),
            Op::PutBucketTagging {
                bucket,
                region,
                tags,
            } => {
                let set: Vec<aws_sdk_s3::types::Tag> = tags
                    .iter()
                    .filter_map(|(k, v)| {
                        aws_sdk_s3::types::Tag::builder()
                            .key(k)
                            .value(v)
                            .build()
                            .ok()
                    })
                    .collect();
                let tagging = aws_sdk_s3::types::Tagging::builder()
                    .set_tag_set(Some(set))
                    .build()
                    .map_err(|e| TargetError::new("InvalidTagging", e.to_string()))?;
                self.run(
                    self.s3(region)
                        .put_bucket_tagging()
                        .bucket(bucket)
                        .tagging(tagging)
                        .send(),
                )
                .map_err(err)
                .and(done())
            }
            Op::DeleteBucketTagging { bucket, region } => self
                .run(
                    self.s3(region)
                        .delete_bucket_tagging()
                        .bucket(bucket)
                        .send(),
                )
                .map_err(err)
                .and(done()),
            Op::PutPublicAccessBlock {
                bucket,
                region,
                block_public_acls,
                ignore_public_acls,
                block_public_policy,
                restrict_public_buckets,
            } => self
                .run(
                    self.s3(region)
                        .put_public_access_block()
                        .bucket(bucket)
                        .public_access_block_configuration(
                            aws_sdk_s3::types::PublicAccessBlockConfiguration::builder()
                                .block_public_acls(*block_public_acls)
                                .ignore_public_acls(*ignore_public_acls)
                                .block_public_policy(*block_public_policy)
                                .restrict_public_buckets(*restrict_public_buckets)
                                .build(),
                        )
                        .send(),
                )
                .map_err(err)
                .and(done()),
            Op::DeletePublicAccessBlock { bucket, region } => self
                .run(
                    self.s3(region)
                        .delete_public_access_block()
                        .bucket(bucket)
                        .send(),
                )
                .map_err(err)
                .and(done()),
            Op::PutBucketEncryption {
                bucket,
                region,
                configuration,
            } => {
                use aws_sdk_s3::types::{
                    ServerSideEncryption, ServerSideEncryptionByDefault,
                    ServerSideEncryptionConfiguration, ServerSideEncryptionRule,
                };
                let mut rules = Vec::new();
                for r in configuration
                    .get("Rules")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let mut rule = ServerSideEncryptionRule::builder();
                    if let Some(d) = r.get("ApplyServerSideEncryptionByDefault") {
                        let alg = d
                            .get("SSEAlgorithm")
                            .and_then(Value::as_str)
                            .unwrap_or("AES256");
                        let dflt = ServerSideEncryptionByDefault::builder()
                            .sse_algorithm(ServerSideEncryption::from(alg))
                            .set_kms_master_key_id(
                                d.get("KMSMasterKeyID")
                                    .and_then(Value::as_str)
                                    .map(String::from),
                            )
                            .build()
                            .map_err(|e| TargetError::new("InvalidEncryption", e.to_string()))?;
                        rule = rule.apply_server_side_encryption_by_default(dflt);
                    }
                    if let Some(b) = r.get("BucketKeyEnabled").and_then(Value::as_bool) {
                        rule = rule.bucket_key_enabled(b);
                    }
                    rules.push(rule.build());
                }
                let config = ServerSideEncryptionConfiguration::builder()
                    .set_rules(Some(rules))
                    .build()
                    .map_err(|e| TargetError::new("InvalidEncryption", e.to_string()))?;
                self.run(
                    self.s3(region)
                        .put_bucket_encryption()
                        .bucket(bucket)
                        .server_side_encryption_configuration(config)
                        .send(),
                )
                .map_err(err)
                .and(done())
            }
            Op::DeleteBucketEncryption { bucket, region } => self
                .run(
                    self.s3(region)
                        .delete_bucket_encryption()
                        .bucket(bucket)
                        .send(),
                )
                .map_err(err)
                .and(done()),
            Op::PutBucketPolicy {
                bucket,
                region,
                document,
            } => self
                .run(
                    self.s3(region)
                        .put_bucket_policy()
                        .bucket(bucket)
                        .policy(doc_text(document))
                        .send(),
                )
                .map_err(err)
                .and(done()),
            Op::DeleteBucketPolicy { bucket, region } => self
                .run(self.s3(region).delete_bucket_policy().bucket(bucket).send())
                .map_err(err)
                .and(done()),
        }
    }

    fn availability_zones(&mut self, region: &str) -> Result<Vec<String>, TargetError> {
        let out = self
            .run(self.ec2(region).describe_availability_zones().send())
            .map_err(err)?;
        let mut zones: Vec<String> = out
            .availability_zones()
            .iter()
            .filter(|z| z.state().is_none_or(|s| s.as_str() == "available"))
            .filter_map(|z| z.zone_name().map(String::from))
            .collect();
        zones.sort();
        Ok(zones)
    }

    fn caller_arn(&self) -> String {
        self.identity.arn.clone()
    }

    fn inventory(&mut self, stack: &str, region: &str) -> Result<Inventory, TargetError> {
        let ec2 = self.ec2(region);
        let tagged = |t: &[Ec2Tag]| {
            let tags = ec2_tags(t);
            tags.get(MANAGED_TAG).and_then(Value::as_str) == Some("true")
                && tags.get(STACK_TAG).and_then(Value::as_str) == Some(stack)
        };
        let by_tag = || filter(&format!("tag:{STACK_TAG}"), stack);
        let mut inv = Inventory::default();
        let vpcs = self
            .run(ec2.describe_vpcs().filters(by_tag()).send())
            .map_err(err)?;
        inv.vpcs = vpcs
            .vpcs()
            .iter()
            .filter(|v| tagged(v.tags()))
            .filter_map(|v| v.vpc_id().map(String::from))
            .collect();
        inv.vpcs.sort();
        let subnets = self
            .run(ec2.describe_subnets().filters(by_tag()).send())
            .map_err(err)?;
        inv.subnets = subnets
            .subnets()
            .iter()
            .filter(|s| tagged(s.tags()))
            .filter_map(|s| Some((s.subnet_id()?.to_string(), s.vpc_id()?.to_string())))
            .collect();
        inv.subnets.sort();
        let groups = self
            .run(ec2.describe_security_groups().filters(by_tag()).send())
            .map_err(err)?;
        inv.security_groups = groups
            .security_groups()
            .iter()
            .filter(|g| tagged(g.tags()))
            .filter_map(|g| {
                let mut references: Vec<String> = g
                    .ip_permissions()
                    .iter()
                    .chain(g.ip_permissions_egress())
                    .flat_map(|p| p.user_id_group_pairs())
                    .filter_map(|p| p.group_id().map(String::from))
                    .filter(|id| Some(id.as_str()) != g.group_id())
                    .collect();
                references.sort();
                references.dedup();
                Some(InventoryGroup {
                    id: g.group_id()?.to_string(),
                    vpc_id: g.vpc_id().unwrap_or_default().to_string(),
                    name: g.group_name().unwrap_or_default().to_string(),
                    references,
                })
            })
            .collect();
        let endpoints = self
            .run(ec2.describe_vpc_endpoints().filters(by_tag()).send())
            .map_err(err)?;
        inv.vpc_endpoints = endpoints
            .vpc_endpoints()
            .iter()
            .filter(|e| tagged(e.tags()) && !endpoint_gone(e.state().map(|s| s.as_str())))
            .filter_map(|e| {
                Some((
                    e.vpc_endpoint_id()?.to_string(),
                    e.vpc_id()?.to_string(),
                    e.service_name()?.to_string(),
                ))
            })
            .collect();
        inv.vpc_endpoints.sort();
        inv.endpoint_shapes = endpoints
            .vpc_endpoints()
            .iter()
            .filter(|e| tagged(e.tags()) && !endpoint_gone(e.state().map(|s| s.as_str())))
            .filter_map(|e| {
                Some((
                    e.vpc_endpoint_id()?.to_string(),
                    crate::remediate::cost::EndpointShape {
                        kind: e
                            .vpc_endpoint_type()
                            .map(|t| t.as_str().to_string())
                            .unwrap_or_default(),
                        zones: e.subnet_ids().len(),
                    },
                ))
            })
            .collect();
        let flow_logs = self
            .run(ec2.describe_flow_logs().filter(by_tag()).send())
            .map_err(err)?;
        inv.flow_logs = flow_logs
            .flow_logs()
            .iter()
            .filter(|f| tagged(f.tags()))
            .filter_map(|f| Some((f.flow_log_id()?.to_string(), f.resource_id()?.to_string())))
            .collect();
        inv.flow_logs.sort();

        let n = names(
            stack,
            &self.identity.partition,
            &self.identity.account_id,
            region,
        );
        let bucket = self.bucket(&n.bucket, region)?;
        if bucket
            .pointer("/tags/mlguard:managed")
            .and_then(Value::as_str)
            == Some("true")
            && bucket
                .pointer("/tags/mlguard:stack")
                .and_then(Value::as_str)
                == Some(stack)
        {
            inv.buckets.push((n.bucket.clone(), region.to_string()));
        }

        let stack_tags: Tags = [
            (MANAGED_TAG.to_string(), "true".to_string()),
            (STACK_TAG.to_string(), stack.to_string()),
        ]
        .into_iter()
        .collect();
        let keys = self.keys_tagged(region, &stack_tags)?;
        let key_ids: Vec<String> = keys
            .iter()
            .filter_map(|k| k["id"].as_str().map(String::from))
            .collect();
        inv.keys = keys
            .iter()
            .filter_map(|k| {
                Some((
                    k["id"].as_str()?.to_string(),
                    k["state"].as_str().unwrap_or_default().to_string(),
                ))
            })
            .collect();
        inv.keys.sort();
        inv.aliases = self
            .aliases(region)?
            .into_iter()
            .filter(|(_, t)| t.as_ref().is_some_and(|t| key_ids.contains(t)))
            .map(|(a, _)| a)
            .collect();
        inv.aliases.sort();

        if let Some(role) = self.get_role(&n.role)? {
            let tags: BTreeMap<&str, &str> =
                role.tags().iter().map(|t| (t.key(), t.value())).collect();
            if tags.get(MANAGED_TAG) == Some(&"true") && tags.get(STACK_TAG) == Some(&stack) {
                inv.roles.push(InventoryRole {
                    name: n.role.clone(),
                    arn: role.arn().to_string(),
                    inline_policies: self.inline_policy_names(&n.role)?,
                    attached_policies: self.attached_policies(&n.role)?,
                    boundary: role
                        .permissions_boundary()
                        .and_then(|b| b.permissions_boundary_arn())
                        .map(String::from),
                });
            }
        }
        let policy = self.managed_policy(&n.boundary_arn)?;
        if policy
            .pointer("/tags/mlguard:managed")
            .and_then(Value::as_str)
            == Some("true")
            && policy
                .pointer("/tags/mlguard:stack")
                .and_then(Value::as_str)
                == Some(stack)
        {
            inv.policies.push(n.boundary_arn.clone());
        }
        Ok(inv)
    }
}

fn acl_ports(e: &AclEntry) -> Option<PortRange> {
    match (e.port_from, e.port_to) {
        (Some(a), Some(b)) if e.protocol != "-1" => {
            Some(PortRange::builder().from(a).to(b).build())
        }
        _ => None,
    }
}

fn acl_icmp(e: &AclEntry) -> Option<IcmpTypeCode> {
    (e.protocol == "1").then(|| IcmpTypeCode::builder().r#type(-1).code(-1).build())
}
