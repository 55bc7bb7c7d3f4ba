//! mlguard's own least privilege when it changes an account: `remediate --apply`,
//! `rollback`, `harden` and `teardown` run as a user holding exactly
//! `policies/iam/mlguard-remediate-policy.json` (plus the scan policy, which planning from a
//! live scan and the check after an apply need). moto enforces IAM policies once
//! `INITIAL_NO_AUTH_ACTION_COUNT` unauthenticated requests have been served (its signature
//! check is off: see `Moto::start_enforcing_without_signatures`). Without one
//! action of the policy, the apply stops at that call and says which permission to grant.
//! (That the policy grants exactly the operations the remediator can call is a unit test in
//! src/remediate/operations.rs.)

use crate::common::live::Workdir;
use crate::common::moto::Moto;
use crate::common::stderr_of;
use crate::common::{self, seed};
use serde_json::{Value, json};
use std::process::Output;

const REGION: &str = "us-east-1";
const ALLOWED: &str = "203.0.113.0/24";

fn policy(file: &str) -> Value {
    let text = std::fs::read_to_string(common::root().join("policies/iam").join(file))
        .expect("the shipped policy");
    serde_json::from_str(&text).expect("JSON")
}

/// The policy with `action` removed from every statement.
fn without(mut policy: Value, action: &str) -> Value {
    for stmt in policy["Statement"].as_array_mut().expect("statements") {
        if let Some(list) = stmt["Action"].as_array_mut() {
            list.retain(|a| a != action);
        }
    }
    policy
}

/// The scan policy, plus what moto checks instead of the actions AWS uses for four S3
/// reads: its action map authorizes GetBucketEncryption and GetPublicAccessBlock as
/// s3:ListBucket (see tests/it/collect_least_privilege.rs), S3 Control's GetPublicAccessBlock
/// as `s3:GetPublicAccessBlock` (AWS: s3:GetAccountPublicAccessBlock), and HeadBucket as
/// `s3:HeadBucket`, which is not an IAM action (AWS checks s3:ListBucket, which the
/// remediate policy grants).
fn scan_policy() -> Value {
    let mut p = policy("mlguard-scan-policy.json");
    p["Statement"]
        .as_array_mut()
        .expect("statements")
        .push(json!({
            "Effect": "Allow",
            "Action": ["s3:ListBucket", "s3:HeadBucket", "s3:GetPublicAccessBlock"],
            "Resource": "*"
        }));
    p
}

struct As<'a> {
    work: &'a Workdir,
    endpoint: String,
    key: (String, String),
}

impl As<'_> {
    fn run(&self, args: &[&str]) -> Output {
        self.work
            .mlguard()
            .args(args)
            .args(["--endpoint-url", &self.endpoint])
            .env("AWS_ACCESS_KEY_ID", &self.key.0)
            .env("AWS_SECRET_ACCESS_KEY", &self.key.1)
            .output()
            .expect("runs")
    }

    /// `remediate --apply --unsafe` of a plan made now from a live scan.
    fn remediate(&self, journal: &str) -> Output {
        self.run(&[
            "remediate",
            "--regions",
            REGION,
            "--apply",
            "--unsafe",
            "--allowed-cidr",
            ALLOWED,
            "--yes",
            "--journal",
            journal,
        ])
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        let stderr = stderr_of(&out);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("FAILED"), "{args:?}: {stderr}");
        stderr
    }
}

#[test]
fn apply_rollback_harden_and_teardown_under_the_shipped_policy() {
    let moto = Moto::start_enforcing_without_signatures(3);
    let endpoint = moto.endpoint();
    let admin = seed::enforcing_admin(&endpoint, REGION);
    seed::lab_challenge(&admin);
    let work = Workdir::new();
    let remediate = policy("mlguard-remediate-policy.json");
    let scan = scan_policy();
    let user = As {
        work: &work,
        endpoint: endpoint.clone(),
        key: seed::user_with(
            &admin,
            "mlguard-remediator",
            &[("mlguard-remediate", &remediate), ("mlguard-scan", &scan)],
        ),
    };
    let journal = work.path("apply.jsonl");
    let journal = journal.to_str().expect("utf-8");
    let out = user.remediate(journal);
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains(" 0 failed"), "{stderr}");
    assert!(!stderr.contains(" 0 applied"), "{stderr}");
    user.ok(&["rollback", journal, "--yes", "--region", REGION]);

    let harden = work.path("harden.jsonl");
    user.ok(&[
        "harden",
        "--name",
        "lp",
        "--allowed-cidr",
        ALLOWED,
        "--region",
        REGION,
        "--yes",
        "--journal",
        harden.to_str().expect("utf-8"),
    ]);
    let teardown = work.path("teardown.jsonl");
    user.ok(&[
        "teardown",
        "--name",
        "lp",
        "--region",
        REGION,
        "--yes",
        "--journal",
        teardown.to_str().expect("utf-8"),
    ]);

    // Without ec2:RevokeSecurityGroupIngress the apply stops at that call, says which
    // permission is missing, and exits 4; its journal still rolls back what it did.
    let narrow = As {
        work: &work,
        endpoint: endpoint.clone(),
        key: seed::user_with(
            &admin,
            "mlguard-narrow",
            &[
                (
                    "mlguard-remediate",
                    &without(remediate.clone(), "ec2:RevokeSecurityGroupIngress"),
                ),
                ("mlguard-scan", &scan),
            ],
        ),
    };
    let journal = work.path("narrow.jsonl");
    let journal = journal.to_str().expect("utf-8");
    let out = narrow.remediate(journal);
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("ec2:RevokeSecurityGroupIngress: ")
            && stderr.contains(
                "help: arn:aws:iam::123456789012:user/mlguard-narrow may not call ec2:RevokeSecurityGroupIngress: grant ec2:RevokeSecurityGroupIngress with the least-privilege policy policies/iam/mlguard-remediate-policy.json"
            )
            && !stderr.contains("AdministratorAccess"),
        "{stderr}"
    );
    assert!(!stderr.contains(" 0 failed"), "{stderr}");
    user.ok(&["rollback", journal, "--yes", "--region", REGION]);
}
