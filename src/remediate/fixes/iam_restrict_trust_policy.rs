//! `iam-restrict-trust-policy`: restricts who may assume a role whose trust policy admits any
//! principal.

use super::prelude::*;

declare_fix! {
    IamRestrictTrustPolicy {
        id: "iam-restrict-trust-policy",
        rules: ["LP-001"],
        applicability: Unsafe,
        phase: Identity,
        resource: "RoleName",
        summary: "UpdateAssumeRolePolicy: an ML execution role trusts only sagemaker.amazonaws.com, with aws:SourceAccount set to the account; on any other role each statement open to any principal gets an aws:PrincipalAccount condition (only the account's own principals stay trusted)",
        inverse: "UpdateAssumeRolePolicy with the recorded trust policy",
        plan: plan,
    }
}

fn plan(ctx: &mut Ctx<'_>, f: &Finding, role: &Value) {
    ctx.update_trust(f, ID, role, "restrict who may assume", |ctx, current| {
        if ctx.is_ml_role(role) {
            docs::sagemaker_trust(&ctx.account)
        } else {
            docs::pin_open_statements(current, &ctx.account)
        }
    });
}
