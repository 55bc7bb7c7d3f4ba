# METADATA
# title: Notebook instance is not in a VPC
# description: >-
#   A SageMaker notebook instance was created without a subnet (no SubnetId), so it runs
#   only in a network SageMaker manages, with direct internet access and none of the VPC's
#   controls.
# custom:
#   id: NI-008
#   name: notebook-outside-vpc
#   pillar: network_isolation
#   severity: high
#   service: sagemaker
#   resource_type: AWS::SageMaker::NotebookInstance
#   status: preview
#   rationale: >-
#     A notebook outside a VPC cannot be given security groups, private routes, VPC
#     endpoints with endpoint policies, or flow logs, and always reaches the internet
#     directly. It also cannot reach private data stores without exposing them. Placing it
#     in a private subnet is the prerequisite for every other network isolation control.
#   remediation:
#     text: >-
#       The subnet of a notebook instance cannot be changed. Create a replacement in a
#       private subnet of a custom VPC, with a security group of the ML workload and
#       DirectInternetAccess Disabled, move the work over and delete the old instance.
#     action: sagemaker-recreate-notebook
#   frameworks:
#     fsbp: {partial: [SageMaker.2]}
#     aws_config: {full: [sagemaker-notebook-instance-inside-vpc]}
#     nist_800_53: {partial: [AC-21, AC-3, AC-3(7), AC-4, AC-4(21), AC-6, SC-7, SC-7(11), SC-7(16), SC-7(20), SC-7(21), SC-7(3), SC-7(4), SC-7(9)]}
#     iso_27001: {partial: [A.8.20, A.8.21, A.8.22]}
#     pci_dss: {partial: ["1.3.1", "1.4.1"]}
#     ml_lens: {partial: [MLSEC-04]}
#     lab: {partial: [lab-3-vpc]}
#   references:
#     - https://docs.aws.amazon.com/sagemaker/latest/dg/appendix-notebook-and-internet-access.html
#     - https://docs.aws.amazon.com/securityhub/latest/userguide/sagemaker-controls.html#sagemaker-2
#     - https://docs.aws.amazon.com/config/latest/developerguide/sagemaker-notebook-instance-inside-vpc.html
#     - https://github.com/prowler-cloud/prowler/blob/master/prowler/compliance/aws/iso27001_2022_aws.json
#     - https://github.com/prowler-cloud/prowler/blob/master/prowler/compliance/aws/pci_4.0_aws.json
#     - https://github.com/turbot/steampipe-mod-aws-compliance/tree/main/pci_dss_v40
#     - https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec-04.html
#   inputs: [sagemaker:ListNotebookInstances, sagemaker:DescribeNotebookInstance]
package mlguard.network_isolation.notebook_outside_vpc

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
	not described_failed(nb)
	object.get(nb, "SubnetId", "") == ""
	msg := sprintf("notebook instance %s is not in a VPC (no SubnetId): it runs in a network SageMaker manages, with direct internet access", [nb.NotebookInstanceName])
}

# DescribeNotebookInstance failed: without its answer a missing SubnetId proves nothing.
not_assessed contains result.new(resource.notebook(region, i, nb), gap_msg) if {
	some [region, i, nb] in notebooks
	described_failed(nb)
	gap_msg := reason(nb)
}

described_failed(nb) if gaps.resource_failed("DescribeNotebookInstance", nb.NotebookInstanceArn)

described_failed(nb) if gaps.resource_failed("DescribeNotebookInstance", nb.NotebookInstanceName)

reason(nb) := r if {
	r := gaps.reason("DescribeNotebookInstance", nb.NotebookInstanceArn)
} else := gaps.reason("DescribeNotebookInstance", nb.NotebookInstanceName)
