# Network helpers: CIDRs, ports and security group rules.
package mlguard.lib.net

import rego.v1

world_cidrs := {"0.0.0.0/0", "::/0"}

private_ranges := ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"]

# `cidr` is the whole IPv4 or IPv6 internet.
open_to_world(cidr) if world_cidrs[cidr]

# `cidr` lies inside a private (RFC 1918 / RFC 6598 / ULA) range.
private_cidr(cidr) if {
	some range in private_ranges
	net.cidr_contains(range, cidr)
}

# `cidr` lies inside one of `ranges`.
within_any(cidr, ranges) if {
	some range in ranges
	net.cidr_contains(range, cidr)
}

# Every CIDR source of a security group permission (IPv4 and IPv6).
sources(perm) := array.concat(
	[r.CidrIp | some r in object.get(perm, "IpRanges", [])],
	[r.CidrIpv6 | some r in object.get(perm, "Ipv6Ranges", [])],
)

# The permission's sources that are the whole internet.
world_sources(perm) := [c | some c in sources(perm); open_to_world(c)]

all_protocols(perm) if perm.IpProtocol == "-1"

all_protocols(perm) if perm.IpProtocol == "all"

tcp_or_udp(perm) if lower(perm.IpProtocol) in {"tcp", "udp", "6", "17"}

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
	perm.FromPort <= port
	port <= perm.ToPort
}

# Human-readable protocol/port range of a permission.
describe(perm) := "all traffic" if all_protocols(perm)

describe(perm) := sprintf("%s/%d", [lower(perm.IpProtocol), perm.FromPort]) if {
	not all_protocols(perm)
	perm.FromPort == perm.ToPort
}

describe(perm) := sprintf("%s/%d-%d", [lower(perm.IpProtocol), perm.FromPort, perm.ToPort]) if {
	not all_protocols(perm)
	perm.FromPort != perm.ToPort
}

describe(perm) := lower(perm.IpProtocol) if {
	not all_protocols(perm)
	not perm.FromPort
}

# The permission admits exactly tcp/443.
https_only(perm) if {
	lower(perm.IpProtocol) in {"tcp", "6"}
	perm.FromPort == 443
	perm.ToPort == 443
}
