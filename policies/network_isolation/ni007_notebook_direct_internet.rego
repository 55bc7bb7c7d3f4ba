# METADATA
# title: Notebook instance has direct internet access
# description: >-
#   A SageMaker notebook instance has DirectInternetAccess Enabled: SageMaker gives it a
#   network interface with internet access in a network it manages, beside the one in the
#   customer's VPC (if any).
# custom:
#   id: NI-007
#   name: notebook-direct-internet-access
#   pillar: network_isolation
#   severity: high
#   service: sagemaker
#   resource_type: AWS::SageMaker::NotebookInstance
#   status: preview
#   rationale: >-
#     With direct internet access, code in the notebook (a malicious package, a copied
#     snippet, a compromised dependency) can send training data and the execution role's
#     credentials anywhere, past the VPC's routes, security groups, network ACLs, endpoint
#     policies and flow logs. Disabling it forces all traffic through the VPC, where the
#     other network isolation controls apply.
#   remediation:
#     text: >-
#       DirectInternetAccess cannot be changed on an existing notebook instance. Create a
#       replacement in a private subnet with DirectInternetAccess Disabled (give the VPC
#       endpoints for SageMaker, S3 and the other services it needs, or a NAT gateway), move
#       the work over and delete the old instance.
#     action: sagemaker-recreate-notebook
#   frameworks:
#     fsbp: [SageMaker.1]
#     aws_config: [sagemaker-notebook-no-direct-internet-access]
#     lab: [lab-3-vpc]
#   references:
#     - https://docs.aws.amazon.com/sagemaker/latest/dg/appendix-notebook-and-internet-access.html
#     - https://docs.aws.amazon.com/securityhub/latest/userguide/sagemaker-controls.html#sagemaker-1
#   inputs: [sagemaker:ListNotebookInstances, sagemaker:DescribeNotebookInstance]
package mlguard.network_isolation.notebook_direct_internet_access

import rego.v1

import data.mlguard.lib.gaps
import data.mlguard.lib.resource
import data.mlguard.lib.result

notebooks contains [region, i, nb] if {
	some region, reg in input.regions
	some i, nb in object.get(reg, ["sagemaker", "notebook_instances"], [])
}

applicable contains resource.notebook(region, i, nb) if some [region, i, nb] in notebooks

deny contains result.new(resource.notebook(region, i, nb), msg) if {
	some [region, i, nb] in notebooks
	lower(nb.DirectInternetAccess) == "enabled"
	msg := sprintf("notebook instance %s has direct internet access (DirectInternetAccess Enabled)%s", [nb.NotebookInstanceName, where(nb)])
}

not_assessed contains result.new(resource.notebook(region, i, nb), gap_msg) if {
	some [region, i, nb] in notebooks
	not is_string(object.get(nb, "DirectInternetAccess", null))
	gap_msg := missing(nb)
}

where(nb) := sprintf(", beside its interface in subnet %s", [nb.SubnetId]) if is_string(nb.SubnetId)

where(nb) := ", and no interface in a VPC" if not is_string(object.get(nb, "SubnetId", null))

missing(nb) := r if {
	r := gaps.reason("DescribeNotebookInstance", nb.NotebookInstanceArn)
} else := r if {
	r := gaps.reason("DescribeNotebookInstance", nb.NotebookInstanceName)
} else := sprintf("not assessed: the DirectInternetAccess of notebook instance %s is not in the snapshot", [nb.NotebookInstanceName])
