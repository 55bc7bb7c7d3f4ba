//! `ec2-revoke-open-ingress`: revokes the security group rules that open all traffic or an
//! administration port to the internet.

use super::prelude::*;

declare_fix! {
    Ec2RevokeOpenIngress {
        id: "ec2-revoke-open-ingress",
        rules: ["NI-001", "NI-002"],
        applicability: Safe,
        phase: Network,
        resource: "GroupId",
        summary: "RevokeSecurityGroupIngress of the rules whose ranges make all traffic or an administration port reachable from the whole internet: 0.0.0.0/0 or ::/0, or ranges of the group that together cover every IPv4 or IPv6 address (0.0.0.0/1 and 128.0.0.0/1), the widest first and, while the rest still covers it, the next widest; narrower rules stay",
        inverse: "AuthorizeSecurityGroupIngress of the recorded rules, descriptions included",
        plan: plan,
    }
}

fn plan(ctx: &mut Ctx<'_>, f: &Finding, sg: &Value) {
    let region = f.resource.region.clone();
    let group_id = s(sg, "GroupId").to_string();
    let open = open_sg_rules(&list(sg, "IpPermissions"), &ctx.scope.admin_ports);
    if open.is_empty() {
        ctx.manual(
            f,
            ID,
            "no rule open to the internet was found in the snapshot",
        );
        return;
    }
    for (rule, desc) in open {
        let a = ctx.sg_rule_action(
            f,
            ID,
            &region,
            &group_id,
            Direction::Ingress,
            rule,
            Some(desc),
        );
        ctx.push(a);
    }
}
