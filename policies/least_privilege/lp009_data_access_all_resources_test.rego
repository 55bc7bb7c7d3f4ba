package mlguard.least_privilege.data_access_all_resources

import rego.v1

mk_role(extra) := object.union({"RoleName": "r", "Arn": "arn:aws:iam::123456789012:role/r"}, extra)

mk_snap(r, policies) := {"metadata": {"account_id": "123456789012"}, "iam": {"roles": [r], "policies": policies}}

mk_inline_snap(stmts) := mk_snap(mk_role({"RolePolicyList": [{"PolicyName": "p", "PolicyDocument": {"Statement": stmts}}]}), [])

mk_allow(actions, resources) := {"Effect": "Allow", "Action": actions, "Resource": resources}

test_get_object_on_star_denied if {
	some d in deny with input as mk_inline_snap([mk_allow(["s3:GetObject"], ["*"])])
	d.msg == "role r can use data actions on every bucket or key: inline policy p statement 0 allows s3:GetObject on *"
}

test_every_bucket_pattern_denied if {
	count(deny) == 1 with input as mk_inline_snap([mk_allow(["s3:PutObject"], ["arn:aws:s3:::*/*"])])
	count(deny) == 1 with input as mk_inline_snap([mk_allow(["s3:DeleteObject"], ["arn:aws:s3:::*"])])
}

test_message_names_broad_resources_only_denied if {
	some d in deny with input as mk_inline_snap([mk_allow(["kms:Decrypt"], ["arn:aws:kms:*:*:key/*", "arn:aws:kms:us-east-1:123456789012:alias/ml"])])
	endswith(d.msg, "allows kms:Decrypt on arn:aws:kms:*:*:key/*")
	some e in deny with input as mk_inline_snap([{"Effect": "Allow", "Action": ["s3:GetObject"], "NotResource": ["arn:aws:s3:::secrets/*"]}])
	endswith(e.msg, "allows s3:GetObject on all but arn:aws:s3:::secrets/* (NotResource)")
}

test_every_key_pattern_denied if {
	count(deny) == 1 with input as mk_inline_snap([mk_allow(["kms:Decrypt"], ["arn:aws:kms:*:*:key/*"])])
	count(deny) == 1 with input as mk_inline_snap([mk_allow(["kms:Decrypt"], ["arn:aws:kms:us-east-1:123456789012:key/*"])])
}

test_wildcard_action_lists_covered_actions_denied if {
	some d in deny with input as mk_inline_snap([mk_allow(["s3:Get*", "KMS:*"], ["*"])])
	contains(d.msg, "allows kms:Decrypt, kms:Encrypt, kms:GenerateDataKey, s3:GetObject on *")
}

test_condition_mentioned_still_denied if {
	stmt := object.union(mk_allow(["kms:Decrypt"], ["*"]), {"Condition": {"StringEquals": {"kms:ViaService": ["s3.us-east-1.amazonaws.com"]}}})
	some d in deny with input as mk_inline_snap([stmt])
	contains(d.msg, "(under a condition)")
}

test_not_resource_denied if {
	count(deny) == 1 with input as mk_inline_snap([{"Effect": "Allow", "Action": ["s3:GetObject"], "NotResource": ["arn:aws:s3:::secrets/*"]}])
}

test_not_action_denied if {
	count(deny) == 1 with input as mk_inline_snap([{"Effect": "Allow", "NotAction": ["iam:*"], "Resource": ["*"]}])
}

test_partial_deny_still_denied if {
	stmts := [mk_allow(["s3:GetObject", "s3:PutObject"], ["*"]), {"Effect": "Deny", "Action": ["s3:PutObject"], "Resource": ["*"]}]
	some d in deny with input as mk_inline_snap(stmts)
	contains(d.msg, "allows s3:GetObject on *")
	not contains(d.msg, "PutObject")
}

test_deny_everywhere_passes if {
	stmts := [mk_allow(["s3:GetObject"], ["*"]), {"Effect": "Deny", "Action": ["s3:*"], "Resource": ["*"]}]
	count(deny) == 0 with input as mk_inline_snap(stmts)
}

test_scoped_bucket_passes if {
	count(deny) == 0 with input as mk_inline_snap([mk_allow(["s3:GetObject", "s3:PutObject"], ["arn:aws:s3:::ml-training-data/*"])])
	count(deny) == 0 with input as mk_inline_snap([mk_allow(["s3:GetObject"], ["arn:aws:s3:::ml-*/*"])])
}

test_scoped_key_passes if {
	count(deny) == 0 with input as mk_inline_snap([mk_allow(["kms:Decrypt"], ["arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"])])
}

test_list_bucket_on_star_passes if {
	count(deny) == 0 with input as mk_inline_snap([mk_allow(["s3:ListAllMyBuckets", "kms:ListKeys"], ["*"])])
	count(applicable) == 1 with input as mk_inline_snap([mk_allow(["s3:ListAllMyBuckets", "kms:ListKeys"], ["*"])])
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
