# METADATA
# title: S3 public access block is not fully enabled for the bucket
# description: >-
#   One or more of the four S3 Block Public Access settings (BlockPublicAcls,
#   IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets) is on neither for the bucket
#   nor for the account. S3 applies the more restrictive of the two levels, so each setting
#   counts as on when either level has it on, and a bucket can be made public only if some
#   setting is off at both. The account's settings come from S3 Control
#   GetPublicAccessBlock (one call per account); a missing configuration, at either level,
#   counts as all off. When the bucket's or the account's settings could not be read and the
#   other level does not settle the question, the bucket is reported not assessed, never
#   passed.
# custom:
#   id: DE-011
#   name: bucket-public-access-not-blocked
#   pillar: encryption
#   severity: high
#   service: s3
#   resource_type: AWS::S3::Bucket
#   status: preview
#   rationale: >-
#     Encryption at rest does not protect data from a reader S3 lets in: a public ACL or
#     bucket policy serves training data and model artifacts decrypted to anyone on the
#     internet. Block Public Access overrides such grants, including ones added later by
#     mistake.
#   remediation:
#     text: >-
#       Turn on all four settings at the account level (`aws s3control
#       put-public-access-block`), or at least on the bucket (`aws s3api
#       put-public-access-block`) if some bucket of the account must stay public.
#     action: s3-block-public-access
#   frameworks:
#     fsbp: {partial: [S3.1, S3.8]}
#     cis: {partial: ["2.1.4"]}
#     aws_config: {partial: [s3-bucket-level-public-access-prohibited, s3-account-level-public-access-blocks-periodic]}
#     nist_800_53: {partial: [AC-21, AC-3, AC-3(7), AC-4, AC-4(21), AC-6, SC-7, SC-7(11), SC-7(16), SC-7(20), SC-7(21), SC-7(3), SC-7(4), SC-7(9)]}
#     soc2: {partial: [CC6.1, CC6.6]}
#     pci_dss: {partial: ["1.3.1", "1.4.2"]}
#     hipaa: {partial: ["164.312(a)(1)"]}
#     ml_lens: {partial: [MLSEC-04]}
#     lab: {partial: [lab-concept-data-at-rest]}
#   references:
#     - https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
#     - https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html
#     - https://docs.aws.amazon.com/securityhub/latest/userguide/cis-aws-foundations-benchmark.html
#     - https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-level-public-access-prohibited.html
#     - https://docs.aws.amazon.com/config/latest/developerguide/s3-account-level-public-access-blocks-periodic.html
#     - https://docs.aws.amazon.com/config/latest/developerguide/operational-best-practices-for-hipaa_security.html
#     - https://github.com/prowler-cloud/prowler/blob/master/prowler/compliance/aws/soc2_aws.json
#     - https://github.com/turbot/steampipe-mod-aws-compliance/tree/main/soc_2
#     - https://github.com/prowler-cloud/prowler/blob/master/prowler/compliance/aws/pci_4.0_aws.json
#     - https://github.com/turbot/steampipe-mod-aws-compliance/tree/main/pci_dss_v40
#     - https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec-04.html
#   inputs: [s3:ListBuckets, s3:GetPublicAccessBlock, s3control:GetPublicAccessBlock]
package mlguard.encryption.bucket_public_access_block

import rego.v1

import data.mlguard.lib.resource
import data.mlguard.lib.result
import data.mlguard.lib.s3

# Functions read other packages' rules through a local rule (see lib/kms.rego).
flags := s3.public_access_flags

account := s3.account_block

# The bucket's own settings as far as they are known: none when reading them failed (a gap
# wins over a field).
own_block(i, b) := {} if s3.gap_reason("GetPublicAccessBlock", i, b)

else := s3.bucket_block(b)

# The settings that are on at neither level (as far as both are known). S3 applies the more
# restrictive level, so a setting on at either level is on.
off_flags(i, b) := [flag |
	some flag in flags
	not account[flag] == true
	not own_block(i, b)[flag] == true
]

applicable contains resource.bucket(i, b) if some i, b in s3.buckets

deny contains result.new(resource.bucket(i, b), msg) if {
	some i, b in s3.buckets
	not s3.gap_reason("GetPublicAccessBlock", i, b)
	not s3.account_block_unknown
	off := off_flags(i, b)
	count(off) > 0
	msg := sprintf("bucket %s does not block public access: %s off both on the bucket and for the account", [b.Name, concat(", ", off)])
}

not_assessed contains result.new(resource.bucket(i, b), gap_msg) if {
	some i, b in s3.buckets
	count(off_flags(i, b)) > 0
	gap_msg := s3.gap_reason("GetPublicAccessBlock", i, b)
}

not_assessed contains result.new(resource.bucket(i, b), msg) if {
	some i, b in s3.buckets
	not s3.gap_reason("GetPublicAccessBlock", i, b)
	s3.account_block_unknown
	off := off_flags(i, b)
	count(off) > 0
	msg := sprintf("not assessed: the account-level public access block could not be read (%s) and bucket %s leaves %s off", [s3.account_block_reason, b.Name, concat(", ", off)])
}
