//! `ec2-restrict-network-acl`: narrows the inbound network ACL entries that admit the internet
//! to the VPC's own range.

use super::prelude::*;

declare_fix! {
    Ec2RestrictNetworkAcl {
        id: "ec2-restrict-network-acl",
        rules: ["NI-013"],
        applicability: Unsafe,
        phase: Network,
        resource: "NetworkAclId",
        summary: "ReplaceNetworkAclEntry of each inbound allow entry whose range makes all traffic or an administration port reachable from the whole internet (0.0.0.0/0 or ::/0, or ranges that together cover every address, in rule number order against the deny entries), with the VPC's own CIDR as its source (an IPv6 entry is deleted when the VPC has no IPv6 range); traffic from outside the VPC, responses included, is refused afterwards",
        inverse: "ReplaceNetworkAclEntry (or CreateNetworkAclEntry) with the recorded entry",
        plan: plan,
    }
}

fn plan(ctx: &mut Ctx<'_>, f: &Finding, acl: &Value) {
    let region = f.resource.region.clone();
    let acl_id = s(acl, "NetworkAclId").to_string();
    let Some(vpc) = ctx.vpc(&region, s(acl, "VpcId")) else {
        ctx.manual(f, ID, "the ACL's VPC is not in the snapshot");
        return;
    };
    let v4 = s(vpc, "CidrBlock").to_string();
    let v6 = list(vpc, "Ipv6CidrBlockAssociationSet")
        .first()
        .map(|a| s(a, "Ipv6CidrBlock").to_string())
        .filter(|c| !c.is_empty());
    let inbound: Vec<AclEntry> = list(acl, "Entries")
        .into_iter()
        .filter_map(AclEntry::from_aws)
        .filter(|e| !e.egress)
        .collect();
    // The entry as the fix leaves it: its range narrowed to the VPC's, or None (deleted)
    // for an IPv6 entry when the VPC has no IPv6 range.
    let narrow = |e: &AclEntry| -> Option<AclEntry> {
        if e.ipv6_cidr_block.is_some() && e.cidr_block.is_none() {
            v6.as_ref().map(|range| AclEntry {
                ipv6_cidr_block: Some(range.clone()),
                ..e.clone()
            })
        } else {
            Some(AclEntry {
                cidr_block: Some(v4.clone()),
                ..e.clone()
            })
        }
    };
    let open = open_acl_entries(&inbound, &ctx.scope.admin_ports, narrow);
    for e in inbound.iter().filter(|e| open.contains(&e.rule_number)) {
        let aspect = Aspect::NetworkAclEntry {
            region: region.clone(),
            network_acl_id: acl_id.clone(),
            rule_number: e.rule_number,
            egress: false,
        };
        let narrowed = narrow(e);
        let action = match narrowed {
            Some(n) => change(
                &f.rule_id,
                ID,
                &f.resource.arn,
                format!(
                    "narrow inbound rule {} of {acl_id} from {} to the VPC",
                    e.rule_number,
                    internet_part(acl_source(e))
                ),
                Op::ReplaceNetworkAclEntry {
                    region: region.clone(),
                    network_acl_id: acl_id.clone(),
                    entry: n.clone(),
                },
                aspect,
                e.to_aws(),
                n.to_aws(),
            ),
            None => change(
                &f.rule_id,
                ID,
                &f.resource.arn,
                format!(
                    "delete inbound rule {} of {acl_id} ({}, and the VPC has no IPv6 range)",
                    e.rule_number,
                    acl_source(e)
                ),
                Op::DeleteNetworkAclEntry {
                    region: region.clone(),
                    network_acl_id: acl_id.clone(),
                    rule_number: e.rule_number,
                    egress: false,
                },
                aspect,
                e.to_aws(),
                Value::Null,
            ),
        };
        ctx.push(action);
    }
}
