//! Differential test of the shipped evaluation against the interpreter, on mutants built to
//! exercise what the fixtures rarely show: a field that is not there, and a call that failed.
//!
//! Every built-in rule, on its own fixtures, the two lab snapshots and a sample of generated
//! snapshots, each mutated by
//! (a) deleting one field the rule's Rego (or a library it imports) reads, from every resource
//!     (at any depth), one field per mutant;
//! (b) adding a gap for one operation of the rule's metadata `inputs`: about every resource the
//!     operation describes (a Describe/Get call), or for every region (a listing).
//!
//! For each mutant, `mlguard audit` with the shipped engine (`Engine::new`, its default
//! strategy) must give the interpreter's outcome on every rule, resource and status, and
//! message; and after (b), no resource the failed operation describes may be reported `pass`
//! by a rule that lists that operation.

use mlguard::audit::{self, AuditReport};
use mlguard::engine::{Engine, Params, PolicySet, Rule, Strategy};
use mlguard::findings::Status;
use mlguard::generate::{self, Counts, Spec};
use mlguard::snapshot;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

struct Setup {
    set: PolicySet,
    /// What `mlguard audit` uses.
    shipped: Engine,
    /// The interpreter, one evaluation per rule.
    reference: Engine,
    /// The fields each rule reads, by rule id.
    fields: BTreeMap<String, BTreeSet<String>>,
}

fn setup() -> Setup {
    let set = PolicySet::load(true, &[]).expect("policies");
    let shipped = Engine::new(&set, &Params::default()).expect("engine");
    let reference = shipped
        .clone()
        .with_strategy(Strategy::Combined)
        .expect("interpreter");
    let fields = set
        .rules
        .iter()
        .map(|r| (r.meta.id.clone(), fields_read(&set, r)))
        .collect();
    Setup {
        set,
        shipped,
        reference,
        fields,
    }
}

