# METADATA
# title: Role trust policy allows any principal
# description: >-
#   An IAM role's trust policy has an Allow statement whose principal is `*` (or
#   `{"AWS": "*"}`, or a NotPrincipal) without a condition that pins the caller to an
#   account, organization, source ARN or external id.
# custom:
#   id: LP-001
#   name: role-trust-any-principal
#   pillar: least_privilege
#   severity: critical
#   service: iam
#   resource_type: AWS::IAM::Role
#   status: stable
#   rationale: >-
#     Anyone with an AWS account can call sts:AssumeRole on such a role and act with its
#     permissions. On an ML execution role that means reading training data, models and
#     keys, and whatever else the role can reach.
#   remediation:
#     text: >-
#       Name the principals that may assume the role (for a SageMaker execution role, the
#       service principal sagemaker.amazonaws.com) and add an aws:SourceAccount or
#       aws:SourceArn condition; for cross-account access, name the account and require
#       sts:ExternalId.
#     action: iam-restrict-trust-policy
#   frameworks:
#     ml_lens: {partial: [MLSEC-03]}
#     lab: {partial: [lab-1-execution-role]}
#   references:
#     - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
#     - https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
#     - https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec-03.html
#   inputs: [iam:GetAccountAuthorizationDetails]
package mlguard.least_privilege.trust_any_principal

import rego.v1

import data.mlguard.lib.iam
import data.mlguard.lib.resource
import data.mlguard.lib.result

applicable contains resource.role(i, role) if some i, role in input.iam.roles

deny contains result.new(resource.role(i, role), msg) if {
	some i, role in input.iam.roles
	open := [n |
		some n, stmt in iam.statements(object.get(role, "AssumeRolePolicyDocument", {}))
		iam.any_principal(stmt)
		not iam.restricting_condition(stmt)
	]
	count(open) > 0
	msg := sprintf("role %s can be assumed by any AWS principal (trust statement %v) with no restricting condition", [role.RoleName, open])
}
