//! Applying a plan: for each action, resolve its placeholders, read the aspect it changes,
//! skip it when it already has the `after` value (idempotent) or has neither `before` nor
//! `after` (drift), else journal, call, journal. [`Runner::call`] is the one place a call
//! to AWS is made, so every change is journaled before and after by construction.
//!
//! The driver is synchronous and talks to a [`Target`]: the AWS SDK in [`aws`] (the only
//! async code here), or an in-memory account in tests.

#[cfg(feature = "aws")]
pub mod aws;

use super::journal::{self, Journal, JournalError, Phase, Record, SkipReason};
use super::model::{Aspect, MANAGED_TAG, Op, STACK_TAG, Tags, placeholders, substitute};
use super::plan::{Action, Plan};
pub use super::target::denied;
use super::target::{Target, TargetError};
use crate::findings::Applicability;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::Write;

const POLICY_FILE: &str = "policies/iam/mlguard-remediate-policy.json";

/// What a failed call reports: the operation, AWS's answer and, when the call was refused,
/// who was refused, the permission to grant and the least-privilege policy that grants it.
/// `caller` is the ARN the credentials act as (empty when unknown).
pub fn call_failure(op: &Op, e: &TargetError, caller: &str) -> String {
    let (service, name) = op.api();
    let mut out = format!("{service}:{name}: {e}");
    if denied(&e.code) {
        let actions = crate::remediate::operations::find(service, name)
            .map(|o| o.actions.join(", "))
            .filter(|a| !a.is_empty())
            .unwrap_or_else(|| format!("{service}:{name}"));
        let who = if caller.is_empty() {
            "the credentials".to_string()
        } else {
            caller.to_string()
        };
        out.push_str(&format!(
            "\n    help: {who} may not call {service}:{name}: grant {actions} with the least-privilege policy {POLICY_FILE} (every action mlguard can call, nothing else)"
        ));
    } else if e.code == "VpcLimitExceeded" {
        out.push_str(&format!(
            "\n    help: the region is at its limit of VPCs (Service Quotas: Amazon VPC, VPCs per Region, L-F678F1CE; 5 unless raised): delete a VPC nothing uses, run in another region (--region), or ask for more: {VPC_QUOTA_INCREASE}"
        ));
    }
    out
}

/// The command that asks for a higher VPC quota.
pub const VPC_QUOTA_INCREASE: &str = "aws service-quotas request-service-quota-increase --service-code vpc --quota-code L-F678F1CE --desired-value N";

/// What a failed read reports (with the permission hint when it was refused).
pub fn read_failure(what: &str, e: &TargetError, caller: &str) -> String {
    let mut out = format!("reading {what}: {e}");
    if denied(&e.code) {
        let who = if caller.is_empty() {
            "the credentials".to_string()
        } else {
            caller.to_string()
        };
        out.push_str(&format!(
            "\n    help: {who} may not read it: grant the read actions of the least-privilege policy {POLICY_FILE} (and of policies/iam/mlguard-scan-policy.json to plan from a live scan)"
        ));
    }
    out
}

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error(
        "the journal's changes were made in account {journal}, but the credentials act in account {actual}"
    )]
    JournalAccountMismatch { journal: String, actual: String },
    #[error("the plan is for account {plan}, but the credentials act in account {actual}")]
    AccountMismatch { plan: String, actual: String },
    #[error("cannot identify the account: {0}")]
    Identity(TargetError),
}

impl ApplyError {
    pub fn hint(&self) -> String {
        match self {
            ApplyError::Journal(e) => e.hint(),
            ApplyError::JournalAccountMismatch { .. } => {
                "roll back with the profile or role of the account the journal was written in".into()
            }
            ApplyError::AccountMismatch { .. } => {
                "use the profile or role of the account the plan was made for, or plan again for this account".into()
            }
            ApplyError::Identity(_) => {
                "check the credentials: `aws sts get-caller-identity` with the same settings".into()
            }
        }
    }
}

/// What happened to one action.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Applied,
    AlreadyDone,
    /// Neither `before` nor `after`: the live value.
    Drift(Value),
    Unresolved(String),
    Failed(String),
    /// Unsafe, and `--unsafe` was not given.
    HeldBack,
    Manual,
    /// Not tried: an earlier call failed and the run stopped.
    NotAttempted,
}

impl Outcome {
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Applied => "applied",
            Outcome::AlreadyDone => "already done",
            Outcome::Drift(_) => "skipped (drift)",
            Outcome::Unresolved(_) => "skipped (unresolved)",
            Outcome::Failed(_) => "FAILED",
            Outcome::HeldBack => "held back",
            Outcome::Manual => "manual",
            Outcome::NotAttempted => "not attempted",
        }
    }
}