/// The AWS field names (`PascalCase`) a rule's Rego reads, as `.Field` or `"Field"`, in its
/// own module and in every library it reaches through `data.mlguard.lib.*`.
fn fields_read(set: &PolicySet, rule: &Rule) -> BTreeSet<String> {
    let mut texts = vec![rule.source.text.as_str()];
    let mut seen = BTreeSet::new();
    let mut i = 0;
    while i < texts.len() {
        let code = code_of(texts[i]);
        for (pos, _) in code.match_indices("data.mlguard.lib.") {
            let rest = &code[pos + "data.mlguard.lib.".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let package = format!("mlguard.lib.{name}");
            if seen.insert(package.clone())
                && let Some(lib) = set.libs.iter().find(|l| l.package == package)
            {
                texts.push(lib.text.as_str());
            }
        }
        i += 1;
    }
    let mut out = BTreeSet::new();
    for text in texts {
        let code = code_of(text);
        let chars: Vec<char> = code.chars().collect();
        for (k, &c) in chars.iter().enumerate() {
            if (c == '.' || c == '"') && chars.get(k + 1).is_some_and(char::is_ascii_uppercase) {
                let name: String = chars[k + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect();
                let end = chars.get(k + 1 + name.len());
                if c == '.' || end == Some(&'"') {
                    out.insert(name);
                }
            }
        }
    }
    out
}

/// Rego without its comments.
fn code_of(text: &str) -> String {
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n")
}

// --- what the collector reads, and how it records a failure --------------------------------

/// A collection of resources in the snapshot: `iam.roles`, `s3.buckets`, or a regional one
/// (`regions.<region>.<service>.<kind>`).
#[derive(Clone, Copy)]
enum Where {
    Global(&'static str, &'static str),
    Regional(&'static str, &'static str),
}

/// An operation of a rule's `inputs`: a call about one resource (the gap names it by this
/// field, as the collector records it), or a listing.
struct Op {
    name: &'static str,
    collections: &'static [Where],
    /// The field the collector names the resource by in the gap; `None` for a listing.
    id_field: Option<&'static str>,
    /// A call about the account itself (S3 Control's account-level public access block): the
    /// gap names the account id and describes no resource a rule judges.
    account_level: bool,
}

const fn call(name: &'static str, collections: &'static [Where], id: &'static str) -> Op {
    Op {
        name,
        collections,
        id_field: Some(id),
        account_level: false,
    }
}

const fn listing(name: &'static str, collections: &'static [Where]) -> Op {
    Op {
        name,
        collections,
        id_field: None,
        account_level: false,
    }
}

const fn account_call(name: &'static str) -> Op {
    Op {
        name,
        collections: &[],
        id_field: None,
        account_level: true,
    }
}

use Where::{Global, Regional};

const OPS: &[Op] = &[
    listing(
        "iam:GetAccountAuthorizationDetails",
        &[Global("iam", "roles"), Global("iam", "policies")],
    ),
    call("iam:GetRole", &[Global("iam", "roles")], "Arn"),
    listing("s3:ListBuckets", &[Global("s3", "buckets")]),
    call("s3:GetBucketLocation", &[Global("s3", "buckets")], "Name"),
    call("s3:GetBucketEncryption", &[Global("s3", "buckets")], "Name"),
    call(
        "s3:GetPublicAccessBlock",
        &[Global("s3", "buckets")],
        "Name",
    ),
    call("s3:GetBucketPolicy", &[Global("s3", "buckets")], "Name"),
    account_call("s3control:GetPublicAccessBlock"),
    listing("kms:ListKeys", &[Regional("kms", "keys")]),
    listing("kms:ListAliases", &[Regional("kms", "keys")]),
    call("kms:DescribeKey", &[Regional("kms", "keys")], "Arn"),
    call(
        "kms:GetKeyRotationStatus",
        &[Regional("kms", "keys")],
        "Arn",
    ),
    call("kms:GetKeyPolicy", &[Regional("kms", "keys")], "Arn"),
    listing("ec2:DescribeVpcs", &[Regional("ec2", "vpcs")]),
    listing("ec2:DescribeSubnets", &[Regional("ec2", "subnets")]),
    listing(
        "ec2:DescribeRouteTables",
        &[Regional("ec2", "route_tables")],
    ),
    listing(
        "ec2:DescribeInternetGateways",
        &[Regional("ec2", "internet_gateways")],
    ),
    listing(
        "ec2:DescribeNatGateways",
        &[Regional("ec2", "nat_gateways")],
    ),
    listing(
        "ec2:DescribeVpcEndpoints",
        &[Regional("ec2", "vpc_endpoints")],
    ),
    listing(
        "ec2:DescribeSecurityGroups",
        &[Regional("ec2", "security_groups")],
    ),
    listing(
        "ec2:DescribeNetworkAcls",
        &[Regional("ec2", "network_acls")],
    ),
    listing("ec2:DescribeFlowLogs", &[Regional("ec2", "flow_logs")]),
    listing(
        "sagemaker:ListNotebookInstances",
        &[Regional("sagemaker", "notebook_instances")],
    ),
    call(
        "sagemaker:DescribeNotebookInstance",
        &[Regional("sagemaker", "notebook_instances")],
        "NotebookInstanceName",
    ),
    listing("sagemaker:ListDomains", &[Regional("sagemaker", "domains")]),
    call(
        "sagemaker:DescribeDomain",
        &[Regional("sagemaker", "domains")],
        "DomainId",
    ),
    listing(
        "sagemaker:ListTrainingJobs",
        &[Regional("sagemaker", "training_jobs")],
    ),
    call(
        "sagemaker:DescribeTrainingJob",
        &[Regional("sagemaker", "training_jobs")],
        "TrainingJobName",
    ),
    listing("sagemaker:ListModels", &[Regional("sagemaker", "models")]),
    call(
        "sagemaker:DescribeModel",
        &[Regional("sagemaker", "models")],
        "ModelName",
    ),
    listing(
        "sagemaker:ListEndpointConfigs",
        &[Regional("sagemaker", "endpoint_configs")],
    ),
    call(
        "sagemaker:DescribeEndpointConfig",
        &[Regional("sagemaker", "endpoint_configs")],
        "EndpointConfigName",
    ),
];

/// The resources of a collection, with their region (`global` for IAM, S3's `Region`).
fn resources(doc: &Value, w: Where) -> Vec<(String, &Value)> {
    match w {
        Global(service, kind) => doc[service][kind]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| {
                let region = r["Region"].as_str().unwrap_or("global").to_string();
                (region, r)
            })
            .collect(),
        Regional(service, kind) => doc["regions"]
            .as_object()
            .into_iter()
            .flatten()
            .flat_map(|(region, reg)| {
                reg[service][kind]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(move |r| (region.clone(), r))
            })
            .collect(),
    }
}

/// A resource's ARN, built as `policies/lib/resource.rego` builds it (`None`: no resource a
/// rule judges).
fn arn_of(doc: &Value, w: Where, region: &str, r: &Value) -> Option<String> {
    let partition = doc["metadata"]["partition"].as_str().unwrap_or("aws");
    let account = doc["metadata"]["account_id"].as_str().unwrap_or_default();
    let s = |k: &str| r[k].as_str().map(str::to_string);
    let ec2 = |kind: &str, id: &str| {
        let owner = r["OwnerId"].as_str().unwrap_or(account);
        Some(format!(
            "arn:{partition}:ec2:{region}:{owner}:{kind}/{}",
            r[id].as_str()?
        ))
    };
    match w {
        Global("iam", _) => s("Arn"),
        Global(_, _) => Some(format!("arn:{partition}:s3:::{}", r["Name"].as_str()?)),
        Regional("kms", _) => s("Arn"),
        Regional(_, "vpcs") => ec2("vpc", "VpcId"),
        Regional(_, "subnets") => s("SubnetArn").or_else(|| ec2("subnet", "SubnetId")),
        Regional(_, "route_tables") => ec2("route-table", "RouteTableId"),
        Regional(_, "security_groups") => ec2("security-group", "GroupId"),
        Regional(_, "network_acls") => ec2("network-acl", "NetworkAclId"),
        Regional(_, "vpc_endpoints") => ec2("vpc-endpoint", "VpcEndpointId"),
        Regional("ec2", _) => None,
        Regional(_, "notebook_instances") => s("NotebookInstanceArn"),
        Regional(_, "domains") => s("DomainArn"),
        Regional(_, "training_jobs") => s("TrainingJobArn"),
        Regional(_, "models") => s("ModelArn"),
        Regional(_, _) => s("EndpointConfigArn"),
    }
}

fn op_named(name: &str) -> &'static Op {
    OPS.iter().find(|o| o.name == name).unwrap_or_else(|| {
        panic!(
            "{name} is in a rule's inputs but not in tests/it/differential.rs OPS: add how it fails"
        )
    })
}

