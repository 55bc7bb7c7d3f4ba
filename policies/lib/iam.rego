# IAM policy helpers. Documents arrive normalized (see src/snapshot/normalize.rs):
# Statement, Action, NotAction, Resource, NotResource and every Principal value are arrays,
# "Principal": "*" is {"AWS": ["*"]}, and condition values are arrays.
package mlguard.lib.iam

import rego.v1

# Managed policies of the snapshot, by ARN.
policies_by_arn := {p.Arn: p | some p in input.iam.policies}

# The default version's document of a managed policy: the version marked IsDefaultVersion,
# else the version whose VersionId is the policy's DefaultVersionId, else the only version.
# Undefined when the snapshot holds no readable document for it.
default_document(policy) := doc if {
	docs := [v.Document |
		some v in object.get(policy, "PolicyVersionList", [])
		v.IsDefaultVersion == true
		is_object(v.Document)
	]
	count(docs) > 0
	doc := docs[0]
} else := doc if {
	docs := [v.Document |
		some v in object.get(policy, "PolicyVersionList", [])
		v.VersionId == policy.DefaultVersionId
		is_object(v.Document)
	]
	count(docs) > 0
	doc := docs[0]
} else := doc if {
	versions := object.get(policy, "PolicyVersionList", [])
	count(versions) == 1
	doc := versions[0].Document
	is_object(doc)
}

# Every permission document of a role, with where it came from:
# {"kind": "inline"|"managed", "name": ..., "arn": ..., "document": ...}.
# Managed policies whose document the snapshot lacks are left out: see missing_managed.
role_documents(role) := array.concat(
	[{"kind": "inline", "name": p.PolicyName, "arn": "", "document": p.PolicyDocument} |
		some p in object.get(role, "RolePolicyList", [])
		is_object(p.PolicyDocument)
	],
	[{"kind": "managed", "name": a.PolicyName, "arn": a.PolicyArn, "document": doc} |
		some a in object.get(role, "AttachedManagedPolicies", [])
		doc := managed_document(a.PolicyArn)
	],
)

# The document of a managed policy: its default version in the snapshot or, for the
# AWS-managed AdministratorAccess, whose document is fixed, that document.
managed_document(arn) := doc if {
	doc := default_document(policies_by_arn[arn])
} else := administrator_access_document if administrator_access(arn)

# The AWS-managed AdministratorAccess policy, in any partition.
administrator_access(arn) if {
	aws_managed(arn)
	fields := split(arn, ":")
	fields[5] == "policy/AdministratorAccess"
}

administrator_access_document := {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["*"], "Resource": ["*"]}]}

# Attached managed policies whose document the snapshot lacks (not in input.iam.policies, or
# without a readable default version): a rule that reads documents cannot pass the role.
missing_managed(role) := [a.PolicyArn |
	some a in object.get(role, "AttachedManagedPolicies", [])
	not managed_document(a.PolicyArn)
]

# Every policy of the role whose document the snapshot lacks: the ARNs of missing_managed,
# and "inline policy NAME" for an inline policy without a document. A rule that reads
# documents reports such a role not_assessed unless other statements already fail it.
missing_documents(role) := array.concat(
	missing_managed(role),
	[sprintf("inline policy %s", [p.PolicyName]) |
		some p in object.get(role, "RolePolicyList", [])
		not is_object(object.get(p, "PolicyDocument", null))
	],
)

# "inline policy NAME" or "managed policy ARN", for messages.
document_label(d) := sprintf("inline policy %s", [d.name]) if d.kind == "inline"

document_label(d) := sprintf("managed policy %s", [d.arn]) if d.kind == "managed"

# "statement SID" when the statement has a Sid, else "statement N" (its index), for messages.
statement_label(n, stmt) := sprintf("statement %s", [stmt.Sid]) if has_sid(stmt)

statement_label(n, stmt) := sprintf("statement %d", [n]) if not has_sid(stmt)

has_sid(stmt) if {
	is_string(stmt.Sid)
	stmt.Sid != ""
}

