//! Framework evidence (`--framework NAME`, `--format csv`): for each control of a framework's
//! control set (`policies/frameworks/<key>.yaml`), the rules that evidence it and how fully,
//! its status in this audit, and every (rule, resource) pair behind that status, with what an
//! auditor needs to reproduce it (mlguard version, snapshot and policy-set hashes).
//!
//! Views borrow the report: the rows behind a control are the report's findings (and those a
//! baseline took out of it) and the ARNs each rule judged and passed, never copied per control.

use crate::audit::AuditReport;
use crate::engine::Rule;
use crate::engine::frameworks::{self, Framework};
use crate::engine::metadata::Coverage;
use crate::findings::{Finding, RuleTally, Status};
use serde::Serialize;
use serde::ser::SerializeSeq;
use std::collections::BTreeMap;

/// What a control's evidence says in this audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlStatus {
    /// A mapped rule failed on some resource.
    Fail,
    /// Nothing failed, but some resources could not be assessed.
    NotAssessed,
    /// Every mapped rule judged resources and none failed (suppressed findings are accepted).
    Pass,
    /// The mapped rules found nothing to judge in this account.
    NoResources,
    /// No rule that ran maps to the control: mlguard says nothing about it.
    NotEvidenced,
}

impl ControlStatus {
    pub const ALL: [ControlStatus; 5] = [
        ControlStatus::Fail,
        ControlStatus::NotAssessed,
        ControlStatus::Pass,
        ControlStatus::NoResources,
        ControlStatus::NotEvidenced,
    ];

    /// As the table and CSV spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            ControlStatus::Pass => "pass",
            ControlStatus::Fail => "fail",
            ControlStatus::NotAssessed => "not assessed",
            ControlStatus::NoResources => "no resources",
            ControlStatus::NotEvidenced => "not evidenced",
        }
    }

    /// As JSON, HTML attributes and the CSV `*_status` columns spell it.
    pub fn key(self) -> &'static str {
        match self {
            ControlStatus::Pass => "pass",
            ControlStatus::Fail => "fail",
            ControlStatus::NotAssessed => "not_assessed",
            ControlStatus::NoResources => "no_resources",
            ControlStatus::NotEvidenced => "not_evidenced",
        }
    }
}

/// How fully mlguard evidences a control: `full` when one of its rules does, `partial` when
/// only partial rules map to it (partials never add up to full), `none` when no rule does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlCoverage {
    Full,
    Partial,
    None,
}

impl ControlCoverage {
    pub fn as_str(self) -> &'static str {
        match self {
            ControlCoverage::Full => "full",
            ControlCoverage::Partial => "partial",
            ControlCoverage::None => "none",
        }
    }

    pub fn of(coverages: impl IntoIterator<Item = Coverage>) -> ControlCoverage {
        let mut best = ControlCoverage::None;
        for c in coverages {
            match c {
                Coverage::Full => return ControlCoverage::Full,
                Coverage::Partial => best = ControlCoverage::Partial,
            }
        }
        best
    }
}

/// What makes evidence reproducible, beside the report's own metadata.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    /// Frameworks shown in the table, JSON and HTML (`--framework`, in the order given).
    pub frameworks: Vec<String>,
    /// Frameworks in the CSV: the same, or every framework the evaluated rules map to when
    /// no `--framework` was given.
    pub csv_frameworks: Vec<String>,
    /// sha256 of the snapshot file's bytes, hex.
    pub snapshot_sha256: String,
    /// sha256 of the policy set and the settings that change results (docs/frameworks.md).
    pub policy_set_sha256: String,
    /// The date suppression expiry was judged against (YYYY-MM-DD).
    pub audited_on: String,
    /// Findings a `--baseline` took out of the report: still evidence.
    pub hidden: Vec<Finding>,
}

impl Evidence {
    /// The command that gives the same evidence again.
    pub fn reproduce(&self, report: &AuditReport) -> String {
        let mut cmd = format!("mlguard audit {}", report.source);
        for f in &self.frameworks {
            cmd.push_str(" --framework ");
            cmd.push_str(f);
        }
        cmd
    }
}

/// One (rule, resource) pair behind a control.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    pub rule: &'a Rule,
    pub arn: &'a str,
    pub kind: &'a str,
    pub region: &'a str,
    pub account_id: &'a str,
    /// `pass`, `fail`, `suppressed` or `not_assessed`.
    pub status: &'static str,
    /// The finding's message; empty for a pass.
    pub message: &'a str,
    pub finding: Option<&'a Finding>,
}

