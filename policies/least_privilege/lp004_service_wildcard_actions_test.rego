package mlguard.least_privilege.service_wildcard_actions

import rego.v1

mk_role(extra) := object.union({"RoleName": "r", "Arn": "arn:aws:iam::123456789012:role/r"}, extra)

mk_snap(r, policies) := {"metadata": {"account_id": "123456789012"}, "iam": {"roles": [r], "policies": policies}}

mk_inline(stmts) := {"RolePolicyList": [{"PolicyName": "p", "PolicyDocument": {"Statement": stmts}}]}

mk_allow(actions, resources) := {"Effect": "Allow", "Action": actions, "Resource": resources}

mk_inline_snap(stmts) := mk_snap(mk_role(mk_inline(stmts)), [])

test_s3_star_denied if {
	some d in deny with input as mk_inline_snap([mk_allow(["s3:GetObject", "s3:*"], ["arn:aws:s3:::ml-data/*"])])
	d.msg == "role r is allowed service-wide wildcard actions: inline policy p statement 0 allows s3:*"
}

test_uppercase_service_wildcard_denied if {
	count(deny) == 1 with input as mk_inline_snap([mk_allow(["SageMaker:*"], ["*"])])
}

test_several_wildcards_aggregated_denied if {
	stmts := [mk_allow(["iam:*", "kms:*"], ["*"]), mk_allow(["sagemaker:*"], ["*"])]
	some d in deny with input as mk_inline_snap(stmts)
	contains(d.msg, "statement 0 allows iam:*, kms:*")
	contains(d.msg, "statement 1 allows sagemaker:*")
}

test_star_on_scoped_resource_denied if {
	count(deny) == 1 with input as mk_inline_snap([mk_allow(["*"], ["arn:aws:s3:::ml-data/*"])])
}

test_aws_managed_full_access_document_denied if {
	arn := "arn:aws:iam::aws:policy/AmazonS3FullAccess"
	p := {"PolicyName": "AmazonS3FullAccess", "Arn": arn, "PolicyVersionList": [{"VersionId": "v2", "IsDefaultVersion": true, "Document": {"Statement": [mk_allow(["s3:*", "s3-object-lambda:*"], ["*"])]}}]}
	r := mk_role({"AttachedManagedPolicies": [{"PolicyName": "AmazonS3FullAccess", "PolicyArn": arn}]})
	some d in deny with input as mk_snap(r, [p])
	contains(d.msg, "managed policy arn:aws:iam::aws:policy/AmazonS3FullAccess statement 0 allows s3:*, s3-object-lambda:*")
}

test_wildcard_with_deny_still_denied if {
	count(deny) == 1 with input as mk_inline_snap([mk_allow(["s3:*"], ["*"]), {"Effect": "Deny", "Action": ["s3:*"], "Resource": ["*"]}])
}

test_full_admin_left_to_lp003_passes if {
	count(deny) == 0 with input as mk_inline_snap([mk_allow(["*"], ["*"])])
}

test_partial_wildcards_pass_passes if {
	count(deny) == 0 with input as mk_inline_snap([mk_allow(["s3:Get*", "s3:List*", "sagemaker:Describe*"], ["*"])])
}

test_deny_wildcard_passes if {
	count(deny) == 0 with input as mk_inline_snap([{"Effect": "Deny", "Action": ["s3:*"], "Resource": ["*"]}])
}

test_not_action_left_to_lp010_passes if {
	count(deny) == 0 with input as mk_inline_snap([{"Effect": "Allow", "NotAction": ["iam:*"], "Resource": ["*"]}])
}

test_every_role_applicable_passes if {
	count(applicable) == 1 with input as mk_inline_snap([])
	count(deny) == 0 with input as mk_inline_snap([])
}

test_missing_managed_document_not_assessed if {
	r := mk_role({"AttachedManagedPolicies": [{"PolicyName": "x", "PolicyArn": "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"}]})
	count(not_assessed) == 1 with input as mk_snap(r, [])
	count(deny) == 0 with input as mk_snap(r, [])
}

test_administrator_access_without_document_assessed_passes if {
	r := mk_role({"AttachedManagedPolicies": [{"PolicyName": "AdministratorAccess", "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}]})
	count(deny) == 0 with input as mk_snap(r, [])
	count(not_assessed) == 0 with input as mk_snap(r, [])
}

test_service_wildcard_in_full_admin_statement_passes if {
	count(deny) == 0 with input as mk_inline_snap([mk_allow(["*", "s3:*"], ["*"])])
}

test_inline_policy_without_document_not_assessed if {
	r := mk_role({"RolePolicyList": [{"PolicyName": "broken", "PolicyDocument": null}]})
	some d in not_assessed with input as mk_snap(r, [])
	d.msg == "not assessed: role r has policies whose document is not in the snapshot: inline policy broken"
}
