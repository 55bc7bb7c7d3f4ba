package mlguard.network_isolation.default_security_group_allows_traffic

import rego.v1

mk_sg(name, ingress, egress) := {"GroupId": "sg-1", "GroupName": name, "VpcId": "vpc-1", "IpPermissions": ingress, "IpPermissionsEgress": egress}

mk_snap(sgs) := {"metadata": {"account_id": "123456789012"}, "regions": {"us-east-1": {"ec2": {"security_groups": sgs}}}}

mk_self := {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": "sg-1", "UserId": "123456789012"}]}

mk_world := {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}

test_default_rules_as_created_denied if {
	some r in deny with input as mk_snap([mk_sg("default", [mk_self], [mk_world])])
	r.msg == "default security group sg-1 of vpc-1 is not empty: inbound all traffic from sg-1; outbound all traffic to 0.0.0.0/0"
}

test_egress_only_denied if {
	count(deny) == 1 with input as mk_snap([mk_sg("default", [], [mk_world])])
}

test_ingress_only_denied if {
	some r in deny with input as mk_snap([mk_sg("default", [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "PrefixListIds": [{"PrefixListId": "pl-1"}]}], [])])
	contains(r.msg, "inbound tcp/443 from pl-1")
}

test_empty_default_group_passes if {
	count(deny) == 0 with input as mk_snap([mk_sg("default", [], [])])
	count(applicable) == 1 with input as mk_snap([mk_sg("default", [], [])])
}

test_default_group_without_rule_lists_passes if {
	count(deny) == 0 with input as mk_snap([{"GroupId": "sg-1", "GroupName": "default", "VpcId": "vpc-1"}])
}

test_other_groups_are_not_judged_passes if {
	count(deny) == 0 with input as mk_snap([mk_sg("ml-training", [mk_self], [mk_world])])
	count(applicable) == 0 with input as mk_snap([mk_sg("ml-training", [mk_self], [mk_world])])
}
