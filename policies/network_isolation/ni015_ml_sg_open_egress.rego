# METADATA
# title: ML security group allows all outbound traffic to the internet
# description: >-
#   A security group of the ML workload scope allows every port out to the whole internet:
#   its outbound rules that cover every port (protocol `-1`, or tcp or udp 0-65535) reach
#   every IPv4 or every IPv6 address, written as 0.0.0.0/0 or ::/0 or as ranges that
#   together make them (0.0.0.0/1 and 128.0.0.0/1). AWS adds such a rule to every new
#   security group.
# custom:
#   id: NI-015
#   name: ml-security-group-open-egress
#   pillar: network_isolation
#   severity: low
#   service: ec2
#   resource_type: AWS::EC2::SecurityGroup
#   status: preview
#   rationale: >-
#     Outbound rules are the last control between a compromised notebook or container and
#     an attacker's server. An ML workload needs HTTPS to its VPC endpoints (and S3 through
#     the gateway endpoint's prefix list) and traffic within its own security group; an
#     all-traffic rule to the internet lets data leave over any protocol as soon as a route
#     out exists, and hides exfiltration among legitimate traffic.
#   remediation:
#     text: >-
#       Replace the rule with tcp/443 to the VPC's CIDR (or the endpoints' security group)
#       and to the region's S3 prefix list, plus all traffic to the group itself for
#       distributed training, and whatever else the workload demonstrably needs.
#     action: ec2-revoke-open-egress
#   frameworks:
#     ml_lens: {partial: [MLSEC-04]}
#     lab: {partial: [lab-3-vpc]}
#   references:
#     - https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html
#     - https://docs.aws.amazon.com/sagemaker/latest/dg/train-vpc.html
#     - https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec-04.html
#   inputs:
#     - ec2:DescribeSecurityGroups
#     - sagemaker:ListNotebookInstances
#     - sagemaker:DescribeNotebookInstance
#     - sagemaker:ListDomains
#     - sagemaker:DescribeDomain
#     - sagemaker:ListTrainingJobs
#     - sagemaker:DescribeTrainingJob
#     - sagemaker:ListModels
#     - sagemaker:DescribeModel
package mlguard.network_isolation.ml_security_group_open_egress

import rego.v1

import data.mlguard.lib.net
import data.mlguard.lib.resource
import data.mlguard.lib.result
import data.mlguard.lib.scope

ml_groups contains [region, i, sg] if {
	some region, reg in input.regions
	some i, sg in object.get(reg, ["ec2", "security_groups"], [])
	scope.security_group(sg)
}

applicable contains resource.security_group(region, i, sg) if some [region, i, sg] in ml_groups

deny contains result.new(resource.security_group(region, i, sg), msg) if {
	some [region, i, sg] in ml_groups
	perms := object.get(sg, "IpPermissionsEgress", [])
	parsed := net.parse_perms(perms)
	covers := {k: r | some k in ["all", "tcp", "udp"]; r := net.class_cover_parsed(perms, k, parsed); count(r) > 0}
	count(covers) > 0
	open := [sprintf("%s to %s", [net.describe(perm), concat(", ", world)]) |
		some perm in perms
		net.all_ports(perm)
		world := sort({c | some k, r in covers; net.admits_class(perm, k); some c in net.sources(perm); c in r})
		count(world) > 0
	]
	notes := sort({n | some r in covers; some n in net.cover_notes(r)})
	msg := sprintf("ML security group %s (%s) allows every port out to the internet: %s", [sg.GroupId, sg.GroupName, concat("; ", array.concat(open, notes))])
}
