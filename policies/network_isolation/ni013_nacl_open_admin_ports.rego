# METADATA
# title: Network ACL admits administration ports or all traffic from the internet
# description: >-
#   A network ACL admits every port (protocol `-1`, or tcp or udp 0-65535), or a
#   remote-administration or database port of the configured `admin_ports` over tcp or
#   udp, from the whole internet. Entries apply in rule number order and the first entry
#   that matches a packet decides it, so an allow entry whose whole range lower-numbered
#   deny entries refuse is never reached, and the traffic is open to the internet when,
#   among the inbound entries that match it, the allow entries that are reached together
#   cover every IPv4 (or every IPv6) address. 0.0.0.0/0 in one entry, or 0.0.0.0/1 and
#   128.0.0.0/1 in two, are the whole IPv4 internet; a lower-numbered deny of part of it
#   (a private range, a single /32) is an exception and the ACL is still open, while a deny
#   of an allow's whole range before it closes that allow. The message names the allow
#   entries whose ranges make the internet. An entry for return traffic (such as tcp 1024-65535) counts for the
#   administration ports inside its range (3389, 5432, 8888 and others), as it does for
#   Security Hub and CIS.
# custom:
#   id: NI-013
#   name: network-acl-open-to-world
#   pillar: network_isolation
#   severity: medium
#   service: ec2
#   resource_type: AWS::EC2::NetworkAcl
#   status: preview
#   rationale: >-
#     The network ACL is the subnet-wide layer under the security groups. When it admits
#     administration ports from anywhere, a single permissive security group rule is all
#     that stands between the internet and SSH, RDP or a database in the subnet. Default
#     network ACLs allow everything, so they fail until they are tightened.
#   remediation:
#     text: >-
#       Replace the allow entries from 0.0.0.0/0 and ::/0 with entries for the ports and
#       source ranges the subnets actually serve, or add deny entries for the administration
#       ports with rule numbers below the allow entry. Subnets that only reach AWS services
#       through VPC endpoints need no inbound entry from the internet at all.
#     action: ec2-restrict-network-acl
#   frameworks:
#     fsbp: {full: [EC2.21]}
#     cis: {full: ["5.1"]}
#     aws_config: {full: [nacl-no-unrestricted-ssh-rdp]}
#     nist_800_53: {partial: [AC-4(21), CA-9(1), CM-2, CM-2(2), CM-7, SC-7, SC-7(21), SC-7(5)]}
#     iso_27001: {partial: [A.8.20, A.8.21, A.8.22]}
#     soc2: {partial: [CC6.6]}
#     pci_dss: {partial: ["1.3.1", "1.4.2"]}
#     ml_lens: {partial: [MLSEC-04]}
#     lab: {partial: [lab-3-vpc]}
#   references:
#     - https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html
#     - https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-21
#     - https://docs.aws.amazon.com/securityhub/latest/userguide/cis-aws-foundations-benchmark.html
#     - https://docs.aws.amazon.com/config/latest/developerguide/nacl-no-unrestricted-ssh-rdp.html
#     - https://github.com/prowler-cloud/prowler/blob/master/prowler/compliance/aws/iso27001_2022_aws.json
#     - https://github.com/prowler-cloud/prowler/blob/master/prowler/compliance/aws/soc2_aws.json
#     - https://github.com/turbot/steampipe-mod-aws-compliance/tree/main/soc_2
#     - https://github.com/prowler-cloud/prowler/blob/master/prowler/compliance/aws/pci_4.0_aws.json
#     - https://github.com/turbot/steampipe-mod-aws-compliance/tree/main/pci_dss_v40
#     - https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec-04.html
#   inputs: [ec2:DescribeNetworkAcls]
package mlguard.network_isolation.network_acl_open_to_world

import rego.v1

import data.mlguard.lib.config
import data.mlguard.lib.net
import data.mlguard.lib.resource
import data.mlguard.lib.result

acls contains [region, i, acl] if {
	some region, reg in input.regions
	some i, acl in object.get(reg, ["ec2", "network_acls"], [])
}

applicable contains resource.network_acl(region, i, acl) if some [region, i, acl] in acls

deny contains result.new(resource.network_acl(region, i, acl), msg) if {
	some [region, i, acl] in acls
	entries := inbound(acl)
	parsed := net.parse_acl(entries)
	classes := {k: r | some k in ["all", "tcp", "udp"]; r := class_cover(entries, k, parsed); count(r) > 0}
	# Ports matched by the same entries are open or not together: one evaluation each.
	matching := {[proto, port]: m |
		some proto in ["tcp", "udp"]
		some port in admin_ports
		m := [e | some e in entries; net.acl_matches(e, proto, port)]
	}
	cover_of := {m: net.acl_cover_parsed(m, parsed) | some m in {em | some _, em in matching}}
	ports := {probe: r |
		some probe, m in matching
		r := cover_of[m]
		count(r) > 0
	}
	found := [x |
		some e in entries
		net.acl_allow(e)
		x := exposure(e, classes, ports)
	]
	count(found) > 0
	opening := {nums | some covers in [classes, ports]; some nums in covers}
	notes := sort({n |
		some nums in opening
		some n in net.cover_notes(sort({net.acl_cidr(e) | some e in entries; e.RuleNumber in nums}))
	})
	msg := sprintf("%snetwork ACL %s of %s admits from the internet: %s", [kind(acl), acl.NetworkAclId, acl.VpcId, concat("; ", array.concat(found, notes))])
}

kind(acl) := "default " if acl.IsDefault == true

kind(acl) := "" if not acl.IsDefault == true

# A network ACL holds at most a few dozen entries per direction, so comparing an entry
# with the others of its ACL stays cheap.
inbound(acl) := [e | some e in object.get(acl, "Entries", []); e.Egress == false]

# Read through a rule of this package: functions must not read another package's rules
# through an import (docs/writing-policies.md).
admin_ports := config.admin_ports

# The allow entries that admit every port of class `k` from the whole internet: the entries
# that cover the class, against the deny entries that refuse all of it.
class_cover(entries, k, parsed) := net.acl_cover_parsed(
	[e |
		some e in entries
		net.acl_covers_class(e, k)
	],
	parsed,
)

exposure(e, classes, _) := sprintf("rule %d allows %s from %s", [e.RuleNumber, net.acl_describe(e), net.acl_cidr(e)]) if {
	net.acl_all_ports(e)
	some nums in classes
	e.RuleNumber in nums
}

exposure(e, classes, ports) := sprintf("rule %d allows %s from %s (%s %s)", [e.RuleNumber, net.acl_describe(e), net.acl_cidr(e), noun, net.port_list(open)]) if {
	not class_exposure(e, classes)
	open := sort({port | some [_, port], nums in ports; e.RuleNumber in nums})
	count(open) > 0
	noun := {true: "port", false: "ports"}[count(open) == 1]
}

class_exposure(e, classes) if {
	net.acl_all_ports(e)
	some nums in classes
	e.RuleNumber in nums
}
