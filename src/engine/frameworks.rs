//! The compliance frameworks rules map to: one definition per framework in
//! `policies/frameworks/<key>.yaml` (embedded in the binary like the policies), with its name,
//! version, source, the scope of the control set it lists, where the rule mappings come from,
//! and the controls themselves (id and title).
//!
//! This is the one source of framework keys, names and control titles: rule metadata is
//! validated against it at load time (known key, well-formed id, id in the control set), and
//! every report takes names and titles from it.

use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// One framework, as its data file defines it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Framework {
    /// The key rules use in `frameworks:` (`nist_800_53`).
    pub key: String,
    /// Display name (`NIST SP 800-53 Rev. 5`).
    pub name: String,
    pub version: String,
    /// Where the framework itself is published.
    pub source: String,
    /// Which of the framework's controls are listed, and why those.
    pub scope: String,
    /// Where the rules' mappings to this framework come from.
    pub mappings: String,
    /// The public sources of the mappings.
    #[serde(default)]
    pub references: Vec<String>,
    /// The control set, in the framework's order.
    pub controls: Vec<ControlDef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ControlDef {
    pub id: String,
    pub title: String,
}

impl Framework {
    pub fn control(&self, id: &str) -> Option<&ControlDef> {
        self.controls.iter().find(|c| c.id == id)
    }

    /// Whether `id` is a well-formed control id of this framework.
    pub fn valid_id(&self, id: &str) -> bool {
        valid_id(&self.key, id)
    }
}

/// The frameworks mlguard knows, in display order.
pub const KEYS: &[&str] = &[
    "fsbp",
    "cis",
    "aws_config",
    "nist_800_53",
    "iso_27001",
    "soc2",
    "pci_dss",
    "hipaa",
    "ml_lens",
    "lab",
];

/// Every built-in framework definition, parsed and checked once. An error names the file;
/// the test suite keeps the shipped files valid.
pub fn all() -> Result<&'static [Framework], String> {
    static FRAMEWORKS: OnceLock<Result<Vec<Framework>, String>> = OnceLock::new();
    FRAMEWORKS
        .get_or_init(|| load(super::policy::framework_sources()))
        .as_deref()
        .map_err(Clone::clone)
}

/// The framework with this key.
pub fn get(key: &str) -> Result<Option<&'static Framework>, String> {
    Ok(all()?.iter().find(|f| f.key == key))
}

/// The display name of a framework key (the key itself when it is unknown).
pub fn name(key: &str) -> String {
    get(key)
        .ok()
        .flatten()
        .map_or_else(|| key.to_string(), |f| f.name.clone())
}

/// Parses and checks framework definitions: `(path, YAML text)` pairs.
pub fn load(sources: &[(&str, &str)]) -> Result<Vec<Framework>, String> {
    let mut frameworks = Vec::new();
    for (path, text) in sources {
        let framework: Framework =
            serde_yaml::from_str(text).map_err(|e| format!("{path}: {e}"))?;
        check(&framework).map_err(|e| format!("{path}: {e}"))?;
        let stem = std::path::Path::new(path)
            .file_stem()
            .map(|s| s.to_string_lossy().to_string());
        if stem.as_deref() != Some(framework.key.as_str()) {
            return Err(format!(
                "{path}: key `{}` does not match the file name",
                framework.key
            ));
        }
        frameworks.push(framework);
    }
    for key in KEYS {
        if !frameworks.iter().any(|f| f.key == *key) {
            return Err(format!(
                "policies/frameworks/{key}.yaml: the framework is missing"
            ));
        }
    }
    frameworks.sort_by_key(|f| KEYS.iter().position(|k| *k == f.key));
    Ok(frameworks)
}

