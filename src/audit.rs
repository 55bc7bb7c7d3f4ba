//! From a snapshot and an engine to a report: selection, evaluation, findings, scores.
//! Pure: the same snapshot and options give the same report, byte for byte.

use crate::engine::{Engine, EngineError, Judged, Rule, RuleStatus};
use crate::findings::{
    self, BaselineSummary, Finding, Location, Registry, ResourceRef, RuleTally, Scores, Status,
};
use crate::snapshot::{Gap, LoadedSnapshot, Metadata};
use std::collections::{BTreeMap, BTreeSet};

/// Which rules run: `select` and `ignore` hold ids or id prefixes (`LP`, `NI-00`, `DE-003`).
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SelectionError {
    #[error("`{0}` matches no rule id")]
    Unknown(String),
}

impl Selection {
    /// The ids of the rules to run. Deprecated rules run only when selected by exact id.
    pub fn resolve(&self, rules: &[Rule]) -> Result<Vec<String>, SelectionError> {
        for pattern in self.select.iter().chain(&self.ignore) {
            if !rules.iter().any(|r| r.matches(pattern)) {
                return Err(SelectionError::Unknown(pattern.clone()));
            }
        }
        Ok(rules
            .iter()
            .filter(|r| {
                let selected = if self.select.is_empty() {
                    r.meta.status != RuleStatus::Deprecated
                } else {
                    self.select.iter().any(|p| {
                        r.matches(p)
                            && (r.meta.status != RuleStatus::Deprecated
                                || p.eq_ignore_ascii_case(&r.meta.id))
                    })
                };
                selected && !self.ignore.iter().any(|p| r.matches(p))
            })
            .map(|r| r.meta.id.clone())
            .collect())
    }
}

/// Everything a report shows.
#[derive(Debug, Clone)]
pub struct AuditReport {
    /// The snapshot file, as given.
    pub source: String,
    pub metadata: Metadata,
    pub gaps: Vec<Gap>,
    /// The rules that ran, in id order.
    pub rules: Vec<Rule>,
    pub findings: Vec<Finding>,
    pub tallies: Vec<RuleTally>,
    pub scores: Scores,
    /// Rules loaded but turned off by `select`/`ignore`.
    pub disabled_rules: usize,
    /// Set when the report was compared with a baseline: `findings` then holds only the new
    /// ones.
    pub baseline: Option<BaselineSummary>,
    /// The ARNs each rule judged and passed, sorted, when the audit was asked to keep them
    /// ([`audit_keeping_passes`]: framework evidence lists every resource); empty otherwise.
    pub passed: BTreeMap<String, Vec<std::sync::Arc<str>>>,
}

impl AuditReport {
    /// Recounts each rule's failed and suppressed pairs from the findings, and the scores
    /// from those counts (after suppressions changed some statuses).
    pub fn recount(&mut self) {
        for t in &mut self.tallies {
            let of_rule = || self.findings.iter().filter(|f| f.rule_id == t.rule_id);
            t.failed = of_rule().filter(|f| f.status == Status::Fail).count();
            t.suppressed = of_rule().filter(|f| f.status == Status::Suppressed).count();
        }
        self.scores = findings::compute_scores(&self.tallies);
    }

    /// Active, ignored (suppressed) and disabled counts.
    pub fn registry(&self) -> Registry {
        Registry {
            active: self
                .findings
                .iter()
                .filter(|f| f.status != Status::Suppressed)
                .count(),
            ignored: self.count(Status::Suppressed),
            disabled_rules: self.disabled_rules,
        }
    }