impl Serialize for Row<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Suppressed<'a> {
            reason: &'a str,
            source: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            expires: Option<&'a str>,
        }
        #[derive(Serialize)]
        struct Out<'a> {
            rule_id: &'a str,
            arn: &'a str,
            #[serde(rename = "type")]
            kind: &'a str,
            region: &'a str,
            account_id: &'a str,
            status: &'a str,
            #[serde(skip_serializing_if = "str::is_empty")]
            message: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            fingerprint: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            suppression: Option<Suppressed<'a>>,
        }
        Out {
            rule_id: &self.rule.meta.id,
            arn: self.arn,
            kind: self.kind,
            region: self.region,
            account_id: self.account_id,
            status: self.status,
            message: self.message,
            fingerprint: self.finding.map(|f| f.fingerprint.as_str()),
            suppression: self
                .finding
                .and_then(|f| f.suppression.as_ref())
                .map(|s| Suppressed {
                    reason: &s.reason,
                    source: &s.source,
                    expires: s.expires.as_deref(),
                }),
        }
        .serialize(serializer)
    }
}

/// A rule behind a control, with what it judged in this audit.
#[derive(Debug, Clone, Copy)]
pub struct RuleView<'a> {
    pub rule: &'a Rule,
    pub coverage: Coverage,
    pub status: ControlStatus,
    pub tally: Option<&'a RuleTally>,
}

impl RuleView<'_> {
    pub fn passed(&self) -> usize {
        self.tally.map_or(0, RuleTally::passed)
    }
    pub fn failed(&self) -> usize {
        self.tally.map_or(0, |t| t.failed)
    }
    pub fn suppressed(&self) -> usize {
        self.tally.map_or(0, |t| t.suppressed)
    }
    pub fn not_assessed(&self) -> usize {
        self.tally.map_or(0, |t| t.not_assessed)
    }
}

impl Serialize for RuleView<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Out<'a> {
            id: &'a str,
            title: &'a str,
            severity: &'a str,
            coverage: Coverage,
            status: ControlStatus,
            passed: usize,
            failed: usize,
            suppressed: usize,
            not_assessed: usize,
        }
        Out {
            id: &self.rule.meta.id,
            title: &self.rule.meta.title,
            severity: self.rule.meta.severity.as_str(),
            coverage: self.coverage,
            status: self.status,
            passed: self.passed(),
            failed: self.failed(),
            suppressed: self.suppressed(),
            not_assessed: self.not_assessed(),
        }
        .serialize(serializer)
    }
}

/// One control of a framework's control set, as this audit evidences it.
#[derive(Debug, Clone)]
pub struct ControlView<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub status: ControlStatus,
    pub coverage: ControlCoverage,
    pub rules: Vec<RuleView<'a>>,
    index: &'a RowIndex<'a>,
}

impl<'a> ControlView<'a> {
    /// (rule, resource) pairs that pass, fail, are suppressed or not assessed.
    pub fn passed(&self) -> usize {
        self.rules.iter().map(RuleView::passed).sum()
    }
    pub fn failed(&self) -> usize {
        self.rules.iter().map(RuleView::failed).sum()
    }
    pub fn suppressed(&self) -> usize {
        self.rules.iter().map(RuleView::suppressed).sum()
    }
    pub fn not_assessed(&self) -> usize {
        self.rules.iter().map(RuleView::not_assessed).sum()
    }

    /// Every (rule, resource) pair of the control's rules: findings first (failing, not
    /// assessed, suppressed), then passes, rule by rule.
    pub fn rows(&self) -> impl Iterator<Item = Row<'a>> + '_ {
        self.rules.iter().flat_map(|r| self.index.rows(r.rule))
    }

    /// The pairs that decide the status: failing ones for `fail`, not assessed ones for
    /// `not assessed`, passing and suppressed ones for `pass`.
    pub fn deciding_rows(&self) -> impl Iterator<Item = Row<'a>> + '_ {
        let status = self.status;
        self.rows().filter(move |r| match status {
            ControlStatus::Fail => r.status == "fail",
            ControlStatus::NotAssessed => r.status == "not_assessed",
            ControlStatus::Pass => r.status == "pass" || r.status == "suppressed",
            ControlStatus::NoResources | ControlStatus::NotEvidenced => false,
        })
    }
}

struct Rows<'v, 'a>(&'v ControlView<'a>);

impl Serialize for Rows<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(None)?;
        for row in self.0.rows() {
            seq.serialize_element(&row)?;
        }
        seq.end()
    }
}

