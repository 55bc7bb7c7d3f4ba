# METADATA
# title: Role policy allows service-wide wildcard actions
# description: >-
#   One of an IAM role's inline or attached managed policies (customer or AWS managed, the
#   default version) has an Allow statement with a service-wide wildcard action, such as
#   "s3:*", "iam:*", "kms:*" or "sagemaker:*", on any resource; or "*" (every action) on
#   resources other than "*" (a statement with "*" on "*" is LP-003's). Action names match
#   case-insensitively. Statements with NotAction are LP-010. A Deny elsewhere does not
#   clear the finding. A role with a policy (managed or inline) whose document is missing
#   from the snapshot, and no other evidence, is not assessed.
# custom:
#   id: LP-004
#   name: service-wide-wildcard-actions
#   pillar: least_privilege
#   severity: high
#   service: iam
#   resource_type: AWS::IAM::Role
#   status: stable
#   rationale: >-
#     A service wildcard grants every current and future action of the service, including
#     its administrative ones: "s3:*" also deletes buckets and rewrites bucket policies,
#     "kms:*" schedules key deletion and edits key policies, "iam:*" creates administrators,
#     "sagemaker:*" creates presigned notebook URLs into other users' notebooks. An ML
#     execution role needs a handful of actions of each service.
#   remediation:
#     text: >-
#       Replace each wildcard with the actions the workload calls (IAM Access Analyzer
#       policy generation lists them from CloudTrail), e.g. s3:GetObject, s3:PutObject and
#       s3:ListBucket on the training buckets instead of s3:*. Replace AWS-managed
#       full-access policies with scoped customer managed ones.
#     action: iam-replace-broad-policies
#   frameworks:
#     fsbp: {partial: [IAM.21]}
#     aws_config: {partial: [iam-policy-no-statements-with-full-access]}
#     nist_800_53: {partial: [AC-2, AC-2(1), AC-3, AC-3(15), AC-3(7), AC-5, AC-6, AC-6(10), AC-6(2), AC-6(3)]}
#     pci_dss: {partial: ["7.2.1", "7.2.2"]}
#     ml_lens: {partial: [MLSEC-03]}
#     lab: {partial: [lab-concept-least-privilege]}
#   references:
#     - https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-21
#     - https://docs.aws.amazon.com/config/latest/developerguide/iam-policy-no-statements-with-full-access.html
#     - https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-policy-generation.html
#     - https://github.com/prowler-cloud/prowler/blob/master/prowler/compliance/aws/pci_4.0_aws.json
#     - https://github.com/turbot/steampipe-mod-aws-compliance/tree/main/pci_dss_v40
#     - https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec-03.html
#   inputs: [iam:GetAccountAuthorizationDetails]
package mlguard.least_privilege.service_wildcard_actions

import rego.v1

import data.mlguard.lib.iam
import data.mlguard.lib.resource
import data.mlguard.lib.result

every_action(pattern) if pattern in {"*", "*:*"}

# Wildcard patterns of an Allow statement that this rule reports.
wildcards(stmt) := [pattern |
	iam.allows(stmt)
	not iam.full_admin(stmt)
	some pattern in iam.actions(stmt)
	reported(stmt, pattern)
]

reported(stmt, pattern) if {
	not every_action(pattern)
	iam.service_wildcard(pattern)
}

reported(stmt, pattern) if {
	every_action(pattern)
	not iam.all_resources(stmt)
}

evidence(role) := [sprintf("%s %s allows %s", [iam.document_label(d), iam.statement_label(n, stmt), concat(", ", found)]) |
	some d in iam.role_documents(role)
	some n, stmt in iam.statements(d.document)
	found := wildcards(stmt)
	count(found) > 0
]

# The evidence of every role, by index, read by deny and not_assessed.
evidence_by_role := {i: evidence(role) | some i, role in input.iam.roles}

applicable contains resource.role(i, role) if some i, role in input.iam.roles

deny contains result.new(resource.role(i, role), msg) if {
	some i, role in input.iam.roles
	found := evidence_by_role[i]
	count(found) > 0
	msg := sprintf("role %s is allowed service-wide wildcard actions: %s", [role.RoleName, concat("; ", found)])
}

not_assessed contains result.new(resource.role(i, role), msg) if {
	some i, role in input.iam.roles
	count(evidence_by_role[i]) == 0
	missing := iam.missing_documents(role)
	count(missing) > 0
	msg := sprintf("not assessed: role %s has policies whose document is not in the snapshot: %s", [role.RoleName, concat(", ", missing)])
}
