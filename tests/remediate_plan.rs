//! `mlguard remediate --snapshot` (offline): the plan of the lab's snapshots as a diff
//! (snapshotted), the plan file, and what refuses to plan.

mod common;

use common::{mlguard, stderr_of, stdout_of};
use serde_json::Value;
use std::collections::BTreeMap;

const KEY: &str = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

fn plan(args: &[&str]) -> (String, Value, i32) {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("plan.json");
    let out = mlguard()
        .args(["remediate", "--max-age", "0", "-o"])
        .arg(&file)
        .args(args)
        .output()
        .expect("runs");
    let code = out.status.code().unwrap_or(-1);
    assert!(code == 0 || code == 1, "{}", stderr_of(&out));
    let json = serde_json::from_str(&std::fs::read_to_string(&file).expect("plan file"))
        .expect("plan JSON");
    (stdout_of(&out), json, code)
}

#[test]
fn lab_insecure_plan_diff() {
    let (diff, json, code) = plan(&[
        "--snapshot",
        "fixtures/lab-insecure.json",
        "--allowed-cidr",
        "203.0.113.0/24",
        "--kms-key",
        KEY,
    ]);
    assert_eq!(code, 1, "a non-empty plan exits 1");
    insta::with_settings!({snapshot_path => "snapshots/remediate", prepend_module_to_snapshot => false, omit_expression => true}, {
        insta::assert_snapshot!("lab-insecure", diff);
    });
    assert_eq!(json["plan_version"], 1);
    assert_eq!(json["kind"], "remediate");
    assert_eq!(json["source"]["kind"], "snapshot");
    assert_eq!(json["options"]["allowed_cidr"], "203.0.113.0/24");
    let actions = json["actions"].as_array().expect("actions");
    let mut by: BTreeMap<&str, usize> = BTreeMap::new();
    for a in actions {
        *by.entry(a["applicability"].as_str().expect("applicability"))
            .or_default() += 1;
    }
    assert!(
        by["safe"] > 10 && by["unsafe"] > 10 && by["manual"] > 5,
        "{by:?}"
    );
    // Every failing finding is answered, by a change or an explanation.
    let out = mlguard()
        .args([
            "audit",
            "fixtures/lab-insecure.json",
            "--format",
            "json",
            "--fail-on",
            "none",
            "--trusted-cidr",
            "203.0.113.0/24",
        ])
        .output()
        .expect("runs");
    let report: Value = serde_json::from_str(&stdout_of(&out)).expect("report");
    for f in report["findings"].as_array().expect("findings") {
        if f["status"] != "fail" {
            continue;
        }
        let (rule, arn) = (&f["rule_id"], &f["resource"]["arn"]);
        let answered = actions.iter().any(|a| {
            (a["rule_id"] == *rule || a["also"].as_array().is_some_and(|x| x.contains(rule)))
                && (a["target"] == *arn
                    || a["fix"] == "ec2-create-flow-logs"
                    || a["fix"] == "ec2-remove-internet-route"
                    || a["fix"] == "iam-add-permissions-boundary")
        });
        assert!(answered, "{rule} {arn} has no action");
    }
    // Planning again gives the same ids.
    let (_, again, _) = plan(&[
        "--snapshot",
        "fixtures/lab-insecure.json",
        "--allowed-cidr",
        "203.0.113.0/24",
        "--kms-key",
        KEY,
    ]);
    let ids = |v: &Value| -> Vec<String> {
        v["actions"]
            .as_array()
            .expect("actions")
            .iter()
            .map(|a| a["id"].as_str().expect("id").to_string())
            .collect()
    };
    assert_eq!(ids(&json), ids(&again));
}

#[test]
fn without_options_some_fixes_become_manual() {
    let (diff, json, _) = plan(&["--snapshot", "fixtures/lab-insecure.json"]);
    let manual = |fix: &str| {
        json["actions"]
            .as_array()
            .expect("actions")
            .iter()
            .any(|a| a["fix"] == fix && a["applicability"] == "manual")
    };
    // Two usable keys and no --kms-key: the buckets' encryption cannot pick one.
    assert!(manual("s3-default-encryption-kms"), "{diff}");
    assert!(manual("ec2-create-flow-logs"), "{diff}");
    assert!(diff.contains("pass --kms-key ARN"), "{diff}");
}

#[test]
fn a_clean_snapshot_plans_nothing() {
    let (diff, json, code) = plan(&["--snapshot", "fixtures/lab-hardened.json"]);
    assert_eq!(code, 0, "{diff}");
    assert!(diff.contains("Nothing to do."), "{diff}");
    assert_eq!(json["actions"], Value::Array(Vec::new()));
}

#[test]
fn stale_snapshots_and_bad_options_are_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let text = std::fs::read_to_string(common::root().join("fixtures/lab-insecure.json"))
        .expect("fixture")
        .replace("2026-11-26T00:00:00Z", "2020-01-01T00:00:00Z");
    let old = dir.path().join("old.json");
    std::fs::write(&old, text).expect("write");
    let out = mlguard()
        .args(["remediate", "--snapshot"])
        .arg(&old)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("too old"), "{}", stderr_of(&out));
    for (flag, value) in [
        ("--allowed-cidr", "203.0.113.7/24"),
        ("--allowed-cidr", "0.0.0.0/0"),
        ("--kms-key", "alias/ml"),
        ("--flow-logs-destination", "my-bucket"),
    ] {
        let out = mlguard()
            .args([
                "remediate",
                "--snapshot",
                "fixtures/lab-insecure.json",
                "--max-age",
                "0",
                flag,
                value,
            ])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(2), "{flag} {value}");
        assert!(stderr_of(&out).contains("help:"), "{}", stderr_of(&out));
    }
}

#[test]
fn a_scope_that_cannot_be_evaluated_refuses_to_plan() {
    // A --policy-dir library that adds a number to the remediation scope: the planner cannot
    // read it as a set of role ARNs, and must not plan as though the scope were empty.
    let dir = tempfile::tempdir().expect("dir");
    let lib = dir.path().join("p/lib");
    std::fs::create_dir_all(&lib).expect("mkdir");
    std::fs::write(
        lib.join("scope_extra.rego"),
        "package mlguard.lib.scope\nimport rego.v1\nreferenced_keys contains 42 if true\n",
    )
    .expect("write");
    let file = dir.path().join("plan.json");
    let out = mlguard()
        .args([
            "remediate",
            "--max-age",
            "0",
            "--snapshot",
            "fixtures/lab-insecure.json",
        ])
        .arg("--policy-dir")
        .arg(dir.path().join("p"))
        .arg("-o")
        .arg(&file)
        .output()
        .expect("runs");
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(
            "the remediation scope `data.mlguard.lib.scope.referenced_keys` could not be evaluated"
        ),
        "{err}"
    );
    assert!(err.contains("help:"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(!file.exists(), "no plan is written");
}
