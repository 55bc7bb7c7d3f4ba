//! mlguard.toml through the real binary: discovery, precedence (flags over the file over
//! defaults), errors that point at file:line:col and the key, `init`, and the published JSON
//! Schema.

use crate::common::{mlguard, root, stderr_of, stdout_of};
use std::fs;
use std::path::{Path, PathBuf};

const FAILING: &str = "fixtures/LP-001/fail/star-trust.json";

/// A directory holding a copy of the failing fixture (`snap.json`) and, when given, an
/// mlguard.toml.
fn workdir(config: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::copy(root().join(FAILING), dir.path().join("snap.json")).expect("copy fixture");
    if let Some(text) = config {
        fs::write(dir.path().join("mlguard.toml"), text).expect("write config");
    }
    dir
}

fn run_in(dir: &Path, args: &[&str]) -> std::process::Output {
    mlguard()
        .current_dir(dir)
        .env_remove("MLGUARD_CONFIG")
        .args(args)
        .output()
        .expect("runs")
}

fn json_of(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            stdout_of(out),
            stderr_of(out)
        )
    })
}

fn assert_config_error(out: &std::process::Output, needles: &[&str]) {
    let err = stderr_of(out);
    assert_eq!(out.status.code(), Some(2), "stderr:\n{err}");
    for needle in needles {
        assert!(err.contains(needle), "stderr lacks {needle:?}:\n{err}");
    }
    assert!(err.contains("help:"), "no hint:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn config_in_the_working_directory_is_read() {
    // LP-001 is critical: it fails the default threshold, not `fail_on = "none"`.
    let dir = workdir(Some("fail_on = \"none\"\n"));
    assert_eq!(
        run_in(dir.path(), &["audit", "snap.json"]).status.code(),
        Some(0)
    );
    // --no-config ignores it.
    assert_eq!(
        run_in(dir.path(), &["audit", "snap.json", "--no-config"])
            .status
            .code(),
        Some(1)
    );
    // Without a file, the defaults apply.
    let bare = workdir(None);
    assert_eq!(
        run_in(bare.path(), &["audit", "snap.json"]).status.code(),
        Some(1)
    );
}

#[test]
fn flags_override_the_file() {
    let dir = workdir(Some("fail_on = \"none\"\n"));
    assert_eq!(
        run_in(dir.path(), &["audit", "snap.json", "--fail-on", "critical"])
            .status
            .code(),
        Some(1)
    );
    let dir = workdir(Some(
        "fail_on = \"critical\"\nselect = [\"LP-001\"]\nignore = [\"LP\"]\n",
    ));
    let out = run_in(dir.path(), &["audit", "snap.json", "-f", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_eq!(json_of(&out)["metadata"]["rules_evaluated"], 0);
    // Unknown ids on the command line are errors too.
    let out = run_in(
        dir.path(),
        &["audit", "snap.json", "-f", "json", "--ignore", "LP-999,XX"],
    );
    assert_eq!(out.status.code(), Some(2));
    let out = run_in(
        dir.path(),
        &["audit", "snap.json", "-f", "json", "--select", "LP-001"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "ignore from the file still applies"
    );
    let report = json_of(&out);
    assert_eq!(report["metadata"]["rules_evaluated"], 0);
}

#[test]
fn explicit_config_file_and_environment_variable() {
    let dir = workdir(Some("fail_on = \"none\"\n"));
    let other = dir.path().join("strict.toml");
    fs::write(&other, "fail_on = \"info\"\n").expect("write");
    let strict = other.display().to_string();
    // --config wins over ./mlguard.toml.
    assert_eq!(
        run_in(dir.path(), &["audit", "snap.json", "--config", &strict])
            .status
            .code(),
        Some(1)
    );
    // So does $MLGUARD_CONFIG.
    let out = mlguard()
        .current_dir(dir.path())
        .env("MLGUARD_CONFIG", &strict)
        .args(["audit", "snap.json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    // --config and --no-config contradict each other.
    let out = run_in(
        dir.path(),
        &["audit", "snap.json", "--config", &strict, "--no-config"],
    );
    assert_eq!(out.status.code(), Some(2));
    // A missing --config file is an input error that names it.
    let out = run_in(dir.path(), &["audit", "snap.json", "--config", "nope.toml"]);
    assert_config_error(&out, &["nope.toml"]);
}

#[test]
fn severity_override_changes_reports_and_exit_code() {
    let dir = workdir(Some(
        "select = [\"LP-001\"]\n[severity]\n\"LP-001\" = \"low\"\n",
    ));
    let out = run_in(dir.path(), &["audit", "snap.json", "-f", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "low is below the default `high`"
    );
    let report = json_of(&out);
    assert_eq!(report["findings"][0]["severity"], "low");
    assert_eq!(report["rules"][0]["severity"], "low");
    assert_eq!(report["summary"]["by_severity"]["low"], 1);
    let out = run_in(dir.path(), &["audit", "snap.json", "--fail-on", "low"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn unknown_key_points_at_line_column_and_key() {
    let dir = workdir(Some(
        "fail_on = \"high\"\n\n[network]\ntrusted_cidr = [\"10.0.0.0/8\"]\n",
    ));
    let out = run_in(dir.path(), &["audit", "snap.json"]);
    assert_config_error(
        &out,
        &["mlguard.toml:4:1:", "network.trusted_cidr", "unknown field"],
    );
}

#[test]
fn wrong_type_points_at_the_value() {
    let dir = workdir(Some("[iam]\nunused_role_days = \"ninety\"\n"));
    let out = run_in(dir.path(), &["audit", "snap.json"]);
    assert_config_error(
        &out,
        &["mlguard.toml:2:20:", "iam.unused_role_days", "invalid type"],
    );
    let dir = workdir(Some("select = \"LP\"\n"));
    let out = run_in(dir.path(), &["audit", "snap.json"]);
    assert_config_error(&out, &["mlguard.toml:1:10:", "`select`"]);
}

#[test]
fn unknown_rule_ids_point_at_them() {
    let dir = workdir(Some("select = [\"LP\", \"XX-1\"]\n"));
    let out = run_in(dir.path(), &["audit", "snap.json"]);
    assert_config_error(&out, &["mlguard.toml:1:17:", "select[1]", "XX-1"]);
    let dir = workdir(Some("\n[severity]\n\"NI-999\" = \"low\"\n"));
    let out = run_in(dir.path(), &["audit", "snap.json"]);
    assert_config_error(&out, &["mlguard.toml:3:1:", "severity.NI-999"]);
}

#[test]
fn bad_values_point_at_them() {
    let dir = workdir(Some("[network]\ntrusted_cidrs = [\"10.0.0.0/33\"]\n"));
    assert_config_error(
        &run_in(dir.path(), &["audit", "snap.json"]),
        &[
            "mlguard.toml:2:18:",
            "network.trusted_cidrs[0]",
            "10.0.0.0/33",
        ],
    );
    let dir = workdir(Some(
        "[[suppress]]\nrule = \"LP-001\"\nresource = \"*\"\nexpires = \"2027-01-31\"\n",
    ));
    assert_config_error(
        &run_in(dir.path(), &["audit", "snap.json"]),
        &["mlguard.toml:1:1:", "reason"],
    );
    let dir = workdir(Some("select = [\"LP\"\n"));
    assert_config_error(
        &run_in(dir.path(), &["audit", "snap.json"]),
        &["mlguard.toml:"],
    );
}

/// A custom rule whose message reports what the policies read from `data.mlguard_config`.
fn params_probe(dir: &Path) -> String {
    let policy_dir = dir.join("probe");
    fs::create_dir_all(&policy_dir).expect("mkdir");
    fs::write(
        policy_dir.join("probe.rego"),
        "# METADATA\n# title: Parameter probe\n# description: Reports the parameters.\n# custom:\n#   id: ORG-900\n#   name: parameter-probe\n#   pillar: network_isolation\n#   severity: info\n#   service: iam\n#   resource_type: AWS::IAM::Role\n#   rationale: Test.\n#   remediation:\n#     text: None.\npackage custom.probe\nimport rego.v1\nimport data.mlguard.lib.config\nimport data.mlguard.lib.resource\nimport data.mlguard.lib.result\napplicable contains resource.role(i, r) if some i, r in input.iam.roles\ndeny contains result.new(resource.role(i, r), msg) if {\n\tsome i, r in input.iam.roles\n\tmsg := sprintf(\"cidrs=%v ports=%v days=%v tag=%v globs=%v\", [config.trusted_cidrs, config.admin_ports, config.unused_role_days, config.scope_tag, config.scope_name_globs])\n}\n",
    )
    .expect("write probe");
    policy_dir.display().to_string()
}

#[test]
fn parameters_reach_the_policies_and_flags_win() {
    let dir = workdir(Some(
        "[network]\ntrusted_cidrs = [\"10.8.0.0/16\"]\nadmin_ports = [22, 3389]\n[iam]\nunused_role_days = 30\n[scope]\ntag = \"team=ml\"\nname_globs = [\"ds-*\"]\n",
    ));
    let probe = params_probe(dir.path());
    let message = |extra: &[&str]| {
        let mut args = vec![
            "audit",
            "snap.json",
            "-f",
            "json",
            "--select",
            "ORG-900",
            "--policy-dir",
            &probe,
        ];
        args.extend_from_slice(extra);
        let out = run_in(dir.path(), &args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
        json_of(&out)["findings"][0]["message"]
            .as_str()
            .expect("message")
            .to_string()
    };
    let m = message(&[]);
    assert!(m.contains("cidrs=[\"10.8.0.0/16\"]"), "{m}");
    assert!(m.contains("ports=[22, 3389]"), "{m}");
    assert!(m.contains("days=30"), "{m}");
    assert!(m.contains("tag=team=ml "), "{m}");
    assert!(m.contains("globs=[\"ds-*\"]"), "{m}");
    let m = message(&["--trusted-cidr", "192.168.0.0/16"]);
    assert!(m.contains("cidrs=[\"192.168.0.0/16\"]"), "{m}");
    assert!(m.contains("ports=[22, 3389]"), "{m}");
    let m = message(&["--no-config"]);
    assert!(m.contains("cidrs=[]") && m.contains("days=90"), "{m}");
}

#[test]
fn init_writes_a_template_and_refuses_to_overwrite() {
    let dir = workdir(None);
    let out = run_in(dir.path(), &["init"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let path = dir.path().join("mlguard.toml");
    let text = fs::read_to_string(&path).expect("written");
    assert!(text.contains("[[suppress]]") && text.contains("fail_on = \"high\""));
    // The template is a valid configuration that changes nothing.
    let out = run_in(dir.path(), &["audit", "snap.json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));

    fs::write(&path, "fail_on = \"none\"\n").expect("edit");
    let out = run_in(dir.path(), &["init"]);
    assert_config_error(&out, &["mlguard.toml", "already exists", "--force"]);
    assert_eq!(
        fs::read_to_string(&path).expect("kept"),
        "fail_on = \"none\"\n"
    );
    let out = run_in(dir.path(), &["init", "--force"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(fs::read_to_string(&path).expect("rewritten"), text);
    // Another path.
    let out = run_in(dir.path(), &["init", "ci/mlguard.toml"]);
    assert_eq!(out.status.code(), Some(2), "missing directory");
    let out = run_in(dir.path(), &["init", "other.toml"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(dir.path().join("other.toml").is_file());
}

#[test]
fn config_schema_command_matches_published_schema() {
    let out = mlguard().args(["schema", "config"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let published: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(root().join("docs/config.schema.json"))
            .expect("docs/config.schema.json"),
    )
    .expect("json");
    assert_eq!(
        printed, published,
        "docs/config.schema.json is stale: run `cargo run -- schema config -o docs/config.schema.json`"
    );
    // Every key of the schema is documented.
    let doc =
        fs::read_to_string(root().join("docs/configuration.md")).expect("docs/configuration.md");
    let mut keys = Vec::new();
    collect_keys(&printed, &printed, "", &mut keys);
    for key in &keys {
        assert!(
            [
                format!("`{key}`"),
                format!("`[{key}]`"),
                format!("`[[{key}]]`")
            ]
            .iter()
            .any(|k| doc.contains(k.as_str())),
            "docs/configuration.md does not document `{key}`"
        );
    }
    assert!(keys.len() > 15, "{keys:?}");
}

fn resolve<'a>(
    root: &'a serde_json::Value,
    schema: &'a serde_json::Value,
) -> &'a serde_json::Value {
    match schema.get("$ref").and_then(|r| r.as_str()) {
        Some(r) => &root["$defs"][r.trim_start_matches("#/$defs/")],
        None => schema,
    }
}

/// Every key path of the schema: `fail_on`, `network.trusted_cidrs`, `suppress.reason`.
fn collect_keys(
    root: &serde_json::Value,
    schema: &serde_json::Value,
    prefix: &str,
    out: &mut Vec<String>,
) {
    let mut schema = resolve(root, schema);
    if let Some(items) = schema.get("items") {
        schema = resolve(root, items);
    }
    if let Some(props) = schema.get("properties").and_then(|p| p.as_object()) {
        for (k, v) in props {
            let key = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            out.push(key.clone());
            collect_keys(root, v, &key, out);
        }
    }
}

const SCHEMA_CHECK: &str = r#"
import json, sys, tomllib, datetime
from jsonschema.validators import validator_for
schema = json.load(open(sys.argv[1]))
cls = validator_for(schema)
def plain(v):
    if isinstance(v, dict): return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list): return [plain(x) for x in v]
    if isinstance(v, (datetime.date, datetime.datetime)): return v.isoformat()
    return v
bad = 0
for path in sys.argv[2:]:
    doc = plain(tomllib.load(open(path, "rb")))
    for err in cls(schema, format_checker=cls.FORMAT_CHECKER).iter_errors(doc):
        bad += 1
        print(f"{path}: {'/'.join(map(str, err.absolute_path))}: {err.message}")
sys.exit(1 if bad else 0)
"#;

#[test]
fn published_schema_accepts_the_template_and_rejects_typos() {
    let python = std::env::var("MLGUARD_PYTHON").unwrap_or_else(|_| {
        panic!("MLGUARD_PYTHON is not set: run the suite with scripts/test.sh (it provides Python with jsonschema)")
    });
    let dir = tempfile::tempdir().expect("tempdir");
    // The template with every example uncommented.
    let template = run_in(dir.path(), &["init", "t.toml"]);
    assert_eq!(template.status.code(), Some(0));
    let text = fs::read_to_string(dir.path().join("t.toml")).expect("template");
    let full: String = text
        .lines()
        .map(|l| match l.strip_prefix("# ") {
            Some(rest) if rest.starts_with('[') || rest.starts_with('"') => rest.to_string(),
            Some(rest)
                if rest
                    .split_once(" = ")
                    .is_some_and(|(k, _)| !k.contains(' ')) =>
            {
                rest.to_string()
            }
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    let full_path = dir.path().join("full.toml");
    fs::write(&full_path, &full).expect("write");
    let typo_path = dir.path().join("typo.toml");
    fs::write(&typo_path, "[network]\ntrusted_cidr = []\n").expect("write");
    let schema = root().join("docs/config.schema.json");
    let files: Vec<PathBuf> = vec![
        dir.path().join("t.toml"),
        full_path.clone(),
        root().join("fixtures/config/mlguard.toml"),
    ];
    let out = std::process::Command::new(&python)
        .arg("-c")
        .arg(SCHEMA_CHECK)
        .arg(&schema)
        .args(&files)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "schema violations:\n{}{}",
        stdout_of(&out),
        stderr_of(&out)
    );
    // mlguard itself accepts the fully uncommented template.
    let loaded = mlguard::config::LoadedConfig::load(&full_path).expect("loads");
    assert_eq!(loaded.config.suppress.len(), 1);
    let out = std::process::Command::new(&python)
        .arg("-c")
        .arg(SCHEMA_CHECK)
        .arg(&schema)
        .arg(&typo_path)
        .output()
        .expect("python runs");
    assert!(!out.status.success(), "the schema must reject unknown keys");
}
