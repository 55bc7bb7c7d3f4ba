//! Every AWS API operation `remediate --apply`, `rollback`, `harden` and `teardown` can call,
//! and the IAM actions that authorize it.
//!
//! This file is the single source of truth for what mlguard changes. Each mutating operation
//! is declared once, below ([`declare_operations!`](super::declare)): its [`Op`] variant and
//! parameters, the service and the executor that calls it (`apply/aws/<service>.rs`), the IAM
//! actions it needs, its price class (`cost.rs`) and, when it has one, the aspect it sets.
//! The reads the remediator makes are listed in [`READS`].
//!
//! The shipped policy `policies/iam/mlguard-remediate-policy.json` grants exactly these
//! actions (a test holds them equal), and the integration tests check that every call an
//! apply makes is listed. Planning from a live scan and the check after an apply collect the
//! account, which needs `policies/iam/mlguard-scan-policy.json` as well.
//!
//! To add an operation: add its row here, write its executor in `apply/aws/<service>.rs`,
//! grant its actions in the policy JSON; if it has a price, give it a line in `cost.rs`; if it
//! creates something with an id AWS picks (no `sets`), teach the test account
//! (`apply/fake.rs`) when a test needs it.

use super::declare::declare_operations;
use super::model::{AclEntry, Aspect, Direction, SgRule, Tags};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// What a call does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Reads an aspect, resolves a reference, or takes an inventory.
    Read,
    /// Changes the account (one [`Op`]).
    Write,
}

/// One operation the remediator may call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    pub service: &'static str,
    pub name: &'static str,
    /// The IAM actions that authorize it (empty: none needed).
    pub actions: &'static [&'static str],
    pub kind: Kind,
}

/// What an operation does to the monthly bill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Price {
    /// Nothing; cost estimates count it under this kind.
    Free(&'static str),
    /// Starts or stops something billed: `cost::price` computes the line from its parameters.
    Billed,
}

const fn read(
    service: &'static str,
    name: &'static str,
    actions: &'static [&'static str],
) -> Operation {
    Operation {
        service,
        name,
        actions,
        kind: Kind::Read,
    }
}

/// The description an authorized rule carries, as its aspect reads it.
fn rule_value(description: Option<&String>) -> Value {
    description.map_or(json!({}), |d| json!({ "Description": d }))
}

fn ec2_resource(region: &str, kind: &str, id: &str) -> Aspect {
    Aspect::Ec2Resource {
        region: region.to_string(),
        kind: kind.to_string(),
        id: id.to_string(),
    }
}

fn key_state(state: &str) -> Value {
    json!({ "KeyState": state })
}

