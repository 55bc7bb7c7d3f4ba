# METADATA
# title: ML security group admits more than HTTPS from the trusted ranges
# description: >-
#   A security group of the ML workload scope has an inbound rule for anything other than
#   tcp/443, or admits tcp/443 from a source wider than the trusted CIDRs. With no trusted
#   CIDRs configured, tcp/443 from a private range (RFC 1918, 100.64.0.0/10, fc00::/7) is
#   the only inbound traffic that passes; with trusted CIDRs, only tcp/443 from inside one
#   of them passes. A rule that names a security group is judged like this: the group
#   itself, or another group of the ML workload scope, is the workload talking to itself
#   (distributed training and Studio need it) and passes on any port; any other group
#   passes only on tcp/443 and only while no trusted CIDRs are configured, since its
#   members' addresses cannot be checked against them. A rule that names a prefix list
#   fails on any port but tcp/443; on tcp/443 the security group is reported not assessed,
#   because the snapshot does not hold the prefix list's entries.
# custom:
#   id: NI-003
#   name: ml-security-group-ingress-beyond-trusted
#   pillar: network_isolation
#   severity: medium
#   service: ec2
#   resource_type: AWS::EC2::SecurityGroup
#   status: stable
#   rationale: >-
#     Notebooks, Studio apps, training jobs and endpoints are reached through the SageMaker
#     service, not through their network interfaces; what the workload's security groups
#     must admit is HTTPS from the people and services that use it. Admitting other ports,
#     or HTTPS from the whole VPC, lets any compromised host in the network reach the
#     workload's Jupyter servers and model containers. The lab's challenge is exactly this:
#     only 443 from the corporate VPN range, not the whole VPC.
#   remediation:
#     text: >-
#       Replace the inbound rules with tcp/443 from the corporate VPN range (pass it to
#       mlguard with --trusted-cidr so the audit checks against it), keep the rules between
#       the workload's own security groups (distributed training, Studio), and delete the
#       rest.
#     action: ec2-restrict-ingress-to-trusted
#   frameworks:
#     ml_lens: {partial: [MLSEC-04]}
#     lab: {full: [lab-challenge-sg-443], partial: [lab-3-vpc]}
#   references:
#     - https://docs.aws.amazon.com/sagemaker/latest/dg/train-vpc.html
#     - https://docs.aws.amazon.com/sagemaker/latest/dg/studio-notebooks-and-internet-access.html
#     - https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html
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
package mlguard.network_isolation.ml_security_group_ingress_beyond_trusted

import rego.v1

import data.mlguard.lib.config
import data.mlguard.lib.net
import data.mlguard.lib.resource
import data.mlguard.lib.result
import data.mlguard.lib.scope

applicable contains resource.security_group(region, i, sg) if {
	some region, reg in input.regions
	some i, sg in object.get(reg, ["ec2", "security_groups"], [])
	scope.security_group(sg)
}

deny contains result.new(resource.security_group(region, i, sg), msg) if {
	some region, reg in input.regions
	some i, sg in object.get(reg, ["ec2", "security_groups"], [])
	scope.security_group(sg)
	found := offences(sg)
	count(found) > 0
	msg := sprintf("ML security group %s (%s) admits %s", [sg.GroupId, sg.GroupName, concat("; ", found)])
}

not_assessed contains result.new(resource.security_group(region, i, sg), msg) if {
	some region, reg in input.regions
	some i, sg in object.get(reg, ["ec2", "security_groups"], [])
	scope.security_group(sg)
	count(offences(sg)) == 0
	lists := unverifiable_prefix_lists(sg)
	count(lists) > 0
	msg := sprintf("not assessed: ML security group %s (%s) admits tcp/443 from prefix list %s, whose entries the snapshot does not hold", [sg.GroupId, sg.GroupName, concat(", ", lists)])
}

ingress(sg) := object.get(sg, "IpPermissions", [])

offences(sg) := array.concat(cidr_offences(sg), array.concat(group_offences(sg), prefix_list_offences(sg)))

# --- CIDR sources: tcp/443 from a trusted source only ------------------------------------

cidr_offences(sg) := [sprintf("%s from %s (%s)", [net.describe(perm), src, cidr_fault(perm, src)]) |
	some perm in ingress(sg)
	some src in net.sources(perm)
	cidr_fault(perm, src)
]

cidr_fault(perm, src) := "only tcp/443 is allowed" if not net.https_only(perm)

# Read through rules of this package: functions must not read another package's rules
# through an import (docs/writing-policies.md).
untrusted_reason := net.untrusted_reason

trusted_cidr_count := count(config.trusted_cidrs)

cidr_fault(perm, src) := untrusted_reason if {
	net.https_only(perm)
	not net.trusted_source(src)
}

# --- security group sources ------------------------------------------------------------

group_offences(sg) := [sprintf("%s from security group %s (%s)", [net.describe(perm), gid, group_fault(perm)]) |
	some perm in ingress(sg)
	some gid in net.group_sources(perm)
	not workload_group(sg, gid)
	group_fault(perm)
]

# The group itself, or another group of the ML workload scope.
workload_group(sg, gid) if gid == sg.GroupId

workload_group(_, gid) if scope.security_group_id(gid)

group_fault(perm) := "only tcp/443 is allowed" if not net.https_only(perm)

group_fault(perm) := "a security group outside the ML workload is not a trusted CIDR" if {
	net.https_only(perm)
	trusted_cidr_count > 0
}

# --- prefix list sources ---------------------------------------------------------------

prefix_list_offences(sg) := [sprintf("%s from prefix list %s (only tcp/443 is allowed)", [net.describe(perm), pl]) |
	some perm in ingress(sg)
	not net.https_only(perm)
	some pl in net.prefix_list_sources(perm)
]

unverifiable_prefix_lists(sg) := [pl |
	some perm in ingress(sg)
	net.https_only(perm)
	some pl in net.prefix_list_sources(perm)
]
