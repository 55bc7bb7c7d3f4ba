//! From findings to a remediation plan (pure): each failing finding whose rule names a fix
//! becomes the actions that fix needs on that resource, read from the snapshot. Actions that
//! change the same aspect are merged (one revoke answers NI-001, NI-002 and NI-003 alike);
//! resources the fixes need (the flow-log bucket, the boundary policy, the endpoint security
//! group) are planned once, before their first use.
//!
//! **A fix is one file**: `fixes/<fix_id>.rs` declares it with `declare_fix!` (id, the rules
//! that name it, applicability, phase, summary, inverse, companions) and holds its planner.
//! [`FIXES`] lists them all; the rule loader, the rule docs and the fix table of
//! `docs/remediation.md` ([`doc_table`]) are written from it. Helpers the planners share live in
//! `ctx` (the planning context, keys, actions), `net` (security group and network ACL
//! ranges) and `iam` (role policies, trust policy updates).

use crate::findings::{Applicability, Finding, FixInfo, Status};
use ctx::{Ctx, s};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

use super::plan::{Action, PLAN_VERSION, Plan, PlanKind, PlanOptions, PlanSource, ScoresBefore};

pub use net::split_permission;

/// When a fix is planned: what other fixes depend on comes first. Findings are planned by
/// phase, then by resource ARN, then by rule id; findings without a fix come last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    /// The customer-managed key that buckets and flow logs are encrypted with.
    NewKey,
    /// The other KMS fixes.
    Keys,
    /// S3 buckets.
    Buckets,
    /// Security groups, subnets, routes, network ACLs, VPCs.
    Network,
    /// IAM roles.
    Identity,
    /// Everything else (the manual SageMaker fixes).
    Last,
}

/// Everything a fix declares besides its planner (see `declare_fix!`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Declaration {
    /// Id, applicability, summary, inverse and companions: what the engine sees.
    pub info: FixInfo,
    /// The rules whose `remediation.action` names the fix (a test keeps this equal to the
    /// rule metadata).
    pub rules: &'static [&'static str],
    pub phase: Phase,
    /// The field the finding's resource has in the snapshot (`KeyId`, `GroupId`, ...): without
    /// it the fix does not apply and the plan explains instead.
    pub resource: Option<&'static str>,
}

/// A fix of the remediator. Implemented by `declare_fix!`, one file per fix.
pub trait Fix: Sync {
    fn declaration(&self) -> &'static Declaration;

    /// Plans the fix for a failing finding, given the snapshot object the finding points at.
    /// A manual fix explains the change to make by hand.
    fn plan(&self, ctx: &mut Ctx<'_>, finding: &Finding, resource: &Value);

    fn id(&self) -> &'static str {
        self.declaration().info.id
    }

    fn applicability(&self) -> Applicability {
        self.declaration().info.applicability
    }
}

