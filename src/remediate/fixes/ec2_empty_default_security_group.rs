//! `ec2-empty-default-security-group`: removes every rule of a VPC's default security group.

use super::prelude::*;

declare_fix! {
    Ec2EmptyDefaultSecurityGroup {
        id: "ec2-empty-default-security-group",
        rules: ["NI-004"],
        applicability: Safe,
        phase: Network,
        resource: "GroupId",
        summary: "RevokeSecurityGroupIngress and RevokeSecurityGroupEgress of every rule of the default security group",
        inverse: "AuthorizeSecurityGroupIngress / Egress of the recorded rules",
        plan: plan,
    }
}

fn plan(ctx: &mut Ctx<'_>, f: &Finding, sg: &Value) {
    let region = f.resource.region.clone();
    let group_id = s(sg, "GroupId").to_string();
    for (key, direction) in [
        ("IpPermissions", Direction::Ingress),
        ("IpPermissionsEgress", Direction::Egress),
    ] {
        for perm in list(sg, key) {
            for (rule, desc) in split_permission(perm) {
                let a = ctx.sg_rule_action(f, ID, &region, &group_id, direction, rule, Some(desc));
                ctx.push(a);
            }
        }
    }
}
