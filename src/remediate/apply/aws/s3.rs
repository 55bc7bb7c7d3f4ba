//! S3: the bucket, tag, public access block, encryption and policy reads, and the executors
//! of the S3 operations.

use super::{AwsTarget, decode, doc_text, err, not_found};
use crate::remediate::model::{Aspect, Tags};
use crate::remediate::target::TargetError;
use serde_json::{Value, json};

impl AwsTarget {
    pub(super) fn bucket_tags(&self, bucket: &str, region: &str) -> Result<Value, TargetError> {
        match self.send(self.s3(region).get_bucket_tagging().bucket(bucket).send()) {
            Ok(out) => Ok(Value::Object(
                out.tag_set()
                    .iter()
                    .map(|t| (t.key().to_string(), json!(t.value())))
                    .collect(),
            )),
            Err(e) => {
                if e.code == "NoSuchTagSet" || not_found(&e) {
                    Ok(Value::Null)
                } else {
                    Err(e)
                }
            }
        }
    }

    pub(super) fn bucket(&self, bucket: &str, region: &str) -> Result<Value, TargetError> {
        match self.run(self.s3(region).head_bucket().bucket(bucket).send()) {
            Ok(_) => {
                let tags = self.bucket_tags(bucket, region)?;
                Ok(json!({"id": bucket, "tags": if tags.is_null() { json!({}) } else { tags }}))
            }
            Err(e) => {
                // A HEAD answer has no body, so no error code: name a 403 for what it is.
                let forbidden = e.raw_response().map(|r| r.status().as_u16()) == Some(403);
                let e = err(e);
                if forbidden && (e.code.is_empty() || e.code == "Unknown") {
                    return Err(TargetError::new(
                        "AccessDenied",
                        format!(
                            "HeadBucket {bucket} answered 403 Forbidden: s3:ListBucket is not granted, or the bucket belongs to another account"
                        ),
                    ));
                }
                if not_found(&e) || e.code == "NotFound" {
                    Ok(Value::Null)
                } else {
                    Err(e)
                }
            }
        }
    }

    pub(super) fn bucket_setting(&self, aspect: &Aspect) -> Result<Value, TargetError> {
        let absent = |e: TargetError, codes: &[&str]| {
            if codes.contains(&e.code.as_str()) || not_found(&e) {
                Ok(Value::Null)
            } else {
                Err(e)
            }
        };
        match aspect {
            Aspect::BucketPublicAccessBlock { bucket, region } => {
                match self.send(self.s3(region).get_public_access_block().bucket(bucket).send()) {
                    Ok(out) => Ok(out
                        .public_access_block_configuration()
                        .map(|c| {
                            json!({
                                "BlockPublicAcls": c.block_public_acls().unwrap_or(false),
                                "IgnorePublicAcls": c.ignore_public_acls().unwrap_or(false),
                                "BlockPublicPolicy": c.block_public_policy().unwrap_or(false),
                                "RestrictPublicBuckets": c.restrict_public_buckets().unwrap_or(false),
                            })
                        })
                        .unwrap_or(Value::Null)),
                    Err(e) => absent(e, &["NoSuchPublicAccessBlockConfiguration"]),
                }
            }
            Aspect::BucketEncryption { bucket, region } => {
                match self.send(self.s3(region).get_bucket_encryption().bucket(bucket).send()) {
                    Ok(out) => Ok(out
                        .server_side_encryption_configuration()
                        .map(|c| {
                            json!({"Rules": c.rules().iter().map(|r| {
                                let mut rule = json!({});
                                if let Some(d) = r.apply_server_side_encryption_by_default() {
                                    let mut dflt = json!({"SSEAlgorithm": d.sse_algorithm().as_str()});
                                    if let Some(k) = d.kms_master_key_id() {
                                        dflt["KMSMasterKeyID"] = json!(k);
                                    }
                                    rule["ApplyServerSideEncryptionByDefault"] = dflt;
                                }
                                if let Some(b) = r.bucket_key_enabled() {
                                    rule["BucketKeyEnabled"] = json!(b);
                                }
                                rule
                            }).collect::<Vec<_>>()})
                        })
                        .unwrap_or(Value::Null)),
                    Err(e) => absent(e, &["ServerSideEncryptionConfigurationNotFoundError"]),
                }
            }
            Aspect::BucketPolicy { bucket, region } => {
                match self.send(self.s3(region).get_bucket_policy().bucket(bucket).send()) {
                    Ok(out) => Ok(decode(out.policy())),
                    Err(e) => absent(e, &["NoSuchBucketPolicy"]),
                }
            }
            _ => Ok(Value::Null),
        }
    }
}

// --- operations ----------------------------------------------------------------------------

pub(in crate::remediate) fn create_bucket(
    t: &AwsTarget,
    bucket: &str,
    region: &str,
) -> Result<Value, TargetError> {
    let mut req = t.s3(region).create_bucket().bucket(bucket);
    if region != "us-east-1" {
        req = req.create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(region))
                .build(),
        );
    }
    t.send(req.send())?;
    Ok(json!({ "id": bucket }))
}

