//! `mlguard remediate`, `rollback`, `harden` and `teardown` against moto's emulator: the
//! lab's resources scanned, fixed (safe only, then everything), scanned clean, rolled back
//! to the exact original snapshot; drift between plan and apply; a hardened stack that scans
//! clean and a teardown that removes it and nothing else.

use crate::common::live::{Workdir, pairs, read_json, without_run_fields};
use crate::common::moto::{ACCOUNT, Moto};
use crate::common::seed::{Aws, Lab};
use crate::common::{self, live, seed};
use crate::common::{stderr_of, stdout_of};
use aws_sdk_ec2::types::{Filter, ResourceType, Tag, TagSpecification};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Output;

const REGION: &str = "us-east-1";
const ALLOWED: &str = "203.0.113.0/24";

/// The lab as its first commands leave it, with the security group opened the way the lab's
/// challenge starts: HTTPS and SSH from anywhere.
pub struct LabAccount {
    pub lab: Lab,
    pub nacl_id: String,
}

pub fn seed_lab(aws: &Aws) -> LabAccount {
    let lab = seed::lab_challenge(aws);
    let net = aws.run(aws.network());
    let nacl_id = net.default_acls[&lab.vpc_id].clone();
    LabAccount { lab, nacl_id }
}

impl LabAccount {
    /// The lab's own resources: role, key, VPC (with its default group and network ACL),
    /// `ml-security-group`.
    fn arns(&self, aws: &Aws) -> BTreeSet<String> {
        [
            self.lab.role_arn.clone(),
            self.lab.key_arn.clone(),
            aws.ec2_arn("vpc", &self.lab.vpc_id),
            aws.ec2_arn("security-group", &self.lab.sg_id),
            aws.ec2_arn("security-group", &self.lab.default_sg_id),
            aws.ec2_arn("network-acl", &self.nacl_id),
        ]
        .into_iter()
        .collect()
    }
}

fn run(work: &Workdir, args: &[&str]) -> Output {
    work.mlguard().args(args).output().expect("runs")
}

fn live_args<'a>(endpoint: &'a str, rest: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec!["--endpoint-url", endpoint, "--regions", REGION];
    v.extend_from_slice(rest);
    v
}

/// `remediate --apply PLAN --unsafe --yes --journal JOURNAL [extra]` against the emulator.
fn apply_unsafe(
    work: &Workdir,
    endpoint: &str,
    plan: &Path,
    journal: &Path,
    extra: &[&str],
) -> Output {
    let mut args = vec!["remediate"];
    args.extend(live_args(
        endpoint,
        &[
            "--apply",
            plan.to_str().expect("utf-8"),
            "--unsafe",
            "--yes",
            "--journal",
            journal.to_str().expect("utf-8"),
        ],
    ));
    args.extend_from_slice(extra);
    run(work, &args)
}

fn conn_args<'a>(endpoint: &'a str, rest: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec!["--endpoint-url", endpoint, "--region", REGION];
    v.extend_from_slice(rest);
    v
}

fn collect(work: &Workdir, endpoint: &str, name: &str) -> Value {
    let file = work.path(name);
    let mut args = vec!["collect"];
    args.extend(live_args(endpoint, &["-o", file.to_str().expect("utf-8")]));
    let out = run(work, &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    read_json(&file)
}

/// Failing `(rule, ARN)` pairs of a scan with the allowed range trusted.
fn failing(work: &Workdir, endpoint: &str) -> BTreeSet<(String, String)> {
    let (report, code, stderr) = work.scan(
        endpoint,
        REGION,
        &["--fail-on", "none", "--trusted-cidr", ALLOWED],
    );
    assert_eq!(code, 0, "{stderr}");
    pairs(&report, "fail")
}

fn of(pairs: &BTreeSet<(String, String)>, arns: &BTreeSet<String>) -> BTreeSet<(String, String)> {
    pairs
        .iter()
        .filter(|(_, a)| arns.contains(a))
        .cloned()
        .collect()
}

/// The first paths where two JSON documents differ (for failure messages).
fn differences(a: &Value, b: &Value, path: &str, out: &mut Vec<String>) {
    if out.len() > 20 {
        return;
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys()).collect::<BTreeSet<_>>() {
                match (x.get(k), y.get(k)) {
                    (Some(p), Some(q)) => differences(p, q, &format!("{path}/{k}"), out),
                    (p, q) => out.push(format!("{path}/{k}: {p:?} vs {q:?}")),
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                differences(p, q, &format!("{path}[{i}]"), out);
            }
        }
        _ if a != b => out.push(format!("{path}: {a} vs {b}")),
        _ => {}
    }
}

