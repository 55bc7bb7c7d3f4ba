//! SARIF reports validate against the SARIF 2.1.0 JSON schema and pass Microsoft's SARIF
//! validator (with its GitHub ingestion rules) with zero errors. scripts/test.sh installs
//! both validators; without them this test fails rather than skips.

use crate::common::sarif_validate;
use crate::common::{mlguard, root};
use std::path::{Path, PathBuf};

/// The snapshots whose SARIF reports are validated: both lab fixtures and every failing
/// rule fixture.
fn snapshots() -> Vec<PathBuf> {
    let mut files = vec![
        root().join("fixtures/lab-insecure.json"),
        root().join("fixtures/lab-hardened.json"),
    ];
    files.retain(|f| f.exists());
    for id in std::fs::read_dir(root().join("fixtures"))
        .expect("fixtures")
        .flatten()
    {
        let fail = id.path().join("fail");
        if let Ok(rd) = std::fs::read_dir(&fail) {
            files.extend(
                rd.flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|e| e == "json")),
            );
        }
    }
    files.sort();
    files
}

fn sarif_for(snapshot: &Path, out: &Path) {
    let status = mlguard()
        .args([
            "audit",
            "--format",
            "sarif",
            "--fail-on",
            "none",
            "--output",
        ])
        .arg(out)
        .arg(snapshot)
        .output()
        .expect("runs");
    assert_eq!(
        status.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
}

/// The scenario's SARIF: two results carry an accepted `external` suppression with the
/// reason, and say where it was written; the failing one carries none.
fn check_suppressions(path: &Path) {
    let log: serde_json::Value =
        serde_json::from_slice(&std::fs::read(path).expect("sarif")).expect("json");
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 3);
    let suppressed: Vec<&serde_json::Value> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 2);
    for r in &suppressed {
        let s = &r["suppressions"][0];
        assert_eq!(s["kind"], "external");
        assert_eq!(s["status"], "accepted");
        assert!(s["justification"].as_str().is_some_and(|j| !j.is_empty()));
        assert_eq!(r["properties"]["status"], "suppressed");
    }
    let kinds: Vec<&str> = suppressed
        .iter()
        .filter_map(|r| r["suppressions"][0]["properties"]["mlguardKind"].as_str())
        .collect();
    assert_eq!(kinds.len(), 2);
    assert!(
        kinds.contains(&"config") && kinds.contains(&"tag"),
        "{kinds:?}"
    );
}

#[test]
fn sarif_reports_pass_the_schema_and_microsofts_validator() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut reports = Vec::new();
    for (n, snap) in snapshots().iter().enumerate() {
        let out = dir.path().join(format!("report-{n}.sarif"));
        sarif_for(snap, &out);
        reports.push(out);
    }
    assert!(reports.len() >= 2, "nothing to validate");
    // The configuration scenario: suppressed findings (config and tag) beside a failing one.
    let suppressed = dir.path().join("suppressed.sarif");
    let out = mlguard()
        .env("MLGUARD_TODAY", "2026-11-26")
        .args([
            "audit",
            "fixtures/config/open-roles.json",
            "--config",
            "fixtures/config/mlguard.toml",
            "--format",
        ])
        .arg(format!("sarif={}", suppressed.display()))
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    check_suppressions(&suppressed);
    reports.push(suppressed);

    sarif_validate::assert_valid(&reports, dir.path());
}

/// GitHub code scanning rejects a run of more than 25,000 results: mlguard keeps the 25,000
/// most severe and says so on stderr.
#[test]
fn sarif_keeps_within_githubs_result_limit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let policies = dir.path().join("p");
    std::fs::create_dir_all(&policies).expect("mkdir");
    // One high-severity finding per synthetic resource, 25,001 of them, plus the one
    // critical LP-001 finding of the fixture.
    std::fs::write(
        policies.join("many.rego"),
        "# METADATA\n# title: Many findings\n# description: Fails many synthetic resources.\n# custom:\n#   id: ORG-100\n#   name: many-findings\n#   pillar: network_isolation\n#   severity: low\n#   service: ec2\n#   resource_type: AWS::EC2::SecurityGroup\n#   rationale: Test.\n#   remediation:\n#     text: None.\npackage custom.many\nimport rego.v1\nsg(n) := {\"arn\": sprintf(\"arn:aws:ec2:us-east-1:123456789012:security-group/sg-%d\", [n]), \"type\": \"AWS::EC2::SecurityGroup\", \"region\": \"us-east-1\", \"account_id\": \"123456789012\", \"path\": []}\napplicable contains g if {\n\tsome n in numbers.range(1, 25001)\n\tg := sg(n)\n}\ndeny contains {\"resource\": g, \"msg\": \"m\"} if {\n\tsome n in numbers.range(1, 25001)\n\tg := sg(n)\n}\n",
    )
    .expect("write");
    let out_path = dir.path().join("big.sarif");
    let out = mlguard()
        .args([
            "audit",
            "fixtures/LP-001/fail/star-trust.json",
            "--fail-on",
            "none",
            "--select",
            "LP-001,ORG-100",
            "--policy-dir",
        ])
        .arg(&policies)
        .arg("--format")
        .arg(format!("sarif={}", out_path.display()))
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("25002 results exceed GitHub code scanning's limit of 25000 per run"),
        "{err}"
    );
    let log: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out_path).expect("sarif")).expect("json");
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 25_000);
    // The critical finding is kept; one low one is dropped.
    assert!(results.iter().any(|r| r["ruleId"] == "LP-001"));
    assert_eq!(
        results.iter().filter(|r| r["ruleId"] == "ORG-100").count(),
        24_999
    );
}
