# METADATA
# title: Role can escalate its own privileges
# description: >-
#   An IAM role's inline or attached managed policies allow a known privilege-escalation
#   path: an IAM action that rewrites permissions or credentials (iam:CreatePolicyVersion,
#   iam:SetDefaultPolicyVersion, iam:Attach/Put{Role,User,Group}Policy,
#   iam:UpdateAssumeRolePolicy, iam:Put/DeleteRolePermissionsBoundary,
#   iam:Put/DeleteUserPermissionsBoundary, iam:CreateAccessKey, iam:CreateLoginProfile,
#   iam:UpdateLoginProfile, iam:AddUserToGroup), a code rewrite of something that runs as
#   another role (lambda:UpdateFunctionCode, glue:UpdateDevEndpoint), or iam:PassRole on
#   every role together with an action that launches compute with the passed role
#   (sagemaker:CreateNotebookInstance, sagemaker:CreateTrainingJob,
#   sagemaker:CreateProcessingJob, ec2:RunInstances, lambda:CreateFunction,
#   glue:CreateDevEndpoint, glue:CreateJob, cloudformation:CreateStack,
#   datapipeline:CreatePipeline, codebuild:CreateProject). Wildcards and NotAction count.
#   An action counts only where its statement's Resource can match a resource it acts on
#   (a role, user, group or policy of the account, a Lambda function, a Glue dev endpoint),
#   with AWS's wildcard matching of ARNs (`*` and `?`, NotResource too): `Action: "*"` on
#   S3 bucket ARNs attaches no policy to anything, while iam:AttachRolePolicy on
#   `arn:aws:iam::<account>:role/ml-*` does count. iam:PassRole counts only on every role of
#   the account (as LP-005), not on named roles; the launch actions are not scoped. An action is cleared only when a document of
#   the role denies it on "*" without a condition. A statement that allows "*" on "*" is
#   LP-003's finding (an administrator has nothing to escalate to) and is not repeated
#   here. A role with a policy (managed or inline) whose document is missing from the
#   snapshot, and no other evidence, is not assessed.
# custom:
#   id: LP-008
#   name: privilege-escalation-actions
#   pillar: least_privilege
#   severity: high
#   service: iam
#   resource_type: AWS::IAM::Role
#   status: preview
#   rationale: >-
#     Each of these lets code running as the role end up with more than the role has: a new
#     default version of an attached policy, an inline "*" policy, a trust policy that lets
#     the attacker in, or a notebook or training job launched with an administrator role
#     and code of the attacker's choosing. For an ML role, whose notebooks and jobs run
#     third-party packages, least privilege is only as strong as its weakest escalation path.
#   remediation:
#     text: >-
#       Remove the IAM write actions from workload roles and keep them in an administration
#       role assumed by people with MFA. Scope iam:PassRole to the execution role(s) the
#       workload passes, with an iam:PassedToService condition. Remove launch actions the
#       role does not need.
#     action: iam-replace-broad-policies
#   frameworks:
#     ml_lens: {partial: [MLSEC-03]}
#     lab: {partial: [lab-concept-least-privilege]}
#   references:
#     - https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/
#     - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
#     - https://docs.aws.amazon.com/sagemaker/latest/dg/security_iam_id-based-policy-examples.html
#     - https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec-03.html
#   inputs: [iam:GetAccountAuthorizationDetails]
package mlguard.least_privilege.privilege_escalation

import rego.v1

import data.mlguard.lib.iam
import data.mlguard.lib.resource
import data.mlguard.lib.result

# Actions that alone let the holder raise its own (or another principal's) permissions.
escalation_actions := [
	"iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion",
	"iam:AttachRolePolicy", "iam:AttachUserPolicy", "iam:AttachGroupPolicy",
	"iam:PutRolePolicy", "iam:PutUserPolicy", "iam:PutGroupPolicy",
	"iam:UpdateAssumeRolePolicy",
	"iam:PutRolePermissionsBoundary", "iam:DeleteRolePermissionsBoundary",
	"iam:PutUserPermissionsBoundary", "iam:DeleteUserPermissionsBoundary",
	"iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile", "iam:AddUserToGroup",
	"lambda:UpdateFunctionCode", "glue:UpdateDevEndpoint",
]

