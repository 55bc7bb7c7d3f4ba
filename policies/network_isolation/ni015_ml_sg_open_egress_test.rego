package mlguard.network_isolation.ml_security_group_open_egress

import rego.v1

mk_sg(name, egress) := {"GroupId": "sg-1", "GroupName": name, "VpcId": "vpc-1", "IpPermissions": [], "IpPermissionsEgress": egress}

mk_snap(sgs) := {"metadata": {"account_id": "123456789012"}, "regions": {"us-east-1": {"ec2": {"security_groups": sgs}}}}

mk_all(v4, v6) := {"IpProtocol": "-1", "IpRanges": [{"CidrIp": c} | some c in v4], "Ipv6Ranges": [{"CidrIpv6": c} | some c in v6]}

test_default_egress_rule_denied if {
	some r in deny with input as mk_snap([mk_sg("ml-training", [mk_all(["0.0.0.0/0"], [])])])
	r.msg == "ML security group sg-1 (ml-training) allows every port out to the internet: all traffic to 0.0.0.0/0"
}

test_ipv6_egress_denied if {
	count(deny) == 1 with input as mk_snap([mk_sg("ml-training", [mk_all([], ["::/0"])])])
}

test_tcp_all_ports_egress_denied if {
	count(deny) == 1 with input as mk_snap([mk_sg("ml-training", [{"IpProtocol": "tcp", "FromPort": 0, "ToPort": 65535, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])])
}

test_https_egress_to_world_passes if {
	count(deny) == 0 with input as mk_snap([mk_sg("ml-training", [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])])
}

test_egress_to_vpc_and_prefix_list_passes if {
	count(deny) == 0 with input as mk_snap([mk_sg("ml-training", [
		mk_all(["10.0.0.0/16"], []),
		{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "PrefixListIds": [{"PrefixListId": "pl-63a5400a"}]},
		{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": "sg-1"}]},
	])])
}

test_group_outside_scope_passes if {
	count(deny) == 0 with input as mk_snap([mk_sg("web", [mk_all(["0.0.0.0/0"], [])])])
	count(applicable) == 0 with input as mk_snap([mk_sg("web", [mk_all(["0.0.0.0/0"], [])])])
}

test_configured_group_is_applicable if {
	count(applicable) == 1 with input as mk_snap([mk_sg("web", [])])
		with data.mlguard_config.scope_security_group_ids as ["sg-1"]
}

test_egress_to_halves_of_ipv4_denied if {
	some r in deny with input as mk_snap([mk_sg("ml-training", [mk_all(["0.0.0.0/1"], []), mk_all(["128.0.0.0/1"], [])])])
	r.msg == "ML security group sg-1 (ml-training) allows every port out to the internet: all traffic to 0.0.0.0/1; all traffic to 128.0.0.0/1; 0.0.0.0/1, 128.0.0.0/1 together cover every IPv4 address"
}

test_egress_to_most_of_ipv4_passes if {
	count(deny) == 0 with input as mk_snap([mk_sg("ml-training", [mk_all(["0.0.0.0/1", "128.0.0.0/2"], [])])])
}
