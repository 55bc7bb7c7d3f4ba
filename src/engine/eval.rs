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
    /// The ARNs of the resources the rule judged (shared with the snapshot: no copy).
    pub applicable: Vec<std::sync::Arc<str>>,
    pub deny: Vec<Judged>,
    pub not_assessed: Vec<Judged>,
}

/// How a rule's entry points are evaluated.
///
/// The default, and the only strategy `mlguard` itself uses, is [`Strategy::Combined`]: the
/// regorus interpreter. The RVM strategies are kept for measurement only
/// (`MLGUARD_BENCH_STRATEGY`, docs/performance.md): regorus 0.14's RVM drops results of
/// some rules (docs/writing-policies.md, "RVM divergences"), among them `not_assessed`
/// results on a missing field, which would turn "could not see" into a pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Strategy {
    /// One evaluation per rule on the interpreter: a rule mlguard adds to each rule's
    /// package gathers `deny`, `applicable` and `not_assessed`, so the package's indexes are
    /// computed once. The reference every other strategy is tested against.
    #[default]
    Combined,
    /// One evaluation per entry point, each from a clean state.
    PerEntrypoint,
    /// Experimental, never the default: the combined rule, compiled to regorus's virtual
    /// machine (RVM) bytecode.
    Rvm,
    /// Experimental, never the default: the RVM for the built-in rules outside
    /// [`RVM_DIVERGES`], the interpreter for the others and for every custom rule. Not proven
    /// equal to the interpreter: `tests/it/differential.rs` found divergences the fixtures had
    /// not shown, so the list cannot be trusted to be complete.
    Mixed,
}

/// Built-in rules on which the RVM of regorus 0.14 is known to give other results than its
/// interpreter (on fixtures, generated snapshots, or their mutants in
/// `tests/it/differential.rs`). Only [`Strategy::Mixed`] reads it.
pub const RVM_DIVERGES: [&str; 15] = [
    "DE-003", "DE-012", "LP-004", "LP-005", "LP-008", "LP-009", "LP-010", "LP-011", "NI-001",
    "NI-007", "NI-008", "NI-009", "NI-010", "NI-011", "NI-013",
];

/// The rule mlguard adds to each rule's package (a reserved name).
const OUTCOME_RULE: &str = "__mlguard_outcome__";

#[derive(Clone)]
pub struct Engine {
    base: regorus::Engine,
    rules: Vec<Rule>,
    /// The entry points each rule declares, by rule id.
    entrypoints: std::collections::BTreeMap<String, Vec<&'static str>>,
    timeout: Duration,
    strategy: Strategy,
    /// RVM programs of the combined rules, by rule id (with [`Strategy::Rvm`]).
    programs: std::collections::BTreeMap<String, std::sync::Arc<regorus::rvm::Program>>,
    data: Value,
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
        let mut engine = Engine {
            base,
            rules: set.rules.clone(),
            entrypoints: std::collections::BTreeMap::new(),
            timeout: DEFAULT_RULE_TIMEOUT,
            strategy: Strategy::default(),
            programs: std::collections::BTreeMap::new(),
            data: params.to_data(),
        };
        engine.check(set)?;
        for rule in &set.rules {
            let mut entries = vec!["deny", "applicable"];
            if engine.declares(rule, "not_assessed").unwrap_or(false) {
                entries.push("not_assessed");
            }
            // `[item | some item in deny]` rather than `deny`: an object with an undefined
            // member would be undefined as a whole.
            let fields: Vec<String> = entries
                .iter()
                .map(|e| format!("\"{e}\": [__mlguard_item__ | some __mlguard_item__ in {e}]"))
                .collect();
            let text = format!(
                "package {}\nimport rego.v1\n{OUTCOME_RULE} := {{{}}}\n",
                rule.source.package,
                fields.join(", ")
            );
            engine
                .base
                .add_policy(format!("mlguard-outcome:{}", rule.source.path), text)
                .map_err(|e| PolicyError::Check {
                    path: rule.source.path.clone(),
                    rule_id: rule.meta.id.clone(),
                    message: format!("cannot gather the rule's results: {e}"),
                })?;
            engine.entrypoints.insert(rule.meta.id.clone(), entries);
        }
        // Analyse the modules once (schedule, functions, imports): every clone evaluates
        // from this prepared state instead of analysing all the policies again per rule.
        engine
            .base
            .eval_query("true".to_string(), false)
            .map_err(|e| PolicyError::Check {
                path: "(policies)".into(),
                rule_id: "(all)".into(),
                message: format!("cannot prepare the policies for evaluation: {e}"),
            })?;
        engine.with_strategy(Strategy::default())
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Engine {
        self.timeout = timeout;
        self
    }