/// Declares the fix of the file it is written in: a unit struct implementing [`Fix`], and
/// `ID`, the fix id as a constant for the planner. Without `plan`, the fix is manual: the plan
/// explains its summary.
///
/// ```text
/// declare_fix! {
///     /// Turns on automatic rotation of a customer-managed key.
///     KmsEnableRotation {
///         id: "kms-enable-rotation",
///         rules: ["DE-001"],
///         applicability: Safe,
///         phase: Keys,
///         resource: "KeyId",
///         summary: "EnableKeyRotation",
///         inverse: "DisableKeyRotation",
///         plan: plan,
///     }
/// }
/// ```
macro_rules! declare_fix {
    (
        $(#[$doc:meta])*
        $name:ident {
            id: $id:literal,
            rules: [$($rule:literal),* $(,)?],
            applicability: $applicability:ident,
            phase: $phase:ident,
            $(resource: $resource:literal,)?
            summary: $summary:literal,
            inverse: $inverse:literal,
            $(with: [$($with:expr),* $(,)?],)?
            $(plan: $plan:path,)?
        }
    ) => {
        /// The fix's id.
        pub const ID: &str = $id;

        $(#[$doc])*
        pub struct $name;

        impl super::Fix for $name {
            fn declaration(&self) -> &'static super::Declaration {
                const DECLARATION: super::Declaration = super::Declaration {
                    info: super::FixInfo {
                        id: ID,
                        applicability: super::Applicability::$applicability,
                        summary: $summary,
                        inverse: $inverse,
                        with: &[$($($with),*)?],
                    },
                    rules: &[$($rule),*],
                    phase: super::Phase::$phase,
                    resource: declare_fix!(@resource $($resource)?),
                };
                &DECLARATION
            }

            fn plan(
                &self,
                ctx: &mut super::Ctx<'_>,
                finding: &super::Finding,
                resource: &super::Value,
            ) {
                declare_fix!(@plan ctx, finding, resource $(, $plan)?)
            }
        }
    };
    (@resource) => { None };
    (@resource $resource:literal) => { Some($resource) };
    (@plan $ctx:ident, $finding:ident, $resource:ident) => {{
        let _ = $resource;
        super::explain($ctx, $finding, ID)
    }};
    (@plan $ctx:ident, $finding:ident, $resource:ident, $plan:path) => {
        $plan($ctx, $finding, $resource)
    };
}

mod ctx;
pub mod doc_table;
mod iam;
mod net;

/// What a fix file uses: `use super::prelude::*;`.
mod prelude {
    pub(super) use super::super::documents as docs;
    pub(super) use super::super::model::{
        AclEntry, Aspect, Direction, Op, SgRule, normalize_document,
    };
    pub(super) use super::ctx::{
        Ctx, KeyChoice, ML_KEY_ALIAS, all_blocked, change, created, created_tags, list, s,
    };
    pub(super) use super::net::{
        acl_source, https_only, internet_part, open_acl_entries, open_sg_rules, route_destination,
        rule_cidr, split_permission,
    };
    pub(super) use crate::cidr;
    pub(super) use crate::findings::Finding;
    pub(super) use serde_json::{Value, json};
    pub(super) use std::collections::BTreeSet;
}

mod ec2_create_flow_logs;
mod ec2_create_sagemaker_endpoints;
mod ec2_disable_public_ip_on_launch;
mod ec2_empty_default_security_group;
mod ec2_remove_internet_route;
mod ec2_restrict_ingress_to_trusted;
mod ec2_restrict_network_acl;
mod ec2_revoke_open_egress;
mod ec2_revoke_open_ingress;
mod iam_add_permissions_boundary;
mod iam_add_source_account_condition;
mod iam_delete_unused_role;
mod iam_replace_broad_policies;
mod iam_require_external_id_or_mfa;
mod iam_restrict_trust_policy;
mod kms_cancel_deletion;
mod kms_create_key;
mod kms_enable_rotation;
mod kms_repair_key_reference;
mod kms_restrict_key_policy;
mod s3_block_public_access;
mod s3_default_encryption_kms;
mod s3_deny_insecure_transport;
mod sagemaker_disable_notebook_root_access;
mod sagemaker_domain_vpc_only;
mod sagemaker_move_out_of_default_vpc;
mod sagemaker_recreate_domain_with_kms;
mod sagemaker_recreate_endpoint_config_with_kms;
mod sagemaker_recreate_notebook;
mod sagemaker_recreate_notebook_with_kms;
mod sagemaker_recreate_with_network_isolation;
mod sagemaker_training_job_kms;

/// Every fix of the remediator, one file each, in the order of the fix table of
/// `docs/remediation.md` (least privilege, network isolation, encryption).
pub static FIXES: &[&dyn Fix] = &[
    // least privilege
    &iam_restrict_trust_policy::IamRestrictTrustPolicy,
    &iam_add_source_account_condition::IamAddSourceAccountCondition,
    &iam_replace_broad_policies::IamReplaceBroadPolicies,
    &iam_add_permissions_boundary::IamAddPermissionsBoundary,
    &iam_require_external_id_or_mfa::IamRequireExternalIdOrMfa,
    &iam_delete_unused_role::IamDeleteUnusedRole,
    // network isolation
    &ec2_revoke_open_ingress::Ec2RevokeOpenIngress,
    &ec2_restrict_ingress_to_trusted::Ec2RestrictIngressToTrusted,
    &ec2_empty_default_security_group::Ec2EmptyDefaultSecurityGroup,
    &ec2_create_flow_logs::Ec2CreateFlowLogs,
    &ec2_disable_public_ip_on_launch::Ec2DisablePublicIpOnLaunch,
    &ec2_remove_internet_route::Ec2RemoveInternetRoute,
    &ec2_restrict_network_acl::Ec2RestrictNetworkAcl,
    &ec2_revoke_open_egress::Ec2RevokeOpenEgress,
    &ec2_create_sagemaker_endpoints::Ec2CreateSagemakerEndpoints,
    &sagemaker_recreate_notebook::SagemakerRecreateNotebook,
    &sagemaker_disable_notebook_root_access::SagemakerDisableNotebookRootAccess,
    &sagemaker_domain_vpc_only::SagemakerDomainVpcOnly,
    &sagemaker_recreate_with_network_isolation::SagemakerRecreateWithNetworkIsolation,
    &sagemaker_move_out_of_default_vpc::SagemakerMoveOutOfDefaultVpc,
    // encryption
    &kms_enable_rotation::KmsEnableRotation,
    &kms_restrict_key_policy::KmsRestrictKeyPolicy,
    &kms_cancel_deletion::KmsCancelDeletion,
    &kms_create_key::KmsCreateKey,
    &kms_repair_key_reference::KmsRepairKeyReference,
    &s3_block_public_access::S3BlockPublicAccess,
    &s3_default_encryption_kms::S3DefaultEncryptionKms,
    &s3_deny_insecure_transport::S3DenyInsecureTransport,
    &sagemaker_recreate_notebook_with_kms::SagemakerRecreateNotebookWithKms,
    &sagemaker_recreate_endpoint_config_with_kms::SagemakerRecreateEndpointConfigWithKms,
    &sagemaker_training_job_kms::SagemakerTrainingJobKms,
    &sagemaker_recreate_domain_with_kms::SagemakerRecreateDomainWithKms,
];

/// The fix with this id.
pub fn find(id: &str) -> Option<&'static dyn Fix> {
    FIXES.iter().copied().find(|f| f.id() == id)
}

