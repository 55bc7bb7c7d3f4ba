//! Rule documentation pages (`docs/rules/<ID>.md`), generated from rule metadata and, for the
//! built-ins, the failing fixture. `mlguard rules explain ID` prints the same text.

use super::frameworks;
use super::metadata::RuleMeta;
use crate::findings::{Applicability, FixLookup};
use std::fmt::Write as _;

/// A worked example: the failing resource and the finding mlguard reports for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocExample {
    /// The fixture file, relative to the repository.
    pub fixture: String,
    /// The resource, pretty-printed JSON.
    pub resource_json: String,
    pub resource_arn: String,
    pub message: String,
}

/// The ML workload scope, as the rules that depend on it describe it.
pub const SCOPE_NOTE: &str = "The **ML workload scope** is: the resources SageMaker resources in the snapshot reference (execution roles, subnets, security groups, VPCs, KMS keys); resources tagged `mlguard:scope=ml`; roles trusted by `sagemaker.amazonaws.com`; security groups and roles whose names match the scope globs (default `ml-*`, `*sagemaker*`); and the VPC and security group ids listed in the configuration. Trusted CIDRs come from `--trusted-cidr` or the configuration; none are trusted by default.";

/// The page of a rule; `fixes` looks up its fix (and the fix's companions) for the
/// remediation safety section.
pub fn render(meta: &RuleMeta, example: Option<&DocExample>, fixes: FixLookup) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# {}: {}\n", meta.id, meta.title);
    let _ = writeln!(md, "| | |\n|---|---|");
    let _ = writeln!(md, "| Name | `{}` |", meta.name);
    let _ = writeln!(md, "| Pillar | {} |", meta.pillar.title());
    let _ = writeln!(md, "| Severity | {} |", meta.severity);
    let _ = writeln!(md, "| Resource | `{}` |", meta.resource_type);
    let _ = writeln!(md, "| Status | {} |", meta.status.as_str());
    for key in frameworks::KEYS {
        if let Some(mapping) = meta.frameworks.get(*key).filter(|m| !m.is_empty()) {
            let mut cell = Vec::new();
            if !mapping.full.is_empty() {
                cell.push(format!("{} (full)", mapping.full.join(", ")));
            }
            if !mapping.partial.is_empty() {
                cell.push(format!("{} (partial)", mapping.partial.join(", ")));
            }
            let _ = writeln!(md, "| {} | {} |", frameworks::name(key), cell.join("; "));
        }
    }
    if !meta.aliases.is_empty() {
        let _ = writeln!(md, "| Aliases | {} |", meta.aliases.join(", "));
    }
    if !meta.inputs.is_empty() {
        let _ = writeln!(
            md,
            "| Reads | {} |",
            meta.inputs
                .iter()
                .map(|i| format!("`{i}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let _ = writeln!(md, "\n## What\n\n{}\n", meta.description);
    if meta.description.contains("ML workload scope")
        || meta.rationale.contains("ML workload scope")
    {
        let _ = writeln!(md, "{SCOPE_NOTE}\n");
    }
    let _ = writeln!(md, "## Why\n\n{}\n", meta.rationale);
    if let Some(ex) = example {
        let _ = writeln!(
            md,
            "## Example\n\nThis resource, from `{}`, fails the rule:\n",
            ex.fixture
        );
        let _ = writeln!(md, "```json\n{}\n```\n", ex.resource_json.trim_end());
        let _ = writeln!(
            md,
            "mlguard reports:\n\n```text\n{} {}: {}\n```\n",
            meta.id, ex.resource_arn, ex.message
        );
    }
    let _ = writeln!(md, "## Remediation\n\n{}\n", meta.remediation.text);
    let _ = writeln!(md, "## Remediation safety\n");
    match meta.remediation.action.as_deref().and_then(fixes) {
        Some(a) => {
            let _ = writeln!(
                md,
                "`mlguard remediate` fix `{}` is **{}**: {}.\n\nRollback: {}.\n",
                a.id, a.applicability, a.summary, a.inverse
            );
            let note = match a.applicability {
                Applicability::Safe => "Applied by default (reversible, no workload impact).",
                Applicability::Unsafe => {
                    "Applied only with `--unsafe`: it can break workloads that rely on the current setting; review the plan first."
                }
                Applicability::Manual => {
                    "Never applied automatically: the plan explains the change to make by hand."
                }
            };
            let _ = writeln!(md, "{note}\n");
            for companion in a.with.iter().filter_map(|id| fixes(id)) {
                let _ = writeln!(
                    md,
                    "When the resource needs it, the plan adds fix `{}`, which is **{}**: {}.\n\nRollback: {}.\n",
                    companion.id, companion.applicability, companion.summary, companion.inverse
                );
            }
        }
        None => {
            let _ = writeln!(
                md,
                "No automatic fix: the plan lists this finding as **manual**.\n"
            );
        }
    }
    if !meta.references.is_empty() {
        let _ = writeln!(md, "## References\n");
        for r in &meta.references {
            let _ = writeln!(md, "- <{r}>");
        }
    }
    md
}
