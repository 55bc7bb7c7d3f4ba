package mlguard.encryption.endpoint_config_without_cmk

import rego.v1

mk_config(extra) := object.union(
	{
		"EndpointConfigName": "churn-config",
		"EndpointConfigArn": "arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/churn-config",
		"ProductionVariants": [{"VariantName": "AllTraffic", "ModelName": "churn", "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}],
	},
	extra,
)

mk_keys := [{
	"KeyId": "cmk-1", "Arn": "arn:aws:kms:us-east-1:123456789012:key/cmk-1",
	"KeyManager": "CUSTOMER", "KeyState": "Enabled", "Aliases": [{"AliasName": "alias/ml-data"}],
}]

mk_snap(configs, gap_list) := {
	"metadata": {"account_id": "123456789012"},
	"regions": {"us-east-1": {"kms": {"keys": mk_keys}, "sagemaker": {"endpoint_configs": configs}}},
	"gaps": gap_list,
}

test_no_kms_key_denied if {
	results := deny with input as mk_snap([mk_config({})], [])
	count(results) == 1
	some r in results
	contains(r.msg, "churn-config has no KmsKeyId")
}

test_aws_managed_alias_arn_denied if {
	count(deny) == 1 with input as mk_snap([mk_config({"KmsKeyId": "arn:aws:kms:us-east-1:123456789012:alias/aws/sagemaker"})], [])
}

test_customer_key_passes if {
	snap := mk_snap([mk_config({"KmsKeyId": "cmk-1"})], [])
	count(deny) == 0 with input as snap
	count(applicable) == 1 with input as snap
}

test_describe_gap_by_arn_not_assessed if {
	c := mk_config({})
	g := {"service": "sagemaker", "region": "us-east-1", "operation": "DescribeEndpointConfig", "resource": c.EndpointConfigArn, "error_code": "ThrottlingException", "message": "slow down"}
	snap := mk_snap([c], [g])
	count(deny) == 0 with input as snap
	count(not_assessed) == 1 with input as snap
}