/// The outcome of every action, in plan order.
#[derive(Debug, Clone, Default)]
pub struct ApplyReport {
    pub outcomes: Vec<(Action, Outcome)>,
}

impl ApplyReport {
    pub fn count(&self, f: impl Fn(&Outcome) -> bool) -> usize {
        self.outcomes.iter().filter(|(_, o)| f(o)).count()
    }

    /// Whether everything that was to be applied is in place.
    pub fn complete(&self) -> bool {
        self.outcomes.iter().all(|(_, o)| {
            matches!(
                o,
                Outcome::Applied | Outcome::AlreadyDone | Outcome::HeldBack | Outcome::Manual
            )
        })
    }

    /// The summary line.
    pub fn summary(&self) -> String {
        format!(
            "{} applied, {} already done, {} skipped for drift, {} failed, {} held back (unsafe: pass --unsafe), {} manual",
            self.count(|o| *o == Outcome::Applied),
            self.count(|o| *o == Outcome::AlreadyDone),
            self.count(|o| matches!(o, Outcome::Drift(_) | Outcome::Unresolved(_))),
            self.count(|o| matches!(o, Outcome::Failed(_) | Outcome::NotAttempted)),
            self.count(|o| *o == Outcome::HeldBack),
            self.count(|o| *o == Outcome::Manual),
        )
    }

    pub fn to_json(&self) -> Value {
        json!({
            "applied": self.count(|o| *o == Outcome::Applied),
            "already_done": self.count(|o| *o == Outcome::AlreadyDone),
            "drift": self.count(|o| matches!(o, Outcome::Drift(_) | Outcome::Unresolved(_))),
            "failed": self.count(|o| matches!(o, Outcome::Failed(_) | Outcome::NotAttempted)),
            "held_back": self.count(|o| *o == Outcome::HeldBack),
            "manual": self.count(|o| *o == Outcome::Manual),
        })
    }
}

/// Journals and calls. Owns the target, so nothing else can call AWS behind the journal.
pub struct Runner<'t> {
    target: &'t mut dyn Target,
    journal: Journal,
    phase: Phase,
    resolver: Resolver,
}

impl<'t> Runner<'t> {
    pub fn new(target: &'t mut dyn Target, journal: Journal, phase: Phase) -> Runner<'t> {
        Runner {
            target,
            journal,
            phase,
            resolver: Resolver::default(),
        }
    }

    pub fn journal_path(&self) -> &std::path::Path {
        self.journal.path()
    }

    pub fn record(&mut self, record: &Record) -> Result<(), JournalError> {
        self.journal.write(record)
    }

    pub fn read(&mut self, aspect: &Aspect) -> Result<Value, TargetError> {
        self.target.read(aspect)
    }

    pub fn account_id(&mut self) -> Result<String, TargetError> {
        self.target.account_id()
    }

    pub fn caller_arn(&self) -> String {
        self.target.caller_arn()
    }

    /// The only way to change anything: `begin` (synced), the call, then `done` or `failed`.
    pub fn call(&mut self, action: &Action, observed: &Value) -> Result<Value, CallError> {
        let Some(op) = &action.op else {
            return Err(CallError::Target(TargetError::new(
                "NoOperation",
                "a manual action has nothing to call",
            )));
        };
        self.journal.write(&Record::Begin {
            time: journal::now(),
            phase: self.phase,
            action: Box::new(action.clone()),
            observed: observed.clone(),
        })?;
        let result = self.target.call(op);
        self.resolver.cache.clear();
        match result {
            Ok(value) => {
                self.journal.write(&Record::Done {
                    time: journal::now(),
                    phase: self.phase,
                    action_id: action.id.clone(),
                    result: value.clone(),
                })?;
                Ok(value)
            }
            Err(e) => {
                self.journal.write(&Record::Failed {
                    time: journal::now(),
                    phase: self.phase,
                    action_id: action.id.clone(),
                    error: e.to_string(),
                })?;
                Err(CallError::Target(e))
            }
        }
    }

    pub fn skip(
        &mut self,
        action: &Action,
        reason: SkipReason,
        observed: &Value,
        detail: &str,
    ) -> Result<(), JournalError> {
        self.journal.write(&Record::Skipped {
            time: journal::now(),
            phase: self.phase,
            action_id: action.id.clone(),
            reason,
            observed: observed.clone(),
            detail: detail.to_string(),
        })
    }

    /// The action with every `${placeholder}` replaced by the id it stands for.
    pub fn resolve(&mut self, action: &Action) -> Result<Action, String> {
        self.resolver.resolve(&mut *self.target, action)
    }

    pub fn finish(mut self, summary: Value) -> Result<(), JournalError> {
        self.journal.write(&Record::End {
            time: journal::now(),
            phase: self.phase,
            summary,
        })
    }
}

/// Resolves `${placeholders}` by reading the aspects they name (cached until the next call).
#[derive(Debug, Default)]
pub struct Resolver {
    cache: BTreeMap<Aspect, Value>,
}

impl Resolver {
    /// The value of a referenced aspect (placeholders in it resolved first).
    fn resolve_ref(
        &mut self,
        target: &mut dyn Target,
        name: &str,
        refs: &BTreeMap<String, Aspect>,
        resolved: &mut BTreeMap<String, Value>,
        depth: usize,
    ) -> Result<(), String> {
        if resolved.contains_key(name) {
            return Ok(());
        }
        let Some(aspect) = refs.get(name) else {
            return Err(format!("${{{name}}} names no reference"));
        };
        if depth > 8 {
            return Err(format!("${{{name}}}: references nest too deep"));
        }
        let mut json = serde_json::to_value(aspect).map_err(|e| e.to_string())?;
        for inner in placeholders(&json) {
            self.resolve_ref(target, &inner, refs, resolved, depth + 1)?;
        }
        substitute(&mut json, resolved);
        let aspect: Aspect = serde_json::from_value(json).map_err(|e| e.to_string())?;
        let value = match self.cache.get(&aspect) {
            Some(v) => v.clone(),
            None => {
                let v = target
                    .read(&aspect)
                    .map_err(|e| format!("reading {}: {e}", aspect.describe()))?;
                self.cache.insert(aspect.clone(), v.clone());
                v
            }
        };
        if value.is_null() {
            return Err(format!("{} does not exist", aspect.describe()));
        }
        resolved.insert(name.to_string(), value);
        Ok(())
    }

