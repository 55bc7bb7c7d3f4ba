//! EC2 networking (per region): one paged Describe call per resource kind, at the API's
//! maximum page size, all nine concurrently.

use super::ctx::Ctx;
use super::json::{Obj, sort_by_field};
use aws_sdk_ec2::types::{
    FlowLog, InternetGateway, IpPermission, NatGateway, NetworkAcl, NetworkAclEntry, Route,
    RouteTable, RouteTableAssociation, SecurityGroup, Subnet, Tag, Vpc, VpcEndpoint,
};
use serde_json::{Value, json};
use std::sync::Arc;

/// The API maximum of MaxResults for most Describe calls (DescribeRouteTables allows 100).
const MAX_RESULTS: i32 = 1000;
const MAX_ROUTE_TABLES: i32 = 100;

fn tags(t: &[Tag]) -> impl Iterator<Item = (Option<&str>, Option<&str>)> {
    t.iter().map(|t| (t.key(), t.value()))
}

/// Reads one paged Describe call into JSON objects sorted by `id_field`.
macro_rules! describe {
    ($ctx:expr, $client:expr, $region:expr, $op:literal, $method:ident, $max:expr, $items:ident, $map:path, $id:literal) => {
        async {
            let mut out: Vec<Value> = Vec::new();
            $ctx.pages(
                "ec2",
                $region,
                $op,
                None,
                |token| {
                    $client
                        .$method()
                        .max_results($max)
                        .set_next_token(token)
                        .send()
                },
                |page| {
                    out.extend(page.$items().iter().map($map));
                    page.next_token
                },
            )
            .await;
            sort_by_field(&mut out, $id);
            out
        }
    };
}

/// `{"vpcs": [...], "subnets": [...], ...}`: the `ec2` object of a region.
pub(crate) async fn collect(ctx: Arc<Ctx>, client: aws_sdk_ec2::Client, region: String) -> Value {
    let task = ctx.progress.task(format!("ec2 {region}"));
    task.step("9 Describe calls");
    let r = region.as_str();
    let (vpcs, subnets, route_tables, igws, nats, endpoints, groups, acls, flow_logs) = tokio::join!(
        describe!(
            ctx,
            client,
            r,
            "DescribeVpcs",
            describe_vpcs,
            MAX_RESULTS,
            vpcs,
            vpc,
            "VpcId"
        ),
        describe!(
            ctx,
            client,
            r,
            "DescribeSubnets",
            describe_subnets,
            MAX_RESULTS,
            subnets,
            subnet,
            "SubnetId"
        ),
        describe!(
            ctx,
            client,
            r,
            "DescribeRouteTables",
            describe_route_tables,
            MAX_ROUTE_TABLES,
            route_tables,
            route_table,
            "RouteTableId"
        ),
        describe!(
            ctx,
            client,
            r,
            "DescribeInternetGateways",
            describe_internet_gateways,
            MAX_RESULTS,
            internet_gateways,
            internet_gateway,
            "InternetGatewayId"
        ),
        describe!(
            ctx,
            client,
            r,
            "DescribeNatGateways",
            describe_nat_gateways,
            MAX_RESULTS,
            nat_gateways,
            nat_gateway,
            "NatGatewayId"
        ),
        describe!(
            ctx,
            client,
            r,
            "DescribeVpcEndpoints",
            describe_vpc_endpoints,
            MAX_RESULTS,
            vpc_endpoints,
            vpc_endpoint,
            "VpcEndpointId"
        ),
        describe!(
            ctx,
            client,
            r,
            "DescribeSecurityGroups",
            describe_security_groups,
            MAX_RESULTS,
            security_groups,
            security_group,
            "GroupId"
        ),
        describe!(
            ctx,
            client,
            r,
            "DescribeNetworkAcls",
            describe_network_acls,
            MAX_RESULTS,
            network_acls,
            network_acl,
            "NetworkAclId"
        ),
        describe!(
            ctx,
            client,
            r,
            "DescribeFlowLogs",
            describe_flow_logs,
            MAX_RESULTS,
            flow_logs,
            flow_log,
            "FlowLogId"
        ),
    );
    task.done(format!(
        "{} VPCs, {} subnets, {} security groups",
        vpcs.len(),
        subnets.len(),
        groups.len()
    ));
    json!({
        "vpcs": vpcs,
        "subnets": subnets,
        "route_tables": route_tables,
        "internet_gateways": igws,
        "nat_gateways": nats,
        "vpc_endpoints": present(endpoints),
        "security_groups": groups,
        "network_acls": acls,
        "flow_logs": flow_logs,
    })
}

