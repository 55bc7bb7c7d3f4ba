package mlguard.network_isolation.ml_security_group_ingress_beyond_trusted

import rego.v1

mk_sg(id, name, perms) := {"GroupId": id, "GroupName": name, "VpcId": "vpc-1", "IpPermissions": perms}

mk_ml(perms) := mk_sg("sg-ml", "ml-training", perms)

mk_snap(sgs) := {"metadata": {"account_id": "123456789012"}, "regions": {"us-east-1": {"ec2": {"security_groups": sgs}}}}

mk_cidr(proto, from, to, cidrs) := {
	"IpProtocol": proto, "FromPort": from, "ToPort": to,
	"IpRanges": [{"CidrIp": c} | some c in cidrs; not contains(c, ":")],
	"Ipv6Ranges": [{"CidrIpv6": c} | some c in cidrs; contains(c, ":")],
}

mk_group(proto, from, to, gid) := {"IpProtocol": proto, "FromPort": from, "ToPort": to, "UserIdGroupPairs": [{"GroupId": gid, "UserId": "123456789012"}]}

mk_prefix_list(from, to) := {"IpProtocol": "tcp", "FromPort": from, "ToPort": to, "PrefixListIds": [{"PrefixListId": "pl-0123"}]}

mk_https(cidrs) := mk_cidr("tcp", 443, 443, cidrs)

# --- no trusted CIDRs: tcp/443 from a private range only ---------------------------------

test_https_from_private_range_passes if {
	count(deny) == 0 with input as mk_snap([mk_ml([mk_https(["10.0.0.0/16", "172.31.0.0/16", "fd00:ec2::/64"])])])
}

test_https_from_world_denied if {
	some r in deny with input as mk_snap([mk_ml([mk_https(["0.0.0.0/0"])])])
	r.msg == "ML security group sg-ml (ml-training) admits tcp/443 from 0.0.0.0/0 (not a private range)"
}

test_https_from_public_ipv6_denied if {
	count(deny) == 1 with input as mk_snap([mk_ml([mk_https(["2600:1f18:aaaa::/56"])])])
}

test_ssh_from_private_range_denied if {
	some r in deny with input as mk_snap([mk_ml([mk_cidr("tcp", 22, 22, ["10.0.0.0/16"])])])
	contains(r.msg, "tcp/22 from 10.0.0.0/16 (only tcp/443 is allowed)")
}

test_port_range_containing_443_denied if {
	count(deny) == 1 with input as mk_snap([mk_ml([mk_cidr("tcp", 440, 450, ["10.0.0.0/16"])])])
}

test_all_traffic_from_private_range_denied if {
	count(deny) == 1 with input as mk_snap([mk_ml([{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}])])
}

test_udp_443_denied if {
	count(deny) == 1 with input as mk_snap([mk_ml([mk_cidr("udp", 443, 443, ["10.0.0.0/16"])])])
}

test_malformed_cidr_denied if {
	count(deny) == 1 with input as mk_snap([mk_ml([mk_https(["10.0.0.0/33"])])])
}

test_findings_aggregate_into_one_result_denied if {
	some r in deny with input as mk_snap([mk_ml([mk_cidr("tcp", 22, 22, ["10.0.0.0/16"]), mk_https(["0.0.0.0/0"])])])
	count(deny) == 1 with input as mk_snap([mk_ml([mk_cidr("tcp", 22, 22, ["10.0.0.0/16"]), mk_https(["0.0.0.0/0"])])])
	contains(r.msg, "tcp/22 from 10.0.0.0/16 (only tcp/443 is allowed); tcp/443 from 0.0.0.0/0 (not a private range)")
}

# --- trusted CIDRs configured: tcp/443 from inside them only -----------------------------

test_https_from_trusted_range_passes if {
	count(deny) == 0 with input as mk_snap([mk_ml([mk_https(["10.8.0.0/16", "10.8.4.0/24"])])])
		with data.mlguard_config.trusted_cidrs as ["10.8.0.0/16"]
}

test_https_from_whole_vpc_with_trusted_range_denied if {
	some r in deny with input as mk_snap([mk_ml([mk_https(["10.0.0.0/8"])])])
		with data.mlguard_config.trusted_cidrs as ["10.8.0.0/16"]
	contains(r.msg, "tcp/443 from 10.0.0.0/8 (outside the trusted CIDRs)")
}