pub fn assert_same_state(before: &Value, after: &Value, what: &str) {
    let (a, b) = (without_run_fields(before), without_run_fields(after));
    if a != b {
        let mut out = Vec::new();
        differences(&a, &b, "", &mut out);
        panic!(
            "{what}: the account differs from the original:\n{}",
            out.join("\n")
        );
    }
}

fn journal_records(path: &Path, kind: &str) -> usize {
    std::fs::read_to_string(path)
        .expect("journal")
        .lines()
        .filter(|l| l.contains(&format!("\"record\":\"{kind}\"")))
        .count()
}

// --- the lab ---------------------------------------------------------------------------

#[test]
fn lab_remediated_with_unsafe_scans_clean_and_rolls_back_exactly() {
    let moto = Moto::start();
    let endpoint = moto.endpoint();
    let aws = Aws::new(&endpoint, REGION);
    let account = seed_lab(&aws);
    let lab_arns = account.arns(&aws);
    let work = Workdir::new();
    let before = collect(&work, &endpoint, "before.json");
    let fails_before = failing(&work, &endpoint);
    let lab_before = of(&fails_before, &lab_arns);
    let lab = &account.lab;
    for (rule, arn) in [
        ("DE-001", lab.key_arn.clone()),
        ("LP-002", lab.role_arn.clone()),
        ("LP-007", lab.role_arn.clone()),
        ("LP-012", lab.role_arn.clone()),
        ("NI-002", aws.ec2_arn("security-group", &lab.sg_id)),
        ("NI-003", aws.ec2_arn("security-group", &lab.sg_id)),
        ("NI-015", aws.ec2_arn("security-group", &lab.sg_id)),
        ("NI-004", aws.ec2_arn("security-group", &lab.default_sg_id)),
        ("NI-005", aws.ec2_arn("vpc", &lab.vpc_id)),
        ("NI-012", aws.ec2_arn("vpc", &lab.vpc_id)),
        ("NI-013", aws.ec2_arn("network-acl", &account.nacl_id)),
    ] {
        assert!(
            lab_before.contains(&(rule.to_string(), arn.clone())),
            "{rule} {arn} missing from {lab_before:#?}"
        );
    }

    // The plan: a diff, a plan file, exit 1; nothing changed.
    let plan = work.path("plan.json");
    let mut args = vec!["remediate"];
    args.extend(live_args(
        &endpoint,
        &[
            "--plan",
            "--allowed-cidr",
            ALLOWED,
            "-o",
            plan.to_str().expect("utf-8"),
        ],
    ));
    let out = run(&work, &args);
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    let diff = stdout_of(&out);
    assert!(diff.contains("[safe] DE-001 kms-enable-rotation"), "{diff}");
    assert!(diff.contains("[unsafe]"), "{diff}");
    let plan_json = read_json(&plan);
    assert_eq!(plan_json["plan_version"], 1);
    assert_eq!(plan_json["account_id"], ACCOUNT);
    for a in plan_json["actions"].as_array().expect("actions") {
        assert!(a["id"].as_str().is_some_and(|id| id.len() == 16), "{a}");
        if a["applicability"] != "manual" {
            assert!(
                a["op"]["op"].is_string() && a["aspect"]["aspect"].is_string(),
                "{a}"
            );
            assert!(
                a.get("inverse").is_some() || a["before_unread"] == true,
                "{a}"
            );
        }
    }
    assert_same_state(
        &before,
        &collect(&work, &endpoint, "planned.json"),
        "after --plan",
    );

    // Everything, unsafe included.
    let journal = work.path("apply.jsonl");
    let out = apply_unsafe(&work, &endpoint, &plan, &journal, &["-v"]);
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("0 failed"), "{stderr}");
    assert!(stderr.contains("-> 100.0%"), "{stderr}");
    assert!(stderr.contains("converged"), "{stderr}");
    // Every call the apply made is one the remediator lists (and its policy grants).
    let calls: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("    ") && l.contains(':'))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(
        calls.contains(&"ec2:RevokeSecurityGroupIngress"),
        "{stderr}"
    );
    for op in calls {
        let (service, name) = op.split_once(':').expect("service:Operation");
        assert!(
            mlguard::remediate::operations::find(service, name).is_some(),
            "{op} is not in src/remediate/operations.rs"
        );
    }
    let fails_after = failing(&work, &endpoint);
    assert_eq!(
        of(&fails_after, &lab_arns),
        BTreeSet::new(),
        "the lab's resources still fail"
    );
    assert_eq!(fails_after, BTreeSet::new(), "the account still fails");

    // A second apply of the same plan changes nothing.
    let again = work.path("again.jsonl");
    let out = apply_unsafe(&work, &endpoint, &plan, &again, &[]);
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("mlguard: 0 applied"), "{stderr}");
    assert_eq!(
        journal_records(&again, "begin"),
        0,
        "a no-op apply calls nothing"
    );

    // A journal of another account is refused before anything changes.
    let foreign = work.path("foreign.jsonl");
    std::fs::write(
        &foreign,
        std::fs::read_to_string(&journal)
            .expect("journal")
            .replace(ACCOUNT, "210987654321"),
    )
    .expect("write");
    let mut args = vec!["rollback", foreign.to_str().expect("utf-8"), "--yes"];
    args.extend(conn_args(&endpoint, &[]));
    let out = run(&work, &args);
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("made in account 210987654321"),
        "{}",
        stderr_of(&out)
    );

    // Rollback restores the original state exactly, and a second rollback changes nothing.
    let mut args = vec!["rollback", journal.to_str().expect("utf-8"), "--yes"];
    args.extend(conn_args(&endpoint, &[]));
    let out = run(&work, &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let out = run(&work, &args);
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("mlguard: 0 restored"), "{stderr}");
    assert_same_state(
        &before,
        &collect(&work, &endpoint, "after.json"),
        "after rollback",
    );
    assert_eq!(
        failing(&work, &endpoint),
        fails_before,
        "the original findings are back"
    );
}

