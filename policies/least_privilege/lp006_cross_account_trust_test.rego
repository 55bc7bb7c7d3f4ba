package mlguard.least_privilege.cross_account_trust

import rego.v1

mk_snap(stmts) := {"metadata": {"account_id": "123456789012"}, "iam": {"roles": [{
	"RoleName": "r",
	"Arn": "arn:aws:iam::123456789012:role/r",
	"AssumeRolePolicyDocument": {"Statement": stmts},
}]}}

mk_trust(principals, cond) := {"Effect": "Allow", "Principal": {"AWS": principals}, "Action": ["sts:AssumeRole"], "Condition": cond}

mk_vendor := "arn:aws:iam::444455556666:root"

test_foreign_root_without_condition_denied if {
	some d in deny with input as mk_snap([mk_trust([mk_vendor], {})])
	d.msg == "role r can be assumed from another account without sts:ExternalId or MFA: arn:aws:iam::444455556666:root (trust statement 0)"
}

test_bare_account_id_denied if {
	count(deny) == 1 with input as mk_snap([mk_trust(["444455556666"], {})])
}

test_foreign_role_arn_denied if {
	count(deny) == 1 with input as mk_snap([mk_trust(["arn:aws:iam::444455556666:role/vendor-scanner"], {})])
}

test_only_foreign_principals_listed_denied if {
	some d in deny with input as mk_snap([mk_trust(["arn:aws:iam::123456789012:role/own", mk_vendor], {})])
	not contains(d.msg, "role/own")
}

test_mfa_if_exists_denied if {
	count(deny) == 1 with input as mk_snap([mk_trust([mk_vendor], {"BoolIfExists": {"aws:MultiFactorAuthPresent": ["true"]}})])
}

test_wildcard_external_id_denied if {
	count(deny) == 1 with input as mk_snap([mk_trust([mk_vendor], {"StringLike": {"sts:ExternalId": ["*"]}})])
}

test_principal_org_condition_denied if {
	count(deny) == 1 with input as mk_snap([mk_trust([mk_vendor], {"StringEquals": {"aws:PrincipalOrgID": ["o-abc123"]}})])
}

test_external_id_passes if {
	count(deny) == 0 with input as mk_snap([mk_trust([mk_vendor], {"StringEquals": {"sts:ExternalId": ["8d0c1f2e-vendor"]}})])
	count(applicable) == 1 with input as mk_snap([mk_trust([mk_vendor], {"StringEquals": {"sts:ExternalId": ["8d0c1f2e-vendor"]}})])
}

test_mfa_present_passes if {
	count(deny) == 0 with input as mk_snap([mk_trust([mk_vendor], {"Bool": {"aws:MultiFactorAuthPresent": ["true"]}})])
}

test_mfa_present_boolean_value_passes if {
	count(deny) == 0 with input as mk_snap([mk_trust([mk_vendor], {"Bool": {"aws:MultiFactorAuthPresent": [true]}})])
}

test_mfa_age_passes if {
	count(deny) == 0 with input as mk_snap([mk_trust([mk_vendor], {"NumericLessThan": {"aws:MultiFactorAuthAge": ["3600"]}})])
}

test_same_account_not_judged_passes if {
	count(applicable) == 0 with input as mk_snap([mk_trust(["arn:aws:iam::123456789012:root"], {})])
	count(deny) == 0 with input as mk_snap([mk_trust(["arn:aws:iam::123456789012:root"], {})])
}

test_star_left_to_lp001_passes if {
	count(applicable) == 0 with input as mk_snap([mk_trust(["*"], {})])
}

test_unique_id_of_deleted_principal_not_judged_passes if {
	count(applicable) == 0 with input as mk_snap([mk_trust(["AROAEXAMPLEDELETED0001"], {})])
}

test_deny_statement_passes if {
	stmt := {"Effect": "Deny", "Principal": {"AWS": [mk_vendor]}, "Action": ["sts:AssumeRole"]}
	count(deny) == 0 with input as mk_snap([stmt])
}

test_service_principal_not_judged_passes if {
	stmt := {"Effect": "Allow", "Principal": {"Service": ["sagemaker.amazonaws.com"]}, "Action": ["sts:AssumeRole"]}
	count(applicable) == 0 with input as mk_snap([stmt])
}
