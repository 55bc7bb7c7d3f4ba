//! `mlguard org merge` against moto: `--in s3://bucket/prefix` with the org-wide reports
//! (including the partitioned OCSF) written back to the bucket; and the output of a real
//! `org scan`, sharded and whole, merged to the same report.

use crate::common::moto::Moto;
use crate::common::org_layout::{Kind, account_id, org, walk};
use crate::common::seed::Aws;
use crate::common::{mlguard, stderr_of};
use aws_sdk_s3::primitives::ByteStream;
use serde_json::Value;

const BUCKET: &str = "mlguard-org-runs";

fn get(aws: &Aws, key: &str) -> Option<Vec<u8>> {
    let s3 = aws.s3();
    aws.run(async {
        let out = s3.get_object().bucket(BUCKET).key(key).send().await.ok()?;
        Some(out.body.collect().await.ok()?.into_bytes().to_vec())
    })
}

fn keys(aws: &Aws, prefix: &str) -> Vec<String> {
    let s3 = aws.s3();
    aws.run(async {
        let mut keys = Vec::new();
        let mut pages = s3
            .list_objects_v2()
            .bucket(BUCKET)
            .prefix(prefix)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            for o in page.expect("list").contents() {
                keys.push(o.key().unwrap_or_default().to_string());
            }
        }
        keys.sort();
        keys
    })
}

#[test]
fn merges_from_and_to_s3() {
    let moto = Moto::start();
    let aws = Aws::new(&moto.endpoint(), "us-east-1");
    let s3 = aws.s3();
    aws.run(s3.create_bucket().bucket(BUCKET).send())
        .expect("bucket");
    let org = org(&[Kind::Ok, Kind::Failed, Kind::Ok, Kind::Missing]);
    // The scan output, uploaded as `org scan --out s3://...` lays it out.
    for file in walk(&org.out()) {
        let key = format!(
            "run-1/{}",
            file.strip_prefix(org.out())
                .expect("under")
                .to_string_lossy()
        );
        let body = std::fs::read(&file).expect("read");
        aws.run(
            s3.put_object()
                .bucket(BUCKET)
                .key(&key)
                .body(ByteStream::from(body))
                .send(),
        )
        .expect("put");
    }
    let out = mlguard()
        .env("AWS_ENDPOINT_URL", moto.endpoint())
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .args([
            "org",
            "merge",
            "--in",
            &format!("s3://{BUCKET}/run-1"),
            "--fail-on",
            "none",
            "--format",
            &format!("json=s3://{BUCKET}/run-1/merged/report.json"),
            "--format",
            &format!("sarif=s3://{BUCKET}/run-1/merged/mlguard.sarif"),
            "--format",
            &format!("ocsf=s3://{BUCKET}/run-1/merged/ocsf"),
            "--format",
            "table",
        ])
        .output()
        .expect("runs");
    let err = stderr_of(&out);
    // One account failed, one is missing: exit 5, both named.
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(
        err.contains(&format!("error: account {} failed", account_id(1))),
        "{err}"
    );
    assert!(
        err.contains(&format!("error: account {} is missing", account_id(3))),
        "{err}"
    );
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("4 accounts (2 ok, 0 partial, 1 failed, 1 missing)")
    );

    let doc: Value =
        serde_json::from_slice(&get(&aws, "run-1/merged/report.json").expect("json report"))
            .expect("json");
    assert_eq!(doc["summary"]["accounts"]["total"], 4);
    assert_eq!(doc["input"], format!("s3://{BUCKET}/run-1"));
    let total: usize = org.fingerprints.values().map(|f| f.len()).sum();
    assert_eq!(doc["findings"].as_array().map(Vec::len), Some(total));
    for f in doc["findings"].as_array().expect("findings") {
        let account = f["account_id"].as_str().expect("account");
        assert!(org.fingerprints[account].contains(f["fingerprint"].as_str().expect("fp")));
    }
    let sarif: Value =
        serde_json::from_slice(&get(&aws, "run-1/merged/mlguard.sarif").expect("sarif"))
            .expect("json");
    assert_eq!(sarif["runs"].as_array().map(Vec::len), Some(2));
    // The partitioned OCSF under the prefix: a file per (region, account), for both accounts
    // with a report.
    let ocsf = keys(&aws, "run-1/merged/ocsf/");
    assert!(!ocsf.is_empty());
    for key in &ocsf {
        assert!(key.ends_with("/eventDay=20261126/findings.jsonl"), "{key}");
        assert!(
            key.contains(&format!("accountId={}", account_id(0)))
                || key.contains(&format!("accountId={}", account_id(2))),
            "{key}"
        );
    }
    let events: usize = ocsf
        .iter()
        .map(|k| {
            String::from_utf8(get(&aws, k).expect("ocsf"))
                .expect("utf-8")
                .lines()
                .count()
        })
        .sum();
    assert_eq!(events, total);

    // An unreadable bucket is an input error naming the location, with a hint.
    let out = mlguard()
        .env("AWS_ENDPOINT_URL", moto.endpoint())
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .args(["org", "merge", "--in", "s3://no-such-bucket-here/run-1"])
        .output()
        .expect("runs");
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("no-such-bucket-here"), "{err}");
    assert!(err.contains("help:"), "{err}");
}

