//! The built-in catalogue: every rule has fixtures that fail and pass it, Rego unit tests
//! for both cases, and an up-to-date documentation page.

use mlguard::audit;
use mlguard::docgen;
use mlguard::engine::testing::{self, TestOutcome};
use mlguard::engine::{Engine, Origin, Params, PolicySet, PolicySource, Rule};
use mlguard::findings::Status;
use mlguard::snapshot;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn set() -> &'static PolicySet {
    static SET: OnceLock<PolicySet> = OnceLock::new();
    SET.get_or_init(|| PolicySet::load(true, &[]).expect("built-in policies load"))
}

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new(set(), &Params::default()).expect("built-in engine"))
}

fn builtin_rules() -> Vec<&'static Rule> {
    engine()
        .rules()
        .iter()
        .filter(|r| r.source.origin == Origin::Builtin)
        .collect()
}

fn stem(p: &Path) -> String {
    p.file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default()
}

#[test]
fn every_rule_fails_its_failing_fixtures_and_passes_its_passing_ones() {
    let fixtures = root().join("fixtures");
    let mut problems = Vec::new();
    for rule in builtin_rules() {
        let id = &rule.meta.id;
        let (pass, fail) = (
            docgen::fixtures(&fixtures, id, "pass"),
            docgen::fixtures(&fixtures, id, "fail"),
        );
        if pass.is_empty() || fail.is_empty() {
            problems.push(format!(
                "{id}: needs fixtures/{id}/pass/*.json and fixtures/{id}/fail/*.json"
            ));
            continue;
        }
        for file in fail.iter().chain(&pass) {
            let snap =
                snapshot::load_file(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            let report =
                audit::audit(engine(), &snap, std::slice::from_ref(id)).expect("evaluates");
            let failed: Vec<_> = report
                .findings
                .iter()
                .filter(|f| f.status == Status::Fail)
                .collect();
            let tally = report
                .tallies
                .iter()
                .find(|t| t.rule_id == *id)
                .expect("tally");
            let rel = file
                .strip_prefix(root())
                .unwrap_or(file)
                .display()
                .to_string();
            if fail.contains(file) {
                if failed.is_empty() {
                    problems.push(format!(
                        "{id}: {rel} should fail the rule but has no failing finding"
                    ));
                    continue;
                }
                let mut out = String::new();
                for f in &report.findings {
                    let line = f.location.as_ref().map_or(0, |l| l.line);
                    let _ = writeln!(
                        out,
                        "{} {} {} (line {line})\n  {}",
                        f.status.as_str(),
                        f.rule_id,
                        f.resource.arn,
                        f.message
                    );
                }
                insta::with_settings!({snapshot_path => "../snapshots/rules", prepend_module_to_snapshot => false, omit_expression => true}, {
                    insta::assert_snapshot!(format!("{id}__{}", stem(file)), out);
                });
            } else {
                if !failed.is_empty() {
                    problems.push(format!(
                        "{id}: {rel} should pass but fails: {}",
                        failed[0].message
                    ));
                }
                if tally.applicable == 0 {
                    problems.push(format!(
                        "{id}: {rel} passes without the rule judging any resource (vacuous fixture)"
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_rule_has_rego_tests_for_failing_and_passing_cases_and_they_pass() {
    let results = testing::run(set(), &Params::default(), None).expect("tests load");
    let failures: Vec<String> = results
        .iter()
        .filter(|r| r.outcome != TestOutcome::Pass)
        .map(|r| format!("{}: {}.{}: {:?}", r.file, r.package, r.name, r.outcome))
        .collect();
    assert!(
        failures.is_empty(),
        "failing Rego tests:\n{}",
        failures.join("\n")
    );
    let mut problems = Vec::new();
    for rule in builtin_rules() {
        let names: Vec<&str> = results
            .iter()
            .filter(|r| r.package == rule.source.package)
            .map(|r| r.name.as_str())
            .collect();
        let failing = names
            .iter()
            .any(|n| n.contains("denied") || n.contains("fails"));
        let passing = names.iter().any(|n| n.contains("passes"));
        if !failing || !passing {
            problems.push(format!(
                "{}: needs Rego tests named *_denied/*_fails and *_passes in {}_test.rego (has {names:?})",
                rule.meta.id,
                rule.source.path.trim_end_matches(".rego")
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn ids_are_unique_and_never_reused() {
    let mut seen = BTreeSet::new();
    for rule in builtin_rules() {
        assert!(
            seen.insert(rule.meta.id.clone()),
            "duplicate id {}",
            rule.meta.id
        );
        for alias in &rule.meta.aliases {
            assert!(
                seen.insert(alias.clone()),
                "alias {alias} of {} reuses an id",
                rule.meta.id
            );
        }
        assert!(
            rule.meta.id.starts_with(rule.meta.pillar.id_prefix()),
            "{} is in pillar {} but its id does not start with {}",
            rule.meta.id,
            rule.meta.pillar,
            rule.meta.pillar.id_prefix()
        );
    }
    let names: BTreeSet<_> = builtin_rules()
        .iter()
        .map(|r| r.meta.name.clone())
        .collect();
    assert_eq!(
        names.len(),
        builtin_rules().len(),
        "rule names must be unique"
    );
}

#[test]
fn rule_docs_match_metadata_and_fixtures() {
    let pages = docgen::generate(engine(), &root());
    let mut stale = Vec::new();
    for (name, text) in &pages {
        let path = root().join("docs/rules").join(name);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(name.clone());
        }
    }
    let expected: BTreeSet<_> = pages.iter().map(|(n, _)| n.clone()).collect();
    for entry in std::fs::read_dir(root().join("docs/rules")).expect("docs/rules") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .to_string();
        if name.ends_with(".md") && !expected.contains(&name) {
            stale.push(format!("{name} (no such rule)"));
        }
    }
    assert!(
        stale.is_empty(),
        "docs/rules is out of date ({}): run `cargo xtask docs`",
        stale.join(", ")
    );
}

/// Every rule evaluates without error on every snapshot the repository holds: a rule that
/// breaks on input written for another rule breaks on real accounts too.
#[test]
fn every_rule_evaluates_every_fixture() {
    let mut files = vec![
        root().join("fixtures/lab-insecure.json"),
        root().join("fixtures/lab-hardened.json"),
    ];
    for dir in std::fs::read_dir(root().join("fixtures"))
        .expect("fixtures")
        .flatten()
    {
        for kind in ["pass", "fail", "not_assessed"] {
            files.extend(docgen::fixtures(
                &root().join("fixtures"),
                &dir.file_name().to_string_lossy(),
                kind,
            ));
        }
    }
    let ids: Vec<String> = builtin_rules().iter().map(|r| r.meta.id.clone()).collect();
    let mut problems = Vec::new();
    for file in &files {
        let snap = snapshot::load_file(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        if let Err(e) = audit::audit(engine(), &snap, &ids) {
            problems.push(format!("{}: {e}", file.display()));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// `fixtures/<ID>/not_assessed/*.json` hold snapshots whose gaps leave the rule unable to
/// judge: it reports `not_assessed` for them and neither passes nor fails anything.
#[test]
fn not_assessed_fixtures_are_neither_passed_nor_failed() {
    let fixtures = root().join("fixtures");
    let mut problems = Vec::new();
    let mut seen = 0;
    for rule in builtin_rules() {
        let id = &rule.meta.id;
        for file in docgen::fixtures(&fixtures, id, "not_assessed") {
            seen += 1;
            let snap =
                snapshot::load_file(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            let report =
                audit::audit(engine(), &snap, std::slice::from_ref(id)).expect("evaluates");
            let tally = report
                .tallies
                .iter()
                .find(|t| t.rule_id == *id)
                .expect("tally");
            let unknown = report
                .findings
                .iter()
                .filter(|f| f.status == Status::NotAssessed)
                .count();
            if unknown == 0 || tally.failed > 0 || tally.passed() > 0 {
                problems.push(format!(
                    "{id}: {} gives {unknown} not assessed, {} failed, {} passed",
                    stem(&file),
                    tally.failed,
                    tally.passed()
                ));
            }
        }
    }
    assert!(seen > 0, "no not_assessed fixtures found");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A `not_assessed` result for one resource survives beside resources that have their data
/// (regorus drops or errors on a rule head that is undefined for some elements; the rules
/// bind such terms in the body).
#[test]
fn not_assessed_is_reported_beside_assessed_resources() {
    let text = r#"{"schema_version": 1, "metadata": {"account_id": "123456789012", "regions": ["us-east-1"]},
      "regions": {"us-east-1": {"sagemaker": {"notebook_instances": [
        {"NotebookInstanceName": "a", "NotebookInstanceArn": "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/a",
         "KmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
        {"NotebookInstanceName": "b", "NotebookInstanceArn": "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/b"}]}}},
      "gaps": [{"service": "sagemaker", "region": "us-east-1", "operation": "DescribeNotebookInstance",
                "resource": "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/b", "error_code": "AccessDeniedException", "message": "denied"}]}"#;
    let snap = snapshot::load_str(text, Path::new("mixed.json")).expect("loads");
    let report = audit::audit(engine(), &snap, &["DE-005".to_string()]).expect("evaluates");
    let statuses: Vec<(String, Status)> = report
        .findings
        .iter()
        .map(|f| {
            (
                f.resource.arn.rsplit('/').next().unwrap_or("").to_string(),
                f.status,
            )
        })
        .collect();
    assert_eq!(
        statuses,
        vec![("b".to_string(), Status::NotAssessed)],
        "{:#?}",
        report.findings
    );
}

/// Every rule declares the API calls it reads, and a failed listing of any of them turns the
/// rule's verdict into `not_assessed`: an account mlguard could not read never passes.
#[test]
fn every_rule_is_not_assessed_when_its_inputs_could_not_be_listed() {
    let mut problems = Vec::new();
    for rule in builtin_rules() {
        if rule.meta.inputs.is_empty() {
            problems.push(format!("{}: metadata lists no `inputs`", rule.meta.id));
            continue;
        }
        for input in &rule.meta.inputs {
            let (service, operation) = input.split_once(':').expect("service:Operation");
            let region = if matches!(service, "iam" | "s3" | "s3control" | "sts") {
                "global"
            } else {
                "us-east-1"
            };
            let text = format!(
                r#"{{"schema_version": 1, "metadata": {{"account_id": "123456789012", "regions": ["us-east-1"]}},
                  "gaps": [{{"service": "{service}", "region": "{region}", "operation": "{operation}",
                            "error_code": "AccessDenied", "message": "denied"}}]}}"#
            );
            let snap = snapshot::load_str(&text, Path::new("gap.json")).expect("loads");
            let report = audit::audit(engine(), &snap, std::slice::from_ref(&rule.meta.id))
                .expect("evaluates");
            let unknown = report
                .findings
                .iter()
                .filter(|f| f.status == Status::NotAssessed)
                .count();
            let tally = report
                .tallies
                .iter()
                .find(|t| t.rule_id == rule.meta.id)
                .expect("tally");
            if unknown == 0 || tally.passed() > 0 {
                problems.push(format!(
                    "{}: a failed {input} listing gives {unknown} not-assessed findings",
                    rule.meta.id
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// `not is_string(x.Field)` is true in regorus and undefined in OPA when the field is
/// missing (OPA binds `x.Field` outside the negation); `not is_string(object.get(x,
/// "Field", null))` means the same in both. The built-in policies use only the second form.
#[test]
fn absence_is_tested_the_same_way_in_regorus_and_opa() {
    let sources: Vec<&PolicySource> = set()
        .rules
        .iter()
        .map(|r| &r.source)
        .chain(&set().libs)
        .collect();
    assert!(sources.len() > 39, "found {} policy files", sources.len());
    let mut offenders = Vec::new();
    for source in sources {
        for (n, line) in source.text.lines().enumerate() {
            let mut rest = line;
            while let Some(at) = rest.find("not is_") {
                let call = &rest[at..];
                let args = call.find('(').and_then(|open| {
                    call[open + 1..]
                        .find(')')
                        .map(|close| &call[open + 1..open + 1 + close])
                });
                if let Some(args) = args
                    && !args.contains('(')
                    && args.contains('.')
                {
                    offenders.push(format!("{}:{}: {}", source.path, n + 1, line.trim()));
                }
                rest = &call[4..];
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "test absence with object.get (docs/writing-policies.md):\n{}",
        offenders.join("\n")
    );
}
