//! `iam-add-source-account-condition`: pins a role's AWS service trust to the account (the
//! confused deputy).

use super::prelude::*;

declare_fix! {
    IamAddSourceAccountCondition {
        id: "iam-add-source-account-condition",
        rules: ["LP-002"],
        applicability: Unsafe,
        phase: Identity,
        resource: "RoleName",
        summary: "UpdateAssumeRolePolicy: add \"StringEquals\": {\"aws:SourceAccount\": <account>} to each statement that trusts an AWS service principal, keeping its principals and actions",
        inverse: "UpdateAssumeRolePolicy with the recorded trust policy",
        plan: plan,
    }
}

fn plan(ctx: &mut Ctx<'_>, f: &Finding, role: &Value) {
    ctx.update_trust(
        f,
        ID,
        role,
        "pin the service trust to the account (aws:SourceAccount) of",
        |ctx, current| docs::add_source_account(current, &ctx.account),
    );
}
