# Network helpers: CIDRs, ports, security group permissions, network ACL entries and routes.
#
# Security group permissions are IpPermission objects of DescribeSecurityGroups; network ACL
# entries are the Entries of DescribeNetworkAcls; routes are the Routes of DescribeRouteTables.
# A malformed CIDR never raises an error here: it is simply not private, trusted or within
# anything, so rules judge it as the widest source.
package mlguard.lib.net

import rego.v1

import data.mlguard.lib.config

world_cidrs := {"0.0.0.0/0", "::/0"}

private_ranges := ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"]

# --- CIDRs -----------------------------------------------------------------------------

# `cidr` is a well-formed IPv4 or IPv6 CIDR.
valid_cidr(cidr) if {
	is_string(cidr)
	net.cidr_is_valid(cidr)
}

# `cidr` is the whole IPv4 or IPv6 internet.
open_to_world(cidr) if world_cidrs[cidr]

# `cidr` lies inside a private (RFC 1918 / RFC 6598 / ULA) range.
private_cidr(cidr) if {
	valid_cidr(cidr)
	some range in private_ranges
	net.cidr_contains(range, cidr)
}

# `cidr` lies inside one of `ranges`.
within_any(cidr, ranges) if {
	valid_cidr(cidr)
	some range in ranges
	valid_cidr(range)
	net.cidr_contains(range, cidr)
}

# `cidr` is a source the ML workload may be reached from: inside a trusted CIDR
# (`config.trusted_cidrs`) or, when none is configured, inside a private range.
# Configuration, read through rules of this package: functions must not read another
# package's rules through an import (docs/writing-policies.md).
trusted_cidrs := config.trusted_cidrs

configured_admin_ports := config.admin_ports

trusted_source(cidr) if {
	count(trusted_cidrs) == 0
	private_cidr(cidr)
}

trusted_source(cidr) if {
	count(trusted_cidrs) > 0
	within_any(cidr, trusted_cidrs)
}

# Why a source is not trusted, for messages.
untrusted_reason := "not a private range" if count(config.trusted_cidrs) == 0

untrusted_reason := "outside the trusted CIDRs" if count(config.trusted_cidrs) > 0

# --- security group permissions ----------------------------------------------------------

# Every CIDR source of a security group permission (IPv4 and IPv6).
sources(perm) := array.concat(
	[r.CidrIp | some r in object.get(perm, "IpRanges", [])],
	[r.CidrIpv6 | some r in object.get(perm, "Ipv6Ranges", [])],
)

# The permission's sources that are the whole internet.
world_sources(perm) := [c | some c in sources(perm); open_to_world(c)]

# Security groups the permission names as sources (or destinations, for egress).
group_sources(perm) := [p.GroupId | some p in object.get(perm, "UserIdGroupPairs", []); is_string(p.GroupId)]

# Prefix lists the permission names.
prefix_list_sources(perm) := [p.PrefixListId | some p in object.get(perm, "PrefixListIds", [])]

# Every source of the permission as written: CIDRs, security group ids, prefix list ids.
all_sources(perm) := array.concat(sources(perm), array.concat(group_sources(perm), prefix_list_sources(perm)))

# Protocol names: security groups print tcp/udp/icmp/icmpv6 or a number, "-1" for all.
protocol_names := {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}

protocol(perm) := protocol_names[perm.IpProtocol]

protocol(perm) := lower(perm.IpProtocol) if not protocol_names[perm.IpProtocol]

all_protocols(perm) if perm.IpProtocol in {"-1", "all"}

tcp_or_udp(perm) if protocol(perm) in {"tcp", "udp"}

# The permission opens every port: all protocols, or tcp/udp 0-65535.
all_ports(perm) if all_protocols(perm)

all_ports(perm) if {
	tcp_or_udp(perm)
	object.get(perm, "FromPort", 0) <= 0
	object.get(perm, "ToPort", 65535) >= 65535
}

# The permission admits `port` (over tcp or udp, or every protocol).
admits_port(perm, port) if all_protocols(perm)

admits_port(perm, port) if {
	tcp_or_udp(perm)
	object.get(perm, "FromPort", 0) <= port
	port <= object.get(perm, "ToPort", 65535)
}

# The remote-administration and database ports (`config.admin_ports`) the permission admits.
admin_ports(perm) := sort({p | some p in configured_admin_ports; admits_port(perm, p)})

# Human-readable protocol/port range of a permission: "all traffic", "tcp/443",
# "tcp/1024-65535", "icmp", "icmp type 8", "50".
describe(perm) := "all traffic" if all_protocols(perm)

describe(perm) := protocol(perm) if {
	not all_protocols(perm)
	not has_ports(perm)
}

