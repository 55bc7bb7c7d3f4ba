//! Every AWS API operation the collector can call, and the IAM action that authorizes it.
//!
//! This list is the single source of truth for what mlguard reads: the shipped least-privilege
//! policy (`policies/iam/mlguard-scan-policy.json`) grants exactly these actions (a test holds
//! them equal), `docs/collection.md` explains each, and the integration tests check that every
//! call a scan makes appears here.

/// One operation the collector may call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// Service prefix, as in IAM actions and in snapshot gaps.
    pub service: &'static str,
    /// The API operation name.
    pub name: &'static str,
    /// The IAM action that authorizes it (`None`: no permission needed). S3 Control
    /// operations are authorized by `s3:` actions.
    pub action: Option<&'static str>,
    /// When the collector calls it.
    pub when: When,
}

/// When an operation is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// On every scan.
    Always,
    /// Only with `--regions all`, or to check the regions asked for exist and are enabled.
    Regions,
    /// Only with `--role-last-used`, or when a selected rule lists `iam:GetRole` in its inputs.
    RoleLastUsed,
    /// Only when a selected rule lists `sagemaker:ListTags` in its inputs.
    SageMakerTags,
    /// Only when ListBuckets does not report a bucket's region.
    BucketRegionMissing,
}

const fn op(
    service: &'static str,
    name: &'static str,
    action: &'static str,
    when: When,
) -> Operation {
    Operation {
        service,
        name,
        action: Some(action),
        when,
    }
}

/// The operations, grouped by service.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        service: "sts",
        name: "GetCallerIdentity",
        action: None,
        when: When::Always,
    },
    op(
        "ec2",
        "DescribeRegions",
        "ec2:DescribeRegions",
        When::Regions,
    ),
    op(
        "iam",
        "GetAccountAuthorizationDetails",
        "iam:GetAccountAuthorizationDetails",
        When::Always,
    ),
    op("iam", "GetRole", "iam:GetRole", When::RoleLastUsed),
    op("kms", "ListKeys", "kms:ListKeys", When::Always),
    op("kms", "ListAliases", "kms:ListAliases", When::Always),
    op("kms", "DescribeKey", "kms:DescribeKey", When::Always),
    op(
        "kms",
        "GetKeyRotationStatus",
        "kms:GetKeyRotationStatus",
        When::Always,
    ),
    op("kms", "GetKeyPolicy", "kms:GetKeyPolicy", When::Always),
    op(
        "kms",
        "ListResourceTags",
        "kms:ListResourceTags",
        When::Always,
    ),
    op("ec2", "DescribeVpcs", "ec2:DescribeVpcs", When::Always),
    op(
        "ec2",
        "DescribeSubnets",
        "ec2:DescribeSubnets",
        When::Always,
    ),
    op(
        "ec2",
        "DescribeRouteTables",
        "ec2:DescribeRouteTables",
        When::Always,
    ),
    op(
        "ec2",
        "DescribeInternetGateways",
        "ec2:DescribeInternetGateways",
        When::Always,
    ),
    op(
        "ec2",
        "DescribeNatGateways",
        "ec2:DescribeNatGateways",
        When::Always,
    ),
    op(
        "ec2",
        "DescribeVpcEndpoints",
        "ec2:DescribeVpcEndpoints",
        When::Always,
    ),
    op(
        "ec2",
        "DescribeSecurityGroups",
        "ec2:DescribeSecurityGroups",
        When::Always,
    ),
    op(
        "ec2",
        "DescribeNetworkAcls",
        "ec2:DescribeNetworkAcls",
        When::Always,
    ),
    op(
        "ec2",
        "DescribeFlowLogs",
        "ec2:DescribeFlowLogs",
        When::Always,
    ),
    op(
        "sagemaker",
        "ListNotebookInstances",
        "sagemaker:ListNotebookInstances",
        When::Always,
    ),
    op(
        "sagemaker",
        "DescribeNotebookInstance",
        "sagemaker:DescribeNotebookInstance",
        When::Always,
    ),
    op(
        "sagemaker",
        "ListDomains",
        "sagemaker:ListDomains",
        When::Always,
    ),
    op(
        "sagemaker",
        "DescribeDomain",
        "sagemaker:DescribeDomain",
        When::Always,
    ),
    op(
        "sagemaker",
        "ListTrainingJobs",
        "sagemaker:ListTrainingJobs",
        When::Always,
    ),
    op(
        "sagemaker",
        "DescribeTrainingJob",
        "sagemaker:DescribeTrainingJob",
        When::Always,
    ),
    op(
        "sagemaker",
        "ListModels",
        "sagemaker:ListModels",
        When::Always,
    ),
    op(
        "sagemaker",
        "DescribeModel",
        "sagemaker:DescribeModel",
        When::Always,
    ),
    op(
        "sagemaker",
        "ListEndpointConfigs",
        "sagemaker:ListEndpointConfigs",
        When::Always,
    ),
    op(
        "sagemaker",
        "DescribeEndpointConfig",
        "sagemaker:DescribeEndpointConfig",
        When::Always,
    ),
    op(
        "sagemaker",
        "ListTags",
        "sagemaker:ListTags",
        When::SageMakerTags,
    ),
    op("s3", "ListBuckets", "s3:ListAllMyBuckets", When::Always),
    op(
        "s3",
        "GetBucketLocation",
        "s3:GetBucketLocation",
        When::BucketRegionMissing,
    ),
    op(
        "s3",
        "GetBucketEncryption",
        "s3:GetEncryptionConfiguration",
        When::Always,
    ),
    op(
        "s3",
        "GetPublicAccessBlock",
        "s3:GetBucketPublicAccessBlock",
        When::Always,
    ),
    op("s3", "GetBucketPolicy", "s3:GetBucketPolicy", When::Always),
    op(
        "s3control",
        "GetPublicAccessBlock",
        "s3:GetAccountPublicAccessBlock",
        When::Always,
    ),
];

