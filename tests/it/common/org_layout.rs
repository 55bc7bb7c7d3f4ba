//! Synthetic `org scan` outputs (org-contract.md) for the `org merge` tests: per-account
//! reports from the snapshot generator, audited with the built-in policies, each under its own
//! account id; status.json commit markers; the manifest copy.

use crate::common::builtin_engine;
use mlguard::audit::{self, Selection};
use mlguard::generate::{self, Counts, Spec};
use mlguard::report::{self, Ctx, Format};
use mlguard::snapshot;
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

#[derive(Serialize)]
struct ManifestAccount<'a> {
    id: &'a str,
    name: Option<&'a str>,
    email: Option<&'a str>,
    ou: Option<&'a str>,
}

/// What one synthetic account is.
#[derive(Clone, Copy, PartialEq)]
pub enum Kind {
    Ok,
    /// Scanned with a collection gap.
    Partial,
    Failed,
    /// In the manifest, never committed (a snapshot but no status.json).
    Missing,
}

pub struct Org {
    pub dir: tempfile::TempDir,
    /// The accounts with a report: their findings' fingerprints.
    pub fingerprints: BTreeMap<String, BTreeSet<String>>,
    pub manifest_sha256: String,
}

impl Org {
    pub fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }
}

pub fn account_id(n: usize) -> String {
    format!("{:012}", 210_000_000_000u64 + n as u64 * 1_111)
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The report.json of a generated account: the generator's snapshot under `id`, with a
/// per-account seed (different findings per account), audited with the built-in rules.
fn account_report(dir: &Path, id: &str, n: usize, gap: bool) -> (Vec<u8>, BTreeSet<String>) {
    let spec = Spec {
        counts: Counts::uniform(3 + n % 3),
        regions: 2,
        seed: 7 + n as u64,
        violation_rate: 0.3,
    };
    let (bytes, _) = generate::generate(&spec).expect("generates");
    let text = String::from_utf8(bytes)
        .expect("utf-8")
        .replace(generate::ACCOUNT_ID, id);
    let text = if gap {
        let mut doc: Value = serde_json::from_str(&text).expect("json");
        doc["gaps"] = json!([{"service": "kms", "region": "us-east-1", "operation": "ListKeys",
            "error_code": "AccessDeniedException", "message": "denied"}]);
        serde_json::to_string_pretty(&doc).expect("json")
    } else {
        text
    };
    let path = dir.join(format!("snapshot-{id}.json"));
    std::fs::write(&path, &text).expect("write snapshot");
    let snap = snapshot::load_str(&text, Path::new(&format!("accounts/{id}/snapshot.json")))
        .expect("loads");
    let ids = Selection::default()
        .resolve(builtin_engine().rules())
        .expect("selection");
    let report = audit::audit(builtin_engine(), &snap, &ids).expect("audit");
    let fps = report
        .findings
        .iter()
        .map(|f| f.fingerprint.clone())
        .collect();
    let ctx = Ctx {
        fail_on: None,
        ..Ctx::default()
    };
    (
        report::render(Format::Json, &report, &ctx).expect("renders"),
        fps,
    )
}

pub fn status(id: &str, manifest: &str, kind: Kind) -> Value {
    let (status, error) = match kind {
        Kind::Ok => ("ok", Value::Null),
        Kind::Partial => ("partial", Value::Null),
        Kind::Failed => (
            "failed",
            json!({"class": "assume_role_denied",
                "message": format!("sts:AssumeRole into arn:aws:iam::{id}:role/mlguard-scan: AccessDenied"),
                "help": "deploy the member role (deploy/member-role.yaml) and trust the hub role"}),
        ),
        Kind::Missing => unreachable!("a missing account has no status"),
    };
    json!({
        "schema": "mlguard-org-status/v1",
        "account_id": id,
        "manifest_sha256": manifest,
        "policy_sha256": "0".repeat(64),
        "status": status,
        "started_at": "2026-11-26T00:00:00Z",
        "finished_at": "2026-11-26T00:01:00Z",
        "gaps": i32::from(kind == Kind::Partial),
        "findings": {"critical": 0, "high": 0, "medium": 0, "low": 0, "info": 0},
        "score": null,
        "error": error,
    })
}

/// An org scan output with these accounts (numbered 0..), the manifest copy included.
pub fn org(kinds: &[Kind]) -> Org {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let ids: Vec<String> = (0..kinds.len()).map(account_id).collect();
    let names: Vec<String> = (0..kinds.len()).map(|n| format!("ml-{n}")).collect();
    let accounts: Vec<ManifestAccount> = ids
        .iter()
        .zip(&names)
        .map(|(id, name)| ManifestAccount {
            id,
            name: Some(name),
            email: None,
            ou: None,
        })
        .collect();
    let sha = sha256_hex(&serde_json::to_vec(&accounts).expect("json"));
    let manifest = json!({
        "schema": "mlguard-org-manifest/v1",
        "created_at": "2026-11-26T00:00:00Z",
        "source": "accounts",
        "organization_id": null,
        "accounts": accounts,
        "sha256": sha,
    });
    std::fs::create_dir_all(&out).expect("mkdir");
    std::fs::write(
        out.join("manifest.json"),
        serde_json::to_vec_pretty(&manifest).expect("json"),
    )
    .expect("write");
    let mut fingerprints = BTreeMap::new();
    for (n, (id, kind)) in ids.iter().zip(kinds).enumerate() {
        let acc = out.join("accounts").join(id);
        std::fs::create_dir_all(&acc).expect("mkdir");
        match kind {
            Kind::Ok | Kind::Partial => {
                let (report, fps) = account_report(dir.path(), id, n, *kind == Kind::Partial);
                std::fs::write(acc.join("report.json"), report).expect("write");
                fingerprints.insert(id.clone(), fps);
            }
            Kind::Failed => {}
            Kind::Missing => {
                std::fs::write(acc.join("snapshot.json"), "{}").expect("write");
                continue;
            }
        }
        std::fs::write(
            acc.join("status.json"),
            serde_json::to_vec_pretty(&status(id, &sha, *kind)).expect("json"),
        )
        .expect("write");
    }
    Org {
        dir,
        fingerprints,
        manifest_sha256: sha,
    }
}

pub fn read_json(path: &Path) -> Value {
    serde_json::from_slice(
        &std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read_dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}
