//! Bad input to `remediate --apply` and `rollback`: a missing, malformed or foreign plan or
//! journal is refused with exit 2 and a message that names the file (and the line), with a
//! `help:` line, before anything reaches AWS. Never a panic.

use crate::common;
use crate::common::{mlguard, stderr_of};

/// Nothing listens there: a command that got as far as AWS would fail differently.
const NOWHERE: &str = "http://127.0.0.1:9";

/// mlguard with test credentials and an endpoint where nothing listens.
fn offline(args: &[&str]) -> std::process::Output {
    mlguard()
        .args(args)
        .args(["--endpoint-url", NOWHERE])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("runs")
}

fn refused(args: &[&str], expect: &[&str]) {
    let out = offline(args);
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains("help:"), "{args:?}: no hint in {stderr}");
    for e in expect {
        assert!(stderr.contains(e), "{args:?}: {e:?} not in {stderr}");
    }
}

#[test]
fn a_missing_or_malformed_plan_is_refused_with_its_name_and_position() {
    let dir = tempfile::tempdir().expect("dir");
    let path = |name: &str| dir.path().join(name).to_string_lossy().to_string();

    let missing = path("missing.json");
    refused(
        &["remediate", "--apply", &missing, "--yes"],
        &["cannot read plan", &missing],
    );

    let truncated = path("truncated.json");
    std::fs::write(&truncated, "{\"plan_version\": 1,\n \"actions\": [").expect("write");
    refused(
        &["remediate", "--apply", &truncated, "--yes"],
        &[&format!("{truncated}:2:"), "not a valid mlguard plan"],
    );

    let shapeless = path("shapeless.json");
    std::fs::write(
        &shapeless,
        r#"{"plan_version": 1, "actions": [{"rule_id": 7}]}"#,
    )
    .expect("write");
    refused(
        &["remediate", "--apply", &shapeless, "--yes"],
        &[&shapeless, "not a valid mlguard plan"],
    );

    let versionless = path("versionless.json");
    std::fs::write(&versionless, r#"{"actions": []}"#).expect("write");
    refused(
        &["remediate", "--apply", &versionless, "--yes"],
        &[&versionless, "plan_version"],
    );

    let snapshot = common::root().join("fixtures/lab-insecure.json");
    refused(
        &[
            "remediate",
            "--apply",
            snapshot.to_str().expect("utf-8"),
            "--yes",
        ],
        &["fixtures/lab-insecure.json", "plan_version"],
    );
}

#[test]
fn a_missing_or_malformed_journal_is_refused_with_its_name_and_line() {
    let dir = tempfile::tempdir().expect("dir");
    let path = |name: &str| dir.path().join(name).to_string_lossy().to_string();

    let missing = path("missing.jsonl");
    refused(
        &["rollback", &missing, "--yes"],
        &["cannot read journal", &missing],
    );

    let empty = path("empty.jsonl");
    std::fs::write(&empty, "").expect("write");
    refused(&["rollback", &empty, "--yes"], &[&empty, "no start record"]);

    let start = r#"{"record":"start","time":"2026-11-26T00:00:00.000Z","phase":"apply","account_id":"123456789012","tool_version":"0.1.0","plan_kind":"remediate"}"#;
    let garbled = path("garbled.jsonl");
    std::fs::write(
        &garbled,
        format!("{start}\n{{\"record\":\"begin\",\"oops\":true}}\n{start}\n"),
    )
    .expect("write");
    refused(
        &["rollback", &garbled, "--yes"],
        &[&format!("{garbled}:2:"), "not a journal record"],
    );

    let plan_not_journal = path("plan.json");
    std::fs::write(&plan_not_journal, "{\n\"plan_version\": 1\n}\n").expect("write");
    refused(
        &["rollback", &plan_not_journal, "--yes"],
        &[&plan_not_journal],
    );

    let binary = path("binary.jsonl");
    std::fs::write(&binary, [0xffu8, 0xfe, 0x00, 0x01, b'\n', 0xff]).expect("write");
    refused(&["rollback", &binary, "--yes"], &[&binary]);
}

#[test]
fn an_apply_that_cannot_reach_the_account_writes_no_journal() {
    let dir = tempfile::tempdir().expect("dir");
    let plan = dir.path().join("plan.json");
    let out = mlguard()
        .args([
            "remediate",
            "--snapshot",
            "fixtures/lab-insecure.json",
            "--max-age",
            "0",
            "-o",
        ])
        .arg(&plan)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    // Applying needs the account first; with nothing listening the error names the endpoint
    // problem, exits 2, and no journal is left behind.
    let journal = dir.path().join("j.jsonl");
    let (plan, journal_arg) = (plan.to_string_lossy(), journal.to_string_lossy());
    let out = offline(&[
        "remediate",
        "--apply",
        &plan,
        "--yes",
        "--max-attempts",
        "1",
        "--journal",
        &journal_arg,
    ]);
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains("help:"), "{stderr}");
    assert!(!journal.exists(), "a journal was written before any change");
}
