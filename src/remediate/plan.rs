//! A plan: versioned JSON data, reviewed before anything changes. Each action names the rule
//! it answers, the resource, the one AWS call it makes, the aspect of live state it changes
//! with its observed `before` and expected `after`, the inverse call, and how safe it is.
//! [`render_diff`] prints it for people; `plan.json` is the same plan for `--apply`.

use super::model::{Aspect, Op, restore_op};
use crate::findings::Applicability;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The plan format this mlguard reads and writes.
pub const PLAN_VERSION: u32 = 1;

/// What made the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PlanKind {
    /// `mlguard remediate`: fixes for findings.
    Remediate,
    /// `mlguard harden`: the hardened baseline of a stack.
    Harden,
    /// `mlguard teardown`: the deletion of a stack.
    Teardown,
}

impl PlanKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PlanKind::Remediate => "remediate",
            PlanKind::Harden => "harden",
            PlanKind::Teardown => "teardown",
        }
    }
}

/// Where the observed state came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSource {
    /// `snapshot` (a file), `scan` (collected for the plan) or `live` (read for harden and
    /// teardown).
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// When the state was read (RFC 3339).
    pub collected_at: String,
}

/// The options the plan was made with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanOptions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_cidr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow_logs_destination: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub buckets: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_cidr: Option<String>,
}

/// Scores of the audit the plan answers (per cent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoresBefore {
    pub overall: f64,
    pub by_pillar: BTreeMap<String, f64>,
    /// Failing findings.
    pub failed: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub plan_version: u32,
    pub kind: PlanKind,
    pub tool_version: String,
    pub account_id: String,
    pub partition: String,
    pub created_at: String,
    pub source: PlanSource,
    /// The stack of a harden or teardown plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack: Option<String>,
    pub regions: Vec<String>,
    #[serde(default)]
    pub options: PlanOptions,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scores_before: Option<ScoresBefore>,
    /// What the plan adds to or removes from the monthly bill (see `remediate::cost`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<super::cost::CostEstimate>,
    pub actions: Vec<Action>,
}

/// One change, or (when manual) one explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Action {
    /// Stable: a hash of rule, target and operation, so planning again gives the same id.
    pub id: String,
    /// The rule whose finding this answers (`harden` / `teardown` for those plans).
    pub rule_id: String,
    /// Other rules the same change answers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<String>,
    /// The fix (see `remediate::fixes`).
    pub fix: String,
    #[serde(default)]
    pub applicability: Applicability,
    /// The resource: its ARN.
    pub target: String,
    pub region: String,
    /// What the action does, in words.
    pub summary: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op: Option<Op>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aspect: Option<Aspect>,
    /// The aspect's value observed when planning (`null`: absent).
    #[serde(default)]
    pub before: Value,
    /// The aspect's value the call leaves.
    #[serde(default)]
    pub after: Value,
    /// The call that puts `before` back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inverse: Option<Op>,
    /// `before` could not be observed when planning (the resource does not exist yet, or the
    /// snapshot does not hold the setting): apply accepts whatever it finds, and journals it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub before_unread: bool,
    /// The aspects `${placeholders}` in this action read (see `model`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub refs: BTreeMap<String, Aspect>,
    /// Why a manual action is manual, and what to do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
}

impl Action {
    /// A change: the call, the aspect and its values. The id and inverse are filled in.
    #[allow(clippy::too_many_arguments)]
    pub fn change(
        rule_id: &str,
        fix: &str,
        applicability: Applicability,
        target: &str,
        summary: impl Into<String>,
        op: Op,
        aspect: Aspect,
        before: Value,
        after: Value,
    ) -> Action {
        let region = aspect.region().to_string();
        let mut a = Action {
            id: String::new(),
            rule_id: rule_id.to_string(),
            also: Vec::new(),
            fix: fix.to_string(),
            applicability,
            target: target.to_string(),
            region,
            summary: summary.into(),
            op: Some(op),
            aspect: Some(aspect),
            before,
            after,
            inverse: None,
            before_unread: false,
            refs: BTreeMap::new(),
            explanation: None,
        };
        a.finish();
        a
    }

