//! What a remediation is made of: the readable *aspects* of live state an action changes, and
//! the closed set of operations ([`Op`]) that change them, one mutating AWS API call each.
//!
//! An aspect names one piece of state (the rotation flag of a key, the presence of one
//! security group permission, a role's trust policy) and reads as one JSON value; `null` means
//! "absent". Every action records the aspect's value before and after, so the drift check,
//! the idempotency check and rollback all compare like with like. Rollback is state-based:
//! [`restore_op`] gives the one call that takes an aspect from its current value back to a
//! recorded one.
//!
//! Ids that do not exist yet when a plan is made (the VPC a harden plan creates, the key a
//! bucket is encrypted with) are written as placeholders, `${name}` or `${name.field}`, in
//! any string of an action; the action's `refs` name the aspect each placeholder reads, and
//! the apply step resolves them just before the call.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The calls (declared, with everything else about them, in `operations.rs`).
pub use super::operations::Op;

/// Tags as key → value.
pub type Tags = BTreeMap<String, String>;

/// Every resource mlguard creates carries this tag (`true`); teardown deletes nothing without it.
pub const MANAGED_TAG: &str = "mlguard:managed";
/// The stack a `harden` resource belongs to.
pub const STACK_TAG: &str = "mlguard:stack";
/// Which part of a stack (or of a remediation) a resource is.
pub const COMPONENT_TAG: &str = "mlguard:component";

/// Ingress or egress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Ingress,
    Egress,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        }
    }
}

/// One security group permission with exactly one peer: what one Authorize/Revoke changes.
/// The description is not part of its identity.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SgRule {
    /// `-1` (all), `tcp`, `udp`, `icmp`, `icmpv6` or a protocol number.
    pub protocol: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_port: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_port: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cidr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv6_cidr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix_list_id: Option<String>,
}

/// Protocol names as security groups print them.
pub fn canonical_protocol(p: &str) -> String {
    match p.to_ascii_lowercase().as_str() {
        "-1" | "all" => "-1".into(),
        "6" | "tcp" => "tcp".into(),
        "17" | "udp" => "udp".into(),
        "1" | "icmp" => "icmp".into(),
        "58" | "icmpv6" => "icmpv6".into(),
        other => other.to_string(),
    }
}

impl SgRule {
    pub fn tcp(port: i32) -> SgRule {
        SgRule {
            protocol: "tcp".into(),
            from_port: Some(port),
            to_port: Some(port),
            ..SgRule::default()
        }
    }

    pub fn all() -> SgRule {
        SgRule {
            protocol: "-1".into(),
            ..SgRule::default()
        }
    }

    pub fn with_cidr(mut self, cidr: &str) -> SgRule {
        if cidr.contains(':') {
            self.ipv6_cidr = Some(cidr.to_string());
        } else {
            self.cidr = Some(cidr.to_string());
        }
        self
    }

    pub fn with_group(mut self, group_id: &str) -> SgRule {
        self.group_id = Some(group_id.to_string());
        self
    }

    /// The same rule in canonical form (protocol names; no ports for all traffic).
    pub fn canonical(&self) -> SgRule {
        let protocol = canonical_protocol(&self.protocol);
        let all = protocol == "-1";
        SgRule {
            from_port: if all { None } else { self.from_port },
            to_port: if all { None } else { self.to_port },
            protocol,
            ..self.clone()
        }
    }

    /// The peer as written: a CIDR, a group id or a prefix list id.
    pub fn peer(&self) -> String {
        self.cidr
            .clone()
            .or_else(|| self.ipv6_cidr.clone())
            .or_else(|| self.group_id.clone())
            .or_else(|| self.prefix_list_id.clone())
            .unwrap_or_else(|| "nothing".into())
    }

    /// `all traffic`, `tcp/443`, `tcp/1024-65535`.
    pub fn traffic(&self) -> String {
        let r = self.canonical();
        match (r.protocol.as_str(), r.from_port, r.to_port) {
            ("-1", _, _) => "all traffic".into(),
            (p, Some(a), Some(b)) if a == b => format!("{p}/{a}"),
            (p, Some(a), Some(b)) if a == -1 && b == -1 => format!("{p} (all)"),
            (p, Some(a), Some(b)) => format!("{p}/{a}-{b}"),
            (p, _, _) => p.to_string(),
        }
    }

    /// `ingress tcp/22 from 0.0.0.0/0`.
    pub fn describe(&self, direction: Direction) -> String {
        let word = match direction {
            Direction::Ingress => "from",
            Direction::Egress => "to",
        };
        format!(
            "{} {} {word} {}",
            direction.as_str(),
            self.traffic(),
            self.peer()
        )
    }
}

/// One network ACL entry, as `DescribeNetworkAcls` prints it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AclEntry {
    pub rule_number: i32,
    pub egress: bool,
    /// `-1`, or a protocol number (`6` tcp, `17` udp).
    pub protocol: String,
    /// `allow` or `deny`.
    pub rule_action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cidr_block: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv6_cidr_block: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port_from: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port_to: Option<i32>,
}

