# METADATA
# title: S3 bucket default encryption is not SSE-KMS with a customer-managed key
# description: >-
#   An S3 bucket's default encryption is not SSE-KMS (`aws:kms` or `aws:kms:dsse`) with a
#   customer-managed key: it has no explicit configuration (S3 then applies SSE-S3), uses
#   SSE-S3 (`AES256`), or uses SSE-KMS without a KMSMasterKeyID or with an AWS managed key
#   (`alias/aws/s3`, or a key the snapshot shows as AWS managed). A key of another account
#   counts as customer managed (AWS managed keys cannot be used across accounts). A key of
#   this account that is not in the snapshot fails when the KMS listing of its region
#   succeeded (it does not exist, so SSE-KMS writes fail) and is reported not assessed when
#   that listing failed or the region was not collected.
# custom:
#   id: DE-009
#   name: bucket-default-encryption-not-customer-kms
#   pillar: encryption
#   severity: medium
#   service: s3
#   resource_type: AWS::S3::Bucket
#   status: preview
#   rationale: >-
#     Training data and model artifacts live in S3. SSE-S3 and the AWS managed aws/s3 key
#     encrypt them, but anyone the bucket policy or IAM lets read an object gets it
#     decrypted. With a customer-managed key, reading also needs kms:Decrypt under a key
#     policy the customer writes, every decryption is logged against that key, and disabling
#     the key cuts off access to all the data at once.
#   remediation:
#     text: >-
#       Set the bucket's default encryption to SSE-KMS with a customer-managed key (`aws s3api
#       put-bucket-encryption` with SSEAlgorithm `aws:kms`, KMSMasterKeyID the key ARN, and
#       BucketKeyEnabled to keep KMS request costs down). Existing objects keep their
#       encryption until they are copied over themselves.
#     action: s3-default-encryption-kms
#   frameworks:
#     fsbp: {full: [S3.17]}
#     aws_config: {full: [s3-default-encryption-kms]}
#     nist_800_53: {partial: [SC-13, SC-28(1)]}
#     iso_27001: {partial: [A.8.24]}
#     pci_dss: {partial: ["3.5.1"]}
#     hipaa: {partial: ["164.312(a)(2)(iv)"]}
#     ml_lens: {partial: [MLSEC-02]}
#     lab: {partial: [lab-concept-data-at-rest]}
#   references:
#     - https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-bucket-encryption.html
#     - https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html
#     - https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html
#     - https://docs.aws.amazon.com/config/latest/developerguide/s3-default-encryption-kms.html
#     - https://docs.aws.amazon.com/config/latest/developerguide/operational-best-practices-for-hipaa_security.html
#     - https://github.com/prowler-cloud/prowler/blob/master/prowler/compliance/aws/iso27001_2022_aws.json
#     - https://github.com/prowler-cloud/prowler/blob/master/prowler/compliance/aws/pci_4.0_aws.json
#     - https://github.com/turbot/steampipe-mod-aws-compliance/tree/main/pci_dss_v40
#     - https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec-02.html
#   inputs: [s3:ListBuckets, s3:GetBucketEncryption, kms:ListKeys, kms:DescribeKey, kms:ListAliases]
package mlguard.encryption.bucket_default_encryption

import rego.v1

import data.mlguard.lib.kms
import data.mlguard.lib.resource
import data.mlguard.lib.result
import data.mlguard.lib.s3

# GetBucketLocation answers null for us-east-1; a bucket without a Region is taken to be there.
bucket_region(b) := b.Region if is_string(b.Region) else := "us-east-1"

# Functions read other packages' rules through a local rule (see lib/kms.rego).
kms_algorithms := s3.kms_algorithms

algorithm_names := {"AES256": "SSE-S3 (AES256)"}

algorithm_name(alg) := object.get(algorithm_names, alg, alg)

# The default's KMS key reference; "" when the default names none (S3 then uses aws/s3).
key_ref(d) := d.KMSMasterKeyID if is_string(d.KMSMasterKeyID) else := ""

applicable contains resource.bucket(i, b) if some i, b in s3.buckets

deny contains result.new(resource.bucket(i, b), joined_key) if {
	some i, b in s3.buckets
	not s3.gap_reason("GetBucketEncryption", i, b)
	joined_key := sprintf("bucket %s %s", [b.Name, problem(b)])
}

problem(b) := "has no default encryption configuration: new objects get only SSE-S3, with keys S3 manages" if {
	not s3.sse_default(b)
}

problem(b) := sprintf("encrypts new objects by default with %s, not SSE-KMS with a customer-managed key", [algorithm_name(d.SSEAlgorithm)]) if {
	d := s3.sse_default(b)
	not kms_algorithms[d.SSEAlgorithm]
}

problem(b) := sprintf("uses %s without a KMSMasterKeyID, that is with the AWS managed key aws/s3", [d.SSEAlgorithm]) if {
	d := s3.sse_default(b)
	kms_algorithms[d.SSEAlgorithm]
	key_ref(d) == ""
}

problem(b) := sprintf("uses %s with the AWS managed key %s, not a customer-managed key", [d.SSEAlgorithm, key_ref(d)]) if {
	d := s3.sse_default(b)
	kms_algorithms[d.SSEAlgorithm]
	key_ref(d) != ""
	kms.aws_managed_ref(key_ref(d), bucket_region(b))
}

problem(b) := sprintf("uses %s with KMS key %s, which does not exist in %s (encrypted writes fail)", [d.SSEAlgorithm, key_ref(d), found.region]) if {
	d := s3.sse_default(b)
	kms_algorithms[d.SSEAlgorithm]
	key_ref(d) != ""
	found := kms.lookup(key_ref(d), bucket_region(b))
	found.status == "missing"
}

not_assessed contains result.new(resource.bucket(i, b), gap_msg) if {
	some i, b in s3.buckets
	gap_msg := s3.gap_reason("GetBucketEncryption", i, b)
}

# The key the default names cannot be classified: it is outside the snapshot, or it is in
# the snapshot but could not be described.
not_assessed contains result.new(resource.bucket(i, b), msg) if {
	some i, b in s3.buckets
	not s3.gap_reason("GetBucketEncryption", i, b)
	d := s3.sse_default(b)
	kms_algorithms[d.SSEAlgorithm]
	key_ref(d) != ""
	msg := key_unknown(kms.lookup(key_ref(d), bucket_region(b)), key_ref(d))
}

key_unknown(found, ref) := kms.unknown_reason(ref, found) if found.status in {"region_not_listed", "listing_failed"}

key_unknown(found, _) := kms.missing_reason("DescribeKey", found.key) if {
	found.status == "found"
	not kms.described(found.key)
}