/// The snapshot with a failure of `op` recorded, and the ARNs of the resources it describes.
fn with_gap(doc: &Value, op: &Op) -> (Value, BTreeSet<String>) {
    let (service, operation) = op.name.split_once(':').expect("service:Operation");
    let mut gaps = Vec::new();
    let mut described = BTreeSet::new();
    let gap = |region: &str, resource: Option<&str>| {
        let mut g = json!({"service": service, "region": region, "operation": operation,
            "error_code": "AccessDeniedException", "message": "denied by the differential test"});
        if let Some(r) = resource {
            g["resource"] = json!(r);
        }
        g
    };
    if op.account_level {
        let account = doc["metadata"]["account_id"].as_str().unwrap_or_default();
        gaps.push(gap("global", Some(account)));
    }
    for &w in op.collections {
        for (region, r) in resources(doc, w) {
            if let Some(id) = op.id_field
                && let Some(name) = r[id].as_str()
            {
                gaps.push(gap(&region, Some(name)));
            }
            described.extend(arn_of(doc, w, &region, r));
        }
        if op.id_field.is_none() {
            match w {
                Global(..) => gaps.push(gap("global", None)),
                Regional(..) => {
                    for region in doc["regions"]
                        .as_object()
                        .into_iter()
                        .flatten()
                        .map(|(k, _)| k)
                    {
                        gaps.push(gap(region, None));
                    }
                }
            }
        }
    }
    let mut out = doc.clone();
    match out["gaps"].as_array_mut() {
        Some(existing) => existing.extend(gaps),
        None => out["gaps"] = Value::Array(gaps),
    }
    (out, described)
}

