//! KMS (per region): every key with its metadata and aliases; for customer-managed keys also
//! the rotation status, the key policy and the tags.

use super::ctx::{Ctx, fan_out};
use super::json::{Obj, policy_document, sort_by_field};
use aws_sdk_kms::types::{AliasListEntry, KeyManagerType, KeyMetadata};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Page sizes: the API maximum of each call.
const LIST_KEYS_LIMIT: i32 = 1000;
const LIST_ALIASES_LIMIT: i32 = 100;
const LIST_TAGS_LIMIT: i32 = 50;

/// `{"keys": [...]}`, sorted by ARN.
pub(crate) async fn collect(ctx: Arc<Ctx>, client: aws_sdk_kms::Client, region: String) -> Value {
    let task = ctx.progress.task(format!("kms {region}"));
    task.step("ListKeys, ListAliases");
    let mut listed: Vec<(String, String)> = Vec::new();
    let keys = ctx.pages(
        "kms",
        &region,
        "ListKeys",
        None,
        |marker| {
            client
                .list_keys()
                .limit(LIST_KEYS_LIMIT)
                .set_marker(marker)
                .send()
        },
        |page| {
            listed.extend(
                page.keys()
                    .iter()
                    .filter_map(|k| Some((k.key_id()?.to_string(), k.key_arn()?.to_string()))),
            );
            if page.truncated {
                page.next_marker
            } else {
                None
            }
        },
    );
    let mut aliases: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let alias_listing = ctx.pages(
        "kms",
        &region,
        "ListAliases",
        None,
        |marker| {
            client
                .list_aliases()
                .limit(LIST_ALIASES_LIMIT)
                .set_marker(marker)
                .send()
        },
        |page| {
            for a in page.aliases() {
                if let Some(target) = a.target_key_id() {
                    aliases
                        .entry(target.to_string())
                        .or_default()
                        .push(alias(a));
                }
            }
            if page.truncated {
                page.next_marker
            } else {
                None
            }
        },
    );
    tokio::join!(keys, alias_listing);
    for list in aliases.values_mut() {
        sort_by_field(list, "AliasName");
    }
    let aliases = Arc::new(aliases);

    task.step(format!("DescribeKey and details of {} keys", listed.len()));
    let mut keys = fan_out(listed, |(key_id, arn)| {
        let (ctx, client, region, aliases) = (
            Arc::clone(&ctx),
            client.clone(),
            region.clone(),
            Arc::clone(&aliases),
        );
        async move { Some(key(&ctx, &client, &region, &aliases, key_id, arn).await) }
    })
    .await;
    sort_by_field(&mut keys, "Arn");
    task.done(format!("{} keys", keys.len()));
    json!({"keys": keys})
}

async fn key(
    ctx: &Ctx,
    client: &aws_sdk_kms::Client,
    region: &str,
    aliases: &BTreeMap<String, Vec<Value>>,
    key_id: String,
    arn: String,
) -> Value {
    let key_aliases = aliases.get(&key_id).cloned().unwrap_or_default();
    let metadata = match ctx.call(client.describe_key().key_id(&key_id).send()).await {
        Ok(out) => out.key_metadata,
        Err(e) => {
            ctx.gap("kms", region, "DescribeKey", Some(&arn), &e);
            None
        }
    };
    let Some(metadata) = metadata else {
        // What ListKeys told, so rules still see the key (and its gap).
        return Obj::new()
            .s("KeyId", Some(&key_id))
            .s("Arn", Some(&arn))
            .v("Aliases", Some(json!(key_aliases)))
            .build();
    };
    let mut obj = key_metadata(&metadata).v("Aliases", Some(Value::Array(key_aliases)));
    if metadata.key_manager() != Some(&KeyManagerType::Customer) {
        return obj.build();
    }

    let rotation = ctx.call(client.get_key_rotation_status().key_id(&key_id).send());
    let policy = ctx.call(
        client
            .get_key_policy()
            .key_id(&key_id)
            .policy_name("default")
            .send(),
    );
    let mut tags = Vec::new();
    let tag_listing = ctx.pages(
        "kms",
        region,
        "ListResourceTags",
        Some(&arn),
        |marker| {
            client
                .list_resource_tags()
                .key_id(&key_id)
                .limit(LIST_TAGS_LIMIT)
                .set_marker(marker)
                .send()
        },
        |page| {
            tags.extend(
                page.tags()
                    .iter()
                    .map(|t| (t.tag_key().to_string(), t.tag_value().to_string())),
            );
            if page.truncated {
                page.next_marker
            } else {
                None
            }
        },
    );
    let (rotation, policy, tags_complete) = tokio::join!(rotation, policy, tag_listing);
    match rotation {
        Ok(out) => {
            obj = obj
                .b("KeyRotationEnabled", Some(out.key_rotation_enabled))
                .n("RotationPeriodInDays", out.rotation_period_in_days)
                .t("NextRotationDate", out.next_rotation_date.as_ref());
        }
        Err(e) => ctx.gap("kms", region, "GetKeyRotationStatus", Some(&arn), &e),
    }
    match policy {
        Ok(out) => obj = obj.v("Policy", out.policy().and_then(policy_document)),
        Err(e) => ctx.gap("kms", region, "GetKeyPolicy", Some(&arn), &e),
    }
    if tags_complete {
        obj = obj.tags_as(
            "Tags",
            "TagKey",
            "TagValue",
            tags.iter()
                .map(|(k, v)| (Some(k.as_str()), Some(v.as_str()))),
        );
    }
    obj.build()
}

fn key_metadata(m: &KeyMetadata) -> Obj {
    Obj::new()
        .s("AWSAccountId", m.aws_account_id())
        .s("KeyId", Some(m.key_id()))
        .s("Arn", m.arn())
        .t("CreationDate", m.creation_date())
        .b("Enabled", Some(m.enabled))
        .s("Description", m.description())
        .e("KeyUsage", m.key_usage())
        .e("KeyState", m.key_state())
        .t("DeletionDate", m.deletion_date())
        .t("ValidTo", m.valid_to())
        .e("Origin", m.origin())
        .s("CustomKeyStoreId", m.custom_key_store_id())
        .s("CloudHsmClusterId", m.cloud_hsm_cluster_id())
        .e("ExpirationModel", m.expiration_model())
        .e("KeyManager", m.key_manager())
        .e("KeySpec", m.key_spec())
        .strs("EncryptionAlgorithms", m.encryption_algorithms())
        .strs("SigningAlgorithms", m.signing_algorithms())
        .strs("MacAlgorithms", m.mac_algorithms())
        .b("MultiRegion", m.multi_region())
        .v(
            "MultiRegionConfiguration",
            m.multi_region_configuration().map(|c| {
                let key = |k: &aws_sdk_kms::types::MultiRegionKey| {
                    Obj::new().s("Arn", k.arn()).s("Region", k.region()).build()
                };
                Obj::new()
                    .e("MultiRegionKeyType", c.multi_region_key_type())
                    .v("PrimaryKey", c.primary_key().map(key))
                    .list("ReplicaKeys", c.replica_keys(), key)
                    .build()
            }),
        )
        .n(
            "PendingDeletionWindowInDays",
            m.pending_deletion_window_in_days(),
        )
}

fn alias(a: &AliasListEntry) -> Value {
    Obj::new()
        .s("AliasName", a.alias_name())
        .s("AliasArn", a.alias_arn())
        .s("TargetKeyId", a.target_key_id())
        .t("CreationDate", a.creation_date())
        .t("LastUpdatedDate", a.last_updated_date())
        .build()
}
