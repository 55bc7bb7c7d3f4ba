//! The HTML report in a real browser: headless Chromium (Debian's `chromium`) driven by
//! playwright-core, both installed by scripts/test.sh. The page must show the scores and the
//! findings, filter them, load with no console error and no network request, and keep
//! attacker-controlled text (role names, ARNs, tag values) inert. Without the browser or
//! playwright-core this test fails; it never skips.

use crate::common::{mlguard, root, stderr_of};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const CHROMIUM: &str = "/usr/bin/chromium";

fn node_modules() -> PathBuf {
    let dir = std::env::var("MLGUARD_NODE_DIR").unwrap_or_else(|_| {
        panic!("MLGUARD_NODE_DIR is not set: run the suite with scripts/test.sh, which installs playwright-core and Chromium")
    });
    let modules = Path::new(&dir).join("node_modules");
    assert!(
        modules.join("playwright-core").is_dir(),
        "playwright-core is missing from {}: run scripts/test.sh",
        modules.display()
    );
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: run scripts/test.sh (apt-get install chromium)"
    );
    modules
}

/// Where screenshots are kept after the run.
fn output_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).join("mlguard-test-output")
}

/// Opens `page` in Chromium, exercises the filters, and returns what the driver saw.
fn drive(page: &Path, screenshot: &Path) -> Value {
    let out = Command::new("node")
        .arg(root().join("tests/browser/html_report.js"))
        .arg(page)
        .arg(screenshot)
        .env("NODE_PATH", node_modules())
        .env("MLGUARD_CHROMIUM", CHROMIUM)
        .output()
        .expect("node runs (is Node.js installed?)");
    assert!(
        out.status.success(),
        "browser driver failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("driver prints JSON")
}

fn render_html(args: &[&str], page: &Path, code: i32) {
    let out = mlguard()
        .env("MLGUARD_TODAY", "2026-11-26")
        .args(["audit", "--quiet"])
        .args(args)
        .arg("--format")
        .arg(format!("html={}", page.display()))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(code), "{}", stderr_of(&out));
}

fn rows(step: &Value) -> Vec<&Value> {
    step["rows"]
        .as_array()
        .map(|r| r.iter().collect())
        .unwrap_or_default()
}

fn assert_clean(seen: &Value) {
    assert_eq!(
        seen["requests"],
        serde_json::json!([]),
        "the page fetched something"
    );
    assert_eq!(
        seen["consoleErrors"],
        serde_json::json!([]),
        "console errors"
    );
    assert_eq!(seen["pwned"], Value::Null, "snapshot text ran as script");
    assert_eq!(seen["scriptCount"], 1, "only the report's own script");
}