# An AWS-managed policy ARN (arn:<partition>:iam::aws:policy/...).
aws_managed(arn) if {
	fields := split(arn, ":")
	count(fields) == 6
	fields[0] == "arn"
	fields[2] == "iam"
	fields[4] == "aws"
	startswith(fields[5], "policy/")
}

# The last segment of a managed policy ARN: its name.
policy_name(arn) := name if {
	segments := split(arn, "/")
	name := segments[count(segments) - 1]
}

# A service-linked role: owned by an AWS service, its trust and permissions cannot be edited.
service_linked(role) if startswith(object.get(role, "Path", "/"), "/aws-service-role/")

service_linked(role) if contains(role.Arn, ":role/aws-service-role/")

# --- statements ------------------------------------------------------------------------

# The statements of a document ([] for an absent or null document).
statements(doc) := object.get(doc, "Statement", []) if is_object(doc)

statements(doc) := [] if not is_object(doc)

allows(stmt) if stmt.Effect == "Allow"

actions(stmt) := object.get(stmt, "Action", [])

resources(stmt) := object.get(stmt, "Resource", [])

# IAM action names are case-insensitive; patterns use * and ?. The usual forms (a name,
# "*", "service:*", "service:Get*") are matched with string operations; only patterns with
# a wildcard elsewhere go through glob.match, which compiles a matcher on every call (see
# pattern_matches).
action_matches(pattern, action) if lower(action) in pattern_matches(pattern, {lower(action): action})

wildcard(pattern) if contains(pattern, "*")

wildcard(pattern) if contains(pattern, "?")

# A pattern whose only wildcard is one trailing "*" ("*", "s3:*", "s3:Get*").
prefix_pattern(pattern) if {
	endswith(pattern, "*")
	not wildcard(trim_suffix(pattern, "*"))
}

# The statement allows `action` through its Action list.
allows_action(stmt, action) if {
	allows(stmt)
	some pattern in actions(stmt)
	action_matches(pattern, action)
}

# The statement applies to every resource.
all_resources(stmt) if "*" in resources(stmt)

# An Allow of every action ("*") on every resource: full administrator (LP-003). Rules about
# narrower grants leave such statements to LP-003 rather than repeat it.
full_admin(stmt) if {
	allows(stmt)
	all_resources(stmt)
	some pattern in actions(stmt)
	pattern in {"*", "*:*"}
}

# --- matching many actions at once ----------------------------------------------------
# Rules that look for a list of actions match each pattern once against all of them:
# `candidates` is an object from lower-case action name to its display name, e.g.
# {"iam:passrole": "iam:PassRole"}; results are sets of lower-case names.

# The candidates `pattern` matches (one ordered chain: the cheap forms first).
pattern_matches(pattern, candidates) := matched if {
	lower(pattern) in {"*", "*:*"}
	matched := {name | some name, _ in candidates}
} else := matched if {
	not wildcard(pattern)
	key := lower(pattern)
	matched := {key | candidates[key]}
} else := matched if {
	prefix_pattern(pattern)
	prefix := lower(trim_suffix(pattern, "*"))
	matched := {name | some name, _ in candidates; startswith(name, prefix)}
} else := matched if {
	lowered := lower(pattern)
	matched := {name | some name, _ in candidates; glob.match(lowered, [], name)}
}

# The candidates a statement's Action list matches, or (with NotAction) does not exclude.
named_candidates(stmt, candidates) := matched if {
	excluded := stmt.NotAction
	is_array(excluded)
	matched := {name | some name, _ in candidates} - union({pattern_matches(p, candidates) | some p in excluded})
} else := union({pattern_matches(p, candidates) | some p in actions(stmt)})

# The candidates the statement allows (on whatever resources it names).
allowed_candidates(stmt, candidates) := named_candidates(stmt, candidates) if {
	allows(stmt)
} else := set()

# The candidates one of the documents denies on every resource without a condition (see
# denied_everywhere).
denied_candidates(docs, candidates) := union({named_candidates(stmt, candidates) |
	some d in docs
	some stmt in statements(d.document)
	stmt.Effect == "Deny"
	count(object.get(stmt, "Condition", {})) == 0
	all_resources(stmt)
})

