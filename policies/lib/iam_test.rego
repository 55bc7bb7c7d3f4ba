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

account_input := {"metadata": {"account_id": "123456789012", "partition": "aws"}}

pass_on(resources) := {"Effect": "Allow", "Action": ["iam:PassRole"], "Resource": resources}

test_passes_any_role_passes if {
	passes_any_role(pass_on(["arn:aws:iam::*:role/*"])) with input as account_input
	passes_any_role(pass_on(["arn:aws:iam::123456789012:role/*"])) with input as account_input
	passes_any_role(pass_on(["arn:aws:iam::123456789012:role*"])) with input as account_input
	passes_any_role(pass_on(["arn:aws:iam::123456789012:*"])) with input as account_input
	passes_any_role(pass_on(["arn:aws:*:*:*:role/*"])) with input as account_input
	passes_any_role(pass_on(["arn:*"])) with input as account_input
	passes_any_role(pass_on(["*"])) with input as account_input
	passes_any_role(pass_on(["arn:aws:iam::????????????:role/*"])) with input as account_input
	passes_any_role({"Effect": "Allow", "Action": ["iam:PassRole"], "NotResource": ["arn:aws:iam::1:role/a"]}) with input as account_input
	passes_any_role({"Effect": "Allow", "Action": ["iam:PassRole"], "NotResource": ["arn:aws:s3:::*"]}) with input as account_input
}

test_passrole_on_named_roles_passes if {
	not passes_any_role(pass_on(["arn:aws:iam::123456789012:role/ml-*"])) with input as account_input
	not passes_any_role(pass_on(["arn:aws:iam::123456789012:role/service-role/*"])) with input as account_input
	not passes_any_role(pass_on(["arn:aws:iam::999999999999:role/*"])) with input as account_input
	not passes_any_role(pass_on(["arn:aws:s3:::*"])) with input as account_input
	not passes_any_role(pass_on(["arn:aws-cn:iam::123456789012:role/*"])) with input as account_input
	not passes_any_role({"Effect": "Allow", "Action": ["iam:PassRole"], "NotResource": ["arn:aws:iam::123456789012:role/*"]}) with input as account_input
	not passes_any_role({"Effect": "Allow", "Action": ["iam:PassRole"], "NotResource": ["*"]}) with input as account_input
}

test_may_match_passes if {
	may_match("*", "role") with input as account_input
	may_match("arn:aws:iam::123456789012:role/ml-*", "role") with input as account_input
	may_match("arn:aws:iam::*:role/admin", "role") with input as account_input
	may_match("arn:aws:iam::123456789012:*", "policy") with input as account_input
	may_match("arn:aws:*", "user") with input as account_input
	may_match("arn:aws:iam::123456789012:rol?/x", "role") with input as account_input
	may_match("arn:aws:lambda:us-east-1:123456789012:function:train", "function") with input as account_input
	may_match("arn:aws:lambda:*:*:function:*", "function") with input as account_input
}

test_bucket_arns_never_match_iam_resources_passes if {
	not may_match("arn:aws:s3:::ml-data", "role") with input as account_input
	not may_match("arn:aws:s3:::ml-data/*", "role") with input as account_input
	not may_match("arn:aws:s3:::*", "policy") with input as account_input
	not may_match("arn:aws:s3:::ml-*", "user") with input as account_input
	not may_match("arn:aws:iam::123456789012:role/x", "policy") with input as account_input
	not may_match("arn:aws:iam::123456789012:user/*", "role") with input as account_input
	not may_match("arn:aws:iam::999999999999:role/*", "role") with input as account_input
	not may_match("arn:aws:iam::123456789012:role/", "role") with input as account_input
	not may_match("arn:aws:lambda:us-east-1:123456789012:layer:x", "function") with input as account_input
	not may_match("arn:aws:sagemaker:*:*:*", "role") with input as account_input
}

test_acts_on_passes if {
	acts_on({"Resource": ["arn:aws:s3:::a", "arn:aws:iam::*:role/x"]}, "role") with input as account_input
	not acts_on({"Resource": ["arn:aws:s3:::a", "arn:aws:s3:::a/*"]}, "role") with input as account_input
	acts_on({"NotResource": ["arn:aws:s3:::a"]}, "role") with input as account_input
	not acts_on({"NotResource": ["arn:aws:iam::*:role/*"]}, "role") with input as account_input
	acts_on({"NotResource": ["arn:aws:iam::*:role/*"]}, "user") with input as account_input
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

test_five_colon_arns_match_segment_by_segment_passes if {
	not may_match("arn:aws:iam::*:rol?/*", "policy") with input as account_input
	may_match("arn:aws:iam::*:rol?/*", "role") with input as account_input
	may_match("arn:aws:iam::1234567890??:policy/*", "policy") with input as account_input
	not may_match("arn:aws:iam::1234567890??:policy/*", "role") with input as account_input
	not may_match("arn:aws:iam::123456789012:role/a:b", "role") with input as account_input
	may_match("arn:aws:iam::*", "policy") with input as account_input
	not may_match("arn:aws:iam:us-east-1:123456789012:role/x", "role") with input as account_input
	may_match("arn:aws:iam:*:123456789012:role/x", "role") with input as account_input
}

test_policy_variables_passes if {
	may_match("arn:aws:iam::123456789012:user/${aws:username}", "user") with input as account_input
	not may_match("arn:aws:iam::123456789012:user/${aws:username}", "role") with input as account_input
	not passes_any_role(pass_on(["arn:aws:iam::123456789012:role/${aws:PrincipalTag/team}"])) with input as account_input
}
