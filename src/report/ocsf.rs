//! OCSF 1.3.0 Compliance Finding events (class_uid 2003, category Findings), one per
//! finding, as a JSON array — the shape Amazon Security Lake custom sources and most SIEMs
//! ingest.
//!
//! Mapping (docs/security-hub.md):
//! - `activity_id` 1 (Create), `type_uid` 200301; `time` is the snapshot's `collected_at`
//!   in epoch milliseconds, so the same snapshot gives the same events.
//! - `severity_id`: info 1, low 2, medium 3, high 4, critical 5.
//! - `status_id` (finding workflow): 1 New, 3 Suppressed (with the reason in `comment`).
//! - `compliance`: `control` = rule id, `standards` = the rule's frameworks, `status_id`
//!   3 Fail, or 2 Warning for a finding that could not be assessed.
//! - `finding_info.uid` = the finding's fingerprint (stable across runs).
//! - `resources[0]`: ARN as `uid`, CloudFormation type, region, partition, owner account.
//! - `cloud`: provider AWS, the account, the region (the first collected region for global
//!   IAM resources).

use super::{Ctx, Emitter, ReportError};
use crate::audit::AuditReport;
use crate::engine::Rule;
use crate::findings::{Finding, Severity, Status};
use serde_json::{Value, json};
use std::io::Write;

pub const OCSF_VERSION: &str = "1.3.0";
pub const CLASS_UID: u32 = 2003;
pub const CATEGORY_UID: u32 = 2;
pub const ACTIVITY_CREATE: u32 = 1;

pub struct Ocsf;

pub fn severity_id(sev: Severity) -> (u32, &'static str) {
    match sev {
        Severity::Info => (1, "Informational"),
        Severity::Low => (2, "Low"),
        Severity::Medium => (3, "Medium"),
        Severity::High => (4, "High"),
        Severity::Critical => (5, "Critical"),
    }
}

fn account(id: &str) -> Value {
    json!({"uid": id, "type": "AWS Account", "type_id": 10})
}

/// The OCSF event of one finding (`time`: the snapshot's `collected_at` in epoch ms).
pub(crate) fn event(
    report: &AuditReport,
    rule: Option<&Rule>,
    f: &Finding,
    ctx: &Ctx,
    time: i64,
) -> Value {
    let (sev_id, sev_name) = severity_id(f.severity);
    let (status_id, status) = match f.status {
        Status::Suppressed => (3, "Suppressed"),
        _ => (1, "New"),
    };
    let (compliance_id, compliance) = match f.status {
        Status::NotAssessed => (2, "Warning"),
        _ => (3, "Fail"),
    };
    let mut standards: Vec<String> = Vec::new();
    let mut requirements: Vec<String> = Vec::new();
    if let Some(rule) = rule {
        for (key, ids) in rule.meta.framework_ids() {
            let name = crate::engine::frameworks::name(key);
            standards.push(name.clone());
            requirements.extend(ids.iter().map(|id| format!("{name} {id}")));
        }
    }
    if standards.is_empty() {
        standards.push("mlguard ML security baseline".to_string());
    }
    let home = super::home_region(report);
    let region = if f.resource.region == "global" || f.resource.region.is_empty() {
        home
    } else {
        f.resource.region.as_str()
    };
    let mut resource = json!({
        "uid": f.resource.arn,
        "name": f.resource.arn.rsplit([':', '/']).next().unwrap_or(&f.resource.arn),
        "type": f.resource.kind,
        "cloud_partition": report.metadata.partition,
        "owner": {"account": account(&f.resource.account_id)},
    });
    if f.resource.region != "global" && !f.resource.region.is_empty() {
        resource["region"] = json!(f.resource.region);
    }
    let mut ev = json!({
        "activity_id": ACTIVITY_CREATE,
        "activity_name": "Create",
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "class_uid": CLASS_UID,
        "class_name": "Compliance Finding",
        "type_uid": CLASS_UID * 100 + ACTIVITY_CREATE,
        "type_name": "Compliance Finding: Create",
        "severity_id": sev_id,
        "severity": sev_name,
        "status_id": status_id,
        "status": status,
        "time": time,
        "message": f.message,
        "metadata": {
            "version": OCSF_VERSION,
            "profiles": ["cloud"],
            "product": {
                "name": "mlguard",
                "vendor_name": "mlguard",
                "version": ctx.tool_version,
                "url_string": "https://github.com/mlguard/mlguard",
            },
            "event_code": f.rule_id,
            "uid": f.fingerprint,
        },
        "finding_info": {
            "uid": f.fingerprint,
            "title": format!("{}: {}", f.rule_id, f.title),
            "desc": f.message,
            "types": [f.pillar.as_str()],
            "src_url": f.help_uri,
            "created_time": time,
        },
        "compliance": {
            "control": f.rule_id,
            "standards": standards,
            "requirements": requirements,
            "status_id": compliance_id,
            "status": compliance,
            "status_detail": f.message,
        },
        "remediation": {
            "desc": f.remediation,
            "references": [f.help_uri],
        },
        "resources": [resource],
        "cloud": {
            "provider": "AWS",
            "region": region,
            "account": account(&report.metadata.account_id),
        },
    });
    if let Some(sup) = &f.suppression {
        ev["comment"] = json!(format!("suppressed: {} ({})", sup.reason, sup.source));
    }
    ev
}

impl Emitter for Ocsf {
    fn emit(
        &self,
        out: &mut dyn Write,
        report: &AuditReport,
        ctx: &Ctx,
    ) -> Result<(), ReportError> {
        let time = super::collected_at(report).timestamp_millis();
        // One finding at a time: the report is never in memory as a whole.
        crate::report::emit_json_array(
            out,
            report.findings.iter().map(|f| {
                let rule = report.rules.iter().find(|r| r.meta.id == f.rule_id);
                event(report, rule, f, ctx, time)
            }),
        )
    }
}
