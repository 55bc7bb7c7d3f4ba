//! `ec2-restrict-ingress-to-trusted`: narrows an ML security group's inbound rules to tcp/443
//! from `--allowed-cidr`.

use super::prelude::*;

declare_fix! {
    Ec2RestrictIngressToTrusted {
        id: "ec2-restrict-ingress-to-trusted",
        rules: ["NI-003"],
        applicability: Safe,
        phase: Network,
        resource: "GroupId",
        summary: "AuthorizeSecurityGroupIngress of tcp/443 from --allowed-cidr, then RevokeSecurityGroupIngress of every rule that admits more than tcp/443 from the trusted CIDRs (without --allowed-cidr the plan lists the fix as manual)",
        inverse: "AuthorizeSecurityGroupIngress of the recorded rules; RevokeSecurityGroupIngress of the added one",
        plan: plan,
    }
}

fn plan(ctx: &mut Ctx<'_>, f: &Finding, sg: &Value) {
    let Some(allowed) = ctx.options.allowed_cidr.clone() else {
        ctx.manual(
            f,
            ID,
            "say where HTTPS may come from with --allowed-cidr CIDR (e.g. your VPN's range): the fix admits tcp/443 from it and removes every other inbound rule",
        );
        return;
    };
    let region = f.resource.region.clone();
    let group_id = s(sg, "GroupId").to_string();
    let https = SgRule::tcp(443).with_cidr(&allowed);
    let existing: Vec<(SgRule, Option<String>)> = list(sg, "IpPermissions")
        .into_iter()
        .flat_map(split_permission)
        .collect();
    if !existing
        .iter()
        .any(|(r, _)| r.canonical() == https.canonical())
    {
        let a = ctx.sg_rule_action(f, ID, &region, &group_id, Direction::Ingress, https, None);
        ctx.push(a);
    }
    let trusted = ctx.scope.trusted_cidrs.clone();
    for (rule, desc) in existing {
        let is_https = https_only(&rule);
        let offends = if let Some(c) = rule.cidr.as_deref().or(rule.ipv6_cidr.as_deref()) {
            !is_https || !cidr::trusted(c, &trusted)
        } else if let Some(g) = rule.group_id.as_deref() {
            let workload = g == group_id || ctx.scope.security_group_ids.contains(g);
            !workload && (!is_https || !trusted.is_empty())
        } else {
            !is_https
        };
        if offends {
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
}
