//! Evaluation: one regorus engine holds the libraries and rules; each rule is evaluated on a
//! clone (cheap: policies are shared), in parallel, against the same input value.

use super::params::Params;
use super::policy::{Origin, PolicySet, PolicySource, Rule};
use super::{EngineError, PolicyError};
use crate::findings::ResourceRef;
use crate::snapshot::LoadedSnapshot;
use rayon::prelude::*;
use regorus::Value;
use std::num::NonZeroU32;
use std::time::Duration;

/// Longest one rule may run before evaluation is abandoned with an error.
pub const DEFAULT_RULE_TIMEOUT: Duration = Duration::from_secs(300);

/// One resource a rule judged, failed, or could not assess.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged {
    pub resource: ResourceRef,
    /// Path of the resource in the snapshot (`["regions", "us-east-1", "ec2", "security_groups", "0"]`).
    pub path: Vec<String>,
    /// Why it fails, or why it could not be assessed; empty for `applicable`.
    pub message: String,
}

/// What one rule made of a snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleOutcome {
    pub rule_id: String,
    pub applicable: Vec<Judged>,
    pub deny: Vec<Judged>,
    pub not_assessed: Vec<Judged>,
}

#[derive(Clone)]
pub struct Engine {
    base: regorus::Engine,
    rules: Vec<Rule>,
    timeout: Duration,
}

/// Adds policy sources to a regorus engine, naming the file on a parse error.
pub(crate) fn add_sources<'a>(
    engine: &mut regorus::Engine,
    sources: impl IntoIterator<Item = &'a super::PolicySource>,
) -> Result<(), PolicyError> {
    for src in sources {
        engine
            .add_policy(src.path.clone(), src.text.clone())
            .map_err(|e| PolicyError::Parse {
                path: src.path.clone(),
                message: e.to_string(),
            })?;
    }
    Ok(())
}

pub(crate) fn new_regorus(params: &Params) -> Result<regorus::Engine, PolicyError> {
    let mut engine = regorus::Engine::new();
    engine.set_strict_builtin_errors(true);
    engine.set_gather_prints(true);
    engine
        .add_data(params.to_data())
        .map_err(|e| PolicyError::Parse {
            path: "(mlguard_config)".into(),
            message: e.to_string(),
        })?;
    Ok(engine)
}