fn check(f: &Framework) -> Result<(), String> {
    if !KEYS.contains(&f.key.as_str()) {
        return Err(format!(
            "unknown framework key `{}` (known: {})",
            f.key,
            KEYS.join(", ")
        ));
    }
    for (field, value) in [
        ("name", &f.name),
        ("version", &f.version),
        ("scope", &f.scope),
        ("mappings", &f.mappings),
    ] {
        if value.trim().is_empty() {
            return Err(format!("`{field}` must not be empty"));
        }
    }
    for url in std::iter::once(&f.source).chain(&f.references) {
        if !url.starts_with("https://") {
            return Err(format!("`{url}` must be an https URL"));
        }
    }
    if f.controls.is_empty() {
        return Err("lists no controls".into());
    }
    let mut seen = std::collections::BTreeSet::new();
    for c in &f.controls {
        if !valid_id(&f.key, &c.id) {
            return Err(format!(
                "control id `{}` is not of the form {}",
                c.id,
                id_form(&f.key)
            ));
        }
        if c.title.trim().is_empty() {
            return Err(format!("control {} has no title", c.id));
        }
        if !seen.insert(c.id.as_str()) {
            return Err(format!("control {} is listed twice", c.id));
        }
    }
    Ok(())
}

/// How control ids of a framework are written, for messages.
pub fn id_form(key: &str) -> &'static str {
    match key {
        "fsbp" => "Service.N (KMS.4, SageMaker.1)",
        "cis" => "N.N or N.N.N (1.16, 2.1.4)",
        "aws_config" => "a managed rule identifier in kebab-case (vpc-flow-logs-enabled)",
        "nist_800_53" => "FF-N or FF-N(N) (AC-6, AC-6(9))",
        "iso_27001" => "A.N.N (A.8.24)",
        "soc2" => "CCN.N or a category letter and N.N (CC6.1, C1.1, A1.2, PI1.4, P4.1)",
        "pci_dss" => "N.N.N or deeper (7.2.1, 3.5.1.2), or A1.1.2 for the appendices",
        "hipaa" => "164.3NN(x)(N)(...) (164.312(a)(2)(iv))",
        "ml_lens" => "MLSEC-NN (MLSEC-04)",
        "lab" => "lab-... in kebab-case (lab-2-kms-key)",
        _ => "an id of a known framework",
    }
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.len() <= 3 && s.chars().all(|c| c.is_ascii_digit()) && !s.starts_with('0')
}

fn dotted(s: &str, min: usize, max: usize) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    (min..=max).contains(&parts.len()) && parts.iter().all(|p| digits(p))
}

fn kebab(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
}