fn acl_protocol(p: &str) -> String {
    match p.to_ascii_lowercase().as_str() {
        "all" | "-1" => "-1".into(),
        "tcp" | "6" => "6".into(),
        "udp" | "17" => "17".into(),
        "icmp" | "1" => "1".into(),
        other => other.to_string(),
    }
}

impl AclEntry {
    /// From the snapshot's (AWS-shaped) entry object.
    pub fn from_aws(v: &Value) -> Option<AclEntry> {
        Some(AclEntry {
            rule_number: i32::try_from(v.get("RuleNumber")?.as_i64()?).ok()?,
            egress: v.get("Egress")?.as_bool()?,
            protocol: acl_protocol(v.get("Protocol")?.as_str()?),
            rule_action: v.get("RuleAction")?.as_str()?.to_ascii_lowercase(),
            cidr_block: v.get("CidrBlock").and_then(Value::as_str).map(String::from),
            ipv6_cidr_block: v
                .get("Ipv6CidrBlock")
                .and_then(Value::as_str)
                .map(String::from),
            port_from: v
                .pointer("/PortRange/From")
                .and_then(Value::as_i64)
                .and_then(|n| i32::try_from(n).ok()),
            port_to: v
                .pointer("/PortRange/To")
                .and_then(Value::as_i64)
                .and_then(|n| i32::try_from(n).ok()),
        })
    }

    /// The entry as an aspect value (AWS shape, as the snapshot holds it).
    pub fn to_aws(&self) -> Value {
        let mut v = json!({
            "RuleNumber": self.rule_number,
            "Egress": self.egress,
            "Protocol": self.protocol,
            "RuleAction": self.rule_action,
        });
        if let Some(c) = &self.cidr_block {
            v["CidrBlock"] = json!(c);
        }
        if let Some(c) = &self.ipv6_cidr_block {
            v["Ipv6CidrBlock"] = json!(c);
        }
        if let (Some(a), Some(b)) = (self.port_from, self.port_to) {
            v["PortRange"] = json!({"From": a, "To": b});
        }
        v
    }

    fn canonical(&self) -> AclEntry {
        let mut e = self.clone();
        e.protocol = acl_protocol(&e.protocol);
        e.rule_action = e.rule_action.to_ascii_lowercase();
        if e.protocol == "-1" {
            e.port_from = None;
            e.port_to = None;
        }
        e
    }

    pub fn describe(&self) -> String {
        let proto = match self.protocol.as_str() {
            "-1" => "all traffic".to_string(),
            "6" => "tcp".to_string(),
            "17" => "udp".to_string(),
            p => format!("protocol {p}"),
        };
        let ports = match (self.port_from, self.port_to) {
            (Some(a), Some(b)) if self.protocol != "-1" && a == b => format!("/{a}"),
            (Some(a), Some(b)) if self.protocol != "-1" => format!("/{a}-{b}"),
            _ => String::new(),
        };
        let peer = self
            .cidr_block
            .clone()
            .or_else(|| self.ipv6_cidr_block.clone())
            .unwrap_or_default();
        format!(
            "rule {} {} {}{ports} {} {peer}",
            self.rule_number,
            self.rule_action,
            proto,
            if self.egress { "to" } else { "from" }
        )
    }
}

