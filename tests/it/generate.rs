//! Synthetic snapshots (`mlguard generate`): every built-in rule fails on some generated
//! resources and passes on others, hardened resources pass everything, and the same spec
//! gives the same bytes.

use crate::common;
use crate::common::builtin_engine;
use mlguard::audit::{self, Selection};
use mlguard::findings::Status;
use mlguard::generate::{self, Counts, Spec};
use mlguard::snapshot;
use std::path::Path;

fn small(rate: f64, seed: u64) -> Spec {
    Spec {
        counts: Counts::uniform(30),
        regions: 2,
        seed,
        violation_rate: rate,
    }
}

fn load(spec: &Spec) -> snapshot::LoadedSnapshot {
    let (bytes, _) = generate::generate(spec).expect("generates");
    let text = String::from_utf8(bytes).expect("utf-8");
    snapshot::load_str(&text, Path::new("generated.json")).expect("loads")
}

fn audit_of(snap: &snapshot::LoadedSnapshot) -> audit::AuditReport {
    let ids = Selection::default()
        .resolve(builtin_engine().rules())
        .expect("selection");
    audit::audit(builtin_engine(), snap, &ids).expect("evaluates")
}

fn audit(spec: &Spec) -> audit::AuditReport {
    audit_of(&load(spec))
}

#[test]
fn every_rule_fails_on_some_generated_resources_and_passes_on_others() {
    let report = audit(&small(0.5, 7));
    assert_eq!(report.tallies.len(), builtin_engine().rules().len());
    let mut problems = Vec::new();
    for t in &report.tallies {
        if t.failed == 0 || t.passed() == 0 || t.not_assessed > 0 {
            problems.push(format!(
                "{}: {} applicable, {} failed, {} passed, {} not assessed",
                t.rule_id,
                t.applicable,
                t.failed,
                t.passed(),
                t.not_assessed
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn hardened_resources_pass_every_rule() {
    let report = audit(&small(0.0, 7));
    let found: Vec<String> = report
        .findings
        .iter()
        .map(|f| format!("{} {}: {}", f.rule_id, f.resource.arn, f.message))
        .collect();
    assert!(found.is_empty(), "{}", found.join("\n"));
    assert!(report.tallies.iter().all(|t| t.applicable > 0));
}

#[test]
fn violations_are_the_requested_share() {
    let (_, summary) = generate::generate(&Spec {
        counts: Counts::uniform(200),
        ..small(0.25, 3)
    })
    .expect("generates");
    for (kind, (n, v)) in &summary.kinds {
        match *kind {
            "iam.policies" => assert_eq!((*n, *v), (200, 0)),
            "regions" => assert_eq!((*n, *v), (2, 1)),
            _ => assert_eq!((*n, *v), (200, 50), "{kind}"),
        }
    }
}

#[test]
fn same_seed_same_bytes() {
    let (a, _) = generate::generate(&small(0.3, 11)).expect("generates");
    let (b, _) = generate::generate(&small(0.3, 11)).expect("generates");
    assert!(a == b, "two runs with the same seed differ");
    let (c, _) = generate::generate(&small(0.3, 12)).expect("generates");
    assert!(a != c, "another seed gives the same snapshot");
}

#[test]
fn some_violations_carry_suppression_tags() {
    let snap = load(&Spec {
        counts: Counts::uniform(400),
        ..small(0.5, 5)
    });
    let mut report = audit_of(&snap);
    let mut suppressions = mlguard::suppress::Suppressions::default();
    suppressions
        .read_tags(builtin_engine(), &snap)
        .expect("tags");
    let known: Vec<String> = builtin_engine()
        .rules()
        .iter()
        .map(|r| r.meta.id.clone())
        .collect();
    let warnings = suppressions.apply(
        &mut report,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 26).expect("date"),
        &known,
    );
    assert!(report.count(Status::Suppressed) > 0);
    // Each tag names the rule its resource breaks: none is unused.
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn cli_writes_the_snapshot_atomically_and_it_audits() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("snap.json");
    let run = common::mlguard()
        .args(["generate", "--scale", "5", "--seed", "9", "-o"])
        .arg(&out)
        .output()
        .expect("runs");
    assert!(run.status.success(), "{}", common::stderr_of(&run));
    assert!(common::stderr_of(&run).contains("violating"));
    let again = common::mlguard()
        .args(["generate", "--scale", "5", "--seed", "9"])
        .output()
        .expect("runs");
    assert_eq!(
        std::fs::read(&out).expect("written"),
        again.stdout,
        "file and stdout differ"
    );
    let audit = common::mlguard()
        .args(["audit", "--no-config", "--fail-on", "none", "-q"])
        .arg(&out)
        .output()
        .expect("runs");
    assert!(audit.status.success(), "{}", common::stderr_of(&audit));
}
