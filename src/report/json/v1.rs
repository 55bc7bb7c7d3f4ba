//! `report_version` 1 (documented in docs/report-json.md).

use super::super::{Ctx, Emitter, ReportError};
use crate::audit::AuditReport;
use crate::findings::BaselineSummary;
use crate::findings::{self, Pillar, PillarScore, Severity, Status};
use crate::report::compliance;
use crate::snapshot::Gap;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;

pub const REPORT_VERSION: u32 = 1;

#[derive(Serialize)]
pub struct Report<'a> {
    pub report_version: u32,
    pub tool: Tool,
    pub metadata: Metadata<'a>,
    pub summary: Summary<'a>,
    pub scores: Scores<'a>,
    pub rules: Vec<RuleRow<'a>>,
    pub findings: Vec<Finding<'a>>,
    pub gaps: &'a [Gap],
    /// Pass/fail per control of the first `--framework` (kept as it was before `evidence`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compliance: Option<compliance::LegacyCompliance<'a>>,
    /// Framework evidence, with `--framework` (docs/report-json.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<EvidenceDto<'a>>,
}

/// `evidence`: what an auditor needs to trust and reproduce the framework views.
#[derive(Serialize)]
pub struct EvidenceDto<'a> {
    pub mlguard_version: &'a str,
    pub account_id: &'a str,
    pub collected_at: Option<&'a str>,
    pub audited_on: &'a str,
    pub snapshot: &'a str,
    pub snapshot_sha256: &'a str,
    pub policy_set_sha256: &'a str,
    /// The command that reproduces this evidence from the same snapshot.
    pub reproduce: String,
    pub frameworks: Vec<compliance::FrameworkView<'a>>,
}

/// One finding, as `report_version` 1 spells it.
#[derive(Serialize)]
pub struct Finding<'a> {
    pub rule_id: &'a str,
    pub title: &'a str,
    pub pillar: Pillar,
    pub severity: Severity,
    /// `fail`, `not_assessed` or `suppressed`.
    pub status: &'static str,
    pub resource: Resource<'a>,
    pub message: &'a str,
    pub remediation: &'a str,
    pub help_uri: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location<'a>>,
    pub fingerprint: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppression: Option<Suppression<'a>>,
}

#[derive(Serialize)]
pub struct Resource<'a> {
    pub arn: &'a str,
    #[serde(rename = "type")]
    pub kind: &'a str,
    pub region: &'a str,
    pub account_id: &'a str,
}

#[derive(Serialize)]
pub struct Location<'a> {
    pub file: &'a str,
    pub path: &'a str,
    pub line: u32,
}

#[derive(Serialize)]
pub struct Suppression<'a> {
    pub kind: &'a str,
    pub reason: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<&'a str>,
    /// `mlguard.toml:14` or `tag mlguard:suppress`.
    pub source: &'a str,
}

impl<'a> From<&'a findings::Finding> for Finding<'a> {
    fn from(f: &'a findings::Finding) -> Self {
        Finding {
            rule_id: &f.rule_id,
            title: &f.title,
            pillar: f.pillar,
            severity: f.severity,
            status: f.status.as_str(),
            resource: Resource {
                arn: &f.resource.arn,
                kind: &f.resource.kind,
                region: &f.resource.region,
                account_id: &f.resource.account_id,
            },
            message: &f.message,
            remediation: &f.remediation,
            help_uri: &f.help_uri,
            location: f.location.as_ref().map(|l| Location {
                file: &l.file,
                path: &l.path,
                line: l.line,
            }),
            fingerprint: &f.fingerprint,
            suppression: f.suppression.as_ref().map(|s| Suppression {
                kind: &s.kind,
                reason: &s.reason,
                expires: s.expires.as_deref(),
                source: &s.source,
            }),
        }
    }
}

#[derive(Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Serialize)]
pub struct Metadata<'a> {
    pub snapshot: &'a str,
    pub account_id: &'a str,
    pub partition: &'a str,
    pub regions: &'a [String],
    pub collected_at: Option<&'a str>,
    pub rules_evaluated: usize,
}

#[derive(Serialize)]
pub struct Summary<'a> {
    pub failed: usize,
    pub not_assessed: usize,
    pub suppressed: usize,
    /// Failed findings by severity.
    pub by_severity: BTreeMap<&'static str, usize>,
    /// The `--fail-on` threshold, or `none`.
    pub fail_on: String,
    /// Failed findings at or above the threshold: non-zero means exit code 1.
    pub gating: usize,
    pub gaps: usize,
    /// Rules loaded but turned off by `select`/`ignore`.
    pub disabled_rules: usize,
    /// Present with `--baseline`: `findings` then holds only the new findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<&'a BaselineSummary>,
}

