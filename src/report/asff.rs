//! AWS Security Finding Format (ASFF, SchemaVersion 2018-10-08): a JSON array of findings
//! that Security Hub's `BatchImportFindings` accepts (at most 100 per call).
//!
//! Mapping (docs/security-hub.md):
//! - `Id` `mlguard/<rule>/<fingerprint>` (stable across runs), `GeneratorId` `mlguard/<rule>`.
//! - `ProductArn` `arn:<partition>:securityhub:<region>:<account>:product/<account>/default`
//!   (the account's default product for custom findings); `Region` is the resource's region,
//!   or the first collected region for global IAM resources, so each finding is imported
//!   in a real region.
//! - `CreatedAt`/`UpdatedAt` are the snapshot's `collected_at`: the same snapshot gives the
//!   same output.
//! - `Severity.Label` from the rule's severity (info → INFORMATIONAL); `Compliance.Status`
//!   FAILED, or NOT_AVAILABLE for a finding that could not be assessed; suppressed findings
//!   carry `Workflow.Status` SUPPRESSED and the reason in `Note`.
//! - `Title` ≤ 256 and `Description` ≤ 1024 characters, `Recommendation.Text` ≤ 512.

use super::{Ctx, Emitter, ReportError, truncate_chars};
use crate::audit::AuditReport;
use crate::engine::Rule;
use crate::findings::{Finding, Severity, Status};
use serde_json::{Map, Value, json};
use std::io::Write;

pub const SCHEMA_VERSION: &str = "2018-10-08";
pub const MAX_TITLE: usize = 256;
pub const MAX_DESCRIPTION: usize = 1024;
pub const MAX_RECOMMENDATION: usize = 512;

pub struct Asff;

pub fn severity_label(sev: Severity) -> &'static str {
    match sev {
        Severity::Info => "INFORMATIONAL",
        Severity::Low => "LOW",
        Severity::Medium => "MEDIUM",
        Severity::High => "HIGH",
        Severity::Critical => "CRITICAL",
    }
}

/// The ASFF resource type for a CloudFormation-style type (`AWS::IAM::Role` → `AwsIamRole`);
/// `Other` when ASFF has no specific type.
pub fn resource_type(kind: &str) -> &'static str {
    match kind {
        "AWS::IAM::Role" => "AwsIamRole",
        "AWS::IAM::ManagedPolicy" => "AwsIamPolicy",
        "AWS::S3::Bucket" => "AwsS3Bucket",
        "AWS::KMS::Key" => "AwsKmsKey",
        "AWS::EC2::VPC" => "AwsEc2Vpc",
        "AWS::EC2::Subnet" => "AwsEc2Subnet",
        "AWS::EC2::SecurityGroup" => "AwsEc2SecurityGroup",
        "AWS::EC2::NetworkAcl" => "AwsEc2NetworkAcl",
        "AWS::EC2::RouteTable" => "AwsEc2RouteTable",
        "AWS::SageMaker::NotebookInstance" => "AwsSageMakerNotebookInstance",
        _ => "Other",
    }
}

/// The ASFF finding of one finding.
pub(crate) fn finding(report: &AuditReport, rule: Option<&Rule>, f: &Finding, ctx: &Ctx) -> Value {
    let m = &report.metadata;
    let region = if f.resource.region == "global" || f.resource.region.is_empty() {
        super::home_region(report)
    } else {
        f.resource.region.as_str()
    };
    let time = super::collected_at(report).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut types =
        vec!["Software and Configuration Checks/AWS Security Best Practices".to_string()];
    let mut requirements = Vec::new();
    if let Some(rule) = rule {
        for (key, ids) in rule.meta.framework_ids() {
            let name = crate::engine::frameworks::name(key);
            requirements.extend(ids.iter().map(|id| format!("{name} {id}")));
            if key == "cis" {
                types.push(
                    "Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark"
                        .to_string(),
                );
            }
        }
    }
    requirements.truncate(32);
    let mut product_fields = Map::new();
    for (k, v) in [
        ("mlguard/RuleId", f.rule_id.as_str()),
        ("mlguard/Pillar", f.pillar.as_str()),
        ("mlguard/Status", f.status.as_str()),
        ("mlguard/Fingerprint", f.fingerprint.as_str()),
        ("mlguard/ResourceType", f.resource.kind.as_str()),
        ("mlguard/ToolVersion", ctx.tool_version),
    ] {
        product_fields.insert(k.to_string(), json!(v));
    }
    if let Some(loc) = &f.location {
        product_fields.insert(
            "mlguard/Location".to_string(),
            json!(format!("{}:{}", loc.file, loc.line)),
        );
    }
    let mut out = json!({
        "SchemaVersion": SCHEMA_VERSION,
        "Id": format!("mlguard/{}/{}", f.rule_id, f.fingerprint),
        "ProductArn": format!(
            "arn:{}:securityhub:{region}:{}:product/{}/default",
            m.partition, m.account_id, m.account_id
        ),
        "ProductName": "mlguard",
        "CompanyName": "mlguard",
        "Region": region,
        "GeneratorId": format!("mlguard/{}", f.rule_id),
        "AwsAccountId": m.account_id,
        "Types": types,
        "CreatedAt": time,
        "UpdatedAt": time,
        "Severity": {"Label": severity_label(f.severity), "Original": f.severity.as_str()},
        "Title": truncate_chars(&format!("{} {}", f.rule_id, f.title), MAX_TITLE),
        "Description": truncate_chars(&f.message, MAX_DESCRIPTION),
        "Remediation": {"Recommendation": {
            "Text": truncate_chars(&f.remediation, MAX_RECOMMENDATION),
            "Url": f.help_uri,
        }},
        "SourceUrl": f.help_uri,
        "ProductFields": product_fields,
        "Resources": [{
            "Type": resource_type(&f.resource.kind),
            "Id": f.resource.arn,
            "Partition": m.partition,
            "Region": region,
        }],
        "Compliance": {
            "Status": if f.status == Status::NotAssessed { "NOT_AVAILABLE" } else { "FAILED" },
        },
        "Workflow": {"Status": if f.status == Status::Suppressed { "SUPPRESSED" } else { "NEW" }},
        "RecordState": "ACTIVE",
    });
    if !requirements.is_empty() {
        out["Compliance"]["RelatedRequirements"] = json!(requirements);
    }
    if let Some(sup) = &f.suppression {
        out["Note"] = json!({
            "Text": truncate_chars(&format!("Suppressed: {} ({})", sup.reason, sup.source), 512),
            "UpdatedBy": "mlguard",
            "UpdatedAt": time,
        });
    }
    out
}

impl Emitter for Asff {
    fn emit(
        &self,
        out: &mut dyn Write,
        report: &AuditReport,
        ctx: &Ctx,
    ) -> Result<(), ReportError> {
        // One finding at a time: the report is never in memory as a whole.
        crate::report::emit_json_array(
            out,
            report.findings.iter().map(|f| {
                let rule = report.rules.iter().find(|r| r.meta.id == f.rule_id);
                finding(report, rule, f, ctx)
            }),
        )
    }
}