impl Serialize for ControlView<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Out<'v, 'a> {
            id: &'a str,
            title: &'a str,
            status: ControlStatus,
            coverage: ControlCoverage,
            passed: usize,
            failed: usize,
            suppressed: usize,
            not_assessed: usize,
            rules: &'v [RuleView<'a>],
            resources: Rows<'v, 'a>,
        }
        Out {
            id: self.id,
            title: self.title,
            status: self.status,
            coverage: self.coverage,
            passed: self.passed(),
            failed: self.failed(),
            suppressed: self.suppressed(),
            not_assessed: self.not_assessed(),
            rules: &self.rules,
            resources: Rows(self),
        }
        .serialize(serializer)
    }
}

/// Counts of a framework's controls.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub controls: usize,
    pub pass: usize,
    pub fail: usize,
    pub not_assessed: usize,
    pub no_resources: usize,
    pub not_evidenced: usize,
    /// Controls a rule evidences fully, partially.
    pub full: usize,
    pub partial: usize,
}

/// One framework, as this audit evidences it.
#[derive(Debug, Clone)]
pub struct FrameworkView<'a> {
    pub framework: &'static Framework,
    pub controls: Vec<ControlView<'a>>,
}

impl FrameworkView<'_> {
    pub fn summary(&self) -> Summary {
        let count = |s| self.controls.iter().filter(|c| c.status == s).count();
        let cov = |v| self.controls.iter().filter(|c| c.coverage == v).count();
        Summary {
            controls: self.controls.len(),
            pass: count(ControlStatus::Pass),
            fail: count(ControlStatus::Fail),
            not_assessed: count(ControlStatus::NotAssessed),
            no_resources: count(ControlStatus::NoResources),
            not_evidenced: count(ControlStatus::NotEvidenced),
            full: cov(ControlCoverage::Full),
            partial: cov(ControlCoverage::Partial),
        }
    }
}

impl Serialize for FrameworkView<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Out<'v, 'a> {
            key: &'a str,
            name: &'a str,
            version: &'a str,
            source: &'a str,
            scope: &'a str,
            mappings: &'a str,
            references: &'a [String],
            summary: Summary,
            controls: &'v [ControlView<'a>],
        }
        let f = self.framework;
        Out {
            key: &f.key,
            name: &f.name,
            version: &f.version,
            source: &f.source,
            scope: &f.scope,
            mappings: &f.mappings,
            references: &f.references,
            summary: self.summary(),
            controls: &self.controls,
        }
        .serialize(serializer)
    }
}

/// Findings and passes by rule, built once for all the views of a report.
#[derive(Debug)]
pub struct RowIndex<'a> {
    report: &'a AuditReport,
    findings: BTreeMap<&'a str, Vec<&'a Finding>>,
}

impl<'a> RowIndex<'a> {
    pub fn new(report: &'a AuditReport, evidence: &'a Evidence) -> RowIndex<'a> {
        let mut findings: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
        for f in report.findings.iter().chain(&evidence.hidden) {
            findings.entry(f.rule_id.as_str()).or_default().push(f);
        }
        for list in findings.values_mut() {
            list.sort_by(|a, b| {
                status_rank(a.status)
                    .cmp(&status_rank(b.status))
                    .then_with(|| a.resource.arn.cmp(&b.resource.arn))
            });
        }
        RowIndex { report, findings }
    }

    /// Every (rule, resource) pair the rule judged.
    pub fn rows(&self, rule: &'a Rule) -> impl Iterator<Item = Row<'a>> + '_ {
        let account = self.report.metadata.account_id.as_str();
        let findings = self
            .findings
            .get(rule.meta.id.as_str())
            .into_iter()
            .flatten()
            .map(move |f| Row {
                rule,
                arn: &f.resource.arn,
                kind: &f.resource.kind,
                region: &f.resource.region,
                account_id: &f.resource.account_id,
                status: f.status.as_str(),
                message: &f.message,
                finding: Some(f),
            });
        let passes = self
            .report
            .passed
            .get(&rule.meta.id)
            .into_iter()
            .flatten()
            .map(move |arn| {
                let (region, arn_account) = arn_region_account(arn);
                Row {
                    rule,
                    arn,
                    kind: &rule.meta.resource_type,
                    region,
                    account_id: if arn_account.is_empty() {
                        account
                    } else {
                        arn_account
                    },
                    status: "pass",
                    message: "",
                    finding: None,
                }
            });
        findings.chain(passes)
    }
}

fn status_rank(s: Status) -> u8 {
    match s {
        Status::Fail => 0,
        Status::NotAssessed => 1,
        Status::Suppressed => 2,
    }
}

