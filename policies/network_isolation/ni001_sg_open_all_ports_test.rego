package mlguard.network_isolation.security_group_open_to_world

import rego.v1

mk_sg(perms) := {"GroupId": "sg-1", "GroupName": "web", "VpcId": "vpc-1", "IpPermissions": perms}

mk_snap(sgs) := {"metadata": {"account_id": "123456789012"}, "regions": {"us-east-1": {"ec2": {"security_groups": sgs}}}}

mk_perm(proto, from, to, v4, v6) := {
	"IpProtocol": proto, "FromPort": from, "ToPort": to,
	"IpRanges": [{"CidrIp": c} | some c in v4],
	"Ipv6Ranges": [{"CidrIpv6": c} | some c in v6],
}

mk_all(v4, v6) := {"IpProtocol": "-1", "IpRanges": [{"CidrIp": c} | some c in v4], "Ipv6Ranges": [{"CidrIpv6": c} | some c in v6]}

test_all_traffic_from_ipv4_world_denied if {
	some r in deny with input as mk_snap([mk_sg([mk_all(["0.0.0.0/0"], [])])])
	r.msg == "security group sg-1 (web) admits every port from the internet: all traffic from 0.0.0.0/0"
}

test_all_traffic_from_ipv6_world_denied if {
	count(deny) == 1 with input as mk_snap([mk_sg([mk_all([], ["::/0"])])])
}

test_tcp_full_range_denied if {
	some r in deny with input as mk_snap([mk_sg([mk_perm("tcp", 0, 65535, ["0.0.0.0/0"], ["::/0"])])])
	contains(r.msg, "tcp/0-65535 from 0.0.0.0/0, ::/0")
}

test_udp_full_range_denied if {
	count(deny) == 1 with input as mk_snap([mk_sg([mk_perm("udp", 0, 65535, ["0.0.0.0/0"], [])])])
}

test_two_open_rules_one_result_denied if {
	count(deny) == 1 with input as mk_snap([mk_sg([mk_all(["0.0.0.0/0"], []), mk_perm("tcp", 0, 65535, [], ["::/0"])])])
}

test_all_traffic_from_private_range_passes if {
	count(deny) == 0 with input as mk_snap([mk_sg([mk_all(["10.0.0.0/8"], [])])])
}

test_single_port_from_world_passes if {
	count(deny) == 0 with input as mk_snap([mk_sg([mk_perm("tcp", 443, 443, ["0.0.0.0/0"], ["::/0"])])])
}

test_almost_all_ports_passes if {
	count(deny) == 0 with input as mk_snap([mk_sg([mk_perm("tcp", 1, 65535, ["0.0.0.0/0"], [])])])
}

test_security_group_reference_passes if {
	count(deny) == 0 with input as mk_snap([mk_sg([{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": "sg-1"}]}])])
}

test_egress_to_world_passes if {
	count(deny) == 0 with input as mk_snap([object.union(mk_sg([]), {"IpPermissionsEgress": [mk_all(["0.0.0.0/0"], [])]})])
}

test_every_security_group_is_applicable if {
	count(applicable) == 2 with input as mk_snap([mk_sg([]), object.union(mk_sg([]), {"GroupId": "sg-2"})])
}

test_halves_of_ipv4_in_two_rules_denied if {
	some r in deny with input as mk_snap([mk_sg([mk_all(["0.0.0.0/1"], []), mk_perm("tcp", 0, 65535, ["128.0.0.0/1", "10.0.0.0/8"], [])])])
	r.msg == "security group sg-1 (web) admits every port from the internet: all traffic from 0.0.0.0/1; tcp/0-65535 from 128.0.0.0/1; 0.0.0.0/1, 128.0.0.0/1 together cover every IPv4 address"
}

test_quarters_of_ipv6_in_one_rule_denied if {
	some r in deny with input as mk_snap([mk_sg([mk_all([], ["::/2", "4000::/2", "8000::/1"])])])
	r.msg == "security group sg-1 (web) admits every port from the internet: all traffic from 4000::/2, 8000::/1, ::/2; 4000::/2, 8000::/1, ::/2 together cover every IPv6 address"
}

test_halves_over_tcp_and_udp_passes if {
	# Every tcp port from one half, every udp port from the other: no protocol is open to all.
	count(deny) == 0 with input as mk_snap([mk_sg([mk_perm("tcp", 0, 65535, ["0.0.0.0/1"], []), mk_perm("udp", 0, 65535, ["128.0.0.0/1"], [])])])
}

test_halves_where_one_rule_is_one_port_passes if {
	count(deny) == 0 with input as mk_snap([mk_sg([mk_all(["0.0.0.0/1"], []), mk_perm("tcp", 443, 443, ["128.0.0.0/1"], [])])])
}

test_ranges_short_of_the_internet_pass if {
	count(deny) == 0 with input as mk_snap([mk_sg([mk_all(["0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/3"], ["::/1"])])])
}
