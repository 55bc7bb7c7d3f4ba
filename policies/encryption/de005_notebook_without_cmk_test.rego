package mlguard.encryption.notebook_without_cmk

import rego.v1

mk_nb_arn := "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/nb"

mk_nb(extra) := object.union({"NotebookInstanceName": "nb", "NotebookInstanceArn": mk_nb_arn}, extra)

mk_keys := [
	{
		"KeyId": "cmk-1", "Arn": "arn:aws:kms:us-east-1:123456789012:key/cmk-1",
		"KeyManager": "CUSTOMER", "KeyState": "Enabled", "Aliases": [{"AliasName": "alias/ml-data"}],
	},
	{
		"KeyId": "aws-1", "Arn": "arn:aws:kms:us-east-1:123456789012:key/aws-1",
		"KeyManager": "AWS", "KeyState": "Enabled", "Aliases": [{"AliasName": "alias/aws/sagemaker"}],
	},
]

mk_snap(nbs, gap_list) := {
	"metadata": {"account_id": "123456789012"},
	"regions": {"us-east-1": {"kms": {"keys": mk_keys}, "sagemaker": {"notebook_instances": nbs}}},
	"gaps": gap_list,
}

test_no_kms_key_denied if {
	results := deny with input as mk_snap([mk_nb({})], [])
	count(results) == 1
	some r in results
	contains(r.msg, "has no KmsKeyId")
}

test_aws_managed_alias_denied if {
	count(deny) == 1 with input as mk_snap([mk_nb({"KmsKeyId": "alias/aws/sagemaker"})], [])
}

test_aws_managed_key_arn_denied if {
	count(deny) == 1 with input as mk_snap([mk_nb({"KmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/aws-1"})], [])
}

test_customer_key_arn_passes if {
	snap := mk_snap([mk_nb({"KmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/cmk-1"})], [])
	count(deny) == 0 with input as snap
	count(applicable) == 1 with input as snap
}

test_customer_key_alias_passes if {
	count(deny) == 0 with input as mk_snap([mk_nb({"KmsKeyId": "alias/ml-data"})], [])
}

test_key_outside_snapshot_passes if {
	count(deny) == 0 with input as mk_snap([mk_nb({"KmsKeyId": "arn:aws:kms:us-east-1:999999999999:key/x"})], [])
}

test_describe_gap_not_assessed if {
	g := {"service": "sagemaker", "region": "us-east-1", "operation": "DescribeNotebookInstance", "resource": "nb", "error_code": "AccessDeniedException", "message": "denied"}
	snap := mk_snap([mk_nb({})], [g])
	count(deny) == 0 with input as snap
	results := not_assessed with input as snap
	some r in results
	r.msg == "not assessed: DescribeNotebookInstance failed (AccessDeniedException)"
}