/// The fix with this id as the engine sees it: what the application layer passes to the rule
/// loader and the rule docs (a [`crate::findings::FixLookup`]).
pub fn info(id: &str) -> Option<FixInfo> {
    find(id).map(|f| f.declaration().info)
}

/// The applicability of the fix with this id: what the plan gives its actions and the docs
/// print. A fix missing from the registry is unsafe (the default, STYLE.md).
pub fn applicability(id: &str) -> Applicability {
    find(id).map_or(Applicability::Unsafe, |f| f.applicability())
}

/// The planner of a manual fix: the plan explains the change to make by hand (the summary).
fn explain(ctx: &mut Ctx<'_>, f: &Finding, id: &str) {
    let summary = find(id).map_or("", |fix| fix.declaration().info.summary);
    ctx.manual(f, id, summary);
}

/// The order a finding is planned in: its fix's phase.
fn phase(fix: Option<&str>) -> Phase {
    fix.and_then(find)
        .map_or(Phase::Last, |f| f.declaration().phase)
}

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
    let mut ctx = Ctx::new(
        snap,
        account.clone(),
        partition.clone(),
        input.scope,
        &input.options,
    );
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
        phase(a.1.as_deref())
            .cmp(&phase(b.1.as_deref()))
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
    let mut actions = ctx.into_actions();
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

