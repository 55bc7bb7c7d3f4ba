# IAM policy helpers. Documents arrive normalized (see src/snapshot/normalize.rs):
# Statement, Action, NotAction, Resource, NotResource and every Principal value are arrays,
# "Principal": "*" is {"AWS": ["*"]}, and condition values are arrays.
package mlguard.lib.iam

import rego.v1

# Managed policies of the snapshot, by ARN.
policies_by_arn := {p.Arn: p | some p in input.iam.policies}

# The default version's document of a managed policy.
default_document(policy) := v.Document if {
	some v in policy.PolicyVersionList
	v.IsDefaultVersion == true
}

default_document(policy) := policy.PolicyVersionList[0].Document if {
	count(policy.PolicyVersionList) == 1
	not policy.PolicyVersionList[0].IsDefaultVersion
}

# Every permission document of a role, with where it came from:
# {"kind": "inline"|"managed", "name": ..., "arn": ..., "document": ...}.
role_documents(role) := array.concat(
	[{"kind": "inline", "name": p.PolicyName, "arn": "", "document": p.PolicyDocument} |
		some p in object.get(role, "RolePolicyList", [])],
	[{"kind": "managed", "name": a.PolicyName, "arn": a.PolicyArn, "document": default_document(policies_by_arn[a.PolicyArn])} |
		some a in object.get(role, "AttachedManagedPolicies", [])
		policies_by_arn[a.PolicyArn]],
)

# Attached managed policies whose document the snapshot lacks (not assessed).
missing_managed(role) := [a.PolicyArn |
	some a in object.get(role, "AttachedManagedPolicies", [])
	not policies_by_arn[a.PolicyArn]
]

statements(doc) := object.get(doc, "Statement", [])

allows(stmt) if stmt.Effect == "Allow"

actions(stmt) := object.get(stmt, "Action", [])

resources(stmt) := object.get(stmt, "Resource", [])

# IAM action names are case-insensitive; patterns use * and ?.
action_matches(pattern, action) if glob.match(lower(pattern), [], lower(action))

# The statement allows `action` through its Action list.
allows_action(stmt, action) if {
	allows(stmt)
	some pattern in actions(stmt)
	action_matches(pattern, action)
}

# The statement applies to every resource.
all_resources(stmt) if "*" in resources(stmt)

# A service-wide wildcard such as "s3:*" or "*".
service_wildcard(pattern) if pattern == "*"

service_wildcard(pattern) if {
	parts := split(pattern, ":")
	count(parts) == 2
	parts[1] == "*"
}

# --- principals and conditions --------------------------------------------------------

principal_values(stmt, kind) := object.get(object.get(stmt, "Principal", {}), kind, [])

# The statement lets any AWS principal in: "*" (alone or in the AWS list), or an Allow
# with NotPrincipal (everyone except the listed ones).
any_principal(stmt) if {
	allows(stmt)
	"*" in principal_values(stmt, "AWS")
}

any_principal(stmt) if {
	allows(stmt)
	stmt.NotPrincipal
}

# Condition keys that pin who may act: an account, organization, source or principal.
restricting_keys := {
	"aws:sourceaccount", "aws:sourcearn", "aws:sourceowner", "aws:sourceorgid", "aws:sourceorgpaths",
	"aws:principalaccount", "aws:principalarn", "aws:principalorgid", "aws:principalorgpaths",
	"aws:sourcevpc", "aws:sourcevpce", "aws:sourceip", "aws:userid", "sts:externalid",
	"kms:calleraccount", "kms:viaservice",
}

# Operators that do not restrict (they only test presence or are negations of a match).
non_restricting_operators := {"Null"}

# The statement has a condition that pins the caller to something other than "anyone".
restricting_condition(stmt) if {
	some operator, conditions in object.get(stmt, "Condition", {})
	not non_restricting_operators[operator]
	not startswith(operator, "StringNot")
	not startswith(operator, "ArnNot")
	some key, values in conditions
	restricting_keys[lower(key)]
	some value in values
	value != "*"
}

# Service principals trusted by the statement.
service_principals(stmt) := principal_values(stmt, "Service")

# Trust statements that let a principal assume the role.
assume_actions := {"sts:assumerole", "sts:assumerolewithwebidentity", "sts:assumerolewithsaml", "sts:tagsession", "sts:*", "*"}

trust_statements(role) := [stmt |
	some stmt in statements(object.get(role, "AssumeRolePolicyDocument", {}))
	allows(stmt)
]

# The role is trusted by SageMaker.
trusts_sagemaker(role) if {
	some stmt in trust_statements(role)
	"sagemaker.amazonaws.com" in service_principals(stmt)
}

# --- tags ------------------------------------------------------------------------------

# Tags as an object, from [{"Key", "Value"}] (IAM, EC2, SageMaker) or [{"TagKey", "TagValue"}] (KMS).
tags(obj) := {t.Key: object.get(t, "Value", "") | some t in object.get(obj, "Tags", []); t.Key} if {
	not kms_tags(obj)
}

tags(obj) := {t.TagKey: object.get(t, "TagValue", "") | some t in obj.Tags} if kms_tags(obj)

kms_tags(obj) if {
	some t in obj.Tags
	t.TagKey
}
