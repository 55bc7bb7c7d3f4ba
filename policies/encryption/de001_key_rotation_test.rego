package mlguard.encryption.key_rotation

import rego.v1

mk_arn := "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

mk_key(extra) := object.union(
	{
		"KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab",
		"Arn": mk_arn,
		"KeyState": "Enabled",
		"Enabled": true,
		"KeyManager": "CUSTOMER",
		"KeySpec": "SYMMETRIC_DEFAULT",
		"KeyUsage": "ENCRYPT_DECRYPT",
		"Origin": "AWS_KMS",
		"KeyRotationEnabled": true,
	},
	extra,
)

mk_snap(keys, gap_list) := {
	"metadata": {"account_id": "123456789012"},
	"regions": {"us-east-1": {"kms": {"keys": keys}}},
	"gaps": gap_list,
}

test_rotation_disabled_denied if {
	count(deny) == 1 with input as mk_snap([mk_key({"KeyRotationEnabled": false})], [])
}

test_rotation_enabled_passes if {
	count(deny) == 0 with input as mk_snap([mk_key({})], [])
	count(applicable) == 1 with input as mk_snap([mk_key({})], [])
}

test_older_snapshot_customer_master_key_spec_denied if {
	k := json.remove(mk_key({"KeyRotationEnabled": false, "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT"}), ["KeySpec"])
	count(deny) == 1 with input as mk_snap([k], [])
}

test_replica_message_names_primary_fails if {
	k := mk_key({"KeyRotationEnabled": false, "MultiRegionConfiguration": {
		"MultiRegionKeyType": "REPLICA",
		"PrimaryKey": {"Arn": "arn:aws:kms:us-west-2:123456789012:key/mrk-1", "Region": "us-west-2"},
	}})
	results := deny with input as mk_snap([k], [])
	some r in results
	contains(r.msg, "arn:aws:kms:us-west-2:123456789012:key/mrk-1")
}

test_imported_material_not_judged_passes if {
	snap := mk_snap([mk_key({"KeyRotationEnabled": false, "Origin": "EXTERNAL"})], [])
	count(deny) == 0 with input as snap
	count(applicable) == 0 with input as snap
}

test_asymmetric_and_aws_managed_keys_not_judged_passes if {
	snap := mk_snap(
		[
			mk_key({"KeyRotationEnabled": false, "KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY"}),
			mk_key({"KeyRotationEnabled": false, "KeyManager": "AWS", "KeyId": "k2", "Arn": "arn:aws:kms:us-east-1:123456789012:key/k2"}),
			mk_key({"KeyRotationEnabled": false, "KeyId": "k3", "Arn": "arn:aws:kms:us-east-1:123456789012:key/k3", "Aliases": [{"AliasName": "alias/aws/s3"}]}),
		],
		[],
	)
	count(deny) == 0 with input as snap
	count(applicable) == 0 with input as snap
}

test_disabled_key_not_judged_passes if {
	count(applicable) == 0 with input as mk_snap([mk_key({"KeyRotationEnabled": false, "KeyState": "Disabled", "Enabled": false})], [])
}

test_rotation_status_gap_by_arn_not_assessed if {
	k := json.remove(mk_key({}), ["KeyRotationEnabled"])
	g := {"service": "kms", "region": "us-east-1", "operation": "GetKeyRotationStatus", "resource": mk_arn, "error_code": "AccessDeniedException", "message": "denied"}
	snap := mk_snap([k], [g])
	count(deny) == 0 with input as snap
	results := not_assessed with input as snap
	some r in results
	r.msg == "not assessed: GetKeyRotationStatus failed (AccessDeniedException)"
}

test_rotation_status_gap_by_key_id_not_assessed if {
	k := json.remove(mk_key({}), ["KeyRotationEnabled"])
	g := {"service": "kms", "region": "us-east-1", "operation": "GetKeyRotationStatus", "resource": k.KeyId, "error_code": "AccessDeniedException", "message": "denied"}
	results := not_assessed with input as mk_snap([k], [g])
	some r in results
	contains(r.msg, "AccessDeniedException")
}

test_rotation_status_absent_without_gap_not_assessed if {
	k := json.remove(mk_key({}), ["KeyRotationEnabled"])
	count(not_assessed) == 1 with input as mk_snap([k], [])
}

test_undescribed_key_not_assessed if {
	k := {"KeyId": "k9", "Arn": "arn:aws:kms:us-east-1:123456789012:key/k9"}
	g := {"service": "kms", "region": "us-east-1", "operation": "DescribeKey", "resource": k.Arn, "error_code": "AccessDeniedException", "message": "denied"}
	count(not_assessed) == 1 with input as mk_snap([k], [g])
}
