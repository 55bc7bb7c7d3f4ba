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
        "Notebook network and root settings are fixed at creation: stop the notebook, create a replacement in a private subnet with DirectInternetAccess=Disabled and RootAccess=Disabled, move the work, delete the old one",
        "none: not applied",
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