/// Endpoints still there: a deleted endpoint stays listed, in state `deleted`, for a while.
fn present(mut endpoints: Vec<Value>) -> Vec<Value> {
    endpoints.retain(|e| {
        !e["State"]
            .as_str()
            .is_some_and(|s| s.eq_ignore_ascii_case("deleted"))
    });
    endpoints
}

fn vpc(v: &Vpc) -> Value {
    Obj::new()
        .s("VpcId", v.vpc_id())
        .s("OwnerId", v.owner_id())
        .s("CidrBlock", v.cidr_block())
        .list(
            "CidrBlockAssociationSet",
            v.cidr_block_association_set(),
            |a| {
                Obj::new()
                    .s("AssociationId", a.association_id())
                    .s("CidrBlock", a.cidr_block())
                    .v(
                        "CidrBlockState",
                        a.cidr_block_state()
                            .map(|s| Obj::new().e("State", s.state()).build()),
                    )
                    .build()
            },
        )
        .list(
            "Ipv6CidrBlockAssociationSet",
            v.ipv6_cidr_block_association_set(),
            |a| {
                Obj::new()
                    .s("AssociationId", a.association_id())
                    .s("Ipv6CidrBlock", a.ipv6_cidr_block())
                    .build()
            },
        )
        .s("DhcpOptionsId", v.dhcp_options_id())
        .e("InstanceTenancy", v.instance_tenancy())
        .b("IsDefault", v.is_default())
        .e("State", v.state())
        .tags(tags(v.tags()))
        .build()
}

fn subnet(s: &Subnet) -> Value {
    Obj::new()
        .s("SubnetId", s.subnet_id())
        .s("SubnetArn", s.subnet_arn())
        .s("VpcId", s.vpc_id())
        .s("OwnerId", s.owner_id())
        .s("CidrBlock", s.cidr_block())
        .list(
            "Ipv6CidrBlockAssociationSet",
            s.ipv6_cidr_block_association_set(),
            |a| {
                Obj::new()
                    .s("AssociationId", a.association_id())
                    .s("Ipv6CidrBlock", a.ipv6_cidr_block())
                    .build()
            },
        )
        .s("AvailabilityZone", s.availability_zone())
        .s("AvailabilityZoneId", s.availability_zone_id())
        .n("AvailableIpAddressCount", s.available_ip_address_count())
        .b("DefaultForAz", s.default_for_az())
        .b("MapPublicIpOnLaunch", s.map_public_ip_on_launch())
        .b(
            "AssignIpv6AddressOnCreation",
            s.assign_ipv6_address_on_creation(),
        )
        .e("State", s.state())
        .tags(tags(s.tags()))
        .build()
}

fn route_table(t: &RouteTable) -> Value {
    Obj::new()
        .s("RouteTableId", t.route_table_id())
        .s("VpcId", t.vpc_id())
        .s("OwnerId", t.owner_id())
        .sorted_list("Routes", t.routes(), route)
        .list("Associations", t.associations(), association)
        .list("PropagatingVgws", t.propagating_vgws(), |g| {
            Obj::new().s("GatewayId", g.gateway_id()).build()
        })
        .tags(tags(t.tags()))
        .build()
}

