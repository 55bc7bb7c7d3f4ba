package mlguard.network_isolation.vpc_without_flow_logs

import rego.v1

mk_snap(logs) := {
	"metadata": {"account_id": "123456789012"},
	"regions": {"us-east-1": {"ec2": {"vpcs": [{"VpcId": "vpc-1"}], "flow_logs": logs}}},
}

mk_log(extra) := object.union({"FlowLogId": "fl-1", "ResourceId": "vpc-1", "FlowLogStatus": "ACTIVE", "TrafficType": "ALL"}, extra)

test_no_flow_log_denied if {
	some r in deny with input as mk_snap([])
	r.msg == "VPC vpc-1 has no active flow log"
}

test_flow_log_of_other_vpc_denied if {
	count(deny) == 1 with input as mk_snap([mk_log({"ResourceId": "vpc-2"})])
}

test_subnet_flow_log_only_denied if {
	count(deny) == 1 with input as mk_snap([mk_log({"ResourceId": "subnet-1"})])
}

test_inactive_flow_log_denied if {
	some r in deny with input as mk_snap([mk_log({"FlowLogStatus": "INACTIVE"})])
	contains(r.msg, "inactive or record accepted traffic only")
}

test_accept_only_flow_log_denied if {
	count(deny) == 1 with input as mk_snap([mk_log({"TrafficType": "ACCEPT"})])
}

test_active_flow_log_passes if {
	count(deny) == 0 with input as mk_snap([mk_log({})])
}

test_reject_only_flow_log_passes if {
	count(deny) == 0 with input as mk_snap([mk_log({"TrafficType": "REJECT"})])
}

test_flow_log_without_status_passes if {
	count(deny) == 0 with input as mk_snap([{"FlowLogId": "fl-1", "ResourceId": "vpc-1"}])
}

test_one_good_flow_log_among_inactive_ones_passes if {
	count(deny) == 0 with input as mk_snap([mk_log({"FlowLogStatus": "INACTIVE", "FlowLogId": "fl-0"}), mk_log({})])
}

test_flow_logs_listing_failed_not_assessed if {
	snap := object.union(mk_snap([]), {"gaps": [{"service": "ec2", "region": "us-east-1", "operation": "DescribeFlowLogs", "error_code": "UnauthorizedOperation", "message": "denied"}]})
	count(deny) == 0 with input as snap
	count(not_assessed) == 1 with input as snap
}

test_every_vpc_is_applicable if {
	count(applicable) == 1 with input as mk_snap([])
}
