//! docs/github-actions.md and action.yml: the page's workflows are valid YAML with the
//! permissions, steps and order that OIDC credentials and SARIF upload need; every input they
//! give the action is one action.yml declares; the action's own script runs for each of the
//! page's action steps (with `audit` of a fixture in place of `scan`, which needs AWS) and
//! reports the paths and counts it promises; and every `mlguard` command line of a `run:` step
//! parses and runs.

use crate::common::actions::{
    action, run_action, run_step, shell_lines, steps_of, undeclared_inputs, uses_action,
};
use crate::common::{mlguard, root, stderr_of};
use serde_yaml::{Mapping, Value};
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

fn docs() -> Vec<Value> {
    yaml_blocks()
        .iter()
        .map(|b| serde_yaml::from_str(b).expect("valid YAML"))
        .collect()
}

/// Every step of the page that uses the action.
fn action_steps() -> Vec<Value> {
    docs()
        .iter()
        .flat_map(steps_of)
        .filter(uses_action)
        .collect()
}

/// The `mlguard ...` command lines of a step's `run`, continuation lines joined.
fn mlguard_lines(run: &str) -> Vec<String> {
    shell_lines(run)
        .into_iter()
        .filter(|l| l.starts_with("mlguard "))
        .collect()
}

fn words(line: &str) -> Vec<String> {
    line.split_whitespace().map(str::to_string).collect()
}

fn uses(step: &Value, prefix: &str) -> bool {
    step["uses"].as_str().is_some_and(|u| u.starts_with(prefix))
}

fn assert_oidc_credentials(step: &Value) {
    assert!(
        step["with"]["role-to-assume"]
            .as_str()
            .is_some_and(|r| r.starts_with("arn:aws:iam::"))
    );
    assert!(step["with"]["aws-region"].is_string());
    assert!(
        step["with"].get("aws-access-key-id").is_none(),
        "OIDC, not stored keys"
    );
}

fn assert_permissions(workflow: &Value) {
    let permissions = &workflow["permissions"];
    assert_eq!(
        permissions["id-token"], "write",
        "OIDC needs id-token: write"
    );
    assert_eq!(
        permissions["security-events"], "write",
        "the SARIF upload needs security-events: write"
    );
    assert_eq!(permissions["contents"], "read");
}

#[test]
fn workflow_has_oidc_permissions_and_scans_with_the_action() {
    let workflow = docs().into_iter().next().expect("the workflow");
    assert!(workflow["on"].is_mapping(), "the workflow needs triggers");
    assert_permissions(&workflow);

    let steps = steps_of(&workflow);
    let position = |pred: &dyn Fn(&Value) -> bool| steps.iter().position(pred);
    let creds = position(&|s| uses(s, "aws-actions/configure-aws-credentials@"))
        .expect("configure-aws-credentials step");
    assert_oidc_credentials(&steps[creds]);
    let scan = position(&|s| uses_action(s)).expect("the mlguard action step");
    let with = &steps[scan]["with"];
    assert_eq!(with["command"], "scan");
    assert!(
        with["formats"]
            .as_str()
            .is_some_and(|f| f.split_whitespace().any(|w| w.starts_with("sarif="))),
        "the action uploads the sarif=FILE of formats"
    );
    assert_ne!(with["upload-sarif"], "false", "the upload stays on");
    assert!(
        with["category"].as_str().is_some_and(|c| !c.is_empty()),
        "a category"
    );
    let checkout = position(&|s| uses(s, "actions/checkout@")).expect("checkout");
    assert!(checkout < creds && creds < scan, "step order");

    // The action itself uploads even when the scan fails on findings, then fails the step.
    let action = action();
    let action_steps = action["runs"]["steps"]
        .as_sequence()
        .expect("steps")
        .clone();
    let upload = action_steps
        .iter()
        .position(|s| uses(s, "github/codeql-action/upload-sarif@"))
        .expect("the action uploads SARIF");
    let run = action_steps
        .iter()
        .position(|s| s["id"] == "run")
        .expect("run step");
    assert!(run < upload);
    assert!(
        action_steps[upload]["if"]
            .as_str()
            .is_some_and(|c| c.contains("always()")),
        "upload even when the scan fails on findings"
    );
    assert_eq!(
        action_steps[upload]["with"]["sarif_file"],
        "${{ steps.run.outputs.sarif-file }}"
    );
    let last = action_steps.last().expect("a last step");
    assert!(
        last["run"]
            .as_str()
            .is_some_and(|r| r.contains("exit \"$CODE\"")),
        "the action ends with mlguard's exit code"
    );
}

