//! `s3-default-encryption-kms`: encrypts a bucket's new objects with SSE-KMS and a
//! customer-managed key.

use super::prelude::*;

declare_fix! {
    S3DefaultEncryptionKms {
        id: "s3-default-encryption-kms",
        rules: ["DE-009"],
        applicability: Safe,
        phase: Buckets,
        resource: "Name",
        summary: "PutBucketEncryption with SSE-KMS, a bucket key, and a customer-managed key: --kms-key, else the region's only usable customer-managed key (one mlguard manages, or the one SageMaker resources use, first)",
        inverse: "PutBucketEncryption with the recorded configuration (DeleteBucketEncryption if there was none)",
        plan: plan,
    }
}

fn plan(ctx: &mut Ctx<'_>, f: &Finding, b: &Value) {
    let (bucket, region) = (s(b, "Name").to_string(), Ctx::bucket_region(b));
    let Some(key) = ctx.choose_key(&region) else {
        ctx.manual(
            f,
            ID,
            format!("no single customer-managed key to use in {region}: pass --kms-key ARN (or create one: DE-004's fix)"),
        );
        return;
    };
    let (config, r) = ctx.sse(&region, &key);
    let mut action = change(
        &f.rule_id,
        ID,
        &f.resource.arn,
        format!("encrypt new objects of bucket {bucket} with SSE-KMS and a customer-managed key"),
        Op::PutBucketEncryption {
            bucket: bucket.clone(),
            region: region.clone(),
            configuration: config.clone(),
        },
        Aspect::BucketEncryption { bucket, region },
        b.get("ServerSideEncryptionConfiguration")
            .cloned()
            .unwrap_or(Value::Null),
        config,
    );
    if let Some((name, aspect)) = r {
        action = action.with_ref(&name, aspect);
    }
    ctx.push(action);
}
