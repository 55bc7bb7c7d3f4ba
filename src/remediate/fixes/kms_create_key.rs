//! `kms-create-key`: creates the region's customer-managed key for ML data (rotated, aliased);
//! other fixes encrypt with it.

use super::prelude::*;

declare_fix! {
    KmsCreateKey {
        id: "kms-create-key",
        rules: ["DE-004"],
        applicability: Safe,
        phase: NewKey,
        summary: "CreateKey (symmetric, customer managed, a key policy for the account and for VPC flow log delivery, tagged mlguard:managed), EnableKeyRotation, CreateAlias alias/mlguard-ml-data",
        inverse: "DeleteAlias and ScheduleKeyDeletion of the created key (7-day window)",
        plan: plan,
    }
}

fn plan(ctx: &mut Ctx<'_>, f: &Finding, _: &Value) {
    let region = f.resource.region.clone();
    if ctx.planned_keys.contains(&region) {
        ctx.merge_rule(ID, &f.resource.arn, &f.rule_id);
        return;
    }
    ctx.planned_keys.insert(region.clone());
    let key = Ctx::key_aspect(&region);
    let key_ref = Ctx::key_ref(&region);
    let placeholder = format!("${{{key_ref}}}");
    ctx.push(change(
        &f.rule_id,
        ID,
        &f.resource.arn,
        format!("create a customer-managed key for ML data in {region}"),
        Op::CreateKey {
            region: region.clone(),
            description: "mlguard: customer-managed key for ML data".into(),
            document: docs::key_policy(&ctx.partition, &ctx.account),
            tags: created_tags("ml-data-key"),
        },
        key.clone(),
        Value::Null,
        created(),
    ));
    ctx.push(
        change(
            &f.rule_id,
            ID,
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
    ctx.push(
        change(
            &f.rule_id,
            ID,
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