# The kind of resource (iam.arn_kinds) each escalation action acts on: a statement grants it
# only when its Resource may match such a resource (Action "*" on bucket ARNs attaches no
# policy to any role).
escalation_kinds := {
	"iam:createpolicyversion": "policy", "iam:setdefaultpolicyversion": "policy",
	"iam:attachrolepolicy": "role", "iam:putrolepolicy": "role", "iam:updateassumerolepolicy": "role",
	"iam:putrolepermissionsboundary": "role", "iam:deleterolepermissionsboundary": "role",
	"iam:attachuserpolicy": "user", "iam:putuserpolicy": "user",
	"iam:putuserpermissionsboundary": "user", "iam:deleteuserpermissionsboundary": "user",
	"iam:createaccesskey": "user", "iam:createloginprofile": "user", "iam:updateloginprofile": "user",
	"iam:attachgrouppolicy": "group", "iam:putgrouppolicy": "group", "iam:addusertogroup": "group",
	"lambda:updatefunctioncode": "function", "glue:updatedevendpoint": "dev-endpoint",
}

# Actions that run compute with a role passed by the caller.
launch_actions := [
	"sagemaker:CreateNotebookInstance", "sagemaker:CreateTrainingJob", "sagemaker:CreateProcessingJob",
	"ec2:RunInstances", "lambda:CreateFunction", "glue:CreateDevEndpoint", "glue:CreateJob",
	"cloudformation:CreateStack", "datapipeline:CreatePipeline", "codebuild:CreateProject",
]

# The same, as candidates for iam.pattern_matches (lower-case name -> name).
escalation := {lower(action): action | some action in escalation_actions}

launch := {lower(action): action | some action in launch_actions}

passrole := {"iam:passrole": "iam:PassRole"}

watched := object.union_n([escalation, launch, passrole])

# "inline policy p statement 0", for messages.
where(d, n, stmt) := sprintf("%s %s", [iam.document_label(d), iam.statement_label(n, stmt)])

# Statements that allow a watched action are collected as {d, n, stmt, granted} first; set membership is tested with
# `in` on a bound value (regorus evaluates a chained index such as s.granted[x] slowly).
evidence(role) := array.concat(singles, combos) if {
	docs := iam.role_documents(role)
	denied := iam.denied_candidates(docs, watched)
	stmts := [{"d": d, "n": n, "stmt": stmt, "granted": granted} |
		some d in docs
		some n, stmt in iam.statements(d.document)
		not iam.full_admin(stmt)
		granted := iam.allowed_candidates(stmt, watched) - denied
		count(granted) > 0
	]
	singles := [sprintf("%s allows %s", [where(entry.d, entry.n, entry.stmt), concat(", ", found)]) |
		some entry in stmts
		granted := entry.granted
		found := [action |
			some action in escalation_actions
			lower(action) in granted
			iam.acts_on(entry.stmt, escalation_kinds[lower(action)])
		]
		count(found) > 0
	]
	passing := [where(entry.d, entry.n, entry.stmt) |
		some entry in stmts
		granted := entry.granted
		"iam:passrole" in granted
		iam.passes_any_role(entry.stmt)
	]
	launchers := {launch[name] |
		some entry in stmts
		granted := entry.granted
		some name in granted
		name in object.keys(launch)
	}
	combos := [sprintf("iam:PassRole on every role (%s) with %s", [concat(", ", passing), concat(", ", sort(launchers))]) |
		count(passing) > 0
		count(launchers) > 0
	]
}

# The evidence of every role, by index, read by deny and not_assessed.
evidence_by_role := {i: evidence(role) | some i, role in input.iam.roles}

applicable contains resource.role(i, role) if some i, role in input.iam.roles

deny contains result.new(resource.role(i, role), msg) if {
	some i, role in input.iam.roles
	found := evidence_by_role[i]
	count(found) > 0
	msg := sprintf("role %s can escalate privileges: %s", [role.RoleName, concat("; ", found)])
}

not_assessed contains result.new(resource.role(i, role), msg) if {
	some i, role in input.iam.roles
	count(evidence_by_role[i]) == 0
	missing := iam.missing_documents(role)
	count(missing) > 0
	msg := sprintf("not assessed: role %s has policies whose document is not in the snapshot: %s", [role.RoleName, concat(", ", missing)])
}
