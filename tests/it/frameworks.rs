//! Framework mappings and the evidence built from them: every mapping names a known framework,
//! a well-formed control id of it and a control of its control set, with its source cited;
//! `rules list --framework` lists each framework's controls; `--framework` and `--format csv`
//! give per-control evidence with the hashes that reproduce it, read back with a CSV parser;
//! the framework views are reviewed snapshots.

use crate::common::{builtin_engine, mlguard, root, stderr_of, stdout_of};
use mlguard::audit::{self, Selection};
use mlguard::engine::PolicySet;
use mlguard::engine::frameworks::{self, KEYS};
use mlguard::report::compliance::Evidence;
use mlguard::report::{self, Ctx, Format};
use mlguard::snapshot;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The page that grounds each framework's mappings, as a rule's `references` must cite it.
fn cites(key: &str, id: &str, refs: &[String], fsbp: bool) -> bool {
    let has = |s: &str| refs.iter().any(|r| r.contains(s));
    match key {
        "fsbp" => has("docs.aws.amazon.com/securityhub/latest/userguide/"),
        "cis" => has("cis-aws-foundations-benchmark"),
        "aws_config" => has(&format!("config/latest/developerguide/{id}.html")),
        // Security Hub's related requirements, or the NIST conformance pack.
        "nist_800_53" => {
            (fsbp && has("docs.aws.amazon.com/securityhub/latest/userguide/"))
                || has("operational-best-practices-for-nist-800-53_rev_5")
        }
        "iso_27001" => has("iso27001_2022_aws.json"),
        "soc2" => has("soc2_aws.json") || has("steampipe-mod-aws-compliance/tree/main/soc_2"),
        "pci_dss" => has("pci_4.0_aws.json") || has("pci_dss_v40"),
        "hipaa" => has("operational-best-practices-for-hipaa_security"),
        "ml_lens" => has(&format!("machine-learning-lens/{}.html", id.to_lowercase())),
        "lab" => true,
        _ => false,
    }
}

#[test]
fn every_mapping_is_known_well_formed_in_its_control_set_and_cited() {
    let all = frameworks::all().expect("framework definitions load");
    assert_eq!(all.iter().map(|f| f.key.as_str()).collect::<Vec<_>>(), KEYS);
    let set = PolicySet::load(true, &[]).expect("built-in policies load");
    let mut mapped: BTreeMap<&str, usize> = BTreeMap::new();
    for rule in &set.rules {
        let m = &rule.meta;
        let fsbp = m.frameworks.contains_key("fsbp");
        for (key, mapping) in &m.frameworks {
            let framework = all
                .iter()
                .find(|f| f.key == *key)
                .unwrap_or_else(|| panic!("{}: unknown framework {key}", m.id));
            assert!(!mapping.is_empty(), "{}: empty mapping for {key}", m.id);
            let mut seen = BTreeSet::new();
            for (id, _) in mapping.controls() {
                assert!(seen.insert(id), "{}: {key} {id} listed twice", m.id);
                assert!(
                    frameworks::valid_id(key, id),
                    "{}: {key} id {id} is malformed",
                    m.id
                );
                assert!(
                    framework.control(id).is_some(),
                    "{}: {key} {id} is not in policies/frameworks/{key}.yaml",
                    m.id
                );
                assert!(
                    cites(key, id, &m.references, fsbp),
                    "{}: no reference cites the source of its {key} mapping {id}",
                    m.id
                );
                *mapped.entry(key.as_str()).or_default() += 1;
            }
            // Regulatory frameworks: a configuration check never evidences a whole control.
            if [
                "nist_800_53",
                "iso_27001",
                "soc2",
                "pci_dss",
                "hipaa",
                "ml_lens",
            ]
            .contains(&key.as_str())
            {
                assert!(
                    mapping.full.is_empty(),
                    "{}: {key} {:?} marked full",
                    m.id,
                    mapping.full
                );
            }
        }
        assert!(
            m.frameworks.contains_key("ml_lens"),
            "{}: every rule bears on an ML Lens security practice",
            m.id
        );
    }
    for key in KEYS {
        assert!(
            mapped.get(key).copied().unwrap_or(0) > 0,
            "no rule maps to {key}"
        );
    }
}

