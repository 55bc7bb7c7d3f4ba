package mlguard.encryption.bucket_insecure_transport

import rego.v1

# The TLS-only statement with the fields of `extra` replaced (not merged).
mk_tls_stmt(extra) := object.union(object.remove(mk_tls_base, object.keys(extra)), extra)

mk_tls_base := {
	"Sid": "DenyInsecureTransport",
	"Effect": "Deny",
	"Principal": {"AWS": ["*"]},
	"Action": ["s3:*"],
	"Resource": ["arn:aws:s3:::ml-training-data", "arn:aws:s3:::ml-training-data/*"],
	"Condition": {"Bool": {"aws:SecureTransport": ["false"]}},
}

mk_bucket(stmts) := {"Name": "ml-training-data", "Region": "us-east-1", "Policy": {"Version": "2012-10-17", "Statement": stmts}}

mk_snap(buckets, gap_list) := {"metadata": {"account_id": "123456789012"}, "s3": {"buckets": buckets}, "gaps": gap_list}

test_no_policy_denied if {
	results := deny with input as mk_snap([{"Name": "ml-training-data"}], [])
	some r in results
	contains(r.msg, "has no bucket policy")
}

test_policy_without_tls_statement_denied if {
	allow := {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::123456789012:role/ml"]}, "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::ml-training-data/*"]}
	count(deny) == 1 with input as mk_snap([mk_bucket([allow])], [])
}

test_deny_only_some_actions_denied if {
	count(deny) == 1 with input as mk_snap([mk_bucket([mk_tls_stmt({"Action": ["s3:GetObject"]})])], [])
}

test_deny_on_other_bucket_denied if {
	stmt := mk_tls_stmt({"Resource": ["arn:aws:s3:::other/*"]})
	count(deny) == 1 with input as mk_snap([mk_bucket([stmt])], [])
}

test_secure_transport_true_denied if {
	stmt := mk_tls_stmt({"Condition": {"Bool": {"aws:SecureTransport": ["true"]}}})
	count(deny) == 1 with input as mk_snap([mk_bucket([stmt])], [])
}

test_tls_only_policy_passes if {
	snap := mk_snap([mk_bucket([mk_tls_stmt({})])], [])
	count(deny) == 0 with input as snap
	count(applicable) == 1 with input as snap
}

test_wildcard_action_and_resource_boolean_value_passes if {
	stmt := mk_tls_stmt({
		"Action": ["*"],
		"Resource": ["arn:aws:s3:::ml-training-data*"],
		"Condition": {"BoolIfExists": {"aws:securetransport": [false]}},
	})
	count(deny) == 0 with input as mk_snap([mk_bucket([stmt])], [])
}

test_policy_gap_not_assessed if {
	g := {"service": "s3", "region": "global", "operation": "GetBucketPolicy", "resource": "arn:aws:s3:::ml-training-data", "error_code": "AccessDenied", "message": "denied"}
	snap := mk_snap([{"Name": "ml-training-data"}], [g])
	count(deny) == 0 with input as snap
	count(not_assessed) == 1 with input as snap
}
