//! KMS: finding a key, the key, alias, rotation, policy and state reads, and the executors of
//! the KMS operations.

use super::{AwsTarget, KeyLookup, decode, doc_text, found, not_found};
use crate::remediate::model::Tags;
use crate::remediate::target::TargetError;
use serde_json::{Value, json};

impl AwsTarget {
    /// Where a KMS key given by id, alias or ARN lives: its ARN in `region`, else the first
    /// other enabled region that has it (`None` when no region does).
    pub fn find_key(&self, key: &str, region: &str) -> Result<KeyLookup, TargetError> {
        let describe = |region: &str, key: &str| -> Result<Option<String>, TargetError> {
            match self.send(self.kms(region).describe_key().key_id(key).send()) {
                Ok(o) => Ok(o.key_metadata().and_then(|m| m.arn()).map(String::from)),
                Err(e) => {
                    if not_found(&e) || e.code == "InvalidArnException" {
                        Ok(None)
                    } else {
                        Err(e)
                    }
                }
            }
        };
        if let Some(arn) = describe(region, key)? {
            return Ok(KeyLookup::Found(arn));
        }
        // An ARN names its region: elsewhere, look for the id or alias it ends with.
        let bare = match key.strip_prefix("arn:") {
            Some(rest) => {
                let resource = rest.splitn(5, ':').nth(4).unwrap_or(key);
                resource.strip_prefix("key/").unwrap_or(resource)
            }
            None => key,
        };
        let regions = self.enabled_regions()?;
        let searched = regions.len();
        for other in regions {
            if other == region {
                continue;
            }
            if let Some(arn) = describe(&other, bare)? {
                return Ok(KeyLookup::Elsewhere { region: other, arn });
            }
        }
        Ok(KeyLookup::Nowhere { searched })
    }

    pub(super) fn aliases(
        &self,
        region: &str,
    ) -> Result<Vec<(String, Option<String>)>, TargetError> {
        let mut out = Vec::new();
        let mut marker = None;
        loop {
            let page = self.send(
                self.kms(region)
                    .list_aliases()
                    .limit(100)
                    .set_marker(marker.take())
                    .send(),
            )?;
            out.extend(page.aliases().iter().filter_map(|a| {
                Some((
                    a.alias_name()?.to_string(),
                    a.target_key_id().map(String::from),
                ))
            }));
            if page.truncated && page.next_marker.is_some() {
                marker = page.next_marker;
            } else {
                return Ok(out);
            }
        }
    }

    pub(super) fn key_metadata(
        &self,
        region: &str,
        key_id: &str,
    ) -> Result<Option<aws_sdk_kms::types::KeyMetadata>, TargetError> {
        Ok(
            found(self.send(self.kms(region).describe_key().key_id(key_id).send()))?
                .and_then(|o| o.key_metadata),
        )
    }

    pub(super) fn key_tags(&self, region: &str, key_id: &str) -> Result<Tags, TargetError> {
        let out = self.send(self.kms(region).list_resource_tags().key_id(key_id).send())?;
        Ok(out
            .tags()
            .iter()
            .map(|t| (t.tag_key().to_string(), t.tag_value().to_string()))
            .collect())
    }

    /// A live (not pending deletion) customer key as an aspect value.
    pub(super) fn usable_key(
        &self,
        region: &str,
        key_id: &str,
    ) -> Result<Option<Value>, TargetError> {
        let Some(meta) = self.key_metadata(region, key_id)? else {
            return Ok(None);
        };
        let state = meta
            .key_state()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default();
        if state.starts_with("PendingDeletion") || state == "PendingReplicaDeletion" {
            return Ok(None);
        }
        let tags = self.key_tags(region, key_id).unwrap_or_default();
        Ok(Some(
            json!({"id": meta.key_id(), "arn": meta.arn(), "tags": tags}),
        ))
    }

    /// Every customer key of the region carrying all of `tags` (and not pending deletion).
    pub(super) fn keys_tagged(&self, region: &str, tags: &Tags) -> Result<Vec<Value>, TargetError> {
        let mut ids = Vec::new();
        let mut marker = None;
        loop {
            let page = self.send(
                self.kms(region)
                    .list_keys()
                    .limit(1000)
                    .set_marker(marker.take())
                    .send(),
            )?;
            ids.extend(
                page.keys()
                    .iter()
                    .filter_map(|k| k.key_id().map(String::from)),
            );
            if page.truncated && page.next_marker.is_some() {
                marker = page.next_marker;
            } else {
                break;
            }
        }
        let mut out = Vec::new();
        for id in ids {
            let Some(meta) = self.key_metadata(region, &id)? else {
                continue;
            };
            if meta.key_manager().map(|m| m.as_str()) != Some("CUSTOMER") {
                continue;
            }
            let state = meta
                .key_state()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default();
            let Ok(have) = self.key_tags(region, &id) else {
                continue;
            };
            if tags.iter().all(|(k, v)| have.get(k) == Some(v)) {
                out.push(json!({"id": id, "arn": meta.arn(), "tags": have, "state": state}));
            }
        }
        Ok(out)
    }

