package mlguard.least_privilege.passrole_any_role

import rego.v1

mk_role(extra) := object.union({"RoleName": "r", "Arn": "arn:aws:iam::123456789012:role/r"}, extra)

mk_snap(r, policies) := {"metadata": {"account_id": "123456789012"}, "iam": {"roles": [r], "policies": policies}}

mk_inline_snap(stmts) := mk_snap(mk_role({"RolePolicyList": [{"PolicyName": "p", "PolicyDocument": {"Statement": stmts}}]}), [])

mk_allow(actions, resources) := {"Effect": "Allow", "Action": actions, "Resource": resources}

test_passrole_on_star_denied if {
	some d in deny with input as mk_inline_snap([mk_allow(["iam:PassRole"], ["*"])])
	d.msg == "role r can pass any role (iam:PassRole on every role): inline policy p statement 0"
}

test_passrole_lowercase_denied if {
	count(deny) == 1 with input as mk_inline_snap([mk_allow(["iam:passrole"], ["*"])])
}

test_iam_star_denied if {
	count(deny) == 1 with input as mk_inline_snap([mk_allow(["iam:*"], ["*"])])
}

test_pass_prefix_wildcard_denied if {
	count(deny) == 1 with input as mk_inline_snap([mk_allow(["iam:Pass*"], ["*"])])
}

test_every_role_pattern_denied if {
	count(deny) == 1 with input as mk_inline_snap([mk_allow(["iam:PassRole"], ["arn:aws:iam::123456789012:role/*"])])
	count(deny) == 1 with input as mk_inline_snap([mk_allow(["iam:PassRole"], ["arn:aws:iam::*:role/*"])])
}

test_passed_to_service_condition_still_denied if {
	stmt := object.union(mk_allow(["iam:PassRole"], ["*"]), {"Condition": {"StringEquals": {"iam:PassedToService": ["sagemaker.amazonaws.com"]}}})
	some d in deny with input as mk_inline_snap([stmt])
	contains(d.msg, "(under a condition)")
}

test_not_action_not_excluding_passrole_denied if {
	count(deny) == 1 with input as mk_inline_snap([{"Effect": "Allow", "NotAction": ["s3:*"], "Resource": ["*"]}])
}

test_not_resource_denied if {
	count(deny) == 1 with input as mk_inline_snap([{"Effect": "Allow", "Action": ["iam:PassRole"], "NotResource": ["arn:aws:iam::123456789012:role/admin"]}])
}

test_conditional_deny_does_not_clear_denied if {
	stmts := [
		mk_allow(["iam:PassRole"], ["*"]),
		{"Effect": "Deny", "Action": ["iam:PassRole"], "Resource": ["*"], "Condition": {"StringNotEquals": {"iam:PassedToService": ["sagemaker.amazonaws.com"]}}},
	]
	count(deny) == 1 with input as mk_inline_snap(stmts)
}

test_unconditional_deny_everywhere_passes if {
	stmts := [mk_allow(["iam:*"], ["*"]), {"Effect": "Deny", "Action": ["iam:PassRole"], "Resource": ["*"]}]
	count(deny) == 0 with input as mk_inline_snap(stmts)
}

test_scoped_passrole_passes if {
	count(deny) == 0 with input as mk_inline_snap([mk_allow(["iam:PassRole"], ["arn:aws:iam::123456789012:role/ml-training-role"])])
	count(deny) == 0 with input as mk_inline_snap([mk_allow(["iam:PassRole"], ["arn:aws:iam::123456789012:role/ml-*"])])
}

test_not_action_excluding_iam_passes if {
	count(deny) == 0 with input as mk_inline_snap([{"Effect": "Allow", "NotAction": ["iam:*"], "Resource": ["*"]}])
}

test_no_passrole_passes if {
	count(deny) == 0 with input as mk_inline_snap([mk_allow(["iam:GetRole"], ["*"])])
	count(applicable) == 1 with input as mk_inline_snap([mk_allow(["iam:GetRole"], ["*"])])
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

test_full_admin_statement_left_to_lp003_passes if {
	count(deny) == 0 with input as mk_inline_snap([{"Effect": "Allow", "Action": ["*"], "Resource": ["*"]}])
}

mk_pass(resources) := mk_allow(["iam:PassRole"], resources)

every_role_patterns := ["arn:aws:iam::123456789012:role*", "arn:aws:iam::*:*", "arn:*", "arn:aws:*:*:*:role/*", "arn:aws:iam::????????????:role/*"]

test_passrole_on_every_role_through_wildcards_denied if {
	found := [p | some p in every_role_patterns; count(deny) == 1 with input as mk_inline_snap([mk_pass([p])])]
	found == every_role_patterns
}

named_role_patterns := ["arn:aws:iam::123456789012:role/ml-*", "arn:aws:iam::123456789012:role/service-role/*", "arn:aws:iam::999999999999:role/*", "arn:aws:s3:::*", "arn:aws:iam::123456789012:role/?"]

test_passrole_on_named_or_foreign_roles_passes if {
	clean := [p | some p in named_role_patterns; count(deny) == 0 with input as mk_inline_snap([mk_pass([p])])]
	clean == named_role_patterns
}

test_not_resource_excluding_every_role_passes if {
	count(deny) == 0 with input as mk_inline_snap([{"Effect": "Allow", "Action": ["iam:PassRole"], "NotResource": ["arn:aws:iam::*:role/*"]}])
}

test_not_resource_of_buckets_denied if {
	count(deny) == 1 with input as mk_inline_snap([{"Effect": "Allow", "Action": ["iam:PassRole"], "NotResource": ["arn:aws:s3:::ml-data"]}])
}
