//! Fault tolerance and gaps: a proxy between mlguard and moto throttles a fifth of the
//! requests (each service's own throttling error, or a bare 503), or denies one service or
//! one operation. Throttling must change nothing but the retry count; a denial must become
//! gaps and `not_assessed`, with every other service collected as before.

use crate::common::live::{
    Workdir, find, findings_without_file, pairs, rules_reading, without_run_fields,
};
use crate::common::moto::{ACCOUNT, Moto};
use crate::common::proxy::{Proxy, Response, aws_error, denied, throttle};
use crate::common::seed::Aws;
use crate::common::{live, proxy, seed};
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

const REGION: &str = "us-east-1";

/// An account with something in every service, and its fault-free snapshot and scan.
struct Baseline {
    moto: Moto,
    work: Workdir,
    insecure: seed::Insecure,
    snapshot: Value,
    report: Value,
}

fn baseline() -> Baseline {
    let moto = Moto::start();
    let aws = Aws::new(&moto.endpoint(), REGION);
    let insecure = seed::insecure(&aws);
    seed::lab(&aws);
    let work = Workdir::new();
    let (snapshot, _) = work.collect(&moto.endpoint(), REGION, &[]);
    assert_eq!(snapshot["gaps"], json!([]));
    let (report, code, stderr) = work.scan(&moto.endpoint(), REGION, &["--fail-on", "none"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        !pairs(&report, "fail").is_empty(),
        "the baseline has findings to compare"
    );
    Baseline {
        moto,
        work,
        insecure,
        snapshot,
        report,
    }
}

/// The snapshot without the parts a denial may change.
fn without(snapshot: &Value, paths: &[&[&str]]) -> Value {
    let mut s = without_run_fields(snapshot);
    for path in paths {
        let (last, parents) = path.split_last().expect("path");
        let mut at = &mut s;
        for p in parents {
            at = &mut at[*p];
        }
        if let Some(obj) = at.as_object_mut() {
            obj.remove(*last);
        }
    }
    s
}

#[test]
fn throttling_and_server_errors_are_retried_to_the_same_findings() {
    let b = baseline();
    // Every fifth request fails on its first attempt with the service's throttling error
    // (EC2 RequestLimitExceeded, S3 SlowDown, ...) or a bare 503; every tenth fails its
    // second attempt too.
    let firsts = Arc::new(AtomicUsize::new(0));
    let faults = Arc::new(AtomicUsize::new(0));
    let twice: Arc<Mutex<HashSet<String>>> = Arc::default();
    let (f, n, t) = (Arc::clone(&faults), Arc::clone(&firsts), Arc::clone(&twice));
    let proxy = Proxy::start(b.moto.port, move |req, up| {
        let invocation = req
            .header("amz-sdk-invocation-id")
            .unwrap_or_default()
            .to_string();
        let fault = match req.attempt() {
            1 => {
                let i = n.fetch_add(1, Ordering::SeqCst);
                if i % 10 == 9 {
                    t.lock().expect("lock").insert(invocation);
                }
                i % 5 == 4
            }
            2 => t.lock().expect("lock").contains(&invocation),
            _ => false,
        };
        if !fault {
            return up.send(req);
        }
        let k = f.fetch_add(1, Ordering::SeqCst);
        if k % 3 == 2 {
            Response::new(503, "text/plain", "")
        } else {
            throttle(req)
        }
    });

    let (snapshot, stderr) = b.work.collect(&proxy.endpoint(), REGION, &["--stats"]);
    assert_eq!(snapshot["gaps"], json!([]), "{stderr}");
    assert_eq!(
        without_run_fields(&snapshot),
        without_run_fields(&b.snapshot)
    );
    let injected = faults.load(Ordering::SeqCst);
    let total = stderr
        .lines()
        .find(|l| l.trim_start().starts_with("total"))
        .expect("summary");
    let fields: Vec<&str> = total.split_whitespace().collect();
    let (calls, retries): (usize, usize) = (
        fields[1].parse().expect("calls"),
        fields[2].parse().expect("retries"),
    );
    assert!(
        injected * 6 >= calls && injected >= 5,
        "about a fifth of {calls} calls failed, not {injected}"
    );
    assert_eq!(
        retries, injected,
        "every injected fault was retried once\n{stderr}"
    );

    // The findings of the snapshot collected under faults are those of the fault-free scan.
    let report = b.work.audit(&b.work.path("snapshot.json"));
    assert_eq!(report["summary"]["gaps"], 0);
    assert_eq!(
        findings_without_file(&report),
        findings_without_file(&b.report)
    );
}

#[test]
fn a_denied_service_becomes_gaps_and_not_assessed_and_the_rest_is_collected() {
    let b = baseline();
    let proxy = Proxy::start(b.moto.port, |req, up| {
        if req.service() == "iam" {
            denied(req)
        } else {
            up.send(req)
        }
    });

    let (snapshot, stderr) = b.work.collect(&proxy.endpoint(), REGION, &[]);
    assert_eq!(
        snapshot["gaps"],
        json!([{
            "service": "iam", "region": "global", "operation": "GetAccountAuthorizationDetails",
            "error_code": "AccessDenied",
            "message": "User: arn:aws:iam::123456789012:user/auditor is not authorized to perform: iam:GetAccountAuthorizationDetails"
        }])
    );
    assert!(
        stderr.contains("warning: snapshot incomplete: 1 API call failed"),
        "{stderr}"
    );
    assert!(
        stderr.contains("iam:GetAccountAuthorizationDetails global: AccessDenied"),
        "{stderr}"
    );
    assert_eq!(snapshot["iam"], json!({"roles": [], "policies": []}));
    assert_eq!(
        without(&snapshot, &[&["iam"], &["gaps"]]),
        without(&b.snapshot, &[&["iam"], &["gaps"]]),
        "the other services are collected as before"
    );

    let (report, code, stderr) = b
        .work
        .scan(&proxy.endpoint(), REGION, &["--fail-on", "none"]);
    assert_eq!(code, 0, "{stderr}");
    let iam_rules = rules_reading("iam:GetAccountAuthorizationDetails");
    assert!(iam_rules.contains("LP-001"));
    let expected: BTreeSet<(String, String)> = iam_rules
        .iter()
        .map(|r| (r.clone(), format!("arn:aws:iam::{ACCOUNT}:*")))
        .collect();
    assert_eq!(pairs(&report, "not_assessed"), expected);
    let unaffected = |r: &Value| -> BTreeSet<(String, String)> {
        pairs(r, "fail")
            .into_iter()
            .filter(|(rule, _)| !iam_rules.contains(rule))
            .collect()
    };
    assert_eq!(unaffected(&report), unaffected(&b.report));
    assert_eq!(report["summary"]["gaps"], 1);

    // --strict: the report is still written, and the exit code says the snapshot is incomplete.
    let (report, code, stderr) = b.work.scan(
        &proxy.endpoint(),
        REGION,
        &["--fail-on", "none", "--strict"],
    );
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr.contains("collection incomplete under --strict (1 gaps)"),
        "{stderr}"
    );
    assert_eq!(pairs(&report, "not_assessed"), expected);
    let file = b.work.path("strict.json");
    let out = b
        .work
        .live(
            "collect",
            &proxy.endpoint(),
            REGION,
            &["--strict", "-o", file.to_str().expect("utf-8")],
        )
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(
        live::read_json(&file)["gaps"].as_array().map(Vec::len),
        Some(1)
    );
}

