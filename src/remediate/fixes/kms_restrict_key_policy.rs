//! `kms-restrict-key-policy`: removes the key policy statements any AWS principal can use.

use super::prelude::*;

declare_fix! {
    KmsRestrictKeyPolicy {
        id: "kms-restrict-key-policy",
        rules: ["DE-002"],
        applicability: Unsafe,
        phase: Keys,
        resource: "KeyId",
        summary: "PutKeyPolicy without the statements that allow any principal without a restricting condition (the account's root statement is added when no statement would administer the key)",
        inverse: "PutKeyPolicy with the recorded policy",
        plan: plan,
    }
}

fn plan(ctx: &mut Ctx<'_>, f: &Finding, key: &Value) {
    let Some(policy) = key.get("Policy").filter(|p| p.is_object()) else {
        ctx.manual(f, ID, "the key policy is not in the snapshot");
        return;
    };
    let (region, key_id) = (f.resource.region.clone(), s(key, "KeyId").to_string());
    let after = docs::restrict_key_policy(policy, &ctx.partition, &ctx.account);
    ctx.push(change(
        &f.rule_id,
        ID,
        &f.resource.arn,
        format!("remove the statements of key {key_id}'s policy that any AWS principal can use"),
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
