//! mlguard's fixes, by id. Rule metadata names the fix that resolves it
//! (`remediation.action`); the loader refuses an id that is not listed here, and the rule
//! docs show each fix's applicability.

use serde::Serialize;
use std::fmt;

/// How safe a fix is to apply without review. Ordered: `Manual < Unsafe < Safe`.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Cannot be changed in place: explained, never applied.
    Manual,
    /// May break workloads: applied only with `--unsafe`.
    #[default]
    Unsafe,
    /// Reversible and without workload impact: applied by default.
    Safe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Manual => "manual",
            Applicability::Unsafe => "unsafe",
            Applicability::Safe => "safe",
        }
    }
}

impl fmt::Display for Applicability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ActionInfo {
    pub id: &'static str,
    pub applicability: Applicability,
    /// What the fix does.
    pub summary: &'static str,
    /// How rollback undoes it.
    pub inverse: &'static str,
    /// Fixes the plan adds beside this one when the resource needs them (each with its own
    /// applicability).
    pub with: &'static [&'static str],
}

const fn a(
    id: &'static str,
    applicability: Applicability,
    summary: &'static str,
    inverse: &'static str,
) -> ActionInfo {
    ActionInfo {
        id,
        applicability,
        summary,
        inverse,
        with: &[],
    }
}

impl ActionInfo {
    const fn with(mut self, with: &'static [&'static str]) -> ActionInfo {
        self.with = with;
        self
    }
}

use Applicability::{Manual, Safe, Unsafe};