#[test]
fn denied_listings_of_a_regional_service_are_gaps_of_that_region() {
    let b = baseline();
    let proxy = Proxy::start(b.moto.port, |req, up| {
        if req.service() == "kms" {
            denied(req)
        } else {
            up.send(req)
        }
    });
    let (snapshot, _) = b.work.collect(&proxy.endpoint(), REGION, &[]);
    let gaps: Vec<(String, String, String, Option<String>)> = snapshot["gaps"]
        .as_array()
        .expect("gaps")
        .iter()
        .map(|g| {
            (
                g["service"].as_str().unwrap_or_default().into(),
                g["region"].as_str().unwrap_or_default().into(),
                format!(
                    "{}/{}",
                    g["operation"].as_str().unwrap_or_default(),
                    g["error_code"].as_str().unwrap_or_default()
                ),
                g["resource"].as_str().map(String::from),
            )
        })
        .collect();
    assert_eq!(
        gaps,
        vec![
            (
                "kms".into(),
                REGION.into(),
                "ListAliases/AccessDeniedException".into(),
                None
            ),
            (
                "kms".into(),
                REGION.into(),
                "ListKeys/AccessDeniedException".into(),
                None
            ),
        ]
    );
    assert_eq!(snapshot["regions"][REGION]["kms"]["keys"], json!([]));
    let path: &[&str] = &["regions", REGION, "kms"];
    assert_eq!(
        without(&snapshot, &[path, &["gaps"]]),
        without(&b.snapshot, &[path, &["gaps"]])
    );
    let (report, _, _) = b
        .work
        .scan(&proxy.endpoint(), REGION, &["--fail-on", "none"]);
    assert!(
        pairs(&report, "fail").contains(&("LP-001".to_string(), b.insecure.role_arn.clone())),
        "IAM rules still judge"
    );
    let kms_rules = rules_reading("kms:ListKeys");
    let expected: BTreeSet<(String, String)> = kms_rules
        .iter()
        .map(|r| (r.clone(), format!("arn:aws:kms:{REGION}:{ACCOUNT}:*")))
        .collect();
    assert_eq!(pairs(&report, "not_assessed"), expected);
}

