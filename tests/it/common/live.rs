//! Runs the real mlguard binary against an emulated account and reads what it produced.

use crate::common::{mlguard, stderr_of, stdout_of};
use assert_cmd::Command;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// A place for snapshots and reports, and an empty AWS configuration: the machine's
/// ~/.aws never leaks into a test.
pub struct Workdir {
    pub dir: tempfile::TempDir,
}

impl Workdir {
    pub fn new() -> Workdir {
        Workdir {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// mlguard with dummy credentials for the emulator and nothing else from the environment.
    pub fn mlguard(&self) -> Command {
        let mut cmd = mlguard();
        cmd.env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_CONFIG_FILE", self.path("aws-config"))
            .env("AWS_SHARED_CREDENTIALS_FILE", self.path("aws-credentials"));
        cmd
    }

    /// `mlguard <command> --endpoint-url URL --regions REGIONS <args>`.
    pub fn live(&self, command: &str, endpoint: &str, regions: &str, args: &[&str]) -> Command {
        let mut cmd = self.mlguard();
        cmd.args([command, "--endpoint-url", endpoint, "--regions", regions])
            .args(args);
        cmd
    }

    /// `collect -o FILE`; returns the snapshot and stderr. Panics unless it exits 0.
    pub fn collect(&self, endpoint: &str, regions: &str, args: &[&str]) -> (Value, String) {
        let file = self.path("snapshot.json");
        let out = self
            .live("collect", endpoint, regions, args)
            .arg("-o")
            .arg(&file)
            .output()
            .expect("runs");
        assert_eq!(
            out.status.code(),
            Some(0),
            "collect failed:\n{}",
            stderr_of(&out)
        );
        (read_json(&file), stderr_of(&out))
    }

    /// `scan --format json --fail-on none`; returns the report, the exit code and stderr.
    pub fn scan(&self, endpoint: &str, regions: &str, args: &[&str]) -> (Value, i32, String) {
        let out = self
            .live("scan", endpoint, regions, &["--format", "json"])
            .args(args)
            .output()
            .expect("runs");
        let code = out.status.code().unwrap_or(-1);
        let stdout = stdout_of(&out);
        let report = serde_json::from_str(&stdout).unwrap_or_else(|e| {
            panic!(
                "scan printed no JSON report ({e}), exit {code}:\n{stdout}\n{}",
                stderr_of(&out)
            )
        });
        (report, code, stderr_of(&out))
    }

    /// `audit FILE --format json --fail-on none`.
    pub fn audit(&self, snapshot: &Path) -> Value {
        let out = self
            .mlguard()
            .arg("audit")
            .arg(snapshot)
            .args(["--format", "json", "--fail-on", "none"])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
        serde_json::from_str(&stdout_of(&out)).expect("JSON report")
    }
}

pub fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).expect("valid JSON")
}

/// The ids of the rules this mlguard runs by default.
pub fn rule_ids() -> &'static BTreeSet<String> {
    static IDS: OnceLock<BTreeSet<String>> = OnceLock::new();
    IDS.get_or_init(|| {
        let out = mlguard()
            .args(["rules", "list", "--format", "json"])
            .output()
            .expect("runs");
        let rules: Value = serde_json::from_str(&stdout_of(&out)).expect("rules JSON");
        rules
            .as_array()
            .expect("array")
            .iter()
            .filter(|r| r["status"] != "deprecated")
            .map(|r| r["id"].as_str().expect("id").to_string())
            .collect()
    })
}

/// `(rule, resource ARN)` of every finding with `status`.
pub fn pairs(report: &Value, status: &str) -> BTreeSet<(String, String)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["status"] == status)
        .map(|f| {
            (
                f["rule_id"].as_str().expect("rule").to_string(),
                f["resource"]["arn"].as_str().expect("arn").to_string(),
            )
        })
        .collect()
}

