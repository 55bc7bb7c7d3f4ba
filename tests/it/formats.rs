//! OCSF and ASFF output checked field by field against the published specifications, as
//! data: required attributes, types, enumerations and length limits.
//!
//! - ASFF: "Required top-level ASFF attributes" (AWS Security Hub user guide) and the
//!   AwsSecurityFinding, Resource, Recommendation, Compliance, Workflow, Note and Severity
//!   types of the Security Hub API reference (SchemaVersion 2018-10-08).
//! - OCSF 1.3.0: the Compliance Finding class (2003, category Findings 2) and the base
//!   event, Metadata, Product, Finding Information, Compliance, Cloud and Resource Details
//!   objects.

use crate::common::{mlguard, stderr_of};
use serde_json::Value;
use std::fs;

/// What a field must be.
#[derive(Debug, Clone, Copy)]
enum Check {
    /// A string of this many characters (min, max).
    Str(usize, usize),
    /// One of these strings.
    OneOf(&'static [&'static str]),
    /// An integer, one of these.
    IntIn(&'static [i64]),
    /// An integer in this range.
    IntRange(i64, i64),
    /// An array of this many items (min, max).
    Array(usize, usize),
    /// An object.
    Object,
    /// An ISO 8601 / RFC 3339 timestamp.
    Timestamp,
}

/// (JSON pointer, required, check).
type Spec = &'static [(&'static str, bool, Check)];

const ASFF: Spec = &[
    // Required top-level attributes.
    ("/SchemaVersion", true, Check::OneOf(&["2018-10-08"])),
    ("/Id", true, Check::Str(1, 512)),
    ("/ProductArn", true, Check::Str(1, 512)),
    ("/GeneratorId", true, Check::Str(1, 512)),
    ("/AwsAccountId", true, Check::Str(12, 12)),
    ("/Types", true, Check::Array(1, 50)),
    ("/CreatedAt", true, Check::Timestamp),
    ("/UpdatedAt", true, Check::Timestamp),
    ("/Severity", true, Check::Object),
    ("/Title", true, Check::Str(1, 256)),
    ("/Description", true, Check::Str(1, 1024)),
    ("/Resources", true, Check::Array(1, 32)),
    // Optional attributes mlguard fills.
    (
        "/Severity/Label",
        true,
        Check::OneOf(&["INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"]),
    ),
    ("/Region", false, Check::Str(1, 16)),
    ("/ProductName", false, Check::Str(1, 128)),
    ("/CompanyName", false, Check::Str(1, 128)),
    (
        "/Remediation/Recommendation/Text",
        false,
        Check::Str(1, 512),
    ),
    (
        "/Remediation/Recommendation/Url",
        false,
        Check::Str(1, 2048),
    ),
    ("/SourceUrl", false, Check::Str(1, 2048)),
    ("/ProductFields", false, Check::Object),
    ("/Resources/0/Type", true, Check::Str(1, 256)),
    ("/Resources/0/Id", true, Check::Str(1, 2048)),
    (
        "/Resources/0/Partition",
        false,
        Check::OneOf(&["aws", "aws-cn", "aws-us-gov"]),
    ),
    ("/Resources/0/Region", false, Check::Str(1, 16)),
    (
        "/Compliance/Status",
        false,
        Check::OneOf(&["PASSED", "WARNING", "FAILED", "NOT_AVAILABLE"]),
    ),
    (
        "/Compliance/RelatedRequirements",
        false,
        Check::Array(0, 32),
    ),
    (
        "/Workflow/Status",
        false,
        Check::OneOf(&["NEW", "NOTIFIED", "SUPPRESSED", "RESOLVED"]),
    ),
    ("/RecordState", false, Check::OneOf(&["ACTIVE", "ARCHIVED"])),
    ("/Note/Text", false, Check::Str(1, 512)),
    ("/Note/UpdatedBy", false, Check::Str(1, 512)),
    ("/Note/UpdatedAt", false, Check::Timestamp),
];

/// The namespaces of ASFF finding types (namespace/category/classifier).
const ASFF_TYPE_NAMESPACES: &[&str] = &[
    "Software and Configuration Checks",
    "TTPs",
    "Effects",
    "Unusual Behaviors",
    "Sensitive Data Identifications",
];

