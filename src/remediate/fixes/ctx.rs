//! The planning context the fixes share: the snapshot, the account, the options, the actions
//! planned so far (an action that changes an aspect already planned is merged into it), and
//! the key and bucket choices several fixes depend on.

use super::super::model::{Aspect, COMPONENT_TAG, MANAGED_TAG, Op, Tags};
use super::super::plan::{Action, PlanOptions};
use super::{Scope, applicability};
use crate::findings::Finding;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// The alias of the key `kms-create-key` creates.
pub(super) const ML_KEY_ALIAS: &str = "alias/mlguard-ml-data";

/// Where a key for SSE-KMS comes from.
#[derive(Debug, Clone)]
pub(super) enum KeyChoice {
    Arn(String),
    /// The key this plan creates in the region.
    Planned,
}

/// What the planners read (the snapshot, the scope, the options) and what they build.
pub struct Ctx<'a> {
    pub(super) snap: &'a Value,
    pub(super) account: String,
    pub(super) partition: String,
    pub(super) scope: &'a Scope,
    pub(super) options: &'a PlanOptions,
    pub(super) actions: Vec<Action>,
    /// Regions where the plan creates the ML key (`kms-create-key`).
    pub(super) planned_keys: BTreeSet<String>,
    /// The flow-log bucket of each region, or why there cannot be one (`ec2-create-flow-logs`).
    pub(super) flow_buckets: BTreeMap<String, Result<String, String>>,
}

pub(super) fn s<'v>(v: &'v Value, k: &str) -> &'v str {
    v.get(k).and_then(Value::as_str).unwrap_or_default()
}

pub(super) fn list<'v>(v: &'v Value, k: &str) -> Vec<&'v Value> {
    v.get(k)
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

