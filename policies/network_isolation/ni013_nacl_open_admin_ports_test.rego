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

# Still open to the internet: the deny carves 10.0.0.0/8 out, rule 100 admits the rest.
test_earlier_deny_of_narrower_source_still_denied if {
	count(deny) == 1 with input as mk_snap([
		mk_entry(90, "deny", "-1", "10.0.0.0/8", []),
		mk_entry(100, "allow", "-1", "0.0.0.0/0", []),
	])
}

# Refusing one address first is an exception, not a closed port.
test_earlier_deny_of_one_address_still_denied if {
	count(deny) == 1 with input as mk_snap([
		mk_entry(90, "deny", "6", "198.51.100.7/32", [22, 22]),
		mk_entry(100, "allow", "6", "0.0.0.0/0", [22, 22]),
	])
}

test_halves_of_ipv4_denied if {
	some r in deny with input as mk_snap([
		mk_entry(100, "allow", "6", "0.0.0.0/1", [22, 22]),
		mk_entry(110, "allow", "6", "128.0.0.0/1", [3389, 3389]),
		mk_entry(120, "allow", "6", "128.0.0.0/1", [0, 1023]),
		mk_default_deny,
	])
	r.msg == "network ACL acl-1 of vpc-1 admits from the internet: rule 100 allows tcp/22 from 0.0.0.0/1 (port 22); rule 120 allows tcp/0-1023 from 128.0.0.0/1 (port 22); 0.0.0.0/1, 128.0.0.0/1 together cover every IPv4 address"
}

test_halves_of_ipv6_all_traffic_denied if {
	some r in deny with input as mk_snap([
		mk_entry(100, "allow", "-1", "::/1", []),
		mk_entry(101, "allow", "-1", "8000::/1", []),
	])
	r.msg == "network ACL acl-1 of vpc-1 admits from the internet: rule 100 allows all traffic from ::/1; rule 101 allows all traffic from 8000::/1; 8000::/1, ::/1 together cover every IPv6 address"
}

test_deny_covered_by_earlier_allows_does_not_help_denied if {
	count(deny) == 1 with input as mk_snap([
		mk_entry(100, "allow", "6", "0.0.0.0/1", [22, 22]),
		mk_entry(110, "allow", "6", "128.0.0.0/1", [22, 22]),
		mk_entry(120, "deny", "6", "10.0.0.0/8", [22, 22]),
	])
}

test_deny_between_halves_takes_out_part_still_denied if {
	count(deny) == 1 with input as mk_snap([
		mk_entry(100, "allow", "6", "0.0.0.0/1", [22, 22]),
		mk_entry(105, "deny", "6", "200.0.0.0/8", [22, 22]),
		mk_entry(110, "allow", "6", "128.0.0.0/1", [22, 22]),
	])
}

test_ranges_one_address_short_pass if {
	count(deny) == 0 with input as mk_snap([
		mk_entry(100, "allow", "6", "0.0.0.0/1", [22, 22]),
		mk_entry(110, "allow", "6", "128.0.0.0/2", [22, 22]),
		mk_entry(120, "allow", "6", "192.0.0.0/3", [22, 22]),
		mk_entry(130, "allow", "6", "224.0.0.0/4", [22, 22]),
		mk_entry(140, "allow", "6", "240.0.0.0/5", [22, 22]),
		mk_entry(150, "allow", "6", "248.0.0.0/6", [22, 22]),
		mk_entry(160, "allow", "6", "252.0.0.0/7", [22, 22]),
		mk_entry(170, "allow", "6", "254.0.0.0/8", [22, 22]),
		mk_entry(180, "allow", "6", "255.0.0.0/9", [22, 22]),
		mk_entry(190, "allow", "6", "255.128.0.0/10", [22, 22]),
		mk_entry(200, "allow", "6", "255.192.0.0/11", [22, 22]),
		mk_entry(210, "allow", "6", "255.224.0.0/12", [22, 22]),
		mk_entry(220, "allow", "6", "255.240.0.0/13", [22, 22]),
		mk_entry(230, "allow", "6", "255.248.0.0/14", [22, 22]),
		mk_entry(240, "allow", "6", "255.252.0.0/15", [22, 22]),
		mk_entry(250, "allow", "6", "255.254.0.0/16", [22, 22]),
		mk_entry(260, "allow", "6", "255.255.0.0/17", [22, 22]),
		mk_entry(270, "allow", "6", "255.255.128.0/18", [22, 22]),
		mk_entry(280, "allow", "6", "255.255.192.0/19", [22, 22]),
		mk_entry(290, "allow", "6", "255.255.224.0/20", [22, 22]),
		mk_entry(300, "allow", "6", "255.255.240.0/21", [22, 22]),
		mk_entry(310, "allow", "6", "255.255.248.0/22", [22, 22]),
		mk_entry(320, "allow", "6", "255.255.252.0/23", [22, 22]),
		mk_entry(330, "allow", "6", "255.255.254.0/24", [22, 22]),
		mk_entry(340, "allow", "6", "255.255.255.0/25", [22, 22]),
		mk_entry(350, "allow", "6", "255.255.255.128/26", [22, 22]),
		mk_entry(360, "allow", "6", "255.255.255.192/27", [22, 22]),
		mk_entry(370, "allow", "6", "255.255.255.224/28", [22, 22]),
		mk_entry(380, "allow", "6", "255.255.255.240/29", [22, 22]),
		mk_entry(390, "allow", "6", "255.255.255.248/30", [22, 22]),
		mk_entry(400, "allow", "6", "255.255.255.252/31", [22, 22]),
		mk_entry(410, "allow", "6", "255.255.255.254/32", [22, 22]),
	])
}

test_ranges_down_to_the_last_address_denied if {
	count(deny) == 1 with input as mk_snap([
		mk_entry(100, "allow", "6", "0.0.0.0/1", [22, 22]),
		mk_entry(110, "allow", "6", "128.0.0.0/2", [22, 22]),
		mk_entry(120, "allow", "6", "192.0.0.0/2", [22, 22]),
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

test_earlier_deny_of_everything_before_the_halves_passes if {
	count(deny) == 0 with input as mk_snap([
		mk_entry(90, "deny", "6", "0.0.0.0/0", [22, 22]),
		mk_entry(100, "allow", "6", "0.0.0.0/1", [22, 22]),
		mk_entry(110, "allow", "6", "128.0.0.0/1", [22, 22]),
	])
}

test_earlier_denies_covering_each_half_pass if {
	count(deny) == 0 with input as mk_snap([
		mk_entry(90, "deny", "6", "0.0.0.0/1", [22, 22]),
		mk_entry(95, "deny", "6", "128.0.0.0/1", [22, 22]),
		mk_entry(100, "allow", "6", "0.0.0.0/0", [22, 22]),
	])
}

# The hardened baseline's default ACL: the VPC's own range, then a deny of the port from
# everywhere before the return-traffic range from everywhere: only the VPC is admitted.
# (The configured administration ports of 1024 and above, as harden denies them.)
test_vpc_range_then_deny_then_return_range_passes if {
	count(deny) == 0 with input as mk_snap(array.concat(
		array.concat(
			[mk_entry(100, "allow", "-1", "10.0.0.0/16", [])],
			[mk_entry(n + 200, "deny", "6", "0.0.0.0/0", [p, p]) | some n, p in [1433, 1521, 2049, 2375, 2376, 3306, 3389, 5432, 5900, 5985, 5986, 6379, 8888, 9200, 11211, 27017]],
		),
		[mk_entry(300, "allow", "6", "0.0.0.0/0", [1024, 65535])],
	))
}
