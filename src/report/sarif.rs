//! SARIF 2.1.0 for GitHub code scanning (and any SARIF viewer).
//!
//! One reporting descriptor per rule (name, descriptions, help in text and Markdown,
//! `helpUri`, `security-severity`); each result points at the line of the snapshot where the
//! resource starts, names the ARN as a logical location, and carries a fingerprint hashed
//! from rule id, account, region and ARN, so alerts track across runs.

use super::{Ctx, Emitter, ReportError};
use crate::audit::AuditReport;
use crate::engine::Rule;
use crate::findings::{Finding, Severity, Status};
use serde_sarif::sarif as s;
use std::collections::BTreeMap;
use std::io::Write;

pub const FINGERPRINT_KEY: &str = "mlguardFindingHash/v1";

/// GitHub code scanning rejects a run with more results than this; mlguard keeps the most
/// severe ones and warns.
pub const GITHUB_MAX_RESULTS: usize = 25_000;
/// GitHub code scanning rejects a run with more rules than this.
pub const GITHUB_MAX_RULES: usize = 25_000;
/// GitHub code scanning keeps only this many tags per rule (and rejects more than 20).
pub const GITHUB_MAX_TAGS: usize = 10;
const INFORMATION_URI: &str = "https://github.com/mlguard/mlguard";

pub struct Sarif;

impl From<Severity> for s::ResultLevel {
    fn from(sev: Severity) -> Self {
        match sev {
            Severity::Critical | Severity::High => s::ResultLevel::Error,
            Severity::Medium => s::ResultLevel::Warning,
            Severity::Low | Severity::Info => s::ResultLevel::Note,
        }
    }
}

fn text(t: impl Into<String>) -> s::MultiformatMessageString {
    s::MultiformatMessageString::builder()
        .text(t.into())
        .build()
}

fn help_markdown(rule: &Rule) -> String {
    let m = &rule.meta;
    let mut md = format!(
        "**{}** ({} · {})\n\n{}\n\n**Why:** {}\n\n**Remediation:** {}\n",
        m.title, m.pillar, m.severity, m.description, m.rationale, m.remediation.text
    );
    if !m.frameworks.is_empty() {
        md.push_str("\n**Frameworks:** ");
        let parts: Vec<String> = m
            .framework_ids()
            .iter()
            .map(|(k, v)| format!("{k}: {}", v.join(", ")))
            .collect();
        md.push_str(&parts.join("; "));
        md.push('\n');
    }
    md.push_str(&format!("\n[Rule documentation]({})\n", m.help_uri()));
    md
}

fn descriptor(rule: &Rule) -> s::ReportingDescriptor {
    let m = &rule.meta;
    let mut props = BTreeMap::new();
    props.insert(
        "security-severity".to_string(),
        serde_json::json!(m.severity.security_severity()),
    );
    props.insert("precision".to_string(), serde_json::json!("very-high"));
    props.insert("pillar".to_string(), serde_json::json!(m.pillar.as_str()));
    props.insert(
        "severity".to_string(),
        serde_json::json!(m.severity.as_str()),
    );
    if !m.frameworks.is_empty() {
        props.insert(
            "frameworks".to_string(),
            serde_json::json!(m.framework_ids()),
        );
    }
    let mut tags = vec![
        "security".to_string(),
        m.pillar.as_str().to_string(),
        "aws".to_string(),
        m.service.clone(),
    ];
    tags.truncate(GITHUB_MAX_TAGS);
    s::ReportingDescriptor::builder()
        .id(m.id.clone())
        .name(pascal_case(&m.name))
        .short_description(text(m.title.clone()))
        .full_description(text(m.description.clone()))
        .help(
            s::MultiformatMessageString::builder()
                .text(format!(
                    "{}\n\nRemediation: {}\n\n{}",
                    m.description,
                    m.remediation.text,
                    m.help_uri()
                ))
                .markdown(help_markdown(rule))
                .build(),
        )
        .help_uri(m.help_uri())
        .default_configuration(
            s::ReportingConfiguration::builder()
                .level(serde_json::json!(level_str(m.severity)))
                .build(),
        )
        .properties(
            s::PropertyBag::builder()
                .tags(tags)
                .additional_properties(props)
                .build(),
        )
        .build()
}

