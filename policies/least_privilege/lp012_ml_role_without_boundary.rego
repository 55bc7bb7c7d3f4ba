# METADATA
# title: ML execution role has no permissions boundary
# description: >-
#   A role in the ML workload scope (execution roles that SageMaker resources use or that
#   trust sagemaker.amazonaws.com, roles tagged or named as ML) has no permissions
#   boundary (PermissionsBoundary absent or without a PermissionsBoundaryArn).
#   Service-linked roles are not judged: a boundary cannot be set on them.
# custom:
#   id: LP-012
#   name: ml-role-without-permissions-boundary
#   pillar: least_privilege
#   severity: low
#   service: iam
#   resource_type: AWS::IAM::Role
#   status: preview
#   rationale: >-
#     A permissions boundary caps what a role can ever do, whatever policies are attached to
#     it later. ML teams often get to create and edit their own execution roles; with a
#     boundary required on those roles, a policy mistake or an over-broad managed policy
#     cannot take the role beyond the ML data, keys and services the boundary allows.
#   remediation:
#     text: >-
#       Create a boundary policy that allows the services and resources ML roles may use
#       (SageMaker, the ML buckets and KMS keys, CloudWatch Logs, ECR) and set it with
#       PutRolePermissionsBoundary; require it for new roles with an
#       iam:PermissionsBoundary condition on iam:CreateRole in the policies of those who
#       create roles.
#     action: iam-add-permissions-boundary
#   frameworks:
#     ml_lens: {partial: [MLSEC-03]}
#     lab: {partial: [lab-1-execution-role]}
#   references:
#     - https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
#     - https://docs.aws.amazon.com/sagemaker/latest/dg/security_iam_id-based-policy-examples.html
#     - https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec-03.html
#   inputs: [iam:GetAccountAuthorizationDetails]
package mlguard.least_privilege.ml_role_without_boundary

import rego.v1

import data.mlguard.lib.iam
import data.mlguard.lib.resource
import data.mlguard.lib.result
import data.mlguard.lib.scope

judged(role) if {
	scope.role(role)
	not iam.service_linked(role)
}

has_boundary(role) if {
	arn := role.PermissionsBoundary.PermissionsBoundaryArn
	is_string(arn)
	arn != ""
}

applicable contains resource.role(i, role) if {
	some i, role in input.iam.roles
	judged(role)
}

deny contains result.new(resource.role(i, role), msg) if {
	some i, role in input.iam.roles
	judged(role)
	not has_boundary(role)
	msg := sprintf("ML role %s has no permissions boundary", [role.RoleName])
}
