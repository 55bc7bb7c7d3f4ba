//! `mlguard org merge` over synthetic organizations laid out as `org scan` writes them
//! (org-contract.md): per-account reports from the snapshot generator, audited with the
//! built-in policies, each under its own account id; status.json commit markers; the manifest
//! copy. Every format, the exit codes, what is refused, and that no finding changes account.

use crate::common::org_layout::{Kind, Org, account_id, org, read_json, status, walk};
use crate::common::{self, org_layout, sarif_validate};
use crate::common::{mlguard, stderr_of, stdout_of};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

fn merge(org: &Org, args: &[&str]) -> std::process::Output {
    mlguard()
        .args(["org", "merge", "--in"])
        .arg(org.out())
        .args(args)
        .output()
        .expect("runs")
}

fn formats(m: &Path) -> Vec<String> {
    vec![
        "--format".into(),
        "table".into(),
        "--format".into(),
        format!("json={}", m.join("org.json").display()),
        "--format".into(),
        format!("sarif={}", m.join("org.sarif").display()),
        "--format".into(),
        format!("ocsf={}", m.join("ocsf").display()),
        "--format".into(),
        format!("asff={}", m.join("asff.json").display()),
        "--format".into(),
        format!("html={}", m.join("org.html").display()),
    ]
}

