//! EC2: regions, VPC capacity, the VPC, subnet, security group, route, network ACL, endpoint
//! and flow log reads, and the executors of the EC2 operations.

use super::{AwsTarget, found, not_found};
use crate::remediate::fixes::split_permission;
use crate::remediate::harden::{
    DEFAULT_VPC_QUOTA, VPC_QUOTA_CODE, VPC_QUOTA_SERVICE, VpcCapacity, VpcUse,
};
use crate::remediate::model::{AclEntry, Direction, SgRule, Tags};
use crate::remediate::target::TargetError;
use aws_sdk_ec2::types::{
    AttributeBooleanValue, Filter, FlowLogsResourceType, IcmpTypeCode, IpPermission, IpRange,
    Ipv6Range, LogDestinationType, PortRange, PrefixListId, ResourceType, RuleAction,
    Tag as Ec2Tag, TagSpecification, TrafficType, UserIdGroupPair, VpcAttributeName,
    VpcEndpointType,
};
use serde_json::{Value, json};

pub(super) fn ec2_tags(t: &[Ec2Tag]) -> Value {
    Value::Object(
        t.iter()
            .filter_map(|t| Some((t.key()?.to_string(), json!(t.value().unwrap_or_default()))))
            .collect(),
    )
}

fn tag_spec(kind: ResourceType, tags: &Tags) -> TagSpecification {
    TagSpecification::builder()
        .resource_type(kind)
        .set_tags(Some(
            tags.iter()
                .map(|(k, v)| Ec2Tag::builder().key(k).value(v).build())
                .collect(),
        ))
        .build()
}

pub(super) fn filter(name: &str, value: &str) -> Filter {
    Filter::builder().name(name).values(value).build()
}

/// A single-peer rule as an SDK permission.
fn permission(rule: &SgRule, description: Option<&str>) -> IpPermission {
    let r = rule.canonical();
    let mut p = IpPermission::builder().ip_protocol(&r.protocol);
    if r.protocol != "-1" {
        p = p.set_from_port(r.from_port).set_to_port(r.to_port);
    }
    if let Some(c) = &r.cidr {
        p = p.ip_ranges(
            IpRange::builder()
                .cidr_ip(c)
                .set_description(description.map(String::from))
                .build(),
        );
    }
    if let Some(c) = &r.ipv6_cidr {
        p = p.ipv6_ranges(
            Ipv6Range::builder()
                .cidr_ipv6(c)
                .set_description(description.map(String::from))
                .build(),
        );
    }
    if let Some(g) = &r.group_id {
        p = p.user_id_group_pairs(
            UserIdGroupPair::builder()
                .group_id(g)
                .set_description(description.map(String::from))
                .build(),
        );
    }
    if let Some(pl) = &r.prefix_list_id {
        p = p.prefix_list_ids(
            PrefixListId::builder()
                .prefix_list_id(pl)
                .set_description(description.map(String::from))
                .build(),
        );
    }
    p.build()
}

/// An SDK permission as snapshot JSON (for [`split_permission`]).
fn permission_json(p: &IpPermission) -> Value {
    json!({
        "IpProtocol": p.ip_protocol(),
        "FromPort": p.from_port(),
        "ToPort": p.to_port(),
        "IpRanges": p.ip_ranges().iter().map(|r| json!({"CidrIp": r.cidr_ip(), "Description": r.description()})).collect::<Vec<_>>(),
        "Ipv6Ranges": p.ipv6_ranges().iter().map(|r| json!({"CidrIpv6": r.cidr_ipv6(), "Description": r.description()})).collect::<Vec<_>>(),
        "UserIdGroupPairs": p.user_id_group_pairs().iter().map(|r| json!({"GroupId": r.group_id(), "Description": r.description()})).collect::<Vec<_>>(),
        "PrefixListIds": p.prefix_list_ids().iter().map(|r| json!({"PrefixListId": r.prefix_list_id(), "Description": r.description()})).collect::<Vec<_>>(),
    })
}

fn acl_entry_json(e: &aws_sdk_ec2::types::NetworkAclEntry) -> Value {
    let mut v = json!({
        "RuleNumber": e.rule_number(),
        "Egress": e.egress(),
        "Protocol": e.protocol(),
        "RuleAction": e.rule_action().map(|a| a.as_str()),
    });
    if let Some(c) = e.cidr_block() {
        v["CidrBlock"] = json!(c);
    }
    if let Some(c) = e.ipv6_cidr_block() {
        v["Ipv6CidrBlock"] = json!(c);
    }
    if let Some(p) = e.port_range() {
        v["PortRange"] = json!({"From": p.from(), "To": p.to()});
    }
    v
}

