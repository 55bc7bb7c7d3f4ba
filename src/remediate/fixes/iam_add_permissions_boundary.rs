//! `iam-add-permissions-boundary`: caps an ML execution role with mlguard's permissions
//! boundary.

use super::prelude::*;

declare_fix! {
    IamAddPermissionsBoundary {
        id: "iam-add-permissions-boundary",
        rules: ["LP-012"],
        applicability: Unsafe,
        phase: Identity,
        resource: "RoleName",
        summary: "CreatePolicy /mlguard/mlguard-ml-boundary (SageMaker, S3, CloudWatch Logs, ECR pulls, KMS data keys, VPC network interfaces, iam:PassRole to SageMaker only) when it does not exist, then PutRolePermissionsBoundary on the ML execution role",
        inverse: "DeleteRolePermissionsBoundary (or PutRolePermissionsBoundary of the recorded boundary); DeletePolicy of the boundary mlguard created",
        plan: plan,
    }
}

/// The permissions boundary this fix creates.
pub(super) const BOUNDARY_NAME: &str = "mlguard-ml-boundary";

fn plan(ctx: &mut Ctx<'_>, f: &Finding, role: &Value) {
    let role_name = s(role, "RoleName").to_string();
    let arn = format!(
        "arn:{}:iam::{}:policy/mlguard/{BOUNDARY_NAME}",
        ctx.partition, ctx.account
    );
    let policy_aspect = Aspect::ManagedPolicy {
        policy_arn: arn.clone(),
    };
    let known = ctx
        .snap
        .pointer("/iam/policies")
        .and_then(Value::as_array)
        .is_some_and(|p| p.iter().any(|p| s(p, "Arn") == arn));
    let planned = ctx
        .actions
        .iter()
        .any(|a| a.aspect.as_ref() == Some(&policy_aspect));
    if !known && !planned {
        let document = docs::boundary_policy(&ctx.partition, &ctx.account);
        ctx.push(change(
            &f.rule_id,
            ID,
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
    ctx.push(change(
        &f.rule_id,
        ID,
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