# The statement allows `action` (an action name, not a pattern): an Allow whose Action
# matches it, or an Allow with a NotAction that does not exclude it.
grants_action(stmt, action) if lower(action) in allowed_candidates(stmt, {lower(action): action})

# The statement reaches every resource: Resource "*", or NotResource (all but the listed).
every_resource(stmt) if all_resources(stmt)

every_resource(stmt) if is_array(stmt.NotResource)

# The statement reaches every resource of `kind` ("role", "object", "key"): every resource,
# or a pattern that covers them all (see every_of_kind).
covers_every(stmt, kind) if every_resource(stmt)

covers_every(stmt, kind) if {
	some r in resources(stmt)
	every_of_kind(r, kind)
}

# The resource pattern `r` covers every resource of `kind`: "*"; "arn:aws:*:*:*:*"; every
# role, "arn:aws:iam::<account or *>:role/*"; every S3 object, "arn:aws:s3:::*" or
# "arn:aws:s3:::*/*"; every KMS key, "arn:aws:kms:<region>:<account>:key/*" (any region or
# account, wildcards included).
every_of_kind(r, kind) if r == "*"

every_of_kind(r, kind) if {
	fields := split(r, ":")
	count(fields) == 6
	fields[0] == "arn"
	arn_covers(fields, kind)
}

arn_covers(fields, kind) if {
	fields[2] == "*"
	fields[5] == "*"
}

arn_covers(fields, "role") if {
	fields[2] == "iam"
	fields[3] == ""
	fields[5] in {"*", "role/*"}
}

arn_covers(fields, "object") if {
	fields[2] == "s3"
	fields[3] == ""
	fields[4] == ""
	fields[5] in {"*", "*/*"}
}

arn_covers(fields, "key") if {
	fields[2] == "kms"
	fields[5] in {"*", "key/*"}
}

# The statement lets the role pass every role of the account: iam:PassRole on a Resource
# pattern that matches every role ARN ("*", "arn:aws:iam::<account>:role/*",
# "arn:aws:iam::*:*", "arn:*", ...), or with a NotResource that does not exclude every role
# (it still reaches every role it does not name, those created later included).
passes_any_role(stmt) if {
	grants_action(stmt, "iam:PassRole")
	reaches_every(stmt, "role")
}

# --- resource scope --------------------------------------------------------------------
#
# An action acts only on the resources its statement's Resource matches (or NotResource does
# not match). ARN patterns use * (any run of characters, across ":" and "/") and ? (one
# character) and are case-sensitive. `kind` names a resource type by the ARN every resource
# of it starts with: arn:<partition>:<service>:<region>:<account>:<resource prefix>.
# Unknown account (no metadata): any account.

arn_kinds := {
	"role": ["iam", "", "role/"],
	"user": ["iam", "", "user/"],
	"group": ["iam", "", "group/"],
	"policy": ["iam", "", "policy/"],
	"function": ["lambda", "*", "function:"],
	"dev-endpoint": ["glue", "*", "devEndpoint/"],
}

arn_partition := object.get(input, ["metadata", "partition"], "aws")

arn_account := object.get(input, ["metadata", "account_id"], "*")

# [arn, partition, service, region, account, resource prefix]; "*" is any non-empty value.
arn_template(kind) := ["arn", arn_partition, k[0], k[1], arn_account, k[2]] if k := arn_kinds[kind]

wild_text(s) if contains(s, "*")

wild_text(s) if contains(s, "?")

# The text of a pattern before its first wildcard.
literal_prefix(s) := substring(s, 0, min(stops)) if {
	stops := [i | some i in [indexof(s, "*"), indexof(s, "?")]; i >= 0]
	count(stops) > 0
} else := s

segment_fits(s, "*") if s != ""

segment_fits(s, expected) if {
	expected != "*"
	s == expected
}

prefix_fits(_, "*") := true

prefix_fits(lp, expected) if {
	expected != "*"
	startswith(expected, lp)
}

resource_fits(res, prefix) if {
	wild_text(res)
	lp := literal_prefix(res)
	startswith(prefix, lp)
}

