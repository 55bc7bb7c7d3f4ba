# METADATA
# title: VPC has no flow logs
# description: >-
#   A VPC has no active flow log. A flow log counts when it watches the VPC itself
#   (ResourceId is the VPC id), is active (FlowLogStatus ACTIVE, or not reported), and
#   records rejected traffic (TrafficType ALL or REJECT, or not reported); a flow log that
#   records only accepted traffic misses the probes the security groups turned away.
# custom:
#   id: NI-005
#   name: vpc-without-flow-logs
#   pillar: network_isolation
#   severity: medium
#   service: ec2
#   resource_type: AWS::EC2::VPC
#   status: stable
#   rationale: >-
#     Flow logs are the only record of which addresses talked to the workload's network
#     interfaces. Without them, an exfiltration from a notebook or a scan of the training
#     subnet leaves no trace, and an investigation cannot tell what a compromised
#     instance reached.
#   remediation:
#     text: >-
#       Create a flow log for the VPC that captures all traffic (or at least rejected
#       traffic) to CloudWatch Logs or to an S3 bucket encrypted with a customer-managed key.
#     action: ec2-create-flow-logs
#   frameworks:
#     fsbp: {full: [EC2.6]}
#     cis: {full: ["3.7"]}
#     aws_config: {full: [vpc-flow-logs-enabled]}
#     nist_800_53: {partial: [AC-4(26), AU-12, AU-2, AU-3, AU-6(3), AU-6(4), CA-7, SI-7(8)]}
#     iso_27001: {partial: [A.8.15, A.8.16]}
#     soc2: {partial: [CC7.2, CC7.3]}
#     pci_dss: {partial: ["10.2.1", "10.2.2"]}
#     hipaa: {partial: ["164.312(b)"]}
#     ml_lens: {partial: [MLSEC-04]}
#     lab: {partial: [lab-3-vpc]}
#   references:
#     - https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs.html
#     - https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-6
#     - https://docs.aws.amazon.com/securityhub/latest/userguide/cis-aws-foundations-benchmark.html
#     - https://docs.aws.amazon.com/config/latest/developerguide/vpc-flow-logs-enabled.html
#     - https://docs.aws.amazon.com/config/latest/developerguide/operational-best-practices-for-hipaa_security.html
#     - https://github.com/prowler-cloud/prowler/blob/master/prowler/compliance/aws/iso27001_2022_aws.json
#     - https://github.com/prowler-cloud/prowler/blob/master/prowler/compliance/aws/soc2_aws.json
#     - https://github.com/turbot/steampipe-mod-aws-compliance/tree/main/soc_2
#     - https://github.com/prowler-cloud/prowler/blob/master/prowler/compliance/aws/pci_4.0_aws.json
#     - https://github.com/turbot/steampipe-mod-aws-compliance/tree/main/pci_dss_v40
#     - https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec-04.html
#   inputs: [ec2:DescribeVpcs, ec2:DescribeFlowLogs]
package mlguard.network_isolation.vpc_without_flow_logs

import rego.v1

import data.mlguard.lib.gaps
import data.mlguard.lib.resource
import data.mlguard.lib.result

# Resource ids (VPC, subnet, interface) watched by a flow log that counts.
watched contains bound_id if {
	some reg in input.regions
	some f in object.get(reg, ["ec2", "flow_logs"], [])
	upper(object.get(f, "FlowLogStatus", "ACTIVE")) == "ACTIVE"
	upper(object.get(f, "TrafficType", "ALL")) in {"ALL", "REJECT"}
	bound_id := f.ResourceId
}

# Flow logs that exist but do not count, by resource id, for the message.
inactive contains bound_id if {
	some reg in input.regions
	some f in object.get(reg, ["ec2", "flow_logs"], [])
	not watched[f.ResourceId]
	bound_id := f.ResourceId
}

applicable contains resource.vpc(region, i, vpc) if {
	some region, reg in input.regions
	some i, vpc in object.get(reg, ["ec2", "vpcs"], [])
}

deny contains result.new(resource.vpc(region, i, vpc), msg) if {
	some region, reg in input.regions
	some i, vpc in object.get(reg, ["ec2", "vpcs"], [])
	not watched[vpc.VpcId]
	not gaps.listing_failed("ec2", region, "DescribeFlowLogs")
	msg := sprintf("VPC %s has no active flow log%s", [vpc.VpcId, detail(vpc.VpcId)])
}

# The flow logs could not be listed in the region: the VPC is unknown, not failing.
not_assessed contains result.new(resource.vpc(region, i, vpc), msg) if {
	some region, reg in input.regions
	some i, vpc in object.get(reg, ["ec2", "vpcs"], [])
	not watched[vpc.VpcId]
	gaps.listing_failed("ec2", region, "DescribeFlowLogs")
	msg := sprintf("not assessed: the flow logs of %s could not be listed", [region])
}

detail(id) := " (its flow logs are inactive or record accepted traffic only)" if inactive[id]

detail(id) := "" if not inactive[id]