#[derive(Serialize)]
pub struct Scores<'a> {
    pub overall: f64,
    pub pillars: BTreeMap<Pillar, &'a PillarScore>,
}

#[derive(Serialize)]
pub struct RuleRow<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub pillar: Pillar,
    pub severity: Severity,
    pub applicable: usize,
    pub passed: usize,
    pub failed: usize,
    pub not_assessed: usize,
    pub suppressed: usize,
}

pub struct JsonV1;

impl JsonV1 {
    pub fn build<'a>(
        report: &'a AuditReport,
        ctx: &'a Ctx,
        index: Option<&'a compliance::RowIndex<'a>>,
    ) -> Result<Report<'a>, ReportError> {
        let mut by_severity: BTreeMap<&'static str, usize> =
            Severity::ALL.iter().map(|s| (s.as_str(), 0)).collect();
        for f in report.findings.iter().filter(|f| f.status == Status::Fail) {
            *by_severity.entry(f.severity.as_str()).or_insert(0) += 1;
        }
        let rules = report
            .tallies
            .iter()
            .filter_map(|t| {
                let rule = report.rules.iter().find(|r| r.meta.id == t.rule_id)?;
                Some(RuleRow {
                    id: &rule.meta.id,
                    title: &rule.meta.title,
                    pillar: t.pillar,
                    severity: t.severity,
                    applicable: t.applicable,
                    passed: t.passed(),
                    failed: t.failed,
                    not_assessed: t.not_assessed,
                    suppressed: t.suppressed,
                })
            })
            .collect();
        let views = match (ctx.evidence.as_deref(), index) {
            (Some(evidence), Some(index)) => evidence
                .frameworks
                .iter()
                .map(|key| compliance::view(report, index, key))
                .collect::<Result<Vec<_>, _>>()
                .map_err(ReportError::Evidence)?,
            _ => Vec::new(),
        };
        Ok(Report {
            report_version: REPORT_VERSION,
            tool: Tool {
                name: "mlguard",
                version: ctx.tool_version,
            },
            metadata: Metadata {
                snapshot: &report.source,
                account_id: &report.metadata.account_id,
                partition: &report.metadata.partition,
                regions: &report.metadata.regions,
                collected_at: report.metadata.collected_at.as_deref(),
                rules_evaluated: report.rules.len(),
            },
            summary: Summary {
                failed: report.count(Status::Fail),
                not_assessed: report.count(Status::NotAssessed),
                suppressed: report.count(Status::Suppressed),
                by_severity,
                fail_on: ctx.fail_on.map_or("none".to_string(), |s| s.to_string()),
                gating: report.gating(ctx.fail_on),
                gaps: report.gaps.len(),
                disabled_rules: report.disabled_rules,
                baseline: report.baseline.as_ref(),
            },
            scores: Scores {
                overall: report.scores.overall,
                pillars: report.scores.pillars.iter().map(|(k, v)| (*k, v)).collect(),
            },
            rules,
            findings: report.findings.iter().map(Finding::from).collect(),
            gaps: &report.gaps,
            compliance: views.first().map(compliance::legacy),
            evidence: ctx
                .evidence
                .as_deref()
                .filter(|_| !views.is_empty())
                .map(|e| EvidenceDto {
                    mlguard_version: ctx.tool_version,
                    account_id: &report.metadata.account_id,
                    collected_at: report.metadata.collected_at.as_deref(),
                    audited_on: &e.audited_on,
                    snapshot: &report.source,
                    snapshot_sha256: &e.snapshot_sha256,
                    policy_set_sha256: &e.policy_set_sha256,
                    reproduce: e.reproduce(report),
                    frameworks: views,
                }),
        })
    }
}

impl Emitter for JsonV1 {
    fn emit(
        &self,
        out: &mut dyn Write,
        report: &AuditReport,
        ctx: &Ctx,
    ) -> Result<(), ReportError> {
        let default = compliance::Evidence::default();
        let index = compliance::RowIndex::new(report, ctx.evidence.as_deref().unwrap_or(&default));
        crate::report::emit_json(out, &Self::build(report, ctx, Some(&index))?)
    }
}
