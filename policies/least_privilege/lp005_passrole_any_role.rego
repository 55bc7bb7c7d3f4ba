# METADATA
# title: Role may pass any role (iam:PassRole on every resource)
# description: >-
#   One of an IAM role's inline or attached managed policies allows iam:PassRole (by name,
#   or through a wildcard such as "iam:Pass*", "iam:*" or "*", or an Allow with a NotAction
#   that does not exclude it) on every role of the account: on a Resource pattern that
#   matches every role ARN with AWS's wildcard matching ("*", "arn:*",
#   "arn:aws:iam::<account>:role/*", "arn:aws:iam::*:*", "arn:aws:iam::<account>:role*"),
#   or with a NotResource that does not exclude every role (it reaches every role it does
#   not name, those created later included). PassRole on named roles or a path
#   ("arn:aws:iam::<account>:role/ml-*", ".../role/service-role/*"), on another account's
#   roles or on non-role ARNs passes. Conditions such as
#   iam:PassedToService do not clear it (the role could still hand any role, an
#   administrator role included, to that service); the message says when there is one. The
#   finding is cleared only when one of the role's documents denies iam:PassRole on "*"
#   without a condition. A statement that allows "*" on "*" is LP-003's finding and is not
#   repeated here. A role with a policy (managed or inline) whose document is missing from
#   the snapshot, and no other evidence, is not assessed.
# custom:
#   id: LP-005
#   name: pass-any-role
#   pillar: least_privilege
#   severity: high
#   service: iam
#   resource_type: AWS::IAM::Role
#   status: stable
#   rationale: >-
#     iam:PassRole decides which roles a principal may give to a service. On every role, an
#     ML role that can create notebooks, training or processing jobs can launch one with the
#     most privileged role in the account and run code as that role: privilege escalation
#     without touching a single IAM policy.
#   remediation:
#     text: >-
#       List the ARNs of the roles the workload passes (usually its own SageMaker execution
#       role) in the Resource of the iam:PassRole statement and add a condition
#       "StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}.
#     action: iam-replace-broad-policies
#   frameworks:
#     ml_lens: {partial: [MLSEC-03]}
#     lab: {partial: [lab-1-execution-role, lab-concept-least-privilege]}
#   references:
#     - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
#     - https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html#sagemaker-roles-pass-role
#     - https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec-03.html
#   inputs: [iam:GetAccountAuthorizationDetails]
package mlguard.least_privilege.passrole_any_role

import rego.v1

import data.mlguard.lib.iam
import data.mlguard.lib.resource
import data.mlguard.lib.result

conditional(stmt) := " (under a condition)" if count(object.get(stmt, "Condition", {})) > 0

conditional(stmt) := "" if count(object.get(stmt, "Condition", {})) == 0

# Where the role's documents let it pass every role; empty when one of them denies
# iam:PassRole on "*" without a condition.
evidence(role) := [sprintf("%s %s%s", [iam.document_label(d), iam.statement_label(n, stmt), conditional(stmt)]) |
	docs := iam.role_documents(role)
	not iam.denied_everywhere(docs, "iam:PassRole")
	some d in docs
	some n, stmt in iam.statements(d.document)
	not iam.full_admin(stmt)
	iam.passes_any_role(stmt)
]

# The evidence of every role, by index, read by deny and not_assessed.
evidence_by_role := {i: evidence(role) | some i, role in input.iam.roles}

applicable contains resource.role(i, role) if some i, role in input.iam.roles

deny contains result.new(resource.role(i, role), msg) if {
	some i, role in input.iam.roles
	found := evidence_by_role[i]
	count(found) > 0
	msg := sprintf("role %s can pass any role (iam:PassRole on every role): %s", [role.RoleName, concat("; ", found)])
}

not_assessed contains result.new(resource.role(i, role), msg) if {
	some i, role in input.iam.roles
	count(evidence_by_role[i]) == 0
	missing := iam.missing_documents(role)
	count(missing) > 0
	msg := sprintf("not assessed: role %s has policies whose document is not in the snapshot: %s", [role.RoleName, concat(", ", missing)])
}