declare_operations! {
    // --- IAM ---------------------------------------------------------------------------
    UpdateAssumeRolePolicy { role_name: String, document: Value }
        => iam::update_assume_role_policy,
        needs ["iam:UpdateAssumeRolePolicy"],
        price Price::Free("IAM"),
        sets Aspect::RoleTrustPolicy { role_name: role_name.clone() } => document.clone();
    PutRolePolicy { role_name: String, policy_name: String, document: Value }
        => iam::put_role_policy,
        needs ["iam:PutRolePolicy"],
        price Price::Free("IAM"),
        sets Aspect::RoleInlinePolicy {
            role_name: role_name.clone(),
            policy_name: policy_name.clone(),
        } => document.clone();
    DeleteRolePolicy { role_name: String, policy_name: String }
        => iam::delete_role_policy,
        needs ["iam:DeleteRolePolicy"],
        price Price::Free("IAM"),
        sets Aspect::RoleInlinePolicy {
            role_name: role_name.clone(),
            policy_name: policy_name.clone(),
        } => Value::Null;
    AttachRolePolicy { role_name: String, policy_arn: String }
        => iam::attach_role_policy,
        needs ["iam:AttachRolePolicy"],
        price Price::Free("IAM"),
        sets Aspect::RoleManagedPolicy {
            role_name: role_name.clone(),
            policy_arn: policy_arn.clone(),
        } => json!(true);
    DetachRolePolicy { role_name: String, policy_arn: String }
        => iam::detach_role_policy,
        needs ["iam:DetachRolePolicy"],
        price Price::Free("IAM"),
        sets Aspect::RoleManagedPolicy {
            role_name: role_name.clone(),
            policy_arn: policy_arn.clone(),
        } => json!(false);
    PutRolePermissionsBoundary { role_name: String, policy_arn: String }
        => iam::put_role_permissions_boundary,
        needs ["iam:PutRolePermissionsBoundary"],
        price Price::Free("IAM"),
        sets Aspect::RolePermissionsBoundary { role_name: role_name.clone() } => json!(policy_arn);
    DeleteRolePermissionsBoundary { role_name: String }
        => iam::delete_role_permissions_boundary,
        needs ["iam:DeleteRolePermissionsBoundary"],
        price Price::Free("IAM"),
        sets Aspect::RolePermissionsBoundary { role_name: role_name.clone() } => Value::Null;
    // Tags given at creation need the tagging action too.
    CreatePolicy {
        policy_name: String,
        path: String,
        description: String,
        document: Value,
        tags: Tags,
    }
        => iam::create_policy,
        needs ["iam:CreatePolicy", "iam:TagPolicy"],
        price Price::Free("IAM");
    DeletePolicy { policy_arn: String }
        => iam::delete_policy,
        needs ["iam:DeletePolicy"],
        price Price::Free("IAM"),
        sets Aspect::ManagedPolicy { policy_arn: policy_arn.clone() } => Value::Null;
    CreateRole {
        role_name: String,
        description: String,
        document: Value,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        permissions_boundary: Option<String>,
        tags: Tags,
    }
        => iam::create_role,
        needs ["iam:CreateRole", "iam:TagRole"],
        price Price::Free("IAM");
    DeleteRole { role_name: String }
        => iam::delete_role,
        needs ["iam:DeleteRole"],
        price Price::Free("IAM"),
        sets Aspect::Role { role_name: role_name.clone() } => Value::Null;

    // --- KMS ---------------------------------------------------------------------------
    EnableKeyRotation { region: String, key_id: String }
        => kms::enable_key_rotation,
        needs ["kms:EnableKeyRotation"],
        price Price::Billed,
        sets Aspect::KeyRotation { region: region.clone(), key_id: key_id.clone() } => json!(true);
    DisableKeyRotation { region: String, key_id: String }
        => kms::disable_key_rotation,
        needs ["kms:DisableKeyRotation"],
        price Price::Free("KMS rotation setting"),
        sets Aspect::KeyRotation { region: region.clone(), key_id: key_id.clone() } => json!(false);
    PutKeyPolicy { region: String, key_id: String, document: Value }
        => kms::put_key_policy,
        needs ["kms:PutKeyPolicy"],
        price Price::Free("KMS key policy, state and aliases"),
        sets Aspect::KeyPolicy {
            region: region.clone(),
            key_id: key_id.clone(),
        } => document.clone();
    CancelKeyDeletion { region: String, key_id: String }
        => kms::cancel_key_deletion,
        needs ["kms:CancelKeyDeletion"],
        price Price::Billed,
        sets Aspect::KeyState {
            region: region.clone(),
            key_id: key_id.clone(),
        } => key_state("Disabled");
    ScheduleKeyDeletion { region: String, key_id: String, pending_window_in_days: i32 }
        => kms::schedule_key_deletion,
        needs ["kms:ScheduleKeyDeletion"],
        price Price::Billed,
        sets Aspect::KeyState { region: region.clone(), key_id: key_id.clone() }
            => key_state("PendingDeletion");
    EnableKey { region: String, key_id: String }
        => kms::enable_key,
        needs ["kms:EnableKey"],
        price Price::Free("KMS key policy, state and aliases"),
        sets Aspect::KeyState {
            region: region.clone(),
            key_id: key_id.clone(),
        } => key_state("Enabled");
    DisableKey { region: String, key_id: String }
        => kms::disable_key,
        needs ["kms:DisableKey"],
        price Price::Free("KMS key policy, state and aliases"),
        sets Aspect::KeyState {
            region: region.clone(),
            key_id: key_id.clone(),
        } => key_state("Disabled");
    CreateKey { region: String, description: String, document: Value, tags: Tags }
        => kms::create_key,
        needs ["kms:CreateKey", "kms:TagResource"],
        price Price::Billed;
    CreateAlias { region: String, alias_name: String, target_key_id: String }
        => kms::create_alias,
        needs ["kms:CreateAlias"],
        price Price::Free("KMS key policy, state and aliases"),
        sets Aspect::Alias { region: region.clone(), alias_name: alias_name.clone() }
            => json!({ "id": target_key_id });
    DeleteAlias { region: String, alias_name: String }
        => kms::delete_alias,
        needs ["kms:DeleteAlias"],
        price Price::Free("KMS key policy, state and aliases"),
        sets Aspect::Alias {
            region: region.clone(),
            alias_name: alias_name.clone(),
        } => Value::Null;

    // --- EC2 ---------------------------------------------------------------------------
    AuthorizeSecurityGroupIngress {
        region: String,
        group_id: String,
        rule: SgRule,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<String>,
    }
        => ec2::authorize_security_group_ingress,
        needs ["ec2:AuthorizeSecurityGroupIngress"],
        price Price::Free("security groups"),
        sets Aspect::SecurityGroupRule {
            region: region.clone(),
            group_id: group_id.clone(),
            direction: Direction::Ingress,
            rule: rule.clone(),
        } => rule_value(description.as_ref());
    RevokeSecurityGroupIngress {
        region: String,
        group_id: String,
        rule: SgRule,
        /// The rule's description: AWS ignores it on revoke, some emulators match it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<String>,
    }
        => ec2::revoke_security_group_ingress,
        needs ["ec2:RevokeSecurityGroupIngress"],
        price Price::Free("security groups"),
        sets Aspect::SecurityGroupRule {
            region: region.clone(),
            group_id: group_id.clone(),
            direction: Direction::Ingress,
            rule: rule.clone(),
        } => Value::Null;
    AuthorizeSecurityGroupEgress {
        region: String,
        group_id: String,
        rule: SgRule,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<String>,
    }
        => ec2::authorize_security_group_egress,
        needs ["ec2:AuthorizeSecurityGroupEgress"],
        price Price::Free("security groups"),
        sets Aspect::SecurityGroupRule {
            region: region.clone(),
            group_id: group_id.clone(),
            direction: Direction::Egress,
            rule: rule.clone(),
        } => rule_value(description.as_ref());
    RevokeSecurityGroupEgress {
        region: String,
        group_id: String,
        rule: SgRule,
        /// The rule's description: AWS ignores it on revoke, some emulators match it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<String>,
    }
        => ec2::revoke_security_group_egress,
        needs ["ec2:RevokeSecurityGroupEgress"],
        price Price::Free("security groups"),
        sets Aspect::SecurityGroupRule {
            region: region.clone(),
            group_id: group_id.clone(),
            direction: Direction::Egress,
            rule: rule.clone(),
        } => Value::Null;
    ModifySubnetAttribute { region: String, subnet_id: String, map_public_ip_on_launch: bool }
        => ec2::modify_subnet_attribute,
        needs ["ec2:ModifySubnetAttribute"],
        price Price::Free("VPC, subnets, routes, network ACLs"),
        sets Aspect::SubnetMapPublicIp { region: region.clone(), subnet_id: subnet_id.clone() }
            => json!(map_public_ip_on_launch);
    ModifyVpcAttribute { region: String, vpc_id: String, enable_dns_hostnames: bool }
        => ec2::modify_vpc_attribute,
        needs ["ec2:ModifyVpcAttribute"],
        price Price::Free("VPC, subnets, routes, network ACLs"),
        sets Aspect::VpcDnsHostnames { region: region.clone(), vpc_id: vpc_id.clone() }
            => json!(enable_dns_hostnames);
    // Flow logs to S3 are delivered by CloudWatch Logs on the caller's behalf.
    CreateFlowLogs { region: String, resource_id: String, log_destination: String, tags: Tags }
        => ec2::create_flow_logs,
        needs [
            "ec2:CreateFlowLogs",
            "ec2:CreateTags",
            "logs:CreateLogDelivery",
            "logs:DeleteLogDelivery",
        ],
        price Price::Billed;
    DeleteFlowLogs { region: String, flow_log_id: String }
        => ec2::delete_flow_logs,
        needs ["ec2:DeleteFlowLogs", "logs:DeleteLogDelivery"],
        price Price::Billed,
        sets ec2_resource(region, "flow-log", flow_log_id) => Value::Null;
    CreateRoute { region: String, route_table_id: String, destination: String, gateway_id: String }
        => ec2::create_route,
        needs ["ec2:CreateRoute"],
        price Price::Free("VPC, subnets, routes, network ACLs"),
        sets Aspect::Route {
            region: region.clone(),
            route_table_id: route_table_id.clone(),
            destination: destination.clone(),
        } => json!({ "GatewayId": gateway_id });
    DeleteRoute { region: String, route_table_id: String, destination: String }
        => ec2::delete_route,
        needs ["ec2:DeleteRoute"],
        price Price::Free("VPC, subnets, routes, network ACLs"),
        sets Aspect::Route {
            region: region.clone(),
            route_table_id: route_table_id.clone(),
            destination: destination.clone(),
        } => Value::Null;
    CreateNetworkAclEntry { region: String, network_acl_id: String, entry: AclEntry }
        => ec2::create_network_acl_entry,
        needs ["ec2:CreateNetworkAclEntry"],
        price Price::Free("VPC, subnets, routes, network ACLs"),
        sets Aspect::NetworkAclEntry {
            region: region.clone(),
            network_acl_id: network_acl_id.clone(),
            rule_number: entry.rule_number,
            egress: entry.egress,
        } => entry.to_aws();
    ReplaceNetworkAclEntry { region: String, network_acl_id: String, entry: AclEntry }
        => ec2::replace_network_acl_entry,
        needs ["ec2:ReplaceNetworkAclEntry"],
        price Price::Free("VPC, subnets, routes, network ACLs"),
        sets Aspect::NetworkAclEntry {
            region: region.clone(),
            network_acl_id: network_acl_id.clone(),
            rule_number: entry.rule_number,
            egress: entry.egress,
        } => entry.to_aws();
    DeleteNetworkAclEntry { region: String, network_acl_id: String, rule_number: i32, egress: bool }
        => ec2::delete_network_acl_entry,
        needs ["ec2:DeleteNetworkAclEntry"],
        price Price::Free("VPC, subnets, routes, network ACLs"),
        sets Aspect::NetworkAclEntry {
            region: region.clone(),
            network_acl_id: network_acl_id.clone(),
            rule_number: *rule_number,
            egress: *egress,
        } => Value::Null;
    CreateVpcEndpoint {
        region: String,
        vpc_id: String,
        service_name: String,
        /// `Gateway` or `Interface`.
        endpoint_type: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        route_table_ids: Vec<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        subnet_ids: Vec<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        security_group_ids: Vec<String>,
        private_dns_enabled: bool,
        tags: Tags,
    }
        => ec2::create_vpc_endpoint,
        needs ["ec2:CreateVpcEndpoint", "ec2:CreateTags"],
        price Price::Billed;
    DeleteVpcEndpoints { region: String, vpc_endpoint_id: String }
        => ec2::delete_vpc_endpoints,
        needs ["ec2:DeleteVpcEndpoints"],
        price Price::Billed,
        sets ec2_resource(region, "vpc-endpoint", vpc_endpoint_id) => Value::Null;
    CreateSecurityGroup {
        region: String,
        vpc_id: String,
        group_name: String,
        description: String,
        tags: Tags,
    }
        => ec2::create_security_group,
        needs ["ec2:CreateSecurityGroup", "ec2:CreateTags"],
        price Price::Free("security groups");
    DeleteSecurityGroup { region: String, group_id: String }
        => ec2::delete_security_group,
        needs ["ec2:DeleteSecurityGroup"],
        price Price::Free("security groups"),
        sets ec2_resource(region, "security-group", group_id) => Value::Null;
    CreateVpc { region: String, cidr_block: String, tags: Tags }
        => ec2::create_vpc,
        needs ["ec2:CreateVpc", "ec2:CreateTags"],
        price Price::Free("VPC, subnets, routes, network ACLs");
    DeleteVpc { region: String, vpc_id: String }
        => ec2::delete_vpc,
        needs ["ec2:DeleteVpc"],
        price Price::Free("VPC, subnets, routes, network ACLs"),
        sets ec2_resource(region, "vpc", vpc_id) => Value::Null;
    CreateSubnet {
        region: String,
        vpc_id: String,
        cidr_block: String,
        availability_zone: String,
        tags: Tags,
    }
        => ec2::create_subnet,
        needs ["ec2:CreateSubnet", "ec2:CreateTags"],
        price Price::Free("VPC, subnets, routes, network ACLs");
    DeleteSubnet { region: String, subnet_id: String }
        => ec2::delete_subnet,
        needs ["ec2:DeleteSubnet"],
        price Price::Free("VPC, subnets, routes, network ACLs"),
        sets ec2_resource(region, "subnet", subnet_id) => Value::Null;

    // --- S3 ----------------------------------------------------------------------------
    CreateBucket { bucket: String, region: String }
        => s3::create_bucket,
        needs ["s3:CreateBucket"],
        price Price::Billed;
    DeleteBucket { bucket: String, region: String }
        => s3::delete_bucket,
        needs ["s3:DeleteBucket"],
        price Price::Billed,
        sets Aspect::Bucket { bucket: bucket.clone(), region: region.clone() } => Value::Null;
    PutBucketTagging { bucket: String, region: String, tags: Tags }
        => s3::put_bucket_tagging,
        needs ["s3:PutBucketTagging"],
        price Price::Free("S3 bucket settings"),
        sets Aspect::BucketTags { bucket: bucket.clone(), region: region.clone() } => json!(tags);
    DeleteBucketTagging { bucket: String, region: String }
        => s3::delete_bucket_tagging,
        needs ["s3:PutBucketTagging"],
        price Price::Free("S3 bucket settings"),
        sets Aspect::BucketTags { bucket: bucket.clone(), region: region.clone() } => Value::Null;
    PutPublicAccessBlock {
        bucket: String,
        region: String,
        block_public_acls: bool,
        ignore_public_acls: bool,
        block_public_policy: bool,
        restrict_public_buckets: bool,
    }
        => s3::put_public_access_block,
        needs ["s3:PutBucketPublicAccessBlock"],
        price Price::Free("S3 bucket settings"),
        sets Aspect::BucketPublicAccessBlock { bucket: bucket.clone(), region: region.clone() }
            => json!({
                "BlockPublicAcls": block_public_acls,
                "IgnorePublicAcls": ignore_public_acls,
                "BlockPublicPolicy": block_public_policy,
                "RestrictPublicBuckets": restrict_public_buckets,
            });
    DeletePublicAccessBlock { bucket: String, region: String }
        => s3::delete_public_access_block,
        needs ["s3:PutBucketPublicAccessBlock"],
        price Price::Free("S3 bucket settings"),
        sets Aspect::BucketPublicAccessBlock { bucket: bucket.clone(), region: region.clone() }
            => Value::Null;
    PutBucketEncryption {
        bucket: String,
        region: String,
        /// The configuration, as GetBucketEncryption prints it.
        configuration: Value,
    }
        => s3::put_bucket_encryption,
        needs ["s3:PutEncryptionConfiguration"],
        price Price::Free("S3 bucket settings"),
        sets Aspect::BucketEncryption { bucket: bucket.clone(), region: region.clone() }
            => configuration.clone();
    DeleteBucketEncryption { bucket: String, region: String }
        => s3::delete_bucket_encryption,
        needs ["s3:PutEncryptionConfiguration"],
        price Price::Free("S3 bucket settings"),
        sets Aspect::BucketEncryption {
            bucket: bucket.clone(),
            region: region.clone(),
        } => Value::Null;
    PutBucketPolicy { bucket: String, region: String, document: Value }
        => s3::put_bucket_policy,
        needs ["s3:PutBucketPolicy"],
        price Price::Free("S3 bucket settings"),
        sets Aspect::BucketPolicy {
            bucket: bucket.clone(),
            region: region.clone(),
        } => document.clone();
    DeleteBucketPolicy { bucket: String, region: String }
        => s3::delete_bucket_policy,
        needs ["s3:DeleteBucketPolicy"],
        price Price::Free("S3 bucket settings"),
        sets Aspect::BucketPolicy { bucket: bucket.clone(), region: region.clone() } => Value::Null;
}

