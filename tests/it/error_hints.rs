//! The lab's troubleshooting table as mlguard's error hints, reproduced on moto: AccessDenied
//! (the action, the caller, the least-privilege policy; for a scan, the rules left
//! not_assessed), VpcLimitExceeded (the quota checked before harden creates a VPC, and the
//! apply-time error through a proxy), a KMS key looked up in the wrong region; and the
//! first-run failures (no credentials, an SSO session never started, a region not enabled),
//! each one sentence with the command that fixes it, exit 2.

use crate::common::live::{Workdir, read_json, rules_reading};
use crate::common::moto::{ACCOUNT, Moto};
use crate::common::proxy::{Proxy, aws_error, denied};
use crate::common::seed::Aws;
use crate::common::{self, seed};
use crate::common::{mlguard, stderr_of};
use serde_json::Value;

const REGION: &str = "us-east-1";
const ALLOWED: &str = "203.0.113.0/24";
const POLICY: &str = "policies/iam/mlguard-remediate-policy.json";

fn shipped_policy(file: &str) -> Value {
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

fn harden(work: &Workdir, endpoint: &str, extra: &[&str]) -> std::process::Output {
    work.mlguard()
        .args([
            "harden",
            "--name",
            "lab",
            "--allowed-cidr",
            ALLOWED,
            "--region",
            REGION,
            "--endpoint-url",
            endpoint,
        ])
        .args(extra)
        .output()
        .expect("runs")
}

// --- AccessDenied ----------------------------------------------------------------------

#[test]
fn access_denied_names_the_action_the_caller_and_the_least_privilege_policy() {
    let moto = Moto::start_enforcing_without_signatures(3);
    let endpoint = moto.endpoint();
    let admin = seed::enforcing_admin(&endpoint, REGION);
    // moto authorizes HeadBucket as `s3:HeadBucket` (AWS: s3:ListBucket, which the policy
    // grants): see tests/it/remediate_least_privilege.rs.
    let head_bucket = serde_json::json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:HeadBucket"], "Resource": "*"}
    ]});
    let (key, secret) = seed::user_with(
        &admin,
        "lab-user",
        &[
            (
                "mlguard-remediate",
                &without(
                    shipped_policy("mlguard-remediate-policy.json"),
                    "iam:CreateRole",
                ),
            ),
            ("moto-head-bucket", &head_bucket),
        ],
    );
    let work = Workdir::new();
    let journal = work.path("harden.jsonl");
    let out = work
        .mlguard()
        .env("AWS_ACCESS_KEY_ID", &key)
        .env("AWS_SECRET_ACCESS_KEY", &secret)
        .args([
            "harden",
            "--name",
            "lab",
            "--allowed-cidr",
            ALLOWED,
            "--region",
            REGION,
            "--endpoint-url",
            &endpoint,
            "--yes",
            "--journal",
            journal.to_str().expect("utf-8"),
        ])
        .output()
        .expect("runs");
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "help: arn:aws:iam::{ACCOUNT}:user/lab-user may not call iam:CreateRole: grant iam:CreateRole, iam:TagRole with the least-privilege policy {POLICY}"
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("AdministratorAccess"), "{stderr}");
    assert!(!stderr.contains("IAMFullAccess"), "{stderr}");
}

#[test]
fn a_denied_read_during_a_scan_names_the_rules_left_not_assessed() {
    let moto = Moto::start();
    let aws = Aws::new(&moto.endpoint(), REGION);
    seed::lab(&aws);
    let proxy = Proxy::start(moto.port, |req, up| {
        if req.service() == "kms" && req.operation() == "GetKeyRotationStatus" {
            denied(req)
        } else {
            up.send(req)
        }
    });
    let work = Workdir::new();
    let (report, code, stderr) = work.scan(&proxy.endpoint(), REGION, &["--fail-on", "none"]);
    assert_eq!(code, 0, "{stderr}");
    let rules = rules_reading("kms:GetKeyRotationStatus");
    assert!(rules.contains("DE-001"), "{rules:?}");
    let list: Vec<&str> = rules.iter().map(String::as_str).collect();
    assert!(
        stderr.contains(&format!(
            "help: arn:aws:sts::{ACCOUNT}:user/moto may not call kms:GetKeyRotationStatus: grant it with the least-privilege policy policies/iam/mlguard-scan-policy.json (every read mlguard makes, nothing else); not assessed without it: {}",
            list.join(", ")
        )),
        "{stderr}"
    );
    let not_assessed: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["status"] == "not_assessed")
        .filter_map(|f| f["rule_id"].as_str())
        .collect();
    assert!(not_assessed.contains(&"DE-001"), "{not_assessed:?}");
}

