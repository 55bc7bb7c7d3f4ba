//! Remediation: findings become a reviewable plan of actions; applying it keeps a
//! write-ahead journal that rollback replays backwards.
//!
//! - [`model`]: the aspects of live state an action changes and the closed set of calls
//!   ([`model::Op`]) that change them;
//! - [`plan`]: the versioned plan and its diff; [`fixes`] makes a remediation plan from
//!   findings, [`harden`] the plans of `harden` and `teardown` (all pure);
//! - [`journal`]: the JSON-lines journal, one fsync'd record before and after every call;
//! - [`apply`]: runs a plan against a [`target::Target`] (AWS through the SDK, or a fake in
//!   tests) with drift checks, idempotency and the journal; [`rollback`] puts every
//!   journaled aspect back to its recorded value.

pub mod apply;
pub mod cost;
mod declare;
pub mod documents;
pub mod fixes;
pub mod harden;
pub mod journal;
pub mod model;
pub mod plan;
pub mod rollback;
pub mod target;

/// What stops a remediation command, with advice.
#[derive(Debug, thiserror::Error)]
pub enum RemediateError {
    #[error(transparent)]
    Plan(#[from] plan::PlanError),
    #[error(transparent)]
    Journal(#[from] journal::JournalError),
    #[error(transparent)]
    Apply(#[from] apply::ApplyError),
    #[error(transparent)]
    Harden(#[from] harden::HardenError),
    #[error("invalid --allowed-cidr: {0}")]
    AllowedCidr(String),
    #[error("invalid {flag} `{value}`: {why}")]
    BadArgument {
        flag: &'static str,
        value: String,
        why: &'static str,
    },
    #[error(
        "snapshot {file} was collected at {collected_at}, {hours} hours ago: too old to plan changes from"
    )]
    Stale {
        file: String,
        collected_at: String,
        hours: i64,
    },
    #[error(
        "refusing to change the account without confirmation: stdin is not a terminal and --yes was not given"
    )]
    NoConfirmation,
    #[error("{0}")]
    Usage(String),
    #[error("cannot read the account: {0}")]
    Read(target::TargetError),
    #[error(transparent)]
    Pricing(#[from] cost::PricingError),
    #[error("KMS key `{key}` not found in {region}{}", match found { Some((r, _)) => format!(": it is in {r}"), None => format!(" nor in any other of the account's {searched} enabled regions") })]
    KeyNotFound {
        key: String,
        region: String,
        /// `(region, ARN)` where it is.
        found: Option<(String, String)>,
        searched: usize,
    },
    #[error(
        "refusing to apply: the plan adds ${total:.2} a month to the bill, above --max-monthly-cost {limit:.2}"
    )]
    OverBudget { total: f64, limit: f64 },
    /// The scope the fixes need (which roles, groups and keys the ML workloads use) could not
    /// be evaluated: planning without it would silently leave out or add actions.
    #[error("cannot plan: the remediation scope `{rule}` could not be evaluated: {message}")]
    Scope { rule: String, message: String },
    /// The snapshot could not be handed to the planner as JSON.
    #[error("cannot plan: the snapshot could not be converted for the planner: {0}")]
    SnapshotJson(String),
}

impl RemediateError {
    pub fn hint(&self) -> String {
        match self {
            RemediateError::Plan(e) => e.hint(),
            RemediateError::Journal(e) => e.hint(),
            RemediateError::Apply(e) => e.hint(),
            RemediateError::Harden(e) => e.hint(),
            RemediateError::AllowedCidr(_) => {
                "give the network the workload is reached from, e.g. --allowed-cidr 203.0.113.0/24".into()
            }
            RemediateError::BadArgument { flag, .. } => match *flag {
                "--flow-logs-destination" => {
                    "give an S3 bucket ARN, e.g. arn:aws:s3:::my-flow-logs".into()
                }
                "--max-monthly-cost" => "give the most the plan may add a month, e.g. --max-monthly-cost 50".into(),
                "--kms-key" => "plan from a live scan (without --snapshot) to use a key id or alias; with a snapshot give the key's ARN, e.g. arn:aws:kms:us-east-1:123456789012:key/...".into(),
                _ => "give a KMS key ARN, e.g. arn:aws:kms:us-east-1:123456789012:key/...".into(),
            },
            RemediateError::Stale { .. } => {
                "collect a fresh snapshot (`mlguard collect`), plan from a live scan, or pass --max-age 0 to plan anyway (apply re-checks every action)".into()
            }
            RemediateError::NoConfirmation => {
                "review the plan first (--plan), then pass --yes to apply it unattended".into()
            }
            RemediateError::Usage(_) => "see `mlguard remediate --help`".into(),
            RemediateError::Scope { .. } => {
                "the rule is in policies/lib/scope.rego; a --policy-dir that redefines it must keep it a set of strings; `mlguard policy test` runs its tests; if the built-in policies fail, please report it".into()
            }
            RemediateError::SnapshotJson(_) => {
                "this is a bug in mlguard, please report it with the snapshot".into()
            }
            RemediateError::Read(_) => {
                "check the credentials' permissions (policies/iam/mlguard-remediate-policy.json)".into()
            }
            RemediateError::Pricing(e) => e.hint(),
            RemediateError::KeyNotFound {
                found: Some((r, arn)),
                ..
            } => format!(
                "a key is used in its own region: pass --kms-key {arn} and plan the resources of {r} (--regions {r}), or give a key of the target region"
            ),
            RemediateError::KeyNotFound { region, .. } => format!(
                "check the id or alias (`aws kms list-aliases --region {region}`), or create a key there first (`mlguard harden` makes one with rotation and an alias)"
            ),
            RemediateError::OverBudget { .. } => {
                "review the cost lines of the plan (--plan), raise --max-monthly-cost, or apply fewer actions".into()
            }
        }
    }
}
pub mod operations;