#[test]
fn safe_fixes_only_without_unsafe_then_rollback() {
    let moto = Moto::start();
    let endpoint = moto.endpoint();
    let aws = Aws::new(&endpoint, REGION);
    let account = seed_lab(&aws);
    let lab = &account.lab;
    let work = Workdir::new();
    let before = collect(&work, &endpoint, "before.json");
    let fails_before = failing(&work, &endpoint);

    // Refused without a terminal and without --yes: nothing changes.
    let mut args = vec!["remediate"];
    args.extend(live_args(
        &endpoint,
        &["--apply", "--allowed-cidr", ALLOWED],
    ));
    let out = run(&work, &args);
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("--yes"), "{}", stderr_of(&out));

    let journal = work.path("safe.jsonl");
    let mut args = vec!["remediate"];
    args.extend(live_args(
        &endpoint,
        &[
            "--apply",
            "--allowed-cidr",
            ALLOWED,
            "--yes",
            "--journal",
            journal.to_str().expect("utf-8"),
        ],
    ));
    let out = run(&work, &args);
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(" held back (unsafe: pass --unsafe)"),
        "{stderr}"
    );
    assert!(!stderr.contains(" 0 held back"), "{stderr}");
    let fails = failing(&work, &endpoint);
    let sg = aws.ec2_arn("security-group", &lab.sg_id);
    for gone in [
        ("DE-001", lab.key_arn.clone()),
        ("NI-002", sg.clone()),
        ("NI-003", sg.clone()),
        ("NI-004", aws.ec2_arn("security-group", &lab.default_sg_id)),
        ("NI-005", aws.ec2_arn("vpc", &lab.vpc_id)),
    ] {
        let pair = (gone.0.to_string(), gone.1);
        assert!(
            fails_before.contains(&pair) && !fails.contains(&pair),
            "{pair:?}"
        );
    }
    assert!(
        fails.iter().all(|(r, _)| !r.starts_with("NI-006")),
        "{fails:#?}"
    );
    for held in [
        ("LP-002", lab.role_arn.clone()),
        ("LP-012", lab.role_arn.clone()),
        ("NI-015", sg.clone()),
        ("NI-012", aws.ec2_arn("vpc", &lab.vpc_id)),
        ("NI-013", aws.ec2_arn("network-acl", &account.nacl_id)),
    ] {
        let pair = (held.0.to_string(), held.1);
        assert!(
            fails.contains(&pair),
            "unsafe fix applied without --unsafe: {pair:?}"
        );
    }

    let mut args = vec!["rollback", journal.to_str().expect("utf-8"), "--yes"];
    args.extend(conn_args(&endpoint, &[]));
    let out = run(&work, &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_same_state(
        &before,
        &collect(&work, &endpoint, "after.json"),
        "after rollback",
    );
}

