//! SARIF reports validate against the SARIF 2.1.0 JSON schema and pass Microsoft's SARIF
//! validator (with its GitHub ingestion rules) with zero errors. scripts/test.sh installs
//! both validators; without them this test fails rather than skips.

mod common;

use common::{mlguard, root};
use std::path::{Path, PathBuf};
use std::process::Command;

fn require_env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run the suite with scripts/test.sh, which installs the SARIF validators")
    })
}

/// The snapshots whose SARIF reports are validated: both lab fixtures and every failing
/// rule fixture.
fn snapshots() -> Vec<PathBuf> {
    let mut files = vec![
        root().join("fixtures/lab-insecure.json"),
        root().join("fixtures/lab-hardened.json"),
    ];
    files.retain(|f| f.exists());
    for id in std::fs::read_dir(root().join("fixtures"))
        .expect("fixtures")
        .flatten()
    {
        let fail = id.path().join("fail");
        if let Ok(rd) = std::fs::read_dir(&fail) {
            files.extend(
                rd.flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|e| e == "json")),
            );
        }
    }
    files.sort();
    files
}

fn sarif_for(snapshot: &Path, out: &Path) {
    let status = mlguard()
        .args([
            "audit",
            "--format",
            "sarif",
            "--fail-on",
            "none",
            "--output",
        ])
        .arg(out)
        .arg(snapshot)
        .output()
        .expect("runs");
    assert_eq!(
        status.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
}

const JSONSCHEMA_CHECK: &str = r#"
import json, sys
from jsonschema.validators import validator_for
schema = json.load(open(sys.argv[1]))
cls = validator_for(schema)
bad = 0
for path in sys.argv[2:]:
    for err in cls(schema).iter_errors(json.load(open(path))):
        bad += 1
        print(f"{path}: {'/'.join(map(str, err.absolute_path))}: {err.message}")
sys.exit(1 if bad else 0)
"#;

#[test]
fn sarif_reports_pass_the_schema_and_microsofts_validator() {
    let multitool = PathBuf::from(require_env("MLGUARD_SARIF_MULTITOOL"));
    let python = require_env("MLGUARD_PYTHON");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut reports = Vec::new();
    for (n, snap) in snapshots().iter().enumerate() {
        let out = dir.path().join(format!("report-{n}.sarif"));
        sarif_for(snap, &out);
        reports.push(out);
    }
    assert!(reports.len() >= 2, "nothing to validate");

    // 1. The SARIF 2.1.0 JSON schema the validator ships.
    let schema = multitool
        .parent()
        .expect("@microsoft")
        .join("sarif-multitool-linux/sarif-2.1.0.json");
    let out = Command::new(&python)
        .arg("-c")
        .arg(JSONSCHEMA_CHECK)
        .arg(&schema)
        .args(&reports)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "schema violations:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    // 2. Microsoft's validator with the SARIF and GitHub ingestion rule sets, over every
    //    report in one run: no error-level result.
    let log = dir.path().join("validation.sarif");
    let out = Command::new("node")
        .arg(multitool.join("bin.js"))
        .arg("validate")
        .args(&reports)
        .arg("-o")
        .arg(&log)
        .args([
            "--log",
            "ForceOverwrite",
            "--rule-kind",
            "\"Gh;Sarif\"",
            "--level",
            "\"Error;Warning\"",
        ])
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "validator failed: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let result: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&log).expect("validator log")).expect("json");
    let errors: Vec<String> = result["runs"][0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r["level"] == "error" || r["level"].is_null())
        .map(|r| {
            format!(
                "{} {} {}",
                r["ruleId"],
                r["message"],
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            )
        })
        .collect();
    assert!(
        errors.is_empty(),
        "validator errors:\n{}",
        errors.join("\n")
    );
}
