# METADATA
# title: Role not used for more than the allowed number of days
# description: >-
#   An IAM role has not been used for more than N days (`unused_role_days`, default 90),
#   measured from the snapshot's metadata.collected_at, never from the clock, so the same
#   snapshot always gives the same result. Use is read from RoleLastUsed (iam:GetRole): a
#   LastUsedDate older than N days fails; a RoleLastUsed without LastUsedDate (`{}`) means
#   the role was never used within IAM's tracking period, and the role fails when its
#   CreateDate is more than N days old. A role without RoleLastUsed was not read by the
#   collector and is not assessed, as are roles with an unreadable date and every role when
#   collected_at is missing. Service-linked roles are not judged (their service manages
#   them).
# custom:
#   id: LP-011
#   name: unused-role
#   pillar: least_privilege
#   severity: low
#   service: iam
#   resource_type: AWS::IAM::Role
#   status: preview
#   rationale: >-
#     A role nobody uses still carries its permissions and its trust policy: a forgotten
#     experiment's execution role, or a vendor integration that ended, is attack surface
#     that no workload would miss. Removing unused roles keeps the set of identities that
#     can reach ML data small enough to review.
#   remediation:
#     text: >-
#       Confirm with the owner (tags, CloudTrail) that the role is not needed, then detach its
#       policies, remove it from instance profiles and delete it. To keep it dormant
#       instead, replace its trust policy with one that nobody can satisfy.
#     action: iam-delete-unused-role
#   frameworks:
#     ml_lens: {partial: [MLSEC-03]}
#     lab: {partial: [lab-concept-least-privilege]}
#   references:
#     - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_manage_delete.html
#     - https://docs.aws.amazon.com/IAM/latest/APIReference/API_RoleLastUsed.html
#     - https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#remove-credentials
#     - https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec-03.html
#   inputs: [iam:GetAccountAuthorizationDetails, iam:GetRole]
package mlguard.least_privilege.unused_role

import rego.v1

import data.mlguard.lib.config
import data.mlguard.lib.gaps
import data.mlguard.lib.iam
import data.mlguard.lib.resource
import data.mlguard.lib.result

ns_per_day := ((24 * 60) * 60) * 1000000000

# The threshold, read through a rule of this package (functions must not read imported rules).
unused_role_days := config.unused_role_days

# An RFC 3339 timestamp time.parse_rfc3339_ns accepts (anything else would be an error).
timestamp(value) if {
	is_string(value)
	regex.match(`^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|z|[+-][0-9]{2}:[0-9]{2})$`, value)
}

collected_ns := time.parse_rfc3339_ns(input.metadata.collected_at) if timestamp(input.metadata.collected_at)

# Whole days from `value` to the collection time.
days_before_collection(value) := floor((collected_ns - time.parse_rfc3339_ns(value)) / ns_per_day) if timestamp(value)

unused(value) if {
	timestamp(value)
	collected_ns - time.parse_rfc3339_ns(value) > unused_role_days * ns_per_day
}

last_used(role) := object.get(role, "RoleLastUsed", null)

# Undefined when RoleLastUsed is absent; null when the role was never used.
last_used_date(role) := object.get(last_used(role), "LastUsedDate", null) if is_object(last_used(role))

never_used(role) if {
	is_object(last_used(role))
	last_used_date(role) == null
}

judged(role) if not iam.service_linked(role)

applicable contains resource.role(i, role) if {
	some i, role in input.iam.roles
	judged(role)
}

deny contains result.new(resource.role(i, role), msg) if {
	some i, role in input.iam.roles
	judged(role)
	date := last_used_date(role)
	unused(date)
	msg := sprintf("role %s was last used on %s, %d days before collection (more than %d)", [role.RoleName, date, days_before_collection(date), unused_role_days])
}

deny contains result.new(resource.role(i, role), msg) if {
	some i, role in input.iam.roles
	judged(role)
	never_used(role)
	unused(role.CreateDate)
	msg := sprintf("role %s has never been used and was created on %s, %d days before collection (more than %d)", [role.RoleName, role.CreateDate, days_before_collection(role.CreateDate), unused_role_days])
}

not_assessed contains result.new(resource.role(i, role), msg) if {
	some i, role in input.iam.roles
	judged(role)
	not collected_ns
	msg := sprintf("not assessed: the snapshot has no valid metadata.collected_at (RFC 3339) to measure role %s's age from", [role.RoleName])
}

not_assessed contains result.new(resource.role(i, role), msg) if {
	some i, role in input.iam.roles
	judged(role)
	collected_ns
	not is_object(last_used(role))
	msg := not_read(role)
}

not_assessed contains result.new(resource.role(i, role), msg) if {
	some i, role in input.iam.roles
	judged(role)
	collected_ns
	date := last_used_date(role)
	date != null
	not timestamp(date)
	msg := sprintf("not assessed: role %s has an unreadable RoleLastUsed.LastUsedDate %v", [role.RoleName, date])
}

not_assessed contains result.new(resource.role(i, role), msg) if {
	some i, role in input.iam.roles
	judged(role)
	collected_ns
	never_used(role)
	not timestamp(object.get(role, "CreateDate", null))
	msg := sprintf("not assessed: role %s was never used and has no readable CreateDate to measure its age from", [role.RoleName])
}

# Why RoleLastUsed is absent: the GetRole call failed (a gap), or it was not collected.
not_read(role) := sprintf("%s for role %s", [gaps.reason("GetRole", id), role.RoleName]) if {
	some id in [role.Arn, role.RoleName]
	gaps.resource_failed("GetRole", id)
} else := sprintf("not assessed: RoleLastUsed of role %s was not collected (iam:GetRole)", [role.RoleName])
