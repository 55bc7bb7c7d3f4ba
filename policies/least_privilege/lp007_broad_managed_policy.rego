# METADATA
# title: ML role has a broad AWS-managed policy attached
# description: >-
#   A role in the ML workload scope has an AWS-managed policy attached that grants a whole
#   service or most of the account: any policy whose name contains "FullAccess" (e.g.
#   AmazonSageMakerFullAccess, AmazonS3FullAccess, IAMFullAccess, AWSLambda_FullAccess),
#   the AdministratorAccess-* variants, PowerUserAccess, ReadOnlyAccess,
#   SecretsManagerReadWrite, AWSKeyManagementServicePowerUser and the DataScientist,
#   SystemAdministrator, DatabaseAdministrator and NetworkAdministrator job-function
#   policies. Policies are recognised by ARN (arn:<partition>:iam::aws:policy/...), so
#   their documents need not be in the snapshot. AdministratorAccess itself is LP-003.
#   Roles outside the ML workload scope are not judged.
# custom:
#   id: LP-007
#   name: broad-managed-policy-on-ml-role
#   pillar: least_privilege
#   severity: medium
#   service: iam
#   resource_type: AWS::IAM::Role
#   status: preview
#   rationale: >-
#     AWS-managed full-access policies are written for every customer and every use of a
#     service, and AWS adds actions to them over time. AmazonSageMakerFullAccess, which the
#     hardening lab attaches "for this lab" only, lets the role pass any role to
#     SageMaker, read and write objects in every bucket whose name contains "sagemaker" and
#     call most SageMaker actions; an execution role needs a fraction of that, on its own
#     buckets and keys.
#   remediation:
#     text: >-
#       Detach the AWS-managed policy and attach a customer managed policy with the actions
#       the workload calls on its own buckets, keys, repositories and log groups (IAM Access
#       Analyzer can generate it from CloudTrail activity).
#     action: iam-replace-broad-policies
#   frameworks:
#     aws_config: {partial: [iam-policy-blacklisted-check]}
#     ml_lens: {partial: [MLSEC-03]}
#     lab: {partial: [lab-1-execution-role, lab-concept-least-privilege]}
#   references:
#     - https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#bp-use-aws-defined-policies
#     - https://docs.aws.amazon.com/sagemaker/latest/dg/security-iam-awsmanpol.html
#     - https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_job-functions.html
#     - https://docs.aws.amazon.com/config/latest/developerguide/iam-policy-blacklisted-check.html
#     - https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec-03.html
#   inputs: [iam:GetAccountAuthorizationDetails]
package mlguard.least_privilege.broad_managed_policy

import rego.v1

import data.mlguard.lib.iam
import data.mlguard.lib.resource
import data.mlguard.lib.result
import data.mlguard.lib.scope

broad_names := {
	"PowerUserAccess", "ReadOnlyAccess", "SecretsManagerReadWrite", "AWSKeyManagementServicePowerUser",
	"DataScientist", "SystemAdministrator", "DatabaseAdministrator", "NetworkAdministrator",
}

broad(arn) if {
	iam.aws_managed(arn)
	broad_name(iam.policy_name(arn))
}

broad_name(policy) if broad_names[policy]

broad_name(policy) if contains(policy, "FullAccess")

broad_name(policy) if startswith(policy, "AdministratorAccess-")

judged(role) if {
	scope.role(role)
	not iam.service_linked(role)
}

applicable contains resource.role(i, role) if {
	some i, role in input.iam.roles
	judged(role)
}

deny contains result.new(resource.role(i, role), msg) if {
	some i, role in input.iam.roles
	judged(role)
	found := [a.PolicyArn | some a in object.get(role, "AttachedManagedPolicies", []); broad(a.PolicyArn)]
	count(found) > 0
	msg := sprintf("ML role %s has broad AWS-managed policies attached: %s", [role.RoleName, concat(", ", found)])
}
