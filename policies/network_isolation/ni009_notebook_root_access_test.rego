package mlguard.network_isolation.notebook_root_access

import rego.v1

mk_nb(extra) := object.union(
	{"NotebookInstanceName": "nb", "NotebookInstanceArn": "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/nb", "RootAccess": "Disabled"},
	extra,
)

mk_snap(nbs) := {"metadata": {"account_id": "123456789012"}, "regions": {"us-east-1": {"sagemaker": {"notebook_instances": nbs}}}}

test_root_enabled_denied if {
	some r in deny with input as mk_snap([mk_nb({"RootAccess": "Enabled"})])
	r.msg == "notebook instance nb gives its users root access (RootAccess Enabled)"
}

test_root_disabled_passes if {
	count(deny) == 0 with input as mk_snap([mk_nb({})])
	count(applicable) == 1 with input as mk_snap([mk_nb({})])
}

test_missing_field_not_assessed if {
	snap := mk_snap([object.remove(mk_nb({}), ["RootAccess"])])
	count(deny) == 0 with input as snap
	some r in not_assessed with input as snap
	r.msg == "not assessed: the RootAccess of notebook instance nb is not in the snapshot"
}

test_describe_failed_not_assessed if {
	snap := object.union(mk_snap([object.remove(mk_nb({}), ["RootAccess"])]), {"gaps": [{
		"service": "sagemaker", "region": "us-east-1", "operation": "DescribeNotebookInstance",
		"resource": "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/nb",
		"error_code": "AccessDeniedException", "message": "denied",
	}]})
	some r in not_assessed with input as snap
	r.msg == "not assessed: DescribeNotebookInstance failed (AccessDeniedException)"
}