impl AwsTarget {
    /// The account's enabled regions (ec2:DescribeRegions), sorted.
    pub fn enabled_regions(&self) -> Result<Vec<String>, TargetError> {
        let out = self.send(self.ec2(&self.home).describe_regions().send())?;
        let mut regions: Vec<String> = out
            .regions()
            .iter()
            .filter(|r| r.opt_in_status() != Some("not-opted-in"))
            .filter_map(|r| r.region_name().map(String::from))
            .collect();
        regions.sort();
        Ok(regions)
    }

    /// The region's quota of VPCs (Service Quotas L-F678F1CE) and whether it was read; the
    /// default (5) when it cannot be.
    pub fn vpc_quota(&self, region: &str) -> (u32, bool) {
        let out = self.send(
            self.clients
                .servicequotas(region)
                .get_service_quota()
                .service_code(VPC_QUOTA_SERVICE)
                .quota_code(VPC_QUOTA_CODE)
                .send(),
        );
        match out {
            Ok(o) => match o.quota().and_then(|q| q.value()) {
                Some(v) if v >= 0.0 => (v as u32, true),
                _ => (DEFAULT_VPC_QUOTA, false),
            },
            Err(e) => {
                tracing::info!(
                    "servicequotas:GetServiceQuota {VPC_QUOTA_CODE} in {region}: {e}; assuming the default quota of {DEFAULT_VPC_QUOTA} VPCs"
                );
                (DEFAULT_VPC_QUOTA, false)
            }
        }
    }

