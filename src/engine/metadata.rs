//! The `# METADATA` block that opens every rule file.
//!
//! regorus does not read OPA's metadata annotations, so mlguard parses the YAML in the
//! leading comment block itself and validates it: a rule with missing or malformed metadata
//! is refused at load time, naming the file.

use crate::findings::{FixLookup, Pillar, Severity};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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

/// How much of a framework control a rule evidences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Coverage {
    /// The rule checks part of what the control requires.
    Partial,
    /// The rule checks everything the control requires (of the resources it judges).
    Full,
}

impl Coverage {
    pub fn as_str(self) -> &'static str {
        match self {
            Coverage::Full => "full",
            Coverage::Partial => "partial",
        }
    }
}

/// A rule's controls in one framework, by how fully it evidences them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FrameworkMapping {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub full: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub partial: Vec<String>,
}

impl FrameworkMapping {
    /// Every control, with its coverage: the fully evidenced ones first.
    pub fn controls(&self) -> impl Iterator<Item = (&str, Coverage)> {
        self.full
            .iter()
            .map(|c| (c.as_str(), Coverage::Full))
            .chain(self.partial.iter().map(|c| (c.as_str(), Coverage::Partial)))
    }

    /// The control ids, in the order written (full, then partial).
    pub fn ids(&self) -> Vec<&str> {
        self.controls().map(|(c, _)| c).collect()
    }

    pub fn coverage(&self, control: &str) -> Option<Coverage> {
        self.controls().find(|(c, _)| *c == control).map(|(_, v)| v)
    }

    pub fn is_empty(&self) -> bool {
        self.full.is_empty() && self.partial.is_empty()
    }
}

