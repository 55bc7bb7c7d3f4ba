package mlguard.least_privilege.unused_role

import rego.v1

mk_role(extra) := object.union({"RoleName": "r", "Arn": "arn:aws:iam::123456789012:role/r", "Path": "/", "CreateDate": "2025-01-01T00:00:00Z"}, extra)

mk_snap(r) := {"metadata": {"account_id": "123456789012", "collected_at": "2026-11-26T00:00:00Z"}, "iam": {"roles": [r]}}

mk_used(date) := mk_snap(mk_role({"RoleLastUsed": {"LastUsedDate": date, "Region": "us-east-1"}}))

test_last_used_long_ago_denied if {
	some d in deny with input as mk_used("2026-06-01T12:00:00+00:00")
	d.msg == "role r was last used on 2026-06-01T12:00:00+00:00, 177 days before collection (more than 90)"
}

test_never_used_old_role_denied if {
	some d in deny with input as mk_snap(mk_role({"RoleLastUsed": {}}))
	d.msg == "role r has never been used and was created on 2025-01-01T00:00:00Z, 694 days before collection (more than 90)"
}

test_null_last_used_date_is_never_used_denied if {
	count(deny) == 1 with input as mk_snap(mk_role({"RoleLastUsed": {"LastUsedDate": null}}))
}

test_just_over_threshold_denied if {
	count(deny) == 1 with input as mk_used("2026-08-27T23:59:59Z")
}

test_exactly_threshold_passes if {
	count(deny) == 0 with input as mk_used("2026-08-28T00:00:00Z")
}

test_threshold_from_config_denied if {
	count(deny) == 1 with input as mk_used("2026-11-01T00:00:00Z") with data.mlguard_config.unused_role_days as 7
}

test_recently_used_passes if {
	count(deny) == 0 with input as mk_used("2026-11-20T08:00:00Z")
	count(applicable) == 1 with input as mk_used("2026-11-20T08:00:00Z")
	count(not_assessed) == 0 with input as mk_used("2026-11-20T08:00:00Z")
}

test_never_used_new_role_passes if {
	snap := mk_snap(mk_role({"RoleLastUsed": {}, "CreateDate": "2026-11-01T00:00:00Z"}))
	count(deny) == 0 with input as snap
	count(not_assessed) == 0 with input as snap
}

test_measured_from_collection_not_clock_passes if {
	snap := object.union(mk_used("2020-01-01T00:00:00Z"), {"metadata": {"collected_at": "2020-02-01T00:00:00Z"}})
	count(deny) == 0 with input as snap
}

test_service_linked_role_not_judged_passes if {
	r := mk_role({"Path": "/aws-service-role/sagemaker.amazonaws.com/", "RoleLastUsed": {}})
	count(applicable) == 0 with input as mk_snap(r)
	count(deny) == 0 with input as mk_snap(r)
}

test_last_used_not_collected_not_assessed if {
	some d in not_assessed with input as mk_snap(mk_role({}))
	d.msg == "not assessed: RoleLastUsed of role r was not collected (iam:GetRole)"
	count(deny) == 0 with input as mk_snap(mk_role({}))
}

test_get_role_gap_not_assessed if {
	snap := object.union(mk_snap(mk_role({})), {"gaps": [{
		"service": "iam", "region": "global", "operation": "GetRole",
		"resource": "arn:aws:iam::123456789012:role/r", "error_code": "AccessDenied", "message": "denied",
	}]})
	some d in not_assessed with input as snap
	d.msg == "not assessed: GetRole failed (AccessDenied) for role r"
}

test_missing_collected_at_not_assessed if {
	snap := {"metadata": {"account_id": "123456789012"}, "iam": {"roles": [mk_role({"RoleLastUsed": {}})]}}
	count(not_assessed) == 1 with input as snap
	count(deny) == 0 with input as snap
}

test_unreadable_date_not_assessed if {
	count(not_assessed) == 1 with input as mk_used("last tuesday")
	count(deny) == 0 with input as mk_used("last tuesday")
}

test_never_used_without_create_date_not_assessed if {
	snap := mk_snap(object.remove(mk_role({"RoleLastUsed": {}}), ["CreateDate"]))
	count(not_assessed) == 1 with input as snap
	count(deny) == 0 with input as snap
}
