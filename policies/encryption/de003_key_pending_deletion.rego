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
#     fsbp: {full: [KMS.3]}
#     aws_config: {full: [kms-cmk-not-scheduled-for-deletion]}
#     nist_800_53: {partial: [SC-12, SC-12(2)]}
#     iso_27001: {partial: [A.8.24]}
#     soc2: {partial: [CC6.1]}
#     pci_dss: {partial: ["3.6.1"]}
#     ml_lens: {partial: [MLSEC-02]}
#     lab: {partial: [lab-2-kms-key]}
#   references:
#     - https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html
#     - https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html
#     - https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html
#     - https://docs.aws.amazon.com/config/latest/developerguide/kms-cmk-not-scheduled-for-deletion.html
#     - https://github.com/prowler-cloud/prowler/blob/master/prowler/compliance/aws/iso27001_2022_aws.json
#     - https://github.com/prowler-cloud/prowler/blob/master/prowler/compliance/aws/soc2_aws.json
#     - https://github.com/turbot/steampipe-mod-aws-compliance/tree/main/soc_2
#     - https://github.com/prowler-cloud/prowler/blob/master/prowler/compliance/aws/pci_4.0_aws.json
#     - https://github.com/turbot/steampipe-mod-aws-compliance/tree/main/pci_dss_v40
#     - https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec-02.html
#   inputs: [kms:ListKeys, kms:DescribeKey, kms:ListAliases]
package mlguard.encryption.key_pending_deletion

import rego.v1

import data.mlguard.lib.kms
import data.mlguard.lib.resource
import data.mlguard.lib.result

# The library's rules are read through their full path: through the import alias
# (`kms.regions`) regorus would evaluate every rule of the library, its key index included.
regions := data.mlguard.lib.kms.regions

failing_states := {"Disabled", "PendingDeletion", "PendingReplicaDeletion"}

applicable contains resource.key(region, i, k) if {
	some region, _ in regions
	some i, k in kms.region_keys(region)
	kms.customer_managed(k)
}

deny contains result.new(resource.key(region, i, k), msg) if {
	some region, _ in regions
	some i, k in kms.region_keys(region)
	kms.customer_managed(k)
	failing_states[k.KeyState]
	msg := sprintf("customer-managed key %s is %s; %s", [kms.label(k), kms.unusable(k), users(k)])
}

# Functions read other packages' rules through a local rule (see lib/kms.rego).
referenced_by := data.mlguard.lib.kms.referenced_by

users(k) := sprintf("still referenced by %s", [concat(", ", sort(referenced_by[k.Arn]))]) if referenced_by[k.Arn]

users(k) := "no SageMaker resource in the snapshot references it" if not referenced_by[k.Arn]

# The key could not be described, so its state is unknown.
not_assessed contains result.new(resource.key(region, i, k), gap_msg) if {
	some region, _ in regions
	some i, k in kms.region_keys(region)
	not kms.described(k)
	gap_msg := kms.missing_reason("DescribeKey", k)
}
