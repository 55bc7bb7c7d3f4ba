//! What a plan costs before it is applied: the lab's harden plan and the teardown of its
//! stack with their monthly cost (snapshotted), the estimate in a remediation plan's diff and
//! file, `--pricing` replacing the shipped price data, and bad price data refused.

use crate::common::{mlguard, stderr_of, stdout_of};
use mlguard::engine::Params;
use mlguard::remediate::cost::{self, EndpointShape, Pricing};
use mlguard::remediate::harden::{self, HardenOptions, Inventory, InventoryRole};
use mlguard::remediate::plan::render_diff;
use serde_json::Value;
use std::collections::BTreeMap;

const CREATED: &str = "2026-12-05T00:00:00Z";

fn lab_options() -> HardenOptions {
    HardenOptions {
        stack: "lab".into(),
        region: "us-east-1".into(),
        account: "123456789012".into(),
        partition: "aws".into(),
        allowed_cidr: "203.0.113.0/24".into(),
        vpc_cidr: "10.0.0.0/16".into(),
        buckets: Vec::new(),
        flow_logs_destination: None,
        admin_ports: Params::default().admin_ports,
        zones: vec!["us-east-1a".into(), "us-east-1b".into()],
    }
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({snapshot_path => "../snapshots/remediate", prepend_module_to_snapshot => false, omit_expression => true}, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn the_lab_harden_plan_with_its_monthly_cost() {
    let opts = lab_options();
    let actions = harden::desired(&opts).expect("desired");
    let mut plan = harden::harden_plan(&opts, actions, CREATED.into());
    let estimate = cost::estimate(&plan, &Pricing::built_in(), &BTreeMap::new());
    // One key ($1 + 10,000 requests), two interface endpoints in two zones, flow logs to S3
    // and their bucket.
    let items: Vec<&str> = estimate.lines.iter().map(|l| l.item.as_str()).collect();
    assert_eq!(
        items,
        vec![
            "KMS customer-managed key",
            "KMS automatic rotation",
            "interface VPC endpoint com.amazonaws.us-east-1.sagemaker.api",
            "interface VPC endpoint com.amazonaws.us-east-1.sagemaker.runtime",
            "S3 bucket for flow logs",
            "VPC flow logs delivered to S3",
        ],
        "{estimate:#?}"
    );
    assert!((estimate.monthly_total_usd - (1.03 + 0.158 + 1.25 + 2.0 * 14.65)).abs() < 1e-9);
    assert!(estimate.free.contains_key("IAM"));
    assert!(estimate.free.contains_key("gateway VPC endpoint"));
    plan.cost = Some(estimate);
    snapshot("harden-lab-cost", &render_diff(&plan));
    // The plan file carries the estimate.
    let json: Value = serde_json::from_str(&plan.to_json()).expect("JSON");
    assert_eq!(json["cost"]["monthly_total_usd"], 31.738);
    assert_eq!(json["cost"]["prices_read_on"], "2026-12-05");
}

#[test]
fn the_teardown_of_the_lab_stack_shows_what_stops_being_billed() {
    let mut inv = Inventory {
        flow_logs: vec![("fl-1".into(), "vpc-1".into())],
        vpc_endpoints: vec![
            (
                "vpce-s3".into(),
                "vpc-1".into(),
                "com.amazonaws.us-east-1.s3".into(),
            ),
            (
                "vpce-api".into(),
                "vpc-1".into(),
                "com.amazonaws.us-east-1.sagemaker.api".into(),
            ),
            (
                "vpce-runtime".into(),
                "vpc-1".into(),
                "com.amazonaws.us-east-1.sagemaker.runtime".into(),
            ),
        ],
        subnets: vec![
            ("subnet-1".into(), "vpc-1".into()),
            ("subnet-2".into(), "vpc-1".into()),
        ],
        vpcs: vec!["vpc-1".into()],
        buckets: vec![(
            "lab-flowlogs-123456789012-us-east-1".into(),
            "us-east-1".into(),
        )],
        aliases: vec!["alias/lab-ml-data".into()],
        keys: vec![("key-1".into(), "Enabled".into())],
        roles: vec![InventoryRole {
            name: "lab-sagemaker-execution".into(),
            arn: "arn:aws:iam::123456789012:role/lab-sagemaker-execution".into(),
            inline_policies: vec!["scoped".into()],
            attached_policies: vec![],
            boundary: None,
        }],
        ..Inventory::default()
    };
    inv.endpoint_shapes = [
        ("vpce-s3", "Gateway", 0),
        ("vpce-api", "Interface", 2),
        ("vpce-runtime", "Interface", 2),
    ]
    .into_iter()
    .map(|(id, kind, zones)| {
        (
            id.to_string(),
            EndpointShape {
                kind: kind.into(),
                zones,
            },
        )
    })
    .collect();
    let mut plan = harden::teardown_plan(
        "lab",
        "us-east-1",
        "123456789012",
        "aws",
        &inv,
        CREATED.into(),
    );
    let estimate = cost::estimate(&plan, &Pricing::built_in(), &inv.endpoint_shapes);
    assert!((estimate.monthly_total_usd + (1.25 + 2.0 * 14.65 + 0.158 + 1.03)).abs() < 1e-9);
    let key = estimate
        .lines
        .iter()
        .find(|l| l.item == "KMS customer-managed key")
        .expect("the key");
    assert!(key.basis.contains("7-day waiting period"), "{}", key.basis);
    plan.cost = Some(estimate);
    let text = cost::render(plan.cost.as_ref().expect("cost"));
    assert!(text.contains("-$31.74 stops being billed"), "{text}");
    snapshot("teardown-lab-cost", &text);
}

fn remediate(args: &[&str]) -> (std::process::Output, Value) {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("plan.json");
    let out = mlguard()
        .args([
            "remediate",
            "--max-age",
            "0",
            "--snapshot",
            "fixtures/lab-insecure.json",
            "--allowed-cidr",
            "203.0.113.0/24",
            "-o",
        ])
        .arg(&file)
        .args(args)
        .output()
        .expect("runs");
    let json = std::fs::read_to_string(&file)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    (out, json)
}

#[test]
fn a_remediation_plan_carries_its_cost_and_pricing_replaces_the_price_data() {
    let (out, json) = remediate(&[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    let diff = stdout_of(&out);
    assert!(
        diff.contains(
            "Monthly cost (USD, prices of 2026-12-05 from policies/pricing/aws-prices.json)"
        ),
        "{diff}"
    );
    let total = json["cost"]["monthly_total_usd"].as_f64().expect("total");
    assert!(total > 0.0, "{}", json["cost"]);
    // Cancelling the deletion of the lab's pending key bills it again.
    let lines = json["cost"]["lines"].as_array().expect("lines");
    assert!(
        lines
            .iter()
            .any(|l| l["item"] == "KMS key kept (deletion cancelled)" && l["monthly_usd"] == 1.03),
        "{lines:?}"
    );

    // Keys at $2 a month: every key line doubles its storage part.
    let dir = tempfile::tempdir().expect("dir");
    let mut prices: Value = serde_json::from_str(mlguard::remediate::cost::BUILT_IN).expect("JSON");
    for region in prices["regions"]
        .as_object_mut()
        .expect("regions")
        .values_mut()
    {
        region["kms_key_month"] = serde_json::json!(2.0);
    }
    let file = dir.path().join("prices.json");
    std::fs::write(&file, prices.to_string()).expect("write");
    let (out, dearer) = remediate(&["--pricing", file.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    let keys = lines
        .iter()
        .filter(|l| {
            l["item"]
                .as_str()
                .is_some_and(|i| i.starts_with("KMS key") || i.starts_with("KMS customer"))
        })
        .count() as f64;
    assert!(keys >= 2.0);
    let more = dearer["cost"]["monthly_total_usd"].as_f64().expect("total");
    assert!(
        (more - total - keys).abs() < 0.01,
        "{total} -> {more} with {keys} keys"
    );
    assert_eq!(dearer["cost"]["price_data"], file.to_str().expect("utf-8"));
}

#[test]
fn fix_cost_adds_the_remediation_plans_cost_to_the_table_and_html_reports() {
    // The plan `remediate` makes from the same snapshot without options.
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("plan.json");
    let out = mlguard()
        .args([
            "remediate",
            "--max-age",
            "0",
            "--snapshot",
            "fixtures/lab-insecure.json",
            "-o",
        ])
        .arg(&file)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    let plan: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("plan")).expect("JSON");
    let total = plan["cost"]["monthly_total_usd"].as_f64().expect("total");
    assert!(total > 0.0);

    let audit = |format: &str| {
        let out = mlguard()
            .args([
                "audit",
                "fixtures/lab-insecure.json",
                "--fail-on",
                "none",
                "--fix-cost",
                "--format",
                format,
            ])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
        stdout_of(&out)
    };
    let table = audit("table");
    assert!(
        table.contains(&format!("\nCost of fixing: +${total:.2} a month for the ")),
        "{table}"
    );
    assert!(table.contains("interface VPC endpoint com.amazonaws.us-east-1.sagemaker.api x2"));
    let html = audit("html");
    assert!(
        html.contains(&format!(
            r#"<p class="fix-cost-total" data-monthly-usd="{total}">+${total:.2} a month"#
        )),
        "{html}"
    );
    // Without --fix-cost, neither report has it.
    let out = mlguard()
        .args(["audit", "fixtures/lab-insecure.json", "--fail-on", "none"])
        .output()
        .expect("runs");
    assert!(!stdout_of(&out).contains("Cost of fixing"));
}

#[test]
fn bad_price_data_and_a_bad_limit_are_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("prices.json");
    std::fs::write(&file, r#"{"pricing_version": 1}"#).expect("write");
    let (out, _) = remediate(&["--pricing", file.to_str().expect("utf-8")]);
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("not valid mlguard price data"), "{stderr}");
    assert!(
        stderr.contains("help: start from the shipped price data"),
        "{stderr}"
    );
    let (out, _) = remediate(&["--max-monthly-cost=-3"]);
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--max-monthly-cost"), "{stderr}");
}

/// On moto: `harden --plan` prints the lab's cost, `--max-monthly-cost` refuses the apply
/// below it, and after the apply `teardown --plan` prints what stops being billed.
#[cfg(feature = "aws")]
mod live_cost {
    use crate::common::live::{Workdir, read_json};
    use crate::common::moto::Moto;
    use crate::common::{stderr_of, stdout_of};

    fn run(work: &Workdir, endpoint: &str, args: &[&str]) -> std::process::Output {
        work.mlguard()
            .args(args)
            .args(["--region", "us-east-1", "--endpoint-url", endpoint])
            .output()
            .expect("runs")
    }

    #[test]
    fn harden_and_teardown_plans_show_their_monthly_cost_and_the_limit_holds() {
        let moto = Moto::start();
        let endpoint = moto.endpoint();
        let work = Workdir::new();
        let harden = [
            "harden",
            "--name",
            "lab",
            "--allowed-cidr",
            "203.0.113.0/24",
        ];
        let plan_file = work.path("harden.json");
        let mut args = harden.to_vec();
        args.extend(["--plan", "-o", plan_file.to_str().expect("utf-8")]);
        let out = run(&work, &endpoint, &args);
        assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
        let diff = stdout_of(&out);
        assert!(
            diff.contains(
                "Monthly cost (USD, prices of 2026-12-05 from policies/pricing/aws-prices.json): +$31.74 adds to the bill"
            ),
            "{diff}"
        );
        assert!(diff.contains("  assumes: a month is 730 hours"), "{diff}");
        assert_eq!(read_json(&plan_file)["cost"]["monthly_total_usd"], 31.738);

        // Above the limit: refused before any change, exit 2 with the figure.
        let journal = work.path("refused.jsonl");
        let mut args = harden.to_vec();
        args.extend([
            "--yes",
            "--max-monthly-cost",
            "20",
            "--journal",
            journal.to_str().expect("utf-8"),
        ]);
        let out = run(&work, &endpoint, &args);
        let stderr = stderr_of(&out);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains(
                "error: refusing to apply: the plan adds $31.74 a month to the bill, above --max-monthly-cost 20.00"
            ),
            "{stderr}"
        );
        assert!(!journal.exists(), "nothing was applied");

        // Within it: applied; then the teardown plan shows what stops being billed.
        let journal = work.path("harden.jsonl");
        let mut args = harden.to_vec();
        args.extend([
            "--yes",
            "--max-monthly-cost",
            "40",
            "--journal",
            journal.to_str().expect("utf-8"),
        ]);
        let out = run(&work, &endpoint, &args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
        let out = run(&work, &endpoint, &["teardown", "--name", "lab", "--plan"]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
        let diff = stdout_of(&out);
        assert!(diff.contains(": -$31.74 stops being billed"), "{diff}");
        assert!(
            diff.contains("AWS does not bill a key during its 7-day waiting period"),
            "{diff}"
        );
    }
}