#[test]
fn fallback_workflow_installs_scans_and_uploads() {
    let steps: Vec<Value> = docs()
        .iter()
        .map(steps_of)
        .find(|steps| {
            steps.iter().any(|s| {
                s["run"]
                    .as_str()
                    .is_some_and(|r| r.contains("cargo install"))
            })
        })
        .expect("the workflow without the action");
    let position = |pred: &dyn Fn(&Value) -> bool| steps.iter().position(pred);
    let install = position(&|s| {
        s["run"]
            .as_str()
            .is_some_and(|r| r.contains("cargo install --locked"))
    })
    .expect("install step");
    let creds = position(&|s| uses(s, "aws-actions/configure-aws-credentials@"))
        .expect("configure-aws-credentials step");
    assert_oidc_credentials(&steps[creds]);
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
        checkout < install && install < creds && creds < scan && scan < upload,
        "step order"
    );
}

#[test]
fn every_action_input_in_the_page_is_declared() {
    let action = action();
    let steps = action_steps();
    for step in &steps {
        let unknown = undeclared_inputs(step, &action);
        assert!(
            unknown.is_empty(),
            "{DOC} gives the action inputs action.yml does not declare: {unknown:?}"
        );
    }
    assert!(
        steps.len() >= 3,
        "only {} action steps in {DOC}",
        steps.len()
    );
}

/// A scratch directory with the fixture as `snapshot.json` and the baseline the pull-request
/// variant reads.
fn workdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::copy(
        root().join("fixtures/lab-insecure.json"),
        dir.path().join("snapshot.json"),
    )
    .expect("copy");
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
    dir
}

#[test]
fn every_action_step_in_the_page_runs_and_reports() {
    let dir = workdir();
    let mut ran = 0;
    for step in action_steps() {
        let with = step["with"].as_mapping().cloned().unwrap_or_default();
        let command = with
            .get("command")
            .and_then(Value::as_str)
            .unwrap_or("scan");
        if command == "install" {
            continue;
        }
        let run = run_action(dir.path(), &with);
        assert_eq!(
            run.status,
            Some(0),
            "the run step itself succeeds:\n{}",
            run.log
        );
        let code: i32 = run.outputs["exit-code"].parse().expect("exit-code output");
        let failed: u64 = run.outputs["failed"].parse().expect("failed count");
        let gating: u64 = run.outputs["gating"].parse().expect("gating count");
        // Exit 1 exactly when findings gate, never a usage or input error; the lab has
        // findings (the baseline variant reports only new ones: none).
        assert_eq!(code, i32::from(gating > 0), "{with:?}:\n{}", run.log);
        assert!(gating <= failed, "{:?}", run.outputs);
        if !with.contains_key("args") {
            assert!(gating > 0, "the lab fails at high: {:?}", run.outputs);
        }
        assert!(
            run.outputs["not-assessed"].parse::<u64>().is_ok(),
            "{:?}",
            run.outputs
        );
        for key in ["sarif-file", "json-file", "html-file"] {
            let path = &run.outputs[key];
            if !path.is_empty() {
                assert!(
                    std::path::Path::new(path).is_absolute() && fs::metadata(path).is_ok(),
                    "{key} {path} is not a written file"
                );
            }
        }
        let sarif = &run.outputs["sarif-file"];
        assert!(!sarif.is_empty(), "every page example asks for SARIF");
        let sarif: serde_json::Value =
            serde_json::from_slice(&fs::read(sarif).expect("sarif")).expect("json");
        assert_eq!(sarif["version"], "2.1.0");
        ran += 1;
    }
    assert!(ran >= 3, "only {ran} action steps ran");
}