/// ASFF resource types mlguard may emit.
const ASFF_RESOURCE_TYPES: &[&str] = &[
    "AwsIamRole",
    "AwsIamPolicy",
    "AwsS3Bucket",
    "AwsKmsKey",
    "AwsEc2Vpc",
    "AwsEc2Subnet",
    "AwsEc2SecurityGroup",
    "AwsEc2NetworkAcl",
    "AwsEc2RouteTable",
    "AwsSageMakerNotebookInstance",
    "Other",
];

const OCSF: Spec = &[
    // Compliance Finding (2003): classification and occurrence (required).
    ("/activity_id", true, Check::IntIn(&[0, 1, 2, 3, 99])),
    ("/category_uid", true, Check::IntIn(&[2])),
    ("/class_uid", true, Check::IntIn(&[2003])),
    (
        "/type_uid",
        true,
        Check::IntIn(&[200300, 200301, 200302, 200303, 200399]),
    ),
    (
        "/severity_id",
        true,
        Check::IntIn(&[0, 1, 2, 3, 4, 5, 6, 99]),
    ),
    ("/time", true, Check::IntRange(0, i64::MAX)),
    ("/metadata", true, Check::Object),
    ("/metadata/version", true, Check::Str(5, 16)),
    ("/metadata/product", true, Check::Object),
    ("/metadata/product/name", false, Check::Str(1, 256)),
    ("/metadata/product/vendor_name", false, Check::Str(1, 256)),
    ("/finding_info", true, Check::Object),
    ("/finding_info/uid", true, Check::Str(1, 256)),
    ("/finding_info/title", true, Check::Str(1, 1024)),
    ("/compliance", true, Check::Object),
    ("/compliance/standards", true, Check::Array(1, 64)),
    (
        "/compliance/status_id",
        false,
        Check::IntIn(&[0, 1, 2, 3, 99]),
    ),
    ("/compliance/control", false, Check::Str(1, 256)),
    // Cloud profile.
    ("/cloud", true, Check::Object),
    ("/cloud/provider", true, Check::Str(1, 64)),
    ("/cloud/region", false, Check::Str(1, 32)),
    // Recommended / optional.
    (
        "/status_id",
        false,
        Check::IntIn(&[0, 1, 2, 3, 4, 5, 6, 99]),
    ),
    ("/resources", false, Check::Array(1, 64)),
    ("/resources/0/uid", false, Check::Str(1, 2048)),
    ("/message", false, Check::Str(1, 1_000_000)),
    ("/remediation/desc", false, Check::Str(1, 1_000_000)),
];

