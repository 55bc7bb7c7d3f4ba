package mlguard.network_isolation.subnet_reachable_from_internet

import rego.v1

mk_subnet(id, extra) := object.union({"SubnetId": id, "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24", "MapPublicIpOnLaunch": false}, extra)

mk_table(id, assocs, routes) := {"RouteTableId": id, "VpcId": "vpc-1", "Associations": assocs, "Routes": routes}

mk_main := {"Main": true, "RouteTableAssociationId": "rtbassoc-main", "AssociationState": {"State": "associated"}}

mk_assoc(subnet) := {"Main": false, "SubnetId": subnet, "RouteTableAssociationId": sprintf("rtbassoc-%s", [subnet]), "AssociationState": {"State": "associated"}}

mk_local := {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"}

mk_igw := {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1", "State": "active"}

mk_igw6 := {"DestinationIpv6CidrBlock": "::/0", "GatewayId": "igw-1", "State": "active"}

mk_snap(subs, tabs) := {
	"metadata": {"account_id": "123456789012"},
	"regions": {"us-east-1": {"ec2": {"subnets": subs, "route_tables": tabs}}},
}

test_explicit_table_with_igw_route_denied if {
	some r in deny with input as mk_snap([mk_subnet("subnet-1", {})], [mk_table("rtb-1", [mk_assoc("subnet-1")], [mk_local, mk_igw])])
	r.msg == "subnet subnet-1 of vpc-1 is reachable from the internet: routes 0.0.0.0/0 to internet gateway igw-1 through route table rtb-1"
}

test_main_table_inherited_igw_route_denied if {
	snap := mk_snap(
		[mk_subnet("subnet-1", {})],
		[mk_table("rtb-main", [mk_main], [mk_local, mk_igw])],
	)
	some r in deny with input as snap
	contains(r.msg, "through the VPC's main route table rtb-main")
}

test_ipv6_default_route_to_igw_denied if {
	count(deny) == 1 with input as mk_snap([mk_subnet("subnet-1", {})], [mk_table("rtb-1", [mk_assoc("subnet-1")], [mk_igw6])])
}

test_map_public_ip_on_launch_denied if {
	some r in deny with input as mk_snap([mk_subnet("subnet-1", {"MapPublicIpOnLaunch": true})], [mk_table("rtb-1", [mk_assoc("subnet-1")], [mk_local])])
	contains(r.msg, "MapPublicIpOnLaunch")
}

test_both_reasons_one_result_denied if {
	snap := mk_snap([mk_subnet("subnet-1", {"MapPublicIpOnLaunch": true})], [mk_table("rtb-1", [mk_assoc("subnet-1")], [mk_igw, mk_igw6])])
	count(deny) == 1 with input as snap
	some r in deny with input as snap
	contains(r.msg, "routes 0.0.0.0/0 to internet gateway igw-1 through route table rtb-1; routes ::/0 to internet gateway igw-1 through route table rtb-1; assigns")
}

test_explicit_private_table_overrides_public_main_passes if {
	snap := mk_snap(
		[mk_subnet("subnet-1", {})],
		[mk_table("rtb-main", [mk_main], [mk_local, mk_igw]), mk_table("rtb-private", [mk_assoc("subnet-1")], [mk_local])],
	)
	count(deny) == 0 with input as snap
}

test_nat_gateway_route_passes if {
	snap := mk_snap([mk_subnet("subnet-1", {})], [mk_table("rtb-1", [mk_assoc("subnet-1")], [mk_local, {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-1", "State": "active"}])])
	count(deny) == 0 with input as snap
}

test_egress_only_gateway_route_passes if {
	snap := mk_snap([mk_subnet("subnet-1", {})], [mk_table("rtb-1", [mk_assoc("subnet-1")], [{"DestinationIpv6CidrBlock": "::/0", "EgressOnlyInternetGatewayId": "eigw-1", "State": "active"}])])
	count(deny) == 0 with input as snap
}

test_blackhole_igw_route_passes if {
	snap := mk_snap([mk_subnet("subnet-1", {})], [mk_table("rtb-1", [mk_assoc("subnet-1")], [object.union(mk_igw, {"State": "blackhole"})])])
	count(deny) == 0 with input as snap
}

test_narrow_route_to_igw_passes if {
	snap := mk_snap([mk_subnet("subnet-1", {})], [mk_table("rtb-1", [mk_assoc("subnet-1")], [{"DestinationCidrBlock": "203.0.113.0/24", "GatewayId": "igw-1", "State": "active"}])])
	count(deny) == 0 with input as snap
}

test_disassociated_explicit_table_falls_back_to_main_denied if {
	snap := mk_snap(
		[mk_subnet("subnet-1", {})],
		[
			mk_table("rtb-main", [mk_main], [mk_igw]),
			mk_table("rtb-old", [object.union(mk_assoc("subnet-1"), {"AssociationState": {"State": "disassociated"}})], [mk_local]),
		],
	)
	count(deny) == 1 with input as snap
}

test_main_table_of_other_vpc_not_assessed if {
	snap := mk_snap([mk_subnet("subnet-1", {})], [object.union(mk_table("rtb-main", [mk_main], [mk_igw]), {"VpcId": "vpc-2"})])
	count(deny) == 0 with input as snap
	some r in not_assessed with input as snap
	contains(r.msg, "no explicit association")
}

test_route_tables_listing_failed_not_assessed if {
	snap := object.union(mk_snap([mk_subnet("subnet-1", {})], []), {"gaps": [{"service": "ec2", "region": "us-east-1", "operation": "DescribeRouteTables", "error_code": "UnauthorizedOperation", "message": "denied"}]})
	some r in not_assessed with input as snap
	r.msg == "not assessed: the route tables of us-east-1 could not be listed"
}

test_public_ip_judged_without_route_tables_denied if {
	count(deny) == 1 with input as mk_snap([mk_subnet("subnet-1", {"MapPublicIpOnLaunch": true})], [])
}

test_every_subnet_is_applicable if {
	count(applicable) == 2 with input as mk_snap([mk_subnet("subnet-1", {}), mk_subnet("subnet-2", {})], [])
}

mk_route(dest, gateway, state) := {"DestinationCidrBlock": dest, "GatewayId": gateway, "State": state}

test_halves_of_ipv4_to_igw_denied if {
	routes := [mk_local, mk_route("0.0.0.0/1", "igw-1", "active"), mk_route("128.0.0.0/1", "igw-1", "active")]
	some r in deny with input as mk_snap([mk_subnet("subnet-1", {})], [mk_table("rtb-1", [mk_assoc("subnet-1")], routes)])
	r.msg == "subnet subnet-1 of vpc-1 is reachable from the internet: routes 0.0.0.0/1 to internet gateway igw-1 through route table rtb-1; routes 128.0.0.0/1 to internet gateway igw-1 through route table rtb-1; 0.0.0.0/1, 128.0.0.0/1 together cover every IPv4 address"
}

test_halves_with_one_blackholed_passes if {
	routes := [mk_local, mk_route("0.0.0.0/1", "igw-1", "active"), mk_route("128.0.0.0/1", "igw-1", "blackhole")]
	count(deny) == 0 with input as mk_snap([mk_subnet("subnet-1", {})], [mk_table("rtb-1", [mk_assoc("subnet-1")], routes)])
}

test_half_to_igw_half_to_nat_passes if {
	routes := [mk_local, mk_route("0.0.0.0/1", "igw-1", "active"), {"DestinationCidrBlock": "128.0.0.0/1", "NatGatewayId": "nat-1", "State": "active"}]
	count(deny) == 0 with input as mk_snap([mk_subnet("subnet-1", {})], [mk_table("rtb-1", [mk_assoc("subnet-1")], routes)])
}