/// `role-trust-any-principal` → `RoleTrustAnyPrincipal`, the identifier form SARIF viewers expect.
fn pascal_case(kebab: &str) -> String {
    kebab
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn level_str(sev: Severity) -> &'static str {
    match s::ResultLevel::from(sev) {
        s::ResultLevel::Error => "error",
        s::ResultLevel::Warning => "warning",
        _ => "note",
    }
}

/// A URI reference for the snapshot file: relative paths as they are, absolute ones as
/// `file://` URIs.
fn artifact_uri(file: &str) -> String {
    let file = file.replace('\\', "/");
    if file.starts_with('/') {
        let encoded: String = file
            .split('/')
            .map(|seg| {
                percent_encoding::utf8_percent_encode(seg, percent_encoding::NON_ALPHANUMERIC)
                    .to_string()
            })
            .map(|seg| {
                seg.replace("%2E", ".")
                    .replace("%2D", "-")
                    .replace("%5F", "_")
            })
            .collect::<Vec<_>>()
            .join("/");
        format!("file://{encoded}")
    } else {
        file.split('/')
            .map(|seg| {
                percent_encoding::utf8_percent_encode(seg, percent_encoding::NON_ALPHANUMERIC)
                    .to_string()
                    .replace("%2E", ".")
                    .replace("%2D", "-")
                    .replace("%5F", "_")
            })
            .collect::<Vec<_>>()
            .join("/")
    }
}

fn result(f: &Finding, rule_index: Option<usize>, source: &str) -> s::Result {
    let line = f.location.as_ref().map_or(1, |l| l.line.max(1));
    let physical = s::PhysicalLocation::builder()
        .artifact_location(
            s::ArtifactLocation::builder()
                .uri(artifact_uri(source))
                .build(),
        )
        .region(s::Region::builder().start_line(i64::from(line)).build())
        .build();
    let logical = s::LogicalLocation::builder()
        .fully_qualified_name(f.resource.arn.clone())
        .name(
            f.resource
                .arn
                .rsplit([':', '/'])
                .next()
                .unwrap_or(&f.resource.arn)
                .to_string(),
        )
        .kind("resource")
        .build();
    let location = s::Location::builder()
        .physical_location(physical)
        .logical_locations(vec![logical])
        .build();
    let mut fp = BTreeMap::new();
    fp.insert(FINGERPRINT_KEY.to_string(), f.fingerprint.clone());
    let mut props = BTreeMap::new();
    props.insert("status".to_string(), serde_json::json!(f.status.as_str()));
    props.insert(
        "resourceType".to_string(),
        serde_json::json!(f.resource.kind),
    );
    props.insert("region".to_string(), serde_json::json!(f.resource.region));
    props.insert(
        "accountId".to_string(),
        serde_json::json!(f.resource.account_id),
    );
    props.insert("pillar".to_string(), serde_json::json!(f.pillar.as_str()));
    let message = format!("{}: {} ({})", f.rule_id, f.message, f.resource.arn);
    let (level, kind) = match f.status {
        Status::NotAssessed => (s::ResultLevel::Note, s::ResultKind::Open),
        _ => (s::ResultLevel::from(f.severity), s::ResultKind::Fail),
    };
    let mut r = s::Result::builder()
        .rule_id(f.rule_id.clone())
        .message(s::Message::builder().text(message).build())
        .level(level)
        .kind(kind)
        .locations(vec![location])
        .partial_fingerprints(fp)
        .properties(
            s::PropertyBag::builder()
                .additional_properties(props)
                .build(),
        )
        .build();
    r.rule_index = rule_index.map(|i| i as i64);
    if let Some(sup) = &f.suppression {
        // Both kinds live outside the snapshot (mlguard.toml, or a tag on the cloud
        // resource), so SARIF's kind is `external`; the properties say which.
        let mut props = BTreeMap::new();
        props.insert("mlguardKind".to_string(), serde_json::json!(sup.kind));
        props.insert("source".to_string(), serde_json::json!(sup.source));
        if let Some(expires) = &sup.expires {
            props.insert("expires".to_string(), serde_json::json!(expires));
        }
        r.suppressions = Some(vec![
            s::Suppression::builder()
                .kind(serde_json::json!("external"))
                .justification(format!("{} ({})", sup.reason, sup.source))
                .status(serde_json::json!("accepted"))
                .properties(
                    s::PropertyBag::builder()
                        .additional_properties(props)
                        .build(),
                )
                .build(),
        ]);
    }
    r
}

