package mlguard.network_isolation.ml_workload_in_default_vpc

import rego.v1

mk_snap(is_default, sm) := {
	"metadata": {"account_id": "123456789012"},
	"regions": {"us-east-1": {
		"ec2": {
			"vpcs": [{"VpcId": "vpc-1", "IsDefault": is_default}, {"VpcId": "vpc-2", "IsDefault": false}],
			"subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1"}],
		},
		"sagemaker": sm,
	}},
}

mk_nb := {"NotebookInstanceName": "nb", "NotebookInstanceArn": "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/nb", "SubnetId": "subnet-1"}

mk_domain := {"DomainId": "d-1", "DomainName": "studio", "DomainArn": "arn:aws:sagemaker:us-east-1:123456789012:domain/d-1", "VpcId": "vpc-1"}

mk_model := {"ModelName": "m", "ModelArn": "arn:aws:sagemaker:us-east-1:123456789012:model/m", "VpcConfig": {"Subnets": ["subnet-1"], "SecurityGroupIds": []}}

test_notebook_in_default_vpc_denied if {
	some r in deny with input as mk_snap(true, {"notebook_instances": [mk_nb]})
	r.msg == "default VPC vpc-1 hosts the ML workload: notebook nb"
}

test_domain_and_model_in_default_vpc_denied if {
	some r in deny with input as mk_snap(true, {"domains": [mk_domain], "models": [mk_model]})
	r.msg == "default VPC vpc-1 hosts the ML workload: domain studio, model m"
}

test_ml_security_group_in_default_vpc_denied if {
	snap := object.union(mk_snap(true, {}), {"regions": {"us-east-1": {"ec2": {"security_groups": [{"GroupId": "sg-1", "GroupName": "sagemaker-studio", "VpcId": "vpc-1"}]}}}})
	some r in deny with input as snap
	contains(r.msg, "security group sg-1 (sagemaker-studio)")
}

test_notebook_in_custom_vpc_passes if {
	count(deny) == 0 with input as mk_snap(false, {"notebook_instances": [mk_nb]})
	count(applicable) == 1 with input as mk_snap(false, {"notebook_instances": [mk_nb]})
}

test_default_vpc_without_ml_resources_passes if {
	count(deny) == 0 with input as mk_snap(true, {})
	count(applicable) == 0 with input as mk_snap(true, {})
}
