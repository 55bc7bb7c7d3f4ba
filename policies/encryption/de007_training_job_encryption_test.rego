package mlguard.encryption.training_job_encryption

import rego.v1

mk_cmk := "arn:aws:kms:us-east-1:123456789012:key/cmk-1"

mk_job(extra) := object.union(
	{
		"TrainingJobName": "churn-xgb",
		"TrainingJobArn": "arn:aws:sagemaker:us-east-1:123456789012:training-job/churn-xgb",
		"EnableInterContainerTrafficEncryption": false,
		"OutputDataConfig": {"KmsKeyId": mk_cmk, "S3OutputPath": "s3://ml-artifacts/churn/"},
		"ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30, "VolumeKmsKeyId": mk_cmk},
	},
	extra,
)

mk_keys := [{"KeyId": "cmk-1", "Arn": mk_cmk, "KeyManager": "CUSTOMER", "KeyState": "Enabled"}]

mk_snap(jobs, gap_list) := {
	"metadata": {"account_id": "123456789012"},
	"regions": {"us-east-1": {"kms": {"keys": mk_keys}, "sagemaker": {"training_jobs": jobs}}},
	"gaps": gap_list,
}

test_no_keys_denied if {
	j := json.remove(mk_job({}), ["OutputDataConfig/KmsKeyId", "ResourceConfig/VolumeKmsKeyId"])
	results := deny with input as mk_snap([j], [])
	count(results) == 1
	some r in results
	r.msg == "training job churn-xgb writes its model artifacts to S3 without a customer-managed key (no OutputDataConfig.KmsKeyId); trains on storage volumes without a customer-managed key (no ResourceConfig.VolumeKmsKeyId)"
}

test_aws_managed_output_key_denied if {
	j := mk_job({"OutputDataConfig": {"KmsKeyId": "alias/aws/s3", "S3OutputPath": "s3://ml-artifacts/churn/"}})
	results := deny with input as mk_snap([j], [])
	some r in results
	contains(r.msg, "AWS managed key alias/aws/s3 (OutputDataConfig.KmsKeyId)")
}

test_distributed_without_traffic_encryption_denied if {
	j := mk_job({"ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 4, "VolumeKmsKeyId": mk_cmk}})
	results := deny with input as mk_snap([j], [])
	some r in results
	contains(r.msg, "runs on 4 instances with inter-container traffic encryption off")
}

test_instance_groups_counted_fails if {
	j := mk_job({"ResourceConfig": {"VolumeKmsKeyId": mk_cmk, "InstanceGroups": [
		{"InstanceGroupName": "a", "InstanceType": "ml.m5.xlarge", "InstanceCount": 1},
		{"InstanceGroupName": "b", "InstanceType": "ml.p3.2xlarge", "InstanceCount": 2},
	]}})
	results := deny with input as mk_snap([j], [])
	some r in results
	contains(r.msg, "runs on 3 instances")
}

test_single_instance_with_keys_passes if {
	snap := mk_snap([mk_job({})], [])
	count(deny) == 0 with input as snap
	count(applicable) == 1 with input as snap
}

test_distributed_with_traffic_encryption_passes if {
	j := mk_job({"EnableInterContainerTrafficEncryption": true, "ResourceConfig": {"InstanceCount": 2, "VolumeKmsKeyId": mk_cmk}})
	count(deny) == 0 with input as mk_snap([j], [])
}

test_describe_gap_not_assessed if {
	g := {"service": "sagemaker", "region": "us-east-1", "operation": "DescribeTrainingJob", "resource": "churn-xgb", "error_code": "AccessDeniedException", "message": "denied"}
	snap := mk_snap([{"TrainingJobName": "churn-xgb", "TrainingJobArn": "arn:aws:sagemaker:us-east-1:123456789012:training-job/churn-xgb"}], [g])
	count(deny) == 0 with input as snap
	count(not_assessed) == 1 with input as snap
}
