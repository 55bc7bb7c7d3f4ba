//! `ec2-revoke-open-egress`: replaces an ML security group's all-traffic egress to the internet
//! with HTTPS.

use super::prelude::*;

declare_fix! {
    Ec2RevokeOpenEgress {
        id: "ec2-revoke-open-egress",
        rules: ["NI-015"],
        applicability: Unsafe,
        phase: Network,
        resource: "GroupId",
        summary: "AuthorizeSecurityGroupEgress of tcp/443 to the same range and of all traffic to the group itself, then RevokeSecurityGroupEgress of the ML security group's all-traffic rules to 0.0.0.0/0 and ::/0 or to ranges that together cover every address (HTTPS still reaches VPC endpoints and S3)",
        inverse: "AuthorizeSecurityGroupEgress of the recorded rules; RevokeSecurityGroupEgress of the added ones",
        plan: plan,
    }
}

fn plan(ctx: &mut Ctx<'_>, f: &Finding, sg: &Value) {
    let region = f.resource.region.clone();
    let group_id = s(sg, "GroupId").to_string();
    let existing: Vec<(SgRule, Option<String>)> = list(sg, "IpPermissionsEgress")
        .into_iter()
        .flat_map(split_permission)
        .collect();
    let has = |r: &SgRule| existing.iter().any(|(e, _)| e.canonical() == r.canonical());
    let mut adds = Vec::new();
    let mut revokes = Vec::new();
    // Every port out to the whole internet (NI-015): no administration-port probes.
    for (rule, desc) in open_sg_rules(&list(sg, "IpPermissionsEgress"), &[]) {
        if let Some(range) = rule_cidr(&rule) {
            let https = SgRule::tcp(443).with_cidr(range);
            if !adds.contains(&https) {
                adds.push(https);
            }
        }
        revokes.push((rule, desc));
    }
    if !revokes.is_empty() {
        adds.push(SgRule::all().with_group(&group_id));
    }
    for rule in adds {
        if !has(&rule) {
            let a = ctx.sg_rule_action(f, ID, &region, &group_id, Direction::Egress, rule, None);
            ctx.push(a);
        }
    }
    for (rule, desc) in revokes {
        let a = ctx.sg_rule_action(
            f,
            ID,
            &region,
            &group_id,
            Direction::Egress,
            rule,
            Some(desc),
        );
        ctx.push(a);
    }
}
