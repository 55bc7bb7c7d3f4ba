//! `kms-cancel-deletion`: cancels a key's scheduled deletion and enables it again.

use super::prelude::*;

declare_fix! {
    KmsCancelDeletion {
        id: "kms-cancel-deletion",
        rules: ["DE-003"],
        applicability: Safe,
        phase: Keys,
        resource: "KeyId",
        summary: "CancelKeyDeletion (when the key is pending deletion), then EnableKey",
        inverse: "DisableKey, then ScheduleKeyDeletion with the window left to the recorded deletion date (7-30 days)",
        plan: plan,
    }
}

fn plan(ctx: &mut Ctx<'_>, f: &Finding, key: &Value) {
    let (region, key_id) = (f.resource.region.clone(), s(key, "KeyId").to_string());
    let aspect = Aspect::KeyState {
        region: region.clone(),
        key_id: key_id.clone(),
    };
    match s(key, "KeyState") {
        "PendingDeletion" => {
            let mut before = json!({"KeyState": "PendingDeletion"});
            if let Some(d) = key.get("DeletionDate") {
                before["DeletionDate"] = d.clone();
            }
            ctx.push(change(
                &f.rule_id,
                ID,
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
            ctx.manual(
                f,
                ID,
                format!("the key is {other}: only a key that is disabled or pending deletion can be recovered in place"),
            );
            return;
        }
    }
    ctx.push(change(
        &f.rule_id,
        ID,
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
