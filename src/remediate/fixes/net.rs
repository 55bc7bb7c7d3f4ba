//! Security group rules, routes and network ACL entries: which of them open traffic to the
//! whole internet (as `policies/lib/net.rego` decides), and the actions that add or revoke a
//! security group rule.

use super::super::model::{AclEntry, Aspect, Direction, Op, SgRule};
use super::super::plan::Action;
use super::ctx::{Ctx, change, list, s};
use crate::cidr;
use crate::findings::Finding;
use serde_json::{Value, json};
use std::collections::BTreeSet;

impl<'a> Ctx<'a> {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn sg_rule_action(
        &self,
        f: &Finding,
        fix: &str,
        region: &str,
        group_id: &str,
        direction: Direction,
        rule: SgRule,
        present: Option<Option<String>>,
    ) -> Action {
        let aspect = Aspect::SecurityGroupRule {
            region: region.to_string(),
            group_id: group_id.to_string(),
            direction,
            rule: rule.clone(),
        };
        let (region, group_id) = (region.to_string(), group_id.to_string());
        match present {
            // Revoke an existing rule.
            Some(description) => {
                let before = match description.clone() {
                    Some(d) => json!({"Description": d}),
                    None => json!({}),
                };
                let summary = format!("remove {} of {group_id}", rule.describe(direction));
                let op = match direction {
                    Direction::Ingress => Op::RevokeSecurityGroupIngress {
                        region,
                        group_id,
                        rule,
                        description,
                    },
                    Direction::Egress => Op::RevokeSecurityGroupEgress {
                        region,
                        group_id,
                        rule,
                        description,
                    },
                };
                change(
                    &f.rule_id,
                    fix,
                    &f.resource.arn,
                    summary,
                    op,
                    aspect,
                    before,
                    Value::Null,
                )
            }
            // Add a rule.
            None => {
                let summary = format!("add {} to {group_id}", rule.describe(direction));
                let description = Some("added by mlguard".to_string());
                let op = match direction {
                    Direction::Ingress => Op::AuthorizeSecurityGroupIngress {
                        region,
                        group_id,
                        rule,
                        description: description.clone(),
                    },
                    Direction::Egress => Op::AuthorizeSecurityGroupEgress {
                        region,
                        group_id,
                        rule,
                        description: description.clone(),
                    },
                };
                change(
                    &f.rule_id,
                    fix,
                    &f.resource.arn,
                    summary,
                    op,
                    aspect,
                    Value::Null,
                    json!({"Description": description}),
                )
            }
        }
    }

    /// The subnet's route table: its explicit association, else its VPC's main table.
    pub(super) fn route_table_of(&self, region: &str, subnet: &Value) -> Option<&'a Value> {
        let tables = self.region_ec2(region, "route_tables");
        let subnet_id = s(subnet, "SubnetId");
        let associated = |a: &Value| {
            a.pointer("/AssociationState/State")
                .and_then(Value::as_str)
                .is_none_or(|st| st.eq_ignore_ascii_case("associated"))
        };
        tables
            .iter()
            .find(|t| {
                list(t, "Associations")
                    .iter()
                    .any(|a| s(a, "SubnetId") == subnet_id && associated(a))
            })
            .or_else(|| {
                tables.iter().find(|t| {
                    s(t, "VpcId") == s(subnet, "VpcId")
                        && list(t, "Associations")
                            .iter()
                            .any(|a| a.get("Main").and_then(Value::as_bool) == Some(true))
                })
            })
            .copied()
    }
}

/// The rule admits exactly tcp/443.
pub(super) fn https_only(rule: &SgRule) -> bool {
    let c = rule.canonical();
    c.protocol == "tcp" && c.from_port == Some(443) && c.to_port == Some(443)
}

/// A permission object split into rules of one peer each, with their descriptions.
pub fn split_permission(perm: &Value) -> Vec<(SgRule, Option<String>)> {
    let port = |k: &str| {
        perm.get(k)
            .and_then(Value::as_i64)
            .and_then(|n| i32::try_from(n).ok())
    };
    let base = SgRule {
        protocol: s(perm, "IpProtocol").to_string(),
        from_port: port("FromPort"),
        to_port: port("ToPort"),
        ..SgRule::default()
    }
    .canonical();
    let desc = |v: &Value| {
        v.get("Description")
            .and_then(Value::as_str)
            .map(String::from)
    };
    let mut out = Vec::new();
    for r in list(perm, "IpRanges") {
        out.push((
            SgRule {
                cidr: Some(s(r, "CidrIp").to_string()),
                ..base.clone()
            },
            desc(r),
        ));
    }
    for r in list(perm, "Ipv6Ranges") {
        out.push((
            SgRule {
                ipv6_cidr: Some(s(r, "CidrIpv6").to_string()),
                ..base.clone()
            },
            desc(r),
        ));
    }
    for r in list(perm, "UserIdGroupPairs") {
        out.push((
            SgRule {
                group_id: Some(s(r, "GroupId").to_string()),
                ..base.clone()
            },
            desc(r),
        ));
    }
    for r in list(perm, "PrefixListIds") {
        out.push((
            SgRule {
                prefix_list_id: Some(s(r, "PrefixListId").to_string()),
                ..base.clone()
            },
            desc(r),
        ));
    }
    out
}

