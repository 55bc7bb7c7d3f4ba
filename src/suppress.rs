//! Suppressions: accepted findings stay in every report, marked `suppressed`, are counted
//! apart from failures and never fail the run.
//!
//! Two sources, applied in this order to each failing finding:
//! 1. `[[suppress]]` entries of mlguard.toml (rule id or prefix, ARN glob, reason, optional
//!    expiry), first matching entry wins;
//! 2. the resource's own tag `mlguard:suppress` (rules) and `mlguard:suppress-reason`,
//!    read from the snapshot by `policies/lib/suppress.rego`.
//!
//! An expired entry no longer suppresses and is reported; so is an entry or a tag that
//! matched no finding of a rule that ran (like cargo-deny's unmatched advisories).

use crate::audit::AuditReport;
use crate::config::{self, LoadedConfig};
use crate::engine::{Engine, EngineError, Rule, id_matches};
use crate::findings::{Status, Suppression};
use crate::snapshot::LoadedSnapshot;
use chrono::NaiveDate;
use regorus::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The library rule that maps tagged ARNs to their suppressions.
pub const TAG_RULE: &str = "data.mlguard.lib.suppress.by_arn";

/// A resource's `mlguard:suppress` tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagSuppression {
    /// Rule ids or prefixes, upper-cased.
    pub rules: Vec<String>,
    /// `mlguard:suppress-reason`, empty when the resource lacks it.
    pub reason: String,
}

#[derive(Debug, Clone)]
struct Entry {
    /// `mlguard.toml:14`
    source: String,
    rule: String,
    resource: String,
    matcher: globset::GlobMatcher,
    reason: String,
    expires: Option<NaiveDate>,
}

/// Every suppression of a run.
#[derive(Debug, Clone, Default)]
pub struct Suppressions {
    entries: Vec<Entry>,
    tags: BTreeMap<String, TagSuppression>,
}

/// Something about the suppressions the person running mlguard should know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SuppressionWarning {
    /// An entry past its `expires` date: its findings fail again.
    Expired {
        source: String,
        rule: String,
        resource: String,
        expired: NaiveDate,
        reason: String,
        failing: usize,
    },
    /// An entry that matched no failing finding of a rule that ran.
    Unused {
        source: String,
        rule: String,
        resource: String,
    },
    /// An entry whose rule matches no loaded rule at all.
    UnknownRule { source: String, rule: String },
    /// A tag naming a rule that ran but did not fail on the resource.
    UnusedTag { arn: String, rule: String },
    /// A tag suppression without `mlguard:suppress-reason`.
    TagWithoutReason { arn: String },
}

impl fmt::Display for SuppressionWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SuppressionWarning::Expired {
                source,
                rule,
                resource,
                expired,
                reason,
                failing,
            } => write!(
                f,
                "{source}: the suppression of {rule} on `{resource}` expired on {expired} (reason: {reason}); {failing} matching {} fail{} again",
                if *failing == 1 { "finding" } else { "findings" },
                if *failing == 1 { "s" } else { "" },
            ),
            SuppressionWarning::Unused {
                source,
                rule,
                resource,
            } => write!(
                f,
                "{source}: the suppression of {rule} on `{resource}` matched no finding; remove it"
            ),
            SuppressionWarning::UnknownRule { source, rule } => write!(
                f,
                "{source}: the suppression names `{rule}`, which matches no rule id"
            ),
            SuppressionWarning::UnusedTag { arn, rule } => write!(
                f,
                "{arn}: tag mlguard:suppress names {rule}, which does not fail on this resource; remove it from the tag"
            ),
            SuppressionWarning::TagWithoutReason { arn } => write!(
                f,
                "{arn}: tag mlguard:suppress has no mlguard:suppress-reason tag beside it"
            ),
        }
    }
}

impl Suppressions {
    /// The `[[suppress]]` entries of a configuration file.
    pub fn from_config(cfg: &LoadedConfig) -> Result<Suppressions, config::ConfigError> {
        let mut entries = Vec::new();
        for (i, e) in cfg.config.suppress.iter().enumerate() {
            let matcher = config::resource_glob(&e.resource).map_err(|err| {
                cfg.error_at(
                    &[
                        config::Seg::Key("suppress"),
                        config::Seg::Index(i),
                        config::Seg::Key("resource"),
                    ],
                    format!("`{}` is not a valid ARN glob: {err}", e.resource),
                )
            })?;
            entries.push(Entry {
                source: format!(
                    "{}:{}",
                    cfg.path.display().to_string().replace('\\', "/"),
                    cfg.suppress_line(i)
                ),
                rule: e.rule.trim().to_ascii_uppercase(),
                resource: e.resource.clone(),
                matcher,
                reason: e.reason.trim().to_string(),
                expires: e.expires.map(|d| d.0),
            });
        }
        Ok(Suppressions {
            entries,
            tags: BTreeMap::new(),
        })
    }

    /// Adds the tag suppressions of a snapshot, read by `policies/lib/suppress.rego`.
    pub fn read_tags(
        &mut self,
        engine: &Engine,
        snapshot: &LoadedSnapshot,
    ) -> Result<(), EngineError> {
        let value = engine.eval_library(snapshot, TAG_RULE)?;
        self.tags = tags_from_value(&value);
        Ok(())
    }

