package mlguard.network_isolation.network_acl_open_to_world

import rego.v1

mk_entry(number, action, proto, cidr, ports) := object.union(
	{"RuleNumber": number, "RuleAction": action, "Protocol": proto, "Egress": false, mk_cidr_key(cidr): cidr},
	mk_ports(ports),
)

mk_cidr_key(cidr) := "Ipv6CidrBlock" if contains(cidr, ":")

mk_cidr_key(cidr) := "CidrBlock" if not contains(cidr, ":")

mk_ports(ports) := {"PortRange": {"From": ports[0], "To": ports[1]}} if count(ports) == 2

mk_ports(ports) := {} if count(ports) == 0

mk_default_deny := mk_entry(32767, "deny", "-1", "0.0.0.0/0", [])

mk_snap(entries) := {
	"metadata": {"account_id": "123456789012"},
	"regions": {"us-east-1": {"ec2": {"network_acls": [{"NetworkAclId": "acl-1", "VpcId": "vpc-1", "IsDefault": false, "Entries": entries}]}}},
}

test_default_allow_all_denied if {
	some r in deny with input as mk_snap([mk_entry(100, "allow", "-1", "0.0.0.0/0", []), mk_default_deny])
	r.msg == "network ACL acl-1 of vpc-1 admits from the internet: rule 100 allows all traffic from 0.0.0.0/0"
}

test_default_acl_named_denied if {
	snap := {"metadata": {"account_id": "123456789012"}, "regions": {"us-east-1": {"ec2": {"network_acls": [{"NetworkAclId": "acl-1", "VpcId": "vpc-1", "IsDefault": true, "Entries": [mk_entry(100, "allow", "-1", "0.0.0.0/0", [])]}]}}}}
	some r in deny with input as snap
	startswith(r.msg, "default network ACL acl-1")
}

test_ipv6_allow_all_denied if {
	some r in deny with input as mk_snap([mk_entry(101, "allow", "-1", "::/0", [])])
	contains(r.msg, "rule 101 allows all traffic from ::/0")
}

test_ssh_from_world_denied if {
	some r in deny with input as mk_snap([mk_entry(100, "allow", "6", "0.0.0.0/0", [22, 22])])
	contains(r.msg, "rule 100 allows tcp/22 from 0.0.0.0/0 (port 22)")
}

test_rdp_over_udp_denied if {
	count(deny) == 1 with input as mk_snap([mk_entry(100, "allow", "17", "0.0.0.0/0", [3389, 3389])])
}

test_tcp_all_ports_denied if {
	some r in deny with input as mk_snap([mk_entry(100, "allow", "6", "0.0.0.0/0", [0, 65535])])
	contains(r.msg, "rule 100 allows tcp/0-65535 from 0.0.0.0/0")
}

test_return_traffic_range_counts_admin_ports_denied if {
	some r in deny with input as mk_snap([mk_entry(100, "allow", "6", "0.0.0.0/0", [1024, 65535])])
	contains(r.msg, "(ports 1433, 1521, 2049, 2375, 2376, 3306, 3389, 5432, 5900, 5985, 5986, 6379, 8888, 9200, 11211, 27017)")
}

test_earlier_deny_of_the_port_passes if {
	count(deny) == 0 with input as mk_snap([
		mk_entry(90, "deny", "6", "0.0.0.0/0", [22, 22]),
		mk_entry(100, "allow", "6", "0.0.0.0/0", [22, 22]),
	])
}

test_later_deny_does_not_help_denied if {
	count(deny) == 1 with input as mk_snap([
		mk_entry(100, "allow", "6", "0.0.0.0/0", [22, 22]),
		mk_entry(110, "deny", "6", "0.0.0.0/0", [22, 22]),
	])
}

test_earlier_deny_of_everything_passes if {
	count(deny) == 0 with input as mk_snap([
		mk_entry(50, "deny", "-1", "0.0.0.0/0", []),
		mk_entry(100, "allow", "-1", "0.0.0.0/0", []),
	])
}

test_earlier_denies_of_admin_ports_in_return_range_passes if {
	count(deny) == 0 with input as mk_snap(array.concat(
		[mk_entry(n + 1, "deny", "6", "0.0.0.0/0", [p, p]) | some n, p in [1433, 1521, 2049, 2375, 2376, 3306, 3389, 5432, 5900, 5985, 5986, 6379, 8888, 9200, 11211, 27017]],
		[mk_entry(100, "allow", "6", "0.0.0.0/0", [1024, 65535])],
	))
}

test_partial_earlier_deny_still_denied if {
	some r in deny with input as mk_snap([
		mk_entry(90, "deny", "6", "0.0.0.0/0", [22, 22]),
		mk_entry(100, "allow", "6", "0.0.0.0/0", [20, 23]),
	])
	contains(r.msg, "(ports 20, 21, 23)")
}

test_earlier_deny_of_tcp_only_leaves_all_traffic_denied if {
	count(deny) == 1 with input as mk_snap([
		mk_entry(90, "deny", "6", "0.0.0.0/0", [0, 65535]),
		mk_entry(100, "allow", "-1", "0.0.0.0/0", []),
	])
}

test_earlier_deny_of_narrower_source_still_denied if {
	count(deny) == 1 with input as mk_snap([
		mk_entry(90, "deny", "-1", "10.0.0.0/8", []),
		mk_entry(100, "allow", "-1", "0.0.0.0/0", []),
	])
}

test_ipv4_deny_does_not_cover_ipv6_denied if {
	some r in deny with input as mk_snap([
		mk_entry(90, "deny", "-1", "0.0.0.0/0", []),
		mk_entry(100, "allow", "-1", "0.0.0.0/0", []),
		mk_entry(101, "allow", "-1", "::/0", []),
	])
	endswith(r.msg, "admits from the internet: rule 101 allows all traffic from ::/0")
}

test_private_source_passes if {
	count(deny) == 0 with input as mk_snap([mk_entry(100, "allow", "-1", "10.0.0.0/8", [])])
}

test_https_from_world_passes if {
	count(deny) == 0 with input as mk_snap([mk_entry(100, "allow", "6", "0.0.0.0/0", [443, 443])])
}

test_egress_allow_all_passes if {
	count(deny) == 0 with input as mk_snap([object.union(mk_entry(100, "allow", "-1", "0.0.0.0/0", []), {"Egress": true})])
}

test_every_network_acl_is_applicable if {
	count(applicable) == 1 with input as mk_snap([])
}
