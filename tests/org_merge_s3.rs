//! `mlguard org merge --in s3://bucket/prefix` against moto's S3: the parts are read from the
//! bucket, the org-wide reports (including the partitioned OCSF) are written back to it, and
//! they match a merge of the same parts from a directory.
#![cfg(feature = "aws")]

mod common;
#[path = "common/moto.rs"]
mod moto;
#[path = "common/org_layout.rs"]
mod org_layout;
#[path = "common/seed.rs"]
mod seed;

use aws_sdk_s3::primitives::ByteStream;
use common::{mlguard, stderr_of};
use moto::Moto;
use org_layout::{Kind, account_id, org, walk};
use seed::Aws;
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
