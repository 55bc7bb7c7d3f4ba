//! mlguard's fixes, by id. Rule metadata names the fix that resolves it
//! (`remediation.action`); the loader refuses an id that is not listed here, and the rule
//! docs show each fix's applicability.

use serde::Serialize;
use std::fmt;

/// How safe a fix is to apply without review. Ordered: `Manual < Unsafe < Safe`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Cannot be changed in place: explained, never applied.
    Manual,
    /// May break workloads: applied only with `--unsafe`.
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
    }
}

use Applicability::{Manual, Safe, Unsafe};

pub static ACTIONS: &[ActionInfo] = &[
    a(
        "iam-restrict-trust-policy",
        Unsafe,
        "UpdateAssumeRolePolicy: trust only sagemaker.amazonaws.com, with aws:SourceAccount set to the account",
        "UpdateAssumeRolePolicy with the recorded trust policy",
    ),
    a(
        "iam-replace-broad-policies",
        Unsafe,
        "DetachRolePolicy of AdministratorAccess and broad AWS-managed policies (and DeleteRolePolicy of wildcard inline policies); PutRolePolicy of a generated policy scoped to the role's S3 buckets and CloudWatch Logs",
        "AttachRolePolicy / PutRolePolicy of each recorded policy; DeleteRolePolicy of the generated one",
    ),
    a(
        "iam-scope-wildcard-actions",
        Manual,
        "Replace service-wide wildcard actions with the actions the workload calls (IAM Access Analyzer policy generation lists them)",
        "none: not applied",
    ),
    a(
        "iam-scope-passrole",
        Manual,
        "Restrict iam:PassRole to the ARNs of the roles the workload passes, with an iam:PassedToService condition",
        "none: not applied",
    ),
    a(
        "ec2-revoke-open-ingress",
        Safe,
        "RevokeSecurityGroupIngress of each rule open to 0.0.0.0/0 or ::/0",
        "AuthorizeSecurityGroupIngress of the recorded rules",
    ),
    a(
        "ec2-restrict-ingress-to-trusted",
        Safe,
        "RevokeSecurityGroupIngress of the rules that admit more than tcp/443 from the trusted CIDRs; AuthorizeSecurityGroupIngress of tcp/443 from --allowed-cidr",
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
        "CreateFlowLogs for the VPC (all traffic) to --flow-logs-destination, or to an S3 bucket mlguard creates (SSE-KMS, TLS-only, public access blocked)",
        "DeleteFlowLogs of the created flow log (and deletion of the bucket mlguard created, once empty)",
    ),
    a(
        "ec2-disable-public-ip-on-launch",
        Safe,
        "ModifySubnetAttribute MapPublicIpOnLaunch=false",
        "ModifySubnetAttribute MapPublicIpOnLaunch=true",
    ),
    a(
        "ec2-remove-internet-route",
        Unsafe,
        "DeleteRoute of the 0.0.0.0/0 and ::/0 routes to an internet gateway in the subnet's route table",
        "CreateRoute of the recorded routes",
    ),
    a(
        "kms-enable-rotation",
        Safe,
        "EnableKeyRotation",
        "DisableKeyRotation",
    ),
    a(
        "kms-restrict-key-policy",
        Unsafe,
        "PutKeyPolicy without the statements that allow any principal without a restricting condition",
        "PutKeyPolicy with the recorded policy",
    ),
    a(
        "kms-cancel-deletion",
        Safe,
        "CancelKeyDeletion, then EnableKey",
        "ScheduleKeyDeletion with the recorded window / DisableKey",
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
        "PutBucketEncryption with SSE-KMS and a customer-managed key (--kms-key, or the hardened baseline's key)",
        "PutBucketEncryption with the recorded configuration (DeleteBucketEncryption if there was none)",
    ),
    a(
        "sagemaker-recreate-notebook",
        Manual,
        "Notebook network settings are fixed at creation: stop the notebook, create a replacement in a private subnet with DirectInternetAccess=Disabled and RootAccess=Disabled, move the work, delete the old one",
        "none: not applied",
    ),
    // encryption
    a(
        "kms-create-key",
        Safe,
        "CreateKey (symmetric, customer managed, key policy for the account and the SageMaker execution roles), EnableKeyRotation, CreateAlias alias/ml-data",
        "DeleteAlias and ScheduleKeyDeletion of the created key (7-day window)",
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
    // network isolation
    a(
        "sagemaker-disable-notebook-root-access",
        Unsafe,
        "StopNotebookInstance (when running), UpdateNotebookInstance RootAccess=Disabled, StartNotebookInstance (when it was running); interrupts the notebook's users",
        "UpdateNotebookInstance RootAccess=Enabled, with the same stop and start",
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
        "ec2-create-sagemaker-endpoints",
        Unsafe,
        "CreateVpcEndpoint for the missing services: the S3 gateway endpoint on the VPC's route tables, and the SageMaker API and runtime interface endpoints in the ML subnets with private DNS and a security group admitting tcp/443 from the VPC; S3 traffic then leaves through the endpoint, which breaks bucket policies that match the NAT's public address (aws:SourceIp)",
        "DeleteVpcEndpoints of the created endpoints (and DeleteSecurityGroup of the group mlguard created)",
    ),
    a(
        "ec2-restrict-network-acl",
        Manual,
        "Replace the network ACL's inbound allow entries from 0.0.0.0/0 and ::/0 with entries for the ports and ranges the subnets serve, or add lower-numbered deny entries for the administration ports",
        "none: not applied",
    ),
    a(
        "sagemaker-move-out-of-default-vpc",
        Manual,
        "Create a custom VPC with private subnets (mlguard harden builds one) and recreate the notebooks, domains, models and training jobs in it",
        "none: not applied",
    ),
    a(
        "ec2-revoke-open-egress",
        Unsafe,
        "RevokeSecurityGroupEgress of the ML security group's all-traffic rules to 0.0.0.0/0 and ::/0; AuthorizeSecurityGroupEgress of tcp/443 to the VPC's CIDR and the region's S3 prefix list, and of all traffic to the group itself",
        "AuthorizeSecurityGroupEgress of the recorded rules; RevokeSecurityGroupEgress of the added ones",
    ),
    // least privilege
    a(
        "iam-add-source-account-condition",
        Unsafe,
        "UpdateAssumeRolePolicy: add \"StringEquals\": {\"aws:SourceAccount\": <account>} to each statement that trusts an AWS service principal, keeping its principals and actions",
        "UpdateAssumeRolePolicy with the recorded trust policy",
    ),
];

/// The fix with this id.
pub fn action(id: &str) -> Option<&'static ActionInfo> {
    ACTIONS.iter().find(|a| a.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique() {
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