/// Reads `frameworks.<key>` as written: a list of control ids (each evidenced partially), or
/// `{full: [...], partial: [...]}`.
fn mapping_from(key: &str, value: &serde_yaml::Value) -> Result<FrameworkMapping, String> {
    use serde_yaml::Value;
    let ids = |field: &str, v: &Value| -> Result<Vec<String>, String> {
        let Value::Sequence(items) = v else {
            return Err(format!(
                "frameworks.{key}{field} must be a list of control ids"
            ));
        };
        items
            .iter()
            .map(|item| match item {
                Value::String(s) => Ok(s.clone()),
                Value::Number(n) => Err(format!(
                    "frameworks.{key}{field}: `{n}` is a number; quote control ids such as \"{n}\""
                )),
                other => Err(format!(
                    "frameworks.{key}{field}: `{}` is not a control id",
                    serde_yaml::to_string(other).unwrap_or_default().trim()
                )),
            })
            .collect()
    };
    match value {
        Value::Sequence(_) => Ok(FrameworkMapping {
            full: Vec::new(),
            partial: ids("", value)?,
        }),
        Value::Mapping(map) => {
            let mut mapping = FrameworkMapping::default();
            for (k, v) in map {
                match k.as_str() {
                    Some("full") => mapping.full = ids(".full", v)?,
                    Some("partial") => mapping.partial = ids(".partial", v)?,
                    _ => {
                        return Err(format!(
                            "frameworks.{key}: unknown coverage `{}` (expected full or partial)",
                            serde_yaml::to_string(k).unwrap_or_default().trim()
                        ));
                    }
                }
            }
            Ok(mapping)
        }
        _ => Err(format!(
            "frameworks.{key} must be a list of control ids or {{full: [...], partial: [...]}}"
        )),
    }
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
    frameworks: BTreeMap<String, serde_yaml::Value>,
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
    /// Controls per framework key, by coverage (see `policies/frameworks/`).
    pub frameworks: BTreeMap<String, FrameworkMapping>,
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

    /// The control ids of each framework the rule maps to, without coverage (for formats
    /// that list ids only: SARIF, ASFF, OCSF).
    pub fn framework_ids(&self) -> BTreeMap<&str, Vec<&str>> {
        self.frameworks
            .iter()
            .filter(|(_, m)| !m.is_empty())
            .map(|(k, m)| (k.as_str(), m.ids()))
            .collect()
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

/// Every framework key known, every control id well-formed for its framework and present in
/// its control set, no control listed twice.
fn check_frameworks(frameworks: &BTreeMap<String, FrameworkMapping>, problems: &mut Vec<String>) {
    let known = match super::frameworks::all() {
        Ok(all) => all,
        Err(e) => {
            problems.push(format!("framework definitions: {e}"));
            return;
        }
    };
    for (key, mapping) in frameworks {
        let Some(framework) = known.iter().find(|f| f.key == *key) else {
            let keys: Vec<&str> = known.iter().map(|f| f.key.as_str()).collect();
            problems.push(format!(
                "unknown framework `{key}` (known: {})",
                keys.join(", ")
            ));
            continue;
        };
        let mut seen = std::collections::BTreeSet::new();
        for (id, _) in mapping.controls() {
            if !seen.insert(id) {
                problems.push(format!("frameworks.{key}: `{id}` is listed twice"));
            } else if !framework.valid_id(id) {
                problems.push(format!(
                    "frameworks.{key}: `{id}` is not a control id of the form {}",
                    super::frameworks::id_form(key)
                ));
            } else if framework.control(id).is_none() {
                problems.push(format!(
                    "frameworks.{key}: `{id}` is not in the control set of policies/frameworks/{key}.yaml"
                ));
            }
        }
    }
}

/// Parses and validates the METADATA YAML of one rule. With `fixes`, a `remediation.action`
/// that is not one of mlguard's fixes is refused.
pub fn parse(yaml: &str, fixes: Option<FixLookup>) -> Result<RuleMeta, String> {
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
    let mut frameworks: BTreeMap<String, FrameworkMapping> = BTreeMap::new();
    for (key, value) in &c.frameworks {
        match mapping_from(key, value) {
            Ok(mapping) => {
                frameworks.insert(key.clone(), mapping);
            }
            Err(e) => problems.push(e),
        }
    }
    check_frameworks(&frameworks, &mut problems);
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
    if let (Some(action), Some(fixes)) = (&c.remediation.action, fixes)
        && fixes(action).is_none()
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
        frameworks,
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
        let meta = parse(&extract_block(GOOD).expect("block"), None).expect("valid");
        assert_eq!(meta.id, "LP-901");
        assert_eq!(meta.status, RuleStatus::Preview);
        assert_eq!(meta.help_uri(), format!("{DOCS_BASE_URL}LP-901.md"));
    }

    #[test]
    fn rejects_bad_blocks() {
        assert!(extract_block("package x\n").is_none());
        let no_id = GOOD.replace("#   id: LP-901\n", "");
        assert!(
            parse(&extract_block(&no_id).expect("block"), None)
                .expect_err("fails")
                .contains("id")
        );
        let wrong_pillar = GOOD.replace("least_privilege", "encryption");
        assert!(
            parse(&extract_block(&wrong_pillar).expect("block"), None)
                .expect_err("fails")
                .contains("pillar")
        );
        let bad_sev = GOOD.replace("high", "severe");
        assert!(parse(&extract_block(&bad_sev).expect("block"), None).is_err());
        let unknown = GOOD.replace("#   rationale: R\n", "#   rationale: R\n#   colour: red\n");
        assert!(
            parse(&extract_block(&unknown).expect("block"), None)
                .expect_err("fails")
                .contains("colour")
        );
        let bad_input = GOOD.replace("iam:GetAccountAuthorizationDetails", "getroles");
        assert!(parse(&extract_block(&bad_input).expect("block"), None).is_err());
    }

    /// With a fix lookup, a `remediation.action` it does not know is refused.
    #[test]
    fn unknown_fix_ids_are_refused_when_the_fixes_are_given() {
        use crate::findings::{Applicability, FixInfo};
        fn fixes(id: &str) -> Option<FixInfo> {
            (id == "known-fix").then_some(FixInfo {
                id: "known-fix",
                applicability: Applicability::Safe,
                summary: "",
                inverse: "",
                with: &[],
            })
        }
        let with = |action: &str| {
            GOOD.replace(
                "#     text: Fix it\n",
                &format!("#     text: Fix it\n#     action: {action}\n"),
            )
        };
        let known = extract_block(&with("known-fix")).expect("block");
        assert!(parse(&known, Some(fixes)).is_ok());
        let unknown = extract_block(&with("no-such-fix")).expect("block");
        assert!(
            parse(&unknown, None).is_ok(),
            "without a lookup, nothing to check"
        );
        let err = parse(&unknown, Some(fixes)).expect_err("unknown fix");
        assert!(
            err.contains("remediation.action `no-such-fix` is not one of mlguard's fixes"),
            "{err}"
        );
    }

    #[test]
    fn framework_mappings_take_both_forms_and_are_checked() {
        let with =
            |fw: &str| GOOD.replace("#   inputs:", &format!("#   frameworks:\n{fw}#   inputs:"));
        let meta = parse(
            &extract_block(&with(
                "#     fsbp: {full: [IAM.1]}\n#     nist_800_53: [AC-6, AC-6(10)]\n",
            ))
            .expect("block"),
            None,
        )
        .expect("valid");
        let fsbp = &meta.frameworks["fsbp"];
        assert_eq!(fsbp.coverage("IAM.1"), Some(Coverage::Full));
        let nist = &meta.frameworks["nist_800_53"];
        assert_eq!(nist.coverage("AC-6(10)"), Some(Coverage::Partial));
        assert_eq!(nist.coverage("AC-5"), None);
        assert_eq!(
            meta.framework_ids().get("nist_800_53"),
            Some(&vec!["AC-6", "AC-6(10)"])
        );
        for (fw, expect) in [
            (
                "#     nist_800_53: {partial: [AC-6(9]}\n",
                "not a control id",
            ),
            ("#     iso_27001: [A.9.9]\n", "not a control id"),
            ("#     iso_27001: [A.8.1]\n", "not in the control set"),
            (
                "#     lab: {full: [lab-1-execution-role, lab-1-execution-role]}\n",
                "twice",
            ),
            ("#     cis: [1.16]\n", "quote"),
            ("#     fsbp: {every: [IAM.1]}\n", "unknown coverage"),
            ("#     fsbp: IAM.1\n", "must be a list"),
            ("#     gdpr: [\"Art.32\"]\n", "unknown framework `gdpr`"),
        ] {
            let err = parse(&extract_block(&with(fw)).expect("block"), None).expect_err(fw);
            assert!(err.contains(expect), "{fw}: {err}");
        }
    }
}