/// Plans fix `id` for a finding on `r`, then the companions it declares (`with`) that apply to
/// the resource. A fix the registry does not know, or whose resource is not in the snapshot,
/// becomes a manual action.
fn plan_fix(ctx: &mut Ctx<'_>, f: &Finding, id: &str, r: &Value, text: &str) {
    let Some(fix) = find(id) else {
        ctx.manual(f, id, text);
        return;
    };
    let applies = |fix: &dyn Fix| {
        fix.declaration()
            .resource
            .is_none_or(|k| r.get(k).is_some())
    };
    if !applies(fix) {
        ctx.manual(
            f,
            id,
            format!("the fix does not apply to this resource as the snapshot holds it; {text}"),
        );
        return;
    }
    fix.plan(ctx, f, r);
    for companion in fix.declaration().info.with.iter().filter_map(|c| find(c)) {
        if applies(companion) {
            companion.plan(ctx, f, r);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::PolicySet;
    use std::path::Path;

    #[test]
    fn ids_are_unique_and_companions_exist() {
        let mut ids: Vec<_> = FIXES.iter().map(|f| f.id()).collect();
        ids.sort_unstable();
        let before = ids.len();
        ids.dedup();
        assert_eq!(before, ids.len(), "a fix id is declared twice");
        for fix in FIXES {
            for w in fix.declaration().info.with {
                assert!(find(w).is_some(), "{}: unknown companion {w}", fix.id());
            }
        }
        assert!(
            Applicability::Manual < Applicability::Unsafe
                && Applicability::Unsafe < Applicability::Safe
        );
    }

    /// `fixes/<id with underscores>.rs` declares fix `<id>`, and every file of `fixes/` but the
    /// helpers is a fix of the registry.
    #[test]
    fn each_fix_is_its_own_file() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/remediate/fixes");
        const HELPERS: &[&str] = &["mod", "ctx", "doc_table", "iam", "net"];
        for entry in std::fs::read_dir(&dir).expect("fixes/") {
            let path = entry.expect("entry").path();
            let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
                continue;
            };
            if HELPERS.contains(&stem) {
                continue;
            }
            assert!(
                find(&stem.replace('_', "-")).is_some(),
                "{} is not in FIXES (add `mod {stem};` and its line to FIXES in fixes/mod.rs)",
                path.display()
            );
        }
        for fix in FIXES {
            let file = dir.join(format!("{}.rs", fix.id().replace('-', "_")));
            let text = std::fs::read_to_string(&file)
                .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            assert!(
                text.contains(&format!("id: \"{}\",", fix.id())),
                "{} does not declare {}",
                file.display(),
                fix.id()
            );
        }
    }

    /// The plan takes each fix's applicability from its declaration; an unknown fix is unsafe.
    #[test]
    fn applicability_comes_from_the_declaration() {
        assert_eq!(
            applicability("ec2-revoke-open-ingress"),
            Applicability::Safe
        );
        assert_eq!(
            applicability("ec2-revoke-open-egress"),
            Applicability::Unsafe
        );
        assert_eq!(applicability("no-such-fix"), Applicability::Unsafe);
        for fix in FIXES {
            assert_eq!(applicability(fix.id()), fix.applicability(), "{}", fix.id());
            assert_eq!(info(fix.id()), Some(fix.declaration().info));
        }
        assert_eq!(info("no-such-fix"), None);
        assert_eq!(phase(Some("no-such-fix")), Phase::Last);
        assert_eq!(phase(None), Phase::Last);
    }

    /// Manual fixes are explained whatever the resource, and leave nothing to roll back.
    #[test]
    fn manual_fixes_are_explained() {
        for fix in FIXES {
            let d = fix.declaration();
            if d.info.applicability == Applicability::Manual {
                assert_eq!(d.resource, None, "{}", fix.id());
                assert_eq!(d.info.inverse, "none: not applied", "{}", fix.id());
            }
        }
    }

    /// Each fix's `rules` are exactly the built-in rules whose `remediation.action` names it,
    /// and every built-in rule names a fix of the registry.
    #[test]
    fn declared_rules_match_rule_metadata() {
        let set = PolicySet::load_with_fixes(true, &[], info).expect("built-in rules load");
        let mut by_fix: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for rule in &set.rules {
            if let Some(action) = &rule.meta.remediation.action {
                by_fix
                    .entry(action.clone())
                    .or_default()
                    .push(rule.meta.id.clone());
            }
        }
        for fix in FIXES {
            let mut named = by_fix.remove(fix.id()).unwrap_or_default();
            named.sort();
            let mut declared: Vec<String> = fix
                .declaration()
                .rules
                .iter()
                .map(|r| r.to_string())
                .collect();
            declared.sort();
            assert_eq!(
                declared,
                named,
                "{}: `rules` must list the rules whose remediation.action is this fix",
                fix.id()
            );
        }
        assert!(by_fix.is_empty(), "rules name unknown fixes: {by_fix:?}");
    }

    /// `docs/remediation.md`'s fix table is the registry's.
    #[test]
    fn the_fix_table_of_the_docs_is_generated() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(doc_table::PATH);
        let doc = std::fs::read_to_string(&path).expect("docs/remediation.md");
        let updated = doc_table::update(&doc).unwrap_or_else(|| {
            panic!(
                "{} lacks the markers {} and {}",
                doc_table::PATH,
                doc_table::BEGIN,
                doc_table::END
            )
        });
        assert!(
            updated == doc,
            "the fix table of {} is out of date: run `cargo xtask docs`",
            doc_table::PATH
        );
        for fix in FIXES {
            let row = format!("| `{}` |", fix.id());
            let line = doc
                .lines()
                .find(|l| l.starts_with(&row))
                .unwrap_or_else(|| panic!("no row for {}", fix.id()));
            assert!(line.contains(&format!(" | {} | ", fix.applicability())));
        }
    }

    #[test]
    fn splice_replaces_only_the_table() {
        let doc = format!(
            "intro\n\n{}\n\nold\n\n{}\n\nafter\n",
            doc_table::BEGIN,
            doc_table::END
        );
        let out = doc_table::splice(&doc, "| new |\n").expect("markers");
        assert_eq!(
            out,
            format!(
                "intro\n\n{}\n\n| new |\n\n{}\n\nafter\n",
                doc_table::BEGIN,
                doc_table::END
            )
        );
        assert_eq!(doc_table::splice("no markers", "x"), None);
    }
}