/// Expected failing `(rule, ARN)` pairs of a scenario, for every rule of the catalogue. The
/// check covers exactly the rules this mlguard has: a rule listed here that does not exist
/// yet is left out, and a rule that exists but is not listed must report nothing.
pub struct Expected(pub Vec<(&'static str, String)>);

impl Expected {
    pub fn assert_failures(&self, report: &Value, scenario: &str) {
        let present = rule_ids();
        let expected: BTreeSet<(String, String)> = self
            .0
            .iter()
            .filter(|(rule, _)| present.contains(*rule))
            .map(|(rule, arn)| (rule.to_string(), arn.clone()))
            .collect();
        let actual = pairs(report, "fail");
        if expected != actual {
            let missing: Vec<_> = expected.difference(&actual).collect();
            let extra: Vec<_> = actual.difference(&expected).collect();
            let messages: BTreeMap<(String, String), String> = report["findings"]
                .as_array()
                .expect("findings")
                .iter()
                .map(|f| {
                    (
                        (
                            f["rule_id"].as_str().unwrap_or_default().to_string(),
                            f["resource"]["arn"]
                                .as_str()
                                .unwrap_or_default()
                                .to_string(),
                        ),
                        f["message"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect();
            let extra: Vec<String> = extra
                .iter()
                .map(|p| format!("{p:?}: {}", messages.get(*p).cloned().unwrap_or_default()))
                .collect();
            panic!(
                "scenario `{scenario}`: findings differ from the expected (rule, ARN) pairs\n  expected but missing: {missing:#?}\n  reported but not expected (add them to the scenario's expected list if right): {extra:#?}"
            );
        }
    }
}

/// The findings of a report without what depends on the snapshot's file name.
pub fn findings_without_file(report: &Value) -> Value {
    let mut findings = report["findings"].clone();
    for f in findings.as_array_mut().expect("findings") {
        if let Some(loc) = f.get_mut("location").and_then(Value::as_object_mut) {
            loc.remove("file");
        }
    }
    findings
}

/// A snapshot with its run-specific fields (`collected_at`, `tool_version`) removed.
pub fn without_run_fields(snapshot: &Value) -> Value {
    let mut s = snapshot.clone();
    if let Some(meta) = s["metadata"].as_object_mut() {
        meta.remove("collected_at");
        meta.remove("tool_version");
    }
    s
}

/// The objects of `list` whose `field` equals `value`.
pub fn find<'a>(list: &'a Value, field: &str, value: &str) -> &'a Value {
    list.as_array()
        .expect("a list")
        .iter()
        .find(|x| x[field] == value)
        .unwrap_or_else(|| panic!("no {field} = {value} in {list:#}"))
}

/// The values of `field` in `list`, sorted.
pub fn ids(list: &Value, field: &str) -> Vec<String> {
    let mut out: Vec<String> = list
        .as_array()
        .expect("a list")
        .iter()
        .map(|x| x[field].as_str().unwrap_or_default().to_string())
        .collect();
    out.sort();
    out
}

/// The API calls per `service:Operation` that `--stats -vv` printed.
pub fn calls(stderr: &str) -> BTreeMap<String, (u64, u64)> {
    let mut out = BTreeMap::new();
    let mut service = String::new();
    for line in stderr.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.len() != 4 || fields[1].parse::<u64>().is_err() {
            continue;
        }
        if line.starts_with("    ") {
            out.insert(
                format!("{service}:{}", fields[0]),
                (
                    fields[1].parse().unwrap_or(0),
                    fields[2].parse().unwrap_or(0),
                ),
            );
        } else if line.starts_with("  ") {
            service = fields[0].to_string();
        }
    }
    out
}

/// The rules (run by default) whose `inputs` metadata lists `input` (`service:Operation`).
pub fn rules_reading(input: &str) -> BTreeSet<String> {
    let out = mlguard()
        .args(["rules", "list", "--format", "json"])
        .output()
        .expect("runs");
    let rules: Value = serde_json::from_str(&stdout_of(&out)).expect("rules JSON");
    rules
        .as_array()
        .expect("array")
        .iter()
        .filter(|r| r["status"] != "deprecated")
        .filter(|r| {
            r["inputs"]
                .as_array()
                .is_some_and(|i| i.iter().any(|x| x == input))
        })
        .map(|r| r["id"].as_str().expect("id").to_string())
        .collect()
}

/// A custom rule that reads RoleLastUsed and SageMaker tags.
pub const READS_OPTIONAL: &str = r#"# METADATA
# title: Role never used
# description: A role that was never used (reads RoleLastUsed and SageMaker tags).
# custom:
#   id: TST-001
#   name: role-never-used
#   pillar: least_privilege
#   severity: low
#   service: iam
#   resource_type: AWS::IAM::Role
#   rationale: Test rule.
#   remediation:
#     text: Delete the role.
#   inputs: [iam:GetRole, sagemaker:ListTags]
package custom.role_never_used

import rego.v1

import data.mlguard.lib.resource
import data.mlguard.lib.result

applicable contains resource.role(i, r) if some i, r in input.iam.roles

deny contains result.new(resource.role(i, r), "never used") if {
	some i, r in input.iam.roles
	is_object(r.RoleLastUsed)
	not r.RoleLastUsed.LastUsedDate
}
"#;