pub static ACTIONS: &[ActionInfo] = &[
    // least privilege
    a(
        "iam-restrict-trust-policy",
        Unsafe,
        "UpdateAssumeRolePolicy: an ML execution role trusts only sagemaker.amazonaws.com, with aws:SourceAccount set to the account; on any other role each statement open to any principal gets an aws:PrincipalAccount condition (only the account's own principals stay trusted)",
        "UpdateAssumeRolePolicy with the recorded trust policy",
    ),
    a(
        "iam-add-source-account-condition",
        Unsafe,
        "UpdateAssumeRolePolicy: add \"StringEquals\": {\"aws:SourceAccount\": <account>} to each statement that trusts an AWS service principal, keeping its principals and actions",
        "UpdateAssumeRolePolicy with the recorded trust policy",
    ),
    a(
        "iam-replace-broad-policies",
        Unsafe,
        "For an ML execution role: PutRolePolicy mlguard-scoped-access (read and write the role's S3 buckets, its CloudWatch Logs, the --kms-key keys), then DetachRolePolicy of AdministratorAccess and the broad AWS-managed policies and DeleteRolePolicy of the inline policies with wildcard actions, NotAction, NotResource, escalation actions or data actions on every resource. The buckets are --bucket, else those the role's policies name, else the SageMaker default bucket; any other role is left to a manual fix",
        "AttachRolePolicy / PutRolePolicy of each recorded policy; DeleteRolePolicy of mlguard-scoped-access",
    ),
    a(
        "iam-add-permissions-boundary",
        Unsafe,
        "CreatePolicy /mlguard/mlguard-ml-boundary (SageMaker, S3, CloudWatch Logs, ECR pulls, KMS data keys, VPC network interfaces, iam:PassRole to SageMaker only) when it does not exist, then PutRolePermissionsBoundary on the ML execution role",
        "DeleteRolePermissionsBoundary (or PutRolePermissionsBoundary of the recorded boundary); DeletePolicy of the boundary mlguard created",
    ),
    a(
        "iam-require-external-id-or-mfa",
        Manual,
        "Agree on an external id with the third party and add \"StringEquals\": {\"sts:ExternalId\": ...} to the trust statement, or require MFA for people (\"Bool\": {\"aws:MultiFactorAuthPresent\": \"true\"}); only the role's owner knows which applies",
        "none: not applied",
    ),
    a(
        "iam-delete-unused-role",
        Manual,
        "Confirm with the owner that the role is no longer needed, then detach its policies, remove it from its instance profiles and DeleteRole; deleting is not reversible, so mlguard never does it",
        "none: not applied",
    ),
    // network isolation
    a(
        "ec2-revoke-open-ingress",
        Safe,
        "RevokeSecurityGroupIngress of the rules whose ranges make all traffic or an administration port reachable from the whole internet: 0.0.0.0/0 or ::/0, or ranges of the group that together cover every IPv4 or IPv6 address (0.0.0.0/1 and 128.0.0.0/1), the widest first and, while the rest still covers it, the next widest; narrower rules stay",
        "AuthorizeSecurityGroupIngress of the recorded rules, descriptions included",
    ),
    a(
        "ec2-restrict-ingress-to-trusted",
        Safe,
        "AuthorizeSecurityGroupIngress of tcp/443 from --allowed-cidr, then RevokeSecurityGroupIngress of every rule that admits more than tcp/443 from the trusted CIDRs (without --allowed-cidr the plan lists the fix as manual)",
        "AuthorizeSecurityGroupIngress of the recorded rules; RevokeSecurityGroupIngress of the added one",
    ),
    a(
        "ec2-empty-default-security-group",
        Safe,
        "RevokeSecurityGroupIngress and RevokeSecurityGroupEgress of every rule of the default security group",
        "AuthorizeSecurityGroupIngress / Egress of the recorded rules",
    ),
    a(
        "ec2-create-flow-logs",
        Safe,
        "CreateFlowLogs for the VPC (all traffic) to --flow-logs-destination, or to the S3 bucket mlguard-flow-logs-<account>-<region> that mlguard creates and tags (SSE-KMS with a customer-managed key, TLS-only policy, public access blocked)",
        "DeleteFlowLogs of the created flow log; the bucket's settings restored and DeleteBucket of the bucket mlguard created (refused by S3 while it holds logs)",
    ),
    a(
        "ec2-disable-public-ip-on-launch",
        Safe,
        "ModifySubnetAttribute MapPublicIpOnLaunch=false",
        "ModifySubnetAttribute MapPublicIpOnLaunch=true",
    )
    .with(&["ec2-remove-internet-route"]),
    a(
        "ec2-remove-internet-route",
        Unsafe,
        "DeleteRoute of the routes to an internet gateway in the subnet's route table whose destinations make the whole internet: 0.0.0.0/0 and ::/0, or ranges that together cover every address such as 0.0.0.0/1 and 128.0.0.0/1 (every subnet using that table loses its internet path)",
        "CreateRoute of the recorded routes",
    ),
    a(
        "ec2-restrict-network-acl",
        Unsafe,
        "ReplaceNetworkAclEntry of each inbound allow entry whose range makes all traffic or an administration port reachable from the whole internet (0.0.0.0/0 or ::/0, or ranges that together cover every address, in rule number order against the deny entries), with the VPC's own CIDR as its source (an IPv6 entry is deleted when the VPC has no IPv6 range); traffic from outside the VPC, responses included, is refused afterwards",
        "ReplaceNetworkAclEntry (or CreateNetworkAclEntry) with the recorded entry",
    ),
    a(
        "ec2-revoke-open-egress",
        Unsafe,
        "AuthorizeSecurityGroupEgress of tcp/443 to the same range and of all traffic to the group itself, then RevokeSecurityGroupEgress of the ML security group's all-traffic rules to 0.0.0.0/0 and ::/0 or to ranges that together cover every address (HTTPS still reaches VPC endpoints and S3)",
        "AuthorizeSecurityGroupEgress of the recorded rules; RevokeSecurityGroupEgress of the added ones",
    ),
    a(
        "ec2-create-sagemaker-endpoints",
        Unsafe,
        "For the missing services: ModifyVpcAttribute EnableDnsHostnames (interface endpoints resolve the services' names), CreateSecurityGroup mlguard-vpc-endpoints admitting tcp/443 from the VPC's CIDR, and CreateVpcEndpoint of the S3 gateway endpoint on the VPC's route tables and of the SageMaker API and runtime interface endpoints in one subnet per availability zone with private DNS; S3 traffic then leaves through the endpoint, which breaks bucket policies that match the NAT's public address (aws:SourceIp)",
        "DeleteVpcEndpoints of the created endpoints, DeleteSecurityGroup of the group mlguard created, ModifyVpcAttribute with the recorded DNS setting",
    ),
    a(
        "sagemaker-recreate-notebook",
        Manual,
        "Notebook network settings are fixed at creation: stop the notebook, create a replacement in a private subnet with DirectInternetAccess=Disabled and RootAccess=Disabled, move the work, delete the old one",
        "none: not applied",
    ),
    a(
        "sagemaker-disable-notebook-root-access",
        Manual,
        "RootAccess changes only on a stopped notebook: when its users are done, StopNotebookInstance, UpdateNotebookInstance RootAccess=Disabled, StartNotebookInstance; mlguard never stops a running notebook",
        "none: not applied",
    ),
    a(
        "sagemaker-domain-vpc-only",
        Manual,
        "Delete the domain's running apps, then UpdateDomain AppNetworkAccessType=VpcOnly with private subnets and ML security groups; the VPC needs endpoints for the SageMaker API and runtime, STS and S3 (or a NAT gateway) first",
        "none: not applied",
    ),
    a(
        "sagemaker-recreate-with-network-isolation",
        Manual,
        "Models and training jobs cannot be changed: create the model again (and an endpoint config pointing at it), or run the next training job, with EnableNetworkIsolation=true or a VpcConfig of private subnets and ML security groups",
        "none: not applied",
    ),
    a(
        "sagemaker-move-out-of-default-vpc",
        Manual,
        "Create a custom VPC with private subnets (mlguard harden builds one) and recreate the notebooks, domains, models and training jobs in it",
        "none: not applied",
    ),
    // encryption
    a(
        "kms-enable-rotation",
        Safe,
        "EnableKeyRotation",
        "DisableKeyRotation",
    ),
    a(
        "kms-restrict-key-policy",
        Unsafe,
        "PutKeyPolicy without the statements that allow any principal without a restricting condition (the account's root statement is added when no statement would administer the key)",
        "PutKeyPolicy with the recorded policy",
    ),
    a(
        "kms-cancel-deletion",
        Safe,
        "CancelKeyDeletion (when the key is pending deletion), then EnableKey",
        "DisableKey, then ScheduleKeyDeletion with the window left to the recorded deletion date (7-30 days)",
    ),
    a(
        "kms-create-key",
        Safe,
        "CreateKey (symmetric, customer managed, a key policy for the account and for VPC flow log delivery, tagged mlguard:managed), EnableKeyRotation, CreateAlias alias/mlguard-ml-data",
        "DeleteAlias and ScheduleKeyDeletion of the created key (7-day window)",
    ),
    a(
        "kms-repair-key-reference",
        Manual,
        "Cancel the deletion of, or enable, the key the resource names (DE-003's fix), or recreate the resource with a usable customer-managed key; a missing key cannot be brought back",
        "none: not applied",
    ),
    a(
        "s3-block-public-access",
        Safe,
        "PutPublicAccessBlock with all four settings on",
        "PutPublicAccessBlock with the recorded settings (DeletePublicAccessBlock if there were none)",
    ),
    a(
        "s3-default-encryption-kms",
        Safe,
        "PutBucketEncryption with SSE-KMS, a bucket key, and a customer-managed key: --kms-key, else the region's only usable customer-managed key (one mlguard manages, or the one SageMaker resources use, first)",
        "PutBucketEncryption with the recorded configuration (DeleteBucketEncryption if there was none)",
    ),
    a(
        "s3-deny-insecure-transport",
        Safe,
        "PutBucketPolicy adding a statement that denies s3:* on the bucket and its objects when aws:SecureTransport is false",
        "PutBucketPolicy with the recorded policy (DeleteBucketPolicy if there was none)",
    ),
    a(
        "sagemaker-recreate-notebook-with-kms",
        Manual,
        "A notebook's volume key is fixed at creation: stop the notebook, create a replacement with KmsKeyId set to a customer-managed key, move the work, delete the old one",
        "none: not applied",
    ),
    a(
        "sagemaker-recreate-endpoint-config-with-kms",
        Manual,
        "Endpoint configs cannot be changed: create a copy with KmsKeyId set to a customer-managed key, UpdateEndpoint to it, then delete the old config",
        "none: not applied",
    ),
    a(
        "sagemaker-training-job-kms",
        Manual,
        "Training jobs cannot be changed: set OutputDataConfig.KmsKeyId and ResourceConfig.VolumeKmsKeyId to a customer-managed key, and EnableInterContainerTrafficEncryption for distributed jobs, in whatever launches new jobs (pipelines, estimators)",
        "none: not applied",
    ),
    a(
        "sagemaker-recreate-domain-with-kms",
        Manual,
        "A domain's KmsKeyId is fixed at creation: create a replacement domain with KmsKeyId set to a customer-managed key, move user profiles, spaces and their EFS data, delete the old domain",
        "none: not applied",
    ),
];