describe(perm) := sprintf("%s/%d", [protocol(perm), perm.FromPort]) if {
	not icmp(perm)
	has_ports(perm)
	perm.FromPort == perm.ToPort
}

describe(perm) := sprintf("%s/%d-%d", [protocol(perm), perm.FromPort, perm.ToPort]) if {
	not icmp(perm)
	has_ports(perm)
	perm.FromPort != perm.ToPort
}

# For ICMP, FromPort is the type and ToPort the code (-1: every type or code).
describe(perm) := sprintf("%s type %d", [protocol(perm), perm.FromPort]) if {
	icmp(perm)
	has_ports(perm)
	object.get(perm, "ToPort", -1) < 0
}

describe(perm) := sprintf("%s type %d code %d", [protocol(perm), perm.FromPort, perm.ToPort]) if {
	icmp(perm)
	has_ports(perm)
	object.get(perm, "ToPort", -1) >= 0
}

icmp(perm) if protocol(perm) in {"icmp", "icmpv6"}

# Ports (or an ICMP type) are given: -1 means every port or type.
has_ports(perm) if {
	not all_protocols(perm)
	is_number(perm.FromPort)
	perm.FromPort >= 0
}

# The permission admits exactly tcp/443.
https_only(perm) if {
	protocol(perm) == "tcp"
	perm.FromPort == 443
	perm.ToPort == 443
}

# Comma-separated port numbers, for messages.
port_list(ports) := concat(", ", [format_int(p, 10) | some p in ports])

# --- network ACL entries -----------------------------------------------------------------

# The source (ingress) or destination (egress) CIDR of an entry.
acl_cidr(entry) := entry.CidrBlock

acl_cidr(entry) := entry.Ipv6CidrBlock if not entry.CidrBlock

acl_protocol(entry) := object.get(protocol_names, entry.Protocol, lower(entry.Protocol))

acl_all_protocols(entry) if entry.Protocol in {"-1", "all"}

acl_tcp_or_udp(entry) if acl_protocol(entry) in {"tcp", "udp"}

acl_from(entry) := object.get(entry, ["PortRange", "From"], 0)

acl_to(entry) := object.get(entry, ["PortRange", "To"], 65535)

# The entry covers every port: all protocols, or tcp/udp 0-65535.
acl_all_ports(entry) if acl_all_protocols(entry)

acl_all_ports(entry) if {
	acl_tcp_or_udp(entry)
	acl_from(entry) <= 0
	acl_to(entry) >= 65535
}

# The entry matches traffic of protocol `proto` ("tcp" or "udp") to `port`.
acl_matches(entry, proto, port) if acl_all_protocols(entry)

acl_matches(entry, proto, port) if {
	acl_protocol(entry) == proto
	acl_from(entry) <= port
	port <= acl_to(entry)
}

# The entry matches every packet `other` matches (same or wider protocol and ports).
acl_covers(entry, other) if acl_all_protocols(entry)

acl_covers(entry, other) if {
	not acl_all_protocols(other)
	acl_protocol(entry) == acl_protocol(other)
	acl_from(entry) <= acl_from(other)
	acl_to(other) <= acl_to(entry)
}

# Human-readable protocol/port range of an entry.
acl_describe(entry) := "all traffic" if acl_all_protocols(entry)

acl_describe(entry) := sprintf("%s/%d", [acl_protocol(entry), acl_from(entry)]) if {
	acl_tcp_or_udp(entry)
	acl_from(entry) == acl_to(entry)
}

acl_describe(entry) := sprintf("%s/%d-%d", [acl_protocol(entry), acl_from(entry), acl_to(entry)]) if {
	acl_tcp_or_udp(entry)
	acl_from(entry) != acl_to(entry)
}

acl_describe(entry) := acl_protocol(entry) if {
	not acl_all_protocols(entry)
	not acl_tcp_or_udp(entry)
}

# --- routes ------------------------------------------------------------------------------

# The destination of a route (IPv4 or IPv6 CIDR, or prefix list).
route_destination(route) := route.DestinationCidrBlock

route_destination(route) := route.DestinationIpv6CidrBlock if not route.DestinationCidrBlock

route_destination(route) := route.DestinationPrefixListId if {
	not route.DestinationCidrBlock
	not route.DestinationIpv6CidrBlock
}

# The route sends 0.0.0.0/0 or ::/0 to an internet gateway (and is not a blackhole).
internet_route(route) if {
	open_to_world(route_destination(route))
	startswith(object.get(route, "GatewayId", ""), "igw-")
	lower(object.get(route, "State", "active")) != "blackhole"
}
