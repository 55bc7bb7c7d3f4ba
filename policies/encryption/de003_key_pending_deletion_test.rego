package mlguard.encryption.key_pending_deletion

import rego.v1

mk_arn := "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

mk_key(extra) := object.union(
	{
		"KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab",
		"Arn": mk_arn,
		"KeyState": "Enabled",
		"KeyManager": "CUSTOMER",
		"KeySpec": "SYMMETRIC_DEFAULT",
		"Aliases": [{"AliasName": "alias/ml-data", "AliasArn": "arn:aws:kms:us-east-1:123456789012:alias/ml-data"}],
	},
	extra,
)

mk_snap(keys, sagemaker) := {
	"metadata": {"account_id": "123456789012"},
	"regions": {"us-east-1": {"kms": {"keys": keys}, "sagemaker": sagemaker}},
}

mk_pending := mk_key({"KeyState": "PendingDeletion", "Enabled": false, "DeletionDate": "2026-12-03T00:00:00Z"})

test_pending_deletion_denied if {
	results := deny with input as mk_snap([mk_pending], {})
	count(results) == 1
	some r in results
	contains(r.msg, "pending deletion (deletion date 2026-12-03T00:00:00Z)")
	contains(r.msg, "no SageMaker resource in the snapshot references it")
}

test_disabled_denied if {
	count(deny) == 1 with input as mk_snap([mk_key({"KeyState": "Disabled", "Enabled": false})], {})
}

test_referencing_resources_named_in_message_fails if {
	sm := {
		"notebook_instances": [{"NotebookInstanceName": "nb", "NotebookInstanceArn": "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/nb", "KmsKeyId": "alias/ml-data"}],
		"training_jobs": [{"TrainingJobName": "tj", "TrainingJobArn": "arn:aws:sagemaker:us-east-1:123456789012:training-job/tj", "OutputDataConfig": {"KmsKeyId": mk_arn}}],
	}
	results := deny with input as mk_snap([mk_pending], sm)
	some r in results
	contains(r.msg, "still referenced by notebook instance nb (KmsKeyId), training job tj (OutputDataConfig.KmsKeyId)")
}

test_enabled_key_passes if {
	count(deny) == 0 with input as mk_snap([mk_key({})], {})
	count(applicable) == 1 with input as mk_snap([mk_key({})], {})
}

test_aws_managed_key_not_judged_passes if {
	k := object.union(mk_pending, {"KeyManager": "AWS"})
	count(applicable) == 0 with input as mk_snap([k], {})
}

test_undescribed_key_not_assessed if {
	k := {"KeyId": "k9", "Arn": "arn:aws:kms:us-east-1:123456789012:key/k9"}
	results := not_assessed with input as mk_snap([k], {})
	some r in results
	r.msg == "not assessed: the snapshot has no DescribeKey result for the key"
}
