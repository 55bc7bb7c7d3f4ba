//! `org scan --security-hub`: each account's findings (the ASFF report) imported into Security
//! Hub in that account, with that account's credentials: Security Hub accepts a finding only
//! from the account it belongs to (or from an administrator account's integration).
//!
//! BatchImportFindings takes at most 100 findings per call and allows 10 calls per second
//! (burst 30): calls are sent one at a time, at most 10 per second per account, each in the
//! finding's region.

use aws_sdk_securityhub::types::{
    AwsSecurityFinding, Compliance, ComplianceStatus, Note, Partition, Recommendation, RecordState,
    Remediation, Resource, Severity, SeverityLabel, Workflow, WorkflowStatus,
};
use aws_types::SdkConfig;
use aws_types::region::Region;
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;

/// Findings per BatchImportFindings call (the API's maximum).
pub const BATCH: usize = 100;
/// Time between two calls from one account (10 per second).
const SPACING: Duration = Duration::from_millis(100);

/// What was imported for one account.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Imported {
    /// Findings in the account's ASFF report.
    pub findings: u64,
    /// Accepted by Security Hub.
    pub imported: u64,
    /// Rejected one by one (FailedFindings) or never sent because a call failed.
    pub failed: u64,
    /// Why a call failed, when one did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ImportError>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportError {
    pub message: String,
    pub help: String,
}

fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn required<'a>(v: &'a Value, key: &str) -> Result<&'a str, String> {
    text(v, key).ok_or_else(|| format!("the ASFF finding has no {key}"))
}

/// One finding of mlguard's ASFF report as the SDK type.
pub fn to_sdk(v: &Value) -> Result<AwsSecurityFinding, String> {
    let severity = v.get("Severity").unwrap_or(&Value::Null);
    let mut b = AwsSecurityFinding::builder()
        .schema_version(required(v, "SchemaVersion")?)
        .id(required(v, "Id")?)
        .product_arn(required(v, "ProductArn")?)
        .generator_id(required(v, "GeneratorId")?)
        .aws_account_id(required(v, "AwsAccountId")?)
        .created_at(required(v, "CreatedAt")?)
        .updated_at(required(v, "UpdatedAt")?)
        .title(required(v, "Title")?)
        .description(required(v, "Description")?)
        .set_product_name(text(v, "ProductName").map(str::to_string))
        .set_company_name(text(v, "CompanyName").map(str::to_string))
        .set_region(text(v, "Region").map(str::to_string))
        .set_source_url(text(v, "SourceUrl").map(str::to_string))
        .severity(
            Severity::builder()
                .set_label(text(severity, "Label").map(SeverityLabel::from))
                .set_original(text(severity, "Original").map(str::to_string))
                .build(),
        );
    for t in v
        .get("Types")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(t) = t.as_str() {
            b = b.types(t);
        }
    }
    if let Some(rec) = v.get("Remediation").and_then(|r| r.get("Recommendation")) {
        b = b.remediation(
            Remediation::builder()
                .recommendation(
                    Recommendation::builder()
                        .set_text(text(rec, "Text").map(str::to_string))
                        .set_url(text(rec, "Url").map(str::to_string))
                        .build(),
                )
                .build(),
        );
    }
    for (k, val) in v
        .get("ProductFields")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if let Some(val) = val.as_str() {
            b = b.product_fields(k, val);
        }
    }
    for r in v
        .get("Resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        b = b.resources(
            Resource::builder()
                .r#type(required(r, "Type")?)
                .id(required(r, "Id")?)
                .set_partition(text(r, "Partition").map(Partition::from))
                .set_region(text(r, "Region").map(str::to_string))
                .build(),
        );
    }
    if let Some(c) = v.get("Compliance") {
        let mut cb =
            Compliance::builder().set_status(text(c, "Status").map(ComplianceStatus::from));
        for req in c
            .get("RelatedRequirements")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(req) = req.as_str() {
                cb = cb.related_requirements(req);
            }
        }
        b = b.compliance(cb.build());
    }
    if let Some(w) = v.get("Workflow") {
        b = b.workflow(
            Workflow::builder()
                .set_status(text(w, "Status").map(WorkflowStatus::from))
                .build(),
        );
    }
    b = b.set_record_state(text(v, "RecordState").map(RecordState::from));
    if let Some(n) = v.get("Note") {
        b = b.note(
            Note::builder()
                .text(required(n, "Text")?)
                .updated_by(required(n, "UpdatedBy")?)
                .updated_at(required(n, "UpdatedAt")?)
                .build(),
        );
    }
    Ok(b.build())
}