    /// An explanation only: never applied.
    pub fn manual(
        rule_id: &str,
        fix: &str,
        target: &str,
        region: &str,
        summary: impl Into<String>,
        explanation: impl Into<String>,
    ) -> Action {
        let mut a = Action {
            id: String::new(),
            rule_id: rule_id.to_string(),
            also: Vec::new(),
            fix: fix.to_string(),
            applicability: Applicability::Manual,
            target: target.to_string(),
            region: region.to_string(),
            summary: summary.into(),
            op: None,
            aspect: None,
            before: Value::Null,
            after: Value::Null,
            inverse: None,
            before_unread: false,
            refs: BTreeMap::new(),
            explanation: Some(explanation.into()),
        };
        a.finish();
        a
    }

    pub fn unread(mut self) -> Action {
        self.before_unread = true;
        self.finish();
        self
    }

    pub fn with_ref(mut self, name: &str, aspect: Aspect) -> Action {
        self.refs.insert(name.to_string(), aspect);
        self
    }

    /// Recomputes the id and the inverse.
    pub fn finish(&mut self) {
        let mut h = Sha256::new();
        h.update(self.rule_id.as_bytes());
        h.update([0]);
        h.update(self.target.as_bytes());
        h.update([0]);
        match &self.op {
            Some(op) => h.update(serde_json::to_vec(op).unwrap_or_default()),
            None => h.update(self.fix.as_bytes()),
        }
        if let Some(aspect) = &self.aspect {
            h.update([0]);
            h.update(serde_json::to_vec(aspect).unwrap_or_default());
        }
        self.id = h.finalize()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        self.inverse = match (&self.aspect, self.before_unread) {
            (Some(aspect), false) => restore_op(aspect, &self.after, &self.before).ok(),
            _ => None,
        };
    }

    /// Whether it changes anything when applied (manual actions do not).
    pub fn is_change(&self) -> bool {
        self.op.is_some() && self.aspect.is_some() && self.applicability != Applicability::Manual
    }

    /// Every rule it answers.
    pub fn rules(&self) -> Vec<&str> {
        std::iter::once(self.rule_id.as_str())
            .chain(self.also.iter().map(String::as_str))
            .collect()
    }
}

/// Why a plan file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("cannot read plan {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{line}:{column}: not a valid mlguard plan: {message}", path.display())]
    Invalid {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{}: unknown plan_version {found} (this mlguard reads plan_version {PLAN_VERSION})", path.display())]
    UnknownVersion { path: PathBuf, found: String },
}

impl PlanError {
    pub fn hint(&self) -> String {
        match self {
            PlanError::Read { .. } => {
                "check the path; `mlguard remediate --plan -o plan.json` writes a plan".into()
            }
            PlanError::Invalid { .. } => {
                "plans are written by `mlguard remediate --plan -o FILE`; make a new one rather than editing it by hand".into()
            }
            PlanError::UnknownVersion { .. } => {
                "the plan was written by a different mlguard: plan again with this one".into()
            }
        }
    }
}

impl Plan {
    /// Reads a plan file, refusing an unknown `plan_version` before anything else.
    pub fn load(path: &Path) -> Result<Plan, PlanError> {
        let text = std::fs::read_to_string(path).map_err(|source| PlanError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Plan::from_str(&text, path)
    }

    pub fn from_str(text: &str, path: &Path) -> Result<Plan, PlanError> {
        let invalid = |e: serde_json::Error| PlanError::Invalid {
            path: path.to_path_buf(),
            line: e.line(),
            column: e.column(),
            message: e
                .to_string()
                .rsplit_once(" at line ")
                .map_or_else(|| e.to_string(), |(m, _)| m.to_string()),
        };
        let probe: Value = serde_json::from_str(text).map_err(invalid)?;
        match probe.get("plan_version") {
            Some(Value::Number(n)) if n.as_u64() == Some(u64::from(PLAN_VERSION)) => {}
            Some(other) => {
                return Err(PlanError::UnknownVersion {
                    path: path.to_path_buf(),
                    found: other.to_string(),
                });
            }
            None => {
                return Err(PlanError::UnknownVersion {
                    path: path.to_path_buf(),
                    found: "(missing)".into(),
                });
            }
        }
        serde_json::from_str(text).map_err(invalid)
    }

    /// Pretty JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".into());
        text.push('\n');
        text
    }

