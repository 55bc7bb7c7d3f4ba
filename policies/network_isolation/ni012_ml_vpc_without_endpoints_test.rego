package mlguard.network_isolation.ml_vpc_without_endpoints

import rego.v1

mk_endpoint(id, service, type, extra) := object.union(
	{"VpcEndpointId": id, "VpcId": "vpc-1", "ServiceName": sprintf("com.amazonaws.us-east-1.%s", [service]), "VpcEndpointType": type, "State": "available", "PrivateDnsEnabled": type == "Interface"},
	extra,
)

mk_all := [
	mk_endpoint("vpce-s3", "s3", "Gateway", {}),
	mk_endpoint("vpce-api", "sagemaker.api", "Interface", {}),
	mk_endpoint("vpce-rt", "sagemaker.runtime", "Interface", {}),
]

# vpc-1 hosts a notebook; vpc-2 hosts nothing of the workload.
mk_snap(endpoints) := {
	"metadata": {"account_id": "123456789012"},
	"regions": {"us-east-1": {
		"ec2": {
			"vpcs": [{"VpcId": "vpc-1"}, {"VpcId": "vpc-2"}],
			"subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1"}],
			"vpc_endpoints": endpoints,
		},
		"sagemaker": {"notebook_instances": [{"NotebookInstanceName": "nb", "NotebookInstanceArn": "arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/nb", "SubnetId": "subnet-1"}]},
	}},
}

test_no_endpoints_denied if {
	some r in deny with input as mk_snap([])
	r.msg == concat("", [
		"VPC vpc-1 hosts the ML workload (notebook nb) but lacks ",
		"an S3 gateway endpoint (com.amazonaws.us-east-1.s3); ",
		"a SageMaker API interface endpoint (com.amazonaws.us-east-1.sagemaker.api); ",
		"a SageMaker runtime interface endpoint (com.amazonaws.us-east-1.sagemaker.runtime)",
	])
}

test_all_endpoints_passes if {
	count(deny) == 0 with input as mk_snap(mk_all)
}

test_lowercase_and_capitalized_states_pass if {
	count(deny) == 0 with input as mk_snap([
		mk_endpoint("vpce-s3", "s3", "Gateway", {"State": "Available"}),
		mk_endpoint("vpce-api", "sagemaker.api", "Interface", {"State": "available"}),
		mk_endpoint("vpce-rt", "sagemaker.runtime-fips", "Interface", {"State": "AVAILABLE"}),
	])
}

test_missing_runtime_endpoint_denied if {
	some r in deny with input as mk_snap(array.slice(mk_all, 0, 2))
	endswith(r.msg, "lacks a SageMaker runtime interface endpoint (com.amazonaws.us-east-1.sagemaker.runtime)")
}

test_s3_interface_endpoint_instead_of_gateway_denied if {
	some r in deny with input as mk_snap(array.concat([mk_endpoint("vpce-s3", "s3", "Interface", {})], array.slice(mk_all, 1, 3)))
	contains(r.msg, "an S3 gateway endpoint (com.amazonaws.us-east-1.s3): the one there is not available")
}

test_pending_endpoint_denied if {
	count(deny) == 1 with input as mk_snap(array.concat(array.slice(mk_all, 0, 2), [mk_endpoint("vpce-rt", "sagemaker.runtime", "Interface", {"State": "pendingAcceptance"})]))
}

test_interface_endpoint_without_private_dns_denied if {
	count(deny) == 1 with input as mk_snap(array.concat(array.slice(mk_all, 0, 2), [mk_endpoint("vpce-rt", "sagemaker.runtime", "Interface", {"PrivateDnsEnabled": false})]))
}

test_endpoint_in_other_vpc_denied if {
	count(deny) == 1 with input as mk_snap(array.concat(array.slice(mk_all, 0, 2), [mk_endpoint("vpce-rt", "sagemaker.runtime", "Interface", {"VpcId": "vpc-2"})]))
}

test_endpoint_of_other_region_denied if {
	count(deny) == 1 with input as mk_snap(array.concat(array.slice(mk_all, 0, 2), [object.union(mk_endpoint("vpce-rt", "sagemaker.runtime", "Interface", {}), {"ServiceName": "com.amazonaws.us-west-2.sagemaker.runtime"})]))
}

test_vpc_outside_scope_passes if {
	count(applicable) == 1 with input as mk_snap([])
	count(deny) == 1 with input as mk_snap([])
}

test_tagged_vpc_is_applicable if {
	snap := object.union(mk_snap(mk_all), {"regions": {"us-east-1": {"ec2": {"vpcs": [{"VpcId": "vpc-1"}, {"VpcId": "vpc-2", "Tags": [{"Key": "mlguard:scope", "Value": "ml"}]}]}}}})
	count(applicable) == 2 with input as snap
	some r in deny with input as snap
	contains(r.msg, "VPC vpc-2 hosts the ML workload (tagged mlguard:scope=ml)")
}

test_endpoints_listing_failed_not_assessed if {
	snap := object.union(mk_snap([]), {"gaps": [{"service": "ec2", "region": "us-east-1", "operation": "DescribeVpcEndpoints", "error_code": "UnauthorizedOperation", "message": "denied"}]})
	count(deny) == 0 with input as snap
	count(not_assessed) == 1 with input as snap
}