impl Op {
    /// The API operation name.
    pub fn name(&self) -> &'static str {
        self.api().1
    }

    /// One line for people: the call and its main parameters (documents are left out).
    pub fn describe(&self) -> String {
        let v = serde_json::to_value(self).unwrap_or(Value::Null);
        let mut parts = Vec::new();
        if let Some(obj) = v.as_object() {
            for (k, val) in obj {
                if matches!(
                    k.as_str(),
                    "op" | "document" | "configuration" | "tags" | "description" | "region"
                ) {
                    continue;
                }
                let text = match val {
                    Value::String(s) => s.clone(),
                    Value::Array(items) if items.is_empty() => continue,
                    Value::Array(items) => items
                        .iter()
                        .map(|i| i.as_str().map_or_else(|| i.to_string(), String::from))
                        .collect::<Vec<_>>()
                        .join(","),
                    other => other.to_string(),
                };
                parts.push(format!("{k}={text}"));
            }
        }
        format!("{} {}", self.name(), parts.join(" "))
    }
}

/// The reads the remediator makes (aspects, references, inventories), by service.
pub const READS: &[Operation] = &[
    read("sts", "GetCallerIdentity", &[]),
    // IAM
    read("iam", "GetRole", &["iam:GetRole"]),
    read("iam", "GetRolePolicy", &["iam:GetRolePolicy"]),
    read("iam", "ListRolePolicies", &["iam:ListRolePolicies"]),
    read(
        "iam",
        "ListAttachedRolePolicies",
        &["iam:ListAttachedRolePolicies"],
    ),
    read("iam", "GetPolicy", &["iam:GetPolicy"]),
    read("iam", "GetPolicyVersion", &["iam:GetPolicyVersion"]),
    read("iam", "ListPolicyTags", &["iam:ListPolicyTags"]),
    // KMS
    read("kms", "ListKeys", &["kms:ListKeys"]),
    read("kms", "ListAliases", &["kms:ListAliases"]),
    read("kms", "DescribeKey", &["kms:DescribeKey"]),
    read("kms", "ListResourceTags", &["kms:ListResourceTags"]),
    read("kms", "GetKeyRotationStatus", &["kms:GetKeyRotationStatus"]),
    read("kms", "GetKeyPolicy", &["kms:GetKeyPolicy"]),
    // EC2
    read("ec2", "DescribeVpcs", &["ec2:DescribeVpcs"]),
    read("ec2", "DescribeVpcAttribute", &["ec2:DescribeVpcAttribute"]),
    read("ec2", "DescribeSubnets", &["ec2:DescribeSubnets"]),
    read(
        "ec2",
        "DescribeSecurityGroups",
        &["ec2:DescribeSecurityGroups"],
    ),
    read("ec2", "DescribeRouteTables", &["ec2:DescribeRouteTables"]),
    read("ec2", "DescribeNetworkAcls", &["ec2:DescribeNetworkAcls"]),
    read("ec2", "DescribeVpcEndpoints", &["ec2:DescribeVpcEndpoints"]),
    read("ec2", "DescribeFlowLogs", &["ec2:DescribeFlowLogs"]),
    read(
        "ec2",
        "DescribeAvailabilityZones",
        &["ec2:DescribeAvailabilityZones"],
    ),
    // Before harden creates a VPC: the region's VPCs against its quota, which VPCs look
    // unused (no network interfaces), and the regions with room; where else a --kms-key is.
    read(
        "ec2",
        "DescribeNetworkInterfaces",
        &["ec2:DescribeNetworkInterfaces"],
    ),
    read("ec2", "DescribeRegions", &["ec2:DescribeRegions"]),
    read(
        "servicequotas",
        "GetServiceQuota",
        &["servicequotas:GetServiceQuota"],
    ),
    // S3
    read("s3", "HeadBucket", &["s3:ListBucket"]),
    read("s3", "GetBucketTagging", &["s3:GetBucketTagging"]),
    read(
        "s3",
        "GetPublicAccessBlock",
        &["s3:GetBucketPublicAccessBlock"],
    ),
    read(
        "s3",
        "GetBucketEncryption",
        &["s3:GetEncryptionConfiguration"],
    ),
    read("s3", "GetBucketPolicy", &["s3:GetBucketPolicy"]),
];

