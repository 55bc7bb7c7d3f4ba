//! IAM: the role, inline and managed policy and permissions boundary reads, and the
//! executors of the IAM operations.

use super::{AwsTarget, decode, doc_text, found};
use crate::remediate::model::Tags;
use crate::remediate::target::TargetError;
use serde_json::{Map, Value, json};

impl AwsTarget {
    pub(super) fn get_role(
        &self,
        name: &str,
    ) -> Result<Option<aws_sdk_iam::types::Role>, TargetError> {
        Ok(found(self.send(self.iam().get_role().role_name(name).send()))?.and_then(|o| o.role))
    }

    pub(super) fn role_value(&self, name: &str) -> Result<Value, TargetError> {
        Ok(match self.get_role(name)? {
            Some(r) => json!({
                "id": r.arn(),
                "tags": Value::Object(r.tags().iter().map(|t| (t.key().to_string(), json!(t.value()))).collect()),
            }),
            None => Value::Null,
        })
    }

    pub(super) fn trust_policy(&self, role: &str) -> Result<Value, TargetError> {
        Ok(self
            .get_role(role)?
            .map(|r| decode(r.assume_role_policy_document()))
            .unwrap_or(Value::Null))
    }

    pub(super) fn boundary(&self, role: &str) -> Result<Value, TargetError> {
        Ok(self
            .get_role(role)?
            .and_then(|r| {
                r.permissions_boundary()
                    .and_then(|b| b.permissions_boundary_arn())
                    .map(|a| json!(a))
            })
            .unwrap_or(Value::Null))
    }

    pub(super) fn inline_policy(&self, role: &str, name: &str) -> Result<Value, TargetError> {
        let out = found(
            self.send(
                self.iam()
                    .get_role_policy()
                    .role_name(role)
                    .policy_name(name)
                    .send(),
            ),
        )?;
        Ok(out.map_or(Value::Null, |o| decode(Some(o.policy_document()))))
    }

    pub(super) fn policy_attached(&self, role: &str, arn: &str) -> Result<Value, TargetError> {
        Ok(json!(
            self.attached_policies(role)?.iter().any(|a| a == arn)
        ))
    }

    pub(super) fn attached_policies(&self, role: &str) -> Result<Vec<String>, TargetError> {
        let mut out = Vec::new();
        let mut marker = None;
        loop {
            let request = self
                .iam()
                .list_attached_role_policies()
                .role_name(role)
                .set_marker(marker.take())
                .send();
            let Some(page) = found(self.send(request))? else {
                return Ok(out);
            };
            out.extend(
                page.attached_policies()
                    .iter()
                    .filter_map(|p| p.policy_arn().map(String::from)),
            );
            if page.is_truncated && page.marker.is_some() {
                marker = page.marker;
            } else {
                return Ok(out);
            }
        }
    }

    pub(super) fn inline_policy_names(&self, role: &str) -> Result<Vec<String>, TargetError> {
        let mut out = Vec::new();
        let mut marker = None;
        loop {
            let page = self.send(
                self.iam()
                    .list_role_policies()
                    .role_name(role)
                    .set_marker(marker.take())
                    .send(),
            )?;
            out.extend(page.policy_names().iter().cloned());
            if page.is_truncated && page.marker.is_some() {
                marker = page.marker;
            } else {
                return Ok(out);
            }
        }
    }

    pub(super) fn managed_policy(&self, arn: &str) -> Result<Value, TargetError> {
        let policy = found(self.send(self.iam().get_policy().policy_arn(arn).send()))?
            .and_then(|o| o.policy);
        let Some(policy) = policy else {
            return Ok(Value::Null);
        };
        let version = policy.default_version_id().unwrap_or("v1").to_string();
        let document = self
            .send(
                self.iam()
                    .get_policy_version()
                    .policy_arn(arn)
                    .version_id(&version)
                    .send(),
            )?
            .policy_version
            .and_then(|v| v.document.map(|d| decode(Some(&d))))
            .unwrap_or(Value::Null);
        let mut tags: Map<String, Value> = policy
            .tags()
            .iter()
            .map(|t| (t.key().to_string(), json!(t.value())))
            .collect();
        if tags.is_empty() {
            // GetPolicy leaves tags out on some implementations.
            if let Ok(out) = self.send(self.iam().list_policy_tags().policy_arn(arn).send()) {
                tags = out
                    .tags()
                    .iter()
                    .map(|t| (t.key().to_string(), json!(t.value())))
                    .collect();
            }
        }
        Ok(json!({"id": arn, "document": document, "tags": tags}))
    }
}

