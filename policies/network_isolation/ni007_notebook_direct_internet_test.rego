package mlguard.network_isolation.notebook_direct_internet_access

import rego.v1

mk_nb(extra) := object.union(
	{"NotebookInstanceName": "nb", "NotebookInstanceArn": "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/nb", "SubnetId": "subnet-1", "DirectInternetAccess": "Disabled"},
	extra,
)

mk_snap(nbs) := {"metadata": {"account_id": "123456789012"}, "regions": {"us-east-1": {"sagemaker": {"notebook_instances": nbs}}}}

test_enabled_in_vpc_denied if {
	some r in deny with input as mk_snap([mk_nb({"DirectInternetAccess": "Enabled"})])
	r.msg == "notebook instance nb has direct internet access (DirectInternetAccess Enabled), beside its interface in subnet subnet-1"
}

test_enabled_without_vpc_denied if {
	some r in deny with input as mk_snap([object.remove(mk_nb({"DirectInternetAccess": "Enabled"}), ["SubnetId"])])
	contains(r.msg, "and no interface in a VPC")
}

test_disabled_passes if {
	count(deny) == 0 with input as mk_snap([mk_nb({})])
	count(applicable) == 1 with input as mk_snap([mk_nb({})])
}

test_missing_field_not_assessed if {
	snap := mk_snap([object.remove(mk_nb({}), ["DirectInternetAccess"])])
	count(deny) == 0 with input as snap
	some r in not_assessed with input as snap
	contains(r.msg, "is not in the snapshot")
}

test_describe_failed_not_assessed if {
	snap := object.union(mk_snap([object.remove(mk_nb({}), ["DirectInternetAccess"])]), {"gaps": [{
		"service": "sagemaker", "region": "us-east-1", "operation": "DescribeNotebookInstance",
		"resource": "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/nb",
		"error_code": "AccessDeniedException", "message": "denied",
	}]})
	some r in not_assessed with input as snap
	r.msg == "not assessed: DescribeNotebookInstance failed (AccessDeniedException)"
}

test_describe_failed_by_name_not_assessed if {
	snap := object.union(mk_snap([object.remove(mk_nb({}), ["DirectInternetAccess"])]), {"gaps": [{
		"service": "sagemaker", "region": "us-east-1", "operation": "DescribeNotebookInstance",
		"resource": "nb", "error_code": "ThrottlingException", "message": "slow down",
	}]})
	some r in not_assessed with input as snap
	r.msg == "not assessed: DescribeNotebookInstance failed (ThrottlingException)"
}
