//! The `# METADATA` block that opens every rule file.
//!
//! regorus does not read OPA's metadata annotations, so mlguard parses the YAML in the
//! leading comment block itself and validates it: a rule with missing or malformed metadata
//! is refused at load time, naming the file.

use crate::findings::{Pillar, Severity};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Framework keys a rule may map to.
pub const FRAMEWORKS: &[(&str, &str)] = &[
    (
        "fsbp",
        "AWS Foundational Security Best Practices (Security Hub control ids)",
    ),
    ("cis", "CIS Amazon Web Services Foundations Benchmark"),
    ("aws_config", "AWS Config managed rules"),
    ("lab", "ML hardening lab checkpoints"),
];

/// Where the help page of a rule lives.
pub const DOCS_BASE_URL: &str = "https://github.com/mlguard/mlguard/blob/main/docs/rules/";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleStatus {
    Stable,
    /// New rules ship as preview until they have met real accounts.
    Preview,
    /// Kept so its id is never reused; not evaluated unless selected by id.
    Deprecated,
}

impl RuleStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleStatus::Stable => "stable",
            RuleStatus::Preview => "preview",
            RuleStatus::Deprecated => "deprecated",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Remediation {
    /// What to change, in words.
    pub text: String,
    /// The id of mlguard's automatic fix, when there is one (see `mlguard remediate`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
}

/// What the METADATA block holds, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMetadata {
    title: String,
    description: String,
    custom: RawCustom,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCustom {
    id: String,
    name: String,
    pillar: Pillar,
    severity: Severity,
    service: String,
    resource_type: String,
    #[serde(default = "default_status")]
    status: RuleStatus,
    rationale: String,
    remediation: Remediation,
    #[serde(default)]
    frameworks: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    references: Vec<String>,
    #[serde(default)]
    inputs: Vec<String>,
    #[serde(default)]
    aliases: Vec<String>,
}

fn default_status() -> RuleStatus {
    RuleStatus::Preview
}

/// A rule's metadata, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleMeta {
    /// Stable code, e.g. `NI-007`. Never renumbered, never reused.
    pub id: String,
    /// Kebab-case name of the hazard, e.g. `notebook-root-access`.
    pub name: String,
    pub title: String,
    /// What the rule checks.
    pub description: String,
    /// Why it matters.
    pub rationale: String,
    pub pillar: Pillar,
    pub severity: Severity,
    /// Service prefix of the resource, e.g. `iam`, `ec2`.
    pub service: String,
    /// CloudFormation-style resource type, e.g. `AWS::EC2::SecurityGroup`.
    pub resource_type: String,
    pub status: RuleStatus,
    pub remediation: Remediation,
    pub frameworks: BTreeMap<String, Vec<String>>,
    pub references: Vec<String>,
    /// API operations (`service:Operation`) whose results the rule reads: a failed listing
    /// among them makes the rule report `not_assessed`.
    pub inputs: Vec<String>,
    pub aliases: Vec<String>,
}

impl RuleMeta {
    pub fn help_uri(&self) -> String {
        format!("{DOCS_BASE_URL}{}.md", self.id)
    }
}

/// Extracts the YAML of the `# METADATA` block at the top of a policy file, or `None` when
/// the file has none.
pub fn extract_block(source: &str) -> Option<String> {
    let mut lines = source.lines().skip_while(|l| l.trim().is_empty());
    if lines.next()?.trim() != "# METADATA" {
        return None;
    }
    let mut yaml = String::new();
    for line in lines {
        let t = line.trim_start();
        let Some(rest) = t.strip_prefix('#') else {
            break;
        };
        yaml.push_str(rest.strip_prefix(' ').unwrap_or(rest));
        yaml.push('\n');
    }
    Some(yaml)
}