/// The region and account of an ARN (`arn:partition:service:region:account:resource`); a
/// resource without a region (IAM, S3) is `global`, as rules report it.
fn arn_region_account(arn: &str) -> (&str, &str) {
    let mut parts = arn.splitn(6, ':');
    let region = parts.nth(3).unwrap_or_default();
    let account = parts.next().unwrap_or_default();
    (if region.is_empty() { "global" } else { region }, account)
}

fn rule_status(tally: Option<&RuleTally>) -> ControlStatus {
    match tally {
        Some(t) if t.failed > 0 => ControlStatus::Fail,
        Some(t) if t.not_assessed > 0 => ControlStatus::NotAssessed,
        Some(t) if t.applicable > 0 => ControlStatus::Pass,
        _ => ControlStatus::NoResources,
    }
}

/// The control's status from its rules': the worst of fail, not assessed, pass; no
/// resources only when no rule judged anything.
fn control_status(rules: &[RuleView<'_>]) -> ControlStatus {
    if rules.is_empty() {
        return ControlStatus::NotEvidenced;
    }
    rules
        .iter()
        .map(|r| r.status)
        .min()
        .unwrap_or(ControlStatus::NotEvidenced)
}

/// The framework `key` as the evaluated rules evidence it: every control of its control
/// set, in the framework's order.
pub fn view<'a>(
    report: &'a AuditReport,
    index: &'a RowIndex<'a>,
    key: &str,
) -> Result<FrameworkView<'a>, String> {
    let framework = frameworks::get(key)?.ok_or_else(|| format!("unknown framework `{key}`"))?;
    let tallies: BTreeMap<&str, &RuleTally> = report
        .tallies
        .iter()
        .map(|t| (t.rule_id.as_str(), t))
        .collect();
    let controls = framework
        .controls
        .iter()
        .map(|c| {
            let rules: Vec<RuleView<'a>> = report
                .rules
                .iter()
                .filter_map(|rule| {
                    let coverage = rule.meta.frameworks.get(key)?.coverage(&c.id)?;
                    let tally = tallies.get(rule.meta.id.as_str()).copied();
                    Some(RuleView {
                        rule,
                        coverage,
                        status: rule_status(tally),
                        tally,
                    })
                })
                .collect();
            ControlView {
                id: &c.id,
                title: &c.title,
                status: control_status(&rules),
                coverage: ControlCoverage::of(rules.iter().map(|r| r.coverage)),
                rules,
                index,
            }
        })
        .collect();
    Ok(FrameworkView {
        framework,
        controls,
    })
}

/// Frameworks some evaluated rule maps to, in display order.
pub fn mapped_frameworks(report: &AuditReport) -> Vec<String> {
    frameworks::KEYS
        .iter()
        .filter(|k| {
            report
                .rules
                .iter()
                .any(|r| r.meta.frameworks.get(**k).is_some_and(|m| !m.is_empty()))
        })
        .map(|k| (*k).to_string())
        .collect()
}

/// The control listing of `rules list --framework`: each control with the loaded rules that
/// map to it and how fully.
#[derive(Debug, Clone, Serialize)]
pub struct CatalogControl<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub coverage: ControlCoverage,
    pub rules: Vec<CatalogRule<'a>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CatalogRule<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub coverage: Coverage,
}

pub fn catalog<'a>(framework: &'a Framework, rules: &'a [Rule]) -> Vec<CatalogControl<'a>> {
    framework
        .controls
        .iter()
        .map(|c| {
            let rules: Vec<CatalogRule<'a>> = rules
                .iter()
                .filter_map(|r| {
                    let coverage = r.meta.frameworks.get(&framework.key)?.coverage(&c.id)?;
                    Some(CatalogRule {
                        id: &r.meta.id,
                        title: &r.meta.title,
                        coverage,
                    })
                })
                .collect();
            CatalogControl {
                id: &c.id,
                title: &c.title,
                coverage: ControlCoverage::of(rules.iter().map(|r| r.coverage)),
                rules,
            }
        })
        .collect()
}

/// The `compliance` object of report_version 1 before evidence existed: the controls of one
/// framework that an evaluated rule maps to. Kept for readers of that field.
#[derive(Debug, Clone, Serialize)]
pub struct LegacyCompliance<'a> {
    pub framework: &'a str,
    pub controls: Vec<LegacyControl<'a>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LegacyControl<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub status: ControlStatus,
    pub rules: Vec<&'a str>,
    pub passed: usize,
    pub failed: usize,
    pub suppressed: usize,
    pub not_assessed: usize,
}

