package mlguard.network_isolation.notebook_outside_vpc

import rego.v1

mk_nb(extra) := object.union(
	{"NotebookInstanceName": "nb", "NotebookInstanceArn": "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/nb", "DirectInternetAccess": "Enabled"},
	extra,
)

mk_snap(nbs) := {"metadata": {"account_id": "123456789012"}, "regions": {"us-east-1": {"sagemaker": {"notebook_instances": nbs}}}}

mk_gap(code) := {"gaps": [{
	"service": "sagemaker", "region": "us-east-1", "operation": "DescribeNotebookInstance",
	"resource": "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/nb",
	"error_code": code, "message": "denied",
}]}

test_no_subnet_denied if {
	some r in deny with input as mk_snap([mk_nb({})])
	r.msg == "notebook instance nb is not in a VPC (no SubnetId): it runs in a network SageMaker manages, with direct internet access"
}

test_empty_subnet_denied if {
	count(deny) == 1 with input as mk_snap([mk_nb({"SubnetId": ""})])
}

test_in_subnet_passes if {
	count(deny) == 0 with input as mk_snap([mk_nb({"SubnetId": "subnet-1", "DirectInternetAccess": "Disabled"})])
	count(applicable) == 1 with input as mk_snap([mk_nb({"SubnetId": "subnet-1"})])
}

test_describe_failed_not_assessed if {
	snap := object.union(mk_snap([mk_nb({})]), mk_gap("AccessDeniedException"))
	count(deny) == 0 with input as snap
	some r in not_assessed with input as snap
	r.msg == "not assessed: DescribeNotebookInstance failed (AccessDeniedException)"
}