fn policy_dir_with(frameworks_yaml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let rule = format!(
        "# METADATA\n# title: T\n# description: D\n# custom:\n#   id: CU-901\n#   name: custom-hazard\n#   pillar: encryption\n#   severity: low\n#   service: kms\n#   resource_type: AWS::KMS::Key\n#   rationale: R\n#   remediation:\n#     text: Fix it\n#   frameworks:\n{frameworks_yaml}#   inputs: [kms:ListKeys]\npackage custom.cu901\n\nimport rego.v1\n\napplicable contains x if some x in []\n\ndeny contains x if some x in []\n"
    );
    std::fs::write(dir.path().join("cu901.rego"), rule).expect("write");
    dir
}

#[test]
fn bad_mappings_in_custom_policies_are_refused_with_the_reason() {
    for (yaml, expect) in [
        ("#     nist_800_53: {full: [AC-6(9]}\n", "not a control id"),
        (
            "#     nist_800_53: {partial: [AC-1]}\n",
            "not in the control set",
        ),
        ("#     sox: [\"1.1\"]\n", "unknown framework `sox`"),
        ("#     cis: [3.6]\n", "quote control ids"),
        (
            "#     hipaa: {complete: [\"164.312(b)\"]}\n",
            "unknown coverage",
        ),
        (
            "#     soc2: {full: [CC6.1], partial: [CC6.1]}\n",
            "listed twice",
        ),
        ("#     ml_lens: MLSEC-02\n", "must be a list"),
    ] {
        let dir = policy_dir_with(yaml);
        let out = mlguard()
            .args(["rules", "list", "--policy-dir"])
            .arg(dir.path())
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(2), "{yaml}: {}", stderr_of(&out));
        let err = stderr_of(&out);
        assert!(err.contains("cu901.rego"), "{err}");
        assert!(err.contains(expect), "{yaml}: {err}");
        assert!(err.contains("help:"), "{err}");
    }
    // The list form is accepted and means partial.
    let dir = policy_dir_with("#     ml_lens: [MLSEC-02]\n");
    let out = mlguard()
        .args([
            "rules",
            "list",
            "--framework",
            "ml_lens",
            "--format",
            "json",
            "--policy-dir",
        ])
        .arg(dir.path())
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", stderr_of(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    let mlsec02 = doc["controls"]
        .as_array()
        .expect("controls")
        .iter()
        .find(|c| c["id"] == "MLSEC-02")
        .expect("MLSEC-02");
    assert!(
        mlsec02["rules"]
            .as_array()
            .expect("rules")
            .iter()
            .any(|r| r["id"] == "CU-901" && r["coverage"] == "partial"),
        "{mlsec02}"
    );
}

#[test]
fn rules_list_framework_lists_every_control_of_each_framework() {
    for key in KEYS {
        let framework = frameworks::get(key).expect("loads").expect("known");
        let out = mlguard()
            .args(["rules", "list", "--framework", key, "--format", "json"])
            .output()
            .expect("runs");
        assert!(out.status.success(), "{key}: {}", stderr_of(&out));
        let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
        let controls = doc["controls"].as_array().expect("controls");
        assert_eq!(controls.len(), framework.controls.len(), "{key}");
        let summary = &doc["summary"];
        let total = summary["full"].as_u64().unwrap_or(0)
            + summary["partial"].as_u64().unwrap_or(0)
            + summary["not_evidenced"].as_u64().unwrap_or(0);
        assert_eq!(total as usize, controls.len(), "{key}: {summary}");
        assert!(summary["not_evidenced"].as_u64().is_some(), "{summary}");
        for c in controls {
            let rules = c["rules"].as_array().expect("rules");
            let coverage = c["coverage"].as_str().expect("coverage");
            let expected = if rules.iter().any(|r| r["coverage"] == "full") {
                "full"
            } else if rules.is_empty() {
                "none"
            } else {
                "partial"
            };
            assert_eq!(coverage, expected, "{key} {c}");
        }

        let out = mlguard()
            .args(["rules", "list", "--framework", key])
            .output()
            .expect("runs");
        assert!(out.status.success());
        let text = stdout_of(&out);
        assert!(text.starts_with(&framework.name), "{text}");
        assert!(
            text.contains(&format!("{} controls: ", framework.controls.len())),
            "{text}"
        );
    }
    let out = mlguard()
        .args(["rules", "list", "--framework", "sox"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("nist_800_53"),
        "{}",
        stderr_of(&out)
    );
}

/// Runs an audit of `fixture` with `args` in a fresh directory; returns the directory.
fn audit_into(args: &[&str], code: i32) -> (tempfile::TempDir, std::process::Output) {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = mlguard()
        .env("MLGUARD_TODAY", "2026-11-26")
        .current_dir(dir.path())
        .args(["audit", "--quiet"])
        .args(args)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(code), "{}", stderr_of(&out));
    (dir, out)
}

