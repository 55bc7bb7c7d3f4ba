//! `mlguard collect` and `mlguard scan` against moto's emulator, on three seeded accounts:
//! the lab as its first commands leave it, an insecure account, and the hardened end state.
//! Each test checks what the snapshot holds, field by field, and the exact (rule, resource)
//! pairs the scan reports; `collect` then `audit` must report what `scan` reports.

use crate::common::live::{
    Expected, Workdir, find, findings_without_file, ids, pairs, without_run_fields,
};
use crate::common::moto::{ACCOUNT, Moto};
use crate::common::seed::{Aws, Hardened, Insecure, Lab, Network};
use crate::common::{live, seed};
use serde_json::{Value, json};

const REGION: &str = "us-east-1";

// --- expected findings, one list per scenario ------------------------------------------

/// Findings every scenario that keeps the region's default VPC shares: its subnets assign
/// public addresses behind an internet gateway, its default security group and network ACL
/// are open, it has no flow logs.
fn default_vpc_findings(aws: &Aws, net: &Network) -> Vec<(&'static str, String)> {
    let vpc = net.default_vpc();
    let mut out = vec![
        (
            "NI-004",
            aws.ec2_arn("security-group", &net.default_groups[vpc]),
        ),
        ("NI-005", aws.ec2_arn("vpc", vpc)),
        ("NI-013", aws.ec2_arn("network-acl", &net.default_acls[vpc])),
    ];
    for subnet in &net.default_subnets {
        out.push(("NI-006", aws.ec2_arn("subnet", subnet)));
    }
    out
}

/// The lab as created: a SageMaker role with a broad AWS-managed policy and a service trust
/// without a source condition, a key without rotation, a VPC without flow logs or endpoints
/// whose default security group and network ACL are open.
fn lab_expected(aws: &Aws, net: &Network, lab: &Lab) -> Expected {
    let role = || lab.role_arn.clone();
    let mut pairs = vec![
        ("DE-001", lab.key_arn.clone()),
        ("LP-002", role()),
        ("LP-004", role()),
        ("LP-005", role()),
        ("LP-007", role()),
        ("LP-008", role()),
        ("LP-009", role()),
        ("LP-010", role()),
        ("LP-012", role()),
        ("NI-004", aws.ec2_arn("security-group", &lab.default_sg_id)),
        ("NI-005", aws.ec2_arn("vpc", &lab.vpc_id)),
        ("NI-012", aws.ec2_arn("vpc", &lab.vpc_id)),
        (
            "NI-013",
            aws.ec2_arn("network-acl", &net.default_acls[&lab.vpc_id]),
        ),
        ("NI-015", aws.ec2_arn("security-group", &lab.sg_id)),
    ];
    pairs.extend(default_vpc_findings(aws, net));
    Expected(pairs)
}

fn insecure_expected(aws: &Aws, net: &Network, i: &Insecure) -> Expected {
    let role = || i.role_arn.clone();
    let sg = || aws.ec2_arn("security-group", &i.sg_id);
    let notebook = || i.notebook_arn.clone();
    let bucket = || format!("arn:aws:s3:::{}", i.bucket);
    let mut pairs = vec![
        ("DE-001", i.key_arn.clone()),
        ("DE-002", i.key_arn.clone()),
        ("DE-005", notebook()),
        ("DE-009", bucket()),
        ("DE-010", bucket()),
        ("DE-011", bucket()),
        // Full administrator access is reported once, by LP-003, not again as PassRole,
        // escalation or data access.
        ("LP-001", role()),
        ("LP-003", role()),
        ("LP-012", role()),
        ("NI-001", sg()),
        ("NI-002", sg()),
        ("NI-003", sg()),
        ("NI-015", sg()),
        (
            "NI-004",
            aws.ec2_arn("security-group", &net.default_groups[&i.vpc_id]),
        ),
        ("NI-005", aws.ec2_arn("vpc", &i.vpc_id)),
        ("NI-006", aws.ec2_arn("subnet", &i.subnet_id)),
        ("NI-007", notebook()),
        ("NI-008", notebook()),
        ("NI-009", notebook()),
        ("NI-012", aws.ec2_arn("vpc", &i.vpc_id)),
        (
            "NI-013",
            aws.ec2_arn("network-acl", &net.default_acls[&i.vpc_id]),
        ),
    ];
    pairs.extend(default_vpc_findings(aws, net));
    Expected(pairs)
}