/// Every operation the remediator may call: the reads, then the declared writes.
pub fn all() -> impl Iterator<Item = &'static Operation> {
    READS.iter().chain(WRITES)
}

/// The operation `service:name`, if the remediator can call it.
pub fn find(service: &str, name: &str) -> Option<&'static Operation> {
    all().find(|o| o.service == service && o.name == name)
}

/// The IAM actions the remediator needs, sorted and without duplicates.
pub fn actions() -> Vec<&'static str> {
    let mut actions: Vec<&'static str> = all().flat_map(|o| o.actions.iter().copied()).collect();
    actions.sort_unstable();
    actions.dedup();
    actions
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remediate::model::restore_op;
    use std::collections::BTreeSet;

    #[test]
    fn every_operation_is_declared_once_as_a_write() {
        let ops = Op::samples();
        assert_eq!(ops.len(), WRITES.len());
        let mut names = BTreeSet::new();
        for op in &ops {
            let (service, name) = op.api();
            let listed =
                find(service, name).unwrap_or_else(|| panic!("{service}:{name} not listed"));
            assert_eq!(listed.kind, Kind::Write, "{name}");
            assert!(!listed.actions.is_empty(), "{name} needs no permission?");
            assert!(names.insert(name), "{name} twice");
            // The variant serializes as the API name it calls.
            let v = serde_json::to_value(op).expect("json");
            assert_eq!(v["op"], name);
            assert_eq!(serde_json::from_value::<Op>(v).ok().as_ref(), Some(op));
        }
    }

    /// What a declaration says a call sets is what `restore_op` reaches with the same call
    /// (except that rollback never recreates what was deleted): the two cannot drift apart.
    #[test]
    fn restore_op_gives_back_every_declared_effect() {
        let currents = [
            Value::Null,
            json!({"id": "x", "KeyState": "PendingDeletion", "GatewayId": "x"}),
        ];
        let mut failures = Vec::new();
        for op in Op::samples() {
            // A document to put (the samples' are null, which reads as "absent").
            let mut v = serde_json::to_value(&op).expect("json");
            for field in ["document", "configuration"] {
                if v.get(field).is_some_and(Value::is_null) {
                    v[field] = json!({"Version": "2012-10-17", "Statement": []});
                }
            }
            let op: Op = serde_json::from_value(v).expect("op");
            let Some((aspect, value)) = op.effect() else {
                continue;
            };
            let restored: Vec<&str> = currents
                .iter()
                .filter_map(|current| restore_op(&aspect, current, &value).ok())
                .map(|o| o.name())
                .collect();
            // Rollback deletes what an apply created, and does not create it again.
            let not_recreated = restore_op(&aspect, &Value::Null, &value)
                .is_err_and(|e| e.0.contains("cannot be recreated"));
            if !restored.contains(&op.name()) && !not_recreated {
                failures.push(format!(
                    "{}: restore_op({aspect:?}, _, {value}) gives {restored:?}",
                    op.name()
                ));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn operations_are_unique_and_well_formed() {
        let mut seen = BTreeSet::new();
        for o in all() {
            assert!(
                seen.insert((o.service, o.name)),
                "{}:{} twice",
                o.service,
                o.name
            );
            for a in o.actions {
                let (svc, name) = a.split_once(':').expect("service:Action");
                assert!(
                    !svc.is_empty() && name.starts_with(|c: char| c.is_ascii_uppercase()),
                    "{a}"
                );
            }
        }
        assert!(READS.iter().all(|o| o.kind == Kind::Read));
    }

    /// The shipped policy grants exactly the actions the remediator can need.
    #[test]
    fn remediate_policy_grants_exactly_the_remediator_actions() {
        let text = include_str!("../../policies/iam/mlguard-remediate-policy.json");
        let granted = crate::collect::operations::tests::granted_actions(text);
        let needed: BTreeSet<String> = actions().into_iter().map(String::from).collect();
        assert_eq!(
            granted, needed,
            "policies/iam/mlguard-remediate-policy.json and remediate::operations disagree"
        );
    }
}
