# METADATA
# title: Role has full administrative privileges
# description: >-
#   An IAM role has the AWS-managed AdministratorAccess policy attached (recognised by its
#   ARN, arn:<partition>:iam::aws:policy/AdministratorAccess, even when its document is not
#   in the snapshot), or one of its inline or attached managed policies has an Allow
#   statement with Action "*" on Resource "*". A condition on the statement does not clear
#   it, nor does a Deny elsewhere (mlguard does not prove a Deny neutralises a full
#   wildcard; neither do SCPs or permissions boundaries count). Roles are judged on their
#   effective documents; customer managed policies are judged through the roles they are
#   attached to, since the snapshot holds roles and not users or groups. A role with a
#   policy (managed or inline) whose document is missing from the snapshot, and no other
#   evidence, is not assessed; AdministratorAccess is known by ARN and needs no document.
# custom:
#   id: LP-003
#   name: full-admin-privileges
#   pillar: least_privilege
#   severity: critical
#   service: iam
#   resource_type: AWS::IAM::Role
#   status: stable
#   rationale: >-
#     "*" on "*" can do anything in the account: read every training data set and model,
#     disable KMS keys, open the network, create users and delete the audit trail. An ML
#     execution role runs notebook, training and inference code, often third-party
#     packages; with full admin, one compromised dependency owns the account.
#   remediation:
#     text: >-
#       Detach AdministratorAccess and remove "*"-on-"*" statements; grant the actions the
#       workload calls, on its buckets, keys and log groups (IAM Access Analyzer can generate
#       a policy from CloudTrail activity). Keep administration in a separate, human-assumed
#       role with MFA.
#     action: iam-replace-broad-policies
#   frameworks:
#     fsbp: {partial: [IAM.1]}
#     cis: {partial: ["1.16"]}
#     aws_config: {partial: [iam-policy-no-statements-with-admin-access]}
#     nist_800_53: {partial: [AC-2, AC-2(1), AC-3, AC-3(15), AC-3(7), AC-5, AC-6, AC-6(10), AC-6(2), AC-6(3)]}
#     iso_27001: {partial: [A.5.18, A.8.2]}
#     soc2: {partial: [CC6.1, CC6.3]}
#     pci_dss: {partial: ["7.2.1", "7.2.2"]}
#     hipaa: {partial: ["164.312(a)(1)"]}
#     ml_lens: {partial: [MLSEC-03]}
#     lab: {partial: [lab-1-execution-role, lab-concept-least-privilege]}
#   references:
#     - https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-1
#     - https://docs.aws.amazon.com/config/latest/developerguide/iam-policy-no-statements-with-admin-access.html
#     - https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege
#     - https://docs.aws.amazon.com/securityhub/latest/userguide/cis-aws-foundations-benchmark.html
#     - https://docs.aws.amazon.com/config/latest/developerguide/operational-best-practices-for-hipaa_security.html
#     - https://github.com/prowler-cloud/prowler/blob/master/prowler/compliance/aws/iso27001_2022_aws.json
#     - https://github.com/prowler-cloud/prowler/blob/master/prowler/compliance/aws/soc2_aws.json
#     - https://github.com/turbot/steampipe-mod-aws-compliance/tree/main/soc_2
#     - https://github.com/prowler-cloud/prowler/blob/master/prowler/compliance/aws/pci_4.0_aws.json
#     - https://github.com/turbot/steampipe-mod-aws-compliance/tree/main/pci_dss_v40
#     - https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec-03.html
#   inputs: [iam:GetAccountAuthorizationDetails]
package mlguard.least_privilege.full_admin

import rego.v1

import data.mlguard.lib.iam
import data.mlguard.lib.resource
import data.mlguard.lib.result

conditional(stmt) := " (under a condition)" if count(object.get(stmt, "Condition", {})) > 0

conditional(stmt) := "" if count(object.get(stmt, "Condition", {})) == 0

# Why the role has full admin: one entry per policy attachment or statement.
evidence(role) := array.concat(
	[sprintf("AWS-managed policy %s is attached", [a.PolicyArn]) |
		some a in object.get(role, "AttachedManagedPolicies", [])
		iam.administrator_access(a.PolicyArn)
	],
	[sprintf("%s %s allows * on *%s", [iam.document_label(d), iam.statement_label(n, stmt), conditional(stmt)]) |
		some d in iam.role_documents(role)
		not iam.administrator_access(d.arn)
		some n, stmt in iam.statements(d.document)
		iam.full_admin(stmt)
	],
)

# The evidence of every role, by index, read by deny and not_assessed.
evidence_by_role := {i: evidence(role) | some i, role in input.iam.roles}

applicable contains resource.role(i, role) if some i, role in input.iam.roles

deny contains result.new(resource.role(i, role), msg) if {
	some i, role in input.iam.roles
	found := evidence_by_role[i]
	count(found) > 0
	msg := sprintf("role %s has full administrative privileges: %s", [role.RoleName, concat("; ", found)])
}

not_assessed contains result.new(resource.role(i, role), msg) if {
	some i, role in input.iam.roles
	count(evidence_by_role[i]) == 0
	missing := iam.missing_documents(role)
	count(missing) > 0
	msg := sprintf("not assessed: role %s has policies whose document is not in the snapshot: %s", [role.RoleName, concat(", ", missing)])
}
