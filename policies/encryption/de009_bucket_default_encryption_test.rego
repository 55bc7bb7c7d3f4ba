package mlguard.encryption.bucket_default_encryption

import rego.v1

mk_cmk := "arn:aws:kms:us-east-1:123456789012:key/cmk-1"

mk_keys := [
	{"KeyId": "cmk-1", "Arn": mk_cmk, "KeyManager": "CUSTOMER", "KeyState": "Enabled", "Aliases": [{"AliasName": "alias/ml-data"}]},
	{"KeyId": "aws-1", "Arn": "arn:aws:kms:us-east-1:123456789012:key/aws-1", "KeyManager": "AWS", "KeyState": "Enabled", "Aliases": [{"AliasName": "alias/aws/s3"}]},
]

mk_bucket(sse) := {"Name": "ml-training-data", "Region": "us-east-1", "ServerSideEncryptionConfiguration": {"Rules": [{
	"ApplyServerSideEncryptionByDefault": sse,
	"BucketKeyEnabled": true,
}]}}

mk_snap(buckets, gap_list) := {
	"metadata": {"account_id": "123456789012"},
	"s3": {"buckets": buckets},
	"regions": {"us-east-1": {"kms": {"keys": mk_keys}}},
	"gaps": gap_list,
}

mk_deny_msg(bucket) := r.msg if {
	results := deny with input as mk_snap([bucket], [])
	count(results) == 1
	some r in results
}

test_no_configuration_denied if {
	contains(mk_deny_msg({"Name": "ml-training-data", "Region": "us-east-1"}), "has no default encryption configuration")
}

test_sse_s3_denied if {
	contains(mk_deny_msg(mk_bucket({"SSEAlgorithm": "AES256"})), "SSE-S3 (AES256)")
}

test_kms_without_key_id_denied if {
	contains(mk_deny_msg(mk_bucket({"SSEAlgorithm": "aws:kms"})), "aws/s3")
}

test_aws_managed_alias_denied if {
	contains(mk_deny_msg(mk_bucket({"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/aws/s3"})), "AWS managed key alias/aws/s3")
}

test_aws_managed_key_arn_denied if {
	mk_deny_msg(mk_bucket({"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "arn:aws:kms:us-east-1:123456789012:key/aws-1"}))
}

test_missing_key_denied if {
	contains(mk_deny_msg(mk_bucket({"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "arn:aws:kms:us-east-1:123456789012:key/gone"})), "does not exist in us-east-1")
}

test_customer_key_passes if {
	snap := mk_snap([mk_bucket({"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": mk_cmk})], [])
	count(deny) == 0 with input as snap
	count(not_assessed) == 0 with input as snap
	count(applicable) == 1 with input as snap
}

test_dsse_with_customer_key_id_passes if {
	count(deny) == 0 with input as mk_snap([mk_bucket({"SSEAlgorithm": "aws:kms:dsse", "KMSMasterKeyID": "cmk-1"})], [])
}

test_other_account_key_passes if {
	snap := mk_snap([mk_bucket({"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "arn:aws:kms:us-east-1:999999999999:key/shared"})], [])
	count(deny) == 0 with input as snap
	count(not_assessed) == 0 with input as snap
}

test_key_in_uncollected_region_not_assessed if {
	snap := mk_snap([mk_bucket({"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "arn:aws:kms:eu-west-1:123456789012:key/k"})], [])
	count(deny) == 0 with input as snap
	results := not_assessed with input as snap
	some r in results
	contains(r.msg, "eu-west-1, which was not collected")
}

test_key_listing_gap_not_assessed if {
	g := {"service": "kms", "region": "us-east-1", "operation": "ListKeys", "error_code": "AccessDeniedException", "message": "denied"}
	snap := mk_snap([mk_bucket({"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "arn:aws:kms:us-east-1:123456789012:key/gone"})], [g])
	count(deny) == 0 with input as snap
	count(not_assessed) == 1 with input as snap
}

test_encryption_gap_not_assessed if {
	g := {"service": "s3", "region": "global", "operation": "GetBucketEncryption", "resource": "ml-training-data", "error_code": "AccessDenied", "message": "denied"}
	snap := mk_snap([{"Name": "ml-training-data", "Region": "us-east-1"}], [g])
	count(deny) == 0 with input as snap
	results := not_assessed with input as snap
	some r in results
	r.msg == "not assessed: GetBucketEncryption failed (AccessDenied)"
}
