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
#     fsbp: [KMS.4]
#     cis: [v1.2.0/2.8, v1.4.0/3.8, v3.0.0/3.6]
#     aws_config: [cmk-backing-key-rotation-enabled]
#     lab: [lab-2-kms-key]
#   references:
#     - https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html
#     - https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html
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