    /// The action with every `${placeholder}` replaced by the id it stands for.
    pub fn resolve(&mut self, target: &mut dyn Target, action: &Action) -> Result<Action, String> {
        if action.refs.is_empty() {
            return Ok(action.clone());
        }
        let mut json = serde_json::to_value(action).map_err(|e| e.to_string())?;
        let refs = action.refs.clone();
        let mut resolved = BTreeMap::new();
        let mut used = Vec::new();
        for part in ["op", "aspect", "before", "after"] {
            if let Some(v) = json.get(part) {
                used.extend(placeholders(v));
            }
        }
        used.sort();
        used.dedup();
        for name in &used {
            self.resolve_ref(target, name, &refs, &mut resolved, 0)?;
        }
        for part in ["op", "aspect", "before", "after"] {
            if let Some(v) = json.get_mut(part) {
                let missing = substitute(v, &resolved);
                if !missing.is_empty() {
                    return Err(format!("unresolved: {}", missing.join(", ")));
                }
            }
        }
        if let Some(obj) = json.as_object_mut() {
            obj.remove("refs");
        }
        let mut resolved: Action = serde_json::from_value(json).map_err(|e| e.to_string())?;
        // The id stays the plan's; the inverse follows the resolved ids.
        let id = action.id.clone();
        resolved.finish();
        resolved.id = id;
        Ok(resolved)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error(transparent)]
    Target(TargetError),
}

/// The tags an operation gives what it creates.
fn created_tags(op: &Op) -> Option<&Tags> {
    match op {
        Op::CreatePolicy { tags, .. }
        | Op::CreateRole { tags, .. }
        | Op::CreateKey { tags, .. }
        | Op::CreateFlowLogs { tags, .. }
        | Op::CreateVpcEndpoint { tags, .. }
        | Op::CreateSecurityGroup { tags, .. }
        | Op::CreateVpc { tags, .. }
        | Op::CreateSubnet { tags, .. } => Some(tags),
        _ => None,
    }
}

/// Whether a live resource carries mlguard's ownership tags (those `op` gives).
pub fn owned(op: &Op, live: &Value) -> bool {
    let Some(expected) = created_tags(op) else {
        return true;
    };
    let tag = |k: &str| {
        live.pointer(&format!(
            "/tags/{}",
            k.replace('~', "~0").replace('/', "~1")
        ))
    };
    [MANAGED_TAG, STACK_TAG]
        .iter()
        .all(|k| match expected.get(*k) {
            Some(v) => tag(k).and_then(Value::as_str) == Some(v.as_str()),
            None => true,
        })
}

/// A created bucket must carry mlguard's tag to count as mlguard's (it is tagged by the next
/// action, so a bucket left untagged by a crash must be rolled back first).
fn owned_bucket(op: &Op, live: &Value) -> bool {
    match op {
        Op::CreateBucket { .. } => {
            live.pointer(&format!("/tags/{}", MANAGED_TAG.replace('/', "~1")))
                .and_then(Value::as_str)
                == Some("true")
        }
        _ => true,
    }
}

pub struct ApplyOptions {
    /// Apply unsafe actions too.
    pub allow_unsafe: bool,
}

/// Applies a plan. Progress lines go to `log`.
pub fn apply(
    plan: &Plan,
    runner: &mut Runner<'_>,
    opts: &ApplyOptions,
    log: &mut dyn Write,
) -> Result<ApplyReport, ApplyError> {
    let actual = runner.account_id().map_err(ApplyError::Identity)?;
    if actual != plan.account_id {
        return Err(ApplyError::AccountMismatch {
            plan: plan.account_id.clone(),
            actual,
        });
    }
    runner.record(&Record::Start {
        time: journal::now(),
        phase: Phase::Apply,
        account_id: actual,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        plan_kind: plan.kind.as_str().to_string(),
        stack: plan.stack.clone(),
    })?;
    let mut report = ApplyReport::default();
    let mut stopped = false;
    for action in &plan.actions {
        let outcome = if !action.is_change() {
            Outcome::Manual
        } else if action.applicability == Applicability::Unsafe && !opts.allow_unsafe {
            Outcome::HeldBack
        } else if stopped {
            Outcome::NotAttempted
        } else {
            let o = apply_one(action, runner)?;
            if matches!(o, Outcome::Failed(_)) {
                stopped = true;
            }
            let _ = writeln!(
                log,
                "  {:<20} {} {}",
                o.label(),
                action.id,
                match &o {
                    Outcome::Failed(e) | Outcome::Unresolved(e) =>
                        format!("{}: {e}", action.summary),
                    Outcome::Drift(live) => format!(
                        "{}: found {}",
                        action.summary,
                        serde_json::to_string(live).unwrap_or_default()
                    ),
                    _ => action.summary.clone(),
                }
            );
            o
        };
        report.outcomes.push((action.clone(), outcome));
    }
    Ok(report)
}

fn apply_one(action: &Action, runner: &mut Runner<'_>) -> Result<Outcome, ApplyError> {
    let resolved = match runner.resolve(action) {
        Ok(a) => a,
        Err(why) => {
            runner.skip(action, SkipReason::Unresolved, &Value::Null, &why)?;
            return Ok(Outcome::Unresolved(why));
        }
    };
    let (Some(aspect), Some(op)) = (&resolved.aspect, &resolved.op) else {
        return Ok(Outcome::Manual);
    };
    let live = match runner.read(aspect) {
        Ok(v) => v,
        Err(e) => {
            let why = read_failure(&aspect.describe(), &e, &runner.caller_arn());
            runner.skip(action, SkipReason::Unresolved, &Value::Null, &why)?;
            return Ok(Outcome::Failed(why));
        }
    };
    if aspect.same(&live, &resolved.after) {
        if !(live.is_null() || owned(op, &live) && owned_bucket(op, &live)) {
            let why = format!(
                "{} exists but was not created by mlguard (it lacks the {MANAGED_TAG} tag): refusing to adopt it; if a crashed apply created it, roll that apply back first",
                aspect.describe()
            );
            runner.skip(action, SkipReason::Drift, &live, &why)?;
            return Ok(Outcome::Failed(why));
        }
        runner.skip(action, SkipReason::AlreadyDone, &live, "")?;
        return Ok(Outcome::AlreadyDone);
    }
    if !resolved.before_unread && !aspect.same(&live, &resolved.before) {
        runner.skip(action, SkipReason::Drift, &live, "")?;
        return Ok(Outcome::Drift(live));
    }
    let op = op.clone();
    let resolved = with_live_description(resolved, &live);
    match runner.call(&resolved, &live) {
        Ok(_) => Ok(Outcome::Applied),
        Err(CallError::Journal(e)) => Err(e.into()),
        Err(CallError::Target(e)) => {
            Ok(Outcome::Failed(call_failure(&op, &e, &runner.caller_arn())))
        }
    }
}

/// A revoke names the rule's description as found (AWS ignores it; emulators may match it).
fn with_live_description(mut action: Action, live: &Value) -> Action {
    let found = live
        .get("Description")
        .and_then(Value::as_str)
        .map(String::from);
    if let Some(
        Op::RevokeSecurityGroupIngress { description, .. }
        | Op::RevokeSecurityGroupEgress { description, .. },
    ) = &mut action.op
    {
        *description = found;
    }
    action
}

/// Prints the outcome of every action that did not simply apply.
pub fn render_report(report: &ApplyReport) -> String {
    let mut out = String::new();
    for (a, o) in &report.outcomes {
        if matches!(
            o,
            Outcome::Drift(_) | Outcome::Unresolved(_) | Outcome::Failed(_)
        ) {
            let detail = match o {
                Outcome::Failed(why) | Outcome::Unresolved(why) => format!(": {why}"),
                _ => String::new(),
            };
            out.push_str(&format!(
                "{}: {} ({}){detail}\n",
                o.label(),
                a.summary,
                a.id
            ));
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod fake;

#[cfg(test)]
mod tests;
