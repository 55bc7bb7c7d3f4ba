# METADATA
# title: SageMaker notebook instance volume is not encrypted with a customer-managed key
# description: >-
#   A SageMaker notebook instance has no KmsKeyId, or its KmsKeyId names an AWS managed key
#   (an `alias/aws/...` alias, or a key the snapshot shows as AWS managed). Its ML storage
#   volume is then encrypted with a key AWS manages. Whether the key it names still exists
#   and is usable is DE-012's concern.
# custom:
#   id: DE-005
#   name: notebook-volume-without-customer-key
#   pillar: encryption
#   severity: medium
#   service: sagemaker
#   resource_type: AWS::SageMaker::NotebookInstance
#   status: preview
#   rationale: >-
#     The notebook's volume holds the data scientists' notebooks, the datasets they copied
#     down and the credentials they left in files. With a customer-managed key, the key
#     policy decides who can read the volume, every use is logged against that key, and
#     disabling the key cuts off access; with a key AWS manages, none of that is in the
#     customer's hands.
#   remediation:
#     text: >-
#       A notebook's volume key is set at creation. Create a replacement notebook instance
#       with KmsKeyId set to a customer-managed key (key ARN or alias), move the work across,
#       and delete the old instance.
#     action: sagemaker-recreate-notebook-with-kms
#   frameworks:
#     aws_config: {full: [sagemaker-notebook-instance-kms-key-configured]}
#     nist_800_53: {partial: [SC-13, SC-28(1)]}
#     iso_27001: {partial: [A.8.24]}
#     soc2: {partial: [CC6.1]}
#     pci_dss: {partial: ["3.5.1"]}
#     hipaa: {partial: ["164.312(a)(2)(iv)"]}
#     ml_lens: {partial: [MLSEC-02, MLSEC-04]}
#     lab: {partial: [lab-concept-data-at-rest]}
#   references:
#     - https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateNotebookInstance.html
#     - https://docs.aws.amazon.com/sagemaker/latest/dg/encryption-at-rest.html
#     - https://docs.aws.amazon.com/config/latest/developerguide/sagemaker-notebook-instance-kms-key-configured.html
#     - https://docs.aws.amazon.com/config/latest/developerguide/operational-best-practices-for-nist-800-53_rev_5.html
#     - https://docs.aws.amazon.com/config/latest/developerguide/operational-best-practices-for-hipaa_security.html
#     - https://github.com/prowler-cloud/prowler/blob/master/prowler/compliance/aws/iso27001_2022_aws.json
#     - https://github.com/prowler-cloud/prowler/blob/master/prowler/compliance/aws/soc2_aws.json
#     - https://github.com/turbot/steampipe-mod-aws-compliance/tree/main/soc_2
#     - https://github.com/prowler-cloud/prowler/blob/master/prowler/compliance/aws/pci_4.0_aws.json
#     - https://github.com/turbot/steampipe-mod-aws-compliance/tree/main/pci_dss_v40
#     - https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec-02.html
#     - https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec-04.html
#   inputs: [sagemaker:ListNotebookInstances, sagemaker:DescribeNotebookInstance]
package mlguard.encryption.notebook_without_cmk

import rego.v1

import data.mlguard.lib.kms
import data.mlguard.lib.resource
import data.mlguard.lib.result

# The library's rules are read through their full path: through the import alias
# (`kms.regions`) regorus would evaluate every rule of the library, its key index included.
regions := data.mlguard.lib.kms.regions

kind := "notebook_instances"

applicable contains resource.notebook(region, i, nb) if {
	some region, _ in regions
	some i, nb in kms.sagemaker(region, kind)
}

deny contains result.new(resource.notebook(region, i, nb), msg) if {
	some region, _ in regions
	some i, nb in kms.sagemaker(region, kind)
	not kms.ml_gap_reason(kind, nb)
	msg := sprintf("notebook instance %s %s", [nb.NotebookInstanceName, problem(region, nb)])
}

problem(_, nb) := "has no KmsKeyId: its ML storage volume is encrypted with a key AWS manages, not a customer-managed key" if {
	count(kms.key_refs(kind, nb)) == 0
}

problem(region, nb) := sprintf("encrypts its ML storage volume with the AWS managed key %s, not a customer-managed key", [nb.KmsKeyId]) if {
	count(kms.key_refs(kind, nb)) > 0
	kms.aws_managed_ref(nb.KmsKeyId, region)
}

not_assessed contains result.new(resource.notebook(region, i, nb), gap_msg) if {
	some region, _ in regions
	some i, nb in kms.sagemaker(region, kind)
	gap_msg := kms.ml_gap_reason(kind, nb)
}
