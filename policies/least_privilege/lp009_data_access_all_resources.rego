# METADATA
# title: Role reads or writes data on every bucket or key
# description: >-
#   One of an IAM role's inline or attached managed policies allows an S3 object action
#   (s3:GetObject, s3:PutObject, s3:DeleteObject) or a KMS cryptographic action
#   (kms:Decrypt, kms:Encrypt, kms:GenerateDataKey) on Resource "*", on a pattern covering
#   every bucket or key ("arn:aws:s3:::*", "arn:aws:s3:::*/*", "arn:aws:kms:*:*:key/*"), or
#   with NotResource. Wildcard actions ("s3:*", "s3:Get*", "kms:*", "*") and NotAction
#   count. Conditions are not evaluated (an ABAC condition on aws:ResourceTag or a
#   kms:ViaService condition may narrow the grant: the message says when the statement has
#   one). An action is cleared only when a document of the role denies it on "*" without a
#   condition. A statement that allows "*" on "*" is LP-003's finding and is not repeated
#   here. A role with a policy (managed or inline) whose document is missing from the
#   snapshot, and no other evidence, is not assessed.
# custom:
#   id: LP-009
#   name: data-plane-actions-on-all-resources
#   pillar: least_privilege
#   severity: medium
#   service: iam
#   resource_type: AWS::IAM::Role
#   status: preview
#   rationale: >-
#     The data of an ML workload is its training sets, features and model artifacts in S3,
#     protected by KMS keys. A role that can read every object and decrypt with every key
#     reaches other teams' data and anything else stored in the account; one that can write
#     or delete every object can poison training data or destroy models. Scoping the data
#     actions to the workload's buckets and keys is the core of least privilege for ML.
#   remediation:
#     text: >-
#       Name the workload's buckets and prefixes (arn:aws:s3:::ml-training-data/*) and its
#       KMS key ARNs in the Resource of the data statements; split read-only inputs from
#       writable output prefixes.
#     action: iam-replace-broad-policies
#   frameworks:
#     ml_lens: {partial: [MLSEC-03]}
#     lab: {partial: [lab-concept-least-privilege]}
#   references:
#     - https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html
#     - https://docs.aws.amazon.com/kms/latest/developerguide/iam-policies-best-practices.html
#     - https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html
#     - https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec-03.html
#   inputs: [iam:GetAccountAuthorizationDetails]
package mlguard.least_privilege.data_access_all_resources

import rego.v1

import data.mlguard.lib.iam
import data.mlguard.lib.resource
import data.mlguard.lib.result

# Data actions and the kind of resource they act on (see iam.every_of_kind).
data_actions := {
	"s3:GetObject": "object",
	"s3:PutObject": "object",
	"s3:DeleteObject": "object",
	"kms:Decrypt": "key",
	"kms:Encrypt": "key",
	"kms:GenerateDataKey": "key",
}

conditional(stmt) := " (under a condition)" if count(object.get(stmt, "Condition", {})) > 0

conditional(stmt) := "" if count(object.get(stmt, "Condition", {})) == 0

# The broad resources of a statement, as written, for messages.
broad_resources(stmt) := sprintf("all but %s (NotResource)", [concat(", ", stmt.NotResource)]) if is_array(stmt.NotResource)

broad_resources(stmt) := concat(", ", [r |
	some r in iam.resources(stmt)
	broad_resource(r)
]) if not is_array(object.get(stmt, "NotResource", null))

broad_resource(r) if r == "*"

broad_resource(r) if {
	some kind in {"object", "key"}
	iam.every_of_kind(r, kind)
}

# The same, as candidates for iam.pattern_matches (lower-case name -> name).
candidates := {lower(action): action | some action, _ in data_actions}

evidence(role) := [sprintf("%s %s allows %s on %s%s", [iam.document_label(d), iam.statement_label(n, stmt), concat(", ", found), broad_resources(stmt), conditional(stmt)]) |
	docs := iam.role_documents(role)
	denied := iam.denied_candidates(docs, candidates)
	some d in docs
	some n, stmt in iam.statements(d.document)
	not iam.full_admin(stmt)
	allowed := iam.allowed_candidates(stmt, candidates) - denied
	found := [action |
		some name in sort(allowed)
		action := candidates[name]
		iam.covers_every(stmt, data_actions[action])
	]
	count(found) > 0
]

# The evidence of every role, by index, read by deny and not_assessed.
evidence_by_role := {i: evidence(role) | some i, role in input.iam.roles}

applicable contains resource.role(i, role) if some i, role in input.iam.roles

deny contains result.new(resource.role(i, role), msg) if {
	some i, role in input.iam.roles
	found := evidence_by_role[i]
	count(found) > 0
	msg := sprintf("role %s can use data actions on every bucket or key: %s", [role.RoleName, concat("; ", found)])
}

not_assessed contains result.new(resource.role(i, role), msg) if {
	some i, role in input.iam.roles
	count(evidence_by_role[i]) == 0
	missing := iam.missing_documents(role)
	count(missing) > 0
	msg := sprintf("not assessed: role %s has policies whose document is not in the snapshot: %s", [role.RoleName, concat(", ", missing)])
}
