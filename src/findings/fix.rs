//! What the rest of mlguard knows of a fix without depending on the remediator: its
//! applicability, what it does and how rollback undoes it. The fixes themselves are declared
//! in the remediator's registry (`remediate/fixes/`); the engine's rule loader and the rule
//! docs receive a [`FixLookup`] from the application layer.

use serde::Serialize;
use std::fmt;

/// How safe a fix is to apply without review. Ordered: `Manual < Unsafe < Safe`.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Cannot be changed in place: explained, never applied.
    Manual,
    /// May break workloads: applied only with `--unsafe`.
    #[default]
    Unsafe,
    /// Reversible and without workload impact: applied by default.
    Safe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Manual => "manual",
            Applicability::Unsafe => "unsafe",
            Applicability::Safe => "safe",
        }
    }
}

impl fmt::Display for Applicability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A fix as rule metadata and the rule docs see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FixInfo {
    pub id: &'static str,
    pub applicability: Applicability,
    /// What the fix does.
    pub summary: &'static str,
    /// How rollback undoes it.
    pub inverse: &'static str,
    /// Fixes the plan adds beside this one when the resource needs them (each with its own
    /// applicability).
    pub with: &'static [&'static str],
}

/// Finds mlguard's fix with this id. The application layer passes the remediator's registry;
/// the engine refuses a rule whose `remediation.action` it does not know.
pub type FixLookup = fn(&str) -> Option<FixInfo>;
