# METADATA
# title: Notebook instance gives its users root access
# description: >-
#   A SageMaker notebook instance has RootAccess Enabled (the default), so every user of
#   the notebook can become root on it.
# custom:
#   id: NI-009
#   name: notebook-root-access
#   pillar: network_isolation
#   severity: medium
#   service: sagemaker
#   resource_type: AWS::SageMaker::NotebookInstance
#   status: preview
#   rationale: >-
#     Root on the notebook instance lets a user, or code they run, change the instance's
#     network and firewall settings, install packages from anywhere, tamper with the
#     lifecycle configuration's controls and read every file and credential on the
#     instance. Lifecycle configurations still run as root when user root access is off, so
#     administrators keep a way to set the instance up.
#   remediation:
#     text: >-
#       Stop the notebook instance, update it with RootAccess Disabled, and start it again.
#       Move package installation into a lifecycle configuration or a conda environment in
#       the user's home directory.
#     action: sagemaker-disable-notebook-root-access
#   frameworks:
#     fsbp: {full: [SageMaker.3]}
#     aws_config: {full: [sagemaker-notebook-instance-root-access-check]}
#     nist_800_53: {partial: [AC-2(1), AC-3(15), AC-3(7), AC-6, AC-6(10), AC-6(2)]}
#     pci_dss: {partial: ["7.2.1", "7.2.2"]}
#     ml_lens: {partial: [MLSEC-04]}
#   references:
#     - https://docs.aws.amazon.com/sagemaker/latest/dg/nbi-root-access.html
#     - https://docs.aws.amazon.com/securityhub/latest/userguide/sagemaker-controls.html#sagemaker-3
#     - https://docs.aws.amazon.com/config/latest/developerguide/sagemaker-notebook-instance-root-access-check.html
#     - https://github.com/prowler-cloud/prowler/blob/master/prowler/compliance/aws/pci_4.0_aws.json
#     - https://github.com/turbot/steampipe-mod-aws-compliance/tree/main/pci_dss_v40
#     - https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec-04.html
#   inputs: [sagemaker:ListNotebookInstances, sagemaker:DescribeNotebookInstance]
package mlguard.network_isolation.notebook_root_access

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
	lower(nb.RootAccess) == "enabled"
	msg := sprintf("notebook instance %s gives its users root access (RootAccess Enabled)", [nb.NotebookInstanceName])
}

not_assessed contains result.new(resource.notebook(region, i, nb), gap_msg) if {
	some [region, i, nb] in notebooks
	not is_string(object.get(nb, "RootAccess", null))
	gap_msg := missing(nb)
}

missing(nb) := r if {
	r := gaps.reason("DescribeNotebookInstance", nb.NotebookInstanceArn)
} else := r if {
	r := gaps.reason("DescribeNotebookInstance", nb.NotebookInstanceName)
} else := sprintf("not assessed: the RootAccess of notebook instance %s is not in the snapshot", [nb.NotebookInstanceName])
