//! Seeds a large emulated account into a running moto server, to measure `mlguard scan` on
//! an account of realistic size (docs/collection.md has the figures).
//!
//! ```sh
//! moto_server -H 127.0.0.1 -p 5000 &      # MOTO_IAM_LOAD_MANAGED_POLICIES=true MOTO_EC2_LOAD_DEFAULT_AMIS=false
//! cargo run --example seed_moto -- --endpoint-url http://127.0.0.1:5000 \
//!     --roles 1000 --keys 200 --vpcs 50 --security-groups 1000
//! /usr/bin/time -v mlguard scan --endpoint-url http://127.0.0.1:5000 --regions us-east-1 --stats
//! ```
//!
//! Roles trust SageMaker; every tenth has AmazonSageMakerFullAccess attached and an inline
//! policy. Keys alternate rotation on and off. Security groups are spread over the VPCs, each
//! admitting HTTPS from the VPC.

use aws_config::BehaviorVersion;
use aws_sdk_ec2::types::{IpPermission, IpRange};
use aws_types::region::Region;
use std::io::Write;
use std::sync::Arc;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
const INLINE: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::ml-data/*"}]}"#;

struct Args {
    endpoint: String,
    region: String,
    roles: usize,
    keys: usize,
    vpcs: usize,
    groups: usize,
    concurrency: usize,
}

fn parse() -> Result<Args, String> {
    let mut args = Args {
        endpoint: String::new(),
        region: "us-east-1".into(),
        roles: 1000,
        keys: 200,
        vpcs: 50,
        groups: 1000,
        concurrency: 8,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let n = || value.parse::<usize>().map_err(|e| format!("{flag}: {e}"));
        match flag.as_str() {
            "--endpoint-url" => args.endpoint = value.clone(),
            "--region" => args.region = value.clone(),
            "--roles" => args.roles = n()?,
            "--keys" => args.keys = n()?,
            "--vpcs" => args.vpcs = n()?,
            "--security-groups" => args.groups = n()?,
            "--concurrency" => args.concurrency = n()?,
            other => return Err(format!("unknown option {other}")),
        }
    }
    if args.endpoint.is_empty() {
        return Err(
            "--endpoint-url is required (this seeds an emulator, never a real account)".into(),
        );
    }
    Ok(args)
}

/// Runs `make(i)` for every `i` in `0..n`, at most `limit` at a time.
async fn each<F, Fut>(n: usize, limit: usize, make: F) -> Result<(), String>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = Result<(), String>> + Send + 'static,
{
    let sem = Arc::new(Semaphore::new(limit.max(1)));
    let mut set = JoinSet::new();
    for i in 0..n {
        let permit = Arc::clone(&sem)
            .acquire_owned()
            .await
            .map_err(|e| e.to_string())?;
        let fut = make(i);
        set.spawn(async move {
            let r = fut.await;
            drop(permit);
            r
        });
    }
    while let Some(r) = set.join_next().await {
        r.map_err(|e| e.to_string())??;
    }
    Ok(())
}

async fn seed(args: Args) -> Result<(), String> {
    let creds = aws_sdk_sts::config::Credentials::new("testing", "testing", None, None, "seed");
    let config = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(args.region.clone()))
        .endpoint_url(&args.endpoint)
        .credentials_provider(creds)
        .load()
        .await;
    let (iam, kms, ec2) = (
        aws_sdk_iam::Client::new(&config),
        aws_sdk_kms::Client::new(&config),
        aws_sdk_ec2::Client::new(&config),
    );
    let err = |e: &dyn std::fmt::Display| e.to_string();

    each(args.roles, args.concurrency, |i| {
        let iam = iam.clone();
        async move {
            let name = format!("ml-bench-role-{i:04}");
            iam.create_role()
                .role_name(&name)
                .assume_role_policy_document(TRUST)
                .send()
                .await
                .map_err(|e| err(&e))?;
            if i % 10 == 0 {
                iam.attach_role_policy()
                    .role_name(&name)
                    .policy_arn("arn:aws:iam::aws:policy/AmazonSageMakerFullAccess")
                    .send()
                    .await
                    .map_err(|e| err(&e))?;
                iam.put_role_policy()
                    .role_name(&name)
                    .policy_name("data")
                    .policy_document(INLINE)
                    .send()
                    .await
                    .map_err(|e| err(&e))?;
            }
            Ok(())
        }
    })
    .await?;

    each(args.keys, args.concurrency, |i| {
        let kms = kms.clone();
        async move {
            let key = kms
                .create_key()
                .description(format!("bench-key-{i}"))
                .send()
                .await
                .map_err(|e| err(&e))?;
            let id = key
                .key_metadata()
                .map(|m| m.key_id().to_string())
                .unwrap_or_default();
            if i % 2 == 0 {
                kms.enable_key_rotation()
                    .key_id(&id)
                    .send()
                    .await
                    .map_err(|e| err(&e))?;
            }
            Ok(())
        }
    })
    .await?;

    let mut vpcs = Vec::new();
    for i in 0..args.vpcs {
        let cidr = format!("10.{}.0.0/16", i % 256);
        let out = ec2
            .create_vpc()
            .cidr_block(&cidr)
            .send()
            .await
            .map_err(|e| err(&e))?;
        let id = out
            .vpc()
            .and_then(|v| v.vpc_id())
            .unwrap_or_default()
            .to_string();
        ec2.create_subnet()
            .vpc_id(&id)
            .cidr_block(format!("10.{}.1.0/24", i % 256))
            .send()
            .await
            .map_err(|e| err(&e))?;
        vpcs.push((id, cidr));
    }
    let vpcs = Arc::new(vpcs);
    each(args.groups, args.concurrency, |i| {
        let (ec2, vpcs) = (ec2.clone(), Arc::clone(&vpcs));
        async move {
            let Some((vpc, cidr)) = vpcs.get(i % vpcs.len().max(1)) else {
                return Ok(());
            };
            let sg = ec2
                .create_security_group()
                .vpc_id(vpc)
                .group_name(format!("ml-bench-sg-{i:04}"))
                .description("bench")
                .send()
                .await
                .map_err(|e| err(&e))?;
            let rule = IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(443)
                .to_port(443)
                .ip_ranges(IpRange::builder().cidr_ip(cidr.as_str()).build())
                .build();
            ec2.authorize_security_group_ingress()
                .group_id(sg.group_id().unwrap_or_default())
                .ip_permissions(rule)
                .send()
                .await
                .map_err(|e| err(&e))?;
            Ok(())
        }
    })
    .await
}

fn main() -> std::process::ExitCode {
    let mut stderr = std::io::stderr();
    let args = match parse() {
        Ok(a) => a,
        Err(e) => {
            let _ = writeln!(stderr, "error: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let summary = format!(
        "seeded {} roles, {} keys, {} VPCs, {} security groups into {} ({})",
        args.roles, args.keys, args.vpcs, args.groups, args.endpoint, args.region
    );
    let started = std::time::Instant::now();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            let _ = writeln!(stderr, "error: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    match runtime.block_on(seed(args)) {
        Ok(()) => {
            let _ = writeln!(
                stderr,
                "{summary} in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            let _ = writeln!(stderr, "error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