#[test]
fn drift_between_plan_and_apply_is_skipped_and_reported() {
    let moto = Moto::start();
    let endpoint = moto.endpoint();
    let aws = Aws::new(&endpoint, REGION);
    let account = seed_lab(&aws);
    let lab = &account.lab;
    let work = Workdir::new();
    let plan = work.path("plan.json");
    let mut args = vec!["remediate"];
    args.extend(live_args(
        &endpoint,
        &[
            "--plan",
            "--allowed-cidr",
            ALLOWED,
            "-o",
            plan.to_str().expect("utf-8"),
        ],
    ));
    assert_eq!(run(&work, &args).status.code(), Some(1));

    // Someone changes the role's trust policy, and turns on the key's rotation, after the plan.
    let tampered = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["sagemaker.amazonaws.com","ec2.amazonaws.com"]},"Action":"sts:AssumeRole"}]}"#;
    aws.run(async {
        aws.iam()
            .update_assume_role_policy()
            .role_name("brainybee-sagemaker-role")
            .policy_document(tampered)
            .send()
            .await
            .expect("UpdateAssumeRolePolicy");
        aws.kms()
            .enable_key_rotation()
            .key_id(&lab.key_id)
            .send()
            .await
            .expect("EnableKeyRotation");
    });
    let journal = work.path("j.jsonl");
    let out = apply_unsafe(&work, &endpoint, &plan, &journal, &[]);
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("skipped (drift)"), "{stderr}");
    assert!(stderr.contains("1 skipped for drift"), "{stderr}");
    assert!(stderr.contains("already done"), "{stderr}");
    let text = std::fs::read_to_string(&journal).expect("journal");
    assert!(text.contains("\"reason\":\"drift\""), "{text}");
    assert!(text.contains("\"reason\":\"already_done\""), "{text}");
    let trust = aws.run(async {
        aws.iam()
            .get_role()
            .role_name("brainybee-sagemaker-role")
            .send()
            .await
            .expect("GetRole")
            .role()
            .and_then(|r| r.assume_role_policy_document().map(String::from))
            .expect("trust policy")
    });
    assert!(
        trust.contains("ec2.amazonaws.com"),
        "the drifted trust policy was overwritten: {trust}"
    );
}

#[test]
fn a_plan_for_another_account_or_of_an_unknown_version_is_refused() {
    let moto = Moto::start();
    let endpoint = moto.endpoint();
    let work = Workdir::new();
    let plan = work.path("plan.json");
    let mut text = std::fs::read_to_string(common::root().join("fixtures/lab-insecure.json"))
        .expect("fixture");
    text = text.replace("123456789012", "210987654321");
    let snapshot = work.path("other.json");
    std::fs::write(&snapshot, text).expect("write");
    let out = run(
        &work,
        &[
            "remediate",
            "--snapshot",
            snapshot.to_str().expect("utf-8"),
            "--max-age",
            "0",
            "-o",
            plan.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    let mut args = vec!["remediate"];
    args.extend(live_args(
        &endpoint,
        &["--apply", plan.to_str().expect("utf-8"), "--yes"],
    ));
    let out = run(&work, &args);
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("account 210987654321"),
        "{}",
        stderr_of(&out)
    );

    let mut plan_json = read_json(&plan);
    plan_json["plan_version"] = Value::from(7);
    std::fs::write(&plan, plan_json.to_string()).expect("write");
    let out = run(&work, &args);
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("unknown plan_version 7"),
        "{}",
        stderr_of(&out)
    );
}

// --- harden and teardown ---------------------------------------------------------------