// --- operations ----------------------------------------------------------------------------

pub(in crate::remediate) fn update_assume_role_policy(
    t: &AwsTarget,
    role_name: &str,
    document: &Value,
) -> Result<Value, TargetError> {
    t.done(
        t.iam()
            .update_assume_role_policy()
            .role_name(role_name)
            .policy_document(doc_text(document))
            .send(),
    )
}

pub(in crate::remediate) fn put_role_policy(
    t: &AwsTarget,
    role_name: &str,
    policy_name: &str,
    document: &Value,
) -> Result<Value, TargetError> {
    t.done(
        t.iam()
            .put_role_policy()
            .role_name(role_name)
            .policy_name(policy_name)
            .policy_document(doc_text(document))
            .send(),
    )
}

pub(in crate::remediate) fn delete_role_policy(
    t: &AwsTarget,
    role_name: &str,
    policy_name: &str,
) -> Result<Value, TargetError> {
    t.done(
        t.iam()
            .delete_role_policy()
            .role_name(role_name)
            .policy_name(policy_name)
            .send(),
    )
}

pub(in crate::remediate) fn attach_role_policy(
    t: &AwsTarget,
    role_name: &str,
    policy_arn: &str,
) -> Result<Value, TargetError> {
    t.done(
        t.iam()
            .attach_role_policy()
            .role_name(role_name)
            .policy_arn(policy_arn)
            .send(),
    )
}

pub(in crate::remediate) fn detach_role_policy(
    t: &AwsTarget,
    role_name: &str,
    policy_arn: &str,
) -> Result<Value, TargetError> {
    t.done(
        t.iam()
            .detach_role_policy()
            .role_name(role_name)
            .policy_arn(policy_arn)
            .send(),
    )
}

pub(in crate::remediate) fn put_role_permissions_boundary(
    t: &AwsTarget,
    role_name: &str,
    policy_arn: &str,
) -> Result<Value, TargetError> {
    t.done(
        t.iam()
            .put_role_permissions_boundary()
            .role_name(role_name)
            .permissions_boundary(policy_arn)
            .send(),
    )
}

pub(in crate::remediate) fn delete_role_permissions_boundary(
    t: &AwsTarget,
    role_name: &str,
) -> Result<Value, TargetError> {
    t.done(
        t.iam()
            .delete_role_permissions_boundary()
            .role_name(role_name)
            .send(),
    )
}

pub(in crate::remediate) fn create_policy(
    t: &AwsTarget,
    policy_name: &str,
    path: &str,
    description: &str,
    document: &Value,
    tags: &Tags,
) -> Result<Value, TargetError> {
    let mut req = t
        .iam()
        .create_policy()
        .policy_name(policy_name)
        .path(path)
        .description(description)
        .policy_document(doc_text(document));
    for (k, v) in tags {
        if let Ok(tag) = aws_sdk_iam::types::Tag::builder().key(k).value(v).build() {
            req = req.tags(tag);
        }
    }
    let out = t.send(req.send())?;
    Ok(json!({"id": out.policy().and_then(|p| p.arn())}))
}

pub(in crate::remediate) fn delete_policy(
    t: &AwsTarget,
    policy_arn: &str,
) -> Result<Value, TargetError> {
    t.done(t.iam().delete_policy().policy_arn(policy_arn).send())
}

pub(in crate::remediate) fn create_role(
    t: &AwsTarget,
    role_name: &str,
    description: &str,
    document: &Value,
    permissions_boundary: Option<&str>,
    tags: &Tags,
) -> Result<Value, TargetError> {
    let mut req = t
        .iam()
        .create_role()
        .role_name(role_name)
        .description(description)
        .assume_role_policy_document(doc_text(document))
        .set_permissions_boundary(permissions_boundary.map(String::from));
    for (k, v) in tags {
        if let Ok(tag) = aws_sdk_iam::types::Tag::builder().key(k).value(v).build() {
            req = req.tags(tag);
        }
    }
    let out = t.send(req.send())?;
    Ok(json!({"id": out.role().map(|r| r.arn())}))
}

pub(in crate::remediate) fn delete_role(
    t: &AwsTarget,
    role_name: &str,
) -> Result<Value, TargetError> {
    t.done(t.iam().delete_role().role_name(role_name).send())
}