fn route(r: &Route) -> Value {
    Obj::new()
        .s("DestinationCidrBlock", r.destination_cidr_block())
        .s("DestinationIpv6CidrBlock", r.destination_ipv6_cidr_block())
        .s("DestinationPrefixListId", r.destination_prefix_list_id())
        .s("GatewayId", r.gateway_id())
        .s(
            "EgressOnlyInternetGatewayId",
            r.egress_only_internet_gateway_id(),
        )
        .s("NatGatewayId", r.nat_gateway_id())
        .s("TransitGatewayId", r.transit_gateway_id())
        .s("LocalGatewayId", r.local_gateway_id())
        .s("CarrierGatewayId", r.carrier_gateway_id())
        .s("NetworkInterfaceId", r.network_interface_id())
        .s("InstanceId", r.instance_id())
        .s("InstanceOwnerId", r.instance_owner_id())
        .s("VpcPeeringConnectionId", r.vpc_peering_connection_id())
        .s("CoreNetworkArn", r.core_network_arn())
        .e("Origin", r.origin())
        .e("State", r.state())
        .build()
}

fn association(a: &RouteTableAssociation) -> Value {
    Obj::new()
        .b("Main", a.main())
        .s("RouteTableAssociationId", a.route_table_association_id())
        .s("RouteTableId", a.route_table_id())
        .s("SubnetId", a.subnet_id())
        .s("GatewayId", a.gateway_id())
        .v(
            "AssociationState",
            a.association_state()
                .map(|s| Obj::new().e("State", s.state()).build()),
        )
        .build()
}

fn internet_gateway(g: &InternetGateway) -> Value {
    Obj::new()
        .s("InternetGatewayId", g.internet_gateway_id())
        .s("OwnerId", g.owner_id())
        .list("Attachments", g.attachments(), |a| {
            Obj::new()
                .s("VpcId", a.vpc_id())
                .e("State", a.state())
                .build()
        })
        .tags(tags(g.tags()))
        .build()
}

fn nat_gateway(n: &NatGateway) -> Value {
    Obj::new()
        .s("NatGatewayId", n.nat_gateway_id())
        .s("VpcId", n.vpc_id())
        .s("SubnetId", n.subnet_id())
        .e("State", n.state())
        .e("ConnectivityType", n.connectivity_type())
        .t("CreateTime", n.create_time())
        .t("DeleteTime", n.delete_time())
        .list("NatGatewayAddresses", n.nat_gateway_addresses(), |a| {
            Obj::new()
                .s("AllocationId", a.allocation_id())
                .s("NetworkInterfaceId", a.network_interface_id())
                .s("PrivateIp", a.private_ip())
                .s("PublicIp", a.public_ip())
                .b("IsPrimary", a.is_primary())
                .build()
        })
        .tags(tags(n.tags()))
        .build()
}

fn vpc_endpoint(e: &VpcEndpoint) -> Value {
    Obj::new()
        .s("VpcEndpointId", e.vpc_endpoint_id())
        .e("VpcEndpointType", e.vpc_endpoint_type())
        .s("VpcId", e.vpc_id())
        .s("OwnerId", e.owner_id())
        .s("ServiceName", e.service_name())
        // Kept as sent: moto answers in lower case, which the SDK keeps as an unknown value.
        .e("State", e.state())
        // The document as EC2 returns it (JSON text); the loader decodes it.
        .s("PolicyDocument", e.policy_document())
        .strs("RouteTableIds", e.route_table_ids())
        .strs("SubnetIds", e.subnet_ids())
        .list("Groups", e.groups(), |g| {
            Obj::new()
                .s("GroupId", g.group_id())
                .s("GroupName", g.group_name())
                .build()
        })
        .b("PrivateDnsEnabled", e.private_dns_enabled())
        .b("RequesterManaged", e.requester_managed())
        .strs("NetworkInterfaceIds", e.network_interface_ids())
        .t("CreationTimestamp", e.creation_timestamp())
        .tags(tags(e.tags()))
        .build()
}

