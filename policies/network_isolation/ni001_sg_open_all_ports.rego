# METADATA
# title: Security group admits all traffic from the internet
# description: >-
#   A security group admits every port from the whole internet: its inbound rules that
#   cover every port (protocol `-1`, or tcp or udp 0-65535) admit every IPv4 or every IPv6
#   address. AWS admits the union of a group's rules, so 0.0.0.0/1 in one rule and
#   128.0.0.0/1 in another are as open as 0.0.0.0/0; the message names the ranges that
#   together make the internet. Ranges that leave out any address (0.0.0.0/1 alone) do not
#   count.
# custom:
#   id: NI-001
#   name: security-group-open-to-world
#   pillar: network_isolation
#   severity: critical
#   service: ec2
#   resource_type: AWS::EC2::SecurityGroup
#   status: stable
#   rationale: >-
#     Every service listening on an instance, notebook or endpoint network interface that
#     carries the group can be reached from anywhere on the internet: SSH, Jupyter, model
#     servers, databases, debug ports. Scanners find such groups within minutes, and one
#     unpatched or unauthenticated service is enough to reach the training data and the
#     credentials of the ML execution role.
#   remediation:
#     text: >-
#       Delete the inbound rule and admit only the ports the workload serves, from the
#       ranges that need them (for an ML workload: tcp/443 from the corporate VPN range or
#       from the security groups of its clients).
#     action: ec2-revoke-open-ingress
#   frameworks:
#     fsbp: {partial: [EC2.18, EC2.19]}
#     cis: {partial: ["5.2", "5.3"]}
#     aws_config: {partial: [vpc-sg-open-only-to-authorized-ports]}
#     nist_800_53: {partial: [AC-4, AC-4(21), CA-9(1), CM-2, CM-2(2), CM-7, SC-7, SC-7(11), SC-7(16), SC-7(21), SC-7(4), SC-7(5)]}
#     iso_27001: {partial: [A.8.20, A.8.21, A.8.22]}
#     soc2: {partial: [CC6.6]}
#     pci_dss: {partial: ["1.2.5", "1.3.1", "1.4.2"]}
#     ml_lens: {partial: [MLSEC-04]}
#     lab: {partial: [lab-3-vpc]}
#   references:
#     - https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-group-rules.html
#     - https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-18
#     - https://docs.aws.amazon.com/securityhub/latest/userguide/cis-aws-foundations-benchmark.html
#     - https://docs.aws.amazon.com/config/latest/developerguide/vpc-sg-open-only-to-authorized-ports.html
#     - https://github.com/prowler-cloud/prowler/blob/master/prowler/compliance/aws/iso27001_2022_aws.json
#     - https://github.com/prowler-cloud/prowler/blob/master/prowler/compliance/aws/soc2_aws.json
#     - https://github.com/turbot/steampipe-mod-aws-compliance/tree/main/soc_2
#     - https://github.com/prowler-cloud/prowler/blob/master/prowler/compliance/aws/pci_4.0_aws.json
#     - https://github.com/turbot/steampipe-mod-aws-compliance/tree/main/pci_dss_v40
#     - https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec-04.html
#   inputs: [ec2:DescribeSecurityGroups]
package mlguard.network_isolation.security_group_open_to_world

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
	covers := {k: r | some k in ["all", "tcp", "udp"]; r := net.class_cover_parsed(perms, k, parsed); count(r) > 0}
	count(covers) > 0
	open := [sprintf("%s from %s", [net.describe(perm), concat(", ", world)]) |
		some perm in perms
		net.all_ports(perm)
		world := sort({c | some k, r in covers; net.admits_class(perm, k); some c in net.sources(perm); c in r})
		count(world) > 0
	]
	notes := sort({n | some r in covers; some n in net.cover_notes(r)})
	msg := sprintf("security group %s (%s) admits every port from the internet: %s", [sg.GroupId, sg.GroupName, concat("; ", array.concat(open, notes))])
}
