//! `mlguard org plan` and `org scan` against an AWS Organization in moto: 40 member accounts,
//! each with the member role deployed from deploy/member-role.yaml by CloudFormation and its
//! own misconfiguration (tests/org_seed.py), one closed account, OUs.
//!
//! What must hold: the manifest lists every active account (every page, child OUs); each
//! account's findings are its own (nothing of another account in its reports); shards 1..3 of
//! 3 write exactly what one unsharded run writes; a run killed midway and resumed scans only
//! what was not committed; S3 output works the same; an account whose AssumeRole is denied
//! fails alone, named with its hint, while throttling elsewhere only costs retries (exit 5).

use crate::common::moto::Moto;
use crate::common::proxy;
use crate::common::proxy::{Proxy, aws_error, throttle};
use crate::common::{mlguard, root, stderr_of};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const HUB_ROLE: &str = "arn:aws:iam::123456789012:role/mlguard-hub";
const EXTERNAL_ID: &str = "mlguard-test-external-id";
const MEMBER_ROLE: &str = "mlguard-scan";
const REGION: &str = "us-east-1";

/// Starts moto for an organization: AWS-managed IAM policies are not loaded (every account
/// would copy hundreds of them; nothing here needs them).
fn moto() -> Moto {
    Moto::start_with(&[("MOTO_IAM_LOAD_MANAGED_POLICIES", "false")])
}

fn python() -> PathBuf {
    std::env::var_os("MLGUARD_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            panic!("MLGUARD_PYTHON is not set: run the suite with scripts/test.sh (moto's Python has boto3)")
        })
}

/// Seeds the organization (tests/org_seed.py) and returns what it made.
fn seed(moto: &Moto, members: usize) -> Value {
    let out = std::process::Command::new(python())
        .arg(root().join("tests/org_seed.py"))
        .args([
            &moto.endpoint(),
            &members.to_string(),
            HUB_ROLE,
            EXTERNAL_ID,
            &root().join("deploy/member-role.yaml").display().to_string(),
        ])
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "seeding failed: {}\nmoto log:\n{}",
        stderr_of(&out),
        moto.log()
    );
    serde_json::from_slice(&out.stdout).expect("the seed prints JSON")
}

/// Runs a Python snippet with boto3 against moto as the management account (argv[1] is the
/// endpoint); returns its stdout.
fn py(moto: &Moto, code: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(python())
        .arg("-c")
        .arg(code)
        .arg(moto.endpoint())
        .args(args)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_DEFAULT_REGION", REGION)
        .output()
        .expect("python runs");
    assert!(out.status.success(), "python: {}", stderr_of(&out));
    String::from_utf8_lossy(&out.stdout).to_string()
}

struct Work {
    dir: tempfile::TempDir,
}

