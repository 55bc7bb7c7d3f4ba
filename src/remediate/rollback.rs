//! Rollback: state-based. For every action the journal shows begun (done or not: a crash can
//! leave a call whose answer was never recorded), newest first, read the aspect it changed:
//! already the recorded value → nothing to do; the value the action left → call what puts the
//! recorded value back; anything else → it changed since, refused unless `--force`. Running
//! it twice changes nothing the second time. Deleting what an action created requires the
//! resource to still carry mlguard's tag, `--force` or not.

use super::apply::{ApplyError, CallError, Runner, call_failure, owned, read_failure};
use super::journal::{self, Applied, Phase, Record, SkipReason};
use super::model::{MANAGED_TAG, restore_op};
use super::plan::Action;
use super::target::{TargetError, gone};
use serde_json::{Value, json};
use std::io::Write;

pub struct RollbackOptions {
    /// Restore aspects changed since the apply too.
    pub force: bool,
}

/// What happened to one applied action.
#[derive(Debug, Clone, PartialEq)]
pub enum Restore {
    Restored,
    AlreadyRestored,
    ChangedSince(Value),
    NotRestorable(String),
    /// What the aspect belongs to no longer exists (rolled back already, or deleted since).
    Gone(String),
    Failed(String),
}

impl Restore {
    pub fn label(&self) -> &'static str {
        match self {
            Restore::Restored => "restored",
            Restore::AlreadyRestored => "already restored",
            Restore::ChangedSince(_) => "REFUSED (changed since)",
            Restore::NotRestorable(_) => "not restorable",
            Restore::Gone(_) => "gone",
            Restore::Failed(_) => "FAILED",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct RollbackReport {
    pub outcomes: Vec<(Action, Restore)>,
}

impl RollbackReport {
    pub fn count(&self, f: impl Fn(&Restore) -> bool) -> usize {
        self.outcomes.iter().filter(|(_, r)| f(r)).count()
    }

    pub fn complete(&self) -> bool {
        self.outcomes.iter().all(|(_, r)| {
            matches!(
                r,
                Restore::Restored | Restore::AlreadyRestored | Restore::Gone(_)
            )
        })
    }

    pub fn summary(&self) -> String {
        format!(
            "{} restored, {} already restored, {} gone, {} refused (changed since: --force overrides), {} not restorable, {} failed",
            self.count(|r| *r == Restore::Restored),
            self.count(|r| *r == Restore::AlreadyRestored),
            self.count(|r| matches!(r, Restore::Gone(_))),
            self.count(|r| matches!(r, Restore::ChangedSince(_))),
            self.count(|r| matches!(r, Restore::NotRestorable(_))),
            self.count(|r| matches!(r, Restore::Failed(_))),
        )
    }
}

/// The account and kind of a journal (from its start record).
pub fn journal_account(records: &[Record]) -> Option<(String, String)> {
    records.iter().find_map(|r| match r {
        Record::Start {
            account_id,
            plan_kind,
            phase: Phase::Apply,
            ..
        } => Some((account_id.clone(), plan_kind.clone())),
        _ => None,
    })
}

/// Rolls back every action of the journal's apply, newest first.
pub fn rollback(
    records: &[Record],
    runner: &mut Runner<'_>,
    opts: &RollbackOptions,
    log: &mut dyn Write,
) -> Result<RollbackReport, ApplyError> {
    let (account, kind) = journal_account(records).unwrap_or_default();
    let actual = runner.account_id().map_err(ApplyError::Identity)?;
    if actual != account {
        return Err(ApplyError::JournalAccountMismatch {
            journal: account,
            actual,
        });
    }
    runner.record(&Record::Start {
        time: journal::now(),
        phase: Phase::Rollback,
        account_id: actual,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        plan_kind: kind,
        stack: None,
    })?;
    let mut report = RollbackReport::default();
    for applied in journal::applied(records).into_iter().rev() {
        let outcome = restore_one(&applied, runner, opts)?;
        let _ = writeln!(
            log,
            "  {:<24} {} {}",
            outcome.label(),
            applied.action.id,
            match &outcome {
                Restore::NotRestorable(why) | Restore::Failed(why) | Restore::Gone(why) =>
                    format!("{}: {why}", applied.action.summary),
                Restore::ChangedSince(live) => format!(
                    "{}: found {}",
                    applied.action.summary,
                    serde_json::to_string(live).unwrap_or_default()
                ),
                _ => applied.action.summary.clone(),
            }
        );
        report.outcomes.push((applied.action.clone(), outcome));
    }
    Ok(report)
}

fn restore_one(
    applied: &Applied,
    runner: &mut Runner<'_>,
    opts: &RollbackOptions,
) -> Result<Restore, ApplyError> {
    let aspect = &applied.aspect;
    let live = match runner.read(aspect) {
        Ok(v) => v,
        Err(e) if gone(&e) => return Ok(Restore::Gone(e.to_string())),
        Err(e) => {
            return Ok(Restore::Failed(read_failure(
                &aspect.describe(),
                &e,
                &runner.caller_arn(),
            )));
        }
    };
    let undo = Action {
        id: format!("undo-{}", applied.action.id),
        summary: format!("undo: {}", applied.action.summary),
        before: live.clone(),
        after: applied.observed.clone(),
        inverse: None,
        refs: Default::default(),
        ..applied.action.clone()
    };
    if aspect.same(&live, &applied.observed) {
        runner.skip(&undo, SkipReason::AlreadyRestored, &live, "")?;
        return Ok(Restore::AlreadyRestored);
    }
    let left_as_applied = aspect.same(&live, &applied.action.after);
    // Deleting what the apply created: only while it still carries mlguard's tag.
    if applied.observed.is_null() && !live.is_null() && !owned(&applied.op, &live) {
        let why = format!(
            "{} no longer carries the {MANAGED_TAG} tag: not deleting it",
            aspect.describe()
        );
        runner.skip(&undo, SkipReason::ChangedSince, &live, &why)?;
        return Ok(Restore::NotRestorable(why));
    }
    if !left_as_applied && !opts.force {
        runner.skip(&undo, SkipReason::ChangedSince, &live, "")?;
        return Ok(Restore::ChangedSince(live));
    }
    let op = match restore_op(aspect, &live, &applied.observed) {
        Ok(op) => op,
        Err(e) => {
            runner.skip(&undo, SkipReason::NotRestorable, &live, &e.0)?;
            return Ok(Restore::NotRestorable(e.0));
        }
    };
    let caller = runner.caller_arn();
    let failure = |e: &TargetError| call_failure(&op, e, &caller);
    let undo = Action {
        op: Some(op.clone()),
        ..undo
    };
    match runner.call(&undo, &live) {
        Ok(_) => Ok(Restore::Restored),
        Err(CallError::Journal(e)) => Err(e.into()),
        Err(CallError::Target(e)) if gone(&e) => Ok(Restore::Gone(e.to_string())),
        Err(CallError::Target(e)) => Ok(Restore::Failed(failure(&e))),
    }
}

/// The JSON summary of a rollback, for the journal's end record.
pub fn summary_json(report: &RollbackReport) -> Value {
    json!({
        "restored": report.count(|r| *r == Restore::Restored),
        "already_restored": report.count(|r| *r == Restore::AlreadyRestored),
        "changed_since": report.count(|r| matches!(r, Restore::ChangedSince(_))),
        "not_restorable": report.count(|r| matches!(r, Restore::NotRestorable(_))),
        "gone": report.count(|r| matches!(r, Restore::Gone(_))),
        "failed": report.count(|r| matches!(r, Restore::Failed(_))),
    })
}
