package mlguard.least_privilege.full_admin

import rego.v1

mk_role(extra) := object.union({"RoleName": "r", "Arn": "arn:aws:iam::123456789012:role/r"}, extra)

mk_snap(r, policies) := {"metadata": {"account_id": "123456789012"}, "iam": {"roles": [r], "policies": policies}}

mk_inline(stmts) := {"RolePolicyList": [{"PolicyName": "p", "PolicyDocument": {"Statement": stmts}}]}

mk_allow(actions, resources) := {"Effect": "Allow", "Action": actions, "Resource": resources}

mk_managed(arn, stmts) := {
	"PolicyName": "m",
	"Arn": arn,
	"DefaultVersionId": "v2",
	"PolicyVersionList": [
		{"VersionId": "v2", "IsDefaultVersion": true, "Document": {"Statement": stmts}},
		{"VersionId": "v1", "IsDefaultVersion": false, "Document": {"Statement": []}},
	],
}

mk_admin_arn := "arn:aws:iam::aws:policy/AdministratorAccess"

test_administrator_access_attached_without_document_denied if {
	r := mk_role({"AttachedManagedPolicies": [{"PolicyName": "AdministratorAccess", "PolicyArn": mk_admin_arn}]})
	count(deny) == 1 with input as mk_snap(r, [])
	count(not_assessed) == 0 with input as mk_snap(r, [])
}

test_administrator_access_other_partition_denied if {
	arn := "arn:aws-us-gov:iam::aws:policy/AdministratorAccess"
	r := mk_role({"AttachedManagedPolicies": [{"PolicyName": "AdministratorAccess", "PolicyArn": arn}]})
	count(deny) == 1 with input as mk_snap(r, [])
}

test_administrator_access_with_document_reported_once_denied if {
	r := mk_role({"AttachedManagedPolicies": [{"PolicyName": "AdministratorAccess", "PolicyArn": mk_admin_arn}]})
	snap := mk_snap(r, [mk_managed(mk_admin_arn, [mk_allow(["*"], ["*"])])])
	some d in deny with input as snap
	d.msg == "role r has full administrative privileges: AWS-managed policy arn:aws:iam::aws:policy/AdministratorAccess is attached"
}

test_inline_star_on_star_denied if {
	count(deny) == 1 with input as mk_snap(mk_role(mk_inline([mk_allow(["*"], ["*"])])), [])
}

test_customer_managed_star_on_star_denied if {
	arn := "arn:aws:iam::123456789012:policy/ml-everything"
	r := mk_role({"AttachedManagedPolicies": [{"PolicyName": "ml-everything", "PolicyArn": arn}]})
	some d in deny with input as mk_snap(r, [mk_managed(arn, [object.union(mk_allow(["*"], ["*"]), {"Sid": "All"})])])
	contains(d.msg, "managed policy arn:aws:iam::123456789012:policy/ml-everything statement All allows * on *")
}

test_non_default_version_ignored_passes if {
	arn := "arn:aws:iam::123456789012:policy/ml-old"
	p := {"PolicyName": "ml-old", "Arn": arn, "DefaultVersionId": "v2", "PolicyVersionList": [
		{"VersionId": "v1", "IsDefaultVersion": false, "Document": {"Statement": [mk_allow(["*"], ["*"])]}},
		{"VersionId": "v2", "IsDefaultVersion": true, "Document": {"Statement": [mk_allow(["s3:GetObject"], ["arn:aws:s3:::b/*"])]}},
	]}
	r := mk_role({"AttachedManagedPolicies": [{"PolicyName": "ml-old", "PolicyArn": arn}]})
	count(deny) == 0 with input as mk_snap(r, [p])
	count(not_assessed) == 0 with input as mk_snap(r, [p])
}

test_default_version_by_id_denied if {
	arn := "arn:aws:iam::123456789012:policy/ml-v"
	p := {"PolicyName": "ml-v", "Arn": arn, "DefaultVersionId": "v3", "PolicyVersionList": [
		{"VersionId": "v1", "Document": {"Statement": []}},
		{"VersionId": "v3", "Document": {"Statement": [mk_allow(["*"], ["*"])]}},
	]}
	r := mk_role({"AttachedManagedPolicies": [{"PolicyName": "ml-v", "PolicyArn": arn}]})
	count(deny) == 1 with input as mk_snap(r, [p])
}

test_conditional_star_still_denied if {
	stmt := object.union(mk_allow(["*"], ["*"]), {"Condition": {"StringEquals": {"aws:RequestedRegion": ["us-east-1"]}}})
	some d in deny with input as mk_snap(mk_role(mk_inline([stmt])), [])
	contains(d.msg, "(under a condition)")
}

test_star_with_explicit_deny_still_denied if {
	stmts := [mk_allow(["*"], ["*"]), {"Effect": "Deny", "Action": ["iam:*"], "Resource": ["*"]}]
	count(deny) == 1 with input as mk_snap(mk_role(mk_inline(stmts)), [])
}

test_star_on_scoped_resource_passes if {
	count(deny) == 0 with input as mk_snap(mk_role(mk_inline([mk_allow(["*"], ["arn:aws:s3:::ml-data/*"])])), [])
}

test_service_wildcard_on_star_passes if {
	count(deny) == 0 with input as mk_snap(mk_role(mk_inline([mk_allow(["s3:*"], ["*"])])), [])
}

test_deny_star_passes if {
	count(deny) == 0 with input as mk_snap(mk_role(mk_inline([{"Effect": "Deny", "Action": ["*"], "Resource": ["*"]}])), [])
}

test_scoped_role_passes if {
	r := mk_role(mk_inline([mk_allow(["sagemaker:CreateTrainingJob"], ["*"])]))
	count(deny) == 0 with input as mk_snap(r, [])
	count(applicable) == 1 with input as mk_snap(r, [])
}

test_missing_managed_document_not_assessed if {
	r := mk_role({"AttachedManagedPolicies": [{"PolicyName": "x", "PolicyArn": "arn:aws:iam::123456789012:policy/x"}]})
	count(deny) == 0 with input as mk_snap(r, [])
	count(not_assessed) == 1 with input as mk_snap(r, [])
}

test_managed_policy_without_versions_not_assessed if {
	arn := "arn:aws:iam::123456789012:policy/x"
	r := mk_role({"AttachedManagedPolicies": [{"PolicyName": "x", "PolicyArn": arn}]})
	count(not_assessed) == 1 with input as mk_snap(r, [{"PolicyName": "x", "Arn": arn, "PolicyVersionList": []}])
}

test_missing_document_with_other_evidence_denied if {
	r := mk_role(object.union(mk_inline([mk_allow(["*"], ["*"])]), {"AttachedManagedPolicies": [{"PolicyName": "x", "PolicyArn": "arn:aws:iam::123456789012:policy/x"}]}))
	count(deny) == 1 with input as mk_snap(r, [])
	count(not_assessed) == 0 with input as mk_snap(r, [])
}