    pub(super) fn created_key(
        &self,
        region: &str,
        alias: &str,
        tags: &Tags,
    ) -> Result<Value, TargetError> {
        for (name, target) in self.aliases(region)? {
            if name == alias
                && let Some(t) = target
                && let Some(v) = self.usable_key(region, &t)?
            {
                return Ok(v);
            }
        }
        Ok(self
            .keys_tagged(region, tags)?
            .into_iter()
            .find(|k| {
                !k["state"]
                    .as_str()
                    .unwrap_or_default()
                    .starts_with("Pending")
            })
            .map(|mut k| {
                if let Some(o) = k.as_object_mut() {
                    o.remove("state");
                }
                k
            })
            .unwrap_or(Value::Null))
    }

    pub(super) fn key_rotation(&self, region: &str, key_id: &str) -> Result<Value, TargetError> {
        let out = found(
            self.send(
                self.kms(region)
                    .get_key_rotation_status()
                    .key_id(key_id)
                    .send(),
            ),
        )?;
        Ok(out.map_or(Value::Null, |o| json!(o.key_rotation_enabled)))
    }

    pub(super) fn key_policy(&self, region: &str, key_id: &str) -> Result<Value, TargetError> {
        let out = found(
            self.send(
                self.kms(region)
                    .get_key_policy()
                    .key_id(key_id)
                    .policy_name("default")
                    .send(),
            ),
        )?;
        Ok(out.map_or(Value::Null, |o| decode(o.policy())))
    }

    pub(super) fn key_state(&self, region: &str, key_id: &str) -> Result<Value, TargetError> {
        Ok(self
            .key_metadata(region, key_id)?
            .map(|m| {
                let mut v = json!({"KeyState": m.key_state().map(|s| s.as_str())});
                if let Some(d) = m.deletion_date() {
                    v["DeletionDate"] = json!(
                        d.fmt(aws_smithy_types::date_time::Format::DateTime)
                            .unwrap_or_default()
                    );
                }
                v
            })
            .unwrap_or(Value::Null))
    }

    pub(super) fn alias(&self, region: &str, alias_name: &str) -> Result<Value, TargetError> {
        Ok(self
            .aliases(region)?
            .into_iter()
            .find(|(n, _)| n == alias_name)
            .map(|(_, t)| json!({ "id": t }))
            .unwrap_or(Value::Null))
    }
}

// --- operations ----------------------------------------------------------------------------

pub(in crate::remediate) fn enable_key_rotation(
    t: &AwsTarget,
    region: &str,
    key_id: &str,
) -> Result<Value, TargetError> {
    t.done(t.kms(region).enable_key_rotation().key_id(key_id).send())
}

pub(in crate::remediate) fn disable_key_rotation(
    t: &AwsTarget,
    region: &str,
    key_id: &str,
) -> Result<Value, TargetError> {
    t.done(t.kms(region).disable_key_rotation().key_id(key_id).send())
}

pub(in crate::remediate) fn put_key_policy(
    t: &AwsTarget,
    region: &str,
    key_id: &str,
    document: &Value,
) -> Result<Value, TargetError> {
    t.done(
        t.kms(region)
            .put_key_policy()
            .key_id(key_id)
            .policy_name("default")
            .policy(doc_text(document))
            .send(),
    )
}

pub(in crate::remediate) fn cancel_key_deletion(
    t: &AwsTarget,
    region: &str,
    key_id: &str,
) -> Result<Value, TargetError> {
    t.done(t.kms(region).cancel_key_deletion().key_id(key_id).send())
}

pub(in crate::remediate) fn schedule_key_deletion(
    t: &AwsTarget,
    region: &str,
    key_id: &str,
    pending_window_in_days: i32,
) -> Result<Value, TargetError> {
    t.done(
        t.kms(region)
            .schedule_key_deletion()
            .key_id(key_id)
            .pending_window_in_days(pending_window_in_days)
            .send(),
    )
}

pub(in crate::remediate) fn enable_key(
    t: &AwsTarget,
    region: &str,
    key_id: &str,
) -> Result<Value, TargetError> {
    t.done(t.kms(region).enable_key().key_id(key_id).send())
}

pub(in crate::remediate) fn disable_key(
    t: &AwsTarget,
    region: &str,
    key_id: &str,
) -> Result<Value, TargetError> {
    t.done(t.kms(region).disable_key().key_id(key_id).send())
}

pub(in crate::remediate) fn create_key(
    t: &AwsTarget,
    region: &str,
    description: &str,
    document: &Value,
    tags: &Tags,
) -> Result<Value, TargetError> {
    let mut req = t
        .kms(region)
        .create_key()
        .description(description)
        .policy(doc_text(document));
    for (k, v) in tags {
        if let Ok(tag) = aws_sdk_kms::types::Tag::builder()
            .tag_key(k)
            .tag_value(v)
            .build()
        {
            req = req.tags(tag);
        }
    }
    let out = t.send(req.send())?;
    let meta = out.key_metadata();
    Ok(json!({"id": meta.map(|m| m.key_id()), "arn": meta.and_then(|m| m.arn())}))
}

pub(in crate::remediate) fn create_alias(
    t: &AwsTarget,
    region: &str,
    alias_name: &str,
    target_key_id: &str,
) -> Result<Value, TargetError> {
    t.done(
        t.kms(region)
            .create_alias()
            .alias_name(alias_name)
            .target_key_id(target_key_id)
            .send(),
    )
}

pub(in crate::remediate) fn delete_alias(
    t: &AwsTarget,
    region: &str,
    alias_name: &str,
) -> Result<Value, TargetError> {
    t.done(t.kms(region).delete_alias().alias_name(alias_name).send())
}