test_https_from_public_trusted_range_passes if {
	count(deny) == 0 with input as mk_snap([mk_ml([mk_https(["203.0.113.0/28"])])])
		with data.mlguard_config.trusted_cidrs as ["203.0.113.0/24"]
}

test_ipv6_trusted_range_passes if {
	count(deny) == 0 with input as mk_snap([mk_ml([mk_https(["2001:db8:1::/48"])])])
		with data.mlguard_config.trusted_cidrs as ["2001:db8::/32"]
}

# --- security group references -------------------------------------------------------------

test_self_reference_on_all_traffic_passes if {
	count(deny) == 0 with input as mk_snap([mk_ml([{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": "sg-ml"}]}])])
}

test_reference_to_other_ml_group_passes if {
	count(deny) == 0 with input as mk_snap([mk_ml([mk_group("tcp", 2049, 2049, "sg-efs")]), mk_sg("sg-efs", "sagemaker-studio-efs", [])])
}

test_reference_to_outside_group_on_https_passes if {
	count(deny) == 0 with input as mk_snap([mk_ml([mk_group("tcp", 443, 443, "sg-app")]), mk_sg("sg-app", "app-servers", [])])
}

test_reference_to_outside_group_on_other_port_denied if {
	some r in deny with input as mk_snap([mk_ml([mk_group("tcp", 8080, 8080, "sg-app")]), mk_sg("sg-app", "app-servers", [])])
	contains(r.msg, "tcp/8080 from security group sg-app (only tcp/443 is allowed)")
}

test_reference_to_outside_group_with_trusted_range_denied if {
	some r in deny with input as mk_snap([mk_ml([mk_group("tcp", 443, 443, "sg-app")]), mk_sg("sg-app", "app-servers", [])])
		with data.mlguard_config.trusted_cidrs as ["10.8.0.0/16"]
	contains(r.msg, "a security group outside the ML workload is not a trusted CIDR")
}

# --- prefix lists ----------------------------------------------------------------------------

test_prefix_list_on_https_not_assessed if {
	count(deny) == 0 with input as mk_snap([mk_ml([mk_prefix_list(443, 443)])])
	some r in not_assessed with input as mk_snap([mk_ml([mk_prefix_list(443, 443)])])
	contains(r.msg, "prefix list pl-0123")
}

test_prefix_list_on_other_port_denied if {
	count(deny) == 1 with input as mk_snap([mk_ml([mk_prefix_list(22, 22)])])
	count(not_assessed) == 0 with input as mk_snap([mk_ml([mk_prefix_list(22, 22)])])
}

# --- scope -----------------------------------------------------------------------------------

test_group_outside_scope_passes if {
	count(deny) == 0 with input as mk_snap([mk_sg("sg-web", "web", [mk_cidr("tcp", 22, 22, ["0.0.0.0/0"])])])
	count(applicable) == 0 with input as mk_snap([mk_sg("sg-web", "web", [mk_cidr("tcp", 22, 22, ["0.0.0.0/0"])])])
}

test_group_used_by_a_notebook_denied if {
	snap := object.union(mk_snap([mk_sg("sg-nb", "notebook-access", [mk_cidr("tcp", 8888, 8888, ["10.0.0.0/16"])])]), {"regions": {"us-east-1": {"sagemaker": {"notebook_instances": [{
		"NotebookInstanceName": "nb", "NotebookInstanceArn": "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/nb",
		"SubnetId": "subnet-1", "SecurityGroups": ["sg-nb"],
	}]}}}})
	count(deny) == 1 with input as snap
}

test_group_tagged_into_scope_is_applicable if {
	count(applicable) == 1 with input as mk_snap([object.union(mk_sg("sg-x", "x", []), {"Tags": [{"Key": "mlguard:scope", "Value": "ml"}]})])
}

test_group_named_with_dots_is_applicable if {
	count(applicable) == 1 with input as mk_snap([mk_sg("sg-x", "team.sagemaker.v2", [])])
}

test_group_without_ingress_passes if {
	count(deny) == 0 with input as mk_snap([mk_ml([])])
	count(applicable) == 1 with input as mk_snap([mk_ml([])])
}
