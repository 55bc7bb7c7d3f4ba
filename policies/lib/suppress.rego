# Suppressions written on the resources themselves: the tag `mlguard:suppress` lists the
# rules (ids or prefixes) whose findings on that resource are accepted, and
# `mlguard:suppress-reason` says why. IAM and S3 tag values may not contain commas, so the
# list may be separated by spaces, commas, `+` or `/`: "LP-001 NI-004", "LP-001+NI-004".
#
# mlguard evaluates `by_arn` once per audit and applies it to the findings; the ARNs come
# from the same resource builders the rules use, so they match the findings' ARNs exactly.
package mlguard.lib.suppress

import rego.v1

import data.mlguard.lib.iam
import data.mlguard.lib.resource

tag_key := "mlguard:suppress"

reason_key := "mlguard:suppress-reason"

section(region, service, kind) := object.get(object.get(input.regions[region], service, {}), kind, [])

# Every resource that can carry tags, as {"resource": <reference>, "obj": <snapshot object>}.
candidates contains {"resource": resource.role(i, r), "obj": r} if some i, r in object.get(object.get(input, "iam", {}), "roles", [])

candidates contains {"resource": resource.managed_policy(i, p), "obj": p} if some i, p in object.get(object.get(input, "iam", {}), "policies", [])

candidates contains {"resource": resource.bucket(i, b), "obj": b} if some i, b in object.get(object.get(input, "s3", {}), "buckets", [])

candidates contains {"resource": resource.key(region, i, k), "obj": k} if {
	some region in object.keys(object.get(input, "regions", {}))
	some i, k in section(region, "kms", "keys")
}

regional_builders := {
	"ec2": {
		"vpcs": "vpc", "subnets": "subnet", "route_tables": "route_table",
		"security_groups": "security_group", "network_acls": "network_acl",
		"vpc_endpoints": "vpc_endpoint",
	},
	"sagemaker": {
		"notebook_instances": "notebook", "domains": "domain", "training_jobs": "training_job",
		"models": "model", "endpoint_configs": "endpoint_config",
	},
}

candidates contains {"resource": judged, "obj": obj} if {
	some region in object.keys(object.get(input, "regions", {}))
	some service, kinds in regional_builders
	some kind, _ in kinds
	some i, obj in section(region, service, kind)
	is_array(object.get(obj, "Tags", null))
	judged := build(kind, region, i, obj)
}

build("vpcs", region, i, obj) := resource.vpc(region, i, obj)

build("subnets", region, i, obj) := resource.subnet(region, i, obj)

build("route_tables", region, i, obj) := resource.route_table(region, i, obj)

build("security_groups", region, i, obj) := resource.security_group(region, i, obj)

build("network_acls", region, i, obj) := resource.network_acl(region, i, obj)

build("vpc_endpoints", region, i, obj) := resource.vpc_endpoint(region, i, obj)

build("notebook_instances", region, i, obj) := resource.notebook(region, i, obj)

build("domains", region, i, obj) := resource.domain(region, i, obj)

build("training_jobs", region, i, obj) := resource.training_job(region, i, obj)

build("models", region, i, obj) := resource.model(region, i, obj)

build("endpoint_configs", region, i, obj) := resource.endpoint_config(region, i, obj)

# The rule ids or prefixes a tag value names, upper-cased, in order, without blanks.
rules_of(value) := [upper(r) | some r in regex.split(`[ \t\r\n,+/;]+`, trim_space(value)); r != ""]

# One entry per tagged resource.
entries contains {"arn": resource_arn, "rules": tag_rules, "reason": tag_reason} if {
	some c in candidates
	tags := iam.tags(c.obj)
	is_string(tags[tag_key])
	resource_arn := c.resource.arn
	tag_rules := rules_of(tags[tag_key])
	tag_reason := object.get(tags, reason_key, "")
}

# ARN → {"rules": [...], "reason": "..."} for every tagged resource. An ARN that appears
# more than once (it should not) gets the union of its rules and its reasons joined.
by_arn := {arn: merged(arn) | some e in entries; arn := e.arn}

merged(arn) := {
	"rules": sort({r | some e in entries; e.arn == arn; some r in e.rules}),
	"reason": concat("; ", sort({e.reason | some e in entries; e.arn == arn; e.reason != ""})),
}