    /// The region's VPCs and how many network interfaces each has.
    pub fn vpc_usage(&self, region: &str) -> Result<Vec<VpcUse>, TargetError> {
        let ec2 = self.ec2(region);
        let vpcs = self.send(ec2.describe_vpcs().send())?;
        let enis = self.send(ec2.describe_network_interfaces().send())?;
        let mut out: Vec<VpcUse> = vpcs
            .vpcs()
            .iter()
            .filter_map(|v| {
                let id = v.vpc_id()?.to_string();
                let interfaces = enis
                    .network_interfaces()
                    .iter()
                    .filter(|n| n.vpc_id() == Some(id.as_str()))
                    .count();
                Some(VpcUse {
                    id,
                    is_default: v.is_default().unwrap_or(false),
                    interfaces,
                })
            })
            .collect();
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    /// The VPC capacity of `region`, and when it is full, of the account's other regions.
    pub fn vpc_capacity(&self, region: &str) -> Result<VpcCapacity, TargetError> {
        let (quota, quota_read) = self.vpc_quota(region);
        let vpcs = self.vpc_usage(region)?;
        let mut others = Vec::new();
        if vpcs.len() >= quota as usize {
            for other in self.enabled_regions()? {
                if other == region {
                    continue;
                }
                let (q, _) = self.vpc_quota(&other);
                match self.vpc_usage(&other) {
                    Ok(v) => others.push((other, v.len(), q)),
                    Err(e) => tracing::info!("counting the VPCs of {other}: {e}"),
                }
            }
        }
        Ok(VpcCapacity {
            region: region.to_string(),
            quota,
            quota_read,
            vpcs,
            others,
        })
    }

    pub(super) fn security_group(
        &self,
        region: &str,
        group_id: &str,
    ) -> Result<Option<aws_sdk_ec2::types::SecurityGroup>, TargetError> {
        let out = found(
            self.send(
                self.ec2(region)
                    .describe_security_groups()
                    .group_ids(group_id)
                    .send(),
            ),
        )?;
        Ok(out
            .and_then(|o| o.security_groups)
            .and_then(|g| g.into_iter().next()))
    }

    pub(super) fn group_by_name(
        &self,
        region: &str,
        vpc: &str,
        name: &str,
    ) -> Result<Value, TargetError> {
        let out = self.send(
            self.ec2(region)
                .describe_security_groups()
                .filters(filter("vpc-id", vpc))
                .filters(filter("group-name", name))
                .send(),
        )?;
        Ok(out
            .security_groups()
            .iter()
            .find(|g| g.group_name() == Some(name) && g.vpc_id() == Some(vpc))
            .map(|g| json!({"id": g.group_id(), "tags": ec2_tags(g.tags())}))
            .unwrap_or(Value::Null))
    }

    pub(super) fn sg_rule(
        &self,
        region: &str,
        group_id: &str,
        direction: Direction,
        rule: &SgRule,
    ) -> Result<Value, TargetError> {
        let Some(g) = self.security_group(region, group_id)? else {
            // No group, no rule to restore or change: the caller decides what that means.
            return Err(TargetError::new(
                "InvalidGroup.NotFound",
                format!("the security group '{group_id}' does not exist"),
            ));
        };
        let perms = match direction {
            Direction::Ingress => g.ip_permissions(),
            Direction::Egress => g.ip_permissions_egress(),
        };
        let want = rule.canonical();
        for p in perms {
            for (r, desc) in split_permission(&permission_json(p)) {
                if r.canonical() == want {
                    return Ok(match desc {
                        Some(d) => json!({ "Description": d }),
                        None => json!({}),
                    });
                }
            }
        }
        Ok(Value::Null)
    }

    pub(super) fn vpc_by_tags(&self, region: &str, tags: &Tags) -> Result<Value, TargetError> {
        let mut req = self.ec2(region).describe_vpcs();
        for (k, v) in tags {
            req = req.filters(filter(&format!("tag:{k}"), v));
        }
        let out = self.send(req.send())?;
        let mut found: Vec<Value> = out
            .vpcs()
            .iter()
            .filter(|v| {
                let have = ec2_tags(v.tags());
                tags.iter()
                    .all(|(k, val)| have.get(k).and_then(Value::as_str) == Some(val))
            })
            .map(|v| json!({"id": v.vpc_id(), "cidr": v.cidr_block(), "tags": ec2_tags(v.tags())}))
            .collect();
        found.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
        Ok(found.into_iter().next().unwrap_or(Value::Null))
    }

    pub(super) fn subnet_by_cidr(
        &self,
        region: &str,
        vpc: &str,
        cidr: &str,
    ) -> Result<Value, TargetError> {
        let out = self.send(
            self.ec2(region)
                .describe_subnets()
                .filters(filter("vpc-id", vpc))
                .send(),
        )?;
        Ok(out
            .subnets()
            .iter()
            .find(|s| s.cidr_block() == Some(cidr) && s.vpc_id() == Some(vpc))
            .map(|s| json!({"id": s.subnet_id(), "tags": ec2_tags(s.tags())}))
            .unwrap_or(Value::Null))
    }

    pub(super) fn ec2_resource(
        &self,
        region: &str,
        kind: &str,
        id: &str,
    ) -> Result<Value, TargetError> {
        let ec2 = self.ec2(region);
        let present = |found: bool| {
            if found {
                json!({ "id": id })
            } else {
                Value::Null
            }
        };
        let result = match kind {
            "vpc" => self
                .send(ec2.describe_vpcs().filters(filter("vpc-id", id)).send())
                .map(|o| present(o.vpcs().iter().any(|v| v.vpc_id() == Some(id)))),
            "subnet" => self
                .send(
                    ec2.describe_subnets()
                        .filters(filter("subnet-id", id))
                        .send(),
                )
                .map(|o| present(o.subnets().iter().any(|s| s.subnet_id() == Some(id)))),
            "security-group" => self
                .security_group(region, id)
                .map(|g| present(g.is_some())),
            "vpc-endpoint" => self
                .send(ec2.describe_vpc_endpoints().vpc_endpoint_ids(id).send())
                .map(|o| {
                    present(o.vpc_endpoints().iter().any(|e| {
                        e.vpc_endpoint_id() == Some(id)
                            && !endpoint_gone(e.state().map(|s| s.as_str()))
                    }))
                }),
            "flow-log" => self
                .send(
                    ec2.describe_flow_logs()
                        .filter(filter("flow-log-id", id))
                        .send(),
                )
                .map(|o| present(o.flow_logs().iter().any(|f| f.flow_log_id() == Some(id)))),
            other => Err(TargetError::new(
                "Unsupported",
                format!("EC2 resource kind {other}"),
            )),
        };
        match result {
            Err(e) if not_found(&e) => Ok(Value::Null),
            other => other,
        }
    }

    pub(super) fn endpoint(
        &self,
        region: &str,
        vpc: &str,
        service: &str,
    ) -> Result<Value, TargetError> {
        let out = self.send(
            self.ec2(region)
                .describe_vpc_endpoints()
                .filters(filter("vpc-id", vpc))
                .filters(filter("service-name", service))
                .send(),
        )?;
        Ok(out
            .vpc_endpoints()
            .iter()
            .find(|e| {
                e.vpc_id() == Some(vpc)
                    && e.service_name() == Some(service)
                    && !endpoint_gone(e.state().map(|s| s.as_str()))
            })
            .map(|e| json!({"id": e.vpc_endpoint_id(), "tags": ec2_tags(e.tags())}))
            .unwrap_or(Value::Null))
    }

    pub(super) fn flow_log(
        &self,
        region: &str,
        resource: &str,
        destination: &str,
    ) -> Result<Value, TargetError> {
        let out = self.send(
            self.ec2(region)
                .describe_flow_logs()
                .filter(filter("resource-id", resource))
                .send(),
        )?;
        Ok(out
            .flow_logs()
            .iter()
            .find(|f| f.resource_id() == Some(resource) && f.log_destination() == Some(destination))
            .map(|f| json!({"id": f.flow_log_id(), "tags": ec2_tags(f.tags())}))
            .unwrap_or(Value::Null))
    }

    pub(super) fn route(
        &self,
        region: &str,
        table: &str,
        destination: &str,
    ) -> Result<Value, TargetError> {
        let Some(out) = found(
            self.send(
                self.ec2(region)
                    .describe_route_tables()
                    .route_table_ids(table)
                    .send(),
            ),
        )?
        else {
            return Ok(Value::Null);
        };
        let Some(t) = out.route_tables().first() else {
            return Ok(Value::Null);
        };
        Ok(t.routes()
            .iter()
            .find(|r| {
                r.destination_cidr_block() == Some(destination)
                    || r.destination_ipv6_cidr_block() == Some(destination)
            })
            .map(|r| match r.gateway_id() {
                Some(g) => json!({ "GatewayId": g }),
                None => json!({ "target": "other" }),
            })
            .unwrap_or(Value::Null))
    }

    pub(super) fn acl_entry(
        &self,
        region: &str,
        acl: &str,
        number: i32,
        egress: bool,
    ) -> Result<Value, TargetError> {
        let out = self.send(
            self.ec2(region)
                .describe_network_acls()
                .network_acl_ids(acl)
                .send(),
        )?;
        Ok(out
            .network_acls()
            .first()
            .and_then(|a| {
                a.entries()
                    .iter()
                    .find(|e| e.rule_number() == Some(number) && e.egress() == Some(egress))
            })
            .map(acl_entry_json)
            .unwrap_or(Value::Null))
    }

    pub(super) fn vpc_default(
        &self,
        region: &str,
        vpc: &str,
        what: &str,
    ) -> Result<Value, TargetError> {
        let ec2 = self.ec2(region);
        let id = match what {
            "group" => self.group_by_name(region, vpc, "default")?["id"]
                .as_str()
                .map(String::from),
            "acl" => self
                .send(
                    ec2.describe_network_acls()
                        .filters(filter("vpc-id", vpc))
                        .send(),
                )?
                .network_acls()
                .iter()
                .find(|a| a.is_default() == Some(true) && a.vpc_id() == Some(vpc))
                .and_then(|a| a.network_acl_id().map(String::from)),
            _ => self
                .send(
                    ec2.describe_route_tables()
                        .filters(filter("vpc-id", vpc))
                        .send(),
                )?
                .route_tables()
                .iter()
                .find(|t| {
                    t.vpc_id() == Some(vpc)
                        && t.associations().iter().any(|a| a.main() == Some(true))
                })
                .and_then(|t| t.route_table_id().map(String::from)),
        };
        Ok(id.map_or(Value::Null, |id| json!({ "id": id })))
    }

    pub(super) fn map_public_ip(
        &self,
        region: &str,
        subnet_id: &str,
    ) -> Result<Value, TargetError> {
        let out = self.send(
            self.ec2(region)
                .describe_subnets()
                .subnet_ids(subnet_id)
                .send(),
        )?;
        Ok(out
            .subnets()
            .first()
            .map(|s| json!(s.map_public_ip_on_launch().unwrap_or(false)))
            .unwrap_or(Value::Null))
    }

    pub(super) fn dns_hostnames(&self, region: &str, vpc_id: &str) -> Result<Value, TargetError> {
        let out = self.send(
            self.ec2(region)
                .describe_vpc_attribute()
                .vpc_id(vpc_id)
                .attribute(VpcAttributeName::EnableDnsHostnames)
                .send(),
        )?;
        Ok(json!(
            out.enable_dns_hostnames()
                .and_then(|v| v.value())
                .unwrap_or(false)
        ))
    }

    /// The region's available zones, in name order.
    pub(super) fn zones(&self, region: &str) -> Result<Vec<String>, TargetError> {
        let out = self.send(self.ec2(region).describe_availability_zones().send())?;
        let mut zones: Vec<String> = out
            .availability_zones()
            .iter()
            .filter(|z| z.state().is_none_or(|s| s.as_str() == "available"))
            .filter_map(|z| z.zone_name().map(String::from))
            .collect();
        zones.sort();
        Ok(zones)
    }
}

pub(super) fn endpoint_gone(state: Option<&str>) -> bool {
    state.is_some_and(|s| {
        matches!(
            s.to_ascii_lowercase().as_str(),
            "deleted" | "deleting" | "failed" | "rejected" | "expired"
        )
    })
}

fn acl_ports(e: &AclEntry) -> Option<PortRange> {
    match (e.port_from, e.port_to) {
        (Some(a), Some(b)) if e.protocol != "-1" => {
            Some(PortRange::builder().from(a).to(b).build())
        }
        _ => None,
    }
}

fn acl_icmp(e: &AclEntry) -> Option<IcmpTypeCode> {
    (e.protocol == "1").then(|| IcmpTypeCode::builder().r#type(-1).code(-1).build())
}

// --- operations ----------------------------------------------------------------------------

pub(in crate::remediate) fn authorize_security_group_ingress(
    t: &AwsTarget,
    region: &str,
    group_id: &str,
    rule: &SgRule,
    description: Option<&str>,
) -> Result<Value, TargetError> {
    t.done(
        t.ec2(region)
            .authorize_security_group_ingress()
            .group_id(group_id)
            .ip_permissions(permission(rule, description))
            .send(),
    )
}

pub(in crate::remediate) fn revoke_security_group_ingress(
    t: &AwsTarget,
    region: &str,
    group_id: &str,
    rule: &SgRule,
    description: Option<&str>,
) -> Result<Value, TargetError> {
    t.done(
        t.ec2(region)
            .revoke_security_group_ingress()
            .group_id(group_id)
            .ip_permissions(permission(rule, description))
            .send(),
    )
}

pub(in crate::remediate) fn authorize_security_group_egress(
    t: &AwsTarget,
    region: &str,
    group_id: &str,
    rule: &SgRule,
    description: Option<&str>,
) -> Result<Value, TargetError> {
    t.done(
        t.ec2(region)
            .authorize_security_group_egress()
            .group_id(group_id)
            .ip_permissions(permission(rule, description))
            .send(),
    )
}

pub(in crate::remediate) fn revoke_security_group_egress(
    t: &AwsTarget,
    region: &str,
    group_id: &str,
    rule: &SgRule,
    description: Option<&str>,
) -> Result<Value, TargetError> {
    t.done(
        t.ec2(region)
            .revoke_security_group_egress()
            .group_id(group_id)
            .ip_permissions(permission(rule, description))
            .send(),
    )
}

pub(in crate::remediate) fn modify_subnet_attribute(
    t: &AwsTarget,
    region: &str,
    subnet_id: &str,
    map_public_ip_on_launch: bool,
) -> Result<Value, TargetError> {
    t.done(
        t.ec2(region)
            .modify_subnet_attribute()
            .subnet_id(subnet_id)
            .map_public_ip_on_launch(
                AttributeBooleanValue::builder()
                    .value(map_public_ip_on_launch)
                    .build(),
            )
            .send(),
    )
}

pub(in crate::remediate) fn modify_vpc_attribute(
    t: &AwsTarget,
    region: &str,
    vpc_id: &str,
    enable_dns_hostnames: bool,
) -> Result<Value, TargetError> {
    t.done(
        t.ec2(region)
            .modify_vpc_attribute()
            .vpc_id(vpc_id)
            .enable_dns_hostnames(
                AttributeBooleanValue::builder()
                    .value(enable_dns_hostnames)
                    .build(),
            )
            .send(),
    )
}

pub(in crate::remediate) fn create_flow_logs(
    t: &AwsTarget,
    region: &str,
    resource_id: &str,
    log_destination: &str,
    tags: &Tags,
) -> Result<Value, TargetError> {
    let out = t.send(
        t.ec2(region)
            .create_flow_logs()
            .resource_ids(resource_id)
            .resource_type(FlowLogsResourceType::Vpc)
            .traffic_type(TrafficType::All)
            .log_destination_type(LogDestinationType::S3)
            .log_destination(log_destination)
            .tag_specifications(tag_spec(ResourceType::VpcFlowLog, tags))
            .send(),
    )?;
    if let Some(failure) = out.unsuccessful().first() {
        let e = failure.error();
        return Err(TargetError::new(
            e.and_then(|e| e.code()).unwrap_or("Unsuccessful"),
            e.and_then(|e| e.message())
                .unwrap_or("the flow log was not created"),
        ));
    }
    Ok(json!({"id": out.flow_log_ids().first()}))
}

pub(in crate::remediate) fn delete_flow_logs(
    t: &AwsTarget,
    region: &str,
    flow_log_id: &str,
) -> Result<Value, TargetError> {
    t.done(
        t.ec2(region)
            .delete_flow_logs()
            .flow_log_ids(flow_log_id)
            .send(),
    )
}

pub(in crate::remediate) fn create_route(
    t: &AwsTarget,
    region: &str,
    route_table_id: &str,
    destination: &str,
    gateway_id: &str,
) -> Result<Value, TargetError> {
    let req = t
        .ec2(region)
        .create_route()
        .route_table_id(route_table_id)
        .gateway_id(gateway_id);
    let req = if destination.contains(':') {
        req.destination_ipv6_cidr_block(destination)
    } else {
        req.destination_cidr_block(destination)
    };
    t.done(req.send())
}

pub(in crate::remediate) fn delete_route(
    t: &AwsTarget,
    region: &str,
    route_table_id: &str,
    destination: &str,
) -> Result<Value, TargetError> {
    let req = t.ec2(region).delete_route().route_table_id(route_table_id);
    let req = if destination.contains(':') {
        req.destination_ipv6_cidr_block(destination)
    } else {
        req.destination_cidr_block(destination)
    };
    t.done(req.send())
}

pub(in crate::remediate) fn create_network_acl_entry(
    t: &AwsTarget,
    region: &str,
    network_acl_id: &str,
    e: &AclEntry,
) -> Result<Value, TargetError> {
    t.done(
        t.ec2(region)
            .create_network_acl_entry()
            .network_acl_id(network_acl_id)
            .rule_number(e.rule_number)
            .egress(e.egress)
            .protocol(&e.protocol)
            .rule_action(RuleAction::from(e.rule_action.as_str()))
            .set_cidr_block(e.cidr_block.clone())
            .set_ipv6_cidr_block(e.ipv6_cidr_block.clone())
            .set_port_range(acl_ports(e))
            .set_icmp_type_code(acl_icmp(e))
            .send(),
    )
}

pub(in crate::remediate) fn replace_network_acl_entry(
    t: &AwsTarget,
    region: &str,
    network_acl_id: &str,
    e: &AclEntry,
) -> Result<Value, TargetError> {
    t.done(
        t.ec2(region)
            .replace_network_acl_entry()
            .network_acl_id(network_acl_id)
            .rule_number(e.rule_number)
            .egress(e.egress)
            .protocol(&e.protocol)
            .rule_action(RuleAction::from(e.rule_action.as_str()))
            .set_cidr_block(e.cidr_block.clone())
            .set_ipv6_cidr_block(e.ipv6_cidr_block.clone())
            .set_port_range(acl_ports(e))
            .set_icmp_type_code(acl_icmp(e))
            .send(),
    )
}

pub(in crate::remediate) fn delete_network_acl_entry(
    t: &AwsTarget,
    region: &str,
    network_acl_id: &str,
    rule_number: i32,
    egress: bool,
) -> Result<Value, TargetError> {
    t.done(
        t.ec2(region)
            .delete_network_acl_entry()
            .network_acl_id(network_acl_id)
            .rule_number(rule_number)
            .egress(egress)
            .send(),
    )
}

#[allow(clippy::too_many_arguments)]
pub(in crate::remediate) fn create_vpc_endpoint(
    t: &AwsTarget,
    region: &str,
    vpc_id: &str,
    service_name: &str,
    endpoint_type: &str,
    route_table_ids: &[String],
    subnet_ids: &[String],
    security_group_ids: &[String],
    private_dns_enabled: bool,
    tags: &Tags,
) -> Result<Value, TargetError> {
    let mut req = t
        .ec2(region)
        .create_vpc_endpoint()
        .vpc_id(vpc_id)
        .service_name(service_name)
        .vpc_endpoint_type(VpcEndpointType::from(endpoint_type))
        .tag_specifications(tag_spec(ResourceType::VpcEndpoint, tags));
    if endpoint_type == "Interface" {
        req = req.private_dns_enabled(private_dns_enabled);
    }
    for id in route_table_ids {
        req = req.route_table_ids(id);
    }
    for id in subnet_ids {
        req = req.subnet_ids(id);
    }
    for id in security_group_ids {
        req = req.security_group_ids(id);
    }
    let out = t.send(req.send())?;
    Ok(json!({"id": out.vpc_endpoint().and_then(|e| e.vpc_endpoint_id())}))
}

pub(in crate::remediate) fn delete_vpc_endpoints(
    t: &AwsTarget,
    region: &str,
    vpc_endpoint_id: &str,
) -> Result<Value, TargetError> {
    let out = t.send(
        t.ec2(region)
            .delete_vpc_endpoints()
            .vpc_endpoint_ids(vpc_endpoint_id)
            .send(),
    )?;
    match out.unsuccessful().first().and_then(|u| u.error()) {
        Some(e) => Err(TargetError::new(
            e.code().unwrap_or("Unsuccessful"),
            e.message().unwrap_or("the endpoint was not deleted"),
        )),
        None => Ok(Value::Null),
    }
}

pub(in crate::remediate) fn create_security_group(
    t: &AwsTarget,
    region: &str,
    vpc_id: &str,
    group_name: &str,
    description: &str,
    tags: &Tags,
) -> Result<Value, TargetError> {
    let out = t.send(
        t.ec2(region)
            .create_security_group()
            .vpc_id(vpc_id)
            .group_name(group_name)
            .description(description)
            .tag_specifications(tag_spec(ResourceType::SecurityGroup, tags))
            .send(),
    )?;
    Ok(json!({"id": out.group_id()}))
}

pub(in crate::remediate) fn delete_security_group(
    t: &AwsTarget,
    region: &str,
    group_id: &str,
) -> Result<Value, TargetError> {
    let ec2 = t.ec2(region);
    t.delete_with_wait(|| t.done(ec2.delete_security_group().group_id(group_id).send()))
}

pub(in crate::remediate) fn create_vpc(
    t: &AwsTarget,
    region: &str,
    cidr_block: &str,
    tags: &Tags,
) -> Result<Value, TargetError> {
    let out = t.send(
        t.ec2(region)
            .create_vpc()
            .cidr_block(cidr_block)
            .tag_specifications(tag_spec(ResourceType::Vpc, tags))
            .send(),
    )?;
    Ok(json!({"id": out.vpc().and_then(|v| v.vpc_id())}))
}

pub(in crate::remediate) fn delete_vpc(
    t: &AwsTarget,
    region: &str,
    vpc_id: &str,
) -> Result<Value, TargetError> {
    let ec2 = t.ec2(region);
    t.delete_with_wait(|| t.done(ec2.delete_vpc().vpc_id(vpc_id).send()))
}

pub(in crate::remediate) fn create_subnet(
    t: &AwsTarget,
    region: &str,
    vpc_id: &str,
    cidr_block: &str,
    availability_zone: &str,
    tags: &Tags,
) -> Result<Value, TargetError> {
    let out = t.send(
        t.ec2(region)
            .create_subnet()
            .vpc_id(vpc_id)
            .cidr_block(cidr_block)
            .availability_zone(availability_zone)
            .tag_specifications(tag_spec(ResourceType::Subnet, tags))
            .send(),
    )?;
    Ok(json!({"id": out.subnet().and_then(|s| s.subnet_id())}))
}

pub(in crate::remediate) fn delete_subnet(
    t: &AwsTarget,
    region: &str,
    subnet_id: &str,
) -> Result<Value, TargetError> {
    let ec2 = t.ec2(region);
    t.delete_with_wait(|| t.done(ec2.delete_subnet().subnet_id(subnet_id).send()))
}
