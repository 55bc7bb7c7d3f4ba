# METADATA
# title: Security group admits remote administration or database ports from the internet
# description: >-
#   A security group admits a remote-administration or database port from the whole
#   internet: SSH 22, RDP 3389, Jupyter 8888, WinRM, VNC, SMB, NFS, Docker, MySQL,
#   PostgreSQL, Redis and the others of the configured `admin_ports`. A port is open to the
#   internet when the inbound rules that admit it (tcp, udp or all protocols; a range such
#   as 0-1024 counts for every such port it contains) together admit every IPv4 or every
#   IPv6 address: 0.0.0.0/0 or ::/0, or ranges that add up to them, such as 0.0.0.0/1 in
#   one rule and 128.0.0.0/1 in another, since AWS admits the union of a group's rules. The
#   message names the ranges that make the internet. Ranges that leave out any address do
#   not count (NI-003 judges every source of the ML workload's groups).
# custom:
#   id: NI-002
#   name: security-group-admin-ports-open-to-world
#   pillar: network_isolation
#   severity: high
#   service: ec2
#   resource_type: AWS::EC2::SecurityGroup
#   status: stable
#   rationale: >-
#     Remote administration and database services are what internet-wide scanners and
#     credential-stuffing bots look for. An exposed SSH or RDP daemon, an unauthenticated
#     Jupyter server or a database listener on a host of the ML workload hands its data and
#     its execution role to whoever gets in first.
#   remediation:
#     text: >-
#       Delete the inbound rule. Reach instances through AWS Systems Manager Session Manager
#       or a VPN, and admit administration and database ports only from the trusted ranges
#       or security groups that need them.
#     action: ec2-revoke-open-ingress
#   frameworks:
#     fsbp: {full: [EC2.13, EC2.14, EC2.53, EC2.54], partial: [EC2.19]}
#     cis: {full: ["5.2", "5.3"]}
#     aws_config: {full: [restricted-ssh]}
#     nist_800_53: {partial: [AC-4, AC-4(21), CA-9(1), CM-2, CM-2(2), CM-7, SC-7, SC-7(11), SC-7(16), SC-7(21), SC-7(4), SC-7(5)]}
#     iso_27001: {partial: [A.8.20, A.8.21, A.8.22]}
#     soc2: {partial: [CC6.6]}
#     pci_dss: {partial: ["1.3.1", "1.4.2"]}
#     ml_lens: {partial: [MLSEC-04]}
#     lab: {partial: [lab-3-vpc]}
#   references:
#     - https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-53
#     - https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager.html
#     - https://docs.aws.amazon.com/securityhub/latest/userguide/cis-aws-foundations-benchmark.html
#     - https://docs.aws.amazon.com/config/latest/developerguide/restricted-ssh.html
#     - https://github.com/prowler-cloud/prowler/blob/master/prowler/compliance/aws/iso27001_2022_aws.json
#     - https://github.com/prowler-cloud/prowler/blob/master/prowler/compliance/aws/soc2_aws.json
#     - https://github.com/turbot/steampipe-mod-aws-compliance/tree/main/soc_2
#     - https://github.com/prowler-cloud/prowler/blob/master/prowler/compliance/aws/pci_4.0_aws.json
#     - https://github.com/turbot/steampipe-mod-aws-compliance/tree/main/pci_dss_v40
#     - https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec-04.html
#   inputs: [ec2:DescribeSecurityGroups]
package mlguard.network_isolation.security_group_admin_ports_open_to_world

import rego.v1

import data.mlguard.lib.net
import data.mlguard.lib.resource
import data.mlguard.lib.result

applicable contains resource.security_group(region, i, sg) if {
	some region, reg in input.regions
	some i, sg in object.get(reg, ["ec2", "security_groups"], [])
}

deny contains result.new(resource.security_group(region, i, sg), msg) if {
	some region, reg in input.regions
	some i, sg in object.get(reg, ["ec2", "security_groups"], [])
	perms := object.get(sg, "IpPermissions", [])
	parsed := net.parse_perms(perms)
	# Ports admitted by the same permissions are open or not together: one evaluation each.
	admitting := {[proto, port]: m |
		some proto in ["tcp", "udp"]
		some port in admin_ports
		m := [perm | some perm in perms; net.admits(perm, proto, port)]
	}
	cover_of := {m: net.world_cover_parsed([c | some perm in m; some c in net.sources(perm)], parsed) |
		some m in {am | some _, am in admitting}
	}
	covers := {probe: r |
		some probe, m in admitting
		r := cover_of[m]
		count(r) > 0
	}
	count(covers) > 0
	exposed := [sprintf("%s from %s (%s)", [net.describe(perm), concat(", ", world), reached(perm, ports)]) |
		some perm in perms
		hits := {[p, c] | some [proto, p], r in covers; net.admits(perm, proto, p); some c in net.sources(perm); c in r}
		count(hits) > 0
		world := sort({c | some [_, c] in hits})
		ports := sort({p | some [p, _] in hits})
	]
	notes := sort({n | some r in covers; some n in net.cover_notes(r)})
	msg := sprintf("security group %s (%s) admits administration ports from the internet: %s", [sg.GroupId, sg.GroupName, concat("; ", array.concat(exposed, notes))])
}

# Read through a rule of this package: functions must not read another package's rules
# through an import (docs/writing-policies.md).
admin_ports := net.configured_admin_ports

reached(perm, ports) := "every administration port" if every_port(perm, ports)

reached(perm, ports) := sprintf("port %s", [net.port_list(ports)]) if {
	not every_port(perm, ports)
	count(ports) == 1
}

reached(perm, ports) := sprintf("ports %s", [net.port_list(ports)]) if {
	not every_port(perm, ports)
	count(ports) > 1
}

# The permission covers every port and every administration port is open through it.
every_port(perm, ports) if {
	net.all_ports(perm)
	count(ports) == count({p | some p in admin_ports})
}
