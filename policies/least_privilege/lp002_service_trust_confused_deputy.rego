# METADATA
# title: Service role trust policy lacks a source condition (confused deputy)
# description: >-
#   An IAM role's trust policy lets an AWS service principal (such as
#   sagemaker.amazonaws.com) call sts:AssumeRole without a condition that ties the request
#   to this account or to the resource acting: aws:SourceAccount, aws:SourceArn (with a
#   concrete account), aws:SourceOrgID or aws:SourceOrgPaths, under StringEquals,
#   StringLike, ArnEquals or ArnLike. Negated operators, ...IfExists and ForAllValues: do not
#   count (they hold when the key is absent). Service-linked roles (path /aws-service-role/)
#   are not judged, since their trust policy cannot be edited; nor are trusts of
#   ec2.amazonaws.com, lambda.amazonaws.com and edgelambda.amazonaws.com, which assume
#   instance-profile and function roles without reliably sending these keys (for them,
#   scoping iam:PassRole is the control: LP-005).
# custom:
#   id: LP-002
#   name: service-trust-without-source-condition
#   pillar: least_privilege
#   severity: medium
#   service: iam
#   resource_type: AWS::IAM::Role
#   status: stable
#   rationale: >-
#     A service that assumes roles on behalf of any customer can be steered, by another
#     account's resource, into assuming this role (the cross-service confused deputy). The
#     source condition makes the service prove it acts for this account's resources. AWS
#     recommends it for SageMaker execution roles, whose permissions reach training data,
#     model artifacts and KMS keys.
#   remediation:
#     text: >-
#       Add a condition to each service trust statement, e.g. "StringEquals":
#       {"aws:SourceAccount": "<account id>"}, or "ArnLike": {"aws:SourceArn":
#       "arn:aws:sagemaker:<region>:<account id>:*"} to narrow it to the service's resources in
#       the account. Test the workload afterwards: a service that does not send the key can
#       no longer assume the role.
#     action: iam-add-source-account-condition
#   frameworks:
#     ml_lens: {partial: [MLSEC-03]}
#     lab: {partial: [lab-1-execution-role]}
#   references:
#     - https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
#     - https://docs.aws.amazon.com/sagemaker/latest/dg/security-confused-deputy-prevention.html
#     - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourceaccount
#     - https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec-03.html
#   inputs: [iam:GetAccountAuthorizationDetails]
package mlguard.least_privilege.service_trust_confused_deputy

import rego.v1

import data.mlguard.lib.iam
import data.mlguard.lib.resource
import data.mlguard.lib.result

# Services that assume their roles without a source resource (instance profiles, function
# execution roles): a source condition does not apply to them.
no_source_context := {"ec2.amazonaws.com", "lambda.amazonaws.com", "edgelambda.amazonaws.com"}

judged_services(stmt) := [p |
	some p in iam.service_principals(stmt)
	not no_source_context[lower(p)]
]

# [index, statement, judged service principals] of the role's service trust statements.
service_trusts(role) := [[n, stmt, services] |
	some entry in iam.assume_statements(role)
	n := entry[0]
	stmt := entry[1]
	services := judged_services(stmt)
	count(services) > 0
]

applicable contains resource.role(i, role) if {
	some i, role in input.iam.roles
	not iam.service_linked(role)
	count(service_trusts(role)) > 0
}

deny contains result.new(resource.role(i, role), msg) if {
	some i, role in input.iam.roles
	not iam.service_linked(role)
	open := [sprintf("%s (trust statement %d)", [concat(", ", t[2]), t[0]]) |
		some t in service_trusts(role)
		not iam.source_condition(t[1])
	]
	count(open) > 0
	msg := sprintf(
		"role %s trusts %s with no aws:SourceAccount, aws:SourceArn, aws:SourceOrgID or aws:SourceOrgPaths condition",
		[role.RoleName, concat("; ", open)],
	)
}