#[test]
fn a_denied_call_about_one_resource_is_a_gap_naming_it() {
    let b = baseline();
    let proxy = Proxy::start(b.moto.port, |req, up| {
        match (req.service().as_str(), req.operation().as_str()) {
            ("kms", "GetKeyPolicy")
            | ("sagemaker", "DescribeNotebookInstance")
            | ("s3", "GetBucketPolicy") => denied(req),
            ("kms", "GetKeyRotationStatus") => aws_error(
                req,
                400,
                "KMSInvalidStateException",
                "key is pending import",
            ),
            _ => up.send(req),
        }
    });
    let (snapshot, _) = b.work.collect(&proxy.endpoint(), REGION, &[]);
    let mut gaps: Vec<String> = snapshot["gaps"]
        .as_array()
        .expect("gaps")
        .iter()
        .map(|g| {
            format!(
                "{} {} {} {} {}",
                g["service"].as_str().unwrap_or_default(),
                g["region"].as_str().unwrap_or_default(),
                g["operation"].as_str().unwrap_or_default(),
                g["resource"].as_str().unwrap_or("-"),
                g["error_code"].as_str().unwrap_or_default()
            )
        })
        .collect();
    gaps.sort();
    let keys: Vec<String> = live::ids(&b.snapshot["regions"][REGION]["kms"]["keys"], "Arn");
    assert_eq!(keys.len(), 2);
    let mut expected = vec![
        format!(
            "s3 {REGION} GetBucketPolicy {} AccessDenied",
            b.insecure.bucket
        ),
        format!(
            "sagemaker {REGION} DescribeNotebookInstance ml-open-notebook AccessDeniedException"
        ),
    ];
    for k in &keys {
        expected.push(format!(
            "kms {REGION} GetKeyPolicy {k} AccessDeniedException"
        ));
        expected.push(format!(
            "kms {REGION} GetKeyRotationStatus {k} KMSInvalidStateException"
        ));
    }
    expected.sort();
    assert_eq!(gaps, expected);

    // What could be read is kept: the key without its policy and rotation status, the
    // notebook with what ListNotebookInstances told.
    let region = &snapshot["regions"][REGION];
    for key in region["kms"]["keys"].as_array().expect("keys") {
        assert!(
            key.get("Policy").is_none() && key.get("KeyRotationEnabled").is_none(),
            "{key:#}"
        );
        assert_eq!(key["KeyManager"], "CUSTOMER");
    }
    let nb = find(
        &region["sagemaker"]["notebook_instances"],
        "NotebookInstanceName",
        "ml-open-notebook",
    );
    assert_eq!(nb["NotebookInstanceArn"], b.insecure.notebook_arn);
    assert!(nb.get("DirectInternetAccess").is_none(), "{nb:#}");
    let bucket = find(&snapshot["s3"]["buckets"], "Name", &b.insecure.bucket);
    assert_eq!(bucket["Region"], REGION);
    assert!(bucket.get("Policy").is_none());
    assert_eq!(
        without(
            &snapshot,
            &[
                &["regions", REGION, "kms"],
                &["regions", REGION, "sagemaker", "notebook_instances"],
                &["gaps"]
            ]
        ),
        without(
            &b.snapshot,
            &[
                &["regions", REGION, "kms"],
                &["regions", REGION, "sagemaker", "notebook_instances"],
                &["gaps"]
            ]
        ),
    );
}

