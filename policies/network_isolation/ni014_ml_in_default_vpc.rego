# METADATA
# title: ML workload runs in a default VPC
# description: >-
#   A default VPC (IsDefault true) hosts part of the ML workload scope: a notebook
#   instance's subnet, a domain, a training job's or model's VpcConfig subnets, or a
#   security group of the workload.
# custom:
#   id: NI-014
#   name: ml-workload-in-default-vpc
#   pillar: network_isolation
#   severity: low
#   service: ec2
#   resource_type: AWS::EC2::VPC
#   status: preview
#   rationale: >-
#     A default VPC is built for quick starts, not isolation: every subnet is public (a
#     route to the internet gateway and public addresses on launch), its network ACL allows
#     all traffic, it is shared by everything launched without a choice of VPC, and it has
#     no flow logs or endpoints. Workloads placed there inherit all of it, and SageMaker's
#     quick setup puts Studio domains there by default.
#   remediation:
#     text: >-
#       Build a dedicated VPC for the workload (private subnets without an internet gateway
#       route, VPC endpoints, flow logs; `mlguard harden` creates one) and recreate the
#       notebook instances, domains, models and training configurations in it.
#     action: sagemaker-move-out-of-default-vpc
#   frameworks:
#     ml_lens: {partial: [MLSEC-04]}
#     lab: {partial: [lab-3-vpc]}
#   references:
#     - https://docs.aws.amazon.com/vpc/latest/userguide/default-vpc.html
#     - https://docs.aws.amazon.com/sagemaker/latest/dg/onboard-vpc.html
#     - https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec-04.html
#   inputs:
#     - ec2:DescribeVpcs
#     - ec2:DescribeSubnets
#     - ec2:DescribeSecurityGroups
#     - sagemaker:ListNotebookInstances
#     - sagemaker:DescribeNotebookInstance
#     - sagemaker:ListDomains
#     - sagemaker:DescribeDomain
#     - sagemaker:ListTrainingJobs
#     - sagemaker:DescribeTrainingJob
#     - sagemaker:ListModels
#     - sagemaker:DescribeModel
package mlguard.network_isolation.ml_workload_in_default_vpc

import rego.v1

import data.mlguard.lib.resource
import data.mlguard.lib.result
import data.mlguard.lib.scope

ml_vpcs contains [region, i, vpc] if {
	some region, reg in input.regions
	some i, vpc in object.get(reg, ["ec2", "vpcs"], [])
	scope.vpc(vpc)
}

applicable contains resource.vpc(region, i, vpc) if some [region, i, vpc] in ml_vpcs

deny contains result.new(resource.vpc(region, i, vpc), msg) if {
	some [region, i, vpc] in ml_vpcs
	vpc.IsDefault == true
	msg := sprintf("default VPC %s hosts the ML workload: %s", [vpc.VpcId, scope.vpc_reason_text(vpc.VpcId)])
}