/// The operation `service:name`, if the collector can call it.
pub fn find(service: &str, name: &str) -> Option<&'static Operation> {
    OPERATIONS
        .iter()
        .find(|o| o.service == service && o.name == name)
}

/// The IAM actions a scan needs, sorted and without duplicates.
pub fn actions() -> Vec<&'static str> {
    let mut actions: Vec<&'static str> = OPERATIONS.iter().filter_map(|o| o.action).collect();
    actions.sort_unstable();
    actions.dedup();
    actions
}

/// The optional, per-resource calls a set of rules needs, from their `inputs` metadata.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Needs {
    /// GetRole for each role, to fill `RoleLastUsed`.
    pub role_last_used: bool,
    /// ListTags for each SageMaker resource.
    pub sagemaker_tags: bool,
}

impl Needs {
    /// What rules reading `inputs` (`service:Operation` strings) need beyond the default calls.
    pub fn from_inputs<'a>(inputs: impl IntoIterator<Item = &'a str>) -> Needs {
        let mut needs = Needs::default();
        for input in inputs {
            match input {
                "iam:GetRole" => needs.role_last_used = true,
                "sagemaker:ListTags" => needs.sagemaker_tags = true,
                _ => {}
            }
        }
        needs
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn operations_are_unique_and_well_formed() {
        let mut seen = BTreeSet::new();
        for o in OPERATIONS {
            assert!(
                seen.insert((o.service, o.name)),
                "{}:{} listed twice",
                o.service,
                o.name
            );
            assert!(
                o.name.starts_with(|c: char| c.is_ascii_uppercase()),
                "{}",
                o.name
            );
            if let Some(action) = o.action {
                let (svc, name) = action.split_once(':').expect("service:Action");
                let prefix = if o.service == "s3control" {
                    "s3"
                } else {
                    o.service
                };
                assert_eq!(svc, prefix, "{action} authorizes a call to another service");
                assert!(
                    name.starts_with(|c: char| c.is_ascii_uppercase()),
                    "{action}"
                );
            }
        }
        assert!(find("kms", "GetKeyPolicy").is_some());
        assert!(find("kms", "PutKeyPolicy").is_none());
    }

    #[test]
    fn needs_follow_rule_inputs() {
        assert_eq!(
            Needs::from_inputs(["iam:GetAccountAuthorizationDetails"]),
            Needs::default()
        );
        let needs = Needs::from_inputs(["iam:GetRole", "ec2:DescribeVpcs", "sagemaker:ListTags"]);
        assert!(needs.role_last_used && needs.sagemaker_tags);
    }

    /// The actions a shipped IAM policy (`policies/iam/*.json`) grants: every statement an
    /// Allow, every action named (no wildcard) and granted once. Shared with the remediate
    /// policy's test.
    pub(crate) fn granted_actions(text: &str) -> BTreeSet<String> {
        let policy: serde_json::Value = serde_json::from_str(text).expect("valid JSON");
        let mut granted = BTreeSet::new();
        for stmt in policy["Statement"].as_array().expect("statements") {
            assert_eq!(stmt["Effect"], "Allow");
            for action in stmt["Action"].as_array().expect("action list") {
                let action = action.as_str().expect("string");
                assert!(
                    !action.contains('*'),
                    "{action}: the policy names each action"
                );
                assert!(granted.insert(action.to_string()), "{action} granted twice");
            }
        }
        granted
    }

    /// The shipped least-privilege policy grants exactly the actions the collector can call.
    #[test]
    fn scan_policy_grants_exactly_the_collector_actions() {
        let text = include_str!("../../policies/iam/mlguard-scan-policy.json");
        let policy: serde_json::Value = serde_json::from_str(text).expect("valid JSON");
        for stmt in policy["Statement"].as_array().expect("statements") {
            assert_eq!(stmt["Resource"], "*");
        }
        let granted = granted_actions(text);
        let needed: BTreeSet<String> = actions().into_iter().map(String::from).collect();
        assert_eq!(
            granted, needed,
            "policies/iam/mlguard-scan-policy.json and collect::operations disagree"
        );
    }
}