fn perm_protocol(perm: &Value) -> String {
    super::super::model::canonical_protocol(s(perm, "IpProtocol"))
}

/// The permission opens every port (as `lib.net.all_ports`).
fn all_ports(perm: &Value) -> bool {
    let p = perm_protocol(perm);
    p == "-1"
        || (matches!(p.as_str(), "tcp" | "udp")
            && perm.get("FromPort").and_then(Value::as_i64).unwrap_or(0) <= 0
            && perm.get("ToPort").and_then(Value::as_i64).unwrap_or(65535) >= 65535)
}

/// The IPv4 or IPv6 destination of a route ("" for a prefix list).
pub(super) fn route_destination(route: &Value) -> &str {
    route
        .get("DestinationCidrBlock")
        .or_else(|| route.get("DestinationIpv6CidrBlock"))
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// One kind of traffic that "open to the internet" is asked about: every port of a class
/// (`all` protocols, `tcp`, `udp`), or one port over tcp or udp. As the probes of NI-001,
/// NI-002, NI-013 and NI-015.
#[derive(Debug, Clone, Copy)]
enum Probe {
    Class(&'static str),
    Port(&'static str, u16),
}

fn probes(admin_ports: &[u16]) -> Vec<Probe> {
    let mut out = vec![
        Probe::Class("all"),
        Probe::Class("tcp"),
        Probe::Class("udp"),
    ];
    for proto in ["tcp", "udp"] {
        out.extend(admin_ports.iter().map(|p| Probe::Port(proto, *p)));
    }
    out
}

/// The permission admits all of the probe's traffic (`lib.net.admits_class`, `lib.net.admits`).
fn perm_admits(perm: &Value, probe: Probe) -> bool {
    let p = perm_protocol(perm);
    if p == "-1" {
        return true;
    }
    match probe {
        Probe::Class(k) => k != "all" && p == k && all_ports(perm),
        Probe::Port(proto, port) => {
            let port = i64::from(port);
            p == proto
                && perm.get("FromPort").and_then(Value::as_i64).unwrap_or(0) <= port
                && port <= perm.get("ToPort").and_then(Value::as_i64).unwrap_or(65535)
        }
    }
}

pub(super) fn rule_cidr(rule: &SgRule) -> Option<&str> {
    rule.cidr.as_deref().or(rule.ipv6_cidr.as_deref())
}

/// The CIDR rules of a group's permissions (one direction) that make some probe's traffic
/// reach the whole IPv4 or IPv6 internet, across permissions (AWS admits the union of a
/// group's rules): for each probe, `cidr::world_openers` of the ranges of the permissions
/// that admit it. Revoking exactly these closes every probe, and leaves every other rule.
pub(super) fn open_sg_rules(
    perms: &[&Value],
    admin_ports: &[u16],
) -> Vec<(SgRule, Option<String>)> {
    let split: Vec<(&Value, SgRule, Option<String>)> = perms
        .iter()
        .flat_map(|p| {
            split_permission(p)
                .into_iter()
                .map(move |(r, d)| (*p, r, d))
        })
        .collect();
    let mut chosen = vec![false; split.len()];
    for probe in probes(admin_ports) {
        let admitted: Vec<(usize, &str)> = split
            .iter()
            .enumerate()
            .filter(|(_, (perm, _, _))| perm_admits(perm, probe))
            .filter_map(|(i, (_, rule, _))| rule_cidr(rule).map(|c| (i, c)))
            .collect();
        let ranges: Vec<&str> = admitted.iter().map(|(_, c)| *c).collect();
        let openers = cidr::world_openers(&ranges);
        for (i, c) in admitted {
            if openers.iter().any(|o| o == c) {
                chosen[i] = true;
            }
        }
    }
    split
        .into_iter()
        .zip(chosen)
        .filter(|(_, keep)| *keep)
        .map(|((_, rule, desc), _)| (rule, desc))
        .collect()
}

fn acl_all_ports(e: &AclEntry) -> bool {
    e.protocol == "-1"
        || (matches!(e.protocol.as_str(), "6" | "17")
            && e.port_from.unwrap_or(0) <= 0
            && e.port_to.unwrap_or(65535) >= 65535)
}

/// The entry matches all of the probe's traffic (`lib.net.acl_covers_class`,
/// `lib.net.acl_matches`).
fn acl_in_probe(e: &AclEntry, probe: Probe) -> bool {
    if e.protocol == "-1" {
        return true;
    }
    let number = |proto: &str| if proto == "tcp" { "6" } else { "17" };
    match probe {
        Probe::Class(k) => k != "all" && e.protocol == number(k) && acl_all_ports(e),
        Probe::Port(proto, port) => {
            let port = i32::from(port);
            e.protocol == number(proto)
                && e.port_from.unwrap_or(0) <= port
                && port <= e.port_to.unwrap_or(65535)
        }
    }
}

/// A range of an open rule, for summaries: "the internet", or "128.0.0.0/1 (part of the
/// internet)" when the range is one of several that together make it.
pub(super) fn internet_part(range: &str) -> String {
    if cidr::is_world(range) {
        "the internet".to_string()
    } else {
        format!("{range} (part of the internet)")
    }
}

pub(super) fn acl_source(e: &AclEntry) -> &str {
    e.cidr_block
        .as_deref()
        .or(e.ipv6_cidr_block.as_deref())
        .unwrap_or("")
}

/// `lib.net.acl_cover`: the rule numbers of the allow entries of `matching` (entries that
/// match one kind of traffic) whose ranges make it admitted from the internet. An allow entry
/// whose range the deny entries with lower rule numbers refuse entirely is never reached; the
/// traffic is open when the allow entries that are reached together cover the IPv4 or IPv6
/// family (a deny of part of the space is an exception, not a closed ACL).
fn acl_cover(matching: &[&AclEntry]) -> Vec<i32> {
    let mut out = Vec::new();
    for v6 in [false, true] {
        let parsed: Vec<(&AclEntry, cidr::Cidr)> = matching
            .iter()
            .filter_map(|e| cidr::Cidr::parse(acl_source(e)).map(|c| (*e, c)))
            .filter(|(_, c)| c.is_v6() == v6)
            .collect();
        let live: Vec<(i32, cidr::Cidr)> = parsed
            .iter()
            .filter(|(e, _)| e.rule_action == "allow")
            .filter(|(e, c)| {
                let earlier_denies: Vec<cidr::Cidr> = parsed
                    .iter()
                    .filter(|(d, _)| d.rule_action == "deny" && d.rule_number < e.rule_number)
                    .map(|(_, db)| *db)
                    .collect();
                !cidr::covers(c, &earlier_denies)
            })
            .map(|(e, c)| (e.rule_number, *c))
            .collect();
        let blocks: Vec<cidr::Cidr> = live.iter().map(|(_, c)| *c).collect();
        let Some(first) = blocks.first() else {
            continue;
        };
        if !cidr::covers(&first.world(), &blocks) {
            continue;
        }
        for (n, c) in &live {
            if !blocks
                .iter()
                .any(|o| o.prefix_len() < c.prefix_len() && o.contains(c))
            {
                out.push(*n);
            }
        }
    }
    out
}

/// The inbound allow entries to narrow so that no probe's traffic is admitted from the whole
/// internet any more: those of `acl_cover` for every probe, then, on the ACL as it will be
/// (`narrow` gives an entry's replacement, None when it is deleted), again while a probe is
/// still open.
pub(super) fn open_acl_entries(
    inbound: &[AclEntry],
    admin_ports: &[u16],
    narrow: impl Fn(&AclEntry) -> Option<AclEntry>,
) -> BTreeSet<i32> {
    let mut current: Vec<AclEntry> = inbound.to_vec();
    let mut out = BTreeSet::new();
    loop {
        let mut round = BTreeSet::new();
        for probe in probes(admin_ports) {
            let matching: Vec<&AclEntry> =
                current.iter().filter(|e| acl_in_probe(e, probe)).collect();
            round.extend(acl_cover(&matching));
        }
        round.retain(|n| !out.contains(n));
        if round.is_empty() {
            return out;
        }
        current = current
            .into_iter()
            .filter_map(|e| {
                if round.contains(&e.rule_number) {
                    narrow(&e)
                } else {
                    Some(e)
                }
            })
            .collect();
        out.extend(round);
    }
}
