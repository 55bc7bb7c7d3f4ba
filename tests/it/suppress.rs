//! Suppressions through the real binary. The scenario in fixtures/config/: four roles, three
//! of which any AWS principal may assume (LP-001, critical). mlguard.toml accepts one of
//! them until 2027-01-31 and accepted another until 2026-06-30; the third accepts itself with
//! the tag `mlguard:suppress`. "Today" is fixed with MLGUARD_TODAY.

use crate::common::{mlguard, root, stderr_of, stdout_of};
use std::fs;

const SNAPSHOT: &str = "fixtures/config/open-roles.json";
const CONFIG: &str = "fixtures/config/mlguard.toml";
const TODAY: &str = "2026-11-26";

fn audit(today: &str, extra: &[&str]) -> std::process::Output {
    mlguard()
        .env("MLGUARD_TODAY", today)
        .args(["audit", SNAPSHOT, "--config", CONFIG, "-f", "json"])
        .args(extra)
        .output()
        .expect("runs")
}

fn report(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", stdout_of(out), stderr_of(out)))
}

fn status_of(report: &serde_json::Value, role: &str) -> String {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| {
            f["resource"]["arn"]
                .as_str()
                .is_some_and(|a| a.ends_with(&format!("role/{role}")))
        })
        .map(|f| f["status"].as_str().unwrap_or_default().to_string())
        .unwrap_or_else(|| panic!("no finding on {role}"))
}

