package mlguard.least_privilege.trust_any_principal

import rego.v1

mk_role(trust) := {"RoleName": "r", "Arn": "arn:aws:iam::123456789012:role/r", "AssumeRolePolicyDocument": trust}

mk_snap(trust) := {"metadata": {"account_id": "123456789012"}, "iam": {"roles": [mk_role(trust)]}}

mk_stmt(extra) := object.union({"Effect": "Allow", "Action": ["sts:AssumeRole"]}, extra)

test_star_principal_denied if {
	count(deny) == 1 with input as mk_snap({"Statement": [mk_stmt({"Principal": {"AWS": ["*"]}})]})
}

test_not_principal_denied if {
	count(deny) == 1 with input as mk_snap({"Statement": [mk_stmt({"NotPrincipal": {"AWS": ["arn:aws:iam::1:root"]}})]})
}

test_star_with_source_account_passes if {
	count(deny) == 0 with input as mk_snap({"Statement": [mk_stmt({
		"Principal": {"AWS": ["*"]},
		"Condition": {"StringEquals": {"aws:PrincipalAccount": ["123456789012"]}},
	})]})
}

test_star_with_wildcard_condition_still_denied if {
	count(deny) == 1 with input as mk_snap({"Statement": [mk_stmt({
		"Principal": {"AWS": ["*"]},
		"Condition": {"StringLike": {"aws:PrincipalArn": ["*"]}},
	})]})
}

test_service_principal_passes if {
	count(deny) == 0 with input as mk_snap({"Statement": [mk_stmt({"Principal": {"Service": ["sagemaker.amazonaws.com"]}})]})
}

test_deny_statement_with_star_passes if {
	count(deny) == 0 with input as mk_snap({"Statement": [{"Effect": "Deny", "Principal": {"AWS": ["*"]}, "Action": ["sts:AssumeRole"]}]})
}

test_every_role_is_applicable if {
	count(applicable) == 1 with input as mk_snap({"Statement": []})
}
