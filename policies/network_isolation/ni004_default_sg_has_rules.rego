# METADATA
# title: Default security group allows traffic
# description: >-
#   The default security group of a VPC (group name `default`) has an inbound or an
#   outbound rule. AWS creates it with an inbound rule from itself and an outbound rule to
#   0.0.0.0/0, and attaches it to any network interface launched without a security group.
# custom:
#   id: NI-004
#   name: default-security-group-allows-traffic
#   pillar: network_isolation
#   severity: medium
#   service: ec2
#   resource_type: AWS::EC2::SecurityGroup
#   status: stable
#   rationale: >-
#     Whatever is launched without an explicit security group (a notebook, a training job
#     with an incomplete VpcConfig, an endpoint created by hand) silently lands in the
#     default group and can talk to every other member and to the internet. An empty
#     default group makes that mistake fail closed and forces every resource to carry a
#     group that was designed for it.
#   remediation:
#     text: >-
#       Move the resources that use the default group to purpose-built groups, then delete
#       every inbound and outbound rule of the default group. The default group itself
#       cannot be deleted.
#     action: ec2-empty-default-security-group
#   frameworks:
#     fsbp: {full: [EC2.2]}
#     cis: {full: ["5.4"]}
#     aws_config: {full: [vpc-default-security-group-closed]}
#     nist_800_53: {partial: [AC-4, AC-4(21), SC-7, SC-7(11), SC-7(16), SC-7(21), SC-7(4), SC-7(5)]}
#     iso_27001: {partial: [A.8.20, A.8.22]}
#     soc2: {partial: [CC6.6]}
#     ml_lens: {partial: [MLSEC-04]}
#     lab: {partial: [lab-3-vpc]}
#   references:
#     - https://docs.aws.amazon.com/vpc/latest/userguide/default-security-group.html
#     - https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-2
#     - https://docs.aws.amazon.com/securityhub/latest/userguide/cis-aws-foundations-benchmark.html
#     - https://docs.aws.amazon.com/config/latest/developerguide/vpc-default-security-group-closed.html
#     - https://github.com/prowler-cloud/prowler/blob/master/prowler/compliance/aws/iso27001_2022_aws.json
#     - https://github.com/prowler-cloud/prowler/blob/master/prowler/compliance/aws/soc2_aws.json
#     - https://github.com/turbot/steampipe-mod-aws-compliance/tree/main/soc_2
#     - https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec-04.html
#   inputs: [ec2:DescribeSecurityGroups]
package mlguard.network_isolation.default_security_group_allows_traffic

import rego.v1

import data.mlguard.lib.net
import data.mlguard.lib.resource
import data.mlguard.lib.result

default_groups contains [region, i, sg] if {
	some region, reg in input.regions
	some i, sg in object.get(reg, ["ec2", "security_groups"], [])
	sg.GroupName == "default"
}

applicable contains resource.security_group(region, i, sg) if some [region, i, sg] in default_groups

deny contains result.new(resource.security_group(region, i, sg), msg) if {
	some [region, i, sg] in default_groups
	rules := array.concat(
		[sprintf("inbound %s from %s", [net.describe(perm), concat(", ", net.all_sources(perm))]) |
			some perm in object.get(sg, "IpPermissions", [])
		],
		[sprintf("outbound %s to %s", [net.describe(perm), concat(", ", net.all_sources(perm))]) |
			some perm in object.get(sg, "IpPermissionsEgress", [])
		],
	)
	count(rules) > 0
	msg := sprintf("default security group %s of %s is not empty: %s", [sg.GroupId, object.get(sg, "VpcId", "no VPC"), concat("; ", rules)])
}