resource_fits(res, prefix) if {
	wild_text(res)
	startswith(literal_prefix(res), prefix)
}

resource_fits(res, prefix) if {
	not wild_text(res)
	startswith(res, prefix)
	count(res) > count(prefix)
}

# The ARN pattern `p` may match some resource of `kind`; so "arn:aws:s3:::bucket/*" never
# matches a role and "arn:aws:iam::*:role/ml-*" may. When in doubt it may match.
#
# The ARNs of IAM users, groups, roles and policies and of Glue dev endpoints have exactly
# five colons, so a pattern with five colons matches them segment by segment (its colons
# must meet theirs), and one with more matches none. Otherwise (fewer colons, where a "*"
# runs on across ":", and Lambda functions, whose ARNs may carry a version) segments are
# compared up to the first one with a wildcard, that one by its text before the wildcard.
five_colon_kinds := {"role", "user", "group", "policy", "dev-endpoint"}

# A policy variable (${aws:username}) stands for one value, any value: a "*" here.
may_match(p, kind) if may_match_pattern(regex.replace(p, `\$\{[^}]*\}`, "*"), kind)

may_match_pattern(p, kind) if {
	five_colon_kinds[kind]
	t := arn_template(kind)
	segs := split(p, ":")
	count(segs) == 6
	count([j | some j, s in segs; j < 5; not segment_glob_fits(s, t[j])]) == 0
	resource_fits(segs[5], t[5])
}

may_match_pattern(p, kind) if {
	five_colon_kinds[kind]
	count(split(p, ":")) < 6
	may_match_by_prefix(p, kind)
}

may_match_pattern(p, kind) if {
	not five_colon_kinds[kind]
	may_match_by_prefix(p, kind)
}

segment_glob_fits(s, "*") if s != ""

segment_glob_fits(s, expected) if {
	expected != "*"
	regex.match(pattern_regex(s), expected)
}

may_match_by_prefix(p, kind) if {
	t := arn_template(kind)
	segs := split(p, ":")
	k := min(array.concat([j | some j, s in segs; j < 5; wild_text(s)], [5]))
	count([j | some j, s in segs; j < k; not segment_fits(s, t[j])]) == 0
	rest_fits(segs, k, t)
}

rest_fits(segs, k, t) if {
	k < 5
	prefix_fits(literal_prefix(segs[k]), t[k])
}

rest_fits(segs, 5, t) if {
	count(segs) >= 6
	resource_fits(concat(":", array.slice(segs, 5, count(segs))), t[5])
}

# Characters that mean something in a regular expression and nothing in an ARN pattern.
regex_specials := {".", "+", "(", ")", "[", "]", "{", "}", "^", "$", "|", "\\"}

regex_token("*") := ".*"

regex_token("?") := "."

regex_token(c) := concat("", ["\\", c]) if regex_specials[c]

regex_token(c) := c if {
	not regex_specials[c]
	not c in {"*", "?"}
}

# The ARN pattern as an anchored regular expression.
pattern_regex(p) := concat("", array.concat(["^"], array.concat([regex_token(c) | some c in split(p, "")], ["$"])))

# The text every ARN of `kind` in the account starts with, up to its first free part
# ("arn:aws:iam::123456789012:role/", "arn:aws:lambda:").
kind_prefix(kind) := concat(":", [t[0], t[1], t[2], t[3], t[4], t[5]]) if {
	t := arn_template(kind)
	t[3] != "*"
	t[4] != "*"
}

kind_prefix(kind) := concat(":", [t[0], t[1], t[2], ""]) if {
	t := arn_template(kind)
	t[3] == "*"
}

kind_prefix(kind) := concat(":", [t[0], t[1], t[2], t[3], ""]) if {
	t := arn_template(kind)
	t[3] != "*"
	t[4] == "*"
}

# The ARN pattern `p` matches every resource of `kind`: it ends in "*" and matches the
# kind's prefix, so it matches that prefix followed by anything.
matches_every(p, kind) if {
	endswith(p, "*")
	regex.match(pattern_regex(p), kind_prefix(kind))
}

