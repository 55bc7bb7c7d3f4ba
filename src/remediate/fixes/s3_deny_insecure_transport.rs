//! `s3-deny-insecure-transport`: adds the bucket policy statement that denies requests made
//! without TLS.

use super::prelude::*;

declare_fix! {
    S3DenyInsecureTransport {
        id: "s3-deny-insecure-transport",
        rules: ["DE-010"],
        applicability: Safe,
        phase: Buckets,
        resource: "Name",
        summary: "PutBucketPolicy adding a statement that denies s3:* on the bucket and its objects when aws:SecureTransport is false",
        inverse: "PutBucketPolicy with the recorded policy (DeleteBucketPolicy if there was none)",
        plan: plan,
    }
}

fn plan(ctx: &mut Ctx<'_>, f: &Finding, b: &Value) {
    let (bucket, region) = (s(b, "Name").to_string(), Ctx::bucket_region(b));
    let before = b.get("Policy").filter(|p| p.is_object()).cloned();
    let after = docs::with_tls_only(before.as_ref(), &ctx.partition, &bucket);
    ctx.push(change(
        &f.rule_id,
        ID,
        &f.resource.arn,
        format!("deny requests to bucket {bucket} made without TLS"),
        Op::PutBucketPolicy {
            bucket: bucket.clone(),
            region: region.clone(),
            document: after.clone(),
        },
        Aspect::BucketPolicy { bucket, region },
        before.unwrap_or(Value::Null),
        after,
    ));
}
