//! Findings, severities, pillars and scores: the pure result of evaluating a snapshot.

mod fix;
mod score;

pub use fix::{Applicability, FixInfo, FixLookup};
pub use score::{PillarScore, RuleTally, Scores, compute_scores};

/// The three buckets every summary shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Registry {
    /// Findings that count: failing or not assessed.
    pub active: usize,
    /// Failing findings a suppression accepts (status `suppressed`).
    pub ignored: usize,
    /// Rules loaded but turned off by `select`/`ignore`.
    pub disabled_rules: usize,
}

impl fmt::Display for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} active, {} ignored (suppressed), {} {} disabled",
            self.active,
            self.ignored,
            self.disabled_rules,
            if self.disabled_rules == 1 {
                "rule"
            } else {
                "rules"
            }
        )
    }
}

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;

// The severity at or above which a failing finding makes the run exit 1 (`--fail-on`,
// `fail_on` in mlguard.toml). A plain comment: a doc comment would change the published
// config schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    Critical,
    High,
    Medium,
    Low,
    Info,
    /// Never fail on findings.
    None,
}

impl FailOn {
    pub const ALL: &'static [FailOn] = &[
        FailOn::Critical,
        FailOn::High,
        FailOn::Medium,
        FailOn::Low,
        FailOn::Info,
        FailOn::None,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FailOn::Critical => "critical",
            FailOn::High => "high",
            FailOn::Medium => "medium",
            FailOn::Low => "low",
            FailOn::Info => "info",
            FailOn::None => "none",
        }
    }

    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Critical => Some(Severity::Critical),
            FailOn::High => Some(Severity::High),
            FailOn::Medium => Some(Severity::Medium),
            FailOn::Low => Some(Severity::Low),
            FailOn::Info => Some(Severity::Info),
            FailOn::None => None,
        }
    }
}

/// How a run compares with its baseline (`--baseline`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BaselineSummary {
    /// The baseline file, as given.
    pub file: String,
    /// Findings not in the baseline (the ones reported).
    pub new: usize,
    /// Findings also in the baseline (left out of the report).
    pub unchanged: usize,
    /// Failing or suppressed findings of the baseline, of rules that ran, that are gone.
    pub fixed: usize,
}

/// How bad a failed check is. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Weight of a (rule, resource) pair in the scores.
    pub fn weight(self) -> f64 {
        match self {
            Severity::Critical => 10.0,
            Severity::High => 5.0,
            Severity::Medium => 3.0,
            Severity::Low => 1.0,
            Severity::Info => 0.5,
        }
    }

    /// The CVSS-like number GitHub code scanning reads from `security-severity`.
    pub fn security_severity(self) -> &'static str {
        match self {
            Severity::Critical => "9.5",
            Severity::High => "8.0",
            Severity::Medium => "5.5",
            Severity::Low => "3.0",
            Severity::Info => "1.0",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "info" => Ok(Severity::Info),
            "low" => Ok(Severity::Low),
            "medium" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            "critical" => Ok(Severity::Critical),
            other => Err(format!(
                "unknown severity `{other}` (expected critical, high, medium, low or info)"
            )),
        }
    }
}

/// The three customer responsibilities mlguard checks.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Pillar {
    LeastPrivilege,
    NetworkIsolation,
    Encryption,
}

impl Pillar {
    pub const ALL: [Pillar; 3] = [
        Pillar::LeastPrivilege,
        Pillar::NetworkIsolation,
        Pillar::Encryption,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Pillar::LeastPrivilege => "least_privilege",
            Pillar::NetworkIsolation => "network_isolation",
            Pillar::Encryption => "encryption",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Pillar::LeastPrivilege => "Least privilege",
            Pillar::NetworkIsolation => "Network isolation",
            Pillar::Encryption => "Encryption",
        }
    }

    /// The prefix of the ids of built-in rules of this pillar.
    pub fn id_prefix(self) -> &'static str {
        match self {
            Pillar::LeastPrivilege => "LP",
            Pillar::NetworkIsolation => "NI",
            Pillar::Encryption => "DE",
        }
    }
}

impl fmt::Display for Pillar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Pillar {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().replace('-', "_").as_str() {
            "least_privilege" | "lp" => Ok(Pillar::LeastPrivilege),
            "network_isolation" | "ni" => Ok(Pillar::NetworkIsolation),
            "encryption" | "de" => Ok(Pillar::Encryption),
            other => Err(format!(
                "unknown pillar `{other}` (expected least_privilege, network_isolation or encryption)"
            )),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The resource breaks the rule.
    Fail,
    /// The rule's inputs for this resource could not be read (see the snapshot's gaps).
    NotAssessed,
    /// The resource breaks the rule, and a suppression accepts it.
    Suppressed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Fail => "fail",
            Status::NotAssessed => "not_assessed",
            Status::Suppressed => "suppressed",
        }
    }
}

/// The resource a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ResourceRef {
    pub arn: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub region: String,
    pub account_id: String,
}

/// Where the resource starts in the snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// The snapshot file, as given.
    pub file: String,
    /// Path of the resource in the snapshot, e.g. `regions/us-east-1/ec2/security_groups/0`.
    pub path: String,
    pub line: u32,
}

/// Why a finding is suppressed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppression {
    /// `config` (an entry in mlguard.toml) or `tag` (the resource's `mlguard:suppress` tag).
    pub kind: String,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// Where it was written: `mlguard.toml:14`, or `tag mlguard:suppress`.
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub rule_id: String,
    pub title: String,
    pub pillar: Pillar,
    pub severity: Severity,
    pub status: Status,
    pub resource: ResourceRef,
    pub message: String,
    pub remediation: String,
    pub help_uri: String,
    pub location: Option<Location>,
    /// Stable across runs: hashed from rule id, account, region and ARN.
    pub fingerprint: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppression: Option<Suppression>,
}

/// The fingerprint of a (rule, resource) pair.
pub fn fingerprint(rule_id: &str, resource: &ResourceRef) -> String {
    let mut h = Sha256::new();
    for part in [
        rule_id,
        &resource.account_id,
        &resource.region,
        &resource.arn,
    ] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Deterministic report order: pillar, then severity (worst first), rule id, ARN.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        a.pillar
            .cmp(&b.pillar)
            .then(b.severity.cmp(&a.severity))
            .then_with(|| a.rule_id.cmp(&b.rule_id))
            .then_with(|| a.resource.arn.cmp(&b.resource.arn))
            .then_with(|| a.status.cmp(&b.status))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_orders_and_parses() {
        assert!(Severity::Critical > Severity::High && Severity::Low > Severity::Info);
        assert_eq!("HIGH".parse::<Severity>(), Ok(Severity::High));
        assert!("severe".parse::<Severity>().is_err());
    }

    #[test]
    fn fingerprint_is_stable_and_distinguishes() {
        let r = ResourceRef {
            arn: "arn:aws:iam::1:role/a".into(),
            kind: "AWS::IAM::Role".into(),
            region: "global".into(),
            account_id: "1".into(),
        };
        let a = fingerprint("LP-001", &r);
        assert_eq!(a, fingerprint("LP-001", &r));
        assert_ne!(a, fingerprint("LP-002", &r));
        assert_eq!(a.len(), 64);
    }
}
