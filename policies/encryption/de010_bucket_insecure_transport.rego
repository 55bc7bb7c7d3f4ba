# METADATA
# title: S3 bucket policy does not deny requests without TLS
# description: >-
#   An S3 bucket has no bucket policy, or its policy has no statement that denies `s3:*`
#   (or `*`) to every principal on the bucket's objects when `aws:SecureTransport` is false
#   (condition operator Bool or BoolIfExists). A bucket whose policy could not be read is
#   reported not assessed.
# custom:
#   id: DE-010
#   name: bucket-allows-insecure-transport
#   pillar: encryption
#   severity: medium
#   service: s3
#   resource_type: AWS::S3::Bucket
#   status: preview
#   rationale: >-
#     S3 answers on plain HTTP as well as HTTPS. Without a TLS-only policy, a misconfigured
#     client or library can send training data, model artifacts and presigned-URL signatures
#     across the network in clear text, where anyone on the path can read or change them.
#   remediation:
#     text: >-
#       Add a statement to the bucket policy that denies `s3:*` to `"Principal": "*"` on the
#       bucket and `bucket/*` when `{"Bool": {"aws:SecureTransport": "false"}}`.
#     action: s3-deny-insecure-transport
#   frameworks:
#     fsbp: {full: [S3.5]}
#     cis: {full: ["2.1.1"]}
#     aws_config: {full: [s3-bucket-ssl-requests-only]}
#     nist_800_53: {partial: [AC-17(2), AC-4, IA-5(1), SC-12(3), SC-13, SC-23, SC-23(3), SC-7(4), SC-8, SC-8(1), SC-8(2), SI-7(6)]}
#     soc2: {partial: [CC6.1]}
#     pci_dss: {partial: ["4.2.1"]}
#     hipaa: {partial: ["164.312(c)(1)", "164.312(c)(2)", "164.312(e)(2)(i)"]}
#     ml_lens: {partial: [MLSEC-02]}
#   references:
#     - https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html
#     - https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-ssl-requests-only.html
#     - https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html
#     - https://docs.aws.amazon.com/securityhub/latest/userguide/cis-aws-foundations-benchmark.html
#     - https://docs.aws.amazon.com/config/latest/developerguide/operational-best-practices-for-hipaa_security.html
#     - https://github.com/prowler-cloud/prowler/blob/master/prowler/compliance/aws/soc2_aws.json
#     - https://github.com/turbot/steampipe-mod-aws-compliance/tree/main/soc_2
#     - https://github.com/prowler-cloud/prowler/blob/master/prowler/compliance/aws/pci_4.0_aws.json
#     - https://github.com/turbot/steampipe-mod-aws-compliance/tree/main/pci_dss_v40
#     - https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec-02.html
#   inputs: [s3:ListBuckets, s3:GetBucketPolicy]
package mlguard.encryption.bucket_insecure_transport

import rego.v1

import data.mlguard.lib.iam
import data.mlguard.lib.resource
import data.mlguard.lib.result
import data.mlguard.lib.s3

applicable contains resource.bucket(i, b) if some i, b in s3.buckets

deny contains result.new(resource.bucket(i, b), msg) if {
	some i, b in s3.buckets
	not s3.gap_reason("GetBucketPolicy", i, b)
	not is_object(object.get(b, "Policy", null))
	msg := sprintf("bucket %s has no bucket policy, so it accepts requests over plain HTTP", [b.Name])
}

deny contains result.new(resource.bucket(i, b), msg) if {
	some i, b in s3.buckets
	not s3.gap_reason("GetBucketPolicy", i, b)
	is_object(b.Policy)
	objects := sprintf("%s/*", [resource.bucket(i, b).arn])
	not tls_enforced(s3.policy_statements(b), objects)
	msg := sprintf("the policy of bucket %s does not deny requests made without TLS (no Deny of s3:* on its objects when aws:SecureTransport is false)", [b.Name])
}

tls_enforced(stmts, objects) if {
	some stmt in stmts
	stmt.Effect == "Deny"
	"*" in object.get(object.get(stmt, "Principal", {}), "AWS", [])
	some pattern in object.get(stmt, "Action", [])
	iam.action_matches(pattern, "s3:*")
	some target in object.get(stmt, "Resource", [])
	glob.match(target, [], objects)
	insecure_transport_condition(stmt)
}

insecure_transport_condition(stmt) if {
	some operator in ["Bool", "BoolIfExists"]
	some key, values in object.get(object.get(stmt, "Condition", {}), operator, {})
	lower(key) == "aws:securetransport"
	some v in values
	lower(sprintf("%v", [v])) == "false"
}

not_assessed contains result.new(resource.bucket(i, b), gap_msg) if {
	some i, b in s3.buckets
	gap_msg := s3.gap_reason("GetBucketPolicy", i, b)
}