fn security_group(g: &SecurityGroup) -> Value {
    Obj::new()
        .s("GroupId", g.group_id())
        .s("GroupName", g.group_name())
        .s("SecurityGroupArn", g.security_group_arn())
        .s("Description", g.description())
        .s("VpcId", g.vpc_id())
        .s("OwnerId", g.owner_id())
        .sorted_list("IpPermissions", g.ip_permissions(), ip_permission)
        .sorted_list(
            "IpPermissionsEgress",
            g.ip_permissions_egress(),
            ip_permission,
        )
        .tags(tags(g.tags()))
        .build()
}

fn ip_permission(p: &IpPermission) -> Value {
    Obj::new()
        .s("IpProtocol", p.ip_protocol())
        .n("FromPort", p.from_port())
        .n("ToPort", p.to_port())
        .sorted_list("IpRanges", p.ip_ranges(), |r| {
            Obj::new()
                .s("CidrIp", r.cidr_ip())
                .s("Description", r.description())
                .build()
        })
        .sorted_list("Ipv6Ranges", p.ipv6_ranges(), |r| {
            Obj::new()
                .s("CidrIpv6", r.cidr_ipv6())
                .s("Description", r.description())
                .build()
        })
        .sorted_list("PrefixListIds", p.prefix_list_ids(), |r| {
            Obj::new()
                .s("PrefixListId", r.prefix_list_id())
                .s("Description", r.description())
                .build()
        })
        .sorted_list("UserIdGroupPairs", p.user_id_group_pairs(), |g| {
            Obj::new()
                .s("GroupId", g.group_id())
                .s("GroupName", g.group_name())
                .s("UserId", g.user_id())
                .s("VpcId", g.vpc_id())
                .s("VpcPeeringConnectionId", g.vpc_peering_connection_id())
                .s("PeeringStatus", g.peering_status())
                .s("Description", g.description())
                .build()
        })
        .build()
}

fn network_acl(n: &NetworkAcl) -> Value {
    Obj::new()
        .s("NetworkAclId", n.network_acl_id())
        .s("VpcId", n.vpc_id())
        .s("OwnerId", n.owner_id())
        .b("IsDefault", n.is_default())
        .sorted_list("Entries", n.entries(), acl_entry)
        .list("Associations", n.associations(), |a| {
            Obj::new()
                .s("NetworkAclAssociationId", a.network_acl_association_id())
                .s("NetworkAclId", a.network_acl_id())
                .s("SubnetId", a.subnet_id())
                .build()
        })
        .tags(tags(n.tags()))
        .build()
}

fn acl_entry(e: &NetworkAclEntry) -> Value {
    Obj::new()
        .n("RuleNumber", e.rule_number())
        .s("Protocol", e.protocol())
        .e("RuleAction", e.rule_action())
        .b("Egress", e.egress())
        .s("CidrBlock", e.cidr_block())
        .s("Ipv6CidrBlock", e.ipv6_cidr_block())
        .v(
            "PortRange",
            e.port_range()
                .map(|p| Obj::new().n("From", p.from()).n("To", p.to()).build()),
        )
        .v(
            "IcmpTypeCode",
            e.icmp_type_code()
                .map(|c| Obj::new().n("Code", c.code()).n("Type", c.r#type()).build()),
        )
        .build()
}

fn flow_log(f: &FlowLog) -> Value {
    Obj::new()
        .s("FlowLogId", f.flow_log_id())
        .s("ResourceId", f.resource_id())
        .s("FlowLogStatus", f.flow_log_status())
        .s("DeliverLogsStatus", f.deliver_logs_status())
        .s("DeliverLogsErrorMessage", f.deliver_logs_error_message())
        .s("DeliverLogsPermissionArn", f.deliver_logs_permission_arn())
        .e("TrafficType", f.traffic_type())
        .e("LogDestinationType", f.log_destination_type())
        .s("LogDestination", f.log_destination())
        .s("LogGroupName", f.log_group_name())
        .s("LogFormat", f.log_format())
        .n("MaxAggregationInterval", f.max_aggregation_interval())
        .t("CreationTime", f.creation_time())
        .tags(tags(f.tags()))
        .build()
}
