//! The GitHub Action (`action.yml`) and the workflows that use it: the inputs it declares,
//! the steps of a workflow, and the action's own `run` script executed the way GitHub runs a
//! composite step, with the test binary in place of the released one.

use serde_yaml::{Mapping, Value};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

use crate::common::root;

/// How workflows refer to the action.
pub const ACTION_USES: &str = "mlguard/mlguard@";

pub fn action() -> Value {
    let text = fs::read_to_string(root().join("action.yml")).expect("action.yml");
    serde_yaml::from_str(&text).expect("action.yml is valid YAML")
}

/// Every input of the action with its default ("" when it has none).
pub fn inputs(action: &Value) -> BTreeMap<String, String> {
    action["inputs"]
        .as_mapping()
        .expect("action.yml has inputs")
        .iter()
        .map(|(name, spec)| {
            let default = match &spec["default"] {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => serde_yaml::to_string(other)
                    .expect("default")
                    .trim()
                    .to_string(),
            };
            (name.as_str().expect("input name").to_string(), default)
        })
        .collect()
}

/// A workflow's steps (every job's, in order), a job's `steps:`, or a bare list of steps.
pub fn steps_of(doc: &Value) -> Vec<Value> {
    match doc {
        Value::Sequence(steps) => steps.clone(),
        Value::Mapping(_) if doc["steps"].is_sequence() => {
            doc["steps"].as_sequence().cloned().unwrap_or_default()
        }
        Value::Mapping(_) => doc["jobs"]
            .as_mapping()
            .into_iter()
            .flat_map(|jobs| jobs.values())
            .flat_map(|job| job["steps"].as_sequence().cloned().unwrap_or_default())
            .collect(),
        _ => Vec::new(),
    }
}

pub fn uses_action(step: &Value) -> bool {
    step["uses"]
        .as_str()
        .is_some_and(|u| u.starts_with(ACTION_USES))
}

/// The `with:` keys of a step that the action does not declare.
pub fn undeclared_inputs(step: &Value, action: &Value) -> Vec<String> {
    let declared = inputs(action);
    step["with"]
        .as_mapping()
        .into_iter()
        .flat_map(|with| with.keys())
        .filter_map(|k| k.as_str())
        .filter(|k| !declared.contains_key(*k))
        .map(str::to_string)
        .collect()
}

/// A value of `with:` as the runner passes it to the action (always a string).
fn with_value(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => serde_yaml::to_string(other)
            .expect("value")
            .trim()
            .to_string(),
    }
}

pub struct ActionRun {
    pub status: Option<i32>,
    pub outputs: BTreeMap<String, String>,
    /// What the step appended to `GITHUB_PATH`.
    pub path: String,
    pub log: String,
}

/// Runs the action's `run` step (id `run`) in `dir` with the inputs of `with` (defaults for
/// the rest), with `MLGUARD` pointing at the test binary. `command: scan` becomes `audit` of
/// `dir/snapshot.json`, since a scan needs AWS.
pub fn run_action(dir: &Path, with: &Mapping) -> ActionRun {
    run_action_with(dir, with, Path::new(env!("CARGO_BIN_EXE_mlguard")))
}

/// [`run_action`] with another program in place of mlguard (one that records its arguments).
pub fn run_action_with(dir: &Path, with: &Mapping, mlguard: &Path) -> ActionRun {
    let mut with = with.clone();
    let command = with
        .get("command")
        .and_then(Value::as_str)
        .map_or_else(|| inputs(&action())["command"].clone(), str::to_string);
    if command == "scan" {
        with.insert("command".into(), "audit".into());
        with.insert("snapshot".into(), "snapshot.json".into());
    }
    let mlguard = mlguard.to_str().expect("utf-8 path");
    run_step(dir, "run", &with, &[("MLGUARD", mlguard)])
}

/// Runs the action's step `id` the way GitHub runs a composite `shell: bash` step
/// (`bash --noprofile --norc -eo pipefail`) in `dir`: each `env:` entry that reads an input
/// gets that input from `with` (or its default); every other entry (the outputs of earlier
/// steps) must be given in `set`. `RUNNER_TEMP` and `RUNNER_TOOL_CACHE` are in `dir`.
pub fn run_step(dir: &Path, id: &str, with: &Mapping, set: &[(&str, &str)]) -> ActionRun {
    let action = action();
    let mut values = inputs(&action);
    for (k, v) in with {
        values.insert(k.as_str().expect("input name").to_string(), with_value(v));
    }
    let step = action["runs"]["steps"]
        .as_sequence()
        .expect("composite steps")
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no step with id: {id}"))
        .clone();
    assert_eq!(step["shell"], "bash", "step {id}");
    let script = dir.join(format!(".action-{id}.sh"));
    fs::write(&script, step["run"].as_str().expect("run script")).expect("write script");
    let output_file = dir.join(".github-output");
    let path_file = dir.join(".github-path");
    let _ = fs::remove_file(&output_file);
    let _ = fs::remove_file(&path_file);

    let working_directory = match step["working-directory"].as_str() {
        Some("${{ inputs.working-directory }}") => dir.join(&values["working-directory"]),
        _ => dir.to_path_buf(),
    };
    let mut cmd = Command::new("bash");
    cmd.args(["--noprofile", "--norc", "-eo", "pipefail"])
        .arg(&script)
        .current_dir(working_directory);
    for (key, _) in std::env::vars() {
        if key.starts_with("AWS_") || key.starts_with("MLGUARD_") || key == "NO_COLOR" {
            cmd.env_remove(key);
        }
    }
    for (name, expr) in step["env"].as_mapping().into_iter().flatten() {
        let name = name.as_str().expect("env name");
        let expr = expr.as_str().unwrap_or_default();
        let input = expr
            .strip_prefix("${{ inputs.")
            .and_then(|rest| rest.strip_suffix(" }}"));
        let value = match input {
            Some(input) => values
                .get(input)
                .unwrap_or_else(|| panic!("env {name} reads an undeclared input {input}"))
                .clone(),
            None => set
                .iter()
                .find(|(n, _)| *n == name)
                .unwrap_or_else(|| panic!("step {id}: give env {name} ({expr})"))
                .1
                .to_string(),
        };
        cmd.env(name, value);
    }
    cmd.env("RUNNER_TEMP", dir)
        .env("RUNNER_TOOL_CACHE", dir.join("toolcache"))
        .env("GITHUB_OUTPUT", &output_file)
        .env("GITHUB_PATH", &path_file)
        .env("GITHUB_RUN_ID", "1")
        .env("GITHUB_RUN_ATTEMPT", "1");
    let out = cmd.output().expect("bash runs");
    let outputs = fs::read_to_string(&output_file)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    ActionRun {
        status: out.status.code(),
        outputs,
        path: fs::read_to_string(&path_file).unwrap_or_default(),
        log: format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

/// The logical lines of a shell script: trimmed, with `\`-continued lines joined.
pub fn shell_lines(script: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut pending = String::new();
    for raw in script.lines() {
        let line = raw.trim();
        if let Some(head) = line.strip_suffix('\\') {
            pending.push_str(head.trim_end());
            pending.push(' ');
            continue;
        }
        pending.push_str(line);
        lines.push(std::mem::take(&mut pending));
    }
    lines
}
