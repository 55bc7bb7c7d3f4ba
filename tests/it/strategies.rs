//! Every evaluation strategy gives the same findings on every fixture and on generated
//! snapshots: the one-call-per-rule interpreter (the reference), one call per entry point,
//! the shipped default, and the experimental mixed strategy (the RVM for the built-in rules
//! outside `RVM_DIVERGES`). `tests/it/differential.rs` goes further, on mutants with missing
//! fields and failed calls, where the mixed strategy is known to diverge.

use mlguard::engine::{Engine, Params, PolicySet, RVM_DIVERGES, RuleOutcome, Strategy};
use mlguard::generate::{self, Counts, Spec};
use mlguard::snapshot::{self, LoadedSnapshot};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn engines() -> Vec<(&'static str, Engine)> {
    let set = PolicySet::load(true, &[]).expect("policies");
    let base = Engine::new(&set, &Params::default()).expect("engine");
    vec![
        (
            "interpreter",
            base.clone()
                .with_strategy(Strategy::Combined)
                .expect("interpreter"),
        ),
        (
            "per-entrypoint",
            base.clone()
                .with_strategy(Strategy::PerEntrypoint)
                .expect("per entry point"),
        ),
        (
            "mixed (experimental)",
            base.clone().with_strategy(Strategy::Mixed).expect("mixed"),
        ),
        ("shipped (default)", base),
    ]
}

/// Outcomes in a canonical order, so only their contents are compared.
fn outcomes(engine: &Engine, snap: &LoadedSnapshot) -> Vec<RuleOutcome> {
    let mut all = engine.evaluate(snap, None).expect("evaluates");
    for o in &mut all {
        o.applicable.sort();
        o.deny
            .sort_by(|a, b| (&a.resource.arn, &a.message).cmp(&(&b.resource.arn, &b.message)));
        o.not_assessed
            .sort_by(|a, b| (&a.resource.arn, &a.message).cmp(&(&b.resource.arn, &b.message)));
    }
    all
}

fn differences(engines: &[(&str, Engine)], snap: &LoadedSnapshot, name: &str) -> Vec<String> {
    let (ref_name, reference) = &engines[0];
    let expected = outcomes(reference, snap);
    let mut out = Vec::new();
    for (other_name, other) in &engines[1..] {
        let got = outcomes(other, snap);
        assert_eq!(expected.len(), got.len(), "{name}: {other_name}");
        for (e, g) in expected.iter().zip(&got) {
            if e != g {
                out.push(format!(
                    "{name}: rule {} differs between {ref_name} and {other_name}: {e:?} vs {g:?}",
                    e.rule_id
                ));
            }
        }
    }
    out
}

fn snapshots_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("fixtures") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            snapshots_under(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

#[test]
fn every_strategy_gives_the_same_findings_on_every_fixture() {
    let engines = engines();
    let mut files = Vec::new();
    snapshots_under(&root().join("fixtures"), &mut files);
    files.sort();
    assert!(files.len() > 80, "fixtures found: {}", files.len());
    let mut problems = Vec::new();
    for file in files {
        // A fixture that does not load (a malformed-input case) is for the loader's tests.
        let Ok(snap) = snapshot::load_file(&file) else {
            continue;
        };
        problems.extend(differences(&engines, &snap, &file.display().to_string()));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_strategy_gives_the_same_findings_on_generated_snapshots() {
    let engines = engines();
    let mut problems = Vec::new();
    for (seed, rate) in [(1, 0.2), (7, 0.5), (11, 0.9)] {
        let spec = Spec {
            counts: Counts::uniform(40),
            regions: 3,
            seed,
            violation_rate: rate,
        };
        let (bytes, _) = generate::generate(&spec).expect("generates");
        let text = String::from_utf8(bytes).expect("utf-8");
        let snap = snapshot::load_str(&text, Path::new("generated.json")).expect("loads");
        let name = format!("generated seed {seed} rate {rate}");
        problems.extend(differences(&engines, &snap, &name));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_rules_kept_off_the_rvm_are_built_in_rules() {
    let set = PolicySet::load(true, &[]).expect("policies");
    for id in RVM_DIVERGES {
        assert!(
            set.rules.iter().any(|r| r.meta.id == id),
            "{id} is not a built-in rule"
        );
    }
}
