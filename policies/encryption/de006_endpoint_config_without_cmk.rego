# METADATA
# title: SageMaker endpoint config does not encrypt endpoint storage with a customer-managed key
# description: >-
#   A SageMaker endpoint config has no KmsKeyId, or its KmsKeyId names an AWS managed key.
#   The storage volumes of the instances that host its endpoints are then encrypted with a
#   key AWS manages. Instance types with local NVMe instance storage encrypt it in hardware
#   and refuse a KmsKeyId: suppress the finding for such configs with that reason.
# custom:
#   id: DE-006
#   name: endpoint-config-without-customer-key
#   pillar: encryption
#   severity: medium
#   service: sagemaker
#   resource_type: AWS::SageMaker::EndpointConfig
#   status: preview
#   rationale: >-
#     Endpoint instances keep the model artifacts and whatever the serving container writes
#     on their storage volumes. A customer-managed key puts access to that data under the
#     customer's key policy and audit trail, and lets them revoke it by disabling the key.
#   remediation:
#     text: >-
#       Endpoint configs cannot be changed. Create a new endpoint config with KmsKeyId set to
#       a customer-managed key, switch the endpoints to it with UpdateEndpoint, and delete the
#       old config.
#     action: sagemaker-recreate-endpoint-config-with-kms
#   frameworks:
#     aws_config: {full: [sagemaker-endpoint-configuration-kms-key-configured]}
#     nist_800_53: {partial: [SC-13, SC-28(1)]}
#     soc2: {partial: [CC6.1]}
#     hipaa: {partial: ["164.312(a)(2)(iv)"]}
#     ml_lens: {partial: [MLSEC-02]}
#     lab: {partial: [lab-concept-data-at-rest]}
#   references:
#     - https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateEndpointConfig.html
#     - https://docs.aws.amazon.com/sagemaker/latest/dg/encryption-at-rest.html
#     - https://docs.aws.amazon.com/config/latest/developerguide/sagemaker-endpoint-configuration-kms-key-configured.html
#     - https://docs.aws.amazon.com/config/latest/developerguide/operational-best-practices-for-nist-800-53_rev_5.html
#     - https://docs.aws.amazon.com/config/latest/developerguide/operational-best-practices-for-hipaa_security.html
#     - https://github.com/prowler-cloud/prowler/blob/master/prowler/compliance/aws/soc2_aws.json
#     - https://github.com/turbot/steampipe-mod-aws-compliance/tree/main/soc_2
#     - https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec-02.html
#   inputs: [sagemaker:ListEndpointConfigs, sagemaker:DescribeEndpointConfig]
package mlguard.encryption.endpoint_config_without_cmk

import rego.v1

import data.mlguard.lib.kms
import data.mlguard.lib.resource
import data.mlguard.lib.result

# The library's rules are read through their full path: through the import alias
# (`kms.regions`) regorus would evaluate every rule of the library, its key index included.
regions := data.mlguard.lib.kms.regions

kind := "endpoint_configs"

applicable contains resource.endpoint_config(region, i, c) if {
	some region, _ in regions
	some i, c in kms.sagemaker(region, kind)
}

deny contains result.new(resource.endpoint_config(region, i, c), msg) if {
	some region, _ in regions
	some i, c in kms.sagemaker(region, kind)
	not kms.ml_gap_reason(kind, c)
	msg := sprintf("endpoint config %s %s", [c.EndpointConfigName, problem(region, c)])
}

problem(_, c) := "has no KmsKeyId: the storage volumes of its endpoint instances are encrypted with a key AWS manages, not a customer-managed key" if {
	count(kms.key_refs(kind, c)) == 0
}

problem(region, c) := sprintf("encrypts endpoint storage with the AWS managed key %s, not a customer-managed key", [c.KmsKeyId]) if {
	count(kms.key_refs(kind, c)) > 0
	kms.aws_managed_ref(c.KmsKeyId, region)
}

not_assessed contains result.new(resource.endpoint_config(region, i, c), gap_msg) if {
	some region, _ in regions
	some i, c in kms.sagemaker(region, kind)
	gap_msg := kms.ml_gap_reason(kind, c)
}
