//! The command line, driven through the real binary: exit codes, outputs, and a clear error
//! (exit 2, naming the file or id) for every kind of bad input.

use crate::common::{mlguard, root, stderr_of, stdout_of};
use std::fs;

const FAILING: &str = "fixtures/LP-001/fail/star-trust.json";
const PASSING: &str = "fixtures/LP-001/pass/sagemaker-trust.json";

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("mkdir");
    }
    fs::write(&path, text).expect("write");
    path.display().to_string()
}

/// Runs mlguard and asserts it exits 2 with every `needles` in stderr.
fn assert_input_error(args: &[&str], needles: &[&str]) {
    let out = mlguard().args(args).output().expect("runs");
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "args {args:?}: stderr:\n{err}");
    for needle in needles {
        assert!(
            err.contains(needle),
            "args {args:?}: stderr lacks {needle:?}:\n{err}"
        );
    }
    assert!(err.contains("help:"), "args {args:?}: no hint in:\n{err}");
    assert!(!err.contains("panicked"), "args {args:?}: panicked:\n{err}");
}

#[test]
fn failing_snapshot_exits_1_and_passing_exits_0() {
    let out = mlguard().args(["audit", FAILING]).output().expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout_of(&out).contains("LP-001"));
    let out = mlguard().args(["audit", PASSING]).output().expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", stdout_of(&out));
}

#[test]
fn fail_on_sets_the_threshold() {
    // LP-001 is critical.
    mlguard()
        .args(["audit", FAILING, "--fail-on", "critical"])
        .assert()
        .code(1);
    mlguard()
        .args(["audit", FAILING, "--fail-on", "none"])
        .assert()
        .code(0);
    mlguard()
        .args(["audit", PASSING, "--fail-on", "info"])
        .assert()
        .code(0);
}

#[test]
fn output_is_written_atomically_and_stdout_stays_empty() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("report.json");
    let out = mlguard()
        .args(["audit", FAILING, "--format", "json", "--output"])
        .arg(&path)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let report: serde_json::Value =
        serde_json::from_slice(&fs::read(&path).expect("written")).expect("json");
    assert_eq!(report["report_version"], 1);
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .expect("dir")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        1,
        "temporary files left behind: {leftovers:?}"
    );
}

#[test]
fn unwritable_output_is_an_error_without_partial_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let target = dir.path().join("missing-dir").join("report.sarif");
    let out = mlguard()
        .args(["audit", FAILING, "-f", "sarif", "-o"])
        .arg(&target)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("missing-dir"),
        "{}",
        stderr_of(&out)
    );
    assert!(!target.exists());
}

#[test]
fn table_has_no_colour_unless_asked() {
    let out = mlguard().args(["audit", FAILING]).output().expect("runs");
    assert!(
        !stdout_of(&out).contains('\u{1b}'),
        "ANSI escape in piped output"
    );
    let out = mlguard()
        .args(["--color", "always", "audit", FAILING])
        .output()
        .expect("runs");
    assert!(
        stdout_of(&out).contains('\u{1b}'),
        "--color always must colour"
    );
    let out = mlguard()
        .env("NO_COLOR", "1")
        .args(["audit", FAILING])
        .output()
        .expect("runs");
    assert!(!stdout_of(&out).contains('\u{1b}'));
}

#[test]
fn missing_snapshot_file() {
    assert_input_error(
        &["audit", "fixtures/no-such-file.json"],
        &["fixtures/no-such-file.json"],
    );
}

#[test]
fn truncated_json_names_file_and_position() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = fs::read_to_string(root().join(FAILING)).expect("fixture");
    let path = write(&dir, "truncated.json", &text[..text.len() / 2]);
    assert_input_error(&["audit", &path], &[&path, "not valid JSON"]);
}

#[test]
fn wrong_or_missing_schema_version() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = fs::read_to_string(root().join(FAILING)).expect("fixture");
    let v2 = write(
        &dir,
        "v2.json",
        &text.replace("\"schema_version\": 1", "\"schema_version\": 2"),
    );
    assert_input_error(&["audit", &v2], &[&v2, "unknown schema_version 2"]);
    let none = write(
        &dir,
        "none.json",
        &text.replace("\"schema_version\": 1,", ""),
    );
    assert_input_error(&["audit", &none], &[&none, "schema_version"]);
}