/// The snapshot with `field` removed from every resource, at any depth.
fn without_field(doc: &Value, field: &str) -> (Value, bool) {
    fn strip(v: &mut Value, field: &str) -> bool {
        match v {
            Value::Object(o) => {
                let mut hit = o.remove(field).is_some();
                for child in o.values_mut() {
                    hit |= strip(child, field);
                }
                hit
            }
            Value::Array(a) => a.iter_mut().fold(false, |hit, c| strip(c, field) | hit),
            _ => false,
        }
    }
    let mut out = doc.clone();
    let mut hit = false;
    for part in ["iam", "s3", "regions"] {
        if let Some(v) = out.get_mut(part) {
            hit |= strip(v, field);
        }
    }
    (out, hit)
}

// --- comparing outcomes ----------------------------------------------------------------------

/// What a user sees of a rule's verdicts: every finding (rule, resource, status, message) and
/// every passed (rule, resource), or the error.
type Outcome = Result<
    (
        BTreeSet<(String, String, Status, String)>,
        BTreeMap<String, Vec<String>>,
    ),
    String,
>;

fn outcome(report: Result<AuditReport, String>) -> Outcome {
    let report = report?;
    let findings = report
        .findings
        .iter()
        .map(|f| {
            (
                f.rule_id.clone(),
                f.resource.arn.clone(),
                f.status,
                f.message.clone(),
            )
        })
        .collect();
    let passed = report
        .passed
        .iter()
        .map(|(k, v)| (k.clone(), v.iter().map(|a| a.to_string()).collect()))
        .collect();
    Ok((findings, passed))
}

/// The mutant as `mlguard audit` loads it; `None` when the loader refuses it (a snapshot that
/// is never audited cannot pass anything).
fn load(doc: &Value) -> Option<snapshot::LoadedSnapshot> {
    let text = serde_json::to_string(doc).expect("serializes");
    snapshot::load_str(&text, Path::new("mutant.json")).ok()
}

fn run(engine: &Engine, snap: &snapshot::LoadedSnapshot, rules: &[String]) -> Outcome {
    outcome(audit::audit_keeping_passes(engine, snap, rules).map_err(|e| e.to_string()))
}

#[derive(Default)]
struct Tally {
    mutants: usize,
    refused: BTreeSet<String>,
    problems: Vec<String>,
}

impl Setup {
    fn rule(&self, id: &str) -> &Rule {
        self.set
            .rules
            .iter()
            .find(|r| r.meta.id == id)
            .expect("rule")
    }

    /// Every mutant of `doc` for the rules `ids`, each evaluated with the rules it concerns.
    fn check(&self, name: &str, doc: &Value, ids: &[String], tally: &mut Tally) {
        let mut fields: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        let mut ops: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for id in ids {
            for f in &self.fields[id] {
                fields.entry(f).or_default().push(id.clone());
            }
            for i in &self.rule(id).meta.inputs {
                ops.entry(i).or_default().push(id.clone());
            }
        }
        self.compare(name, doc, ids, None, tally);
        for (field, rules) in fields {
            let (mutant, hit) = without_field(doc, field);
            if hit {
                self.compare(
                    &format!("{name} without {field}"),
                    &mutant,
                    &rules,
                    None,
                    tally,
                );
            }
        }
        for (op, rules) in ops {
            let (mutant, described) = with_gap(doc, op_named(op));
            self.compare(
                &format!("{name} with {op} failed"),
                &mutant,
                &rules,
                Some((op, &described)),
                tally,
            );
        }
    }

    fn compare(
        &self,
        name: &str,
        doc: &Value,
        rules: &[String],
        gap: Option<(&str, &BTreeSet<String>)>,
        tally: &mut Tally,
    ) {
        tally.mutants += 1;
        let Some(snap) = load(doc) else {
            tally.refused.insert(name.to_string());
            return;
        };
        let expected = run(&self.reference, &snap, rules);
        let got = run(&self.shipped, &snap, rules);
        if got != expected {
            tally.problems.push(format!(
                "{name}: the shipped engine differs from the interpreter\n  interpreter: {expected:?}\n  shipped: {got:?}"
            ));
        }
        if let (Some((op, described)), Ok((_, passed))) = (gap, &got) {
            // S3 applies the stricter of the bucket's and the account's public access block:
            // an account that blocks all four settings settles a bucket whose own block could
            // not be read, so that bucket may pass.
            if op == "s3:GetPublicAccessBlock" && account_blocks_everything(doc) {
                return;
            }
            for id in rules {
                for arn in passed.get(id).into_iter().flatten() {
                    if described.contains(arn) {
                        tally.problems.push(format!(
                            "{name}: {id} lists {op} and reports {arn} as passed"
                        ));
                    }
                }
            }
        }
    }
}

