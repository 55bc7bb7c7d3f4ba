//! One account's `report.json` (exactly as `audit --format json` writes it) read back into an
//! [`AuditReport`], so the org-wide reports reuse the single-account emitters finding by
//! finding, and the account's summary the org-wide table, HTML and JSON keep.

use crate::audit::AuditReport;
use crate::engine::{Origin, PolicyKind, PolicySource, Rule, RuleMeta, RuleStatus};
use crate::findings::{Finding, Pillar, PillarScore, RuleTally, Scores, Severity, Status};
use crate::snapshot::{Gap, Metadata};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The fields of a `report_version` 1 JSON report the merge reads (others are ignored).
#[derive(Deserialize)]
struct ReportIn {
    report_version: u32,
    #[serde(default)]
    tool: Option<ToolIn>,
    metadata: MetadataIn,
    #[serde(default)]
    summary: Option<SummaryIn>,
    scores: ScoresIn,
    #[serde(default)]
    rules: Vec<RuleRowIn>,
    findings: Vec<Finding>,
    #[serde(default)]
    gaps: Vec<Gap>,
}

#[derive(Deserialize)]
struct ToolIn {
    version: String,
}

#[derive(Deserialize)]
struct MetadataIn {
    snapshot: String,
    account_id: String,
    #[serde(default = "default_partition")]
    partition: String,
    #[serde(default)]
    regions: Vec<String>,
    collected_at: Option<String>,
}

fn default_partition() -> String {
    "aws".to_string()
}

#[derive(Deserialize)]
struct SummaryIn {
    #[serde(default)]
    disabled_rules: usize,
}

#[derive(Deserialize)]
struct ScoresIn {
    overall: f64,
    pillars: BTreeMap<Pillar, PillarScore>,
}

#[derive(Deserialize)]
struct RuleRowIn {
    id: String,
    title: String,
    pillar: Pillar,
    severity: Severity,
    applicable: usize,
    failed: usize,
    not_assessed: usize,
    suppressed: usize,
}

/// The rule metadata the merge knows: the built-in catalogue, by id. Rules a report names
/// that it does not hold (custom `--policy-dir` rules) are rebuilt from the report's own
/// rule rows (id, title, pillar, severity).
pub struct Catalog {
    rules: BTreeMap<String, Rule>,
}

impl Catalog {
    pub fn builtin() -> Result<Catalog, crate::engine::PolicyError> {
        let set =
            crate::engine::PolicySet::load_with_fixes(true, &[], crate::remediate::fixes::info)?;
        Ok(Catalog {
            rules: set
                .rules
                .into_iter()
                .map(|r| (r.meta.id.clone(), r))
                .collect(),
        })
    }

    fn rule(&self, row: &RuleRowIn, source: &str) -> Rule {
        let mut rule = match self.rules.get(&row.id) {
            Some(rule) => rule.clone(),
            None => Rule {
                meta: RuleMeta {
                    id: row.id.clone(),
                    name: row.id.to_ascii_lowercase(),
                    title: row.title.clone(),
                    description: row.title.clone(),
                    rationale: String::new(),
                    pillar: row.pillar,
                    severity: row.severity,
                    service: String::new(),
                    resource_type: String::new(),
                    status: RuleStatus::Stable,
                    remediation: crate::engine::metadata::Remediation {
                        text: String::new(),
                        action: None,
                    },
                    frameworks: BTreeMap::new(),
                    references: Vec::new(),
                    inputs: Vec::new(),
                    aliases: Vec::new(),
                },
                source: PolicySource {
                    path: source.to_string(),
                    text: String::new(),
                    origin: Origin::Custom(std::path::PathBuf::from(source)),
                    kind: PolicyKind::Rule,
                    package: String::new(),
                },
            },
        };
        // What the scan used (a severity remap in mlguard.toml changes it).
        rule.meta.title.clone_from(&row.title);
        rule.meta.pillar = row.pillar;
        rule.meta.severity = row.severity;
        rule
    }
}

/// Reads one account's report. The error is what is wrong with it (the caller names the file).
pub fn parse_report(bytes: &[u8], catalog: &Catalog) -> Result<AuditReport, String> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let report: ReportIn = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path.is_empty() || path == "." {
            inner.to_string()
        } else {
            format!("at `{path}`: {inner}")
        }
    })?;
    if report.report_version != crate::report::json::v1::REPORT_VERSION {
        return Err(format!(
            "report_version {} is not one this mlguard reads (expected {})",
            report.report_version,
            crate::report::json::v1::REPORT_VERSION
        ));
    }
    let source = report.metadata.snapshot.clone();
    let rules = report
        .rules
        .iter()
        .map(|row| catalog.rule(row, &source))
        .collect();
    let tallies = report
        .rules
        .iter()
        .map(|row| RuleTally {
            rule_id: row.id.clone(),
            pillar: row.pillar,
            severity: row.severity,
            applicable: row.applicable,
            failed: row.failed,
            suppressed: row.suppressed,
            not_assessed: row.not_assessed,
        })
        .collect();
    Ok(AuditReport {
        source,
        metadata: Metadata {
            account_id: report.metadata.account_id,
            partition: report.metadata.partition,
            regions: report.metadata.regions,
            collected_at: report.metadata.collected_at,
            tool_version: report.tool.map(|t| t.version),
        },
        gaps: report.gaps,
        rules,
        findings: report.findings,
        tallies,
        scores: Scores {
            overall: report.scores.overall,
            pillars: report.scores.pillars,
        },
        disabled_rules: report.summary.map_or(0, |s| s.disabled_rules),
        baseline: None,
        passed: BTreeMap::new(),
    })
}

