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

# `cidr` is the whole IPv4 or IPv6 internet, written as one range. Whether several ranges
# together are the whole internet is `world_cover` below.
open_to_world(cidr) if world_cidrs[cidr]

# --- address coverage: is a set of ranges the whole internet? ---------------------------
#
# AWS admits the union of a rule's sources, so 0.0.0.0/1 and 128.0.0.0/1 together are as
# open as 0.0.0.0/0. A range is handled as the string of its prefix bits ("0" for 0.0.0.0/1,
# "" for 0.0.0.0/0). Two ranges are either disjoint or one contains the other, so a set of
# ranges covers a block B exactly when one of them contains B, or, in the binary tree of
# the prefixes of the widest ranges inside B, every inner node has both children (walking
# down from B along any address then always ends in a range). This is exact: ranges that
# leave out a single address do not cover. Linear in the total prefix length.

hex_bits := {
	"0": "0000", "1": "0001", "2": "0010", "3": "0011", "4": "0100", "5": "0101", "6": "0110", "7": "0111",
	"8": "1000", "9": "1001", "a": "1010", "b": "1011", "c": "1100", "d": "1101", "e": "1110", "f": "1111",
}

zeros := "00000000000000000000000000000000"

pad(s, width) := concat("", [substring(zeros, 0, width - count(s)), s]) if count(s) <= width

octet_bits(o) := pad(format_int(n, 2), 8) if {
	regex.match(`^[0-9]{1,3}$`, o)
	n := to_number(o)
	n <= 255
}

ipv4_bits(addr) := concat("", bits) if {
	octets := split(addr, ".")
	count(octets) == 4
	bits := [octet_bits(o) | some o in octets]
	count(bits) == 4
}

group_bits(g) := concat("", [hex_bits[c] | some c in split(pad(g, 4), "")]) if regex.match(`^[0-9a-f]{1,4}$`, g)

hex_groups(part) := [] if part == ""

hex_groups(part) := split(part, ":") if part != ""

# The eight 16-bit groups of an IPv6 address, "::" expanded.
ipv6_groups(addr) := groups if {
	not contains(addr, "::")
	groups := split(addr, ":")
	count(groups) == 8
}

ipv6_groups(addr) := groups if {
	halves := split(addr, "::")
	count(halves) == 2
	head := hex_groups(halves[0])
	tail := hex_groups(halves[1])
	fill := 8 - count(head) - count(tail)
	fill >= 1
	groups := array.concat(array.concat(head, [g | some _ in numbers.range(1, fill); g := "0"]), tail)
}

ipv6_bits(addr) := concat("", bits) if {
	groups := ipv6_groups(addr)
	bits := [group_bits(g) | some g in groups]
	count(bits) == 8
}

# ["4" or "6", prefix bits] of a CIDR; undefined for a malformed one (which covers nothing).
cidr_block(cidr) := ["4", substring(ipv4_bits(addr), 0, n)] if {
	valid_cidr(cidr)
	[addr, len] := split(cidr, "/")
	not contains(addr, ":")
	n := to_number(len)
	n <= 32
}

cidr_block(cidr) := ["6", substring(ipv6_bits(lower(addr)), 0, n)] if {
	valid_cidr(cidr)
	[addr, len] := split(cidr, "/")
	contains(addr, ":")
	n := to_number(len)
	n <= 128
}

# The blocks (prefix bits) of `cidrs` in family `fam`.
family_blocks(cidrs, fam) := {b | some c in cidrs; [fam, b] = cidr_block(c)}

# Some block of `blocks` is a proper prefix of `b` (a wider range contains it).
inside_another(b, blocks) if {
	count(b) > 0
	some k in numbers.range(0, count(b) - 1)
	substring(b, 0, k) in blocks
}

# The widest blocks: those no other block contains.
widest(blocks) := {b | some b in blocks; not inside_another(b, blocks)}

# The blocks in `blocks` together cover block `t` (prefix bits; "" is the whole family).
covers(t, blocks) if {
	some b in blocks
	startswith(t, b)
}

covers(t, blocks) if {
	not t in blocks
	leaves := widest({b | some b in blocks; startswith(b, t)})
	count(leaves) > 0
	nodes := {substring(l, 0, k) | some l in leaves; some k in numbers.range(count(t), count(l))}
	holes := {n |
		some n in nodes
		not n in leaves
		some bit in ["0", "1"]
		not concat("", [n, bit]) in nodes
	}
	count(holes) == 0
}

# The ranges of `cidrs` (strings) that make them cover the whole IPv4 or the whole IPv6
# internet: the widest ranges of each family whose union is every address. Empty when
# neither family is covered. Sorted, each range once.
world_cover(cidrs) := world_cover_parsed(cidrs, parse_cidrs(cidrs))

# `cidr_block` of each CIDR, parsed once: {cidr: [family, bits]}.
parse_cidrs(cidrs) := {c: b | some c in cidrs; b := cidr_block(c)}

# world_cover with the ranges already parsed (`parsed` holds at least every range of `cidrs`).
world_cover_parsed(cidrs, parsed) := sort({c |
	some fam in ["4", "6"]
	blocks := {xb | some x in cidrs; [fam, xb] = parsed[x]}
	covers("", blocks)
	top := widest(blocks)
	some c in cidrs
	[fam, b] = parsed[c]
	b in top
})