fn read_csv(path: &Path) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let mut reader = csv::Reader::from_path(path).expect("csv opens");
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .map(|r| {
            let r = r.expect("a well-formed record");
            assert_eq!(r.len(), header.len(), "every row has every column");
            header
                .iter()
                .cloned()
                .zip(r.iter().map(str::to_string))
                .collect()
        })
        .collect();
    (header, rows)
}

#[test]
fn csv_and_html_evidence_for_soc2_as_the_issue_asks() {
    let fixture = root().join("fixtures/lab-insecure.json");
    let fixture_arg = fixture.to_string_lossy().to_string();
    let (dir, _) = audit_into(
        &[
            &fixture_arg,
            "--framework",
            "soc2",
            "--format",
            "csv=evidence.csv",
            "--format",
            "html=r.html",
            "--format",
            "json=r.json",
        ],
        1,
    );
    assert!(dir.path().join("r.html").is_file());
    let (header, rows) = read_csv(&dir.path().join("evidence.csv"));
    assert_eq!(header, report::csv::COLUMNS);
    assert!(rows.iter().all(|r| r["framework"] == "soc2"));
    let snapshot_hash = hex_sha256(&std::fs::read(&fixture).expect("fixture"));
    assert!(rows.iter().all(|r| r["snapshot_sha256"] == snapshot_hash));
    let json: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("r.json")).expect("json"))
            .expect("json");
    let evidence = &json["evidence"];
    assert_eq!(evidence["snapshot_sha256"], snapshot_hash.as_str());
    let policy_hash = evidence["policy_set_sha256"].as_str().expect("hash");
    assert_eq!(policy_hash.len(), 64);
    assert!(rows.iter().all(|r| r["policy_set_sha256"] == policy_hash));
    for r in &rows {
        assert_eq!(r["collected_at"], "2026-11-26T00:00:00Z");
        assert_eq!(r["audited_on"], "2026-11-26");
        assert_eq!(r["mlguard_version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(r["snapshot"], fixture_arg);
        if !r["resource_arn"].is_empty() {
            assert_eq!(r["account_id"], "123456789012", "{r:?}");
        }
    }
    assert_eq!(
        evidence["reproduce"],
        format!("mlguard audit {fixture_arg} --framework soc2")
    );

    // A failing pair, with its message and fingerprint, and the title with a comma intact.
    let admin = rows
        .iter()
        .find(|r| {
            r["control_id"] == "CC6.1"
                && r["rule_id"] == "LP-003"
                && r["resource_arn"] == "arn:aws:iam::123456789012:role/legacy-admin"
        })
        .expect("LP-003 evidences CC6.1 on legacy-admin");
    assert_eq!(admin["status"], "fail");
    assert_eq!(admin["control_status"], "fail");
    assert_eq!(admin["rule_coverage"], "partial");
    assert_eq!(
        admin["control_title"],
        "Logical access security software, infrastructure and architectures protect information assets"
    );
    assert_eq!(admin["finding_fingerprint"].len(), 64);
    assert!(!admin["message"].is_empty());
    // Passing resources are evidence too.
    assert!(
        rows.iter()
            .any(|r| r["rule_id"] == "LP-003" && r["status"] == "pass"),
        "passing roles are listed"
    );
    // A control no rule evidences is there, said to be so.
    let cc62 = rows
        .iter()
        .find(|r| r["control_id"] == "CC6.2")
        .expect("CC6.2 row");
    assert_eq!(cc62["control_status"], "not_evidenced");
    assert!(cc62["rule_id"].is_empty() && cc62["resource_arn"].is_empty());

    // The CSV and the JSON evidence list the same (control, rule, resource, status) pairs.
    let from_json: BTreeSet<(String, String, String, String)> =
        evidence["frameworks"][0]["controls"]
            .as_array()
            .expect("controls")
            .iter()
            .flat_map(|c| {
                let id = c["id"].as_str().unwrap_or_default().to_string();
                c["resources"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .into_iter()
                    .map(move |r| {
                        (
                            id.clone(),
                            r["rule_id"].as_str().unwrap_or_default().to_string(),
                            r["arn"].as_str().unwrap_or_default().to_string(),
                            r["status"].as_str().unwrap_or_default().to_string(),
                        )
                    })
            })
            .collect();
    let from_csv: BTreeSet<(String, String, String, String)> = rows
        .iter()
        .filter(|r| !r["resource_arn"].is_empty())
        .map(|r| {
            (
                r["control_id"].clone(),
                r["rule_id"].clone(),
                r["resource_arn"].clone(),
                r["status"].clone(),
            )
        })
        .collect();
    assert!(!from_csv.is_empty());
    assert_eq!(from_csv, from_json);
    // The evidence's counts are the resources listed.
    for c in evidence["frameworks"][0]["controls"]
        .as_array()
        .expect("controls")
    {
        let listed = |status: &str| {
            c["resources"]
                .as_array()
                .map_or(0, |r| r.iter().filter(|x| x["status"] == status).count())
        };
        assert_eq!(c["failed"].as_u64(), Some(listed("fail") as u64), "{c}");
        assert_eq!(c["passed"].as_u64(), Some(listed("pass") as u64), "{c}");
    }
}

#[test]
fn csv_without_a_framework_covers_every_framework_the_rules_map_to() {
    let (dir, _) = audit_into(
        &[
            &root().join("fixtures/lab-hardened.json").to_string_lossy(),
            "--format",
            "csv=all.csv",
            "--trusted-cidr",
            "10.250.0.0/16",
        ],
        0,
    );
    let (_, rows) = read_csv(&dir.path().join("all.csv"));
    let seen: BTreeSet<&str> = rows.iter().map(|r| r["framework"].as_str()).collect();
    assert_eq!(seen, KEYS.iter().copied().collect::<BTreeSet<_>>());
    // The hardened lab passes every control the rules evidence.
    assert!(
        rows.iter().all(|r| r["control_status"] != "fail"),
        "{:?}",
        rows.iter().find(|r| r["control_status"] == "fail")
    );
}

fn evidence_of(args: &[&str]) -> Value {
    let (_, out) = audit_into(args, 0);
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    json["evidence"].clone()
}

#[test]
fn hashes_name_exactly_what_produced_the_evidence() {
    let fixture = root().join("fixtures/lab-insecure.json");
    let f = fixture.to_string_lossy().to_string();
    let base = [
        "--format",
        "json",
        "--fail-on",
        "none",
        "--framework",
        "nist_800_53",
    ];
    let run = |extra: &[&str], snap: &str| {
        let mut args = vec![snap];
        args.extend_from_slice(&base);
        args.extend_from_slice(extra);
        evidence_of(&args)
    };
    let a = run(&[], &f);
    let b = run(&[], &f);
    assert_eq!(a, b, "the same inputs give the same evidence");
    let policy = |e: &Value| {
        e["policy_set_sha256"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    // Settings that change results change the policy-set hash; the framework shown does not.
    assert_ne!(
        policy(&a),
        policy(&run(&["--trusted-cidr", "10.9.0.0/16"], &f))
    );
    assert_ne!(policy(&a), policy(&run(&["--ignore", "NI-009"], &f)));
    assert_ne!(policy(&a), policy(&run(&["--no-suppress"], &f)));
    assert_eq!(policy(&a), policy(&run(&["--framework", "soc2"], &f)));
    // Another byte in the snapshot, another snapshot hash; the same results otherwise.
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = dir.path().join("copy.json");
    let mut bytes = std::fs::read(&fixture).expect("fixture");
    bytes.push(b'\n');
    std::fs::write(&copy, &bytes).expect("write");
    let c = run(&[], &copy.to_string_lossy());
    assert_eq!(c["snapshot_sha256"], hex_sha256(&bytes));
    assert_ne!(c["snapshot_sha256"], a["snapshot_sha256"]);
    assert_eq!(c["frameworks"], a["frameworks"]);
    assert_eq!(policy(&c), policy(&a));
}

#[test]
fn a_baseline_hides_findings_but_not_evidence() {
    let fixture = root().join("fixtures/lab-insecure.json");
    let f = fixture.to_string_lossy().to_string();
    let (dir, _) = audit_into(&[&f, "--format", "json=base.json", "--fail-on", "none"], 0);
    let base = dir.path().join("base.json");
    let args = [
        f.as_str(),
        "--format",
        "json",
        "--fail-on",
        "none",
        "--framework",
        "fsbp",
    ];
    let plain = evidence_of(&args);
    let base = base.to_string_lossy().to_string();
    let mut with_baseline = args.to_vec();
    with_baseline.extend(["--baseline", &base]);
    let (_, out) = audit_into(&with_baseline, 0);
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        json["findings"],
        serde_json::json!([]),
        "every finding is in the baseline"
    );
    assert_eq!(json["evidence"]["frameworks"], plain["frameworks"]);
}

fn render(fixture: &str, format: Format, frameworks: &[&str]) -> String {
    let text = std::fs::read_to_string(root().join(fixture)).expect("fixture");
    let mut snap = snapshot::load_str(&text, Path::new(fixture)).expect("loads");
    snap.source = Some(fixture.into());
    let ids = Selection::default()
        .resolve(builtin_engine().rules())
        .expect("selection");
    let report = audit::audit_keeping_passes(builtin_engine(), &snap, &ids).expect("audit");
    let keys: Vec<String> = frameworks.iter().map(|s| s.to_string()).collect();
    let ctx = Ctx {
        tool_version: "0.0.0-test",
        evidence: Some(std::sync::Arc::new(Evidence {
            frameworks: keys.clone(),
            csv_frameworks: keys,
            // Placeholders: the hashes change with every policy edit, the views do not.
            snapshot_sha256: "<snapshot-sha256>".into(),
            policy_set_sha256: "<policy-set-sha256>".into(),
            audited_on: "2026-11-26".into(),
            hidden: Vec::new(),
        })),
        ..Ctx::default()
    };
    String::from_utf8(report::render(format, &report, &ctx).expect("renders")).expect("utf-8")
}

#[test]
fn framework_views_snapshots() {
    for (fixture, frameworks, format, name) in [
        (
            "lab-insecure",
            &["soc2", "ml_lens"][..],
            Format::Table,
            "lab-insecure.soc2-ml_lens.table",
        ),
        (
            "lab-insecure",
            &["soc2", "ml_lens"],
            Format::Json,
            "lab-insecure.soc2-ml_lens.json",
        ),
        (
            "lab-insecure",
            &["soc2", "ml_lens"],
            Format::Csv,
            "lab-insecure.soc2-ml_lens.csv",
        ),
        (
            "lab-insecure",
            &["soc2", "ml_lens"],
            Format::Html,
            "lab-insecure.soc2-ml_lens.html",
        ),
        (
            "lab-hardened",
            &["fsbp"],
            Format::Table,
            "lab-hardened.fsbp.table",
        ),
    ] {
        let out = render(&format!("fixtures/{fixture}.json"), format, frameworks);
        insta::with_settings!({snapshot_path => "../snapshots/frameworks", prepend_module_to_snapshot => false, omit_expression => true}, {
            insta::assert_snapshot!(name, out);
        });
    }
}
