package mlguard.lib.iam

import rego.v1

mk_version(id, is_default, stmts) := {"VersionId": id, "IsDefaultVersion": is_default, "Document": {"Statement": stmts}}

mk_grant := [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["*"]}]

test_default_document_marked_default_passes if {
	policy := {"PolicyVersionList": [mk_version("v1", false, []), mk_version("v2", true, mk_grant)]}
	default_document(policy).Statement == mk_grant
}

test_default_document_by_default_version_id_passes if {
	policy := {"DefaultVersionId": "v2", "PolicyVersionList": [
		{"VersionId": "v1", "Document": {"Statement": []}},
		{"VersionId": "v2", "Document": {"Statement": mk_grant}},
	]}
	default_document(policy).Statement == mk_grant
}

test_default_document_single_version_passes if {
	default_document({"PolicyVersionList": [{"Document": {"Statement": mk_grant}}]}).Statement == mk_grant
}

test_default_document_undefined_without_readable_version_passes if {
	not default_document({"PolicyVersionList": []})
	not default_document({"PolicyVersionList": [mk_version("v1", false, []), mk_version("v2", false, [])]})
	not default_document({"PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true, "Document": null}]})
}

test_missing_managed_passes if {
	arn := "arn:aws:iam::123456789012:policy/p"
	r := {"AttachedManagedPolicies": [
		{"PolicyArn": arn},
		{"PolicyArn": "arn:aws:iam::123456789012:policy/absent"},
		{"PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"},
	]}
	missing_managed(r) == ["arn:aws:iam::123456789012:policy/absent"] with input as {"iam": {"policies": [{"Arn": arn, "PolicyVersionList": [mk_version("v1", true, [])]}]}}
}

test_role_documents_passes if {
	r := {
		"RolePolicyList": [{"PolicyName": "inline", "PolicyDocument": {"Statement": mk_grant}}, {"PolicyName": "broken", "PolicyDocument": null}],
		"AttachedManagedPolicies": [{"PolicyName": "AdministratorAccess", "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}],
	}
	docs := role_documents(r) with input as {"iam": {"policies": []}}
	[d.kind | some d in docs] == ["inline", "managed"]
	full_admin(docs[1].document.Statement[0])
}

test_statements_of_absent_document_passes if {
	statements(null) == []
	statements({}) == []
}

test_grants_action_passes if {
	grants_action({"Effect": "Allow", "Action": ["IAM:Pass*"]}, "iam:PassRole")
	grants_action({"Effect": "Allow", "NotAction": ["s3:*"]}, "iam:PassRole")
	not grants_action({"Effect": "Allow", "NotAction": ["iam:*"]}, "iam:PassRole")
	not grants_action({"Effect": "Deny", "Action": ["*"]}, "iam:PassRole")
}

test_passes_any_role_passes if {
	passes_any_role({"Effect": "Allow", "Action": ["iam:PassRole"], "Resource": ["arn:aws:iam::*:role/*"]})
	passes_any_role({"Effect": "Allow", "Action": ["iam:PassRole"], "NotResource": ["arn:aws:iam::1:role/a"]})
	not passes_any_role({"Effect": "Allow", "Action": ["iam:PassRole"], "Resource": ["arn:aws:iam::123456789012:role/ml-*"]})
}

test_denied_everywhere_passes if {
	denied_everywhere([{"document": {"Statement": [{"Effect": "Deny", "Action": ["iam:*"], "Resource": ["*"]}]}}], "iam:PassRole")
	not denied_everywhere([{"document": {"Statement": [{"Effect": "Deny", "Action": ["iam:*"], "Resource": ["arn:aws:iam::1:role/x"]}]}}], "iam:PassRole")
	not denied_everywhere([{"document": {"Statement": [{"Effect": "Deny", "Action": ["iam:*"], "Resource": ["*"], "Condition": {"Bool": {"aws:SecureTransport": ["false"]}}}]}}], "iam:PassRole")
}

test_principal_account_passes if {
	principal_account("111122223333") == "111122223333"
	principal_account("arn:aws:iam::111122223333:root") == "111122223333"
	principal_account("arn:aws:sts::111122223333:assumed-role/r/s") == "111122223333"
	not principal_account("*")
	not principal_account("AROAEXAMPLE0000000001")
}

test_source_condition_passes if {
	source_condition({"Condition": {"StringEquals": {"aws:SourceAccount": ["123456789012"]}}})
	source_condition({"Condition": {"ForAnyValue:StringLike": {"aws:SourceArn": ["arn:aws:sagemaker:*:123456789012:*"]}}})
	source_condition({"Condition": {"ArnEquals": {"aws:SourceArn": ["arn:aws:s3:::ml-bucket"]}}})
	not source_condition({"Condition": {"ArnLike": {"aws:SourceArn": ["arn:aws:s3:::*"]}}})
	not source_condition({"Condition": {"ForAllValues:StringEquals": {"aws:SourceAccount": ["123456789012"]}}})
	not source_condition({"Condition": {"StringEqualsIfExists": {"aws:SourceAccount": ["123456789012"]}}})
	not source_condition({"Condition": {"Null": {"aws:SourceAccount": ["false"]}}})
}

test_labels_passes if {
	statement_label(3, {"Sid": "Read"}) == "statement Read"
	statement_label(3, {"Sid": ""}) == "statement 3"
	document_label({"kind": "managed", "arn": "arn:aws:iam::aws:policy/X"}) == "managed policy arn:aws:iam::aws:policy/X"
	policy_name("arn:aws:iam::aws:policy/job-function/DataScientist") == "DataScientist"
}

test_missing_documents_passes if {
	r := {
		"RolePolicyList": [{"PolicyName": "ok", "PolicyDocument": {"Statement": []}}, {"PolicyName": "broken", "PolicyDocument": null}],
		"AttachedManagedPolicies": [{"PolicyArn": "arn:aws:iam::123456789012:policy/absent"}],
	}
	missing_documents(r) == ["arn:aws:iam::123456789012:policy/absent", "inline policy broken"] with input as {"iam": {"policies": []}}
}
