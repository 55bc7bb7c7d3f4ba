# METADATA
# title: KMS key policy allows any principal
# description: >-
#   A customer-managed KMS key's key policy has an Allow statement whose principal is `*`
#   (or `{"AWS": "*"}`, or a NotPrincipal) without a condition that pins the caller to an
#   account, organization, source or service (`aws:PrincipalAccount`, `aws:PrincipalOrgID`,
#   `kms:CallerAccount`, `kms:ViaService` and the like). Keys of every state are judged; a key
#   whose policy could not be read is reported not assessed.
# custom:
#   id: DE-002
#   name: kms-key-policy-any-principal
#   pillar: encryption
#   severity: critical
#   service: kms
#   resource_type: AWS::KMS::Key
#   status: stable
#   rationale: >-
#     The key policy is the primary control on a KMS key. A statement open to every principal
#     lets any AWS account with a matching IAM permission of its own use the key (decrypt the
#     training data, notebook volumes and model artifacts it protects) or, with
#     administrative actions, change its policy or schedule its deletion.
#   remediation:
#     text: >-
#       Replace `*` with the principals that need the key (the account root, the key
#       administrators, the SageMaker execution roles), or add a condition such as
#       `kms:CallerAccount` set to the account or `aws:PrincipalOrgID` set to the
#       organization.
#     action: kms-restrict-key-policy
#   frameworks:
#     fsbp: {full: [KMS.5]}
#     ml_lens: {partial: [MLSEC-02]}
#     lab: {partial: [lab-2-kms-key]}
#   references:
#     - https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html
#     - https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html
#     - https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html
#     - https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec-02.html
#   inputs: [kms:ListKeys, kms:DescribeKey, kms:ListAliases, kms:GetKeyPolicy]
package mlguard.encryption.key_policy_public

import rego.v1

import data.mlguard.lib.iam
import data.mlguard.lib.kms
import data.mlguard.lib.resource
import data.mlguard.lib.result

# The library's rules are read through their full path: through the import alias
# (`kms.regions`) regorus would evaluate every rule of the library, its key index included.
regions := data.mlguard.lib.kms.regions

applicable contains resource.key(region, i, k) if {
	some region, _ in regions
	some i, k in kms.region_keys(region)
	kms.customer_managed(k)
}

deny contains result.new(resource.key(region, i, k), msg) if {
	some region, _ in regions
	some i, k in kms.region_keys(region)
	kms.customer_managed(k)
	is_object(k.Policy)
	open := [statement_label(n, stmt) |
		some n, stmt in iam.statements(k.Policy)
		iam.any_principal(stmt)
		not iam.restricting_condition(stmt)
	]
	count(open) > 0
	msg := sprintf("the key policy of customer-managed key %s lets any AWS principal use it with no restricting condition: %s", [kms.label(k), concat("; ", open)])
}

# "statement 1 (AllowPartnerDecrypt) allows kms:Decrypt, kms:DescribeKey".
statement_label(n, stmt) := sprintf("statement %d (%s) allows %s", [n, stmt.Sid, actions_text(stmt)]) if nonempty_sid(stmt)

statement_label(n, stmt) := sprintf("statement %d allows %s", [n, actions_text(stmt)]) if {
	not nonempty_sid(stmt)
}

nonempty_sid(stmt) if {
	is_string(stmt.Sid)
	stmt.Sid != ""
}

actions_text(stmt) := concat(", ", iam.actions(stmt)) if count(iam.actions(stmt)) > 0

actions_text(stmt) := sprintf("every action but %s", [concat(", ", object.get(stmt, "NotAction", []))]) if {
	count(iam.actions(stmt)) == 0
}

# The key policy could not be read.
not_assessed contains result.new(resource.key(region, i, k), gap_msg) if {
	some region, _ in regions
	some i, k in kms.region_keys(region)
	kms.customer_managed(k)
	not is_object(object.get(k, "Policy", null))
	gap_msg := kms.missing_reason("GetKeyPolicy", k)
}

# The key could not be described, so whether it is customer managed is unknown.
not_assessed contains result.new(resource.key(region, i, k), gap_msg) if {
	some region, _ in regions
	some i, k in kms.region_keys(region)
	not kms.described(k)
	gap_msg := kms.missing_reason("DescribeKey", k)
}