# The statement may act on some resource of `kind`.
acts_on(stmt, kind) if {
	not is_array(object.get(stmt, "NotResource", null))
	some r in resources(stmt)
	may_match(r, kind)
}

acts_on(stmt, kind) if {
	is_array(stmt.NotResource)
	not excludes_every(stmt, kind)
}

excludes_every(stmt, kind) if {
	some r in stmt.NotResource
	matches_every(r, kind)
}

# The statement acts on every resource of `kind` (a NotResource statement: on every one it
# does not name, see passes_any_role).
reaches_every(stmt, kind) if {
	not is_array(object.get(stmt, "NotResource", null))
	some r in resources(stmt)
	matches_every(r, kind)
}

reaches_every(stmt, kind) if {
	is_array(stmt.NotResource)
	not excludes_every(stmt, kind)
}

# One of the documents ({"document": ...} entries, as role_documents returns) denies
# `action` on every resource without a condition, so no Allow can grant it. A conditional
# or resource-scoped Deny is not taken into account (it neutralises an Allow only in part).
denied_everywhere(docs, action) if {
	some d in docs
	some stmt in statements(d.document)
	stmt.Effect == "Deny"
	count(object.get(stmt, "Condition", {})) == 0
	all_resources(stmt)
	lower(action) in named_candidates(stmt, {lower(action): action})
}

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

# Allow statements of the trust policy that let their principals call sts:AssumeRole.
assume_statements(role) := [[n, stmt] |
	some n, stmt in statements(object.get(role, "AssumeRolePolicyDocument", {}))
	allows_action(stmt, "sts:AssumeRole")
]

# The account of an AWS principal: a 12-digit account id, or the account field of an ARN
# (arn:aws:iam::111122223333:root, ...:role/x, arn:aws:sts::...:assumed-role/...). Undefined
# for "*" and for unique ids (AROA..., left behind when a trusted principal is deleted).
principal_account(p) := p if account_id(p)

principal_account(p) := account if {
	startswith(p, "arn:")
	fields := split(p, ":")
	count(fields) >= 6
	account := fields[4]
	account_id(account)
}

# Twelve digits.
account_id(value) if {
	count(value) == 12
	trim_left(value, "0123456789") == ""
}

# Operators that require a key to be present and to match: the ones that can pin a value.
# Negations, Null, ...IfExists (true when the key is absent) and ForAllValues: (true for an
# empty or absent key) cannot.
pinning_operators := {"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike"}

pinning_operator(operator) if pinning_operators[lower(trim_prefix(operator, "ForAnyValue:"))]

# A condition value that names something: not empty and not only wildcards.
concrete(value) if {
	is_string(value)
	trim(value, "*?") != ""
}

# The statement's condition requires one of `keys` (lower-case condition keys) to match a
# concrete value.
requires_key(stmt, keys) if {
	some operator, conditions in object.get(stmt, "Condition", {})
	pinning_operator(operator)
	some name, values in conditions
	keys[lower(name)]
	some value in values
	concrete(value)
}

# Keys that tie a service's request to the resource or account it acts for (confused deputy).
source_keys := {"aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "aws:sourceorgpaths"}

# The statement pins the source of a service's request: aws:SourceAccount, aws:SourceOrgID
# or aws:SourceOrgPaths with a concrete value, or aws:SourceArn with a concrete account
# (arn:aws:sagemaker:us-east-1:*:* pins nothing; S3 ARNs carry no account and pin by bucket).
source_condition(stmt) if {
	some operator, conditions in object.get(stmt, "Condition", {})
	pinning_operator(operator)
	some name, values in conditions
	source_keys[lower(name)]
	some value in values
	pins_source(lower(name), value)
}

pins_source(name, value) if {
	name != "aws:sourcearn"
	concrete(value)
}

pins_source("aws:sourcearn", value) if {
	fields := split(value, ":")
	count(fields) >= 6
	concrete(fields[4])
}

pins_source("aws:sourcearn", value) if {
	fields := split(value, ":")
	count(fields) >= 6
	fields[2] == "s3"
	concrete(fields[5])
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