#[test]
#[allow(clippy::print_stderr)]
fn html_report_renders_filters_and_stays_offline() {
    node_modules();
    let dir = tempfile::tempdir().expect("tempdir");
    let page = dir.path().join("report.html");
    render_html(
        &[
            "fixtures/config/open-roles.json",
            "--config",
            "fixtures/config/mlguard.toml",
        ],
        &page,
        1,
    );
    let screenshot = output_dir().join("html-report.png");
    let seen = drive(&page, &screenshot);
    eprintln!("HTML report screenshot: {}", screenshot.display());
    assert!(screenshot.is_file());
    assert_clean(&seen);

    // Scores, as the JSON report has them.
    assert_eq!(seen["scores"]["overall"], 50.0);
    assert_eq!(seen["scores"]["least_privilege"], 50.0);
    assert_eq!(seen["scores"]["encryption"], 100.0);
    assert_eq!(seen["scoreTexts"][0], "50.0%");
    // The known findings, with their statuses and the suppression reasons.
    let initial = rows(&seen["steps"]["initial"]);
    assert_eq!(initial.len(), 3);
    assert_eq!(seen["steps"]["initial"]["shown"], "3 of 3 findings shown");
    let legacy = initial
        .iter()
        .find(|r| {
            r["text"]
                .as_str()
                .is_some_and(|t| t.contains("role/ml-legacy-batch"))
        })
        .expect("the failing finding");
    assert_eq!(
        (legacy["rule"].as_str(), legacy["status"].as_str()),
        (Some("LP-001"), Some("fail"))
    );
    let body = seen["bodyText"].as_str().expect("text");
    assert!(body.contains("Vendor break-glass access, reviewed by security (SEC-42)"));
    assert!(
        body.contains("1 finding at or above high: failing (exit 1)."),
        "{body}"
    );
    // Each rule's remediation.
    assert!(
        seen["remediations"][0]
            .as_str()
            .is_some_and(|r| r.starts_with("LP-001") && r.contains("sts:ExternalId"))
    );

    // Filters: unchecking a severity or a status hides rows; the pillar select and the
    // search narrow them.
    assert!(rows(&seen["steps"]["withoutCritical"]).is_empty());
    assert_eq!(
        seen["steps"]["withoutCritical"]["shown"],
        "0 of 3 findings shown"
    );
    let unsuppressed = rows(&seen["steps"]["withoutSuppressed"]);
    assert_eq!(unsuppressed.len(), 1);
    assert_eq!(unsuppressed[0]["status"], "fail");
    assert!(rows(&seen["steps"]["encryptionOnly"]).is_empty());
    let searched = rows(&seen["steps"]["searchFirstArn"]);
    assert_eq!(searched.len(), 1);
    assert!(searched[0]["text"].as_str().is_some_and(|t| {
        t.contains(
            seen["steps"]["searchFirstArn"]["query"]
                .as_str()
                .unwrap_or("?"),
        )
    }));
    assert!(rows(&seen["steps"]["searchNothing"]).is_empty());
}

#[test]
fn hostile_snapshot_text_is_escaped() {
    node_modules();
    let dir = tempfile::tempdir().expect("tempdir");
    let page = dir.path().join("hostile.html");
    render_html(
        &[
            "fixtures/config/hostile-names.json",
            "--fail-on",
            "none",
            "--select",
            "LP-001",
        ],
        &page,
        0,
    );
    let html = std::fs::read_to_string(&page).expect("page");
    assert!(
        !html.contains("<script>window"),
        "raw script tag in the page"
    );
    assert!(!html.contains("<img src"), "raw img tag in the page");
    let seen = drive(&page, &output_dir().join("html-report-hostile.png"));
    assert_clean(&seen);
    // The text is shown as text.
    let body = seen["bodyText"].as_str().expect("text");
    for literal in [
        "role <script>window.__mlguardPwned = 'role'</script> can be assumed",
        "role/<img src=x onerror=\"window.__mlguardPwned='arn'\">",
        "</td></tr></table><script>window.__mlguardPwned='reason'</script>",
        "<img src=\"https://evil.example/beacon.png\">",
    ] {
        assert!(
            body.contains(literal),
            "page does not show {literal:?} as text:\n{body}"
        );
    }
    assert_eq!(
        rows(&seen["steps"]["initial"]).len(),
        2,
        "the markup broke the table"
    );
}

#[test]
fn the_harness_sees_scripts_and_requests() {
    // A control page without escaping: the checks above would catch it.
    node_modules();
    let dir = tempfile::tempdir().expect("tempdir");
    let page = dir.path().join("control.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><html><head><title>control</title></head><body><script>window.__mlguardPwned='control'</script><img src=\"http://127.0.0.1:9/beacon.png\"></body></html>",
    )
    .expect("write");
    let seen = drive(&page, &output_dir().join("html-control.png"));
    assert_eq!(seen["pwned"], "control");
    assert!(
        seen["requests"].as_array().is_some_and(|r| r
            .iter()
            .any(|u| u.as_str().is_some_and(|u| u.contains("beacon.png")))),
        "{seen}"
    );
}

