# METADATA
# title: Customer-managed KMS key does not rotate automatically
# description: >-
#   An enabled customer-managed symmetric KMS key whose key material KMS generated
#   (Origin AWS_KMS) has automatic key rotation disabled. Keys with imported key material
#   (Origin EXTERNAL) and keys in CloudHSM or external key stores cannot rotate
#   automatically and are not judged; rotate those by hand. Disabled keys and keys pending
#   deletion are left to DE-003. A key whose rotation status could not be read is reported
#   not assessed.
# custom:
#   id: DE-001
#   name: kms-key-rotation-disabled
#   pillar: encryption
#   severity: medium
#   service: kms
#   resource_type: AWS::KMS::Key
#   status: stable
#   rationale: >-
#     Without rotation, every object, volume and model artifact the key protects stays
#     encrypted under the same key material for the key's whole life, so one exposure of that
#     material exposes all of it. Automatic rotation creates new material every year (or at
#     the period you set), keeps the old material for decryption, and needs no change to the
#     applications or SageMaker resources that use the key.
#   remediation:
#     text: >-
#       Enable automatic rotation on the key (`aws kms enable-key-rotation --key-id KEY`,
#       optionally with `--rotation-period-in-days`). For a multi-Region key, enable it on the
#       primary key; its replicas follow.
#     action: kms-enable-rotation
#   frameworks:
#     fsbp: {full: [KMS.4]}
#     cis: {full: ["3.6"]}
#     aws_config: {full: [cmk-backing-key-rotation-enabled]}
#     nist_800_53: {partial: [SC-12, SC-12(2), SC-28(3)]}
#     iso_27001: {partial: [A.8.24]}
#     pci_dss: {partial: ["3.7.4"]}
#     ml_lens: {partial: [MLSEC-02]}
#     lab: {partial: [lab-2-kms-key]}
#   references:
#     - https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html
#     - https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html
#     - https://docs.aws.amazon.com/securityhub/latest/userguide/cis-aws-foundations-benchmark.html
#     - https://docs.aws.amazon.com/config/latest/developerguide/cmk-backing-key-rotation-enabled.html
#     - https://github.com/prowler-cloud/prowler/blob/master/prowler/compliance/aws/iso27001_2022_aws.json
#     - https://github.com/prowler-cloud/prowler/blob/master/prowler/compliance/aws/pci_4.0_aws.json
#     - https://github.com/turbot/steampipe-mod-aws-compliance/tree/main/pci_dss_v40
#     - https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec-02.html
#   inputs: [kms:ListKeys, kms:DescribeKey, kms:ListAliases, kms:GetKeyRotationStatus]
package mlguard.encryption.key_rotation

import rego.v1

import data.mlguard.lib.kms
import data.mlguard.lib.resource
import data.mlguard.lib.result

# The library's rules are read through their full path: through the import alias
# (`kms.regions`) regorus would evaluate every rule of the library, its key index included.
regions := data.mlguard.lib.kms.regions

# Enabled customer-managed symmetric keys with KMS-generated material.
judged(k) if {
	kms.customer_managed(k)
	kms.enabled(k)
	kms.auto_rotatable(k)
}

applicable contains resource.key(region, i, k) if {
	some region, _ in regions
	some i, k in kms.region_keys(region)
	judged(k)
}

deny contains result.new(resource.key(region, i, k), msg) if {
	some region, _ in regions
	some i, k in kms.region_keys(region)
	judged(k)
	k.KeyRotationEnabled == false
	msg := sprintf("customer-managed key %s has automatic rotation disabled%s", [kms.label(k), replica_note(k)])
}

replica_note(k) := sprintf(" (a multi-Region replica: enable rotation on its primary key %s)", [primary]) if {
	k.MultiRegionConfiguration.MultiRegionKeyType == "REPLICA"
	primary := k.MultiRegionConfiguration.PrimaryKey.Arn
} else := ""

# The rotation status could not be read.
not_assessed contains result.new(resource.key(region, i, k), gap_msg) if {
	some region, _ in regions
	some i, k in kms.region_keys(region)
	judged(k)
	not is_boolean(object.get(k, "KeyRotationEnabled", null))
	gap_msg := kms.missing_reason("GetKeyRotationStatus", k)
}

# The key could not be described, so whether it is judged is unknown.
not_assessed contains result.new(resource.key(region, i, k), gap_msg) if {
	some region, _ in regions
	some i, k in kms.region_keys(region)
	not kms.described(k)
	gap_msg := kms.missing_reason("DescribeKey", k)
}
