# METADATA
# title: SageMaker domain does not encrypt its storage with a customer-managed key
# description: >-
#   A SageMaker (Studio) domain has no KmsKeyId, or its KmsKeyId names an AWS managed key.
#   The domain's Amazon EFS volume, which holds every user's home directory, and the
#   storage of its apps are then encrypted with a key AWS manages.
# custom:
#   id: DE-008
#   name: domain-without-customer-key
#   pillar: encryption
#   severity: medium
#   service: sagemaker
#   resource_type: AWS::SageMaker::Domain
#   status: preview
#   rationale: >-
#     A Studio domain's storage collects the notebooks, datasets, experiment output and
#     credentials of every user of the domain. A customer-managed key puts access to it under
#     the customer's key policy and audit trail, and lets them revoke it by disabling the key.
#   remediation:
#     text: >-
#       A domain's key is set at creation. Create a replacement domain with KmsKeyId set to a
#       customer-managed key, move the user profiles, spaces and their data, and delete the
#       old domain.
#     action: sagemaker-recreate-domain-with-kms
#   frameworks:
#     ml_lens: {partial: [MLSEC-02]}
#     lab: {partial: [lab-concept-data-at-rest]}
#   references:
#     - https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateDomain.html
#     - https://docs.aws.amazon.com/sagemaker/latest/dg/encryption-at-rest.html
#     - https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec-02.html
#   inputs: [sagemaker:ListDomains, sagemaker:DescribeDomain]
package mlguard.encryption.domain_without_cmk

import rego.v1

import data.mlguard.lib.kms
import data.mlguard.lib.resource
import data.mlguard.lib.result

# The library's rules are read through their full path: through the import alias
# (`kms.regions`) regorus would evaluate every rule of the library, its key index included.
regions := data.mlguard.lib.kms.regions

kind := "domains"

applicable contains resource.domain(region, i, d) if {
	some region, _ in regions
	some i, d in kms.sagemaker(region, kind)
}

deny contains result.new(resource.domain(region, i, d), msg) if {
	some region, _ in regions
	some i, d in kms.sagemaker(region, kind)
	not kms.ml_gap_reason(kind, d)
	msg := sprintf("domain %s %s", [kms.ml_name(kind, d), problem(region, d)])
}

problem(_, d) := "has no KmsKeyId: its EFS volume and app storage are encrypted with a key AWS manages, not a customer-managed key" if {
	count(kms.key_refs(kind, d)) == 0
}

problem(region, d) := sprintf("encrypts its EFS volume and app storage with the AWS managed key %s, not a customer-managed key", [d.KmsKeyId]) if {
	count(kms.key_refs(kind, d)) > 0
	kms.aws_managed_ref(d.KmsKeyId, region)
}

not_assessed contains result.new(resource.domain(region, i, d), gap_msg) if {
	some region, _ in regions
	some i, d in kms.sagemaker(region, kind)
	gap_msg := kms.ml_gap_reason(kind, d)
}