/// Captions that must agree with their ids.
/// (id pointer, caption pointer, id → caption).
type Captions = &'static [(&'static str, &'static str, &'static [(i64, &'static str)])];

const OCSF_CAPTIONS: Captions = &[
    (
        "/activity_id",
        "/activity_name",
        &[(1, "Create"), (2, "Update"), (3, "Close")],
    ),
    ("/category_uid", "/category_name", &[(2, "Findings")]),
    ("/class_uid", "/class_name", &[(2003, "Compliance Finding")]),
    (
        "/severity_id",
        "/severity",
        &[
            (1, "Informational"),
            (2, "Low"),
            (3, "Medium"),
            (4, "High"),
            (5, "Critical"),
        ],
    ),
    (
        "/status_id",
        "/status",
        &[
            (1, "New"),
            (2, "In Progress"),
            (3, "Suppressed"),
            (4, "Resolved"),
        ],
    ),
    (
        "/compliance/status_id",
        "/compliance/status",
        &[(1, "Pass"), (2, "Warning"), (3, "Fail")],
    ),
];

fn check_spec(what: &str, item: &Value, spec: Spec) -> Vec<String> {
    let mut errors = Vec::new();
    for (pointer, required, check) in spec {
        let Some(v) = item.pointer(pointer) else {
            if *required {
                errors.push(format!("{what}: {pointer} is missing"));
            }
            continue;
        };
        let ok = match check {
            Check::Str(min, max) => v.as_str().is_some_and(|s| {
                (*min..=*max).contains(&s.chars().count()) && !s.trim().is_empty()
            }),
            Check::OneOf(allowed) => v.as_str().is_some_and(|s| allowed.contains(&s)),
            Check::IntIn(allowed) => v.as_i64().is_some_and(|n| allowed.contains(&n)),
            Check::IntRange(min, max) => v.as_i64().is_some_and(|n| (*min..=*max).contains(&n)),
            Check::Array(min, max) => v
                .as_array()
                .is_some_and(|a| (*min..=*max).contains(&a.len())),
            Check::Object => v.is_object(),
            Check::Timestamp => v
                .as_str()
                .is_some_and(|s| chrono::DateTime::parse_from_rfc3339(s).is_ok()),
        };
        if !ok {
            errors.push(format!("{what}: {pointer} = {v} is not {check:?}"));
        }
    }
    errors
}

fn render(snapshot: &str, format: &str, extra: &[&str]) -> Vec<Value> {
    let out = mlguard()
        .env("MLGUARD_TODAY", "2026-11-26")
        .args(["audit", snapshot, "--fail-on", "none", "-f", format])
        .args(extra)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    serde_json::from_slice::<Vec<Value>>(&out.stdout).expect("a JSON array")
}

fn validate_asff(findings: &[Value]) {
    let mut errors = Vec::new();
    let mut ids = std::collections::BTreeSet::new();
    for (i, f) in findings.iter().enumerate() {
        let what = format!("finding {i}");
        errors.extend(check_spec(&what, f, ASFF));
        if !ids.insert(f["Id"].as_str().unwrap_or_default().to_string()) {
            errors.push(format!("{what}: Id {} is not unique", f["Id"]));
        }
        for t in f["Types"].as_array().into_iter().flatten() {
            let t = t.as_str().unwrap_or_default();
            let parts: Vec<&str> = t.split('/').collect();
            if !(2..=3).contains(&parts.len())
                || !ASFF_TYPE_NAMESPACES.contains(&parts[0])
                || t.len() > 128
            {
                errors.push(format!(
                    "{what}: type `{t}` is not namespace/category[/classifier]"
                ));
            }
        }
        for r in f["Resources"].as_array().into_iter().flatten() {
            if !ASFF_RESOURCE_TYPES.contains(&r["Type"].as_str().unwrap_or_default()) {
                errors.push(format!("{what}: resource type {} unknown", r["Type"]));
            }
        }
        // The product ARN of the account's own findings, in the finding's region.
        let expected = format!(
            "arn:aws:securityhub:{}:{}:product/{}/default",
            f["Region"].as_str().unwrap_or_default(),
            f["AwsAccountId"].as_str().unwrap_or_default(),
            f["AwsAccountId"].as_str().unwrap_or_default()
        );
        if f["ProductArn"] != expected.as_str() {
            errors.push(format!(
                "{what}: ProductArn {} is not {expected}",
                f["ProductArn"]
            ));
        }
        if let Some(fields) = f["ProductFields"].as_object()
            && (fields.len() > 50 || fields.values().any(|v| !v.is_string()))
        {
            errors.push(format!("{what}: ProductFields must be ≤ 50 string values"));
        }
        if f["Region"] == "global" || f["Resources"][0]["Region"] == "global" {
            errors.push(format!("{what}: `global` is not a region"));
        }
    }
    assert!(errors.is_empty(), "ASFF violations:\n{}", errors.join("\n"));
}

fn validate_ocsf(events: &[Value]) {
    let mut errors = Vec::new();
    for (i, e) in events.iter().enumerate() {
        let what = format!("event {i}");
        errors.extend(check_spec(&what, e, OCSF));
        let (class, activity) = (e["class_uid"].as_i64(), e["activity_id"].as_i64());
        if let (Some(c), Some(a)) = (class, activity)
            && e["type_uid"].as_i64() != Some(c * 100 + a)
        {
            errors.push(format!(
                "{what}: type_uid is not class_uid * 100 + activity_id"
            ));
        }
        for (id_ptr, caption_ptr, table) in OCSF_CAPTIONS {
            if let (Some(id), Some(caption)) = (
                e.pointer(id_ptr).and_then(Value::as_i64),
                e.pointer(caption_ptr),
            ) {
                let expected = table.iter().find(|(n, _)| *n == id).map(|(_, c)| *c);
                if expected.is_some_and(|c| caption != c) {
                    errors.push(format!(
                        "{what}: {caption_ptr} {caption} does not caption {id_ptr} {id}"
                    ));
                }
            }
        }
        let version = e["metadata"]["version"].as_str().unwrap_or_default();
        if version.split('.').count() != 3 || !version.starts_with("1.") {
            errors.push(format!(
                "{what}: metadata.version {version} is not OCSF 1.x semver"
            ));
        }
        if e["metadata"]["profiles"]
            .as_array()
            .is_none_or(|p| !p.iter().any(|x| x == "cloud"))
        {
            errors.push(format!("{what}: the cloud profile is not declared"));
        }
        if e["compliance"]["standards"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|s| !s.is_string())
        {
            errors.push(format!("{what}: compliance.standards must be strings"));
        }
    }
    assert!(errors.is_empty(), "OCSF violations:\n{}", errors.join("\n"));
}

const LAB: &str = "fixtures/lab-insecure.json";
const SCENARIO: &str = "fixtures/config/open-roles.json";
const SCENARIO_CONFIG: &str = "fixtures/config/mlguard.toml";

#[test]
fn asff_meets_the_security_hub_requirements() {
    for (snapshot, extra) in [
        (LAB, vec![]),
        ("fixtures/lab-hardened.json", vec![]),
        (SCENARIO, vec!["--config", SCENARIO_CONFIG]),
        ("fixtures/config/hostile-names.json", vec![]),
    ] {
        let findings = render(snapshot, "asff", &extra);
        validate_asff(&findings);
    }
}

#[test]
fn ocsf_meets_the_compliance_finding_class() {
    for (snapshot, extra) in [
        (LAB, vec![]),
        ("fixtures/lab-hardened.json", vec![]),
        (SCENARIO, vec!["--config", SCENARIO_CONFIG]),
        ("fixtures/config/hostile-names.json", vec![]),
    ] {
        let events = render(snapshot, "ocsf", &extra);
        validate_ocsf(&events);
    }
}

#[test]
fn mappings_follow_the_findings() {
    let json: Value = {
        let out = mlguard()
            .env("MLGUARD_TODAY", "2026-11-26")
            .args(["audit", SCENARIO, "--config", SCENARIO_CONFIG, "-f", "json"])
            .output()
            .expect("runs");
        serde_json::from_slice(&out.stdout).expect("json")
    };
    let findings = json["findings"].as_array().expect("findings");
    let asff = render(SCENARIO, "asff", &["--config", SCENARIO_CONFIG]);
    let ocsf = render(SCENARIO, "ocsf", &["--config", SCENARIO_CONFIG]);
    assert_eq!((asff.len(), ocsf.len()), (findings.len(), findings.len()));
    for ((f, a), o) in findings.iter().zip(&asff).zip(&ocsf) {
        let fp = f["fingerprint"].as_str().expect("fingerprint");
        assert_eq!(o["finding_info"]["uid"], fp);
        assert!(a["Id"].as_str().is_some_and(|id| id.ends_with(fp)));
        assert_eq!(a["Resources"][0]["Id"], f["resource"]["arn"]);
        assert_eq!(o["resources"][0]["uid"], f["resource"]["arn"]);
        // LP-001 is critical.
        assert_eq!(a["Severity"]["Label"], "CRITICAL");
        assert_eq!(o["severity_id"], 5);
        // IAM is global: both formats use the first collected region.
        assert_eq!(a["Region"], "eu-west-1");
        assert_eq!(o["cloud"]["region"], "eu-west-1");
        // Deterministic times from the snapshot.
        assert_eq!(a["CreatedAt"], "2026-11-26T00:00:00Z");
        assert_eq!(o["time"], 1_795_651_200_000_i64);
        let suppressed = f["status"] == "suppressed";
        assert_eq!(
            a["Workflow"]["Status"],
            if suppressed { "SUPPRESSED" } else { "NEW" }
        );
        assert_eq!(o["status_id"], if suppressed { 3 } else { 1 });
        assert_eq!(a["Compliance"]["Status"], "FAILED");
        assert_eq!(o["compliance"]["status_id"], 3);
        if suppressed {
            let reason = f["suppression"]["reason"].as_str().expect("reason");
            assert!(
                a["Note"]["Text"]
                    .as_str()
                    .is_some_and(|t| t.contains(reason))
            );
            assert!(o["comment"].as_str().is_some_and(|t| t.contains(reason)));
        }
    }
    // AWS resource types become ASFF resource types, finding by finding.
    let out = mlguard()
        .args(["audit", LAB, "-f", "json", "--fail-on", "none"])
        .output()
        .expect("runs");
    let lab_json: Value = serde_json::from_slice(&out.stdout).expect("json");
    let lab = render(LAB, "asff", &[]);
    for (f, a) in lab_json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .zip(&lab)
    {
        let expected = match f["resource"]["type"].as_str().unwrap_or_default() {
            "AWS::IAM::Role" => "AwsIamRole",
            "AWS::EC2::SecurityGroup" => "AwsEc2SecurityGroup",
            "AWS::KMS::Key" => "AwsKmsKey",
            "AWS::S3::Bucket" => "AwsS3Bucket",
            "AWS::EC2::VPC" => "AwsEc2Vpc",
            "AWS::EC2::Subnet" => "AwsEc2Subnet",
            "AWS::EC2::NetworkAcl" => "AwsEc2NetworkAcl",
            "AWS::SageMaker::NotebookInstance" => "AwsSageMakerNotebookInstance",
            _ => continue,
        };
        assert_eq!(
            a["Resources"][0]["Type"], expected,
            "{}",
            f["resource"]["arn"]
        );
    }
}

#[test]
fn long_texts_are_cut_to_the_asff_limits() {
    let dir = tempfile::tempdir().expect("tempdir");
    let policy_dir = dir.path().join("p");
    fs::create_dir_all(&policy_dir).expect("mkdir");
    let title = "T".repeat(300);
    let remediation = "R".repeat(700);
    fs::write(
        policy_dir.join("long.rego"),
        format!(
            "# METADATA\n# title: {title}\n# description: Long texts.\n# custom:\n#   id: ORG-777\n#   name: long-texts\n#   pillar: encryption\n#   severity: medium\n#   service: iam\n#   resource_type: AWS::IAM::Role\n#   rationale: Test.\n#   remediation:\n#     text: {remediation}\npackage custom.long\nimport rego.v1\nimport data.mlguard.lib.resource\nimport data.mlguard.lib.result\napplicable contains resource.role(i, r) if some i, r in input.iam.roles\ndeny contains result.new(resource.role(i, r), msg) if {{\n\tsome i, r in input.iam.roles\n\tmsg := concat(\"\", [\"é\" | some _ in numbers.range(1, 3000)])\n}}\n"
        ),
    )
    .expect("write");
    let findings = render(
        "fixtures/LP-001/fail/star-trust.json",
        "asff",
        &[
            "--select",
            "ORG-777",
            "--policy-dir",
            &policy_dir.display().to_string(),
        ],
    );
    validate_asff(&findings);
    let f = &findings[0];
    assert_eq!(f["Title"].as_str().map(|t| t.chars().count()), Some(256));
    assert_eq!(
        f["Description"].as_str().map(|t| t.chars().count()),
        Some(1024)
    );
    assert!(f["Description"].as_str().is_some_and(|t| t.ends_with('…')));
    assert_eq!(
        f["Remediation"]["Recommendation"]["Text"]
            .as_str()
            .map(|t| t.chars().count()),
        Some(512)
    );
    validate_ocsf(&render(
        "fixtures/LP-001/fail/star-trust.json",
        "ocsf",
        &[
            "--select",
            "ORG-777",
            "--policy-dir",
            &policy_dir.display().to_string(),
        ],
    ));
}

#[test]
fn the_validators_catch_violations() {
    // The checks above would fail on a broken finding: not a test that cannot fail.
    let mut asff = render(LAB, "asff", &[]);
    assert!(!asff.is_empty());
    asff[0]["Title"] = Value::String("x".repeat(257));
    asff[0]
        .as_object_mut()
        .expect("object")
        .remove("GeneratorId");
    asff[0]["Severity"]["Label"] = "SEVERE".into();
    let errors = check_spec("f", &asff[0], ASFF);
    assert_eq!(errors.len(), 3, "{errors:?}");
    let mut ocsf = render(LAB, "ocsf", &[]);
    ocsf[0]["class_uid"] = 2004.into();
    ocsf[0]
        .as_object_mut()
        .expect("object")
        .remove("finding_info");
    let errors = check_spec("e", &ocsf[0], OCSF);
    assert!(errors.len() >= 3, "{errors:?}");
}
