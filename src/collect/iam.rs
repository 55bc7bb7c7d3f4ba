//! IAM (global): roles and the managed policies attached to them, from
//! GetAccountAuthorizationDetails. `RoleLastUsed` comes with each RoleDetail (AWS; moto 5.2.5
//! sends it empty); when a RoleDetail lacks it, GetRole reads it, only when asked.

use super::ctx::{Ctx, GLOBAL, fan_out};
use super::json::{Obj, policy_document, sort_by_field};
use aws_sdk_iam::types::{
    AttachedPolicy, EntityType, InstanceProfile, ManagedPolicyDetail, PolicyDetail, PolicyVersion,
    RoleDetail, RoleLastUsed,
};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::sync::Arc;

/// The maximum page size of GetAccountAuthorizationDetails.
const MAX_ITEMS: i32 = 1000;

/// `{"roles": [...], "policies": [...]}`, sorted by ARN.
pub(crate) async fn collect(
    ctx: Arc<Ctx>,
    client: aws_sdk_iam::Client,
    role_last_used: bool,
) -> Value {
    let task = ctx.progress.task("iam");
    task.step("GetAccountAuthorizationDetails");
    let mut roles = Vec::new();
    let mut policies = Vec::new();
    let mut pages = 0usize;
    ctx.pages(
        "iam",
        GLOBAL,
        "GetAccountAuthorizationDetails",
        None,
        |marker| {
            client
                .get_account_authorization_details()
                .filter(EntityType::Role)
                .filter(EntityType::LocalManagedPolicy)
                .filter(EntityType::AwsManagedPolicy)
                .max_items(MAX_ITEMS)
                .set_marker(marker)
                .send()
        },
        |page| {
            pages += 1;
            task.step(format!(
                "GetAccountAuthorizationDetails, page {}",
                pages + 1
            ));
            roles.extend(page.role_detail_list.unwrap_or_default());
            policies.extend(page.policies.unwrap_or_default());
            if page.is_truncated { page.marker } else { None }
        },
    )
    .await;

    // Keep the managed policies some role uses (attached, or as its permissions boundary),
    // with only their default version: the rest of the catalogue is large and unused.
    let used: BTreeSet<&str> = roles
        .iter()
        .flat_map(|r| {
            r.attached_managed_policies()
                .iter()
                .filter_map(AttachedPolicy::policy_arn)
                .chain(
                    r.permissions_boundary()
                        .and_then(|b| b.permissions_boundary_arn()),
                )
        })
        .collect();
    let mut policies: Vec<Value> = policies
        .iter()
        .filter(|p| p.arn().is_some_and(|a| used.contains(a)))
        .map(managed_policy)
        .collect();
    sort_by_field(&mut policies, "Arn");

    // GetRole only for the roles whose RoleDetail lacks RoleLastUsed.
    let (mut roles, lacking): (Vec<Value>, Vec<Value>) = roles
        .iter()
        .map(role)
        .partition(|r| r.get("RoleLastUsed").is_some());
    if role_last_used && !lacking.is_empty() {
        task.step(format!("GetRole for {} roles", lacking.len()));
        roles.extend(with_last_used(&ctx, &client, lacking).await);
    } else {
        roles.extend(lacking);
    }
    sort_by_field(&mut roles, "Arn");
    task.done(format!(
        "{} roles, {} attached managed policies",
        roles.len(),
        policies.len()
    ));
    json!({"roles": roles, "policies": policies})
}

/// Adds `RoleLastUsed` from GetRole to each of `roles` (those whose RoleDetail lacked it),
/// concurrently. A failed GetRole leaves it out (and records a gap for the role's ARN).
async fn with_last_used(
    ctx: &Arc<Ctx>,
    client: &aws_sdk_iam::Client,
    roles: Vec<Value>,
) -> Vec<Value> {
    fan_out(roles, |mut role| {
        let (ctx, client) = (Arc::clone(ctx), client.clone());
        async move {
            let name = role["RoleName"].as_str().unwrap_or_default().to_string();
            let arn = role["Arn"].as_str().unwrap_or_default().to_string();
            match ctx.call(client.get_role().role_name(&name).send()).await {
                Ok(out) => {
                    let used = out.role().and_then(|r| r.role_last_used());
                    if let Some(obj) = role.as_object_mut() {
                        obj.insert("RoleLastUsed".into(), last_used(used));
                    }
                }
                Err(e) => ctx.gap("iam", GLOBAL, "GetRole", Some(&arn), &e),
            }
            Some(role)
        }
    })
    .await
}