    pub fn with_strategy(mut self, strategy: Strategy) -> Result<Engine, PolicyError> {
        self.strategy = strategy;
        self.programs.clear();
        if matches!(strategy, Strategy::Rvm | Strategy::Mixed) {
            for rule in &self.rules {
                if strategy == Strategy::Mixed
                    && (rule.source.origin != Origin::Builtin
                        || RVM_DIVERGES.contains(&rule.meta.id.as_str()))
                {
                    continue;
                }
                let entry: regorus::Rc<str> = format!("{}.{OUTCOME_RULE}", rule.data_path()).into();
                let error = |message: String| PolicyError::Check {
                    path: rule.source.path.clone(),
                    rule_id: rule.meta.id.clone(),
                    message,
                };
                let compiled = self
                    .base
                    .clone()
                    .compile_with_entrypoint(&entry)
                    .map_err(|e| error(e.to_string()))?;
                let program = regorus::languages::rego::compiler::Compiler::compile_from_policy(
                    &compiled,
                    &[&entry],
                )
                .map_err(|e| error(e.to_string()))?;
                self.programs.insert(rule.meta.id.clone(), program);
            }
        }
        Ok(self)
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

    fn entrypoints(&self, rule: &Rule) -> &[&'static str] {
        self.entrypoints
            .get(&rule.meta.id)
            .map_or(&["deny", "applicable"], Vec::as_slice)
    }

    /// Evaluates the given rules (all when `only` is `None`) against a snapshot.
    pub fn evaluate(
        &self,
        snapshot: &LoadedSnapshot,
        only: Option<&[String]>,
    ) -> Result<Vec<RuleOutcome>, EngineError> {
        let mut rules: Vec<&Rule> = self
            .rules
            .iter()
            .filter(|r| only.is_none_or(|ids| ids.contains(&r.meta.id)))
            .collect();
        // Each idle thread takes the next rule; the rules on the interpreter (the slowest)
        // come first, so no thread is left running one long rule while the others wait.
        rules.sort_by_key(|r| self.programs.contains_key(&r.meta.id));
        let mut outcomes: Vec<RuleOutcome> = rules
            .into_iter()
            .par_bridge()
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
        let eval_error = |e: anyhow::Error| EngineError::Eval {
            path: rule.source.path.clone(),
            rule_id: rule.meta.id.clone(),
            message: e.to_string(),
        };
        let strategy = match self.strategy {
            Strategy::Mixed if !self.programs.contains_key(&rule.meta.id) => Strategy::Combined,
            other => other,
        };
        let combined = match strategy {
            Strategy::Combined => {
                let all = engine
                    .eval_rule(format!("{}.{OUTCOME_RULE}", rule.data_path()))
                    .map_err(eval_error)?;
                if !matches!(all, Value::Object(_)) {
                    return Err(EngineError::BadResult {
                        path: rule.source.path.clone(),
                        rule_id: rule.meta.id.clone(),
                        entrypoint: OUTCOME_RULE.to_string(),
                        message: format!("expected an object, got {all}"),
                    });
                }
                Some(all)
            }
            Strategy::PerEntrypoint => None,
            Strategy::Rvm | Strategy::Mixed => {
                let program = self
                    .programs
                    .get(&rule.meta.id)
                    .cloned()
                    .unwrap_or_default();
                let mut vm = regorus::rvm::RegoVM::new();
                vm.load_program(program);
                vm.set_max_instructions(usize::MAX);
                vm.set_data(self.data.clone())
                    .map_err(|e| eval_error(anyhow::anyhow!("{e}")))?;
                vm.set_input(input.clone());
                let all = vm
                    .execute_entry_point_by_name(&format!("{}.{OUTCOME_RULE}", rule.data_path()))
                    .map_err(|e| eval_error(anyhow::anyhow!("{e}")))?;
                Some(all)
            }
        };
        for &entry in self.entrypoints(rule) {
            let value = match &combined {
                Some(all) => all[entry].clone(),
                None => engine
                    .eval_rule(format!("{}.{entry}", rule.data_path()))
                    .map_err(eval_error)?,
            };
            let bad = |message| EngineError::BadResult {
                path: rule.source.path.clone(),
                rule_id: rule.meta.id.clone(),
                entrypoint: entry.to_string(),
                message,
            };
            match entry {
                "applicable" => outcome.applicable = parse_arns(&value).map_err(bad)?,
                "deny" => outcome.deny = parse_results(&value).map_err(bad)?,
                _ => outcome.not_assessed = parse_results(&value).map_err(bad)?,
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

fn items(value: &Value) -> Result<Vec<&Value>, String> {
    match value {
        Value::Undefined | Value::Null => Ok(Vec::new()),
        Value::Set(s) => Ok(s.iter().collect()),
        Value::Array(a) => Ok(a.iter().collect()),
        other => Err(format!("expected a set, got {other}")),
    }
}

/// The string fields every resource reference carries: checked, then read.
const RESOURCE_FIELDS: [&str; 4] = ["arn", "type", "region", "account_id"];

fn resource_field<'v>(resource: &'v Value, key: &str) -> Result<&'v std::sync::Arc<str>, String> {
    match &resource[key] {
        Value::String(s) => Ok(s),
        _ => Err(format!("resource without a string `{key}`: {resource}")),
    }
}

/// Reads a set of results (`{"resource": {...}, "msg": "..."}`).
fn parse_results(value: &Value) -> Result<Vec<Judged>, String> {
    let items = items(value)?;
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let msg = str_field(item, "msg")
            .ok_or_else(|| format!("result without a string `msg`: {item}"))?;
        let resource = &item["resource"];
        let get = |k: &str| resource_field(resource, k).map(|s| s.to_string());
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
            message: msg,
        });
    }
    Ok(out)
}

/// Reads a set of resources (`applicable`): their ARNs, after checking each is a complete
/// resource reference.
fn parse_arns(value: &Value) -> Result<Vec<std::sync::Arc<str>>, String> {
    let items = items(value)?;
    let mut out = Vec::with_capacity(items.len());
    for resource in items {
        for key in RESOURCE_FIELDS {
            resource_field(resource, key)?;
        }
        out.push(resource_field(resource, "arn")?.clone());
    }
    Ok(out)
}
