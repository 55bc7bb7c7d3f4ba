//! The Rego engine: loads the built-in and custom policies, validates their metadata, and
//! evaluates them against a snapshot. Pure and synchronous.

pub mod docs;
mod eval;
pub mod frameworks;
mod lint;
pub mod metadata;
mod params;
mod policy;
pub mod testing;

pub use eval::{Engine, Judged, RVM_DIVERGES, RuleOutcome, Strategy};
pub use metadata::{RuleMeta, RuleStatus};
pub use params::Params;
pub use policy::framework_sources as policy_framework_sources;
pub use policy::{Origin, PolicyKind, PolicySet, PolicySource, Rule, builtin_doc, id_matches};

use std::path::PathBuf;

/// A policy that cannot be loaded.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("cannot read policy directory {}: {source}", path.display())]
    Dir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read policy {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: rule file has no `# METADATA` block")]
    MissingMetadata { path: String },
    #[error("{path}: invalid METADATA: {message}")]
    BadMetadata { path: String, message: String },
    #[error("{path}: no `package` declaration")]
    MissingPackage { path: String },
    #[error("rule id {id} is defined twice: {first} and {second}")]
    DuplicateId {
        id: String,
        first: String,
        second: String,
    },
    #[error("{path}: {message}")]
    Parse { path: String, message: String },
    #[error("{path} ({rule_id}): {message}")]
    Check {
        path: String,
        rule_id: String,
        message: String,
    },
}

impl PolicyError {
    pub fn hint(&self) -> String {
        match self {
            PolicyError::Dir { .. } | PolicyError::Read { .. } => "check the --policy-dir path".into(),
            PolicyError::MissingMetadata { .. } | PolicyError::BadMetadata { .. } => {
                "a rule file starts with a `# METADATA` block (title, description, custom.id, name, pillar, severity, service, resource_type, rationale, remediation); see docs/writing-policies.md".into()
            }
            PolicyError::MissingPackage { .. } => "start the module with `package mlguard.<pillar>.<rule>`".into(),
            PolicyError::DuplicateId { .. } => {
                "rule ids are unique; a custom rule may reuse a built-in id only to replace that built-in".into()
            }
            PolicyError::Parse { .. } => "fix the Rego syntax at the position shown".into(),
            PolicyError::Check { .. } => {
                "see docs/writing-policies.md for the conventions mlguard checks at load time (mlguard evaluates with regorus)".into()
            }
        }
    }
}

/// A policy that fails while being evaluated.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("{path} ({rule_id}): evaluation failed: {message}")]
    Eval {
        path: String,
        rule_id: String,
        message: String,
    },
    #[error("{path} ({rule_id}): `{entrypoint}` returned a malformed result: {message}")]
    BadResult {
        path: String,
        rule_id: String,
        entrypoint: String,
        message: String,
    },
}

impl EngineError {
    pub fn hint(&self) -> String {
        match self {
            EngineError::Eval { .. } => "the policy raised an error on this snapshot; `mlguard policy test` runs its unit tests".into(),
            EngineError::BadResult { .. } => "build results with `lib.result.new(lib.resource.<kind>(...), msg)`: each needs resource.arn, type, region, account_id and path".into(),
        }
    }
}