/// `RoleLastUsed`: `{}` when the role was not used in the tracking window (AWS then sends
/// an empty element, or none in GetRole).
fn last_used(used: Option<&RoleLastUsed>) -> Value {
    Obj::new()
        .t("LastUsedDate", used.and_then(|u| u.last_used_date()))
        .s("Region", used.and_then(|u| u.region()))
        .build()
}

/// A RoleDetail, with its policy documents decoded. `RoleLastUsed` is kept when the
/// RoleDetail has it (AWS fills it in, an empty element when the role was not used in the
/// tracking window) and left out when it does not (then GetRole reads it, when asked).
fn role(r: &RoleDetail) -> Value {
    Obj::new()
        .s("Path", r.path())
        .s("RoleName", r.role_name())
        .s("RoleId", r.role_id())
        .s("Arn", r.arn())
        .t("CreateDate", r.create_date())
        .v(
            "AssumeRolePolicyDocument",
            r.assume_role_policy_document().and_then(policy_document),
        )
        .list(
            "InstanceProfileList",
            r.instance_profile_list(),
            instance_profile,
        )
        .v("RolePolicyList", Some(Value::Array(inline_policies(r))))
        .sorted_list(
            "AttachedManagedPolicies",
            r.attached_managed_policies(),
            |p| {
                Obj::new()
                    .s("PolicyName", p.policy_name())
                    .s("PolicyArn", p.policy_arn())
                    .build()
            },
        )
        .v(
            "PermissionsBoundary",
            r.permissions_boundary().map(|b| {
                Obj::new()
                    .e("PermissionsBoundaryType", b.permissions_boundary_type())
                    .s("PermissionsBoundaryArn", b.permissions_boundary_arn())
                    .build()
            }),
        )
        .tags(r.tags().iter().map(|t| (Some(t.key()), Some(t.value()))))
        .v(
            "RoleLastUsed",
            r.role_last_used().map(|u| last_used(Some(u))),
        )
        .build()
}

/// The inline policies of a role, by name (the API's order is not stable).
fn inline_policies(r: &RoleDetail) -> Vec<Value> {
    let mut list: Vec<Value> = r.role_policy_list().iter().map(inline_policy).collect();
    sort_by_field(&mut list, "PolicyName");
    list
}

fn instance_profile(p: &InstanceProfile) -> Value {
    Obj::new()
        .s("Path", Some(p.path()))
        .s("InstanceProfileName", Some(p.instance_profile_name()))
        .s("InstanceProfileId", Some(p.instance_profile_id()))
        .s("Arn", Some(p.arn()))
        .t("CreateDate", Some(p.create_date()))
        .build()
}

fn inline_policy(p: &PolicyDetail) -> Value {
    Obj::new()
        .s("PolicyName", p.policy_name())
        .v(
            "PolicyDocument",
            p.policy_document().and_then(policy_document),
        )
        .build()
}

/// A ManagedPolicyDetail with only the default version in `PolicyVersionList`.
fn managed_policy(p: &ManagedPolicyDetail) -> Value {
    let default_version: Vec<&PolicyVersion> = p
        .policy_version_list()
        .iter()
        .filter(|v| v.is_default_version || v.version_id() == p.default_version_id())
        .take(1)
        .collect();
    // The name is the last segment of the ARN; some implementations leave the field out.
    let name = p
        .policy_name()
        .or_else(|| p.arn().and_then(|a| a.rsplit('/').next()));
    Obj::new()
        .s("PolicyName", name)
        .s("PolicyId", p.policy_id())
        .s("Arn", p.arn())
        .s("Path", p.path())
        .s("DefaultVersionId", p.default_version_id())
        .n("AttachmentCount", p.attachment_count())
        .n(
            "PermissionsBoundaryUsageCount",
            p.permissions_boundary_usage_count(),
        )
        .b("IsAttachable", Some(p.is_attachable))
        .s("Description", p.description())
        .t("CreateDate", p.create_date())
        .t("UpdateDate", p.update_date())
        .list("PolicyVersionList", &default_version, |v| {
            Obj::new()
                .v("Document", v.document().and_then(policy_document))
                .s("VersionId", v.version_id())
                .b("IsDefaultVersion", Some(v.is_default_version))
                .t("CreateDate", v.create_date())
                .build()
        })
        .build()
}