# For messages: how the ranges of `world_cover` make the internet, when they are more than
# 0.0.0.0/0 and ::/0 written as such ("0.0.0.0/1, 128.0.0.0/1 together cover every IPv4
# address").
cover_notes(ranges) := [note |
	some [fam, name] in [["4", "IPv4"], ["6", "IPv6"]]
	of_fam := [c | some c in ranges; [fam, _] = cidr_block(c)]
	count(of_fam) > 0
	not single_world(of_fam)
	note := sprintf("%s together cover every %s address", [concat(", ", of_fam), name])
]

single_world(ranges) if {
	count(ranges) == 1
	open_to_world(ranges[0])
}

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

# The permission admits `proto` ("tcp" or "udp") traffic to `port`.
admits(perm, _, _) if all_protocols(perm)

admits(perm, proto, port) if {
	protocol(perm) == proto
	object.get(perm, "FromPort", 0) <= port
	port <= object.get(perm, "ToPort", 65535)
}

# The permission admits every port of class `k`: "all" (every protocol), "tcp" or "udp".
admits_class(perm, _) if all_protocols(perm)

admits_class(perm, k) if {
	k in {"tcp", "udp"}
	protocol(perm) == k
	all_ports(perm)
}

# The ranges of the permissions `perms` of one security group (and one direction) that
# together make every port of class `k` reachable from (or to) the whole IPv4 or IPv6
# internet; empty when they do not. AWS admits traffic that any rule admits, so ranges of
# different permissions add up.
class_cover(perms, k) := class_cover_parsed(perms, k, parse_perms(perms))

class_cover_parsed(perms, k, parsed) := world_cover_parsed([c | some perm in perms; admits_class(perm, k); some c in sources(perm)], parsed)

# The same for `proto` traffic to `port`.
port_cover(perms, proto, port) := port_cover_parsed(perms, proto, port, parse_perms(perms))

port_cover_parsed(perms, proto, port, parsed) := world_cover_parsed([c | some perm in perms; admits(perm, proto, port); some c in sources(perm)], parsed)

# Every CIDR source of the permissions, parsed once (for the *_parsed functions).
parse_perms(perms) := parse_cidrs([c | some perm in perms; some c in sources(perm)])

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

# The entry covers every port of class `k` ("all", "tcp" or "udp").
acl_covers_class(entry, _) if acl_all_protocols(entry)

acl_covers_class(entry, k) if {
	k in {"tcp", "udp"}
	acl_protocol(entry) == k
	acl_all_ports(entry)
}

acl_allow(entry) if lower(entry.RuleAction) == "allow"

acl_deny(entry) if lower(entry.RuleAction) == "deny"

# The rule numbers of the allow entries that make `matching` (the entries of one direction
# that match one kind of traffic) admit it from the internet; empty when they do not. The
# first entry by rule number that matches a packet decides it, so an allow entry whose range
# the deny entries with lower rule numbers refuse entirely is never reached. The traffic is
# admitted from the internet when the allow entries that are reached together cover the
# whole IPv4 (or IPv6) address space: a lower-numbered deny of part of the space (a private
# range, one address) is an exception in an ACL that is still open to the internet, while a
# deny of all of an allow's range before it closes that allow. The entries returned are the
# widest allow ranges.
acl_cover(matching) := acl_cover_parsed(matching, parse_acl(matching))

# The range of each entry, parsed once: {rule number: [family, bits]} (the entries of one
# direction, whose rule numbers are unique).
parse_acl(entries) := {e.RuleNumber: b | some e in entries; b := cidr_block(acl_cidr(e))}

acl_cover_parsed(matching, parsed) := {n |
	some fam in ["4", "6"]
	live := [[a.RuleNumber, b] |
		some a in matching
		acl_allow(a)
		[fam, b] = parsed[a.RuleNumber]
		not acl_shadowed(matching, fam, a.RuleNumber, b, parsed)
	]
	blocks := {b | some [_, b] in live}
	covers("", blocks)
	top := widest(blocks)
	some [n, eb] in live
	eb in top
}

# The deny entries of `matching` with rule numbers below `n` refuse every address of the
# range `b` (family `fam`): an allow entry `n` for `b` is never reached.
acl_shadowed(matching, fam, n, b, parsed) if covers(b, {db |
	some d in matching
	acl_deny(d)
	d.RuleNumber < n
	[fam, db] = parsed[d.RuleNumber]
})

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
	gateway_route(route)
}

# The route sends its destination to an internet gateway (and is not a blackhole).
gateway_route(route) if {
	startswith(object.get(route, "GatewayId", ""), "igw-")
	lower(object.get(route, "State", "active")) != "blackhole"
}

# The routes of `routes` to internet gateways whose destinations together are the whole
# IPv4 or IPv6 internet: 0.0.0.0/0, or 0.0.0.0/1 and 128.0.0.0/1 (as VPN clients write the
# default route), and so on. Empty when they are not.
internet_routes(routes) := [r |
	to_gateway := [g | some g in routes; gateway_route(g)]
	cover := world_cover([route_destination(g) | some g in to_gateway])
	some r in to_gateway
	route_destination(r) in cover
]
