//! Finding, classifying and reading policy files: the built-ins embedded in the binary and
//! the user's `--policy-dir` directories.
//!
//! Conventions (the same for built-in and custom policies):
//! - `*_test.rego` files hold Rego unit tests (`test_*` rules), in the package they test;
//! - files under a `lib/` directory are helper libraries;
//! - every other `.rego` file is one rule and opens with a `# METADATA` block.
//!
//! A custom rule whose id is a built-in's replaces that built-in (and its tests).

use super::PolicyError;
use super::metadata::{self, RuleMeta};
use crate::findings::FixLookup;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

/// The built-in rule documentation pages, by file name (`docs/rules/LP-001.md`).
pub fn builtin_doc(id: &str) -> Option<&'static str> {
    let name = format!("docs/rules/{id}.md");
    embedded::RULE_DOCS
        .iter()
        .find(|(p, _)| *p == name)
        .map(|(_, t)| *t)
}

/// The built-in framework definitions (`policies/frameworks/<key>.yaml`): `(path, text)`.
pub fn framework_sources() -> &'static [(&'static str, &'static str)] {
    embedded::FRAMEWORKS
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Builtin,
    /// From this `--policy-dir`.
    Custom(PathBuf),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyKind {
    Rule,
    Lib,
    Test,
}

#[derive(Debug, Clone)]
pub struct PolicySource {
    /// Shown in messages: `policies/...` for built-ins, the file's path for custom ones.
    pub path: String,
    pub text: String,
    pub origin: Origin,
    pub kind: PolicyKind,
    /// The package, as declared (`mlguard.least_privilege.trust_any_principal`).
    pub package: String,
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub meta: RuleMeta,
    pub source: PolicySource,
}

/// Whether a rule id or id prefix (`LP`, `NI-00`, `DE-003`) names the rule with id `id`,
/// ignoring case. An empty pattern names nothing.
pub fn id_matches(pattern: &str, id: &str) -> bool {
    let p = pattern.trim().to_ascii_uppercase();
    !p.is_empty() && id.to_ascii_uppercase().starts_with(&p)
}

impl Rule {
    /// Whether `id` is this rule's id or one of its old ids (aliases), ignoring case.
    pub fn is(&self, id: &str) -> bool {
        let id = id.trim();
        self.meta.id.eq_ignore_ascii_case(id)
            || self.meta.aliases.iter().any(|a| a.eq_ignore_ascii_case(id))
    }

    /// Whether a pattern names this rule: its id, an id prefix (`LP`, `NI-00`), or an old id
    /// (alias), ignoring case. This is how `--select`, `--ignore`, mlguard.toml and
    /// suppressions name rules.
    pub fn matches(&self, pattern: &str) -> bool {
        id_matches(pattern, &self.meta.id)
            || self
                .meta
                .aliases
                .iter()
                .any(|a| a.eq_ignore_ascii_case(pattern.trim()))
    }

    /// `data.<package>`
    pub fn data_path(&self) -> String {
        format!("data.{}", self.source.package)
    }
}

/// Every policy mlguard will load, classified and validated.
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    pub rules: Vec<Rule>,
    pub libs: Vec<PolicySource>,
    pub tests: Vec<PolicySource>,
    /// mlguard's fixes, when the caller gave them: a rule's `remediation.action` must be one.
    fixes: Option<FixLookup>,
}

fn package_of(text: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let l = l.trim();
        l.strip_prefix("package ").map(|p| p.trim().to_string())
    })
}

fn classify(rel: &Path) -> PolicyKind {
    let name = rel
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    if name.ends_with("_test.rego") {
        PolicyKind::Test
    } else if rel.components().any(|c| c.as_os_str() == "lib") {
        PolicyKind::Lib
    } else {
        PolicyKind::Rule
    }
}

