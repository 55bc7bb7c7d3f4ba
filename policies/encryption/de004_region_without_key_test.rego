package mlguard.encryption.region_without_key

import rego.v1

mk_key(extra) := object.union(
	{
		"KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab",
		"Arn": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
		"KeyState": "Enabled",
		"KeyManager": "CUSTOMER",
		"KeySpec": "SYMMETRIC_DEFAULT",
	},
	extra,
)

mk_notebook := {"NotebookInstanceName": "nb", "NotebookInstanceArn": "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/nb"}

mk_snap(region_doc, gap_list) := {
	"metadata": {"account_id": "123456789012"},
	"regions": {"us-east-1": region_doc},
	"gaps": gap_list,
}

test_ml_region_without_key_denied if {
	results := deny with input as mk_snap({"kms": {"keys": []}, "sagemaker": {"notebook_instances": [mk_notebook]}}, [])
	count(results) == 1
	some r in results
	r.resource.arn == "arn:aws:kms:us-east-1:123456789012:*"
	contains(r.msg, "(1 notebook instance)")
}

test_only_aws_managed_and_disabled_keys_denied if {
	keys := [
		mk_key({"KeyManager": "AWS", "KeyId": "k2", "Arn": "arn:aws:kms:us-east-1:123456789012:key/k2"}),
		mk_key({"KeyState": "Disabled", "Aliases": [{"AliasName": "alias/old"}]}),
	]
	results := deny with input as mk_snap({"kms": {"keys": keys}, "sagemaker": {"training_jobs": [{}, {}]}}, [])
	some r in results
	contains(r.msg, "2 training jobs")
	contains(r.msg, "1234abcd-12ab-34cd-56ef-1234567890ab (alias/old) is disabled")
}

test_ml_scope_vpc_without_key_denied if {
	vpc := {"VpcId": "vpc-1", "Tags": [{"Key": "mlguard:scope", "Value": "ml"}]}
	results := deny with input as mk_snap({"kms": {"keys": []}, "ec2": {"vpcs": [vpc]}}, [])
	some r in results
	contains(r.msg, "ML workload VPC vpc-1")
}

test_ml_region_with_customer_key_passes if {
	snap := mk_snap({"kms": {"keys": [mk_key({})]}, "sagemaker": {"notebook_instances": [mk_notebook]}}, [])
	count(deny) == 0 with input as snap
	count(applicable) == 1 with input as snap
}

test_region_without_ml_not_judged_passes if {
	snap := mk_snap({"kms": {"keys": []}, "ec2": {"vpcs": [{"VpcId": "vpc-2"}]}}, [])
	count(applicable) == 0 with input as snap
	count(deny) == 0 with input as snap
}

test_key_listing_gap_not_assessed if {
	g := {"service": "kms", "region": "us-east-1", "operation": "ListKeys", "error_code": "AccessDeniedException", "message": "denied"}
	snap := mk_snap({"sagemaker": {"notebook_instances": [mk_notebook]}}, [g])
	count(deny) == 0 with input as snap
	count(not_assessed) == 1 with input as snap
}

test_undescribed_key_not_assessed if {
	snap := mk_snap({"kms": {"keys": [{"KeyId": "k9", "Arn": "arn:aws:kms:us-east-1:123456789012:key/k9"}]}, "sagemaker": {"notebook_instances": [mk_notebook]}}, [])
	count(deny) == 0 with input as snap
	results := not_assessed with input as snap
	some r in results
	contains(r.msg, "k9")
}