/// A readable piece of live state. Its value is JSON; `null` is "absent".
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "aspect", rename_all = "snake_case")]
pub enum Aspect {
    // --- IAM (global) ---
    /// A role: `{"id": ARN, "tags": {...}}` or null.
    Role { role_name: String },
    /// The role's trust policy document.
    RoleTrustPolicy { role_name: String },
    /// An inline policy of a role: its document, or null.
    RoleInlinePolicy {
        role_name: String,
        policy_name: String,
    },
    /// Whether a managed policy is attached to the role: true or false.
    RoleManagedPolicy {
        role_name: String,
        policy_arn: String,
    },
    /// The role's permissions boundary ARN, or null.
    RolePermissionsBoundary { role_name: String },
    /// A customer managed policy: `{"id": ARN, "document": ..., "tags": {...}}` or null.
    ManagedPolicy { policy_arn: String },
    // --- KMS ---
    /// Whether automatic rotation is on: true or false.
    KeyRotation { region: String, key_id: String },
    /// The key policy document.
    KeyPolicy { region: String, key_id: String },
    /// `{"KeyState": "Enabled" | "Disabled" | "PendingDeletion" ..., "DeletionDate"?}`.
    KeyState { region: String, key_id: String },
    /// A key mlguard creates, found by its alias, else by its tags: `{"id", "arn"}` or null.
    /// A key pending deletion counts as absent.
    Key {
        region: String,
        alias: String,
        tags: Tags,
    },
    /// An alias: `{"id": target key id}` or null.
    Alias { region: String, alias_name: String },
    // --- EC2 ---
    /// A VPC found by its tags: `{"id", "cidr"}` or null.
    Vpc { region: String, tags: Tags },
    /// A subnet of a VPC, by CIDR: `{"id"}` or null.
    Subnet {
        region: String,
        vpc_id: String,
        cidr_block: String,
    },
    /// A security group of a VPC, by name: `{"id"}` or null.
    SecurityGroup {
        region: String,
        vpc_id: String,
        group_name: String,
    },
    /// The `default` security group of a VPC: `{"id"}`.
    DefaultSecurityGroup { region: String, vpc_id: String },
    /// The default network ACL of a VPC: `{"id"}`.
    DefaultNetworkAcl { region: String, vpc_id: String },
    /// The main route table of a VPC: `{"id"}`.
    MainRouteTable { region: String, vpc_id: String },
    /// An EC2 resource by id (`vpc`, `subnet`, `security-group`, `vpc-endpoint`,
    /// `flow-log`): `{"id"}` or null.
    Ec2Resource {
        region: String,
        kind: String,
        id: String,
    },
    /// One permission of a security group: `{"Description"?: ...}` when present, else null.
    SecurityGroupRule {
        region: String,
        group_id: String,
        direction: Direction,
        rule: SgRule,
    },
    /// A subnet's MapPublicIpOnLaunch: true or false.
    SubnetMapPublicIp { region: String, subnet_id: String },
    /// A VPC's enableDnsHostnames: true or false.
    VpcDnsHostnames { region: String, vpc_id: String },
    /// A flow log of a resource to a destination: `{"id"}` or null.
    FlowLog {
        region: String,
        resource_id: String,
        log_destination: String,
    },
    /// A route of a route table: `{"GatewayId": ...}` or null.
    Route {
        region: String,
        route_table_id: String,
        destination: String,
    },
    /// One network ACL entry: the entry (AWS shape) or null.
    NetworkAclEntry {
        region: String,
        network_acl_id: String,
        rule_number: i32,
        egress: bool,
    },
    /// The endpoint of a service in a VPC: `{"id"}` or null.
    VpcEndpoint {
        region: String,
        vpc_id: String,
        service_name: String,
    },
    // --- S3 ---
    /// A bucket: `{"id": name}` or null.
    Bucket { bucket: String, region: String },
    /// A bucket's tags, or null.
    BucketTags { bucket: String, region: String },
    /// A bucket's public access block (four booleans), or null.
    BucketPublicAccessBlock { bucket: String, region: String },
    /// A bucket's default encryption configuration, or null.
    BucketEncryption { bucket: String, region: String },
    /// A bucket's policy document, or null.
    BucketPolicy { bucket: String, region: String },
}

/// How two values of an aspect compare.
enum Compare {
    /// Present or absent is all that matters.
    Presence,
    /// Policy documents: equal once normalized.
    Document,
    /// Equal as JSON.
    Exact,
    /// `{"KeyState": ...}`: the state only.
    KeyState,
    NetworkAclEntry,
    Encryption,
    ManagedPolicy,
    PublicAccessBlock,
}

impl Aspect {
    /// The region the aspect lives in (`global` for IAM).
    pub fn region(&self) -> &str {
        match self {
            Aspect::Role { .. }
            | Aspect::RoleTrustPolicy { .. }
            | Aspect::RoleInlinePolicy { .. }
            | Aspect::RoleManagedPolicy { .. }
            | Aspect::RolePermissionsBoundary { .. }
            | Aspect::ManagedPolicy { .. } => "global",
            Aspect::KeyRotation { region, .. }
            | Aspect::KeyPolicy { region, .. }
            | Aspect::KeyState { region, .. }
            | Aspect::Key { region, .. }
            | Aspect::Alias { region, .. }
            | Aspect::Vpc { region, .. }
            | Aspect::Subnet { region, .. }
            | Aspect::SecurityGroup { region, .. }
            | Aspect::DefaultSecurityGroup { region, .. }
            | Aspect::DefaultNetworkAcl { region, .. }
            | Aspect::MainRouteTable { region, .. }
            | Aspect::Ec2Resource { region, .. }
            | Aspect::SecurityGroupRule { region, .. }
            | Aspect::SubnetMapPublicIp { region, .. }
            | Aspect::VpcDnsHostnames { region, .. }
            | Aspect::FlowLog { region, .. }
            | Aspect::Route { region, .. }
            | Aspect::NetworkAclEntry { region, .. }
            | Aspect::VpcEndpoint { region, .. }
            | Aspect::Bucket { region, .. }
            | Aspect::BucketTags { region, .. }
            | Aspect::BucketPublicAccessBlock { region, .. }
            | Aspect::BucketEncryption { region, .. }
            | Aspect::BucketPolicy { region, .. } => region,
        }
    }