/// The fix with this id.
pub fn action(id: &str) -> Option<&'static ActionInfo> {
    ACTIONS.iter().find(|a| a.id == id)
}

/// The applicability of the fix with this id: what the plan gives its actions and the docs
/// print. A fix missing from the catalogue is unsafe (the default, STYLE.md).
pub fn applicability(id: &str) -> Applicability {
    action(id).map_or(Applicability::Unsafe, |a| a.applicability)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/remediation.md lists every fix with its applicability.
    #[test]
    fn the_docs_list_every_fix() {
        let doc = include_str!("../../docs/remediation.md");
        for a in ACTIONS {
            let row = format!("| `{}` |", a.id);
            let line = doc
                .lines()
                .find(|l| l.starts_with(&row))
                .unwrap_or_else(|| panic!("docs/remediation.md has no row for {}", a.id));
            assert!(
                line.contains(&format!(" | {} | ", a.applicability)),
                "docs/remediation.md: {} is {}: {line}",
                a.id,
                a.applicability
            );
        }
    }

    /// The plan takes each fix's applicability from here; an unknown fix is unsafe.
    #[test]
    fn applicability_comes_from_the_catalogue() {
        assert_eq!(
            applicability("ec2-revoke-open-ingress"),
            Applicability::Safe
        );
        assert_eq!(
            applicability("ec2-revoke-open-egress"),
            Applicability::Unsafe
        );
        assert_eq!(applicability("no-such-fix"), Applicability::Unsafe);
        for a in ACTIONS {
            assert_eq!(applicability(a.id), a.applicability, "{}", a.id);
        }
    }

    #[test]
    fn ids_are_unique() {
        for a in ACTIONS {
            for w in a.with {
                assert!(action(w).is_some(), "{}: unknown companion {w}", a.id);
            }
        }
        let mut ids: Vec<_> = ACTIONS.iter().map(|a| a.id).collect();
        ids.sort_unstable();
        let before = ids.len();
        ids.dedup();
        assert_eq!(before, ids.len());
        assert!(
            Applicability::Manual < Applicability::Unsafe
                && Applicability::Unsafe < Applicability::Safe
        );
    }
}
