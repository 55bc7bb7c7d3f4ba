//! From findings to a remediation plan (pure): each failing finding whose rule names a fix
//! becomes the actions that fix needs on that resource, read from the snapshot. Actions that
//! change the same aspect are merged (one revoke answers NI-001, NI-002 and NI-003 alike);
//! resources the fixes need (the flow-log bucket, the boundary policy, the endpoint security
//! group) are planned once, before their first use.

use super::catalog::{self, Applicability};
use super::documents as docs;
use super::model::{
    AclEntry, Aspect, COMPONENT_TAG, Direction, MANAGED_TAG, Op, SgRule, Tags, normalize_document,
};
use super::plan::{Action, PLAN_VERSION, Plan, PlanKind, PlanOptions, PlanSource, ScoresBefore};
use crate::cidr;
use crate::findings::{Finding, Status};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// The ML workload scope, as the policies compute it (`data.mlguard.lib.scope`), and the
/// network parameters the fixes judge by.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Role ARNs SageMaker resources use.
    pub referenced_roles: BTreeSet<String>,
    /// Security group ids in the ML workload scope.
    pub security_group_ids: BTreeSet<String>,
    /// KMS key references SageMaker resources make (ids, ARNs, aliases).
    pub referenced_keys: BTreeSet<String>,
    pub name_globs: Vec<String>,
    /// `key=value`.
    pub scope_tag: String,
    pub admin_ports: Vec<u16>,
    /// Trusted source ranges (`--trusted-cidr`, the configuration, and `--allowed-cidr`).
    pub trusted_cidrs: Vec<String>,
}

/// Each rule's fix id (its `remediation.action`) and remediation text.
pub type RuleFixes = BTreeMap<String, (Option<String>, String)>;

pub struct RemediationInput<'a> {
    /// The normalized snapshot.
    pub snapshot: &'a Value,
    pub findings: &'a [Finding],
    pub fixes: &'a RuleFixes,
    pub scope: &'a Scope,
    pub options: PlanOptions,
    pub source: PlanSource,
    pub created_at: String,
    pub scores_before: Option<ScoresBefore>,
}

/// The bucket mlguard creates for flow logs in a region.
pub fn flow_log_bucket(account: &str, region: &str) -> String {
    format!("mlguard-flow-logs-{account}-{region}")
}

/// The alias of the key `kms-create-key` creates.
pub const ML_KEY_ALIAS: &str = "alias/mlguard-ml-data";
/// The permissions boundary `iam-add-permissions-boundary` creates.
pub const BOUNDARY_NAME: &str = "mlguard-ml-boundary";
/// The security group `ec2-create-sagemaker-endpoints` creates for interface endpoints.
pub const ENDPOINT_GROUP: &str = "mlguard-vpc-endpoints";

/// The order fixes are planned in: what others depend on first.
fn phase(fix: &str) -> u8 {
    match fix {
        "kms-create-key" => 0,
        f if f.starts_with("kms-") => 1,
        f if f.starts_with("s3-") => 2,
        f if f.starts_with("ec2-") => 3,
        f if f.starts_with("iam-") => 4,
        _ => 9,
    }
}

/// Where a key for SSE-KMS comes from.
#[derive(Debug, Clone)]
enum KeyChoice {
    Arn(String),
    /// The key this plan creates in the region.
    Planned,
}

struct Ctx<'a> {
    snap: &'a Value,
    account: String,
    partition: String,
    scope: &'a Scope,
    options: &'a PlanOptions,
    actions: Vec<Action>,
    planned_keys: BTreeSet<String>,
    flow_buckets: BTreeMap<String, Result<String, String>>,
}

fn s<'v>(v: &'v Value, k: &str) -> &'v str {
    v.get(k).and_then(Value::as_str).unwrap_or_default()
}

fn list<'v>(v: &'v Value, k: &str) -> Vec<&'v Value> {
    v.get(k)
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

