//! S3 (global listing, regional buckets): every bucket with its region, default encryption,
//! public access block and policy, and the account's public access block (S3 Control).
//! "No such configuration" answers are data, not gaps.

use super::client::Clients;
use super::ctx::{Ctx, GLOBAL, fan_out};
use super::json::{Obj, policy_document, sort_by_field};
use aws_sdk_s3::types::{PublicAccessBlockConfiguration, ServerSideEncryptionConfiguration};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

/// The API maximum of ListBuckets' MaxBuckets. Asking for a page size also makes S3 report
/// each bucket's region, which saves a GetBucketLocation call per bucket.
const MAX_BUCKETS: i32 = 10_000;

/// Error codes that mean "the bucket has no such configuration".
const NO_ENCRYPTION: &str = "ServerSideEncryptionConfigurationNotFoundError";
const NO_PUBLIC_ACCESS_BLOCK: &str = "NoSuchPublicAccessBlockConfiguration";
const NO_POLICY: &str = "NoSuchBucketPolicy";

/// One S3 client per bucket region: buckets must be read through their own region.
struct RegionalClients {
    clients: Clients,
    by_region: Mutex<BTreeMap<String, aws_sdk_s3::Client>>,
}

impl RegionalClients {
    fn get(&self, region: &str) -> aws_sdk_s3::Client {
        let mut map = self
            .by_region
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        map.entry(region.to_string())
            .or_insert_with(|| self.clients.s3(region))
            .clone()
    }
}

/// `{"buckets": [...], "account_public_access_block": {...}}`, buckets sorted by name. The
/// account's block is left out when it could not be read (a gap names the account).
pub(crate) async fn collect(
    ctx: Arc<Ctx>,
    clients: Clients,
    home_region: String,
    account_id: String,
) -> Value {
    let control = clients.s3control(&home_region);
    let (mut out, account) = tokio::join!(
        buckets(Arc::clone(&ctx), clients, home_region),
        account_block(&ctx, &control, &account_id),
    );
    if let (Some(obj), Some(block)) = (out.as_object_mut(), account) {
        obj.insert("account_public_access_block".into(), block);
    }
    out
}

/// S3 Control GetPublicAccessBlock for the account: one call. No configuration means every
/// setting is off, recorded as such; a failure is a gap whose resource is the account id.
async fn account_block(
    ctx: &Ctx,
    client: &aws_sdk_s3control::Client,
    account_id: &str,
) -> Option<Value> {
    let result = ctx
        .call(
            client
                .get_public_access_block()
                .account_id(account_id)
                .send(),
        )
        .await;
    match result {
        Ok(out) => Some(account_flags(out.public_access_block_configuration().map(
            |c| {
                [
                    c.block_public_acls(),
                    c.ignore_public_acls(),
                    c.block_public_policy(),
                    c.restrict_public_buckets(),
                ]
            },
        ))),
        Err(e) if e.code() == Some(NO_PUBLIC_ACCESS_BLOCK) => Some(account_flags(None)),
        Err(e) => {
            ctx.gap(
                "s3control",
                GLOBAL,
                "GetPublicAccessBlock",
                Some(account_id),
                &e,
            );
            None
        }
    }
}

/// The four settings of an account, each `false` when not set.
fn account_flags(flags: Option<[Option<bool>; 4]>) -> Value {
    let [acls, ignore, policy, restrict] = flags.unwrap_or_default();
    json!({
        "BlockPublicAcls": acls.unwrap_or(false),
        "IgnorePublicAcls": ignore.unwrap_or(false),
        "BlockPublicPolicy": policy.unwrap_or(false),
        "RestrictPublicBuckets": restrict.unwrap_or(false),
    })
}