#[test]
fn every_format_keeps_each_finding_in_its_account() {
    let kinds = [
        Kind::Ok,
        Kind::Partial,
        Kind::Failed,
        Kind::Ok,
        Kind::Missing,
    ];
    let org = org(&kinds);
    let m = org.dir.path().join("merged");
    let args = formats(&m);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = merge(&org, &args);
    let (stdout, stderr) = (stdout_of(&out), stderr_of(&out));
    // An account failed and one is missing: exit 5, each named with its reason.
    assert_eq!(out.status.code(), Some(5), "{stderr}");
    let failed = account_id(2);
    let missing = account_id(4);
    assert!(
        stderr.contains(&format!(
            "error: account {failed} failed: assume_role_denied"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("help: deploy the member role"), "{stderr}");
    assert!(
        stderr.contains(&format!("error: account {missing} is missing")),
        "{stderr}"
    );
    // The table: every account, worst (no report) first, and the failed one's hint.
    assert!(
        stdout.contains("5 accounts (2 ok, 1 partial, 1 failed, 1 missing)"),
        "{stdout}"
    );
    let pos = |id: &str| {
        stdout
            .find(id)
            .unwrap_or_else(|| panic!("{id} in {stdout}"))
    };
    assert!(pos(&failed) < pos(&account_id(0)) && pos(&missing) < pos(&account_id(0)));
    assert!(stdout.contains("Failed accounts (1):"), "{stdout}");
    assert!(stdout.contains("Missing accounts (1):"), "{stdout}");

    // JSON: every finding carries its account, and each account's findings are exactly its
    // report's.
    let doc = read_json(&m.join("org.json"));
    assert_eq!(doc["kind"], "organization");
    assert_eq!(doc["manifest"]["sha256"], org.manifest_sha256.as_str());
    assert_eq!(doc["summary"]["accounts"]["total"], 5);
    assert_eq!(doc["summary"]["failed_accounts"], json!([failed]));
    assert_eq!(doc["summary"]["missing_accounts"], json!([missing]));
    let mut seen: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in doc["findings"].as_array().expect("findings") {
        let account = f["account_id"].as_str().expect("account_id");
        assert_eq!(f["resource"]["account_id"], account, "{f}");
        let arn = f["resource"]["arn"].as_str().expect("arn");
        assert!(
            !org.fingerprints
                .keys()
                .any(|other| other != account && arn.contains(other.as_str())),
            "{arn} names another account than {account}"
        );
        seen.entry(account.to_string())
            .or_default()
            .insert(f["fingerprint"].as_str().expect("fp").to_string());
    }
    assert_eq!(seen, org.fingerprints);
    let total: usize = org.fingerprints.values().map(BTreeSet::len).sum();
    assert!(total > 0);
    let accounts = doc["accounts"].as_array().expect("accounts");
    assert_eq!(accounts.len(), 5);
    assert_eq!(accounts[0]["account_id"], failed.as_str());
    assert_eq!(accounts[0]["error"]["class"], "assume_role_denied");
    assert!(accounts[0]["score"].is_null());
    assert!(accounts[1]["score"].is_null());
    assert_eq!(
        doc["summary"]["failed"].as_u64(),
        Some(
            accounts
                .iter()
                .map(|a| a["failed"].as_u64().expect("n"))
                .sum::<u64>()
        )
    );

    // ASFF: one finding each, in its own account.
    let asff = read_json(&m.join("asff.json"));
    let asff = asff.as_array().expect("array");
    assert_eq!(asff.len(), total);
    for f in asff {
        let account = f["AwsAccountId"].as_str().expect("account");
        assert!(org.fingerprints.contains_key(account));
        assert!(f["ProductArn"].as_str().expect("arn").contains(account));
    }

    // OCSF: JSON lines partitioned region=/accountId=/eventDay=, each event in its partition.
    let mut events = 0;
    for entry in walk(&m.join("ocsf")) {
        let rel = entry
            .strip_prefix(m.join("ocsf"))
            .expect("under")
            .to_string_lossy()
            .to_string();
        let parts: Vec<&str> = rel.split('/').collect();
        assert_eq!(parts.len(), 4, "{rel}");
        let region = parts[0].strip_prefix("region=").expect("region=");
        let account = parts[1].strip_prefix("accountId=").expect("accountId=");
        assert_eq!(parts[2], "eventDay=20261126", "{rel}");
        assert_eq!(parts[3], "findings.jsonl");
        for line in std::fs::read_to_string(&entry).expect("read").lines() {
            let ev: Value = serde_json::from_str(line).expect("a JSON line");
            assert_eq!(ev["class_uid"], 2003);
            assert_eq!(ev["cloud"]["account"]["uid"], account, "{rel}");
            assert_eq!(ev["cloud"]["region"], region, "{rel}");
            events += 1;
        }
    }
    assert_eq!(events, total);

    // SARIF: one run per account with a report, each its own category.
    let sarif = read_json(&m.join("org.sarif"));
    let runs = sarif["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 3);
    for run in runs {
        let id = run["automationDetails"]["id"].as_str().expect("id");
        let account = id
            .strip_prefix("mlguard/")
            .and_then(|r| r.strip_suffix('/'))
            .expect("mlguard/<account>/");
        let results = run["results"].as_array().expect("results");
        assert_eq!(results.len(), org.fingerprints[account].len());
        for r in results {
            assert_eq!(r["properties"]["accountId"], account);
        }
    }
    let without = &sarif["properties"]["mlguard"]["accountsWithoutRun"];
    assert_eq!(without.as_array().map(Vec::len), Some(2), "{without}");

    // HTML: an overview linking to a drill-down per account.
    let page = std::fs::read_to_string(m.join("org.html")).expect("html");
    for n in 0..5 {
        let id = account_id(n);
        assert!(page.contains(&format!(r##"href="#account-{id}""##)), "{id}");
        assert!(page.contains(&format!(r#"id="account-{id}""#)), "{id}");
    }
    assert_eq!(page.matches(r#"<tr class="finding "#).count(), total);
    assert!(page.contains("assume_role_denied"));
    // No staging file is left behind.
    for entry in walk(&m) {
        let name = entry
            .file_name()
            .expect("name")
            .to_string_lossy()
            .to_string();
        assert!(!name.starts_with(".mlguard-"), "{}", entry.display());
    }
}

#[test]
fn exit_code_follows_fail_on_when_every_account_is_in() {
    let org = org(&[Kind::Ok, Kind::Ok]);
    let out = merge(&org, &["--fail-on", "critical", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json on stdout");
    assert!(doc["summary"]["gating"].as_u64().expect("gating") > 0);
    assert_eq!(doc["summary"]["fail_on"], "critical");
    let out = merge(&org, &["--fail-on", "none"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(stdout_of(&out).contains("2 accounts (2 ok, 0 partial, 0 failed, 0 missing)"));
    // fail_on from the config file.
    let config = org.dir.path().join("mlguard.toml");
    std::fs::write(&config, "fail_on = \"none\"\n").expect("write");
    let out = merge(&org, &["--config", config.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
}

#[test]
fn mixed_manifests_are_refused_before_anything_is_written() {
    let org = org(&[Kind::Ok, Kind::Ok, Kind::Ok]);
    let id = account_id(1);
    let status = org.out().join("accounts").join(&id).join("status.json");
    let mut doc = read_json(&status);
    doc["manifest_sha256"] = json!("f".repeat(64));
    std::fs::write(&status, serde_json::to_vec(&doc).expect("json")).expect("write");
    let json_out = org.dir.path().join("merged/org.json");
    let out = merge(&org, &["--format", &format!("json={}", json_out.display())]);
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(&status.display().to_string()), "{err}");
    assert!(err.contains("different runs"), "{err}");
    assert!(err.contains("help:"), "{err}");
    assert!(!json_out.exists());
}

#[test]
fn malformed_parts_are_named() {
    let org = org(&[Kind::Ok, Kind::Ok]);
    let report = org
        .out()
        .join("accounts")
        .join(account_id(1))
        .join("report.json");
    std::fs::write(&report, b"{\"report_version\": 1, \"metadata\": ").expect("write");
    let out = merge(&org, &[]);
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(&report.display().to_string()), "{err}");

    // A manifest copy edited after it was hashed.
    let org = org_layout::org(&[Kind::Ok]);
    let manifest = org.out().join("manifest.json");
    let mut doc = read_json(&manifest);
    doc["accounts"][0]["name"] = json!("renamed");
    std::fs::write(&manifest, serde_json::to_vec(&doc).expect("json")).expect("write");
    let out = merge(&org, &[]);
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(&manifest.display().to_string()), "{err}");
    assert!(err.contains("the file was edited"), "{err}");

    // A status.json for an account the manifest does not hold.
    let org = org_with_stranger();
    let out = merge(&org, &[]);
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("is not in the manifest"), "{err}");
}

fn org_with_stranger() -> Org {
    let org = org(&[Kind::Ok]);
    let stranger = org.out().join("accounts/999999999999");
    std::fs::create_dir_all(&stranger).expect("mkdir");
    std::fs::write(
        stranger.join("status.json"),
        serde_json::to_vec(&status("999999999999", &org.manifest_sha256, Kind::Failed))
            .expect("json"),
    )
    .expect("write");
    org
}

/// A destination that cannot be written fails the merge (exit 2) and leaves every other
/// report unwritten: all are staged, then put in place together.
#[test]
fn a_failed_destination_leaves_no_report() {
    let org = org(&[Kind::Ok]);
    let blocker = org.dir.path().join("not-a-dir");
    std::fs::write(&blocker, "x").expect("write");
    let json_out = org.dir.path().join("merged/org.json");
    let out = merge(
        &org,
        &[
            "--format",
            &format!("json={}", json_out.display()),
            "--format",
            &format!("sarif={}/org.sarif", blocker.display()),
        ],
    );
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("not-a-dir"), "{err}");
    assert!(!json_out.exists());
}

/// GitHub code scanning accepts at most 20 runs per SARIF file: with more accounts the SARIF
/// keeps the 20 the table lists first and says which it left out; the JSON keeps them all.
#[test]
fn sarif_keeps_to_githubs_run_limit() {
    let org = org(&[Kind::Ok]);
    let base = std::fs::read_to_string(
        org.out()
            .join("accounts")
            .join(account_id(0))
            .join("report.json"),
    )
    .expect("report");
    let template = account_id(0);
    for n in 1..23 {
        let id = format!("{:012}", 300_000_000_000u64 + n);
        let acc = org.out().join("accounts").join(&id);
        std::fs::create_dir_all(&acc).expect("mkdir");
        std::fs::write(acc.join("report.json"), base.replace(&template, &id)).expect("write");
        std::fs::write(
            acc.join("status.json"),
            serde_json::to_vec(&status(&id, &org.manifest_sha256, Kind::Ok)).expect("json"),
        )
        .expect("write");
    }
    // Without the manifest copy (these accounts are not in it).
    std::fs::remove_file(org.out().join("manifest.json")).expect("rm");
    let sarif = org.dir.path().join("org.sarif");
    let json_out = org.dir.path().join("org.json");
    let out = merge(
        &org,
        &[
            "--fail-on",
            "none",
            "--format",
            &format!("sarif={}", sarif.display()),
            "--format",
            &format!("json={}", json_out.display()),
        ],
    );
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("3 accounts have findings but no run: GitHub code scanning accepts at most 20 runs per file"),
        "{err}"
    );
    assert!(err.contains("has no manifest.json"), "{err}");
    let log = read_json(&sarif);
    assert_eq!(log["runs"].as_array().map(Vec::len), Some(20));
    let cut = log["properties"]["mlguard"]["accountsWithoutRun"]
        .as_array()
        .expect("cut");
    assert_eq!(cut.len(), 3);
    let doc = read_json(&json_out);
    assert_eq!(doc["accounts"].as_array().map(Vec::len), Some(23));
}

/// The org-wide SARIF passes the SARIF 2.1.0 schema and Microsoft's validator with its
/// GitHub ingestion rules, like the single-account report (tests/it/sarif.rs).
#[test]
fn org_sarif_passes_the_schema_and_microsofts_validator() {
    let org = org(&[Kind::Ok, Kind::Partial, Kind::Failed, Kind::Missing]);
    let sarif = org.dir.path().join("org.sarif");
    let out = merge(&org, &["--format", &format!("sarif={}", sarif.display())]);
    assert_eq!(out.status.code(), Some(5), "{}", stderr_of(&out));

    sarif_validate::assert_valid(&[sarif], org.dir.path());
}

/// OCSF without a destination: every event as one JSON-lines stream on stdout (or --output).
#[test]
fn ocsf_without_destination_is_one_stream() {
    let org = org(&[Kind::Ok, Kind::Ok]);
    let out = merge(&org, &["--fail-on", "none", "--format", "ocsf"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let total: usize = org.fingerprints.values().map(BTreeSet::len).sum();
    let text = stdout_of(&out);
    let accounts: BTreeSet<String> = text
        .lines()
        .map(|l| {
            let ev: Value = serde_json::from_str(l).expect("a JSON line");
            ev["cloud"]["account"]["uid"]
                .as_str()
                .expect("account")
                .to_string()
        })
        .collect();
    assert_eq!(text.lines().count(), total);
    assert_eq!(accounts, org.fingerprints.keys().cloned().collect());
    // To --output, named however.
    let file = org.dir.path().join("events.out");
    let out = merge(
        &org,
        &[
            "--fail-on",
            "none",
            "--format",
            "ocsf",
            "--output",
            file.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(file.is_file());
    assert_eq!(
        std::fs::read_to_string(&file)
            .expect("read")
            .lines()
            .count(),
        total
    );
}

/// The org-wide HTML page in headless Chromium (the driver of tests/it/html.rs): it loads with no
/// console error (its Content-Security-Policy admits its own two styles and script), fetches
/// nothing, and the filters count every account's findings.
#[test]
fn org_html_renders_in_a_browser() {
    let dir = std::env::var("MLGUARD_NODE_DIR").unwrap_or_else(|_| {
        panic!("MLGUARD_NODE_DIR is not set: run the suite with scripts/test.sh, which installs playwright-core and Chromium")
    });
    let modules = Path::new(&dir).join("node_modules");
    let org = org(&[Kind::Ok, Kind::Failed, Kind::Partial]);
    let page = org.dir.path().join("org.html");
    let out = merge(&org, &["--format", &format!("html={}", page.display())]);
    assert_eq!(out.status.code(), Some(5), "{}", stderr_of(&out));
    let shot = org.dir.path().join("org.png");
    let out = Command::new("node")
        .arg(common::root().join("tests/browser/html_report.js"))
        .arg(&page)
        .arg(&shot)
        .env("NODE_PATH", &modules)
        .env("MLGUARD_CHROMIUM", "/usr/bin/chromium")
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "browser driver failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let seen: Value = serde_json::from_slice(&out.stdout).expect("driver prints JSON");
    assert_eq!(seen["requests"], json!([]), "the page fetched something");
    assert_eq!(seen["consoleErrors"], json!([]), "console errors");
    assert_eq!(seen["scriptCount"], 1);
    let total: usize = org.fingerprints.values().map(BTreeSet::len).sum();
    assert_eq!(
        seen["steps"]["initial"]["shown"],
        format!("{total} of {total} findings shown")
    );
    // Searching one ARN narrows the rows across every account.
    let search = seen["steps"]["searchFirstArn"]["shown"]
        .as_str()
        .expect("shown");
    assert!(!search.starts_with(&format!("{total} of")), "{search}");
    let text = seen["bodyText"].as_str().expect("text");
    for n in 0..3 {
        assert!(text.contains(&account_id(n)), "{}", account_id(n));
    }
    assert!(text.contains("assume_role_denied"));
}
