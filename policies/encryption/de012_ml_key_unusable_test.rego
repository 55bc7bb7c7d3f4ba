package mlguard.encryption.ml_key_unusable

import rego.v1

mk_key(id, extra) := object.union(
	{
		"KeyId": id,
		"Arn": sprintf("arn:aws:kms:us-east-1:123456789012:key/%s", [id]),
		"KeyManager": "CUSTOMER",
		"KeySpec": "SYMMETRIC_DEFAULT",
		"KeyState": "Enabled",
	},
	extra,
)

mk_keys := [
	mk_key("good", {"Aliases": [{"AliasName": "alias/ml-data", "AliasArn": "arn:aws:kms:us-east-1:123456789012:alias/ml-data"}]}),
	mk_key("doomed", {"KeyState": "PendingDeletion", "DeletionDate": "2026-12-03T00:00:00Z", "Aliases": [{"AliasName": "alias/ml-old"}]}),
	mk_key("off", {"KeyState": "Disabled"}),
]

mk_nb(key_ref) := {
	"NotebookInstanceName": "nb",
	"NotebookInstanceArn": "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/nb",
	"KmsKeyId": key_ref,
}

mk_snap(sagemaker, gap_list) := {
	"metadata": {"account_id": "123456789012"},
	"regions": {"us-east-1": {"kms": {"keys": mk_keys}, "sagemaker": sagemaker}},
	"gaps": gap_list,
}

mk_msgs(sagemaker, gap_list) := {r.msg | some r in results} if {
	results := deny with input as mk_snap(sagemaker, gap_list)
}

test_alias_of_key_pending_deletion_denied if {
	mk_msgs({"notebook_instances": [mk_nb("alias/ml-old")]}, []) == {"notebook instance nb: KmsKeyId names KMS key doomed (alias/ml-old), which is pending deletion (deletion date 2026-12-03T00:00:00Z)"}
}

test_disabled_key_by_id_denied if {
	some msg in mk_msgs({"endpoint_configs": [{
		"EndpointConfigName": "ep",
		"EndpointConfigArn": "arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/ep",
		"KmsKeyId": "off",
	}]}, [])
	contains(msg, "endpoint config ep: KmsKeyId names KMS key off, which is disabled")
}

test_missing_key_denied if {
	some msg in mk_msgs({"domains": [{
		"DomainId": "d-1",
		"DomainArn": "arn:aws:sagemaker:us-east-1:123456789012:domain/d-1",
		"DomainName": "studio",
		"KmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/gone",
	}]}, [])
	contains(msg, "domain studio: KmsKeyId names KMS key arn:aws:kms:us-east-1:123456789012:key/gone, which does not exist in us-east-1")
}

test_training_job_both_fields_fails if {
	job := {
		"TrainingJobName": "tj",
		"TrainingJobArn": "arn:aws:sagemaker:us-east-1:123456789012:training-job/tj",
		"OutputDataConfig": {"KmsKeyId": "arn:aws:kms:us-east-1:123456789012:alias/ml-old"},
		"ResourceConfig": {"VolumeKmsKeyId": "off"},
	}
	some msg in mk_msgs({"training_jobs": [job]}, [])
	contains(msg, "OutputDataConfig.KmsKeyId names KMS key doomed (alias/ml-old), which is pending deletion")
	contains(msg, "ResourceConfig.VolumeKmsKeyId names KMS key off, which is disabled")
}

test_enabled_key_by_alias_arn_passes if {
	snap := mk_snap({"notebook_instances": [mk_nb("arn:aws:kms:us-east-1:123456789012:alias/ml-data")]}, [])
	count(deny) == 0 with input as snap
	count(not_assessed) == 0 with input as snap
	count(applicable) == 1 with input as snap
}

test_aws_managed_alias_passes if {
	snap := mk_snap({"notebook_instances": [mk_nb("alias/aws/sagemaker")]}, [])
	count(deny) == 0 with input as snap
	count(not_assessed) == 0 with input as snap
}

test_resource_without_key_not_judged_passes if {
	snap := mk_snap({"notebook_instances": [{"NotebookInstanceName": "nb", "NotebookInstanceArn": "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/nb"}]}, [])
	count(applicable) == 0 with input as snap
}

test_key_listing_gap_not_assessed if {
	g := {"service": "kms", "region": "us-east-1", "operation": "ListKeys", "error_code": "AccessDeniedException", "message": "denied"}
	snap := mk_snap({"notebook_instances": [mk_nb("arn:aws:kms:us-east-1:123456789012:key/gone")]}, [g])
	count(deny) == 0 with input as snap
	count(not_assessed) == 1 with input as snap
}

test_alias_listing_gap_not_assessed if {
	g := {"service": "kms", "region": "us-east-1", "operation": "ListAliases", "error_code": "AccessDeniedException", "message": "denied"}
	snap := mk_snap({"notebook_instances": [mk_nb("alias/unknown")]}, [g])
	count(deny) == 0 with input as snap
	count(not_assessed) == 1 with input as snap
}

test_other_account_key_not_assessed if {
	snap := mk_snap({"notebook_instances": [mk_nb("arn:aws:kms:us-east-1:999999999999:key/shared")]}, [])
	count(deny) == 0 with input as snap
	results := not_assessed with input as snap
	some r in results
	contains(r.msg, "account 999999999999")
}

test_uncollected_region_not_assessed if {
	snap := mk_snap({"notebook_instances": [mk_nb("arn:aws:kms:eu-west-1:123456789012:key/k")]}, [])
	count(deny) == 0 with input as snap
	count(not_assessed) == 1 with input as snap
}
