//! Every AWS API operation `remediate --apply`, `rollback`, `harden` and `teardown` can call,
//! and the IAM actions that authorize it.
//!
//! This list is the single source of truth for what mlguard changes: the shipped policy
//! `policies/iam/mlguard-remediate-policy.json` grants exactly these actions (a test holds
//! them equal), and the integration tests check that every call an apply makes is listed.
//! Planning from a live scan and the check after an apply collect the account, which needs
//! `policies/iam/mlguard-scan-policy.json` as well.

/// What a call does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Reads an aspect, resolves a reference, or takes an inventory.
    Read,
    /// Changes the account (one [`super::model::Op`]).
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

const fn write(
    service: &'static str,
    name: &'static str,
    actions: &'static [&'static str],
) -> Operation {
    Operation {
        service,
        name,
        actions,
        kind: Kind::Write,
    }
}

/// The operations, by service.
pub const OPERATIONS: &[Operation] = &[
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
    write(
        "iam",
        "UpdateAssumeRolePolicy",
        &["iam:UpdateAssumeRolePolicy"],
    ),
    write("iam", "PutRolePolicy", &["iam:PutRolePolicy"]),
    write("iam", "DeleteRolePolicy", &["iam:DeleteRolePolicy"]),
    write("iam", "AttachRolePolicy", &["iam:AttachRolePolicy"]),
    write("iam", "DetachRolePolicy", &["iam:DetachRolePolicy"]),
    write(
        "iam",
        "PutRolePermissionsBoundary",
        &["iam:PutRolePermissionsBoundary"],
    ),
    write(
        "iam",
        "DeleteRolePermissionsBoundary",
        &["iam:DeleteRolePermissionsBoundary"],
    ),
    // Tags given at creation need the tagging action too.
    write(
        "iam",
        "CreatePolicy",
        &["iam:CreatePolicy", "iam:TagPolicy"],
    ),
    write("iam", "DeletePolicy", &["iam:DeletePolicy"]),
    write("iam", "CreateRole", &["iam:CreateRole", "iam:TagRole"]),
    write("iam", "DeleteRole", &["iam:DeleteRole"]),
    // KMS
    read("kms", "ListKeys", &["kms:ListKeys"]),
    read("kms", "ListAliases", &["kms:ListAliases"]),
    read("kms", "DescribeKey", &["kms:DescribeKey"]),
    read("kms", "ListResourceTags", &["kms:ListResourceTags"]),
    read("kms", "GetKeyRotationStatus", &["kms:GetKeyRotationStatus"]),
    read("kms", "GetKeyPolicy", &["kms:GetKeyPolicy"]),
    write("kms", "EnableKeyRotation", &["kms:EnableKeyRotation"]),
    write("kms", "DisableKeyRotation", &["kms:DisableKeyRotation"]),
    write("kms", "PutKeyPolicy", &["kms:PutKeyPolicy"]),
    write("kms", "CancelKeyDeletion", &["kms:CancelKeyDeletion"]),
    write("kms", "ScheduleKeyDeletion", &["kms:ScheduleKeyDeletion"]),
    write("kms", "EnableKey", &["kms:EnableKey"]),
    write("kms", "DisableKey", &["kms:DisableKey"]),
    write("kms", "CreateKey", &["kms:CreateKey", "kms:TagResource"]),
    write("kms", "CreateAlias", &["kms:CreateAlias"]),
    write("kms", "DeleteAlias", &["kms:DeleteAlias"]),
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
    write(
        "ec2",
        "AuthorizeSecurityGroupIngress",
        &["ec2:AuthorizeSecurityGroupIngress"],
    ),
    write(
        "ec2",
        "RevokeSecurityGroupIngress",
        &["ec2:RevokeSecurityGroupIngress"],
    ),
    write(
        "ec2",
        "AuthorizeSecurityGroupEgress",
        &["ec2:AuthorizeSecurityGroupEgress"],
    ),
    write(
        "ec2",
        "RevokeSecurityGroupEgress",
        &["ec2:RevokeSecurityGroupEgress"],
    ),
    write(
        "ec2",
        "ModifySubnetAttribute",
        &["ec2:ModifySubnetAttribute"],
    ),
    write("ec2", "ModifyVpcAttribute", &["ec2:ModifyVpcAttribute"]),
    // Flow logs to S3 are delivered by CloudWatch Logs on the caller's behalf.
    write(
        "ec2",
        "CreateFlowLogs",
        &[
            "ec2:CreateFlowLogs",
            "ec2:CreateTags",
            "logs:CreateLogDelivery",
            "logs:DeleteLogDelivery",
        ],
    ),
    write(
        "ec2",
        "DeleteFlowLogs",
        &["ec2:DeleteFlowLogs", "logs:DeleteLogDelivery"],
    ),
    write("ec2", "CreateRoute", &["ec2:CreateRoute"]),
    write("ec2", "DeleteRoute", &["ec2:DeleteRoute"]),
    write(
        "ec2",
        "CreateNetworkAclEntry",
        &["ec2:CreateNetworkAclEntry"],
    ),
    write(
        "ec2",
        "ReplaceNetworkAclEntry",
        &["ec2:ReplaceNetworkAclEntry"],
    ),
    write(
        "ec2",
        "DeleteNetworkAclEntry",
        &["ec2:DeleteNetworkAclEntry"],
    ),
    write(
        "ec2",
        "CreateVpcEndpoint",
        &["ec2:CreateVpcEndpoint", "ec2:CreateTags"],
    ),
    write("ec2", "DeleteVpcEndpoints", &["ec2:DeleteVpcEndpoints"]),
    write(
        "ec2",
        "CreateSecurityGroup",
        &["ec2:CreateSecurityGroup", "ec2:CreateTags"],
    ),
    write("ec2", "DeleteSecurityGroup", &["ec2:DeleteSecurityGroup"]),
    write("ec2", "CreateVpc", &["ec2:CreateVpc", "ec2:CreateTags"]),
    write("ec2", "DeleteVpc", &["ec2:DeleteVpc"]),
    write(
        "ec2",
        "CreateSubnet",
        &["ec2:CreateSubnet", "ec2:CreateTags"],
    ),
    write("ec2", "DeleteSubnet", &["ec2:DeleteSubnet"]),
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
    write("s3", "CreateBucket", &["s3:CreateBucket"]),
    write("s3", "DeleteBucket", &["s3:DeleteBucket"]),
    write("s3", "PutBucketTagging", &["s3:PutBucketTagging"]),
    write("s3", "DeleteBucketTagging", &["s3:PutBucketTagging"]),
    write(
        "s3",
        "PutPublicAccessBlock",
        &["s3:PutBucketPublicAccessBlock"],
    ),
    write(
        "s3",
        "DeletePublicAccessBlock",
        &["s3:PutBucketPublicAccessBlock"],
    ),
    write(
        "s3",
        "PutBucketEncryption",
        &["s3:PutEncryptionConfiguration"],
    ),
    write(
        "s3",
        "DeleteBucketEncryption",
        &["s3:PutEncryptionConfiguration"],
    ),
    write("s3", "PutBucketPolicy", &["s3:PutBucketPolicy"]),
    write("s3", "DeleteBucketPolicy", &["s3:DeleteBucketPolicy"]),
];