/// The real `org scan` output, merged: three shards written into one OUT merge to the same
/// org-wide report as one unsharded run (findings, accounts, scores), and the merge checks
/// the manifest copy the scan wrote.
#[test]
fn shards_of_a_real_scan_merge_to_the_unsharded_result() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let cmd = |args: &[&str]| {
        let out = mlguard()
            .env("AWS_ENDPOINT_URL", moto.endpoint())
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "us-east-1")
            .current_dir(dir.path())
            .args(args)
            .output()
            .expect("runs");
        (out.status.code(), stderr_of(&out))
    };
    let (code, err) = cmd(&[
        "org",
        "plan",
        "--accounts",
        "111111111111,222222222222,333333333333",
        "-o",
        "manifest.json",
    ]);
    assert_eq!(code, Some(0), "{err}");
    let scan = |out: &str, shard: Option<&str>| {
        let mut args = vec![
            "org",
            "scan",
            "--manifest",
            "manifest.json",
            "--member-role",
            "mlguard-scan",
            "--out",
            out,
            "--region",
            "us-east-1",
            "--regions",
            "us-east-1",
            "--fail-on",
            "none",
        ];
        if let Some(s) = shard {
            args.extend(["--shard", s]);
        }
        let (code, err) = cmd(&args);
        assert_eq!(code, Some(0), "{err}");
    };
    scan("whole", None);
    for k in ["1/3", "2/3", "3/3"] {
        scan("sharded", Some(k));
    }
    let merged = |out: &str| -> Value {
        let (code, err) = cmd(&[
            "org",
            "merge",
            "--in",
            out,
            "--fail-on",
            "none",
            "--format",
            &format!("json={out}-merged.json"),
        ]);
        assert_eq!(code, Some(0), "{err}");
        let mut doc: Value = serde_json::from_slice(
            &std::fs::read(dir.path().join(format!("{out}-merged.json"))).expect("read"),
        )
        .expect("json");
        doc.as_object_mut().expect("object").remove("input");
        // Each run collected at its own time.
        for a in doc["accounts"].as_array_mut().expect("accounts") {
            a.as_object_mut().expect("account").remove("collected_at");
        }
        doc
    };
    let whole = merged("whole");
    let sharded = merged("sharded");
    assert_eq!(whole["summary"]["accounts"]["ok"], 3, "{whole}");
    assert!(!whole["findings"].as_array().expect("findings").is_empty());
    assert_eq!(whole, sharded);
    // The manifest copy the scan wrote is what merge checked the parts against.
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("manifest.json")).expect("manifest"))
            .expect("json");
    assert_eq!(whole["manifest"]["sha256"], manifest["sha256"]);
    assert_eq!(whole["manifest"]["read"], true);
}