#[test]
fn active_suppression_holds_expired_one_fails_and_warns() {
    let out = audit(TODAY, &[]);
    let r = report(&out);
    // The lapsed suppression's finding fails again: exit 1 (critical ≥ high).
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert_eq!(status_of(&r, "ml-partner-access"), "suppressed");
    assert_eq!(status_of(&r, "ml-vendor-support"), "suppressed");
    assert_eq!(status_of(&r, "ml-legacy-batch"), "fail");
    let s = &r["summary"];
    assert_eq!(
        (
            s["failed"].as_u64(),
            s["suppressed"].as_u64(),
            s["gating"].as_u64()
        ),
        (Some(1), Some(2), Some(1))
    );
    // Counted apart in the rule row and the scores: suppressed pairs leave the ratio.
    let row = &r["rules"][0];
    assert_eq!(
        (
            row["applicable"].as_u64(),
            row["passed"].as_u64(),
            row["failed"].as_u64(),
            row["suppressed"].as_u64()
        ),
        (Some(4), Some(1), Some(1), Some(2))
    );
    let lp = &r["scores"]["pillars"]["least_privilege"];
    assert_eq!(lp["suppressed"], 2);
    assert_eq!(lp["score"], 50.0);
    // Where each suppression came from.
    let partner = r["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["status"] == "suppressed" && f["suppression"]["kind"] == "config")
        .expect("config suppression");
    assert_eq!(partner["suppression"]["expires"], "2027-01-31");
    assert_eq!(partner["suppression"]["source"], format!("{CONFIG}:7"));
    assert!(
        partner["suppression"]["reason"]
            .as_str()
            .is_some_and(|s| s.contains("SEC-17"))
    );
    let tagged = r["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["suppression"]["kind"] == "tag")
        .expect("tag suppression");
    assert_eq!(
        tagged["suppression"]["reason"],
        "Vendor break-glass access, reviewed by security (SEC-42)"
    );
    // One warning: the lapsed entry, with its place in the file and its date.
    let err = stderr_of(&out);
    let warnings: Vec<&str> = err.lines().filter(|l| l.starts_with("warning:")).collect();
    assert_eq!(warnings.len(), 1, "{err}");
    assert!(
        warnings[0].contains(&format!("{CONFIG}:13"))
            && warnings[0].contains("expired on 2026-06-30")
            && warnings[0].contains("1 matching finding fails again"),
        "{err}"
    );
    let disabled = rule_count() - 1;
    assert!(
        err.contains(&format!(
            "1 active, 2 ignored (suppressed), {disabled} rules disabled"
        )),
        "{err}"
    );
}

#[test]
fn expiry_date_is_inclusive() {
    let out = audit("2026-06-30", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let r = report(&out);
    assert_eq!(status_of(&r, "ml-legacy-batch"), "suppressed");
    assert!(!stderr_of(&out).contains("warning:"), "{}", stderr_of(&out));
    let out = audit("2026-07-01", &[]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn no_suppress_shows_everything_failing() {
    let out = audit(TODAY, &["--no-suppress"]);
    assert_eq!(out.status.code(), Some(1));
    let r = report(&out);
    assert_eq!(r["summary"]["failed"], 3);
    assert_eq!(r["summary"]["suppressed"], 0);
    assert!(
        r["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .all(|f| f.get("suppression").is_none())
    );
    assert!(!stderr_of(&out).contains("warning:"), "{}", stderr_of(&out));
}

#[test]
fn suppressed_findings_never_fail_the_build() {
    // With the lapsed finding out of the way (--select keeps LP-001; the table goes to a
    // file), only suppressed findings are left at the lowest threshold.
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("all.toml");
    fs::write(
        &config,
        "fail_on = \"info\"\nselect = [\"LP-001\"]\n[[suppress]]\nrule = \"LP\"\nresource = \"arn:aws:iam::*:role/ml-*\"\nreason = \"lab account\"\n",
    )
    .expect("write");
    let out = mlguard()
        .args(["audit", SNAPSHOT, "-f", "json", "--config"])
        .arg(&config)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let r = report(&out);
    assert_eq!(
        (
            r["summary"]["failed"].as_u64(),
            r["summary"]["suppressed"].as_u64()
        ),
        (Some(0), Some(3))
    );
    assert_eq!(
        r["scores"]["overall"], 100.0,
        "suppressed pairs leave the score"
    );
}

#[test]
fn unused_and_unknown_suppressions_warn() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("m.toml");
    fs::write(
        &config,
        "select = [\"LP-001\"]\n[[suppress]]\nrule = \"LP-001\"\nresource = \"arn:aws:iam::*:role/deleted-long-ago\"\nreason = \"old\"\n\n[[suppress]]\nrule = \"ZZ-404\"\nresource = \"*\"\nreason = \"typo\"\n",
    )
    .expect("write");
    let out = mlguard()
        .env("MLGUARD_TODAY", TODAY)
        .args(["audit", SNAPSHOT, "-f", "json", "--config"])
        .arg(&config)
        .output()
        .expect("runs");
    let err = stderr_of(&out);
    assert!(
        err.contains("m.toml:2: the suppression of LP-001 on `arn:aws:iam::*:role/deleted-long-ago` matched no finding"),
        "{err}"
    );
    assert!(
        err.contains("m.toml:7: the suppression names `ZZ-404`, which matches no rule id"),
        "{err}"
    );
    // The tag on ml-vendor-support still applies.
    assert_eq!(report(&out)["summary"]["suppressed"], 1);
    // --quiet: the report only.
    let out = mlguard()
        .env("MLGUARD_TODAY", TODAY)
        .args(["audit", SNAPSHOT, "-f", "json", "--quiet", "--config"])
        .arg(&config)
        .output()
        .expect("runs");
    assert!(out.stderr.is_empty(), "{}", stderr_of(&out));
    assert!(!out.stdout.is_empty());
    // A suppression of a rule that did not run is not reported unused.
    let out = mlguard()
        .env("MLGUARD_TODAY", TODAY)
        .args([
            "audit", SNAPSHOT, "-f", "json", "--ignore", "LP-001", "--config",
        ])
        .arg(&config)
        .output()
        .expect("runs");
    assert!(
        !stderr_of(&out).contains("matched no finding"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn tag_naming_a_rule_that_does_not_fail_warns() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = fs::read_to_string(root().join(SNAPSHOT)).expect("fixture");
    // The SageMaker role passes LP-001, yet its tag says to suppress it.
    let mut snap: serde_json::Value = serde_json::from_str(&text).expect("json");
    snap["iam"]["roles"][3]["Tags"] = serde_json::json!([
        {"Key": "mlguard:suppress", "Value": "LP-001"}
    ]);
    let path = dir.path().join("s.json");
    fs::write(&path, serde_json::to_string_pretty(&snap).expect("json")).expect("write");
    let out = mlguard()
        .args(["audit", "-f", "json", "--no-config", "--select", "LP-001"])
        .arg(&path)
        .output()
        .expect("runs");
    let err = stderr_of(&out);
    assert!(
        err.contains("arn:aws:iam::123456789012:role/brainybee-sagemaker-role: tag mlguard:suppress names LP-001, which does not fail on this resource"),
        "{err}"
    );
    // Tag suppressions work without any configuration file.
    assert_eq!(report(&out)["summary"]["suppressed"], 1);
}

#[test]
fn bad_today_is_an_input_error() {
    let out = audit("26/11/2026", &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(
        err.contains("MLGUARD_TODAY") && err.contains("help:"),
        "{err}"
    );
}

#[test]
fn table_shows_why_a_finding_is_suppressed() {
    let out = mlguard()
        .env("MLGUARD_TODAY", TODAY)
        .args(["audit", SNAPSHOT, "--config", CONFIG])
        .output()
        .expect("runs");
    let text = stdout_of(&out);
    assert!(text.contains("critical (suppressed)"), "{text}");
    assert!(
        text.contains("suppressed by tag mlguard:suppress: Vendor break-glass access"),
        "{text}"
    );
    let disabled = rule_count() - 1;
    assert!(
        text.contains(&format!(
            "Findings: 1 active, 2 ignored (suppressed), {disabled} rules disabled."
        )),
        "{text}"
    );
}

/// How many rules the catalogue has (the scenario's config selects only LP-001).
fn rule_count() -> usize {
    let out = mlguard()
        .args(["rules", "list", "--format", "json"])
        .output()
        .expect("runs");
    serde_json::from_slice::<Vec<serde_json::Value>>(&out.stdout)
        .expect("json")
        .len()
}

#[test]
fn a_suppression_naming_a_rule_by_its_old_id_still_applies() {
    // LP-001, replaced by a custom rule that lists the id it had before a renumbering.
    let dir = tempfile::tempdir().expect("tempdir");
    let policies = dir.path().join("p");
    fs::create_dir_all(&policies).expect("mkdir");
    fs::write(
        policies.join("renamed.rego"),
        "# METADATA\n# title: Trust policy admits any principal\n# description: Renumbered.\n# custom:\n#   id: LP-001\n#   name: trust-any-principal\n#   aliases: [OLD-042]\n#   pillar: least_privilege\n#   severity: critical\n#   service: iam\n#   resource_type: AWS::IAM::Role\n#   rationale: Because.\n#   remediation:\n#     text: Fix it.\npackage custom.renamed\nimport rego.v1\nimport data.mlguard.lib.resource\nimport data.mlguard.lib.result\napplicable contains resource.role(i, r) if some i, r in input.iam.roles\ndeny contains result.new(resource.role(i, r), \"open\") if {\n\tsome i, r in input.iam.roles\n\tr.RoleName == \"ml-partner-access\"\n}\n",
    )
    .expect("write");
    let config = dir.path().join("m.toml");
    fs::write(
        &config,
        "select = [\"LP-001\"]\n[[suppress]]\nrule = \"old-042\"\nresource = \"arn:aws:iam::*:role/ml-partner-access\"\nreason = \"accepted before the rule was renumbered\"\n",
    )
    .expect("write");
    let out = mlguard()
        .env("MLGUARD_TODAY", TODAY)
        .args(["audit", SNAPSHOT, "-f", "json", "--policy-dir"])
        .arg(&policies)
        .arg("--config")
        .arg(&config)
        .output()
        .expect("runs");
    let r = report(&out);
    assert_eq!(
        status_of(&r, "ml-partner-access"),
        "suppressed",
        "{}",
        stderr_of(&out)
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let err = stderr_of(&out);
    assert!(!err.contains("matches no rule id"), "{err}");
    assert!(!err.contains("matched no finding"), "{err}");
}
