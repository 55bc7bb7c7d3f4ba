package mlguard.encryption.bucket_public_access_block

import rego.v1

mk_all_on := {"BlockPublicAcls": true, "IgnorePublicAcls": true, "BlockPublicPolicy": true, "RestrictPublicBuckets": true}

mk_all_off := {"BlockPublicAcls": false, "IgnorePublicAcls": false, "BlockPublicPolicy": false, "RestrictPublicBuckets": false}

mk_bucket(pab) := {"Name": "ml-training-data", "Region": "us-east-1", "PublicAccessBlock": pab}

mk_snap(buckets, account, gap_list) := {
	"metadata": {"account_id": "123456789012"},
	"s3": {"buckets": buckets, "account_public_access_block": account},
	"gaps": gap_list,
}

test_nothing_blocked_denied if {
	results := deny with input as mk_snap([{"Name": "ml-training-data"}], null, [])
	count(results) == 1
	some r in results
	contains(r.msg, "BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets off")
}

test_partial_at_both_levels_denied if {
	bucket := mk_bucket(object.union(mk_all_off, {"BlockPublicAcls": true, "IgnorePublicAcls": true}))
	account := object.union(mk_all_off, {"BlockPublicPolicy": true})
	results := deny with input as mk_snap([bucket], account, [])
	some r in results
	contains(r.msg, ": RestrictPublicBuckets off")
}

test_bucket_level_passes if {
	snap := mk_snap([mk_bucket(mk_all_on)], mk_all_off, [])
	count(deny) == 0 with input as snap
	count(applicable) == 1 with input as snap
}

test_account_level_passes if {
	count(deny) == 0 with input as mk_snap([{"Name": "ml-training-data"}], mk_all_on, [])
}

test_levels_combine_per_flag_passes if {
	bucket := mk_bucket(object.union(mk_all_off, {"BlockPublicAcls": true, "IgnorePublicAcls": true}))
	account := object.union(mk_all_off, {"BlockPublicPolicy": true, "RestrictPublicBuckets": true})
	count(deny) == 0 with input as mk_snap([bucket], account, [])
}

test_bucket_gap_not_assessed if {
	g := {"service": "s3", "region": "global", "operation": "GetPublicAccessBlock", "resource": "ml-training-data", "error_code": "AccessDenied", "message": "denied"}
	snap := mk_snap([{"Name": "ml-training-data"}], null, [g])
	count(deny) == 0 with input as snap
	count(not_assessed) == 1 with input as snap
}

test_bucket_gap_settled_by_account_passes if {
	g := {"service": "s3", "region": "global", "operation": "GetPublicAccessBlock", "resource": "ml-training-data", "error_code": "AccessDenied", "message": "denied"}
	snap := mk_snap([{"Name": "ml-training-data"}], mk_all_on, [g])
	count(deny) == 0 with input as snap
	count(not_assessed) == 0 with input as snap
}

test_account_gap_not_assessed if {
	g := {"service": "s3control", "region": "global", "operation": "GetPublicAccessBlock", "error_code": "AccessDenied", "message": "denied"}
	snap := mk_snap([mk_bucket(object.union(mk_all_on, {"RestrictPublicBuckets": false}))], null, [g])
	count(deny) == 0 with input as snap
	results := not_assessed with input as snap
	some r in results
	contains(r.msg, "leaves RestrictPublicBuckets off")
}

# The collector names the account in the gap; the message tells why.
test_account_gap_naming_the_account_not_assessed if {
	g := {"service": "s3control", "region": "global", "operation": "GetPublicAccessBlock", "resource": "123456789012", "error_code": "AccessDenied", "message": "denied"}
	snap := mk_snap([{"Name": "ml-training-data"}], null, [g])
	count(deny) == 0 with input as snap
	results := not_assessed with input as snap
	count(results) == 1
	some r in results
	contains(r.msg, "s3control:GetPublicAccessBlock failed (AccessDenied)")
	contains(r.msg, "bucket ml-training-data leaves BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets off")
}

# A bucket that blocks everything itself needs no account-level answer.
test_account_gap_settled_by_bucket_passes if {
	g := {"service": "s3control", "region": "global", "operation": "GetPublicAccessBlock", "resource": "123456789012", "error_code": "AccessDenied", "message": "denied"}
	snap := mk_snap([mk_bucket(mk_all_on)], null, [g])
	count(deny) == 0 with input as snap
	count(not_assessed) == 0 with input as snap
	count(applicable) == 1 with input as snap
}

# An account without configuration is recorded with every setting off: the bucket decides.
test_account_without_configuration_denied if {
	bucket := mk_bucket(object.union(mk_all_on, {"BlockPublicPolicy": false}))
	results := deny with input as mk_snap([bucket], mk_all_off, [])
	count(results) == 1
	some r in results
	contains(r.msg, ": BlockPublicPolicy off both on the bucket and for the account")
}

# Both levels unreadable: not assessed, whatever the gaps say about other calls.
test_both_levels_gapped_not_assessed if {
	gb := {"service": "s3", "region": "us-east-1", "operation": "GetPublicAccessBlock", "resource": "ml-training-data", "error_code": "AccessDenied", "message": "denied"}
	ga := {"service": "s3control", "region": "global", "operation": "GetPublicAccessBlock", "resource": "123456789012", "error_code": "AccessDenied", "message": "denied"}
	snap := mk_snap([{"Name": "ml-training-data", "Region": "us-east-1"}], null, [gb, ga])
	count(deny) == 0 with input as snap
	count(not_assessed) > 0 with input as snap
}

# Another operation's gap about the account says nothing about its public access block.
test_other_account_gap_ignored_denied if {
	g := {"service": "s3", "region": "global", "operation": "GetBucketPolicy", "resource": "123456789012", "error_code": "AccessDenied", "message": "denied"}
	count(deny) == 1 with input as mk_snap([{"Name": "ml-training-data"}], mk_all_off, [g])
}

# A gap wins over a field: settings that could not be read are not taken from a stale or
# hand-written value, at either level.
test_bucket_gap_wins_over_its_field_not_assessed if {
	g := {"service": "s3", "region": "us-east-1", "operation": "GetPublicAccessBlock", "resource": "ml-training-data", "error_code": "AccessDenied", "message": "denied"}
	snap := mk_snap([mk_bucket(mk_all_on)], mk_all_off, [g])
	count(deny) == 0 with input as snap
	count(not_assessed) == 1 with input as snap
}

test_account_gap_wins_over_its_field_not_assessed if {
	g := {"service": "s3control", "region": "global", "operation": "GetPublicAccessBlock", "resource": "123456789012", "error_code": "AccessDenied", "message": "denied"}
	snap := mk_snap([{"Name": "ml-training-data"}], mk_all_on, [g])
	count(deny) == 0 with input as snap
	count(not_assessed) == 1 with input as snap
}
