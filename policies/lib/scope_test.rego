package mlguard.lib.scope

import rego.v1

mk_snap_sgs(groups) := {"metadata": {"account_id": "123456789012"}, "regions": {"us-east-1": {"ec2": {"security_groups": groups}}}}

mk_group(id, name) := {"GroupId": id, "GroupName": name, "VpcId": "vpc-1"}

test_name_globs_passes if {
	name_matches("ml-training")
	name_matches("ML-Training")
	name_matches("AmazonSageMaker.ExecutionRole")
	name_matches("team.sagemaker.v2")
	not name_matches("web")
	not name_matches("xml-parser")
}

test_glob_shapes_passes if {
	name_matches("prod-ml") with data.mlguard_config.scope_name_globs as ["*-ml"]
	not name_matches("prod-ml-2") with data.mlguard_config.scope_name_globs as ["*-ml"]
	name_matches("training") with data.mlguard_config.scope_name_globs as ["training"]
	not name_matches("training-2") with data.mlguard_config.scope_name_globs as ["training"]
	name_matches("anything") with data.mlguard_config.scope_name_globs as ["*"]
	name_matches("ml-a1") with data.mlguard_config.scope_name_globs as ["ml-?1"]
	not name_matches("ml-ab1") with data.mlguard_config.scope_name_globs as ["ml-?1"]
	name_matches("ml-x-gpu") with data.mlguard_config.scope_name_globs as ["ml-*-gpu"]
}

test_tagged_passes if {
	tagged({"Tags": [{"Key": "mlguard:scope", "Value": "ml"}]})
	tagged({"Tags": [{"TagKey": "mlguard:scope", "TagValue": "ml"}]})
	not tagged({"Tags": [{"Key": "mlguard:scope", "Value": "web"}]})
	not tagged({})
	tagged({"Tags": [{"Key": "team", "Value": "ds"}]}) with data.mlguard_config.scope_tag as "team=ds"
}

test_security_group_ids_passes if {
	groups := [
		mk_group("sg-1", "ml-training"),
		object.union(mk_group("sg-2", "x"), {"Tags": [{"Key": "mlguard:scope", "Value": "ml"}]}),
		mk_group("sg-3", "web"),
		mk_group("sg-4", "db"),
	]
	security_group_ids == {"sg-1", "sg-2", "sg-4"} with input as mk_snap_sgs(groups)
		with data.mlguard_config.scope_security_group_ids as ["sg-4"]
}

test_vpc_reasons_passes if {
	snap := {
		"metadata": {"account_id": "123456789012"},
		"regions": {"us-east-1": {
			"ec2": {"subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1"}], "security_groups": [mk_group("sg-1", "ml-training")]},
			"sagemaker": {
				"notebook_instances": [{"NotebookInstanceName": "nb", "SubnetId": "subnet-1"}],
				"training_jobs": [{"TrainingJobName": "job", "VpcConfig": {"Subnets": ["subnet-1"], "SecurityGroupIds": ["sg-9"]}}],
				"domains": [{"DomainId": "d-1", "VpcId": "vpc-2", "DomainSettings": {"SecurityGroupIds": ["sg-7"]}}],
			},
		}},
	}
	vpc_reason_text("vpc-1") == "notebook nb, security group sg-1 (ml-training), training job job" with input as snap
	vpc_reason_text("vpc-2") == "domain d-1" with input as snap
	vpcs == {"vpc-1", "vpc-2"} with input as snap
	security_group_id("sg-7") with input as snap
	security_group_id("sg-9") with input as snap
}
