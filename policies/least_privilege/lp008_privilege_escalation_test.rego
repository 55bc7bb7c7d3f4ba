package mlguard.least_privilege.privilege_escalation

import rego.v1

mk_role(extra) := object.union({"RoleName": "r", "Arn": "arn:aws:iam::123456789012:role/r"}, extra)

mk_snap(r, policies) := {"metadata": {"account_id": "123456789012"}, "iam": {"roles": [r], "policies": policies}}

mk_inline_snap(stmts) := mk_snap(mk_role({"RolePolicyList": [{"PolicyName": "p", "PolicyDocument": {"Statement": stmts}}]}), [])

mk_allow(actions, resources) := {"Effect": "Allow", "Action": actions, "Resource": resources}

test_create_policy_version_denied if {
	some d in deny with input as mk_inline_snap([mk_allow(["iam:CreatePolicyVersion"], ["arn:aws:iam::123456789012:policy/ml-*"])])
	d.msg == "role r can escalate privileges: inline policy p statement 0 allows iam:CreatePolicyVersion"
}

test_put_role_policy_case_insensitive_denied if {
	count(deny) == 1 with input as mk_inline_snap([mk_allow(["IAM:putrolepolicy"], ["*"])])
}

test_iam_wildcard_lists_each_action_denied if {
	some d in deny with input as mk_inline_snap([mk_allow(["iam:*"], ["*"])])
	contains(d.msg, "inline policy p statement 0 allows iam:CreatePolicyVersion, iam:SetDefaultPolicyVersion, iam:AttachRolePolicy")
	contains(d.msg, "iam:UpdateAssumeRolePolicy")
	not contains(d.msg, "iam:PassRole on every role")
}

test_sagemaker_passrole_combination_denied if {
	stmts := [
		mk_allow(["sagemaker:CreateTrainingJob", "sagemaker:CreateNotebookInstance"], ["*"]),
		object.union(mk_allow(["iam:PassRole"], ["*"]), {"Sid": "Pass"}),
	]
	some d in deny with input as mk_inline_snap(stmts)
	d.msg == "role r can escalate privileges: iam:PassRole on every role (inline policy p statement Pass) with sagemaker:CreateNotebookInstance, sagemaker:CreateTrainingJob"
}

test_sagemaker_wildcard_with_passrole_denied if {
	stmts := [mk_allow(["sagemaker:*"], ["*"]), mk_allow(["iam:PassRole"], ["arn:aws:iam::123456789012:role/*"])]
	some d in deny with input as mk_inline_snap(stmts)
	contains(d.msg, "sagemaker:CreateProcessingJob")
}