    fn compare(&self) -> Compare {
        match self {
            Aspect::Role { .. }
            | Aspect::Key { .. }
            | Aspect::Alias { .. }
            | Aspect::Vpc { .. }
            | Aspect::Subnet { .. }
            | Aspect::SecurityGroup { .. }
            | Aspect::DefaultSecurityGroup { .. }
            | Aspect::DefaultNetworkAcl { .. }
            | Aspect::MainRouteTable { .. }
            | Aspect::Ec2Resource { .. }
            | Aspect::SecurityGroupRule { .. }
            | Aspect::FlowLog { .. }
            | Aspect::Route { .. }
            | Aspect::VpcEndpoint { .. }
            | Aspect::Bucket { .. } => Compare::Presence,
            Aspect::RoleTrustPolicy { .. }
            | Aspect::RoleInlinePolicy { .. }
            | Aspect::KeyPolicy { .. }
            | Aspect::BucketPolicy { .. } => Compare::Document,
            Aspect::ManagedPolicy { .. } => Compare::ManagedPolicy,
            Aspect::KeyState { .. } => Compare::KeyState,
            Aspect::NetworkAclEntry { .. } => Compare::NetworkAclEntry,
            Aspect::BucketEncryption { .. } => Compare::Encryption,
            Aspect::BucketPublicAccessBlock { .. } => Compare::PublicAccessBlock,
            Aspect::RoleManagedPolicy { .. }
            | Aspect::RolePermissionsBoundary { .. }
            | Aspect::KeyRotation { .. }
            | Aspect::SubnetMapPublicIp { .. }
            | Aspect::VpcDnsHostnames { .. }
            | Aspect::BucketTags { .. } => Compare::Exact,
        }
    }

    /// Whether two values of this aspect are the same state.
    pub fn same(&self, a: &Value, b: &Value) -> bool {
        if a.is_null() || b.is_null() {
            return a.is_null() == b.is_null();
        }
        match self.compare() {
            Compare::Presence => true,
            Compare::Exact => a == b,
            Compare::Document => normalize_document(a) == normalize_document(b),
            Compare::ManagedPolicy => {
                let doc = |v: &Value| v.get("document").map(normalize_document);
                doc(a) == doc(b) || doc(a).is_none() || doc(b).is_none()
            }
            Compare::KeyState => a.get("KeyState") == b.get("KeyState"),
            Compare::NetworkAclEntry => {
                let e = |v: &Value| AclEntry::from_aws(v).map(|e| e.canonical());
                e(a) == e(b)
            }
            Compare::Encryption => {
                let alg = |v: &Value| {
                    v.pointer("/Rules/0/ApplyServerSideEncryptionByDefault/SSEAlgorithm")
                        .cloned()
                };
                let key = |v: &Value| {
                    v.pointer("/Rules/0/ApplyServerSideEncryptionByDefault/KMSMasterKeyID")
                        .and_then(Value::as_str)
                        .map(String::from)
                };
                alg(a) == alg(b) && key(a) == key(b)
            }
            Compare::PublicAccessBlock => {
                let flags = |v: &Value| {
                    [
                        "BlockPublicAcls",
                        "IgnorePublicAcls",
                        "BlockPublicPolicy",
                        "RestrictPublicBuckets",
                    ]
                    .map(|k| v.get(k).and_then(Value::as_bool).unwrap_or(false))
                };
                flags(a) == flags(b)
            }
        }
    }

    /// What the aspect is, for people: `rotation of key 1234abcd (us-east-1)`.
    pub fn describe(&self) -> String {
        match self {
            Aspect::Role { role_name } => format!("role {role_name}"),
            Aspect::RoleTrustPolicy { role_name } => format!("trust policy of role {role_name}"),
            Aspect::RoleInlinePolicy {
                role_name,
                policy_name,
            } => format!("inline policy {policy_name} of role {role_name}"),
            Aspect::RoleManagedPolicy {
                role_name,
                policy_arn,
            } => format!("attachment of {policy_arn} to role {role_name}"),
            Aspect::RolePermissionsBoundary { role_name } => {
                format!("permissions boundary of role {role_name}")
            }
            Aspect::ManagedPolicy { policy_arn } => format!("managed policy {policy_arn}"),
            Aspect::KeyRotation { key_id, .. } => format!("automatic rotation of key {key_id}"),
            Aspect::KeyPolicy { key_id, .. } => format!("key policy of key {key_id}"),
            Aspect::KeyState { key_id, .. } => format!("state of key {key_id}"),
            Aspect::Key { alias, .. } => format!("KMS key {alias}"),
            Aspect::Alias { alias_name, .. } => format!("KMS alias {alias_name}"),
            Aspect::Vpc { tags, .. } => format!(
                "VPC {}",
                tags.get(COMPONENT_TAG)
                    .or_else(|| tags.get(STACK_TAG))
                    .cloned()
                    .unwrap_or_default()
            ),
            Aspect::Subnet {
                vpc_id, cidr_block, ..
            } => format!("subnet {cidr_block} of {vpc_id}"),
            Aspect::SecurityGroup {
                vpc_id, group_name, ..
            } => format!("security group {group_name} of {vpc_id}"),
            Aspect::DefaultSecurityGroup { vpc_id, .. } => {
                format!("default security group of {vpc_id}")
            }
            Aspect::DefaultNetworkAcl { vpc_id, .. } => format!("default network ACL of {vpc_id}"),
            Aspect::MainRouteTable { vpc_id, .. } => format!("main route table of {vpc_id}"),
            Aspect::Ec2Resource { kind, id, .. } => format!("{kind} {id}"),
            Aspect::SecurityGroupRule {
                group_id,
                direction,
                rule,
                ..
            } => format!("{} of {group_id}", rule.describe(*direction)),
            Aspect::SubnetMapPublicIp { subnet_id, .. } => {
                format!("MapPublicIpOnLaunch of {subnet_id}")
            }
            Aspect::VpcDnsHostnames { vpc_id, .. } => format!("DNS hostnames of {vpc_id}"),
            Aspect::FlowLog {
                resource_id,
                log_destination,
                ..
            } => format!("flow log of {resource_id} to {log_destination}"),
            Aspect::Route {
                route_table_id,
                destination,
                ..
            } => format!("route to {destination} in {route_table_id}"),
            Aspect::NetworkAclEntry {
                network_acl_id,
                rule_number,
                egress,
                ..
            } => format!(
                "{} entry {rule_number} of {network_acl_id}",
                if *egress { "outbound" } else { "inbound" }
            ),
            Aspect::VpcEndpoint {
                vpc_id,
                service_name,
                ..
            } => format!("endpoint {service_name} in {vpc_id}"),
            Aspect::Bucket { bucket, .. } => format!("bucket {bucket}"),
            Aspect::BucketTags { bucket, .. } => format!("tags of bucket {bucket}"),
            Aspect::BucketPublicAccessBlock { bucket, .. } => {
                format!("public access block of bucket {bucket}")
            }
            Aspect::BucketEncryption { bucket, .. } => {
                format!("default encryption of bucket {bucket}")
            }
            Aspect::BucketPolicy { bucket, .. } => format!("policy of bucket {bucket}"),
        }
    }
}

