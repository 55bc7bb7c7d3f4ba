//! Framework evidence as CSV (RFC 4180, through the `csv` crate): one row per (framework,
//! control, rule, resource), with the columns spreadsheet audit workflows filter on, and the
//! hashes that make the evidence reproducible on every row. A control no rule evidences gets
//! one row with empty rule and resource columns; a rule that judged nothing gets one row with
//! an empty resource. Columns: docs/frameworks.md.

use super::compliance::{self, ControlStatus, Evidence, RowIndex};
use super::{Ctx, Emitter, ReportError};
use crate::audit::AuditReport;
use std::io::Write;

pub struct Csv;

/// The header, in column order.
pub const COLUMNS: &[&str] = &[
    "framework",
    "framework_version",
    "control_id",
    "control_title",
    "control_status",
    "control_coverage",
    "rule_id",
    "rule_title",
    "severity",
    "rule_coverage",
    "status",
    "resource_arn",
    "resource_type",
    "region",
    "account_id",
    "message",
    "suppression_reason",
    "finding_fingerprint",
    "collected_at",
    "audited_on",
    "mlguard_version",
    "snapshot",
    "snapshot_sha256",
    "policy_set_sha256",
];

impl Emitter for Csv {
    fn emit(
        &self,
        out: &mut dyn Write,
        report: &AuditReport,
        ctx: &Ctx,
    ) -> Result<(), ReportError> {
        let default = Evidence::default();
        let evidence = ctx.evidence.as_deref().unwrap_or(&default);
        let index = RowIndex::new(report, evidence);
        let mut w = ::csv::WriterBuilder::new()
            .terminator(::csv::Terminator::CRLF)
            .from_writer(out);
        w.write_record(COLUMNS)?;
        let collected_at = report.metadata.collected_at.as_deref().unwrap_or_default();
        for key in &evidence.csv_frameworks {
            let view = compliance::view(report, &index, key).map_err(ReportError::Evidence)?;
            let f = view.framework;
            for control in &view.controls {
                let base = |rule_id: &str,
                            rule_title: &str,
                            severity: &str,
                            rule_coverage: &str,
                            status: &str| {
                    vec![
                        f.key.clone(),
                        f.version.clone(),
                        control.id.to_string(),
                        control.title.to_string(),
                        control.status.key().to_string(),
                        control.coverage.as_str().to_string(),
                        rule_id.to_string(),
                        rule_title.to_string(),
                        severity.to_string(),
                        rule_coverage.to_string(),
                        status.to_string(),
                    ]
                };
                let tail = |record: &mut Vec<String>| {
                    record.extend([
                        collected_at.to_string(),
                        evidence.audited_on.clone(),
                        ctx.tool_version.to_string(),
                        report.source.clone(),
                        evidence.snapshot_sha256.clone(),
                        evidence.policy_set_sha256.clone(),
                    ]);
                };
                if control.status == ControlStatus::NotEvidenced {
                    let mut record = base("", "", "", "", ControlStatus::NotEvidenced.key());
                    record.extend(std::iter::repeat_n(String::new(), 7));
                    tail(&mut record);
                    w.write_record(&record)?;
                    continue;
                }
                for rule in &control.rules {
                    let meta = &rule.rule.meta;
                    let mut any = false;
                    for row in index.rows(rule.rule) {
                        any = true;
                        let mut record = base(
                            &meta.id,
                            &meta.title,
                            meta.severity.as_str(),
                            rule.coverage.as_str(),
                            row.status,
                        );
                        record.extend([
                            row.arn.to_string(),
                            row.kind.to_string(),
                            row.region.to_string(),
                            row.account_id.to_string(),
                            row.message.to_string(),
                            row.finding
                                .and_then(|f| f.suppression.as_ref())
                                .map(|s| s.reason.clone())
                                .unwrap_or_default(),
                            row.finding
                                .map(|f| f.fingerprint.clone())
                                .unwrap_or_default(),
                        ]);
                        tail(&mut record);
                        w.write_record(&record)?;
                    }
                    if !any {
                        let mut record = base(
                            &meta.id,
                            &meta.title,
                            meta.severity.as_str(),
                            rule.coverage.as_str(),
                            ControlStatus::NoResources.key(),
                        );
                        record.extend(std::iter::repeat_n(String::new(), 7));
                        tail(&mut record);
                        w.write_record(&record)?;
                    }
                }
            }
        }
        w.flush()?;
        Ok(())
    }
}