/// The findings a SARIF run holds: all of them up to `max`; beyond it the most severe
/// (failing before suppressed before not assessed), in report order.
fn kept_findings(report: &AuditReport, max: usize) -> Vec<&Finding> {
    if report.findings.len() <= max {
        return report.findings.iter().collect();
    }
    let rank = |f: &Finding| match f.status {
        Status::Fail => 0,
        Status::Suppressed => 1,
        Status::NotAssessed => 2,
    };
    let mut order: Vec<usize> = (0..report.findings.len()).collect();
    order.sort_by(|&a, &b| {
        let (fa, fb) = (&report.findings[a], &report.findings[b]);
        rank(fa)
            .cmp(&rank(fb))
            .then(fb.severity.cmp(&fa.severity))
            .then(a.cmp(&b))
    });
    order.truncate(max);
    order.sort_unstable();
    order.into_iter().map(|i| &report.findings[i]).collect()
}

/// Warnings about GitHub's SARIF limits that this report meets.
pub fn limit_warnings(report: &AuditReport, ctx: &Ctx) -> Vec<String> {
    let mut warnings = Vec::new();
    if report.findings.len() > ctx.sarif_max_results {
        warnings.push(format!(
            "SARIF: {} results exceed GitHub code scanning's limit of {} per run; the SARIF report keeps the {} most severe (the other formats keep all)",
            report.findings.len(),
            ctx.sarif_max_results,
            ctx.sarif_max_results
        ));
    }
    if report.rules.len() > GITHUB_MAX_RULES {
        warnings.push(format!(
            "SARIF: {} rules exceed GitHub code scanning's limit of {GITHUB_MAX_RULES} per run; the SARIF report keeps the rules with results first",
            report.rules.len()
        ));
    }
    warnings
}

impl Sarif {
    pub fn build(report: &AuditReport, ctx: &Ctx) -> s::Sarif {
        let findings = kept_findings(report, ctx.sarif_max_results);
        let mut rule_refs: Vec<&Rule> = report.rules.iter().collect();
        if rule_refs.len() > GITHUB_MAX_RULES {
            let with_results: std::collections::BTreeSet<&str> =
                findings.iter().map(|f| f.rule_id.as_str()).collect();
            rule_refs.sort_by_key(|r| !with_results.contains(r.meta.id.as_str()));
            rule_refs.truncate(GITHUB_MAX_RULES);
            rule_refs.sort_by(|a, b| a.meta.id.cmp(&b.meta.id));
        }
        let rules: Vec<s::ReportingDescriptor> = rule_refs.iter().map(|r| descriptor(r)).collect();
        let index: BTreeMap<&str, usize> = rule_refs
            .iter()
            .enumerate()
            .map(|(i, r)| (r.meta.id.as_str(), i))
            .collect();
        let results: Vec<s::Result> = findings
            .iter()
            .map(|f| result(f, index.get(f.rule_id.as_str()).copied(), &report.source))
            .collect();
        let driver = s::ToolComponent::builder()
            .name("mlguard")
            .version(ctx.tool_version)
            .semantic_version(ctx.tool_version)
            .information_uri(INFORMATION_URI)
            .rules(rules)
            .build();
        let automation = s::RunAutomationDetails::builder()
            .id(format!("mlguard/{}/", report.metadata.account_id))
            .build();
        let invocation = s::Invocation::builder().execution_successful(true).build();
        let run = s::Run::builder()
            .tool(s::Tool::builder().driver(driver).build())
            .results(results)
            .automation_details(automation)
            .invocations(vec![invocation])
            .column_kind(serde_json::json!("unicodeCodePoints"))
            .build();
        s::Sarif::builder()
            .schema(s::SCHEMA_URL.to_string())
            .version(serde_json::json!("2.1.0"))
            .runs(vec![run])
            .build()
    }
}

impl Emitter for Sarif {
    fn emit(
        &self,
        out: &mut dyn Write,
        report: &AuditReport,
        ctx: &Ctx,
    ) -> Result<(), ReportError> {
        crate::report::emit_json(out, &Self::build(report, ctx))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_references() {
        assert_eq!(
            artifact_uri("fixtures/lab-insecure.json"),
            "fixtures/lab-insecure.json"
        );
        assert_eq!(artifact_uri("/tmp/a b/s.json"), "file:///tmp/a%20b/s.json");
        assert_eq!(
            pascal_case("role-trust-any-principal"),
            "RoleTrustAnyPrincipal"
        );
    }
}