#[test]
fn the_action_refuses_bad_inputs_with_a_hint() {
    let dir = workdir();
    let run = run_action(dir.path(), &with(&[("command", "audit")]));
    assert_ne!(run.status, Some(0), "audit without a snapshot");
    assert!(run.log.contains("needs the input snapshot"), "{}", run.log);
    let run = run_action(dir.path(), &with(&[("command", "collect")]));
    assert_ne!(run.status, Some(0));
    assert!(run.log.contains("help: command is one of"), "{}", run.log);
    // An input error of mlguard's own is its exit code 2, passed on.
    let run = run_action(
        dir.path(),
        &with(&[("command", "audit"), ("snapshot", "missing.json")]),
    );
    assert_eq!(run.outputs.get("exit-code").map(String::as_str), Some("2"));
}

fn with(pairs: &[(&str, &str)]) -> Mapping {
    pairs
        .iter()
        .map(|(k, v)| (Value::from(*k), Value::from(*v)))
        .collect()
}

#[test]
fn the_action_picks_the_release_and_the_runner_target() {
    let dir = tempfile::tempdir().expect("tempdir");
    let target = |version: &str, action_ref: &str, os: &str, arch: &str| {
        run_step(
            dir.path(),
            "target",
            &with(&[("version", version)]),
            &[
                ("ACTION_REF", action_ref),
                ("RUNNER_OS_NAME", os),
                ("RUNNER_ARCH_NAME", arch),
            ],
        )
    };
    let run = target("", "v1.2.3", "Linux", "X64");
    assert_eq!(run.status, Some(0), "{}", run.log);
    assert_eq!(run.outputs["version"], "1.2.3");
    assert_eq!(run.outputs["target"], "x86_64-unknown-linux-gnu");
    assert_eq!(run.outputs["ext"], "tar.xz");
    let run = target("v0.4.0", "main", "Windows", "X64");
    assert_eq!(run.outputs["version"], "0.4.0", "{}", run.log);
    assert_eq!(run.outputs["target"], "x86_64-pc-windows-msvc");
    assert_eq!(run.outputs["exe"], "mlguard.exe");
    for (os, arch, triple) in [
        ("Linux", "ARM64", "aarch64-unknown-linux-gnu"),
        ("macOS", "X64", "x86_64-apple-darwin"),
        ("macOS", "ARM64", "aarch64-apple-darwin"),
    ] {
        assert_eq!(target("1.0.0", "", os, arch).outputs["target"], triple);
    }
    // Every target the action installs is one the release builds.
    let dist = fs::read_to_string(root().join("dist-workspace.toml")).expect("dist config");
    for triple in [
        "x86_64-unknown-linux-gnu",
        "aarch64-unknown-linux-gnu",
        "x86_64-apple-darwin",
        "aarch64-apple-darwin",
        "x86_64-pc-windows-msvc",
    ] {
        assert!(dist.contains(&format!("\"{triple}\"")), "{triple}");
    }
    let run = target("", "main", "Linux", "X64");
    assert_ne!(run.status, Some(0));
    assert!(
        run.log.contains("help: pin the action to a release tag"),
        "{}",
        run.log
    );
    let run = target("1.0.0", "", "Windows", "ARM64");
    assert_ne!(run.status, Some(0));
    assert!(
        run.log.contains("no release binary for Windows/ARM64"),
        "{}",
        run.log
    );
}