fn hint(code: &str) -> String {
    match code {
        "InvalidAccessException" => "enable Security Hub in the account and region (`aws securityhub enable-security-hub`), or leave out --security-hub".into(),
        c if c.contains("AccessDenied") => "the member role needs securityhub:BatchImportFindings: deploy deploy/member-role.yaml with AllowSecurityHubImport=true".into(),
        c if c.contains("Throttl") || c.contains("LimitExceeded") => "Security Hub throttled the import past every retry: run again with --resume is not enough (the account is committed); import report.asff.json later with `aws securityhub batch-import-findings`".into(),
        _ => "import the account's findings later from report.asff.json (`mlguard org scan --format asff` writes it) with `aws securityhub batch-import-findings`".into(),
    }
}

/// Imports `findings` (mlguard's ASFF JSON) with `config`'s credentials, each in its region
/// (`home` when a finding names none), 100 per call.
pub async fn import(config: &SdkConfig, findings: &[Value], home: &str) -> Imported {
    let mut result = Imported {
        findings: findings.len() as u64,
        ..Imported::default()
    };
    let mut by_region: BTreeMap<String, Vec<AwsSecurityFinding>> = BTreeMap::new();
    for f in findings {
        match to_sdk(f) {
            Ok(finding) => by_region
                .entry(text(f, "Region").unwrap_or(home).to_string())
                .or_default()
                .push(finding),
            Err(e) => {
                result.failed = result.findings;
                result.error = Some(ImportError {
                    message: format!("cannot convert a finding: {e}"),
                    help: "please report this at https://github.com/mlguard/mlguard/issues".into(),
                });
                return result;
            }
        }
    }
    let mut first = true;
    for (region, batch) in by_region {
        let conf = aws_sdk_securityhub::config::Builder::from(config)
            .region(Region::new(region.clone()))
            .build();
        let client = aws_sdk_securityhub::Client::from_conf(conf);
        let mut remaining = batch;
        while !remaining.is_empty() {
            let rest = remaining.split_off(remaining.len().min(BATCH));
            let chunk = std::mem::replace(&mut remaining, rest);
            let n = chunk.len() as u64;
            if !first {
                tokio::time::sleep(SPACING).await;
            }
            first = false;
            match client
                .batch_import_findings()
                .set_findings(Some(chunk))
                .send()
                .await
            {
                Ok(out) => {
                    let failed = out.failed_count().unwrap_or(0).max(0) as u64;
                    result.failed += failed;
                    result.imported += out.success_count().unwrap_or(0).max(0) as u64;
                    if failed > 0 && result.error.is_none() {
                        let first_failed = out.failed_findings().first();
                        result.error = Some(ImportError {
                            message: format!(
                                "Security Hub rejected {failed} findings in {region}{}",
                                first_failed
                                    .map(|f| format!(
                                        " (first: {} {})",
                                        f.error_code().unwrap_or_default(),
                                        f.error_message().unwrap_or_default()
                                    ))
                                    .unwrap_or_default()
                            ),
                            help: hint(first_failed.and_then(|f| f.error_code()).unwrap_or("")),
                        });
                    }
                }
                Err(e) => {
                    let (code, message) = crate::collect::ctx::error_parts(&e);
                    let lost = n + remaining.len() as u64;
                    result.failed += lost;
                    result.error = Some(ImportError {
                        message: format!(
                            "securityhub:BatchImportFindings in {region} failed ({code}): {message}"
                        ),
                        help: hint(&code),
                    });
                    // The other regions may still work.
                    break;
                }
            }
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit;
    use crate::engine::{Engine, Params, PolicySet};
    use crate::report::{self, Ctx, Format};

    /// Every finding of the lab's insecure snapshot converts, with the fields Security Hub
    /// requires and the ones mlguard sets.
    #[test]
    fn every_asff_finding_converts() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let snap = crate::snapshot::load_file(&root.join("fixtures/lab-insecure.json"))
            .expect("the lab snapshot loads");
        let set = PolicySet::load(true, &[]).expect("policies");
        let engine = Engine::new(&set, &Params::default()).expect("engine");
        let ids: Vec<String> = engine.rules().iter().map(|r| r.meta.id.clone()).collect();
        let report = audit::audit(&engine, &snap, &ids).expect("audits");
        let bytes = report::render(Format::Asff, &report, &Ctx::default()).expect("renders");
        let findings: Vec<Value> = serde_json::from_slice(&bytes).expect("array");
        assert!(!findings.is_empty());
        for f in &findings {
            let sdk = to_sdk(f).expect("converts");
            assert_eq!(sdk.id(), f["Id"].as_str());
            assert_eq!(sdk.aws_account_id(), f["AwsAccountId"].as_str());
            assert_eq!(
                sdk.severity().and_then(|s| s.label()).map(|l| l.as_str()),
                f["Severity"]["Label"].as_str()
            );
            assert_eq!(sdk.resources().len(), 1);
            assert_eq!(
                sdk.product_fields().map(|m| m.len()),
                f["ProductFields"].as_object().map(|m| m.len())
            );
        }
        assert!(to_sdk(&serde_json::json!({"Id": "x"})).is_err());
    }
}
