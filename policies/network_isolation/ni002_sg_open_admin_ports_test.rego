package mlguard.network_isolation.security_group_admin_ports_open_to_world

import rego.v1

mk_sg(perms) := {"GroupId": "sg-1", "GroupName": "bastion", "VpcId": "vpc-1", "IpPermissions": perms}

mk_snap(sgs) := {"metadata": {"account_id": "123456789012"}, "regions": {"us-east-1": {"ec2": {"security_groups": sgs}}}}

mk_perm(proto, from, to, v4, v6) := {
	"IpProtocol": proto, "FromPort": from, "ToPort": to,
	"IpRanges": [{"CidrIp": c} | some c in v4],
	"Ipv6Ranges": [{"CidrIpv6": c} | some c in v6],
}

test_ssh_from_ipv4_world_denied if {
	some r in deny with input as mk_snap([mk_sg([mk_perm("tcp", 22, 22, ["0.0.0.0/0"], [])])])
	r.msg == "security group sg-1 (bastion) admits administration ports from the internet: tcp/22 from 0.0.0.0/0 (port 22)"
}

test_rdp_from_ipv6_world_denied if {
	some r in deny with input as mk_snap([mk_sg([mk_perm("tcp", 3389, 3389, [], ["::/0"])])])
	contains(r.msg, "tcp/3389 from ::/0 (port 3389)")
}

test_range_containing_ssh_denied if {
	some r in deny with input as mk_snap([mk_sg([mk_perm("tcp", 0, 1024, ["0.0.0.0/0"], [])])])
	contains(r.msg, "tcp/0-1024 from 0.0.0.0/0 (ports 20, 21, 22, 23, 135, 445)")
}

test_udp_range_denied if {
	count(deny) == 1 with input as mk_snap([mk_sg([mk_perm("udp", 3380, 3390, ["0.0.0.0/0"], [])])])
}

test_all_protocols_denied if {
	some r in deny with input as mk_snap([mk_sg([{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])])
	contains(r.msg, "all traffic from 0.0.0.0/0 (every administration port)")
}

test_jupyter_from_world_denied if {
	count(deny) == 1 with input as mk_snap([mk_sg([mk_perm("tcp", 8888, 8888, ["0.0.0.0/0"], [])])])
}

test_custom_admin_ports_denied if {
	count(deny) == 1 with input as mk_snap([mk_sg([mk_perm("tcp", 8443, 8443, ["0.0.0.0/0"], [])])])
		with data.mlguard_config.admin_ports as [8443]
}

test_ssh_from_private_range_passes if {
	count(deny) == 0 with input as mk_snap([mk_sg([mk_perm("tcp", 22, 22, ["10.0.0.0/8"], ["fd00::/8"])])])
}

test_https_from_world_passes if {
	count(deny) == 0 with input as mk_snap([mk_sg([mk_perm("tcp", 443, 443, ["0.0.0.0/0"], ["::/0"])])])
}

test_range_without_admin_ports_passes if {
	count(deny) == 0 with input as mk_snap([mk_sg([mk_perm("tcp", 30000, 32767, ["0.0.0.0/0"], [])])])
}

test_icmp_from_world_passes if {
	count(deny) == 0 with input as mk_snap([mk_sg([mk_perm("icmp", -1, -1, ["0.0.0.0/0"], [])])])
}

test_every_security_group_is_applicable if {
	count(applicable) == 1 with input as mk_snap([mk_sg([])])
}

# Done when of issue 12: RDP from ranges that together cover IPv4, in two rules.
test_rdp_from_ranges_covering_ipv4_denied if {
	some r in deny with input as mk_snap([mk_sg([
		mk_perm("tcp", 3389, 3389, ["0.0.0.0/1"], []),
		mk_perm("tcp", 3000, 4000, ["128.0.0.0/2", "192.0.0.0/2"], []),
	])])
	r.msg == "security group sg-1 (bastion) admits administration ports from the internet: tcp/3389 from 0.0.0.0/1 (port 3389); tcp/3000-4000 from 128.0.0.0/2, 192.0.0.0/2 (port 3389); 0.0.0.0/1, 128.0.0.0/2, 192.0.0.0/2 together cover every IPv4 address"
}

test_ssh_from_halves_of_ipv6_in_one_rule_denied if {
	some r in deny with input as mk_snap([mk_sg([mk_perm("tcp", 22, 22, [], ["::/1", "8000::/1"])])])
	r.msg == "security group sg-1 (bastion) admits administration ports from the internet: tcp/22 from 8000::/1, ::/1 (port 22); 8000::/1, ::/1 together cover every IPv6 address"
}

test_all_traffic_and_ssh_halves_denied if {
	some r in deny with input as mk_snap([mk_sg([
		{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/1"}]},
		mk_perm("tcp", 22, 22, ["128.0.0.0/1"], []),
	])])
	contains(r.msg, "all traffic from 0.0.0.0/1 (port 22); tcp/22 from 128.0.0.0/1 (port 22)")
}

test_halves_on_different_ports_pass if {
	count(deny) == 0 with input as mk_snap([mk_sg([
		mk_perm("tcp", 22, 22, ["0.0.0.0/1"], []),
		mk_perm("tcp", 3389, 3389, ["128.0.0.0/1"], []),
	])])
}

test_halves_over_tcp_and_udp_pass if {
	count(deny) == 0 with input as mk_snap([mk_sg([
		mk_perm("tcp", 3389, 3389, ["0.0.0.0/1"], []),
		mk_perm("udp", 3389, 3389, ["128.0.0.0/1"], []),
	])])
}

test_ranges_short_of_ipv4_pass if {
	count(deny) == 0 with input as mk_snap([mk_sg([
		mk_perm("tcp", 3389, 3389, ["0.0.0.0/1", "128.0.0.0/2"], []),
		mk_perm("tcp", 3389, 3389, ["192.0.0.0/3"], []),
	])])
}