/// How an account's part of the run ended.
#[derive(Debug, Clone, PartialEq)]
pub enum State {
    Ok,
    /// Scanned with collection gaps.
    Partial,
    /// status.json says failed: no report.
    Failed {
        class: String,
        message: String,
        help: String,
    },
    /// In the manifest (or started), but no status.json: never committed.
    Missing,
}

impl State {
    pub fn as_str(&self) -> &'static str {
        match self {
            State::Ok => "ok",
            State::Partial => "partial",
            State::Failed { .. } => "failed",
            State::Missing => "missing",
        }
    }

    pub fn has_report(&self) -> bool {
        matches!(self, State::Ok | State::Partial)
    }
}

/// What the org-wide reports keep of one account: O(1) in its findings.
#[derive(Debug, Clone)]
pub struct Summary {
    pub id: String,
    pub name: Option<String>,
    pub state: State,
    /// `None` for a failed or missing account: unknown, never a pass.
    pub overall: Option<f64>,
    /// (score, coverage) per pillar, in [`Pillar::ALL`] order (no allocation per account).
    pub pillars: [Option<(f64, f64)>; 3],
    pub failed: usize,
    pub not_assessed: usize,
    pub suppressed: usize,
    /// Failing findings per severity, indexed as [`Severity::ALL`] (critical first).
    pub by_severity: [usize; 5],
    /// Failing findings at or above `--fail-on`.
    pub gating: usize,
    pub gaps: usize,
    pub regions: Vec<String>,
    pub collected_at: Option<String>,
}

impl Summary {
    /// (score, coverage) of one pillar, when the account has a report.
    pub fn pillar(&self, pillar: Pillar) -> Option<(f64, f64)> {
        Pillar::ALL
            .iter()
            .position(|p| *p == pillar)
            .and_then(|i| self.pillars[i])
    }

    pub fn without_report(id: &str, name: Option<String>, state: State) -> Summary {
        Summary {
            id: id.to_string(),
            name,
            state,
            overall: None,
            pillars: [None; 3],
            failed: 0,
            not_assessed: 0,
            suppressed: 0,
            by_severity: [0; 5],
            gating: 0,
            gaps: 0,
            regions: Vec::new(),
            collected_at: None,
        }
    }

    pub fn of_report(
        id: &str,
        name: Option<String>,
        state: State,
        report: &AuditReport,
        fail_on: Option<Severity>,
    ) -> Summary {
        let mut by_severity = [0; 5];
        for f in report.findings.iter().filter(|f| f.status == Status::Fail) {
            if let Some(i) = Severity::ALL.iter().position(|s| *s == f.severity) {
                by_severity[i] += 1;
            }
        }
        Summary {
            id: id.to_string(),
            name,
            state,
            overall: Some(report.scores.overall),
            pillars: Pillar::ALL
                .map(|p| report.scores.pillars.get(&p).map(|s| (s.score, s.coverage))),
            failed: report.count(Status::Fail),
            not_assessed: report.count(Status::NotAssessed),
            suppressed: report.count(Status::Suppressed),
            by_severity,
            gating: report.gating(fail_on),
            gaps: report.gaps.len(),
            regions: report.metadata.regions.clone(),
            collected_at: report.metadata.collected_at.clone(),
        }
    }

    /// Worst first: accounts without a report (failed, then missing), then by overall score,
    /// more gating findings, more failing findings by severity, then by id.
    pub fn worst_first(a: &Summary, b: &Summary) -> std::cmp::Ordering {
        let rank = |s: &Summary| match s.state {
            State::Failed { .. } => 0,
            State::Missing => 1,
            _ => 2,
        };
        rank(a)
            .cmp(&rank(b))
            .then(
                a.overall
                    .unwrap_or(0.0)
                    .total_cmp(&b.overall.unwrap_or(0.0)),
            )
            .then(b.gating.cmp(&a.gating))
            .then(b.by_severity.cmp(&a.by_severity))
            .then_with(|| a.id.cmp(&b.id))
    }
}
