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

# The account's settings (S3 Control GetPublicAccessBlock); {} when absent or when reading
# them failed (a gap wins over a field).
default account_block := {}

account_block := b if {
	not account_block_unknown
	b := input.s3.account_public_access_block
	is_object(b)
}

# The account-level setting could not be read: S3 Control GetPublicAccessBlock failed. The
# collector records the gap with the account id as its resource; a gap without a resource
# (a hand-written snapshot) means the same.
account_block_gaps contains g if {
	some g in object.get(input, "gaps", [])
	g.service == "s3control"
	g.operation == "GetPublicAccessBlock"
}

account_block_unknown if count(account_block_gaps) > 0

# Why the account-level setting is unknown; undefined when it was read.
account_block_reason := sprintf("s3control:GetPublicAccessBlock failed (%s)", [concat(", ", codes)]) if {
	account_block_unknown
	codes := sort({g.error_code | some g in account_block_gaps})
}

# The bucket's own settings (GetPublicAccessBlock); {} when it has none.
bucket_block(b) := pab if {
	pab := b.PublicAccessBlock
	is_object(pab)
} else := {}

# --- bucket policy ----------------------------------------------------------------------

policy_statements(b) := object.get(b.Policy, "Statement", []) if is_object(b.Policy) else := []