// --- VpcLimitExceeded ------------------------------------------------------------------

#[test]
fn harden_refuses_a_vpc_over_the_quota_and_names_unused_vpcs_and_regions_with_room() {
    let moto = Moto::start();
    let aws = Aws::new(&moto.endpoint(), REGION);
    let vpcs = aws.run(async {
        let ec2 = aws.ec2();
        let existing = ec2.describe_vpcs().send().await.expect("DescribeVpcs");
        let mut ids = Vec::new();
        for i in existing.vpcs().len()..5 {
            let vpc = ec2
                .create_vpc()
                .cidr_block(format!("10.{}.0.0/16", 100 + i))
                .send()
                .await
                .expect("CreateVpc");
            let id = vpc.vpc().and_then(|v| v.vpc_id()).expect("id").to_string();
            ids.push((id, 100 + i));
        }
        // The last one is in use: a network interface in a subnet of it.
        let (used, n) = ids.last().expect("a VPC").clone();
        let subnet = ec2
            .create_subnet()
            .vpc_id(&used)
            .cidr_block(format!("10.{n}.1.0/24"))
            .send()
            .await
            .expect("CreateSubnet");
        let subnet_id = subnet
            .subnet()
            .and_then(|s| s.subnet_id())
            .expect("id")
            .to_string();
        ec2.create_network_interface()
            .subnet_id(&subnet_id)
            .send()
            .await
            .expect("CreateNetworkInterface");
        ids.into_iter().map(|(id, _)| id).collect::<Vec<_>>()
    });
    let (used, unused) = vpcs.split_last().expect("VPCs");
    let work = Workdir::new();

    // --plan: the plan, and a warning.
    let out = harden(&work, &moto.endpoint(), &["--plan"]);
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("warning: region us-east-1 has 5 VPCs and allows 5"),
        "{stderr}"
    );

    // Applying: refused before anything is created, exit 2.
    let journal = work.path("harden.jsonl");
    let out = harden(
        &work,
        &moto.endpoint(),
        &["--yes", "--journal", journal.to_str().expect("utf-8")],
    );
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "error: region us-east-1 has 5 VPCs and allows 5 (Service Quotas L-F678F1CE, VPCs per Region): the stack's VPC would exceed the limit (VpcLimitExceeded)"
        ),
        "{stderr}"
    );
    for id in unused {
        assert!(stderr.contains(id.as_str()), "{id} is unused: {stderr}");
    }
    assert!(
        !stderr.contains(used.as_str()),
        "{used} has a network interface: {stderr}"
    );
    assert!(
        stderr.contains(
            "or build the stack in a region with room, e.g. --region us-east-2: us-east-2 (1 of 5)"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("--quota-code L-F678F1CE"), "{stderr}");
    assert!(!journal.exists(), "nothing was applied");
    let roles = aws.run(aws.iam().list_roles().send()).expect("ListRoles");
    assert!(
        roles
            .roles()
            .iter()
            .all(|r| !r.role_name().starts_with("lab-")),
        "no role was created"
    );
}

#[test]
fn vpc_limit_exceeded_at_apply_names_the_limit() {
    let moto = Moto::start();
    let proxy = Proxy::start(moto.port, |req, up| {
        if req.service() == "ec2" && req.operation() == "CreateVpc" {
            aws_error(
                req,
                400,
                "VpcLimitExceeded",
                "The maximum number of VPCs has been reached.",
            )
        } else {
            up.send(req)
        }
    });
    let work = Workdir::new();
    let journal = work.path("harden.jsonl");
    let out = harden(
        &work,
        &proxy.endpoint(),
        &["--yes", "--journal", journal.to_str().expect("utf-8")],
    );
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("ec2:CreateVpc: VpcLimitExceeded: The maximum number of VPCs has been reached.")
            && stderr.contains(
                "help: the region is at its limit of VPCs (Service Quotas: Amazon VPC, VPCs per Region, L-F678F1CE; 5 unless raised)"
            )
            && stderr.contains("aws service-quotas request-service-quota-increase --service-code vpc --quota-code L-F678F1CE"),
        "{stderr}"
    );
}