/// The hardened end state passes every rule.
fn hardened_expected(_h: &Hardened) -> Expected {
    Expected(vec![])
}

// --- helpers ---------------------------------------------------------------------------

fn region(snapshot: &Value) -> &Value {
    &snapshot["regions"][REGION]
}

/// `scan` and `collect` then `audit` report the same findings, and the two collected
/// snapshots are the same document but for the run's time stamp.
fn assert_collect_then_audit_equals_scan(
    work: &Workdir,
    moto: &Moto,
    scan: &Value,
    snapshot: &Value,
) {
    let saved = work.path("scan-snapshot.json");
    let (again, code, stderr) = work.scan(
        &moto.endpoint(),
        REGION,
        &[
            "--fail-on",
            "none",
            "--save-snapshot",
            saved.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(findings_without_file(&again), findings_without_file(scan));
    let audited = work.audit(&work.path("snapshot.json"));
    assert_eq!(
        findings_without_file(&audited),
        findings_without_file(scan),
        "collect then audit must report what scan reports"
    );
    let saved = live::read_json(&saved);
    assert_eq!(
        without_run_fields(&saved),
        without_run_fields(snapshot),
        "the same account state must give the same snapshot"
    );
    assert!(
        saved["metadata"]["collected_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );
    assert_eq!(saved["metadata"]["tool_version"], env!("CARGO_PKG_VERSION"));
}

// --- the lab ---------------------------------------------------------------------------

#[test]
fn lab_as_first_created() {
    let moto = Moto::start();
    let aws = Aws::new(&moto.endpoint(), REGION);
    let lab = seed::lab(&aws);
    let work = Workdir::new();
    let (snap, _) = work.collect(&moto.endpoint(), REGION, &[]);

    assert_eq!(
        snap["metadata"]["account_id"], ACCOUNT,
        "account id from sts:GetCallerIdentity"
    );
    assert_eq!(snap["metadata"]["partition"], "aws");
    assert_eq!(snap["metadata"]["regions"], json!([REGION]));
    assert_eq!(snap["schema_version"], 1);
    assert_eq!(snap["gaps"], json!([]));

    // IAM: the role, its trust policy decoded, the attached AWS-managed policy with only
    // its default version, and RoleLastUsed only when a rule reads it (iam:GetRole).
    let roles = &snap["iam"]["roles"];
    assert_eq!(ids(roles, "Arn"), vec![lab.role_arn.clone()]);
    let role = find(roles, "RoleName", "brainybee-sagemaker-role");
    assert_eq!(
        role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"],
        json!({"Service": "sagemaker.amazonaws.com"})
    );
    assert_eq!(
        role["AttachedManagedPolicies"],
        json!([{"PolicyName": "AmazonSageMakerFullAccess", "PolicyArn": "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"}])
    );
    if live::rules_reading("iam:GetRole").is_empty() {
        assert!(role.get("RoleLastUsed").is_none(), "{role:#}");
    } else {
        assert_eq!(
            role["RoleLastUsed"],
            json!({}),
            "moto never records a role's use"
        );
    }
    assert!(
        role["CreateDate"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );
    let policies = &snap["iam"]["policies"];
    assert_eq!(
        ids(policies, "Arn"),
        vec!["arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"],
        "only the managed policies roles use are kept"
    );
    let versions = policies[0]["PolicyVersionList"]
        .as_array()
        .expect("versions");
    assert_eq!(versions.len(), 1, "only the default version is kept");
    assert_eq!(versions[0]["IsDefaultVersion"], true);
    assert_eq!(versions[0]["VersionId"], policies[0]["DefaultVersionId"]);
    assert!(versions[0]["Document"]["Statement"].is_array());
    assert_eq!(policies[0]["PolicyName"], "AmazonSageMakerFullAccess");

    // KMS: the new key, customer managed, rotation off, its default policy decoded.
    let keys = &region(&snap)["kms"]["keys"];
    assert_eq!(ids(keys, "Arn"), vec![lab.key_arn.clone()]);
    let key = &keys[0];
    assert_eq!(key["KeyId"], lab.key_id);
    assert_eq!(key["KeyManager"], "CUSTOMER");
    assert_eq!(key["KeyState"], "Enabled");
    assert_eq!(key["KeyRotationEnabled"], false);
    assert_eq!(key["Aliases"], json!([]));
    assert_eq!(key["Tags"], json!([]));
    assert_eq!(
        key["Policy"]["Statement"][0]["Principal"],
        json!({"AWS": format!("arn:aws:iam::{ACCOUNT}:root")})
    );

    // EC2: the lab VPC beside the region's default VPC, its two security groups, no flow logs.
    let ec2 = &region(&snap)["ec2"];
    let vpc = find(&ec2["vpcs"], "VpcId", &lab.vpc_id);
    assert_eq!(vpc["CidrBlock"], "10.0.0.0/16");
    assert_eq!(vpc["IsDefault"], false);
    assert_eq!(ec2["vpcs"].as_array().map(Vec::len), Some(2));
    let sg = find(&ec2["security_groups"], "GroupId", &lab.sg_id);
    assert_eq!(sg["GroupName"], "ml-security-group");
    assert_eq!(sg["VpcId"], lab.vpc_id);
    assert_eq!(sg["IpPermissions"], json!([]));
    assert_eq!(
        sg["IpPermissionsEgress"][0]["IpRanges"],
        json!([{"CidrIp": "0.0.0.0/0"}])
    );
    let default_sg = find(&ec2["security_groups"], "GroupId", &lab.default_sg_id);
    assert_eq!(default_sg["GroupName"], "default");
    assert_eq!(default_sg["VpcId"], lab.vpc_id);
    assert_eq!(ec2["flow_logs"], json!([]));
    assert!(
        ec2["route_tables"]
            .as_array()
            .expect("route tables")
            .iter()
            .any(|t| t["VpcId"] == lab.vpc_id && t["Associations"][0]["Main"] == true),
        "the lab VPC's main route table"
    );
    assert!(
        ec2["network_acls"]
            .as_array()
            .expect("ACLs")
            .iter()
            .any(|a| a["VpcId"] == lab.vpc_id && a["IsDefault"] == true)
    );
    for kind in [
        "notebook_instances",
        "domains",
        "training_jobs",
        "models",
        "endpoint_configs",
    ] {
        assert_eq!(region(&snap)["sagemaker"][kind], json!([]), "{kind}");
    }
    assert_eq!(snap["s3"]["buckets"], json!([]));
    assert_eq!(
        snap["s3"]["account_public_access_block"],
        json!({"BlockPublicAcls": false, "IgnorePublicAcls": false, "BlockPublicPolicy": false, "RestrictPublicBuckets": false}),
        "no account-level configuration (NoSuchPublicAccessBlockConfiguration): every setting off"
    );

    let (report, code, stderr) = work.scan(&moto.endpoint(), REGION, &["--fail-on", "none"]);
    assert_eq!(code, 0, "{stderr}");
    let net = aws.run(aws.network());
    lab_expected(&aws, &net, &lab).assert_failures(&report, "lab");
    assert_eq!(pairs(&report, "not_assessed"), Default::default());
    assert_collect_then_audit_equals_scan(&work, &moto, &report, &snap);
}

// --- an insecure account ---------------------------------------------------------------

#[test]
fn insecure_account() {
    let moto = Moto::start();
    let aws = Aws::new(&moto.endpoint(), REGION);
    let bad = seed::insecure(&aws);
    let work = Workdir::new();
    let (snap, _) = work.collect(&moto.endpoint(), REGION, &[]);
    assert_eq!(snap["gaps"], json!([]));

    let role = find(&snap["iam"]["roles"], "Arn", &bad.role_arn);
    assert_eq!(
        role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"],
        json!({"AWS": "*"})
    );
    assert_eq!(
        ids(&snap["iam"]["policies"], "Arn"),
        vec!["arn:aws:iam::aws:policy/AdministratorAccess"]
    );
    assert_eq!(
        snap["iam"]["policies"][0]["PolicyVersionList"][0]["Document"]["Statement"][0]["Action"],
        "*"
    );

    let ec2 = &region(&snap)["ec2"];
    let subnet = find(&ec2["subnets"], "SubnetId", &bad.subnet_id);
    assert_eq!(subnet["MapPublicIpOnLaunch"], true);
    assert_eq!(subnet["VpcId"], bad.vpc_id);
    let igw = find(&ec2["internet_gateways"], "InternetGatewayId", &bad.igw_id);
    assert_eq!(igw["Attachments"][0]["VpcId"], bad.vpc_id);
    let table = find(&ec2["route_tables"], "RouteTableId", &bad.route_table_id);
    assert!(
        table["Routes"]
            .as_array()
            .expect("routes")
            .iter()
            .any(|r| r["DestinationCidrBlock"] == "0.0.0.0/0" && r["GatewayId"] == bad.igw_id),
        "{table:#}"
    );
    assert!(
        table["Associations"]
            .as_array()
            .expect("associations")
            .iter()
            .any(|a| a["SubnetId"] == bad.subnet_id)
    );
    let sg = find(&ec2["security_groups"], "GroupId", &bad.sg_id);
    let ingress = sg["IpPermissions"].as_array().expect("ingress");
    assert!(
        ingress
            .iter()
            .any(|p| p["IpProtocol"] == "-1" && p["IpRanges"][0]["CidrIp"] == "0.0.0.0/0"),
        "{sg:#}"
    );
    assert!(
        ingress
            .iter()
            .any(|p| p["IpProtocol"] == "tcp" && p["FromPort"] == 22 && p["ToPort"] == 22)
    );

    let key = find(&region(&snap)["kms"]["keys"], "Arn", &bad.key_arn);
    assert_eq!(key["KeyRotationEnabled"], false);
    assert_eq!(key["Policy"]["Statement"][0]["Principal"], "*");

    let nb = find(
        &region(&snap)["sagemaker"]["notebook_instances"],
        "NotebookInstanceName",
        "ml-open-notebook",
    );
    assert_eq!(nb["NotebookInstanceArn"], bad.notebook_arn);
    assert_eq!(nb["DirectInternetAccess"], "Enabled");
    assert_eq!(nb["RootAccess"], "Enabled");
    assert_eq!(nb["RoleArn"], bad.role_arn);
    assert!(nb.get("KmsKeyId").is_none());

    let bucket = find(&snap["s3"]["buckets"], "Name", &bad.bucket);
    assert_eq!(bucket["Region"], REGION);
    for absent in [
        "ServerSideEncryptionConfiguration",
        "PublicAccessBlock",
        "Policy",
    ] {
        assert!(
            bucket.get(absent).is_none(),
            "{absent}: 'no such configuration' is data, not a gap"
        );
    }

    let (report, code, stderr) = work.scan(&moto.endpoint(), REGION, &["--fail-on", "none"]);
    assert_eq!(code, 0, "{stderr}");
    let net = aws.run(aws.network());
    insecure_expected(&aws, &net, &bad).assert_failures(&report, "insecure");
    assert_eq!(pairs(&report, "not_assessed"), Default::default());
    assert_collect_then_audit_equals_scan(&work, &moto, &report, &snap);

    // Exit codes follow --fail-on, as for audit.
    let (_, code, _) = work.scan(&moto.endpoint(), REGION, &["--select", "LP-001"]);
    assert_eq!(
        code, 1,
        "a critical finding fails the default --fail-on high"
    );
}

// --- the hardened end state ------------------------------------------------------------

#[test]
fn hardened_account_has_no_findings() {
    let moto = Moto::start();
    let aws = Aws::new(&moto.endpoint(), REGION);
    let h = seed::hardened(&aws);
    let work = Workdir::new();
    let (snap, _) = work.collect(&moto.endpoint(), REGION, &[]);
    assert_eq!(snap["gaps"], json!([]));

    let role = find(&snap["iam"]["roles"], "Arn", &h.role_arn);
    assert_eq!(
        role["AssumeRolePolicyDocument"]["Statement"][0]["Condition"],
        json!({"StringEquals": {"aws:SourceAccount": ACCOUNT}})
    );
    assert_eq!(
        role["RolePolicyList"][0]["PolicyDocument"]["Statement"][0]["Action"],
        json!(["s3:GetObject", "s3:PutObject"])
    );
    let boundary = role["PermissionsBoundary"]["PermissionsBoundaryArn"]
        .as_str()
        .expect("boundary");
    assert_eq!(
        role["PermissionsBoundary"]["PermissionsBoundaryType"],
        "PermissionsBoundaryPolicy"
    );
    assert_eq!(
        role["Tags"],
        json!([{"Key": "mlguard:scope", "Value": "ml"}])
    );
    assert_eq!(
        ids(&snap["iam"]["policies"], "Arn"),
        vec![boundary.to_string()],
        "a permissions boundary counts as use"
    );

    let key = find(&region(&snap)["kms"]["keys"], "Arn", &h.key_arn);
    assert_eq!(key["KeyRotationEnabled"], true);
    assert_eq!(key["Aliases"][0]["AliasName"], "alias/ml-data");

    let ec2 = &region(&snap)["ec2"];
    assert_eq!(
        ids(&ec2["vpcs"], "VpcId"),
        vec![h.vpc_id.clone()],
        "the default VPC is gone"
    );
    assert_eq!(ec2["internet_gateways"], json!([]));
    let flow = &ec2["flow_logs"].as_array().expect("flow logs")[0];
    assert_eq!(flow["ResourceId"], h.vpc_id);
    assert_eq!(flow["TrafficType"], "ALL");
    assert_eq!(flow["LogDestinationType"], "s3");
    let endpoints = ec2["vpc_endpoints"].as_array().expect("endpoints");
    assert_eq!(endpoints.len(), 3);
    let s3_endpoint = find(
        &ec2["vpc_endpoints"],
        "ServiceName",
        &format!("com.amazonaws.{REGION}.s3"),
    );
    assert_eq!(s3_endpoint["VpcEndpointType"], "Gateway");
    assert_eq!(
        s3_endpoint["State"], "available",
        "kept as the API spelled it"
    );
    let sg = find(&ec2["security_groups"], "GroupId", &h.sg_id);
    assert_eq!(sg["IpPermissions"][0]["FromPort"], 443);
    assert_eq!(
        sg["IpPermissions"][0]["IpRanges"],
        json!([{"CidrIp": "10.2.0.0/16"}])
    );

    let nb = find(
        &region(&snap)["sagemaker"]["notebook_instances"],
        "NotebookInstanceArn",
        &h.notebook_arn,
    );
    assert_eq!(nb["DirectInternetAccess"], "Disabled");
    assert_eq!(nb["RootAccess"], "Disabled");
    assert_eq!(nb["KmsKeyId"], h.key_arn);
    assert_eq!(nb["SubnetId"], h.subnet_id);
    assert_eq!(nb["SecurityGroups"], json!([h.sg_id]));

    let bucket = find(&snap["s3"]["buckets"], "Name", &h.bucket);
    assert_eq!(
        bucket["ServerSideEncryptionConfiguration"]["Rules"][0]["ApplyServerSideEncryptionByDefault"],
        json!({"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": h.key_arn})
    );
    assert_eq!(
        bucket["PublicAccessBlock"],
        json!({"BlockPublicAcls": true, "IgnorePublicAcls": true, "BlockPublicPolicy": true, "RestrictPublicBuckets": true})
    );
    assert_eq!(
        bucket["Policy"]["Statement"][0]["Condition"],
        json!({"Bool": {"aws:SecureTransport": "false"}})
    );

    let (report, code, stderr) = work.scan(&moto.endpoint(), REGION, &[]);
    assert_eq!(code, 0, "{stderr}");
    hardened_expected(&h).assert_failures(&report, "hardened");
    assert_eq!(pairs(&report, "not_assessed"), Default::default());
    assert_eq!(report["summary"]["failed"], 0);
    assert_eq!(report["summary"]["gaps"], 0);
    assert_collect_then_audit_equals_scan(&work, &moto, &report, &snap);
}