/// Whether the snapshot records an account-level public access block with all four settings on.
fn account_blocks_everything(doc: &Value) -> bool {
    let block = &doc["s3"]["account_public_access_block"];
    [
        "BlockPublicAcls",
        "IgnorePublicAcls",
        "BlockPublicPolicy",
        "RestrictPublicBuckets",
    ]
    .iter()
    .all(|flag| block[flag] == Value::Bool(true))
}

fn read_json(path: &Path) -> Option<Value> {
    let text = std::fs::read_to_string(path).expect("fixture");
    let doc: Value = serde_json::from_str(&text).ok()?;
    // Fixtures for the loader's error cases are not snapshots.
    snapshot::load_str(&text, path).ok()?;
    Some(doc)
}

fn finish(what: &str, tally: Tally, at_least: usize) {
    assert!(
        tally.problems.is_empty(),
        "{} problem(s) in {} mutants of {what}:\n{}",
        tally.problems.len(),
        tally.mutants,
        tally.problems.join("\n")
    );
    assert!(
        tally.mutants >= at_least,
        "{what}: only {} mutants",
        tally.mutants
    );
    // A field the snapshot model requires (an ARN, a name) cannot be missing from a snapshot
    // mlguard audits; most mutants must still be audited, or the test checks little.
    assert!(
        tally.refused.len() * 3 <= tally.mutants,
        "{what}: the loader refused {} of {} mutants: {:?}",
        tally.refused.len(),
        tally.mutants,
        tally.refused
    );
}

#[test]
fn every_rule_on_mutants_of_its_own_fixtures() {
    let setup = setup();
    let mut tally = Tally::default();
    for rule in &setup.set.rules {
        let id = &rule.meta.id;
        for verdict in ["pass", "fail"] {
            let dir = root().join("fixtures").join(id).join(verdict);
            let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                .map(|e| e.expect("entry").path())
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .collect();
            files.sort();
            for file in files {
                let Some(doc) = read_json(&file) else {
                    continue;
                };
                let name = file
                    .strip_prefix(root())
                    .unwrap_or(&file)
                    .display()
                    .to_string();
                setup.check(&name, &doc, std::slice::from_ref(id), &mut tally);
            }
        }
    }
    finish("the rules' fixtures", tally, 300);
}

fn all_ids(setup: &Setup) -> Vec<String> {
    setup.set.rules.iter().map(|r| r.meta.id.clone()).collect()
}

#[test]
fn every_rule_on_mutants_of_the_lab_snapshots() {
    let setup = setup();
    let ids = all_ids(&setup);
    let mut tally = Tally::default();
    for file in ["lab-insecure.json", "lab-hardened.json"] {
        let doc = read_json(&root().join("fixtures").join(file)).expect("lab snapshot");
        setup.check(file, &doc, &ids, &mut tally);
    }
    finish("the lab snapshots", tally, 100);
}

#[test]
fn every_rule_on_mutants_of_generated_snapshots() {
    let setup = setup();
    let ids = all_ids(&setup);
    let mut tally = Tally::default();
    // A sample: two seeds, every kind, a few resources each, half of them violating.
    for seed in [5, 23] {
        let spec = Spec {
            counts: Counts::uniform(3),
            regions: 2,
            seed,
            violation_rate: 0.5,
        };
        let (bytes, _) = generate::generate(&spec).expect("generates");
        let doc: Value = serde_json::from_slice(&bytes).expect("json");
        setup.check(&format!("generated seed {seed}"), &doc, &ids, &mut tally);
    }
    finish("generated snapshots", tally, 100);
}

// --- the reproduction of issue 12 ---------------------------------------------------------------

const NOTEBOOK: &str =
    "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/ml-research-notebook";

fn lab() -> Value {
    read_json(&root().join("fixtures/lab-insecure.json")).expect("lab")
}