// --- KMS key not found -------------------------------------------------------------------

#[test]
fn a_key_of_another_region_is_found_and_the_flag_to_pass_is_named() {
    let moto = Moto::start();
    let eu = Aws::new(&moto.endpoint(), "eu-west-1");
    let arn = eu.run(async {
        let kms = eu.kms();
        let key = kms.create_key().send().await.expect("CreateKey");
        let meta = key.key_metadata().expect("metadata");
        kms.create_alias()
            .alias_name("alias/ml-data")
            .target_key_id(meta.key_id())
            .send()
            .await
            .expect("CreateAlias");
        meta.arn().expect("arn").to_string()
    });
    let key_id = arn.rsplit('/').next().expect("id").to_string();
    let work = Workdir::new();
    let plan = |regions: &str, key: &str| {
        let file = work.path("plan.json");
        let out = work
            .live("remediate", &moto.endpoint(), regions, &["--plan", "-o"])
            .arg(&file)
            .args(["--allowed-cidr", ALLOWED, "--kms-key", key])
            .output()
            .expect("runs");
        (out, file)
    };
    for given in [
        "alias/ml-data".to_string(),
        key_id.clone(),
        format!("arn:aws:kms:us-east-1:{ACCOUNT}:key/{key_id}"),
    ] {
        let (out, _) = plan(REGION, &given);
        let stderr = stderr_of(&out);
        assert_eq!(out.status.code(), Some(2), "{given}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "error: KMS key `{given}` not found in us-east-1: it is in eu-west-1"
            )) && stderr.contains(&format!(
                "help: a key is used in its own region: pass --kms-key {arn} and plan the resources of eu-west-1 (--regions eu-west-1)"
            )),
            "{stderr}"
        );
    }
    // In its region, the alias becomes the key's ARN in the plan.
    let (out, file) = plan("eu-west-1", "alias/ml-data");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(read_json(&file)["options"]["kms_key"], arn.as_str());
    // A key nowhere in the account.
    let (out, _) = plan(REGION, "alias/nowhere");
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("error: KMS key `alias/nowhere` not found in us-east-1 nor in any other of the account's"),
        "{stderr}"
    );
}

// --- first run -------------------------------------------------------------------------

/// mlguard with no credentials anywhere: empty environment, a HOME without ~/.aws.
fn bare(home: &std::path::Path) -> assert_cmd::Command {
    let mut cmd = mlguard();
    cmd.env("HOME", home)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
        .env_remove("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    cmd
}

/// The error and help lines of a failed run, without the SDK's chain of causes.
fn error_lines(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| !l.trim().is_empty()).collect()
}

#[test]
fn no_credentials_is_one_sentence_and_the_command_that_fixes_it() {
    let home = tempfile::tempdir().expect("home");
    let out = bare(home.path())
        .args(["scan", "--region", REGION])
        .output()
        .expect("runs");
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(
        error_lines(&stderr),
        vec![
            "error: no AWS credentials found",
            "  help: run `aws configure` (access keys) or `aws configure sso` (IAM Identity Center), then run mlguard again; or pass --profile NAME of a profile in ~/.aws/config",
        ],
        "{stderr}"
    );
}

#[test]
fn an_sso_profile_without_a_session_says_to_log_in() {
    let home = tempfile::tempdir().expect("home");
    let aws = home.path().join(".aws");
    std::fs::create_dir_all(&aws).expect("~/.aws");
    std::fs::write(
        aws.join("config"),
        "[profile lab]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = MLAdmin\nregion = us-east-1\n\n[sso-session corp]\nsso_start_url = https://example.awsapps.com/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n",
    )
    .expect("config");
    let expect_login = || {
        let out = bare(home.path())
            .args(["scan", "--profile", "lab"])
            .output()
            .expect("runs");
        let stderr = stderr_of(&out);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert_eq!(
            error_lines(&stderr),
            vec![
                "error: the AWS SSO session of profile `lab` has expired or was never started",
                "  help: run `aws sso login --profile lab`, then run mlguard again",
            ],
            "{stderr}"
        );
    };
    // Never logged in: no cached token.
    expect_login();
    // Logged in yesterday: the cached token (~/.aws/sso/cache/<sha1 of the session name>.json,
    // as `aws sso login` writes it) has expired and cannot be refreshed.
    let cache = aws.join("sso").join("cache");
    std::fs::create_dir_all(&cache).expect("cache");
    std::fs::write(
        cache.join("ee0bfd2552fbd840c02cc48b6e823320543c450f.json"),
        r#"{"startUrl": "https://example.awsapps.com/start", "region": "us-east-1", "accessToken": "expired", "expiresAt": "2026-01-01T00:00:00Z"}"#,
    )
    .expect("token");
    expect_login();
}

