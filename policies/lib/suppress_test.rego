package mlguard.lib.suppress

import rego.v1

snapshot := {
	"metadata": {"account_id": "123456789012", "partition": "aws"},
	"iam": {"roles": [
		{"RoleName": "plain", "Arn": "arn:aws:iam::123456789012:role/plain"},
		{
			"RoleName": "accepted", "Arn": "arn:aws:iam::123456789012:role/accepted",
			"Tags": [
				{"Key": "mlguard:suppress", "Value": "lp-001 NI-004"},
				{"Key": "mlguard:suppress-reason", "Value": "break-glass role, reviewed"},
			],
		},
	]},
	"regions": {"us-east-1": {
		"kms": {"keys": [{
			"Arn": "arn:aws:kms:us-east-1:123456789012:key/k1", "KeyId": "k1",
			"Tags": [{"TagKey": "mlguard:suppress", "TagValue": "DE-001+DE-002"}],
		}]},
		"ec2": {"security_groups": [
			{"GroupId": "sg-1", "GroupName": "bastion", "Tags": [{"Key": "mlguard:suppress", "Value": "NI-004,NI-005"}]},
			{"GroupId": "sg-2", "GroupName": "other", "Tags": [{"Key": "team", "Value": "ml"}]},
		]},
		"sagemaker": {"notebook_instances": [{
			"NotebookInstanceName": "nb",
			"NotebookInstanceArn": "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/nb",
			"Tags": [{"Key": "mlguard:suppress", "Value": "NI"}, {"Key": "mlguard:suppress-reason", "Value": "demo"}],
		}]},
	}},
}

test_role_tag_lists_rules_and_reason if {
	entry := by_arn["arn:aws:iam::123456789012:role/accepted"] with input as snapshot
	entry == {"rules": ["LP-001", "NI-004"], "reason": "break-glass role, reviewed"}
}

test_untagged_resources_are_absent if {
	got := by_arn with input as snapshot
	not got["arn:aws:iam::123456789012:role/plain"]
	not got["arn:aws:ec2:us-east-1:123456789012:security-group/sg-2"]
}

test_kms_tags_and_plus_separator if {
	entry := by_arn["arn:aws:kms:us-east-1:123456789012:key/k1"] with input as snapshot
	entry == {"rules": ["DE-001", "DE-002"], "reason": ""}
}

test_security_group_arn_matches_the_resource_builder if {
	entry := by_arn["arn:aws:ec2:us-east-1:123456789012:security-group/sg-1"] with input as snapshot
	entry.rules == ["NI-004", "NI-005"]
}

test_sagemaker_prefix if {
	entry := by_arn["arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/nb"] with input as snapshot
	entry == {"rules": ["NI"], "reason": "demo"}
}

test_exactly_the_tagged_resources if {
	got := by_arn with input as snapshot
	count(got) == 4
}

test_empty_snapshot if {
	got := by_arn with input as {"metadata": {"account_id": "1"}}
	got == {}
}
