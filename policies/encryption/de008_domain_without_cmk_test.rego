package mlguard.encryption.domain_without_cmk

import rego.v1

mk_domain(extra) := object.union(
	{
		"DomainId": "d-abc123",
		"DomainArn": "arn:aws:sagemaker:us-east-1:123456789012:domain/d-abc123",
		"DomainName": "ml-studio",
		"AppNetworkAccessType": "VpcOnly",
	},
	extra,
)

mk_keys := [{
	"KeyId": "cmk-1", "Arn": "arn:aws:kms:us-east-1:123456789012:key/cmk-1",
	"KeyManager": "CUSTOMER", "KeyState": "Enabled", "Aliases": [{"AliasName": "alias/ml-data"}],
}]

mk_snap(domains, gap_list) := {
	"metadata": {"account_id": "123456789012"},
	"regions": {"us-east-1": {"kms": {"keys": mk_keys}, "sagemaker": {"domains": domains}}},
	"gaps": gap_list,
}

test_no_kms_key_denied if {
	results := deny with input as mk_snap([mk_domain({})], [])
	count(results) == 1
	some r in results
	contains(r.msg, "domain ml-studio has no KmsKeyId")
}

test_aws_managed_alias_denied if {
	count(deny) == 1 with input as mk_snap([mk_domain({"KmsKeyId": "alias/aws/sagemaker"})], [])
}

test_customer_key_alias_arn_passes if {
	snap := mk_snap([mk_domain({"KmsKeyId": "arn:aws:kms:us-east-1:123456789012:alias/ml-data"})], [])
	count(deny) == 0 with input as snap
	count(applicable) == 1 with input as snap
}

test_describe_gap_by_domain_id_not_assessed if {
	g := {"service": "sagemaker", "region": "us-east-1", "operation": "DescribeDomain", "resource": "d-abc123", "error_code": "AccessDeniedException", "message": "denied"}
	snap := mk_snap([mk_domain({})], [g])
	count(deny) == 0 with input as snap
	count(not_assessed) == 1 with input as snap
}