/// `{"buckets": [...]}`, sorted by name.
async fn buckets(ctx: Arc<Ctx>, clients: Clients, home_region: String) -> Value {
    let task = ctx.progress.task("s3");
    task.step("ListBuckets");
    let regional = Arc::new(RegionalClients {
        clients,
        by_region: Mutex::new(BTreeMap::new()),
    });
    let client = regional.get(&home_region);
    let mut listed: Vec<(String, Option<String>, Value)> = Vec::new();
    ctx.pages(
        "s3",
        GLOBAL,
        "ListBuckets",
        None,
        |token| {
            client
                .list_buckets()
                .max_buckets(MAX_BUCKETS)
                .set_continuation_token(token)
                .send()
        },
        |page| {
            for b in page.buckets() {
                let Some(name) = b.name() else { continue };
                let listed_fields = Obj::new()
                    .s("Name", Some(name))
                    .t("CreationDate", b.creation_date())
                    .s("BucketArn", b.bucket_arn())
                    .build();
                listed.push((
                    name.to_string(),
                    b.bucket_region().map(str::to_string),
                    listed_fields,
                ));
            }
            page.continuation_token
        },
    )
    .await;

    task.step(format!("configuration of {} buckets", listed.len()));
    let mut buckets = fan_out(listed, |(name, region, fields)| {
        let (ctx, regional, home) = (Arc::clone(&ctx), Arc::clone(&regional), home_region.clone());
        async move { Some(bucket(&ctx, &regional, &home, name, region, fields).await) }
    })
    .await;
    sort_by_field(&mut buckets, "Name");
    task.done(format!("{} buckets", buckets.len()));
    json!({"buckets": buckets})
}

async fn bucket(
    ctx: &Ctx,
    regional: &RegionalClients,
    home_region: &str,
    name: String,
    region: Option<String>,
    fields: Value,
) -> Value {
    let mut obj = Obj::new().merge(fields);
    let region = match region {
        Some(r) => Some(r),
        None => {
            let client = regional.get(home_region);
            match ctx
                .call(client.get_bucket_location().bucket(&name).send())
                .await
            {
                Ok(out) => Some(match out.location_constraint().map(|c| c.as_str()) {
                    None | Some("") => "us-east-1".to_string(),
                    Some("EU") => "eu-west-1".to_string(),
                    Some(other) => other.to_string(),
                }),
                Err(e) => {
                    ctx.gap("s3", GLOBAL, "GetBucketLocation", Some(&name), &e);
                    None
                }
            }
        }
    };
    // Without its region a bucket is read through the home region (right for us-east-1
    // buckets; elsewhere S3 answers with a redirect, recorded as gaps).
    let gap_region = region.clone().unwrap_or_else(|| GLOBAL.to_string());
    let client = regional.get(region.as_deref().unwrap_or(home_region));
    obj = obj.s("Region", region.as_deref());

    let (encryption, access_block, policy) = tokio::join!(
        ctx.call(client.get_bucket_encryption().bucket(&name).send()),
        ctx.call(client.get_public_access_block().bucket(&name).send()),
        ctx.call(client.get_bucket_policy().bucket(&name).send()),
    );
    match encryption {
        Ok(out) => {
            obj = obj.v(
                "ServerSideEncryptionConfiguration",
                out.server_side_encryption_configuration().map(sse),
            );
        }
        Err(e) if e.code() == Some(NO_ENCRYPTION) => {}
        Err(e) => ctx.gap("s3", &gap_region, "GetBucketEncryption", Some(&name), &e),
    }
    match access_block {
        Ok(out) => {
            obj = obj.v(
                "PublicAccessBlock",
                out.public_access_block_configuration()
                    .map(public_access_block),
            );
        }
        Err(e) if e.code() == Some(NO_PUBLIC_ACCESS_BLOCK) => {}
        Err(e) => ctx.gap("s3", &gap_region, "GetPublicAccessBlock", Some(&name), &e),
    }
    match policy {
        Ok(out) => obj = obj.v("Policy", out.policy().and_then(policy_document)),
        Err(e) if e.code() == Some(NO_POLICY) => {}
        Err(e) => ctx.gap("s3", &gap_region, "GetBucketPolicy", Some(&name), &e),
    }
    obj.build()
}

fn sse(c: &ServerSideEncryptionConfiguration) -> Value {
    Obj::new()
        .list("Rules", c.rules(), |r| {
            Obj::new()
                .v(
                    "ApplyServerSideEncryptionByDefault",
                    r.apply_server_side_encryption_by_default().map(|d| {
                        Obj::new()
                            .s("SSEAlgorithm", Some(d.sse_algorithm().as_str()))
                            .s("KMSMasterKeyID", d.kms_master_key_id())
                            .build()
                    }),
                )
                .b("BucketKeyEnabled", r.bucket_key_enabled())
                .build()
        })
        .build()
}

fn public_access_block(c: &PublicAccessBlockConfiguration) -> Value {
    Obj::new()
        .b("BlockPublicAcls", c.block_public_acls())
        .b("IgnorePublicAcls", c.ignore_public_acls())
        .b("BlockPublicPolicy", c.block_public_policy())
        .b("RestrictPublicBuckets", c.restrict_public_buckets())
        .build()
}