/// A policy document in the shape the policies see (see `snapshot::normalize`): arrays
/// everywhere, `"Principal": "*"` as `{"AWS": ["*"]}`. A JSON string is decoded first.
pub fn normalize_document(doc: &Value) -> Value {
    let text = match doc {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let Ok(mut v) = regorus::Value::from_json_str(&text) else {
        return doc.clone();
    };
    if crate::snapshot::normalize::normalize_document(&mut v, &[]).is_err() {
        return doc.clone();
    }
    v.to_json_str()
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_else(|| doc.clone())
}

/// Why an aspect cannot be put back to a value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct NotRestorable(pub String);

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(String::from)
}

/// The one call that takes `aspect` from `current` to `target` (both values of the aspect,
/// ids resolved): the inverse of an action is `restore_op(aspect, after, before)`, and
/// rollback runs `restore_op(aspect, live, recorded before)`.
pub fn restore_op(aspect: &Aspect, current: &Value, target: &Value) -> Result<Op, NotRestorable> {
    let missing = |what: &str| NotRestorable(format!("{}: {what}", aspect.describe()));
    let cannot_recreate = || {
        NotRestorable(format!(
            "{} was deleted and cannot be recreated by rollback",
            aspect.describe()
        ))
    };
    let id = || text(current, "id").ok_or_else(|| missing("its id is unknown"));
    Ok(match aspect {
        Aspect::Role { role_name } if target.is_null() => Op::DeleteRole {
            role_name: role_name.clone(),
        },
        Aspect::RoleTrustPolicy { role_name } => Op::UpdateAssumeRolePolicy {
            role_name: role_name.clone(),
            document: target.clone(),
        },
        Aspect::RoleInlinePolicy {
            role_name,
            policy_name,
        } => {
            if target.is_null() {
                Op::DeleteRolePolicy {
                    role_name: role_name.clone(),
                    policy_name: policy_name.clone(),
                }
            } else {
                Op::PutRolePolicy {
                    role_name: role_name.clone(),
                    policy_name: policy_name.clone(),
                    document: target.clone(),
                }
            }
        }
        Aspect::RoleManagedPolicy {
            role_name,
            policy_arn,
        } => {
            if target.as_bool() == Some(true) {
                Op::AttachRolePolicy {
                    role_name: role_name.clone(),
                    policy_arn: policy_arn.clone(),
                }
            } else {
                Op::DetachRolePolicy {
                    role_name: role_name.clone(),
                    policy_arn: policy_arn.clone(),
                }
            }
        }
        Aspect::RolePermissionsBoundary { role_name } => match target.as_str() {
            Some(arn) => Op::PutRolePermissionsBoundary {
                role_name: role_name.clone(),
                policy_arn: arn.to_string(),
            },
            None => Op::DeleteRolePermissionsBoundary {
                role_name: role_name.clone(),
            },
        },
        Aspect::ManagedPolicy { policy_arn } if target.is_null() => Op::DeletePolicy {
            policy_arn: policy_arn.clone(),
        },
        Aspect::KeyRotation { region, key_id } => {
            if target.as_bool() == Some(true) {
                Op::EnableKeyRotation {
                    region: region.clone(),
                    key_id: key_id.clone(),
                }
            } else {
                Op::DisableKeyRotation {
                    region: region.clone(),
                    key_id: key_id.clone(),
                }
            }
        }
        Aspect::KeyPolicy { region, key_id } => Op::PutKeyPolicy {
            region: region.clone(),
            key_id: key_id.clone(),
            document: target.clone(),
        },
        Aspect::KeyState { region, key_id } => {
            let (region, key_id) = (region.clone(), key_id.clone());
            let from = current
                .get("KeyState")
                .and_then(Value::as_str)
                .unwrap_or("");
            match target.get("KeyState").and_then(Value::as_str) {
                Some("PendingDeletion") => Op::ScheduleKeyDeletion {
                    region,
                    key_id,
                    pending_window_in_days: deletion_window(target),
                },
                Some("Disabled") if from == "PendingDeletion" => {
                    Op::CancelKeyDeletion { region, key_id }
                }
                Some("Disabled") => Op::DisableKey { region, key_id },
                Some("Enabled") if from == "PendingDeletion" => {
                    Op::CancelKeyDeletion { region, key_id }
                }
                Some("Enabled") => Op::EnableKey { region, key_id },
                _ => return Err(missing("the recorded key state cannot be restored")),
            }
        }
        Aspect::Key { region, .. } if target.is_null() => Op::ScheduleKeyDeletion {
            region: region.clone(),
            key_id: id()?,
            pending_window_in_days: 7,
        },
        Aspect::Alias { region, alias_name } if target.is_null() => Op::DeleteAlias {
            region: region.clone(),
            alias_name: alias_name.clone(),
        },
        Aspect::Vpc { region, .. } if target.is_null() => Op::DeleteVpc {
            region: region.clone(),
            vpc_id: id()?,
        },
        Aspect::Subnet { region, .. } if target.is_null() => Op::DeleteSubnet {
            region: region.clone(),
            subnet_id: id()?,
        },
        Aspect::SecurityGroup { region, .. } if target.is_null() => Op::DeleteSecurityGroup {
            region: region.clone(),
            group_id: id()?,
        },
        Aspect::Ec2Resource { region, kind, id } if target.is_null() => {
            let (region, id) = (region.clone(), id.clone());
            match kind.as_str() {
                "vpc" => Op::DeleteVpc { region, vpc_id: id },
                "subnet" => Op::DeleteSubnet {
                    region,
                    subnet_id: id,
                },
                "security-group" => Op::DeleteSecurityGroup {
                    region,
                    group_id: id,
                },
                "vpc-endpoint" => Op::DeleteVpcEndpoints {
                    region,
                    vpc_endpoint_id: id,
                },
                "flow-log" => Op::DeleteFlowLogs {
                    region,
                    flow_log_id: id,
                },
                other => return Err(missing(&format!("unknown EC2 resource kind {other}"))),
            }
        }
        Aspect::SecurityGroupRule {
            region,
            group_id,
            direction,
            rule,
        } => {
            let (region, group_id, rule) = (region.clone(), group_id.clone(), rule.clone());
            let description = text(target, "Description");
            let current_description = text(current, "Description");
            match (direction, target.is_null()) {
                (Direction::Ingress, true) => Op::RevokeSecurityGroupIngress {
                    region,
                    group_id,
                    rule,
                    description: current_description,
                },
                (Direction::Ingress, false) => Op::AuthorizeSecurityGroupIngress {
                    region,
                    group_id,
                    rule,
                    description,
                },
                (Direction::Egress, true) => Op::RevokeSecurityGroupEgress {
                    region,
                    group_id,
                    rule,
                    description: current_description,
                },
                (Direction::Egress, false) => Op::AuthorizeSecurityGroupEgress {
                    region,
                    group_id,
                    rule,
                    description,
                },
            }
        }
        Aspect::SubnetMapPublicIp { region, subnet_id } => Op::ModifySubnetAttribute {
            region: region.clone(),
            subnet_id: subnet_id.clone(),
            map_public_ip_on_launch: target.as_bool().unwrap_or(false),
        },
        Aspect::VpcDnsHostnames { region, vpc_id } => Op::ModifyVpcAttribute {
            region: region.clone(),
            vpc_id: vpc_id.clone(),
            enable_dns_hostnames: target.as_bool().unwrap_or(false),
        },
        Aspect::FlowLog { region, .. } if target.is_null() => Op::DeleteFlowLogs {
            region: region.clone(),
            flow_log_id: id()?,
        },
        Aspect::Route {
            region,
            route_table_id,
            destination,
        } => match text(target, "GatewayId") {
            Some(gateway_id) => Op::CreateRoute {
                region: region.clone(),
                route_table_id: route_table_id.clone(),
                destination: destination.clone(),
                gateway_id,
            },
            None if target.is_null() => Op::DeleteRoute {
                region: region.clone(),
                route_table_id: route_table_id.clone(),
                destination: destination.clone(),
            },
            None => return Err(missing("only routes to a gateway can be restored")),
        },
        Aspect::NetworkAclEntry {
            region,
            network_acl_id,
            rule_number,
            egress,
        } => {
            let (region, network_acl_id) = (region.clone(), network_acl_id.clone());
            if target.is_null() {
                Op::DeleteNetworkAclEntry {
                    region,
                    network_acl_id,
                    rule_number: *rule_number,
                    egress: *egress,
                }
            } else {
                let entry =
                    AclEntry::from_aws(target).ok_or_else(|| missing("unreadable entry"))?;
                if current.is_null() {
                    Op::CreateNetworkAclEntry {
                        region,
                        network_acl_id,
                        entry,
                    }
                } else {
                    Op::ReplaceNetworkAclEntry {
                        region,
                        network_acl_id,
                        entry,
                    }
                }
            }
        }
        Aspect::VpcEndpoint { region, .. } if target.is_null() => Op::DeleteVpcEndpoints {
            region: region.clone(),
            vpc_endpoint_id: id()?,
        },
        Aspect::Bucket { bucket, region } if target.is_null() => Op::DeleteBucket {
            bucket: bucket.clone(),
            region: region.clone(),
        },
        Aspect::BucketTags { bucket, region } => match target.as_object() {
            Some(map) => Op::PutBucketTagging {
                bucket: bucket.clone(),
                region: region.clone(),
                tags: map
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                    .collect(),
            },
            None => Op::DeleteBucketTagging {
                bucket: bucket.clone(),
                region: region.clone(),
            },
        },
        Aspect::BucketPublicAccessBlock { bucket, region } => {
            if target.is_null() {
                Op::DeletePublicAccessBlock {
                    bucket: bucket.clone(),
                    region: region.clone(),
                }
            } else {
                let flag = |k: &str| target.get(k).and_then(Value::as_bool).unwrap_or(false);
                Op::PutPublicAccessBlock {
                    bucket: bucket.clone(),
                    region: region.clone(),
                    block_public_acls: flag("BlockPublicAcls"),
                    ignore_public_acls: flag("IgnorePublicAcls"),
                    block_public_policy: flag("BlockPublicPolicy"),
                    restrict_public_buckets: flag("RestrictPublicBuckets"),
                }
            }
        }
        Aspect::BucketEncryption { bucket, region } => {
            if target.is_null() {
                Op::DeleteBucketEncryption {
                    bucket: bucket.clone(),
                    region: region.clone(),
                }
            } else {
                Op::PutBucketEncryption {
                    bucket: bucket.clone(),
                    region: region.clone(),
                    configuration: target.clone(),
                }
            }
        }
        Aspect::BucketPolicy { bucket, region } => {
            if target.is_null() {
                Op::DeleteBucketPolicy {
                    bucket: bucket.clone(),
                    region: region.clone(),
                }
            } else {
                Op::PutBucketPolicy {
                    bucket: bucket.clone(),
                    region: region.clone(),
                    document: target.clone(),
                }
            }
        }
        Aspect::Role { .. }
        | Aspect::ManagedPolicy { .. }
        | Aspect::Key { .. }
        | Aspect::Alias { .. }
        | Aspect::Vpc { .. }
        | Aspect::Subnet { .. }
        | Aspect::SecurityGroup { .. }
        | Aspect::Ec2Resource { .. }
        | Aspect::FlowLog { .. }
        | Aspect::VpcEndpoint { .. }
        | Aspect::Bucket { .. } => return Err(cannot_recreate()),
        Aspect::DefaultSecurityGroup { .. }
        | Aspect::DefaultNetworkAcl { .. }
        | Aspect::MainRouteTable { .. } => {
            return Err(missing("it is created and deleted with its VPC"));
        }
    })
}