    /// Failing findings per severity, worst first, leaving out severities with none.
    pub fn failed_by_severity(&self) -> Vec<(findings::Severity, usize)> {
        findings::Severity::ALL
            .iter()
            .map(|&sev| {
                (
                    sev,
                    self.findings
                        .iter()
                        .filter(|f| f.status == Status::Fail && f.severity == sev)
                        .count(),
                )
            })
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    pub fn count(&self, status: Status) -> usize {
        self.findings.iter().filter(|f| f.status == status).count()
    }

    /// Failing findings at or above `threshold` (`None`: never).
    pub fn gating(&self, threshold: Option<findings::Severity>) -> usize {
        threshold.map_or(0, |t| {
            self.findings
                .iter()
                .filter(|f| f.status == Status::Fail && f.severity >= t)
                .count()
        })
    }
}

/// Evaluates the selected rules and builds the report.
pub fn audit(
    engine: &Engine,
    snapshot: &LoadedSnapshot,
    rule_ids: &[String],
) -> Result<AuditReport, EngineError> {
    audit_with(engine, snapshot, rule_ids, false)
}

/// [`audit`], also keeping the ARN of every resource each rule passed (in
/// [`AuditReport::passed`]), for evidence that lists passing resources too.
pub fn audit_keeping_passes(
    engine: &Engine,
    snapshot: &LoadedSnapshot,
    rule_ids: &[String],
) -> Result<AuditReport, EngineError> {
    audit_with(engine, snapshot, rule_ids, true)
}

fn audit_with(
    engine: &Engine,
    snapshot: &LoadedSnapshot,
    rule_ids: &[String],
    keep_passes: bool,
) -> Result<AuditReport, EngineError> {
    let outcomes = engine.evaluate(snapshot, Some(rule_ids))?;
    let rules: Vec<Rule> = engine
        .rules()
        .iter()
        .filter(|r| rule_ids.contains(&r.meta.id))
        .cloned()
        .collect();
    let by_id: BTreeMap<&str, &Rule> = rules.iter().map(|r| (r.meta.id.as_str(), r)).collect();
    let source = snapshot.display_name();
    let mut all = Vec::new();
    let mut tallies = Vec::new();
    let mut passed = BTreeMap::new();
    for outcome in outcomes {
        let Some(rule) = by_id.get(outcome.rule_id.as_str()) else {
            continue;
        };
        let mut not_assessed = outcome.not_assessed;
        not_assessed.extend(listing_gaps(rule, snapshot));
        not_assessed.extend(resource_gaps(rule, snapshot, &outcome.applicable));
        // One finding per (rule, resource): messages of repeated denials are joined.
        let mut failed: BTreeMap<String, Judged> = BTreeMap::new();
        for j in outcome.deny {
            failed
                .entry(j.resource.arn.clone())
                .and_modify(|f| {
                    if !f.message.split("; ").any(|m| m == j.message) {
                        f.message = format!("{}; {}", f.message, j.message);
                    }
                })
                .or_insert(j);
        }
        let mut unknown: BTreeMap<String, Judged> = BTreeMap::new();
        for j in not_assessed {
            if !failed.contains_key(&j.resource.arn) {
                unknown.entry(j.resource.arn.clone()).or_insert(j);
            }
        }
        let judged: BTreeSet<&str> = outcome
            .applicable
            .iter()
            .map(|arn| &**arn)
            .chain(failed.keys().map(String::as_str))
            .chain(unknown.keys().map(String::as_str))
            .collect();
        tallies.push(RuleTally {
            rule_id: rule.meta.id.clone(),
            pillar: rule.meta.pillar,
            severity: rule.meta.severity,
            applicable: judged.len(),
            failed: failed.len(),
            suppressed: 0,
            not_assessed: unknown.len(),
        });
        if keep_passes {
            let mut arns: Vec<std::sync::Arc<str>> = outcome
                .applicable
                .iter()
                .filter(|arn| !failed.contains_key(&***arn) && !unknown.contains_key(&***arn))
                .cloned()
                .collect();
            arns.sort();
            arns.dedup();
            passed.insert(rule.meta.id.clone(), arns);
        }
        for (status, items) in [(Status::Fail, failed), (Status::NotAssessed, unknown)] {
            for j in items.into_values() {
                all.push(finding(rule, status, j, snapshot, &source));
            }
        }
    }
    findings::sort_findings(&mut all);
    let scores = findings::compute_scores(&tallies);
    Ok(AuditReport {
        source,
        metadata: snapshot.metadata.clone(),
        gaps: snapshot.gaps.clone(),
        rules,
        findings: all,
        tallies,
        scores,
        disabled_rules: engine.rules().len().saturating_sub(rule_ids.len()),
        baseline: None,
        passed,
    })
}

fn finding(
    rule: &Rule,
    status: Status,
    j: Judged,
    snapshot: &LoadedSnapshot,
    source: &str,
) -> Finding {
    let location = snapshot.lines.line_of(&j.path).map(|line| Location {
        file: source.to_string(),
        path: j.path.join("/"),
        line,
    });
    Finding {
        rule_id: rule.meta.id.clone(),
        title: rule.meta.title.clone(),
        pillar: rule.meta.pillar,
        severity: rule.meta.severity,
        status,
        fingerprint: findings::fingerprint(&rule.meta.id, &j.resource),
        resource: j.resource,
        message: j.message,
        remediation: rule.meta.remediation.text.clone(),
        help_uri: rule.meta.help_uri(),
        location,
        suppression: None,
    }
}

/// A listing the rule reads failed (a gap without a resource): every resource it would have
/// judged in that region is unknown, reported as one `not_assessed` finding for the region.
fn listing_gaps(rule: &Rule, snapshot: &LoadedSnapshot) -> Vec<Judged> {
    let meta = &snapshot.metadata;
    snapshot
        .gaps
        .iter()
        .filter(|g| g.resource.is_none())
        .filter(|g| {
            rule.meta
                .inputs
                .iter()
                .any(|i| *i == format!("{}:{}", g.service, g.operation))
        })
        .map(|g| {
            let region = if g.region == "global" {
                String::new()
            } else {
                g.region.clone()
            };
            Judged {
                resource: ResourceRef {
                    arn: format!(
                        "arn:{}:{}:{}:{}:*",
                        meta.partition, g.service, region, meta.account_id
                    ),
                    kind: rule.meta.resource_type.clone(),
                    region: g.region.clone(),
                    account_id: meta.account_id.clone(),
                },
                path: vec!["gaps".to_string()],
                message: format!(
                    "not assessed: {}:{} failed in {} ({}: {})",
                    g.service, g.operation, g.region, g.error_code, g.message
                ),
            }
        })
        .collect()
}

/// The gaps of the operations a rule reads, applied to each resource the rule judged: a
/// resource a failed call describes is `not_assessed`, whatever the rule's Rego made of the
/// data that was read, so it is never a pass (a rule that still fails it keeps the failure).
/// A call about one resource names it by ARN or, as the collector records SageMaker and S3
/// calls, by its name or id (the ARN's last segment, in the same service and region). A
/// failed listing (no resource) leaves every resource of its service in its region unknown:
/// the listing may have stopped part way.
fn resource_gaps(
    rule: &Rule,
    snapshot: &LoadedSnapshot,
    applicable: &[std::sync::Arc<str>],
) -> Vec<Judged> {
    let gaps: Vec<&Gap> = snapshot
        .gaps
        .iter()
        .filter(|g| {
            rule.meta
                .inputs
                .iter()
                .any(|i| *i == format!("{}:{}", g.service, g.operation))
        })
        .collect();
    if gaps.is_empty() {
        return Vec::new();
    }
    let mut by_arn: BTreeMap<&str, &Gap> = BTreeMap::new();
    let mut by_name: BTreeMap<(&str, String), Vec<&Gap>> = BTreeMap::new();
    let mut listings: BTreeMap<&str, Vec<&Gap>> = BTreeMap::new();
    for g in &gaps {
        match g.resource.as_deref() {
            Some(arn) if arn.starts_with("arn:") => {
                by_arn.entry(arn).or_insert(g);
            }
            Some(name) => by_name
                .entry((g.service.as_str(), name.to_ascii_lowercase()))
                .or_default()
                .push(g),
            None => listings.entry(g.service.as_str()).or_default().push(g),
        }
    }
    let in_region =
        |g: &Gap, region: &str| region.is_empty() || g.region == "global" || g.region == region;
    let meta = &snapshot.metadata;
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for arn in applicable {
        if !seen.insert(&**arn) {
            continue;
        }
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        let gap = by_arn.get(&**arn).copied().or_else(|| {
            let [_, _, service, region, _, resource] = parts.as_slice() else {
                return None;
            };
            let name = resource.rsplit(['/', ':']).next().unwrap_or(resource);
            let named = by_name.get(&(*service, name.to_ascii_lowercase()));
            named
                .into_iter()
                .chain(listings.get(service))
                .flatten()
                .copied()
                .find(|g| in_region(g, region))
        });
        let Some(gap) = gap else {
            continue;
        };
        let account_id = match parts.get(4) {
            Some(a) if !a.is_empty() => (*a).to_string(),
            _ => meta.account_id.clone(),
        };
        let what = match gap.resource.as_deref() {
            Some(resource) => format!("for {resource}"),
            None => format!("in {}", gap.region),
        };
        out.push(Judged {
            resource: ResourceRef {
                arn: arn.to_string(),
                kind: rule.meta.resource_type.clone(),
                region: match parts.get(3) {
                    Some(r) if !r.is_empty() => (*r).to_string(),
                    _ => gap.region.clone(),
                },
                account_id,
            },
            path: Vec::new(),
            message: format!(
                "not assessed: {}:{} failed {what} ({}: {})",
                gap.service, gap.operation, gap.error_code, gap.message
            ),
        });
    }
    out
}
