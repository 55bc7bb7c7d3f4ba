//! The bundled lab snapshots: the insecure one fails exactly the (rule, resource) pairs its
//! resources break, and the hardened one — the lab's end state after the challenge — has no
//! findings and scores 100 in every pillar.

use crate::common::{mlguard, stderr_of};
use std::collections::BTreeSet;

/// What the insecure lab breaks: the lab's own resources as its commands first create them
/// (role, key, VPC and `ml-security-group`), plus what a neglected account adds.
const INSECURE: &[(&str, &str)] = &[
    (
        "DE-001",
        "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    ),
    (
        "DE-002",
        "arn:aws:kms:us-east-1:123456789012:key/9876fedc-98fe-76dc-54ba-0987654321fe",
    ),
    (
        "DE-003",
        "arn:aws:kms:us-east-1:123456789012:key/0badc0de-0bad-c0de-0bad-c0de0badc0de",
    ),
    ("DE-004", "arn:aws:kms:eu-west-1:123456789012:*"),
    (
        "DE-005",
        "arn:aws:sagemaker:eu-west-1:123456789012:notebook-instance/eu-experiments",
    ),
    (
        "DE-005",
        "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/ml-research-notebook",
    ),
    (
        "DE-006",
        "arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/churn-xgboost-config",
    ),
    (
        "DE-007",
        "arn:aws:sagemaker:us-east-1:123456789012:training-job/churn-xgboost-2026-11-22",
    ),
    (
        "DE-008",
        "arn:aws:sagemaker:us-east-1:123456789012:domain/d-insecure00001",
    ),
    ("DE-009", "arn:aws:s3:::brainybee-ml-data"),
    ("DE-010", "arn:aws:s3:::brainybee-ml-data"),
    ("DE-011", "arn:aws:s3:::brainybee-ml-data"),
    (
        "DE-012",
        "arn:aws:sagemaker:us-east-1:123456789012:training-job/churn-xgboost-2026-11-22",
    ),
    ("LP-001", "arn:aws:iam::123456789012:role/legacy-admin"),
    (
        "LP-002",
        "arn:aws:iam::123456789012:role/brainybee-sagemaker-role",
    ),
    ("LP-003", "arn:aws:iam::123456789012:role/legacy-admin"),
    (
        "LP-004",
        "arn:aws:iam::123456789012:role/brainybee-sagemaker-role",
    ),
    (
        "LP-005",
        "arn:aws:iam::123456789012:role/brainybee-sagemaker-role",
    ),
    (
        "LP-006",
        "arn:aws:iam::123456789012:role/partner-data-export",
    ),
    (
        "LP-007",
        "arn:aws:iam::123456789012:role/brainybee-sagemaker-role",
    ),
    (
        "LP-008",
        "arn:aws:iam::123456789012:role/brainybee-sagemaker-role",
    ),
    (
        "LP-009",
        "arn:aws:iam::123456789012:role/partner-data-export",
    ),
    (
        "LP-010",
        "arn:aws:iam::123456789012:role/brainybee-sagemaker-role",
    ),
    ("LP-011", "arn:aws:iam::123456789012:role/legacy-admin"),
    (
        "LP-012",
        "arn:aws:iam::123456789012:role/brainybee-sagemaker-role",
    ),
    (
        "NI-001",
        "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0d3fa017e1111cccc",
    ),
    (
        "NI-002",
        "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0d3fa017e1111bbbb",
    ),
    (
        "NI-002",
        "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0d3fa017e1111cccc",
    ),
    (
        "NI-004",
        "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0a1b2c3d4e5f60011",
    ),
    (
        "NI-004",
        "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0d3fa017e1111aaaa",
    ),
    (
        "NI-005",
        "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-0a1b2c3d4e5f60001",
    ),
    (
        "NI-005",
        "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-0d3fa017e11111111",
    ),
    (
        "NI-006",
        "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0d3fa017e111100a1",
    ),
    (
        "NI-006",
        "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0d3fa017e111100b1",
    ),
    (
        "NI-007",
        "arn:aws:sagemaker:eu-west-1:123456789012:notebook-instance/eu-experiments",
    ),
    (
        "NI-007",
        "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/ml-research-notebook",
    ),
    (
        "NI-008",
        "arn:aws:sagemaker:eu-west-1:123456789012:notebook-instance/eu-experiments",
    ),
    (
        "NI-008",
        "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/ml-research-notebook",
    ),
    (
        "NI-009",
        "arn:aws:sagemaker:eu-west-1:123456789012:notebook-instance/eu-experiments",
    ),
    (
        "NI-009",
        "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/ml-research-notebook",
    ),
    (
        "NI-010",
        "arn:aws:sagemaker:us-east-1:123456789012:domain/d-insecure00001",
    ),
    (
        "NI-011",
        "arn:aws:sagemaker:us-east-1:123456789012:model/churn-xgboost",
    ),
    (
        "NI-011",
        "arn:aws:sagemaker:us-east-1:123456789012:training-job/churn-xgboost-2026-11-22",
    ),
    (
        "NI-012",
        "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-0a1b2c3d4e5f60001",
    ),
    (
        "NI-012",
        "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-0d3fa017e11111111",
    ),
    (
        "NI-013",
        "arn:aws:ec2:us-east-1:123456789012:network-acl/acl-0a1b2c3d4e5f60040",
    ),
    (
        "NI-013",
        "arn:aws:ec2:us-east-1:123456789012:network-acl/acl-0d3fa017e11110040",
    ),
    (
        "NI-014",
        "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-0d3fa017e11111111",
    ),
    (
        "NI-015",
        "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0a1b2c3d4e5f60010",
    ),
];

fn report(args: &[&str]) -> serde_json::Value {
    let out = mlguard()
        .args(["audit", "--format", "json", "--quiet"])
        .args(args)
        .output()
        .expect("runs");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        stderr_of(&out)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

fn failing_pairs(report: &serde_json::Value) -> BTreeSet<(String, String)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            assert_eq!(f["status"], "fail", "{f}");
            (
                f["rule_id"].as_str().expect("id").to_string(),
                f["resource"]["arn"].as_str().expect("arn").to_string(),
            )
        })
        .collect()
}