#[cfg(unix)]
/// A release laid out as dist makes it: `vVERSION/mlguard-TARGET.tar.xz` holding
/// `mlguard-TARGET/mlguard` and `README.md`, and its `.sha256` (`HASH *NAME`). The "binary"
/// is a script that prints the version (xz-compressing the real debug binary takes seconds).
fn fake_release(dir: &std::path::Path, version: &str, target: &str) -> std::path::PathBuf {
    use sha2::Digest;
    let staging = dir.join("staging").join(format!("mlguard-{target}"));
    fs::create_dir_all(&staging).expect("mkdir");
    fs::write(
        staging.join("mlguard"),
        format!("#!/bin/sh\necho \"mlguard {version}\"\n"),
    )
    .expect("write");
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(staging.join("mlguard"), fs::Permissions::from_mode(0o755))
            .expect("chmod");
    }
    fs::write(staging.join("README.md"), "# mlguard\n").expect("write");
    let releases = dir.join("releases");
    let release = releases.join(format!("v{version}"));
    fs::create_dir_all(&release).expect("mkdir");
    let archive = format!("mlguard-{target}.tar.xz");
    let out = std::process::Command::new("tar")
        .arg("-cJf")
        .arg(release.join(&archive))
        .arg("-C")
        .arg(dir.join("staging"))
        .arg(format!("mlguard-{target}"))
        .output()
        .expect("tar runs");
    assert!(out.status.success(), "{}", stderr_of(&out));
    let hash = sha2::Sha256::digest(fs::read(release.join(&archive)).expect("archive"));
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    fs::write(
        release.join(format!("{archive}.sha256")),
        format!("{hex} *{archive}\n"),
    )
    .expect("write checksum");
    releases
}

#[cfg(unix)]
#[test]
fn the_action_installs_a_release_archive_after_checking_its_checksum() {
    let dir = tempfile::tempdir().expect("tempdir");
    let target = "x86_64-unknown-linux-gnu";
    let releases = fake_release(dir.path(), "9.9.9", target);
    let url = format!("file://{}", releases.display());
    let install = |cache_dir: &std::path::Path| {
        let cache_dir = cache_dir.to_str().expect("utf-8");
        run_step(
            dir.path(),
            "install",
            &with(&[("download-url", &url)]),
            &[
                ("VERSION", "9.9.9"),
                ("TARGET", target),
                ("EXT", "tar.xz"),
                ("EXE", "mlguard"),
                ("DIR", cache_dir),
                ("CACHE_HIT", ""),
            ],
        )
    };
    let cache = dir.path().join("toolcache/mlguard/9.9.9").join(target);
    let run = install(&cache);
    assert_eq!(run.status, Some(0), "{}", run.log);
    assert!(cache.join("mlguard").is_file());
    assert_eq!(run.path.trim(), cache.to_str().expect("utf-8"));
    assert_eq!(run.outputs["version"], "9.9.9");
    assert!(
        run.log.contains("mlguard 9.9.9"),
        "it runs --version: {}",
        run.log
    );
    assert!(!cache.join("README.md").exists(), "only the binary is kept");

    // A tampered archive is refused and nothing is installed.
    let archive = releases.join(format!("v9.9.9/mlguard-{target}.tar.xz"));
    let mut bytes = fs::read(&archive).expect("archive");
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    fs::write(&archive, bytes).expect("tamper");
    let elsewhere = dir.path().join("toolcache/other");
    let run = install(&elsewhere);
    assert_ne!(run.status, Some(0));
    assert!(run.log.contains("checksum mismatch"), "{}", run.log);
    assert!(!elsewhere.join("mlguard").exists());
    assert!(run.path.is_empty(), "PATH untouched");
}

#[test]
fn every_mlguard_command_in_the_page_runs() {
    let dir = workdir();
    let mut ran = 0;
    for doc in docs() {
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
    assert!(ran >= 1, "no mlguard command lines found in {DOC}");
}

#[test]
fn command_line_extraction_handles_continuations() {
    assert_eq!(
        mlguard_lines("echo hi\nmlguard scan \\\n  --format table\n"),
        vec!["mlguard scan --format table".to_string()]
    );
}