#[test]
fn the_account_public_access_block_decides_de011_and_unread_it_is_not_assessed() {
    let b = baseline();
    let bucket_arn = format!("arn:aws:s3:::{}", b.insecure.bucket);
    let de011 = ("DE-011".to_string(), bucket_arn.clone());
    // moto answers NoSuchPublicAccessBlockConfiguration: recorded as every setting off, and
    // the bucket, which has no block of its own, fails.
    let all = |on: bool| json!({"BlockPublicAcls": on, "IgnorePublicAcls": on, "BlockPublicPolicy": on, "RestrictPublicBuckets": on});
    assert_eq!(b.snapshot["s3"]["account_public_access_block"], all(false));
    assert!(pairs(&b.report, "fail").contains(&de011));

    // Blocked for the account: one S3 Control call reads it and the bucket passes.
    let aws = Aws::new(&b.moto.endpoint(), REGION);
    aws.run(aws.account_public_access_block(true));
    let (snapshot, stderr) = b
        .work
        .collect(&b.moto.endpoint(), REGION, &["--stats", "-vv"]);
    assert_eq!(snapshot["s3"]["account_public_access_block"], all(true));
    assert_eq!(
        live::calls(&stderr)["s3control:GetPublicAccessBlock"].0,
        1,
        "{stderr}"
    );
    let report = b.work.audit(&b.work.path("snapshot.json"));
    assert!(!pairs(&report, "fail").contains(&de011));
    assert!(!pairs(&report, "not_assessed").contains(&de011));
    let tally = report["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .find(|r| r["id"] == "DE-011")
        .expect("DE-011 ran");
    assert!(tally["passed"].as_u64() >= Some(1), "{tally:#}");

    // Denied: a gap naming the account, no field, and the bucket is not assessed, not passed.
    let proxy = Proxy::start(b.moto.port, |req, up| {
        if req.service() == "s3control" && req.operation() == "GetPublicAccessBlock" {
            denied(req)
        } else {
            up.send(req)
        }
    });
    let (snapshot, _) = b.work.collect(&proxy.endpoint(), REGION, &[]);
    assert_eq!(
        snapshot["gaps"],
        json!([{
            "service": "s3control", "region": "global", "operation": "GetPublicAccessBlock",
            "resource": ACCOUNT, "error_code": "AccessDenied",
            "message": "User: arn:aws:iam::123456789012:user/auditor is not authorized to perform: s3control:GetPublicAccessBlock"
        }])
    );
    assert!(snapshot["s3"].get("account_public_access_block").is_none());
    assert_eq!(
        without(
            &snapshot,
            &[&["s3", "account_public_access_block"], &["gaps"]]
        ),
        without(
            &b.snapshot,
            &[&["s3", "account_public_access_block"], &["gaps"]]
        ),
    );
    let report = b.work.audit(&b.work.path("snapshot.json"));
    assert!(
        pairs(&report, "not_assessed").contains(&de011),
        "{report:#}"
    );
    assert!(!pairs(&report, "fail").contains(&de011));
    let finding = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule_id"] == "DE-011" && f["resource"]["arn"] == bucket_arn.as_str())
        .expect("the DE-011 finding");
    assert!(
        finding["message"]
            .as_str()
            .is_some_and(|m| m.contains("s3control:GetPublicAccessBlock failed (AccessDenied)")),
        "{finding:#}"
    );
}

/// `<RoleLastUsed>` as AWS sends it in a RoleDetail: with a date and region, or empty when
/// the role was not used in the tracking window.
const USED: &str = "<RoleLastUsed><LastUsedDate>2026-11-20T08:00:00Z</LastUsedDate><Region>eu-west-1</Region></RoleLastUsed>";

/// GetAccountAuthorizationDetails carries RoleLastUsed in each RoleDetail (AWS documents it
/// there): GetRole is called only for the roles whose RoleDetail lacks it.
#[test]
fn role_last_used_comes_from_account_authorization_details_when_present() {
    let moto = Moto::start();
    let aws = Aws::new(&moto.endpoint(), REGION);
    seed::insecure(&aws);
    seed::lab(&aws);
    for name in ["ml-batch-role", "ml-pipeline-role"] {
        aws.run(aws.role(name, seed::SAGEMAKER_TRUST, &[]));
    }
    let work = Workdir::new();
    let args = ["--role-last-used", "--stats", "-vv"];
    let last_used = |snapshot: &Value| -> Vec<Value> {
        snapshot["iam"]["roles"]
            .as_array()
            .expect("roles")
            .iter()
            .map(|r| r.get("RoleLastUsed").cloned().unwrap_or(Value::Null))
            .collect()
    };
    let get_role_calls = |stderr: &str| live::calls(stderr).get("iam:GetRole").map_or(0, |c| c.0);

    // moto 5.2.5 sends an empty <RoleLastUsed/> in every RoleDetail: kept as {} (present,
    // not used in the tracking window), and no GetRole at all.
    let (snapshot, stderr) = work.collect(&moto.endpoint(), REGION, &args);
    let roles = last_used(&snapshot).len();
    assert_eq!(roles, 4, "{snapshot:#}");
    assert_eq!(get_role_calls(&stderr), 0, "{stderr}");
    assert_eq!(last_used(&snapshot), vec![json!({}); roles]);

    // Without the element (an implementation that leaves it out): one GetRole per role.
    let proxy = Proxy::start(
        moto.port,
        proxy::rewrite_role_details(|_, role| proxy::without_role_last_used(role)),
    );
    let (snapshot, stderr) = work.collect(&proxy.endpoint(), REGION, &args);
    assert_eq!(get_role_calls(&stderr), roles as u64, "{stderr}");
    assert_eq!(last_used(&snapshot), vec![json!({}); roles]);
    drop(proxy);

    // The first role used (as AWS reports it), the odd ones without the element: GetRole
    // for the odd ones only, and the date and region read from the RoleDetail.
    let proxy = Proxy::start(
        moto.port,
        proxy::rewrite_role_details(|i, role| {
            let bare = proxy::without_role_last_used(role);
            match i {
                0 => bare.replacen("<member>", &format!("<member>{USED}"), 1),
                i if i % 2 == 1 => bare,
                _ => role.to_string(),
            }
        }),
    );
    let (snapshot, stderr) = work.collect(&proxy.endpoint(), REGION, &args);
    assert_eq!(get_role_calls(&stderr), (roles / 2) as u64, "{stderr}");
    let read = last_used(&snapshot);
    let used = json!({"LastUsedDate": "2026-11-20T08:00:00Z", "Region": "eu-west-1"});
    assert_eq!(read.iter().filter(|u| **u == used).count(), 1, "{read:?}");
    assert_eq!(
        read.iter().filter(|u| **u == json!({})).count(),
        roles - 1,
        "{read:?}"
    );
    assert_eq!(snapshot["gaps"], json!([]));

    // With no selected rule reading it (LP-001 alone), GetRole is never called, and what the
    // RoleDetails carried is kept.
    let saved = work.path("saved.json");
    let (_, code, stderr) = work.scan(
        &proxy.endpoint(),
        REGION,
        &[
            "--select",
            "LP-001",
            "--fail-on",
            "none",
            "--stats",
            "-vv",
            "--save-snapshot",
            saved.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(get_role_calls(&stderr), 0, "{stderr}");
    let snapshot = live::read_json(&saved);
    let read = last_used(&snapshot);
    assert_eq!(read.iter().filter(|u| **u == used).count(), 1, "{read:?}");
    assert_eq!(
        read.iter().filter(|u| u.is_null()).count(),
        roles / 2,
        "absent where the RoleDetail lacked it: {read:?}"
    );
}