#[test]
fn wrongly_typed_field_names_the_field() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = fs::read_to_string(root().join(FAILING)).expect("fixture");
    let bad = write(
        &dir,
        "typed.json",
        &text.replace("\"RoleName\": \"legacy-admin\"", "\"RoleName\": 42"),
    );
    assert_input_error(
        &["audit", &bad],
        &[&bad, "iam.roles[0].RoleName", "invalid type"],
    );
}

const RULE_HEAD: &str = "# METADATA\n# title: Custom check\n# description: A custom rule.\n# custom:\n#   id: ORG-001\n#   name: custom-check\n#   pillar: least_privilege\n#   severity: low\n#   service: iam\n#   resource_type: AWS::IAM::Role\n#   rationale: Because.\n#   remediation:\n#     text: Fix it.\n";

#[test]
fn policy_with_syntax_error_names_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        &dir,
        "p/broken.rego",
        &format!("{RULE_HEAD}package custom.broken\nimport rego.v1\ndeny contains x if {{ x := \n"),
    );
    let policy_dir = dir.path().join("p").display().to_string();
    assert_input_error(&["audit", PASSING, "--policy-dir", &policy_dir], &[&path]);
}

#[test]
fn policy_calling_an_unknown_builtin_is_refused_at_load() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        &dir,
        "p/unknown.rego",
        &format!(
            "{RULE_HEAD}package custom.unknown\nimport rego.v1\napplicable contains r if {{ some r in input.iam.roles }}\ndeny contains {{\"resource\": r, \"msg\": \"x\"}} if {{\n\tsome r in input.iam.roles\n\tstrings.no_such_function(r.RoleName)\n}}\n"
        ),
    );
    let policy_dir = dir.path().join("p").display().to_string();
    // The passing fixture never reaches the call: the check happens at load time.
    assert_input_error(
        &["audit", PASSING, "--policy-dir", &policy_dir],
        &[&path, "ORG-001", "strings.no_such_function"],
    );
}

#[test]
fn metadata_without_id_names_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        &dir,
        "p/noid.rego",
        &format!(
            "{}package custom.noid\nimport rego.v1\napplicable := set()\ndeny := set()\n",
            RULE_HEAD.replace("#   id: ORG-001\n", "")
        ),
    );
    let policy_dir = dir.path().join("p").display().to_string();
    assert_input_error(
        &["audit", PASSING, "--policy-dir", &policy_dir],
        &[&path, "METADATA", "id"],
    );
}

#[test]
fn rule_file_without_metadata_names_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        &dir,
        "p/bare.rego",
        "package custom.bare\nimport rego.v1\ndeny := set()\n",
    );
    let policy_dir = dir.path().join("p").display().to_string();
    assert_input_error(
        &["audit", PASSING, "--policy-dir", &policy_dir],
        &[&path, "METADATA"],
    );
}

#[test]
fn duplicate_custom_ids_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let body =
        "import rego.v1\napplicable contains r if { some r in input.iam.roles }\ndeny := set()\n";
    let a = write(
        &dir,
        "p/a.rego",
        &format!("{RULE_HEAD}package custom.a\n{body}"),
    );
    let b = write(
        &dir,
        "p/b.rego",
        &format!("{RULE_HEAD}package custom.b\n{body}"),
    );
    let policy_dir = dir.path().join("p").display().to_string();
    assert_input_error(
        &["audit", PASSING, "--policy-dir", &policy_dir],
        &["ORG-001", &a, &b],
    );
}

#[test]
fn unknown_select_or_ignore_id() {
    assert_input_error(&["audit", PASSING, "--select", "LP-999"], &["LP-999"]);
    assert_input_error(&["audit", PASSING, "--ignore", "XX"], &["XX"]);
}

#[test]
fn bad_trusted_cidr() {
    assert_input_error(
        &["audit", PASSING, "--trusted-cidr", "10.0.0.0/33"],
        &["10.0.0.0/33"],
    );
}

#[test]
fn missing_policy_dir() {
    assert_input_error(
        &["audit", PASSING, "--policy-dir", "no/such/dir"],
        &["no/such/dir"],
    );
}

#[test]
fn usage_errors_exit_2() {
    mlguard().args(["audit"]).assert().code(2);
    mlguard()
        .args(["audit", PASSING, "--format", "pdf"])
        .assert()
        .code(2);
    mlguard().args(["frobnicate"]).assert().code(2);
}