fn tags(pairs: &[(&str, &str)]) -> Tags {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Tags of everything a remediation creates.
fn created_tags(component: &str) -> Tags {
    tags(&[(MANAGED_TAG, "true"), (COMPONENT_TAG, component)])
}

const CREATED: &str = "<created>";

fn created() -> Value {
    json!({ "id": CREATED })
}

impl<'a> Ctx<'a> {
    fn region_ec2(&self, region: &str, kind: &str) -> Vec<&'a Value> {
        self.snap
            .pointer(&format!("/regions/{region}/ec2/{kind}"))
            .and_then(Value::as_array)
            .map(|a| a.iter().collect())
            .unwrap_or_default()
    }

    fn ec2_arn(&self, region: &str, kind: &str, id: &str) -> String {
        format!(
            "arn:{}:ec2:{region}:{}:{kind}/{id}",
            self.partition, self.account
        )
    }

    fn first_region(&self) -> String {
        self.snap
            .pointer("/metadata/regions/0")
            .and_then(Value::as_str)
            .unwrap_or("us-east-1")
            .to_string()
    }

    /// Adds an action; one that changes an aspect already planned is merged into it.
    fn push(&mut self, action: Action) {
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
    fn merge_rule(&mut self, fix: &str, target: &str, rule: &str) -> bool {
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

    fn manual(&mut self, f: &Finding, fix: &str, why: impl Into<String>) {
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

    fn is_ml_role(&self, role: &Value) -> bool {
        if self.scope.referenced_roles.contains(s(role, "Arn")) {
            return true;
        }
        if docs::trusts_sagemaker(role.get("AssumeRolePolicyDocument").unwrap_or(&Value::Null)) {
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
    fn choose_key(&self, region: &str) -> Option<KeyChoice> {
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

    fn key_ref(region: &str) -> String {
        format!("ml_key_{region}")
    }

    fn key_aspect(region: &str) -> Aspect {
        Aspect::Key {
            region: region.to_string(),
            alias: ML_KEY_ALIAS.to_string(),
            tags: created_tags("ml-data-key"),
        }
    }

    /// An SSE-KMS configuration with `key`, and the refs it needs.
    fn sse(&self, region: &str, key: &KeyChoice) -> (Value, Option<(String, Aspect)>) {
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

    // --- KMS ---------------------------------------------------------------------------

    fn enable_rotation(&mut self, f: &Finding, key: &Value) {
        let (region, key_id) = (f.resource.region.clone(), s(key, "KeyId").to_string());
        self.push(change(
            &f.rule_id,
            "kms-enable-rotation",
            &f.resource.arn,
            format!("turn on automatic rotation of key {key_id}"),
            Op::EnableKeyRotation {
                region: region.clone(),
                key_id: key_id.clone(),
            },
            Aspect::KeyRotation { region, key_id },
            json!(false),
            json!(true),
        ));
    }

    fn cancel_deletion(&mut self, f: &Finding, key: &Value) {
        let (region, key_id) = (f.resource.region.clone(), s(key, "KeyId").to_string());
        let aspect = Aspect::KeyState {
            region: region.clone(),
            key_id: key_id.clone(),
        };
        let fix = "kms-cancel-deletion";
        match s(key, "KeyState") {
            "PendingDeletion" => {
                let mut before = json!({"KeyState": "PendingDeletion"});
                if let Some(d) = key.get("DeletionDate") {
                    before["DeletionDate"] = d.clone();
                }
                self.push(change(
                    &f.rule_id,
                    fix,
                    &f.resource.arn,
                    format!("cancel the scheduled deletion of key {key_id}"),
                    Op::CancelKeyDeletion {
                        region: region.clone(),
                        key_id: key_id.clone(),
                    },
                    aspect.clone(),
                    before,
                    json!({"KeyState": "Disabled"}),
                ));
            }
            "Disabled" => {}
            other => {
                self.manual(
                    f,
                    fix,
                    format!("the key is {other}: only a key that is disabled or pending deletion can be recovered in place"),
                );
                return;
            }
        }
        self.push(change(
            &f.rule_id,
            fix,
            &f.resource.arn,
            format!("enable key {key_id}"),
            Op::EnableKey {
                region,
                key_id: key_id.clone(),
            },
            aspect,
            json!({"KeyState": "Disabled"}),
            json!({"KeyState": "Enabled"}),
        ));
    }

    fn restrict_key_policy(&mut self, f: &Finding, key: &Value) {
        let Some(policy) = key.get("Policy").filter(|p| p.is_object()) else {
            self.manual(
                f,
                "kms-restrict-key-policy",
                "the key policy is not in the snapshot",
            );
            return;
        };
        let (region, key_id) = (f.resource.region.clone(), s(key, "KeyId").to_string());
        let after = docs::restrict_key_policy(policy, &self.partition, &self.account);
        self.push(change(
            &f.rule_id,
            "kms-restrict-key-policy",
            &f.resource.arn,
            format!(
                "remove the statements of key {key_id}'s policy that any AWS principal can use"
            ),
            Op::PutKeyPolicy {
                region: region.clone(),
                key_id: key_id.clone(),
                document: after.clone(),
            },
            Aspect::KeyPolicy { region, key_id },
            policy.clone(),
            after,
        ));
    }

    fn create_key(&mut self, f: &Finding) {
        let region = f.resource.region.clone();
        if self.planned_keys.contains(&region) {
            self.merge_rule("kms-create-key", &f.resource.arn, &f.rule_id);
            return;
        }
        self.planned_keys.insert(region.clone());
        let key = Ctx::key_aspect(&region);
        let key_ref = Ctx::key_ref(&region);
        let placeholder = format!("${{{key_ref}}}");
        let fix = "kms-create-key";
        self.push(change(
            &f.rule_id,
            fix,
            &f.resource.arn,
            format!("create a customer-managed key for ML data in {region}"),
            Op::CreateKey {
                region: region.clone(),
                description: "mlguard: customer-managed key for ML data".into(),
                document: docs::key_policy(&self.partition, &self.account),
                tags: created_tags("ml-data-key"),
            },
            key.clone(),
            Value::Null,
            created(),
        ));
        self.push(
            change(
                &f.rule_id,
                fix,
                &f.resource.arn,
                "turn on automatic rotation of the new key",
                Op::EnableKeyRotation {
                    region: region.clone(),
                    key_id: placeholder.clone(),
                },
                Aspect::KeyRotation {
                    region: region.clone(),
                    key_id: placeholder.clone(),
                },
                json!(false),
                json!(true),
            )
            .with_ref(&key_ref, key.clone())
            .unread(),
        );
        self.push(
            change(
                &f.rule_id,
                fix,
                &f.resource.arn,
                format!("name the new key {ML_KEY_ALIAS}"),
                Op::CreateAlias {
                    region: region.clone(),
                    alias_name: ML_KEY_ALIAS.into(),
                    target_key_id: placeholder,
                },
                Aspect::Alias {
                    region,
                    alias_name: ML_KEY_ALIAS.into(),
                },
                Value::Null,
                created(),
            )
            .with_ref(&key_ref, key),
        );
    }

    // --- S3 ----------------------------------------------------------------------------

    fn bucket_region(b: &Value) -> String {
        b.get("Region")
            .and_then(Value::as_str)
            .unwrap_or("us-east-1")
            .to_string()
    }

    fn block_public_access(&mut self, f: &Finding, b: &Value) {
        let (bucket, region) = (s(b, "Name").to_string(), Ctx::bucket_region(b));
        self.push(change(
            &f.rule_id,
            "s3-block-public-access",
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

    fn default_encryption(&mut self, f: &Finding, b: &Value) {
        let (bucket, region) = (s(b, "Name").to_string(), Ctx::bucket_region(b));
        let Some(key) = self.choose_key(&region) else {
            self.manual(
                f,
                "s3-default-encryption-kms",
                format!("no single customer-managed key to use in {region}: pass --kms-key ARN (or create one: DE-004's fix)"),
            );
            return;
        };
        let (config, r) = self.sse(&region, &key);
        let mut action = change(
            &f.rule_id,
            "s3-default-encryption-kms",
            &f.resource.arn,
            format!(
                "encrypt new objects of bucket {bucket} with SSE-KMS and a customer-managed key"
            ),
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
        self.push(action);
    }

    fn deny_insecure_transport(&mut self, f: &Finding, b: &Value) {
        let (bucket, region) = (s(b, "Name").to_string(), Ctx::bucket_region(b));
        let before = b.get("Policy").filter(|p| p.is_object()).cloned();
        let after = docs::with_tls_only(before.as_ref(), &self.partition, &bucket);
        self.push(change(
            &f.rule_id,
            "s3-deny-insecure-transport",
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

    // --- security groups ---------------------------------------------------------------

    #[allow(clippy::too_many_arguments)]
    fn sg_rule_action(
        &self,
        f: &Finding,
        fix: &str,
        region: &str,
        group_id: &str,
        direction: Direction,
        rule: SgRule,
        present: Option<Option<String>>,
    ) -> Action {
        let aspect = Aspect::SecurityGroupRule {
            region: region.to_string(),
            group_id: group_id.to_string(),
            direction,
            rule: rule.clone(),
        };
        let (region, group_id) = (region.to_string(), group_id.to_string());
        match present {
            // Revoke an existing rule.
            Some(description) => {
                let before = match description.clone() {
                    Some(d) => json!({"Description": d}),
                    None => json!({}),
                };
                let summary = format!("remove {} of {group_id}", rule.describe(direction));
                let op = match direction {
                    Direction::Ingress => Op::RevokeSecurityGroupIngress {
                        region,
                        group_id,
                        rule,
                        description,
                    },
                    Direction::Egress => Op::RevokeSecurityGroupEgress {
                        region,
                        group_id,
                        rule,
                        description,
                    },
                };
                change(
                    &f.rule_id,
                    fix,
                    &f.resource.arn,
                    summary,
                    op,
                    aspect,
                    before,
                    Value::Null,
                )
            }
            // Add a rule.
            None => {
                let summary = format!("add {} to {group_id}", rule.describe(direction));
                let description = Some("added by mlguard".to_string());
                let op = match direction {
                    Direction::Ingress => Op::AuthorizeSecurityGroupIngress {
                        region,
                        group_id,
                        rule,
                        description: description.clone(),
                    },
                    Direction::Egress => Op::AuthorizeSecurityGroupEgress {
                        region,
                        group_id,
                        rule,
                        description: description.clone(),
                    },
                };
                change(
                    &f.rule_id,
                    fix,
                    &f.resource.arn,
                    summary,
                    op,
                    aspect,
                    Value::Null,
                    json!({"Description": description}),
                )
            }
        }
    }

    fn revoke_open_ingress(&mut self, f: &Finding, sg: &Value) {
        let region = f.resource.region.clone();
        let group_id = s(sg, "GroupId").to_string();
        let open = open_sg_rules(&list(sg, "IpPermissions"), &self.scope.admin_ports);
        if open.is_empty() {
            self.manual(
                f,
                "ec2-revoke-open-ingress",
                "no rule open to the internet was found in the snapshot",
            );
            return;
        }
        for (rule, desc) in open {
            let a = self.sg_rule_action(
                f,
                "ec2-revoke-open-ingress",
                &region,
                &group_id,
                Direction::Ingress,
                rule,
                Some(desc),
            );
            self.push(a);
        }
    }

    fn restrict_ingress(&mut self, f: &Finding, sg: &Value) {
        let fix = "ec2-restrict-ingress-to-trusted";
        let Some(allowed) = self.options.allowed_cidr.clone() else {
            self.manual(
                f,
                fix,
                "say where HTTPS may come from with --allowed-cidr CIDR (e.g. your VPN's range): the fix admits tcp/443 from it and removes every other inbound rule",
            );
            return;
        };
        let region = f.resource.region.clone();
        let group_id = s(sg, "GroupId").to_string();
        let https = SgRule::tcp(443).with_cidr(&allowed);
        let existing: Vec<(SgRule, Option<String>)> = list(sg, "IpPermissions")
            .into_iter()
            .flat_map(split_permission)
            .collect();
        if !existing
            .iter()
            .any(|(r, _)| r.canonical() == https.canonical())
        {
            let a =
                self.sg_rule_action(f, fix, &region, &group_id, Direction::Ingress, https, None);
            self.push(a);
        }
        let trusted = self.scope.trusted_cidrs.clone();
        for (rule, desc) in existing {
            let is_https = https_only(&rule);
            let offends = if let Some(c) = rule.cidr.as_deref().or(rule.ipv6_cidr.as_deref()) {
                !is_https || !cidr::trusted(c, &trusted)
            } else if let Some(g) = rule.group_id.as_deref() {
                let workload = g == group_id || self.scope.security_group_ids.contains(g);
                !workload && (!is_https || !trusted.is_empty())
            } else {
                !is_https
            };
            if offends {
                let a = self.sg_rule_action(
                    f,
                    fix,
                    &region,
                    &group_id,
                    Direction::Ingress,
                    rule,
                    Some(desc),
                );
                self.push(a);
            }
        }
    }

    fn empty_default_group(&mut self, f: &Finding, sg: &Value) {
        let region = f.resource.region.clone();
        let group_id = s(sg, "GroupId").to_string();
        for (key, direction) in [
            ("IpPermissions", Direction::Ingress),
            ("IpPermissionsEgress", Direction::Egress),
        ] {
            for perm in list(sg, key) {
                for (rule, desc) in split_permission(perm) {
                    let a = self.sg_rule_action(
                        f,
                        "ec2-empty-default-security-group",
                        &region,
                        &group_id,
                        direction,
                        rule,
                        Some(desc),
                    );
                    self.push(a);
                }
            }
        }
    }

    fn revoke_open_egress(&mut self, f: &Finding, sg: &Value) {
        let fix = "ec2-revoke-open-egress";
        let region = f.resource.region.clone();
        let group_id = s(sg, "GroupId").to_string();
        let existing: Vec<(SgRule, Option<String>)> = list(sg, "IpPermissionsEgress")
            .into_iter()
            .flat_map(split_permission)
            .collect();
        let has = |r: &SgRule| existing.iter().any(|(e, _)| e.canonical() == r.canonical());
        let mut adds = Vec::new();
        let mut revokes = Vec::new();
        // Every port out to the whole internet (NI-015): no administration-port probes.
        for (rule, desc) in open_sg_rules(&list(sg, "IpPermissionsEgress"), &[]) {
            if let Some(range) = rule_cidr(&rule) {
                let https = SgRule::tcp(443).with_cidr(range);
                if !adds.contains(&https) {
                    adds.push(https);
                }
            }
            revokes.push((rule, desc));
        }
        if !revokes.is_empty() {
            adds.push(SgRule::all().with_group(&group_id));
        }
        for rule in adds {
            if !has(&rule) {
                let a =
                    self.sg_rule_action(f, fix, &region, &group_id, Direction::Egress, rule, None);
                self.push(a);
            }
        }
        for (rule, desc) in revokes {
            let a = self.sg_rule_action(
                f,
                fix,
                &region,
                &group_id,
                Direction::Egress,
                rule,
                Some(desc),
            );
            self.push(a);
        }
    }

    // --- VPCs --------------------------------------------------------------------------

    /// The flow-log bucket of a region: planned once (creation, tags, public access block,
    /// SSE-KMS, TLS-only policy). Err: why it cannot be.
    fn flow_bucket(&mut self, f: &Finding, region: &str) -> Result<String, String> {
        if let Some(r) = self.flow_buckets.get(region) {
            return r.clone();
        }
        let name = flow_log_bucket(&self.account, region);
        let arn = format!("arn:{}:s3:::{name}", self.partition);
        let exists = self
            .snap
            .pointer("/s3/buckets")
            .and_then(Value::as_array)
            .is_some_and(|b| b.iter().any(|b| s(b, "Name") == name));
        let result = if exists {
            Ok(arn.clone())
        } else {
            match self.choose_key(region) {
                None => Err(format!(
                    "the flow-log bucket needs SSE-KMS and there is no single customer-managed key in {region}: pass --kms-key ARN, or --flow-logs-destination with a bucket of your own"
                )),
                Some(key) => {
                    self.plan_flow_bucket(f, region, &name, &arn, &key);
                    Ok(arn.clone())
                }
            }
        };
        self.flow_buckets.insert(region.to_string(), result.clone());
        result
    }

    fn plan_flow_bucket(
        &mut self,
        f: &Finding,
        region: &str,
        name: &str,
        arn: &str,
        key: &KeyChoice,
    ) {
        let fix = "ec2-create-flow-logs";
        let b = || (name.to_string(), region.to_string());
        let change = |summary: String, op: Op, aspect: Aspect, before: Value, after: Value| {
            change(&f.rule_id, fix, arn, summary, op, aspect, before, after)
        };
        self.push(change(
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
        self.push(
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
        self.push(
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
        let (config, r) = self.sse(region, key);
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
        self.push(enc);
        let policy = docs::with_tls_only(None, &self.partition, name);
        self.push(
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

    fn flow_logs(&mut self, f: &Finding, vpc: &Value) {
        let fix = "ec2-create-flow-logs";
        let region = f.resource.region.clone();
        let vpc_id = s(vpc, "VpcId").to_string();
        let destination = match &self.options.flow_logs_destination {
            Some(d) => d.clone(),
            None => match self.flow_bucket(f, &region) {
                Ok(arn) => arn,
                Err(why) => {
                    self.manual(f, fix, why);
                    return;
                }
            },
        };
        self.push(change(
            &f.rule_id,
            fix,
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

    fn public_subnet(&mut self, f: &Finding, subnet: &Value) {
        let region = f.resource.region.clone();
        let subnet_id = s(subnet, "SubnetId").to_string();
        if subnet.get("MapPublicIpOnLaunch").and_then(Value::as_bool) == Some(true) {
            self.push(change(
                &f.rule_id,
                "ec2-disable-public-ip-on-launch",
                &f.resource.arn,
                format!("stop assigning public addresses in {subnet_id}"),
                Op::ModifySubnetAttribute {
                    region: region.clone(),
                    subnet_id: subnet_id.clone(),
                    map_public_ip_on_launch: false,
                },
                Aspect::SubnetMapPublicIp {
                    region: region.clone(),
                    subnet_id: subnet_id.clone(),
                },
                json!(true),
                json!(false),
            ));
        }
        let Some(table) = self.route_table_of(&region, subnet) else {
            return;
        };
        let table_id = s(table, "RouteTableId").to_string();
        // Routes to an internet gateway whose destinations together are the whole internet
        // (as NI-006 and `lib.net.internet_routes`), peeled as `cidr::world_openers`.
        let to_gateway: Vec<&Value> = list(table, "Routes")
            .into_iter()
            .filter(|r| {
                s(r, "GatewayId").starts_with("igw-")
                    && !s(r, "State").eq_ignore_ascii_case("blackhole")
            })
            .collect();
        let open = cidr::world_openers(
            &to_gateway
                .iter()
                .map(|r| route_destination(r))
                .collect::<Vec<_>>(),
        );
        for route in to_gateway {
            let dest = route_destination(route);
            let gateway = s(route, "GatewayId");
            if !open.iter().any(|o| o == dest) {
                continue;
            }
            self.push(change(
                &f.rule_id,
                "ec2-remove-internet-route",
                &self.ec2_arn(&region, "route-table", &table_id),
                format!(
                    "remove the route from {table_id} to internet gateway {gateway} for {dest}"
                ),
                Op::DeleteRoute {
                    region: region.clone(),
                    route_table_id: table_id.clone(),
                    destination: dest.to_string(),
                },
                Aspect::Route {
                    region: region.clone(),
                    route_table_id: table_id.clone(),
                    destination: dest.to_string(),
                },
                json!({"GatewayId": gateway}),
                Value::Null,
            ));
        }
    }

    /// The subnet's route table: its explicit association, else its VPC's main table.
    fn route_table_of(&self, region: &str, subnet: &Value) -> Option<&'a Value> {
        let tables = self.region_ec2(region, "route_tables");
        let subnet_id = s(subnet, "SubnetId");
        let associated = |a: &Value| {
            a.pointer("/AssociationState/State")
                .and_then(Value::as_str)
                .is_none_or(|st| st.eq_ignore_ascii_case("associated"))
        };
        tables
            .iter()
            .find(|t| {
                list(t, "Associations")
                    .iter()
                    .any(|a| s(a, "SubnetId") == subnet_id && associated(a))
            })
            .or_else(|| {
                tables.iter().find(|t| {
                    s(t, "VpcId") == s(subnet, "VpcId")
                        && list(t, "Associations")
                            .iter()
                            .any(|a| a.get("Main").and_then(Value::as_bool) == Some(true))
                })
            })
            .copied()
    }

    fn vpc(&self, region: &str, vpc_id: &str) -> Option<&'a Value> {
        self.region_ec2(region, "vpcs")
            .into_iter()
            .find(|v| s(v, "VpcId") == vpc_id)
    }

    fn restrict_network_acl(&mut self, f: &Finding, acl: &Value) {
        let fix = "ec2-restrict-network-acl";
        let region = f.resource.region.clone();
        let acl_id = s(acl, "NetworkAclId").to_string();
        let Some(vpc) = self.vpc(&region, s(acl, "VpcId")) else {
            self.manual(f, fix, "the ACL's VPC is not in the snapshot");
            return;
        };
        let v4 = s(vpc, "CidrBlock").to_string();
        let v6 = list(vpc, "Ipv6CidrBlockAssociationSet")
            .first()
            .map(|a| s(a, "Ipv6CidrBlock").to_string())
            .filter(|c| !c.is_empty());
        let inbound: Vec<AclEntry> = list(acl, "Entries")
            .into_iter()
            .filter_map(AclEntry::from_aws)
            .filter(|e| !e.egress)
            .collect();
        // The entry as the fix leaves it: its range narrowed to the VPC's, or None (deleted)
        // for an IPv6 entry when the VPC has no IPv6 range.
        let narrow = |e: &AclEntry| -> Option<AclEntry> {
            if e.ipv6_cidr_block.is_some() && e.cidr_block.is_none() {
                v6.as_ref().map(|range| AclEntry {
                    ipv6_cidr_block: Some(range.clone()),
                    ..e.clone()
                })
            } else {
                Some(AclEntry {
                    cidr_block: Some(v4.clone()),
                    ..e.clone()
                })
            }
        };
        let open = open_acl_entries(&inbound, &self.scope.admin_ports, narrow);
        for e in inbound.iter().filter(|e| open.contains(&e.rule_number)) {
            let aspect = Aspect::NetworkAclEntry {
                region: region.clone(),
                network_acl_id: acl_id.clone(),
                rule_number: e.rule_number,
                egress: false,
            };
            let narrowed = narrow(e);
            let action = match narrowed {
                Some(n) => change(
                    &f.rule_id,
                    fix,
                    &f.resource.arn,
                    format!(
                        "narrow inbound rule {} of {acl_id} from {} to the VPC",
                        e.rule_number,
                        internet_part(acl_source(e))
                    ),
                    Op::ReplaceNetworkAclEntry {
                        region: region.clone(),
                        network_acl_id: acl_id.clone(),
                        entry: n.clone(),
                    },
                    aspect,
                    e.to_aws(),
                    n.to_aws(),
                ),
                None => change(
                    &f.rule_id,
                    fix,
                    &f.resource.arn,
                    format!(
                        "delete inbound rule {} of {acl_id} ({}, and the VPC has no IPv6 range)",
                        e.rule_number,
                        acl_source(e)
                    ),
                    Op::DeleteNetworkAclEntry {
                        region: region.clone(),
                        network_acl_id: acl_id.clone(),
                        rule_number: e.rule_number,
                        egress: false,
                    },
                    aspect,
                    e.to_aws(),
                    Value::Null,
                ),
            };
            self.push(action);
        }
    }

    fn endpoint_service(&self, region: &str, svc: &str) -> String {
        let prefix = if self.partition == "aws-cn" {
            "cn."
        } else {
            ""
        };
        format!("{prefix}com.amazonaws.{region}.{svc}")
    }

    fn create_endpoints(&mut self, f: &Finding, vpc: &Value) {
        let fix = "ec2-create-sagemaker-endpoints";
        let region = f.resource.region.clone();
        let vpc_id = s(vpc, "VpcId").to_string();
        let vpc_cidr = s(vpc, "CidrBlock").to_string();
        let endpoints: Vec<&Value> = self
            .region_ec2(&region, "vpc_endpoints")
            .into_iter()
            .filter(|e| s(e, "VpcId") == vpc_id)
            .collect();
        let mut missing = Vec::new();
        for (svc, kind) in [
            ("s3", "Gateway"),
            ("sagemaker.api", "Interface"),
            ("sagemaker.runtime", "Interface"),
        ] {
            let name = self.endpoint_service(&region, svc);
            let present: Vec<&&Value> = endpoints
                .iter()
                .filter(|e| s(e, "ServiceName").eq_ignore_ascii_case(&name))
                .collect();
            let usable = present.iter().any(|e| {
                e.get("State")
                    .and_then(Value::as_str)
                    .is_none_or(|st| st.eq_ignore_ascii_case("available"))
                    && s(e, "VpcEndpointType").eq_ignore_ascii_case(kind)
                    && (kind == "Gateway"
                        || e.get("PrivateDnsEnabled").and_then(Value::as_bool) != Some(false))
            });
            if usable {
                continue;
            }
            if !present.is_empty() {
                self.manual(
                    f,
                    fix,
                    format!("{vpc_id} has an endpoint for {name} that is not available, of another type, or without private DNS: fix or delete it first"),
                );
                continue;
            }
            missing.push((name, kind));
        }
        if missing.is_empty() {
            return;
        }
        let target = f.resource.arn.clone();
        let change = |summary: String, op: Op, aspect: Aspect, before: Value, after: Value| {
            change(&f.rule_id, fix, &target, summary, op, aspect, before, after)
        };
        let interface = missing.iter().any(|(_, k)| *k == "Interface");
        let group_ref = format!("endpoint_group_{vpc_id}");
        let group_aspect = Aspect::SecurityGroup {
            region: region.clone(),
            vpc_id: vpc_id.clone(),
            group_name: ENDPOINT_GROUP.into(),
        };
        if interface {
            self.push(
                change(
                    format!(
                        "resolve AWS service names inside {vpc_id} (interface endpoints need it)"
                    ),
                    Op::ModifyVpcAttribute {
                        region: region.clone(),
                        vpc_id: vpc_id.clone(),
                        enable_dns_hostnames: true,
                    },
                    Aspect::VpcDnsHostnames {
                        region: region.clone(),
                        vpc_id: vpc_id.clone(),
                    },
                    json!(false),
                    json!(true),
                )
                .unread(),
            );
            let existing = self
                .region_ec2(&region, "security_groups")
                .into_iter()
                .find(|g| s(g, "VpcId") == vpc_id && s(g, "GroupName") == ENDPOINT_GROUP)
                .map(|g| s(g, "GroupId").to_string());
            let gid = match existing {
                Some(id) => id,
                None => {
                    self.push(change(
                        format!("create security group {ENDPOINT_GROUP} in {vpc_id} for the interface endpoints"),
                        Op::CreateSecurityGroup {
                            region: region.clone(),
                            vpc_id: vpc_id.clone(),
                            group_name: ENDPOINT_GROUP.into(),
                            description: "mlguard: HTTPS from the VPC to its interface endpoints".into(),
                            tags: created_tags("vpc-endpoint-group"),
                        },
                        group_aspect.clone(),
                        Value::Null,
                        created(),
                    ));
                    let gid = format!("${{{}}}", group_ref);
                    let ingress = SgRule::tcp(443).with_cidr(&vpc_cidr);
                    self.push(
                        change(
                            format!("admit tcp/443 from {vpc_cidr} to {ENDPOINT_GROUP}"),
                            Op::AuthorizeSecurityGroupIngress {
                                region: region.clone(),
                                group_id: gid.clone(),
                                rule: ingress.clone(),
                                description: Some("added by mlguard".into()),
                            },
                            Aspect::SecurityGroupRule {
                                region: region.clone(),
                                group_id: gid.clone(),
                                direction: Direction::Ingress,
                                rule: ingress,
                            },
                            Value::Null,
                            json!({"Description": "added by mlguard"}),
                        )
                        .with_ref(&group_ref, group_aspect.clone()),
                    );
                    let egress = SgRule::all().with_cidr("0.0.0.0/0");
                    self.push(
                        change(
                            format!("remove the default outbound rule of {ENDPOINT_GROUP}"),
                            Op::RevokeSecurityGroupEgress {
                                region: region.clone(),
                                group_id: gid.clone(),
                                rule: egress.clone(),
                                description: None,
                            },
                            Aspect::SecurityGroupRule {
                                region: region.clone(),
                                group_id: gid.clone(),
                                direction: Direction::Egress,
                                rule: egress,
                            },
                            json!({}),
                            Value::Null,
                        )
                        .with_ref(&group_ref, group_aspect.clone())
                        .unread(),
                    );
                    gid
                }
            };
            self.plan_endpoints(f, &region, &vpc_id, &missing, Some(gid), &group_aspect);
        } else {
            self.plan_endpoints(f, &region, &vpc_id, &missing, None, &group_aspect);
        }
    }

    fn plan_endpoints(
        &mut self,
        f: &Finding,
        region: &str,
        vpc_id: &str,
        missing: &[(String, &str)],
        group: Option<String>,
        group_aspect: &Aspect,
    ) {
        let tables: Vec<String> = self
            .region_ec2(region, "route_tables")
            .into_iter()
            .filter(|t| s(t, "VpcId") == vpc_id)
            .map(|t| s(t, "RouteTableId").to_string())
            .collect();
        let mut zones = BTreeSet::new();
        let mut subnets: Vec<(String, String)> = self
            .region_ec2(region, "subnets")
            .into_iter()
            .filter(|sn| s(sn, "VpcId") == vpc_id)
            .map(|sn| {
                (
                    s(sn, "SubnetId").to_string(),
                    s(sn, "AvailabilityZone").to_string(),
                )
            })
            .collect();
        subnets.sort();
        let per_zone: Vec<String> = subnets
            .into_iter()
            .filter(|(_, az)| zones.insert(az.clone()))
            .map(|(id, _)| id)
            .collect();
        for (service, kind) in missing {
            let gateway = *kind == "Gateway";
            let mut action = change(
                &f.rule_id,
                "ec2-create-sagemaker-endpoints",
                &f.resource.arn,
                format!(
                    "create the {} endpoint {service} in {vpc_id}",
                    kind.to_ascii_lowercase()
                ),
                Op::CreateVpcEndpoint {
                    region: region.to_string(),
                    vpc_id: vpc_id.to_string(),
                    service_name: service.clone(),
                    endpoint_type: kind.to_string(),
                    route_table_ids: if gateway { tables.clone() } else { Vec::new() },
                    subnet_ids: if gateway {
                        Vec::new()
                    } else {
                        per_zone.clone()
                    },
                    security_group_ids: match (&group, gateway) {
                        (Some(g), false) => vec![g.clone()],
                        _ => Vec::new(),
                    },
                    private_dns_enabled: !gateway,
                    tags: created_tags("vpc-endpoint"),
                },
                Aspect::VpcEndpoint {
                    region: region.to_string(),
                    vpc_id: vpc_id.to_string(),
                    service_name: service.clone(),
                },
                Value::Null,
                created(),
            );
            let group_ref = format!("endpoint_group_{vpc_id}");
            if !gateway
                && group
                    .as_deref()
                    .is_some_and(|g| g.contains(&format!("${{{group_ref}}}")))
            {
                action = action.with_ref(&group_ref, group_aspect.clone());
            }
            self.push(action);
        }
    }

    // --- IAM ---------------------------------------------------------------------------

    fn role_docs(&self, role: &Value) -> Vec<Value> {
        let mut out: Vec<Value> = list(role, "RolePolicyList")
            .iter()
            .filter_map(|p| p.get("PolicyDocument").cloned())
            .collect();
        for a in list(role, "AttachedManagedPolicies") {
            if let Some(doc) = self.managed_document(s(a, "PolicyArn")) {
                out.push(doc);
            }
        }
        out
    }

    fn managed_document(&self, arn: &str) -> Option<Value> {
        let policy = self
            .snap
            .pointer("/iam/policies")
            .and_then(Value::as_array)?
            .iter()
            .find(|p| s(p, "Arn") == arn)?;
        let versions = list(policy, "PolicyVersionList");
        versions
            .iter()
            .find(|v| v.get("IsDefaultVersion").and_then(Value::as_bool) == Some(true))
            .or_else(|| versions.first())
            .and_then(|v| v.get("Document").cloned())
    }

    fn trust(&mut self, f: &Finding, fix: &str, role: &Value) {
        let role_name = s(role, "RoleName").to_string();
        let aspect = Aspect::RoleTrustPolicy {
            role_name: role_name.clone(),
        };
        let snapshot_doc = role
            .get("AssumeRolePolicyDocument")
            .cloned()
            .unwrap_or(Value::Null);
        let pos = self
            .actions
            .iter()
            .position(|a| a.aspect.as_ref() == Some(&aspect));
        let current = pos
            .map(|i| self.actions[i].after.clone())
            .unwrap_or_else(|| snapshot_doc.clone());
        let (fix, after) = if fix == "iam-restrict-trust-policy" {
            if self.is_ml_role(role) {
                (
                    "iam-restrict-trust-policy",
                    docs::sagemaker_trust(&self.account),
                )
            } else {
                (
                    "iam-restrict-trust-policy",
                    docs::pin_open_statements(&current, &self.account),
                )
            }
        } else {
            (
                "iam-add-source-account-condition",
                docs::add_source_account(&current, &self.account),
            )
        };
        let after = normalize_document(&after);
        match pos {
            Some(i) => {
                let a = &mut self.actions[i];
                if !a.rules().contains(&f.rule_id.as_str()) {
                    a.also.push(f.rule_id.clone());
                }
                a.after = after.clone();
                a.op = Some(Op::UpdateAssumeRolePolicy {
                    role_name,
                    document: after,
                });
                a.summary = format!("{}; {} role", a.summary, trust_summary(fix));
                a.finish();
            }
            None => self.push(change(
                &f.rule_id,
                fix,
                &f.resource.arn,
                format!("{} role {role_name}", trust_summary(fix)),
                Op::UpdateAssumeRolePolicy {
                    role_name,
                    document: after.clone(),
                },
                aspect,
                snapshot_doc,
                after,
            )),
        }
    }

    fn replace_broad(&mut self, f: &Finding, role: &Value) {
        let fix = "iam-replace-broad-policies";
        if self.merge_rule(fix, &f.resource.arn, &f.rule_id) {
            return;
        }
        let role_name = s(role, "RoleName").to_string();
        if !self.is_ml_role(role) {
            self.manual(
                f,
                fix,
                format!("role {role_name} is not an ML execution role, so mlguard cannot tell what it needs: replace its broad policies with the actions and resources it uses (IAM Access Analyzer can generate a policy from CloudTrail)"),
            );
            return;
        }
        let mut buckets: Vec<String> = self.options.buckets.clone();
        for doc in self.role_docs(role) {
            buckets.extend(docs::named_buckets(&doc));
        }
        buckets.sort();
        buckets.dedup();
        if buckets.is_empty() {
            buckets.push(format!(
                "sagemaker-{}-{}",
                self.first_region(),
                self.account
            ));
        }
        let keys: Vec<String> = self
            .options
            .kms_key
            .iter()
            .filter(|k| k.starts_with("arn:"))
            .cloned()
            .collect();
        let scoped = normalize_document(&docs::scoped_policy(
            &self.partition,
            &self.account,
            &buckets,
            &keys,
        ));
        let existing = list(role, "RolePolicyList")
            .into_iter()
            .find(|p| s(p, "PolicyName") == docs::SCOPED_POLICY_NAME)
            .and_then(|p| p.get("PolicyDocument").cloned());
        let inline = Aspect::RoleInlinePolicy {
            role_name: role_name.clone(),
            policy_name: docs::SCOPED_POLICY_NAME.into(),
        };
        if !existing.as_ref().is_some_and(|e| inline.same(e, &scoped)) {
            self.push(change(
                &f.rule_id,
                fix,
                &f.resource.arn,
                format!(
                    "give role {role_name} a scoped inline policy: buckets {}, SageMaker logs{}",
                    buckets.join(", "),
                    if keys.is_empty() {
                        ""
                    } else {
                        ", the --kms-key key"
                    }
                ),
                Op::PutRolePolicy {
                    role_name: role_name.clone(),
                    policy_name: docs::SCOPED_POLICY_NAME.into(),
                    document: scoped.clone(),
                },
                inline,
                existing.unwrap_or(Value::Null),
                scoped,
            ));
        }
        for a in list(role, "AttachedManagedPolicies") {
            let arn = s(a, "PolicyArn").to_string();
            let broad = docs::broad_managed_name(&arn)
                || self
                    .managed_document(&arn)
                    .is_some_and(|d| docs::broad_document(&d));
            if !broad {
                continue;
            }
            self.push(change(
                &f.rule_id,
                fix,
                &f.resource.arn,
                format!("detach {arn} from role {role_name}"),
                Op::DetachRolePolicy {
                    role_name: role_name.clone(),
                    policy_arn: arn.clone(),
                },
                Aspect::RoleManagedPolicy {
                    role_name: role_name.clone(),
                    policy_arn: arn,
                },
                json!(true),
                json!(false),
            ));
        }
        for p in list(role, "RolePolicyList") {
            let name = s(p, "PolicyName").to_string();
            let Some(doc) = p.get("PolicyDocument") else {
                continue;
            };
            if name == docs::SCOPED_POLICY_NAME || !docs::broad_document(doc) {
                continue;
            }
            self.push(change(
                &f.rule_id,
                fix,
                &f.resource.arn,
                format!("delete inline policy {name} of role {role_name}"),
                Op::DeleteRolePolicy {
                    role_name: role_name.clone(),
                    policy_name: name.clone(),
                },
                Aspect::RoleInlinePolicy {
                    role_name: role_name.clone(),
                    policy_name: name,
                },
                doc.clone(),
                Value::Null,
            ));
        }
    }

    fn boundary(&mut self, f: &Finding, role: &Value) {
        let fix = "iam-add-permissions-boundary";
        let role_name = s(role, "RoleName").to_string();
        let arn = format!(
            "arn:{}:iam::{}:policy/mlguard/{BOUNDARY_NAME}",
            self.partition, self.account
        );
        let policy_aspect = Aspect::ManagedPolicy {
            policy_arn: arn.clone(),
        };
        let known = self
            .snap
            .pointer("/iam/policies")
            .and_then(Value::as_array)
            .is_some_and(|p| p.iter().any(|p| s(p, "Arn") == arn));
        let planned = self
            .actions
            .iter()
            .any(|a| a.aspect.as_ref() == Some(&policy_aspect));
        if !known && !planned {
            let document = docs::boundary_policy(&self.partition, &self.account);
            self.push(change(
                &f.rule_id,
                fix,
                &arn,
                format!("create the permissions boundary {arn} for ML execution roles"),
                Op::CreatePolicy {
                    policy_name: BOUNDARY_NAME.into(),
                    path: "/mlguard/".into(),
                    description: "mlguard: what ML execution roles may ever do".into(),
                    document: document.clone(),
                    tags: created_tags("ml-boundary"),
                },
                policy_aspect,
                Value::Null,
                json!({"id": arn, "document": normalize_document(&document)}),
            ));
        }
        self.push(change(
            &f.rule_id,
            fix,
            &f.resource.arn,
            format!("cap role {role_name} with the permissions boundary {BOUNDARY_NAME}"),
            Op::PutRolePermissionsBoundary {
                role_name: role_name.clone(),
                policy_arn: arn.clone(),
            },
            Aspect::RolePermissionsBoundary { role_name },
            role.pointer("/PermissionsBoundary/PermissionsBoundaryArn")
                .cloned()
                .unwrap_or(Value::Null),
            json!(arn),
        ));
    }
}

fn trust_summary(fix: &str) -> &'static str {
    match fix {
        "iam-restrict-trust-policy" => "restrict who may assume",
        _ => "pin the service trust to the account (aws:SourceAccount) of",
    }
}

fn all_blocked() -> Value {
    json!({"BlockPublicAcls": true, "IgnorePublicAcls": true, "BlockPublicPolicy": true, "RestrictPublicBuckets": true})
}

/// The rule admits exactly tcp/443.
fn https_only(rule: &SgRule) -> bool {
    let c = rule.canonical();
    c.protocol == "tcp" && c.from_port == Some(443) && c.to_port == Some(443)
}

/// A permission object split into rules of one peer each, with their descriptions.
pub fn split_permission(perm: &Value) -> Vec<(SgRule, Option<String>)> {
    let port = |k: &str| {
        perm.get(k)
            .and_then(Value::as_i64)
            .and_then(|n| i32::try_from(n).ok())
    };
    let base = SgRule {
        protocol: s(perm, "IpProtocol").to_string(),
        from_port: port("FromPort"),
        to_port: port("ToPort"),
        ..SgRule::default()
    }
    .canonical();
    let desc = |v: &Value| {
        v.get("Description")
            .and_then(Value::as_str)
            .map(String::from)
    };
    let mut out = Vec::new();
    for r in list(perm, "IpRanges") {
        out.push((
            SgRule {
                cidr: Some(s(r, "CidrIp").to_string()),
                ..base.clone()
            },
            desc(r),
        ));
    }
    for r in list(perm, "Ipv6Ranges") {
        out.push((
            SgRule {
                ipv6_cidr: Some(s(r, "CidrIpv6").to_string()),
                ..base.clone()
            },
            desc(r),
        ));
    }
    for r in list(perm, "UserIdGroupPairs") {
        out.push((
            SgRule {
                group_id: Some(s(r, "GroupId").to_string()),
                ..base.clone()
            },
            desc(r),
        ));
    }
    for r in list(perm, "PrefixListIds") {
        out.push((
            SgRule {
                prefix_list_id: Some(s(r, "PrefixListId").to_string()),
                ..base.clone()
            },
            desc(r),
        ));
    }
    out
}

fn perm_protocol(perm: &Value) -> String {
    super::model::canonical_protocol(s(perm, "IpProtocol"))
}

/// The permission opens every port (as `lib.net.all_ports`).
fn all_ports(perm: &Value) -> bool {
    let p = perm_protocol(perm);
    p == "-1"
        || (matches!(p.as_str(), "tcp" | "udp")
            && perm.get("FromPort").and_then(Value::as_i64).unwrap_or(0) <= 0
            && perm.get("ToPort").and_then(Value::as_i64).unwrap_or(65535) >= 65535)
}

/// An action of fix `fix`, with the fix's applicability from the catalog (the one source the
/// rule docs and `docs/remediation.md` are written from).
#[allow(clippy::too_many_arguments)]
fn change(
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
        catalog::applicability(fix),
        target,
        summary,
        op,
        aspect,
        before,
        after,
    )
}

/// The IPv4 or IPv6 destination of a route ("" for a prefix list).
fn route_destination(route: &Value) -> &str {
    route
        .get("DestinationCidrBlock")
        .or_else(|| route.get("DestinationIpv6CidrBlock"))
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// One kind of traffic that "open to the internet" is asked about: every port of a class
/// (`all` protocols, `tcp`, `udp`), or one port over tcp or udp. As the probes of NI-001,
/// NI-002, NI-013 and NI-015.
#[derive(Debug, Clone, Copy)]
enum Probe {
    Class(&'static str),
    Port(&'static str, u16),
}

fn probes(admin_ports: &[u16]) -> Vec<Probe> {
    let mut out = vec![
        Probe::Class("all"),
        Probe::Class("tcp"),
        Probe::Class("udp"),
    ];
    for proto in ["tcp", "udp"] {
        out.extend(admin_ports.iter().map(|p| Probe::Port(proto, *p)));
    }
    out
}

/// The permission admits all of the probe's traffic (`lib.net.admits_class`, `lib.net.admits`).
fn perm_admits(perm: &Value, probe: Probe) -> bool {
    let p = perm_protocol(perm);
    if p == "-1" {
        return true;
    }
    match probe {
        Probe::Class(k) => k != "all" && p == k && all_ports(perm),
        Probe::Port(proto, port) => {
            let port = i64::from(port);
            p == proto
                && perm.get("FromPort").and_then(Value::as_i64).unwrap_or(0) <= port
                && port <= perm.get("ToPort").and_then(Value::as_i64).unwrap_or(65535)
        }
    }
}

fn rule_cidr(rule: &SgRule) -> Option<&str> {
    rule.cidr.as_deref().or(rule.ipv6_cidr.as_deref())
}

/// The CIDR rules of a group's permissions (one direction) that make some probe's traffic
/// reach the whole IPv4 or IPv6 internet, across permissions (AWS admits the union of a
/// group's rules): for each probe, `cidr::world_openers` of the ranges of the permissions
/// that admit it. Revoking exactly these closes every probe, and leaves every other rule.
fn open_sg_rules(perms: &[&Value], admin_ports: &[u16]) -> Vec<(SgRule, Option<String>)> {
    let split: Vec<(&Value, SgRule, Option<String>)> = perms
        .iter()
        .flat_map(|p| {
            split_permission(p)
                .into_iter()
                .map(move |(r, d)| (*p, r, d))
        })
        .collect();
    let mut chosen = vec![false; split.len()];
    for probe in probes(admin_ports) {
        let admitted: Vec<(usize, &str)> = split
            .iter()
            .enumerate()
            .filter(|(_, (perm, _, _))| perm_admits(perm, probe))
            .filter_map(|(i, (_, rule, _))| rule_cidr(rule).map(|c| (i, c)))
            .collect();
        let ranges: Vec<&str> = admitted.iter().map(|(_, c)| *c).collect();
        let openers = cidr::world_openers(&ranges);
        for (i, c) in admitted {
            if openers.iter().any(|o| o == c) {
                chosen[i] = true;
            }
        }
    }
    split
        .into_iter()
        .zip(chosen)
        .filter(|(_, keep)| *keep)
        .map(|((_, rule, desc), _)| (rule, desc))
        .collect()
}

fn acl_all_ports(e: &AclEntry) -> bool {
    e.protocol == "-1"
        || (matches!(e.protocol.as_str(), "6" | "17")
            && e.port_from.unwrap_or(0) <= 0
            && e.port_to.unwrap_or(65535) >= 65535)
}

/// The entry matches all of the probe's traffic (`lib.net.acl_covers_class`,
/// `lib.net.acl_matches`).
fn acl_in_probe(e: &AclEntry, probe: Probe) -> bool {
    if e.protocol == "-1" {
        return true;
    }
    let number = |proto: &str| if proto == "tcp" { "6" } else { "17" };
    match probe {
        Probe::Class(k) => k != "all" && e.protocol == number(k) && acl_all_ports(e),
        Probe::Port(proto, port) => {
            let port = i32::from(port);
            e.protocol == number(proto)
                && e.port_from.unwrap_or(0) <= port
                && port <= e.port_to.unwrap_or(65535)
        }
    }
}

/// A range of an open rule, for summaries: "the internet", or "128.0.0.0/1 (part of the
/// internet)" when the range is one of several that together make it.
fn internet_part(range: &str) -> String {
    if cidr::is_world(range) {
        "the internet".to_string()
    } else {
        format!("{range} (part of the internet)")
    }
}

fn acl_source(e: &AclEntry) -> &str {
    e.cidr_block
        .as_deref()
        .or(e.ipv6_cidr_block.as_deref())
        .unwrap_or("")
}

/// `lib.net.acl_cover`: the rule numbers of the allow entries of `matching` (entries that
/// match one kind of traffic) whose ranges make it admitted from the internet. An allow entry
/// whose range the deny entries with lower rule numbers refuse entirely is never reached; the
/// traffic is open when the allow entries that are reached together cover the IPv4 or IPv6
/// family (a deny of part of the space is an exception, not a closed ACL).
fn acl_cover(matching: &[&AclEntry]) -> Vec<i32> {
    let mut out = Vec::new();
    for v6 in [false, true] {
        let parsed: Vec<(&AclEntry, cidr::Cidr)> = matching
            .iter()
            .filter_map(|e| cidr::Cidr::parse(acl_source(e)).map(|c| (*e, c)))
            .filter(|(_, c)| c.is_v6() == v6)
            .collect();
        let live: Vec<(i32, cidr::Cidr)> = parsed
            .iter()
            .filter(|(e, _)| e.rule_action == "allow")
            .filter(|(e, c)| {
                let earlier_denies: Vec<cidr::Cidr> = parsed
                    .iter()
                    .filter(|(d, _)| d.rule_action == "deny" && d.rule_number < e.rule_number)
                    .map(|(_, db)| *db)
                    .collect();
                !cidr::covers(c, &earlier_denies)
            })
            .map(|(e, c)| (e.rule_number, *c))
            .collect();
        let blocks: Vec<cidr::Cidr> = live.iter().map(|(_, c)| *c).collect();
        let Some(first) = blocks.first() else {
            continue;
        };
        if !cidr::covers(&first.world(), &blocks) {
            continue;
        }
        for (n, c) in &live {
            if !blocks
                .iter()
                .any(|o| o.prefix_len() < c.prefix_len() && o.contains(c))
            {
                out.push(*n);
            }
        }
    }
    out
}

/// The inbound allow entries to narrow so that no probe's traffic is admitted from the whole
/// internet any more: those of `acl_cover` for every probe, then, on the ACL as it will be
/// (`narrow` gives an entry's replacement, None when it is deleted), again while a probe is
/// still open.
fn open_acl_entries(
    inbound: &[AclEntry],
    admin_ports: &[u16],
    narrow: impl Fn(&AclEntry) -> Option<AclEntry>,
) -> BTreeSet<i32> {
    let mut current: Vec<AclEntry> = inbound.to_vec();
    let mut out = BTreeSet::new();
    loop {
        let mut round = BTreeSet::new();
        for probe in probes(admin_ports) {
            let matching: Vec<&AclEntry> =
                current.iter().filter(|e| acl_in_probe(e, probe)).collect();
            round.extend(acl_cover(&matching));
        }
        round.retain(|n| !out.contains(n));
        if round.is_empty() {
            return out;
        }
        current = current
            .into_iter()
            .filter_map(|e| {
                if round.contains(&e.rule_number) {
                    narrow(&e)
                } else {
                    Some(e)
                }
            })
            .collect();
        out.extend(round);
    }
}

/// The remediation plan for a snapshot's findings.
pub fn plan_remediation(input: RemediationInput<'_>) -> Plan {
    let snap = input.snapshot;
    let account = s(snap.get("metadata").unwrap_or(&Value::Null), "account_id").to_string();
    let partition = snap
        .pointer("/metadata/partition")
        .and_then(Value::as_str)
        .unwrap_or("aws")
        .to_string();
    let regions: Vec<String> = snap
        .pointer("/metadata/regions")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    let mut ctx = Ctx {
        snap,
        account: account.clone(),
        partition: partition.clone(),
        scope: input.scope,
        options: &input.options,
        actions: Vec::new(),
        planned_keys: BTreeSet::new(),
        flow_buckets: BTreeMap::new(),
    };
    let mut work: Vec<(&Finding, Option<String>, String)> = input
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .map(|f| {
            let (fix, text) = input
                .fixes
                .get(&f.rule_id)
                .cloned()
                .unwrap_or((None, f.remediation.clone()));
            (f, fix, text)
        })
        .collect();
    work.sort_by(|a, b| {
        let pa = a.1.as_deref().map_or(9, phase);
        let pb = b.1.as_deref().map_or(9, phase);
        pa.cmp(&pb)
            .then_with(|| a.0.resource.arn.cmp(&b.0.resource.arn))
            .then_with(|| a.0.rule_id.cmp(&b.0.rule_id))
    });
    for (f, fix, text) in work {
        let Some(fix) = fix else {
            ctx.push(Action::manual(
                &f.rule_id,
                "none",
                &f.resource.arn,
                &f.resource.region,
                f.title.clone(),
                text,
            ));
            continue;
        };
        let resource = f
            .location
            .as_ref()
            .and_then(|l| snap.pointer(&format!("/{}", l.path)))
            .cloned()
            .unwrap_or(Value::Null);
        plan_fix(&mut ctx, f, &fix, &resource, &text);
    }
    let mut actions = ctx.actions;
    for a in &mut actions {
        a.also.sort();
    }
    Plan {
        plan_version: PLAN_VERSION,
        kind: PlanKind::Remediate,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        account_id: account,
        partition,
        created_at: input.created_at,
        source: input.source,
        stack: None,
        regions,
        options: input.options.clone(),
        scores_before: input.scores_before,
        cost: None,
        actions,
    }
}

fn plan_fix(ctx: &mut Ctx<'_>, f: &Finding, fix: &str, r: &Value, text: &str) {
    let has = |k: &str| r.get(k).is_some();
    match fix {
        "kms-enable-rotation" if has("KeyId") => ctx.enable_rotation(f, r),
        "kms-cancel-deletion" if has("KeyId") => ctx.cancel_deletion(f, r),
        "kms-restrict-key-policy" if has("KeyId") => ctx.restrict_key_policy(f, r),
        "kms-create-key" => ctx.create_key(f),
        "s3-block-public-access" if has("Name") => ctx.block_public_access(f, r),
        "s3-default-encryption-kms" if has("Name") => ctx.default_encryption(f, r),
        "s3-deny-insecure-transport" if has("Name") => ctx.deny_insecure_transport(f, r),
        "ec2-revoke-open-ingress" if has("GroupId") => ctx.revoke_open_ingress(f, r),
        "ec2-restrict-ingress-to-trusted" if has("GroupId") => ctx.restrict_ingress(f, r),
        "ec2-empty-default-security-group" if has("GroupId") => ctx.empty_default_group(f, r),
        "ec2-revoke-open-egress" if has("GroupId") => ctx.revoke_open_egress(f, r),
        "ec2-create-flow-logs" if has("VpcId") => ctx.flow_logs(f, r),
        "ec2-disable-public-ip-on-launch" | "ec2-remove-internet-route" if has("SubnetId") => {
            ctx.public_subnet(f, r)
        }
        "ec2-restrict-network-acl" if has("NetworkAclId") => ctx.restrict_network_acl(f, r),
        "ec2-create-sagemaker-endpoints" if has("VpcId") => ctx.create_endpoints(f, r),
        "iam-restrict-trust-policy" | "iam-add-source-account-condition" if has("RoleName") => {
            ctx.trust(f, fix, r)
        }
        "iam-replace-broad-policies" if has("RoleName") => ctx.replace_broad(f, r),
        "iam-add-permissions-boundary" if has("RoleName") => ctx.boundary(f, r),
        other => {
            let why = match catalog::action(other) {
                Some(a) if a.applicability == Applicability::Manual => a.summary.to_string(),
                Some(_) => format!(
                    "the fix does not apply to this resource as the snapshot holds it; {text}"
                ),
                None => text.to_string(),
            };
            ctx.manual(f, other, why);
        }
    }
}