fn expected(extra: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    INSECURE
        .iter()
        .chain(extra)
        .map(|(r, a)| (r.to_string(), a.to_string()))
        .collect()
}

#[test]
fn insecure_lab_fails_exactly_what_it_breaks() {
    let got = failing_pairs(&report(&[
        "fixtures/lab-insecure.json",
        "--fail-on",
        "none",
    ]));
    let want = expected(&[]);
    let missing: Vec<_> = want.difference(&got).collect();
    let unexpected: Vec<_> = got.difference(&want).collect();
    assert!(
        missing.is_empty() && unexpected.is_empty(),
        "missing: {missing:#?}\nunexpected: {unexpected:#?}"
    );
}

#[test]
fn insecure_lab_with_the_vpn_as_trusted_range_adds_the_challenge_finding() {
    // The lab's challenge: tcp/443 only from the corporate VPN, not from the whole VPC.
    let got = failing_pairs(&report(&[
        "fixtures/lab-insecure.json",
        "--fail-on",
        "none",
        "--trusted-cidr",
        "203.0.113.0/24",
    ]));
    let want = expected(&[(
        "NI-003",
        "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0a1b2c3d4e5f60010",
    )]);
    assert_eq!(got, want);
}

#[test]
fn insecure_lab_exits_1() {
    mlguard()
        .args(["audit", "fixtures/lab-insecure.json"])
        .assert()
        .code(1);
}

#[test]
fn hardened_lab_has_no_findings_and_scores_100() {
    for extra in [&[][..], &["--trusted-cidr", "10.250.0.0/16"][..]] {
        let mut args = vec!["fixtures/lab-hardened.json", "--fail-on", "info"];
        args.extend_from_slice(extra);
        let r = report(&args);
        assert_eq!(
            r["findings"].as_array().map(Vec::len),
            Some(0),
            "{:#}",
            r["findings"]
        );
        assert_eq!(r["scores"]["overall"], 100.0);
        for pillar in ["least_privilege", "network_isolation", "encryption"] {
            assert_eq!(r["scores"]["pillars"][pillar]["score"], 100.0, "{pillar}");
            assert_eq!(
                r["scores"]["pillars"][pillar]["coverage"], 100.0,
                "{pillar}"
            );
            assert!(
                r["scores"]["pillars"][pillar]["passed"]
                    .as_u64()
                    .unwrap_or(0)
                    > 0,
                "{pillar} judged nothing"
            );
        }
    }
    mlguard()
        .args(["audit", "fixtures/lab-hardened.json", "--fail-on", "info"])
        .assert()
        .code(0);
}

fn controls(args: &[&str]) -> Vec<(String, String)> {
    let mut all = vec!["--framework", "lab", "--fail-on", "none"];
    all.extend_from_slice(args);
    report(&all)["compliance"]["controls"]
        .as_array()
        .expect("controls")
        .iter()
        .map(|c| {
            (
                c["id"].as_str().expect("id").to_string(),
                c["status"].as_str().expect("status").to_string(),
            )
        })
        .collect()
}

#[test]
fn lab_framework_reports_each_checkpoint() {
    let hardened = controls(&[
        "fixtures/lab-hardened.json",
        "--trusted-cidr",
        "10.250.0.0/16",
    ]);
    assert_eq!(hardened.len(), 6, "{hardened:?}");
    assert!(hardened.iter().all(|(_, s)| s == "pass"), "{hardened:?}");

    let insecure = controls(&[
        "fixtures/lab-insecure.json",
        "--trusted-cidr",
        "203.0.113.0/24",
    ]);
    let status = |id: &str| {
        insecure
            .iter()
            .find(|(c, _)| c == id)
            .map(|(_, s)| s.as_str())
    };
    for id in [
        "lab-1-execution-role",
        "lab-2-kms-key",
        "lab-3-vpc",
        "lab-challenge-sg-443",
        "lab-concept-least-privilege",
        "lab-concept-data-at-rest",
    ] {
        assert_eq!(status(id), Some("fail"), "{id}: {insecure:?}");
    }
    let out = mlguard()
        .args(["audit", "fixtures/lab-insecure.json", "--framework", "lab"])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "Framework lab (mlguard ML hardening lab, lab checkpoints): 6 controls: 1 pass, 5 fail, 0 not assessed, 0 without resources, 0 not evidenced by mlguard"
        ),
        "{text}"
    );
}
