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

# A domain's apps use DefaultUserSettings.SecurityGroups and DefaultSpaceSettings.SecurityGroups;
# DomainSettings.SecurityGroupIds secure the traffic between the domain and its EFS volume.
referenced_security_groups contains id if {
	some d in sagemaker("domains")
	some path in [["DefaultUserSettings", "SecurityGroups"], ["DefaultSpaceSettings", "SecurityGroups"], ["DomainSettings", "SecurityGroupIds"]]
	some id in object.get(d, path, [])
}

referenced_security_groups contains id if {
	some kind in ["training_jobs", "models"]
	some item in sagemaker(kind)
	some id in object.get(object.get(item, "VpcConfig", {}), "SecurityGroupIds", [])
}

referenced_subnets contains bound_id if {
	some nb in sagemaker("notebook_instances")
	is_string(nb.SubnetId)
	bound_id := nb.SubnetId
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
	some settings in ["DefaultUserSettings", "DefaultSpaceSettings"]
	arn := d[settings].ExecutionRole
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

# EC2 resources of one kind across regions.
ec2(kind) := [item |
	some region in object.keys(input.regions)
	some item in object.get(input.regions[region], ["ec2", kind], [])
]

subnet_vpc := {s.SubnetId: s.VpcId | some s in ec2("subnets")}

# --- scope tests -----------------------------------------------------------------------

tag_key := split(config.scope_tag, "=")[0]

tag_value := substring(config.scope_tag, count(tag_key) + 1, -1)

# The object carries the scope tag ([{"Key", "Value"}] as EC2, IAM and SageMaker print
# tags, or [{"TagKey", "TagValue"}] as KMS does).
tagged(obj) if {
	some t in object.get(obj, "Tags", [])
	t.Key == tag_key
	object.get(t, "Value", "") == tag_value
}

tagged(obj) if {
	some t in object.get(obj, "Tags", [])
	t.TagKey == tag_key
	object.get(t, "TagValue", "") == tag_value
}

# A name matches a scope glob, case-insensitively. Globs of the usual shapes (`ml-*`,
# `*sagemaker*`, `*-ml`, exact names) are compared with string functions, which is much
# cheaper than glob matching over tens of thousands of names; other globs go to
# glob.match with `null` delimiters, so `*` matches any run of characters, dots included
# ("[]" would default to "." and leave names such as "AmazonSageMaker.ExecutionRole" out).
name_matches(name) if {
	some g in simple_globs
	simple_match(g, lower(name))
}

name_matches(name) if {
	some pattern in complex_globs
	glob.match(pattern, null, lower(name))
}

glob_chars := {"*", "?", "[", "]", "{", "}", "\\"}

# The text of a glob between an optional leading and an optional trailing `*`, when that
# text has no glob syntax of its own.
simple_globs contains {"text": text, "prefix": has_prefix, "suffix": has_suffix} if {
	some pattern in config.scope_name_globs
	p := lower(pattern)
	text := trim_suffix(trim_prefix(p, "*"), "*")
	not has_glob_chars(text)
	has_prefix := startswith(p, "*")
	has_suffix := endswith(p, "*")
}

complex_globs contains p if {
	some pattern in config.scope_name_globs
	p := lower(pattern)
	has_glob_chars(trim_suffix(trim_prefix(p, "*"), "*"))
}

has_glob_chars(text) if {
	some c in glob_chars
	contains(text, c)
}

simple_match(g, name) if {
	not g.prefix
	not g.suffix
	name == g.text
}

simple_match(g, name) if {
	not g.prefix
	g.suffix
	startswith(name, g.text)
}

simple_match(g, name) if {
	g.prefix
	not g.suffix
	endswith(name, g.text)
}

simple_match(g, name) if {
	g.prefix
	g.suffix
	contains(name, g.text)
}

configured_security_groups := {id | some id in config.scope_security_group_ids}

configured_vpcs := {id | some id in config.scope_vpc_ids}

# Security group ids in the ML workload scope. Computed once, one pass per test: rules
# look security groups up here (directly or through security_group and
# security_group_id) instead of matching names and tags again for each call.
security_group_ids contains id if some id in referenced_security_groups

security_group_ids contains id if some id in configured_security_groups

security_group_ids contains bound_id if {
	some g in ec2("security_groups")
	tagged(g)
	bound_id := g.GroupId
}

security_group_ids contains bound_id if {
	some g in ec2("security_groups")
	name_matches(g.GroupName)
	bound_id := g.GroupId
}

# The security group (of the snapshot) belongs to the ML workload.
security_group(sg) if security_group_ids[sg.GroupId]

# The security group with this id belongs to the ML workload.
security_group_id(id) if security_group_ids[id]

# The role belongs to the ML workload.
role(r) if referenced_roles[r.Arn]

role(r) if iam.trusts_sagemaker(r)

role(r) if tagged(r)

role(r) if name_matches(r.RoleName)

# Why each VPC is in the ML workload scope: VPC id -> set of reasons, e.g.
# vpc_reasons["vpc-1"] == {"notebook nb-1", "security group sg-1 (ml-training)"}.
vpc_reasons[id] contains why if {
	some nb in sagemaker("notebook_instances")
	id := subnet_vpc[nb.SubnetId]
	why := sprintf("notebook %s", [nb.NotebookInstanceName])
}

vpc_reasons[id] contains why if {
	some d in sagemaker("domains")
	id := d.VpcId
	is_string(id)
	why := sprintf("domain %s", [object.get(d, "DomainName", d.DomainId)])
}

vpc_reasons[id] contains why if {
	some kind, label in {"training_jobs": "training job", "models": "model"}
	name_field := {"training_jobs": "TrainingJobName", "models": "ModelName"}[kind]
	some item in sagemaker(kind)
	some subnet in object.get(item, ["VpcConfig", "Subnets"], [])
	id := subnet_vpc[subnet]
	why := sprintf("%s %s", [label, item[name_field]])
}

vpc_reasons[id] contains why if {
	some g in ec2("security_groups")
	security_group_ids[g.GroupId]
	id := g.VpcId
	is_string(id)
	why := sprintf("security group %s (%s)", [g.GroupId, g.GroupName])
}

vpc_reasons[id] contains "listed in the configured scope VPC ids" if some id in configured_vpcs

vpc_reasons[id] contains why if {
	some v in ec2("vpcs")
	tagged(v)
	id := v.VpcId
	why := sprintf("tagged %s", [config.scope_tag])
}

# Why the VPC is in the ML workload scope, in words: "notebook nb-1, security group ...".
vpc_reason_text(id) := concat(", ", sort(vpc_reasons[id]))

# VPC ids that host the ML workload.
vpcs contains id if some id, _ in vpc_reasons

# The VPC hosts the ML workload.
vpc(v) if vpcs[v.VpcId]