    /// Actions of an applicability.
    pub fn count(&self, applicability: Applicability) -> usize {
        self.actions
            .iter()
            .filter(|a| a.applicability == applicability)
            .count()
    }

    /// Whether the plan changes anything (manual explanations do not count).
    pub fn has_changes(&self) -> bool {
        self.actions.iter().any(Action::is_change)
    }
}

// --- rendering ---------------------------------------------------------------------------

/// A value of an aspect, in one line when short.
fn show(v: &Value) -> String {
    match v {
        Value::Null => "absent".into(),
        Value::Bool(b) => b.to_string(),
        Value::String(s) => s.clone(),
        Value::Object(map) if map.len() == 1 && map.contains_key("id") => {
            format!("present ({})", map["id"].as_str().unwrap_or_default())
        }
        Value::Object(map) if map.is_empty() => "present".into(),
        Value::Object(map) if map.contains_key("KeyState") => {
            match map.get("DeletionDate").and_then(Value::as_str) {
                Some(d) => format!(
                    "{} (deletion date {d})",
                    map["KeyState"].as_str().unwrap_or_default()
                ),
                None => map["KeyState"].as_str().unwrap_or_default().to_string(),
            }
        }
        Value::Object(map) if map.len() == 1 && map.contains_key("Description") => format!(
            "present ({})",
            map["Description"].as_str().unwrap_or_default()
        ),
        other => other.to_string(),
    }
}

fn is_document(v: &Value) -> bool {
    v.get("Statement").is_some()
        || v.get("document").is_some()
        || v.get("Rules").is_some()
        || v.as_object().is_some_and(|m| m.len() > 3)
}

/// Lines of a minimal line diff (longest common subsequence) of two texts.
fn line_diff(a: &str, b: &str) -> Vec<String> {
    let a: Vec<&str> = a.lines().collect();
    let b: Vec<&str> = b.lines().collect();
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            out.push(format!("  {}", a[i]));
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out.push(format!("+ {}", b[j]));
            j += 1;
        } else {
            out.push(format!("- {}", a[i]));
            i += 1;
        }
    }
    out
}

