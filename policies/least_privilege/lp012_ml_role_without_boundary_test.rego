package mlguard.least_privilege.ml_role_without_boundary

import rego.v1

mk_sagemaker_trust := {"Statement": [{"Effect": "Allow", "Principal": {"Service": ["sagemaker.amazonaws.com"]}, "Action": ["sts:AssumeRole"]}]}

mk_role(name, extra) := object.union({
	"RoleName": name,
	"Arn": sprintf("arn:aws:iam::123456789012:role/%s", [name]),
	"Path": "/",
	"AssumeRolePolicyDocument": {"Statement": []},
}, extra)

mk_snap(r) := {"metadata": {"account_id": "123456789012"}, "iam": {"roles": [r]}, "regions": {}}

mk_boundary := {"PermissionsBoundary": {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": "arn:aws:iam::123456789012:policy/ml-boundary"}}

test_sagemaker_trusted_role_without_boundary_denied if {
	some d in deny with input as mk_snap(mk_role("exec", {"AssumeRolePolicyDocument": mk_sagemaker_trust}))
	d.msg == "ML role exec has no permissions boundary"
}

test_role_named_in_scope_denied if {
	count(deny) == 1 with input as mk_snap(mk_role("ml-features", {}))
}

test_role_tagged_in_scope_denied if {
	count(deny) == 1 with input as mk_snap(mk_role("batch", {"Tags": [{"Key": "mlguard:scope", "Value": "ml"}]}))
}

test_role_referenced_by_notebook_denied if {
	snap := object.union(mk_snap(mk_role("nb-exec", {})), {"regions": {"us-east-1": {"sagemaker": {"notebook_instances": [{
		"NotebookInstanceName": "nb",
		"NotebookInstanceArn": "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/nb",
		"RoleArn": "arn:aws:iam::123456789012:role/nb-exec",
	}]}}}})
	count(deny) == 1 with input as snap
}

test_empty_boundary_arn_denied if {
	count(deny) == 1 with input as mk_snap(mk_role("ml-x", {"PermissionsBoundary": {"PermissionsBoundaryArn": ""}}))
}

test_boundary_passes if {
	r := mk_role("exec", object.union({"AssumeRolePolicyDocument": mk_sagemaker_trust}, mk_boundary))
	count(deny) == 0 with input as mk_snap(r)
	count(applicable) == 1 with input as mk_snap(r)
}

test_role_outside_scope_not_judged_passes if {
	count(applicable) == 0 with input as mk_snap(mk_role("web-frontend", {}))
	count(deny) == 0 with input as mk_snap(mk_role("web-frontend", {}))
}

test_service_linked_role_not_judged_passes if {
	r := mk_role("AWSServiceRoleForAmazonSageMakerNotebooks", {
		"Path": "/aws-service-role/sagemaker.amazonaws.com/",
		"AssumeRolePolicyDocument": mk_sagemaker_trust,
	})
	count(applicable) == 0 with input as mk_snap(r)
}