pub fn legacy<'a>(view: &FrameworkView<'a>) -> LegacyCompliance<'a> {
    LegacyCompliance {
        framework: &view.framework.key,
        controls: view
            .controls
            .iter()
            .filter(|c| c.status != ControlStatus::NotEvidenced)
            .map(|c| LegacyControl {
                id: c.id,
                title: c.title,
                status: c.status,
                rules: c.rules.iter().map(|r| r.rule.meta.id.as_str()).collect(),
                passed: c.passed(),
                failed: c.failed(),
                suppressed: c.suppressed(),
                not_assessed: c.not_assessed(),
            })
            .collect(),
    }
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex(&Sha256::digest(bytes))
}

/// sha256 of a snapshot file's bytes (hex), read in pieces.
pub fn file_sha256(path: &std::path::Path) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

/// sha256 of bytes already in memory (a collected snapshot), hex.
pub fn bytes_sha256(bytes: &[u8]) -> String {
    sha256_hex(bytes)
}

/// The policy set's hash: sha256 (hex) of this text, one line each, in this order:
///
/// ```text
/// mlguard-policy-set 1
/// module <builtin|custom> <path> <sha256 of the file>   every rule and library, by origin then path
/// framework <path> <sha256 of the file>                  every framework definition, by path
/// run <rule id> <severity>                               every rule that runs, by id, its severity after overrides
/// params <JSON>                                          the policies' parameters (scope, trusted CIDRs, ports, days)
/// suppress <JSON | off>                                  mlguard.toml's [[suppress]] entries; `off` under --no-suppress
/// ```
///
/// Tests are left out (they change no result); custom paths are relative to their
/// `--policy-dir`, so the hash does not depend on where the directory is.
pub fn policy_set_sha256(
    set: &crate::engine::PolicySet,
    run: &[(String, crate::findings::Severity)],
    params: &crate::engine::Params,
    suppress: Option<&[crate::config::SuppressEntry]>,
) -> String {
    use crate::engine::Origin;
    let mut text = String::from("mlguard-policy-set 1\n");
    let mut modules: Vec<(&str, String, String)> = set
        .rules
        .iter()
        .map(|r| &r.source)
        .chain(&set.libs)
        .map(|src| {
            let (origin, path) = match &src.origin {
                Origin::Builtin => ("builtin", src.path.clone()),
                Origin::Custom(dir) => (
                    "custom",
                    std::path::Path::new(&src.path)
                        .strip_prefix(dir)
                        .map_or_else(|_| src.path.clone(), |p| p.display().to_string())
                        .replace('\\', "/"),
                ),
            };
            (origin, path, sha256_hex(src.text.as_bytes()))
        })
        .collect();
    modules.sort();
    for (origin, path, hash) in &modules {
        text.push_str(&format!("module {origin} {path} {hash}\n"));
    }
    let mut frameworks: Vec<_> = crate::engine::policy_framework_sources().to_vec();
    frameworks.sort_unstable();
    for (path, body) in frameworks {
        text.push_str(&format!(
            "framework {path} {}\n",
            sha256_hex(body.as_bytes())
        ));
    }
    let mut run: Vec<_> = run.to_vec();
    run.sort();
    for (id, severity) in &run {
        text.push_str(&format!("run {id} {severity}\n"));
    }
    text.push_str(&format!(
        "params {}\n",
        serde_json::to_string(params).unwrap_or_default()
    ));
    text.push_str(&format!(
        "suppress {}\n",
        suppress.map_or_else(
            || "off".to_string(),
            |entries| serde_json::to_string(entries).unwrap_or_default()
        )
    ));
    sha256_hex(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_give_region_and_account() {
        assert_eq!(
            arn_region_account("arn:aws:iam::123456789012:role/x"),
            ("global", "123456789012")
        );
        assert_eq!(arn_region_account("arn:aws:s3:::bucket"), ("global", ""));
        assert_eq!(
            arn_region_account("arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-1"),
            ("eu-west-1", "123456789012")
        );
        assert_eq!(arn_region_account("not-an-arn"), ("global", ""));
    }

    #[test]
    fn coverage_and_status_aggregate() {
        assert_eq!(ControlCoverage::of([]), ControlCoverage::None);
        assert_eq!(
            ControlCoverage::of([Coverage::Partial, Coverage::Partial]),
            ControlCoverage::Partial
        );
        assert_eq!(
            ControlCoverage::of([Coverage::Partial, Coverage::Full]),
            ControlCoverage::Full
        );
        assert_eq!(control_status(&[]), ControlStatus::NotEvidenced);
        assert!(ControlStatus::Fail < ControlStatus::NotAssessed);
        assert!(ControlStatus::NotAssessed < ControlStatus::Pass);
        assert!(ControlStatus::Pass < ControlStatus::NoResources);
    }
}
