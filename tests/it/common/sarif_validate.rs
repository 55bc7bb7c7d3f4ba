//! SARIF files checked by the SARIF 2.1.0 JSON schema the validator ships and by Microsoft's
//! SARIF validator with its GitHub ingestion rules: no violation, no error-level result.
//! scripts/test.sh installs both; without them the calling test fails rather than skips.

use std::path::{Path, PathBuf};
use std::process::Command;

fn require_env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run the suite with scripts/test.sh, which installs the SARIF validators")
    })
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

/// Asserts that every file of `reports` passes the schema and the validator (one run over
/// all of them, its log written in `dir`).
pub fn assert_valid(reports: &[PathBuf], dir: &Path) {
    let multitool = PathBuf::from(require_env("MLGUARD_SARIF_MULTITOOL"));
    let python = require_env("MLGUARD_PYTHON");

    // 1. The SARIF 2.1.0 JSON schema the validator ships.
    let schema = multitool
        .parent()
        .expect("@microsoft")
        .join("sarif-multitool-linux/sarif-2.1.0.json");
    let out = Command::new(&python)
        .arg("-c")
        .arg(JSONSCHEMA_CHECK)
        .arg(&schema)
        .args(reports)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "schema violations:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    // 2. Microsoft's validator with the SARIF and GitHub ingestion rule sets: no
    //    error-level result.
    let log = dir.join("validation.sarif");
    let out = Command::new("node")
        .arg(multitool.join("bin.js"))
        .arg("validate")
        .args(reports)
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
