//! `ec2-create-flow-logs`: records a VPC's traffic in flow logs, creating the flow-log bucket
//! when needed.

use super::prelude::*;

declare_fix! {
    Ec2CreateFlowLogs {
        id: "ec2-create-flow-logs",
        rules: ["NI-005"],
        applicability: Safe,
        phase: Network,
        resource: "VpcId",
        summary: "CreateFlowLogs for the VPC (all traffic) to --flow-logs-destination, or to the S3 bucket mlguard-flow-logs-<account>-<region> that mlguard creates and tags (SSE-KMS with a customer-managed key, TLS-only policy, public access blocked)",
        inverse: "DeleteFlowLogs of the created flow log; the bucket's settings restored and DeleteBucket of the bucket mlguard created (refused by S3 while it holds logs)",
        plan: plan,
    }
}

/// The bucket mlguard creates for flow logs in a region.
pub(super) fn flow_log_bucket(account: &str, region: &str) -> String {
    format!("mlguard-flow-logs-{account}-{region}")
}

fn plan(ctx: &mut Ctx<'_>, f: &Finding, vpc: &Value) {
    let region = f.resource.region.clone();
    let vpc_id = s(vpc, "VpcId").to_string();
    let destination = match &ctx.options.flow_logs_destination {
        Some(d) => d.clone(),
        None => match flow_bucket(ctx, f, &region) {
            Ok(arn) => arn,
            Err(why) => {
                ctx.manual(f, ID, why);
                return;
            }
        },
    };
    ctx.push(change(
        &f.rule_id,
        ID,
        &f.resource.arn,
        format!("record all traffic of {vpc_id} in flow logs to {destination}"),
        Op::CreateFlowLogs {
            region: region.clone(),
            resource_id: vpc_id.clone(),
            log_destination: destination.clone(),
            tags: created_tags("flow-log"),
        },
        Aspect::FlowLog {
            region,
            resource_id: vpc_id,
            log_destination: destination,
        },
        Value::Null,
        created(),
    ));
}

/// The flow-log bucket of a region: planned once (creation, tags, public access block,
/// SSE-KMS, TLS-only policy). Err: why it cannot be.
fn flow_bucket(ctx: &mut Ctx<'_>, f: &Finding, region: &str) -> Result<String, String> {
    if let Some(r) = ctx.flow_buckets.get(region) {
        return r.clone();
    }
    let name = flow_log_bucket(&ctx.account, region);
    let arn = format!("arn:{}:s3:::{name}", ctx.partition);
    let exists = ctx
        .snap
        .pointer("/s3/buckets")
        .and_then(Value::as_array)
        .is_some_and(|b| b.iter().any(|b| s(b, "Name") == name));
    let result = if exists {
        Ok(arn.clone())
    } else {
        match ctx.choose_key(region) {
            None => Err(format!(
                "the flow-log bucket needs SSE-KMS and there is no single customer-managed key in {region}: pass --kms-key ARN, or --flow-logs-destination with a bucket of your own"
            )),
            Some(key) => {
                plan_flow_bucket(ctx, f, region, &name, &arn, &key);
                Ok(arn.clone())
            }
        }
    };
    ctx.flow_buckets.insert(region.to_string(), result.clone());
    result
}

fn plan_flow_bucket(
    ctx: &mut Ctx<'_>,
    f: &Finding,
    region: &str,
    name: &str,
    arn: &str,
    key: &KeyChoice,
) {
    let b = || (name.to_string(), region.to_string());
    let change = |summary: String, op: Op, aspect: Aspect, before: Value, after: Value| {
        change(&f.rule_id, ID, arn, summary, op, aspect, before, after)
    };
    ctx.push(change(
        format!("create bucket {name} for VPC flow logs"),
        Op::CreateBucket {
            bucket: b().0,
            region: b().1,
        },
        Aspect::Bucket {
            bucket: b().0,
            region: b().1,
        },
        Value::Null,
        json!({"id": name}),
    ));
    let t = created_tags("flow-log-bucket");
    ctx.push(
        change(
            format!("tag bucket {name} as mlguard's"),
            Op::PutBucketTagging {
                bucket: b().0,
                region: b().1,
                tags: t.clone(),
            },
            Aspect::BucketTags {
                bucket: b().0,
                region: b().1,
            },
            Value::Null,
            serde_json::to_value(&t).unwrap_or(Value::Null),
        )
        .unread(),
    );
    ctx.push(
        change(
            format!("block public access to bucket {name}"),
            Op::PutPublicAccessBlock {
                bucket: b().0,
                region: b().1,
                block_public_acls: true,
                ignore_public_acls: true,
                block_public_policy: true,
                restrict_public_buckets: true,
            },
            Aspect::BucketPublicAccessBlock {
                bucket: b().0,
                region: b().1,
            },
            Value::Null,
            all_blocked(),
        )
        .unread(),
    );
    let (config, r) = ctx.sse(region, key);
    let mut enc = change(
        format!("encrypt bucket {name} with SSE-KMS"),
        Op::PutBucketEncryption {
            bucket: b().0,
            region: b().1,
            configuration: config.clone(),
        },
        Aspect::BucketEncryption {
            bucket: b().0,
            region: b().1,
        },
        Value::Null,
        config,
    )
    .unread();
    if let Some((n, aspect)) = r {
        enc = enc.with_ref(&n, aspect);
    }
    ctx.push(enc);
    let policy = docs::with_tls_only(None, &ctx.partition, name);
    ctx.push(
        change(
            format!("deny requests to bucket {name} made without TLS"),
            Op::PutBucketPolicy {
                bucket: b().0,
                region: b().1,
                document: policy.clone(),
            },
            Aspect::BucketPolicy {
                bucket: b().0,
                region: b().1,
            },
            Value::Null,
            policy,
        )
        .unread(),
    );
}
