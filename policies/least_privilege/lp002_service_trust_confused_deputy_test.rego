package mlguard.least_privilege.service_trust_confused_deputy

import rego.v1

mk_role(trust) := {"RoleName": "r", "Arn": "arn:aws:iam::123456789012:role/r", "Path": "/", "AssumeRolePolicyDocument": trust}

mk_snap(r) := {"metadata": {"account_id": "123456789012"}, "iam": {"roles": [r]}}

mk_trust(stmt) := {"Statement": [stmt]}

mk_stmt(service, cond) := {
	"Effect": "Allow",
	"Principal": {"Service": [service]},
	"Action": ["sts:AssumeRole"],
	"Condition": cond,
}

mk_sagemaker(cond) := mk_snap(mk_role(mk_trust(mk_stmt("sagemaker.amazonaws.com", cond))))

test_sagemaker_trust_without_condition_denied if {
	count(deny) == 1 with input as mk_sagemaker({})
	count(applicable) == 1 with input as mk_sagemaker({})
}

test_message_names_principal_and_statement_denied if {
	some d in deny with input as mk_sagemaker({})
	contains(d.msg, "sagemaker.amazonaws.com (trust statement 0)")
}

test_source_account_passes if {
	count(deny) == 0 with input as mk_sagemaker({"StringEquals": {"aws:SourceAccount": ["123456789012"]}})
	count(applicable) == 1 with input as mk_sagemaker({"StringEquals": {"aws:SourceAccount": ["123456789012"]}})
}

test_source_arn_passes if {
	count(deny) == 0 with input as mk_sagemaker({"ArnLike": {"aws:SourceArn": ["arn:aws:sagemaker:us-east-1:123456789012:*"]}})
}

test_condition_key_case_insensitive_passes if {
	count(deny) == 0 with input as mk_sagemaker({"StringEquals": {"AWS:SOURCEACCOUNT": ["123456789012"]}})
}

test_source_org_passes if {
	count(deny) == 0 with input as mk_sagemaker({"StringEquals": {"aws:SourceOrgID": ["o-abc123"]}})
}

test_source_arn_with_wildcard_account_denied if {
	count(deny) == 1 with input as mk_sagemaker({"ArnLike": {"aws:SourceArn": ["arn:aws:sagemaker:*:*:*"]}})
}

test_wildcard_source_account_denied if {
	count(deny) == 1 with input as mk_sagemaker({"StringLike": {"aws:SourceAccount": ["*"]}})
}

test_if_exists_operator_denied if {
	count(deny) == 1 with input as mk_sagemaker({"StringEqualsIfExists": {"aws:SourceAccount": ["123456789012"]}})
}

test_negated_operator_denied if {
	count(deny) == 1 with input as mk_sagemaker({"StringNotEquals": {"aws:SourceAccount": ["999999999999"]}})
}

test_unrelated_condition_denied if {
	count(deny) == 1 with input as mk_sagemaker({"StringEquals": {"aws:RequestedRegion": ["us-east-1"]}})
}

test_one_open_statement_among_two_denied if {
	trust := {"Statement": [
		mk_stmt("sagemaker.amazonaws.com", {"StringEquals": {"aws:SourceAccount": ["123456789012"]}}),
		mk_stmt("glue.amazonaws.com", {}),
	]}
	some d in deny with input as mk_snap(mk_role(trust))
	contains(d.msg, "glue.amazonaws.com (trust statement 1)")
	not contains(d.msg, "sagemaker")
}

test_ec2_trust_not_judged_passes if {
	snap := mk_snap(mk_role(mk_trust(mk_stmt("ec2.amazonaws.com", {}))))
	count(deny) == 0 with input as snap
	count(applicable) == 0 with input as snap
}

test_service_linked_role_not_judged_passes if {
	r := object.union(mk_role(mk_trust(mk_stmt("sagemaker.amazonaws.com", {}))), {
		"Path": "/aws-service-role/sagemaker.amazonaws.com/",
		"Arn": "arn:aws:iam::123456789012:role/aws-service-role/sagemaker.amazonaws.com/AWSServiceRoleForAmazonSageMakerNotebooks",
	})
	count(deny) == 0 with input as mk_snap(r)
	count(applicable) == 0 with input as mk_snap(r)
}

test_aws_principal_not_judged_passes if {
	trust := mk_trust({"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::123456789012:root"]}, "Action": ["sts:AssumeRole"]})
	count(applicable) == 0 with input as mk_snap(mk_role(trust))
}

test_deny_statement_not_judged_passes if {
	trust := mk_trust({"Effect": "Deny", "Principal": {"Service": ["sagemaker.amazonaws.com"]}, "Action": ["sts:AssumeRole"]})
	count(deny) == 0 with input as mk_snap(mk_role(trust))
}

test_wildcard_action_denied if {
	trust := mk_trust({"Effect": "Allow", "Principal": {"Service": ["sagemaker.amazonaws.com"]}, "Action": ["sts:*"]})
	count(deny) == 1 with input as mk_snap(mk_role(trust))
}

test_tag_session_only_not_judged_passes if {
	trust := mk_trust({"Effect": "Allow", "Principal": {"Service": ["sagemaker.amazonaws.com"]}, "Action": ["sts:TagSession"]})
	count(applicable) == 0 with input as mk_snap(mk_role(trust))
}

test_null_trust_document_passes if {
	r := {"RoleName": "r", "Arn": "arn:aws:iam::123456789012:role/r", "AssumeRolePolicyDocument": null}
	count(deny) == 0 with input as mk_snap(r)
}
