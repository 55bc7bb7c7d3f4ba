# METADATA
# title: ML VPC lacks the S3 and SageMaker VPC endpoints
# description: >-
#   A VPC of the ML workload scope has no S3 gateway endpoint
#   (`com.amazonaws.<region>.s3`, type Gateway), or no SageMaker API or SageMaker runtime
#   interface endpoint (`com.amazonaws.<region>.sagemaker.api` and
#   `com.amazonaws.<region>.sagemaker.runtime`, FIPS variants included) with private DNS
#   on. An endpoint counts while its State is available (compared without regard to case,
#   as some APIs report it in lower case) or not reported.
# custom:
#   id: NI-012
#   name: ml-vpc-without-endpoints
#   pillar: network_isolation
#   severity: low
#   service: ec2
#   resource_type: AWS::EC2::VPC
#   status: preview
#   rationale: >-
#     Without these endpoints, a workload in the VPC reaches S3 and the SageMaker APIs
#     through a NAT gateway or an internet gateway, so the VPC must keep a path to the
#     internet, the traffic cannot be limited by endpoint policies, and bucket policies
#     cannot require aws:SourceVpce. With them, private subnets need no route out at all.
#   remediation:
#     text: >-
#       Create an S3 gateway endpoint on the route tables of the ML subnets, and SageMaker
#       API and runtime interface endpoints with private DNS in the ML subnets, with a
#       security group that admits tcp/443 from the workload. Add endpoints for STS,
#       CloudWatch Logs, ECR and KMS if the workload uses them, and scope each endpoint's
#       policy to the workload's buckets and resources.
#     action: ec2-create-sagemaker-endpoints
#   frameworks:
#     ml_lens: {partial: [MLSEC-04]}
#     lab: {partial: [lab-3-vpc]}
#   references:
#     - https://docs.aws.amazon.com/sagemaker/latest/dg/interface-vpc-endpoint.html
#     - https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-s3.html
#     - https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec-04.html
#   inputs:
#     - ec2:DescribeVpcs
#     - ec2:DescribeVpcEndpoints
#     - ec2:DescribeSecurityGroups
#     - sagemaker:ListNotebookInstances
#     - sagemaker:DescribeNotebookInstance
#     - sagemaker:ListDomains
#     - sagemaker:DescribeDomain
#     - sagemaker:ListTrainingJobs
#     - sagemaker:DescribeTrainingJob
#     - sagemaker:ListModels
#     - sagemaker:DescribeModel
package mlguard.network_isolation.ml_vpc_without_endpoints

import rego.v1

import data.mlguard.lib.gaps
import data.mlguard.lib.resource
import data.mlguard.lib.result
import data.mlguard.lib.scope

# The endpoints an ML VPC needs: service key -> name suffixes after the region, endpoint
# type, and how the message names it.
required := {
	"s3": {"suffixes": ["s3"], "type": "gateway", "label": "an S3 gateway endpoint"},
	"sagemaker.api": {"suffixes": ["sagemaker.api", "sagemaker.api-fips"], "type": "interface", "label": "a SageMaker API interface endpoint"},
	"sagemaker.runtime": {"suffixes": ["sagemaker.runtime", "sagemaker.runtime-fips"], "type": "interface", "label": "a SageMaker runtime interface endpoint"},
}

# The required service an endpoint serves ("com.amazonaws.us-east-1.sagemaker.api" in
# us-east-1 is "sagemaker.api"; the China partition prefixes "cn.").
service_of(region, e) := key if {
	some key, spec in required
	some suffix in spec.suffixes
	endswith(lower(e.ServiceName), sprintf(".%s.%s", [region, suffix]))
}

# The endpoint is available, of the required type and, for an interface endpoint, resolves
# the service's default DNS name (private DNS on).
usable(e, key) if {
	lower(object.get(e, "State", "available")) == "available"
	lower(object.get(e, "VpcEndpointType", required[key].type)) == required[key].type
	private_dns_ok(e, key)
}

private_dns_ok(_, "s3") := true

private_dns_ok(e, key) if {
	key != "s3"
	not object.get(e, "PrivateDnsEnabled", true) == false
}

# "vpc id|service key" for each endpoint that is present, and for each that counts.
present contains joined_key if {
	some region, reg in input.regions
	some e in object.get(reg, ["ec2", "vpc_endpoints"], [])
	key := service_of(region, e)
	joined_key := sprintf("%s|%s", [e.VpcId, key])
}

counted contains joined_key if {
	some region, reg in input.regions
	some e in object.get(reg, ["ec2", "vpc_endpoints"], [])
	key := service_of(region, e)
	usable(e, key)
	joined_key := sprintf("%s|%s", [e.VpcId, key])
}

ml_vpcs contains [region, i, vpc] if {
	some region, reg in input.regions
	some i, vpc in object.get(reg, ["ec2", "vpcs"], [])
	scope.vpc(vpc)
}

applicable contains resource.vpc(region, i, vpc) if some [region, i, vpc] in ml_vpcs

deny contains result.new(resource.vpc(region, i, vpc), msg) if {
	some [region, i, vpc] in ml_vpcs
	not gaps.listing_failed("ec2", region, "DescribeVpcEndpoints")
	lacking := [lacks(region, vpc.VpcId, key) | some key, _ in required; not counted[sprintf("%s|%s", [vpc.VpcId, key])]]
	count(lacking) > 0
	msg := sprintf("VPC %s hosts the ML workload (%s) but lacks %s", [vpc.VpcId, scope.vpc_reason_text(vpc.VpcId), concat("; ", lacking)])
}

# The endpoints could not be listed in the region: the VPC is unknown, not failing.
not_assessed contains result.new(resource.vpc(region, i, vpc), msg) if {
	some [region, i, vpc] in ml_vpcs
	gaps.listing_failed("ec2", region, "DescribeVpcEndpoints")
	msg := sprintf("not assessed: the VPC endpoints of %s could not be listed", [region])
}

lacks(region, vpc_id, key) := sprintf("%s (com.amazonaws.%s.%s)%s", [required[key].label, region, key, why_unusable(vpc_id, key)])

why_unusable(vpc_id, key) := ": the one there is not available, of another type, or without private DNS" if {
	present[sprintf("%s|%s", [vpc_id, key])]
}

why_unusable(vpc_id, key) := "" if not present[sprintf("%s|%s", [vpc_id, key])]
