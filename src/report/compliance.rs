//! Pass/fail per framework control (`--framework NAME`), like a compliance sheet: each
//! control aggregates the rules mapped to it in their metadata.

use crate::audit::AuditReport;
use serde::Serialize;
use std::collections::BTreeMap;

/// Titles of the controls mlguard's rules map to. Controls without an entry take the titles
/// of their rules.
const TITLES: &[(&str, &str, &str)] = &[
    (
        "lab",
        "lab-1-execution-role",
        "Step 1: the SageMaker execution role trusts only SageMaker and holds least-privilege permissions",
    ),
    (
        "lab",
        "lab-2-kms-key",
        "Step 2: a customer-managed KMS key, enabled, rotated and not public, protects the ML data",
    ),
    (
        "lab",
        "lab-3-vpc",
        "Step 3: the VPC is available with no internet gateway access, flow logs and private endpoints",
    ),
    (
        "lab",
        "lab-challenge-sg-443",
        "Challenge: the ML security group admits only tcp/443 from the trusted (VPN) range",
    ),
    (
        "lab",
        "lab-concept-least-privilege",
        "Concept review: least privilege for ML roles",
    ),
    (
        "lab",
        "lab-concept-data-at-rest",
        "Concept review: data at rest is encrypted with customer-managed KMS keys",
    ),
    (
        "fsbp",
        "EC2.2",
        "VPC default security groups should not allow inbound or outbound traffic",
    ),
    (
        "fsbp",
        "EC2.6",
        "VPC flow logging should be enabled in all VPCs",
    ),
    (
        "fsbp",
        "EC2.13",
        "Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 22",
    ),
    (
        "fsbp",
        "EC2.14",
        "Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 3389",
    ),
    (
        "fsbp",
        "EC2.15",
        "EC2 subnets should not automatically assign public IP addresses",
    ),
    (
        "fsbp",
        "EC2.18",
        "Security groups should only allow unrestricted incoming traffic for authorized ports",
    ),
    (
        "fsbp",
        "EC2.19",
        "Security groups should not allow unrestricted access to ports with high risk",
    ),
    (
        "fsbp",
        "EC2.21",
        "Network ACLs should not allow ingress from 0.0.0.0/0 to port 22 or port 3389",
    ),
    (
        "fsbp",
        "EC2.53",
        "EC2 security groups should not allow ingress from 0.0.0.0/0 to remote server administration ports",
    ),
    (
        "fsbp",
        "EC2.54",
        "EC2 security groups should not allow ingress from ::/0 to remote server administration ports",
    ),
    (
        "fsbp",
        "IAM.1",
        "IAM policies should not allow full \"*\" administrative privileges",
    ),
    (
        "fsbp",
        "IAM.21",
        "IAM customer managed policies should not allow wildcard actions for services",
    ),
    (
        "fsbp",
        "KMS.3",
        "AWS KMS keys should not be deleted unintentionally",
    ),
    ("fsbp", "KMS.4", "AWS KMS key rotation should be enabled"),
    (
        "fsbp",
        "KMS.5",
        "KMS keys should not be publicly accessible",
    ),
    (
        "fsbp",
        "S3.1",
        "S3 general purpose buckets should have block public access settings enabled",
    ),
    (
        "fsbp",
        "S3.5",
        "S3 general purpose buckets should require requests to use SSL",
    ),
    (
        "fsbp",
        "S3.8",
        "S3 general purpose buckets should block public access",
    ),
    (
        "fsbp",
        "S3.17",
        "S3 general purpose buckets should be encrypted at rest with AWS KMS keys",
    ),
    (
        "fsbp",
        "SageMaker.1",
        "SageMaker notebook instances should not have direct internet access",
    ),
    (
        "fsbp",
        "SageMaker.2",
        "SageMaker notebook instances should be launched in a custom VPC",
    ),
    (
        "fsbp",
        "SageMaker.3",
        "Users should not have root access to SageMaker notebook instances",
    ),
    (
        "fsbp",
        "SageMaker.5",
        "SageMaker models should have network isolation enabled",
    ),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlStatus {
    /// Every mapped rule judged resources and none failed.
    Pass,
    /// A mapped rule failed on some resource.
    Fail,
    /// Nothing failed, but some resources could not be assessed.
    NotAssessed,
    /// The mapped rules found nothing to judge in this account.
    NoResources,
}

impl ControlStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ControlStatus::Pass => "pass",
            ControlStatus::Fail => "fail",
            ControlStatus::NotAssessed => "not assessed",
            ControlStatus::NoResources => "no resources",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Control {
    pub id: String,
    pub title: String,
    pub status: ControlStatus,
    pub rules: Vec<String>,
    /// (rule, resource) pairs that pass, fail, are suppressed or not assessed.
    pub passed: usize,
    pub failed: usize,
    pub suppressed: usize,
    pub not_assessed: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Compliance {
    pub framework: String,
    pub controls: Vec<Control>,
}

impl Compliance {
    pub fn count(&self, status: ControlStatus) -> usize {
        self.controls.iter().filter(|c| c.status == status).count()
    }
}

/// The controls of `framework` that the evaluated rules map to, in id order.
pub fn compliance(report: &AuditReport, framework: &str) -> Compliance {
    let mut by_control: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for rule in &report.rules {
        for id in rule.meta.frameworks.get(framework).into_iter().flatten() {
            by_control
                .entry(id.clone())
                .or_default()
                .push(&rule.meta.id);
        }
    }
    let controls = by_control
        .into_iter()
        .map(|(id, rules)| {
            let tallies: Vec<_> = report
                .tallies
                .iter()
                .filter(|t| rules.contains(&t.rule_id.as_str()))
                .collect();
            let passed = tallies.iter().map(|t| t.passed()).sum();
            let failed = tallies.iter().map(|t| t.failed).sum();
            let suppressed = tallies.iter().map(|t| t.suppressed).sum();
            let not_assessed = tallies.iter().map(|t| t.not_assessed).sum();
            // Failing findings hidden by a baseline still fail the control.
            let status = if failed > 0 {
                ControlStatus::Fail
            } else if not_assessed > 0 {
                ControlStatus::NotAssessed
            } else if passed + suppressed == 0 {
                ControlStatus::NoResources
            } else {
                ControlStatus::Pass
            };
            let title = TITLES
                .iter()
                .find(|(f, c, _)| *f == framework && *c == id)
                .map(|(_, _, t)| t.to_string())
                .unwrap_or_else(|| {
                    rules
                        .iter()
                        .filter_map(|r| report.rules.iter().find(|x| x.meta.id == *r))
                        .map(|r| r.meta.title.clone())
                        .collect::<Vec<_>>()
                        .join("; ")
                });
            Control {
                id,
                title,
                status,
                rules: rules.into_iter().map(str::to_string).collect(),
                passed,
                failed,
                suppressed,
                not_assessed,
            }
        })
        .collect();
    Compliance {
        framework: framework.to_string(),
        controls,
    }
}