fn source(
    path: String,
    rel: &Path,
    text: String,
    origin: Origin,
) -> Result<PolicySource, PolicyError> {
    let kind = classify(rel);
    let package =
        package_of(&text).ok_or_else(|| PolicyError::MissingPackage { path: path.clone() })?;
    Ok(PolicySource {
        path,
        text,
        origin,
        kind,
        package,
    })
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), PolicyError> {
    let entries = std::fs::read_dir(dir).map_err(|source| PolicyError::Dir {
        path: dir.to_path_buf(),
        source,
    })?;
    for entry in entries {
        let entry = entry.map_err(|source| PolicyError::Dir {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rego") {
            out.push(path);
        }
    }
    Ok(())
}

/// Reads every `.rego` file under `dir`, sorted by path.
pub fn read_dir(dir: &Path) -> Result<Vec<PolicySource>, PolicyError> {
    if !dir.is_dir() {
        return Err(PolicyError::Dir {
            path: dir.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "not a directory"),
        });
    }
    let mut files = Vec::new();
    walk(dir, &mut files)?;
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).map_err(|source| PolicyError::Read {
                path: path.clone(),
                source,
            })?;
            let rel = path.strip_prefix(dir).unwrap_or(&path).to_path_buf();
            source(
                path.display().to_string(),
                &rel,
                text,
                Origin::Custom(dir.to_path_buf()),
            )
        })
        .collect()
}

/// The policies embedded in the binary.
pub fn builtin_sources() -> Vec<PolicySource> {
    embedded::POLICIES
        .iter()
        .filter_map(|(path, text)| {
            let rel = Path::new(path)
                .strip_prefix("policies")
                .unwrap_or(Path::new(path));
            // Built-ins are checked by the test suite; a package-less built-in cannot ship.
            source(path.to_string(), rel, text.to_string(), Origin::Builtin).ok()
        })
        .collect()
}

fn parse_rule(src: PolicySource, fixes: Option<FixLookup>) -> Result<Rule, PolicyError> {
    let yaml = metadata::extract_block(&src.text).ok_or_else(|| PolicyError::MissingMetadata {
        path: src.path.clone(),
    })?;
    let meta = metadata::parse(&yaml, fixes).map_err(|message| PolicyError::BadMetadata {
        path: src.path.clone(),
        message,
    })?;
    Ok(Rule { meta, source: src })
}

impl PolicySet {
    /// The built-in policies plus those under each of `dirs` (in order). The engine does not
    /// know mlguard's fixes, so `remediation.action` is not checked: commands load with
    /// [`PolicySet::load_with_fixes`].
    pub fn load(include_builtin: bool, dirs: &[PathBuf]) -> Result<PolicySet, PolicyError> {
        PolicySet::load_from(PolicySet::default(), include_builtin, dirs)
    }

    /// As [`PolicySet::load`], refusing a rule whose `remediation.action` `fixes` does not
    /// know (the application layer passes the remediator's registry).
    pub fn load_with_fixes(
        include_builtin: bool,
        dirs: &[PathBuf],
        fixes: FixLookup,
    ) -> Result<PolicySet, PolicyError> {
        let set = PolicySet {
            fixes: Some(fixes),
            ..PolicySet::default()
        };
        PolicySet::load_from(set, include_builtin, dirs)
    }

    fn load_from(
        mut set: PolicySet,
        include_builtin: bool,
        dirs: &[PathBuf],
    ) -> Result<PolicySet, PolicyError> {
        if include_builtin {
            set.add(builtin_sources())?;
        }
        for dir in dirs {
            set.add(read_dir(dir)?)?;
        }
        Ok(set)
    }

    /// Adds sources; a custom rule replaces the built-in with the same id.
    pub fn add(&mut self, sources: Vec<PolicySource>) -> Result<(), PolicyError> {
        let mut by_id: BTreeMap<String, usize> = self
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| (r.meta.id.clone(), i))
            .collect();
        for src in sources {
            match src.kind {
                PolicyKind::Lib => self.libs.push(src),
                PolicyKind::Test => self.tests.push(src),
                PolicyKind::Rule => {
                    let rule = parse_rule(src, self.fixes)?;
                    if let Some(&i) = by_id.get(&rule.meta.id) {
                        let existing = &self.rules[i];
                        if existing.source.origin == Origin::Builtin
                            && rule.source.origin != Origin::Builtin
                        {
                            // Replace the built-in, and drop its tests (same package).
                            let old_package = existing.source.package.clone();
                            self.tests.retain(|t| {
                                !(t.origin == Origin::Builtin && t.package == old_package)
                            });
                            self.rules[i] = rule;
                            continue;
                        }
                        return Err(PolicyError::DuplicateId {
                            id: rule.meta.id.clone(),
                            first: existing.source.path.clone(),
                            second: rule.source.path.clone(),
                        });
                    }
                    by_id.insert(rule.meta.id.clone(), self.rules.len());
                    self.rules.push(rule);
                }
            }
        }
        self.rules.sort_by(|a, b| a.meta.id.cmp(&b.meta.id));
        Ok(())
    }

    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.is(id))
    }
}
