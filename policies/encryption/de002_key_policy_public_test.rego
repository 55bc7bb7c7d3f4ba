package mlguard.encryption.key_policy_public

import rego.v1

mk_arn := "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

mk_root_stmt := {
	"Sid": "Enable IAM User Permissions",
	"Effect": "Allow",
	"Principal": {"AWS": ["arn:aws:iam::123456789012:root"]},
	"Action": ["kms:*"],
	"Resource": ["*"],
}

mk_key(stmts) := {
	"KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab",
	"Arn": mk_arn,
	"KeyState": "Enabled",
	"KeyManager": "CUSTOMER",
	"KeySpec": "SYMMETRIC_DEFAULT",
	"Policy": {"Version": "2012-10-17", "Statement": array.concat([mk_root_stmt], stmts)},
	"Aliases": [{"AliasName": "alias/ml-data"}],
}

mk_snap(keys, gap_list) := {
	"metadata": {"account_id": "123456789012"},
	"regions": {"us-east-1": {"kms": {"keys": keys}}},
	"gaps": gap_list,
}

mk_open(extra) := object.union({"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": ["kms:Decrypt"], "Resource": ["*"]}, extra)

test_star_principal_denied if {
	results := deny with input as mk_snap([mk_key([mk_open({"Sid": "Open"})])], [])
	count(results) == 1
	some r in results
	contains(r.msg, "no restricting condition: statement 1 (Open) allows kms:Decrypt")
	contains(r.msg, "alias/ml-data")
}

test_not_principal_denied if {
	stmt := {"Effect": "Allow", "NotPrincipal": {"AWS": ["arn:aws:iam::123456789012:root"]}, "NotAction": ["kms:ScheduleKeyDeletion"], "Resource": ["*"]}
	results := deny with input as mk_snap([mk_key([stmt])], [])
	some r in results
	contains(r.msg, "every action but kms:ScheduleKeyDeletion")
}

test_account_root_only_passes if {
	count(deny) == 0 with input as mk_snap([mk_key([])], [])
	count(applicable) == 1 with input as mk_snap([mk_key([])], [])
}

test_caller_account_condition_passes if {
	stmt := mk_open({"Condition": {"StringEquals": {"kms:CallerAccount": ["123456789012"]}}})
	count(deny) == 0 with input as mk_snap([mk_key([stmt])], [])
}

test_via_service_condition_passes if {
	stmt := mk_open({"Condition": {"StringEquals": {"kms:ViaService": ["sagemaker.us-east-1.amazonaws.com"]}}})
	count(deny) == 0 with input as mk_snap([mk_key([stmt])], [])
}

test_wildcard_condition_value_still_denied if {
	stmt := mk_open({"Condition": {"StringLike": {"kms:CallerAccount": ["*"]}}})
	count(deny) == 1 with input as mk_snap([mk_key([stmt])], [])
}

test_aws_managed_key_not_judged_passes if {
	k := object.union(mk_key([mk_open({})]), {"KeyManager": "AWS"})
	count(applicable) == 0 with input as mk_snap([k], [])
	count(deny) == 0 with input as mk_snap([k], [])
}

test_policy_gap_not_assessed if {
	k := json.remove(mk_key([]), ["Policy"])
	g := {"service": "kms", "region": "us-east-1", "operation": "GetKeyPolicy", "resource": mk_arn, "error_code": "AccessDeniedException", "message": "denied"}
	results := not_assessed with input as mk_snap([k], [g])
	some r in results
	r.msg == "not assessed: GetKeyPolicy failed (AccessDeniedException)"
}

test_policy_absent_without_gap_not_assessed if {
	k := json.remove(mk_key([]), ["Policy"])
	count(not_assessed) == 1 with input as mk_snap([k], [])
	count(deny) == 0 with input as mk_snap([k], [])
}
