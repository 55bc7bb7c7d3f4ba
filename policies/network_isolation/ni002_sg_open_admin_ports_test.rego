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