/// Whether `id` is a well-formed control id for the framework `key`.
pub fn valid_id(key: &str, id: &str) -> bool {
    match key {
        "fsbp" => id.split_once('.').is_some_and(|(svc, n)| {
            svc.starts_with(|c: char| c.is_ascii_uppercase())
                && svc.chars().all(|c| c.is_ascii_alphanumeric())
                && digits(n)
        }),
        "cis" => dotted(id, 2, 3),
        "aws_config" => kebab(id),
        "nist_800_53" => {
            // A control (AC-6) or one of its enhancements (AC-6(9)).
            let base = match id.split_once('(') {
                Some((base, rest)) if rest.strip_suffix(')').is_some_and(digits) => base,
                Some(_) => return false,
                None => id,
            };
            base.split_once('-').is_some_and(|(family, n)| {
                family.len() == 2 && family.chars().all(|c| c.is_ascii_uppercase()) && digits(n)
            })
        }
        "iso_27001" => id.strip_prefix("A.").is_some_and(|rest| {
            dotted(rest, 2, 2) && matches!(&rest[..2], "5." | "6." | "7." | "8.")
        }),
        "soc2" => ["CC", "PI", "A", "C", "P"].iter().any(|prefix| {
            id.strip_prefix(prefix).is_some_and(|rest| {
                rest.starts_with(|c: char| c.is_ascii_digit()) && dotted(rest, 2, 2)
            })
        }),
        "pci_dss" => {
            dotted(id, 3, 5) || id.strip_prefix('A').is_some_and(|rest| dotted(rest, 3, 4))
        }
        "hipaa" => {
            let Some(rest) = id.strip_prefix("164.") else {
                return false;
            };
            let (section, mut tail) = rest.split_at(rest.find('(').unwrap_or(rest.len()));
            if !(section.len() == 3 && section.starts_with('3') && digits(section)) {
                return false;
            }
            if tail.is_empty() {
                return false;
            }
            // Paragraphs: (a), then alternately digits and roman numerals or letters.
            while !tail.is_empty() {
                let Some(inner) = tail.strip_prefix('(') else {
                    return false;
                };
                let Some(end) = inner.find(')') else {
                    return false;
                };
                let part = &inner[..end];
                if part.is_empty()
                    || !part.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || c.is_ascii_uppercase()
                    })
                    || part.len() > 4
                {
                    return false;
                }
                tail = &inner[end + 1..];
            }
            true
        }
        "ml_lens" => id
            .strip_prefix("MLSEC-")
            .is_some_and(|n| n.len() == 2 && n.chars().all(|c| c.is_ascii_digit()) && n != "00"),
        "lab" => id.strip_prefix("lab-").is_some_and(kebab),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_frameworks_load() {
        let all = all().expect("the shipped framework files are valid");
        let keys: Vec<&str> = all.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(keys, KEYS);
    }

    #[test]
    fn control_ids_are_checked_per_framework() {
        for (key, good, bad) in [
            (
                "nist_800_53",
                &["AC-6", "AC-6(9)", "SC-12(2)", "SI-4"][..],
                &["AC6", "AC-6(9", "ac-6", "AC-6()", "AC-06(1)x", "ACX-1"][..],
            ),
            (
                "iso_27001",
                &["A.8.2", "A.5.15", "A.8.24"],
                &["8.2", "A.8", "A.9.1", "A.8.2.1", "A.08.2"],
            ),
            (
                "soc2",
                &["CC6.1", "CC7.2", "C1.1", "A1.2", "PI1.4", "P4.1"],
                &["CC6", "CC 6.1", "cc6.1", "X1.1", "CC6.1.2"],
            ),
            (
                "pci_dss",
                &["7.2.1", "1.3.1", "3.5.1.2", "A1.1.2"],
                &["7.2", "7", "v4/7.2.1", "B1.1.2", "7.2.x"],
            ),
            (
                "hipaa",
                &["164.312(a)(2)(iv)", "164.312(b)", "164.308(a)(1)(ii)(B)"],
                &["164.312", "164.312(a", "164.312a", "45.312(a)", "164.312()"],
            ),
            (
                "ml_lens",
                &["MLSEC-04", "MLSEC-13"],
                &["MLSEC-4", "MLSEC04-BP03", "MLOE-01", "MLSEC-00"],
            ),
            (
                "cis",
                &["1.2", "5.1.1", "1.16"],
                &["1", "v3.0.0/3.6", "1.2.3.4", "1.02"],
            ),
            (
                "fsbp",
                &["KMS.4", "SageMaker.1", "EC2.53"],
                &["KMS4", "kms.4", "KMS.", "KMS.4.1"],
            ),
            (
                "aws_config",
                &["vpc-flow-logs-enabled"],
                &["VPC_FLOW_LOGS_ENABLED", "-x", "a--b", ""],
            ),
            ("lab", &["lab-2-kms-key"], &["lab2", "step-1", "lab-"]),
        ] {
            for id in good {
                assert!(valid_id(key, id), "{key}: {id} should be valid");
            }
            for id in bad {
                assert!(!valid_id(key, id), "{key}: {id} should be refused");
            }
        }
        assert!(!valid_id("unknown", "AC-6"));
    }

    #[test]
    fn bad_definitions_are_refused() {
        let good = "key: ml_lens\nname: N\nversion: V\nsource: https://x\nscope: S\nmappings: M\ncontrols:\n  - {id: MLSEC-01, title: T}\n";
        let one = |text: &str| check(&serde_yaml::from_str::<Framework>(text).expect("parses"));
        assert!(one(good).is_ok());
        assert!(
            one(&good.replace("MLSEC-01", "MLSEC-1"))
                .expect_err("bad id")
                .contains("MLSEC-1")
        );
        assert!(one(&good.replace("https://x", "http://x")).is_err());
        assert!(one(&good.replace("key: ml_lens", "key: other")).is_err());
        let twice = format!("{good}  - {{id: MLSEC-01, title: T}}\n");
        assert!(one(&twice).expect_err("duplicate").contains("twice"));
        assert!(serde_yaml::from_str::<Framework>(&format!("{good}colour: red\n")).is_err());
    }
}
