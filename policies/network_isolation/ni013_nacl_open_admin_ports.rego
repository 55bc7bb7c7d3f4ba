# METADATA
# title: Network ACL admits administration ports or all traffic from the internet
# description: >-
#   A network ACL has an inbound allow entry from 0.0.0.0/0 or ::/0 that covers every port
#   (protocol `-1`, or tcp or udp 0-65535), or that covers a remote-administration or
#   database port of the configured `admin_ports` over tcp or udp. Entries apply in rule
#   number order and the first match wins: an allow entry counts only for the traffic no
#   lower-numbered deny entry for the same 0.0.0.0/0 or ::/0 source already refuses. An
#   entry for return traffic (such as tcp 1024-65535) counts for the administration ports
#   inside its range (3389, 5432, 8888 and others), as it does for Security Hub and CIS.
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
	found := [x | some e in world_allows(acl); x := exposure(acl, e)]
	count(found) > 0
	msg := sprintf("%snetwork ACL %s of %s admits from the internet: %s", [kind(acl), acl.NetworkAclId, acl.VpcId, concat("; ", found)])
}

kind(acl) := "default " if acl.IsDefault == true

kind(acl) := "" if not acl.IsDefault == true

# A network ACL holds at most a few dozen entries per direction, so comparing an entry
# with the others of its ACL stays cheap.
inbound(acl) := [e | some e in object.get(acl, "Entries", []); e.Egress == false]

world_allows(acl) := [e |
	some e in inbound(acl)
	lower(e.RuleAction) == "allow"
	net.open_to_world(net.acl_cidr(e))
]

# Deny entries for the same world source that are evaluated before `e`.
earlier_denies(acl, e) := [d |
	some d in inbound(acl)
	lower(d.RuleAction) == "deny"
	net.acl_cidr(d) == net.acl_cidr(e)
	d.RuleNumber < e.RuleNumber
]

fully_shadowed(acl, e) if {
	some d in earlier_denies(acl, e)
	net.acl_covers(d, e)
}

shadowed(denies, proto, port) if {
	some d in denies
	net.acl_matches(d, proto, port)
}

# Read through a rule of this package: functions must not read another package's rules
# through an import (docs/writing-policies.md).
admin_ports := config.admin_ports

# Administration ports `e` admits that no earlier deny refuses. `e` is a tcp or udp entry
# with a port range (entries of every protocol are reported as such, not through this).
open_admin_ports(acl, e) := sort({port |
	proto := net.acl_protocol(e)
	proto in {"tcp", "udp"}
	from := net.acl_from(e)
	to := net.acl_to(e)
	denies := earlier_denies(acl, e)
	some port in admin_ports
	from <= port
	port <= to
	not shadowed(denies, proto, port)
})

exposure(acl, e) := sprintf("rule %d allows %s from %s", [e.RuleNumber, net.acl_describe(e), net.acl_cidr(e)]) if {
	net.acl_all_ports(e)
	not fully_shadowed(acl, e)
}

exposure(acl, e) := sprintf("rule %d allows %s from %s (%s %s)", [e.RuleNumber, net.acl_describe(e), net.acl_cidr(e), noun, net.port_list(ports)]) if {
	not net.acl_all_ports(e)
	ports := open_admin_ports(acl, e)
	count(ports) > 0
	noun := {true: "port", false: "ports"}[count(ports) == 1]
}
