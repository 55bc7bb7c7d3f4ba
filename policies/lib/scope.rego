# The ML workload scope: what SageMaker resources reference, what is tagged
# `mlguard:scope=ml` (configurable), roles SageMaker can assume, names matching the scope
# globs, and the ids listed in the configuration. Every set here is computed once per
# evaluation and looked up by key, so rules stay linear.
package mlguard.lib.scope

import rego.v1

import data.mlguard.lib.config
import data.mlguard.lib.iam

sagemaker(kind) := [item |
	some region in object.keys(input.regions)
	some item in object.get(object.get(input.regions[region], "sagemaker", {}), kind, [])
]

# --- what SageMaker resources reference -------------------------------------------------

referenced_security_groups contains id if {
	some nb in sagemaker("notebook_instances")
	some id in object.get(nb, "SecurityGroups", [])
}

referenced_security_groups contains id if {
	some d in sagemaker("domains")
	some id in object.get(object.get(d, "DefaultUserSettings", {}), "SecurityGroups", [])
}

referenced_security_groups contains id if {
	some kind in ["training_jobs", "models"]
	some item in sagemaker(kind)
	some id in object.get(object.get(item, "VpcConfig", {}), "SecurityGroupIds", [])
}

referenced_subnets contains nb.SubnetId if {
	some nb in sagemaker("notebook_instances")
	is_string(nb.SubnetId)
}

referenced_subnets contains id if {
	some d in sagemaker("domains")
	some id in object.get(d, "SubnetIds", [])
}

referenced_subnets contains id if {
	some kind in ["training_jobs", "models"]
	some item in sagemaker(kind)
	some id in object.get(object.get(item, "VpcConfig", {}), "Subnets", [])
}

referenced_roles contains arn if {
	some kind, field in {"notebook_instances": "RoleArn", "training_jobs": "RoleArn", "models": "ExecutionRoleArn"}
	some item in sagemaker(kind)
	arn := item[field]
	is_string(arn)
}

referenced_roles contains arn if {
	some d in sagemaker("domains")
	arn := d.DefaultUserSettings.ExecutionRole
	is_string(arn)
}

# KMS key references as written (key id, key ARN, alias name or alias ARN).
referenced_keys contains ref if {
	some kind, field in {"notebook_instances": "KmsKeyId", "domains": "KmsKeyId", "endpoint_configs": "KmsKeyId"}
	some item in sagemaker(kind)
	ref := item[field]
	is_string(ref)
}

referenced_keys contains ref if {
	some job in sagemaker("training_jobs")
	some ref in [object.get(object.get(job, "OutputDataConfig", {}), "KmsKeyId", ""), object.get(object.get(job, "ResourceConfig", {}), "VolumeKmsKeyId", "")]
	ref != ""
}

# --- indexes ---------------------------------------------------------------------------

subnet_vpc := {s.SubnetId: s.VpcId |
	some region in object.keys(input.regions)
	some s in object.get(object.get(input.regions[region], "ec2", {}), "subnets", [])
}

security_group_vpc := {g.GroupId: object.get(g, "VpcId", "") |
	some region in object.keys(input.regions)
	some g in object.get(object.get(input.regions[region], "ec2", {}), "security_groups", [])
}

# --- scope tests -----------------------------------------------------------------------

tag_key := split(config.scope_tag, "=")[0]

tag_value := substring(config.scope_tag, count(tag_key) + 1, -1)

tagged(obj) if iam.tags(obj)[tag_key] == tag_value

# Functions read configuration through rules of this package (see docs/writing-policies.md).
name_globs := config.scope_name_globs

name_matches(name) if {
	some pattern in name_globs
	glob.match(lower(pattern), [], lower(name))
}

configured_security_groups := {id | some id in config.scope_security_group_ids}

configured_vpcs := {id | some id in config.scope_vpc_ids}

# The security group belongs to the ML workload.
security_group(sg) if referenced_security_groups[sg.GroupId]

security_group(sg) if configured_security_groups[sg.GroupId]

security_group(sg) if tagged(sg)

security_group(sg) if name_matches(sg.GroupName)

# The role belongs to the ML workload.
role(r) if referenced_roles[r.Arn]

role(r) if iam.trusts_sagemaker(r)

role(r) if tagged(r)

role(r) if name_matches(r.RoleName)

# VPC ids that host the ML workload.
vpcs contains id if {
	some subnet in referenced_subnets
	id := subnet_vpc[subnet]
}

vpcs contains id if {
	some d in sagemaker("domains")
	id := d.VpcId
	is_string(id)
}

vpcs contains id if {
	some sg in referenced_security_groups
	id := security_group_vpc[sg]
	id != ""
}

vpcs contains id if some id in configured_vpcs

vpcs contains v.VpcId if {
	some region in object.keys(input.regions)
	some v in object.get(object.get(input.regions[region], "ec2", {}), "vpcs", [])
	tagged(v)
}

vpcs contains g.VpcId if {
	some region in object.keys(input.regions)
	some g in object.get(object.get(input.regions[region], "ec2", {}), "security_groups", [])
	is_string(g.VpcId)
	not referenced_security_groups[g.GroupId]
	security_group(g)
}

# The VPC hosts the ML workload.
vpc(v) if vpcs[v.VpcId]
