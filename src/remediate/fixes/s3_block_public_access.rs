//! `s3-block-public-access`: blocks public access to a bucket.

use super::prelude::*;

declare_fix! {
    S3BlockPublicAccess {
        id: "s3-block-public-access",
        rules: ["DE-011"],
        applicability: Safe,
        phase: Buckets,
        resource: "Name",
        summary: "PutPublicAccessBlock with all four settings on",
        inverse: "PutPublicAccessBlock with the recorded settings (DeletePublicAccessBlock if there were none)",
        plan: plan,
    }
}

fn plan(ctx: &mut Ctx<'_>, f: &Finding, b: &Value) {
    let (bucket, region) = (s(b, "Name").to_string(), Ctx::bucket_region(b));
    ctx.push(change(
        &f.rule_id,
        ID,
        &f.resource.arn,
        format!("block public access to bucket {bucket}"),
        Op::PutPublicAccessBlock {
            bucket: bucket.clone(),
            region: region.clone(),
            block_public_acls: true,
            ignore_public_acls: true,
            block_public_policy: true,
            restrict_public_buckets: true,
        },
        Aspect::BucketPublicAccessBlock { bucket, region },
        b.get("PublicAccessBlock").cloned().unwrap_or(Value::Null),
        all_blocked(),
    ));
}