impl Work {
    fn new() -> Work {
        Work {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `mlguard org ARGS` with the emulator's dummy credentials and nothing else.
    fn org(&self, endpoint: &str, args: &[&str]) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_mlguard"));
        cmd.current_dir(root());
        for (key, _) in std::env::vars() {
            if key.starts_with("AWS_") || key == "CI" || key == "NO_COLOR" || key == "MLGUARD_LOG" {
                cmd.env_remove(key);
            }
        }
        cmd.arg("org")
            .args(args)
            .args(["--endpoint-url", endpoint])
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_CONFIG_FILE", self.path("aws-config"))
            .env("AWS_SHARED_CREDENTIALS_FILE", self.path("aws-credentials"))
            .env_remove("JOB_COMPLETION_INDEX")
            .env_remove("AWS_BATCH_JOB_ARRAY_INDEX");
        cmd
    }

    /// `org scan` of MANIFEST into OUT with the test's member role and external id.
    fn scan(
        &self,
        endpoint: &str,
        manifest: &Path,
        out: &str,
        args: &[&str],
    ) -> std::process::Command {
        let mut cmd = self.org(
            endpoint,
            &[
                "scan",
                "--manifest",
                &manifest.display().to_string(),
                "--member-role",
                MEMBER_ROLE,
                "--external-id",
                EXTERNAL_ID,
                "--out",
                out,
                "--regions",
                REGION,
                "--fail-on",
                "none",
            ],
        );
        cmd.args(args);
        cmd
    }
}

fn run(mut cmd: std::process::Command) -> (i32, String) {
    let out = cmd.output().expect("mlguard runs");
    (out.status.code().unwrap_or(-1), stderr_of(&out))
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn ids(manifest: &Value) -> Vec<String> {
    manifest["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .map(|a| a["id"].as_str().expect("id").to_string())
        .collect()
}

/// A report or snapshot without what changes from run to run: times (when it was collected,
/// when the member role was last used: by the scan itself).
fn stable(mut v: Value) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(map) => {
                map.retain(|k, _| {
                    !matches!(k.as_str(), "collected_at" | "generated_at" | "LastUsedDate")
                });
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut v);
    v
}

fn status_files(out: &Path) -> BTreeSet<String> {
    std::fs::read_dir(out.join("accounts"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.path().join("status.json").is_file())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The failing findings of a report as (rule, arn).
fn failing(report: &Value) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["status"] == "fail")
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap_or_default().to_string(),
                f["resource"]["arn"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect()
}

#[test]
fn an_organization_scanned_whole_sharded_resumed_and_to_s3() {
    let moto = moto();
    let endpoint = moto.endpoint();
    let seeded = seed(&moto, 40);
    let work = Work::new();
    let members: Vec<(String, u64)> = seeded["members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| {
            (
                m["id"].as_str().expect("id").to_string(),
                m["kind"].as_u64().expect("kind"),
            )
        })
        .collect();
    let management = seeded["management"]
        .as_str()
        .expect("management")
        .to_string();
    let suspended = seeded["suspended"].as_str().expect("suspended").to_string();

    // The manifest: every active account, the closed one left out.
    let manifest_path = work.path("manifest.json");
    let (code, stderr) = run(work.org(
        &endpoint,
        &[
            "plan",
            "--region",
            REGION,
            "-o",
            &manifest_path.display().to_string(),
        ],
    ));
    assert_eq!(code, 0, "{stderr}");
    let manifest = read_json(&manifest_path);
    assert_eq!(manifest["schema"], "mlguard-org-manifest/v1");
    assert_eq!(manifest["source"], "organizations");
    assert!(
        manifest["organization_id"]
            .as_str()
            .is_some_and(|o| o.starts_with("o-"))
    );
    let mut expected: Vec<String> = members.iter().map(|(id, _)| id.clone()).collect();
    expected.push(management.clone());
    expected.sort();
    assert_eq!(ids(&manifest), expected, "every active account, sorted");
    assert!(
        !ids(&manifest).contains(&suspended),
        "the closed account is not scanned"
    );
    assert_eq!(manifest["sha256"].as_str().map(str::len), Some(64));

    // Under an OU: its 25 accounts (two ListAccountsForParent pages) and its child OU's 3.
    let ou = seeded["ou"].as_str().expect("ou");
    let out = work
        .org(
            &endpoint,
            &[
                "plan",
                "--region",
                REGION,
                "--ou",
                ou,
                "--exclude",
                &members[0].0,
            ],
        )
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let under: Value = serde_json::from_slice(&out.stdout).expect("manifest on stdout");
    let mut want: Vec<String> = members[1..28].iter().map(|(id, _)| id.clone()).collect();
    want.sort();
    assert_eq!(ids(&under), want, "the OU, its child OU, minus --exclude");
    let child_ou = seeded["child_ou"].as_str().expect("child ou");
    for a in under["accounts"].as_array().expect("accounts") {
        let index = members
            .iter()
            .position(|(id, _)| a["id"] == json!(id))
            .expect("member");
        assert_eq!(
            a["ou"],
            json!(if index < 25 { ou } else { child_ou }),
            "{a}"
        );
    }

    // One unsharded run.
    let whole = work.path("whole");
    let (code, stderr) =
        run(work.scan(&endpoint, &manifest_path, &whole.display().to_string(), &[]));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        status_files(&whole),
        expected.iter().cloned().collect::<BTreeSet<_>>()
    );
    assert_eq!(
        read_json(&whole.join("manifest.json"))["sha256"],
        manifest["sha256"],
        "OUT/manifest.json is the run's manifest"
    );
    let mut reports: BTreeMap<String, Value> = BTreeMap::new();
    for id in &expected {
        let dir = whole.join("accounts").join(id);
        let status = read_json(&dir.join("status.json"));
        assert_eq!(status["status"], "ok", "{id}: {status}");
        assert_eq!(status["manifest_sha256"], manifest["sha256"]);
        assert_eq!(status["gaps"], 0);
        let report = read_json(&dir.join("report.json"));
        let snapshot = read_json(&dir.join("snapshot.json"));
        assert_eq!(report["metadata"]["account_id"], json!(id));
        assert_eq!(snapshot["metadata"]["account_id"], json!(id));
        let high = failing(&report)
            .iter()
            .filter(|(rule, _)| {
                report["findings"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|f| f["rule_id"] == json!(rule) && f["severity"] == "high")
            })
            .count();
        assert!(
            status["findings"]["high"]
                .as_u64()
                .is_some_and(|n| n as usize <= high)
        );
        reports.insert(id.clone(), report);
    }

    // Findings never bleed: no member's report or snapshot mentions another member, every
    // finding is about the account's own resources, and each seeded misconfiguration is
    // found in its account only.
    let member_ids: Vec<&str> = members.iter().map(|(id, _)| id.as_str()).collect();
    for (id, kind) in &members {
        let dir = whole.join("accounts").join(id);
        for file in ["report.json", "snapshot.json"] {
            let text = std::fs::read_to_string(dir.join(file)).expect("reads");
            for other in member_ids.iter().filter(|o| *o != id) {
                assert!(
                    !text.contains(other),
                    "{id}/{file} mentions account {other}"
                );
            }
        }
        let report = &reports[id];
        for f in report["findings"].as_array().expect("findings") {
            assert_eq!(f["resource"]["account_id"], json!(id), "{f}");
            let arn = f["resource"]["arn"].as_str().expect("arn");
            assert!(arn.contains(id.as_str()), "{id}: a finding about {arn}");
        }
        let fails = failing(report);
        let has = |rule: &str, arn_part: &str| {
            fails.iter().any(|(r, a)| r == rule && a.contains(arn_part))
        };
        let snapshot = read_json(&dir.join("snapshot.json"));
        let bucket = format!("arn:aws:s3:::mlguard-data-{id}");
        let role = format!("arn:aws:iam::{id}:role/ml-exec-{id}");
        let open_sg = snapshot["regions"][REGION]["ec2"]["security_groups"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|g| g["GroupName"] == json!(format!("open-ssh-{id}")))
            .and_then(|g| g["GroupId"].as_str())
            .map(str::to_string);
        let key = snapshot["regions"][REGION]["kms"]["keys"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|k| k.to_string().contains(&format!("alias/ml-{id}")))
            .and_then(|k| k["KeyId"].as_str())
            .map(str::to_string);
        assert_eq!(
            has("DE-009", &bucket),
            *kind == 0,
            "{id} kind {kind}: {fails:?}"
        );
        assert_eq!(open_sg.is_some(), *kind == 1, "{id}");
        if let Some(sg) = &open_sg {
            assert!(has("NI-002", sg), "{id}: {fails:?}");
        }
        assert!(
            !fails.iter().any(|(r, _)| r == "NI-002") || *kind == 1,
            "{id}"
        );
        assert_eq!(key.is_some(), *kind == 2, "{id}");
        if let Some(key) = &key {
            assert!(has("DE-001", key), "{id}: {fails:?}");
        }
        assert_eq!(has("LP-004", &role), *kind == 3, "{id}: {fails:?}");
        // The member role itself came from the CloudFormation template.
        let roles = snapshot["iam"]["roles"].as_array().expect("roles");
        let member = roles
            .iter()
            .find(|r| r["RoleName"] == MEMBER_ROLE)
            .unwrap_or_else(|| panic!("{id}: no {MEMBER_ROLE} role"));
        let trust = member["AssumeRolePolicyDocument"].to_string();
        assert!(
            trust.contains(HUB_ROLE) && trust.contains(EXTERNAL_ID),
            "{trust}"
        );
    }

    // Shards 1..3 of 3, with shard 2 killed midway (one account at a time) and resumed, write
    // exactly what the unsharded run wrote.
    let sharded = work.path("sharded");
    let out_arg = sharded.display().to_string();
    let shard_ids = |k: usize| -> BTreeSet<String> {
        expected
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 3 == k - 1)
            .map(|(_, id)| id.clone())
            .collect()
    };
    let mut others: Vec<std::process::Child> = ["1/3", "3/3"]
        .iter()
        .map(|part| {
            work.scan(
                &endpoint,
                &manifest_path,
                &out_arg,
                &["--shard", part, "--quiet"],
            )
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawns")
        })
        .collect();
    let mut second = work
        .scan(
            &endpoint,
            &manifest_path,
            &out_arg,
            &["--shard", "2/3", "--max-accounts", "1"],
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawns");
    let deadline = Instant::now() + Duration::from_secs(120);
    let committed_before = loop {
        let done: BTreeSet<String> = status_files(&sharded)
            .intersection(&shard_ids(2))
            .cloned()
            .collect();
        if done.len() >= 3 {
            second.kill().expect("kills");
            let _ = second.wait();
            break status_files(&sharded)
                .intersection(&shard_ids(2))
                .cloned()
                .collect::<BTreeSet<String>>();
        }
        assert!(
            Instant::now() < deadline,
            "shard 2 committed nothing in time"
        );
        assert!(
            second.try_wait().expect("waits").is_none(),
            "shard 2 finished before it could be killed"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(committed_before.len() < shard_ids(2).len(), "killed midway");
    for child in &mut others {
        assert_eq!(child.wait().expect("waits").code(), Some(0));
    }
    let summary = work.path("resume-summary.json");
    let (code, stderr) = run(work.scan(
        &endpoint,
        &manifest_path,
        &out_arg,
        &[
            "--shard",
            "2/3",
            "--resume",
            "-o",
            &summary.display().to_string(),
        ],
    ));
    assert_eq!(code, 0, "{stderr}");
    let summary = read_json(&summary);
    let resumed: BTreeSet<String> = summary["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .filter(|a| a["resumed"] == true)
        .map(|a| a["account_id"].as_str().expect("id").to_string())
        .collect();
    assert_eq!(
        resumed, committed_before,
        "--resume skips exactly the committed accounts"
    );
    assert_eq!(
        summary["accounts"].as_array().map(Vec::len),
        Some(shard_ids(2).len()),
        "and scans the rest of the shard"
    );
    assert!(
        stderr.contains(&format!(
            "{} already committed (--resume)",
            committed_before.len()
        )),
        "{stderr}"
    );
    assert_eq!(status_files(&sharded), status_files(&whole));
    for id in &expected {
        let a = whole.join("accounts").join(id);
        let b = sharded.join("accounts").join(id);
        assert_eq!(
            stable(read_json(&a.join("report.json"))),
            stable(read_json(&b.join("report.json"))),
            "{id}: report.json differs between the unsharded and the sharded run"
        );
        assert_eq!(
            stable(read_json(&a.join("snapshot.json"))),
            stable(read_json(&b.join("snapshot.json"))),
            "{id}: snapshot.json differs"
        );
        let (sa, sb) = (
            read_json(&a.join("status.json")),
            read_json(&b.join("status.json")),
        );
        for field in [
            "status",
            "gaps",
            "findings",
            "score",
            "manifest_sha256",
            "policy_sha256",
        ] {
            assert_eq!(sa[field], sb[field], "{id}: status {field}");
        }
    }

    // Another manifest into the same OUT is refused (exit 2) before anything is scanned.
    let other = work.path("other.json");
    let (code, stderr) = run(work.org(
        &endpoint,
        &[
            "plan",
            "--accounts",
            &members[0].0,
            "-o",
            &other.display().to_string(),
        ],
    ));
    assert_eq!(code, 0, "{stderr}");
    let (code, stderr) = run(work.scan(&endpoint, &other, &out_arg, &[]));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("holds the output of another manifest"),
        "{stderr}"
    );

    // S3 output: shard 1 of 14 (3 accounts) to s3://BUCKET/PREFIX, the same outputs; a second
    // run with --resume reads the status objects back and scans nothing.
    py(
        &moto,
        "import boto3,sys; boto3.client('s3', endpoint_url=sys.argv[1]).create_bucket(Bucket='mlguard-org-runs')",
        &[],
    );
    // The manifest goes to S3 too (`org plan -o s3://...`), and the scan reads it from there.
    let s3_manifest = "s3://mlguard-org-runs/manifests/org.json";
    let (code, stderr) = run(work.org(&endpoint, &["plan", "--region", REGION, "-o", s3_manifest]));
    assert_eq!(code, 0, "{stderr}");
    let s3_out = "s3://mlguard-org-runs/runs/2026-12-05";
    let scan_s3 = |extra: &[&str]| {
        let mut cmd = work.org(
            &endpoint,
            &[
                "scan",
                "--manifest",
                s3_manifest,
                "--member-role",
                MEMBER_ROLE,
                "--external-id",
                EXTERNAL_ID,
                "--out",
                s3_out,
                "--regions",
                REGION,
                "--fail-on",
                "none",
                "--shard",
                "1/14",
            ],
        );
        cmd.args(extra);
        run(cmd)
    };
    let (code, stderr) = scan_s3(&[]);
    assert_eq!(code, 0, "{stderr}");
    let listing = py(
        &moto,
        "import boto3,sys,json\n\
         s3=boto3.client('s3', endpoint_url=sys.argv[1])\n\
         keys=[o['Key'] for o in s3.list_objects_v2(Bucket='mlguard-org-runs', Prefix='runs/2026-12-05/')['Contents']]\n\
         print(json.dumps({k: s3.get_object(Bucket='mlguard-org-runs', Key=k)['Body'].read().decode() for k in keys}))",
        &[],
    );
    let objects: BTreeMap<String, String> = serde_json::from_str(&listing).expect("objects");
    let part: Vec<&String> = expected.iter().step_by(14).collect();
    let mut want_keys = vec!["runs/2026-12-05/manifest.json".to_string()];
    let s3_manifest_copy: Value =
        serde_json::from_str(&objects["runs/2026-12-05/manifest.json"]).expect("json");
    assert_eq!(
        s3_manifest_copy["sha256"], manifest["sha256"],
        "the same accounts, the same hash"
    );
    for id in &part {
        for f in ["report.json", "snapshot.json", "status.json"] {
            want_keys.push(format!("runs/2026-12-05/accounts/{id}/{f}"));
        }
    }
    want_keys.sort();
    assert_eq!(objects.keys().cloned().collect::<Vec<_>>(), want_keys);
    for id in &part {
        let s3_report: Value =
            serde_json::from_str(&objects[&format!("runs/2026-12-05/accounts/{id}/report.json")])
                .expect("json");
        assert_eq!(
            stable(s3_report),
            stable(read_json(
                &whole.join("accounts").join(id.as_str()).join("report.json")
            )),
            "{id}: the S3 report differs from the directory's"
        );
    }
    let (code, stderr) = scan_s3(&["--resume"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("0 ok, 0 partial, 0 failed, 3 already committed (--resume)"),
        "{stderr}"
    );
}

#[test]
fn a_denied_assume_role_fails_its_account_alone_and_throttling_is_retried() {
    let moto = moto();
    let seeded = seed(&moto, 6);
    let work = Work::new();
    let members: Vec<String> = seeded["members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| m["id"].as_str().expect("id").to_string())
        .collect();
    let denied = members[2].clone();
    let manifest = work.path("manifest.json");
    let accounts = members.join(",");
    let (code, stderr) = run(work.org(
        &moto.endpoint(),
        &[
            "plan",
            "--accounts",
            &accounts,
            "-o",
            &manifest.display().to_string(),
        ],
    ));
    assert_eq!(code, 0, "{stderr}");

    // AssumeRole into `denied` is refused; every fourth other request is throttled once.
    let throttled = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(AtomicUsize::new(0));
    let (t, n, d) = (Arc::clone(&throttled), Arc::clone(&seen), denied.clone());
    let proxy = Proxy::start(moto.port, move |req, up| {
        if req.operation() == "AssumeRole"
            && req.param("RoleArn").is_some_and(|arn| arn.contains(&d))
        {
            return aws_error(
                req,
                403,
                "AccessDenied",
                &format!(
                    "User: {HUB_ROLE} is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::{d}:role/{MEMBER_ROLE}"
                ),
            );
        }
        if req.attempt() == 1 && n.fetch_add(1, Ordering::SeqCst) % 4 == 3 {
            t.fetch_add(1, Ordering::SeqCst);
            return throttle(req);
        }
        up.send(req)
    });
    let out = work.path("out");
    let summary = work.path("summary.json");
    let (code, stderr) = run(work.scan(
        &proxy.endpoint(),
        &manifest,
        &out.display().to_string(),
        &["-o", &summary.display().to_string()],
    ));
    assert_eq!(code, 5, "some accounts failed: exit 5\n{stderr}");
    assert!(throttled.load(Ordering::SeqCst) > 10, "the proxy throttled");

    let status = read_json(&out.join("accounts").join(&denied).join("status.json"));
    assert_eq!(status["status"], "failed");
    assert_eq!(status["error"]["class"], "assume_role_denied", "{status}");
    assert!(
        status["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("AccessDenied"))
    );
    assert!(
        status["error"]["help"]
            .as_str()
            .is_some_and(|h| h.contains("deploy/member-role.yaml")),
        "{status}"
    );
    assert_eq!(status["score"], Value::Null);
    assert!(
        !out.join("accounts")
            .join(&denied)
            .join("report.json")
            .exists()
    );
    assert!(
        stderr.contains(&format!("failed: {denied}")) && stderr.contains("assume_role_denied"),
        "the summary names the failed account and why:\n{stderr}"
    );
    assert!(
        stderr.contains("help: deploy deploy/member-role.yaml"),
        "{stderr}"
    );
    assert!(stderr.contains("1 failed"), "{stderr}");
    for id in members.iter().filter(|id| **id != denied) {
        let status = read_json(&out.join("accounts").join(id).join("status.json"));
        assert_eq!(
            status["status"], "ok",
            "{id}: throttling only costs retries: {status}"
        );
        assert_eq!(status["gaps"], 0);
        let report = read_json(&out.join("accounts").join(id).join("report.json"));
        assert_eq!(report["metadata"]["account_id"], json!(id));
    }
    let summary = read_json(&summary);
    assert_eq!(summary["exit_code"], 5);
    let failed: Vec<&Value> = summary["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .filter(|a| a["status"]["status"] == "failed")
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["account_id"], json!(denied));

    // --resume tries the failed account again, and only it.
    drop(proxy);
    let (code, stderr) = run(work.scan(
        &moto.endpoint(),
        &manifest,
        &out.display().to_string(),
        &["--resume"],
    ));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("1 ok, 0 partial, 0 failed, 5 already committed (--resume)"),
        "{stderr}"
    );
    assert_eq!(
        read_json(&out.join("accounts").join(&denied).join("status.json"))["status"],
        "ok"
    );

    // --security-hub: each account's findings land in that account's Security Hub, imported
    // with its own credentials; none in the hub account.
    let hub_out = work.path("hub-out");
    let hub_summary = work.path("hub-summary.json");
    let (code, stderr) = run(work.scan(
        &moto.endpoint(),
        &manifest,
        &hub_out.display().to_string(),
        &[
            "--shard",
            "1/3",
            "--security-hub",
            "-o",
            &hub_summary.display().to_string(),
        ],
    ));
    assert_eq!(code, 0, "{stderr}");
    let hub_summary = read_json(&hub_summary);
    let mut sorted = members.clone();
    sorted.sort();
    let scanned: Vec<String> = sorted.iter().step_by(3).cloned().collect();
    for id in &scanned {
        let report = read_json(&hub_out.join("accounts").join(id).join("report.json"));
        let n = report["findings"].as_array().map_or(0, Vec::len);
        assert!(n > 0, "{id} has findings to import");
        let imported = hub_summary["accounts"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|a| a["account_id"] == json!(id))
            .map(|a| a["security_hub"].clone())
            .expect("in the summary");
        assert_eq!(
            imported,
            json!({"findings": n, "imported": n, "failed": 0}),
            "{id}"
        );
        let found = py(
            &moto,
            "import boto3,sys,json\n\
             c=boto3.client('sts', endpoint_url=sys.argv[1]).assume_role(RoleArn='arn:aws:iam::'+sys.argv[2]+':role/reader', RoleSessionName='check')['Credentials']\n\
             hub=boto3.client('securityhub', endpoint_url=sys.argv[1], aws_access_key_id=c['AccessKeyId'], aws_secret_access_key=c['SecretAccessKey'], aws_session_token=c['SessionToken'])\n\
             print(json.dumps(sorted(f['AwsAccountId'] for f in hub.get_findings(MaxResults=100)['Findings'])))",
            &[id],
        );
        let accounts: Vec<String> = serde_json::from_str(&found).expect("json");
        assert_eq!(
            accounts,
            vec![id.clone(); n],
            "{id}: Security Hub holds its own findings only"
        );
    }
    let in_hub = py(
        &moto,
        "import boto3,sys; print(len(boto3.client('securityhub', endpoint_url=sys.argv[1]).get_findings()['Findings']))",
        &[],
    );
    assert_eq!(
        in_hub.trim(),
        "0",
        "nothing is imported into the hub account"
    );

    // A denied read is a gap, not a failure: the accounts are partial (rules that needed the
    // call report not_assessed), exit 3 only under --strict.
    let proxy = Proxy::start(moto.port, |req, up| {
        if req.operation() == "ListKeys" {
            return proxy::denied(req);
        }
        up.send(req)
    });
    for (strict, want) in [(false, 0), (true, 3)] {
        let partial_out = work.path(&format!("partial-{strict}"));
        let mut args = vec!["--shard", "1/3"];
        if strict {
            args.push("--strict");
        }
        let (code, stderr) = run(work.scan(
            &proxy.endpoint(),
            &manifest,
            &partial_out.display().to_string(),
            &args,
        ));
        assert_eq!(code, want, "--strict {strict}: {stderr}");
        assert!(stderr.contains("0 ok, 2 partial, 0 failed"), "{stderr}");
        for id in &scanned {
            let dir = partial_out.join("accounts").join(id);
            let status = read_json(&dir.join("status.json"));
            assert_eq!(status["status"], "partial", "{status}");
            assert!(status["gaps"].as_u64().is_some_and(|g| g > 0));
            let report = read_json(&dir.join("report.json"));
            assert!(
                report["findings"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|f| f["status"] == "not_assessed"),
                "{id}: what could not be read is not_assessed"
            );
        }
    }
}

#[test]
fn manifests_and_shards_are_checked_before_anything_is_scanned() {
    let work = Work::new();
    // No AWS is reachable here: every error must come first.
    let endpoint = "http://127.0.0.1:9";
    let manifest = work.path("manifest.json");
    let (code, stderr) = run(work.org(
        endpoint,
        &[
            "plan",
            "--accounts",
            "222222222222,111111111111,111111111111",
            "-o",
            &manifest.display().to_string(),
        ],
    ));
    assert_eq!(code, 0, "{stderr}");
    let m = read_json(&manifest);
    assert_eq!(ids(&m), ["111111111111", "222222222222"]);
    assert_eq!(m["source"], "accounts");
    let out = work.path("out").display().to_string();

    let edited = work.path("edited.json");
    std::fs::write(
        &edited,
        std::fs::read_to_string(&manifest)
            .expect("reads")
            .replace("222222222222", "333333333333"),
    )
    .expect("writes");
    let mut cmd = work.scan(endpoint, &manifest, &out, &["--shard-count", "3"]);
    cmd.env("JOB_COMPLETION_INDEX", "3");
    let (code, stderr) = run(cmd);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("JOB_COMPLETION_INDEX=`3`: expected a 0-based index below --shard-count 3"),
        "{stderr}"
    );
    for (args, manifest, wants) in [
        (vec![], &edited, "the file was edited"),
        (vec!["--shard", "4/3"], &manifest, "--shard `4/3`"),
        (
            vec!["--shard-count", "3"],
            &manifest,
            "JOB_COMPLETION_INDEX",
        ),
        (
            vec!["--account", "999999999999"],
            &manifest,
            "not in the manifest",
        ),
    ] {
        let mut cmd = work.scan(endpoint, manifest, &out, &args);
        cmd.args(["--region", REGION, "--max-attempts", "1"]);
        let (code, stderr) = run(cmd);
        // A local manifest and the shard are checked before AWS is contacted.
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains(wants), "{args:?}: {stderr}");
    }
    let (code, stderr) = run(work.org(endpoint, &["plan", "--accounts", "12345"]));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("`12345` is not an AWS account id"),
        "{stderr}"
    );
    let (code, stderr) = run(work.org(
        endpoint,
        &[
            "scan",
            "--manifest",
            &manifest.display().to_string(),
            "--member-role",
            "arn:aws:iam::1:role/x",
            "--out",
            &out,
        ],
    ));
    assert_eq!(code, 2);
    assert!(stderr.contains("not an IAM role name"), "{stderr}");
}

/// deploy/member-role.yaml grants exactly the shipped scan policy, trusts only the hub role
/// parameter, and requires the external id.
#[test]
fn the_member_role_template_grants_exactly_the_shipped_scan_policy() {
    let template: serde_yaml::Value = serde_yaml::from_str(
        &std::fs::read_to_string(root().join("deploy/member-role.yaml")).expect("reads"),
    )
    .expect("yaml");
    let template: Value = serde_json::to_value(template).expect("json");
    let shipped: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("policies/iam/mlguard-scan-policy.json"))
            .expect("reads"),
    )
    .expect("json");
    let role = &template["Resources"]["MemberRole"];
    assert_eq!(role["Type"], "AWS::IAM::Role");
    let policies = role["Properties"]["Policies"].as_array().expect("policies");
    assert_eq!(policies.len(), 1, "only the scan policy is always granted");
    assert_eq!(policies[0]["PolicyDocument"], shipped);
    assert!(role["Properties"]["ManagedPolicyArns"].is_null());
    let trust = &role["Properties"]["AssumeRolePolicyDocument"]["Statement"];
    assert_eq!(trust.as_array().map(Vec::len), Some(1));
    assert_eq!(trust[0]["Effect"], "Allow");
    assert_eq!(trust[0]["Action"], "sts:AssumeRole");
    assert_eq!(trust[0]["Principal"], json!({"AWS": {"Ref": "HubRoleArn"}}));
    assert_eq!(
        trust[0]["Condition"],
        json!({"StringEquals": {"sts:ExternalId": {"Ref": "ExternalId"}}})
    );
    // Every other resource is conditional on the Security Hub opt-in, and only imports.
    let resources = template["Resources"].as_object().expect("resources");
    for (name, r) in resources.iter().filter(|(n, _)| *n != "MemberRole") {
        assert_eq!(r["Condition"], "SecurityHubImport", "{name}");
        assert_eq!(
            r["Properties"]["PolicyDocument"]["Statement"][0]["Action"],
            "securityhub:BatchImportFindings",
            "{name}"
        );
    }
    assert_eq!(
        template["Parameters"]["AllowSecurityHubImport"]["Default"],
        "false"
    );
}

#[test]
fn the_manifest_schema_describes_what_plan_writes() {
    let out = mlguard()
        .args(["schema", "org-manifest"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let schema: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        schema["properties"]["schema"]["const"],
        "mlguard-org-manifest/v1"
    );
    let required: BTreeSet<&str> = schema["required"]
        .as_array()
        .expect("required")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for field in ["schema", "created_at", "source", "accounts", "sha256"] {
        assert!(required.contains(field), "{field}");
    }
    let committed = root().join("docs/org-manifest.schema.json");
    assert_eq!(
        read_json(&committed),
        schema,
        "docs/org-manifest.schema.json is stale: mlguard schema org-manifest -o docs/org-manifest.schema.json"
    );
}
