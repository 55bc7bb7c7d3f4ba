package mlguard.least_privilege.broad_managed_policy

import rego.v1

mk_sagemaker_trust := {"Statement": [{"Effect": "Allow", "Principal": {"Service": ["sagemaker.amazonaws.com"]}, "Action": ["sts:AssumeRole"]}]}

mk_role(name, trust, arns) := {
	"RoleName": name,
	"Arn": sprintf("arn:aws:iam::123456789012:role/%s", [name]),
	"Path": "/",
	"AssumeRolePolicyDocument": trust,
	"AttachedManagedPolicies": [{"PolicyName": "x", "PolicyArn": arn} | some arn in arns],
}

mk_snap(r) := {"metadata": {"account_id": "123456789012"}, "iam": {"roles": [r], "policies": []}}

mk_ml_role(arns) := mk_role("exec", mk_sagemaker_trust, arns)

test_sagemaker_full_access_denied if {
	some d in deny with input as mk_snap(mk_ml_role(["arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"]))
	d.msg == "ML role exec has broad AWS-managed policies attached: arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"
}

test_several_policies_aggregated_denied if {
	arns := ["arn:aws:iam::aws:policy/AmazonS3FullAccess", "arn:aws:iam::aws:policy/IAMFullAccess", "arn:aws:iam::aws:policy/PowerUserAccess"]
	count(deny) == 1 with input as mk_snap(mk_ml_role(arns))
	some d in deny with input as mk_snap(mk_ml_role(arns))
	contains(d.msg, "IAMFullAccess")
	contains(d.msg, "PowerUserAccess")
}

test_job_function_data_scientist_denied if {
	count(deny) == 1 with input as mk_snap(mk_ml_role(["arn:aws:iam::aws:policy/job-function/DataScientist"]))
}

test_underscore_full_access_denied if {
	count(deny) == 1 with input as mk_snap(mk_ml_role(["arn:aws:iam::aws:policy/AWSLambda_FullAccess"]))
}

test_other_partition_denied if {
	count(deny) == 1 with input as mk_snap(mk_ml_role(["arn:aws-cn:iam::aws:policy/AmazonS3FullAccess"]))
}

test_role_in_scope_by_name_denied if {
	r := mk_role("ml-feature-store", {"Statement": []}, ["arn:aws:iam::aws:policy/AmazonS3FullAccess"])
	count(deny) == 1 with input as mk_snap(r)
}

test_customer_managed_named_full_access_passes if {
	count(deny) == 0 with input as mk_snap(mk_ml_role(["arn:aws:iam::123456789012:policy/AmazonS3FullAccess"]))
}

test_administrator_access_left_to_lp003_passes if {
	count(deny) == 0 with input as mk_snap(mk_ml_role(["arn:aws:iam::aws:policy/AdministratorAccess"]))
}

test_scoped_aws_managed_policy_passes if {
	count(deny) == 0 with input as mk_snap(mk_ml_role(["arn:aws:iam::aws:policy/AmazonSageMakerReadOnly"]))
	count(applicable) == 1 with input as mk_snap(mk_ml_role(["arn:aws:iam::aws:policy/AmazonSageMakerReadOnly"]))
}

test_role_outside_scope_not_judged_passes if {
	r := mk_role("web-frontend", {"Statement": []}, ["arn:aws:iam::aws:policy/AmazonS3FullAccess"])
	count(applicable) == 0 with input as mk_snap(r)
	count(deny) == 0 with input as mk_snap(r)
}