#[test]
fn custom_rule_overrides_a_builtin_by_id() {
    let dir = tempfile::tempdir().expect("tempdir");
    let head = RULE_HEAD
        .replace("ORG-001", "LP-001")
        .replace("severity: low", "severity: info");
    write(
        &dir,
        "p/override.rego",
        &format!(
            "{head}package custom.lp001\nimport rego.v1\nimport data.mlguard.lib.resource\nimport data.mlguard.lib.result\napplicable contains resource.role(i, r) if some i, r in input.iam.roles\ndeny contains result.new(resource.role(i, r), \"custom verdict\") if some i, r in input.iam.roles\n"
        ),
    );
    let policy_dir = dir.path().join("p").display().to_string();
    let out = mlguard()
        .args([
            "audit",
            PASSING,
            "--select",
            "LP-001",
            "--format",
            "json",
            "--policy-dir",
            &policy_dir,
        ])
        .output()
        .expect("runs");
    // The override reports severity info, below the default --fail-on high.
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["findings"][0]["message"], "custom verdict");
    assert_eq!(report["findings"][0]["severity"], "info");
}

#[test]
fn policy_test_runs_builtin_and_custom_tests() {
    let out = mlguard().args(["policy", "test"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", stdout_of(&out));
    assert!(stdout_of(&out).contains(" passed, 0 failed"));

    let dir = tempfile::tempdir().expect("tempdir");
    let body = "import rego.v1\napplicable contains r if { some r in input.iam.roles }\ndeny contains {\"resource\": r, \"msg\": \"m\"} if { some r in input.iam.roles; r.RoleName == \"bad\" }\n";
    write(
        &dir,
        "p/rule.rego",
        &format!("{RULE_HEAD}package custom.rule\n{body}"),
    );
    write(
        &dir,
        "p/rule_test.rego",
        "package custom.rule\nimport rego.v1\ntest_bad_denied if { count(deny) == 1 with input as {\"iam\": {\"roles\": [{\"RoleName\": \"bad\"}]}} }\ntest_wrong_expectation_fails_on_purpose if { count(deny) == 1 with input as {\"iam\": {\"roles\": []}} }\n",
    );
    let policy_dir = dir.path().join("p").display().to_string();
    let out = mlguard()
        .args(["policy", "test", "--no-builtin", &policy_dir])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let text = stdout_of(&out);
    assert!(text.contains("1 passed, 1 failed"), "{text}");
    assert!(
        text.contains("test_wrong_expectation_fails_on_purpose: FAIL"),
        "{text}"
    );
}

#[test]
fn schema_command_matches_published_schema() {
    let out = mlguard().args(["schema"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let published: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(root().join("docs/snapshot.schema.json"))
            .expect("docs/snapshot.schema.json"),
    )
    .expect("json");
    assert_eq!(
        printed, published,
        "docs/snapshot.schema.json is stale: run `cargo run -- schema -o docs/snapshot.schema.json`"
    );
}

#[test]
fn rules_list_and_explain() {
    let out = mlguard()
        .args(["rules", "list", "--format", "json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let rules: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("json");
    assert!(rules.iter().any(|r| r["id"] == "LP-001"));
    let out = mlguard()
        .args(["rules", "explain", "lp-001"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let page = fs::read_to_string(root().join("docs/rules/LP-001.md")).expect("doc");
    assert_eq!(stdout_of(&out), page);
    assert_input_error(&["rules", "explain", "LP-999"], &["LP-999"]);
}

#[test]
fn closed_stdout_is_not_an_error() {
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_mlguard"))
        .current_dir(root())
        .args(["rules", "list"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.code() == Some(0), "{}", stderr_of(&out));
    assert!(!stderr_of(&out).contains("panicked"));
}

#[test]
fn several_formats_each_to_its_place() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sarif = dir.path().join("out.sarif");
    let html = dir.path().join("out.html");
    let out = mlguard()
        .args(["audit", FAILING, "--format"])
        .arg(format!("sarif={}", sarif.display()))
        .arg("--format")
        .arg(format!("html={}", html.display()))
        .args(["--format", "table"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    // The table on stdout; the others in their files.
    assert!(stdout_of(&out).contains("Least privilege: score"));
    let log: serde_json::Value =
        serde_json::from_slice(&fs::read(&sarif).expect("sarif written")).expect("json");
    assert_eq!(log["version"], "2.1.0");
    assert!(
        fs::read_to_string(&html)
            .expect("html written")
            .starts_with("<!DOCTYPE html>")
    );
    // The table already ends with the summary: stderr names the files only.
    let err = stderr_of(&out);
    assert!(!err.contains(" failed"), "{err}");
    assert!(err.contains("mlguard: wrote the sarif report to"), "{err}");
    assert!(err.contains("mlguard: wrote the html report to"), "{err}");

    // Without a table on stdout, stderr summarizes; --quiet silences it.
    let out = mlguard()
        .args([
            "audit", FAILING, "--select", "LP-001", "--format", "json", "--format",
        ])
        .arg(format!("ocsf={}", dir.path().join("o.json").display()))
        .output()
        .expect("runs");
    let err = stderr_of(&out);
    assert!(err.contains("mlguard: 1 failed (1 critical)"), "{err}");
    assert!(err.contains("wrote the ocsf report to"), "{err}");
    assert!(
        err.contains("1 finding at or above high: failing (exit 1)"),
        "{err}"
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json on stdout");
    assert_eq!(report["report_version"], 1);
    let out = mlguard()
        .args(["audit", FAILING, "--format", "json", "-q"])
        .output()
        .expect("runs");
    assert!(out.stderr.is_empty(), "{}", stderr_of(&out));
    assert_eq!(out.status.code(), Some(1));

    // The format without `=FILE` goes to --output.
    let json = dir.path().join("r.json");
    let out = mlguard()
        .args(["audit", FAILING, "-f", "json", "-f"])
        .arg(format!("asff={}", dir.path().join("a.json").display()))
        .arg("--output")
        .arg(&json)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(json.is_file() && dir.path().join("a.json").is_file());
}

#[test]
fn conflicting_destinations_are_usage_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let same = dir.path().join("same.json").display().to_string();
    for args in [
        vec!["--format", "json", "--format", "sarif"],
        vec!["-f", "json", "-f", "table", "-o", &same],
        vec!["-f", &format!("json={same}"), "-o", &same],
        vec!["-f", &format!("json={same}"), "-f", &format!("ocsf={same}")],
    ] {
        let mut full = vec!["audit", FAILING];
        full.extend(args.iter().copied());
        assert_input_error(&full, &[]);
    }
    assert!(
        !dir.path().join("same.json").exists(),
        "nothing written on a usage error"
    );
    let out = mlguard()
        .args(["audit", FAILING, "--format", "pdf=x.pdf"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("unknown format `pdf`"),
        "{}",
        stderr_of(&out)
    );
    let out = mlguard()
        .args(["audit", FAILING, "--format", "sarif="])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn completions_and_man_page() {
    for (shell, needle) in [
        ("bash", "_mlguard()"),
        ("zsh", "#compdef mlguard"),
        ("fish", "complete -c mlguard"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[mlguard]"),
    ] {
        let out = mlguard()
            .args(["completions", shell])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let text = stdout_of(&out);
        assert!(text.contains(needle), "{shell}: {needle:?} missing");
        assert!(text.contains("baseline"), "{shell}: options missing");
    }
    mlguard().args(["completions", "tcsh"]).assert().code(2);
    let out = mlguard().args(["man"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let page = stdout_of(&out);
    assert!(
        page.starts_with(".ie") || page.contains(".TH mlguard"),
        "{page}"
    );
    assert!(page.contains("audit") && page.contains("completions"));
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("mlguard.1");
    mlguard().args(["man", "-o"]).arg(&path).assert().code(0);
    assert_eq!(fs::read_to_string(&path).expect("written"), page);
}

#[test]
fn closed_stdout_during_a_report_is_not_an_error() {
    use std::process::{Command, Stdio};
    for format in ["table", "json", "html"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mlguard"))
            .current_dir(root())
            .args([
                "audit",
                "fixtures/lab-insecure.json",
                "--quiet",
                "-f",
                format,
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("wait");
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{format}: {}",
            stderr_of(&out)
        );
        assert!(out.stderr.is_empty(), "{format}: {}", stderr_of(&out));
    }
}