fn valid_id(id: &str) -> bool {
    let Some((prefix, number)) = id.split_once('-') else {
        return false;
    };
    !prefix.is_empty()
        && prefix
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && prefix.starts_with(|c: char| c.is_ascii_uppercase())
        && number.len() >= 3
        && number.chars().all(|c| c.is_ascii_digit())
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

fn valid_input(input: &str) -> bool {
    input.split_once(':').is_some_and(|(svc, op)| {
        !svc.is_empty()
            && svc
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && op.starts_with(|c: char| c.is_ascii_uppercase())
            && op.chars().all(|c| c.is_ascii_alphanumeric())
    })
}

/// Parses and validates the METADATA YAML of one rule.
pub fn parse(yaml: &str) -> Result<RuleMeta, String> {
    let raw: RawMetadata = serde_yaml::from_str(yaml).map_err(|e| e.to_string())?;
    let c = raw.custom;
    let mut problems = Vec::new();
    if !valid_id(&c.id) {
        problems.push(format!(
            "id `{}` is not of the form PREFIX-NNN (e.g. LP-001)",
            c.id
        ));
    }
    for pillar in Pillar::ALL {
        if c.id.starts_with(&format!("{}-", pillar.id_prefix())) && c.pillar != pillar {
            problems.push(format!(
                "id `{}` belongs to pillar {} but the rule says pillar {}",
                c.id, pillar, c.pillar
            ));
        }
    }
    if !valid_name(&c.name) {
        problems.push(format!(
            "name `{}` must be kebab-case (e.g. notebook-root-access)",
            c.name
        ));
    }
    for (field, value) in [
        ("title", &raw.title),
        ("description", &raw.description),
        ("custom.rationale", &c.rationale),
        ("custom.remediation.text", &c.remediation.text),
        ("custom.service", &c.service),
        ("custom.resource_type", &c.resource_type),
    ] {
        if value.trim().is_empty() {
            problems.push(format!("{field} must not be empty"));
        }
    }
    for key in c.frameworks.keys() {
        if !FRAMEWORKS.iter().any(|(k, _)| k == key) {
            let known: Vec<_> = FRAMEWORKS.iter().map(|(k, _)| *k).collect();
            problems.push(format!(
                "unknown framework `{key}` (known: {})",
                known.join(", ")
            ));
        }
    }
    for input in &c.inputs {
        if !valid_input(input) {
            problems.push(format!(
                "input `{input}` is not of the form service:Operation"
            ));
        }
    }
    for reference in &c.references {
        if !reference.starts_with("https://") {
            problems.push(format!("reference `{reference}` must be an https URL"));
        }
    }
    if let Some(action) = &c.remediation.action
        && crate::remediate::catalog::action(action).is_none()
    {
        problems.push(format!(
            "remediation.action `{action}` is not one of mlguard's fixes"
        ));
    }
    if !problems.is_empty() {
        return Err(problems.join("; "));
    }
    Ok(RuleMeta {
        id: c.id,
        name: c.name,
        title: raw.title.trim().to_string(),
        description: raw.description.trim().to_string(),
        rationale: c.rationale.trim().to_string(),
        pillar: c.pillar,
        severity: c.severity,
        service: c.service,
        resource_type: c.resource_type,
        status: c.status,
        remediation: Remediation {
            text: c.remediation.text.trim().to_string(),
            action: c.remediation.action,
        },
        frameworks: c.frameworks,
        references: c.references,
        inputs: c.inputs,
        aliases: c.aliases,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "# METADATA\n# title: T\n# description: D\n# custom:\n#   id: LP-901\n#   name: some-hazard\n#   pillar: least_privilege\n#   severity: high\n#   service: iam\n#   resource_type: AWS::IAM::Role\n#   rationale: R\n#   remediation:\n#     text: Fix it\n#   inputs: [iam:GetAccountAuthorizationDetails]\npackage x\n";

    #[test]
    fn parses_a_good_block() {
        let meta = parse(&extract_block(GOOD).expect("block")).expect("valid");
        assert_eq!(meta.id, "LP-901");
        assert_eq!(meta.status, RuleStatus::Preview);
        assert_eq!(meta.help_uri(), format!("{DOCS_BASE_URL}LP-901.md"));
    }

    #[test]
    fn rejects_bad_blocks() {
        assert!(extract_block("package x\n").is_none());
        let no_id = GOOD.replace("#   id: LP-901\n", "");
        assert!(
            parse(&extract_block(&no_id).expect("block"))
                .expect_err("fails")
                .contains("id")
        );
        let wrong_pillar = GOOD.replace("least_privilege", "encryption");
        assert!(
            parse(&extract_block(&wrong_pillar).expect("block"))
                .expect_err("fails")
                .contains("pillar")
        );
        let bad_sev = GOOD.replace("high", "severe");
        assert!(parse(&extract_block(&bad_sev).expect("block")).is_err());
        let unknown = GOOD.replace("#   rationale: R\n", "#   rationale: R\n#   colour: red\n");
        assert!(
            parse(&extract_block(&unknown).expect("block"))
                .expect_err("fails")
                .contains("colour")
        );
        let bad_input = GOOD.replace("iam:GetAccountAuthorizationDetails", "getroles");
        assert!(parse(&extract_block(&bad_input).expect("block")).is_err());
    }
}