fn pretty(v: &Value) -> String {
    if v.is_null() {
        return String::new();
    }
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// The change of one action, as diff lines (without indentation).
fn change_lines(a: &Action) -> Vec<String> {
    let Some(aspect) = &a.aspect else {
        return Vec::new();
    };
    let what = aspect.describe();
    let before = if a.before_unread {
        "(read when applied)".to_string()
    } else {
        show(&a.before)
    };
    match (&a.before, &a.after) {
        (b, after) if (is_document(b) || is_document(after)) && !a.before_unread => {
            let mut out = vec![format!("~ {what}:")];
            out.extend(
                line_diff(&pretty(b), &pretty(after))
                    .into_iter()
                    .map(|l| format!("    {l}")),
            );
            out
        }
        (_, Value::Null) => vec![format!("- {what} ({before} -> absent)")],
        (Value::Null, after) if !a.before_unread => {
            vec![format!("+ {what} (absent -> {})", show(after))]
        }
        (_, after) => vec![format!("~ {what}: {before} -> {}", show(after))],
    }
}

/// The plan for people: one block per action, grouped as applied (safe, then unsafe), then
/// the manual ones, and a summary line.
pub fn render_diff(plan: &Plan) -> String {
    let mut out = String::new();
    let what = match plan.kind {
        PlanKind::Remediate => "remediation plan".to_string(),
        PlanKind::Harden => format!(
            "harden plan for stack {}",
            plan.stack.as_deref().unwrap_or("")
        ),
        PlanKind::Teardown => format!(
            "teardown plan for stack {}",
            plan.stack.as_deref().unwrap_or("")
        ),
    };
    let from = match &plan.source.file {
        Some(f) => format!("snapshot {f}"),
        None => format!("{} state", plan.source.kind),
    };
    let _ = writeln!(
        out,
        "mlguard {what}: account {} ({}), {from} of {}",
        plan.account_id,
        plan.regions.join(", "),
        plan.source.collected_at
    );
    if plan.actions.is_empty() {
        let _ = writeln!(out, "\nNothing to do.");
        return out;
    }
    for applicability in [
        Applicability::Safe,
        Applicability::Unsafe,
        Applicability::Manual,
    ] {
        for a in plan
            .actions
            .iter()
            .filter(|a| a.applicability == applicability)
        {
            let _ = writeln!(
                out,
                "\n[{}] {} {} {}",
                a.applicability,
                a.rules().join(", "),
                a.fix,
                a.target
            );
            let _ = writeln!(out, "  {} ({})", a.summary, a.id);
            match &a.op {
                Some(op) => {
                    let _ = writeln!(out, "  call: {}", op.describe());
                    for line in change_lines(a) {
                        let _ = writeln!(out, "  {line}");
                    }
                    match (&a.inverse, a.before_unread) {
                        (Some(inv), _) => {
                            let _ = writeln!(out, "  undo: {}", inv.describe());
                        }
                        (None, true) => {
                            let _ = writeln!(out, "  undo: restores what apply finds");
                        }
                        (None, false) => {
                            let _ = writeln!(out, "  undo: none");
                        }
                    }
                }
                None => {
                    if let Some(e) = &a.explanation {
                        let _ = writeln!(out, "  ! {e}");
                    }
                }
            }
        }
    }
    let _ = writeln!(
        out,
        "\n{} actions: {} safe, {} unsafe (applied only with --unsafe), {} manual (not applied).",
        plan.actions.len(),
        plan.count(Applicability::Safe),
        plan.count(Applicability::Unsafe),
        plan.count(Applicability::Manual)
    );
    if let Some(cost) = &plan.cost {
        out.push_str(&super::cost::render(cost));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn line_diff_marks_changes() {
        let d = line_diff("a\nb\nc", "a\nx\nc");
        assert_eq!(d, vec!["  a", "+ x", "- b", "  c"]);
    }

    #[test]
    fn unknown_versions_are_refused() {
        let p = Path::new("plan.json");
        assert!(matches!(
            Plan::from_str(r#"{"plan_version": 9}"#, p),
            Err(PlanError::UnknownVersion { .. })
        ));
        assert!(matches!(
            Plan::from_str("{", p),
            Err(PlanError::Invalid { .. })
        ));
        assert!(matches!(
            Plan::from_str(r#"{"kind": "remediate"}"#, p),
            Err(PlanError::UnknownVersion { .. })
        ));
    }

    #[test]
    fn ids_are_stable_and_inverses_computed() {
        let mk = || {
            Action::change(
                "DE-001",
                "kms-enable-rotation",
                Applicability::Safe,
                "arn:aws:kms:us-east-1:1:key/k",
                "enable rotation",
                Op::EnableKeyRotation {
                    region: "us-east-1".into(),
                    key_id: "k".into(),
                },
                Aspect::KeyRotation {
                    region: "us-east-1".into(),
                    key_id: "k".into(),
                },
                json!(false),
                json!(true),
            )
        };
        assert_eq!(mk().id, mk().id);
        assert_eq!(mk().id.len(), 16);
        assert_eq!(mk().inverse.map(|o| o.name()), Some("DisableKeyRotation"));
    }
}
