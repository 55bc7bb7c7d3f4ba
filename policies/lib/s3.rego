# S3 helpers: the buckets, their gaps, default encryption and public access block settings.
package mlguard.lib.s3

import rego.v1

import data.mlguard.lib.gaps
import data.mlguard.lib.resource

buckets := object.get(object.get(input, "s3", {}), "buckets", [])

# --- gaps -------------------------------------------------------------------------------

# Why the per-bucket call `operation` left the bucket unread (gaps may name it by name or
# ARN); undefined when it did not fail.
gap_reason(operation, i, b) := gaps.reason(operation, b.Name) if gaps.resource_failed(operation, b.Name)

gap_reason(operation, i, b) := gaps.reason(operation, arn) if {
	not gaps.resource_failed(operation, b.Name)
	arn := resource.bucket(i, b).arn
	gaps.resource_failed(operation, arn)
}

# --- default encryption -----------------------------------------------------------------

# The bucket's ApplyServerSideEncryptionByDefault (GetBucketEncryption); undefined when
# the bucket has no explicit configuration (S3 then applies SSE-S3).
sse_default(b) := d if {
	cfg := b.ServerSideEncryptionConfiguration
	is_object(cfg)
	some r in object.get(cfg, "Rules", [])
	d := r.ApplyServerSideEncryptionByDefault
	is_object(d)
}

kms_algorithms := {"aws:kms", "aws:kms:dsse"}

# --- public access block ----------------------------------------------------------------

public_access_flags := ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"]

default account_block := {}

account_block := b if {
	b := input.s3.account_public_access_block
	is_object(b)
}

# The account-level setting could not be read: GetPublicAccessBlock (s3control) failed
# for the account, recorded as a listing gap or as a gap naming the account id.
account_block_unknown if {
	some g in object.get(input, "gaps", [])
	g.operation == "GetPublicAccessBlock"
	g.service in {"s3", "s3control"}
	not is_string(object.get(g, "resource", null))
}

account_block_unknown if gaps.resource_failed("GetPublicAccessBlock", resource.account_id)

bucket_block(b) := pab if {
	pab := b.PublicAccessBlock
	is_object(pab)
}

default bucket_block(_) := {}

# The flag is on at the account level or on the bucket (S3 applies the more restrictive).
flag_on(b, flag) if account_block[flag] == true

flag_on(b, flag) if bucket_block(b)[flag] == true

# --- bucket policy ----------------------------------------------------------------------

policy_statements(b) := object.get(b.Policy, "Statement", []) if is_object(b.Policy)

default policy_statements(_) := []
