# METADATA
# title: Customer-managed KMS key is disabled or pending deletion
# description: >-
#   A customer-managed KMS key is in the state Disabled, PendingDeletion or
#   PendingReplicaDeletion. The message names the SageMaker notebook instances, domains,
#   training jobs and endpoint configs of the snapshot that still reference the key (by key
#   id, key ARN, alias or alias ARN); DE-012 reports those resources themselves.
# custom:
#   id: DE-003
#   name: kms-key-disabled-or-pending-deletion
#   pillar: encryption
#   severity: high
#   service: kms
#   resource_type: AWS::KMS::Key
#   status: stable
#   rationale: >-
#     Once the waiting period ends, a deleted key and everything encrypted under it are gone
#     for good: training data, notebook volumes and model artifacts become unreadable. A
#     disabled key already makes that data unreadable and breaks every resource that uses it.
#     Deletion should be a deliberate cryptographic erasure, never an accident.
#   remediation:
#     text: >-
#       If the key is still needed, cancel the deletion (`aws kms cancel-key-deletion`) and
#       enable it again (`aws kms enable-key`). If the deletion is intended, first re-encrypt
#       or retire the data and resources that depend on it, then suppress the finding with a
#       reason.
#     action: kms-cancel-deletion
#   frameworks:
#     fsbp: [KMS.3]
#     aws_config: [kms-cmk-not-scheduled-for-deletion]
#     lab: [lab-2-kms-key]
#   references:
#     - https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html
#     - https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html
#     - https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html
#   inputs: [kms:ListKeys, kms:DescribeKey, kms:ListAliases]
package mlguard.encryption.key_pending_deletion

import rego.v1

import data.mlguard.lib.kms
import data.mlguard.lib.resource
import data.mlguard.lib.result

failing_states := {"Disabled", "PendingDeletion", "PendingReplicaDeletion"}

applicable contains resource.key(region, i, k) if {
	some region, _ in kms.regions
	some i, k in kms.region_keys(region)
	kms.customer_managed(k)
}

deny contains result.new(resource.key(region, i, k), msg) if {
	some region, _ in kms.regions
	some i, k in kms.region_keys(region)
	kms.customer_managed(k)
	failing_states[k.KeyState]
	msg := sprintf("customer-managed key %s is %s; %s", [kms.label(k), kms.unusable(k), users(k)])
}

# Functions read other packages' rules through a local rule (see lib/kms.rego).
referenced_by := kms.referenced_by

users(k) := sprintf("still referenced by %s", [concat(", ", sort(referenced_by[k.Arn]))]) if referenced_by[k.Arn]

users(k) := "no SageMaker resource in the snapshot references it" if not referenced_by[k.Arn]

# The key could not be described, so its state is unknown.
not_assessed contains result.new(resource.key(region, i, k), gap_msg) if {
	some region, _ in kms.regions
	some i, k in kms.region_keys(region)
	not kms.described(k)
	gap_msg := kms.missing_reason("DescribeKey", k)
}