#[test]
#[allow(clippy::print_stderr)]
fn framework_pages_list_controls_and_drill_down_to_resources() {
    node_modules();
    let dir = tempfile::tempdir().expect("tempdir");
    let page = dir.path().join("frameworks.html");
    let json = dir.path().join("frameworks.json");
    render_html(
        &[
            "fixtures/lab-insecure.json",
            "--framework",
            "soc2",
            "--framework",
            "hipaa",
            "--format",
            &format!("json={}", json.display()),
        ],
        &page,
        1,
    );
    let report: Value =
        serde_json::from_slice(&std::fs::read(&json).expect("json report")).expect("json");
    let evidence = &report["evidence"];
    let screenshot = output_dir().join("html-report-frameworks.png");
    let seen = drive(&page, &screenshot);
    eprintln!("HTML framework pages screenshot: {}", screenshot.display());
    assert_clean(&seen);

    // The provenance the JSON report has, on the page.
    assert_eq!(
        seen["evidence"]["snapshotSha256"],
        evidence["snapshot_sha256"]
    );
    assert_eq!(
        seen["evidence"]["policySha256"],
        evidence["policy_set_sha256"]
    );
    assert!(
        seen["evidence"]["text"]
            .as_str()
            .is_some_and(|t| t.contains(
                "mlguard audit fixtures/lab-insecure.json --framework soc2 --framework hipaa"
            )),
        "{}",
        seen["evidence"]
    );
    for (i, key) in ["soc2", "hipaa"].iter().enumerate() {
        let fw = &seen["frameworks"][key];
        let json_fw = &evidence["frameworks"][i];
        assert_eq!(json_fw["key"], *key);
        let controls = json_fw["controls"].as_array().expect("controls");
        // Every control of the control set is listed, with the JSON report's status.
        let listed = fw["controls"].as_array().expect("listed");
        assert_eq!(listed.len(), controls.len(), "{key}");
        for (shown, c) in listed.iter().zip(controls) {
            assert_eq!(shown["id"], c["id"]);
            assert_eq!(shown["status"], c["status"]);
            assert_eq!(shown["coverage"], c["coverage"]);
        }
        assert_eq!(fw["summary"]["controls"], json_fw["summary"]["controls"]);
        assert_eq!(
            fw["summary"]["notEvidenced"],
            json_fw["summary"]["not_evidenced"]
        );
        // The status filter keeps only failing controls.
        let failing = fw["failing"].as_array().expect("failing");
        assert_eq!(
            failing.len() as u64,
            json_fw["summary"]["fail"].as_u64().unwrap_or(0)
        );
        assert!(
            !failing.is_empty(),
            "{key}: the insecure lab fails some control"
        );
        assert!(failing.iter().all(|c| c["status"] == "fail"));
        assert_eq!(fw["shown"], format!("{} controls shown", failing.len()));
        // Opening a control shows its rules and every resource behind it.
        let drill = &fw["drill"];
        assert_eq!(
            drill["visibleBeforeOpening"], 0,
            "resources are behind the drill-down"
        );
        let c = controls
            .iter()
            .find(|c| c["id"] == drill["control"])
            .expect("the drilled control");
        let resources = drill["resources"].as_array().expect("resources");
        assert_eq!(
            resources.len(),
            c["resources"].as_array().map_or(0, Vec::len)
        );
        assert!(resources.iter().any(|r| r["status"] == "fail"));
        for (shown, r) in resources
            .iter()
            .zip(c["resources"].as_array().expect("json"))
        {
            assert_eq!(shown["rule"], r["rule_id"]);
            assert!(
                shown["text"]
                    .as_str()
                    .is_some_and(|t| t.contains(r["arn"].as_str().unwrap_or("?"))),
                "{shown}"
            );
        }
        assert_eq!(
            drill["rules"].as_array().map_or(0, Vec::len),
            c["rules"].as_array().map_or(0, Vec::len)
        );
    }
}