test_combination_across_documents_denied if {
	arn := "arn:aws:iam::123456789012:policy/launch"
	p := {"PolicyName": "launch", "Arn": arn, "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true, "Document": {"Statement": [mk_allow(["ec2:RunInstances"], ["*"])]}}]}
	r := mk_role({
		"RolePolicyList": [{"PolicyName": "pass", "PolicyDocument": {"Statement": [mk_allow(["iam:PassRole"], ["*"])]}}],
		"AttachedManagedPolicies": [{"PolicyName": "launch", "PolicyArn": arn}],
	})
	count(deny) == 1 with input as mk_snap(r, [p])
}

test_not_action_grants_escalation_denied if {
	count(deny) == 1 with input as mk_inline_snap([{"Effect": "Allow", "NotAction": ["s3:*"], "Resource": ["*"]}])
}

test_conditional_deny_does_not_clear_denied if {
	stmts := [
		mk_allow(["iam:PutRolePolicy"], ["*"]),
		{"Effect": "Deny", "Action": ["iam:PutRolePolicy"], "Resource": ["*"], "Condition": {"Bool": {"aws:ViaAWSService": ["false"]}}},
	]
	count(deny) == 1 with input as mk_inline_snap(stmts)
}

test_unconditional_deny_clears_action_passes if {
	stmts := [mk_allow(["iam:PutRolePolicy"], ["*"]), {"Effect": "Deny", "Action": ["iam:Put*"], "Resource": ["*"]}]
	count(deny) == 0 with input as mk_inline_snap(stmts)
}

test_deny_of_passrole_clears_combination_passes if {
	stmts := [mk_allow(["sagemaker:CreateTrainingJob", "iam:PassRole"], ["*"]), {"Effect": "Deny", "Action": ["iam:PassRole"], "Resource": ["*"]}]
	count(deny) == 0 with input as mk_inline_snap(stmts)
}

test_passrole_scoped_to_execution_role_passes if {
	stmts := [
		mk_allow(["sagemaker:CreateTrainingJob"], ["*"]),
		mk_allow(["iam:PassRole"], ["arn:aws:iam::123456789012:role/ml-training-role"]),
	]
	count(deny) == 0 with input as mk_inline_snap(stmts)
}

test_passrole_without_launch_action_passes if {
	count(deny) == 0 with input as mk_inline_snap([mk_allow(["iam:PassRole"], ["*"])])
}

test_action_in_two_statements_listed_once_each_denied if {
	stmts := [mk_allow(["iam:PutRolePolicy"], ["*"]), mk_allow(["iam:Put*"], ["*"])]
	some d in deny with input as mk_inline_snap(stmts)
	contains(d.msg, "statement 0 allows iam:PutRolePolicy; inline policy p statement 1 allows iam:PutRolePolicy, iam:PutUserPolicy")
}

test_read_only_iam_passes if {
	count(deny) == 0 with input as mk_inline_snap([mk_allow(["iam:Get*", "iam:List*"], ["*"])])
	count(applicable) == 1 with input as mk_inline_snap([mk_allow(["iam:Get*", "iam:List*"], ["*"])])
}

test_missing_managed_document_not_assessed if {
	r := mk_role({"AttachedManagedPolicies": [{"PolicyName": "x", "PolicyArn": "arn:aws:iam::123456789012:policy/x"}]})
	count(not_assessed) == 1 with input as mk_snap(r, [])
	count(deny) == 0 with input as mk_snap(r, [])
}

test_administrator_access_without_document_assessed_passes if {
	r := mk_role({"AttachedManagedPolicies": [{"PolicyName": "AdministratorAccess", "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}]})
	count(deny) == 0 with input as mk_snap(r, [])
	count(not_assessed) == 0 with input as mk_snap(r, [])
}

test_full_admin_statement_left_to_lp003_passes if {
	count(deny) == 0 with input as mk_inline_snap([{"Effect": "Allow", "Action": ["*"], "Resource": ["*"]}])
}

test_separate_statement_reported_beside_full_admin_denied if {
	stmts := [{"Effect": "Allow", "Action": ["*"], "Resource": ["*"]}, mk_allow(["iam:PutRolePolicy"], ["*"])]
	some d in deny with input as mk_inline_snap(stmts)
	d.msg == "role r can escalate privileges: inline policy p statement 1 allows iam:PutRolePolicy"
}

# Issue 12: "*" scoped to bucket ARNs attaches no policy to any role.
test_all_actions_on_bucket_arns_passes if {
	count(deny) == 0 with input as mk_inline_snap([mk_allow(["*"], ["arn:aws:s3:::ml-data", "arn:aws:s3:::ml-data/*"])])
}

test_iam_wildcard_on_bucket_arns_passes if {
	count(deny) == 0 with input as mk_inline_snap([mk_allow(["iam:*"], ["arn:aws:s3:::*"])])
}

test_all_actions_on_a_role_pattern_lists_role_actions_only_denied if {
	some d in deny with input as mk_inline_snap([mk_allow(["*"], ["arn:aws:iam::123456789012:role/ml-*"])])
	d.msg == "role r can escalate privileges: inline policy p statement 0 allows iam:AttachRolePolicy, iam:PutRolePolicy, iam:UpdateAssumeRolePolicy, iam:PutRolePermissionsBoundary, iam:DeleteRolePermissionsBoundary"
}

test_user_actions_on_user_arns_denied if {
	some d in deny with input as mk_inline_snap([mk_allow(["iam:*"], ["arn:aws:iam::123456789012:user/${aws:username}"])])
	contains(d.msg, "allows iam:AttachUserPolicy, iam:PutUserPolicy, iam:PutUserPermissionsBoundary, iam:DeleteUserPermissionsBoundary, iam:CreateAccessKey, iam:CreateLoginProfile, iam:UpdateLoginProfile")
	not contains(d.msg, "AttachRolePolicy")
}

test_wildcards_inside_the_arn_denied if {
	some d in deny with input as mk_inline_snap([mk_allow(["iam:AttachRolePolicy", "iam:CreatePolicyVersion"], ["arn:aws:iam::*:rol?/*"])])
	d.msg == "role r can escalate privileges: inline policy p statement 0 allows iam:AttachRolePolicy"
}

test_other_account_roles_pass if {
	count(deny) == 0 with input as mk_inline_snap([mk_allow(["iam:AttachRolePolicy"], ["arn:aws:iam::999999999999:role/*"])])
}

test_not_resource_of_buckets_still_reaches_roles_denied if {
	some d in deny with input as mk_inline_snap([{"Effect": "Allow", "Action": ["iam:PutRolePolicy"], "NotResource": ["arn:aws:s3:::*"]}])
	contains(d.msg, "allows iam:PutRolePolicy")
}

test_not_resource_of_every_role_passes if {
	count(deny) == 0 with input as mk_inline_snap([{"Effect": "Allow", "Action": ["iam:PutRolePolicy"], "NotResource": ["arn:aws:iam::123456789012:role/*"]}])
}

test_lambda_code_on_functions_only_denied if {
	some d in deny with input as mk_inline_snap([mk_allow(["lambda:*", "glue:*"], ["arn:aws:lambda:*:123456789012:function:*"])])
	d.msg == "role r can escalate privileges: inline policy p statement 0 allows lambda:UpdateFunctionCode"
}

test_passrole_on_bucket_with_launch_passes if {
	count(deny) == 0 with input as mk_inline_snap([mk_allow(["sagemaker:CreateTrainingJob"], ["*"]), mk_allow(["iam:PassRole"], ["arn:aws:s3:::ml-data"])])
}