pub(super) fn tags(pairs: &[(&str, &str)]) -> Tags {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Tags of everything a remediation creates.
pub(super) fn created_tags(component: &str) -> Tags {
    tags(&[(MANAGED_TAG, "true"), (COMPONENT_TAG, component)])
}

const CREATED: &str = "<created>";

pub(super) fn created() -> Value {
    json!({ "id": CREATED })
}

impl<'a> Ctx<'a> {
    pub(super) fn new(
        snap: &'a Value,
        account: String,
        partition: String,
        scope: &'a Scope,
        options: &'a PlanOptions,
    ) -> Ctx<'a> {
        Ctx {
            snap,
            account,
            partition,
            scope,
            options,
            actions: Vec::new(),
            planned_keys: BTreeSet::new(),
            flow_buckets: BTreeMap::new(),
        }
    }

    /// The actions planned, in order.
    pub(super) fn into_actions(self) -> Vec<Action> {
        self.actions
    }

    pub(super) fn region_ec2(&self, region: &str, kind: &str) -> Vec<&'a Value> {
        self.snap
            .pointer(&format!("/regions/{region}/ec2/{kind}"))
            .and_then(Value::as_array)
            .map(|a| a.iter().collect())
            .unwrap_or_default()
    }

    pub(super) fn ec2_arn(&self, region: &str, kind: &str, id: &str) -> String {
        format!(
            "arn:{}:ec2:{region}:{}:{kind}/{id}",
            self.partition, self.account
        )
    }

    pub(super) fn first_region(&self) -> String {
        self.snap
            .pointer("/metadata/regions/0")
            .and_then(Value::as_str)
            .unwrap_or("us-east-1")
            .to_string()
    }

    /// Adds an action; one that changes an aspect already planned is merged into it.
    pub(super) fn push(&mut self, action: Action) {
        let existing = self
            .actions
            .iter_mut()
            .find(|a| match (&a.aspect, &action.aspect) {
                (Some(x), Some(y)) => x == y,
                (None, None) => a.fix == action.fix && a.target == action.target,
                _ => false,
            });
        match existing {
            Some(a) => {
                for rule in action.rules() {
                    if !a.rules().contains(&rule) {
                        a.also.push(rule.to_string());
                    }
                }
            }
            None => self.actions.push(action),
        }
    }

    /// Records that `rule` is also answered by every action of `fix` on `target`.
    pub(super) fn merge_rule(&mut self, fix: &str, target: &str, rule: &str) -> bool {
        let mut found = false;
        for a in self
            .actions
            .iter_mut()
            .filter(|a| a.fix == fix && a.target == target)
        {
            found = true;
            if !a.rules().contains(&rule) {
                a.also.push(rule.to_string());
            }
        }
        found
    }

    pub(super) fn manual(&mut self, f: &Finding, fix: &str, why: impl Into<String>) {
        let summary = format!("{} (fix by hand)", f.title);
        self.push(Action::manual(
            &f.rule_id,
            fix,
            &f.resource.arn,
            &f.resource.region,
            summary,
            why,
        ));
    }

    // --- scope -------------------------------------------------------------------------

    pub(super) fn is_ml_role(&self, role: &Value) -> bool {
        if self.scope.referenced_roles.contains(s(role, "Arn")) {
            return true;
        }
        if super::super::documents::trusts_sagemaker(
            role.get("AssumeRolePolicyDocument").unwrap_or(&Value::Null),
        ) {
            return true;
        }
        let (key, value) = self
            .scope
            .scope_tag
            .split_once('=')
            .unwrap_or((self.scope.scope_tag.as_str(), ""));
        if list(role, "Tags")
            .iter()
            .any(|t| s(t, "Key") == key && s(t, "Value") == value)
        {
            return true;
        }
        let name = s(role, "RoleName").to_ascii_lowercase();
        self.scope.name_globs.iter().any(|g| {
            globset::GlobBuilder::new(&g.to_ascii_lowercase())
                .literal_separator(false)
                .build()
                .map(|g| g.compile_matcher().is_match(&name))
                .unwrap_or(false)
        })
    }

    // --- keys --------------------------------------------------------------------------

    /// The customer-managed key to encrypt a bucket with in `region`.
    pub(super) fn choose_key(&self, region: &str) -> Option<KeyChoice> {
        if let Some(k) = &self.options.kms_key {
            return Some(KeyChoice::Arn(k.clone()));
        }
        let keys: Vec<&Value> = self
            .snap
            .pointer(&format!("/regions/{region}/kms/keys"))
            .and_then(Value::as_array)
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        let usable: Vec<&Value> = keys
            .into_iter()
            .filter(|k| {
                s(k, "KeyManager") == "CUSTOMER"
                    && s(k, "KeyState") == "Enabled"
                    && matches!(
                        k.get("KeySpec").and_then(Value::as_str),
                        None | Some("SYMMETRIC_DEFAULT")
                    )
                    && !list(k, "Aliases")
                        .iter()
                        .any(|a| s(a, "AliasName").starts_with("alias/aws/"))
            })
            .collect();
        let managed: Vec<&&Value> = usable
            .iter()
            .filter(|k| {
                list(k, "Tags")
                    .iter()
                    .any(|t| s(t, "TagKey") == MANAGED_TAG && s(t, "TagValue") == "true")
            })
            .collect();
        let referenced: Vec<&&Value> = usable
            .iter()
            .filter(|k| {
                let mut refs = vec![s(k, "KeyId").to_string(), s(k, "Arn").to_string()];
                refs.extend(
                    list(k, "Aliases")
                        .iter()
                        .map(|a| s(a, "AliasName").to_string()),
                );
                refs.iter().any(|r| self.scope.referenced_keys.contains(r))
            })
            .collect();
        let pick = if managed.len() == 1 {
            Some(*managed[0])
        } else if referenced.len() == 1 {
            Some(*referenced[0])
        } else if usable.len() == 1 {
            Some(usable[0])
        } else {
            None
        };
        match pick {
            Some(k) => Some(KeyChoice::Arn(s(k, "Arn").to_string())),
            None if self.planned_keys.contains(region) => Some(KeyChoice::Planned),
            None => None,
        }
    }

    pub(super) fn key_ref(region: &str) -> String {
        format!("ml_key_{region}")
    }

    pub(super) fn key_aspect(region: &str) -> Aspect {
        Aspect::Key {
            region: region.to_string(),
            alias: ML_KEY_ALIAS.to_string(),
            tags: created_tags("ml-data-key"),
        }
    }

    /// An SSE-KMS configuration with `key`, and the refs it needs.
    pub(super) fn sse(&self, region: &str, key: &KeyChoice) -> (Value, Option<(String, Aspect)>) {
        let (arn, r) = match key {
            KeyChoice::Arn(a) => (a.clone(), None),
            KeyChoice::Planned => (
                format!("${{{}.arn}}", Ctx::key_ref(region)),
                Some((Ctx::key_ref(region), Ctx::key_aspect(region))),
            ),
        };
        (
            json!({"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": arn}, "BucketKeyEnabled": true}]}),
            r,
        )
    }

    pub(super) fn bucket_region(b: &Value) -> String {
        b.get("Region")
            .and_then(Value::as_str)
            .unwrap_or("us-east-1")
            .to_string()
    }

    pub(super) fn vpc(&self, region: &str, vpc_id: &str) -> Option<&'a Value> {
        self.region_ec2(region, "vpcs")
            .into_iter()
            .find(|v| s(v, "VpcId") == vpc_id)
    }
}

/// A public access block with all four settings on.
pub(super) fn all_blocked() -> Value {
    json!({"BlockPublicAcls": true, "IgnorePublicAcls": true, "BlockPublicPolicy": true, "RestrictPublicBuckets": true})
}

/// An action of fix `fix`, with the applicability the fix declares (the one source the plan,
/// the rule docs and `docs/remediation.md` take it from).
#[allow(clippy::too_many_arguments)]
pub(super) fn change(
    rule_id: &str,
    fix: &str,
    target: &str,
    summary: impl Into<String>,
    op: Op,
    aspect: Aspect,
    before: Value,
    after: Value,
) -> Action {
    Action::change(
        rule_id,
        fix,
        applicability(fix),
        target,
        summary,
        op,
        aspect,
        before,
        after,
    )
}