impl Engine {
    /// Loads the libraries and rules of `set` (not the tests) and checks every rule compiles.
    pub fn new(set: &PolicySet, params: &Params) -> Result<Engine, PolicyError> {
        let mut base = new_regorus(params)?;
        add_sources(&mut base, &set.libs)?;
        add_sources(&mut base, set.rules.iter().map(|r| &r.source))?;
        let engine = Engine {
            base,
            rules: set.rules.clone(),
            timeout: DEFAULT_RULE_TIMEOUT,
        };
        engine.check(set)?;
        Ok(engine)
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Engine {
        self.timeout = timeout;
        self
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Refuses, at load time, a rule without `deny` or `applicable` and a custom policy that
    /// calls a function that exists neither as a builtin nor in any loaded policy (regorus
    /// would otherwise only fail once that line runs, so a broken rule could pass silently).
    fn check(&self, set: &PolicySet) -> Result<(), PolicyError> {
        for rule in &self.rules {
            for entry in ["deny", "applicable"] {
                let declared = self.declares(rule, entry).map_err(|e| PolicyError::Check {
                    path: rule.source.path.clone(),
                    rule_id: rule.meta.id.clone(),
                    message: e.to_string(),
                })?;
                if !declared {
                    return Err(PolicyError::Check {
                        path: rule.source.path.clone(),
                        rule_id: rule.meta.id.clone(),
                        message: format!("the rule defines no `{entry}`"),
                    });
                }
            }
        }
        let custom: Vec<&PolicySource> = set
            .libs
            .iter()
            .chain(set.rules.iter().map(|r| &r.source))
            .chain(&set.tests)
            .filter(|s| s.origin != Origin::Builtin)
            .collect();
        super::lint::check(set, &custom)
    }

    fn declares(&self, rule: &Rule, entry: &str) -> anyhow::Result<bool> {
        self.base
            .has_declared_rule_rooted_at(&rule.source.path, entry)
    }

    fn entrypoints(&self, rule: &Rule) -> Vec<&'static str> {
        let mut e = vec!["deny", "applicable"];
        if self.declares(rule, "not_assessed").unwrap_or(false) {
            e.push("not_assessed");
        }
        e
    }

    /// Evaluates the given rules (all when `only` is `None`) against a snapshot.
    pub fn evaluate(
        &self,
        snapshot: &LoadedSnapshot,
        only: Option<&[String]>,
    ) -> Result<Vec<RuleOutcome>, EngineError> {
        let rules: Vec<&Rule> = self
            .rules
            .iter()
            .filter(|r| only.is_none_or(|ids| ids.contains(&r.meta.id)))
            .collect();
        let mut outcomes: Vec<RuleOutcome> = rules
            .par_iter()
            .map(|rule| self.evaluate_rule(rule, &snapshot.input))
            .collect::<Result<_, _>>()?;
        outcomes.sort_by(|a, b| a.rule_id.cmp(&b.rule_id));
        Ok(outcomes)
    }

    /// Evaluates a library rule (`data.mlguard.lib.suppress.by_arn`) against a snapshot;
    /// `Undefined` when no loaded policy defines it.
    pub fn eval_library(
        &self,
        snapshot: &LoadedSnapshot,
        rule: &str,
    ) -> Result<Value, EngineError> {
        let mut engine = self.base.clone();
        engine.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
            limit: self.timeout,
            check_interval: NonZeroU32::new(1024).unwrap_or(NonZeroU32::MIN),
        });
        engine.set_input(snapshot.input.clone());
        engine
            .eval_rule(rule.to_string())
            .map_err(|e| EngineError::Eval {
                path: rule.to_string(),
                rule_id: "library".to_string(),
                message: e.to_string(),
            })
    }

    fn evaluate_rule(&self, rule: &Rule, input: &Value) -> Result<RuleOutcome, EngineError> {
        let mut engine = self.base.clone();
        engine.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
            limit: self.timeout,
            check_interval: NonZeroU32::new(1024).unwrap_or(NonZeroU32::MIN),
        });
        engine.set_input(input.clone());
        let mut outcome = RuleOutcome {
            rule_id: rule.meta.id.clone(),
            applicable: Vec::new(),
            deny: Vec::new(),
            not_assessed: Vec::new(),
        };
        for entry in self.entrypoints(rule) {
            let value = engine
                .eval_rule(format!("{}.{entry}", rule.data_path()))
                .map_err(|e| EngineError::Eval {
                    path: rule.source.path.clone(),
                    rule_id: rule.meta.id.clone(),
                    message: e.to_string(),
                })?;
            let items = parse_results(&value, entry != "applicable").map_err(|message| {
                EngineError::BadResult {
                    path: rule.source.path.clone(),
                    rule_id: rule.meta.id.clone(),
                    entrypoint: entry.to_string(),
                    message,
                }
            })?;
            match entry {
                "deny" => outcome.deny = items,
                "applicable" => outcome.applicable = items,
                _ => outcome.not_assessed = items,
            }
        }
        Ok(outcome)
    }
}

fn str_field(obj: &Value, key: &str) -> Option<String> {
    match &obj[key] {
        Value::String(s) => Some(s.to_string()),
        _ => None,
    }
}

/// Reads a set of results (`{"resource": {...}, "msg": "..."}`) or, for `applicable`, of
/// resources.
fn parse_results(value: &Value, with_message: bool) -> Result<Vec<Judged>, String> {
    let items: Vec<&Value> = match value {
        Value::Undefined | Value::Null => return Ok(Vec::new()),
        Value::Set(s) => s.iter().collect(),
        Value::Array(a) => a.iter().collect(),
        other => return Err(format!("expected a set, got {other}")),
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let (resource, message) = if with_message {
            let msg = str_field(item, "msg")
                .ok_or_else(|| format!("result without a string `msg`: {item}"))?;
            (&item["resource"], msg)
        } else {
            (item, String::new())
        };
        let get = |k: &str| {
            str_field(resource, k)
                .ok_or_else(|| format!("resource without a string `{k}`: {resource}"))
        };
        let path = match &resource["path"] {
            Value::Array(a) => a
                .iter()
                .map(|seg| match seg {
                    Value::String(s) => s.to_string(),
                    other => other.to_string(),
                })
                .collect(),
            _ => Vec::new(),
        };
        out.push(Judged {
            resource: ResourceRef {
                arn: get("arn")?,
                kind: get("type")?,
                region: get("region")?,
                account_id: get("account_id")?,
            },
            path,
            message,
        });
    }
    Ok(out)
}