    pub fn set_tags(&mut self, tags: BTreeMap<String, TagSuppression>) {
        self.tags = tags;
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.tags.is_empty()
    }

    /// Marks the failing findings a suppression accepts, recounts the report, and returns
    /// what the user should hear about (expired, unused, unknown).
    ///
    /// `today` decides expiry: an entry applies through its `expires` date. `known_rules` are
    /// the ids and old ids (aliases) of every loaded rule (run or not). An entry or a tag names
    /// a rule by id, id prefix or alias, as `--select` and severity overrides do, so a
    /// suppression written before a rule was renumbered still applies.
    pub fn apply(
        &self,
        report: &mut AuditReport,
        today: NaiveDate,
        known_rules: &[String],
    ) -> Vec<SuppressionWarning> {
        let active: Vec<bool> = self
            .entries
            .iter()
            .map(|e| e.expires.is_none_or(|d| d >= today))
            .collect();
        // A pattern names a rule by id, id prefix or old id (alias), as `--select` does.
        let rules: BTreeMap<&str, &Rule> = report
            .rules
            .iter()
            .map(|r| (r.meta.id.as_str(), r))
            .collect();
        let names = |pattern: &str, id: &str| {
            rules
                .get(id)
                .map_or_else(|| id_matches(pattern, id), |r| r.matches(pattern))
        };
        let mut matched = vec![0usize; self.entries.len()];
        let mut tag_used: BTreeSet<(String, String)> = BTreeSet::new();
        for f in &mut report.findings {
            if f.status != Status::Fail {
                continue;
            }
            let mut applied = false;
            for (i, e) in self.entries.iter().enumerate() {
                if names(&e.rule, &f.rule_id) && e.matcher.is_match(&f.resource.arn) {
                    matched[i] += 1;
                    if active[i] && !applied {
                        applied = true;
                        f.status = Status::Suppressed;
                        f.suppression = Some(Suppression {
                            kind: "config".into(),
                            reason: e.reason.clone(),
                            expires: e.expires.map(|d| d.format("%Y-%m-%d").to_string()),
                            source: e.source.clone(),
                        });
                    }
                }
            }
            if let Some(tag) = self.tags.get(&f.resource.arn) {
                for pattern in &tag.rules {
                    if names(pattern, &f.rule_id) {
                        tag_used.insert((f.resource.arn.clone(), pattern.clone()));
                        if !applied {
                            applied = true;
                            f.status = Status::Suppressed;
                            f.suppression = Some(Suppression {
                                kind: "tag".into(),
                                reason: if tag.reason.is_empty() {
                                    "tagged mlguard:suppress (no mlguard:suppress-reason)".into()
                                } else {
                                    tag.reason.clone()
                                },
                                expires: None,
                                source: "tag mlguard:suppress".into(),
                            });
                        }
                    }
                }
            }
        }
        let ran: Vec<&str> = rules.keys().copied().collect();
        let mut warnings = Vec::new();
        for (i, e) in self.entries.iter().enumerate() {
            if !known_rules.iter().any(|id| id_matches(&e.rule, id)) {
                warnings.push(SuppressionWarning::UnknownRule {
                    source: e.source.clone(),
                    rule: e.rule.clone(),
                });
            } else if let (false, Some(expired)) = (active[i], e.expires) {
                warnings.push(SuppressionWarning::Expired {
                    source: e.source.clone(),
                    rule: e.rule.clone(),
                    resource: e.resource.clone(),
                    expired,
                    reason: e.reason.clone(),
                    failing: matched[i],
                });
            } else if matched[i] == 0 && ran.iter().any(|id| names(&e.rule, id)) {
                warnings.push(SuppressionWarning::Unused {
                    source: e.source.clone(),
                    rule: e.rule.clone(),
                    resource: e.resource.clone(),
                });
            }
        }
        for (arn, tag) in &self.tags {
            for pattern in &tag.rules {
                if !tag_used.contains(&(arn.clone(), pattern.clone()))
                    && ran.iter().any(|id| names(pattern, id))
                {
                    warnings.push(SuppressionWarning::UnusedTag {
                        arn: arn.clone(),
                        rule: pattern.clone(),
                    });
                }
            }
            let used = tag_used
                .range((arn.clone(), String::new())..)
                .next()
                .is_some_and(|(a, _)| a == arn);
            if tag.reason.is_empty() && used {
                warnings.push(SuppressionWarning::TagWithoutReason { arn: arn.clone() });
            }
        }
        report.recount();
        warnings
    }
}

/// Reads `{arn: {"rules": [...], "reason": "..."}}`.
fn tags_from_value(value: &Value) -> BTreeMap<String, TagSuppression> {
    let mut out = BTreeMap::new();
    let Value::Object(map) = value else {
        return out;
    };
    for (arn, entry) in map.iter() {
        let Value::String(arn) = arn else {
            continue;
        };
        let rules = match &entry["rules"] {
            Value::Array(a) => a
                .iter()
                .filter_map(|r| match r {
                    Value::String(s) if !s.is_empty() => Some(s.to_ascii_uppercase()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        let reason = match &entry["reason"] {
            Value::String(s) => s.trim().to_string(),
            _ => String::new(),
        };
        out.insert(arn.to_string(), TagSuppression { rules, reason });
    }
    out
}
