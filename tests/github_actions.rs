//! docs/github-actions.md: its workflow is valid YAML with the permissions, steps and order
//! that OIDC credentials and SARIF upload need, and every `mlguard` command line in it parses
//! and runs (with `audit` of a fixture in place of `scan`, which needs AWS).

mod common;

use common::{mlguard, root, stderr_of};
use serde_yaml::Value;
use std::fs;

const DOC: &str = "docs/github-actions.md";

/// The ```yaml blocks of the page, in order.
fn yaml_blocks() -> Vec<String> {
    let text = fs::read_to_string(root().join(DOC)).expect(DOC);
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match (&mut current, line.trim_start()) {
            (None, l) if l.starts_with("```yaml") => current = Some(String::new()),
            (Some(_), "```") => blocks.extend(current.take()),
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            _ => {}
        }
    }
    assert!(current.is_none(), "unclosed ```yaml block in {DOC}");
    blocks
}

fn steps_of(doc: &Value) -> Vec<Value> {
    match doc {
        Value::Sequence(steps) => steps.clone(),
        Value::Mapping(_) => doc["jobs"]
            .as_mapping()
            .into_iter()
            .flat_map(|jobs| jobs.values())
            .flat_map(|job| job["steps"].as_sequence().cloned().unwrap_or_default())
            .collect(),
        _ => Vec::new(),
    }
}

/// The `mlguard ...` command lines of a step's `run`, continuation lines joined.
fn mlguard_lines(run: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut pending = String::new();
    for raw in run.lines() {
        let line = raw.trim();
        if let Some(head) = line.strip_suffix('\\') {
            pending.push_str(head.trim_end());
            pending.push(' ');
            continue;
        }
        pending.push_str(line);
        if pending.starts_with("mlguard ") {
            lines.push(pending.clone());
        }
        pending.clear();
    }
    lines
}

fn words(line: &str) -> Vec<String> {
    line.split_whitespace().map(str::to_string).collect()
}

#[test]
fn workflow_has_oidc_permissions_scan_and_sarif_upload() {
    let blocks = yaml_blocks();
    assert!(blocks.len() >= 2, "expected the workflow and its variants");
    let workflow: Value = serde_yaml::from_str(&blocks[0]).expect("the workflow is valid YAML");
    assert!(workflow["on"].is_mapping(), "the workflow needs triggers");
    let permissions = &workflow["permissions"];
    assert_eq!(
        permissions["id-token"], "write",
        "OIDC needs id-token: write"
    );
    assert_eq!(
        permissions["security-events"], "write",
        "upload-sarif needs security-events: write"
    );
    assert_eq!(permissions["contents"], "read");

    let steps = steps_of(&workflow);
    let position = |pred: &dyn Fn(&Value) -> bool| steps.iter().position(pred);
    let uses = |s: &Value, prefix: &str| s["uses"].as_str().is_some_and(|u| u.starts_with(prefix));
    let creds = position(&|s| uses(s, "aws-actions/configure-aws-credentials@"))
        .expect("configure-aws-credentials step");
    assert!(
        steps[creds]["with"]["role-to-assume"]
            .as_str()
            .is_some_and(|r| r.starts_with("arn:aws:iam::"))
    );
    assert!(steps[creds]["with"]["aws-region"].is_string());
    assert!(
        steps[creds]["with"].get("aws-access-key-id").is_none(),
        "OIDC, not stored keys"
    );

    let scan = position(&|s| {
        s["run"]
            .as_str()
            .is_some_and(|r| r.contains("mlguard scan"))
    })
    .expect("mlguard scan step");
    let scan_line = mlguard_lines(steps[scan]["run"].as_str().unwrap_or_default())
        .into_iter()
        .find(|l| l.starts_with("mlguard scan"))
        .expect("scan line");
    let sarif_file = words(&scan_line)
        .iter()
        .find_map(|w| w.strip_prefix("sarif=").map(str::to_string))
        .expect("--format sarif=FILE");

    let upload =
        position(&|s| uses(s, "github/codeql-action/upload-sarif@")).expect("upload-sarif step");
    assert_eq!(steps[upload]["with"]["sarif_file"], sarif_file.as_str());
    assert!(
        steps[upload]["with"]["category"]
            .as_str()
            .is_some_and(|c| !c.is_empty()),
        "a category"
    );
    assert!(
        steps[upload]["if"]
            .as_str()
            .is_some_and(|c| c.contains("always()")),
        "upload even when the scan fails on findings"
    );
    let checkout = position(&|s| uses(s, "actions/checkout@")).expect("checkout");
    assert!(
        checkout < creds && creds < scan && scan < upload,
        "step order"
    );
}

#[test]
fn every_mlguard_command_in_the_page_runs() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::copy(
        root().join("fixtures/lab-insecure.json"),
        dir.path().join("snapshot.json"),
    )
    .expect("copy");
    // The baseline the pull-request variant reads.
    let out = mlguard()
        .current_dir(dir.path())
        .args([
            "audit",
            "snapshot.json",
            "--no-config",
            "--format",
            "json=baseline.json",
        ])
        .output()
        .expect("runs");
    assert_ne!(out.status.code(), Some(2), "{}", stderr_of(&out));

    let mut ran = 0;
    for block in yaml_blocks() {
        let doc: Value = serde_yaml::from_str(&block).expect("valid YAML");
        for step in steps_of(&doc) {
            let Some(run) = step["run"].as_str() else {
                continue;
            };
            for line in mlguard_lines(run) {
                let mut args = words(&line);
                args.remove(0);
                if args.first().map(String::as_str) == Some("scan") {
                    args[0] = "audit".into();
                    args.insert(1, "snapshot.json".into());
                }
                let outputs: Vec<String> = args
                    .iter()
                    .filter_map(|a| a.split_once('=').map(|(_, f)| f.to_string()))
                    .collect();
                for f in &outputs {
                    let _ = fs::remove_file(dir.path().join(f));
                }
                let out = mlguard()
                    .current_dir(dir.path())
                    .env_remove("MLGUARD_CONFIG")
                    .args(&args)
                    .output()
                    .expect("runs");
                // 0 or 1 (findings): never a usage or input error.
                assert!(
                    matches!(out.status.code(), Some(0 | 1)),
                    "`{line}` exited {:?}:\n{}",
                    out.status.code(),
                    stderr_of(&out)
                );
                for f in &outputs {
                    assert!(dir.path().join(f).is_file(), "`{line}` did not write {f}");
                }
                ran += 1;
            }
        }
    }
    assert!(ran >= 3, "only {ran} mlguard command lines found in {DOC}");
    // The SARIF the workflow uploads is what tests/sarif.rs validates: here, that it is SARIF.
    let sarif: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.path().join("mlguard.sarif")).expect("sarif"))
            .expect("json");
    assert_eq!(sarif["version"], "2.1.0");
}

#[test]
fn command_line_extraction_handles_continuations() {
    assert_eq!(
        mlguard_lines("echo hi\nmlguard scan \\\n  --format table\n"),
        vec!["mlguard scan --format table".to_string()]
    );
}