fn statuses(doc: &Value, arn: &str) -> BTreeMap<String, Option<Status>> {
    let setup = setup();
    let ids = all_ids(&setup);
    let snap = load(doc).expect("loads");
    let (findings, passed) = run(&setup.shipped, &snap, &ids).expect("audits");
    let mut out = BTreeMap::new();
    for (rule, resource, status, _) in findings {
        if resource == arn {
            out.insert(rule, Some(status));
        }
    }
    for (rule, arns) in passed {
        if arns.iter().any(|a| a == arn) {
            assert!(
                !out.contains_key(&rule),
                "{rule}: {arn} both passed and reported"
            );
            out.insert(rule, None);
        }
    }
    out
}

fn notebook_mut(doc: &mut Value) -> &mut serde_json::Map<String, Value> {
    doc["regions"]["us-east-1"]["sagemaker"]["notebook_instances"][0]
        .as_object_mut()
        .expect("notebook")
}

#[test]
fn a_notebook_without_direct_internet_access_or_root_access_fields_is_not_assessed() {
    let mut doc = lab();
    let nb = notebook_mut(&mut doc);
    nb.remove("DirectInternetAccess");
    nb.remove("RootAccess");
    let got = statuses(&doc, NOTEBOOK);
    for id in ["NI-007", "NI-009"] {
        assert_eq!(
            got.get(id),
            Some(&Some(Status::NotAssessed)),
            "{id}: {got:?}"
        );
    }
}

#[test]
fn a_failed_describe_leaves_the_notebook_and_the_domain_not_assessed() {
    // As the collector leaves them when DescribeNotebookInstance and DescribeDomain are
    // denied: what the List call said, and a gap.
    let mut doc = lab();
    let listed = [
        "NotebookInstanceArn",
        "NotebookInstanceName",
        "NotebookInstanceStatus",
        "Url",
        "InstanceType",
        "CreationTime",
        "LastModifiedTime",
    ];
    notebook_mut(&mut doc).retain(|k, _| listed.contains(&k.as_str()));
    let domain = doc["regions"]["us-east-1"]["sagemaker"]["domains"][0]
        .as_object_mut()
        .expect("domain");
    let domain_arn = domain["DomainArn"].as_str().expect("arn").to_string();
    let domain_id = domain["DomainId"].as_str().expect("id").to_string();
    domain.retain(|k, _| {
        [
            "DomainArn",
            "DomainId",
            "DomainName",
            "Status",
            "CreationTime",
            "LastModifiedTime",
            "Url",
        ]
        .contains(&k.as_str())
    });
    doc["gaps"] = json!([
        {"service": "sagemaker", "region": "us-east-1", "operation": "DescribeNotebookInstance",
         "resource": "ml-research-notebook", "error_code": "AccessDeniedException", "message": "denied"},
        {"service": "sagemaker", "region": "us-east-1", "operation": "DescribeDomain",
         "resource": domain_id, "error_code": "AccessDeniedException", "message": "denied"},
    ]);
    let got = statuses(&doc, NOTEBOOK);
    for id in ["NI-007", "NI-008", "NI-009", "DE-005"] {
        assert_eq!(
            got.get(id),
            Some(&Some(Status::NotAssessed)),
            "{id}: {got:?}"
        );
    }
    let got = statuses(&doc, &domain_arn);
    assert_eq!(
        got.get("NI-010"),
        Some(&Some(Status::NotAssessed)),
        "{got:?}"
    );
}

#[test]
fn a_gap_applies_even_when_the_data_is_there() {
    // The fields are in the snapshot (a hand-edited one), but the call is recorded as failed:
    // the rule must not pass the notebook on them.
    let mut doc = lab();
    notebook_mut(&mut doc).insert("DirectInternetAccess".into(), json!("Disabled"));
    doc["gaps"] = json!([
        {"service": "sagemaker", "region": "us-east-1", "operation": "DescribeNotebookInstance",
         "resource": "ml-research-notebook", "error_code": "AccessDeniedException", "message": "denied"},
    ]);
    let got = statuses(&doc, NOTEBOOK);
    assert_eq!(
        got.get("NI-007"),
        Some(&Some(Status::NotAssessed)),
        "{got:?}"
    );
    // A failure the rule can still see stays a failure.
    assert_eq!(got.get("NI-009"), Some(&Some(Status::Fail)), "{got:?}");
}
