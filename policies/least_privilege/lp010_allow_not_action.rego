# METADATA
# title: Role policy allows with NotAction or NotResource
# description: >-
#   One of an IAM role's inline or attached managed policies has an Allow statement with
#   NotAction (allow everything except the listed actions) or NotResource (allow on
#   everything except the listed resources). Conditions do not clear it. Deny statements
#   with NotAction or NotResource are a sound pattern (e.g. deny everything without MFA)
#   and are not reported. A role with a policy (managed or inline) whose document is missing
#   from the snapshot, and no other evidence, is not assessed.
# custom:
#   id: LP-010
#   name: allow-with-not-action-or-not-resource
#   pillar: least_privilege
#   severity: medium
#   service: iam
#   resource_type: AWS::IAM::Role
#   status: preview
#   rationale: >-
#     An Allow with NotAction grants every action of every service except a few, including
#     the ones AWS launches tomorrow; PowerUserAccess is one ("everything but IAM and
#     Organizations"). An Allow with NotResource grants on every resource except a few, in
#     every account the caller can name. Both are deny lists where least privilege needs an
#     allow list, and they are easy to misread in review.
#   remediation:
#     text: >-
#       Rewrite the statement as an Allow of the actions the workload calls (Action) on its
#       resources (Resource). If the intent is to forbid something, keep a scoped Allow and
#       add an explicit Deny. An AWS-managed policy cannot be edited: replace it with a
#       customer managed one (see LP-007).
#     action: iam-replace-broad-policies
#   frameworks:
#     ml_lens: {partial: [MLSEC-03]}
#     lab: {partial: [lab-concept-least-privilege]}
#   references:
#     - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
#     - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html
#     - https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec-03.html
#   inputs: [iam:GetAccountAuthorizationDetails]
package mlguard.least_privilege.allow_not_action

import rego.v1

import data.mlguard.lib.iam
import data.mlguard.lib.resource
import data.mlguard.lib.result

uses(stmt) := [sprintf("%s [%s]", [field, concat(", ", stmt[field])]) |
	some field in ["NotAction", "NotResource"]
	is_array(stmt[field])
]

evidence(role) := [sprintf("%s %s (%s)", [iam.document_label(d), iam.statement_label(n, stmt), concat(" and ", found)]) |
	some d in iam.role_documents(role)
	some n, stmt in iam.statements(d.document)
	iam.allows(stmt)
	found := uses(stmt)
	count(found) > 0
]

# The evidence of every role, by index, read by deny and not_assessed.
evidence_by_role := {i: evidence(role) | some i, role in input.iam.roles}

applicable contains resource.role(i, role) if some i, role in input.iam.roles

deny contains result.new(resource.role(i, role), msg) if {
	some i, role in input.iam.roles
	found := evidence_by_role[i]
	count(found) > 0
	msg := sprintf("role %s has Allow statements with NotAction or NotResource: %s", [role.RoleName, concat("; ", found)])
}

not_assessed contains result.new(resource.role(i, role), msg) if {
	some i, role in input.iam.roles
	count(evidence_by_role[i]) == 0
	missing := iam.missing_documents(role)
	count(missing) > 0
	msg := sprintf("not assessed: role %s has policies whose document is not in the snapshot: %s", [role.RoleName, concat(", ", missing)])
}
