# METADATA
# title: SageMaker domain sends Studio traffic over the public internet
# description: >-
#   A SageMaker AI domain (Studio) has AppNetworkAccessType PublicInternetOnly, the
#   default: its apps reach the internet, and everything but EFS traffic, through a network
#   SageMaker manages instead of the domain's VPC.
# custom:
#   id: NI-010
#   name: domain-public-internet-access
#   pillar: network_isolation
#   severity: high
#   service: sagemaker
#   resource_type: AWS::SageMaker::Domain
#   status: preview
#   rationale: >-
#     In PublicInternetOnly mode the JupyterLab, Code Editor and kernel apps of every user
#     profile have direct internet access that the VPC's security groups, routes, endpoint
#     policies and flow logs neither see nor restrict. It is the Studio counterpart of a
#     notebook instance with direct internet access.
#   remediation:
#     text: >-
#       Switch the domain to VpcOnly: give its VPC endpoints for the SageMaker API and
#       runtime, STS, S3 and the other services the apps call (or a NAT gateway), delete the
#       domain's running apps, then update the domain with AppNetworkAccessType VpcOnly,
#       private subnets and ML security groups.
#     action: sagemaker-domain-vpc-only
#   frameworks:
#     aws_config: {full: [sagemaker-domain-in-vpc]}
#     ml_lens: {partial: [MLSEC-04]}
#     lab: {partial: [lab-3-vpc]}
#   references:
#     - https://docs.aws.amazon.com/sagemaker/latest/dg/studio-notebooks-and-internet-access.html
#     - https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_UpdateDomain.html
#     - https://docs.aws.amazon.com/config/latest/developerguide/sagemaker-domain-in-vpc.html
#     - https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec-04.html
#   inputs: [sagemaker:ListDomains, sagemaker:DescribeDomain]
package mlguard.network_isolation.domain_public_internet_access

import rego.v1

import data.mlguard.lib.gaps
import data.mlguard.lib.resource
import data.mlguard.lib.result

domains contains [region, i, d] if {
	some region, reg in input.regions
	some i, d in object.get(reg, ["sagemaker", "domains"], [])
}

applicable contains resource.domain(region, i, d) if some [region, i, d] in domains

deny contains result.new(resource.domain(region, i, d), msg) if {
	some [region, i, d] in domains
	lower(d.AppNetworkAccessType) == "publicinternetonly"
	msg := sprintf("domain %s (%s) sends its apps' traffic over the public internet (AppNetworkAccessType PublicInternetOnly)", [object.get(d, "DomainName", d.DomainId), d.DomainId])
}

not_assessed contains result.new(resource.domain(region, i, d), gap_msg) if {
	some [region, i, d] in domains
	not is_string(object.get(d, "AppNetworkAccessType", null))
	gap_msg := missing(d)
}

missing(d) := r if {
	r := gaps.reason("DescribeDomain", d.DomainArn)
} else := r if {
	r := gaps.reason("DescribeDomain", d.DomainId)
} else := sprintf("not assessed: the AppNetworkAccessType of domain %s is not in the snapshot", [d.DomainId])