/// ARNs of what a stack holds: resources tagged with it, and everything in its VPC.
fn stack_arns(snapshot: &Value, stack: &str) -> BTreeSet<String> {
    let region = &snapshot["regions"][REGION];
    let tagged = |o: &Value| {
        o["Tags"].as_array().is_some_and(|t| {
            t.iter()
                .any(|t| t["Key"] == "mlguard:stack" && t["Value"] == stack)
        })
    };
    let mut out = BTreeSet::new();
    let vpcs: Vec<String> = region["ec2"]["vpcs"]
        .as_array()
        .expect("vpcs")
        .iter()
        .filter(|v| tagged(v))
        .map(|v| v["VpcId"].as_str().expect("id").to_string())
        .collect();
    assert_eq!(vpcs.len(), 1, "one VPC per stack");
    let arn = |kind: &str, id: &str| format!("arn:aws:ec2:{REGION}:{ACCOUNT}:{kind}/{id}");
    out.insert(arn("vpc", &vpcs[0]));
    for (kind, list, id) in [
        ("subnet", "subnets", "SubnetId"),
        ("security-group", "security_groups", "GroupId"),
        ("network-acl", "network_acls", "NetworkAclId"),
        ("route-table", "route_tables", "RouteTableId"),
    ] {
        for o in region["ec2"][list].as_array().expect("list") {
            if o["VpcId"] == vpcs[0] {
                out.insert(arn(kind, o[id].as_str().expect("id")));
            }
        }
    }
    for k in region["kms"]["keys"].as_array().expect("keys") {
        if k["Tags"].as_array().is_some_and(|t| {
            t.iter()
                .any(|t| t["TagKey"] == "mlguard:stack" && t["TagValue"] == stack)
        }) {
            out.insert(k["Arn"].as_str().expect("arn").to_string());
        }
    }
    out.insert(format!(
        "arn:aws:iam::{ACCOUNT}:role/{stack}-sagemaker-execution"
    ));
    out.insert(format!("arn:aws:s3:::{stack}-flowlogs-{ACCOUNT}-{REGION}"));
    out
}

