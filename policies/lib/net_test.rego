package mlguard.lib.net

import rego.v1

test_private_and_trusted_sources_passes if {
	private_cidr("10.1.0.0/16")
	private_cidr("fd00::/8")
	not private_cidr("0.0.0.0/0")
	not private_cidr("10.0.0.0/33")
	not private_cidr("pl-123")
	trusted_source("192.168.1.0/24")
	trusted_source("10.8.1.0/24") with data.mlguard_config.trusted_cidrs as ["10.8.0.0/16"]
	not trusted_source("10.9.0.0/16") with data.mlguard_config.trusted_cidrs as ["10.8.0.0/16"]
	not trusted_source("::/0") with data.mlguard_config.trusted_cidrs as ["10.8.0.0/16"]
}

test_describe_passes if {
	describe({"IpProtocol": "-1"}) == "all traffic"
	describe({"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443}) == "tcp/443"
	describe({"IpProtocol": "6", "FromPort": 1024, "ToPort": 65535}) == "tcp/1024-65535"
	describe({"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1}) == "icmp"
	describe({"IpProtocol": "icmp", "FromPort": 8, "ToPort": -1}) == "icmp type 8"
	describe({"IpProtocol": "icmpv6", "FromPort": 128, "ToPort": 0}) == "icmpv6 type 128 code 0"
	describe({"IpProtocol": "udp", "FromPort": 53, "ToPort": 53}) == "udp/53"
	describe({"IpProtocol": "50"}) == "50"
}

test_ports_passes if {
	all_ports({"IpProtocol": "-1"})
	all_ports({"IpProtocol": "udp", "FromPort": 0, "ToPort": 65535})
	not all_ports({"IpProtocol": "tcp", "FromPort": 1, "ToPort": 65535})
	admin_ports({"IpProtocol": "tcp", "FromPort": 20, "ToPort": 23}) == [20, 21, 22, 23]
	admin_ports({"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1}) == []
}

test_acl_entries_passes if {
	acl_covers({"Protocol": "-1"}, {"Protocol": "6", "PortRange": {"From": 22, "To": 22}})
	acl_covers({"Protocol": "6", "PortRange": {"From": 0, "To": 1023}}, {"Protocol": "6", "PortRange": {"From": 22, "To": 22}})
	not acl_covers({"Protocol": "6", "PortRange": {"From": 0, "To": 65535}}, {"Protocol": "-1"})
	not acl_covers({"Protocol": "17", "PortRange": {"From": 0, "To": 65535}}, {"Protocol": "6", "PortRange": {"From": 22, "To": 22}})
	acl_matches({"Protocol": "6", "PortRange": {"From": 20, "To": 30}}, "tcp", 22)
	not acl_matches({"Protocol": "6", "PortRange": {"From": 20, "To": 30}}, "udp", 22)
	acl_describe({"Protocol": "1"}) == "icmp"
	acl_cidr({"Ipv6CidrBlock": "::/0"}) == "::/0"
}

test_internet_route_passes if {
	internet_route({"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1"})
	internet_route({"DestinationIpv6CidrBlock": "::/0", "GatewayId": "igw-1", "State": "active"})
	not internet_route({"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1", "State": "blackhole"})
	not internet_route({"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-1"})
	not internet_route({"DestinationPrefixListId": "pl-1", "GatewayId": "vpce-1"})
}

test_cidr_blocks_passes if {
	cidr_block("0.0.0.0/0") == ["4", ""]
	cidr_block("128.0.0.0/1") == ["4", "1"]
	cidr_block("10.0.0.0/8") == ["4", "00001010"]
	cidr_block("::/0") == ["6", ""]
	cidr_block("8000::/1") == ["6", "1"]
	cidr_block("2001:DB8::/32") == ["6", "00100000000000010000110110111000"]
	not cidr_block("10.0.0.0/33")
	not cidr_block("pl-123")
}

test_world_cover_of_one_range_passes if {
	world_cover(["0.0.0.0/0", "10.0.0.0/8"]) == ["0.0.0.0/0"]
	world_cover(["::/0"]) == ["::/0"]
	world_cover(["10.0.0.0/8"]) == []
	world_cover([]) == []
}

test_world_cover_of_halves_passes if {
	world_cover(["0.0.0.0/1", "128.0.0.0/1", "10.0.0.0/8"]) == ["0.0.0.0/1", "128.0.0.0/1"]
	world_cover(["::/1", "8000::/1"]) == ["8000::/1", "::/1"]
	world_cover(["0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/2"]) == ["0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/2"]
}

test_world_cover_is_exact_passes if {
	world_cover(["0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/3", "224.0.0.0/3"]) == ["0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/3", "224.0.0.0/3"]
	# An eighth short of the internet, or one address short, is not the internet.
	world_cover(["0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/3"]) == []
	world_cover(["0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/3", "224.0.0.0/4", "240.0.0.0/5", "248.0.0.0/6", "252.0.0.0/7", "254.0.0.0/8", "255.0.0.0/9", "255.128.0.0/10", "255.192.0.0/11", "255.224.0.0/12", "255.240.0.0/13", "255.248.0.0/14", "255.252.0.0/15", "255.254.0.0/16", "255.255.0.0/17", "255.255.128.0/18", "255.255.192.0/19", "255.255.224.0/20", "255.255.240.0/21", "255.255.248.0/22", "255.255.252.0/23", "255.255.254.0/24", "255.255.255.0/25", "255.255.255.128/26", "255.255.255.192/27", "255.255.255.224/28", "255.255.255.240/29", "255.255.255.248/30", "255.255.255.252/31", "255.255.255.254/32"]) == []
	count(world_cover(["0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/3", "224.0.0.0/4", "240.0.0.0/5", "248.0.0.0/6", "252.0.0.0/7", "254.0.0.0/8", "255.0.0.0/9", "255.128.0.0/10", "255.192.0.0/11", "255.224.0.0/12", "255.240.0.0/13", "255.248.0.0/14", "255.252.0.0/15", "255.254.0.0/16", "255.255.0.0/17", "255.255.128.0/18", "255.255.192.0/19", "255.255.224.0/20", "255.255.240.0/21", "255.255.248.0/22", "255.255.252.0/23", "255.255.254.0/24", "255.255.255.0/25", "255.255.255.128/26", "255.255.255.192/27", "255.255.255.224/28", "255.255.255.240/29", "255.255.255.248/30", "255.255.255.252/31", "255.255.255.254/32", "255.255.255.255/32"])) == 33
	# IPv6: the last address of the space is missing.
	world_cover(["::/1", "8000::/2", "c000::/2"]) == ["8000::/2", "::/1", "c000::/2"]
	world_cover(["::/1", "8000::/2", "c000::/3", "e000::/3"]) == ["8000::/2", "::/1", "c000::/3", "e000::/3"]
	world_cover(["::/1", "8000::/2", "c000::/3", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127"]) == []
	world_cover(["0.0.0.0/1", "::/1"]) == []
	# The two families never add up.
	world_cover(["0.0.0.0/1", "8000::/1"]) == []
	# Malformed ranges cover nothing.
	world_cover(["0.0.0.0/1", "128.0.0.0/x"]) == []
}

test_covers_a_block_passes if {
	covers("1", {"10", "11"})
	covers("10", {""})
	not covers("1", {"10", "110"})
	not covers("", set())
}

test_cover_notes_passes if {
	cover_notes(["0.0.0.0/0", "::/0"]) == []
	cover_notes(["0.0.0.0/1", "128.0.0.0/1", "::/0"]) == ["0.0.0.0/1, 128.0.0.0/1 together cover every IPv4 address"]
}

test_group_covers_passes if {
	perms := [
		{"IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389, "IpRanges": [{"CidrIp": "0.0.0.0/1"}]},
		{"IpProtocol": "tcp", "FromPort": 3000, "ToPort": 4000, "IpRanges": [{"CidrIp": "128.0.0.0/1"}]},
	]
	port_cover(perms, "tcp", 3389) == ["0.0.0.0/1", "128.0.0.0/1"]
	port_cover(perms, "tcp", 3000) == []
	port_cover(perms, "udp", 3389) == []
	class_cover(perms, "tcp") == []
	class_cover([{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/1"}]}, {"IpProtocol": "udp", "FromPort": 0, "ToPort": 65535, "IpRanges": [{"CidrIp": "128.0.0.0/1"}]}], "udp") == ["0.0.0.0/1", "128.0.0.0/1"]
}

mk_allow(n, cidr) := {"RuleNumber": n, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": cidr}

test_acl_cover_passes if {
	acl_cover([mk_allow(100, "0.0.0.0/1"), mk_allow(110, "128.0.0.0/1")]) == {100, 110}
	acl_cover([mk_allow(100, "0.0.0.0/0"), mk_allow(110, "10.0.0.0/8")]) == {100}
	acl_cover([{"RuleNumber": 90, "RuleAction": "deny", "Protocol": "-1", "CidrBlock": "10.0.0.0/8"}, mk_allow(100, "0.0.0.0/0")]) == {100}
	acl_cover([{"RuleNumber": 90, "RuleAction": "deny", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"}, mk_allow(100, "0.0.0.0/0")]) == set()
	acl_cover([{"RuleNumber": 90, "RuleAction": "deny", "Protocol": "-1", "CidrBlock": "0.0.0.0/1"}, mk_allow(100, "0.0.0.0/1"), mk_allow(110, "128.0.0.0/1")]) == set()
	acl_cover([{"RuleNumber": 90, "RuleAction": "deny", "Protocol": "-1", "CidrBlock": "10.0.0.0/8"}, mk_allow(100, "0.0.0.0/1"), mk_allow(110, "128.0.0.0/1")]) == {100, 110}
	acl_cover([mk_allow(80, "0.0.0.0/0"), {"RuleNumber": 90, "RuleAction": "deny", "Protocol": "-1", "CidrBlock": "10.0.0.0/8"}]) == {80}
}