/// The operation `service:name`, if the remediator can call it.
pub fn find(service: &str, name: &str) -> Option<&'static Operation> {
    OPERATIONS
        .iter()
        .find(|o| o.service == service && o.name == name)
}

/// The IAM actions the remediator needs, sorted and without duplicates.
pub fn actions() -> Vec<&'static str> {
    let mut actions: Vec<&'static str> = OPERATIONS
        .iter()
        .flat_map(|o| o.actions.iter().copied())
        .collect();
    actions.sort_unstable();
    actions.dedup();
    actions
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remediate::model::{AclEntry, Op, SgRule, Tags};
    use serde_json::Value;
    use std::collections::BTreeSet;

    /// One of every operation (the match below stops compiling when a variant is added
    /// without being listed here).
    fn every_op() -> Vec<Op> {
        let s = String::new;
        let rule = SgRule::tcp(443);
        let entry = AclEntry {
            rule_number: 1,
            egress: false,
            protocol: "-1".into(),
            rule_action: "allow".into(),
            cidr_block: None,
            ipv6_cidr_block: None,
            port_from: None,
            port_to: None,
        };
        let ops = vec![
            Op::UpdateAssumeRolePolicy {
                role_name: s(),
                document: Value::Null,
            },
            Op::PutRolePolicy {
                role_name: s(),
                policy_name: s(),
                document: Value::Null,
            },
            Op::DeleteRolePolicy {
                role_name: s(),
                policy_name: s(),
            },
            Op::AttachRolePolicy {
                role_name: s(),
                policy_arn: s(),
            },
            Op::DetachRolePolicy {
                role_name: s(),
                policy_arn: s(),
            },
            Op::PutRolePermissionsBoundary {
                role_name: s(),
                policy_arn: s(),
            },
            Op::DeleteRolePermissionsBoundary { role_name: s() },
            Op::CreatePolicy {
                policy_name: s(),
                path: s(),
                description: s(),
                document: Value::Null,
                tags: Tags::new(),
            },
            Op::DeletePolicy { policy_arn: s() },
            Op::CreateRole {
                role_name: s(),
                description: s(),
                document: Value::Null,
                permissions_boundary: None,
                tags: Tags::new(),
            },
            Op::DeleteRole { role_name: s() },
            Op::EnableKeyRotation {
                region: s(),
                key_id: s(),
            },
            Op::DisableKeyRotation {
                region: s(),
                key_id: s(),
            },
            Op::PutKeyPolicy {
                region: s(),
                key_id: s(),
                document: Value::Null,
            },
            Op::CancelKeyDeletion {
                region: s(),
                key_id: s(),
            },
            Op::ScheduleKeyDeletion {
                region: s(),
                key_id: s(),
                pending_window_in_days: 7,
            },
            Op::EnableKey {
                region: s(),
                key_id: s(),
            },
            Op::DisableKey {
                region: s(),
                key_id: s(),
            },
            Op::CreateKey {
                region: s(),
                description: s(),
                document: Value::Null,
                tags: Tags::new(),
            },
            Op::CreateAlias {
                region: s(),
                alias_name: s(),
                target_key_id: s(),
            },
            Op::DeleteAlias {
                region: s(),
                alias_name: s(),
            },
            Op::AuthorizeSecurityGroupIngress {
                region: s(),
                group_id: s(),
                rule: rule.clone(),
                description: None,
            },
            Op::RevokeSecurityGroupIngress {
                region: s(),
                group_id: s(),
                rule: rule.clone(),
                description: None,
            },
            Op::AuthorizeSecurityGroupEgress {
                region: s(),
                group_id: s(),
                rule: rule.clone(),
                description: None,
            },
            Op::RevokeSecurityGroupEgress {
                region: s(),
                group_id: s(),
                rule,
                description: None,
            },
            Op::ModifySubnetAttribute {
                region: s(),
                subnet_id: s(),
                map_public_ip_on_launch: false,
            },
            Op::ModifyVpcAttribute {
                region: s(),
                vpc_id: s(),
                enable_dns_hostnames: true,
            },
            Op::CreateFlowLogs {
                region: s(),
                resource_id: s(),
                log_destination: s(),
                tags: Tags::new(),
            },
            Op::DeleteFlowLogs {
                region: s(),
                flow_log_id: s(),
            },
            Op::CreateRoute {
                region: s(),
                route_table_id: s(),
                destination: s(),
                gateway_id: s(),
            },
            Op::DeleteRoute {
                region: s(),
                route_table_id: s(),
                destination: s(),
            },
            Op::CreateNetworkAclEntry {
                region: s(),
                network_acl_id: s(),
                entry: entry.clone(),
            },
            Op::ReplaceNetworkAclEntry {
                region: s(),
                network_acl_id: s(),
                entry,
            },
            Op::DeleteNetworkAclEntry {
                region: s(),
                network_acl_id: s(),
                rule_number: 1,
                egress: false,
            },
            Op::CreateVpcEndpoint {
                region: s(),
                vpc_id: s(),
                service_name: s(),
                endpoint_type: s(),
                route_table_ids: vec![],
                subnet_ids: vec![],
                security_group_ids: vec![],
                private_dns_enabled: false,
                tags: Tags::new(),
            },
            Op::DeleteVpcEndpoints {
                region: s(),
                vpc_endpoint_id: s(),
            },
            Op::CreateSecurityGroup {
                region: s(),
                vpc_id: s(),
                group_name: s(),
                description: s(),
                tags: Tags::new(),
            },
            Op::DeleteSecurityGroup {
                region: s(),
                group_id: s(),
            },
            Op::CreateVpc {
                region: s(),
                cidr_block: s(),
                tags: Tags::new(),
            },
            Op::DeleteVpc {
                region: s(),
                vpc_id: s(),
            },
            Op::CreateSubnet {
                region: s(),
                vpc_id: s(),
                cidr_block: s(),
                availability_zone: s(),
                tags: Tags::new(),
            },
            Op::DeleteSubnet {
                region: s(),
                subnet_id: s(),
            },
            Op::CreateBucket {
                bucket: s(),
                region: s(),
            },
            Op::DeleteBucket {
                bucket: s(),
                region: s(),
            },
            Op::PutBucketTagging {
                bucket: s(),
                region: s(),
                tags: Tags::new(),
            },
            Op::DeleteBucketTagging {
                bucket: s(),
                region: s(),
            },
            Op::PutPublicAccessBlock {
                bucket: s(),
                region: s(),
                block_public_acls: true,
                ignore_public_acls: true,
                block_public_policy: true,
                restrict_public_buckets: true,
            },
            Op::DeletePublicAccessBlock {
                bucket: s(),
                region: s(),
            },
            Op::PutBucketEncryption {
                bucket: s(),
                region: s(),
                configuration: Value::Null,
            },
            Op::DeleteBucketEncryption {
                bucket: s(),
                region: s(),
            },
            Op::PutBucketPolicy {
                bucket: s(),
                region: s(),
                document: Value::Null,
            },
            Op::DeleteBucketPolicy {
                bucket: s(),
                region: s(),
            },
        ];
        for op in &ops {
            match op {
                Op::UpdateAssumeRolePolicy { .. }
                | Op::PutRolePolicy { .. }
                | Op::DeleteRolePolicy { .. }
                | Op::AttachRolePolicy { .. }
                | Op::DetachRolePolicy { .. }
                | Op::PutRolePermissionsBoundary { .. }
                | Op::DeleteRolePermissionsBoundary { .. }
                | Op::CreatePolicy { .. }
                | Op::DeletePolicy { .. }
                | Op::CreateRole { .. }
                | Op::DeleteRole { .. }
                | Op::EnableKeyRotation { .. }
                | Op::DisableKeyRotation { .. }
                | Op::PutKeyPolicy { .. }
                | Op::CancelKeyDeletion { .. }
                | Op::ScheduleKeyDeletion { .. }
                | Op::EnableKey { .. }
                | Op::DisableKey { .. }
                | Op::CreateKey { .. }
                | Op::CreateAlias { .. }
                | Op::DeleteAlias { .. }
                | Op::AuthorizeSecurityGroupIngress { .. }
                | Op::RevokeSecurityGroupIngress { .. }
                | Op::AuthorizeSecurityGroupEgress { .. }
                | Op::RevokeSecurityGroupEgress { .. }
                | Op::ModifySubnetAttribute { .. }
                | Op::ModifyVpcAttribute { .. }
                | Op::CreateFlowLogs { .. }
                | Op::DeleteFlowLogs { .. }
                | Op::CreateRoute { .. }
                | Op::DeleteRoute { .. }
                | Op::CreateNetworkAclEntry { .. }
                | Op::ReplaceNetworkAclEntry { .. }
                | Op::DeleteNetworkAclEntry { .. }
                | Op::CreateVpcEndpoint { .. }
                | Op::DeleteVpcEndpoints { .. }
                | Op::CreateSecurityGroup { .. }
                | Op::DeleteSecurityGroup { .. }
                | Op::CreateVpc { .. }
                | Op::DeleteVpc { .. }
                | Op::CreateSubnet { .. }
                | Op::DeleteSubnet { .. }
                | Op::CreateBucket { .. }
                | Op::DeleteBucket { .. }
                | Op::PutBucketTagging { .. }
                | Op::DeleteBucketTagging { .. }
                | Op::PutPublicAccessBlock { .. }
                | Op::DeletePublicAccessBlock { .. }
                | Op::PutBucketEncryption { .. }
                | Op::DeleteBucketEncryption { .. }
                | Op::PutBucketPolicy { .. }
                | Op::DeleteBucketPolicy { .. } => {}
            }
        }
        ops
    }

    #[test]
    fn every_operation_is_listed_as_a_write() {
        let ops = every_op();
        let mut names = BTreeSet::new();
        for op in &ops {
            let (service, name) = op.api();
            let listed =
                find(service, name).unwrap_or_else(|| panic!("{service}:{name} not listed"));
            assert_eq!(listed.kind, Kind::Write, "{name}");
            assert!(names.insert(name), "{name} twice");
        }
        let writes = OPERATIONS.iter().filter(|o| o.kind == Kind::Write).count();
        assert_eq!(writes, names.len(), "a listed write no operation makes");
    }

    #[test]
    fn operations_are_unique_and_well_formed() {
        let mut seen = BTreeSet::new();
        for o in OPERATIONS {
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
