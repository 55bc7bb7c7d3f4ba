//! `kms-enable-rotation`: turns on automatic rotation of a customer-managed key.

use super::prelude::*;

declare_fix! {
    KmsEnableRotation {
        id: "kms-enable-rotation",
        rules: ["DE-001"],
        applicability: Safe,
        phase: Keys,
        resource: "KeyId",
        summary: "EnableKeyRotation",
        inverse: "DisableKeyRotation",
        plan: plan,
    }
}

fn plan(ctx: &mut Ctx<'_>, f: &Finding, key: &Value) {
    let (region, key_id) = (f.resource.region.clone(), s(key, "KeyId").to_string());
    ctx.push(change(
        &f.rule_id,
        ID,
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
