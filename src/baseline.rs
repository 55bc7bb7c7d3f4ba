//! Baselines: compare a run with an earlier mlguard JSON report, so CI fails only on what is
//! new. Findings match by `fingerprint` (rule id, account, region and ARN).

use crate::audit::AuditReport;
pub use crate::findings::BaselineSummary;
use crate::findings::Status;
use crate::report::json::v1::REPORT_VERSION;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("cannot read baseline {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{line}:{column}: baseline is not valid JSON: {message}", path.display())]
    Syntax {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{} is not an mlguard JSON report: {reason}", path.display())]
    NotReport { path: PathBuf, reason: String },
    #[error("{}: baseline has report_version {found}; this mlguard reads report_version {REPORT_VERSION}", path.display())]
    Version { path: PathBuf, found: String },
}

impl BaselineError {
    pub fn hint(&self) -> String {
        match self {
            BaselineError::Read { .. } => {
                "write a baseline with `mlguard audit SNAPSHOT --format json=baseline.json`".into()
            }
            BaselineError::Syntax { .. } | BaselineError::NotReport { .. } => {
                "a baseline is the JSON report of an earlier run (`--format json`), not a snapshot or a SARIF file".into()
            }
            BaselineError::Version { .. } => {
                "write the baseline again with this mlguard (`--format json=baseline.json`)".into()
            }
        }
    }
}

/// What a baseline holds: the findings of the earlier run, by fingerprint.
#[derive(Debug, Clone)]
pub struct Baseline {
    /// The file, as given.
    pub path: String,
    pub account_id: String,
    /// fingerprint → (rule id, status).
    findings: BTreeMap<String, (String, String)>,
}

impl Baseline {
    /// Reads a JSON report written by `--format json`.
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Baseline::parse(&text, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Baseline, BaselineError> {
        let not_report = |reason: &str| BaselineError::NotReport {
            path: path.to_path_buf(),
            reason: reason.to_string(),
        };
        let doc: serde_json::Value =
            serde_json::from_str(text).map_err(|e| BaselineError::Syntax {
                path: path.to_path_buf(),
                line: e.line(),
                column: e.column(),
                message: e
                    .to_string()
                    .rsplit_once(" at line ")
                    .map_or_else(|| e.to_string(), |(m, _)| m.to_string()),
            })?;
        let obj = doc
            .as_object()
            .ok_or_else(|| not_report("the document is not a JSON object"))?;
        if obj
            .get("tool")
            .and_then(|t| t.get("name"))
            .and_then(|n| n.as_str())
            != Some("mlguard")
        {
            let reason = if obj.contains_key("schema_version") {
                "it looks like a snapshot (it has `schema_version`); pass the JSON report of an audit"
            } else if obj.contains_key("runs") {
                "it looks like a SARIF log; pass the JSON report (`--format json`)"
            } else {
                "`tool.name` is not \"mlguard\""
            };
            return Err(not_report(reason));
        }
        match obj.get("report_version") {
            Some(v) if v.as_u64() == Some(u64::from(REPORT_VERSION)) => {}
            Some(v) => {
                return Err(BaselineError::Version {
                    path: path.to_path_buf(),
                    found: v.to_string(),
                });
            }
            None => return Err(not_report("`report_version` is missing")),
        }
        let list = obj
            .get("findings")
            .and_then(|f| f.as_array())
            .ok_or_else(|| not_report("`findings` is not an array"))?;
        let mut findings = BTreeMap::new();
        for (i, f) in list.iter().enumerate() {
            let field = |k: &str| {
                f.get(k)
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
                    .ok_or_else(|| not_report(&format!("findings[{i}] has no string `{k}`")))
            };
            findings.insert(field("fingerprint")?, (field("rule_id")?, field("status")?));
        }
        Ok(Baseline {
            path: path.display().to_string(),
            account_id: obj
                .get("metadata")
                .and_then(|m| m.get("account_id"))
                .and_then(|a| a.as_str())
                .unwrap_or_default()
                .to_string(),
            findings,
        })
    }

    /// Keeps only the findings that are not in the baseline and records the comparison in
    /// the report. Scores and per-rule counts still describe the whole account.
    pub fn apply(&self, report: &mut AuditReport) -> BaselineSummary {
        let current: BTreeSet<&str> = report
            .findings
            .iter()
            .map(|f| f.fingerprint.as_str())
            .collect();
        let ran: BTreeSet<&str> = report.rules.iter().map(|r| r.meta.id.as_str()).collect();
        let fixed = self
            .findings
            .iter()
            .filter(|(fp, (rule, status))| {
                status != Status::NotAssessed.as_str()
                    && ran.contains(rule.as_str())
                    && !current.contains(fp.as_str())
            })
            .count();
        let before = report.findings.len();
        report
            .findings
            .retain(|f| !self.findings.contains_key(&f.fingerprint));
        let summary = BaselineSummary {
            file: self.path.clone(),
            new: report.findings.len(),
            unchanged: before - report.findings.len(),
            fixed,
        };
        report.baseline = Some(summary.clone());
        summary
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Baseline, BaselineError> {
        Baseline::parse(text, Path::new("base.json"))
    }

    #[test]
    fn refuses_what_is_not_a_report() {
        assert!(matches!(parse("{"), Err(BaselineError::Syntax { .. })));
        assert!(matches!(parse("[]"), Err(BaselineError::NotReport { .. })));
        let e = parse(r#"{"schema_version": 1, "metadata": {}}"#).expect_err("snapshot");
        assert!(e.to_string().contains("snapshot"), "{e}");
        let e = parse(r#"{"version": "2.1.0", "runs": []}"#).expect_err("sarif");
        assert!(e.to_string().contains("SARIF"), "{e}");
        let e = parse(r#"{"report_version": 2, "tool": {"name": "mlguard"}, "findings": []}"#)
            .expect_err("version");
        assert!(matches!(e, BaselineError::Version { .. }), "{e}");
        let e = parse(r#"{"report_version": 1, "tool": {"name": "mlguard"}, "findings": [{"rule_id": "LP-001"}]}"#)
            .expect_err("no fingerprint");
        assert!(e.to_string().contains("findings[0]"), "{e}");
    }

    #[test]
    fn reads_fingerprints() {
        let b = parse(
            r#"{"report_version": 1, "tool": {"name": "mlguard"}, "metadata": {"account_id": "1"},
                "findings": [{"rule_id": "LP-001", "status": "fail", "fingerprint": "ab"}]}"#,
        )
        .expect("parses");
        assert_eq!(b.account_id, "1");
        assert_eq!(b.findings.len(), 1);
    }
}