/// Days from now to a recorded `DeletionDate`, within KMS's 7–30 day window (30 when the
/// date is unknown).
fn deletion_window(value: &Value) -> i32 {
    let Some(date) = value
        .get("DeletionDate")
        .and_then(Value::as_str)
        .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
    else {
        return 30;
    };
    let days = (date.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_hours() as f64 / 24.0;
    (days.ceil() as i32).clamp(7, 30)
}

// --- placeholders ------------------------------------------------------------------------

/// The placeholder names (`vpc` of `${vpc}` and `${vpc.cidr}`) in a JSON value's strings.
pub fn placeholders(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    collect_placeholders(v, &mut out);
    out.sort();
    out.dedup();
    out
}

fn collect_placeholders(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => {
            let mut rest = s.as_str();
            while let Some(start) = rest.find("${") {
                let after = &rest[start + 2..];
                let Some(end) = after.find('}') else { break };
                let inner = &after[..end];
                let name = inner.split('.').next().unwrap_or(inner);
                out.push(name.to_string());
                rest = &after[end + 1..];
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect_placeholders(i, out)),
        Value::Object(map) => {
            for (k, val) in map {
                collect_placeholders(&Value::String(k.clone()), out);
                collect_placeholders(val, out);
            }
        }
        _ => {}
    }
}

/// Replaces `${name}` (the `id` of the resolved value) and `${name.field}` in every string.
/// Returns the names it could not resolve.
pub fn substitute(v: &mut Value, resolved: &BTreeMap<String, Value>) -> Vec<String> {
    let mut missing = Vec::new();
    substitute_into(v, resolved, &mut missing);
    missing.sort();
    missing.dedup();
    missing
}

fn substitute_str(
    s: &str,
    resolved: &BTreeMap<String, Value>,
    missing: &mut Vec<String>,
) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let inner = &after[..end];
        let (name, field) = inner.split_once('.').unwrap_or((inner, "id"));
        match resolved
            .get(name)
            .and_then(|v| v.get(field))
            .and_then(Value::as_str)
        {
            Some(text) => out.push_str(text),
            None => {
                missing.push(name.to_string());
                out.push_str(&rest[start..=(start + 2 + end)]);
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

fn substitute_into(v: &mut Value, resolved: &BTreeMap<String, Value>, missing: &mut Vec<String>) {
    match v {
        Value::String(s) if s.contains("${") => *s = substitute_str(s, resolved, missing),
        Value::Array(items) => items
            .iter_mut()
            .for_each(|i| substitute_into(i, resolved, missing)),
        Value::Object(map) => {
            for val in map.values_mut() {
                substitute_into(val, resolved, missing);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_compare_by_identity() {
        let a = Aspect::SecurityGroupRule {
            region: "us-east-1".into(),
            group_id: "sg-1".into(),
            direction: Direction::Ingress,
            rule: SgRule::tcp(22).with_cidr("0.0.0.0/0"),
        };
        assert!(a.same(&json!({"Description": "ssh"}), &json!({})));
        assert!(!a.same(&json!({}), &Value::Null));
        assert_eq!(
            SgRule {
                protocol: "6".into(),
                from_port: Some(22),
                to_port: Some(22),
                ..SgRule::default()
            }
            .canonical()
            .protocol,
            "tcp"
        );
        assert_eq!(
            SgRule::all().with_cidr("::/0").describe(Direction::Egress),
            "egress all traffic to ::/0"
        );
    }

    #[test]
    fn documents_compare_normalized() {
        let a = Aspect::RoleTrustPolicy {
            role_name: "r".into(),
        };
        let raw = json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}});
        let normal = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": ["sts:AssumeRole"]}]});
        assert!(a.same(&raw, &normal));
        assert!(a.same(&Value::String(raw.to_string()), &normal));
        assert!(!a.same(&raw, &json!({"Version": "2012-10-17", "Statement": []})));
    }

    #[test]
    fn restore_gives_the_inverse_call() {
        let rot = Aspect::KeyRotation {
            region: "us-east-1".into(),
            key_id: "k".into(),
        };
        assert_eq!(
            restore_op(&rot, &json!(true), &json!(false)).map(|o| o.name()),
            Ok("DisableKeyRotation")
        );
        let state = Aspect::KeyState {
            region: "us-east-1".into(),
            key_id: "k".into(),
        };
        assert_eq!(
            restore_op(
                &state,
                &json!({"KeyState": "Disabled"}),
                &json!({"KeyState": "PendingDeletion"})
            )
            .map(|o| o.name()),
            Ok("ScheduleKeyDeletion")
        );
        assert_eq!(
            restore_op(
                &state,
                &json!({"KeyState": "Enabled"}),
                &json!({"KeyState": "Disabled"})
            )
            .map(|o| o.name()),
            Ok("DisableKey")
        );
        let subnet = Aspect::Subnet {
            region: "us-east-1".into(),
            vpc_id: "vpc-1".into(),
            cidr_block: "10.0.1.0/24".into(),
        };
        assert_eq!(
            restore_op(&subnet, &json!({"id": "subnet-1"}), &Value::Null),
            Ok(Op::DeleteSubnet {
                region: "us-east-1".into(),
                subnet_id: "subnet-1".into()
            })
        );
        assert!(restore_op(&subnet, &Value::Null, &json!({"id": "subnet-1"})).is_err());
    }

    #[test]
    fn placeholders_resolve_ids_and_fields() {
        let mut v = json!({"vpc_id": "${vpc}", "doc": ["arn:${key.arn}/x", "${nope}"]});
        assert_eq!(placeholders(&v), vec!["key", "nope", "vpc"]);
        let resolved = BTreeMap::from([
            ("vpc".to_string(), json!({"id": "vpc-1"})),
            ("key".to_string(), json!({"id": "k", "arn": "K"})),
        ]);
        assert_eq!(substitute(&mut v, &resolved), vec!["nope"]);
        assert_eq!(v, json!({"vpc_id": "vpc-1", "doc": ["arn:K/x", "${nope}"]}));
    }

    #[test]
    fn ops_serialize_with_their_api_name() {
        let op = Op::EnableKeyRotation {
            region: "us-east-1".into(),
            key_id: "k".into(),
        };
        let v = serde_json::to_value(&op).expect("json");
        assert_eq!(v["op"], "EnableKeyRotation");
        assert_eq!(serde_json::from_value::<Op>(v).ok(), Some(op.clone()));
        assert_eq!(op.describe(), "EnableKeyRotation key_id=k");
    }
}
