//! The AWS CLI-style options of `collect` and `scan` against moto: regions, profiles,
//! assumed roles, the endpoint variable, the optional per-resource calls, SageMaker details,
//! the one clear error for a broken setup, and logs that never show credentials.

use crate::common::live::{Workdir, find, ids, pairs, without_run_fields};
use crate::common::moto::{ACCOUNT, Moto};
use crate::common::seed::{Aws, SAGEMAKER_TRUST};
use crate::common::stderr_of;
use crate::common::{live, proxy, seed};
use serde_json::{Value, json};

const REGION: &str = "us-east-1";
const OTHER: &str = "eu-west-1";

/// Exactly one `error:` line, saying `what`, with advice, and exit code 2.
fn assert_one_error(out: &std::process::Output, what: &str) {
    let stderr = stderr_of(out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(
        stderr
            .lines()
            .filter(|l| l.contains("error:") && !l.starts_with("  "))
            .count(),
        1,
        "one error, not a stack:\n{stderr}"
    );
    assert!(!stderr.contains("warning:"), "{stderr}");
    assert!(stderr.starts_with(&format!("error: {what}")), "{stderr}");
    assert!(stderr.contains("\n  help: "), "{stderr}");
}

#[test]
fn two_regions_are_collected_side_by_side() {
    let moto = Moto::start();
    let east = Aws::new(&moto.endpoint(), REGION);
    let west = Aws::new(&moto.endpoint(), OTHER);
    let lab = seed::lab(&east);
    let (west_key, west_vpc, west_sg) = west.run(async {
        let key = west.key("west key", None).await.1;
        let vpc = west.vpc("10.9.0.0/16").await;
        let sg = west.security_group(&vpc, "ml-west-sg").await;
        west.bucket("ml-west-data").await;
        (key, vpc, sg)
    });
    let work = Workdir::new();
    let (snap, stderr) = work.collect(
        &moto.endpoint(),
        &format!("{OTHER},{REGION}"),
        &["--stats", "-vv"],
    );
    assert_eq!(
        snap["metadata"]["regions"],
        json!([OTHER, REGION]),
        "sorted"
    );
    let regions: Vec<&String> = snap["regions"]
        .as_object()
        .expect("regions")
        .keys()
        .collect();
    assert_eq!(regions, vec![OTHER, REGION]);
    assert_eq!(
        ids(&snap["regions"][REGION]["kms"]["keys"], "Arn"),
        vec![lab.key_arn.clone()]
    );
    assert_eq!(
        ids(&snap["regions"][OTHER]["kms"]["keys"], "Arn"),
        vec![west_key.clone()]
    );
    assert!(west_key.starts_with(&format!("arn:aws:kms:{OTHER}:")));
    find(&snap["regions"][OTHER]["ec2"]["vpcs"], "VpcId", &west_vpc);
    find(
        &snap["regions"][OTHER]["ec2"]["security_groups"],
        "GroupId",
        &west_sg,
    );
    assert!(
        !ids(&snap["regions"][REGION]["ec2"]["vpcs"], "VpcId").contains(&west_vpc),
        "regions do not mix"
    );
    assert_eq!(
        find(&snap["s3"]["buckets"], "Name", "ml-west-data")["Region"],
        OTHER
    );
    // IAM and S3 once; EC2, KMS and SageMaker once per region (plus the region check).
    let calls = live::calls(&stderr);
    assert_eq!(calls["iam:GetAccountAuthorizationDetails"].0, 1);
    assert_eq!(calls["s3:ListBuckets"].0, 1);
    assert_eq!(calls["ec2:DescribeVpcs"].0, 2);
    assert_eq!(calls["ec2:DescribeRegions"].0, 1);
    assert_eq!(calls["kms:ListKeys"].0, 2);
    assert_eq!(calls["sagemaker:ListNotebookInstances"].0, 2);
    assert!(
        stderr.contains("collected account 123456789012 (aws), 2 regions (eu-west-1, us-east-1)"),
        "{stderr}"
    );

    // The order on the command line does not matter.
    let (again, _) = work.collect(&moto.endpoint(), &format!("{REGION},{OTHER}"), &[]);
    assert_eq!(without_run_fields(&again), without_run_fields(&snap));

    // `all`: every region the account has enabled.
    let (all, _) = work.collect(&moto.endpoint(), "all", &[]);
    let enabled: Vec<String> = east.run(async {
        let out = east
            .ec2()
            .describe_regions()
            .send()
            .await
            .expect("DescribeRegions");
        let mut r: Vec<String> = out
            .regions()
            .iter()
            .filter(|r| r.opt_in_status() != Some("not-opted-in"))
            .filter_map(|r| r.region_name().map(String::from))
            .collect();
        r.sort();
        r
    });
    assert!(enabled.len() > 10, "{enabled:?}");
    assert_eq!(all["metadata"]["regions"], json!(enabled));
    assert_eq!(
        all["regions"].as_object().map(|m| m.len()),
        Some(enabled.len())
    );
    assert_eq!(
        ids(&all["regions"][OTHER]["kms"]["keys"], "Arn"),
        vec![west_key]
    );
}

#[test]
fn profile_assumed_role_and_endpoint_variable() {
    let moto = Moto::start();
    let work = Workdir::new();
    // A role in another account, assumed with the caller's credentials.
    let other_account = "210987654321";
    let role = format!("arn:aws:iam::{other_account}:role/mlguard-auditor");
    let base = Aws::new(&moto.endpoint(), REGION);
    seed::lab(&base);
    let creds = base.run(async {
        base.sts()
            .assume_role()
            .role_arn(&role)
            .role_session_name("seed")
            .send()
            .await
            .expect("AssumeRole")
            .credentials
            .expect("credentials")
    });
    let there = Aws::with_credentials(
        &moto.endpoint(),
        REGION,
        &creds.access_key_id,
        &creds.secret_access_key,
        Some(&creds.session_token),
    );
    let their_role = there.run(there.role("their-sagemaker-role", SAGEMAKER_TRUST, &[]));
    assert!(their_role.contains(other_account));

    let (snap, stderr) = work.collect(
        &moto.endpoint(),
        REGION,
        &[
            "--role-arn",
            &role,
            "--external-id",
            "audit-2026",
            "--stats",
        ],
    );
    assert_eq!(snap["metadata"]["account_id"], other_account, "{stderr}");
    assert_eq!(ids(&snap["iam"]["roles"], "Arn"), vec![their_role]);
    assert_eq!(
        snap["regions"][REGION]["kms"]["keys"],
        json!([]),
        "nothing of the caller's account"
    );

    // A named profile in ~/.aws/config gives credentials and the region.
    std::fs::write(
        work.path("aws-config"),
        "[profile audit]\nregion = eu-west-1\naws_access_key_id = testing\naws_secret_access_key = testing\n",
    )
    .expect("write config");
    let out = work
        .mlguard()
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .args([
            "collect",
            "--profile",
            "audit",
            "--endpoint-url",
            &moto.endpoint(),
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let snap: Value = serde_json::from_slice(&out.stdout).expect("snapshot on stdout");
    assert_eq!(snap["metadata"]["regions"], json!([OTHER]));
    assert_eq!(snap["metadata"]["account_id"], ACCOUNT);

    // The standard AWS_ENDPOINT_URL variable reaches every service, like --endpoint-url.
    let out = work
        .mlguard()
        .env("AWS_ENDPOINT_URL", moto.endpoint())
        .args(["collect", "--region", REGION])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let by_env: Value = serde_json::from_slice(&out.stdout).expect("snapshot");
    let (by_flag, _) = work.collect(&moto.endpoint(), REGION, &[]);
    assert_eq!(without_run_fields(&by_env), without_run_fields(&by_flag));
    assert_eq!(by_env["iam"]["roles"].as_array().map(Vec::len), Some(1));
}

#[test]
fn optional_calls_follow_the_selected_rules() {
    let moto = Moto::start();
    let aws = Aws::new(&moto.endpoint(), REGION);
    let lab = seed::lab(&aws);
    let notebook = aws.run(async {
        let nb = aws
            .sagemaker()
            .create_notebook_instance()
            .notebook_instance_name("ml-tagged-notebook")
            .instance_type(aws_sdk_sagemaker::types::InstanceType::MlT3Medium)
            .role_arn(&lab.role_arn)
            .tags(
                aws_sdk_sagemaker::types::Tag::builder()
                    .key("team")
                    .value("ml")
                    .build(),
            )
            .send()
            .await
            .expect("CreateNotebookInstance");
        nb.notebook_instance_arn().expect("ARN").to_string()
    });
    let work = Workdir::new();
    // GetRole is for RoleDetails without RoleLastUsed (moto sends it, empty): a proxy takes
    // it out, so that the optional call is needed.
    let proxy = proxy::Proxy::start(
        moto.port,
        proxy::rewrite_role_details(|_, role| proxy::without_role_last_used(role)),
    );
    let endpoint = proxy.endpoint();

    // `scan` with rules that need neither: no per-role or per-notebook call, no RoleLastUsed,
    // no tags. (LP-001 reads GetAccountAuthorizationDetails only.)
    let saved = work.path("saved.json");
    let saved_arg = saved.to_str().expect("utf-8").to_string();
    let scan_saving = |args: &[&str]| -> (Value, String) {
        let mut all = vec!["--select", "LP-001", "--fail-on", "none", "--stats", "-vv"];
        all.extend(["--save-snapshot", saved_arg.as_str()]);
        all.extend(args);
        let (_, code, stderr) = work.scan(&endpoint, REGION, &all);
        assert_eq!(code, 0, "{stderr}");
        (live::read_json(&saved), stderr)
    };
    let (snap, stderr) = scan_saving(&[]);
    let role = find(&snap["iam"]["roles"], "Arn", &lab.role_arn);
    assert!(role.get("RoleLastUsed").is_none());
    let nb = find(
        &snap["regions"][REGION]["sagemaker"]["notebook_instances"],
        "NotebookInstanceArn",
        &notebook,
    );
    assert!(nb.get("Tags").is_none());
    let calls = live::calls(&stderr);
    assert!(
        !calls.contains_key("iam:GetRole") && !calls.contains_key("sagemaker:ListTags"),
        "{stderr}"
    );

    // --role-last-used: one GetRole per role; moto never records use, so RoleLastUsed is {}.
    let (snap, stderr) = scan_saving(&["--role-last-used"]);
    assert_eq!(
        find(&snap["iam"]["roles"], "Arn", &lab.role_arn)["RoleLastUsed"],
        json!({})
    );
    assert_eq!(live::calls(&stderr)["iam:GetRole"].0, 1);

    // A selected rule that lists iam:GetRole and sagemaker:ListTags in its inputs gets them.
    let dir = work.path("rules");
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("tst001.rego"), live::READS_OPTIONAL).expect("write rule");
    let dir_arg = dir.to_str().expect("utf-8");
    let (report, code, stderr) = work.scan(
        &endpoint,
        REGION,
        &[
            "--policy-dir",
            dir_arg,
            "--fail-on",
            "none",
            "--stats",
            "-vv",
            "--save-snapshot",
            work.path("s.json").to_str().expect("utf-8"),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(pairs(&report, "fail").contains(&("TST-001".to_string(), lab.role_arn.clone())));
    let calls = live::calls(&stderr);
    assert_eq!(calls["iam:GetRole"].0, 1, "{stderr}");
    assert_eq!(calls["sagemaker:ListTags"].0, 1, "{stderr}");
    let saved = live::read_json(&work.path("s.json"));
    let nb = find(
        &saved["regions"][REGION]["sagemaker"]["notebook_instances"],
        "NotebookInstanceArn",
        &notebook,
    );
    assert_eq!(nb["Tags"], json!([{"Key": "team", "Value": "ml"}]));
    // `collect --policy-dir` follows the same rules, so `audit` of its snapshot agrees.
    let (snap, _) = work.collect(&endpoint, REGION, &["--policy-dir", dir_arg]);
    assert_eq!(
        find(&snap["iam"]["roles"], "Arn", &lab.role_arn)["RoleLastUsed"],
        json!({})
    );
    // Leaving the rule out leaves the calls out.
    let (_, _, stderr) = work.scan(
        &endpoint,
        REGION,
        &[
            "--policy-dir",
            dir_arg,
            "--select",
            "LP-001",
            "--fail-on",
            "none",
            "--stats",
            "-vv",
        ],
    );
    assert!(
        !live::calls(&stderr).contains_key("iam:GetRole"),
        "{stderr}"
    );
}

#[test]
fn sagemaker_resources_are_described() {
    let moto = Moto::start();
    let aws = Aws::new(&moto.endpoint(), REGION);
    let lab = seed::lab(&aws);
    let domain_id = seed::sagemaker_workload(&aws, &lab);
    let work = Workdir::new();
    let (snap, stderr) = work.collect(
        &moto.endpoint(),
        REGION,
        &["--max-training-jobs", "2", "--stats", "-vv"],
    );
    let sm = &snap["regions"][REGION]["sagemaker"];

    let jobs = sm["training_jobs"].as_array().expect("jobs");
    assert_eq!(
        jobs.len(),
        2,
        "--max-training-jobs bounds the jobs described"
    );
    let calls = live::calls(&stderr);
    assert_eq!(calls["sagemaker:DescribeTrainingJob"].0, 2, "{stderr}");
    assert_eq!(calls["sagemaker:ListTrainingJobs"].0, 1, "{stderr}");
    let job = &jobs[0];
    assert_eq!(job["RoleArn"], lab.role_arn);
    assert_eq!(job["EnableNetworkIsolation"], true);
    assert_eq!(
        job["VpcConfig"],
        json!({"SecurityGroupIds": [lab.sg_id], "Subnets": ["subnet-1"]})
    );
    assert_eq!(job["OutputDataConfig"]["KmsKeyId"], lab.key_arn);
    assert_eq!(job["ResourceConfig"]["VolumeKmsKeyId"], lab.key_arn);
    assert_eq!(job["ResourceConfig"]["InstanceType"], "ml.m5.large");

    let model = find(&sm["models"], "ModelName", "ml-model");
    assert_eq!(model["ExecutionRoleArn"], lab.role_arn);
    assert_eq!(
        model["PrimaryContainer"]["Image"],
        "123.dkr.ecr.us-east-1.amazonaws.com/serve:1"
    );
    assert!(
        !snap.to_string().contains("hunter2"),
        "container environments may hold secrets and are not collected"
    );
    let config = find(
        &sm["endpoint_configs"],
        "EndpointConfigName",
        "ml-endpoint-config",
    );
    assert_eq!(config["KmsKeyId"], lab.key_arn);
    assert_eq!(config["ProductionVariants"][0]["ModelName"], "ml-model");
    let domain = find(&sm["domains"], "DomainId", &domain_id);
    assert_eq!(domain["AppNetworkAccessType"], "VpcOnly");
    assert_eq!(domain["VpcId"], lab.vpc_id);
    assert_eq!(domain["KmsKeyId"], lab.key_arn);
    assert_eq!(domain["DefaultUserSettings"]["ExecutionRole"], lab.role_arn);
    assert_eq!(
        domain["DefaultUserSettings"]["SecurityGroups"],
        json!([lab.sg_id])
    );
    assert_eq!(snap["gaps"], json!([]));

    // Every call made is one the least-privilege policy grants (collect::operations).
    for op in calls.keys() {
        let (service, name) = op.split_once(':').expect("service:Operation");
        assert!(
            mlguard::collect::operations::find(service, name).is_some(),
            "{op} is called but missing from collect::operations and the scan policy"
        );
    }
}

#[test]
fn a_broken_setup_is_one_clear_error() {
    let moto = Moto::start();
    let work = Workdir::new();
    let endpoint = moto.endpoint();

    let out = work
        .mlguard()
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .args(["scan", "--endpoint-url", &endpoint, "--regions", REGION])
        .output()
        .expect("runs");
    assert_one_error(&out, "no AWS credentials found");
    assert!(stderr_of(&out).contains("help: run `aws configure` (access keys)"));
    assert!(out.stdout.is_empty(), "no report without a collection");

    let out = work
        .live("collect", &endpoint, "us-east-1,eu-west-9", &[])
        .output()
        .expect("runs");
    assert_one_error(&out, "region `eu-west-9` does not exist in partition aws");

    let out = work
        .live("collect", &endpoint, "useast1", &[])
        .output()
        .expect("runs");
    assert_one_error(&out, "`useast1` is not an AWS region name");

    let out = work
        .live("collect", &endpoint, "all,us-east-1", &[])
        .output()
        .expect("runs");
    assert_one_error(&out, "--regions all cannot be combined");

    let out = work
        .mlguard()
        .args(["collect", "--endpoint-url", &endpoint])
        .output()
        .expect("runs");
    assert_one_error(&out, "no AWS region is configured");

    // Nothing listens there: one error from the first call, not a gap per service.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let out = work
        .live(
            "collect",
            &format!("http://127.0.0.1:{closed}"),
            REGION,
            &["--max-attempts", "2"],
        )
        .output()
        .expect("runs");
    assert_one_error(&out, "cannot reach AWS STS in region `us-east-1`");

    let out = work
        .live("collect", "localhost:5000", REGION, &[])
        .output()
        .expect("runs");
    assert_one_error(&out, "invalid --endpoint-url `localhost:5000`");
}

#[test]
fn logs_never_show_credentials() {
    let moto = Moto::start();
    let aws = Aws::new(&moto.endpoint(), REGION);
    seed::lab(&aws);
    let work = Workdir::new();
    let secret = "wJalrSECRETsentinelKEY";
    let token = "FwoGZXIvSESSIONsentinelTOKEN";
    for extra in [None, Some("trace")] {
        let mut cmd = work.live("collect", &moto.endpoint(), REGION, &["-vv", "--stats"]);
        cmd.env("AWS_SECRET_ACCESS_KEY", secret)
            .env("AWS_SESSION_TOKEN", token);
        if let Some(filter) = extra {
            cmd.env("MLGUARD_LOG", filter);
        }
        let out = cmd.output().expect("runs");
        let stderr = stderr_of(&out);
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        assert!(stderr.contains("collected account"), "{stderr}");
        for sentinel in [secret, token] {
            assert!(
                !stderr.contains(sentinel),
                "MLGUARD_LOG={extra:?} printed a credential"
            );
        }
        if extra.is_none() {
            assert!(
                !stderr.contains("testing"),
                "not even the access key id at -vv"
            );
        }
    }
}
