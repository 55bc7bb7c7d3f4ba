//! `--baseline REPORT.json`: only findings that are not in an earlier JSON report are
//! reported and counted for the exit code; fixed and unchanged ones are counted.

use crate::common::{mlguard, root, stderr_of, stdout_of};
use std::fs;
use std::path::{Path, PathBuf};

const SNAPSHOT: &str = "fixtures/config/open-roles.json";

fn json_report(snapshot: &Path, extra: &[&str]) -> std::process::Output {
    mlguard()
        .args([
            "audit",
            "--no-config",
            "--no-suppress",
            "--select",
            "LP-001",
            "-f",
            "json",
        ])
        .arg(snapshot)
        .args(extra)
        .output()
        .expect("runs")
}

fn parse(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", stdout_of(out), stderr_of(out)))
}

/// The fixture after a change: ml-legacy-batch fixed, a new open role added.
fn changed_snapshot(dir: &Path) -> PathBuf {
    let text = fs::read_to_string(root().join(SNAPSHOT)).expect("fixture");
    let mut snap: serde_json::Value = serde_json::from_str(&text).expect("json");
    let roles = snap["iam"]["roles"].as_array_mut().expect("roles");
    roles[1]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] =
        serde_json::json!({"Service": "sagemaker.amazonaws.com"});
    let mut new_role = roles[0].clone();
    new_role["RoleName"] = "ml-new-open".into();
    new_role["Arn"] = "arn:aws:iam::123456789012:role/ml-new-open".into();
    roles.push(new_role);
    let path = dir.join("changed.json");
    fs::write(&path, serde_json::to_string_pretty(&snap).expect("json")).expect("write");
    path
}

#[test]
fn only_new_findings_are_reported_and_gate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let baseline = dir.path().join("baseline.json");
    let out = mlguard()
        .args([
            "audit",
            "--no-config",
            "--no-suppress",
            "--select",
            "LP-001",
            SNAPSHOT,
            "--format",
        ])
        .arg(format!("json={}", baseline.display()))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let base = baseline.display().to_string();

    // The same account again: nothing new, exit 0 although three critical findings fail.
    let out = json_report(&root().join(SNAPSHOT), &["--baseline", &base]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let r = parse(&out);
    assert_eq!(r["findings"].as_array().map(Vec::len), Some(0));
    assert_eq!(
        r["summary"]["baseline"],
        serde_json::json!({"file": base, "new": 0, "unchanged": 3, "fixed": 0})
    );
    assert_eq!(r["summary"]["gating"], 0);
    // Scores still describe the whole account.
    assert_eq!(r["scores"]["pillars"]["least_privilege"]["failed"], 3);

    // One fixed, one new: exit 1 for the new one only.
    let changed = changed_snapshot(dir.path());
    let out = json_report(&changed, &["--baseline", &base]);
    assert_eq!(out.status.code(), Some(1));
    let r = parse(&out);
    let findings = r["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1);
    assert!(
        findings[0]["resource"]["arn"]
            .as_str()
            .is_some_and(|a| a.ends_with("role/ml-new-open"))
    );
    assert_eq!(
        (
            r["summary"]["baseline"]["new"].as_u64(),
            r["summary"]["baseline"]["unchanged"].as_u64(),
            r["summary"]["baseline"]["fixed"].as_u64()
        ),
        (Some(1), Some(2), Some(1))
    );
    assert_eq!(r["summary"]["gating"], 1);

    // The table and the stderr summary say the same.
    let out = mlguard()
        .args([
            "audit",
            "--no-config",
            "--no-suppress",
            "--select",
            "LP-001",
            "--baseline",
            &base,
        ])
        .arg(&changed)
        .output()
        .expect("runs");
    assert!(
        stdout_of(&out).contains(&format!(
            "Baseline {base}: 1 new (shown), 2 unchanged, 1 fixed."
        )),
        "{}",
        stdout_of(&out)
    );
    let out = mlguard()
        .args([
            "audit",
            "--no-config",
            "--no-suppress",
            "--select",
            "LP-001",
            "-f",
            "sarif",
            "--baseline",
            &base,
        ])
        .arg(&changed)
        .output()
        .expect("runs");
    assert!(
        stderr_of(&out).contains(&format!(
            "mlguard: baseline {base}: 1 new, 2 unchanged, 1 fixed"
        )),
        "{}",
        stderr_of(&out)
    );
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).expect("sarif");
    assert_eq!(
        sarif["runs"][0]["results"].as_array().map(Vec::len),
        Some(1)
    );
}

#[test]
fn fixed_counts_only_rules_that_ran() {
    let dir = tempfile::tempdir().expect("tempdir");
    let baseline = dir.path().join("b.json");
    let out = json_report(&root().join(SNAPSHOT), &[]);
    fs::write(&baseline, &out.stdout).expect("write");
    let out = json_report(
        &root().join(SNAPSHOT),
        &[
            "--baseline",
            &baseline.display().to_string(),
            "--ignore",
            "LP-001",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(parse(&out)["summary"]["baseline"]["fixed"], 0);
}

fn assert_bad_baseline(text: &str, needles: &[&str]) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("prev.json");
    fs::write(&path, text).expect("write");
    let out = json_report(
        &root().join(SNAPSHOT),
        &["--baseline", &path.display().to_string()],
    );
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(out.stdout.is_empty(), "no report on a bad baseline");
    assert!(err.contains("prev.json"), "{err}");
    for needle in needles {
        assert!(err.contains(needle), "stderr lacks {needle:?}:\n{err}");
    }
    assert!(err.contains("help:"), "{err}");
}

#[test]
fn a_baseline_that_is_not_a_report_is_refused() {
    let snapshot = fs::read_to_string(root().join(SNAPSHOT)).expect("fixture");
    assert_bad_baseline(&snapshot, &["not an mlguard JSON report", "snapshot"]);
    assert_bad_baseline(
        r#"{"version": "2.1.0", "runs": []}"#,
        &["not an mlguard JSON report", "SARIF"],
    );
    assert_bad_baseline("{\"report_version\": 1,", &["not valid JSON"]);
    assert_bad_baseline(
        r#"{"report_version": 2, "tool": {"name": "mlguard"}, "findings": []}"#,
        &["report_version 2"],
    );
    assert_bad_baseline(
        r#"{"report_version": 1, "tool": {"name": "mlguard"}, "findings": [{"rule_id": "LP-001", "status": "fail"}]}"#,
        &["findings[0]", "fingerprint"],
    );
    let out = json_report(
        &root().join(SNAPSHOT),
        &["--baseline", "no/such/report.json"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("no/such/report.json"));
}

#[test]
fn baseline_of_another_account_warns() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("other.json");
    fs::write(
        &path,
        r#"{"report_version": 1, "tool": {"name": "mlguard"}, "metadata": {"account_id": "999999999999"}, "findings": []}"#,
    )
    .expect("write");
    let out = json_report(
        &root().join(SNAPSHOT),
        &["--baseline", &path.display().to_string()],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr_of(&out)
            .contains("is for account 999999999999, this audit for account 123456789012"),
        "{}",
        stderr_of(&out)
    );
}