#[test]
fn a_region_not_enabled_names_the_command_that_enables_it() {
    let moto = Moto::start();
    // The account has not opted in to ap-east-1: DescribeRegions says so.
    let proxy = Proxy::start(moto.port, |req, up| {
        let resp = up.send(req);
        if req.service() == "ec2" && req.operation() == "DescribeRegions" {
            let body = resp.text();
            let marked = mark_not_opted_in(&body, "ap-east-1");
            return resp.with_body(marked);
        }
        resp
    });
    let work = Workdir::new();
    let out = work
        .live("scan", &proxy.endpoint(), "ap-east-1", &[])
        .output()
        .expect("runs");
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(
        error_lines(&stderr),
        vec![
            "error: region `ap-east-1` is not enabled in account 123456789012",
            "  help: enable it first: `aws account enable-region --region-name ap-east-1` (or AWS console: Account > AWS Regions), or leave the region out",
        ],
        "{stderr}"
    );
}

#[test]
fn a_region_whose_sts_refuses_the_credentials_is_a_region_not_enabled() {
    // AWS answers every call in a region the account has not enabled as if the
    // credentials were bad; mlguard checks them in us-east-1 before blaming them.
    let moto = Moto::start();
    let proxy = Proxy::start(moto.port, |req, up| {
        let in_region = req
            .header("authorization")
            .is_some_and(|a| a.contains("/ap-east-1/"));
        if in_region {
            aws_error(
                req,
                403,
                "InvalidClientTokenId",
                "The security token included in the request is invalid.",
            )
        } else {
            up.send(req)
        }
    });
    let work = Workdir::new();
    for command in [
        vec!["scan", "--region", "ap-east-1"],
        vec![
            "harden",
            "--name",
            "lab",
            "--allowed-cidr",
            ALLOWED,
            "--region",
            "ap-east-1",
            "--plan",
        ],
    ] {
        let out = work
            .mlguard()
            .args(&command)
            .args(["--endpoint-url", &proxy.endpoint()])
            .output()
            .expect("runs");
        let stderr = stderr_of(&out);
        assert_eq!(out.status.code(), Some(2), "{command:?}: {stderr}");
        assert_eq!(
            error_lines(&stderr),
            vec![
                "error: region `ap-east-1` is not enabled in account 123456789012",
                "  help: enable it first: `aws account enable-region --region-name ap-east-1` (or AWS console: Account > AWS Regions), or leave the region out",
            ],
            "{command:?}: {stderr}"
        );
    }
    // Credentials refused everywhere are still bad credentials.
    let proxy = Proxy::start(moto.port, |req, up| {
        if req.service() == "sts" {
            aws_error(
                req,
                403,
                "InvalidClientTokenId",
                "The security token included in the request is invalid.",
            )
        } else {
            up.send(req)
        }
    });
    let out = work
        .mlguard()
        .args([
            "scan",
            "--region",
            "ap-east-1",
            "--endpoint-url",
            &proxy.endpoint(),
        ])
        .output()
        .expect("runs");
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.starts_with("error: AWS rejected the credentials (InvalidClientTokenId)"),
        "{stderr}"
    );
}

/// DescribeRegions XML with `region`'s opt-in status set to `not-opted-in`.
fn mark_not_opted_in(body: &str, region: &str) -> String {
    let name = format!("<regionName>{region}</regionName>");
    let Some(at) = body.find(&name) else {
        panic!("{region} not in DescribeRegions: {body}");
    };
    let (head, tail) = body.split_at(at);
    let end = tail.find("</item>").unwrap_or(tail.len());
    let (item, rest) = tail.split_at(end);
    let item = match (item.find("<optInStatus>"), item.find("</optInStatus>")) {
        (Some(a), Some(b)) => format!("{}<optInStatus>not-opted-in{}", &item[..a], &item[b..]),
        _ => item.replacen(
            &name,
            &format!("{name}<optInStatus>not-opted-in</optInStatus>"),
            1,
        ),
    };
    format!("{head}{item}{rest}")
}
