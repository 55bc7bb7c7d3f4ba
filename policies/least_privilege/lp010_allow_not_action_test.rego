package mlguard.least_privilege.allow_not_action

import rego.v1

mk_role(extra) := object.union({"RoleName": "r", "Arn": "arn:aws:iam::123456789012:role/r"}, extra)

mk_snap(r, policies) := {"metadata": {"account_id": "123456789012"}, "iam": {"roles": [r], "policies": policies}}

mk_inline_snap(stmts) := mk_snap(mk_role({"RolePolicyList": [{"PolicyName": "p", "PolicyDocument": {"Statement": stmts}}]}), [])

test_allow_not_action_denied if {
	some d in deny with input as mk_inline_snap([{"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": ["*"]}])
	d.msg == "role r has Allow statements with NotAction or NotResource: inline policy p statement 0 (NotAction [iam:*, organizations:*])"
}

test_allow_not_resource_denied if {
	some d in deny with input as mk_inline_snap([{"Effect": "Allow", "Action": ["s3:GetObject"], "NotResource": ["arn:aws:s3:::secrets/*"]}])
	contains(d.msg, "(NotResource [arn:aws:s3:::secrets/*])")
}

test_both_in_one_statement_denied if {
	some d in deny with input as mk_inline_snap([{"Effect": "Allow", "NotAction": ["iam:*"], "NotResource": ["arn:aws:s3:::secrets/*"]}])
	contains(d.msg, "NotAction [iam:*] and NotResource [arn:aws:s3:::secrets/*]")
}

test_conditional_not_action_still_denied if {
	stmt := {"Effect": "Allow", "NotAction": ["iam:*"], "Resource": ["*"], "Condition": {"Bool": {"aws:MultiFactorAuthPresent": ["true"]}}}
	count(deny) == 1 with input as mk_inline_snap([stmt])
}

test_aws_managed_power_user_document_denied if {
	arn := "arn:aws:iam::aws:policy/PowerUserAccess"
	p := {"PolicyName": "PowerUserAccess", "Arn": arn, "PolicyVersionList": [{"VersionId": "v5", "IsDefaultVersion": true, "Document": {"Statement": [
		{"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": ["*"]},
	]}}]}
	r := mk_role({"AttachedManagedPolicies": [{"PolicyName": "PowerUserAccess", "PolicyArn": arn}]})
	some d in deny with input as mk_snap(r, [p])
	contains(d.msg, "managed policy arn:aws:iam::aws:policy/PowerUserAccess statement 0")
}

test_deny_not_action_passes if {
	stmt := {"Effect": "Deny", "NotAction": ["iam:ListMFADevices", "sts:GetSessionToken"], "Resource": ["*"], "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": ["false"]}}}
	count(deny) == 0 with input as mk_inline_snap([stmt])
}

test_plain_allow_passes if {
	count(deny) == 0 with input as mk_inline_snap([{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::ml-data/*"]}])
	count(applicable) == 1 with input as mk_inline_snap([{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::ml-data/*"]}])
}

test_missing_managed_document_not_assessed if {
	r := mk_role({"AttachedManagedPolicies": [{"PolicyName": "x", "PolicyArn": "arn:aws:iam::123456789012:policy/x"}]})
	count(not_assessed) == 1 with input as mk_snap(r, [])
}

test_administrator_access_without_document_assessed_passes if {
	r := mk_role({"AttachedManagedPolicies": [{"PolicyName": "AdministratorAccess", "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}]})
	count(deny) == 0 with input as mk_snap(r, [])
	count(not_assessed) == 0 with input as mk_snap(r, [])
}
