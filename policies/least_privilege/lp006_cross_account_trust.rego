# METADATA
# title: Cross-account trust without an external id or MFA condition
# description: >-
#   An IAM role's trust policy lets principals of another AWS account (an account id, its
#   root, or a user or role ARN in it) call sts:AssumeRole, and the statement requires
#   neither sts:ExternalId (StringEquals or StringLike with a concrete value) nor MFA
#   ("Bool": {"aws:MultiFactorAuthPresent": "true"}, or a NumericLessThan on
#   aws:MultiFactorAuthAge). ...IfExists variants do not count: they hold for callers
#   without MFA. Trust of "*" is LP-001; trust of principals in the same account is not
#   judged. Only conditions on the Allow statement itself are considered.
# custom:
#   id: LP-006
#   name: cross-account-trust-without-external-id
#   pillar: least_privilege
#   severity: high
#   service: iam
#   resource_type: AWS::IAM::Role
#   status: preview
#   rationale: >-
#     Trusting another account delegates to whoever that account lets call sts:AssumeRole.
#     When the other account is a vendor's, an external id stops the vendor's service from
#     being used against you by its other customers (the confused deputy); when people
#     assume the role, MFA stops a leaked access key from being enough. Without either, the
#     ML role's data and keys are one compromised credential away in an account you do not
#     control.
#   remediation:
#     text: >-
#       For a third party, agree on a unique external id and add "StringEquals":
#       {"sts:ExternalId": "<id>"} to the trust statement; for people, add "Bool":
#       {"aws:MultiFactorAuthPresent": "true"}. Name specific role ARNs rather than the
#       account root, and remove the trust if it is no longer needed.
#     action: iam-require-external-id-or-mfa
#   frameworks:
#     ml_lens: {partial: [MLSEC-03]}
#     lab: {partial: [lab-concept-least-privilege]}
#   references:
#     - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html
#     - https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
#     - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_configure-api-require.html
#     - https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec-03.html
#   inputs: [iam:GetAccountAuthorizationDetails]
package mlguard.least_privilege.cross_account_trust

import rego.v1

import data.mlguard.lib.iam
import data.mlguard.lib.resource
import data.mlguard.lib.result

# AWS principals of the statement that belong to another account.
foreign_principals(stmt) := [p |
	some p in iam.principal_values(stmt, "AWS")
	iam.principal_account(p) != input.metadata.account_id
]

# [index, statement, foreign principals] of the role's cross-account trust statements.
cross_account_trusts(role) := [[n, stmt, foreign] |
	some entry in iam.assume_statements(role)
	n := entry[0]
	stmt := entry[1]
	foreign := foreign_principals(stmt)
	count(foreign) > 0
]

external_id_or_mfa(stmt) if iam.requires_key(stmt, {"sts:externalid"})

external_id_or_mfa(stmt) if {
	some operator, conditions in object.get(stmt, "Condition", {})
	operator == "Bool"
	some name, values in conditions
	lower(name) == "aws:multifactorauthpresent"
	some value in values
	lower(sprintf("%v", [value])) == "true"
}

external_id_or_mfa(stmt) if {
	some operator, conditions in object.get(stmt, "Condition", {})
	operator in {"NumericLessThan", "NumericLessThanEquals"}
	some name, _ in conditions
	lower(name) == "aws:multifactorauthage"
}

applicable contains resource.role(i, role) if {
	some i, role in input.iam.roles
	count(cross_account_trusts(role)) > 0
}

deny contains result.new(resource.role(i, role), msg) if {
	some i, role in input.iam.roles
	open := [sprintf("%s (trust statement %d)", [concat(", ", t[2]), t[0]]) |
		some t in cross_account_trusts(role)
		not external_id_or_mfa(t[1])
	]
	count(open) > 0
	msg := sprintf("role %s can be assumed from another account without sts:ExternalId or MFA: %s", [role.RoleName, concat("; ", open)])
}