pub(in crate::remediate) fn delete_bucket(
    t: &AwsTarget,
    bucket: &str,
    region: &str,
) -> Result<Value, TargetError> {
    t.done(t.s3(region).delete_bucket().bucket(bucket).send())
}

pub(in crate::remediate) fn put_bucket_tagging(
    t: &AwsTarget,
    bucket: &str,
    region: &str,
    tags: &Tags,
) -> Result<Value, TargetError> {
    let set: Vec<aws_sdk_s3::types::Tag> = tags
        .iter()
        .filter_map(|(k, v)| {
            aws_sdk_s3::types::Tag::builder()
                .key(k)
                .value(v)
                .build()
                .ok()
        })
        .collect();
    let tagging = aws_sdk_s3::types::Tagging::builder()
        .set_tag_set(Some(set))
        .build()
        .map_err(|e| TargetError::new("InvalidTagging", e.to_string()))?;
    t.done(
        t.s3(region)
            .put_bucket_tagging()
            .bucket(bucket)
            .tagging(tagging)
            .send(),
    )
}

pub(in crate::remediate) fn delete_bucket_tagging(
    t: &AwsTarget,
    bucket: &str,
    region: &str,
) -> Result<Value, TargetError> {
    t.done(t.s3(region).delete_bucket_tagging().bucket(bucket).send())
}

pub(in crate::remediate) fn put_public_access_block(
    t: &AwsTarget,
    bucket: &str,
    region: &str,
    block_public_acls: bool,
    ignore_public_acls: bool,
    block_public_policy: bool,
    restrict_public_buckets: bool,
) -> Result<Value, TargetError> {
    t.done(
        t.s3(region)
            .put_public_access_block()
            .bucket(bucket)
            .public_access_block_configuration(
                aws_sdk_s3::types::PublicAccessBlockConfiguration::builder()
                    .block_public_acls(block_public_acls)
                    .ignore_public_acls(ignore_public_acls)
                    .block_public_policy(block_public_policy)
                    .restrict_public_buckets(restrict_public_buckets)
                    .build(),
            )
            .send(),
    )
}

pub(in crate::remediate) fn delete_public_access_block(
    t: &AwsTarget,
    bucket: &str,
    region: &str,
) -> Result<Value, TargetError> {
    t.done(
        t.s3(region)
            .delete_public_access_block()
            .bucket(bucket)
            .send(),
    )
}

pub(in crate::remediate) fn put_bucket_encryption(
    t: &AwsTarget,
    bucket: &str,
    region: &str,
    configuration: &Value,
) -> Result<Value, TargetError> {
    use aws_sdk_s3::types::{
        ServerSideEncryption, ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration,
        ServerSideEncryptionRule,
    };
    let mut rules = Vec::new();
    for r in configuration
        .get("Rules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let mut rule = ServerSideEncryptionRule::builder();
        if let Some(d) = r.get("ApplyServerSideEncryptionByDefault") {
            let alg = d
                .get("SSEAlgorithm")
                .and_then(Value::as_str)
                .unwrap_or("AES256");
            let dflt = ServerSideEncryptionByDefault::builder()
                .sse_algorithm(ServerSideEncryption::from(alg))
                .set_kms_master_key_id(
                    d.get("KMSMasterKeyID")
                        .and_then(Value::as_str)
                        .map(String::from),
                )
                .build()
                .map_err(|e| TargetError::new("InvalidEncryption", e.to_string()))?;
            rule = rule.apply_server_side_encryption_by_default(dflt);
        }
        if let Some(b) = r.get("BucketKeyEnabled").and_then(Value::as_bool) {
            rule = rule.bucket_key_enabled(b);
        }
        rules.push(rule.build());
    }
    let config = ServerSideEncryptionConfiguration::builder()
        .set_rules(Some(rules))
        .build()
        .map_err(|e| TargetError::new("InvalidEncryption", e.to_string()))?;
    t.done(
        t.s3(region)
            .put_bucket_encryption()
            .bucket(bucket)
            .server_side_encryption_configuration(config)
            .send(),
    )
}

pub(in crate::remediate) fn delete_bucket_encryption(
    t: &AwsTarget,
    bucket: &str,
    region: &str,
) -> Result<Value, TargetError> {
    t.done(
        t.s3(region)
            .delete_bucket_encryption()
            .bucket(bucket)
            .send(),
    )
}

pub(in crate::remediate) fn put_bucket_policy(
    t: &AwsTarget,
    bucket: &str,
    region: &str,
    document: &Value,
) -> Result<Value, TargetError> {
    t.done(
        t.s3(region)
            .put_bucket_policy()
            .bucket(bucket)
            .policy(doc_text(document))
            .send(),
    )
}

pub(in crate::remediate) fn delete_bucket_policy(
    t: &AwsTarget,
    bucket: &str,
    region: &str,
) -> Result<Value, TargetError> {
    t.done(t.s3(region).delete_bucket_policy().bucket(bucket).send())
}
