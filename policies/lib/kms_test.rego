package mlguard.lib.kms

import rego.v1

mk_key := {
	"KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab",
	"Arn": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
	"KeyManager": "CUSTOMER",
	"KeyState": "Enabled",
	"Aliases": [
		{"AliasName": "alias/ml-data", "AliasArn": "arn:aws:kms:us-east-1:123456789012:alias/ml-data"},
		{"AliasName": "alias/no-arn"},
	],
}

mk_snap(gap_list) := {
	"metadata": {"account_id": "123456789012", "partition": "aws"},
	"regions": {
		"us-east-1": {"kms": {"keys": [mk_key]}},
		"us-west-2": {"kms": {"keys": [object.union(mk_key, {"Arn": "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", "KeyState": "Disabled"})]}},
	},
	"gaps": gap_list,
}

mk_status(ref, region) := st if {
	st := lookup(ref, region).status with input as mk_snap([])
}

test_resolves_every_reference_form if {
	every ref in [
		"1234abcd-12ab-34cd-56ef-1234567890ab",
		"arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
		"alias/ml-data",
		"arn:aws:kms:us-east-1:123456789012:alias/ml-data",
		"arn:aws:kms:us-east-1:123456789012:alias/no-arn",
	] {
		resolve(ref, "us-east-1").key.KeyState == "Enabled" with input as mk_snap([])
	}
}

test_resolves_in_the_region_of_the_referrer_or_the_arn if {
	resolve("alias/ml-data", "us-west-2").key.KeyState == "Disabled" with input as mk_snap([])
	resolve("arn:aws:kms:us-east-1:123456789012:alias/ml-data", "us-west-2").key.KeyState == "Enabled" with input as mk_snap([])
}

test_unresolved_statuses if {
	mk_status("alias/aws/sagemaker", "us-east-1") == "aws_alias"
	mk_status("arn:aws:kms:us-east-1:999999999999:key/x", "us-east-1") == "other_account"
	mk_status("arn:aws:kms:eu-west-1:123456789012:key/x", "us-east-1") == "region_not_listed"
	mk_status("alias/gone", "us-east-1") == "missing"
}

test_listing_gap_makes_status_listing_failed if {
	g := {"service": "kms", "region": "us-east-1", "operation": "ListAliases", "error_code": "AccessDeniedException", "message": "denied"}
	lookup("alias/gone", "us-east-1").status == "listing_failed" with input as mk_snap([g])
	lookup("arn:aws:kms:us-east-1:123456789012:key/gone", "us-east-1").status == "missing" with input as mk_snap([g])
}

test_duplicate_key_entries_still_resolve if {
	snap := {"metadata": {"account_id": "123456789012"}, "regions": {"us-east-1": {"kms": {"keys": [mk_key, mk_key]}}}}
	resolve("alias/ml-data", "us-east-1").index == 0 with input as snap
}

test_classification if {
	customer_managed(mk_key)
	not customer_managed(object.union(mk_key, {"Aliases": [{"AliasName": "alias/aws/s3"}]}))
	symmetric(mk_key)
	symmetric({"CustomerMasterKeySpec": "SYMMETRIC_DEFAULT"})
	not symmetric({"KeySpec": "HMAC_256"})
	auto_rotatable(mk_key)
	not auto_rotatable(object.union(mk_key, {"Origin": "EXTERNAL"}))
	label(mk_key) == "1234abcd-12ab-34cd-56ef-1234567890ab (alias/ml-data, alias/no-arn)"
}

test_referenced_by_resolves_aliases if {
	snap := object.union(mk_snap([]), {"regions": {"us-east-1": {"sagemaker": {"training_jobs": [{
		"TrainingJobName": "tj",
		"OutputDataConfig": {"KmsKeyId": "alias/ml-data"},
		"ResourceConfig": {"VolumeKmsKeyId": "1234abcd-12ab-34cd-56ef-1234567890ab"},
	}]}}}})
	referenced_by[mk_key.Arn] == {"training job tj (OutputDataConfig.KmsKeyId)", "training job tj (ResourceConfig.VolumeKmsKeyId)"} with input as snap
}
