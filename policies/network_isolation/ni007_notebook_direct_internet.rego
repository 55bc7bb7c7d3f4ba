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
#     fsbp: {full: [SageMaker.1]}
#     aws_config: {full: [sagemaker-notebook-no-direct-internet-access]}
#     nist_800_53: {partial: [AC-21, AC-3, AC-3(7), AC-4, AC-4(21), AC-6, SC-7, SC-7(11), SC-7(16), SC-7(20), SC-7(21), SC-7(3), SC-7(4), SC-7(9)]}
#     soc2: {partial: [CC6.6]}
#     pci_dss: {partial: ["1.3.1", "1.3.2", "1.4.2"]}
#     hipaa: {partial: ["164.312(a)(1)"]}
#     ml_lens: {partial: [MLSEC-04]}
#     lab: {partial: [lab-3-vpc]}
#   references:
#     - https://docs.aws.amazon.com/sagemaker/latest/dg/appendix-notebook-and-internet-access.html
#     - https://docs.aws.amazon.com/securityhub/latest/userguide/sagemaker-controls.html#sagemaker-1
#     - https://docs.aws.amazon.com/config/latest/developerguide/sagemaker-notebook-no-direct-internet-access.html
#     - https://docs.aws.amazon.com/config/latest/developerguide/operational-best-practices-for-hipaa_security.html
#     - https://github.com/prowler-cloud/prowler/blob/master/prowler/compliance/aws/soc2_aws.json
#     - https://github.com/turbot/steampipe-mod-aws-compliance/tree/main/soc_2
#     - https://github.com/prowler-cloud/prowler/blob/master/prowler/compliance/aws/pci_4.0_aws.json
#     - https://github.com/turbot/steampipe-mod-aws-compliance/tree/main/pci_dss_v40
#     - https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec-04.html
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