#[test]
fn harden_scans_clean_converges_and_teardown_removes_only_the_stack() {
    let moto = Moto::start();
    let endpoint = moto.endpoint();
    let aws = Aws::new(&endpoint, REGION);
    let work = Workdir::new();
    let stack = "ml-lab";

    let mut args = vec![
        "harden",
        "--name",
        stack,
        "--allowed-cidr",
        ALLOWED,
        "--plan",
    ];
    args.extend(conn_args(&endpoint, &[]));
    let out = run(&work, &args);
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert!(stdout_of(&out).contains("mlguard harden plan for stack ml-lab"));

    let journal = work.path("harden.jsonl");
    let mut args = vec![
        "harden",
        "--name",
        stack,
        "--allowed-cidr",
        ALLOWED,
        "--yes",
        "--journal",
        journal.to_str().expect("utf-8"),
    ];
    args.extend(conn_args(&endpoint, &[]));
    let out = run(&work, &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));

    // The stack passes every rule.
    let snapshot = collect(&work, &endpoint, "hardened.json");
    let arns = stack_arns(&snapshot, stack);
    assert!(arns.len() >= 10, "{arns:#?}");
    let fails = failing(&work, &endpoint);
    assert_eq!(of(&fails, &arns), BTreeSet::new(), "the stack has findings");
    for a in &arns {
        let judged = snapshot
            .to_string()
            .contains(a.rsplit('/').next().unwrap_or(a));
        assert!(judged, "{a} is not in the snapshot");
    }

    // A second harden converges: nothing to do, nothing created twice.
    let mut args = vec![
        "harden",
        "--name",
        stack,
        "--allowed-cidr",
        ALLOWED,
        "--plan",
    ];
    args.extend(conn_args(&endpoint, &[]));
    let out = run(&work, &args);
    assert_eq!(out.status.code(), Some(0), "{}", stdout_of(&out));
    assert!(stdout_of(&out).contains("Nothing to do."));
    let mut args = vec![
        "harden",
        "--name",
        stack,
        "--allowed-cidr",
        ALLOWED,
        "--yes",
    ];
    args.extend(conn_args(&endpoint, &[]));
    let out = run(&work, &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_eq!(
        stack_arns(&collect(&work, &endpoint, "again.json"), stack),
        arns
    );

    // A VPC that only names the stack (no mlguard:managed tag), with a group named like the
    // stack's, and a role named like the stack's role but untagged.
    let (decoy_vpc, decoy_sg) = aws.run(async {
        let ec2 = aws.ec2();
        let vpc = ec2
            .create_vpc()
            .cidr_block("10.77.0.0/16")
            .tag_specifications(
                TagSpecification::builder()
                    .resource_type(ResourceType::Vpc)
                    .tags(Tag::builder().key("mlguard:stack").value(stack).build())
                    .tags(Tag::builder().key("Name").value(stack).build())
                    .build(),
            )
            .send()
            .await
            .expect("CreateVpc");
        let vpc = vpc.vpc().and_then(|v| v.vpc_id()).expect("id").to_string();
        let sg = aws.security_group(&vpc, &format!("{stack}-ml")).await;
        aws.role(
            &format!("{stack}-sagemaker-executor"),
            seed::SAGEMAKER_TRUST,
            &[],
        )
        .await;
        (vpc, sg)
    });

    let mut args = vec!["teardown", "--name", stack, "--plan"];
    args.extend(conn_args(&endpoint, &[]));
    let out = run(&work, &args);
    assert_eq!(out.status.code(), Some(1));
    let plan = stdout_of(&out);
    assert!(
        !plan.contains(&decoy_vpc) && !plan.contains(&decoy_sg),
        "{plan}"
    );

    let journal = work.path("teardown.jsonl");
    let mut args = vec![
        "teardown",
        "--name",
        stack,
        "--yes",
        "--journal",
        journal.to_str().expect("utf-8"),
    ];
    args.extend(conn_args(&endpoint, &[]));
    let out = run(&work, &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));

    // Nothing of the stack is left (the key waits out its 7-day deletion window), and the
    // decoys are untouched.
    let mut args = vec!["teardown", "--name", stack, "--plan"];
    args.extend(conn_args(&endpoint, &[]));
    let out = run(&work, &args);
    assert_eq!(out.status.code(), Some(0), "{}", stdout_of(&out));
    let after = collect(&work, &endpoint, "torn-down.json");
    let text = after.to_string();
    let region = &after["regions"][REGION];
    let listed = |list: &Value, field: &str, id: &str| {
        list.as_array()
            .is_some_and(|items| items.iter().any(|i| i[field] == id))
    };
    for a in &arns {
        let id = a.rsplit(['/', ':']).next().unwrap_or(a);
        let kind = a
            .split(':')
            .nth(5)
            .and_then(|r| r.split('/').next())
            .unwrap_or("");
        let left = match kind {
            "vpc" => listed(&region["ec2"]["vpcs"], "VpcId", id),
            "subnet" => listed(&region["ec2"]["subnets"], "SubnetId", id),
            "security-group" => listed(&region["ec2"]["security_groups"], "GroupId", id),
            "route-table" => listed(&region["ec2"]["route_tables"], "RouteTableId", id),
            // moto keeps a deleted VPC's default network ACL (AWS deletes it with the VPC).
            "network-acl" => false,
            "role" => listed(&after["iam"]["roles"], "Arn", a),
            "key" => {
                let key = live::find(&region["kms"]["keys"], "Arn", a);
                assert_eq!(key["KeyState"], "PendingDeletion", "{key:#}");
                false
            }
            _ => listed(&after["s3"]["buckets"], "Name", id),
        };
        assert!(!left, "{a} is still there");
    }
    assert!(
        text.contains(&decoy_vpc) && text.contains(&decoy_sg),
        "a decoy was deleted"
    );
    let roles = aws.run(async { aws.iam().list_roles().send().await.expect("ListRoles") });
    let names: Vec<&str> = roles.roles().iter().map(|r| r.role_name()).collect();
    assert!(names.contains(&"ml-lab-sagemaker-executor"), "{names:?}");
    assert!(!names.contains(&"ml-lab-sagemaker-execution"), "{names:?}");
    let groups = aws.run(async {
        aws.ec2()
            .describe_security_groups()
            .filters(Filter::builder().name("vpc-id").values(&decoy_vpc).build())
            .send()
            .await
            .expect("DescribeSecurityGroups")
    });
    assert!(
        groups
            .security_groups()
            .iter()
            .any(|g| g.group_id() == Some(decoy_sg.as_str()))
    );
}

#[test]
fn harden_refuses_to_adopt_what_it_did_not_create() {
    let moto = Moto::start();
    let endpoint = moto.endpoint();
    let aws = Aws::new(&endpoint, REGION);
    let work = Workdir::new();
    aws.run(aws.role("taken-sagemaker-execution", seed::SAGEMAKER_TRUST, &[]));
    let mut args = vec![
        "harden",
        "--name",
        "taken",
        "--allowed-cidr",
        ALLOWED,
        "--plan",
    ];
    args.extend(conn_args(&endpoint, &[]));
    let out = run(&work, &args);
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("was not created by mlguard"),
        "{}",
        stderr_of(&out)
    );
    for (flag, value) in [("--name", "Bad_Name"), ("--allowed-cidr", "0.0.0.0/0")] {
        let mut args = vec![
            "harden",
            "--name",
            "ok",
            "--allowed-cidr",
            ALLOWED,
            "--plan",
        ];
        let i = args.iter().position(|a| *a == flag).expect("flag");
        args[i + 1] = value;
        args.extend(conn_args(&endpoint, &[]));
        let out = run(&work, &args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{flag} {value}: {}",
            stderr_of(&out)
        );
    }
}
