//! mlguard's own least privilege: a scan under exactly `policies/iam/mlguard-scan-policy.json`
//! reads everything. moto enforces IAM policies once `INITIAL_NO_AUTH_ACTION_COUNT`
//! unauthenticated requests have been served, so the test creates an administrator with
//! those, seeds the account as that administrator, and scans as a user holding only the
//! shipped policy. (That the policy grants exactly the collector's operations is a unit test
//! in src/collect/operations.rs.)

use crate::common::live::Workdir;
use crate::common::moto::Moto;
use crate::common::seed::Aws;
use crate::common::{self, live, moto, proxy, seed};
use serde_json::{Value, json};

const REGION: &str = "us-east-1";

fn scan_policy() -> Value {
    let text =
        std::fs::read_to_string(common::root().join("policies/iam/mlguard-scan-policy.json"))
            .expect("the shipped policy");
    serde_json::from_str(&text).expect("JSON")
}

/// The policy with `actions` removed from every statement.
fn without(mut policy: Value, actions: &[&str]) -> Value {
    for stmt in policy["Statement"].as_array_mut().expect("statements") {
        if let Some(list) = stmt["Action"].as_array_mut() {
            list.retain(|a| !actions.iter().any(|x| a == x));
        }
    }
    policy
}

/// An IAM user with only `policy`; returns its access key.
fn user(admin: &Aws, name: &str, policy: &Value) -> (String, String) {
    seed::user_with(admin, name, &[("mlguard-scan", policy)])
}

/// `(service, operation, resource, error code)` of every gap, sorted.
fn gaps(snapshot: &Value) -> Vec<String> {
    let mut out: Vec<String> = snapshot["gaps"]
        .as_array()
        .expect("gaps")
        .iter()
        .map(|g| {
            format!(
                "{}:{} {} {}",
                g["service"].as_str().unwrap_or_default(),
                g["operation"].as_str().unwrap_or_default(),
                g["resource"].as_str().unwrap_or("-"),
                g["error_code"].as_str().unwrap_or_default()
            )
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

#[test]
fn a_scan_under_the_shipped_policy_reads_everything() {
    let moto = Moto::start_with(&[("INITIAL_NO_AUTH_ACTION_COUNT", "3")]);
    let endpoint = moto.endpoint();
    // The three requests moto serves without authentication make an administrator.
    let admin = seed::enforcing_admin(&endpoint, REGION);
    let bad = seed::insecure(&admin);
    let lab = seed::lab(&admin);
    let domain = seed::sagemaker_workload(&admin, &lab);

    // moto sends RoleLastUsed (empty) in each RoleDetail; through a proxy that takes it
    // out, the collector needs iam:GetRole too, which the policy must allow.
    let proxy = proxy::Proxy::start(
        moto.port,
        proxy::rewrite_role_details(|_, role| proxy::without_role_last_used(role)),
    );
    let scan_endpoint = proxy.endpoint();

    let work = Workdir::new();
    let rules = work.path("rules");
    std::fs::create_dir_all(&rules).expect("dir");
    std::fs::write(rules.join("tst001.rego"), live::READS_OPTIONAL).expect("rule");
    // Every optional call too: GetRole (--role-last-used) and ListTags (a rule that reads tags).
    let args = [
        "--role-last-used",
        "--policy-dir",
        rules.to_str().expect("utf-8"),
        "--max-attempts",
        "2",
        "--stats",
        "-vv",
    ];
    let scan_as = |key: &(String, String)| -> (Value, String) {
        let out = work
            .live("collect", &scan_endpoint, REGION, &args)
            .env("AWS_ACCESS_KEY_ID", &key.0)
            .env("AWS_SECRET_ACCESS_KEY", &key.1)
            .output()
            .expect("runs");
        let stderr = common::stderr_of(&out);
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        (
            serde_json::from_slice(&out.stdout).expect("snapshot"),
            stderr,
        )
    };

    // Three moto defects, not authorization: ListTags on a Studio domain answers 500, moto
    // authorizes GetBucketEncryption and GetPublicAccessBlock as s3:ListBucket (its action
    // map lacks them), and S3 Control's GetPublicAccessBlock as s3:GetPublicAccessBlock (the
    // operation name), where AWS uses the actions the shipped policy grants
    // (s3:GetEncryptionConfiguration, s3:GetBucketPublicAccessBlock,
    // s3:GetAccountPublicAccessBlock); moto's denial of the latter is not in S3 Control's
    // error shape, so mlguard reads the code from the response body (AccessDenied): a gap,
    // never data.
    // Everything else must be readable under exactly the shipped policy.
    let domain_tags = format!("sagemaker:ListTags {domain} ResponseError");
    let exact = user(&admin, "mlguard-scanner", &scan_policy());
    let (snapshot, stderr) = scan_as(&exact);
    let mut moto_quirks: Vec<String> = ["GetBucketEncryption", "GetPublicAccessBlock"]
        .iter()
        .map(|op| format!("s3:{op} {} AccessDenied", bad.bucket))
        .collect();
    moto_quirks.push(domain_tags.clone());
    moto_quirks.push(format!(
        "s3control:GetPublicAccessBlock {} AccessDenied",
        moto::ACCOUNT
    ));
    moto_quirks.sort();
    assert_eq!(gaps(&snapshot), moto_quirks, "{stderr}");
    let calls = live::calls(&stderr);
    for op in mlguard::collect::operations::OPERATIONS {
        let called = calls.contains_key(&format!("{}:{}", op.service, op.name));
        assert!(
            called,
            "{}:{} was not exercised under the policy\n{stderr}",
            op.service, op.name
        );
    }
    assert_eq!(
        snapshot["iam"]["roles"][0]["RoleLastUsed"],
        json!({}),
        "iam:GetRole was allowed"
    );

    let mut with_moto_mapping = scan_policy();
    with_moto_mapping["Statement"]
        .as_array_mut()
        .expect("statements")
        .push(json!({"Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetPublicAccessBlock"], "Resource": "*"}));
    let (snapshot, stderr) = scan_as(&user(&admin, "mlguard-scanner-moto", &with_moto_mapping));
    assert_eq!(gaps(&snapshot), vec![domain_tags.clone()], "{stderr}");

    // The enforcement is real: without three of its actions, those calls become gaps.
    let narrowed = without(
        with_moto_mapping,
        &[
            "kms:GetKeyPolicy",
            "sagemaker:DescribeNotebookInstance",
            "ec2:DescribeFlowLogs",
        ],
    );
    let (snapshot, _) = scan_as(&user(&admin, "mlguard-narrow", &narrowed));
    let found = gaps(&snapshot);
    assert!(
        found
            .iter()
            .any(|g| g.starts_with("kms:GetKeyPolicy arn:aws:kms:")),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|g| g.starts_with("sagemaker:DescribeNotebookInstance ml-open-notebook ")),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|g| g.starts_with("ec2:DescribeFlowLogs - ")),
        "{found:?}"
    );
    assert!(
        found.iter().all(|g| *g == domain_tags
            || [
                "kms:GetKeyPolicy",
                "sagemaker:DescribeNotebookInstance",
                "ec2:DescribeFlowLogs"
            ]
            .iter()
            .any(|op| g.starts_with(op))),
        "{found:?}"
    );
}
