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
