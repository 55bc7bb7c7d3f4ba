//! `iam-replace-broad-policies`: replaces an ML execution role's broad policies with one scoped
//! inline policy.

use super::prelude::*;

declare_fix! {
    IamReplaceBroadPolicies {
        id: "iam-replace-broad-policies",
        rules: ["LP-003", "LP-004", "LP-005", "LP-007", "LP-008", "LP-009", "LP-010"],
        applicability: Unsafe,
        phase: Identity,
        resource: "RoleName",
        summary: "For an ML execution role: PutRolePolicy mlguard-scoped-access (read and write the role's S3 buckets, its CloudWatch Logs, the --kms-key keys), then DetachRolePolicy of AdministratorAccess and the broad AWS-managed policies and DeleteRolePolicy of the inline policies with wildcard actions, NotAction, NotResource, escalation actions or data actions on every resource. The buckets are --bucket, else those the role's policies name, else the SageMaker default bucket; any other role is left to a manual fix",
        inverse: "AttachRolePolicy / PutRolePolicy of each recorded policy; DeleteRolePolicy of mlguard-scoped-access",
        plan: plan,
    }
}

fn plan(ctx: &mut Ctx<'_>, f: &Finding, role: &Value) {
    if ctx.merge_rule(ID, &f.resource.arn, &f.rule_id) {
        return;
    }
    let role_name = s(role, "RoleName").to_string();
    if !ctx.is_ml_role(role) {
        ctx.manual(
            f,
            ID,
            format!("role {role_name} is not an ML execution role, so mlguard cannot tell what it needs: replace its broad policies with the actions and resources it uses (IAM Access Analyzer can generate a policy from CloudTrail)"),
        );
        return;
    }
    let mut buckets: Vec<String> = ctx.options.buckets.clone();
    for doc in ctx.role_docs(role) {
        buckets.extend(docs::named_buckets(&doc));
    }
    buckets.sort();
    buckets.dedup();
    if buckets.is_empty() {
        buckets.push(format!("sagemaker-{}-{}", ctx.first_region(), ctx.account));
    }
    let keys: Vec<String> = ctx
        .options
        .kms_key
        .iter()
        .filter(|k| k.starts_with("arn:"))
        .cloned()
        .collect();
    let scoped = normalize_document(&docs::scoped_policy(
        &ctx.partition,
        &ctx.account,
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
        ctx.push(change(
            &f.rule_id,
            ID,
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
            || ctx
                .managed_document(&arn)
                .is_some_and(|d| docs::broad_document(&d));
        if !broad {
            continue;
        }
        ctx.push(change(
            &f.rule_id,
            ID,
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
        ctx.push(change(
            &f.rule_id,
            ID,
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
